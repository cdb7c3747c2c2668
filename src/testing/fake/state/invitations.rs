//! Organization invitations: created pending, then accepted, revoked or expired. The rules
//! are documented on [`FakeClerk`](crate::testing::FakeClerk).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::email::normalized_email;
use crate::models::{Metadata, OrganizationInvitation, OrganizationMembership};

use super::super::error::FakeError;
use super::super::response::Failure;
use super::super::seed::FakeUser;
use super::{State, generated_id, insert_member};

/// How long an invitation is valid when the request does not say: Clerk's 30 days.
const DEFAULT_EXPIRES_IN_DAYS: i64 = 30;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// What happened to an invitation. `expired` is not stored: a pending invitation past its
/// `expires_at` shows as expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(in crate::testing::fake) enum Stored {
    Pending,
    Accepted,
    Revoked,
}

#[derive(Debug, Clone)]
pub(in crate::testing::fake) struct InvitationRecord {
    pub(in crate::testing::fake) id: String,
    pub(in crate::testing::fake) organization_id: String,
    pub(in crate::testing::fake) email_address: String,
    pub(in crate::testing::fake) role: String,
    pub(in crate::testing::fake) public_metadata: Metadata,
    pub(in crate::testing::fake) private_metadata: Metadata,
    pub(in crate::testing::fake) inviter_id: Option<String>,
    pub(in crate::testing::fake) redirect_url: Option<String>,
    pub(in crate::testing::fake) stored: Stored,
    pub(in crate::testing::fake) created_at: i64,
    pub(in crate::testing::fake) updated_at: i64,
    pub(in crate::testing::fake) expires_at: i64,
}

impl InvitationRecord {
    /// The status at `now`: `pending`, `accepted`, `revoked` or `expired`.
    pub(in crate::testing::fake) fn status(&self, now: i64) -> &'static str {
        match self.stored {
            Stored::Pending if now >= self.expires_at => "expired",
            Stored::Pending => "pending",
            Stored::Accepted => "accepted",
            Stored::Revoked => "revoked",
        }
    }

    fn is_pending(&self, now: i64) -> bool {
        self.status(now) == "pending"
    }
}

/// A checked invitation of a create body.
#[derive(Debug, Clone, PartialEq)]
pub(in crate::testing::fake) struct NewInvitation {
    pub(in crate::testing::fake) email_address: String,
    pub(in crate::testing::fake) role: String,
    pub(in crate::testing::fake) inviter_user_id: Option<String>,
    pub(in crate::testing::fake) public_metadata: Metadata,
    pub(in crate::testing::fake) private_metadata: Metadata,
    pub(in crate::testing::fake) redirect_url: Option<String>,
    pub(in crate::testing::fake) expires_in_days: Option<i64>,
}

impl State {
    /// `POST …/invitations` (one) and `…/invitations/bulk` (several): all are checked before
    /// any is created, so a refused bulk creates nothing.
    pub(in crate::testing::fake) fn invite(
        &mut self,
        organization_id: &str,
        new: Vec<NewInvitation>,
        now: i64,
    ) -> Result<Vec<Value>, Failure> {
        let Some(org) = self.organizations.get(organization_id) else {
            return Err(Failure::organization_not_found());
        };
        let pending = self
            .invitations
            .iter()
            .filter(|i| i.organization_id == organization_id && i.is_pending(now))
            .count();
        let mut seen = Vec::new();
        for invitation in &new {
            if let Some(inviter) = &invitation.inviter_user_id
                && !self.users.contains_key(inviter)
            {
                return Err(Failure::user_not_found(inviter));
            }
            self.check_role(&invitation.role)?;
            if let Some(days) = invitation.expires_in_days
                && !(1..=365).contains(&days)
            {
                return Err(Failure::value_invalid("expires_in_days", &days.to_string()));
            }
            let address = normalized_email(&invitation.email_address);
            let member = org.by_user.keys().any(|user_id| {
                self.users.get(user_id).is_some_and(|user| {
                    user.profile
                        .email_addresses
                        .iter()
                        .any(|email| normalized_email(email) == address)
                })
            });
            if member {
                return Err(Failure::already_a_member_email(&invitation.email_address));
            }
            let invited = self.invitations.iter().any(|i| {
                i.organization_id == organization_id
                    && i.is_pending(now)
                    && normalized_email(&i.email_address) == address
            });
            if invited || seen.contains(&address) {
                return Err(Failure::already_invited(&invitation.email_address));
            }
            seen.push(address);
        }
        let max = org.max_allowed_memberships;
        if max > 0 && org.members.len() + pending + new.len() > max as usize {
            return Err(Failure::quota_exceeded(max));
        }
        let mut created = Vec::with_capacity(new.len());
        for invitation in new {
            let id = generated_id("orginv_", &mut self.counters.invitation, |id| {
                self.invitations.iter().any(|i| i.id == id)
            });
            let days = invitation
                .expires_in_days
                .unwrap_or(DEFAULT_EXPIRES_IN_DAYS);
            let record = InvitationRecord {
                id,
                organization_id: organization_id.to_owned(),
                // Clerk keeps addresses in lowercase.
                email_address: normalized_email(&invitation.email_address),
                role: invitation.role,
                public_metadata: invitation.public_metadata,
                private_metadata: invitation.private_metadata,
                inviter_id: invitation.inviter_user_id,
                redirect_url: invitation.redirect_url,
                stored: Stored::Pending,
                created_at: now,
                updated_at: now,
                expires_at: now.saturating_add(days.saturating_mul(DAY_MS)),
            };
            created.push(self.invitation_json(&record, now));
            self.invitations.push(record);
        }
        Ok(created)
    }

    /// The invitations of an organization, oldest first; `404` for an unknown organization.
    pub(in crate::testing::fake) fn invitations_of(
        &self,
        organization_id: &str,
    ) -> Result<Vec<&InvitationRecord>, Failure> {
        if !self.organizations.contains_key(organization_id) {
            return Err(Failure::organization_not_found());
        }
        Ok(self
            .invitations
            .iter()
            .filter(|i| i.organization_id == organization_id)
            .collect())
    }

    /// `GET …/invitations/{invitation_id}`.
    pub(in crate::testing::fake) fn invitation(
        &self,
        organization_id: &str,
        invitation_id: &str,
        now: i64,
    ) -> Result<Value, Failure> {
        self.invitations_of(organization_id)?
            .into_iter()
            .find(|i| i.id == invitation_id)
            .map(|record| self.invitation_json(record, now))
            .ok_or_else(Failure::invitation_not_found)
    }

    /// `POST …/invitations/{invitation_id}/revoke`: only a pending invitation.
    pub(in crate::testing::fake) fn revoke_invitation(
        &mut self,
        organization_id: &str,
        invitation_id: &str,
        requesting_user_id: Option<&str>,
        now: i64,
    ) -> Result<Value, Failure> {
        if !self.organizations.contains_key(organization_id) {
            return Err(Failure::organization_not_found());
        }
        if let Some(user) = requesting_user_id
            && !self.users.contains_key(user)
        {
            return Err(Failure::user_not_found(user));
        }
        let record = self
            .invitations
            .iter_mut()
            .find(|i| i.organization_id == organization_id && i.id == invitation_id)
            .ok_or_else(Failure::invitation_not_found)?;
        let status = record.status(now);
        if status != "pending" {
            return Err(Failure::invitation_not_pending(status));
        }
        record.stored = Stored::Revoked;
        record.updated_at = now;
        let record = record.clone();
        Ok(self.invitation_json(&record, now))
    }

    /// The invitee accepts the oldest pending invitation to `email_address`: a user with that
    /// address is created if there is none, then the membership, with the invitation's role
    /// and metadata (no quota check: the invitation already counted).
    pub(in crate::testing::fake) fn accept_invitation(
        &mut self,
        email_address: &str,
        now: i64,
    ) -> Result<OrganizationMembership, FakeError> {
        let address = normalized_email(email_address);
        let Some(index) = self
            .invitations
            .iter()
            .position(|i| i.is_pending(now) && normalized_email(&i.email_address) == address)
        else {
            return Err(FakeError::NoPendingInvitation(email_address.to_owned()));
        };
        let existing = self
            .users
            .values()
            .filter(|user| {
                user.profile
                    .email_addresses
                    .iter()
                    .any(|email| normalized_email(email) == address)
            })
            .min_by_key(|user| user.seq)
            .map(|user| user.id.clone());
        let user_id = match existing {
            Some(id) => id,
            None => self.add_user(FakeUser::unnamed().email(address.clone()), now),
        };
        let invitation = self
            .invitations
            .get_mut(index)
            .ok_or_else(|| FakeError::NoPendingInvitation(email_address.to_owned()))?;
        invitation.stored = Stored::Accepted;
        invitation.updated_at = now;
        let invitation = invitation.clone();
        let Some(org) = self.organizations.get_mut(&invitation.organization_id) else {
            return Err(FakeError::UnknownOrganization(invitation.organization_id));
        };
        if !org.by_user.contains_key(&user_id) {
            insert_member(
                org,
                &mut self.counters,
                &user_id,
                &invitation.role,
                invitation.public_metadata,
                invitation.private_metadata,
                now,
            );
        }
        self.find(&invitation.organization_id, &user_id)
            .ok_or(FakeError::UnknownUser(user_id))
    }

    /// An invitation as the API shows it at `now`: exactly the fields of Clerk's
    /// `OrganizationInvitation` (the inviter's public data has fewer fields than a member's).
    pub(in crate::testing::fake) fn invitation_json(
        &self,
        record: &InvitationRecord,
        now: i64,
    ) -> Value {
        let role_name = self.roles.get(&record.role).map(|role| role.name.clone());
        let inviter = record
            .inviter_id
            .as_deref()
            .filter(|id| self.users.contains_key(*id))
            .map(|id| {
                let data = self.public_user_data(id);
                json!({
                    "user_id": data.user_id,
                    "first_name": data.first_name,
                    "last_name": data.last_name,
                    "image_url": data.image_url,
                    "has_image": data.has_image,
                    "identifier": data.identifier.unwrap_or_default(),
                })
            });
        json!({
            "object": "organization_invitation",
            "id": record.id,
            "email_address": record.email_address,
            "role": record.role,
            "role_name": role_name.unwrap_or_default(),
            "organization_id": record.organization_id,
            "inviter_id": record.inviter_id,
            "public_inviter_data": inviter,
            "status": record.status(now),
            "public_metadata": record.public_metadata,
            "private_metadata": record.private_metadata,
            "url": null,
            "expires_at": record.expires_at,
            "created_at": record.created_at,
            "updated_at": record.updated_at,
        })
    }

    /// An invitation as the client decodes it.
    pub(in crate::testing::fake) fn invitation_model(
        &self,
        record: &InvitationRecord,
        now: i64,
    ) -> Option<OrganizationInvitation> {
        serde_json::from_value(self.invitation_json(record, now)).ok()
    }
}
