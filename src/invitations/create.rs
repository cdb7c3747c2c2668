use derive_builder::Builder;
use serde_json::Value;

use super::body::{InvitationBody, email, expires_rule};
use crate::builder::metadata::{MetadataBody, MetadataInput, metadata_setters};
use crate::builder::{
    Unbuilt, id, non_empty, operation_builder, operation_methods, option_setters, role_field,
};
use crate::call::Operation;
use crate::endpoint::{Endpoint, PathWriter};
use crate::error::BuildError;
use crate::models::OrganizationInvitation;

/// Invites an email address to an organization: `POST
/// /organizations/{organization_id}/invitations`. Clerk sends the invitee an email with a join
/// link; on acceptance the membership is created with `role` and the metadata.
///
/// **This sends an email, which cannot be taken back.** The client never repeats the call
/// once it may have reached the server (not even with
/// [`retry_ambiguous_creates`](crate::RetryPolicyBuilder::retry_ambiguous_creates)): after a
/// failure that [may have been sent](crate::TransportError::may_have_been_sent), list the pending
/// invitations for the address ([`ListInvitations`](crate::ListInvitations) with
/// `status("pending")` and `email_address(…)`) before sending it again.
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::CreateInvitation;
/// use serde_json::json;
///
/// let invitation = CreateInvitation::builder()
///     .organization_id("org_1")
///     .email_address("new.hire@acme.com")
///     .role("org:member")
///     .public_metadata(json!({"team": "billing"}))
///     .expires_in_days(14)
///     .build()?
///     .send(&client)?;
/// assert!(invitation.is_pending());
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Builder)]
#[builder(
    name = "CreateInvitationFields",
    private,
    pattern = "owned",
    setter(into),
    derive(Debug, Clone, PartialEq),
    build_fn(error = "Unbuilt", validate = "Self::validate")
)]
pub struct CreateInvitation {
    organization_id: String,
    email_address: String,
    role: String,
    #[builder(setter(into, strip_option), default)]
    inviter_user_id: Option<String>,
    #[builder(
        setter(custom),
        field(ty = "MetadataInput", build = "self.public_metadata.into_value()")
    )]
    public_metadata: Option<Value>,
    #[builder(
        setter(custom),
        field(ty = "MetadataInput", build = "self.private_metadata.into_value()")
    )]
    private_metadata: Option<Value>,
    #[builder(setter(into, strip_option), default)]
    redirect_url: Option<String>,
    #[builder(setter(into = false, strip_option), default)]
    expires_in_days: Option<u32>,
}

operation_builder! {
    /// Builds a [`CreateInvitation`]: start with [`CreateInvitation::builder`], set the
    /// organization, the address and the role, optionally the rest, then
    /// [`build`](Self::build). Setters take the builder by value and return it; each
    /// `set_x` forwards an `Option`.
    ///
    /// ```
    /// use clerk_memberships::{BuildError, CreateInvitation};
    ///
    /// let builder = CreateInvitation::builder()
    ///     .organization_id("org_1")
    ///     .email_address("new.hire@acme.com");
    /// assert_eq!(builder.clone().build(), Err(BuildError::MissingField("role")));
    /// let request = builder.role("org:member").set_redirect_url(None).build()?;
    /// # Ok::<(), BuildError>(())
    /// ```
    pub struct CreateInvitationBuilder(CreateInvitationFields) -> CreateInvitation;

    /// Checks the request and builds it; nothing is sent.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] naming the field at fault:
    ///
    /// - [`InvalidField`](BuildError::InvalidField) for `organization_id` or
    ///   `inviter_user_id` if it is empty, only whitespace, `.` or `..`, or longer than
    ///   256 bytes;
    /// - `InvalidField` for `email_address` if it is empty or only whitespace, holds no `@`,
    ///   holds whitespace (but around it), a control character or a bidirectional mark, or
    ///   is longer than 1024 bytes;
    /// - `InvalidField` for `role` if it is empty or longer than 1024 bytes, and for
    ///   `redirect_url` if it is empty;
    /// - `InvalidField` for `expires_in_days` unless it is 1 to 365;
    /// - `InvalidField` for `public_metadata` or `private_metadata` if the value set is not a
    ///   JSON object or is over the metadata limits (checked when set, reported here);
    /// - [`MissingField`](BuildError::MissingField) for `organization_id`, `email_address`
    ///   or `role` if it was never set.
    ///
    /// The first rule broken, in that order, is the one reported. Whether the role exists
    /// and the address may be invited is the server's to say.
    fn build;

    /// Sets the organization to invite to, by id (at most 256 bytes). Required.
    fn organization_id(text);
    /// Sets the address to invite: it holds an `@`, no whitespace, control character or
    /// bidirectional mark, and is at most 1024 bytes. Required.
    fn email_address(text);
    /// Sets the role the membership gets on acceptance, e.g. `org:member` (at most 1024
    /// bytes). Required.
    fn role(text);
    /// Sets the user who invites (an admin of the organization), by id (at most 256 bytes).
    /// Not sent unless set.
    fn inviter_user_id(text);
    /// Sets where the join link leads after acceptance (a custom acceptance flow). Not sent
    /// unless set.
    fn redirect_url(text);
    /// Sets how many days the invitation stays valid, 1 to 365. The server's default is 30.
    fn expires_in_days(u32);
}

option_setters!(CreateInvitationBuilder {
    set_inviter_user_id => inviter_user_id: text,
    set_redirect_url => redirect_url: text,
    set_expires_in_days => expires_in_days: u32,
});

metadata_setters!(CreateInvitationBuilder);

impl CreateInvitationFields {
    fn validate(&self) -> Result<(), BuildError> {
        id("organization_id", self.organization_id.as_ref())?;
        id(
            "inviter_user_id",
            self.inviter_user_id.as_ref().and_then(Option::as_ref),
        )?;
        email("email_address", self.email_address.as_ref())?;
        role_field(self.role.as_ref())?;
        non_empty(
            "redirect_url",
            self.redirect_url.as_ref().and_then(Option::as_ref),
        )?;
        if let Some(rule) = self.expires_in_days.flatten().and_then(expires_rule) {
            return Err(BuildError::invalid("expires_in_days", rule));
        }
        self.public_metadata.check()?;
        self.private_metadata.check()
    }
}

operation_methods!(
    CreateInvitation,
    CreateInvitationBuilder,
    OrganizationInvitation,
    "the new, pending invitation",
    "(404 `\"resource_not_found\"` for an unknown organization; 400 or 422 for an address already invited or already a member, or a role the organization does not have; …)"
);

impl CreateInvitation {
    /// The invitation as one entry of a [`BulkCreateInvitations`](crate::BulkCreateInvitations)
    /// (its organization is the bulk request's).
    pub(crate) fn body(&self) -> InvitationBody<'_> {
        InvitationBody {
            email_address: &self.email_address,
            role: &self.role,
            inviter_user_id: self.inviter_user_id.as_deref(),
            metadata: MetadataBody::new(&self.public_metadata, &self.private_metadata),
            redirect_url: self.redirect_url.as_deref(),
            expires_in_days: self.expires_in_days,
        }
    }

    /// The organization invited to.
    pub fn organization_id(&self) -> &str {
        &self.organization_id
    }

    /// The address invited.
    pub fn email_address(&self) -> &str {
        &self.email_address
    }

    /// The role the membership gets on acceptance.
    pub fn role(&self) -> &str {
        &self.role
    }
}

impl Endpoint for CreateInvitation {
    type Body<'a> = InvitationBody<'a>;
    type Response = OrganizationInvitation;
    const OPERATION: Operation = Operation::CreateInvitation;

    fn path(&self, path: &mut PathWriter<'_>) {
        path.invitations(&self.organization_id);
    }

    fn body(&self) -> Option<InvitationBody<'_>> {
        Some(CreateInvitation::body(self))
    }
}
