//! A blocking, typed client for Clerk's Backend API **organization memberships**: create a
//! membership, list an organization's members with every filter the API has, change a member's
//! role, remove a member, and deep-merge a membership's metadata; and find the users a roster
//! names by email address or external id ([`ListUsers`], [`sync::resolve_users`]).
//!
//! # Quick start
//!
//! ```no_run
//! use clerk_memberships::{ClientBuilder, ListMemberships, UpdateMembership};
//!
//! fn main() -> Result<(), clerk_memberships::Error> {
//!     // A builder from CLERK_SECRET_KEY (and CLERK_API_URL, when set), a setting added, then
//!     // `build()`. `Client::from_env()?` is the same with every setting at its default.
//!     let client = ClientBuilder::from_env().clerk_rate_limit().build()?;
//!
//!     let admins = ListMemberships::builder()
//!         .organization_id("org_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
//!         .role("org:admin")
//!         .limit(20)
//!         .build()?
//!         .send(&client)?;
//!     for membership in &admins.data {
//!         println!("{} is {}", membership.id, membership.role);
//!     }
//!
//!     UpdateMembership::builder()
//!         .organization_id("org_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
//!         .user_id("user_2h8op3Isl1QR7tKu5FGNfaLKEoU")
//!         .role("org:member")
//!         .build()?
//!         .send(&client)?;
//!     Ok(())
//! }
//! ```
//!
//! # How a call flows
//!
//! `X::builder()…build()` checks the request and returns a [`BuildError`] naming the field at
//! fault; nothing is sent. `.send(&client)` renders the exact HTTP request (percent-encoded path
//! segments, repeated query keys, a JSON body holding only the fields set), hands it to the
//! client's [`Transport`] and maps the answer: a 2xx decodes into the model, anything else
//! becomes an [`Error`] that keeps the status, Clerk's error codes and the trace id.
//!
//! # Testing your code
//!
//! With the `test-util` feature, in `[dev-dependencies]`
//! (`clerk-memberships = { version = "0.1", features = ["test-util"] }`), the [`testing`]
//! module has the test doubles: [`testing::MockTransport`] answers with scripted responses and
//! records what was sent (plug it in with [`ClientBuilder::transport`]), and
//! [`testing::FakeClerk`] is a stateful in-memory Clerk that answers every operation from its
//! own data. Neither is compiled without the feature. The module's documentation is the guide
//! to testing with them, in process and over HTTP.
//!
//! # Retries
//!
//! Calls are retried by [`RetryPolicy`] (on by default): never a `create` that may have reached
//! the server, unless asked; 429 after `Retry-After`; all within a deadline. A 429 holds back
//! every clone of the client, and [`ClientBuilder::clerk_rate_limit`] paces requests with a
//! [`SlidingWindowLimiter`] at Clerk's published limits. Waits are measured on a monotonic
//! [`Clock`], so a wall clock that is stepped changes none of them.
//! The details are [below](#retries-timeouts-and-rate-limits), after the guides to
//! [listing members](#listing-members) and [errors](#errors).
//!
//! Clerk's limit belongs to the instance, not to the process: with the `redis` feature,
//! [`ClientBuilder::redis_rate_limit`] shares one budget, and one 429 gate, between every
//! process that uses the same Redis and key ([`RedisRateLimit`]), and
//! [`ClientBuilder::rate_share`] leaves part of the limit to other traffic.
//!
//! # Where things are
//!
//! Everything is imported from the crate root, except the test doubles, which stay in
//! [`testing`], and the roster sync, which stays in [`sync`]. The list goes bottom up, in the
//! order the source is layered: each layer uses only the ones above it in this list.
//!
//! - **Vocabulary**: [`Operation`] (which request), its HTTP [`Method`], and the [`Call`]
//!   (operation and path) an error is said of; the [`Clock`] every wait is measured on
//!   ([`SystemClock`] by default).
//! - **Models**: [`OrganizationMembership`], [`Organization`], [`PublicUserData`] and
//!   [`Metadata`]; [`User`] and its [`EmailAddress`]es; [`Role`] and its [`Permission`]s;
//!   [`OrganizationInvitation`]; and [`Page`], one page of a listing of memberships
//!   ([`OrganizationMemberships`]), roles or invitations, with `total_count`.
//! - **The transport seam**: the [`Transport`] trait, the [`HttpRequest`] it is given and the
//!   [`HttpResponse`] it returns, and how it fails: [`TransportError`], [`TransportErrorKind`]
//!   (with [`may_have_been_sent`](TransportError::may_have_been_sent): whether a failed
//!   request may have reached the server).
//! - **Errors and the secret**: [`Error`], whose [`ErrorKind`] says at which stage a call
//!   failed, and which keeps the [`Call`] and its attempts; [`BuildError`] (a request refused
//!   before sending), whose docs list every limit a builder checks; [`ApiError`] and
//!   [`ClerkError`] (Clerk's error answer), whose codes [`Error::has_code`] tests
//!   ([`Error::is_already_member`] and [`Error::is_quota_exceeded`] name the common ones);
//!   [`SecretKey`] (its `Debug` is redacted) and [`KeyInput`].
//! - **The default transport**: [`UreqTransport`] and [`UreqTransportBuilder`].
//! - **The client, with retries and pacing**, which renders and sends any operation:
//!   [`Client`] and [`ClientBuilder`] (base URL, timeouts, retry policy, rate limit,
//!   transport, clock; each setter says its default; [`ClientBuilder::from_env`] reads
//!   `CLERK_SECRET_KEY` and `CLERK_API_URL`); [`RetryPolicy`] and [`RetryPolicyBuilder`],
//!   [`AttemptEvent`] for [`ClientBuilder::on_attempt`], the [`RateLimiter`] trait,
//!   [`SlidingWindowLimiter`] and (feature `redis`) [`RedisRateLimit`].
//! - **Operations**, one struct each, built with `X::builder()` and sent with `.send(&client)`:
//!
//!   | operation | method and path (below the base URL) | answer |
//!   |---|---|---|
//!   | [`CreateMembership`] | `POST /organizations/{organization_id}/memberships` | [`OrganizationMembership`] |
//!   | [`ListMemberships`] | `GET /organizations/{organization_id}/memberships` | [`Page`]`<`[`OrganizationMembership`]`>` |
//!   | [`UpdateMembership`] | `PATCH /organizations/{organization_id}/memberships/{user_id}` | [`OrganizationMembership`] |
//!   | [`DeleteMembership`] | `DELETE /organizations/{organization_id}/memberships/{user_id}` | [`OrganizationMembership`] (the removed one) |
//!   | [`UpdateMembershipMetadata`] | `PATCH /organizations/{organization_id}/memberships/{user_id}/metadata` | [`OrganizationMembership`] |
//!   | [`ListUsers`] | `GET /users` | `Vec<`[`User`]`>` (a bare array) |
//!   | [`ListOrganizationRoles`] | `GET /organization_roles` | [`Page`]`<`[`Role`]`>` |
//!   | [`GetOrganization`] | `GET /organizations/{organization_id}` (an id or a slug) | [`Organization`] |
//!   | [`ListInstanceMemberships`] | `GET /organization_memberships` (every organization of the instance) | [`Page`]`<`[`OrganizationMembership`]`>` |
//!   | [`CreateInvitation`] | `POST /organizations/{organization_id}/invitations` (sends an email) | [`OrganizationInvitation`] |
//!   | [`BulkCreateInvitations`] | `POST /organizations/{organization_id}/invitations/bulk` (up to 10 [`NewInvitation`]s) | [`Page`]`<`[`OrganizationInvitation`]`>` |
//!   | [`ListInvitations`] | `GET /organizations/{organization_id}/invitations` | [`Page`]`<`[`OrganizationInvitation`]`>` |
//!   | [`GetInvitation`] | `GET /organizations/{organization_id}/invitations/{invitation_id}` | [`OrganizationInvitation`] |
//!   | [`RevokeInvitation`] | `POST /organizations/{organization_id}/invitations/{invitation_id}/revoke` | [`OrganizationInvitation`] |
//!
//!   The invitation creates are never repeated once they may have reached the server
//!   ([`Operation::sends_email`]); [`sync::InviteMember`] settles a lost answer by reading.
//!
//!   Their builders ([`CreateMembershipBuilder`], …). What `build()` refuses, before anything
//!   is sent: an id that is empty, only whitespace, `.` or `..`, or over 256 bytes
//!   (a caller checks its own ids the same way with [`check_id`]); a filter value over
//!   1024 bytes; more than 100 values in an array filter; a `limit` outside 1 to 500;
//!   metadata nested deeper than 64 levels or larger than 64 KiB. A rendered URL must fit in
//!   8 KiB. [`BuildError`]'s [limits](BuildError#limits) list every rule with its number.
//! - **Pagination**: [`ListMemberships::pages`], [`ListMemberships::items`] and
//!   [`ListMemberships::collect_all`]; [`ListUsers::pages`] and [`ListUsers::items`];
//!   [`ListOrganizationRoles::pages`] and [`ListOrganizationRoles::items`];
//!   [`ListInvitations::pages`] and [`ListInvitations::items`]; [`ListInstanceMemberships::pages`].
//!   They return the generic iterators [`Pages`] and [`Items`], for the list requests that
//!   implement [`Paged`].
//! - **[`sync`]**, for keeping organizations in step with a roster: [`sync::plan`] compares
//!   a [`sync::Roster`] with the current members and returns a reviewable [`sync::Plan`]
//!   under the safety rails of [`sync::SyncOptions`], and [`sync::Plan::apply`] makes its
//!   changes with workers sharing the client; [`sync::resolve_users`] turns email
//!   addresses and external ids into user ids in batches. Its items stay in the module.
//! - **[`testing`]** (feature `test-util`): [`testing::MockTransport`],
//!   [`testing::ManualClock`], [`testing::FakeClerk`] and the fixtures
//!   [`testing::MEMBERSHIP_JSON`], [`testing::USER_JSON`], [`testing::ROLES_JSON`],
//!   [`testing::ORGANIZATION_JSON`], [`testing::INVITATION_JSON`] and
//!   [`testing::clerk_error_json`].
//!
// The guides: listing, errors, retries and rate limits, base URL and proxies, transports.
// Their examples run as doctests.
#![doc = include_str!("guide.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// These docs are written for the build docs.rs makes, with every feature: without `test-util`
// and `fake-server` their links into `testing` have nothing to point at. The CI builds the docs
// with every feature and warnings denied, so a link broken in every build is still caught.
#![cfg_attr(not(feature = "fake-server"), allow(rustdoc::broken_intra_doc_links))]

mod answer;
mod api_error;
mod builder;
mod call;
mod client;
mod clock;
mod email;
mod endpoint;
mod error;
mod invitations;
mod lock;
mod memberships;
mod models;
mod organization_roles;
mod organizations;
mod pacing;
mod pagination;
#[cfg(feature = "redis")]
mod redis_limiter;
mod retry;
mod retry_after;
mod secret;
pub mod sync;
#[cfg(feature = "test-util")]
#[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
pub mod testing;
mod text;
mod transport;
mod ureq_transport;
mod users;

pub use api_error::{ApiError, ClerkError};
pub use builder::check_id;
pub use call::{Call, Method, Operation};
pub use client::{Client, ClientBuilder};
pub use clock::{Clock, SystemClock};
pub use error::{BuildError, Error, ErrorKind};
pub use invitations::{
    BulkCreateInvitations, BulkCreateInvitationsBuilder, CreateInvitation, CreateInvitationBuilder,
    GetInvitation, GetInvitationBuilder, ListInvitations, ListInvitationsBuilder, NewInvitation,
    RevokeInvitation, RevokeInvitationBuilder,
};
pub use memberships::{
    CreateMembership, CreateMembershipBuilder, DeleteMembership, DeleteMembershipBuilder,
    ListMemberships, ListMembershipsBuilder, UpdateMembership, UpdateMembershipBuilder,
    UpdateMembershipMetadata, UpdateMembershipMetadataBuilder,
};
pub use models::{
    EmailAddress, Metadata, Organization, OrganizationInvitation, OrganizationMembership,
    OrganizationMemberships, Page, Permission, PublicUserData, Role, User,
};
pub use organization_roles::{ListOrganizationRoles, ListOrganizationRolesBuilder};
pub use organizations::{
    GetOrganization, GetOrganizationBuilder, ListInstanceMemberships,
    ListInstanceMembershipsBuilder,
};
pub use pacing::{RateLimiter, SlidingWindowLimiter};
pub use pagination::{Items, Paged, Pages};
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use redis_limiter::RedisRateLimit;
pub use retry::{AttemptEvent, RetryPolicy, RetryPolicyBuilder};
pub use secret::{KeyInput, SecretKey};
pub use transport::{HttpRequest, HttpResponse, Transport, TransportError, TransportErrorKind};
pub use ureq_transport::{UreqTransport, UreqTransportBuilder};
pub use users::{ListUsers, ListUsersBuilder};

/// The README's examples, compiled and run as doctests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
