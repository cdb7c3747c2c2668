//! Who a roster entry names: a Clerk user id, an email address or an external id.
//!
//! The lookup that turns email addresses and external ids into user ids (`GET /users`) comes
//! with the users work; until then this file holds only the key type the roster is built on.

use std::fmt;

/// What a roster knows about one person, to find their Clerk user id.
///
/// ```
/// use clerk_memberships::sync::UserKey;
///
/// let key = UserKey::email("jane@acme.com");
/// assert_eq!(key.value(), "jane@acme.com");
/// assert_eq!(key.to_string(), r#"email address "jane@acme.com""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum UserKey {
    /// An email address, matched against every address of a user without regard to case.
    /// Whitespace around it is ignored.
    Email(String),
    /// An external id, matched exactly.
    ExternalId(String),
    /// A Clerk user id, matched exactly.
    UserId(String),
}

impl UserKey {
    /// An [`Email`](Self::Email) key.
    pub fn email(email_address: impl Into<String>) -> Self {
        UserKey::Email(email_address.into())
    }

    /// An [`ExternalId`](Self::ExternalId) key.
    pub fn external_id(external_id: impl Into<String>) -> Self {
        UserKey::ExternalId(external_id.into())
    }

    /// A [`UserId`](Self::UserId) key.
    pub fn user_id(user_id: impl Into<String>) -> Self {
        UserKey::UserId(user_id.into())
    }

    /// The value, as given.
    pub fn value(&self) -> &str {
        match self {
            UserKey::Email(value) | UserKey::ExternalId(value) | UserKey::UserId(value) => value,
        }
    }

    /// What kind of key this is, in words: `email address`, `external id` or `user id`.
    pub fn kind(&self) -> &'static str {
        match self {
            UserKey::Email(_) => "email address",
            UserKey::ExternalId(_) => "external id",
            UserKey::UserId(_) => "user id",
        }
    }
}

impl fmt::Display for UserKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}", self.kind(), self.value())
    }
}
