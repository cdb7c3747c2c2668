//! Building blocks for keeping organizations in step with a roster kept elsewhere (an HR
//! system, an identity provider, a spreadsheet).
//!
//! A roster names people by email address or by an id of its own; every membership operation
//! needs a Clerk user id. [`resolve_users`] bridges the two with as few requests as the API
//! allows, and says for each person whether they were found, not found, or matched by several
//! users, never guessing.
//!
//! ```
//! use clerk_memberships::sync::{self, Resolved, UserKey, UserKeys};
//! use clerk_memberships::testing::{MockTransport, USER_JSON};
//!
//! let mock = MockTransport::new();
//! // Clerk's answer to `GET /users?email_address=jane.doe%40acme.com&email_address=…`.
//! mock.push_json(200, format!("[{USER_JSON}]"));
//!
//! let keys = UserKeys::new().email("Jane.Doe@ACME.com").email("nobody@acme.com");
//! let resolution = sync::resolve_users(&mock.client(), &keys)?;
//! assert_eq!(
//!     resolution.user_id(&UserKey::email("Jane.Doe@ACME.com")),
//!     Some("user_2h8op3Isl1QR7tKu5FGNfaLKEoU")
//! );
//! assert_eq!(resolution.get(&UserKey::email("nobody@acme.com")), Some(&Resolved::NotFound));
//! assert_eq!(mock.requests().len(), 1, "both addresses in one request");
//! # Ok::<(), clerk_memberships::Error>(())
//! ```

mod resolve;

pub use resolve::{
    LOOKUP_BATCH_SIZE, LOOKUP_PAGE_SIZE, Resolution, Resolved, UserKey, UserKeys, resolve_users,
};
