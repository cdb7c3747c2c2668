use derive_builder::Builder;

use super::{Operation, filter_value, id, id_rule, operation_methods, option_setters};
use crate::endpoint::{Endpoint, PathWriter, QueryWriter};
use crate::error::BuildError;
use crate::models::OrganizationMemberships;

/// Largest `limit` the API accepts.
pub const MAX_LIMIT: u32 = 500;
/// Most values the API accepts in one array filter (`user_id`, `role`, …).
pub const MAX_FILTER_VALUES: usize = 100;

/// Lists an organization's members: `GET /organizations/{organization_id}/memberships`.
///
/// Every filter the API has is here; none is sent unless set. Array filters take one value at a
/// time (`.role("org:admin")`, repeatable) or many at once (`.roles(vec![…])`), and go on the
/// wire as repeated keys in the order given. `build()` refuses a `user_id` value that is not an
/// id after its optional `+`/`-` (empty, only whitespace, `.`, `..`, or over
/// [`MAX_ID_LEN`](super::MAX_ID_LEN) bytes) and any other filter value over
/// [`MAX_FILTER_VALUE_LEN`](super::MAX_FILTER_VALUE_LEN) bytes; those may be empty.
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
    pattern = "owned",
    setter(into),
    derive(Debug, Clone, PartialEq),
    build_fn(error = "BuildError", validate = "Self::validate")
)]
pub struct ListMemberships {
    /// The organization. Required; refused if empty, only whitespace, `.`, `..` or
    /// over [`MAX_ID_LEN`](super::MAX_ID_LEN) bytes.
    pub(crate) organization_id: String,
    /// Sort order: `created_at`, `first_name`, `last_name`, `email_address`, `phone_number` or
    /// `username`, prefixed with `+` (ascending) or `-` (descending). The server's default is
    /// `-created_at`.
    #[builder(setter(into, strip_option), default)]
    pub(crate) order_by: Option<String>,
    /// User ids to include (`+user_…` or plain) or exclude (`-user_…`); at most 100, each an
    /// id after its optional sign (see [`MAX_ID_LEN`](super::MAX_ID_LEN)).
    #[builder(setter(into, each(name = "user_id", into)), default)]
    pub(crate) user_ids: Vec<String>,
    /// Exact email addresses; at most 100.
    #[builder(setter(into, each(name = "email_address", into)), default)]
    pub(crate) email_addresses: Vec<String>,
    /// Exact phone numbers; at most 100.
    #[builder(setter(into, each(name = "phone_number", into)), default)]
    pub(crate) phone_numbers: Vec<String>,
    /// Exact usernames; at most 100.
    #[builder(setter(into, each(name = "username", into)), default)]
    pub(crate) usernames: Vec<String>,
    /// Exact web3 wallet addresses; at most 100.
    #[builder(setter(into, each(name = "web3_wallet", into)), default)]
    pub(crate) web3_wallets: Vec<String>,
    /// Roles, e.g. `org:admin`; at most 100.
    #[builder(setter(into, each(name = "role", into)), default)]
    pub(crate) roles: Vec<String>,
    /// Partial, case-insensitive match on emails, phone numbers, usernames, web3 wallets, user
    /// ids and names.
    #[builder(setter(into, strip_option), default)]
    pub(crate) query: Option<String>,
    /// Partial, case-insensitive match on email addresses.
    #[builder(setter(into, strip_option), default)]
    pub(crate) email_address_query: Option<String>,
    /// Partial, case-insensitive match on phone numbers.
    #[builder(setter(into, strip_option), default)]
    pub(crate) phone_number_query: Option<String>,
    /// Partial, case-insensitive match on usernames.
    #[builder(setter(into, strip_option), default)]
    pub(crate) username_query: Option<String>,
    /// Partial, case-insensitive match on first and last names.
    #[builder(setter(into, strip_option), default)]
    pub(crate) name_query: Option<String>,
    /// Members whose last activity was before this time, Unix milliseconds.
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) last_active_at_before: Option<i64>,
    /// Members whose last activity was after this time, Unix milliseconds.
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) last_active_at_after: Option<i64>,
    /// Members created before this time, Unix milliseconds.
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) created_at_before: Option<i64>,
    /// Members created after this time, Unix milliseconds.
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) created_at_after: Option<i64>,
    /// Page size, 1 to 500. The server's default is 10.
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) limit: Option<u32>,
    /// How many matching memberships to skip, at most `i64::MAX`. The server's default is 0.
    #[builder(setter(into = false, strip_option), default)]
    pub(crate) offset: Option<u64>,
}

option_setters!(ListMembershipsBuilder {
    set_order_by => order_by: String,
    set_query => query: String,
    set_email_address_query => email_address_query: String,
    set_phone_number_query => phone_number_query: String,
    set_username_query => username_query: String,
    set_name_query => name_query: String,
    set_last_active_at_before => last_active_at_before: i64,
    set_last_active_at_after => last_active_at_after: i64,
    set_created_at_before => created_at_before: i64,
    set_created_at_after => created_at_after: i64,
    set_limit => limit: u32,
    set_offset => offset: u64,
});

impl ListMembershipsBuilder {
    fn validate(&self) -> Result<(), BuildError> {
        id("organization_id", self.organization_id.as_ref())?;
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
            ("user_id", &self.user_ids),
            ("email_address", &self.email_addresses),
            ("phone_number", &self.phone_numbers),
            ("username", &self.usernames),
            ("web3_wallet", &self.web3_wallets),
            ("role", &self.roles),
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
        // `user_id` values are ids, each after an optional `+` (include) or `-` (exclude).
        for (n, value) in self.user_ids.iter().flatten().enumerate() {
            let user = value.strip_prefix(['+', '-']).unwrap_or(value.as_str());
            if let Some(rule) = id_rule(user) {
                return Err(BuildError::invalid(
                    "user_id",
                    format!(
                        "value {}: the user id (after an optional `+`/`-`) {rule}",
                        n + 1
                    ),
                ));
            }
        }
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
    OrganizationMemberships,
    "one page of memberships with the total count",
    "(422 for an invalid parameter, 404 for an unknown organization, …)"
);

impl Endpoint for ListMemberships {
    type Body<'a> = ();
    type Response = OrganizationMemberships;
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
            .opt_int("limit", self.limit)
            .opt_int("offset", self.offset);
    }
}
