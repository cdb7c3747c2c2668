//! The five organization-membership operations.
//!
//! | operation | method and path (below the base URL) | answer |
//! |---|---|---|
//! | [`CreateMembership`] | `POST /organizations/{organization_id}/memberships` | [`OrganizationMembership`](crate::OrganizationMembership) |
//! | [`ListMemberships`] | `GET /organizations/{organization_id}/memberships` | [`Page`](crate::Page)`<`[`OrganizationMembership`](crate::OrganizationMembership)`>` |
//! | [`UpdateMembership`] | `PATCH /organizations/{organization_id}/memberships/{user_id}` | [`OrganizationMembership`](crate::OrganizationMembership) |
//! | [`DeleteMembership`] | `DELETE /organizations/{organization_id}/memberships/{user_id}` | [`OrganizationMembership`](crate::OrganizationMembership) (the removed one) |
//! | [`UpdateMembershipMetadata`] | `PATCH /organizations/{organization_id}/memberships/{user_id}/metadata` | [`OrganizationMembership`](crate::OrganizationMembership) |
//!
//! Each is a struct built by its builder (`X::builder()…build()?`) and sent with
//! `.send(&client)?`. `build()` checks what can be checked before sending and returns a
//! [`BuildError`](crate::BuildError) naming the field at fault:
//!
//! - ids (`organization_id`, `user_id`, and each value of the `user_id` filter after its
//!   optional `+`/`-`) must not be empty, only whitespace, `.` or `..`, nor longer than 256
//!   bytes;
//! - every other filter value may be empty (a value, not "unset") but not longer than 1024
//!   bytes; an array filter takes at most 100 values; `limit` is 1 to 500;
//! - metadata must be a JSON object nested at most 64 levels and at most 65536 bytes as
//!   JSON, checked as soon as it is set, without recursion.
//!
//! When the request is rendered, the whole URL (base URL included) must fit in 8192 bytes.
//! [`BuildError`](crate::BuildError#limits) lists every limit in one table.
//!
//! These rules and the builder macros live in `builder`, which [`ListUsers`](crate::ListUsers)
//! (in `users`) and [`ListOrganizationRoles`](crate::ListOrganizationRoles) (in
//! `organization_roles`) use too; this module only declares the operations and re-exports
//! them.

mod create;
mod delete;
mod list;
mod update;
mod update_metadata;

pub use create::{CreateMembership, CreateMembershipBuilder};
pub use delete::{DeleteMembership, DeleteMembershipBuilder};
pub use list::{ListMemberships, ListMembershipsBuilder};
pub use update::{UpdateMembership, UpdateMembershipBuilder};
pub use update_metadata::{UpdateMembershipMetadata, UpdateMembershipMetadataBuilder};
