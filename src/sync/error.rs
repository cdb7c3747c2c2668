//! What can go wrong in a sync, apart from the requests themselves.

use std::fmt;

use super::invitation::InviteCheck;
use super::vocab::{EntryRef, RemovalCheck};
use crate::builder::MAX_FILTER_VALUE_LEN;
use crate::error::Error;

/// Why a sync stopped.
///
/// Roster problems and refusals are found before anything is written; a failed request
/// carries the client's [`Error`] unchanged (its `Display` and `source()` are the request's).
///
/// ```
/// use clerk_memberships::sync::{Roster, RosterEntry, RosterProblem, SyncError};
///
/// let err = Roster::new().entry(RosterEntry::email("jane@acme.com", "")).unwrap_err();
/// match &err {
///     SyncError::InvalidRoster { problems } => {
///         assert!(matches!(problems[0], RosterProblem::EmptyRole { .. }));
///     }
///     other => panic!("{other}"),
/// }
/// assert_eq!(err.to_string(), r#"invalid roster: entry 0 (email address "jane@acme.com") has an empty role"#);
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The roster is not a valid desired state: every problem found, each naming its entries.
    #[error("invalid roster: {}", Problems(problems))]
    InvalidRoster {
        /// The problems, in roster order; never empty.
        problems: Vec<RosterProblem>,
    },
    /// An option cannot be used as given.
    #[error("invalid sync option `{option}`: {rule}")]
    InvalidOptions {
        /// The option's name, as its setter spells it.
        option: &'static str,
        /// The rule the value broke, in words.
        rule: String,
    },
    /// A plan removes more members than the removal threshold allows, and was not forced.
    #[error("refused: {0}")]
    RemovalThresholdExceeded(RemovalCheck),
    /// A plan sends more invitations than its limit allows, and was not forced.
    #[error("refused: {0}")]
    TooManyInvitations(InviteCheck),
    /// A request failed (after the client's retries). Planning only reads, so it can be
    /// repeated.
    #[error(transparent)]
    Client(#[from] Error),
    /// The server listed a membership without saying whose it is (no `public_user_data`):
    /// a plan cannot tell whether that member is to be kept, changed or removed, so it is not
    /// made. The request itself succeeded.
    #[error(
        "organization {organization_id:?} lists membership {membership_id:?} without \
         public_user_data: a sync cannot tell whose it is"
    )]
    UnidentifiedMembership {
        /// The organization being read.
        organization_id: String,
        /// The membership's id, as listed.
        membership_id: String,
    },
}

impl SyncError {
    /// The client's error, when a request failed.
    pub fn client_error(&self) -> Option<&Error> {
        match self {
            SyncError::Client(err) => Some(err),
            _ => None,
        }
    }
}

/// The first problem, and how many more there are.
struct Problems<'a>(&'a [RosterProblem]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            [] => f.write_str("no problem listed"),
            [only] => write!(f, "{only}"),
            [first, rest @ ..] => {
                let s = if rest.len() == 1 { "" } else { "s" };
                write!(f, "{first} (and {} more problem{s})", rest.len())
            }
        }
    }
}

/// One reason a roster is not a valid desired state.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RosterProblem {
    /// Two entries have the same key (email addresses compared without regard to case).
    DuplicateKey {
        /// The later entry.
        entry: EntryRef,
        /// The entry that had the key first.
        first: EntryRef,
    },
    /// An entry's role is empty or only whitespace.
    EmptyRole {
        /// The entry.
        entry: EntryRef,
    },
    /// An entry's role is longer than 1024 bytes: no role Clerk has is that long, and no
    /// member could be listed by it.
    RoleTooLong {
        /// The entry.
        entry: EntryRef,
        /// The role's length in bytes.
        len: usize,
    },
    /// An entry's metadata is not a JSON object, or breaks the metadata limits.
    InvalidMetadata {
        /// The entry.
        entry: EntryRef,
        /// `public_metadata` or `private_metadata`.
        field: &'static str,
        /// The rule the value broke, in words.
        rule: String,
    },
    /// An entry's role is not one the [role check](super::RoleCheck) knows: by default, not
    /// a role of the instance (a typo such as `org:admn`, or `admin` without its `org:`
    /// prefix).
    UnknownRole {
        /// The entry.
        entry: EntryRef,
        /// Its role.
        role: String,
        /// The roles the check knows, sorted.
        known: Vec<String>,
    },
    /// An entry's organization cannot name one: empty, only whitespace, `.`, `..` or too
    /// long.
    InvalidOrganization {
        /// The entry.
        entry: EntryRef,
        /// The rule it breaks, in words.
        rule: String,
    },
    /// No organization has this id or slug (the lookup answered 404).
    UnknownOrganization {
        /// The organization, as the entries give it.
        organization: String,
        /// Every entry naming it, in roster order.
        entries: Vec<EntryRef>,
    },
    /// An entry names no organization in a roster planned with [`plan_all`](super::plan_all),
    /// which has no organization to default to.
    MissingOrganization {
        /// The entry.
        entry: EntryRef,
    },
    /// An entry names an organization in a roster planned with [`plan`](super::plan), which is
    /// for the one organization its caller names: plan such a roster with
    /// [`plan_all`](super::plan_all).
    UnexpectedOrganization {
        /// The entry.
        entry: EntryRef,
        /// The organization it names.
        organization: String,
    },
    /// Entries with different keys resolve to the same Clerk user (say, an email address and
    /// that user's id): the roster would give one person two roles.
    SameUser {
        /// The user both entries resolve to.
        user_id: String,
        /// Every entry resolving to that user, in roster order.
        entries: Vec<EntryRef>,
    },
}

impl fmt::Display for RosterProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RosterProblem::DuplicateKey { entry, first } => {
                write!(f, "{entry} has the same key as {first}")
            }
            RosterProblem::EmptyRole { entry } => write!(f, "{entry} has an empty role"),
            RosterProblem::RoleTooLong { entry, len } => write!(
                f,
                "{entry}: the role must be at most {MAX_FILTER_VALUE_LEN} bytes, got {len}"
            ),
            RosterProblem::InvalidMetadata { entry, field, rule } => {
                write!(f, "{entry}: {field} {rule}")
            }
            RosterProblem::UnknownRole { entry, role, known } => {
                write!(
                    f,
                    "{entry} has the role {role:?}, which is not a known role (known: "
                )?;
                if known.is_empty() {
                    f.write_str("none")?;
                }
                for (i, key) in known.iter().enumerate() {
                    f.write_str(if i == 0 { "" } else { ", " })?;
                    key.chars()
                        .try_for_each(|c| crate::text::write_escaped(f, c))?;
                }
                f.write_str(")")
            }
            RosterProblem::InvalidOrganization { entry, rule } => {
                write!(f, "{entry}: the organization {rule}")
            }
            RosterProblem::UnknownOrganization {
                organization,
                entries,
            } => {
                write!(f, "no organization has the id or slug {organization:?} (")?;
                for (i, entry) in entries.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}{entry}")?;
                }
                f.write_str(")")
            }
            RosterProblem::MissingOrganization { entry } => {
                write!(f, "{entry} names no organization")
            }
            RosterProblem::UnexpectedOrganization {
                entry,
                organization,
            } => write!(
                f,
                "{entry} names the organization {organization:?}, but the plan is for one organization"
            ),
            RosterProblem::SameUser { user_id, entries } => {
                f.write_str("entries ")?;
                for (i, entry) in entries.iter().enumerate() {
                    let sep = match i {
                        0 => "",
                        i if i + 1 == entries.len() => " and ",
                        _ => ", ",
                    };
                    write!(f, "{sep}{} ({})", entry.index, entry.key)?;
                }
                write!(f, " are the same user {user_id:?}")
            }
        }
    }
}
