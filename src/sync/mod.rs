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
//! - **Onboarding people who have no account yet.** With
//!   [`invite`](SyncOptionsBuilder::invite), a roster email address that names no user
//!   becomes a [`Change::Invite`]: Clerk emails a join link, and the membership is created
//!   with the roster's role and metadata when the invitee accepts. The plan reads the
//!   organization's pending invitations once, so that an address already invited is
//!   [waiting](Plan::waiting) rather than invited again; one invited with another role is
//!   replaced only with [`reinvite`](SyncOptionsBuilder::reinvite); under `prune`, an
//!   invitation whose address left the roster is revoked. An email cannot be taken back: a
//!   plan sends at most [`max_invites`](SyncOptionsBuilder::max_invites) unless forced, and
//!   [`InviteMember`] and [`InviteMembers`] settle a lost answer by reading, never by
//!   sending again.
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
//! Onboarding from an HR roster, rehearsed against the fake: the new hire is invited once,
//! waits while the invitation is pending, and needs nothing more once they accept.
//!
//! ```
//! use clerk_memberships::sync::{self, ApplyOptions, Roster, RosterEntry, SyncOptions};
//! use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
//!
//! let fake = FakeClerk::new();
//! let org = fake.add_organization(FakeOrganization::new("Acme"));
//! let ann = fake.add_user(FakeUser::new("Ann", "Lee").email("ann@acme.com"));
//! fake.add_membership(&org, &ann, "org:admin")?;
//! let client = fake.client();
//!
//! let roster = Roster::new()
//!     .entry(RosterEntry::email("ann@acme.com", "org:admin"))?
//!     .entry(RosterEntry::email("new.hire@acme.com", "org:member"))?;
//! let options = SyncOptions::builder().invite(true).build();
//!
//! let plan = sync::plan(&client, &org, &roster, &options)?;
//! assert_eq!(plan.to_string(), "+ invite new.hire@acme.com org:member\n");
//! plan.apply(&client, &ApplyOptions::default())?;
//!
//! // Invited, not yet accepted: nothing to change, one entry waiting.
//! let waiting = sync::plan(&client, &org, &roster, &options)?;
//! assert!(waiting.is_empty() && waiting.is_fully_resolved());
//! assert_eq!(waiting.waiting().len(), 1);
//!
//! // The new hire clicks the link in the email.
//! fake.accept_invitation("new.hire@acme.com")?;
//! let done = sync::plan(&client, &org, &roster, &options)?;
//! assert!(done.is_empty() && done.waiting().is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Resolving on its own:
//!
//! ```
//! use clerk_memberships::sync::{self, Resolved, UserKey};
//! use clerk_memberships::testing::{MockTransport, USER_JSON};
//!
//! let mock = MockTransport::new();
//! // Clerk's answer to `GET /users?email_address=jane.doe%40acme.com&email_address=…`.
//! mock.push_json(200, format!("[{USER_JSON}]"));
//!
//! let keys = ["Jane.Doe@ACME.com", "nobody@acme.com"].map(UserKey::email);
//! let resolution = sync::resolve_users(&mock.client(), keys)?;
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
mod invitation;
mod invite;
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
pub use invitation::{InviteCheck, WaitingInvitation};
pub use invite::{
    BulkInvited, InviteMember, InviteMemberBuilder, InviteMembers, InviteMembersBuilder,
    InviteResult, Invited, NotInvited,
};
pub use members::{Ensured, MetadataMerge, Removal, RoleSet};
pub use options::{MetadataPolicy, SyncOptions, SyncOptionsBuilder};
pub use orgs::{
    MemberReading, OrganizationPlans, OrganizationReports, RefusedOrganization, plan_all,
};
pub use outcome::{ChangeError, Outcome};
pub use plan::{Change, Plan, PlanCounts, SkippedChange, Unresolved, UnresolvedEntry};
pub use progress::Progress;
pub use resolve::{Resolution, Resolved, UserKey, resolve_users};
pub use roles::{KnownRoles, RoleCheck};
pub use roster::{Roster, RosterEntry};
pub use run::plan;
pub use single::{
    ChangeRole, ChangeRoleBuilder, EnsureMember, EnsureMemberBuilder, FindMember,
    FindMemberBuilder, MergeMetadata, MergeMetadataBuilder, RemoveMember, RemoveMemberBuilder,
};
pub use vocab::{ChangeKind, EntryRef, OutcomeKind, RemovalCheck, RemovalThreshold, SkipReason};
