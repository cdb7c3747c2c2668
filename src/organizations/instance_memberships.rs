use derive_builder::Builder;

use crate::builder::{
    Unbuilt, filter_value, operation_builder, operation_methods, option_setters, page_window,
};
use crate::call::Operation;
use crate::endpoint::{Endpoint, PathWriter, QueryWriter};
use crate::error::BuildError;
use crate::models::{OrganizationMembership, Page};

/// Lists the memberships of every organization of the instance: `GET
/// /organization_memberships`. Each membership embeds its [`organization`](crate::Organization)
/// and its member's `public_user_data`; `total_count` counts the instance's memberships.
///
/// One listing of the whole instance, where [`ListMemberships`](crate::ListMemberships)
/// lists one organization: for many small organizations, a few pages of this can replace one
/// request per organization. It takes no filter; page with `limit` and `offset`.
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::ListInstanceMemberships;
///
/// let page = ListInstanceMemberships::builder()
///     .order_by("+created_at")
///     .limit(500)
///     .build()?
///     .send(&client)?;
/// for membership in &page.data {
///     println!("{} in {}", membership.role, membership.organization.id);
/// }
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Builder)]
#[builder(
    name = "ListInstanceMembershipsFields",
    private,
    pattern = "owned",
    setter(into),
    derive(Debug, Clone, PartialEq),
    build_fn(error = "Unbuilt", validate = "Self::validate")
)]
pub struct ListInstanceMemberships {
    #[builder(setter(into, strip_option), default)]
    pub(crate) order_by: Option<String>,
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) limit: Option<u32>,
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) offset: Option<u64>,
}

operation_builder! {
    /// Builds a [`ListInstanceMemberships`]: start with [`ListInstanceMemberships::builder`],
    /// set any parameters, then [`build`](Self::build). Each `set_x` forwards an `Option`.
    ///
    /// ```
    /// use clerk_memberships::ListInstanceMemberships;
    ///
    /// let request = ListInstanceMemberships::builder().set_offset(Some(500)).limit(500).build()?;
    /// # Ok::<(), clerk_memberships::BuildError>(())
    /// ```
    pub struct ListInstanceMembershipsBuilder(ListInstanceMembershipsFields) -> ListInstanceMemberships;

    /// Checks the request and builds it; nothing is sent.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] naming the field at fault:
    ///
    /// - [`InvalidField`](BuildError::InvalidField) for `limit` unless it is 1 to 500;
    /// - `InvalidField` for `offset` if it is over `i64::MAX`;
    /// - `InvalidField` for `order_by` if it is longer than 1024 bytes.
    ///
    /// Nothing is required.
    fn build;

    /// Sets the sort order: `created_at`, `first_name`, `last_name`, `email_address`,
    /// `phone_number` or `username`, prefixed with `+` (ascending) or `-` (descending); at
    /// most 1024 bytes.
    fn order_by(text);
    fn paging("memberships");
}

option_setters!(ListInstanceMembershipsBuilder {
    set_order_by => order_by: text,
});

impl ListInstanceMembershipsFields {
    fn validate(&self) -> Result<(), BuildError> {
        page_window(self.limit, self.offset)?;
        filter_value(
            "order_by",
            self.order_by.as_ref().and_then(Option::as_deref),
        )
    }
}

operation_methods!(
    ListInstanceMemberships,
    ListInstanceMembershipsBuilder,
    Page<OrganizationMembership>,
    "one page of the instance's memberships with the total count",
    "(422 for an invalid parameter, 401 for a key it does not accept, …)"
);

impl Endpoint for ListInstanceMemberships {
    type Body<'a> = ();
    type Response = Page<OrganizationMembership>;
    const OPERATION: Operation = Operation::ListInstanceMemberships;

    fn path(&self, path: &mut PathWriter<'_>) {
        path.literal("organization_memberships");
    }

    fn query(&self, query: &mut QueryWriter<'_>) {
        query
            .opt_str("order_by", self.order_by.as_deref())
            .page(self.limit, self.offset);
    }
}
