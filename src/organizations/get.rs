use derive_builder::Builder;

use crate::builder::{Unbuilt, id, operation_builder, operation_methods};
use crate::call::Operation;
use crate::endpoint::{Endpoint, PathWriter, QueryWriter};
use crate::error::BuildError;
use crate::models::Organization;

/// Reads one organization, named by its id or its slug: `GET
/// /organizations/{organization_id}`. The answer always carries the canonical id
/// ([`Organization::id`]), whichever was given, so it also turns a slug into an id.
///
/// `include_members_count` asks for [`Organization::members_count`], which the server leaves
/// out otherwise.
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::GetOrganization;
///
/// let organization = GetOrganization::builder()
///     .organization_id("acme-corp")
///     .include_members_count(true)
///     .build()?
///     .send(&client)?;
/// println!("{} ({}): {:?} members", organization.name, organization.id, organization.members_count);
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Builder)]
#[builder(
    name = "GetOrganizationFields",
    private,
    pattern = "owned",
    setter(into),
    derive(Debug, Clone, PartialEq),
    build_fn(error = "Unbuilt", validate = "Self::validate")
)]
pub struct GetOrganization {
    pub(crate) organization_id: String,
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) include_members_count: Option<bool>,
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) include_missing_member_with_elevated_permissions: Option<bool>,
}

operation_builder! {
    /// Builds a [`GetOrganization`]: start with [`GetOrganization::builder`], set the
    /// organization, then [`build`](Self::build). Setters take the builder by value and
    /// return it.
    ///
    /// ```
    /// use clerk_memberships::{BuildError, GetOrganization};
    ///
    /// assert_eq!(
    ///     GetOrganization::builder().build(),
    ///     Err(BuildError::MissingField("organization_id"))
    /// );
    /// let request = GetOrganization::builder().organization_id("org_1").build()?;
    /// # Ok::<(), BuildError>(())
    /// ```
    pub struct GetOrganizationBuilder(GetOrganizationFields) -> GetOrganization;

    /// Checks the request and builds it; nothing is sent.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] naming the field at fault:
    ///
    /// - [`InvalidField`](BuildError::InvalidField) for `organization_id` if it is empty,
    ///   only whitespace, `.` or `..`, or longer than 256 bytes;
    /// - [`MissingField`](BuildError::MissingField) for `organization_id` if it was never
    ///   set.
    ///
    /// The length of the whole URL depends on the client's base URL, so
    /// [`send`](GetOrganization::send) checks it.
    fn build;

    /// Sets the organization, by id (`org_…`) or by slug; at most 256 bytes. Required.
    fn organization_id(text);
    /// Asks for the organization's `members_count`. The server's default is not to.
    fn include_members_count(bool);
    /// Asks for `missing_member_with_elevated_permissions`. The server's default is not to.
    fn include_missing_member_with_elevated_permissions(bool);
}

impl GetOrganizationFields {
    fn validate(&self) -> Result<(), BuildError> {
        id("organization_id", self.organization_id.as_ref())
    }
}

operation_methods!(
    GetOrganization,
    GetOrganizationBuilder,
    Organization,
    "the organization",
    "(404 `\"resource_not_found\"` when no organization has this id or slug, …)"
);

impl Endpoint for GetOrganization {
    type Body<'a> = ();
    type Response = Organization;
    const OPERATION: Operation = Operation::GetOrganization;

    fn path(&self, path: &mut PathWriter<'_>) {
        path.literal("organizations").segment(&self.organization_id);
    }

    fn query(&self, query: &mut QueryWriter<'_>) {
        let flag = |value: Option<bool>| value.map(|v| if v { "true" } else { "false" });
        query
            .opt_str("include_members_count", flag(self.include_members_count))
            .opt_str(
                "include_missing_member_with_elevated_permissions",
                flag(self.include_missing_member_with_elevated_permissions),
            );
    }
}
