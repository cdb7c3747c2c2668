//! The last-admin rail at write time: before a member loses the admin role (a demotion or a
//! removal), the server is asked whether another member holds it.
//!
//! A plan checks this against the members it read; by the time the change is sent, someone
//! else may have demoted or removed the other admins. So the single-change helpers that can
//! take the admin role from someone ask again, just before they write.

use crate::client::Client;
use crate::error::Error;
use crate::memberships::ListMemberships;

/// The admin role to keep a member in when a member is given `role` (`None` for a removal):
/// none when `role` is the admin role, since nobody loses it.
pub(crate) fn admin_to_guard<'a>(admin_role: &'a str, role: Option<&str>) -> Option<&'a str> {
    (role != Some(admin_role)).then_some(admin_role)
}

/// Whether `user_id` may lose `admin_role` without leaving `organization_id` without a
/// member holding it: one request,
/// `GET /organizations/{organization_id}/memberships?role={admin_role}&limit=2`.
///
/// `true` when the answer lists another member holding the role, or does not list `user_id`
/// holding it (they are not an admin, so they take nothing away). Only memberships whose role
/// is `admin_role` count, so a server that ignored the filter cannot make a member pass for
/// an admin. With two listed, `user_id` is either one of them, and the other remains, or
/// not listed while two others are.
pub(crate) fn may_lose_admin(
    client: &Client,
    organization_id: &str,
    user_id: &str,
    admin_role: &str,
) -> Result<bool, Error> {
    let page = ListMemberships::builder()
        .organization_id(organization_id)
        .role(admin_role)
        .limit(2)
        .build()?
        .send(client)?;
    let admins: Vec<&str> = page
        .data
        .iter()
        .filter(|membership| membership.role == admin_role)
        .filter_map(|membership| membership.user_id())
        .collect();
    let another = admins.iter().any(|admin| *admin != user_id);
    Ok(another || !admins.contains(&user_id))
}
