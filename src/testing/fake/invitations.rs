//! The invitation routes: reading a create body (one invitation or an array of them) and the
//! `GET …/invitations` query, with the semantics documented on
//! [`FakeClerk`](super::FakeClerk).

use serde_json::Value;

use super::form::{known, object, required};
use super::list::{SortKey, page, paging};
use super::response::Failure;
use super::state::State;
use super::state::invitations::NewInvitation;
use crate::email::normalized_email;

/// The keys an invitation of a create body may have.
pub(super) const KEYS: [&str; 8] = [
    "email_address",
    "inviter_user_id",
    "role",
    "public_metadata",
    "private_metadata",
    "redirect_url",
    "expires_in_days",
    "notify",
];

/// Most invitations one bulk request may hold, as the spec says.
const MAX_BULK: usize = 10;

/// One invitation of a create body, checked as Clerk's form parser does: unknown keys are
/// `422 form_param_unknown`, a missing `email_address` or `role` is
/// `422 form_param_missing`, a value of the wrong type `422 form_param_type_invalid`.
pub(super) fn new_invitation(body: &Value) -> Result<NewInvitation, Failure> {
    let Value::Object(body) = body else {
        return Err(Failure::body_invalid());
    };
    known(body, &KEYS)?;
    let [email_address, role] = required(body, ["email_address", "role"])?;
    let text = |name: &str| -> Result<Option<String>, Failure> {
        match body.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(value)) => Ok(Some(value.clone())),
            Some(_) => Err(Failure::type_invalid(name, "string")),
        }
    };
    let expires_in_days = match body.get("expires_in_days") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_i64() {
            Some(days) => Some(days),
            None => return Err(Failure::type_invalid("expires_in_days", "integer")),
        },
        Some(_) => return Err(Failure::type_invalid("expires_in_days", "integer")),
    };
    if !matches!(
        body.get("notify"),
        None | Some(Value::Null | Value::Bool(_))
    ) {
        return Err(Failure::type_invalid("notify", "boolean"));
    }
    Ok(NewInvitation {
        email_address,
        role,
        inviter_user_id: text("inviter_user_id")?,
        public_metadata: object(body, "public_metadata", true)?.unwrap_or_default(),
        private_metadata: object(body, "private_metadata", true)?.unwrap_or_default(),
        redirect_url: text("redirect_url")?,
        expires_in_days,
    })
}

/// A bulk create body: a JSON array of 1 to 10 invitations.
pub(super) fn new_invitations(bytes: &[u8]) -> Result<Vec<NewInvitation>, Failure> {
    let Ok(Value::Array(items)) = serde_json::from_slice::<Value>(bytes) else {
        return Err(Failure::body_invalid());
    };
    if items.is_empty() || items.len() > MAX_BULK {
        return Err(Failure::body_invalid());
    }
    items.iter().map(new_invitation).collect()
}

/// What `order_by` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InvitationSort {
    CreatedAt,
    EmailAddress,
}

/// A parsed, checked `GET …/invitations` query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct InvitationQuery {
    status: Option<String>,
    email_address: Option<String>,
    sort: InvitationSort,
    descending: bool,
    limit: usize,
    offset: usize,
}

impl InvitationQuery {
    /// Reads the decoded query pairs; parameters the operation does not have are ignored.
    ///
    /// # Errors
    ///
    /// 422 for a `status` other than `pending`, `accepted`, `revoked` or `expired`, an
    /// `order_by` other than `created_at` or `email_address`, a bad `limit` or `offset`, or
    /// one parameter given twice.
    pub(super) fn parse(pairs: Vec<(String, String)>) -> Result<Self, Failure> {
        let mut slots: [Option<String>; 5] = Default::default();
        for (key, value) in pairs {
            let index = match key.as_str() {
                "status" => 0,
                "email_address" => 1,
                "order_by" => 2,
                "limit" => 3,
                "offset" => 4,
                _ => continue,
            };
            let Some(slot) = slots.get_mut(index) else {
                continue;
            };
            if slot.is_some() {
                return Err(Failure::param_duplicate(&key));
            }
            *slot = Some(value);
        }
        let [status, email_address, order_by, limit, offset] = slots;
        if let Some(status) = &status
            && !["pending", "accepted", "revoked", "expired"].contains(&status.as_str())
        {
            return Err(Failure::value_invalid("status", status));
        }
        let (sort, descending) = match order_by {
            None => (InvitationSort::CreatedAt, true),
            Some(raw) => super::list::order_by(
                &raw,
                &[
                    ("created_at", InvitationSort::CreatedAt),
                    ("email_address", InvitationSort::EmailAddress),
                ],
            )?,
        };
        let (limit, offset) = paging(limit.as_deref(), offset.as_deref())?;
        Ok(InvitationQuery {
            status,
            email_address,
            sort,
            descending,
            limit,
            offset,
        })
    }

    /// `GET …/invitations` on `state` at `now`: filter, sort, then page; the answer's JSON.
    pub(super) fn run(
        &self,
        state: &State,
        organization_id: &str,
        now: i64,
    ) -> Result<Value, Failure> {
        let address = self.email_address.as_deref().map(normalized_email);
        let rows = state
            .invitations_of(organization_id)?
            .into_iter()
            .enumerate()
            .filter(|(_, i)| self.status.as_deref().is_none_or(|s| i.status(now) == s))
            .filter(|(_, i)| {
                address
                    .as_deref()
                    .is_none_or(|a| normalized_email(&i.email_address) == a)
            })
            .map(|(n, i)| {
                let key = match self.sort {
                    InvitationSort::CreatedAt => SortKey::Time(i.created_at),
                    InvitationSort::EmailAddress => SortKey::Text(Some((
                        i.email_address.to_lowercase(),
                        i.email_address.clone(),
                    ))),
                };
                (key, n as u64, i)
            })
            .collect();
        let (total_count, rows) = page(rows, self.descending, self.offset, self.limit);
        let data: Vec<Value> = rows
            .into_iter()
            .map(|record| state.invitation_json(record, now))
            .collect();
        Ok(serde_json::json!({ "data": data, "total_count": total_count }))
    }
}
