//! Which roles may be given: the instance's, read once, or a caller's allow-list; and the
//! check that refuses any other before anything is written.

use std::collections::BTreeSet;
use std::fmt;

use super::error::{RosterProblem, SyncError};
use super::roster::Roster;
use super::vocab::EntryRef;
use crate::builder::MAX_LIMIT;
use crate::client::Client;
use crate::error::{BuildError, Error};
use crate::organization_roles::ListOrganizationRoles;

/// How many known roles an error message names before it says how many more there are.
const NAMED_IN_MESSAGES: usize = 20;

/// Which roles [`plan`](super::plan) accepts in a roster, set with
/// [`SyncOptionsBuilder::role_check`](super::SyncOptionsBuilder::role_check).
///
/// A role the check does not know (a typo such as `org:admn`, or `admin` without its `org:`
/// prefix) is a roster problem, reported before anything is written.
///
/// **The instance's roles are necessary, not sufficient.** An organization that has a role
/// set of its own accepts only the roles of that set, which this crate cannot read: a role the
/// instance does not have is certainly refused, but a role it has may still be refused by such
/// an organization. When you know the organization's roles, give them with
/// [`Allow`](Self::Allow).
///
/// ```
/// use clerk_memberships::sync::{RoleCheck, SyncOptions};
///
/// assert_eq!(SyncOptions::default().role_check(), &RoleCheck::Instance);
/// let options = SyncOptions::builder().roles(["org:admin", "org:member"]).build();
/// assert_eq!(
///     options.role_check(),
///     &RoleCheck::Allow(vec!["org:admin".into(), "org:member".into()])
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RoleCheck {
    /// The instance's roles, read once per plan with
    /// [`ListOrganizationRoles`](crate::ListOrganizationRoles) (every page of 500; one request
    /// for almost every instance), and only when the roster has entries. The default.
    #[default]
    Instance,
    /// Exactly these role keys, with no request: e.g. the roles of the organization's role
    /// set, or a narrower list than the instance has.
    Allow(Vec<String>),
    /// No check: every non-empty role is planned, and the server refuses what it refuses,
    /// change by change, when the plan is applied.
    Off,
}

impl RoleCheck {
    /// The roles this check accepts: read from the instance ([`Instance`](Self::Instance),
    /// see [`KnownRoles::read`]), given ([`Allow`](Self::Allow)), or `None` when nothing is
    /// checked ([`Off`](Self::Off)).
    ///
    /// # Errors
    ///
    /// For [`Instance`](Self::Instance), the error of the request that failed (after the
    /// client's retries).
    pub fn known_roles(&self, client: &Client) -> Result<Option<KnownRoles>, Error> {
        match self {
            RoleCheck::Instance => KnownRoles::read(client).map(Some),
            RoleCheck::Allow(keys) => Ok(Some(KnownRoles::allow(keys))),
            RoleCheck::Off => Ok(None),
        }
    }
}

/// A set of role keys a membership may be given: the instance's, read with
/// [`read`](Self::read), or an allow-list made with [`allow`](Self::allow).
///
/// [`check`](Self::check) refuses any other role the way a builder refuses a value, before
/// anything is sent; the single-change builders ([`EnsureMember`](super::EnsureMember),
/// [`ChangeRole`](super::ChangeRole)) take the set with `known_roles` and check their role
/// when built:
///
/// ```
/// use clerk_memberships::sync::{EnsureMember, Ensured, KnownRoles};
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
///
/// let fake = FakeClerk::new();
/// let org = fake.add_organization(FakeOrganization::new("Acme"));
/// let jane = fake.add_user(FakeUser::new("Jane", "Doe"));
/// let client = fake.client();
///
/// let roles = KnownRoles::read(&client)?; // GET /organization_roles, once for many changes
/// assert!(roles.contains("org:admin"));
/// let err = roles.check("org:admn").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "invalid request: invalid `role`: \"org:admn\" is not a role of the instance \
///      (its roles: org:admin, org:member)"
/// );
/// // The builders of the single changes check their role too, before anything is sent.
/// let ensure = EnsureMember::builder().organization_id(&org).user_id(&jane).known_roles(&roles);
/// let refused = ensure.clone().role("org:admn").build().unwrap_err();
/// assert_eq!(refused.field(), "role");
/// let ensured = ensure.role("org:admin").build()?.send(&client)?;
/// assert_eq!(ensured, Ensured::Created);
/// assert_eq!(fake.requests().len(), 2, "one read, one create");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownRoles {
    keys: BTreeSet<String>,
    /// Read from the instance, rather than given: only changes how messages word it.
    from_instance: bool,
}

impl KnownRoles {
    /// The instance's roles: every page of `GET /organization_roles?limit=500`.
    ///
    /// An organization with a role set of its own accepts only that set's roles, which this
    /// listing does not show (see [`RoleCheck`]).
    ///
    /// # Errors
    ///
    /// The error of the request that failed (after the client's retries), e.g. 401 for a
    /// key the instance does not accept.
    pub fn read(client: &Client) -> Result<KnownRoles, Error> {
        let request = ListOrganizationRoles::builder().limit(MAX_LIMIT).build()?;
        let mut keys = BTreeSet::new();
        for role in request.items(client) {
            keys.insert(role?.key);
        }
        Ok(KnownRoles {
            keys,
            from_instance: true,
        })
    }

    /// An allow-list: exactly these role keys.
    ///
    /// ```
    /// use clerk_memberships::sync::KnownRoles;
    ///
    /// let roles = KnownRoles::allow(["org:member", "org:admin"]);
    /// assert_eq!(roles.keys().collect::<Vec<_>>(), ["org:admin", "org:member"]);
    /// assert_eq!(
    ///     roles.check("admin").unwrap_err().to_string(),
    ///     "invalid request: invalid `role`: \"admin\" is not one of the allowed roles \
    ///      (org:admin, org:member)"
    /// );
    /// ```
    pub fn allow(keys: impl IntoIterator<Item = impl Into<String>>) -> KnownRoles {
        KnownRoles {
            keys: keys.into_iter().map(Into::into).collect(),
            from_instance: false,
        }
    }

    /// Whether `role` is one of them (compared exactly, as Clerk compares role keys).
    pub fn contains(&self, role: &str) -> bool {
        self.keys.contains(role)
    }

    /// The role keys, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(String::as_str)
    }

    /// How many roles there are.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether there are none (every role is then refused).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// `role`, when it is one of them, to hand on to an operation or a helper.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest) for field `role` when it is not, naming the role and the
    /// known ones (at most 20, then how many more): nothing was sent. It is how every
    /// request refused before sending fails, so a caller handles it as it handles an empty
    /// role.
    pub fn check<'r>(&self, role: &'r str) -> Result<&'r str, Error> {
        match self.refusal(role) {
            Some(refused) => Err(refused.into()),
            None => Ok(role),
        }
    }

    /// Why `role` is refused, if it is: the error [`check`](Self::check) wraps, and what the
    /// single-change requests' `build()` return.
    pub(crate) fn refusal(&self, role: &str) -> Option<BuildError> {
        if self.contains(role) {
            return None;
        }
        let rule = if self.from_instance {
            format!(
                "{role:?} is not a role of the instance (its roles: {})",
                Listed(self)
            )
        } else {
            format!(
                "{role:?} is not one of the allowed roles ({})",
                Listed(self)
            )
        };
        Some(BuildError::invalid("role", rule))
    }
}

/// The known roles, comma-separated, at most [`NAMED_IN_MESSAGES`] of them; `none` when there
/// are none.
struct Listed<'a>(&'a KnownRoles);

impl fmt::Display for Listed<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("none");
        }
        for (i, key) in self.0.keys().take(NAMED_IN_MESSAGES).enumerate() {
            f.write_str(if i == 0 { "" } else { ", " })?;
            // A key read from a server is shown escaped, so that it stays on its line.
            key.chars()
                .try_for_each(|c| crate::text::write_escaped(f, c))?;
        }
        let more = self.0.len().saturating_sub(NAMED_IN_MESSAGES);
        if more > 0 {
            write!(f, " and {more} more")?;
        }
        Ok(())
    }
}

/// Every roster entry whose role `check` does not accept, as a roster problem. Reads the
/// instance's roles only when there is an entry to check.
pub(crate) fn check_roster(
    client: &Client,
    roster: &Roster,
    check: &RoleCheck,
) -> Result<(), SyncError> {
    if roster.is_empty() {
        return Ok(());
    }
    let Some(known) = check.known_roles(client)? else {
        return Ok(());
    };
    let problems: Vec<RosterProblem> = roster
        .iter()
        .enumerate()
        .filter(|(_, entry)| !known.contains(entry.role()))
        .map(|(index, entry)| RosterProblem::UnknownRole {
            entry: EntryRef::new(index, entry.key().clone()),
            role: entry.role().to_owned(),
            known: known.keys().map(str::to_owned).collect(),
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(SyncError::InvalidRoster { problems })
    }
}
