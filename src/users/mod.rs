//! The users of the instance: the one lookup that turns what a roster knows about people
//! (email addresses, external ids) into the user ids every membership operation needs.
//!
//! | operation | method and path (below the base URL) | answer |
//! |---|---|---|
//! | [`ListUsers`] | `GET /users` | `Vec<`[`User`](crate::User)`>` (a bare JSON array) |
//!
//! It is built and sent like the membership operations, with the same checks at `build()`
//! and the same wire rules: array filters as repeated keys in the order given, `+` sent as
//! `%2B`. [`sync::resolve_users`](crate::sync::resolve_users) builds on it to resolve a
//! whole roster in batches.

mod list;

pub use list::{ListUsers, ListUsersBuilder};
