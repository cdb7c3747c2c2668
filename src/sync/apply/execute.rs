//! One change, sent: the requests each kind takes and the races each absorbs. The one place
//! that knows them.
//!
//! | change | request | answered | then |
//! |---|---|---|---|
//! | add | create | "already a member" | read back, set role and metadata where they differ: already done |
//! | add | create | lost (may have been processed) | read back: found → as above (applied when nothing differed); absent → failed; read fails → unknown |
//! | change role | update | 404 | add with the new role: already done |
//! | merge metadata | update metadata | anything | as answered |
//! | remove | delete | 404 | already done (gone) |

use serde_json::Value;

use super::super::patch::merge_patch;
use super::super::plan::Change;
use super::report::{Absorbed, Outcome};
use crate::client::Client;
use crate::error::Error;
use crate::memberships::{
    CreateMembership, DeleteMembership, ListMemberships, UpdateMembership, UpdateMembershipMetadata,
};
use crate::models::{Metadata, OrganizationMembership};

/// Sends `change` to `organization_id` and says how it ended.
pub(super) fn execute(client: &Client, organization_id: &str, change: &Change) -> Outcome {
    let member = Target {
        client,
        organization_id,
    };
    match change {
        Change::Add {
            user_id,
            role,
            public_metadata,
            private_metadata,
            ..
        } => member.add(
            user_id,
            role,
            public_metadata.as_ref(),
            private_metadata.as_ref(),
        ),
        Change::ChangeRole { user_id, to, .. } => member.change_role(user_id, to),
        Change::MergeMetadata {
            user_id,
            public_metadata,
            private_metadata,
            ..
        } => done(member.merge_metadata(
            user_id,
            public_metadata.as_ref(),
            private_metadata.as_ref(),
        )),
        Change::Remove { user_id, .. } => member.remove(user_id),
    }
}

/// `Applied` for a request that went through, `Failed` with its error otherwise.
fn done(result: Result<(), Error>) -> Outcome {
    match result {
        Ok(()) => Outcome::Applied,
        Err(error) => Outcome::Failed(error),
    }
}

/// Whether a failed create may have been processed all the same: its answer was lost in
/// transport after it may have been sent, the server failed with a 5xx (perhaps after the
/// write), or a 2xx could not be read. A refusal (4xx) or a request never sent was not.
fn may_have_been_processed(error: &Error) -> bool {
    match error {
        Error::Transport { source, .. } => source.may_have_been_sent(),
        Error::ResponseTooLarge { .. } | Error::Decode { .. } => true,
        _ => error.status().is_some_and(|status| status >= 500),
    }
}

/// The organization the changes go to, and the client they go through.
struct Target<'a> {
    client: &'a Client,
    organization_id: &'a str,
}

impl Target<'_> {
    fn add(
        &self,
        user_id: &str,
        role: &str,
        public: Option<&Metadata>,
        private: Option<&Metadata>,
    ) -> Outcome {
        let object = |metadata: Option<&Metadata>| metadata.cloned().map(Value::Object);
        let sent = CreateMembership::builder()
            .organization_id(self.organization_id)
            .user_id(user_id)
            .role(role)
            .set_public_metadata(object(public))
            .set_private_metadata(object(private))
            .build()
            .map_err(Error::from)
            .and_then(|create| create.send(self.client));
        let error = match sent {
            Ok(_) => return Outcome::Applied,
            Err(error) => error,
        };
        if error.is_already_member() {
            // Certainly not created by us: someone else added them. Bring them to the plan.
            return match self.find(user_id) {
                Ok(Some(found)) => match self.settle(user_id, &found, role, public, private) {
                    Ok(_) => Outcome::AlreadyDone(Absorbed::AlreadyMember),
                    Err(error) => Outcome::Failed(error),
                },
                // Removed again since: nothing was written, plan again.
                Ok(None) => Outcome::Failed(error),
                Err(read_back) => Outcome::Failed(read_back),
            };
        }
        if !may_have_been_processed(&error) {
            return Outcome::Failed(error);
        }
        // The create may or may not have happened; it is never sent twice. Read it back.
        match self.find(user_id) {
            Ok(Some(found)) => match self.settle(user_id, &found, role, public, private) {
                Ok(false) => Outcome::Applied,
                Ok(true) => Outcome::AlreadyDone(Absorbed::AlreadyMember),
                Err(error) => Outcome::Failed(error),
            },
            Ok(None) => Outcome::Failed(error),
            Err(read_back) => Outcome::Unknown { error, read_back },
        }
    }

    fn change_role(&self, user_id: &str, role: &str) -> Outcome {
        let sent = UpdateMembership::builder()
            .organization_id(self.organization_id)
            .user_id(user_id)
            .role(role)
            .build()
            .map_err(Error::from)
            .and_then(|update| update.send(self.client));
        match sent {
            Ok(_) => Outcome::Applied,
            // Removed since the plan: the plan wants them with this role, so add them.
            Err(error) if error.is_not_found() => match self.add(user_id, role, None, None) {
                Outcome::Applied | Outcome::AlreadyDone(_) => {
                    Outcome::AlreadyDone(Absorbed::NotAMember)
                }
                other => other,
            },
            Err(error) => Outcome::Failed(error),
        }
    }

    fn merge_metadata(
        &self,
        user_id: &str,
        public: Option<&Metadata>,
        private: Option<&Metadata>,
    ) -> Result<(), Error> {
        let object = |metadata: Option<&Metadata>| metadata.cloned().map(Value::Object);
        UpdateMembershipMetadata::builder()
            .organization_id(self.organization_id)
            .user_id(user_id)
            .set_public_metadata(object(public))
            .set_private_metadata(object(private))
            .build()?
            .send(self.client)
            .map(drop)
    }

    fn remove(&self, user_id: &str) -> Outcome {
        let sent = DeleteMembership::builder()
            .organization_id(self.organization_id)
            .user_id(user_id)
            .build()
            .map_err(Error::from)
            .and_then(|delete| delete.send(self.client));
        match sent {
            Ok(_) => Outcome::Applied,
            Err(error) if error.is_not_found() => Outcome::AlreadyDone(Absorbed::AlreadyGone),
            Err(error) => Outcome::Failed(error),
        }
    }

    /// The membership of `user_id`, read back: one `GET …/memberships?user_id=…`.
    fn find(&self, user_id: &str) -> Result<Option<OrganizationMembership>, Error> {
        let page = ListMemberships::builder()
            .organization_id(self.organization_id)
            .user_id(user_id)
            .limit(1)
            .build()?
            .send(self.client)?;
        Ok(page.data.into_iter().find(|membership| {
            membership
                .public_user_data
                .as_ref()
                .is_some_and(|data| data.user_id == user_id)
        }))
    }

    /// Brings `user_id`'s membership `found` to `role` and deep-merges the metadata an add carried where the member's
    /// differs; `Ok(true)` when something had to be written.
    fn settle(
        &self,
        user_id: &str,
        found: &OrganizationMembership,
        role: &str,
        public: Option<&Metadata>,
        private: Option<&Metadata>,
    ) -> Result<bool, Error> {
        let mut wrote = false;
        if found.role != role {
            UpdateMembership::builder()
                .organization_id(self.organization_id)
                .user_id(user_id)
                .role(role)
                .build()?
                .send(self.client)?;
            wrote = true;
        }
        let patch = |have: &Metadata, want: Option<&Metadata>| {
            want.map(|want| merge_patch(have, want, false))
                .filter(|patch| !patch.is_empty())
        };
        let empty = Metadata::new();
        let public = patch(&found.public_metadata, public);
        let private = patch(found.private_metadata.as_ref().unwrap_or(&empty), private);
        if public.is_some() || private.is_some() {
            self.merge_metadata(user_id, public.as_ref(), private.as_ref())?;
            wrote = true;
        }
        Ok(wrote)
    }
}
