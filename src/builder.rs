//! What every operation's builder is made of: the macros that declare an operation's builder
//! and its `builder`/`send`/`render` methods, and the input rules `build()` applies (ids, filter
//! values, paging, and in `metadata` the metadata objects), and their limits, which
//! [`BuildError`]'s docs list for callers.

use crate::error::BuildError;

pub(crate) mod metadata;

// The limits below, those in `metadata`, `MAX_URL_LEN` (in `endpoint`) and the invitation
// limits (in `invitations`) are not public: the docs state their numbers instead, in
// `BuildError`'s `# Limits` table and in each setter and `build()`. A change to one is a
// change to those docs, and to the tests, which state the numbers too.

/// Largest `limit` the API accepts.
pub(crate) const MAX_LIMIT: u32 = 500;
/// Most values the API accepts in one array filter (`user_id`, `role`, …).
pub(crate) const MAX_FILTER_VALUES: usize = 100;

/// What the builders derive_builder generates return from their (private) `build`: a
/// [`BuildError`] under a private name, so that derive_builder's own error type converts into it
/// without a public `From` impl on [`BuildError`].
pub(crate) struct Unbuilt(BuildError);

impl From<derive_builder::UninitializedFieldError> for Unbuilt {
    fn from(err: derive_builder::UninitializedFieldError) -> Self {
        Unbuilt(BuildError::MissingField(err.field_name()))
    }
}

impl From<BuildError> for Unbuilt {
    fn from(err: BuildError) -> Self {
        Unbuilt(err)
    }
}

impl From<Unbuilt> for BuildError {
    fn from(Unbuilt(err): Unbuilt) -> Self {
        err
    }
}

/// Declares an operation's public builder: a by-value wrapper around the builder derive_builder
/// generates (which stays private, so none of its types or traits is public API), with a
/// `build()` that returns [`BuildError`] and one documented setter per line, forwarded to the
/// generated setter of the same name.
///
/// A setter line is `fn name(kind);`, where `kind` is
/// - `text`: takes `impl Into<String>` (`&str`, `String`, `&String`, `Cow<str>`, …);
/// - `texts`: takes any `IntoIterator` of such values (an array, a `Vec<&str>`, a
///   `Vec<String>`, an iterator) and replaces the values set so far;
/// - a type: takes a value of that type;
/// - `paging("noun")`, on a line named `paging`: a list request's `limit` and `offset`
///   setters and their `set_limit`/`set_offset`, `noun` naming what `offset` skips.
macro_rules! operation_builder {
    (
        $(#[$meta:meta])*
        pub struct $builder:ident($fields:ident) -> $op:ident;
        $(#[$build_doc:meta])*
        fn build;
        $( $(#[$doc:meta])* fn $name:ident($($kind:tt)+); )*
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct $builder($fields);

        impl $builder {
            $(#[$build_doc])*
            pub fn build(self) -> Result<$op, $crate::error::BuildError> {
                self.0.build().map_err($crate::error::BuildError::from)
            }

            $( $crate::builder::operation_builder!(@setter $(#[$doc])* $name($($kind)+)); )*
        }
    };
    (@setter paging($noun:literal)) => {
        /// Sets the page size, 1 to 500. The server's default is 10.
        pub fn limit(self, value: u32) -> Self {
            Self(self.0.limit(value))
        }
        #[doc = concat!(
            "Sets how many ", $noun, " to skip, at most `i64::MAX`. The server's default is 0."
        )]
        pub fn offset(self, value: u64) -> Self {
            Self(self.0.offset(value))
        }
        $crate::builder::option_setters!(@setter set_limit => limit: u32);
        $crate::builder::option_setters!(@setter set_offset => offset: u64);
    };
    (@setter $(#[$doc:meta])* $name:ident(text)) => {
        $(#[$doc])*
        pub fn $name(self, value: impl Into<String>) -> Self {
            Self(self.0.$name(value))
        }
    };
    (@setter $(#[$doc:meta])* $name:ident(texts)) => {
        $(#[$doc])*
        pub fn $name(self, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
            Self(self.0.$name(values.into_iter().map(Into::into).collect::<Vec<String>>()))
        }
    };
    (@setter $(#[$doc:meta])* $name:ident($ty:ty)) => {
        $(#[$doc])*
        pub fn $name(self, value: $ty) -> Self {
            Self(self.0.$name(value))
        }
    };
}
pub(crate) use operation_builder;

/// Adds `set_x(Option<…>)` setters to a public builder, so a caller holding an `Option`
/// forwards it without an `if`. A `text` field takes `Option<&str>`, any other an `Option` of
/// its type: a concrete type, so that a bare `None` needs no annotation (no generic parameter
/// can take `Option<&str>`, `Option<String>` and a bare `None` alike).
macro_rules! option_setters {
    ($builder:ident { $($set:ident => $field:ident : $kind:tt),* $(,)? }) => {
        impl $builder {
            $( $crate::builder::option_setters!(@setter $set => $field: $kind); )*
        }
    };
    (@setter $set:ident => $field:ident: text) => {
        #[doc = concat!(
            "Sets `", stringify!($field), "` from an `Option<&str>`: `Some(v)` is [`",
            stringify!($field), "(v)`](Self::", stringify!($field), "), `None` leaves it unset ",
            "(clearing an earlier value). An `Option<String>` goes in with `.as_deref()`."
        )]
        pub fn $set(mut self, value: Option<&str>) -> Self {
            self.0.$field = Some(value.map(str::to_owned));
            self
        }
    };
    (@setter $set:ident => $field:ident: $ty:ty) => {
        #[doc = concat!(
            "Sets `", stringify!($field), "` from an `Option<", stringify!($ty), ">`: `Some(v)` is [`",
            stringify!($field), "(v)`](Self::", stringify!($field), "), `None` leaves it unset ",
            "(clearing an earlier value)."
        )]
        pub fn $set(mut self, value: Option<$ty>) -> Self {
            self.0.$field = Some(value);
            self
        }
    };
}
pub(crate) use option_setters;

/// The public methods every operation has: `builder`, `send` and `render`.
macro_rules! operation_methods {
    ($op:ident, $builder:ident, $response:ty, $what:literal, $errors:literal) => {
        impl $op {
            /// Starts building the request.
            pub fn builder() -> $builder {
                $builder::default()
            }

            #[doc = concat!("Sends the request and returns ", $what, ".")]
            ///
            /// # Errors
            ///
            /// An [`Error`](crate::Error) when the request cannot be sent or completed, or the
            #[doc = concat!("server refuses it ", $errors, ".")]
            pub fn send(&self, client: &crate::Client) -> Result<$response, crate::Error> {
                client.execute(self)
            }

            /// The exact request [`send`](Self::send) would hand to the transport, without
            /// sending it: for logging, dry runs and tests.
            ///
            /// # Errors
            ///
            /// [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest) if the URL is longer
            /// than 8192 bytes (field `url`) or the body cannot be serialized.
            pub fn render(
                &self,
                client: &crate::Client,
            ) -> Result<crate::HttpRequest, crate::Error> {
                client.render(self)
            }
        }
    };
}
pub(crate) use operation_methods;

/// Longest id (`organization_id`, `user_id`) a builder accepts, in bytes.
///
/// Clerk's ids are about 32 ASCII characters (`user_2h8op3Isl1QR7tKu5FGNfaLKEoU`); 256 leaves
/// room for any id format Clerk may adopt while refusing a value that is certainly not an id
/// before it is escaped (up to three times its size) into a URL.
pub(crate) const MAX_ID_LEN: usize = 256;

/// Longest value a free-text or exact-match filter of [`ListMemberships`](crate::ListMemberships) accepts, in bytes:
/// `order_by`, each `email_address`, `phone_number`, `username`, `web3_wallet` and `role`, and
/// `query`, `email_address_query`, `phone_number_query`, `username_query`, `name_query`.
///
/// Far above anything these can match (an email address has at most 254 bytes), yet small
/// enough that one value, percent-encoded (up to three times as long), cannot fill a URL on its
/// own. Empty values stay allowed: they are values, not "unset".
pub(crate) const MAX_FILTER_VALUE_LEN: usize = 1024;

/// A set value must not be the empty string.
pub(crate) fn non_empty(field: &'static str, value: Option<&String>) -> Result<(), BuildError> {
    match value {
        Some(value) if value.is_empty() => Err(BuildError::invalid(field, "must not be empty")),
        _ => Ok(()),
    }
}

/// Checks `value` as the id every operation's builder takes for `field`
/// (`organization_id`, `user_id`): not empty, not only whitespace, not `.` or `..`, and at
/// most 256 bytes. For a caller that has ids to check before any request is built (a command
/// line, a form), so that it refuses them with the builders' own words.
///
/// Only the shape is checked: whether Clerk knows the id is for the server to say.
///
/// ```
/// use clerk_memberships::{BuildError, check_id};
///
/// assert!(check_id("user_id", "user_2h8op3Isl1QR7tKu5FGNfaLKEoU").is_ok());
/// let error = check_id("organization_id", " ").unwrap_err();
/// assert_eq!(error.field(), "organization_id");
/// assert_eq!(
///     error.to_string(),
///     "invalid `organization_id`: must not be only whitespace"
/// );
/// assert!(matches!(check_id("user_id", ".."), Err(BuildError::InvalidField { .. })));
/// ```
///
/// # Errors
///
/// [`BuildError::InvalidField`] naming `field` and the rule `value` breaks, as the builders
/// report it.
pub fn check_id(field: &'static str, value: &str) -> Result<(), BuildError> {
    broken(field, id_rule(value))
}

/// `Ok` unless `rule` names a rule that the value of `field` breaks.
fn broken(field: &'static str, rule: Option<String>) -> Result<(), BuildError> {
    rule.map_or(Ok(()), |rule| Err(BuildError::invalid(field, rule)))
}

/// A set role (of a membership or an invitation): see [`role_rule`].
pub(crate) fn role_field(value: Option<&String>) -> Result<(), BuildError> {
    broken("role", value.and_then(|value| role_rule(value)))
}

/// The rule `value` breaks as a role to give, if any: it must not be empty nor longer than
/// [`MAX_FILTER_VALUE_LEN`] bytes, the most a `role` filter takes (so a role that can be given
/// can also be listed by).
pub(crate) fn role_rule(value: &str) -> Option<String> {
    if value.is_empty() {
        Some("must not be empty".to_owned())
    } else {
        longer_than(value, MAX_FILTER_VALUE_LEN)
    }
}

/// A set id must be something that can name a resource: see [`id_rule`].
pub(crate) fn id(field: &'static str, value: Option<&String>) -> Result<(), BuildError> {
    broken(field, value.and_then(|value| id_rule(value)))
}

/// The rule `value` breaks as an id, if any: it must not be empty, only whitespace, `.` or
/// `..`, nor longer than [`MAX_ID_LEN`] bytes.
pub(crate) fn id_rule(value: &str) -> Option<String> {
    if value.is_empty() {
        Some("must not be empty".to_owned())
    } else if value.chars().all(char::is_whitespace) {
        Some("must not be only whitespace".to_owned())
    } else if value == "." || value == ".." {
        Some("must not be `.` or `..`".to_owned())
    } else {
        longer_than(value, MAX_ID_LEN)
    }
}

/// The rule `value` breaks when it is longer than `max` bytes, if it is.
fn longer_than(value: &str, max: usize) -> Option<String> {
    (value.len() > max).then(|| format!("must be at most {max} bytes, got {}", value.len()))
}

/// The paging fields of a list request: a set `limit` is 1 to [`MAX_LIMIT`], a set
/// `offset` at most `i64::MAX` (the API's integer).
pub(crate) fn page_window(
    limit: Option<Option<u32>>,
    offset: Option<Option<u64>>,
) -> Result<(), BuildError> {
    if let Some(Some(limit)) = limit
        && !(1..=MAX_LIMIT).contains(&limit)
    {
        return Err(BuildError::invalid(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}, got {limit}"),
        ));
    }
    if let Some(Some(offset)) = offset
        && i64::try_from(offset).is_err()
    {
        return Err(BuildError::invalid(
            "offset",
            format!("must be at most {}, got {offset}", i64::MAX),
        ));
    }
    Ok(())
}

/// Each array filter holds at most [`MAX_FILTER_VALUES`] values; the first that holds more
/// is named by its singular field name.
pub(crate) fn filter_counts(
    arrays: &[(&'static str, &Option<Vec<String>>)],
) -> Result<(), BuildError> {
    for (field, values) in arrays {
        let count = values.as_deref().map_or(0, <[String]>::len);
        if count > MAX_FILTER_VALUES {
            return Err(BuildError::invalid(
                field,
                format!("takes at most {MAX_FILTER_VALUES} values, got {count}"),
            ));
        }
    }
    Ok(())
}

/// A set filter value must be at most [`MAX_FILTER_VALUE_LEN`] bytes.
pub(crate) fn filter_value(field: &'static str, value: Option<&str>) -> Result<(), BuildError> {
    broken(
        field,
        value.and_then(|value| longer_than(value, MAX_FILTER_VALUE_LEN)),
    )
}

/// Each value of a filter whose values may carry a `+` (include) or `-` (exclude) sign
/// (`user_id`, `external_id`) must pass `rule` once its sign is taken off; the error names
/// the value by its position.
pub(crate) fn signed_values(
    field: &'static str,
    noun: &str,
    values: &[String],
    rule: impl Fn(&str) -> Option<String>,
) -> Result<(), BuildError> {
    for (n, value) in values.iter().enumerate() {
        let unsigned = value.strip_prefix(['+', '-']).unwrap_or(value.as_str());
        if let Some(rule) = rule(unsigned) {
            return Err(BuildError::invalid(
                field,
                format!(
                    "value {}: the {noun} (after an optional `+`/`-`) {rule}",
                    n + 1
                ),
            ));
        }
    }
    Ok(())
}

/// The rule `value` breaks as an external id, if any: it must not be empty nor longer than
/// [`MAX_FILTER_VALUE_LEN`] bytes.
pub(crate) fn external_id_rule(value: &str) -> Option<String> {
    if value.is_empty() {
        Some("must not be empty".to_owned())
    } else {
        longer_than(value, MAX_FILTER_VALUE_LEN)
    }
}
