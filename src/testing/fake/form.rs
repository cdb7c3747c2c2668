//! A request body's parameters, read as Clerk's form parser reads them: the JSON object,
//! unknown keys, required strings and optional objects.

use serde_json::Value;

use super::response::Failure;
use crate::models::Metadata;
use crate::transport::HttpRequest;

/// The body as a JSON object: no body (or only whitespace) is `{}`; anything but an object is
/// `400 request_body_invalid`; a key outside `allowed` is `422 form_param_unknown`.
pub(super) fn body(request: &HttpRequest, allowed: &[&str]) -> Result<Metadata, Failure> {
    let bytes = request.body().unwrap_or_default();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Metadata::new());
    }
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(bytes) else {
        return Err(Failure::body_invalid());
    };
    known(&body, allowed)?;
    Ok(body)
}

/// Required string parameters. Absent, `null` and `""` are missing (all of them reported at
/// once); any other non-string is `422 form_param_type_invalid`.
pub(super) fn required<const N: usize>(
    body: &Metadata,
    names: [&str; N],
) -> Result<[String; N], Failure> {
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|name| match body.get(*name) {
            None | Some(Value::Null) => true,
            Some(Value::String(value)) => value.is_empty(),
            Some(_) => false,
        })
        .collect();
    if !missing.is_empty() {
        return Err(Failure::params_missing(&missing));
    }
    let mut values = names.map(|_| String::new());
    for (name, slot) in names.iter().zip(values.iter_mut()) {
        match body.get(*name) {
            Some(Value::String(value)) => slot.clone_from(value),
            _ => return Err(Failure::type_invalid(name, "string")),
        }
    }
    Ok(values)
}

/// An optional object parameter; `null` counts as absent when `nullable`, and is refused
/// otherwise, like every other non-object.
pub(super) fn object(
    body: &Metadata,
    name: &str,
    nullable: bool,
) -> Result<Option<Metadata>, Failure> {
    match body.get(name) {
        None => Ok(None),
        Some(Value::Null) if nullable => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map.clone())),
        Some(_) => Err(Failure::type_invalid(name, "object")),
    }
}

/// `422 form_param_unknown` for the first key of `body` outside `allowed`.
pub(super) fn known(body: &Metadata, allowed: &[&str]) -> Result<(), Failure> {
    match body.keys().find(|key| !allowed.contains(&key.as_str())) {
        Some(unknown) => Err(Failure::param_unknown(unknown)),
        None => Ok(()),
    }
}
