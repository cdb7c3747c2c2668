use derive_builder::Builder;

use crate::endpoint::{Endpoint, PathWriter, QueryWriter};
use crate::error::BuildError;
use crate::memberships::{
    MAX_FILTER_VALUES, MAX_LIMIT, Operation, external_id_rule, filter_value, id_rule,
    operation_methods, option_setters, signed_values,
};
use crate::models::User;

/// Lists the instance's users: `GET /users`, newest first unless `order_by` says otherwise.
///
/// The filters that find people by what a roster knows: `email_address`, `external_id` and
/// `user_id`, each taking one value at a time (`.email_address("…")`, repeatable) or many at
/// once (`.email_addresses(vec![…])`), sent as repeated keys in the order given. Values of one
/// filter OR together, different filters AND together, and values that match nobody are
/// ignored (no error). For `external_id` and `user_id` a leading `+` means include and `-`
/// exclude, so an id that itself begins with one of them must be sent with a `+` in front
/// (`+-abc` looks up `-abc`). None is sent unless set.
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
    pattern = "owned",
    setter(into),
    derive(Debug, Clone, PartialEq),
    build_fn(error = "BuildError", validate = "Self::validate")
)]
pub struct ListUsers {
    /// Exact email addresses; at most 100, each at most
    /// [`MAX_FILTER_VALUE_LEN`](crate::memberships::MAX_FILTER_VALUE_LEN) bytes.
    #[builder(setter(into, each(name = "email_address", into)), default)]
    pub(crate) email_addresses: Vec<String>,
    /// External ids to include (`+…` or plain) or exclude (`-…`); at most 100, each not empty
    /// and at most [`MAX_FILTER_VALUE_LEN`](crate::memberships::MAX_FILTER_VALUE_LEN) bytes
    /// after its optional sign.
    #[builder(setter(into, each(name = "external_id", into)), default)]
    pub(crate) external_ids: Vec<String>,
    /// User ids to include (`+user_…` or plain) or exclude (`-user_…`); at most 100, each an
    /// id after its optional sign (see [`MAX_ID_LEN`](crate::memberships::MAX_ID_LEN)).
    #[builder(setter(into, each(name = "user_id", into)), default)]
    pub(crate) user_ids: Vec<String>,
    /// Sort order, e.g. `created_at`, `updated_at`, `email_address`, `first_name`,
    /// `last_name`, `username`, prefixed with `+` (ascending, also without a prefix) or `-`
    /// (descending). The server's default is `-created_at`.
    #[builder(setter(into, strip_option), default)]
    pub(crate) order_by: Option<String>,
    /// Page size, 1 to 500. The server's default is 10.
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) limit: Option<u32>,
    /// How many matching users to skip, at most `i64::MAX`. The server's default is 0.
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) offset: Option<u64>,
}

option_setters!(ListUsersBuilder {
    set_order_by => order_by: String,
    set_limit => limit: u32,
    set_offset => offset: u64,
});

impl ListUsersBuilder {
    fn validate(&self) -> Result<(), BuildError> {
        if let Some(Some(limit)) = self.limit
            && !(1..=MAX_LIMIT).contains(&limit)
        {
            return Err(BuildError::invalid(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}, got {limit}"),
            ));
        }
        if let Some(Some(offset)) = self.offset
            && i64::try_from(offset).is_err()
        {
            return Err(BuildError::invalid(
                "offset",
                format!("must be at most {}, got {offset}", i64::MAX),
            ));
        }
        let arrays = [
            ("email_address", &self.email_addresses),
            ("external_id", &self.external_ids),
            ("user_id", &self.user_ids),
        ];
        for (field, values) in arrays {
            let values = values.as_deref().unwrap_or_default();
            if values.len() > MAX_FILTER_VALUES {
                return Err(BuildError::invalid(
                    field,
                    format!(
                        "takes at most {MAX_FILTER_VALUES} values, got {}",
                        values.len()
                    ),
                ));
            }
        }
        for value in self.email_addresses.iter().flatten() {
            filter_value("email_address", Some(value))?;
        }
        let external_ids = self.external_ids.as_deref().unwrap_or_default();
        signed_values("external_id", "external id", external_ids, external_id_rule)?;
        let user_ids = self.user_ids.as_deref().unwrap_or_default();
        signed_values("user_id", "user id", user_ids, id_rule)?;
        filter_value(
            "order_by",
            self.order_by.as_ref().and_then(Option::as_deref),
        )
    }
}

operation_methods!(
    ListUsers,
    ListUsersBuilder,
    Vec<User>,
    "one page of users",
    "(422 for an invalid parameter, …)"
);

impl Endpoint for ListUsers {
    type Body = ();
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
            .opt_int("limit", self.limit)
            .opt_int("offset", self.offset);
    }
}
