//! The deep merge `update_metadata` performs.

use serde_json::Value;

use crate::models::Metadata;

/// Merges `patch` into `target`, the way Clerk merges metadata:
///
/// - an object merges into an object key by key, at any depth;
/// - `null` removes the key, at any depth (a `null` for a key that does not exist does
///   nothing);
/// - anything else (string, number, bool, array, or an object where there was no object)
///   replaces the old value. Arrays are replaced whole, never merged.
///
/// A new object that carries `null`s is stored without those keys, so that stored metadata
/// never holds a `null` that was meant as "remove".
pub(super) fn deep_merge(target: &mut Metadata, patch: Metadata) {
    for (key, value) in patch {
        match value {
            Value::Null => {
                target.remove(&key);
            }
            Value::Object(patch) => match target.get_mut(&key) {
                Some(Value::Object(existing)) => deep_merge(existing, patch),
                _ => {
                    let mut fresh = Metadata::new();
                    deep_merge(&mut fresh, patch);
                    target.insert(key, Value::Object(fresh));
                }
            },
            value => {
                target.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn merged(target: Value, patch: Value) -> Value {
        let (Value::Object(mut target), Value::Object(patch)) = (target, patch) else {
            panic!("objects only");
        };
        deep_merge(&mut target, patch);
        Value::Object(target)
    }

    #[test]
    fn objects_merge_recursively_and_other_values_replace() {
        assert_eq!(
            merged(
                json!({"a": {"b": 1, "c": {"d": true}}, "list": [1, 2], "s": "x"}),
                json!({"a": {"c": {"e": 2}}, "list": [3], "s": {"now": "object"}}),
            ),
            json!({"a": {"b": 1, "c": {"d": true, "e": 2}}, "list": [3], "s": {"now": "object"}})
        );
    }

    #[test]
    fn null_removes_at_any_depth() {
        assert_eq!(
            merged(
                json!({"a": {"b": 1, "c": 2}, "gone": 1, "keep": 1}),
                json!({"a": {"b": null}, "gone": null, "missing": null}),
            ),
            json!({"a": {"c": 2}, "keep": 1})
        );
    }

    #[test]
    fn nulls_inside_new_objects_are_not_stored() {
        assert_eq!(
            merged(json!({"a": 1}), json!({"a": {"x": null, "y": {"z": null}}})),
            json!({"a": {"y": {}}})
        );
    }

    #[test]
    fn nulls_inside_arrays_are_values() {
        assert_eq!(
            merged(json!({}), json!({"a": [null]})),
            json!({"a": [null]})
        );
    }
}
