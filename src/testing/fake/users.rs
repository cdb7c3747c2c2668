//! `GET /users` and `GET /users/count`: parsing and checking their query, and the filter and
//! sort semantics (documented on [`FakeClerk`](super::FakeClerk)).

use std::collections::HashSet;

use crate::builder::MAX_FILTER_VALUES;
use crate::email::normalized_email;

use serde_json::Value;

use super::list::{DEFAULT_LIMIT, SortKey, page, paging};
use super::response::Failure;
use super::state::{State, UserRecord, user_json};

/// What `order_by` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UserSort {
    CreatedAt,
    UpdatedAt,
    EmailAddress,
    FirstName,
    LastName,
    Username,
}

/// The values of a filter whose values may carry `+` (include) or `-` (exclude).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Signed {
    include: HashSet<String>,
    exclude: HashSet<String>,
}

impl Signed {
    /// Takes one sign off: `-x` excludes `x`, `+x` and `x` include `x` (so `+-x` includes
    /// `-x`).
    fn push(&mut self, value: &str) {
        match (value.strip_prefix('-'), value.strip_prefix('+')) {
            (Some(excluded), _) => self.exclude.insert(excluded.to_owned()),
            (_, Some(included)) => self.include.insert(included.to_owned()),
            _ => self.include.insert(value.to_owned()),
        };
    }

    /// Included (or no inclusions at all) and not excluded. A value the user does not have
    /// (`None`) is never included.
    fn admits(&self, value: Option<&str>) -> bool {
        let included =
            self.include.is_empty() || value.is_some_and(|value| self.include.contains(value));
        let excluded = value.is_some_and(|value| self.exclude.contains(value));
        included && !excluded
    }
}

/// A parsed, checked `GET /users` query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct UserQuery {
    sort: UserSort,
    pub(super) descending: bool,
    /// In lowercase: matched without regard to case.
    email_addresses: HashSet<String>,
    external_ids: Signed,
    user_ids: Signed,
    pub(super) limit: usize,
    pub(super) offset: usize,
}

impl UserQuery {
    /// `GET /users` on `state`: filter, sort, then page.
    pub(super) fn run(&self, state: &State) -> Vec<Value> {
        let rows = state
            .users()
            .filter(|user| self.matches(user))
            .map(|user| (self.sort_key(user), user.seq, user))
            .collect();
        let (_, users) = page(rows, self.descending, self.offset, self.limit);
        users.into_iter().map(user_json).collect()
    }

    /// How many users `GET /users` would list on `state` with this query's filters, all
    /// pages together.
    pub(super) fn count(&self, state: &State) -> usize {
        state.users().filter(|user| self.matches(user)).count()
    }

    /// Reads the decoded query pairs. Parameters the fake does not implement are ignored, as
    /// Clerk ignores unknown ones; only the first `order_by` counts, as the spec says.
    ///
    /// # Errors
    ///
    /// 422 for an array filter given more than 100 times, an `order_by` that names no
    /// sortable field, `limit` outside 1..=500, a negative or non-integer `offset`, or
    /// `limit`/`offset` given twice.
    pub(super) fn parse(pairs: Vec<(String, String)>) -> Result<Self, Failure> {
        let mut query = UserQuery {
            sort: UserSort::CreatedAt,
            descending: true,
            email_addresses: HashSet::new(),
            external_ids: Signed::default(),
            user_ids: Signed::default(),
            limit: DEFAULT_LIMIT,
            offset: 0,
        };
        let (mut emails, mut externals, mut users) = (0, 0, 0);
        let (mut order_by, mut limit, mut offset) = (None, None, None);
        for (key, value) in pairs {
            let count = match key.as_str() {
                "email_address" => {
                    query.email_addresses.insert(normalized_email(&value));
                    emails += 1;
                    emails
                }
                "external_id" => {
                    query.external_ids.push(&value);
                    externals += 1;
                    externals
                }
                "user_id" => {
                    query.user_ids.push(&value);
                    users += 1;
                    users
                }
                "order_by" => {
                    order_by.get_or_insert(value);
                    continue;
                }
                "limit" | "offset" => {
                    let slot = if key == "limit" {
                        &mut limit
                    } else {
                        &mut offset
                    };
                    if slot.is_some() {
                        return Err(Failure::param_duplicate(&key));
                    }
                    *slot = Some(value);
                    continue;
                }
                _ => continue,
            };
            if count > MAX_FILTER_VALUES {
                return Err(Failure::too_many_values(&key, MAX_FILTER_VALUES));
            }
        }
        if let Some(raw) = order_by {
            (query.sort, query.descending) = super::list::order_by(
                &raw,
                &[
                    ("created_at", UserSort::CreatedAt),
                    ("updated_at", UserSort::UpdatedAt),
                    ("email_address", UserSort::EmailAddress),
                    ("first_name", UserSort::FirstName),
                    ("last_name", UserSort::LastName),
                    ("username", UserSort::Username),
                ],
            )?;
        }
        (query.limit, query.offset) = paging(limit.as_deref(), offset.as_deref())?;
        Ok(query)
    }

    /// Reads the decoded query pairs of `GET /users/count`: the filters of `GET /users`, checked
    /// alike. `order_by`, `limit` and `offset` are not parameters of the count and are ignored,
    /// as any unknown parameter is.
    ///
    /// # Errors
    ///
    /// 422 for an array filter given more than 100 times.
    pub(super) fn parse_count(pairs: Vec<(String, String)>) -> Result<Self, Failure> {
        let filters = pairs
            .into_iter()
            .filter(|(key, _)| !matches!(key.as_str(), "order_by" | "limit" | "offset"))
            .collect();
        Self::parse(filters)
    }

    /// Whether a user passes every filter: values within one filter are OR'ed (minus the
    /// excluded ones), filters are AND'ed.
    pub(super) fn matches(&self, user: &UserRecord) -> bool {
        (self.email_addresses.is_empty()
            || user
                .profile
                .email_addresses
                .iter()
                .any(|address| self.email_addresses.contains(&normalized_email(address))))
            && self
                .external_ids
                .admits(user.profile.external_id.as_deref())
            && self.user_ids.admits(Some(&user.id))
    }

    /// The sort key of a user for this query's `order_by`.
    pub(super) fn sort_key(&self, user: &UserRecord) -> SortKey {
        let text =
            |value: Option<&String>| SortKey::Text(value.map(|v| (v.to_lowercase(), v.clone())));
        match self.sort {
            // Users are never updated in the fake: `updated_at` is the creation time.
            UserSort::CreatedAt | UserSort::UpdatedAt => SortKey::Time(user.created_at),
            UserSort::EmailAddress => text(user.profile.email_addresses.first()),
            UserSort::FirstName => text(user.profile.first_name.as_ref()),
            UserSort::LastName => text(user.profile.last_name.as_ref()),
            UserSort::Username => text(user.profile.username.as_ref()),
        }
    }
}
