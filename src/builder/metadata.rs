//! Metadata values as builders hold them: checked when set, before anything else touches them.
//!
//! A `serde_json::Value` nested a hundred thousand levels deep overflows the stack of whatever
//! walks it recursively: its `Clone`, `Debug`, `PartialEq`, serialization, even its `Drop`. So
//! the setters check depth and size with an explicit stack as soon as a value is handed over,
//! and a rejected value is taken apart iteratively instead of being stored; the builder keeps
//! only the error, which `build()` returns.

use std::io;

use serde::Serialize;
use serde_json::Value;

use crate::error::BuildError;

/// Deepest nesting of arrays and objects a metadata value may have: the object itself is level
/// 1, so `{"a": {"b": [1]}}` has depth 3.
///
/// Metadata is a shallow record of application data; 64 levels is far beyond any real use and
/// well inside what a parser with a recursion limit (serde_json's is 128) reads back.
pub(crate) const MAX_METADATA_DEPTH: usize = 64;

/// Largest metadata value a builder accepts: each of `public_metadata` and `private_metadata`,
/// in bytes of compact JSON, as it goes into the request body.
///
/// Metadata holds small records of application data, well under this; the bound is not
/// Clerk's own quota (which this crate does not know exactly) but a ceiling on the work and
/// memory a runaway value costs before anything is sent. Counting stops at the first byte
/// over, so a huge value is refused in time proportional to the limit, not to its size.
pub(crate) const MAX_METADATA_BYTES: usize = 64 * 1024;

/// A metadata field of a builder: unset, a checked value, or why the value given was refused.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) enum MetadataInput {
    /// Not set (or set to `None`): not sent.
    #[default]
    Unset,
    /// A JSON object within [`MAX_METADATA_DEPTH`] and [`MAX_METADATA_BYTES`].
    Checked(Value),
    /// The value given broke a rule; it has been dropped, iteratively.
    Rejected(BuildError),
}

impl MetadataInput {
    /// Checks `value` for `field`, keeping it only if it is a JSON object within the limits.
    pub(crate) fn new(field: &'static str, value: Option<Value>) -> Self {
        let Some(value) = value else {
            return MetadataInput::Unset;
        };
        let rule = if value.is_object() {
            limits_rule(&value)
        } else {
            Some("must be a JSON object".to_owned())
        };
        match rule {
            None => MetadataInput::Checked(value),
            Some(rule) => {
                drop_iteratively(value);
                MetadataInput::Rejected(BuildError::invalid(field, rule))
            }
        }
    }

    /// The error to return from `build()`, if the value was refused.
    pub(crate) fn check(&self) -> Result<(), BuildError> {
        match self {
            MetadataInput::Rejected(err) => Err(err.clone()),
            MetadataInput::Unset | MetadataInput::Checked(_) => Ok(()),
        }
    }

    /// The value for the built request.
    pub(crate) fn into_value(self) -> Option<Value> {
        match self {
            MetadataInput::Checked(value) => Some(value),
            MetadataInput::Unset | MetadataInput::Rejected(_) => None,
        }
    }

    /// The value, if one was set and kept.
    pub(crate) fn value(&self) -> Option<&Value> {
        match self {
            MetadataInput::Checked(value) => Some(value),
            MetadataInput::Unset | MetadataInput::Rejected(_) => None,
        }
    }
}

/// The metadata objects of a request body, each only when set (`{}` when neither is). The
/// bodies that carry more flatten it in where the metadata goes.
#[derive(Serialize)]
pub(crate) struct MetadataBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) public_metadata: Option<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) private_metadata: Option<&'a Value>,
}

impl<'a> MetadataBody<'a> {
    /// The body of a request's `public_metadata` and `private_metadata`.
    pub(crate) fn new(public: &'a Option<Value>, private: &'a Option<Value>) -> Self {
        MetadataBody {
            public_metadata: public.as_ref(),
            private_metadata: private.as_ref(),
        }
    }
}

/// The limit `value` breaks, if any: nesting deeper than [`MAX_METADATA_DEPTH`] or more than
/// [`MAX_METADATA_BYTES`] of compact JSON. Walks with an explicit stack and stops at the first
/// limit reached, so neither a deep nor a huge value costs more than the limits allow.
fn limits_rule(value: &Value) -> Option<String> {
    let too_big = || {
        Some(format!(
            "must be at most {MAX_METADATA_BYTES} bytes as JSON"
        ))
    };
    let mut size: usize = 0;
    // Each entry: a value and the depth it has if it is an array or an object.
    let mut stack: Vec<(&Value, usize)> = vec![(value, 1)];
    while let Some((value, depth)) = stack.pop() {
        let is_container = matches!(value, Value::Array(_) | Value::Object(_));
        if is_container && depth > MAX_METADATA_DEPTH {
            return Some(format!(
                "nests arrays and objects deeper than the maximum depth of {MAX_METADATA_DEPTH}"
            ));
        }
        // Brackets and commas (and colons) first: a container's own bytes bound its length
        // before any of its children is pushed.
        size = size.saturating_add(match value {
            Value::Array(items) => 2 + items.len().saturating_sub(1),
            Value::Object(map) => 2 + map.len().saturating_sub(1) + map.len(),
            // `size` is at most the limit here: it was checked after every addition.
            Value::String(text) => match str_json_len(text, MAX_METADATA_BYTES - size) {
                Some(len) => len,
                None => return too_big(),
            },
            scalar => match json_len(scalar, MAX_METADATA_BYTES - size) {
                Some(len) => len,
                None => return too_big(),
            },
        });
        if size > MAX_METADATA_BYTES {
            return too_big();
        }
        match value {
            Value::Array(items) => stack.extend(items.iter().map(|item| (item, depth + 1))),
            Value::Object(map) => {
                for (key, item) in map {
                    let budget = MAX_METADATA_BYTES - size;
                    match str_json_len(key, budget) {
                        Some(len) => size += len,
                        None => return too_big(),
                    }
                    stack.push((item, depth + 1));
                }
            }
            _ => {}
        }
    }
    None
}

/// The length of `value` (a scalar or a key, never a container) as compact JSON, or `None`
/// once it is over `budget` bytes.
fn json_len<T: serde::Serialize + ?Sized>(value: &T, budget: usize) -> Option<usize> {
    struct Counter {
        len: usize,
        budget: usize,
    }
    impl io::Write for Counter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.len = self.len.saturating_add(buf.len());
            if self.len > self.budget {
                return Err(io::Error::other("over budget"));
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter { len: 0, budget };
    serde_json::to_writer(&mut counter, value).ok()?;
    Some(counter.len)
}

/// The length of `text` as a JSON string, or `None` once over `budget` bytes. Escaping only
/// lengthens a string, so one whose contents alone are over the budget is refused unread.
fn str_json_len(text: &str, budget: usize) -> Option<usize> {
    if text.len().saturating_add(2) > budget {
        return None;
    }
    json_len(text, budget)
}

/// Drops `value` without recursing: every array and object is emptied onto an explicit stack
/// before it is dropped, so no nesting depth can overflow the call stack.
fn drop_iteratively(value: Value) {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.into_iter().map(|(_, item)| item)),
            _ => {}
        }
    }
}

/// `public_metadata` / `private_metadata` setters (and their `set_` forms) for a public builder
/// wrapping a generated one: they check the value when it is set (see the module docs for why
/// not at `build()`) and store it in the generated builder's `MetadataInput` field.
macro_rules! metadata_setters {
    ($builder:ident) => {
        impl $builder {
            /// Sets `public_metadata`, metadata visible to frontend and backend: a JSON object
            /// nested at most 64 levels deep (the object itself is level 1) and at most
            /// 65536 bytes (64 KiB) as compact JSON.
            ///
            /// The value is checked here; one that breaks a rule is dropped and `build()`
            /// returns the error.
            pub fn public_metadata(mut self, value: impl Into<serde_json::Value>) -> Self {
                self.0.public_metadata = $crate::builder::metadata::MetadataInput::new(
                    "public_metadata",
                    Some(value.into()),
                );
                self
            }

            /// Sets `public_metadata` from an `Option`: `Some(v)` is
            /// [`public_metadata(v)`](Self::public_metadata), `None` leaves it unset (clearing
            /// an earlier value, or an earlier refusal).
            pub fn set_public_metadata(mut self, value: Option<serde_json::Value>) -> Self {
                self.0.public_metadata =
                    $crate::builder::metadata::MetadataInput::new("public_metadata", value);
                self
            }

            /// Sets `private_metadata`, metadata visible to the backend only: a JSON object
            /// nested at most 64 levels deep (the object itself is level 1) and at most
            /// 65536 bytes (64 KiB) as compact JSON.
            ///
            /// The value is checked here; one that breaks a rule is dropped and `build()`
            /// returns the error.
            pub fn private_metadata(mut self, value: impl Into<serde_json::Value>) -> Self {
                self.0.private_metadata = $crate::builder::metadata::MetadataInput::new(
                    "private_metadata",
                    Some(value.into()),
                );
                self
            }

            /// Sets `private_metadata` from an `Option`: `Some(v)` is
            /// [`private_metadata(v)`](Self::private_metadata), `None` leaves it unset (clearing
            /// an earlier value, or an earlier refusal).
            pub fn set_private_metadata(mut self, value: Option<serde_json::Value>) -> Self {
                self.0.private_metadata =
                    $crate::builder::metadata::MetadataInput::new("private_metadata", value);
                self
            }
        }
    };
}
pub(crate) use metadata_setters;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A value nested `depth` arrays and objects deep, built without recursion (`json!` with
    /// a value inside would serialize it, recursively).
    fn nested(depth: usize) -> Value {
        let mut value = Value::Object(serde_json::Map::new());
        for level in 1..depth {
            value = if level % 2 == 0 {
                Value::Object(serde_json::Map::from_iter([("a".to_owned(), value)]))
            } else {
                Value::Array(vec![value])
            };
        }
        value
    }

    fn rule(value: Value) -> Option<String> {
        match MetadataInput::new("public_metadata", Some(value)) {
            MetadataInput::Rejected(BuildError::InvalidField { rule, .. }) => Some(rule),
            MetadataInput::Checked(_) => None,
            other => panic!("unexpected {other:?}"),
        }
    }

    fn object_of_depth(depth: usize) -> Value {
        Value::Object(serde_json::Map::from_iter([(
            "k".to_owned(),
            nested(depth - 1),
        )]))
    }

    #[test]
    fn depth_counts_arrays_and_objects_with_the_object_itself_at_one() {
        assert_eq!(rule(json!({})), None);
        assert_eq!(rule(json!({"a": {"b": [1]}})), None);
        assert_eq!(rule(object_of_depth(MAX_METADATA_DEPTH)), None);
        let err = rule(object_of_depth(MAX_METADATA_DEPTH + 1)).unwrap();
        assert!(err.contains("depth"), "{err}");
    }

    #[test]
    fn size_is_the_exact_compact_json_length() {
        // {"k":"…"} is 8 bytes around the string's contents.
        let at_limit = json!({ "k": "x".repeat(MAX_METADATA_BYTES - 8) });
        assert_eq!(
            serde_json::to_vec(&at_limit).unwrap().len(),
            MAX_METADATA_BYTES
        );
        assert_eq!(rule(at_limit), None);
        let over = json!({ "k": "x".repeat(MAX_METADATA_BYTES - 7) });
        assert!(rule(over).unwrap().contains("bytes"));
        // Escapes count as they are sent: a newline is two bytes.
        let escaped = json!({ "k": "\n".repeat(MAX_METADATA_BYTES / 2) });
        assert!(rule(escaped).is_some());
        // Many small entries add up, keys included.
        let mut wide = serde_json::Map::new();
        for i in 0..MAX_METADATA_BYTES / 8 {
            wide.insert(format!("key{i}"), json!(i));
        }
        assert!(rule(Value::Object(wide)).is_some());
        let long_key = json!({ "k".repeat(MAX_METADATA_BYTES): 1 });
        assert!(rule(long_key).is_some());
    }

    #[test]
    fn a_huge_flat_array_is_refused_without_walking_it() {
        let wide = json!({ "a": vec![0u8; MAX_METADATA_BYTES] });
        assert!(rule(wide).unwrap().contains("bytes"));
    }

    /// Checking and dropping a value far deeper than any call stack allows, on a thread with a
    /// small stack: if anything recursed through the value, this would overflow.
    #[test]
    fn a_very_deep_value_is_checked_and_dropped_without_recursion() {
        std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let err = rule(object_of_depth(200_000)).unwrap();
                assert!(err.contains("depth"), "{err}");
                // Not an object at the top: refused, and still dropped iteratively.
                let array = Value::Array(vec![nested(200_000)]);
                assert_eq!(rule(array).unwrap(), "must be a JSON object");
            })
            .unwrap()
            .join()
            .unwrap();
    }
}
