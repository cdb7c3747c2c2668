//! An in-memory, stateful stand-in for Clerk's organization-membership API.
//!
//! [`FakeClerk`] is a [`Transport`]: it parses each rendered request as a server would
//! (method, escaped path, form-encoded query, JSON body), answers from its own state with the
//! JSON Clerk sends, and records what it saw. Its documentation lists the semantics and the
//! decisions taken where Clerk's documentation is silent.
//!
//! The rooms: `http` reads requests, `server` checks bodies and dispatches, `list` holds the
//! filter and sort rules (`users`, `roles` and `invitations` those of their listings, the last
//! also its create bodies), `merge` the metadata
//! deep merge, `state` the data and the operations, `response` Clerk's error catalogue,
//! `faults` the injected failures, `pacing` the rate limit, and `seed` the builders tests
//! describe their data with.

mod clerk;
mod error;
mod faults;
mod form;
mod http;
mod invitations;
mod list;
mod merge;
mod pacing;
mod response;
mod roles;
mod seed;
#[cfg(feature = "fake-server")]
mod serve;
mod server;
mod state;
#[cfg(test)]
mod tests;
mod users;

pub use clerk::{FakeClerk, InjectedFault};
pub use error::FakeError;
pub use faults::{Fault, FaultScope};
pub use seed::{FakeOrganization, FakeUser};
#[cfg(feature = "fake-server")]
pub use serve::{FakeServer, ServeOptions};
