//! Keep an organization's members in step with a roster kept elsewhere (an HR system, an
//! identity provider, a spreadsheet): plan first, review, then apply.
//!
//! - A [`Roster`] is the desired state: one [`RosterEntry`] per person, named by a
//!   [`UserKey`] (a Clerk user id, an email address or an external id), with a role and
//!   optionally metadata.
//! - [`plan`] checks the roster's roles (by default against the instance's, see
//!   [`RoleCheck`]), reads the current members and resolves the roster's keys, and returns a
//!   [`Plan`]: what it would take to get there, with the safety rails of [`SyncOptions`]
//!   applied. It renders as a diff for a person and as JSON for CI. Nothing is written.
//! - [`Plan::apply`] makes the changes, separately and explicitly: in two phases (whoever
//!   gains the admin role before whoever loses it), with [`ApplyOptions`]' workers sharing
//!   one client, absorbing the races since the plan, and reports each change's [`Outcome`]
//!   in an [`ApplyReport`].
//! - [`plan_all`] does the same for a roster over many organizations, each entry naming its
//!   own ([`RosterEntry::in_organization`], an id or a slug): the users resolved once, each
//!   organization read once (or the instance's memberships, when fewer requests), one
//!   [`Plan`] per organization under its own rails, in [`OrganizationPlans`]; its `apply`
//!   refuses only the organizations over a rail and runs the others through one client.
//! - [`resolve_users`] is the lookup underneath: email addresses, external ids and user ids
//!   to Clerk user ids, in batches, saying for each whether it was found, not found, or
//!   matched by several users, never guessing.
//! - One change at a time, for scripts and for applying a plan: [`EnsureMember`],
//!   [`ChangeRole`], [`MergeMetadata`], [`RemoveMember`] and [`FindMember`], built like the
//!   crate's operations (`X::builder()`, named setters, `build()`, `send(&client)`), each with
//!   the fewest requests and the races between reading and writing absorbed; each answer maps
//!   to an [`Outcome`]. The two that can take the admin role from someone first ask the server
//!   whether another member holds it, and leave the last one as they are (their builders'
//!   `admin_role` names it). They send the role they are given; to refuse a role the
//!   instance does not have before anything is written, give them [`KnownRoles`]
//!   (`known_roles`).
//!
//! Nothing in this module is re-exported at the crate root: import it from
//! `clerk_memberships::sync`.
//!
//! ```
//! use clerk_memberships::sync::{self, Roster, RosterEntry, SyncOptions};
//! use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
//!
//! let fake = FakeClerk::new();
//! let org = fake.add_organization(FakeOrganization::new("Acme"));
//! let jane = fake.add_user(FakeUser::new("Jane", "Doe").email("jane@acme.com"));
//! let john = fake.add_user(FakeUser::new("John", "Roe").email("john@acme.com"));
//! fake.add_membership(&org, &john, "org:admin")?;
//!
//! let roster = Roster::new()
//!     .entry(RosterEntry::email("Jane@acme.com", "org:admin"))?
//!     .entry(RosterEntry::user_id(&john, "org:member"))?;
//! let plan = sync::plan(&fake.client(), &org, &roster, &SyncOptions::default())?;
//! assert_eq!(
//!     plan.to_string(),
//!     format!("+ {jane} (Jane@acme.com) org:admin\n~ {john} (john@acme.com) role org:admin -> org:member\n")
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Resolving on its own:
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
//!
// The guide: finding users, planning, applying, single changes. Its examples run as doctests.
#![doc = include_str!("guide.md")]

mod apply;
mod diff;
mod error;
mod guard;
mod members;
mod options;
mod orgs;
mod outcome;
mod patch;
mod plan;
mod progress;
mod resolve;
mod roles;
mod roster;
mod run;
mod single;
mod vocab;

pub use apply::{
    ApplyOptions, ApplyOptionsBuilder, ApplyReport, CancelToken, ChangeResult, OutcomeCounts,
};
pub use error::{RosterProblem, SyncError};
pub use members::{Ensured, MetadataMerge, Removal, RoleSet};
pub use options::{MetadataPolicy, SyncOptions, SyncOptionsBuilder};
pub use orgs::{
    MemberReading, OrganizationPlans, OrganizationReports, RefusedOrganization, plan_all,
};
pub use outcome::{ChangeError, Outcome};
pub use plan::{Change, Plan, PlanCounts, SkippedChange, Unresolved, UnresolvedEntry};
pub use progress::Progress;
pub use resolve::{Resolution, Resolved, UserKey, UserKeys, resolve_users};
pub use roles::{KnownRoles, RoleCheck};
pub use roster::{Roster, RosterEntry};
pub use run::plan;
pub use single::{
    ChangeRole, ChangeRoleBuilder, EnsureMember, EnsureMemberBuilder, FindMember,
    FindMemberBuilder, MergeMetadata, MergeMetadataBuilder, RemoveMember, RemoveMemberBuilder,
};
pub use vocab::{ChangeKind, EntryRef, OutcomeKind, RemovalCheck, RemovalThreshold, SkipReason};
