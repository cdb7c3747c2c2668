//! `Plan::apply` against the in-memory Clerk: the phases, every outcome, the refusal, many
//! workers under injected failures, and progress.
//!
//! Tests with several workers run on the real clock (the fake answers at once, so they take
//! milliseconds); `ManualClock` only where one worker applies.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::support::TestResult;
use crate::support::org::Org;
use clerk_memberships::sync::{
    self, ApplyOptions, ApplyReport, CancelToken, Change, ChangeKind, MetadataPolicy, Outcome,
    OutcomeKind, Plan, Progress, RemovalThreshold, Roster, RosterEntry, SkipReason, SyncError,
    SyncOptions,
};
use clerk_memberships::testing::{FakeClerk, Fault, clerk_error_json};
use clerk_memberships::{
    HttpRequest, HttpResponse, Method, Operation, RetryPolicy, SystemClock, Transport,
    TransportError,
};
use serde_json::{Value, json};

/// On the fake's `ManualClock`: for one worker only.
fn manual() -> Org {
    on(FakeClerk::new())
}

/// On the real clock, with quick retries: for several workers.
fn real() -> Org {
    on(FakeClerk::with_clock(SystemClock))
}

fn on(fake: FakeClerk) -> Org {
    Org::on(fake, |fake| {
        fake.client_builder()
            .retry_policy(quick_retries())
            .build()
            .expect("client")
    })
}

/// What these tests add to [`Org`]: a trait, as the plan tests add a `plan` of their own that
/// clears the requests before planning rather than after.
trait ApplyOrg {
    fn remove_by_hand(&self, user_id: &str);
    fn plan(&self, roster: &Roster, options: &SyncOptions) -> Result<Plan, SyncError>;
    fn sent(&self) -> Vec<String>;
}

impl ApplyOrg for Org {
    /// Removes a member behind the plan's back, as someone else would.
    fn remove_by_hand(&self, user_id: &str) {
        assert!(self.fake.remove_membership(&self.id, user_id).is_some());
    }

    fn plan(&self, roster: &Roster, options: &SyncOptions) -> Result<Plan, SyncError> {
        let plan = sync::plan(&self.client, &self.id, roster, options)?;
        self.fake.clear_requests();
        Ok(plan)
    }

    /// The recorded requests as `METHOD user`, the user taken from the path or the body.
    fn sent(&self) -> Vec<String> {
        self.fake.requests().iter().map(describe).collect()
    }
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy::builder()
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
        .build()
}

fn describe(request: &HttpRequest) -> String {
    let who = match request.method() {
        Method::Post => body(request)["user_id"].as_str().unwrap_or("?").to_owned(),
        Method::Get => "list".to_owned(),
        _ => request
            .path_and_query()
            .rsplit("/memberships/")
            .next()
            .unwrap_or("?")
            .to_owned(),
    };
    format!("{} {who}", request.method())
}

fn body(request: &HttpRequest) -> Value {
    request
        .body()
        .and_then(|body| serde_json::from_slice(body).ok())
        .unwrap_or(Value::Null)
}

fn roster(entries: impl IntoIterator<Item = RosterEntry>) -> Roster {
    Roster::from_entries(entries).expect("a valid roster")
}

fn one_worker() -> ApplyOptions {
    ApplyOptions::builder().workers(1).build()
}

/// The outcome of the change for `user_id` of `kind`.
fn outcome<'a>(report: &'a ApplyReport, user_id: &str, kind: ChangeKind) -> &'a Outcome {
    &report
        .results()
        .iter()
        .find(|r| r.change.user_id() == user_id && r.change.kind() == kind)
        .unwrap_or_else(|| panic!("no {kind:?} for {user_id} in\n{report}"))
        .outcome
}

// 1. Two phases.

#[test]
fn a_new_admin_is_in_place_before_the_old_one_is_demoted_or_removed() -> TestResult {
    let org = real();
    let ann = org.member("ann", "org:admin");
    let bob = org.member("bob", "org:admin");
    let cat = org.member("cat", "org:member");
    let dan = org.user("dan");
    let mut members = Vec::new();
    for i in 0..20 {
        members.push(org.member(&format!("m{i:02}"), "org:member"));
    }
    // Ann is demoted, Bob removed; Cat is promoted and Dan joins as an admin.
    let mut entries = vec![
        RosterEntry::user_id(&ann, "org:member"),
        RosterEntry::user_id(&cat, "org:admin"),
        RosterEntry::user_id(&dan, "org:admin"),
    ];
    entries.extend(
        members
            .iter()
            .map(|m| RosterEntry::user_id(m, "org:member")),
    );
    let options = SyncOptions::builder().prune(true).build();
    let plan = org.plan(&roster(entries), &options)?;
    assert_eq!(plan.changes().len(), 4);

    // The phase-1 requests are slow, and every phase-2 request looks at the state it meets:
    // without a barrier, eight workers would send the demotion and the removal first.
    let watch = Arc::new(BarrierWatch {
        fake: org.fake.clone(),
        organization: org.id.clone(),
        promoted: [cat.clone(), dan.clone()],
        demoted: [ann.clone(), bob.clone()],
        seen: Mutex::new(Vec::new()),
    });
    let client = org
        .fake
        .client_builder()
        .transport(Arc::clone(&watch))
        .build()?;
    let report = plan.apply(&client, &ApplyOptions::builder().workers(8).build())?;
    assert!(report.is_success(), "{report}");
    assert_eq!(report.counts().applied, 4);
    let admins_when_phase_two_began = watch.seen.lock().unwrap().clone();
    assert_eq!(
        admins_when_phase_two_began,
        [[true, true], [true, true]],
        "the new admins were in place before each demotion or removal"
    );

    let sent = org.sent();
    let at = |line: String| {
        sent.iter()
            .position(|s| *s == line)
            .unwrap_or_else(|| panic!("{line} not in {sent:?}"))
    };
    let first_phase = at(format!("PATCH {cat}")).max(at(format!("POST {dan}")));
    let second_phase = at(format!("PATCH {ann}")).min(at(format!("DELETE {bob}")));
    assert!(first_phase < second_phase, "{sent:?}");
    assert_eq!(
        sent.len(),
        6,
        "one request per change, and a read of the admins before each change taking the role \
         away: {sent:?}"
    );
    assert_eq!(sent.iter().filter(|s| *s == "GET list").count(), 2);
    assert_eq!(org.role(&ann).as_deref(), Some("org:member"));
    assert_eq!(org.role(&bob), None);
    assert_eq!(org.role(&cat).as_deref(), Some("org:admin"));
    assert_eq!(org.role(&dan).as_deref(), Some("org:admin"));
    Ok(())
}

#[test]
fn a_promotion_that_fails_keeps_the_old_admin() -> TestResult {
    let org = manual();
    let ann = org.member("ann", "org:admin");
    let cat = org.member("cat", "org:member");
    let plan = org.plan(
        &roster([
            RosterEntry::user_id(&ann, "org:member"),
            RosterEntry::user_id(&cat, "org:admin"),
        ]),
        &SyncOptions::default(),
    )?;
    // The promotion is the first update sent; Clerk refuses it.
    org.fake
        .inject(Fault::ServerError { status: 400 })
        .only(Operation::Update);

    let report = plan.apply(&org.client, &one_worker())?;
    let promotion = outcome(&report, &cat, ChangeKind::ChangeRole);
    assert_eq!(promotion.error().and_then(|e| e.status()), Some(400));
    assert!(matches!(
        outcome(&report, &ann, ChangeKind::ChangeRole),
        Outcome::Skipped(SkipReason::AdminNotGained { role }) if role == "org:admin"
    ));
    assert_eq!(org.role(&ann).as_deref(), Some("org:admin"));
    assert_eq!(org.sent(), [format!("PATCH {cat}")]);
    Ok(())
}

// 2. Outcomes.

#[test]
fn an_add_answered_already_a_member_sets_the_role() -> TestResult {
    let org = manual();
    org.member("ann", "org:admin");
    let bob = org.user("bob");
    let plan = org.plan(
        &roster([
            RosterEntry::email("ann@acme.com", "org:admin"),
            RosterEntry::email("bob@acme.com", "org:admin"),
        ]),
        &SyncOptions::default(),
    )?;
    // Someone adds Bob as a plain member between plan and apply.
    org.fake.add_membership(&org.id, &bob, "org:member")?;

    let report = plan.apply(&org.client, &one_worker())?;
    assert!(matches!(
        outcome(&report, &bob, ChangeKind::Add),
        Outcome::AlreadyDone
    ));
    assert_eq!(org.role(&bob).as_deref(), Some("org:admin"));
    assert_eq!(
        org.sent(),
        [
            format!("POST {bob}"),
            "GET list".to_owned(),
            format!("PATCH {bob}")
        ]
    );
    Ok(())
}

#[test]
fn an_add_answered_already_a_member_with_the_same_role_writes_nothing_more() -> TestResult {
    let org = manual();
    let bob = org.user("bob");
    let plan = org.plan(
        &roster([RosterEntry::user_id(&bob, "org:member")]),
        &SyncOptions::default(),
    )?;
    org.fake.add_membership(&org.id, &bob, "org:member")?;

    let report = plan.apply(&org.client, &one_worker())?;
    assert_eq!(report.counts().already_done, 1);
    assert_eq!(org.sent(), [format!("POST {bob}"), "GET list".to_owned()]);
    Ok(())
}

#[test]
fn a_role_change_answered_404_adds_the_member() -> TestResult {
    let org = manual();
    org.member("ann", "org:admin");
    let bob = org.member("bob", "org:member");
    let plan = org.plan(
        &roster([
            RosterEntry::user_id("user_ann", "org:admin"),
            RosterEntry::user_id(&bob, "org:admin"),
        ]),
        &SyncOptions::default(),
    )?;
    org.remove_by_hand(&bob);

    let report = plan.apply(&org.client, &one_worker())?;
    assert!(matches!(
        outcome(&report, &bob, ChangeKind::ChangeRole),
        Outcome::AlreadyDone
    ));
    assert_eq!(org.role(&bob).as_deref(), Some("org:admin"));
    assert_eq!(org.sent(), [format!("PATCH {bob}"), format!("POST {bob}")]);
    Ok(())
}

#[test]
fn a_removal_answered_404_finds_the_member_gone() -> TestResult {
    let org = manual();
    let ann = org.member("ann", "org:admin");
    let bob = org.member("bob", "org:member");
    let plan = org.plan(
        &roster([RosterEntry::user_id(&ann, "org:admin")]),
        &SyncOptions::builder().prune(true).build(),
    )?;
    org.remove_by_hand(&bob);

    let report = plan.apply(&org.client, &one_worker())?;
    assert!(matches!(
        outcome(&report, &bob, ChangeKind::Remove),
        Outcome::AlreadyDone
    ));
    assert!(report.is_success());
    assert_eq!(org.sent(), [format!("DELETE {bob}")]);
    Ok(())
}

/// A plan adding Bob (as an admin, with metadata), made on `org`.
fn plan_adding_bob(org: &Org) -> Result<(String, Plan), SyncError> {
    org.member("ann", "org:admin");
    let bob = org.user("bob");
    let entry =
        RosterEntry::user_id(&bob, "org:admin").with_public_metadata(json!({"team": "core"}));
    let options = SyncOptions::builder()
        .metadata(MetadataPolicy::Merge)
        .build();
    let plan = org.plan(
        &roster([RosterEntry::user_id("user_ann", "org:admin"), entry]),
        &options,
    )?;
    Ok((bob, plan))
}

#[test]
fn a_create_answered_503_after_it_went_through_is_read_back_as_applied() -> TestResult {
    let org = manual();
    let (bob, plan) = plan_adding_bob(&org)?;
    org.fake
        .inject(Fault::ServerError { status: 503 })
        .only(Operation::Create)
        .after_processing();

    let report = plan.apply(&org.client, &one_worker())?;
    assert!(matches!(
        outcome(&report, &bob, ChangeKind::Add),
        Outcome::Applied
    ));
    // Never sent twice: one create, one read back, nothing left to set.
    assert_eq!(org.sent(), [format!("POST {bob}"), "GET list".to_owned()]);
    let membership = org.fake.membership(&org.id, &bob).expect("a member");
    assert_eq!(membership.role, "org:admin");
    assert_eq!(
        Value::Object(membership.public_metadata),
        json!({"team": "core"})
    );
    Ok(())
}

#[test]
fn a_lost_create_read_back_with_another_role_is_set_and_already_done() -> TestResult {
    let org = manual();
    let (bob, plan) = plan_adding_bob(&org)?;
    // The create is lost, and someone else had added Bob meanwhile (so the create was
    // refused, unseen).
    org.fake.add_membership(&org.id, &bob, "org:member")?;
    org.fake.inject(Fault::TimedOut).only(Operation::Create);

    let report = plan.apply(&org.client, &one_worker())?;
    assert!(matches!(
        outcome(&report, &bob, ChangeKind::Add),
        Outcome::AlreadyDone
    ));
    assert_eq!(org.role(&bob).as_deref(), Some("org:admin"));
    assert_eq!(
        org.sent(),
        [
            format!("POST {bob}"),
            "GET list".to_owned(),
            format!("PATCH {bob}")
        ]
    );
    // The metadata the add carried was not the existing member's: planning again merges it.
    let again = org.plan(
        &roster([
            RosterEntry::user_id("user_ann", "org:admin"),
            RosterEntry::user_id(&bob, "org:admin").with_public_metadata(json!({"team": "core"})),
        ]),
        &SyncOptions::builder()
            .metadata(MetadataPolicy::Merge)
            .build(),
    )?;
    assert_eq!(
        again.to_string(),
        format!("~ {bob} (bob@acme.com) metadata public_metadata={{\"team\":\"core\"}}\n")
    );
    Ok(())
}

#[test]
fn a_create_answered_503_that_did_not_go_through_is_read_back_then_sent_once_more() -> TestResult {
    let org = manual();
    let (bob, plan) = plan_adding_bob(&org)?;
    org.fake
        .inject(Fault::ServerError { status: 503 })
        .only(Operation::Create);

    let report = plan.apply(&org.client, &one_worker())?;
    assert!(matches!(
        outcome(&report, &bob, ChangeKind::Add),
        Outcome::Applied
    ));
    // The read back shows the first create did not happen, so a second cannot duplicate it.
    assert_eq!(
        org.sent(),
        [
            format!("POST {bob}"),
            "GET list".to_owned(),
            format!("POST {bob}")
        ]
    );
    assert_eq!(org.role(&bob).as_deref(), Some("org:admin"));
    Ok(())
}

#[test]
fn a_metadata_merge_for_a_member_removed_meanwhile_is_skipped() -> TestResult {
    let org = manual();
    org.member("ann", "org:admin");
    let bob = org.member("bob", "org:member");
    let plan = org.plan(
        &roster([
            RosterEntry::user_id("user_ann", "org:admin"),
            RosterEntry::user_id(&bob, "org:member").with_public_metadata(json!({"team": "core"})),
        ]),
        &SyncOptions::builder()
            .metadata(MetadataPolicy::Merge)
            .build(),
    )?;
    org.remove_by_hand(&bob);

    let report = plan.apply(&org.client, &one_worker())?;
    assert!(matches!(
        outcome(&report, &bob, ChangeKind::MergeMetadata),
        Outcome::Skipped(SkipReason::NotAMember)
    ));
    assert!(report.is_success());
    assert_eq!(org.sent(), [format!("PATCH {bob}/metadata")]);
    Ok(())
}

#[test]
fn a_lost_create_that_cannot_be_read_back_is_unknown() -> TestResult {
    let org = manual();
    let (bob, plan) = plan_adding_bob(&org)?;
    org.fake.inject(Fault::TimedOut).only(Operation::Create);
    org.fake
        .inject(Fault::ServerError { status: 503 })
        .times(1_000)
        .only(Operation::List);

    let report = plan.apply(&org.client, &one_worker())?;
    let Outcome::Unknown { create, read_back } = outcome(&report, &bob, ChangeKind::Add) else {
        panic!("{report}");
    };
    assert!(
        create
            .transport_error()
            .is_some_and(|t| t.may_have_been_sent())
    );
    assert_eq!(read_back.status(), Some(503));
    assert_eq!(report.counts().unknown, 1);
    let posts = org.sent().iter().filter(|s| s.starts_with("POST")).count();
    assert_eq!(posts, 1, "a create is never repeated");

    // Planning again settles it: the create had gone through.
    org.fake.clear_faults();
    let again = org.plan(
        &roster([
            RosterEntry::user_id("user_ann", "org:admin"),
            RosterEntry::user_id(&bob, "org:admin"),
        ]),
        &SyncOptions::default(),
    )?;
    assert!(again.is_empty(), "{again}");
    Ok(())
}

#[test]
fn a_failure_does_not_stop_the_other_changes() -> TestResult {
    let org = manual();
    org.member("ann", "org:admin");
    let users: Vec<String> = ["bob", "cat", "dan"].iter().map(|n| org.user(n)).collect();
    let mut entries = vec![RosterEntry::user_id("user_ann", "org:admin")];
    entries.extend(users.iter().map(|u| RosterEntry::user_id(u, "org:member")));
    let plan = org.plan(&roster(entries), &SyncOptions::default())?;
    org.fake
        .inject(Fault::ServerError { status: 400 })
        .only(Operation::Create);

    let report = plan.apply(&org.client, &one_worker())?;
    let kinds: Vec<OutcomeKind> = report.results().iter().map(|r| r.outcome.kind()).collect();
    assert_eq!(
        kinds,
        [
            OutcomeKind::Failed,
            OutcomeKind::Applied,
            OutcomeKind::Applied
        ]
    );
    assert_eq!(report.counts().failed, 1);
    Ok(())
}

#[test]
fn stop_on_error_skips_the_changes_not_started() -> TestResult {
    let org = manual();
    org.member("ann", "org:admin");
    let old = org.member("old", "org:member");
    let users: Vec<String> = ["bob", "cat", "dan"].iter().map(|n| org.user(n)).collect();
    let mut entries = vec![RosterEntry::user_id("user_ann", "org:admin")];
    entries.extend(users.iter().map(|u| RosterEntry::user_id(u, "org:member")));
    let options = SyncOptions::builder().prune(true).build();
    let plan = org.plan(&roster(entries), &options)?;
    org.fake
        .inject(Fault::ServerError { status: 400 })
        .only(Operation::Create);

    let stop = ApplyOptions::builder()
        .workers(1)
        .stop_on_error(true)
        .build();
    let report = plan.apply(&org.client, &stop)?;
    let kinds: Vec<OutcomeKind> = report.results().iter().map(|r| r.outcome.kind()).collect();
    assert_eq!(kinds[0], OutcomeKind::Failed);
    assert!(
        kinds[1..].iter().all(|k| *k == OutcomeKind::Skipped),
        "{report}"
    );
    assert!(matches!(
        outcome(&report, &old, ChangeKind::Remove),
        Outcome::Skipped(SkipReason::Stopped)
    ));
    assert_eq!(org.sent(), [format!("POST {}", users[0])]);
    Ok(())
}

#[test]
fn a_cancelled_apply_starts_no_more_changes_and_reports_them_not_started() -> TestResult {
    let org = manual();
    org.member("ann", "org:admin");
    let old = org.member("old", "org:member");
    let users: Vec<String> = ["bob", "cat", "dan"].iter().map(|n| org.user(n)).collect();
    let mut entries = vec![RosterEntry::user_id("user_ann", "org:admin")];
    entries.extend(users.iter().map(|u| RosterEntry::user_id(u, "org:member")));
    let options = SyncOptions::builder().prune(true).build();
    let roster = roster(entries);
    let plan = org.plan(&roster, &options)?;

    // Cancelled as the first change ends, as a signal handler would while it is sent.
    let token = CancelToken::new();
    let canceller = token.clone();
    let cancel = ApplyOptions::builder()
        .workers(1)
        .cancel(token.clone())
        .on_progress(move |_| canceller.cancel())
        .build();
    let report = plan.apply(&org.client, &cancel)?;

    assert!(token.is_cancelled());
    let kinds: Vec<OutcomeKind> = report.results().iter().map(|r| r.outcome.kind()).collect();
    assert_eq!(kinds.len(), 4, "{report}");
    assert_eq!(kinds[0], OutcomeKind::Applied);
    for result in &report.results()[1..] {
        assert!(
            matches!(result.outcome, Outcome::Skipped(SkipReason::Cancelled)),
            "{report}"
        );
    }
    assert!(matches!(
        outcome(&report, &old, ChangeKind::Remove),
        Outcome::Skipped(SkipReason::Cancelled)
    ));
    assert_eq!(org.sent(), [format!("POST {}", users[0])]);
    assert!(report.is_success(), "not started is not a failure");
    assert_eq!(report.counts().skipped, 3);
    assert!(
        report
            .to_string()
            .contains("=> skipped (not started: the apply was cancelled)"),
        "{report}"
    );
    let json = serde_json::to_value(&report)?;
    assert_eq!(json["results"][1]["reason"], json!({"reason": "cancelled"}));

    // Planning again shows what is left, and applying it converges.
    let rest = org.plan(&roster, &options)?;
    let mut left: Vec<(ChangeKind, &str)> = rest
        .changes()
        .iter()
        .map(|c| (c.kind(), c.user_id()))
        .collect();
    left.sort_unstable_by_key(|&(_, user)| user);
    assert_eq!(
        left,
        [
            (ChangeKind::Add, users[1].as_str()),
            (ChangeKind::Add, users[2].as_str()),
            (ChangeKind::Remove, old.as_str()),
        ]
    );
    assert!(rest.apply(&org.client, &one_worker())?.is_success());
    for user in &users {
        assert_eq!(org.role(user).as_deref(), Some("org:member"));
    }
    assert_eq!(org.role(&old), None);
    Ok(())
}

#[test]
fn an_apply_cancelled_before_it_begins_sends_nothing() -> TestResult {
    let org = manual();
    org.member("ann", "org:admin");
    let bob = org.user("bob");
    let plan = org.plan(
        &roster([
            RosterEntry::user_id("user_ann", "org:admin"),
            RosterEntry::user_id(&bob, "org:member"),
        ]),
        &SyncOptions::default(),
    )?;
    let token = CancelToken::new();
    token.cancel();
    let report = plan.apply(&org.client, &ApplyOptions::builder().cancel(token).build())?;
    assert!(matches!(
        outcome(&report, &bob, ChangeKind::Add),
        Outcome::Skipped(SkipReason::Cancelled)
    ));
    assert!(org.sent().is_empty());
    Ok(())
}

#[test]
fn the_plans_skipped_changes_are_reported_with_their_reasons() -> TestResult {
    let org = manual();
    let ann = org.member("ann", "org:admin");
    let bob = org.member("bob", "org:member");
    let options = SyncOptions::builder().prune(true).protect(&bob).build();
    let plan = org.plan(&roster([RosterEntry::user_id(&ann, "org:admin")]), &options)?;

    let report = plan.apply(&org.client, &one_worker())?;
    assert!(matches!(
        outcome(&report, &bob, ChangeKind::Remove),
        Outcome::Skipped(SkipReason::Protected)
    ));
    assert_eq!(
        report.to_string(),
        format!("- {bob} (bob@acme.com) org:member => skipped (protected)\n")
    );
    assert!(org.sent().is_empty());
    Ok(())
}

// 1. The refusal.

#[test]
fn a_plan_over_the_removal_threshold_is_refused_unless_forced() -> TestResult {
    let org = manual();
    let ann = org.member("ann", "org:admin");
    let others: Vec<String> = ["bob", "cat", "dan"]
        .iter()
        .map(|name| org.member(name, "org:member"))
        .collect();
    let options = SyncOptions::builder()
        .prune(true)
        .removal_threshold(RemovalThreshold::new(0, 2))
        .build();
    let plan = org.plan(&roster([RosterEntry::user_id(&ann, "org:admin")]), &options)?;

    let err = plan.apply(&org.client, &one_worker()).unwrap_err();
    assert!(matches!(err, SyncError::RemovalThresholdExceeded(check) if check.removals == 3));
    assert_eq!(
        err.to_string(),
        "refused: 3 removals of 4 members exceed the removal threshold \
         (more than 0% of the members and more than 2 members)"
    );
    assert!(org.fake.requests().is_empty(), "nothing is sent");

    let forced = ApplyOptions::builder().workers(1).force(true).build();
    let report = plan.apply(&org.client, &forced)?;
    assert_eq!(report.counts().applied, 3);
    assert_eq!(org.role(&ann).as_deref(), Some("org:admin"));
    for other in &others {
        assert_eq!(org.role(other), None, "{other} is removed");
    }
    Ok(())
}

// 3. Workers under failures, and idempotence.

/// The fake behind a proxy that answers 503 to one request in 20: every other time after the
/// fake has done the work (the worst case for a create, whose answer is then lost), and
/// otherwise without passing the request on (the fake never sees it).
///
/// The proxy answers itself rather than arming `FakeClerk::inject(…).after_processing()`:
/// with eight workers, another thread's request could fire the fault between `inject` and
/// `after_processing`.
#[derive(Debug)]
/// Delays the requests that make `promoted` admins by 50 ms, and records, for each request
/// that demotes or removes one of `demoted`, whether each of `promoted` was an admin by then.
struct BarrierWatch {
    fake: FakeClerk,
    organization: String,
    promoted: [String; 2],
    demoted: [String; 2],
    seen: Mutex<Vec<[bool; 2]>>,
}

impl BarrierWatch {
    /// The user a write is about: the path's last segment, or a create's `user_id`.
    fn user_of(request: &HttpRequest) -> String {
        match request.method() {
            Method::Post => body(request)["user_id"].as_str().unwrap_or("").to_owned(),
            _ => request
                .path_and_query()
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_owned(),
        }
    }
}

impl Transport for BarrierWatch {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let user = Self::user_of(request);
        if request.method() != Method::Get && self.promoted.contains(&user) {
            std::thread::sleep(Duration::from_millis(50));
        }
        if request.method() != Method::Get && self.demoted.contains(&user) {
            let admin = |who: &String| {
                self.fake
                    .membership(&self.organization, who)
                    .is_some_and(|m| m.role == "org:admin")
            };
            let now = [admin(&self.promoted[0]), admin(&self.promoted[1])];
            self.seen.lock().unwrap().push(now);
        }
        self.fake.send(request)
    }
}

struct Flaky {
    fake: FakeClerk,
    seen: AtomicU64,
    /// 503s answered, and those among them for a request the fake had processed.
    failed: AtomicU64,
    failed_after_processing: AtomicU64,
    /// Requests being sent right now, and the most there ever were at once.
    in_flight: AtomicU64,
    most_in_flight: AtomicU64,
}

impl Flaky {
    fn new(fake: &FakeClerk) -> Flaky {
        Flaky {
            fake: fake.clone(),
            seen: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            failed_after_processing: AtomicU64::new(0),
            in_flight: AtomicU64::new(0),
            most_in_flight: AtomicU64::new(0),
        }
    }

    fn answer(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let n = self.seen.fetch_add(1, Ordering::SeqCst);
        if n % 20 != 19 {
            return self.fake.send(request);
        }
        self.failed.fetch_add(1, Ordering::SeqCst);
        if (n / 20).is_multiple_of(2) {
            let _processed = self.fake.send(request)?;
            self.failed_after_processing.fetch_add(1, Ordering::SeqCst);
        }
        let body = clerk_error_json("internal_clerk_error", "Service unavailable");
        Ok(HttpResponse::new(503, body).with_header("content-type", "application/json"))
    }
}

impl Transport for Flaky {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_in_flight.fetch_max(now, Ordering::SeqCst);
        let answer = self.answer(request);
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        answer
    }
}

#[test]
fn eight_workers_converge_under_5_percent_of_503s_without_a_create_sent_twice() -> TestResult {
    let org = real();
    org.fake.latency(Duration::from_millis(2));
    let faults = Arc::new(Flaky::new(&org.fake));
    let flaky = org
        .fake
        .client_builder()
        .transport(Arc::clone(&faults))
        .retry_policy(quick_retries())
        .build()?;
    let mut entries = vec![];
    for i in 0..60 {
        let user = org.member(
            &format!("old{i:02}"),
            if i < 3 { "org:admin" } else { "org:member" },
        );
        match i % 4 {
            0 => {} // removed
            1 => entries.push(RosterEntry::user_id(&user, "org:admin")),
            _ => entries.push(
                RosterEntry::user_id(&user, "org:member").with_public_metadata(json!({"seat": i})),
            ),
        }
    }
    for i in 0..120 {
        let user = org.user(&format!("new{i:03}"));
        let role = if i % 10 == 0 {
            "org:admin"
        } else {
            "org:member"
        };
        entries.push(RosterEntry::user_id(&user, role));
    }
    let roster = roster(entries);
    let options = SyncOptions::builder()
        .prune(true)
        .metadata(MetadataPolicy::Merge)
        .removal_threshold(RemovalThreshold::unlimited())
        .build();
    let apply = ApplyOptions::builder().workers(8).build();

    let plan = sync::plan(&flaky, &org.id, &roster, &options)?;
    assert_eq!(plan.changes().len(), 180, "{}", plan.counts());
    let mut report = plan.apply(&flaky, &apply)?;
    let mut replans = 0;
    loop {
        let again = sync::plan(&flaky, &org.id, &roster, &options)?;
        if again.is_empty() {
            break;
        }
        replans += 1;
        assert!(
            replans <= 1,
            "still not converged:\n{again}\nafter\n{report}"
        );
        report = again.apply(&flaky, &apply)?;
    }

    let requests = org.fake.requests();
    let failed = faults.failed.load(Ordering::SeqCst);
    assert!(failed >= 9, "one request in 20 answered 503: {failed}");
    assert!(
        faults.failed_after_processing.load(Ordering::SeqCst) >= failed / 2,
        "half of them after the fake had done the work"
    );
    assert!(
        faults.most_in_flight.load(Ordering::SeqCst) > 1,
        "the workers sent requests side by side"
    );
    let mut posts: HashMap<String, usize> = HashMap::new();
    for request in requests {
        if request.method() == Method::Post {
            let user = body(&request)["user_id"].as_str().unwrap_or("?").to_owned();
            *posts.entry(user).or_default() += 1;
        }
    }
    assert_eq!(posts.len(), 120);
    assert!(
        posts.values().all(|n| *n == 1),
        "a create sent twice: {posts:?}"
    );
    Ok(())
}

#[test]
fn planning_again_after_an_apply_finds_nothing_to_do() -> TestResult {
    let org = real();
    let mut entries = vec![];
    for i in 0..30 {
        let user = org.member(
            &format!("old{i:02}"),
            if i < 2 { "org:admin" } else { "org:member" },
        );
        match i % 3 {
            0 => {}
            1 => entries.push(RosterEntry::user_id(&user, "org:admin")),
            _ => entries.push(
                RosterEntry::user_id(&user, "org:member").with_private_metadata(json!({"desk": i})),
            ),
        }
    }
    for i in 0..30 {
        entries.push(RosterEntry::email(
            format!("new{i:02}@acme.com"),
            "org:member",
        ));
        org.user(&format!("new{i:02}"));
    }
    let roster = roster(entries);
    let options = SyncOptions::builder()
        .prune(true)
        .metadata(MetadataPolicy::Exact)
        .removal_threshold(RemovalThreshold::unlimited())
        .build();
    let plan = org.plan(&roster, &options)?;
    let counts = plan.counts();
    assert!(
        counts.add > 0 && counts.change_role > 0 && counts.merge_metadata > 0 && counts.remove > 0
    );

    let report = plan.apply(&org.client, &ApplyOptions::builder().workers(4).build())?;
    assert!(report.is_success(), "{report}");
    assert_eq!(report.counts().applied, plan.changes().len());
    let again = org.plan(&roster, &options)?;
    assert!(again.is_empty(), "{again}");
    let nothing = again.apply(&org.client, &ApplyOptions::default())?;
    assert!(nothing.results().is_empty());
    assert!(org.fake.requests().is_empty());
    Ok(())
}

// 5. Progress.

#[test]
fn progress_counts_every_change_once_in_order_from_the_workers() -> TestResult {
    let org = real();
    let ann = org.member("ann", "org:admin");
    let protected = org.member("boss", "org:member");
    let mut entries = vec![RosterEntry::user_id(&ann, "org:admin")];
    for i in 0..40 {
        entries.push(RosterEntry::user_id(
            org.user(&format!("u{i:02}")),
            "org:member",
        ));
    }
    let options = SyncOptions::builder()
        .prune(true)
        .protect(&protected)
        .build();
    let plan = org.plan(&roster(entries), &options)?;
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let apply = ApplyOptions::builder()
        .workers(8)
        .on_progress(move |step| seen.lock().expect("not poisoned").push(step))
        .build();

    let report = plan.apply(&org.client, &apply)?;
    let events = events.lock().expect("not poisoned").clone();
    assert_eq!(events.len(), 41);
    let mut by_kind: HashMap<OutcomeKind, usize> = HashMap::new();
    for (i, event) in events.iter().enumerate() {
        let Progress::Applying {
            done,
            total,
            outcome,
            ..
        } = *event
        else {
            panic!("{event:?}");
        };
        assert_eq!((done, total), (i as u64 + 1, 41));
        *by_kind.entry(outcome).or_default() += 1;
    }
    assert!(matches!(
        events[0],
        Progress::Applying {
            change: ChangeKind::Remove,
            outcome: OutcomeKind::Skipped,
            ..
        }
    ));
    assert_eq!(
        by_kind.get(&OutcomeKind::Applied),
        Some(&report.counts().applied)
    );
    assert_eq!(by_kind.get(&OutcomeKind::Skipped), Some(&1));
    assert_eq!(
        events[40].to_string(),
        "applying: 41 of 41 changes (+ applied)"
    );
    Ok(())
}

#[test]
fn the_report_reads_as_json_for_ci() -> TestResult {
    let org = manual();
    let (bob, plan) = plan_adding_bob(&org)?;
    org.fake
        .inject(Fault::ServerError { status: 400 })
        .only(Operation::Create);
    let report = plan.apply(&org.client, &one_worker())?;
    let json = serde_json::to_value(&report)?;
    assert_eq!(json["organization_id"], "org_acme");
    assert_eq!(
        json["counts"],
        json!({"applied": 0, "already_done": 0, "skipped": 0, "failed": 1, "unknown": 0})
    );
    let result = &json["results"][0];
    assert_eq!(result["change"]["kind"], "add");
    assert_eq!(result["change"]["user_id"], bob.as_str());
    assert_eq!(result["outcome"], "failed");
    assert_eq!(result["error"]["status"], 400);
    assert!(
        result["error"]["message"].as_str().is_some_and(
            |m| m.starts_with("create membership (POST /organizations/org_acme/memberships)")
        ),
        "{result}"
    );
    assert!(!json.to_string().contains(FakeClerk::SECRET_KEY));
    let _: &Change = &report.results()[0].change;
    Ok(())
}

// The last admin, checked again when applying.

/// Plans Ann's demotion (and with `prune`, removals) while Ann and Bob are admins.
fn plan_with_two_admins(org: &Org, roster_entries: Vec<RosterEntry>) -> Result<Plan, SyncError> {
    let options = SyncOptions::builder().prune(true).build();
    org.plan(&roster(roster_entries), &options)
}

#[test]
fn an_admin_is_not_demoted_once_someone_else_demoted_the_other_admin_after_the_plan() -> TestResult
{
    let org = manual();
    let ann = org.member("ann", "org:admin");
    let bob = org.member("bob", "org:admin");
    let plan = plan_with_two_admins(
        &org,
        vec![
            RosterEntry::user_id(&ann, "org:member"),
            RosterEntry::user_id(&bob, "org:admin"),
        ],
    )?;
    assert_eq!(plan.changes().len(), 1, "{plan}");
    assert!(
        plan.skipped().is_empty(),
        "Bob remains an admin, as planned"
    );
    // Someone else demotes Bob after the plan was made.
    org.fake.set_membership_role(&org.id, &bob, "org:member");

    let report = plan.apply(&org.client, &one_worker())?;
    let skipped = SkipReason::NoOtherAdmin {
        role: "org:admin".into(),
    };
    assert!(
        matches!(outcome(&report, &ann, ChangeKind::ChangeRole), Outcome::Skipped(reason) if *reason == skipped),
        "{report}"
    );
    assert_eq!(org.role(&ann).as_deref(), Some("org:admin"), "Ann stays");
    assert_eq!(org.sent(), ["GET list"], "the check only: nothing written");
    let check = org.fake.requests()[0].path_and_query().to_owned();
    assert_eq!(
        check,
        "/v1/organizations/org_acme/memberships?role=org%3Aadmin&limit=2"
    );
    assert_eq!(
        report.to_string(),
        format!(
            "~ {ann} (ann@acme.com) role org:admin -> org:member => skipped (no other member \
             holding org:admin when applied)\n"
        )
    );
    let json = serde_json::to_value(&report)?;
    assert_eq!(
        json["results"][0]["reason"],
        json!({"reason": "no_other_admin", "role": "org:admin"})
    );
    assert_eq!(report.counts().skipped, 1);
    assert!(report.is_success(), "a skipped change is not a failure");
    Ok(())
}

#[test]
fn an_admin_is_not_removed_once_someone_else_removed_the_other_admin_after_the_plan() -> TestResult
{
    let org = manual();
    let ann = org.member("ann", "org:admin");
    let bob = org.member("bob", "org:admin");
    let cat = org.member("cat", "org:member");
    // Ann is not in the roster: pruned.
    let plan = plan_with_two_admins(
        &org,
        vec![
            RosterEntry::user_id(&bob, "org:admin"),
            RosterEntry::user_id(&cat, "org:member"),
        ],
    )?;
    assert_eq!(plan.changes().len(), 1, "{plan}");
    org.remove_by_hand(&bob);

    let report = plan.apply(&org.client, &one_worker())?;
    assert!(
        matches!(
            outcome(&report, &ann, ChangeKind::Remove),
            Outcome::Skipped(SkipReason::NoOtherAdmin { role }) if role == "org:admin"
        ),
        "{report}"
    );
    assert_eq!(org.role(&ann).as_deref(), Some("org:admin"), "Ann stays");
    assert_eq!(org.sent(), ["GET list"], "nothing written");
    Ok(())
}

#[test]
fn an_admin_is_removed_when_the_server_shows_another_admin() -> TestResult {
    let org = manual();
    let ann = org.member("ann", "org:admin");
    let bob = org.member("bob", "org:admin");
    let cat = org.member("cat", "org:member");
    let plan = plan_with_two_admins(&org, vec![RosterEntry::user_id(&bob, "org:admin")])?;
    assert_eq!(plan.changes().len(), 2, "{plan}");
    let report = plan.apply(&org.client, &one_worker())?;
    assert_eq!(report.counts().applied, 2, "{report}");
    // Cat never held the admin role as planned: no check before her removal.
    assert_eq!(
        org.sent(),
        [
            "GET list".to_owned(),
            format!("DELETE {ann}"),
            format!("DELETE {cat}")
        ]
    );
    assert_eq!(org.role(&ann), None);
    Ok(())
}

/// In front of the fake: holds the answer to each read of the admins until a second read has
/// been answered too, or for at most 300 ms. Two checks running at once meet here, both read
/// before either writes: without one-at-a-time, each would see the other's member still an
/// admin.
struct MeetingPoint {
    fake: FakeClerk,
    reads: Mutex<u32>,
    arrived: std::sync::Condvar,
    most_at_once: AtomicU64,
}

impl Transport for MeetingPoint {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        if request.method() != Method::Get || !request.path_and_query().contains("role=") {
            return self.fake.send(request);
        }
        let answer = self.fake.send(request);
        let mut reads = self.reads.lock().unwrap();
        *reads += 1;
        self.most_at_once
            .fetch_max(u64::from(*reads), Ordering::SeqCst);
        self.arrived.notify_all();
        let (mut reads, _) = self
            .arrived
            .wait_timeout_while(reads, Duration::from_millis(300), |r| *r < 2)
            .unwrap();
        *reads -= 1;
        answer
    }
}

#[test]
fn two_admin_demotions_of_which_only_one_can_go_are_checked_one_at_a_time() -> TestResult {
    let org = real();
    let ann = org.member("ann", "org:admin");
    let bob = org.member("bob", "org:admin");
    let cat = org.member("cat", "org:admin");
    let plan = plan_with_two_admins(
        &org,
        vec![
            RosterEntry::user_id(&ann, "org:member"),
            RosterEntry::user_id(&bob, "org:member"),
            RosterEntry::user_id(&cat, "org:admin"),
        ],
    )?;
    assert_eq!(
        plan.changes().len(),
        2,
        "Cat remains, so both may go: {plan}"
    );
    // Someone else demotes Cat after the plan was made: now only one of Ann and Bob may go.
    org.fake.set_membership_role(&org.id, &cat, "org:member");

    let meeting = Arc::new(MeetingPoint {
        fake: org.fake.clone(),
        reads: Mutex::new(0),
        arrived: std::sync::Condvar::new(),
        most_at_once: AtomicU64::new(0),
    });
    let client = org
        .fake
        .client_builder()
        .retry_policy(quick_retries())
        .transport(Arc::clone(&meeting))
        .build()?;
    let report = plan.apply(&client, &ApplyOptions::builder().workers(8).build())?;
    assert_eq!(report.counts().applied, 1, "{report}");
    assert_eq!(report.counts().skipped, 1, "{report}");
    let skipped: Vec<&str> = report
        .results()
        .iter()
        .filter(|r| {
            matches!(&r.outcome, Outcome::Skipped(SkipReason::NoOtherAdmin { role }) if role == "org:admin")
        })
        .map(|r| r.change.user_id())
        .collect();
    assert_eq!(skipped.len(), 1, "{report}");
    assert_eq!(
        org.role(skipped[0]).as_deref(),
        Some("org:admin"),
        "the one skipped keeps the organization's last admin role"
    );
    let admins = [&ann, &bob, &cat]
        .iter()
        .filter(|who| org.role(who).as_deref() == Some("org:admin"))
        .count();
    assert_eq!(admins, 1);
    assert_eq!(
        meeting.most_at_once.load(Ordering::SeqCst),
        1,
        "the checks ran one at a time"
    );
    Ok(())
}
