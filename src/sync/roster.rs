//! The desired state: who should be a member of one organization (or, entry by entry, of
//! several), with which role and metadata.

use std::collections::HashMap;

use serde_json::Value;

use super::error::{RosterProblem, SyncError};
use super::resolve::UserKey;
use super::vocab::EntryRef;
use crate::builder::metadata::MetadataInput;
use crate::builder::{MAX_FILTER_VALUE_LEN, id_rule};
use crate::error::BuildError;
use crate::models::Metadata;

/// One desired member: who (a [`UserKey`]), with which role, and optionally which public and
/// private metadata.
///
/// Metadata is checked when it is set, as the operations' builders check it (a JSON object,
/// nested at most 64 levels deep and at most 65536 bytes as JSON); a value that breaks a rule
/// is dropped and [`Roster::push`] refuses the entry, naming it. What a policy does with it is
/// up to [`MetadataPolicy`](super::MetadataPolicy); an object that is not set is not managed.
///
/// ```
/// use clerk_memberships::sync::{RosterEntry, UserKey};
/// use serde_json::json;
///
/// let entry = RosterEntry::email("jane@acme.com", "org:admin")
///     .with_public_metadata(json!({"team": "billing"}));
/// assert_eq!(entry.key(), &UserKey::email("jane@acme.com"));
/// assert_eq!(entry.role(), "org:admin");
/// assert_eq!(entry.public_metadata().unwrap()["team"], "billing");
/// assert_eq!(entry.private_metadata(), None);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RosterEntry {
    key: UserKey,
    role: String,
    organization: Option<String>,
    public_metadata: MetadataInput,
    private_metadata: MetadataInput,
}

impl RosterEntry {
    /// An entry for `key` with `role` (e.g. `org:member`), without metadata.
    pub fn new(key: UserKey, role: impl Into<String>) -> Self {
        RosterEntry {
            key,
            role: role.into(),
            organization: None,
            public_metadata: MetadataInput::Unset,
            private_metadata: MetadataInput::Unset,
        }
    }

    /// An entry naming a Clerk user id.
    pub fn user_id(user_id: impl Into<String>, role: impl Into<String>) -> Self {
        Self::new(UserKey::user_id(user_id), role)
    }

    /// An entry naming an email address (matched without regard to case).
    pub fn email(email_address: impl Into<String>, role: impl Into<String>) -> Self {
        Self::new(UserKey::email(email_address), role)
    }

    /// An entry naming an external id.
    pub fn external_id(external_id: impl Into<String>, role: impl Into<String>) -> Self {
        Self::new(UserKey::external_id(external_id), role)
    }

    /// The desired public metadata (a JSON object). A `null` value means "this key should
    /// not be there".
    pub fn with_public_metadata(self, metadata: Value) -> Self {
        self.set_public_metadata(Some(metadata))
    }

    /// The desired public metadata, or `None` to leave it unmanaged.
    pub fn set_public_metadata(mut self, metadata: Option<Value>) -> Self {
        self.public_metadata = MetadataInput::new("public_metadata", metadata);
        self
    }

    /// The desired private metadata (a JSON object). A `null` value means "this key should
    /// not be there".
    pub fn with_private_metadata(self, metadata: Value) -> Self {
        self.set_private_metadata(Some(metadata))
    }

    /// The desired private metadata, or `None` to leave it unmanaged.
    pub fn set_private_metadata(mut self, metadata: Option<Value>) -> Self {
        self.private_metadata = MetadataInput::new("private_metadata", metadata);
        self
    }

    /// The organization this entry is for, by id (`org_…`) or slug: for a roster that spans
    /// organizations, planned with [`plan_all`](super::plan_all). [`plan`](super::plan), for
    /// one organization the caller names, takes only entries without one.
    ///
    /// ```
    /// use clerk_memberships::sync::RosterEntry;
    ///
    /// let entry = RosterEntry::email("jane@acme.com", "org:admin").in_organization("acme-corp");
    /// assert_eq!(entry.organization(), Some("acme-corp"));
    /// ```
    pub fn in_organization(self, organization: impl Into<String>) -> Self {
        self.set_organization(Some(organization.into()))
    }

    /// The organization this entry is for, or `None` for the organization the plan is for.
    pub fn set_organization(mut self, organization: Option<String>) -> Self {
        self.organization = organization;
        self
    }

    /// The organization this entry names (an id or a slug, as given), if any.
    pub fn organization(&self) -> Option<&str> {
        self.organization.as_deref()
    }

    /// Who this entry names.
    pub fn key(&self) -> &UserKey {
        &self.key
    }

    /// The desired role.
    pub fn role(&self) -> &str {
        &self.role
    }

    /// The desired public metadata, when set (and accepted).
    pub fn public_metadata(&self) -> Option<&Metadata> {
        metadata_of(&self.public_metadata)
    }

    /// The desired private metadata, when set (and accepted).
    pub fn private_metadata(&self) -> Option<&Metadata> {
        metadata_of(&self.private_metadata)
    }

    /// The rules this entry breaks on its own, as problems of entry `index`.
    fn problems(&self, index: usize) -> Vec<RosterProblem> {
        let entry = EntryRef::new(index, self.key.clone());
        let mut problems = Vec::new();
        if let Some(rule) = self.organization.as_deref().and_then(id_rule) {
            problems.push(RosterProblem::InvalidOrganization {
                entry: entry.clone(),
                rule,
            });
        }
        if self.role.trim().is_empty() {
            problems.push(RosterProblem::EmptyRole {
                entry: entry.clone(),
            });
        } else if self.role.len() > MAX_FILTER_VALUE_LEN {
            problems.push(RosterProblem::RoleTooLong {
                entry: entry.clone(),
                len: self.role.len(),
            });
        }
        for metadata in [&self.public_metadata, &self.private_metadata] {
            if let Err(err) = metadata.check() {
                let field = err.field();
                let rule = match err {
                    BuildError::InvalidField { rule, .. } => rule,
                    other => other.to_string(),
                };
                problems.push(RosterProblem::InvalidMetadata {
                    entry: entry.clone(),
                    field,
                    rule,
                });
            }
        }
        problems
    }
}

fn metadata_of(input: &MetadataInput) -> Option<&Metadata> {
    match input {
        MetadataInput::Checked(value) => value.as_object(),
        MetadataInput::Unset | MetadataInput::Rejected(_) => None,
    }
}

/// The desired members of one organization: [`RosterEntry`]s, each naming a different person.
///
/// Built entry by entry ([`push`](Self::push), [`entry`](Self::entry)) or from an iterator
/// ([`from_entries`](Self::from_entries)). What is refused, naming the entries:
///
/// - two entries with the same key for the same organization (email addresses compare
///   without regard to case and surrounding whitespace, ids exactly; an organization's id
///   and slug are told apart only once [`plan_all`](super::plan_all) has looked them up);
/// - an organization that cannot be an id or a slug (empty, only whitespace, `.`, `..`, too
///   long);
/// - an empty (or whitespace-only) role, or one over 1024 bytes;
/// - metadata that is not a JSON object or breaks the crate's metadata limits.
///
/// Two entries with different keys that turn out to be the same user (an email address and
/// that user's id) can only be seen once the keys are resolved: [`plan`](super::plan)
/// refuses them.
///
/// ```
/// use clerk_memberships::sync::{Roster, RosterEntry};
///
/// let roster = Roster::new()
///     .entry(RosterEntry::email("jane@acme.com", "org:admin"))?
///     .entry(RosterEntry::external_id("hr-00042", "org:member"))?;
/// assert_eq!(roster.len(), 2);
///
/// let err = roster.entry(RosterEntry::email(" Jane@ACME.com", "org:member")).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     r#"invalid roster: entry 2 (email address " Jane@ACME.com") has the same key as entry 0 (email address "jane@acme.com")"#
/// );
/// # Ok::<(), clerk_memberships::sync::SyncError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Roster {
    entries: Vec<RosterEntry>,
    /// Each organization (as given) and key, normalized, with the index of its entry.
    seen: HashMap<(Option<String>, UserKey), usize>,
}

impl Roster {
    /// An empty roster: with [`SyncOptionsBuilder::prune`](super::SyncOptionsBuilder::prune),
    /// it asks for every member to be removed.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an entry.
    ///
    /// # Errors
    ///
    /// [`SyncError::InvalidRoster`], naming the entry, when it repeats the key of an entry
    /// already there, has an empty or overlong role or has invalid metadata; the roster is
    /// unchanged.
    pub fn push(&mut self, entry: RosterEntry) -> Result<(), SyncError> {
        let problems = self.problems_of(&entry);
        if !problems.is_empty() {
            return Err(SyncError::InvalidRoster { problems });
        }
        self.seen.insert(seen_key(&entry), self.entries.len());
        self.entries.push(entry);
        Ok(())
    }

    /// Adds an entry, for chaining.
    ///
    /// # Errors
    ///
    /// As [`push`](Self::push).
    pub fn entry(mut self, entry: RosterEntry) -> Result<Self, SyncError> {
        self.push(entry)?;
        Ok(self)
    }

    /// A roster of these entries, in order.
    ///
    /// ```
    /// use clerk_memberships::sync::{Roster, RosterEntry, SyncError};
    ///
    /// let rows = [("jane@acme.com", "org:admin"), ("john@acme.com", ""), ("JANE@acme.com", "org:member")];
    /// let err = Roster::from_entries(rows.iter().map(|(email, role)| RosterEntry::email(*email, *role)))
    ///     .unwrap_err();
    /// let SyncError::InvalidRoster { problems } = &err else { unreachable!() };
    /// assert_eq!(problems.len(), 2, "every problem, not only the first: {err}");
    /// ```
    ///
    /// # Errors
    ///
    /// [`SyncError::InvalidRoster`] listing every problem of every entry, as [`push`](Self::push)
    /// finds them.
    pub fn from_entries(entries: impl IntoIterator<Item = RosterEntry>) -> Result<Self, SyncError> {
        let mut roster = Roster::new();
        let mut problems = Vec::new();
        for entry in entries {
            let found = roster.problems_of(&entry);
            if found.is_empty() {
                roster.seen.insert(seen_key(&entry), roster.entries.len());
            } else {
                problems.extend(found);
                // Keep counting positions as the caller sees them.
                roster
                    .seen
                    .entry(seen_key(&entry))
                    .or_insert(roster.entries.len());
            }
            roster.entries.push(entry);
        }
        if problems.is_empty() {
            Ok(roster)
        } else {
            Err(SyncError::InvalidRoster { problems })
        }
    }

    fn problems_of(&self, entry: &RosterEntry) -> Vec<RosterProblem> {
        let index = self.entries.len();
        let mut problems = Vec::new();
        if let Some(&first) = self.seen.get(&seen_key(entry))
            && let Some(earlier) = self.entries.get(first)
        {
            problems.push(RosterProblem::DuplicateKey {
                entry: EntryRef::new(index, entry.key.clone()),
                first: EntryRef::new(first, earlier.key.clone()),
            });
        }
        problems.extend(entry.problems(index));
        problems
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry at `index`.
    pub fn get(&self, index: usize) -> Option<&RosterEntry> {
        self.entries.get(index)
    }

    /// The entries, in the order they were added.
    pub fn iter(&self) -> std::slice::Iter<'_, RosterEntry> {
        self.entries.iter()
    }
}

impl<'a> IntoIterator for &'a Roster {
    type Item = &'a RosterEntry;
    type IntoIter = std::slice::Iter<'a, RosterEntry>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The key two entries are compared by: an email address as the crate compares them (ASCII
/// case and surrounding ASCII whitespace ignored, nothing else), ids as given.
pub(super) fn normalized(key: &UserKey) -> UserKey {
    match key {
        UserKey::Email(email) => UserKey::email(crate::email::normalized_email(email)),
        other => other.clone(),
    }
}

/// What two entries of one roster are compared by: the organization as given, and the key.
fn seen_key(entry: &RosterEntry) -> (Option<String>, UserKey) {
    (entry.organization.clone(), normalized(&entry.key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn entries_keep_their_order_and_accessors() {
        let roster = Roster::from_entries([
            RosterEntry::user_id("user_1", "org:admin"),
            RosterEntry::email("a@x.com", "org:member").with_private_metadata(json!({"k": 1})),
        ])
        .unwrap();
        let keys: Vec<String> = roster.iter().map(|e| e.key().to_string()).collect();
        assert_eq!(keys, [r#"user id "user_1""#, r#"email address "a@x.com""#]);
        assert_eq!(roster.get(1).unwrap().private_metadata().unwrap()["k"], 1);
    }

    #[test]
    fn duplicate_keys_name_both_entries() {
        let mut roster = Roster::new();
        roster
            .push(RosterEntry::external_id("hr-1", "org:member"))
            .unwrap();
        roster
            .push(RosterEntry::external_id("HR-1", "org:member"))
            .unwrap(); // ids are exact
        let err = roster
            .push(RosterEntry::external_id("hr-1", "org:admin"))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"invalid roster: entry 2 (external id "hr-1") has the same key as entry 0 (external id "hr-1")"#
        );
        assert_eq!(roster.len(), 2, "a refused entry is not added");
    }

    #[test]
    fn empty_roles_and_bad_metadata_are_refused() {
        let err = Roster::from_entries([
            RosterEntry::email("a@x.com", " "),
            RosterEntry::email("b@x.com", "org:member").with_public_metadata(json!([1, 2])),
            RosterEntry::email("a@x.com", "org:member"),
        ])
        .unwrap_err();
        let SyncError::InvalidRoster { problems } = &err else {
            panic!("{err:?}");
        };
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                r#"entry 0 (email address "a@x.com") has an empty role"#,
                r#"entry 1 (email address "b@x.com"): public_metadata must be a JSON object"#,
                r#"entry 2 (email address "a@x.com") has the same key as entry 0 (email address "a@x.com")"#,
            ]
        );
        assert_eq!(
            err.to_string(),
            r#"invalid roster: entry 0 (email address "a@x.com") has an empty role (and 2 more problems)"#
        );
    }

    #[test]
    fn an_overlong_role_is_refused_and_a_long_key_quoted_short() {
        let long = "a".repeat(10 * 1024 * 1024);
        let err = Roster::new()
            .entry(RosterEntry::email(format!("{long}@x.com"), long.clone()))
            .unwrap_err();
        let SyncError::InvalidRoster { problems } = &err else {
            panic!("{err:?}");
        };
        assert!(
            matches!(problems[..], [RosterProblem::RoleTooLong { len, .. }] if len == long.len()),
            "{problems:?}"
        );
        let shown = err.to_string();
        assert_eq!(
            shown,
            format!(
                "invalid roster: entry 0 (email address \"{}…\"): the role must be at most 1024 \
                 bytes, got 10485760",
                "a".repeat(80)
            )
        );
        let longest = "r".repeat(MAX_FILTER_VALUE_LEN);
        assert!(
            Roster::new()
                .entry(RosterEntry::user_id("user_1", longest))
                .is_ok()
        );
    }

    #[test]
    fn metadata_nested_too_deep_is_refused_without_overflowing() {
        let mut deep = json!(1);
        for _ in 0..100 {
            deep = json!({ "a": deep });
        }
        let entry = RosterEntry::email("a@x.com", "org:member").with_public_metadata(deep);
        assert_eq!(entry.public_metadata(), None);
        assert!(Roster::new().entry(entry).is_err());
    }

    #[test]
    fn entry_refs_serialize_their_key_by_kind() {
        let entry = EntryRef::new(2, UserKey::email("a@x.com"));
        let json = serde_json::to_string(&entry).unwrap();
        assert_eq!(json, r#"{"index":2,"key":{"email_address":"a@x.com"}}"#);
        assert_eq!(serde_json::from_str::<EntryRef>(&json).unwrap(), entry);
    }
}
