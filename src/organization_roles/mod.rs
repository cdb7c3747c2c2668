//! The instance's organization roles: the one lookup that says which role keys a membership
//! may be given.
//!
//! | operation | method and path (below the base URL) | answer |
//! |---|---|---|
//! | [`ListOrganizationRoles`] | `GET /organization_roles` | [`Page`](crate::Page)`<`[`Role`](crate::Role)`>` (a page, with `total_count`) |
//!
//! It is built and sent like the membership operations, with the same checks at `build()`
//! and the same wire rules. [`sync::KnownRoles`](crate::sync::KnownRoles) builds on it to
//! refuse a role the instance does not have before anything is written.

mod list;

pub use list::{ListOrganizationRoles, ListOrganizationRolesBuilder};
