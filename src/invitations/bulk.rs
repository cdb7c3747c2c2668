use std::collections::HashSet;

use derive_builder::Builder;
use serde_json::Value;

use super::body::{InvitationBody, email_rule, expires_rule};
use crate::builder::metadata::{MetadataBody, MetadataInput};
use crate::builder::{Unbuilt, id, id_rule, operation_builder, operation_methods, role_rule};
use crate::call::Operation;
use crate::email::normalized_email;
use crate::endpoint::{Endpoint, PathWriter};
use crate::error::BuildError;
use crate::models::{OrganizationInvitation, Page};

/// Most invitations one [`BulkCreateInvitations`] may hold (the API's maximum).
pub(crate) const MAX_BULK_INVITATIONS: usize = 10;

/// One invitation of a [`BulkCreateInvitations`]: an address and a role, and optionally what
/// [`CreateInvitation`](crate::CreateInvitation) takes besides. Checked when the bulk
/// request is built.
///
/// ```
/// use clerk_memberships::NewInvitation;
/// use serde_json::json;
///
/// let invitation = NewInvitation::new("new.hire@acme.com", "org:member")
///     .public_metadata(json!({"team": "billing"}))
///     .expires_in_days(7);
/// assert_eq!(invitation.email_address(), "new.hire@acme.com");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NewInvitation {
    email_address: String,
    role: String,
    inviter_user_id: Option<String>,
    public_metadata: MetadataInput,
    private_metadata: MetadataInput,
    redirect_url: Option<String>,
    expires_in_days: Option<u32>,
}

impl NewInvitation {
    /// An invitation of `email_address` (with an `@`, no whitespace, control character or
    /// bidirectional mark, at most 1024 bytes) with `role` (not
    /// empty, at most 1024 bytes); nothing else set.
    pub fn new(email_address: impl Into<String>, role: impl Into<String>) -> Self {
        NewInvitation {
            email_address: email_address.into(),
            role: role.into(),
            inviter_user_id: None,
            public_metadata: MetadataInput::Unset,
            private_metadata: MetadataInput::Unset,
            redirect_url: None,
            expires_in_days: None,
        }
    }

    /// The address invited.
    pub fn email_address(&self) -> &str {
        &self.email_address
    }

    /// The role the membership gets on acceptance.
    pub fn role(&self) -> &str {
        &self.role
    }

    /// Sets the user who invites (an admin of the organization), by id (at most 256 bytes).
    pub fn inviter_user_id(mut self, user_id: impl Into<String>) -> Self {
        self.inviter_user_id = Some(user_id.into());
        self
    }

    /// Sets where the join link leads after acceptance (not empty).
    pub fn redirect_url(mut self, url: impl Into<String>) -> Self {
        self.redirect_url = Some(url.into());
        self
    }

    /// Sets how many days the invitation stays valid, 1 to 365.
    pub fn expires_in_days(mut self, days: u32) -> Self {
        self.expires_in_days = Some(days);
        self
    }

    /// Sets the public metadata the membership gets: a JSON object nested at most 64 levels
    /// deep and at most 65536 bytes as compact JSON, checked here and reported by the bulk
    /// request's `build()`.
    pub fn public_metadata(mut self, value: impl Into<Value>) -> Self {
        self.public_metadata = MetadataInput::new("public_metadata", Some(value.into()));
        self
    }

    /// Sets the private metadata the membership gets, checked as
    /// [`public_metadata`](Self::public_metadata) is.
    pub fn private_metadata(mut self, value: impl Into<Value>) -> Self {
        self.private_metadata = MetadataInput::new("private_metadata", Some(value.into()));
        self
    }

    /// The rule this entry breaks, if any, naming its field.
    fn rule(&self) -> Option<String> {
        let named = |field: &str, rule: String| Some(format!("`{field}` {rule}"));
        if let Some(rule) = email_rule(&self.email_address) {
            return named("email_address", rule);
        }
        if let Some(rule) = role_rule(&self.role) {
            return named("role", rule);
        }
        if let Some(rule) = self.inviter_user_id.as_deref().and_then(id_rule) {
            return named("inviter_user_id", rule);
        }
        if self.redirect_url.as_deref() == Some("") {
            return named("redirect_url", "must not be empty".to_owned());
        }
        if let Some(rule) = self.expires_in_days.and_then(expires_rule) {
            return named("expires_in_days", rule);
        }
        for metadata in [&self.public_metadata, &self.private_metadata] {
            if let Err(err) = metadata.check() {
                return Some(err.to_string());
            }
        }
        None
    }

    /// This invitation as a [`CreateInvitation`] of its own, to `organization_id`.
    pub(crate) fn to_create(
        &self,
        organization_id: &str,
    ) -> Result<super::create::CreateInvitation, BuildError> {
        let value = |input: &MetadataInput| input.value().cloned();
        super::create::CreateInvitation::builder()
            .organization_id(organization_id)
            .email_address(&self.email_address)
            .role(&self.role)
            .set_inviter_user_id(self.inviter_user_id.as_deref())
            .set_redirect_url(self.redirect_url.as_deref())
            .set_expires_in_days(self.expires_in_days)
            .set_public_metadata(value(&self.public_metadata))
            .set_private_metadata(value(&self.private_metadata))
            .build()
    }

    fn body(&self) -> InvitationBody<'_> {
        InvitationBody {
            email_address: &self.email_address,
            role: &self.role,
            inviter_user_id: self.inviter_user_id.as_deref(),
            metadata: MetadataBody {
                public_metadata: self.public_metadata.value(),
                private_metadata: self.private_metadata.value(),
            },
            redirect_url: self.redirect_url.as_deref(),
            expires_in_days: self.expires_in_days,
        }
    }
}

/// Invites up to 10 addresses in one call: `POST
/// /organizations/{organization_id}/invitations/bulk`. Clerk sends one email per invitation
/// and answers with the invitations it created.
///
/// **This sends emails, which cannot be taken back.** The client never repeats the call once
/// it may have reached the server: after such a failure, list each address's pending
/// invitations before inviting it again.
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::{BulkCreateInvitations, NewInvitation};
///
/// let created = BulkCreateInvitations::builder()
///     .organization_id("org_1")
///     .invitation(NewInvitation::new("ann@acme.com", "org:member"))
///     .invitation(NewInvitation::new("bob@acme.com", "org:admin"))
///     .build()?
///     .send(&client)?;
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Builder)]
#[builder(
    name = "BulkCreateInvitationsFields",
    private,
    pattern = "owned",
    setter(into),
    derive(Debug, Clone, PartialEq),
    build_fn(error = "Unbuilt", validate = "Self::validate")
)]
pub struct BulkCreateInvitations {
    organization_id: String,
    #[builder(setter(custom), default)]
    invitations: Vec<NewInvitation>,
}

operation_builder! {
    /// Builds a [`BulkCreateInvitations`]: start with [`BulkCreateInvitations::builder`], set
    /// the organization, add each [`NewInvitation`], then [`build`](Self::build).
    ///
    /// ```
    /// use clerk_memberships::{BulkCreateInvitations, NewInvitation};
    ///
    /// let hires = [("ann@acme.com", "org:member"), ("bob@acme.com", "org:member")];
    /// let request = BulkCreateInvitations::builder()
    ///     .organization_id("org_1")
    ///     .invitations(hires.map(|(email, role)| NewInvitation::new(email, role)))
    ///     .build()?;
    /// assert_eq!(request.invitations().len(), 2);
    /// # Ok::<(), clerk_memberships::BuildError>(())
    /// ```
    pub struct BulkCreateInvitationsBuilder(BulkCreateInvitationsFields) -> BulkCreateInvitations;

    /// Checks the request and builds it; nothing is sent.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] naming the field at fault:
    ///
    /// - [`InvalidField`](BuildError::InvalidField) for `organization_id` as for every
    ///   operation;
    /// - `InvalidField` for `invitations` if there are none or more than 10, if two invite the
    ///   same address (compared ignoring ASCII case: that would be two emails to one person),
    ///   or if one breaks a rule of
    ///   [`CreateInvitationBuilder::build`](crate::CreateInvitationBuilder::build) (the
    ///   message names the invitation by its position and the field);
    /// - [`MissingField`](BuildError::MissingField) for `organization_id` if it was never
    ///   set.
    fn build;

    /// Sets the organization to invite to, by id (at most 256 bytes). Required.
    fn organization_id(text);
}

impl BulkCreateInvitationsBuilder {
    /// Adds one invitation (1 to 10 in all).
    pub fn invitation(mut self, invitation: NewInvitation) -> Self {
        self.0
            .invitations
            .get_or_insert_with(Vec::new)
            .push(invitation);
        self
    }

    /// Replaces the invitations added so far with these: 1 to 10.
    pub fn invitations(mut self, invitations: impl IntoIterator<Item = NewInvitation>) -> Self {
        self.0.invitations = Some(invitations.into_iter().collect());
        self
    }
}

impl BulkCreateInvitationsFields {
    fn validate(&self) -> Result<(), BuildError> {
        id("organization_id", self.organization_id.as_ref())?;
        let invitations = self.invitations.as_deref().unwrap_or_default();
        if invitations.is_empty() || invitations.len() > MAX_BULK_INVITATIONS {
            return Err(BuildError::invalid(
                "invitations",
                format!(
                    "must hold 1 to {MAX_BULK_INVITATIONS} invitations, got {}",
                    invitations.len()
                ),
            ));
        }
        let mut seen = HashSet::new();
        for (n, invitation) in invitations.iter().enumerate() {
            if let Some(rule) = invitation.rule() {
                return Err(BuildError::invalid(
                    "invitations",
                    format!("invitation {}: {rule}", n + 1),
                ));
            }
            if !seen.insert(normalized_email(&invitation.email_address)) {
                return Err(BuildError::invalid(
                    "invitations",
                    format!(
                        "invitation {}: {:?} is invited twice in one request",
                        n + 1,
                        invitation.email_address
                    ),
                ));
            }
        }
        Ok(())
    }
}

operation_methods!(
    BulkCreateInvitations,
    BulkCreateInvitationsBuilder,
    Page<OrganizationInvitation>,
    "the invitations created",
    "(404 for an unknown organization; 400 or 422 when an invitation is refused, in which case none is created; …)"
);

impl BulkCreateInvitations {
    /// The organization invited to.
    pub fn organization_id(&self) -> &str {
        &self.organization_id
    }

    /// The invitations, in the order they are sent.
    pub fn invitations(&self) -> &[NewInvitation] {
        &self.invitations
    }
}

impl Endpoint for BulkCreateInvitations {
    type Body<'a> = Vec<InvitationBody<'a>>;
    type Response = Page<OrganizationInvitation>;
    const OPERATION: Operation = Operation::BulkCreateInvitations;

    fn path(&self, path: &mut PathWriter<'_>) {
        path.invitations(&self.organization_id).literal("bulk");
    }

    fn body(&self) -> Option<Vec<InvitationBody<'_>>> {
        Some(self.invitations.iter().map(NewInvitation::body).collect())
    }
}
