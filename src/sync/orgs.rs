//! One roster over many organizations: each entry names its organization, the users are
//! resolved once, each organization's members are read once (or the whole instance's, when
//! that takes fewer requests), and each organization gets its own [`Plan`] under its own
//! rails. Applying runs them all through one client.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use serde::Serialize;

use super::apply::{ApplyOptions, ApplyReport, OutcomeCounts, Tally};
use super::diff::{Current, check_options, compute_entries};
use super::error::{RosterProblem, SyncError};
use super::invitation::InviteCheck;
use super::invite::{add_invitations_among, read_pending};
use super::options::SyncOptions;
use super::plan::{Plan, PlanCounts};
use super::progress::Progress;
use super::resolve::Resolved;
use super::roles::check_roster;
use super::roster::{Roster, RosterEntry, normalized};
use super::run::{Reading, check_entries, lookup_among, read_members, report_page};
use super::vocab::{EntryRef, RemovalCheck};
use crate::builder::MAX_LIMIT;
use crate::client::Client;
use crate::error::Error;
use crate::organizations::{GetOrganization, ListInstanceMemberships};

/// How [`plan_all`] read the organizations' members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MemberReading {
    /// One listing per organization, `GET /organizations/{organization_id}/memberships`.
    PerOrganization,
    /// The instance's listing, `GET /organization_memberships`, which holds every
    /// organization's members.
    Instance,
}

/// What a plan over many organizations would change: one [`Plan`] per organization, made by
/// [`plan_all`], read only.
///
/// - **Order**: the organizations by id; within each, as [`Plan`] orders its changes.
/// - **`Display`**: for each organization whose plan shows something, a line `# org_… (the
///   names the roster gave it): counts`, then the plan's own lines. Nothing for a plan with
///   nothing in it.
/// - **JSON** (`Serialize`): `organizations` (each a plan's JSON with the `names` the roster
///   gave it), `counts` (all organizations together), `refused` (the organizations over a
///   rail, see [`refused`](Self::refused)) and `member_reading`.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationPlans {
    plans: Vec<Plan>,
    names: BTreeMap<String, Vec<String>>,
    member_reading: MemberReading,
}

/// An organization whose plan is over one of its rails: applying skips it unless forced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RefusedOrganization {
    /// The organization.
    pub organization_id: String,
    /// Its removals against its threshold, with the numbers.
    pub removal_check: RemovalCheck,
    /// Its invitations against their limit per run, with the numbers.
    pub invite_check: InviteCheck,
}

/// `org_…: ` and each rail it is over: `3 removals of 4 members exceed the removal
/// threshold (…)`, `12 invitations exceed the limit of 10 per run`, joined by `; `.
impl fmt::Display for RefusedOrganization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", super::vocab::Clean(&self.organization_id))?;
        match (self.removal_check.exceeded, self.invite_check.exceeded) {
            (true, true) => write!(f, "{}; {}", self.removal_check, self.invite_check),
            (false, true) => write!(f, "{}", self.invite_check),
            _ => write!(f, "{}", self.removal_check),
        }
    }
}

impl OrganizationPlans {
    /// The plans, one per organization of the roster, by organization id.
    pub fn plans(&self) -> &[Plan] {
        &self.plans
    }

    /// The plan for `organization_id` (the canonical id, not a slug), if the roster names it.
    pub fn plan(&self, organization_id: &str) -> Option<&Plan> {
        self.plans
            .iter()
            .find(|plan| plan.organization_id() == organization_id)
    }

    /// The ids and slugs the roster named `organization_id` by, in roster order.
    pub fn names(&self, organization_id: &str) -> &[String] {
        self.names
            .get(organization_id)
            .map_or(&[][..], Vec::as_slice)
    }

    /// Keeps only the organizations whose plan `keep` accepts: to leave out, before
    /// [`apply`](Self::apply), those a rail of the caller's own refuses.
    pub fn retain(&mut self, mut keep: impl FnMut(&Plan) -> bool) {
        self.plans.retain(|plan| keep(plan));
    }

    /// How the members were read.
    pub fn member_reading(&self) -> MemberReading {
        self.member_reading
    }

    /// The counts of every organization together.
    pub fn counts(&self) -> PlanCounts {
        self.plans.iter().map(Plan::counts).sum()
    }

    /// Whether no organization has anything to change.
    pub fn is_empty(&self) -> bool {
        self.plans.iter().all(Plan::is_empty)
    }

    /// The organizations whose plan is over a rail: its removals over its threshold, or its
    /// invitations over their limit per run
    /// ([`max_invites`](super::SyncOptionsBuilder::max_invites), held for each
    /// organization). [`apply`](Self::apply) leaves them as they are unless forced.
    pub fn refused(&self) -> Vec<RefusedOrganization> {
        self.plans
            .iter()
            .map(|plan| RefusedOrganization {
                organization_id: plan.organization_id().to_owned(),
                removal_check: plan.removal_check(),
                invite_check: plan.invite_check(),
            })
            .filter(|refused| refused.removal_check.exceeded || refused.invite_check.exceeded)
            .collect()
    }

    /// Applies every organization's plan through `client`, and reports each.
    ///
    /// - **Per organization, as [`Plan::apply`]**: the two phases (whoever gains the admin
    ///   role before whoever loses it), the last-admin check at apply time, the races
    ///   absorbed. An organization over its removal threshold or its invitation limit is
    ///   refused (listed in
    ///   [`OrganizationReports::refused`], nothing written to it) unless
    ///   [forced](super::ApplyOptionsBuilder::force); the others are applied.
    /// - **One pace**: every organization's requests go through `client`, so through its
    ///   one rate limiter. The [`workers`](super::ApplyOptionsBuilder::workers) are spread
    ///   over the organizations: `min(workers, organizations)` organizations at a time, each
    ///   with `workers / that many` workers (at least one).
    /// - **Progress** counts the changes of every organization applied together;
    ///   [`stop_on_error`](super::ApplyOptionsBuilder::stop_on_error) and the
    ///   [cancel token](super::ApplyOptionsBuilder::cancel) stop them all.
    ///
    /// ```
    /// use clerk_memberships::sync::{self, ApplyOptions, Roster, RosterEntry, SyncOptions};
    /// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
    ///
    /// let fake = FakeClerk::new();
    /// let acme = fake.add_organization(FakeOrganization::new("Acme"));
    /// let globex = fake.add_organization(FakeOrganization::new("Globex"));
    /// let ann = fake.add_user(FakeUser::new("Ann", "Lee").email("ann@acme.com"));
    /// let client = fake.client();
    ///
    /// let roster = Roster::new()
    ///     .entry(RosterEntry::email("ann@acme.com", "org:admin").in_organization("acme"))?
    ///     .entry(RosterEntry::email("ann@acme.com", "org:member").in_organization(&globex))?;
    /// let plans = sync::plan_all(&client, &roster, &SyncOptions::default())?;
    /// assert_eq!(plans.counts().add, 2);
    /// let report = plans.apply(&client, &ApplyOptions::default());
    /// assert!(report.is_success());
    /// assert_eq!(fake.membership(&acme, &ann).unwrap().role, "org:admin");
    /// assert_eq!(fake.membership(&globex, &ann).unwrap().role, "org:member");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply(&self, client: &Client, options: &ApplyOptions) -> OrganizationReports {
        let refused: Vec<RefusedOrganization> = if options.force() {
            Vec::new()
        } else {
            self.refused()
        };
        let refused_ids: HashSet<&str> =
            refused.iter().map(|r| r.organization_id.as_str()).collect();
        let to_apply: Vec<&Plan> = self
            .plans
            .iter()
            .filter(|plan| !refused_ids.contains(plan.organization_id()))
            .collect();
        let tally = Tally::new(to_apply.iter().map(|plan| plan.size()).sum());
        let at_once = options.workers().clamp(1, to_apply.len().max(1));
        let inner = (options.workers() / at_once).max(1);
        let next = AtomicUsize::new(0);
        let reports: Mutex<Vec<ApplyReport>> = Mutex::new(Vec::new());
        let work = || {
            while let Some(plan) = to_apply.get(next.fetch_add(1, Ordering::Relaxed)) {
                let report = plan.apply_in(client, options, inner, &tally);
                crate::lock::lock(&reports).push(report);
            }
        };
        if at_once == 1 {
            work();
        } else {
            thread::scope(|scope| {
                let handles: Vec<_> = (0..at_once).map(|_| scope.spawn(work)).collect();
                for handle in handles {
                    if let Err(panic) = handle.join() {
                        // Only the caller's progress callback can panic: pass it on.
                        std::panic::resume_unwind(panic);
                    }
                }
            });
        }
        let mut reports: Vec<ApplyReport> = reports
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        reports.sort_by(|a, b| a.organization_id().cmp(b.organization_id()));
        OrganizationReports { reports, refused }
    }
}

/// The plan's JSON, with the names the roster gave its organization.
#[derive(Serialize)]
struct NamedPlan<'a> {
    names: &'a [String],
    #[serde(flatten)]
    plan: &'a Plan,
}

impl Serialize for OrganizationPlans {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Json<'a> {
            member_reading: MemberReading,
            counts: PlanCounts,
            refused: Vec<RefusedOrganization>,
            organizations: Vec<NamedPlan<'a>>,
        }
        Json {
            member_reading: self.member_reading,
            counts: self.counts(),
            refused: self.refused(),
            organizations: self
                .plans
                .iter()
                .map(|plan| NamedPlan {
                    names: self.names(plan.organization_id()),
                    plan,
                })
                .collect(),
        }
        .serialize(serializer)
    }
}

impl fmt::Display for OrganizationPlans {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for plan in &self.plans {
            let lines = plan.to_string();
            if lines.is_empty() {
                continue;
            }
            write_heading(
                f,
                plan.organization_id(),
                self.names(plan.organization_id()),
            )?;
            writeln!(f, ": {}", plan.counts())?;
            f.write_str(&lines)?;
        }
        Ok(())
    }
}

/// `# org_… (name, name)`: an organization, and the other names the roster gave it.
fn write_heading(f: &mut fmt::Formatter<'_>, id: &str, names: &[String]) -> fmt::Result {
    write!(f, "# {}", super::vocab::Clean(id))?;
    let others: Vec<&String> = names.iter().filter(|name| *name != id).collect();
    for (i, name) in others.iter().enumerate() {
        let (open, sep) = if i == 0 { (" (", "") } else { ("", ", ") };
        write!(f, "{open}{sep}{}", super::vocab::Clean(name))?;
    }
    if !others.is_empty() {
        f.write_str(")")?;
    }
    Ok(())
}

/// What applying an [`OrganizationPlans`] did: one [`ApplyReport`] per organization applied,
/// and the organizations refused, with their numbers.
///
/// `Display`: for each organization applied, `# org_…: counts` and its report's lines; then
/// one line `! refused org_…: …` per refused organization.
#[derive(Debug)]
pub struct OrganizationReports {
    reports: Vec<ApplyReport>,
    refused: Vec<RefusedOrganization>,
}

impl OrganizationReports {
    /// The reports of the organizations applied, by organization id.
    pub fn reports(&self) -> &[ApplyReport] {
        &self.reports
    }

    /// The organizations refused (over a rail, not forced): nothing was written to them.
    pub fn refused(&self) -> &[RefusedOrganization] {
        &self.refused
    }

    /// The outcome counts of every organization applied together.
    pub fn counts(&self) -> OutcomeCounts {
        self.reports.iter().map(ApplyReport::counts).sum()
    }

    /// Whether no organization was refused and every organization's report is a success.
    pub fn is_success(&self) -> bool {
        self.refused.is_empty() && self.reports.iter().all(ApplyReport::is_success)
    }
}

impl fmt::Display for OrganizationReports {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for report in &self.reports {
            let lines = report.to_string();
            if lines.is_empty() {
                continue;
            }
            write_heading(f, report.organization_id(), &[])?;
            writeln!(f, ": {}", report.counts())?;
            f.write_str(&lines)?;
        }
        for refused in &self.refused {
            writeln!(f, "! refused {refused}: applying needs force")?;
        }
        Ok(())
    }
}

impl Serialize for OrganizationReports {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Json<'a> {
            counts: OutcomeCounts,
            refused: &'a [RefusedOrganization],
            organizations: &'a [ApplyReport],
        }
        Json {
            counts: self.counts(),
            refused: &self.refused,
            organizations: &self.reports,
        }
        .serialize(serializer)
    }
}

/// Each organization name of a roster with its canonical id, and each organization by id.
type LookedUp = (HashMap<String, String>, BTreeMap<String, Found>);

/// An organization of the roster, as looked up.
struct Found {
    /// The names the roster gave it, in roster order.
    names: Vec<String>,
    /// Its member count, as the lookup gave it.
    members_count: u64,
}

/// The plans that would bring each organization the roster names to its entries: one
/// [`Plan`] per organization, with the rails of `options` applied to each organization on
/// its own. Only reads.
///
/// Every entry names its organization ([`RosterEntry::in_organization`]), by id or by slug.
/// Where [`plan`](super::plan) reads one organization, this:
///
/// 1. **Checks the roster's roles** once, as [`plan`](super::plan) does.
/// 2. **Looks up each organization** once, by the id or slug given: `GET
///    /organizations/{organization_id}?include_members_count=true`, reporting
///    [`Progress::LookingUpOrganizations`] after each. Entries are then keyed on
///    the canonical id the answer gives, so an id and a slug of one organization are one
///    organization: two entries with the same key there are a
///    [`RosterProblem::DuplicateKey`]. A name no organization has (404) is a
///    [`RosterProblem::UnknownOrganization`] naming its entries.
/// 3. **Reads the members** of every organization once, the cheaper of two ways by the
///    counts. One listing per organization costs `Σ max(1, ⌈members_count / 500⌉)` requests.
///    When that is two or more, the first page of the instance's listing (`GET
///    /organization_memberships?order_by=%2Bcreated_at&limit=500`) is read: its
///    `total_count` (every membership of the instance) makes the instance's listing
///    `⌈total_count / 500⌉` requests. If that is no more than the per-organization count,
///    the instance's listing is read on (its memberships of other organizations are
///    dropped); else each organization is listed on its own (the first page was the one
///    request spent to know). [`OrganizationPlans::member_reading`] says which.
/// 4. **Resolves the users** once for the whole roster, batched as [`plan`](super::plan)
///    does: a user id that is a member of any organization read needs no lookup.
/// 5. **Computes each organization's plan** as [`plan`](super::plan) does, with the rails
///    (protected members, the last admin, the removal threshold) held for each organization
///    separately: a plan over its threshold marks that organization
///    ([`OrganizationPlans::refused`]). Two entries of one organization resolving to one
///    user are a [`RosterProblem::SameUser`]; the same user in two organizations is not.
/// 6. **With [`invite`](super::SyncOptionsBuilder::invite)**, reads each organization's
///    pending invitations (one listing per organization) and plans its invitations as
///    [`plan`](super::plan) does, from that organization's entries only (under `prune`, an
///    invitation is revoked when that organization's rows no longer name its address). The
///    limit [`max_invites`](super::SyncOptionsBuilder::max_invites) holds for each
///    organization: one over it is marked too.
///
/// A roster without organizations is for [`plan`](super::plan), which stays as it is.
///
/// ```
/// use clerk_memberships::sync::{self, MemberReading, Roster, RosterEntry, SyncOptions};
/// use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
///
/// let fake = FakeClerk::new();
/// let acme = fake.add_organization(FakeOrganization::new("Acme"));
/// let ann = fake.add_user(FakeUser::new("Ann", "Lee").email("ann@acme.com"));
/// fake.add_membership(&acme, &ann, "org:member")?;
///
/// // The id and the slug name one organization: one plan.
/// let roster = Roster::new()
///     .entry(RosterEntry::email("ann@acme.com", "org:admin").in_organization("acme"))?
///     .entry(RosterEntry::email("bob@acme.com", "org:member").in_organization(&acme))?;
/// let plans = sync::plan_all(&fake.client(), &roster, &SyncOptions::default())?;
/// assert_eq!(plans.plans().len(), 1);
/// assert_eq!(plans.member_reading(), MemberReading::PerOrganization);
/// assert_eq!(
///     plans.to_string(),
///     format!(
///         "# {acme} (acme): 0 to add, 1 role change, 0 metadata merges, 0 to remove, 0 skipped, 1 unresolved\n\
///          ~ {ann} (ann@acme.com) role org:member -> org:admin\n\
///          ? entry 1 (email address \"bob@acme.com\"): not found\n"
///     )
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// - [`SyncError::InvalidOptions`] for an empty admin role, before anything is sent;
/// - [`SyncError::InvalidRoster`] with a [`RosterProblem::MissingOrganization`] for each
///   entry that names no organization, before anything is sent;
/// - [`SyncError::InvalidRoster`] with a [`RosterProblem::UnknownRole`] for each unknown
///   role, a [`RosterProblem::UnknownOrganization`] for each name no organization has, or a
///   [`RosterProblem::DuplicateKey`] for two entries with one key in one organization (named
///   differently), before any member is read; a [`RosterProblem::SameUser`] once resolved;
/// - [`SyncError::Client`] with the first failed request's [`Error`]; no partial plan;
/// - [`SyncError::UnidentifiedMembership`] as for [`plan`](super::plan).
pub fn plan_all(
    client: &Client,
    roster: &Roster,
    options: &SyncOptions,
) -> Result<OrganizationPlans, SyncError> {
    check_options(options)?;
    check_entries(roster, |entry, organization| {
        organization
            .is_none()
            .then_some(RosterProblem::MissingOrganization { entry })
    })?;
    check_roster(client, roster, options.role_check())?;

    let (canonical, found) = look_up_organizations(client, roster, options)?;
    let mut by_org: BTreeMap<&str, Vec<(usize, &RosterEntry)>> = BTreeMap::new();
    for (index, entry) in roster.iter().enumerate() {
        if let Some(id) = entry.organization().and_then(|name| canonical.get(name)) {
            by_org.entry(id.as_str()).or_default().push((index, entry));
        }
    }
    duplicates_across_names(&by_org)?;

    let (currents, member_reading) = read_all_members(client, &found, options)?;
    let members: HashSet<&str> = currents
        .values()
        .flat_map(|current| current.members.iter().map(|m| m.user_id.as_str()))
        .collect();
    let lookups = lookup_among(client, roster, &members, options)?;

    let empty = Current::default();
    let not_found = Resolved::NotFound;
    let mut plans = Vec::new();
    let mut same_user = Vec::new();
    for (id, entries) in &by_org {
        let resolved: Vec<(usize, &RosterEntry, &Resolved)> = entries
            .iter()
            .map(|&(index, entry)| (index, entry, lookups.get(index).unwrap_or(&not_found)))
            .collect();
        let current = currents.get(*id).unwrap_or(&empty);
        match compute_entries(id, &resolved, current, options) {
            Ok(mut plan) => {
                if options.invite() {
                    let pending = read_pending(client, id)?;
                    add_invitations_among(&mut plan, entries, &pending, options);
                }
                plans.push(plan);
            }
            Err(SyncError::InvalidRoster { problems }) => same_user.extend(problems),
            Err(other) => return Err(other),
        }
    }
    if !same_user.is_empty() {
        return Err(SyncError::InvalidRoster {
            problems: same_user,
        });
    }
    Ok(OrganizationPlans {
        plans,
        names: found
            .into_iter()
            .map(|(id, found)| (id, found.names))
            .collect(),
        member_reading,
    })
}

/// Looks up each organization the roster names, once per name: the canonical id of each
/// name, and each organization by id with its names and member count.
fn look_up_organizations(
    client: &Client,
    roster: &Roster,
    options: &SyncOptions,
) -> Result<LookedUp, SyncError> {
    let mut entries_of: Vec<(&str, Vec<EntryRef>)> = Vec::new();
    for (index, entry) in roster.iter().enumerate() {
        let Some(name) = entry.organization() else {
            continue;
        };
        let here = EntryRef::new(index, entry.key().clone());
        match entries_of.iter_mut().find(|(known, _)| *known == name) {
            Some((_, entries)) => entries.push(here),
            None => entries_of.push((name, vec![here])),
        }
    }
    let mut canonical = HashMap::new();
    let mut found: BTreeMap<String, Found> = BTreeMap::new();
    let mut unknown = Vec::new();
    let total = entries_of.len() as u64;
    for (done, (name, entries)) in (1u64..).zip(entries_of) {
        let request = GetOrganization::builder()
            .organization_id(name)
            .include_members_count(true)
            .build()
            .map_err(Error::from)?;
        match request.send(client) {
            Ok(organization) => {
                let count = organization
                    .members_count
                    .and_then(|count| u64::try_from(count).ok())
                    .unwrap_or(0);
                let slot = found.entry(organization.id.clone()).or_insert(Found {
                    names: Vec::new(),
                    members_count: count,
                });
                slot.names.push(name.to_owned());
                canonical.insert(name.to_owned(), organization.id);
            }
            Err(err) if err.status() == Some(404) => {
                unknown.push(RosterProblem::UnknownOrganization {
                    organization: name.to_owned(),
                    entries,
                });
            }
            Err(err) => return Err(SyncError::Client(err)),
        }
        options.report(Progress::LookingUpOrganizations { done, total });
    }
    if unknown.is_empty() {
        Ok((canonical, found))
    } else {
        Err(SyncError::InvalidRoster { problems: unknown })
    }
}

/// Two entries with one key in one organization, which the roster named differently (an id
/// and a slug), so [`Roster`] could not tell.
fn duplicates_across_names(
    by_org: &BTreeMap<&str, Vec<(usize, &RosterEntry)>>,
) -> Result<(), SyncError> {
    let mut problems = Vec::new();
    for entries in by_org.values() {
        let mut seen: HashMap<_, &(usize, &RosterEntry)> = HashMap::new();
        for pair in entries {
            let (index, entry) = *pair;
            match seen.get(&normalized(entry.key())) {
                Some(&&(first, earlier)) => problems.push(RosterProblem::DuplicateKey {
                    entry: EntryRef::new(index, entry.key().clone()),
                    first: EntryRef::new(first, earlier.key().clone()),
                }),
                None => {
                    seen.insert(normalized(entry.key()), pair);
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        problems.sort_by_key(|problem| match problem {
            RosterProblem::DuplicateKey { entry, .. } => entry.index,
            _ => 0,
        });
        Err(SyncError::InvalidRoster { problems })
    }
}

/// The requests it takes to list `members` members, 500 a page (one for none).
fn pages_for(members: u64) -> u64 {
    members.div_ceil(u64::from(MAX_LIMIT)).max(1)
}

/// Every organization's current members, by the cheaper way (see [`plan_all`]).
fn read_all_members(
    client: &Client,
    found: &BTreeMap<String, Found>,
    options: &SyncOptions,
) -> Result<(HashMap<String, Current>, MemberReading), SyncError> {
    let per_organization: u64 = found.values().map(|f| pages_for(f.members_count)).sum();
    if per_organization >= 2 {
        let request = ListInstanceMemberships::builder()
            .order_by("+created_at")
            .limit(MAX_LIMIT)
            .build()
            .map_err(Error::from)?;
        let mut pages = request.pages(client);
        let first = pages.next().transpose()?;
        let total = first
            .as_ref()
            .and_then(|page| u64::try_from(page.total_count).ok())
            .unwrap_or(0);
        if pages_for(total) <= per_organization {
            let mut readings: HashMap<&str, Reading> = found
                .keys()
                .map(|id| (id.as_str(), Reading::default()))
                .collect();
            let (mut read_pages, mut read) = (0u64, 0u64);
            for page in first.into_iter().map(Ok).chain(pages) {
                let page = page?;
                read_pages += 1;
                read += page.data.len() as u64;
                report_page(options, read_pages, read, total);
                for membership in page.data {
                    let organization_id = membership.organization.id.clone();
                    if let Some(reading) = readings.get_mut(organization_id.as_str()) {
                        reading.take(&organization_id, membership)?;
                    }
                }
            }
            let currents = readings
                .into_iter()
                .map(|(id, reading)| (id.to_owned(), reading.current))
                .collect();
            return Ok((currents, MemberReading::Instance));
        }
    }
    let mut currents = HashMap::new();
    for id in found.keys() {
        currents.insert(id.clone(), read_members(client, id, options)?);
    }
    Ok((currents, MemberReading::PerOrganization))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::vocab::RemovalThreshold;

    #[test]
    fn a_listing_takes_one_request_per_500_members_and_one_for_none() {
        assert_eq!(pages_for(0), 1);
        assert_eq!(pages_for(1), 1);
        assert_eq!(pages_for(500), 1);
        assert_eq!(pages_for(501), 2);
        assert_eq!(pages_for(10_000), 20);
        assert_eq!(pages_for(u64::MAX), u64::MAX.div_ceil(500));
    }

    #[test]
    fn a_refused_organization_shows_each_rail_it_is_over() {
        let refused = RefusedOrganization {
            organization_id: "org_1\n".to_owned(),
            removal_check: RemovalCheck::new(3, 4, RemovalThreshold::new(10, 2)),
            invite_check: InviteCheck {
                invites: 2,
                max_invites: 1,
                exceeded: true,
            },
        };
        assert_eq!(
            refused.to_string(),
            "org_1\\n: 3 removals of 4 members exceed the removal threshold (more than 10% \
             of the members and more than 2 members); 2 invitations exceed the limit of 1 per run"
        );
    }
}
