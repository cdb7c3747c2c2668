//! Onboarding people who have no account yet: the plan's invitations (from the roster's
//! addresses that name nobody and the organization's pending invitations) and the two
//! single changes that send them, [`InviteMember`] and [`InviteMembers`], which never send
//! an email twice for one intent.

use std::collections::{HashMap, HashSet};

use super::invitation::WaitingInvitation;
use super::options::{MetadataPolicy, SyncOptions};
use super::outcome::{ChangeError, Outcome, may_have_landed};
use super::plan::{Change, Plan, Unresolved};
use super::resolve::UserKey;
use super::roster::{Roster, RosterEntry};
use super::vocab::EntryRef;
use crate::builder::MAX_LIMIT;
use crate::client::Client;
use crate::email::normalized_email;
use crate::error::{BuildError, Error};
use crate::invitations::{
    BulkCreateInvitations, CreateInvitation, ListInvitations, NewInvitation, RevokeInvitation,
};
use crate::models::{Metadata, OrganizationInvitation};

/// Every pending invitation of `organization_id`, oldest first.
pub(crate) fn read_pending(
    client: &Client,
    organization_id: &str,
) -> Result<Vec<OrganizationInvitation>, Error> {
    let mut pending: Vec<OrganizationInvitation> = ListInvitations::builder()
        .organization_id(organization_id)
        .status("pending")
        .order_by("+created_at")
        .limit(MAX_LIMIT)
        .build()?
        .items(client)
        .collect::<Result<_, _>>()?;
    // A listing may repeat one as its pages shift: each counts once.
    let mut seen = HashSet::new();
    pending.retain(|invitation| invitation.is_pending() && seen.insert(invitation.id.clone()));
    Ok(pending)
}

/// Turns the plan's roster addresses that name nobody into invitations, given the
/// organization's `pending` invitations: an address already invited is waiting (or, with
/// `reinvite` and another role, revoked and invited again); the others are invited; with
/// `prune`, a pending invitation to an address no longer on the roster is revoked.
pub(crate) fn add_invitations(
    plan: &mut Plan,
    roster: &Roster,
    pending: &[OrganizationInvitation],
    options: &SyncOptions,
) {
    let entries: Vec<(usize, &RosterEntry)> = roster.iter().enumerate().collect();
    add_invitations_among(plan, &entries, pending, options);
}

/// As [`add_invitations`], for a plan made from some of a roster's entries (one
/// organization's), each with its index in the roster.
pub(crate) fn add_invitations_among(
    plan: &mut Plan,
    entries: &[(usize, &RosterEntry)],
    pending: &[OrganizationInvitation],
    options: &SyncOptions,
) {
    let mut by_address: HashMap<String, &OrganizationInvitation> = HashMap::new();
    for invitation in pending {
        by_address
            .entry(normalized_email(&invitation.email_address))
            .or_insert(invitation);
    }
    let by_index: HashMap<usize, &RosterEntry> = entries.iter().copied().collect();
    let metadata = |metadata: Option<&Metadata>| match options.metadata() {
        MetadataPolicy::Ignore => None,
        _ => metadata.filter(|m| !m.is_empty()).cloned(),
    };
    let mut invited = HashSet::new();
    let mut unresolved = Vec::new();
    for problem in std::mem::take(&mut plan.unresolved) {
        let (EntryRef { index, key }, Unresolved::NotFound) = (&problem.entry, &problem.problem)
        else {
            unresolved.push(problem);
            continue;
        };
        let (UserKey::Email(address), Some(entry)) = (key, by_index.get(index).copied()) else {
            unresolved.push(problem);
            continue;
        };
        let normalized = normalized_email(address);
        if !invited.insert(normalized.clone()) {
            // The roster names the address twice: one invitation.
            continue;
        }
        let invite = Change::Invite {
            email_address: address.clone(),
            role: entry.role().to_owned(),
            public_metadata: metadata(entry.public_metadata()),
            private_metadata: metadata(entry.private_metadata()),
        };
        match by_address.get(&normalized) {
            Some(current) if current.role != entry.role() && options.reinvite() => {
                plan.changes.push(Change::RevokeInvitation {
                    invitation_id: current.id.clone(),
                    email_address: current.email_address.clone(),
                    role: current.role.clone(),
                });
                plan.changes.push(invite);
            }
            Some(current) => plan.waiting.push(WaitingInvitation {
                entry: problem.entry.clone(),
                invitation_id: current.id.clone(),
                role: entry.role().to_owned(),
                invited_role: current.role.clone(),
            }),
            None => plan.changes.push(invite),
        }
    }
    plan.unresolved = unresolved;
    if options.prune() {
        let on_roster: HashSet<String> = entries
            .iter()
            .filter_map(|(_, entry)| match entry.key() {
                UserKey::Email(address) => Some(normalized_email(address)),
                _ => None,
            })
            .collect();
        for invitation in pending {
            if !on_roster.contains(&normalized_email(&invitation.email_address)) {
                plan.changes.push(Change::RevokeInvitation {
                    invitation_id: invitation.id.clone(),
                    email_address: invitation.email_address.clone(),
                    role: invitation.role.clone(),
                });
            }
        }
    }
    // Within one address, the revocation sorts before the invitation that replaces it, and
    // applying runs them in that order.
    plan.changes.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    plan.max_invites = options.max_invites();
}

/// The pending invitation of `organization_id` to `email_address`, if any, read with
/// `GET …/invitations?status=pending&email_address=…`.
fn find_pending(
    client: &Client,
    organization_id: &str,
    email_address: &str,
) -> Result<Option<OrganizationInvitation>, Error> {
    let page = ListInvitations::builder()
        .organization_id(organization_id)
        .status("pending")
        .email_address(email_address)
        .limit(10)
        .build()?
        .send(client)?;
    Ok(page
        .data
        .into_iter()
        .find(|invitation| invitation.is_pending() && invitation.invites(email_address)))
}

/// How an [`InviteMember`] ended.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Invited {
    /// The invitation was created by this call (its answer may have been lost: then it was
    /// found pending by reading).
    Sent(OrganizationInvitation),
    /// Clerk refused the invitation and the address has a pending one already (someone else
    /// invited it since the plan was made): nothing was sent.
    AlreadyPending(OrganizationInvitation),
}

impl From<Invited> for Outcome {
    fn from(invited: Invited) -> Self {
        match invited {
            Invited::Sent(_) => Outcome::Applied,
            Invited::AlreadyPending(_) => Outcome::AlreadyDone,
        }
    }
}

/// Invites one address, never sending a second email for it: `POST
/// /organizations/{organization_id}/invitations`, once.
///
/// - **A lost answer is settled by reading, never by sending again.** When the create fails
///   in a way that may have reached the server (a timeout, a reset connection, a 5xx; the
///   client never repeats an invitation create), the address's pending invitations are read
///   (`GET …/invitations?status=pending&email_address=…`): one there → [`Invited::Sent`];
///   none → the create's error, and nothing is sent again (planning again shows the address
///   still to invite); the read fails too → [`ChangeError::Unknown`].
/// - **A refusal is read too.** When Clerk refuses the create (a 4xx), the pending
///   invitations are read: one there → [`Invited::AlreadyPending`] (another run or person
///   invited the address meanwhile); none → the refusal.
///
/// ```
/// use clerk_memberships::sync::{InviteMember, Invited};
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization};
///
/// let fake = FakeClerk::new();
/// let org = fake.add_organization(FakeOrganization::new("Acme"));
/// let invite = InviteMember::builder()
///     .organization_id(&org)
///     .email_address("new.hire@acme.com")
///     .role("org:member")
///     .build()?;
/// assert!(matches!(invite.send(&fake.client())?, Invited::Sent(_)));
/// // Sent twice, it does not email twice: the second is refused and finds the first.
/// assert!(matches!(invite.send(&fake.client())?, Invited::AlreadyPending(_)));
/// assert_eq!(fake.invitations(&org).len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct InviteMember {
    create: CreateInvitation,
}

impl InviteMember {
    /// A builder; the organization, the address and the role are required.
    pub fn builder() -> InviteMemberBuilder {
        InviteMemberBuilder::default()
    }

    /// Sends the invitation (at most once) and the reads it takes.
    ///
    /// # Errors
    ///
    /// [`ChangeError::Failed`] with the create's [`Error`] when no invitation to the address
    /// is pending afterwards (refused, or not created before its answer was lost);
    /// [`ChangeError::Unknown`] when the create's answer was lost and reading failed too.
    pub fn send(&self, client: &Client) -> Result<Invited, ChangeError> {
        let organization_id = self.create.organization_id();
        let email_address = self.create.email_address();
        let err = match self.create.send(client) {
            Ok(invitation) => return Ok(Invited::Sent(invitation)),
            Err(err) => err,
        };
        let lost = may_have_landed(&err);
        let refused = err
            .status()
            .is_some_and(|status| (400..500).contains(&status));
        if !lost && !refused {
            return Err(ChangeError::Failed(err));
        }
        match find_pending(client, organization_id, email_address) {
            Ok(Some(invitation)) if lost => Ok(Invited::Sent(invitation)),
            Ok(Some(invitation)) => Ok(Invited::AlreadyPending(invitation)),
            Ok(None) => Err(ChangeError::Failed(err)),
            Err(read_back) if lost => Err(ChangeError::Unknown {
                create: err,
                read_back: Box::new(read_back),
            }),
            Err(_) => Err(ChangeError::Failed(err)),
        }
    }
}

/// Builds an [`InviteMember`].
#[derive(Debug, Clone, Default)]
pub struct InviteMemberBuilder {
    organization_id: Option<String>,
    email_address: Option<String>,
    role: Option<String>,
    public_metadata: Option<Metadata>,
    private_metadata: Option<Metadata>,
    inviter_user_id: Option<String>,
    redirect_url: Option<String>,
    expires_in_days: Option<u32>,
}

impl InviteMemberBuilder {
    /// The organization. Required.
    pub fn organization_id(mut self, organization_id: impl Into<String>) -> Self {
        self.organization_id = Some(organization_id.into());
        self
    }

    /// The address to invite. Required.
    pub fn email_address(mut self, email_address: impl Into<String>) -> Self {
        self.email_address = Some(email_address.into());
        self
    }

    /// The role the membership gets on acceptance. Required.
    pub fn role(mut self, role: impl Into<String>) -> Self {
        self.role = Some(role.into());
        self
    }

    /// Public metadata the membership gets. Defaults to none.
    pub fn set_public_metadata(mut self, metadata: Option<Metadata>) -> Self {
        self.public_metadata = metadata;
        self
    }

    /// Private metadata the membership gets. Defaults to none.
    pub fn set_private_metadata(mut self, metadata: Option<Metadata>) -> Self {
        self.private_metadata = metadata;
        self
    }

    /// The user who invites (an admin of the organization). Defaults to none.
    pub fn inviter_user_id(mut self, user_id: impl Into<String>) -> Self {
        self.inviter_user_id = Some(user_id.into());
        self
    }

    /// Where the join link leads after acceptance, from an `Option`. Defaults to none.
    pub fn set_redirect_url(mut self, url: Option<&str>) -> Self {
        self.redirect_url = url.map(str::to_owned);
        self
    }

    /// How many days the invitation stays valid, from an `Option`. Defaults to Clerk's 30.
    pub fn set_expires_in_days(mut self, days: Option<u32>) -> Self {
        self.expires_in_days = days;
        self
    }

    /// The request.
    ///
    /// # Errors
    ///
    /// As [`CreateInvitationBuilder::build`](crate::CreateInvitationBuilder::build).
    pub fn build(self) -> Result<InviteMember, BuildError> {
        let mut create = CreateInvitation::builder()
            .set_inviter_user_id(self.inviter_user_id.as_deref())
            .set_redirect_url(self.redirect_url.as_deref())
            .set_expires_in_days(self.expires_in_days)
            .set_public_metadata(self.public_metadata.map(serde_json::Value::Object))
            .set_private_metadata(self.private_metadata.map(serde_json::Value::Object));
        if let Some(organization_id) = self.organization_id {
            create = create.organization_id(organization_id);
        }
        if let Some(email_address) = self.email_address {
            create = create.email_address(email_address);
        }
        if let Some(role) = self.role {
            create = create.role(role);
        }
        Ok(InviteMember {
            create: create.build()?,
        })
    }
}

/// How one invitation of an [`InviteMembers`] ended.
#[derive(Debug)]
#[non_exhaustive]
pub struct InviteResult {
    /// The address.
    pub email_address: String,
    /// How it ended.
    pub result: Result<Invited, NotInvited>,
}

/// Why an invitation of an [`InviteMembers`] is not pending.
#[derive(Debug)]
#[non_exhaustive]
pub enum NotInvited {
    /// The bulk request failed ([`BulkInvited::error`]) and reading shows no invitation
    /// pending for the address. Nothing was sent again: planning again shows it still to
    /// invite.
    NotCreated,
    /// The bulk request's answer was lost and reading the address's invitations failed too:
    /// whether it was invited is unknown.
    Unknown {
        /// The read's error.
        read_back: Error,
    },
    /// Clerk refused the bulk, and this address on its own (as an [`InviteMember`]).
    Refused(ChangeError),
}

/// What an [`InviteMembers`] did: one result per invitation, in the order given, and the
/// bulk request's error when it failed.
#[derive(Debug)]
#[non_exhaustive]
pub struct BulkInvited {
    /// One per invitation, in the order given.
    pub results: Vec<InviteResult>,
    /// The bulk request's error, when it failed (its answer lost, or refused).
    pub error: Option<Error>,
}

/// Invites up to 10 addresses in one request, `POST …/invitations/bulk`, never sending a
/// second email for any of them.
///
/// The bulk request is sent once. When it succeeds, every address Clerk answered with is
/// [`Invited::Sent`]; an address the answer leaves out (a partial answer) is settled by
/// reading its pending invitations (`GET …/invitations?status=pending&email_address=…`), as
/// every address is when the answer is lost (a timeout, a reset, a 5xx): pending →
/// [`Invited::Sent`]; none → [`NotInvited::NotCreated`], never sent again; the read fails →
/// [`NotInvited::Unknown`]. When Clerk refuses the bulk (a 4xx), each address is read:
/// pending → [`Invited::AlreadyPending`]; none → it is sent on its own as an
/// [`InviteMember`] (a refusal of the bulk is no email), so that one refused address does
/// not hold back the others.
///
/// ```
/// use clerk_memberships::sync::{InviteMembers, Invited};
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization};
///
/// let fake = FakeClerk::new();
/// let org = fake.add_organization(FakeOrganization::new("Acme"));
/// let done = InviteMembers::builder()
///     .organization_id(&org)
///     .invite("ann@acme.com", "org:member")
///     .invite("bob@acme.com", "org:admin")
///     .build()?
///     .send(&fake.client());
/// assert!(done.error.is_none());
/// assert!(done.results.iter().all(|r| matches!(r.result, Ok(Invited::Sent(_)))));
/// assert_eq!(fake.requests().len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct InviteMembers {
    bulk: BulkCreateInvitations,
}

impl InviteMembers {
    /// A builder; the organization and 1 to 10 invitations are required.
    pub fn builder() -> InviteMembersBuilder {
        InviteMembersBuilder::default()
    }

    /// Sends the bulk request (once) and the reads or single invitations it takes.
    pub fn send(&self, client: &Client) -> BulkInvited {
        let organization_id = self.bulk.organization_id();
        let invitations = self.bulk.invitations();
        let result = |email: &str, result| InviteResult {
            email_address: email.to_owned(),
            result,
        };
        let (created, error) = match self.bulk.send(client) {
            Ok(created) => (created.data, None),
            Err(err) => (Vec::new(), Some(err)),
        };
        let refused = error
            .as_ref()
            .and_then(Error::status)
            .is_some_and(|status| (400..500).contains(&status));
        let results = invitations
            .iter()
            .map(|invitation| {
                let email = invitation.email_address();
                if let Some(found) = created.iter().find(|i| i.invites(email)) {
                    return result(email, Ok(Invited::Sent(found.clone())));
                }
                let outcome = match find_pending(client, organization_id, email) {
                    Ok(Some(found)) if refused => Ok(Invited::AlreadyPending(found)),
                    Ok(Some(found)) => Ok(Invited::Sent(found)),
                    Ok(None) if refused => invitation
                        .to_create(organization_id)
                        .map_err(|err| ChangeError::Failed(Error::from(err)))
                        .and_then(|create| InviteMember { create }.send(client))
                        .map_err(NotInvited::Refused),
                    Ok(None) => Err(NotInvited::NotCreated),
                    Err(read_back) => Err(NotInvited::Unknown { read_back }),
                };
                result(email, outcome)
            })
            .collect();
        BulkInvited { results, error }
    }
}

/// Builds an [`InviteMembers`].
#[derive(Debug, Clone, Default)]
pub struct InviteMembersBuilder {
    organization_id: Option<String>,
    invitations: Vec<NewInvitation>,
}

impl InviteMembersBuilder {
    /// The organization. Required.
    pub fn organization_id(mut self, organization_id: impl Into<String>) -> Self {
        self.organization_id = Some(organization_id.into());
        self
    }

    /// Adds an invitation of `email_address` with `role`.
    pub fn invite(mut self, email_address: impl Into<String>, role: impl Into<String>) -> Self {
        self.invitations
            .push(NewInvitation::new(email_address, role));
        self
    }

    /// Adds an invitation built with every option of [`NewInvitation`].
    pub fn invitation(mut self, invitation: NewInvitation) -> Self {
        self.invitations.push(invitation);
        self
    }

    /// The request.
    ///
    /// # Errors
    ///
    /// As [`BulkCreateInvitationsBuilder::build`](crate::BulkCreateInvitationsBuilder::build):
    /// none or more than 10 invitations, an address twice, an invitation that breaks a rule,
    /// a missing organization.
    pub fn build(self) -> Result<InviteMembers, BuildError> {
        let mut bulk = BulkCreateInvitations::builder().invitations(self.invitations);
        if let Some(organization_id) = self.organization_id {
            bulk = bulk.organization_id(organization_id);
        }
        Ok(InviteMembers {
            bulk: bulk.build()?,
        })
    }
}

/// Sends a planned invitation as [`InviteMember`] does: at most once, a lost answer settled
/// by reading.
pub(crate) fn invite(
    client: &Client,
    organization_id: &str,
    email_address: &str,
    role: &str,
    public_metadata: Option<&Metadata>,
    private_metadata: Option<&Metadata>,
) -> Outcome {
    Outcome::from(
        InviteMember::builder()
            .organization_id(organization_id)
            .email_address(email_address)
            .role(role)
            .set_public_metadata(public_metadata.cloned())
            .set_private_metadata(private_metadata.cloned())
            .build()
            .map_err(|err| ChangeError::Failed(Error::from(err)))
            .and_then(|invite| invite.send(client)),
    )
}

/// Revokes a planned invitation, once: one refused as no longer pending (400: accepted,
/// revoked or expired since the plan) or gone (404) is already done.
pub(crate) fn revoke(client: &Client, organization_id: &str, invitation_id: &str) -> Outcome {
    let revoke = RevokeInvitation::builder()
        .organization_id(organization_id)
        .invitation_id(invitation_id)
        .build()
        .map_err(Error::from);
    match revoke.and_then(|revoke| revoke.send(client)) {
        Ok(_) => Outcome::Applied,
        Err(err) if err.status() == Some(400) || err.is_not_found() => Outcome::AlreadyDone,
        Err(err) => Outcome::Failed(err),
    }
}
