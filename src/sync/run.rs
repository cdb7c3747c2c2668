//! The requests behind a plan: the current members in one pass, then the roster's keys.

use std::collections::{HashMap, HashSet};

use super::diff::{Current, Member, check_options, compute};
use super::error::{RosterProblem, SyncError};
use super::invite::{add_invitations, read_pending};
use super::options::SyncOptions;
use super::plan::Plan;
use super::progress::Progress;
use super::resolve::{LOOKUP_BATCH_SIZE, Resolved, UserKey, resolve_users};
use super::roles::check_roster;
use super::roster::{Roster, RosterEntry};
use super::vocab::EntryRef;
use crate::builder::MAX_LIMIT;
use crate::client::Client;
use crate::error::Error;
use crate::memberships::ListMemberships;
use crate::models::OrganizationMembership;

/// The plan that would bring `organization_id`'s members to `roster`, with the rails of
/// `options` applied. Only reads: nothing is written, and planning can be repeated.
///
/// 1. **Checks the roster's roles** against the [role check](super::RoleCheck): by default
///    the instance's roles, `GET /organization_roles?limit=500` (one request for almost every
///    instance; none for an empty roster). An entry with a role that is not known is a
///    [`RosterProblem::UnknownRole`](super::RosterProblem::UnknownRole), and nothing more is
///    read. (An organization with a role set of its own accepts only that set's roles, which
///    cannot be read here: the instance's roles are necessary, not sufficient.)
/// 2. **Reads the current members** in one pass: `GET
///    /organizations/{organization_id}/memberships?order_by=%2Bcreated_at&limit=500`, page
///    after page (10,000 members are 20 requests). Oldest first, so that members who join
///    meanwhile land at the end instead of shifting the pages still to read.
/// 3. **Resolves the roster's keys** with [`resolve_users`]: email addresses, external ids,
///    and user ids that are not members already (to check that they exist), in batches of
///    up to 100 per request. A key that finds nobody, several users, or
///    cannot be looked up is listed in [`Plan::unresolved`] and gets no change.
/// 4. **Computes the changes** (see [`Plan`]): add, change role, merge metadata (under
///    [`MetadataPolicy::Merge`](super::MetadataPolicy::Merge) or
///    [`Exact`](super::MetadataPolicy::Exact)), and with
///    [`prune`](super::SyncOptionsBuilder::prune), remove. Then the rails: protected members
///    and members an ambiguous entry may mean are not removed, protected admins are not
///    demoted, and the change that would leave no member holding the
///    [admin role](super::SyncOptionsBuilder::admin_role) is skipped (the longest-standing
///    admin is the one kept); each shows in [`Plan::skipped`] with its reason. Removals over
///    the [threshold](super::RemovalThreshold) do not fail planning: the plan is marked
///    ([`Plan::removal_check`]).
///
/// Progress goes to [`on_progress`](super::SyncOptionsBuilder::on_progress): one
/// [`Progress::ReadingMembers`] per page, then [`Progress::ResolvingUsers`] before the first
/// lookup and after each batch.
///
/// ```
/// use clerk_memberships::sync::{self, Roster, RosterEntry, SyncOptions};
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
///
/// let fake = FakeClerk::new();
/// let org = fake.add_organization(FakeOrganization::new("Acme"));
/// let ann = fake.add_user(FakeUser::new("Ann", "Lee").email("ann@acme.com"));
/// let bob = fake.add_user(FakeUser::new("Bob", "Kay").email("bob@acme.com"));
/// fake.add_membership(&org, &ann, "org:admin")?;
/// fake.add_membership(&org, &bob, "org:member")?;
///
/// // Bob is not in the roster: with prune he would go, and so would Ann, the only admin.
/// let roster = Roster::new();
/// let options = SyncOptions::builder().prune(true).build();
/// let plan = sync::plan(&fake.client(), &org, &roster, &options)?;
/// assert_eq!(plan.changes().len(), 1);
/// assert_eq!(plan.skipped().len(), 1);
/// assert_eq!(
///     plan.to_string(),
///     format!(
///         "- {bob} (bob@acme.com) org:member\n\
///          ! - {ann} (ann@acme.com) org:admin (skipped: the last member holding org:admin)\n"
///     )
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A roster whose entries name organizations is for [`plan_all`](super::plan_all).
///
/// # Errors
///
/// - [`SyncError::InvalidOptions`] for an empty admin role, before anything is sent;
/// - [`SyncError::InvalidRoster`] with a
///   [`RosterProblem::UnexpectedOrganization`](super::RosterProblem::UnexpectedOrganization)
///   for each entry that names an organization, before anything is sent;
/// - [`SyncError::InvalidRoster`] with a
///   [`RosterProblem::UnknownRole`](super::RosterProblem::UnknownRole) for each entry whose
///   role the role check does not know, before the members are read;
/// - [`SyncError::InvalidRoster`] with a [`RosterProblem::SameUser`](super::RosterProblem::SameUser)
///   for each user that several entries resolve to;
/// - [`SyncError::Client`] with the first failed request's [`Error`] (after the client's
///   retries), including an invalid or unknown organization id. No partial plan is returned:
///   a member not read would look like a member to add, a key not looked up like one not
///   found.
/// - [`SyncError::UnidentifiedMembership`], naming the membership, when the server lists one
///   without saying whose it is (no `public_user_data`): it could be neither kept nor
///   removed knowingly.
pub fn plan(
    client: &Client,
    organization_id: &str,
    roster: &Roster,
    options: &SyncOptions,
) -> Result<Plan, SyncError> {
    check_options(options)?;
    check_entries(roster, |entry, organization| {
        organization.map(|organization| RosterProblem::UnexpectedOrganization {
            entry,
            organization: organization.to_owned(),
        })
    })?;
    check_roster(client, roster, options.role_check())?;
    let current = read_members(client, organization_id, options)?;
    let lookups = lookup(client, roster, &current, options)?;
    let mut plan = compute(organization_id, roster, &lookups, &current, options)?;
    if options.invite() {
        let pending = read_pending(client, organization_id)?;
        add_invitations(&mut plan, roster, &pending, options);
    }
    Ok(plan)
}

/// [`SyncError::InvalidRoster`] with the problem `problem` finds in each entry, given the
/// entry and the organization it names, if any; checked before anything is sent.
pub(crate) fn check_entries(
    roster: &Roster,
    problem: impl Fn(EntryRef, Option<&str>) -> Option<RosterProblem>,
) -> Result<(), SyncError> {
    let problems: Vec<RosterProblem> = roster
        .iter()
        .enumerate()
        .filter_map(|(index, entry)| {
            problem(
                EntryRef::new(index, entry.key().clone()),
                entry.organization(),
            )
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(SyncError::InvalidRoster { problems })
    }
}

/// Every member of `organization_id`, in one pass of pages of [`MAX_LIMIT`] ordered by
/// `+created_at` (oldest first, so members who join meanwhile land at the end instead of
/// shifting the pages still to read). A membership listed twice counts once; one listed
/// without `public_user_data` is [`SyncError::UnidentifiedMembership`].
pub(crate) fn read_members(
    client: &Client,
    organization_id: &str,
    options: &SyncOptions,
) -> Result<Current, SyncError> {
    let request = ListMemberships::builder()
        .organization_id(organization_id)
        .order_by("+created_at")
        .limit(MAX_LIMIT)
        .build()
        .map_err(Error::from)?;
    let mut reading = Reading::default();
    let (mut pages, mut read) = (0u64, 0u64);
    for page in request.pages(client) {
        let page = page?;
        pages += 1;
        read += page.data.len() as u64;
        report_page(
            options,
            pages,
            read,
            u64::try_from(page.total_count).unwrap_or(0),
        );
        for membership in page.data {
            reading.take(organization_id, membership)?;
        }
    }
    if pages == 0 {
        // Not even an empty page came back: say that reading is over all the same.
        options.report(Progress::ReadingMembers {
            pages: 0,
            total_pages: 0,
            members: 0,
            total_members: 0,
        });
    }
    Ok(reading.current)
}

/// One organization's members as its listing's pages are read, each user once: a member
/// seen on two pages (the listing shifted meanwhile) counts once.
#[derive(Default)]
pub(crate) struct Reading {
    pub(crate) current: Current,
    seen: HashSet<String>,
}

impl Reading {
    /// Takes in one membership of `organization_id` as listed. One listed without
    /// `public_user_data` is [`SyncError::UnidentifiedMembership`]: a member the plan cannot
    /// name would be neither kept nor removed knowingly.
    pub(crate) fn take(
        &mut self,
        organization_id: &str,
        membership: OrganizationMembership,
    ) -> Result<(), SyncError> {
        let membership_id = membership.id.clone();
        let member = Member::from_membership(membership).ok_or_else(|| {
            SyncError::UnidentifiedMembership {
                organization_id: organization_id.to_owned(),
                membership_id,
            }
        })?;
        if self.seen.insert(member.user_id.clone()) {
            self.current.members.push(member);
        }
        Ok(())
    }
}

/// [`Progress::ReadingMembers`] after `pages` pages of a listing, `read` memberships in all,
/// of the `total` its last page gave (never fewer than read).
pub(crate) fn report_page(options: &SyncOptions, pages: u64, read: u64, total: u64) {
    options.report(Progress::ReadingMembers {
        pages,
        total_pages: total.div_ceil(u64::from(MAX_LIMIT)).max(pages),
        members: read,
        total_members: total.max(read),
    });
}

/// What each roster entry resolved to (`lookups[i]` for entry `i`).
///
/// A user id that is already a member needs no lookup. Every other key is looked up with
/// [`resolve_users`], kind by kind in chunks of [`LOOKUP_BATCH_SIZE`] keys, so that progress
/// can be reported after each chunk. A chunk is usually one request; keys that begin with a
/// sign (looked up alone), keys refused before sending, and long values (the URL limit) make
/// it more or fewer.
pub(crate) fn lookup(
    client: &Client,
    roster: &Roster,
    current: &Current,
    options: &SyncOptions,
) -> Result<Vec<Resolved>, Error> {
    let members: HashSet<&str> = current.members.iter().map(|m| m.user_id.as_str()).collect();
    lookup_among(client, roster, &members, options)
}

/// As [`lookup`], with the user ids known to exist (members of any organization read) given
/// as a set.
pub(crate) fn lookup_among(
    client: &Client,
    roster: &Roster,
    members: &HashSet<&str>,
    options: &SyncOptions,
) -> Result<Vec<Resolved>, Error> {
    let is_member =
        |key: &UserKey| matches!(key, UserKey::UserId(id) if members.contains(id.as_str()));
    let mut by_kind: [Vec<&UserKey>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    // A key that several entries give (one per organization) is looked up once.
    let mut asked: HashSet<&UserKey> = HashSet::new();
    for key in roster
        .iter()
        .map(RosterEntry::key)
        .filter(|key| !is_member(key) && asked.insert(key))
    {
        let kind = match key {
            UserKey::Email(_) => 0,
            UserKey::ExternalId(_) => 1,
            UserKey::UserId(_) => 2,
        };
        if let Some(keys) = by_kind.get_mut(kind) {
            keys.push(key);
        }
    }
    let total = by_kind.iter().map(Vec::len).sum::<usize>() as u64;
    let mut resolved = 0u64;
    let mut outcomes: HashMap<UserKey, Resolved> = HashMap::new();
    if total > 0 {
        options.report(Progress::ResolvingUsers { resolved, total });
    }
    for chunk in by_kind
        .iter()
        .flat_map(|keys| keys.chunks(LOOKUP_BATCH_SIZE))
    {
        let resolution = resolve_users(client, chunk.iter().map(|key| (*key).clone()))?;
        for (key, outcome) in &resolution {
            outcomes.insert(key.clone(), outcome.clone());
        }
        resolved += chunk.len() as u64;
        options.report(Progress::ResolvingUsers { resolved, total });
    }
    Ok(roster
        .iter()
        .map(|entry| match entry.key() {
            UserKey::UserId(id) if members.contains(id.as_str()) => Resolved::Found {
                user_id: id.clone(),
            },
            key => outcomes.get(key).cloned().unwrap_or(Resolved::NotFound),
        })
        .collect())
}
