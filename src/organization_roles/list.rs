use derive_builder::Builder;

use crate::builder::{
    Unbuilt, filter_value, operation_builder, operation_methods, option_setters, page_window,
};
use crate::call::Operation;
use crate::endpoint::{Endpoint, PathWriter, QueryWriter};
use crate::error::BuildError;
use crate::models::{Page, Role};

/// Lists the instance's organization roles: `GET /organization_roles`, newest first unless
/// `order_by` says otherwise.
///
/// These are the roles of the **instance**. An organization that has a role set of its own
/// accepts only the roles of that set, which this listing does not show: a role missing here
/// is certainly refused, a role listed here may still be refused by such an organization.
///
/// None of its parameters is sent unless set, and none is required. What `build()` refuses
/// is listed on [`ListOrganizationRolesBuilder::build`]. The answer is a page
/// ([`Page`]) of [`Role`]s with `total_count`; [`pages`](Self::pages) and [`items`](Self::items) walk them all.
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::ListOrganizationRoles;
///
/// let roles = ListOrganizationRoles::builder()
///     .order_by("key")
///     .limit(100)
///     .build()?
///     .send(&client)?;
/// for role in &roles.data {
///     println!("{} ({})", role.key, role.name);
/// }
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Builder)]
#[builder(
    name = "ListOrganizationRolesFields",
    private,
    pattern = "owned",
    setter(into),
    derive(Debug, Clone, PartialEq),
    build_fn(error = "Unbuilt", validate = "Self::validate")
)]
pub struct ListOrganizationRoles {
    #[builder(setter(into, strip_option), default)]
    pub(crate) query: Option<String>,
    #[builder(setter(into, strip_option), default)]
    pub(crate) order_by: Option<String>,
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) limit: Option<u32>,
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) offset: Option<u64>,
}

operation_builder! {
    /// Builds a [`ListOrganizationRoles`]: start with [`ListOrganizationRoles::builder`], set
    /// any parameters, then [`build`](Self::build). Setters take the builder by value and
    /// return it, so a half-built one serves as a template (it is `Clone`). Each `set_x`
    /// forwards an `Option`.
    ///
    /// ```
    /// use clerk_memberships::ListOrganizationRoles;
    ///
    /// let search: Option<&str> = Some("billing");
    /// let request = ListOrganizationRoles::builder()
    ///     .set_query(search)
    ///     .set_limit(None)
    ///     .build()?;
    /// # Ok::<(), clerk_memberships::BuildError>(())
    /// ```
    pub struct ListOrganizationRolesBuilder(ListOrganizationRolesFields) -> ListOrganizationRoles;

    /// Checks the request and builds it; nothing is sent.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] naming the field at fault:
    ///
    /// - [`InvalidField`](BuildError::InvalidField) for `limit` unless it is 1 to 500;
    /// - `InvalidField` for `offset` if it is over `i64::MAX`;
    /// - `InvalidField` for `query` or `order_by` if it is longer than 1024 bytes (empty is
    ///   allowed: a value, not "unset").
    ///
    /// The first rule broken, in that order, is the one reported. Nothing is required: a
    /// request without parameters lists the first page of roles. `order_by`'s field is not
    /// checked, since Clerk may add sort fields: the server answers 422 for one it does not
    /// know. The length of the whole URL (at most 8192 bytes) depends on the client, so
    /// [`send`](ListOrganizationRoles::send) checks it.
    fn build;

    /// Keeps the roles whose id is exactly this, or whose name or key contains it; at most
    /// 1024 bytes.
    fn query(text);
    /// Sets the sort order: `created_at`, `name` or `key`, prefixed with `+` (ascending, also
    /// meant without a prefix) or `-` (descending); at most 1024 bytes. The server's default
    /// is `-created_at`.
    fn order_by(text);
    fn paging("roles");
}

option_setters!(ListOrganizationRolesBuilder {
    set_query => query: text,
    set_order_by => order_by: text,
});

impl ListOrganizationRolesFields {
    fn validate(&self) -> Result<(), BuildError> {
        page_window(self.limit, self.offset)?;
        filter_value("query", self.query.as_ref().and_then(Option::as_deref))?;
        filter_value(
            "order_by",
            self.order_by.as_ref().and_then(Option::as_deref),
        )
    }
}

operation_methods!(
    ListOrganizationRoles,
    ListOrganizationRolesBuilder,
    Page<Role>,
    "one page of roles with the total count",
    "(422 for an invalid parameter, 401 for a key it does not accept, …)"
);

impl Endpoint for ListOrganizationRoles {
    type Body<'a> = ();
    type Response = Page<Role>;
    const OPERATION: Operation = Operation::ListOrganizationRoles;

    fn path(&self, path: &mut PathWriter<'_>) {
        path.literal("organization_roles");
    }

    fn query(&self, query: &mut QueryWriter<'_>) {
        query
            .opt_str("query", self.query.as_deref())
            .opt_str("order_by", self.order_by.as_deref())
            .page(self.limit, self.offset);
    }
}
