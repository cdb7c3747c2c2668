//! What a call is, in words every layer shares: the [`Operation`], its HTTP [`Method`], and
//! the [`Call`] (operation and path) that errors and requests are said of.

use std::fmt;

/// Which operation a request performs: one of the five membership operations, the five
/// organization-invitation operations, [`ListUsers`](crate::ListUsers),
/// [`ListOrganizationRoles`](crate::ListOrganizationRoles),
/// [`GetOrganization`](crate::GetOrganization) or
/// [`ListInstanceMemberships`](crate::ListInstanceMemberships).
///
/// ```
/// use clerk_memberships::{Method, Operation};
///
/// let op = Operation::UpdateMetadata;
/// assert_eq!(op.method(), Method::Patch);
/// assert_eq!(op.to_string(), "update_metadata");
/// assert!(op.is_idempotent() && !Operation::Create.is_idempotent());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// [`CreateMembership`](crate::CreateMembership): `POST …/memberships`.
    Create,
    /// [`ListMemberships`](crate::ListMemberships): `GET …/memberships`.
    List,
    /// [`UpdateMembership`](crate::UpdateMembership): `PATCH …/memberships/{user_id}`.
    Update,
    /// [`DeleteMembership`](crate::DeleteMembership): `DELETE …/memberships/{user_id}`.
    Delete,
    /// [`UpdateMembershipMetadata`](crate::UpdateMembershipMetadata): `PATCH …/memberships/{user_id}/metadata`.
    UpdateMetadata,
    /// [`ListUsers`](crate::ListUsers): `GET /users`.
    ListUsers,
    /// [`ListOrganizationRoles`](crate::ListOrganizationRoles): `GET /organization_roles`.
    ListOrganizationRoles,
    /// [`GetOrganization`](crate::GetOrganization): `GET /organizations/{organization_id}`.
    GetOrganization,
    /// [`ListInstanceMemberships`](crate::ListInstanceMemberships): `GET /organization_memberships`.
    ListInstanceMemberships,
    /// [`CreateInvitation`](crate::CreateInvitation): `POST …/invitations`. Sends an email.
    CreateInvitation,
    /// [`BulkCreateInvitations`](crate::BulkCreateInvitations): `POST …/invitations/bulk`.
    /// Sends one email per invitation.
    BulkCreateInvitations,
    /// [`ListInvitations`](crate::ListInvitations): `GET …/invitations`.
    ListInvitations,
    /// [`GetInvitation`](crate::GetInvitation): `GET …/invitations/{invitation_id}`.
    GetInvitation,
    /// [`RevokeInvitation`](crate::RevokeInvitation):
    /// `POST …/invitations/{invitation_id}/revoke`.
    RevokeInvitation,
}

impl Operation {
    /// The HTTP method the operation uses.
    pub fn method(self) -> Method {
        match self {
            Operation::Create
            | Operation::CreateInvitation
            | Operation::BulkCreateInvitations
            | Operation::RevokeInvitation => Method::Post,
            Operation::List
            | Operation::ListUsers
            | Operation::ListOrganizationRoles
            | Operation::ListInvitations
            | Operation::GetInvitation
            | Operation::GetOrganization
            | Operation::ListInstanceMemberships => Method::Get,
            Operation::Update | Operation::UpdateMetadata => Method::Patch,
            Operation::Delete => Method::Delete,
        }
    }

    /// A short lowercase name, e.g. `"update_metadata"`.
    pub fn name(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::List => "list",
            Operation::Update => "update",
            Operation::Delete => "delete",
            Operation::UpdateMetadata => "update_metadata",
            Operation::ListUsers => "list_users",
            Operation::ListOrganizationRoles => "list_organization_roles",
            Operation::GetOrganization => "get_organization",
            Operation::ListInstanceMemberships => "list_instance_memberships",
            Operation::CreateInvitation => "create_invitation",
            Operation::BulkCreateInvitations => "bulk_create_invitations",
            Operation::ListInvitations => "list_invitations",
            Operation::GetInvitation => "get_invitation",
            Operation::RevokeInvitation => "revoke_invitation",
        }
    }

    /// Whether doing the operation twice has the same effect as doing it once, so that it may be
    /// repeated after a failure that may have reached the server. The creates are not:
    /// `create` (a second attempt may answer "already a member" or add a member someone
    /// removed meanwhile) and the two invitation creates (each attempt sends an email).
    /// Revoking an invitation twice revokes it once, so it is.
    pub fn is_idempotent(self) -> bool {
        !matches!(
            self,
            Operation::Create | Operation::CreateInvitation | Operation::BulkCreateInvitations
        )
    }

    /// Whether the operation sends an email that cannot be taken back: the invitation
    /// creates. These are never repeated after a failure that may have reached the server,
    /// whatever the retry policy says.
    ///
    /// ```
    /// use clerk_memberships::Operation;
    ///
    /// assert!(Operation::CreateInvitation.sends_email());
    /// assert!(!Operation::Create.sends_email());
    /// ```
    pub fn sends_email(self) -> bool {
        matches!(
            self,
            Operation::CreateInvitation | Operation::BulkCreateInvitations
        )
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An HTTP method used by the memberships API.
///
/// ```
/// use clerk_memberships::{Method, Operation};
///
/// assert_eq!(Operation::UpdateMetadata.method(), Method::Patch);
/// assert_eq!(Method::Patch.to_string(), "PATCH");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name, e.g. `"PATCH"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which call an error came from: the operation, its method and its path below the base URL,
/// without the query string. Its `Display` begins every such error's message, e.g.
/// `update membership (PATCH /organizations/org_1/memberships/user_1)`.
///
/// See [`Error::call`](crate::Error::call).
///
/// ```
/// use clerk_memberships::{DeleteMembership, Method};
/// use clerk_memberships::testing::MockTransport;
///
/// let mock = MockTransport::new();
/// mock.push_json(404, r#"{"errors":[{"code":"resource_not_found"}]}"#);
/// let err = DeleteMembership::builder()
///     .organization_id("org_1")
///     .user_id("user_1")
///     .build()?
///     .send(&mock.client())
///     .unwrap_err();
/// let call = err.call().unwrap();
/// assert_eq!(call.method(), Method::Delete);
/// assert_eq!(call.to_string(), "delete membership (DELETE /organizations/org_1/memberships/user_1)");
/// # Ok::<(), clerk_memberships::BuildError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    operation: Operation,
    path: String,
}

impl Call {
    pub(crate) fn new(operation: Operation, path: String) -> Self {
        Call { operation, path }
    }

    /// The operation.
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// The HTTP method.
    pub fn method(&self) -> Method {
        self.operation.method()
    }

    /// The path below the base URL, ids percent-encoded, e.g.
    /// `/organizations/org_1/memberships/user_1`.
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.operation {
            Operation::Create => "create membership",
            Operation::List => "list memberships",
            Operation::Update => "update membership",
            Operation::Delete => "delete membership",
            Operation::UpdateMetadata => "update membership metadata",
            Operation::ListUsers => "list users",
            Operation::ListOrganizationRoles => "list organization roles",
            Operation::GetOrganization => "get organization",
            Operation::ListInstanceMemberships => "list instance memberships",
            Operation::CreateInvitation => "create invitation",
            Operation::BulkCreateInvitations => "bulk create invitations",
            Operation::ListInvitations => "list invitations",
            Operation::GetInvitation => "get invitation",
            Operation::RevokeInvitation => "revoke invitation",
        };
        write!(f, "{what} ({} {})", self.method(), self.path)
    }
}
