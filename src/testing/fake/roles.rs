//! `GET /organization_roles`: parsing and checking its query, and the filter and sort
//! semantics (documented on [`FakeClerk`](super::FakeClerk)).

use super::list::{DEFAULT_LIMIT, SortKey, page, paging};
use super::response::Failure;
use super::state::{State, role_id, role_model};
use crate::models::{Page, Role};

/// What `order_by` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RoleSort {
    CreatedAt,
    Name,
    Key,
}

/// A parsed, checked `GET /organization_roles` query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RoleQuery {
    /// In lowercase: names and keys match without regard to case, ids exactly.
    query: Option<String>,
    sort: RoleSort,
    pub(super) descending: bool,
    pub(super) limit: usize,
    pub(super) offset: usize,
}

impl RoleQuery {
    /// `GET /organization_roles` on `state`: filter, sort, then page.
    pub(super) fn run(&self, state: &State) -> Page<Role> {
        let rows = state
            .roles()
            .map(|(key, role)| (key, role, role_id(key)))
            .filter(|(key, role, id)| self.matches(id, key, &role.name))
            .map(|(key, role, id)| {
                let sort_key = self.sort_key(key, &role.name, role.created_at);
                (sort_key, role.seq, (key, role, id))
            })
            .collect();
        let (total_count, rows) = page(rows, self.descending, self.offset, self.limit);
        let data = rows
            .into_iter()
            .map(|(key, role, id)| role_model(key, role, id))
            .collect();
        Page { data, total_count }
    }

    /// Reads the decoded query pairs; parameters the operation does not have are ignored.
    ///
    /// # Errors
    ///
    /// 422 for an `order_by` that names no sortable field, `limit` outside 1..=500, a
    /// negative or non-integer `offset`, or one of the four parameters given twice.
    pub(super) fn parse(pairs: Vec<(String, String)>) -> Result<Self, Failure> {
        let mut query = RoleQuery {
            query: None,
            sort: RoleSort::CreatedAt,
            descending: true,
            limit: DEFAULT_LIMIT,
            offset: 0,
        };
        let (mut text, mut order_by, mut limit, mut offset) = (None, None, None, None);
        for (key, value) in pairs {
            let slot = match key.as_str() {
                "query" => &mut text,
                "order_by" => &mut order_by,
                "limit" => &mut limit,
                "offset" => &mut offset,
                _ => continue,
            };
            if slot.is_some() {
                return Err(Failure::param_duplicate(&key));
            }
            *slot = Some(value);
        }
        query.query = text;
        if let Some(raw) = order_by {
            (query.sort, query.descending) = super::list::order_by(
                &raw,
                &[
                    ("created_at", RoleSort::CreatedAt),
                    ("name", RoleSort::Name),
                    ("key", RoleSort::Key),
                ],
            )?;
        }
        (query.limit, query.offset) = paging(limit.as_deref(), offset.as_deref())?;
        Ok(query)
    }

    /// Whether a role matches `query`: its id exactly, or its name or key partly, without
    /// regard to case. Every role matches without a query.
    pub(super) fn matches(&self, id: &str, key: &str, name: &str) -> bool {
        let Some(query) = &self.query else {
            return true;
        };
        let needle = query.to_lowercase();
        id == query || key.to_lowercase().contains(&needle) || name.to_lowercase().contains(&needle)
    }

    /// The sort key of a role for this query's `order_by`.
    pub(super) fn sort_key(&self, key: &str, name: &str, created_at: i64) -> SortKey {
        let text = |value: &str| SortKey::Text(Some((value.to_lowercase(), value.to_owned())));
        match self.sort {
            RoleSort::CreatedAt => SortKey::Time(created_at),
            RoleSort::Name => text(name),
            RoleSort::Key => text(key),
        }
    }
}
