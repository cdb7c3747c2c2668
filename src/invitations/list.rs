use derive_builder::Builder;

use crate::builder::{
    Unbuilt, filter_value, id, operation_builder, operation_methods, option_setters, page_window,
};
use crate::call::Operation;
use crate::endpoint::{Endpoint, PathWriter, QueryWriter};
use crate::error::BuildError;
use crate::models::{OrganizationInvitation, Page};

/// Lists an organization's invitations: `GET /organizations/{organization_id}/invitations`,
/// newest first unless `order_by` says otherwise.
///
/// Invitations Clerk created for an organization domain are not listed. Only
/// `organization_id` is required; no other parameter is sent unless set. The answer is a page
/// ([`Page`]) of [`OrganizationInvitation`]s with `total_count`; [`pages`](Self::pages) and
/// [`items`](Self::items) walk them all.
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::ListInvitations;
///
/// // Is new.hire@acme.com already invited?
/// let pending = ListInvitations::builder()
///     .organization_id("org_1")
///     .status("pending")
///     .email_address("new.hire@acme.com")
///     .build()?
///     .send(&client)?;
/// println!("{} pending invitation(s)", pending.total_count);
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Builder)]
#[builder(
    name = "ListInvitationsFields",
    private,
    pattern = "owned",
    setter(into),
    derive(Debug, Clone, PartialEq),
    build_fn(error = "Unbuilt", validate = "Self::validate")
)]
pub struct ListInvitations {
    pub(crate) organization_id: String,
    #[builder(setter(into, strip_option), default)]
    pub(crate) status: Option<String>,
    #[builder(setter(into, strip_option), default)]
    pub(crate) email_address: Option<String>,
    #[builder(setter(into, strip_option), default)]
    pub(crate) order_by: Option<String>,
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) limit: Option<u32>,
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) offset: Option<u64>,
}

operation_builder! {
    /// Builds a [`ListInvitations`]: set the organization and any filters, then
    /// [`build`](Self::build). Each `set_x` forwards an `Option`.
    ///
    /// ```
    /// use clerk_memberships::ListInvitations;
    ///
    /// let status: Option<&str> = Some("pending");
    /// let request = ListInvitations::builder()
    ///     .organization_id("org_1")
    ///     .set_status(status)
    ///     .set_limit(None)
    ///     .build()?;
    /// # Ok::<(), clerk_memberships::BuildError>(())
    /// ```
    pub struct ListInvitationsBuilder(ListInvitationsFields) -> ListInvitations;

    /// Checks the request and builds it; nothing is sent.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] naming the field at fault:
    ///
    /// - [`InvalidField`](BuildError::InvalidField) for `organization_id` if it is empty,
    ///   only whitespace, `.` or `..`, or longer than 256 bytes;
    /// - `InvalidField` for `limit` unless it is 1 to 500, or for `offset` over `i64::MAX`;
    /// - `InvalidField` for `status`, `email_address` or `order_by` if it is longer than 1024
    ///   bytes;
    /// - [`MissingField`](BuildError::MissingField) for `organization_id` if it was never set.
    ///
    /// `status` is not checked against the four Clerk documents (`pending`, `accepted`,
    /// `revoked`, `expired`), since Clerk may add more: the server refuses one it does not
    /// know.
    fn build;

    /// Sets the organization, by id (at most 256 bytes). Required.
    fn organization_id(text);
    /// Keeps the invitations with this status: `pending`, `accepted`, `revoked` or
    /// `expired` (at most 1024 bytes).
    fn status(text);
    /// Keeps the invitations of this address (at most 1024 bytes).
    fn email_address(text);
    /// Sets the sort order: `created_at` or `email_address`, prefixed with `+` (ascending,
    /// also meant without a prefix) or `-` (descending); at most 1024 bytes. The server's
    /// default is `-created_at`.
    fn order_by(text);
    fn paging("invitations");
}

option_setters!(ListInvitationsBuilder {
    set_status => status: text,
    set_email_address => email_address: text,
    set_order_by => order_by: text,
});

impl ListInvitationsFields {
    fn validate(&self) -> Result<(), BuildError> {
        id("organization_id", self.organization_id.as_ref())?;
        page_window(self.limit, self.offset)?;
        for (field, value) in [
            ("status", &self.status),
            ("email_address", &self.email_address),
            ("order_by", &self.order_by),
        ] {
            filter_value(field, value.as_ref().and_then(Option::as_deref))?;
        }
        Ok(())
    }
}

operation_methods!(
    ListInvitations,
    ListInvitationsBuilder,
    Page<OrganizationInvitation>,
    "one page of invitations with the total count",
    "(404 for an unknown organization, 422 for an invalid parameter, …)"
);

impl Endpoint for ListInvitations {
    type Body<'a> = ();
    type Response = Page<OrganizationInvitation>;
    const OPERATION: Operation = Operation::ListInvitations;

    fn path(&self, path: &mut PathWriter<'_>) {
        path.invitations(&self.organization_id);
    }

    fn query(&self, query: &mut QueryWriter<'_>) {
        query
            .opt_str("status", self.status.as_deref())
            .opt_str("email_address", self.email_address.as_deref())
            .opt_str("order_by", self.order_by.as_deref())
            .page(self.limit, self.offset);
    }
}
