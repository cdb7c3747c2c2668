use derive_builder::Builder;

use crate::builder::{
    Unbuilt, filter_counts, filter_value, id, id_rule, operation_builder, operation_methods,
    option_setters, page_window, signed_values,
};
use crate::call::Operation;
use crate::endpoint::{Endpoint, PathWriter, QueryWriter};
use crate::error::BuildError;
use crate::models::{OrganizationMembership, Page};

/// Lists an organization's members: `GET /organizations/{organization_id}/memberships`.
///
/// Every filter the API has is here; none is sent unless set. Array filters take one value at a
/// time (`.role("org:admin")`, repeatable) or many at once (`.roles(["org:admin", …])`), and
/// go on the wire as repeated keys in the order given. What `build()` refuses is listed on
/// [`ListMembershipsBuilder::build`].
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::ListMemberships;
///
/// let page = ListMemberships::builder()
///     .organization_id("org_1")
///     .role("org:admin")
///     .user_id("-user_2") // exclude this user
///     .order_by("-created_at")
///     .limit(20)
///     .build()?
///     .send(&client)?;
/// println!("{} of {} admins", page.data.len(), page.total_count);
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Builder)]
#[builder(
    name = "ListMembershipsFields",
    private,
    pattern = "owned",
    setter(into),
    derive(Debug, Clone, PartialEq),
    build_fn(error = "Unbuilt", validate = "Self::validate")
)]
pub struct ListMemberships {
    pub(crate) organization_id: String,
    #[builder(setter(into, strip_option), default)]
    pub(crate) order_by: Option<String>,
    #[builder(setter(into, each(name = "user_id", into)), default)]
    pub(crate) user_ids: Vec<String>,
    #[builder(setter(into, each(name = "email_address", into)), default)]
    pub(crate) email_addresses: Vec<String>,
    #[builder(setter(into, each(name = "phone_number", into)), default)]
    pub(crate) phone_numbers: Vec<String>,
    #[builder(setter(into, each(name = "username", into)), default)]
    pub(crate) usernames: Vec<String>,
    #[builder(setter(into, each(name = "web3_wallet", into)), default)]
    pub(crate) web3_wallets: Vec<String>,
    #[builder(setter(into, each(name = "role", into)), default)]
    pub(crate) roles: Vec<String>,
    #[builder(setter(into, strip_option), default)]
    pub(crate) query: Option<String>,
    #[builder(setter(into, strip_option), default)]
    pub(crate) email_address_query: Option<String>,
    #[builder(setter(into, strip_option), default)]
    pub(crate) phone_number_query: Option<String>,
    #[builder(setter(into, strip_option), default)]
    pub(crate) username_query: Option<String>,
    #[builder(setter(into, strip_option), default)]
    pub(crate) name_query: Option<String>,
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) last_active_at_before: Option<i64>,
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) last_active_at_after: Option<i64>,
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) created_at_before: Option<i64>,
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) created_at_after: Option<i64>,
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) limit: Option<u32>,
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) offset: Option<u64>,
}

operation_builder! {
    /// Builds a [`ListMemberships`]: start with [`ListMemberships::builder`], set the
    /// organization and any filters, then [`build`](Self::build). Setters take the builder by
    /// value and return it, so a half-built one serves as a template (it is `Clone`).
    ///
    /// Array filters take one value at a time (`.role("org:admin")`, repeatable, appending) or
    /// many at once (`.roles(["org:admin", "org:member"])`, replacing), from an array, a
    /// `Vec<&str>`, a `Vec<String>` or any iterator of strings. Each `set_x` forwards an
    /// `Option`.
    ///
    /// ```
    /// use clerk_memberships::{ListMemberships, ListMembershipsBuilder};
    ///
    /// let admins: ListMembershipsBuilder = ListMemberships::builder()
    ///     .organization_id("org_1")
    ///     .roles(["org:admin", "org:owner"]);
    /// let search: Option<String> = Some("jane".to_owned());
    /// let page_size: Option<u32> = None;
    /// let request = admins
    ///     .set_query(search.as_deref())
    ///     .set_limit(page_size)
    ///     .build()?;
    /// # Ok::<(), clerk_memberships::BuildError>(())
    /// ```
    pub struct ListMembershipsBuilder(ListMembershipsFields) -> ListMemberships;

    /// Checks the request and builds it; nothing is sent.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] naming the field at fault (an array filter by its singular name, as it
    /// goes on the wire):
    ///
    /// - [`InvalidField`](BuildError::InvalidField) for `organization_id` if it is empty, only
    ///   whitespace, `.` or `..`, or longer than 256 bytes;
    /// - `InvalidField` for `limit` unless it is 1 to 500;
    /// - `InvalidField` for `offset` if it is over `i64::MAX`;
    /// - `InvalidField` for `user_id`, `email_address`, `phone_number`, `username`,
    ///   `web3_wallet` or `role` if it holds more than 100 values;
    /// - `InvalidField` for `user_id` if a value, after its optional `+` (include) or `-`
    ///   (exclude), is not an id by the rule of `organization_id` above; the error gives the
    ///   value's position, from 1;
    /// - `InvalidField` for a value of `email_address`, `phone_number`, `username`,
    ///   `web3_wallet` or `role`, or for `order_by`, `query`, `email_address_query`,
    ///   `phone_number_query`, `username_query` or `name_query`, if it is longer than 1024
    ///   bytes (empty is allowed: a value, not "unset");
    /// - [`MissingField`](BuildError::MissingField) for `organization_id` if it was never set.
    ///
    /// The first rule broken, in that order, is the one reported. The timestamps are not
    /// checked: any `i64` is sent as given. Nor is `order_by`'s field checked against the list
    /// above, since Clerk may add sort fields: the server answers 422 for one it does not
    /// know. The length of the whole URL (base URL, path and query, at most 8192 bytes)
    /// depends on the client, so [`send`](ListMemberships::send) checks it.
    fn build;

    /// Sets the organization, by id (at most 256 bytes). Required.
    fn organization_id(text);
    /// Sets the sort order: `created_at`, `first_name`, `last_name`, `email_address`,
    /// `phone_number` or `username`, prefixed with `+` (ascending) or `-` (descending); at
    /// most 1024 bytes. The server's default is `-created_at`.
    fn order_by(text);
    /// Adds a user id to the `user_id` filter: `+user_…` or plain to include, `-user_…` to
    /// exclude; the id at most 256 bytes. Repeatable (at most 100 values); see
    /// [`user_ids`](Self::user_ids).
    fn user_id(text);
    /// Sets the `user_id` filter to these values, replacing any set so far: user ids to include
    /// (`+user_…` or plain) or exclude (`-user_…`), at most 100, each id at most 256 bytes.
    fn user_ids(texts);
    /// Adds an exact email address, at most 1024 bytes, to the `email_address` filter.
    /// Repeatable (at most 100 values).
    fn email_address(text);
    /// Sets the `email_address` filter to these exact addresses, replacing any set so far; at
    /// most 100, each at most 1024 bytes.
    fn email_addresses(texts);
    /// Adds an exact phone number, at most 1024 bytes, to the `phone_number` filter.
    /// Repeatable (at most 100 values).
    fn phone_number(text);
    /// Sets the `phone_number` filter to these exact numbers, replacing any set so far; at
    /// most 100, each at most 1024 bytes.
    fn phone_numbers(texts);
    /// Adds an exact username, at most 1024 bytes, to the `username` filter. Repeatable (at
    /// most 100 values).
    fn username(text);
    /// Sets the `username` filter to these exact usernames, replacing any set so far; at most
    /// 100, each at most 1024 bytes.
    fn usernames(texts);
    /// Adds an exact web3 wallet address, at most 1024 bytes, to the `web3_wallet` filter.
    /// Repeatable (at most 100 values).
    fn web3_wallet(text);
    /// Sets the `web3_wallet` filter to these exact addresses, replacing any set so far; at
    /// most 100, each at most 1024 bytes.
    fn web3_wallets(texts);
    /// Adds a role, e.g. `org:admin`, at most 1024 bytes, to the `role` filter. Repeatable (at
    /// most 100 values).
    fn role(text);
    /// Sets the `role` filter to these roles, replacing any set so far; at most 100, each at
    /// most 1024 bytes.
    fn roles(texts);
    /// Sets a partial, case-insensitive match on emails, phone numbers, usernames, web3
    /// wallets, user ids and names; at most 1024 bytes.
    fn query(text);
    /// Sets a partial, case-insensitive match on email addresses; at most 1024 bytes.
    fn email_address_query(text);
    /// Sets a partial, case-insensitive match on phone numbers; at most 1024 bytes.
    fn phone_number_query(text);
    /// Sets a partial, case-insensitive match on usernames; at most 1024 bytes.
    fn username_query(text);
    /// Sets a partial, case-insensitive match on first and last names; at most 1024 bytes.
    fn name_query(text);
    /// Keeps members whose last activity was before this time, in Unix milliseconds.
    fn last_active_at_before(i64);
    /// Keeps members whose last activity was after this time, in Unix milliseconds.
    fn last_active_at_after(i64);
    /// Keeps members created before this time, in Unix milliseconds.
    fn created_at_before(i64);
    /// Keeps members created after this time, in Unix milliseconds.
    fn created_at_after(i64);
    fn paging("matching memberships");
}

option_setters!(ListMembershipsBuilder {
    set_order_by => order_by: text,
    set_query => query: text,
    set_email_address_query => email_address_query: text,
    set_phone_number_query => phone_number_query: text,
    set_username_query => username_query: text,
    set_name_query => name_query: text,
    set_last_active_at_before => last_active_at_before: i64,
    set_last_active_at_after => last_active_at_after: i64,
    set_created_at_before => created_at_before: i64,
    set_created_at_after => created_at_after: i64,
});

impl ListMembershipsFields {
    fn validate(&self) -> Result<(), BuildError> {
        id("organization_id", self.organization_id.as_ref())?;
        page_window(self.limit, self.offset)?;
        filter_counts(&[
            ("user_id", &self.user_ids),
            ("email_address", &self.email_addresses),
            ("phone_number", &self.phone_numbers),
            ("username", &self.usernames),
            ("web3_wallet", &self.web3_wallets),
            ("role", &self.roles),
        ])?;
        // `user_id` values are ids, each after an optional `+` (include) or `-` (exclude).
        let user_ids = self.user_ids.as_deref().unwrap_or_default();
        signed_values("user_id", "user id", user_ids, id_rule)?;
        let exact = [
            ("email_address", &self.email_addresses),
            ("phone_number", &self.phone_numbers),
            ("username", &self.usernames),
            ("web3_wallet", &self.web3_wallets),
            ("role", &self.roles),
        ];
        for (field, values) in exact {
            for value in values.iter().flatten() {
                filter_value(field, Some(value))?;
            }
        }
        let texts = [
            ("order_by", &self.order_by),
            ("query", &self.query),
            ("email_address_query", &self.email_address_query),
            ("phone_number_query", &self.phone_number_query),
            ("username_query", &self.username_query),
            ("name_query", &self.name_query),
        ];
        for (field, value) in texts {
            filter_value(field, value.as_ref().and_then(Option::as_deref))?;
        }
        Ok(())
    }
}

operation_methods!(
    ListMemberships,
    ListMembershipsBuilder,
    Page<OrganizationMembership>,
    "one page of memberships with the total count",
    "(422 for an invalid parameter, 404 `\"resource_not_found\"` for an unknown organization, …)"
);

impl Endpoint for ListMemberships {
    type Body<'a> = ();
    type Response = Page<OrganizationMembership>;
    const OPERATION: Operation = Operation::List;

    fn path(&self, path: &mut PathWriter<'_>) {
        path.memberships(&self.organization_id);
    }

    fn query(&self, query: &mut QueryWriter<'_>) {
        query
            .opt_str("order_by", self.order_by.as_deref())
            .each("user_id", &self.user_ids)
            .each("email_address", &self.email_addresses)
            .each("phone_number", &self.phone_numbers)
            .each("username", &self.usernames)
            .each("web3_wallet", &self.web3_wallets)
            .each("role", &self.roles)
            .opt_str("query", self.query.as_deref())
            .opt_str("email_address_query", self.email_address_query.as_deref())
            .opt_str("phone_number_query", self.phone_number_query.as_deref())
            .opt_str("username_query", self.username_query.as_deref())
            .opt_str("name_query", self.name_query.as_deref())
            .opt_int("last_active_at_before", self.last_active_at_before)
            .opt_int("last_active_at_after", self.last_active_at_after)
            .opt_int("created_at_before", self.created_at_before)
            .opt_int("created_at_after", self.created_at_after)
            .page(self.limit, self.offset);
    }
}
