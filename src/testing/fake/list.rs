//! The list endpoint's query: parsing and checking every parameter, and the filter and sort
//! semantics (documented on [`FakeClerk`](super::FakeClerk)).

use std::cmp::Ordering;

use crate::builder::{MAX_FILTER_VALUES, MAX_LIMIT};

use super::response::Failure;
use super::state::{MembershipRecord, State, UserRecord};
use crate::models::{OrganizationMembership, Page};

/// Page size when `limit` is not given, on every listing the fake serves.
pub(super) const DEFAULT_LIMIT: usize = 10;

/// What `order_by` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SortField {
    CreatedAt,
    FirstName,
    LastName,
    EmailAddress,
    PhoneNumber,
    Username,
}

/// A parsed, checked list query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ListQuery {
    pub(super) sort: SortField,
    pub(super) descending: bool,
    include_user_ids: Vec<String>,
    exclude_user_ids: Vec<String>,
    email_addresses: Vec<String>,
    phone_numbers: Vec<String>,
    usernames: Vec<String>,
    web3_wallets: Vec<String>,
    roles: Vec<String>,
    /// The partial-match queries, lowercased.
    query: Option<String>,
    email_address_query: Option<String>,
    phone_number_query: Option<String>,
    username_query: Option<String>,
    name_query: Option<String>,
    last_active_at_before: Option<i64>,
    last_active_at_after: Option<i64>,
    created_at_before: Option<i64>,
    created_at_after: Option<i64>,
    pub(super) limit: usize,
    pub(super) offset: usize,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            sort: SortField::CreatedAt,
            descending: true,
            include_user_ids: Vec::new(),
            exclude_user_ids: Vec::new(),
            email_addresses: Vec::new(),
            phone_numbers: Vec::new(),
            usernames: Vec::new(),
            web3_wallets: Vec::new(),
            roles: Vec::new(),
            query: None,
            email_address_query: None,
            phone_number_query: None,
            username_query: None,
            name_query: None,
            last_active_at_before: None,
            last_active_at_after: None,
            created_at_before: None,
            created_at_after: None,
            limit: DEFAULT_LIMIT,
            offset: 0,
        }
    }
}

/// Single-valued parameters, in the order they are checked.
const SCALARS: [&str; 12] = [
    "order_by",
    "query",
    "email_address_query",
    "phone_number_query",
    "username_query",
    "name_query",
    "last_active_at_before",
    "last_active_at_after",
    "created_at_before",
    "created_at_after",
    "limit",
    "offset",
];

impl ListQuery {
    /// `GET …/memberships` on `state`: filter, sort, then page.
    ///
    /// # Errors
    ///
    /// 404 when no organization has this id.
    pub(super) fn run(
        &self,
        state: &State,
        organization_id: &str,
    ) -> Result<Page<OrganizationMembership>, Failure> {
        let (organization, members) = state.members(organization_id)?;
        let rows = members
            .iter()
            .filter(|(membership, user)| self.matches(membership, user))
            .map(|(membership, user)| {
                (self.sort_key(membership, user), membership.seq, *membership)
            })
            .collect();
        let (total_count, rows) = page(rows, self.descending, self.offset, self.limit);
        let data = rows
            .into_iter()
            .map(|membership| state.membership_model(&organization, membership))
            .collect();
        Ok(Page { data, total_count })
    }

    /// `GET /organization_memberships` on `state`: every organization's memberships, sorted
    /// and paged like one organization's (the filters are not the instance listing's, and
    /// the crate never sends them there).
    pub(super) fn run_instance(&self, state: &State) -> Page<OrganizationMembership> {
        let members = state.instance_members();
        let rows = members
            .iter()
            .map(|(organization, (membership, user))| {
                (
                    self.sort_key(membership, user),
                    membership.seq,
                    (organization, *membership),
                )
            })
            .collect();
        let (total_count, rows) = page(rows, self.descending, self.offset, self.limit);
        let data = rows
            .into_iter()
            .map(|(organization, membership)| state.membership_model(organization, membership))
            .collect();
        Page { data, total_count }
    }

    /// Reads the decoded query pairs. Unknown keys are ignored, as Clerk ignores them (a
    /// `user_id[0]=…` filter is silently dropped, not rejected).
    ///
    /// # Errors
    ///
    /// 422 for a single-valued parameter given twice, an array parameter given more than
    /// 100 times, an `order_by` that names no sortable field, a non-integer time, `limit`
    /// outside 1..=500 or a negative or non-integer `offset`.
    pub(super) fn parse(pairs: Vec<(String, String)>) -> Result<Self, Failure> {
        let mut query = ListQuery::default();
        let mut scalars: [Option<String>; SCALARS.len()] = Default::default();
        for (key, value) in pairs {
            let array = match key.as_str() {
                "user_id" => {
                    match value.strip_prefix('-') {
                        Some(id) => query.exclude_user_ids.push(id.to_owned()),
                        None => query
                            .include_user_ids
                            .push(value.strip_prefix('+').unwrap_or(&value).to_owned()),
                    }
                    query.include_user_ids.len() + query.exclude_user_ids.len()
                }
                "email_address" => push(&mut query.email_addresses, value),
                "phone_number" => push(&mut query.phone_numbers, value),
                "username" => push(&mut query.usernames, value),
                "web3_wallet" => push(&mut query.web3_wallets, value),
                "role" => push(&mut query.roles, value),
                _ => {
                    if let Some(slot) = SCALARS
                        .iter()
                        .position(|name| *name == key)
                        .and_then(|i| scalars.get_mut(i))
                    {
                        if slot.is_some() {
                            return Err(Failure::param_duplicate(&key));
                        }
                        *slot = Some(value);
                    }
                    continue;
                }
            };
            if array > MAX_FILTER_VALUES {
                return Err(Failure::too_many_values(&key, MAX_FILTER_VALUES));
            }
        }
        let [
            order_by,
            text_query,
            email_address_query,
            phone_number_query,
            username_query,
            name_query,
            last_active_at_before,
            last_active_at_after,
            created_at_before,
            created_at_after,
            limit,
            offset,
        ] = scalars;
        if let Some(raw) = order_by {
            (query.sort, query.descending) = self::order_by(
                &raw,
                &[
                    ("created_at", SortField::CreatedAt),
                    ("first_name", SortField::FirstName),
                    ("last_name", SortField::LastName),
                    ("email_address", SortField::EmailAddress),
                    ("phone_number", SortField::PhoneNumber),
                    ("username", SortField::Username),
                ],
            )?;
        }
        let lower = |value: Option<String>| value.map(|v| v.to_lowercase());
        query.query = lower(text_query);
        query.email_address_query = lower(email_address_query);
        query.phone_number_query = lower(phone_number_query);
        query.username_query = lower(username_query);
        query.name_query = lower(name_query);
        query.last_active_at_before = integer("last_active_at_before", last_active_at_before)?;
        query.last_active_at_after = integer("last_active_at_after", last_active_at_after)?;
        query.created_at_before = integer("created_at_before", created_at_before)?;
        query.created_at_after = integer("created_at_after", created_at_after)?;
        (query.limit, query.offset) = paging(limit.as_deref(), offset.as_deref())?;
        Ok(query)
    }

    /// Whether a membership passes every filter: values within one filter are OR'ed,
    /// filters are AND'ed.
    pub(super) fn matches(&self, membership: &MembershipRecord, user: &UserRecord) -> bool {
        let any_of = |wanted: &[String], have: &[String]| {
            wanted.is_empty() || wanted.iter().any(|w| have.contains(w))
        };
        let username = user.profile.username.as_slice();
        let role = std::slice::from_ref(&membership.role);
        (self.include_user_ids.is_empty() || self.include_user_ids.contains(&user.id))
            && !self.exclude_user_ids.contains(&user.id)
            && any_of(&self.email_addresses, &user.profile.email_addresses)
            && any_of(&self.phone_numbers, &user.profile.phone_numbers)
            && any_of(&self.usernames, username)
            && any_of(&self.web3_wallets, &user.profile.web3_wallets)
            && any_of(&self.roles, role)
            && self.query.as_deref().is_none_or(|q| {
                contains_any(q, &user.profile.email_addresses)
                    || contains_any(q, &user.profile.phone_numbers)
                    || contains_any(q, username)
                    || contains_any(q, &user.profile.web3_wallets)
                    || contains(q, &user.id)
                    || name_matches(q, user)
            })
            && self
                .email_address_query
                .as_deref()
                .is_none_or(|q| contains_any(q, &user.profile.email_addresses))
            && self
                .phone_number_query
                .as_deref()
                .is_none_or(|q| contains_any(q, &user.profile.phone_numbers))
            && self
                .username_query
                .as_deref()
                .is_none_or(|q| contains_any(q, username))
            && self
                .name_query
                .as_deref()
                .is_none_or(|q| name_matches(q, user))
            && before(self.last_active_at_before, user.profile.last_active_at)
            && after(self.last_active_at_after, user.profile.last_active_at)
            && before(self.created_at_before, Some(user.created_at))
            && after(self.created_at_after, Some(user.created_at))
    }

    /// The sort key of a membership for this query's `order_by`.
    pub(super) fn sort_key(&self, membership: &MembershipRecord, user: &UserRecord) -> SortKey {
        let text =
            |value: Option<&String>| SortKey::Text(value.map(|v| (v.to_lowercase(), v.clone())));
        match self.sort {
            SortField::CreatedAt => SortKey::Time(membership.created_at),
            SortField::FirstName => text(user.profile.first_name.as_ref()),
            SortField::LastName => text(user.profile.last_name.as_ref()),
            SortField::EmailAddress => text(user.profile.email_addresses.first()),
            SortField::PhoneNumber => text(user.profile.phone_numbers.first()),
            SortField::Username => text(user.profile.username.as_ref()),
        }
    }
}

/// A value to sort on. Text compares case-insensitively first, then exactly; a missing value
/// sorts after every present one (so first when descending).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum SortKey {
    Time(i64),
    Text(Option<(String, String)>),
}

impl Ord for SortKey {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (SortKey::Time(a), SortKey::Time(b)) => a.cmp(b),
            (SortKey::Text(a), SortKey::Text(b)) => match (a, b) {
                (Some(a), Some(b)) => a.cmp(b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
            (SortKey::Time(_), SortKey::Text(_)) => Ordering::Less,
            (SortKey::Text(_), SortKey::Time(_)) => Ordering::Greater,
        }
    }
}

impl PartialOrd for SortKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A listing's page: `rows` sorted by key, ties broken by their sequence number, the whole
/// order reversed when `descending`; then `offset` rows skipped and `limit` kept. The count is
/// of all rows, every page together.
pub(super) fn page<T>(
    mut rows: Vec<(SortKey, u64, T)>,
    descending: bool,
    offset: usize,
    limit: usize,
) -> (i64, Vec<T>) {
    rows.sort_by(|(key_a, seq_a, _), (key_b, seq_b, _)| {
        let ascending = key_a.cmp(key_b).then(seq_a.cmp(seq_b));
        if descending {
            ascending.reverse()
        } else {
            ascending
        }
    });
    let total_count = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    let page = rows
        .into_iter()
        .skip(offset)
        .take(limit)
        .map(|(_, _, row)| row)
        .collect();
    (total_count, page)
}

fn push(values: &mut Vec<String>, value: String) -> usize {
    values.push(value);
    values.len()
}

/// A `limit` parameter: 1 to [`MAX_LIMIT`].
fn page_limit(raw: &str) -> Result<usize, Failure> {
    integer("limit", Some(raw.to_owned()))?
        .and_then(|n| usize::try_from(n).ok())
        .filter(|n| (1..=MAX_LIMIT as usize).contains(n))
        .ok_or_else(|| Failure::value_invalid("limit", raw))
}

/// An `offset` parameter: not negative; past the end is as good as the end.
fn page_offset(raw: &str) -> Result<usize, Failure> {
    let offset = integer("offset", Some(raw.to_owned()))?.unwrap_or_default();
    match usize::try_from(offset) {
        Ok(offset) => Ok(offset),
        Err(_) if offset > 0 => Ok(usize::MAX),
        Err(_) => Err(Failure::value_invalid("offset", raw)),
    }
}

/// The `limit` and `offset` of a listing, each checked when given: [`DEFAULT_LIMIT`] and 0
/// when not.
pub(super) fn paging(limit: Option<&str>, offset: Option<&str>) -> Result<(usize, usize), Failure> {
    Ok((
        limit.map(page_limit).transpose()?.unwrap_or(DEFAULT_LIMIT),
        offset.map(page_offset).transpose()?.unwrap_or(0),
    ))
}

/// An `order_by` value: the field among `fields` (each name with what it sorts by) and
/// whether it sorts descending (`-field`; `+field` and a bare field sort ascending). A field
/// not among them is `422 form_param_value_invalid`.
pub(super) fn order_by<F: Copy>(raw: &str, fields: &[(&str, F)]) -> Result<(F, bool), Failure> {
    let (field, descending) = match (raw.strip_prefix('-'), raw.strip_prefix('+')) {
        (Some(field), _) => (field, true),
        (_, Some(field)) => (field, false),
        _ => (raw, false),
    };
    fields
        .iter()
        .find(|(name, _)| *name == field)
        .map(|&(_, sort)| (sort, descending))
        .ok_or_else(|| Failure::value_invalid("order_by", raw))
}

/// A plain decimal integer (`10`, `-5`); `10.0`, `1e3`, `` and ` 10` are refused.
pub(super) fn integer(param: &str, raw: Option<String>) -> Result<Option<i64>, Failure> {
    let Some(raw) = raw else { return Ok(None) };
    let digits = raw.strip_prefix('-').unwrap_or(&raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Failure::value_invalid(param, &raw));
    }
    raw.parse()
        .map(Some)
        .map_err(|_| Failure::value_invalid(param, &raw))
}

fn contains(query: &str, value: &str) -> bool {
    value.to_lowercase().contains(query)
}

fn contains_any(query: &str, values: &[String]) -> bool {
    values.iter().any(|value| contains(query, value))
}

/// First name, last name, or both as "first last".
fn name_matches(query: &str, user: &UserRecord) -> bool {
    match (&user.profile.first_name, &user.profile.last_name) {
        (Some(first), Some(last)) => {
            contains(query, first)
                || contains(query, last)
                || contains(query, &format!("{first} {last}"))
        }
        (Some(name), None) | (None, Some(name)) => contains(query, name),
        (None, None) => false,
    }
}

/// Strictly before the bound; a missing time never matches a bound.
fn before(bound: Option<i64>, time: Option<i64>) -> bool {
    bound.is_none_or(|bound| time.is_some_and(|time| time < bound))
}

/// Strictly after the bound; a missing time never matches a bound.
fn after(bound: Option<i64>, time: Option<i64>) -> bool {
    bound.is_none_or(|bound| time.is_some_and(|time| time > bound))
}
