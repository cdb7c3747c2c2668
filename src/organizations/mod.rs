//! Organizations, and the memberships of every organization of the instance: the two reads a
//! sync over many organizations is built on.
//!
//! | operation | method and path (below the base URL) | answer |
//! |---|---|---|
//! | [`GetOrganization`] | `GET /organizations/{organization_id}` (an id or a slug) | [`Organization`](crate::Organization) |
//! | [`ListInstanceMemberships`] | `GET /organization_memberships` | [`Page`](crate::Page)`<`[`OrganizationMembership`](crate::OrganizationMembership)`>` (a page of every organization's memberships, with `total_count`) |
//!
//! They are built and sent like the membership operations, with the same checks at `build()`
//! and the same wire rules.

mod get;
mod instance_memberships;

pub use get::{GetOrganization, GetOrganizationBuilder};
pub use instance_memberships::{ListInstanceMemberships, ListInstanceMembershipsBuilder};
