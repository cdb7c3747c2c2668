//! The sync module's vocabulary: the small types the plan, the apply, the single-change
//! helpers and their errors all speak of. It imports nothing from the rest of `sync` but
//! [`UserKey`], so every other file can build on it.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::resolve::UserKey;

/// The admin role unless one is chosen: `org:admin`, Clerk's default admin role.
pub(crate) const ADMIN_ROLE: &str = "org:admin";

/// The kinds of [`Change`](super::Change), in the order a plan lists them.
///
/// ```
/// use clerk_memberships::sync::ChangeKind;
///
/// assert_eq!(ChangeKind::Remove.sign(), '-');
/// assert_eq!(serde_json::to_string(&ChangeKind::MergeMetadata)?, r#""merge_metadata""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChangeKind {
    /// [`Change::Add`](super::Change::Add).
    Add,
    /// [`Change::ChangeRole`](super::Change::ChangeRole).
    ChangeRole,
    /// [`Change::MergeMetadata`](super::Change::MergeMetadata).
    MergeMetadata,
    /// [`Change::Remove`](super::Change::Remove).
    Remove,
    /// [`Change::RevokeInvitation`](super::Change::RevokeInvitation).
    RevokeInvitation,
    /// [`Change::Invite`](super::Change::Invite).
    Invite,
}

impl ChangeKind {
    /// The character a plan's lines start with: `+` to add or invite, `~` to change, `-` to
    /// remove or revoke an invitation.
    pub fn sign(self) -> char {
        match self {
            ChangeKind::Add | ChangeKind::Invite => '+',
            ChangeKind::ChangeRole | ChangeKind::MergeMetadata => '~',
            ChangeKind::Remove | ChangeKind::RevokeInvitation => '-',
        }
    }
}

/// Why a change was planned but will not be made.
///
/// ```
/// use clerk_memberships::sync::SkipReason;
///
/// let reason = SkipReason::LastAdmin { role: "org:admin".into() };
/// assert_eq!(reason.to_string(), "the last member holding org:admin");
///
/// let when_applied = SkipReason::NoOtherAdmin { role: "org:admin".into() };
/// assert_eq!(when_applied.to_string(), "no other member holding org:admin when applied");
/// assert_eq!(
///     serde_json::to_string(&when_applied)?,
///     r#"{"reason":"no_other_admin","role":"org:admin"}"#
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SkipReason {
    /// The member is [protected](super::SyncOptionsBuilder::protect): never removed, never
    /// moved away from the admin role.
    Protected,
    /// The change would leave no member holding the admin role.
    LastAdmin {
        /// The admin role.
        role: String,
    },
    /// The member is one of the users an ambiguous roster entry could mean: removing them
    /// would be a guess.
    AmbiguousEntry {
        /// The ambiguous entry.
        entry: EntryRef,
    },
    /// Only when applying: a change of the first phase that gives someone the admin role did
    /// not succeed, so this change, which takes the role from someone, was not made (it could
    /// have left no member holding it). Plan again to retry it.
    AdminNotGained {
        /// The admin role.
        role: String,
    },
    /// Found when applying: the member holds the admin role and, as the server answered
    /// just before the change was to be sent, no other member does (someone else demoted or
    /// removed the other admins after the plan was made). The member was neither demoted nor
    /// removed.
    NoOtherAdmin {
        /// The admin role.
        role: String,
    },
    /// Only when applying: an earlier change failed and the apply was asked to
    /// [stop on error](super::ApplyOptionsBuilder::stop_on_error), so this one was not tried.
    Stopped,
    /// Found when applying: the user is not a member any more (removed after the plan was
    /// made), so there is no membership to change. Planning again proposes adding them, if
    /// the roster still names them.
    NotAMember,
    /// Only when applying: the apply was [cancelled](super::CancelToken::cancel) before this
    /// change was started, so it was not tried. Plan again to see what is left.
    Cancelled,
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::Protected => f.write_str("protected"),
            SkipReason::LastAdmin { role } => {
                write!(f, "the last member holding {}", Clean(role))
            }
            SkipReason::AmbiguousEntry { entry } => write!(f, "{entry} may mean this member"),
            SkipReason::AdminNotGained { role } => {
                write!(f, "no new member holding {} yet", Clean(role))
            }
            SkipReason::NoOtherAdmin { role } => {
                write!(f, "no other member holding {} when applied", Clean(role))
            }
            SkipReason::Stopped => f.write_str("not tried after an earlier failure"),
            SkipReason::NotAMember => f.write_str("no longer a member"),
            SkipReason::Cancelled => f.write_str("not started: the apply was cancelled"),
        }
    }
}

/// The five kinds of [`Outcome`](super::Outcome), for counting and for progress reports.
///
/// It serializes as `applied`, `already_done`, `skipped`, `failed` or `unknown`, and displays
/// the same words with spaces.
///
/// ```
/// use clerk_memberships::sync::OutcomeKind;
///
/// assert_eq!(OutcomeKind::AlreadyDone.to_string(), "already done");
/// assert_eq!(serde_json::to_string(&OutcomeKind::AlreadyDone)?, r#""already_done""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OutcomeKind {
    /// [`Outcome::Applied`](super::Outcome::Applied).
    Applied,
    /// [`Outcome::AlreadyDone`](super::Outcome::AlreadyDone).
    AlreadyDone,
    /// [`Outcome::Skipped`](super::Outcome::Skipped).
    Skipped,
    /// [`Outcome::Failed`](super::Outcome::Failed).
    Failed,
    /// [`Outcome::Unknown`](super::Outcome::Unknown).
    Unknown,
}

impl fmt::Display for OutcomeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OutcomeKind::Applied => "applied",
            OutcomeKind::AlreadyDone => "already done",
            OutcomeKind::Skipped => "skipped",
            OutcomeKind::Failed => "failed",
            OutcomeKind::Unknown => "unknown",
        })
    }
}

/// A roster entry, named in problems and plans: its position in the roster (counting from
/// 0, in the order the entries were given) and its key.
///
/// ```
/// use clerk_memberships::sync::{EntryRef, UserKey};
///
/// let entry = EntryRef::new(3, UserKey::email("jane@acme.com"));
/// assert_eq!(entry.to_string(), r#"entry 3 (email address "jane@acme.com")"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EntryRef {
    /// The entry's position in the roster, from 0.
    pub index: usize,
    /// The entry's key.
    #[serde(with = "key_serde")]
    pub key: UserKey,
}

impl EntryRef {
    /// The entry at `index`, with `key`.
    pub fn new(index: usize, key: UserKey) -> Self {
        EntryRef { index, key }
    }
}

impl fmt::Display for EntryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "entry {} ({})", self.index, self.key)
    }
}

/// A [`UserKey`] in JSON: `{"email_address": "…"}`, `{"external_id": "…"}` or
/// `{"user_id": "…"}`.
pub(crate) mod key_serde {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::UserKey;

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Key<'a> {
        EmailAddress(std::borrow::Cow<'a, str>),
        ExternalId(std::borrow::Cow<'a, str>),
        UserId(std::borrow::Cow<'a, str>),
    }

    pub(crate) fn serialize<S: Serializer>(
        key: &UserKey,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let value = key.value().into();
        match key {
            UserKey::Email(_) => Key::EmailAddress(value),
            UserKey::ExternalId(_) => Key::ExternalId(value),
            UserKey::UserId(_) => Key::UserId(value),
        }
        .serialize(serializer)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<UserKey, D::Error> {
        Ok(match Key::deserialize(deserializer)? {
            Key::EmailAddress(value) => UserKey::email(value.into_owned()),
            Key::ExternalId(value) => UserKey::external_id(value.into_owned()),
            Key::UserId(value) => UserKey::user_id(value.into_owned()),
        })
    }
}

/// When a plan removes too many members to be applied without being forced: like the
/// "prevent accidental deletes" setting of directory-sync tools.
///
/// A plan is **over the threshold when its removals are more than `percent` % of the current
/// members AND more than `count` members**. Both must hold, so a small organization can
/// shrink by a few members freely and a large one by a few percent. The default,
/// `more than 10% and more than 10`, lets 100 members lose 10 (but not 11) and 1,000 members
/// lose 100 (but not 101); 20 members can lose 10 (50%) but not 11.
///
/// ```
/// use clerk_memberships::sync::RemovalThreshold;
///
/// let threshold = RemovalThreshold::default();
/// assert_eq!((threshold.percent(), threshold.count()), (10, 10));
/// assert!(!threshold.is_exceeded(10, 100));
/// assert!(threshold.is_exceeded(11, 100));
/// assert!(!threshold.is_exceeded(11, 200)); // 5.5%
/// assert_eq!(threshold.to_string(), "more than 10% of the members and more than 10 members");
///
/// // Refuse any removal of more than 2 members, whatever the size.
/// assert!(RemovalThreshold::new(0, 2).is_exceeded(3, 10_000));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RemovalThreshold {
    percent: u32,
    count: u64,
}

impl Default for RemovalThreshold {
    fn default() -> Self {
        RemovalThreshold {
            percent: 10,
            count: 10,
        }
    }
}

impl RemovalThreshold {
    /// Over the threshold when removals are more than `percent` % of the current members and
    /// more than `count` members. A `percent` of 100 or more can never be exceeded.
    pub fn new(percent: u32, count: u64) -> Self {
        RemovalThreshold { percent, count }
    }

    /// A threshold no plan exceeds.
    pub fn unlimited() -> Self {
        RemovalThreshold {
            percent: u32::MAX,
            count: u64::MAX,
        }
    }

    /// The share of current members, in percent, that removals must exceed.
    pub fn percent(&self) -> u32 {
        self.percent
    }

    /// The number of members that removals must exceed.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Whether `removals` out of `current_members` exceed the threshold.
    pub fn is_exceeded(&self, removals: u64, current_members: u64) -> bool {
        // removals / current > percent / 100, in integers that cannot overflow.
        let share =
            u128::from(removals) * 100 > u128::from(self.percent) * u128::from(current_members);
        removals > self.count && share
    }
}

impl fmt::Display for RemovalThreshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == RemovalThreshold::unlimited() {
            return f.write_str("unlimited");
        }
        write!(
            f,
            "more than {}% of the members and more than {} members",
            self.percent, self.count
        )
    }
}

/// A plan's removals held against its [`RemovalThreshold`].
///
/// ```
/// use clerk_memberships::sync::{RemovalCheck, RemovalThreshold};
///
/// let check = RemovalCheck::new(15, 100, RemovalThreshold::default());
/// assert!(check.exceeded);
/// assert_eq!(
///     check.to_string(),
///     "15 removals of 100 members exceed the removal threshold \
///      (more than 10% of the members and more than 10 members)"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RemovalCheck {
    /// Members the plan removes (skipped removals not included).
    pub removals: u64,
    /// Members the organization had when the plan was made.
    pub current_members: u64,
    /// The threshold.
    pub threshold: RemovalThreshold,
    /// Whether the removals exceed it.
    pub exceeded: bool,
}

impl RemovalCheck {
    /// `removals` of `current_members` held against `threshold`.
    pub fn new(removals: u64, current_members: u64, threshold: RemovalThreshold) -> Self {
        RemovalCheck {
            removals,
            current_members,
            threshold,
            exceeded: threshold.is_exceeded(removals, current_members),
        }
    }
}

impl fmt::Display for RemovalCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = if self.removals == 1 { "" } else { "s" };
        let verdict = if self.exceeded {
            "exceed"
        } else {
            "are within"
        };
        write!(
            f,
            "{} removal{s} of {} members {verdict} the removal threshold ({})",
            self.removals, self.current_members, self.threshold
        )
    }
}

/// Text shown escaped as error messages are (control characters and the marks that reorder
/// text), so that it stays on its line and reads as it is.
pub(crate) struct Clean<'a>(pub(crate) &'a str);

impl fmt::Display for Clean<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0
            .chars()
            .try_for_each(|c| crate::text::write_escaped(f, c))
    }
}

/// `impl Sum` for a struct of counts: each field is the sum of the fields. The pattern names
/// every field without `..`, so a field added to the struct and not here does not compile.
macro_rules! sum_of_counts {
    ($(#[$doc:meta])* $counts:ident { $($field:ident),+ $(,)? }) => {
        $(#[$doc])*
        impl std::iter::Sum for $counts {
            fn sum<I: Iterator<Item = $counts>>(all: I) -> $counts {
                all.fold($counts::default(), |total, counts| {
                    let $counts { $($field),+ } = counts;
                    $counts { $($field: total.$field + $field),+ }
                })
            }
        }
    };
}
pub(super) use sum_of_counts;
