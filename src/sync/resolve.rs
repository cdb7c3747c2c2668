//! Email addresses, external ids and user ids in; Clerk user ids out, in batches.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::builder::{
    MAX_FILTER_VALUE_LEN, MAX_FILTER_VALUES, MAX_LIMIT, external_id_rule, id_rule,
};
use crate::client::Client;
use crate::email::normalized_email;
use crate::endpoint::MAX_URL_LEN;
use crate::error::Error;
use crate::models::User;
use crate::users::ListUsers;

/// Most values [`resolve_users`] puts in one request: the API's limit for an array filter.
pub(crate) const LOOKUP_BATCH_SIZE: usize = MAX_FILTER_VALUES;

/// The page size [`resolve_users`] asks for: the API's maximum. A batch whose answer fills a
/// page is paged through.
pub(crate) const LOOKUP_PAGE_SIZE: u32 = MAX_LIMIT;

/// How many bytes of filter pairs one request may carry, so that the URL stays well under
/// [`MAX_URL_LEN`] whatever the base URL (up to about 2 KiB of it). A batch of long values is
/// cut before it reaches [`LOOKUP_BATCH_SIZE`] values.
const QUERY_BUDGET: usize = MAX_URL_LEN - 2 * 1024;

/// What a roster knows about one person, to find their Clerk user id.
///
/// ```
/// use clerk_memberships::sync::UserKey;
///
/// let key = UserKey::email("jane@acme.com");
/// assert_eq!(key.value(), "jane@acme.com");
/// assert_eq!(key.to_string(), r#"email address "jane@acme.com""#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum UserKey {
    /// An email address, matched against every address of a user without regard to case.
    /// Whitespace around it is ignored.
    Email(String),
    /// An external id ([`User::external_id`]), matched exactly.
    ExternalId(String),
    /// A Clerk user id, matched exactly: resolving it checks that the user exists.
    UserId(String),
}

impl UserKey {
    /// An [`Email`](Self::Email) key.
    pub fn email(email_address: impl Into<String>) -> Self {
        UserKey::Email(email_address.into())
    }

    /// An [`ExternalId`](Self::ExternalId) key.
    pub fn external_id(external_id: impl Into<String>) -> Self {
        UserKey::ExternalId(external_id.into())
    }

    /// A [`UserId`](Self::UserId) key.
    pub fn user_id(user_id: impl Into<String>) -> Self {
        UserKey::UserId(user_id.into())
    }

    /// The value, as given.
    pub fn value(&self) -> &str {
        match self {
            UserKey::Email(value) | UserKey::ExternalId(value) | UserKey::UserId(value) => value,
        }
    }

    /// What kind of key this is, in words: `email address`, `external id` or `user id`.
    pub fn kind(&self) -> &'static str {
        match self {
            UserKey::Email(_) => "email address",
            UserKey::ExternalId(_) => "external id",
            UserKey::UserId(_) => "user id",
        }
    }

    /// Why this key cannot be looked up, or `None` when it can: the rule
    /// [`resolve_users`] applies before sending anything (a key it breaks is
    /// [`Resolved::Refused`] with these words). Empty or only whitespace; an email address
    /// without `@`, or with a control character (NUL, a tab) or a space inside it; a value
    /// over 1024 bytes; a user id that is `.` or `..` or over 256 bytes.
    ///
    /// For checking a roster file before any request, so that a typo is reported with its
    /// line instead of as a user not found.
    ///
    /// ```
    /// use clerk_memberships::sync::UserKey;
    ///
    /// assert_eq!(UserKey::email("jane@acme.com").problem(), None);
    /// assert_eq!(
    ///     UserKey::email("jane.acme.com").problem().as_deref(),
    ///     Some("is not an email address (it has no `@`)")
    /// );
    /// assert_eq!(
    ///     UserKey::email("jane doe@acme.com").problem().as_deref(),
    ///     Some("is not an email address (it has a space)")
    /// );
    /// assert!(UserKey::user_id("..").problem().is_some());
    /// ```
    pub fn problem(&self) -> Option<String> {
        plan(self).err()
    }
}

/// How many characters of a key's value its `Display` quotes: enough for any real address or
/// id, and a message about a value of any size (a 10 MB roster cell) stays one short line.
const DISPLAYED_VALUE_CHARS: usize = 80;

/// The kind and the quoted value, escaped as `{:?}` escapes it: `email address
/// "jane@acme.com"`. A value over 80 characters is cut, with `…` before the closing quote.
impl fmt::Display for UserKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = self.value();
        let Some((end, _)) = value.char_indices().nth(DISPLAYED_VALUE_CHARS) else {
            return write!(f, "{} {value:?}", self.kind());
        };
        let quoted = format!("{:?}", value.get(..end).unwrap_or(""));
        let open = quoted.strip_suffix('"').unwrap_or(&quoted);
        write!(f, "{} {open}…\"", self.kind())
    }
}

/// What became of one [`UserKey`]; see [`Resolution`].
///
/// ```
/// use clerk_memberships::sync::Resolved;
///
/// let outcome = Resolved::Ambiguous { user_ids: vec!["user_1".into(), "user_2".into()] };
/// assert_eq!(outcome.user_id(), None, "never a guess");
/// assert_eq!(outcome.to_string(), "ambiguous: 2 users match (user_1, user_2)");
/// let outcome = Resolved::Found { user_id: "user_1".into() };
/// assert_eq!(outcome.user_id(), Some("user_1"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Resolved {
    /// Exactly one user matches.
    Found {
        /// That user's id.
        user_id: String,
    },
    /// No user matches.
    NotFound,
    /// Several users match; none was picked.
    Ambiguous {
        /// Every matching user's id, in the order the server listed them.
        user_ids: Vec<String>,
    },
    /// The key was not looked up because it cannot name anyone (empty, only whitespace, an
    /// email address without `@`, an id that is too long, …).
    Refused {
        /// Why, in words, e.g. `must not be empty`.
        reason: String,
    },
}

impl Resolved {
    /// The user id, when exactly one user was found.
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Resolved::Found { user_id } => Some(user_id),
            _ => None,
        }
    }

    /// Whether exactly one user was found.
    pub fn is_found(&self) -> bool {
        matches!(self, Resolved::Found { .. })
    }
}

impl fmt::Display for Resolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Resolved::Found { user_id } => write!(f, "found {user_id}"),
            Resolved::NotFound => f.write_str("not found"),
            Resolved::Ambiguous { user_ids } => {
                write!(
                    f,
                    "ambiguous: {} users match ({})",
                    user_ids.len(),
                    user_ids.join(", ")
                )
            }
            Resolved::Refused { reason } => write!(f, "refused: {reason}"),
        }
    }
}

/// What [`resolve_users`] found: one [`Resolved`] per distinct key, in the order the keys
/// were given.
///
/// ```
/// # use clerk_memberships::testing::{MockTransport, USER_JSON};
/// # let mock = MockTransport::new();
/// # mock.push_json(200, format!("[{USER_JSON}]"));
/// # let client = mock.client();
/// use clerk_memberships::sync::{self, UserKey};
///
/// let keys = ["jane.doe@acme.com", "  "].map(UserKey::email);
/// let resolution = sync::resolve_users(&client, keys)?;
/// for (key, outcome) in &resolution {
///     println!("{key}: {outcome}");
/// }
/// assert!(!resolution.is_complete());
/// let problems: Vec<String> = resolution
///     .unresolved()
///     .map(|(key, outcome)| format!("{key}: {outcome}"))
///     .collect();
/// assert_eq!(problems, [r#"email address "  ": refused: must not be only whitespace"#]);
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolution {
    entries: Vec<(UserKey, Resolved)>,
}

impl Resolution {
    /// What became of `key` (compared as given: `Jane@acme.com` and `jane@acme.com` are two
    /// keys, though they find the same user). `None` for a key that was not asked about.
    pub fn get(&self, key: &UserKey) -> Option<&Resolved> {
        self.entries
            .iter()
            .find(|(asked, _)| asked == key)
            .map(|(_, resolved)| resolved)
    }

    /// The user id `key` resolved to, when exactly one user was found.
    pub fn user_id(&self, key: &UserKey) -> Option<&str> {
        self.get(key)?.user_id()
    }

    /// Every key with what became of it, in the order the keys were given.
    pub fn iter(&self) -> impl Iterator<Item = (&UserKey, &Resolved)> {
        self.entries.iter().map(|(key, resolved)| (key, resolved))
    }

    /// The keys found, each with its user id.
    pub fn found(&self) -> impl Iterator<Item = (&UserKey, &str)> {
        self.iter()
            .filter_map(|(key, resolved)| Some((key, resolved.user_id()?)))
    }

    /// The keys not found, ambiguous or refused, with what became of them.
    pub fn unresolved(&self) -> impl Iterator<Item = (&UserKey, &Resolved)> {
        self.iter().filter(|(_, resolved)| !resolved.is_found())
    }

    /// Whether every key was found.
    pub fn is_complete(&self) -> bool {
        self.unresolved().next().is_none()
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<'a> IntoIterator for &'a Resolution {
    type Item = (&'a UserKey, &'a Resolved);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (UserKey, Resolved)>,
        fn(&'a (UserKey, Resolved)) -> (&'a UserKey, &'a Resolved),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(key, resolved)| (key, resolved))
    }
}

/// Which filter a lookup uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Field {
    Email,
    ExternalId,
    UserId,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::Email => "email_address",
            Field::ExternalId => "external_id",
            Field::UserId => "user_id",
        }
    }
}

/// A key as it is looked up: its filter and the value matched against users (an email
/// address in lowercase and without surrounding whitespace; ids as given).
type Lookup = (Field, String);

/// Resolves email addresses, external ids and user ids to Clerk user ids, with as few
/// `GET /users` requests as the API allows.
///
/// - **Batches.** Keys of one kind are looked up together, up to 100
///   values per request, so 1,000 email addresses cost 10 requests; a batch of very long
///   values is cut earlier so that its URL stays short enough to send. Each request asks for
///   500 users ordered by `created_at`; when an answer fills the
///   page, the batch is paged through until a short page. Keys of different kinds are never
///   mixed in one request (the API would AND the filters). The same value is looked up once,
///   however many keys lead to it. An empty set of keys sends nothing.
/// - **Matching never trusts the filter.** Each key is matched against the users in the
///   answer: an email address against every address of a user, **without regard to case**
///   (Clerk keeps addresses in lowercase; the lookup sends them lowercased and trimmed, and
///   compares lowercase on both sides); external ids and user ids exactly. A user in the
///   answer who matches no key is ignored, so a server that misreads a filter can cost
///   requests but never produce a wrong match.
/// - **Per key**, the [`Resolution`] says [`Found`](Resolved::Found) (one user),
///   [`NotFound`](Resolved::NotFound), [`Ambiguous`](Resolved::Ambiguous) (several users,
///   all listed; none is picked) or [`Refused`](Resolved::Refused).
/// - **Refused before sending**, per key, never failing the others: an empty or
///   whitespace-only value; an email address without `@` or over 1024 bytes; an external
///   id over that length; a user id that cannot be an id (`.`, `..`, or over 256 bytes).
/// - **Ids beginning with `+` or `-`.** The API reads a leading `+` on an `external_id` or
///   `user_id` value as "include" and `-` as "exclude", and takes the rest as the id. So
///   such an id is sent with one more `+` in front (`+-abc` asks for the external id `-abc`,
///   `++abc` for `+abc`), which is how the spec defines the sign, and in a request of its
///   own, so that a server reading it differently cannot change the answer for other keys
///   (and the answer is still matched exactly, as above).
///
/// Nothing is written: resolving only reads, and can be repeated.
///
/// ```
/// # use clerk_memberships::testing::{MockTransport, USER_JSON};
/// # let mock = MockTransport::new();
/// # mock.push_json(200, format!("[{USER_JSON}]")).push_json(200, "[]");
/// # let client = mock.client();
/// use clerk_memberships::sync::{self, Resolved, UserKey};
///
/// let roster = ["Jane.Doe@acme.com", "gone@acme.com"];
/// let keys = roster.map(UserKey::email).into_iter().chain([UserKey::external_id("-legacy-7")]);
/// let resolution = sync::resolve_users(&client, keys)?;
///
/// assert_eq!(
///     resolution.user_id(&UserKey::email("Jane.Doe@acme.com")),
///     Some("user_2h8op3Isl1QR7tKu5FGNfaLKEoU")
/// );
/// assert_eq!(resolution.get(&UserKey::email("gone@acme.com")), Some(&Resolved::NotFound));
/// assert_eq!(
///     resolution.get(&UserKey::external_id("-legacy-7")),
///     Some(&Resolved::NotFound)
/// );
/// # let sent = mock.requests();
/// # assert_eq!(sent[1].path_and_query(), "/v1/users?external_id=%2B-legacy-7&order_by=created_at&limit=500");
/// # Ok::<(), clerk_memberships::Error>(())
/// ```
///
/// # Errors
///
/// The first [`Error`] of any request (after the client's retries): the resolution stops
/// there and returns nothing else, since a partial answer would read as "not found" for the
/// keys not yet looked up. Resolving again is safe.
pub fn resolve_users(
    client: &Client,
    keys: impl IntoIterator<Item = UserKey>,
) -> Result<Resolution, Error> {
    // Each distinct key once, in the order given.
    let mut distinct = HashSet::new();
    let keys: Vec<UserKey> = keys
        .into_iter()
        .filter(|key| distinct.insert(key.clone()))
        .collect();

    // What each key is looked up as, or why it is refused.
    let plans: Vec<Result<Lookup, String>> = keys.iter().map(plan).collect();

    // Distinct lookups per field, in first-seen order; signed ids go alone.
    let mut seen = HashSet::new();
    let mut plain: HashMap<Field, Vec<&str>> = HashMap::new();
    let mut alone: Vec<&Lookup> = Vec::new();
    for lookup in plans.iter().flatten() {
        if !seen.insert(lookup) {
            continue;
        }
        let (field, value) = lookup;
        if *field != Field::Email && value.starts_with(['+', '-']) {
            alone.push(lookup);
        } else {
            plain.entry(*field).or_default().push(value);
        }
    }

    let mut matches: HashMap<&Lookup, Vec<String>> = HashMap::new();
    for field in [Field::Email, Field::ExternalId, Field::UserId] {
        let values = plain.remove(&field).unwrap_or_default();
        for batch in batches(field, &values) {
            let sent = batch.iter().map(|value| (*value).to_owned()).collect();
            let users = fetch(client, field, sent)?;
            collect_matches(field, &batch, &users, &plans, &mut matches);
        }
    }
    for lookup in alone {
        let (field, value) = lookup;
        let users = fetch(client, *field, vec![format!("+{value}")])?;
        collect_matches(*field, &[value.as_str()], &users, &plans, &mut matches);
    }

    let entries = keys
        .into_iter()
        .zip(&plans)
        .map(|(key, plan)| {
            let resolved = match plan {
                Err(reason) => Resolved::Refused {
                    reason: reason.clone(),
                },
                Ok(lookup) => match matches.get(lookup).map(Vec::as_slice) {
                    None | Some([]) => Resolved::NotFound,
                    Some([user_id]) => Resolved::Found {
                        user_id: user_id.clone(),
                    },
                    Some(user_ids) => Resolved::Ambiguous {
                        user_ids: user_ids.to_vec(),
                    },
                },
            };
            (key, resolved)
        })
        .collect();
    Ok(Resolution { entries })
}

/// What `key` is looked up as, or why it cannot be.
fn plan(key: &UserKey) -> Result<Lookup, String> {
    let value = key.value();
    if value.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if value.chars().all(char::is_whitespace) {
        return Err("must not be only whitespace".to_owned());
    }
    match key {
        UserKey::Email(_) => {
            let email = normalized_email(value);
            if !email.contains('@') {
                Err("is not an email address (it has no `@`)".to_owned())
            } else if email.contains(char::is_control) {
                Err("is not an email address (it has a control character)".to_owned())
            } else if email.contains(char::is_whitespace) {
                Err("is not an email address (it has a space)".to_owned())
            } else if email.len() > MAX_FILTER_VALUE_LEN {
                Err(format!(
                    "must be at most {MAX_FILTER_VALUE_LEN} bytes, got {}",
                    email.len()
                ))
            } else {
                Ok((Field::Email, email))
            }
        }
        UserKey::ExternalId(_) => match external_id_rule(value) {
            Some(rule) => Err(rule),
            None => Ok((Field::ExternalId, value.to_owned())),
        },
        UserKey::UserId(_) => match id_rule(value) {
            Some(rule) => Err(rule),
            None => Ok((Field::UserId, value.to_owned())),
        },
    }
}

/// Cuts `values` into batches of at most [`LOOKUP_BATCH_SIZE`] values whose query pairs fit
/// in [`QUERY_BUDGET`] bytes (a single value always fits: values are at most
/// [`MAX_FILTER_VALUE_LEN`] bytes, three times that escaped).
fn batches<'a>(field: Field, values: &[&'a str]) -> Vec<Vec<&'a str>> {
    let mut batches: Vec<Vec<&str>> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut bytes = 0;
    for &value in values {
        let cost = field.name().len() + 2 + escaped_len(value);
        if !current.is_empty()
            && (current.len() == LOOKUP_BATCH_SIZE || bytes + cost > QUERY_BUDGET)
        {
            batches.push(std::mem::take(&mut current));
            bytes = 0;
        }
        current.push(value);
        bytes += cost;
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

/// The length of `value` form-encoded as the client sends it.
fn escaped_len(value: &str) -> usize {
    value
        .bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
                1
            } else {
                3
            }
        })
        .sum()
}

/// Every user the server lists for one batch, paging through full pages.
fn fetch(client: &Client, field: Field, values: Vec<String>) -> Result<Vec<User>, Error> {
    let builder = ListUsers::builder()
        .order_by("created_at")
        .limit(LOOKUP_PAGE_SIZE);
    let builder = match field {
        Field::Email => builder.email_addresses(values),
        Field::ExternalId => builder.external_ids(values),
        Field::UserId => builder.user_ids(values),
    };
    let mut users = Vec::new();
    for page in builder.build()?.pages(client) {
        users.extend(page?);
    }
    Ok(users)
}

/// Records, for each lookup of `batch`, the ids of the users in `users` that match it.
fn collect_matches<'a>(
    field: Field,
    batch: &[&str],
    users: &[User],
    plans: &'a [Result<Lookup, String>],
    matches: &mut HashMap<&'a Lookup, Vec<String>>,
) {
    let wanted: HashSet<&str> = batch.iter().copied().collect();
    // The plans' own lookups are the map's keys, so that the map borrows nothing else.
    let mut keys: HashMap<&str, &'a Lookup> = HashMap::new();
    for lookup in plans.iter().flatten() {
        if lookup.0 == field && wanted.contains(lookup.1.as_str()) {
            keys.entry(lookup.1.as_str()).or_insert(lookup);
        }
    }
    for user in users {
        let mut hits: Vec<String> = match field {
            Field::Email => user
                .email_addresses
                .iter()
                .map(|address| normalized_email(&address.email_address))
                .collect(),
            Field::ExternalId => user.external_id.iter().cloned().collect(),
            Field::UserId => vec![user.id.clone()],
        };
        hits.sort_unstable();
        hits.dedup();
        for hit in hits {
            let Some(lookup) = keys.get(hit.as_str()) else {
                continue;
            };
            let ids = matches.entry(lookup).or_default();
            if !ids.contains(&user.id) {
                ids.push(user.id.clone());
            }
        }
    }
}
