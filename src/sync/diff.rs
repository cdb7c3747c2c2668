//! Computing a plan from the desired and the current state: the diff and the safety rails.
//!
//! Computing it reads nothing: [`compute`] takes the roster, what each entry resolved to and
//! the current members, and applies the options' rails. The requests that gather those live
//! in `run`.

use std::collections::{BTreeMap, HashMap};

use super::error::{RosterProblem, SyncError};
use super::options::{MetadataPolicy, SyncOptions};
use super::patch::{merge_patch, without_nulls};
use super::plan::{Change, Plan, SkippedChange, Unresolved, UnresolvedEntry};
use super::resolve::{Resolved, UserKey};
use super::roster::{Roster, RosterEntry};
use super::vocab::{EntryRef, SkipReason};
use crate::models::{Metadata, OrganizationMembership};

/// A current member, as much of them as planning needs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Member {
    pub(crate) user_id: String,
    pub(crate) identifier: Option<String>,
    pub(crate) role: String,
    pub(crate) public_metadata: Metadata,
    /// A missing `private_metadata` counts as `{}`.
    pub(crate) private_metadata: Metadata,
    pub(crate) created_at: i64,
}

impl Member {
    /// The member of `membership`; `None` when the answer left out who it is.
    pub(crate) fn from_membership(membership: OrganizationMembership) -> Option<Member> {
        let data = membership.public_user_data?;
        Some(Member {
            user_id: data.user_id,
            identifier: data.identifier.filter(|identifier| !identifier.is_empty()),
            role: membership.role,
            public_metadata: membership.public_metadata,
            private_metadata: membership.private_metadata.unwrap_or_default(),
            created_at: membership.created_at,
        })
    }
}

/// The current state of the organization, as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Current {
    /// The members, each user once.
    pub(crate) members: Vec<Member>,
}

/// The plan for `organization_id`: from the roster, what each of its entries resolved to
/// (`lookups[i]` for entry `i`), and the current members.
pub(crate) fn compute(
    organization_id: &str,
    roster: &Roster,
    lookups: &[Resolved],
    current: &Current,
    options: &SyncOptions,
) -> Result<Plan, SyncError> {
    let not_found = Resolved::NotFound;
    let entries: Vec<(usize, &RosterEntry, &Resolved)> = roster
        .iter()
        .enumerate()
        .map(|(index, entry)| (index, entry, lookups.get(index).unwrap_or(&not_found)))
        .collect();
    compute_entries(organization_id, &entries, current, options)
}

/// The plan for `organization_id` from some of a roster's entries, each with its index in
/// the roster and what its key resolved to, and the organization's current members.
pub(crate) fn compute_entries(
    organization_id: &str,
    entries: &[(usize, &RosterEntry, &Resolved)],
    current: &Current,
    options: &SyncOptions,
) -> Result<Plan, SyncError> {
    check_options(options)?;

    // Who the roster wants, by user id; entries that name nobody.
    let mut wanted: BTreeMap<&str, (usize, &RosterEntry)> = BTreeMap::new();
    let mut by_user: HashMap<&str, Vec<EntryRef>> = HashMap::new();
    let mut unresolved = Vec::new();
    let mut ambiguous: HashMap<&str, EntryRef> = HashMap::new();
    for &(index, entry, resolved) in entries {
        let here = || EntryRef::new(index, entry.key().clone());
        let problem = match Some(resolved) {
            Some(Resolved::Found { user_id }) => {
                by_user.entry(user_id).or_default().push(here());
                wanted.entry(user_id).or_insert((index, entry));
                continue;
            }
            Some(Resolved::Ambiguous { user_ids }) => {
                for user_id in user_ids {
                    ambiguous.entry(user_id).or_insert_with(here);
                }
                Unresolved::Ambiguous {
                    user_ids: user_ids.clone(),
                }
            }
            Some(Resolved::Refused { reason }) => Unresolved::Refused {
                reason: reason.clone(),
            },
            Some(Resolved::NotFound) | None => Unresolved::NotFound,
        };
        unresolved.push(UnresolvedEntry {
            entry: here(),
            problem,
        });
    }
    let mut same_user: Vec<RosterProblem> = by_user
        .into_iter()
        .filter(|(_, entries)| entries.len() > 1)
        .map(|(user_id, entries)| RosterProblem::SameUser {
            user_id: user_id.to_owned(),
            entries,
        })
        .collect();
    if !same_user.is_empty() {
        same_user.sort_by_key(|problem| match problem {
            RosterProblem::SameUser { entries, .. } => entries.first().map(|e| e.index),
            _ => None,
        });
        return Err(SyncError::InvalidRoster {
            problems: same_user,
        });
    }

    let mut members: HashMap<&str, &Member> = HashMap::new();
    for member in &current.members {
        members.entry(&member.user_id).or_insert(member);
    }

    let mut candidates = Vec::new();
    for (&user_id, &(_, entry)) in &wanted {
        let member = members.get(user_id).copied();
        let label = match entry.key() {
            UserKey::UserId(_) => member.and_then(|m| m.identifier.clone()),
            key => Some(key.value().to_owned()),
        };
        candidates.extend(changes_for(
            user_id,
            label,
            entry,
            member,
            options.metadata(),
        ));
    }
    if options.prune() {
        for member in &current.members {
            if !wanted.contains_key(member.user_id.as_str()) {
                candidates.push(Change::Remove {
                    user_id: member.user_id.clone(),
                    label: member.identifier.clone(),
                    role: member.role.clone(),
                });
            }
        }
    }

    let (mut changes, mut skipped) = apply_rails(candidates, &members, &ambiguous, options);
    changes.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    skipped.sort_by(|a, b| a.change.sort_key().cmp(&b.change.sort_key()));
    Ok(Plan {
        organization_id: organization_id.to_owned(),
        current_members: current.members.len() as u64,
        removal_threshold: options.removal_threshold(),
        admin_role: options.admin_role().to_owned(),
        changes,
        skipped,
        unresolved,
        waiting: Vec::new(),
        max_invites: options.max_invites(),
    })
}

/// Refuses options no plan can be made with.
pub(crate) fn check_options(options: &SyncOptions) -> Result<(), SyncError> {
    if options.admin_role().trim().is_empty() {
        return Err(SyncError::InvalidOptions {
            option: "admin_role",
            rule: "must not be empty".to_owned(),
        });
    }
    Ok(())
}

/// The changes that bring `member` (or a new member) to what `entry` wants.
fn changes_for(
    user_id: &str,
    label: Option<String>,
    entry: &RosterEntry,
    member: Option<&Member>,
    policy: MetadataPolicy,
) -> Vec<Change> {
    let managed = policy != MetadataPolicy::Ignore;
    let Some(member) = member else {
        let new = |metadata: Option<&Metadata>| {
            metadata
                .filter(|_| managed)
                .map(without_nulls)
                .filter(|metadata| !metadata.is_empty())
        };
        return vec![Change::Add {
            user_id: user_id.to_owned(),
            label,
            role: entry.role().to_owned(),
            public_metadata: new(entry.public_metadata()),
            private_metadata: new(entry.private_metadata()),
        }];
    };
    let mut changes = Vec::new();
    if member.role != entry.role() {
        changes.push(Change::ChangeRole {
            user_id: user_id.to_owned(),
            label: label.clone(),
            from: member.role.clone(),
            to: entry.role().to_owned(),
        });
    }
    if managed {
        let exact = policy == MetadataPolicy::Exact;
        let patch = |have: &Metadata, want: Option<&Metadata>| {
            want.map(|want| merge_patch(have, want, exact))
                .filter(|patch| !patch.is_empty())
        };
        let public_metadata = patch(&member.public_metadata, entry.public_metadata());
        let private_metadata = patch(&member.private_metadata, entry.private_metadata());
        if public_metadata.is_some() || private_metadata.is_some() {
            changes.push(Change::MergeMetadata {
                user_id: user_id.to_owned(),
                label,
                public_metadata,
                private_metadata,
            });
        }
    }
    changes
}

/// Splits `candidates` into the changes to make and those the rails stop: protected members,
/// members an ambiguous entry may mean, and the last member holding the admin role.
fn apply_rails(
    candidates: Vec<Change>,
    members: &HashMap<&str, &Member>,
    ambiguous: &HashMap<&str, EntryRef>,
    options: &SyncOptions,
) -> (Vec<Change>, Vec<SkippedChange>) {
    let admin = options.admin_role();
    let mut changes = Vec::new();
    let mut skipped = Vec::new();
    for change in candidates {
        let reason = match &change {
            Change::Remove { user_id, .. } if options.is_protected(user_id) => {
                Some(SkipReason::Protected)
            }
            Change::ChangeRole { user_id, .. }
                if options.is_protected(user_id) && change.demotes_from(admin) =>
            {
                Some(SkipReason::Protected)
            }
            Change::Remove { user_id, .. } => {
                ambiguous
                    .get(user_id.as_str())
                    .map(|entry| SkipReason::AmbiguousEntry {
                        entry: entry.clone(),
                    })
            }
            _ => None,
        };
        match reason {
            Some(reason) => skipped.push(SkippedChange { change, reason }),
            None => changes.push(change),
        }
    }

    // The admins left once the plan is applied: those there now, less those removed or
    // demoted, plus those added or promoted.
    let admins_now = members.values().filter(|m| m.role == admin).count();
    let losing: Vec<usize> = changes
        .iter()
        .enumerate()
        .filter(|(_, change)| change.takes_away(admin))
        .map(|(i, _)| i)
        .collect();
    let gaining = changes.iter().filter(|change| change.gives(admin)).count();
    if admins_now > 0 && admins_now + gaining <= losing.len() {
        // Keep the longest-standing admin among those the plan would lose.
        let keep = losing.iter().copied().min_by_key(|&i| {
            let user_id = changes.get(i).map_or("", Change::user_id);
            let created_at = members.get(user_id).map_or(i64::MAX, |m| m.created_at);
            (created_at, user_id.to_owned())
        });
        if let Some(keep) = keep {
            let change = changes.remove(keep);
            skipped.push(SkippedChange {
                change,
                reason: SkipReason::LastAdmin {
                    role: admin.to_owned(),
                },
            });
        }
    }
    (changes, skipped)
}

#[cfg(test)]
mod tests;
