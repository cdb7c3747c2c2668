//! The last-admin rail at write time: before a member loses the admin role (a demotion or a
//! removal), the server is asked whether another member holds it.
//!
//! A plan checks this against the members it read; by the time the change is sent, someone
//! else may have demoted or removed the other admins. So the single-change helpers that can
//! take the admin role from someone ask again, just before they write.

use super::options::DEFAULT_ADMIN_ROLE;
use crate::client::Client;
use crate::error::{BuildError, Error};
use crate::memberships::ListMemberships;

/// How the single-change helpers that can take the admin role from someone
/// ([`change_role_with`](super::change_role_with),
/// [`remove_member_with`](super::remove_member_with)) go about it.
///
/// | option | default |
/// |---|---|
/// | [`admin_role`](ChangeOptionsBuilder::admin_role) | [`DEFAULT_ADMIN_ROLE`] (`org:admin`) |
///
/// ```
/// use clerk_memberships::sync::ChangeOptions;
///
/// let options = ChangeOptions::builder().admin_role("org:owner").build();
/// assert_eq!(options.admin_role(), "org:owner");
/// assert_eq!(ChangeOptions::default().admin_role(), "org:admin");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChangeOptions {
    admin_role: String,
}

impl Default for ChangeOptions {
    fn default() -> Self {
        ChangeOptions {
            admin_role: DEFAULT_ADMIN_ROLE.to_owned(),
        }
    }
}

impl ChangeOptions {
    /// A builder starting from the defaults.
    pub fn builder() -> ChangeOptionsBuilder {
        ChangeOptionsBuilder {
            options: ChangeOptions::default(),
        }
    }

    /// The role the organization must keep at least one member in.
    pub fn admin_role(&self) -> &str {
        &self.admin_role
    }

    /// The admin role to guard when a member is given `role` (none when `role` is the admin
    /// role: nobody loses it), or the error for an empty admin role.
    pub(crate) fn guard_for(&self, role: Option<&str>) -> Result<Option<&str>, Error> {
        if self.admin_role.trim().is_empty() {
            return Err(BuildError::invalid("admin_role", "must not be empty").into());
        }
        Ok((role != Some(self.admin_role.as_str())).then_some(self.admin_role.as_str()))
    }
}

/// Builds [`ChangeOptions`]; every setter has a default, so `build()` cannot fail.
#[derive(Debug, Clone)]
pub struct ChangeOptionsBuilder {
    options: ChangeOptions,
}

impl ChangeOptionsBuilder {
    /// The role the organization never loses its last member of: a demotion or a removal of
    /// the last member holding it is not sent.
    ///
    /// Defaults to [`DEFAULT_ADMIN_ROLE`] (`org:admin`), as
    /// [`SyncOptionsBuilder::admin_role`](super::SyncOptionsBuilder::admin_role) does. An
    /// empty role is refused by the helpers with [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest), before anything
    /// is sent.
    pub fn admin_role(mut self, role: impl Into<String>) -> Self {
        self.options.admin_role = role.into();
        self
    }

    /// The options.
    pub fn build(self) -> ChangeOptions {
        self.options
    }
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
