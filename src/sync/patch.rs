//! The smallest metadata merge patch that turns what a member has into what the roster wants.
//!
//! Clerk's `update_metadata` deep-merges: objects merge key by key at any depth, `null`
//! removes a key, anything else replaces. The patch holds only what differs, so a converged
//! member gets no patch at all.
//!
//! Recursion follows the roster's objects only where both sides are objects, and a roster's
//! metadata is at most `MAX_METADATA_DEPTH` deep (checked when it is set), so the depth is
//! bounded whatever the server sends.

use serde_json::Value;

use crate::models::Metadata;

/// The smallest patch that, deep-merged into `current`, gives `desired` (under `exact`) or
/// gives `current` with `desired`'s keys set (otherwise).
///
/// A `null` in `desired` means "absent": it becomes a `null` in the patch only when
/// `current` has the key. Under `exact`, every key of `current` that `desired` lacks, at any
/// depth `desired` describes, becomes a `null`.
pub(crate) fn merge_patch(current: &Metadata, desired: &Metadata, exact: bool) -> Metadata {
    let mut patch = Metadata::new();
    for (key, want) in desired {
        let have = current.get(key);
        match (have, want) {
            (None, Value::Null) => {}
            (Some(_), Value::Null) => {
                patch.insert(key.clone(), Value::Null);
            }
            (Some(Value::Object(have)), Value::Object(want)) => {
                let nested = merge_patch(have, want, exact);
                if !nested.is_empty() {
                    patch.insert(key.clone(), Value::Object(nested));
                }
            }
            (_, Value::Object(want)) => {
                // A new object, or one replacing a value that is not an object.
                patch.insert(key.clone(), Value::Object(without_nulls(want)));
            }
            (have, want) => {
                if have != Some(want) {
                    patch.insert(key.clone(), want.clone());
                }
            }
        }
    }
    if exact {
        for key in current.keys() {
            if !desired.contains_key(key) {
                patch.insert(key.clone(), Value::Null);
            }
        }
    }
    patch
}

/// `metadata` without its `null`s (which mean "absent"), at any depth of objects.
pub(crate) fn without_nulls(metadata: &Metadata) -> Metadata {
    metadata
        .iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(key, value)| {
            let value = match value {
                Value::Object(nested) => Value::Object(without_nulls(nested)),
                other => other.clone(),
            };
            (key.clone(), value)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Metadata {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    fn patch(current: Value, desired: Value, exact: bool) -> Value {
        Value::Object(merge_patch(&object(current), &object(desired), exact))
    }

    /// Clerk's deep merge, as the fake performs it.
    fn apply(current: Value, patch: Value) -> Value {
        fn merge(target: &mut Metadata, patch: Metadata) {
            for (key, value) in patch {
                match value {
                    Value::Null => {
                        target.remove(&key);
                    }
                    Value::Object(patch) => match target.get_mut(&key) {
                        Some(Value::Object(existing)) => merge(existing, patch),
                        _ => {
                            let mut fresh = Metadata::new();
                            merge(&mut fresh, patch);
                            target.insert(key, Value::Object(fresh));
                        }
                    },
                    value => {
                        target.insert(key, value);
                    }
                }
            }
        }
        let mut target = object(current);
        merge(&mut target, object(patch));
        Value::Object(target)
    }

    #[test]
    fn merge_sets_only_what_differs_and_keeps_the_rest() {
        let current =
            json!({"team": "a", "level": 2, "nested": {"x": 1, "y": [1, 2]}, "keep": true});
        let desired = json!({"team": "b", "level": 2, "nested": {"y": [1, 2], "z": null}, "new": {"k": null, "v": 1}});
        let p = patch(current.clone(), desired, false);
        assert_eq!(p, json!({"team": "b", "new": {"v": 1}}));
        assert_eq!(
            apply(current, p),
            json!({"team": "b", "level": 2, "nested": {"x": 1, "y": [1, 2]}, "keep": true, "new": {"v": 1}})
        );
    }

    #[test]
    fn exact_removes_keys_the_roster_lacks_at_every_depth_it_describes() {
        let current = json!({"team": "a", "nested": {"x": 1, "y": 2}, "old": "gone"});
        let desired = json!({"team": "a", "nested": {"y": 3}});
        let p = patch(current.clone(), desired.clone(), true);
        assert_eq!(p, json!({"nested": {"x": null, "y": 3}, "old": null}));
        assert_eq!(apply(current, p), desired);
    }

    #[test]
    fn a_null_in_the_roster_removes_only_an_existing_key() {
        assert_eq!(
            patch(json!({"a": 1}), json!({"a": null, "b": null}), false),
            json!({"a": null})
        );
    }

    #[test]
    fn objects_replace_other_values_and_arrays_replace_whole() {
        let current = json!({"a": 1, "list": [1, 2, 3]});
        let desired = json!({"a": {"b": null, "c": 2}, "list": [1, 2]});
        let p = patch(current.clone(), desired, false);
        assert_eq!(p, json!({"a": {"c": 2}, "list": [1, 2]}));
        assert_eq!(apply(current, p), json!({"a": {"c": 2}, "list": [1, 2]}));
    }

    #[test]
    fn converged_metadata_needs_no_patch() {
        let same = json!({"a": {"b": [1, {"c": null}]}, "d": "e"});
        assert_eq!(patch(same.clone(), same.clone(), true), json!({}));
        assert_eq!(patch(same.clone(), json!({}), false), json!({}));
        assert_eq!(patch(json!({}), json!({}), true), json!({}));
    }

    #[test]
    fn an_empty_desired_object_is_created_when_missing() {
        assert_eq!(patch(json!({}), json!({"a": {}}), false), json!({"a": {}}));
        assert_eq!(
            patch(json!({"a": {"x": 1}}), json!({"a": {}}), false),
            json!({})
        );
        assert_eq!(
            patch(json!({"a": {"x": 1}}), json!({"a": {}}), true),
            json!({"a": {"x": null}})
        );
    }
}
