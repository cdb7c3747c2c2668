//! The handlers: check the request's body or query the way Clerk does, apply it to the
//! state, and serialize the answer with the crate's own models.

use serde::Serialize;
use serde_json::Value;

use crate::transport::HttpRequest;

use super::form::{body, object, required};
use super::http::{self, Route};
use super::invitations::{self, InvitationQuery};
use super::list::ListQuery;
use super::response::Failure;
use super::roles::RoleQuery;
use super::state::{NewMembership, State};
use super::users::UserQuery;

/// Serves an authenticated request that matched `route`; the answer's JSON body on success.
pub(super) fn handle(
    state: &mut State,
    request: &HttpRequest,
    route: Route,
    now: i64,
) -> Result<Vec<u8>, Failure> {
    match route {
        Route::List { organization_id } => {
            let query = ListQuery::parse(http::query_pairs(request.path_and_query())?)?;
            json(&query.run(state, &organization_id)?)
        }
        Route::ListUsers => {
            let query = UserQuery::parse(http::query_pairs(request.path_and_query())?)?;
            json(&query.run(state))
        }
        Route::CountUsers => {
            let query = UserQuery::parse_count(http::query_pairs(request.path_and_query())?)?;
            json(&TotalCount {
                object: "total_count",
                total_count: query.count(state),
            })
        }
        Route::GetOrganization { organization_id } => {
            let flags = organization_flags(http::query_pairs(request.path_and_query())?)?;
            json(&state.organization(&organization_id, flags.0, flags.1)?)
        }
        Route::ListInstanceMemberships => {
            let query = ListQuery::parse(http::query_pairs(request.path_and_query())?)?;
            json(&query.run_instance(state))
        }
        Route::ListRoles => {
            let query = RoleQuery::parse(http::query_pairs(request.path_and_query())?)?;
            json(&query.run(state))
        }
        Route::Create { organization_id } => {
            let body = body(
                request,
                &["user_id", "role", "public_metadata", "private_metadata"],
            )?;
            let [user_id, role] = required(&body, ["user_id", "role"])?;
            let new = NewMembership {
                user_id,
                role,
                public_metadata: object(&body, "public_metadata", true)?.unwrap_or_default(),
                private_metadata: object(&body, "private_metadata", true)?.unwrap_or_default(),
            };
            json(&state.create(&organization_id, new, now)?)
        }
        Route::Update {
            organization_id,
            user_id,
        } => {
            let body = body(request, &["role"])?;
            let [role] = required(&body, ["role"])?;
            json(&state.set_role(&organization_id, &user_id, role, now)?)
        }
        Route::Delete {
            organization_id,
            user_id,
        } => json(&state.delete(&organization_id, &user_id)?),
        Route::UpdateMetadata {
            organization_id,
            user_id,
        } => {
            let body = body(request, &["public_metadata", "private_metadata"])?;
            let public = object(&body, "public_metadata", false)?;
            let private = object(&body, "private_metadata", false)?;
            json(&state.merge_metadata(&organization_id, &user_id, public, private, now)?)
        }
        Route::CreateInvitation { organization_id } => {
            let body = Value::Object(body(request, &invitations::KEYS)?);
            let new = invitations::new_invitation(&body)?;
            let created = state.invite(&organization_id, vec![new], now)?;
            json(&created.into_iter().next().unwrap_or_default())
        }
        Route::BulkCreateInvitations { organization_id } => {
            let new = invitations::new_invitations(request.body().unwrap_or_default())?;
            let created = state.invite(&organization_id, new, now)?;
            let total_count = created.len();
            json(&serde_json::json!({ "data": created, "total_count": total_count }))
        }
        Route::ListInvitations { organization_id } => {
            let query = InvitationQuery::parse(http::query_pairs(request.path_and_query())?)?;
            json(&query.run(state, &organization_id, now)?)
        }
        Route::GetInvitation {
            organization_id,
            invitation_id,
        } => json(&state.invitation(&organization_id, &invitation_id, now)?),
        Route::RevokeInvitation {
            organization_id,
            invitation_id,
        } => {
            let body = body(request, &["requesting_user_id"])?;
            let requester = match body.get("requesting_user_id") {
                None | Some(Value::Null) => None,
                Some(Value::String(user)) => Some(user.as_str()),
                Some(_) => return Err(Failure::type_invalid("requesting_user_id", "string")),
            };
            json(&state.revoke_invitation(&organization_id, &invitation_id, requester, now)?)
        }
    }
}

/// `include_members_count` and `include_missing_member_with_elevated_permissions`: `true` or
/// `false` (anything else is `422 form_param_value_invalid`, a flag given twice
/// `422 form_param_duplicate`); other parameters are ignored.
fn organization_flags(pairs: Vec<(String, String)>) -> Result<(bool, bool), Failure> {
    let names = [
        "include_members_count",
        "include_missing_member_with_elevated_permissions",
    ];
    let mut flags: [Option<bool>; 2] = [None, None];
    for (key, value) in pairs {
        let Some(slot) = names
            .iter()
            .position(|name| *name == key)
            .and_then(|i| flags.get_mut(i))
        else {
            continue;
        };
        if slot.is_some() {
            return Err(Failure::param_duplicate(&key));
        }
        *slot = Some(match value.as_str() {
            "true" => true,
            "false" => false,
            _ => return Err(Failure::value_invalid(&key, &value)),
        });
    }
    let [count, elevated] = flags;
    Ok((count.unwrap_or(false), elevated.unwrap_or(false)))
}

/// Clerk's `TotalCount`: what `GET /users/count` answers.
#[derive(Serialize)]
struct TotalCount {
    object: &'static str,
    total_count: usize,
}

fn json(value: &impl Serialize) -> Result<Vec<u8>, Failure> {
    serde_json::to_vec(value).map_err(|_| Failure::internal())
}
