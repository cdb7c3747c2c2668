//! The words a plan uses for invitations: an entry waiting on its pending invitation, and
//! the limit on how many invitations one run may send. How they are planned lives in
//! `invite`.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::vocab::{Clean, EntryRef};

/// How many invitations one plan may send unless forced: an email cannot be taken back.
pub(crate) const DEFAULT_MAX_INVITES: u64 = 50;

/// A roster entry whose invitation is pending: sent, not yet accepted. Nothing is to be done
/// but wait for the invitee, unless the invitation gives another role than the roster and
/// [`reinvite`](super::SyncOptionsBuilder::reinvite) is off (then `invited_role` differs
/// from `role`, and the line says so).
///
/// ```
/// use clerk_memberships::sync::{EntryRef, UserKey, WaitingInvitation};
///
/// let json = r#"{"entry":{"index":2,"key":{"email_address":"new@acme.com"}},
///   "invitation_id":"orginv_1","role":"org:member","invited_role":"org:member"}"#;
/// let waiting: WaitingInvitation = serde_json::from_str(json)?;
/// assert_eq!(waiting.entry, EntryRef::new(2, UserKey::email("new@acme.com")));
/// assert_eq!(waiting.to_string(), "… waiting new@acme.com org:member (orginv_1)");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WaitingInvitation {
    /// The roster entry.
    pub entry: EntryRef,
    /// The pending invitation (`orginv_…`).
    pub invitation_id: String,
    /// The role the roster wants.
    pub role: String,
    /// The role the invitation gives on acceptance.
    pub invited_role: String,
}

impl WaitingInvitation {
    /// Whether the invitation gives another role than the roster's.
    pub fn role_differs(&self) -> bool {
        self.role != self.invited_role
    }
}

/// `… waiting`, the address, the role and the invitation's id; when the invitation gives
/// another role, what it gives and that a reinvite would replace it.
impl fmt::Display for WaitingInvitation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "… waiting {} {} ({}",
            Clean(self.entry.key.value()),
            Clean(&self.role),
            Clean(&self.invitation_id)
        )?;
        if self.role_differs() {
            write!(
                f,
                ", invited as {}: a reinvite replaces it",
                Clean(&self.invited_role)
            )?;
        }
        f.write_str(")")
    }
}

/// A plan's invitations held against its limit.
///
/// ```
/// use clerk_memberships::sync::InviteCheck;
///
/// let json = r#"{"invites":60,"max_invites":50,"exceeded":true}"#;
/// let check: InviteCheck = serde_json::from_str(json)?;
/// assert_eq!(check.to_string(), "60 invitations exceed the limit of 50 per run");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InviteCheck {
    /// Invitations the plan sends.
    pub invites: u64,
    /// The most one run may send unless forced.
    pub max_invites: u64,
    /// Whether `invites` exceeds `max_invites`.
    pub exceeded: bool,
}

impl fmt::Display for InviteCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = if self.invites == 1 { "" } else { "s" };
        let verdict = if self.exceeded {
            "exceed"
        } else {
            "are within"
        };
        write!(
            f,
            "{} invitation{s} {verdict} the limit of {} per run",
            self.invites, self.max_invites
        )
    }
}
