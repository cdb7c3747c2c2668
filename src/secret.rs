//! The secret key: checked once, never shown.

use std::fmt;
use std::sync::Arc;

use crate::error::BuildError;

/// A Clerk secret key (`sk_live_…` or `sk_test_…`).
///
/// Its `Debug` output is redacted, and it has no `Display`: the key cannot end up in a log by
/// accident. [`ClientBuilder::secret_key`](crate::ClientBuilder::secret_key) takes one as well
/// as a plain string.
///
/// ```
/// use clerk_memberships::SecretKey;
///
/// let key = SecretKey::new("sk_test_abc123")?;
/// assert_eq!(format!("{key:?}"), "SecretKey(sk_test_<redacted>)");
/// assert_eq!(key.expose_secret(), "sk_test_abc123");
/// assert!(!key.is_live());
/// # Ok::<(), clerk_memberships::BuildError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(Arc<str>);

impl SecretKey {
    /// Checks and wraps a key.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] for field `secret_key` when the key is empty, holds whitespace or
    /// other characters that cannot go in an HTTP header, still has an `Authorization`
    /// header's `Bearer ` in front, or does not start with `sk_live_` or `sk_test_` followed
    /// by the key itself. The error never quotes the key.
    pub fn new(key: impl Into<String>) -> Result<Self, BuildError> {
        let key: String = key.into();
        let invalid = |rule: &str| BuildError::invalid("secret_key", rule);
        if key.is_empty() {
            return Err(invalid("must not be empty"));
        }
        let bearer = key
            .get(..7)
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case("bearer "))
            || key
                .get(..6)
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case("bearer"))
                && key[6..].starts_with(char::is_whitespace);
        if bearer {
            return Err(invalid(
                "must be the key alone: drop the `Bearer ` prefix, the client adds it",
            ));
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(invalid(
                "must be printable ASCII without spaces (check for a stray newline)",
            ));
        }
        let rest = key
            .strip_prefix("sk_live_")
            .or_else(|| key.strip_prefix("sk_test_"));
        match rest {
            Some(rest) if !rest.is_empty() => Ok(SecretKey(key.into())),
            _ => Err(invalid(
                "must be a Clerk secret key starting with `sk_live_` or `sk_test_`",
            )),
        }
    }

    /// The key itself, for a custom transport that must send it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// `true` for a production key (`sk_live_…`).
    pub fn is_live(&self) -> bool {
        self.0.starts_with("sk_live_")
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.is_live() {
            "sk_live_"
        } else {
            "sk_test_"
        };
        write!(f, "SecretKey({kind}<redacted>)")
    }
}

/// What [`ClientBuilder::secret_key`](crate::ClientBuilder::secret_key) takes: a key as a
/// string (`&str`, `String`), checked when the client is built, or a [`SecretKey`], checked
/// already. You never need to name this type.
///
/// Its `Debug` output is redacted.
///
/// ```
/// use clerk_memberships::{Client, SecretKey};
///
/// let key = SecretKey::new("sk_test_123")?;
/// Client::builder().secret_key(&key).build()?; // a checked key
/// Client::builder().secret_key("sk_test_123").build()?; // text, checked at build()
/// # Ok::<(), clerk_memberships::BuildError>(())
/// ```
#[derive(Clone)]
pub struct KeyInput(pub(crate) KeySource);

#[derive(Clone)]
pub(crate) enum KeySource {
    Text(String),
    Checked(SecretKey),
}

impl fmt::Debug for KeyInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyInput(<redacted>)")
    }
}

impl KeyInput {
    /// The key, checked.
    pub(crate) fn check(&self) -> Result<SecretKey, BuildError> {
        match &self.0 {
            KeySource::Text(text) => SecretKey::new(text.as_str()),
            KeySource::Checked(key) => Ok(key.clone()),
        }
    }
}

impl From<&str> for KeyInput {
    fn from(key: &str) -> Self {
        KeyInput(KeySource::Text(key.to_owned()))
    }
}

impl From<String> for KeyInput {
    fn from(key: String) -> Self {
        KeyInput(KeySource::Text(key))
    }
}

impl From<&String> for KeyInput {
    fn from(key: &String) -> Self {
        KeyInput(KeySource::Text(key.clone()))
    }
}

impl From<SecretKey> for KeyInput {
    fn from(key: SecretKey) -> Self {
        KeyInput(KeySource::Checked(key))
    }
}

impl From<&SecretKey> for KeyInput {
    fn from(key: &SecretKey) -> Self {
        KeyInput(KeySource::Checked(key.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_live_and_test_keys_are_accepted() {
        for good in ["sk_live_abc", "sk_test_abc"] {
            assert!(SecretKey::new(good).is_ok(), "{good}");
        }
        for bad in [
            "sk_abc",
            "sk_live_",
            "sk_test_",
            "pk_test_abc",
            "sk_prod_abc",
        ] {
            let err = SecretKey::new(bad).unwrap_err();
            assert_eq!(err.field(), "secret_key");
            assert!(
                err.to_string().contains("`sk_live_` or `sk_test_`"),
                "{err}"
            );
            if !bad.ends_with('_') {
                assert!(!err.to_string().contains(bad), "{err}");
            }
        }
    }

    #[test]
    fn keys_with_characters_beyond_ascii_are_refused_without_panicking_or_quoting() {
        for bad in [
            "Bearer\u{a0}sk_test_SUPERSECRET",
            "sk_tesé_SUPERSECRET",
            "é",
            "Bearé",
            "sk_test_SUPER\u{202e}SECRET",
        ] {
            let err = SecretKey::new(bad).unwrap_err();
            assert_eq!(err.field(), "secret_key");
            assert!(!err.to_string().contains("SUPERSECRET"), "{err}");
        }
        let err = SecretKey::new("Bearer\u{a0}sk_test_SUPERSECRET").unwrap_err();
        assert!(
            err.to_string().contains("drop the `Bearer ` prefix"),
            "{err}"
        );
    }

    #[test]
    fn a_bearer_prefix_is_named_and_the_key_never_quoted() {
        for bad in [
            "Bearer sk_test_abc",
            "bearer sk_test_abc",
            "BEARER sk_live_xyz",
        ] {
            let err = SecretKey::new(bad).unwrap_err();
            assert!(
                err.to_string().contains("drop the `Bearer ` prefix"),
                "{err}"
            );
            assert!(!err.to_string().contains("sk_"), "{err}");
        }
    }
}
