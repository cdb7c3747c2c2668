//! Reading a rendered request the way a server does: which route the method and path name,
//! the percent-decoded path segments, the form-decoded query pairs and the bearer key.

use crate::call::{Method, Operation};
use crate::transport::HttpRequest;

use super::response::Failure;

/// One of the operations, with its decoded path parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Route {
    Create {
        organization_id: String,
    },
    List {
        organization_id: String,
    },
    Update {
        organization_id: String,
        user_id: String,
    },
    Delete {
        organization_id: String,
        user_id: String,
    },
    UpdateMetadata {
        organization_id: String,
        user_id: String,
    },
    ListUsers,
    CountUsers,
    ListRoles,
    GetOrganization {
        organization_id: String,
    },
    ListInstanceMemberships,
    CreateInvitation {
        organization_id: String,
    },
    BulkCreateInvitations {
        organization_id: String,
    },
    ListInvitations {
        organization_id: String,
    },
    GetInvitation {
        organization_id: String,
        invitation_id: String,
    },
    RevokeInvitation {
        organization_id: String,
        invitation_id: String,
    },
}

impl Route {
    pub(super) fn operation(&self) -> Operation {
        match self {
            Route::Create { .. } => Operation::Create,
            Route::List { .. } => Operation::List,
            Route::Update { .. } => Operation::Update,
            Route::Delete { .. } => Operation::Delete,
            Route::UpdateMetadata { .. } => Operation::UpdateMetadata,
            // The crate never sends it; it is filed with the list it counts, so a fault
            // scoped to `ListUsers` fails both.
            Route::ListUsers | Route::CountUsers => Operation::ListUsers,
            Route::ListRoles => Operation::ListOrganizationRoles,
            Route::GetOrganization { .. } => Operation::GetOrganization,
            Route::ListInstanceMemberships => Operation::ListInstanceMemberships,
            Route::CreateInvitation { .. } => Operation::CreateInvitation,
            Route::BulkCreateInvitations { .. } => Operation::BulkCreateInvitations,
            Route::ListInvitations { .. } => Operation::ListInvitations,
            Route::GetInvitation { .. } => Operation::GetInvitation,
            Route::RevokeInvitation { .. } => Operation::RevokeInvitation,
        }
    }
}

/// Finds the route of a request.
///
/// The API's paths are the *last* one or two (`users`, `users/count`, `organization_roles`,
/// `organization_memberships`, `organizations/{organization_id}`)
/// or three to five segments of the path; what comes before is the base URL's prefix (`/v1`,
/// `/proxy/clerk/v1`, or nothing). When the
/// method allows two shapes (`PATCH …/memberships/{user_id}` and `…/{user_id}/metadata`,
/// `GET …/memberships` and `GET …/users`), the one whose prefix is empty or ends in `v1`
/// wins, then the longer one.
pub(super) fn route(method: Method, path_and_query: &str) -> Result<Route, Failure> {
    let path = path_and_query.split(['?', '#']).next().unwrap_or_default();
    let path = path.strip_prefix('/').unwrap_or(path);
    let segments: Vec<&str> = path.split('/').collect();
    let lengths: &[usize] = match method {
        Method::Get => &[4, 3, 2, 1],
        Method::Post => &[5, 4, 3],
        Method::Patch => &[5, 4],
        Method::Delete => &[4],
    };
    let mut fallback = None;
    for &length in lengths {
        let Some(start) = segments.len().checked_sub(length) else {
            continue;
        };
        let (prefix, tail) = segments.split_at(start);
        if !shape_fits(tail) {
            continue;
        }
        if prefix.last().is_none_or(|last| *last == "v1") {
            return build(method, tail);
        }
        fallback.get_or_insert(tail);
    }
    match fallback {
        Some(tail) => build(method, tail),
        None => Err(Failure::no_route()),
    }
}

/// Finds the route of a request to a server that serves the API at exactly `base` (`/v1`), as
/// Clerk's does: the path is `base` and then one of the operations' paths, with nothing before,
/// between or after (`/api/v1/users`, `/v1/v1/users` and `/v1/users/` are no route).
#[cfg(feature = "fake-server")]
pub(super) fn route_under(
    base: &str,
    method: Method,
    path_and_query: &str,
) -> Result<Route, Failure> {
    let path = path_and_query.split(['?', '#']).next().unwrap_or_default();
    let Some(rest) = path
        .strip_prefix(base)
        .and_then(|rest| rest.strip_prefix('/'))
    else {
        return Err(Failure::no_route());
    };
    let tail: Vec<&str> = rest.split('/').collect();
    if !shape_fits(&tail) {
        return Err(Failure::no_route());
    }
    build(method, &tail)
}

/// Whether `tail` has the shape of an operation's path, whatever the method.
fn shape_fits(tail: &[&str]) -> bool {
    matches!(
        tail,
        ["organizations", _, "memberships"]
            | ["organizations", _, "memberships", _]
            | ["organizations", _, "memberships", _, "metadata"]
            | ["users"]
            | ["users", "count"]
            | ["organization_roles"]
            | ["organizations", _]
            | ["organization_memberships"]
            | ["organizations", _, "invitations"]
            | ["organizations", _, "invitations", _]
            | ["organizations", _, "invitations", _, "revoke"]
    )
}

fn build(method: Method, tail: &[&str]) -> Result<Route, Failure> {
    let segment = |raw: &str| decode(raw, false).ok_or_else(Failure::malformed_parameters);
    match (method, tail) {
        (Method::Get, ["users"]) => Ok(Route::ListUsers),
        (Method::Get, ["users", "count"]) => Ok(Route::CountUsers),
        (Method::Get, ["organization_roles"]) => Ok(Route::ListRoles),
        (Method::Get, ["organization_memberships"]) => Ok(Route::ListInstanceMemberships),
        (Method::Get, ["organizations", org]) => Ok(Route::GetOrganization {
            organization_id: segment(org)?,
        }),
        (Method::Post, [_, org, "invitations"]) => Ok(Route::CreateInvitation {
            organization_id: segment(org)?,
        }),
        (Method::Post, [_, org, "invitations", "bulk"]) => Ok(Route::BulkCreateInvitations {
            organization_id: segment(org)?,
        }),
        (Method::Get, [_, org, "invitations"]) => Ok(Route::ListInvitations {
            organization_id: segment(org)?,
        }),
        (Method::Get, [_, org, "invitations", invitation]) => Ok(Route::GetInvitation {
            organization_id: segment(org)?,
            invitation_id: segment(invitation)?,
        }),
        (Method::Post, [_, org, "invitations", invitation, "revoke"]) => {
            Ok(Route::RevokeInvitation {
                organization_id: segment(org)?,
                invitation_id: segment(invitation)?,
            })
        }
        (Method::Get, [_, org, "memberships"]) => Ok(Route::List {
            organization_id: segment(org)?,
        }),
        (Method::Post, [_, org, "memberships"]) => Ok(Route::Create {
            organization_id: segment(org)?,
        }),
        (Method::Patch, [_, org, "memberships", user]) => Ok(Route::Update {
            organization_id: segment(org)?,
            user_id: segment(user)?,
        }),
        (Method::Delete, [_, org, "memberships", user]) => Ok(Route::Delete {
            organization_id: segment(org)?,
            user_id: segment(user)?,
        }),
        (Method::Patch, [_, org, _, user, _]) => Ok(Route::UpdateMetadata {
            organization_id: segment(org)?,
            user_id: segment(user)?,
        }),
        _ => Err(Failure::no_route()),
    }
}

/// The query's `key=value` pairs in order, form-decoded (`+` is a space, `%2B` a plus).
/// Empty pairs (`a=1&&b=2`) are skipped; a key without `=` has the empty value.
pub(super) fn query_pairs(path_and_query: &str) -> Result<Vec<(String, String)>, Failure> {
    let Some((_, rest)) = path_and_query.split_once('?') else {
        return Ok(Vec::new());
    };
    let query = rest.split('#').next().unwrap_or_default();
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match (decode(key, true), decode(value, true)) {
                (Some(key), Some(value)) => Ok((key, value)),
                _ => Err(Failure::malformed_parameters()),
            }
        })
        .collect()
}

/// Percent-decodes `raw` (and `+` to a space when `plus_is_space`). `None` for a `%` not
/// followed by two hex digits, or bytes that are not UTF-8.
pub(super) fn decode(raw: &str, plus_is_space: bool) -> Option<String> {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut rest = raw.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        rest = tail;
        match byte {
            b'%' => {
                let [high, low, tail @ ..] = rest else {
                    return None;
                };
                bytes.push((hex(*high)? << 4) | hex(*low)?);
                rest = tail;
            }
            b'+' if plus_is_space => bytes.push(b' '),
            _ => bytes.push(byte),
        }
    }
    String::from_utf8(bytes).ok()
}

fn hex(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

/// Checks `Authorization: Bearer sk_…`, and that the key is `required` when one is set.
pub(super) fn check_auth(request: &HttpRequest, required: Option<&str>) -> Result<(), Failure> {
    let Some(value) = request.header("authorization") else {
        return Err(Failure::unauthorized());
    };
    let Some(key) = value.strip_prefix("Bearer ") else {
        return Err(Failure::authorization_header_format());
    };
    let key = key.trim();
    let well_formed = key.strip_prefix("sk_").is_some_and(|rest| !rest.is_empty());
    if !well_formed || required.is_some_and(|required| required != key) {
        return Err(Failure::secret_key_invalid());
    }
    Ok(())
}
