use derive_builder::Builder;

use crate::builder::{
    Unbuilt, external_id_rule, filter_counts, filter_value, id_rule, operation_builder,
    operation_methods, option_setters, page_window, signed_values,
};
use crate::call::Operation;
use crate::endpoint::{Endpoint, PathWriter, QueryWriter};
use crate::error::BuildError;
use crate::models::User;

/// Lists the instance's users: `GET /users`, newest first unless `order_by` says otherwise.
///
/// The filters that find people by what a roster knows: `email_address`, `external_id` and
/// `user_id`, each taking one value at a time (`.email_address("…")`, repeatable) or many at
/// once (`.email_addresses(vec![…])`), sent as repeated keys in the order given. Values of one
/// filter OR together, different filters AND together, and values that match nobody are
/// ignored (no error). For `external_id` and `user_id` a leading `+` means include and `-`
/// exclude, so an id that itself begins with one of them must be sent with a `+` in front
/// (`+-abc` looks up `-abc`). None is sent unless set. What `build()` refuses is listed on
/// [`ListUsersBuilder::build`].
///
/// The answer is a bare array of [`User`]s with no total count: a page shorter than `limit`
/// is the last. [`pages`](Self::pages) and [`items`](Self::items) walk them all.
///
/// ```
/// # let client = clerk_memberships::testing::doc_client();
/// use clerk_memberships::ListUsers;
///
/// let users = ListUsers::builder()
///     .email_address("jane.doe@acme.com")
///     .email_address("john@acme.com")
///     .limit(100)
///     .build()?
///     .send(&client)?;
/// for user in &users {
///     println!("{} is {:?}", user.id, user.primary_email_address());
/// }
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Builder)]
#[builder(
    name = "ListUsersFields",
    private,
    pattern = "owned",
    setter(into),
    derive(Debug, Clone, PartialEq),
    build_fn(error = "Unbuilt", validate = "Self::validate")
)]
pub struct ListUsers {
    #[builder(setter(into, each(name = "email_address", into)), default)]
    pub(crate) email_addresses: Vec<String>,
    #[builder(setter(into, each(name = "external_id", into)), default)]
    pub(crate) external_ids: Vec<String>,
    #[builder(setter(into, each(name = "user_id", into)), default)]
    pub(crate) user_ids: Vec<String>,
    #[builder(setter(into, strip_option), default)]
    pub(crate) order_by: Option<String>,
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) limit: Option<u32>,
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) offset: Option<u64>,
}

operation_builder! {
    /// Builds a [`ListUsers`]: start with [`ListUsers::builder`], set any filters, then
    /// [`build`](Self::build). Setters take the builder by value and return it, so a
    /// half-built one serves as a template (it is `Clone`).
    ///
    /// Array filters take one value at a time (`.email_address("jane@acme.com")`, repeatable,
    /// appending) or many at once (`.email_addresses(["a@acme.com", "b@acme.com"])`,
    /// replacing), from an array, a `Vec<&str>`, a `Vec<String>` or any iterator of strings.
    /// Each `set_x` forwards an `Option`.
    ///
    /// ```
    /// use clerk_memberships::{ListUsers, ListUsersBuilder};
    ///
    /// let roster = vec!["jane@acme.com".to_owned(), "john@acme.com".to_owned()];
    /// let by_email: ListUsersBuilder = ListUsers::builder().email_addresses(&roster);
    /// let page_size: Option<u32> = Some(100);
    /// let request = by_email.set_limit(page_size).set_order_by(None).build()?;
    /// # Ok::<(), clerk_memberships::BuildError>(())
    /// ```
    pub struct ListUsersBuilder(ListUsersFields) -> ListUsers;

    /// Checks the request and builds it; nothing is sent.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] naming the field at fault (an array filter by its singular name, as it
    /// goes on the wire):
    ///
    /// - [`InvalidField`](BuildError::InvalidField) for `limit` unless it is 1 to 500;
    /// - `InvalidField` for `offset` if it is over `i64::MAX`;
    /// - `InvalidField` for `email_address`, `external_id` or `user_id` if it holds more than
    ///   100 values;
    /// - `InvalidField` for a value of `email_address`, or for `order_by`, if it is longer than
    ///   1024 bytes (empty is allowed: a value, not "unset");
    /// - `InvalidField` for `external_id` if a value, after its optional `+` (include) or `-`
    ///   (exclude), is empty or longer than 1024 bytes; the error gives the value's position,
    ///   from 1;
    /// - `InvalidField` for `user_id` if a value, after its optional sign, is empty, only
    ///   whitespace, `.` or `..`, or longer than 256 bytes;
    ///   likewise with its position.
    ///
    /// The first rule broken, in that order, is the one reported. Nothing is required: a
    /// request without filters lists everyone. `order_by`'s field is not checked, since Clerk
    /// may add sort fields: the server answers 422 for one it does not know. The length of the
    /// whole URL (at most 8192 bytes) depends on the client, so [`send`](ListUsers::send)
    /// checks it.
    fn build;

    /// Adds an exact email address, at most 1024 bytes, to the `email_address` filter.
    /// Repeatable (at most 100 values).
    fn email_address(text);
    /// Sets the `email_address` filter to these exact addresses, replacing any set so far; at
    /// most 100, each at most 1024 bytes.
    fn email_addresses(texts);
    /// Adds an external id to the `external_id` filter: `+…` or plain to include, `-…` to
    /// exclude (so an external id that begins with a sign goes in as `+` and the id); the id
    /// not empty and at most 1024 bytes. Repeatable (at most 100 values); see
    /// [`external_ids`](Self::external_ids).
    fn external_id(text);
    /// Sets the `external_id` filter to these values, replacing any set so far: external ids
    /// to include (`+…` or plain) or exclude (`-…`), at most 100, each at most 1024 bytes.
    fn external_ids(texts);
    /// Adds a user id to the `user_id` filter: `+user_…` or plain to include, `-user_…` to
    /// exclude; the id at most 256 bytes. Repeatable (at most 100 values); see
    /// [`user_ids`](Self::user_ids).
    fn user_id(text);
    /// Sets the `user_id` filter to these values, replacing any set so far: user ids to include
    /// (`+user_…` or plain) or exclude (`-user_…`), at most 100, each id at most 256 bytes.
    fn user_ids(texts);
    /// Sets the sort order, e.g. `created_at`, `updated_at`, `email_address`, `first_name`,
    /// `last_name`, `username`, `last_active_at` or `last_sign_in_at`, prefixed with `+`
    /// (ascending, also meant without a prefix) or `-` (descending); at most 1024 bytes. The
    /// server's default is `-created_at`.
    fn order_by(text);
    fn paging("matching users");
}

option_setters!(ListUsersBuilder {
    set_order_by => order_by: text,
});

impl ListUsersFields {
    fn validate(&self) -> Result<(), BuildError> {
        page_window(self.limit, self.offset)?;
        filter_counts(&[
            ("email_address", &self.email_addresses),
            ("external_id", &self.external_ids),
            ("user_id", &self.user_ids),
        ])?;
        for value in self.email_addresses.iter().flatten() {
            filter_value("email_address", Some(value))?;
        }
        // In the order the `build` docs give.
        filter_value(
            "order_by",
            self.order_by.as_ref().and_then(Option::as_deref),
        )?;
        let external_ids = self.external_ids.as_deref().unwrap_or_default();
        signed_values("external_id", "external id", external_ids, external_id_rule)?;
        let user_ids = self.user_ids.as_deref().unwrap_or_default();
        signed_values("user_id", "user id", user_ids, id_rule)
    }
}

operation_methods!(
    ListUsers,
    ListUsersBuilder,
    Vec<User>,
    "one page of users",
    "(422 for an invalid parameter, 401 for a key it does not accept, …)"
);

impl Endpoint for ListUsers {
    type Body<'a> = ();
    type Response = Vec<User>;
    const OPERATION: Operation = Operation::ListUsers;

    fn path(&self, path: &mut PathWriter<'_>) {
        path.literal("users");
    }

    fn query(&self, query: &mut QueryWriter<'_>) {
        query
            .each("email_address", &self.email_addresses)
            .each("external_id", &self.external_ids)
            .each("user_id", &self.user_ids)
            .opt_str("order_by", self.order_by.as_deref())
            .page(self.limit, self.offset);
    }
}
