//! `sync::plan` against the in-memory Clerk: what it reads, and the plan it makes.

use std::sync::{Arc, Mutex};

use crate::support::TestResult;
use crate::support::org::Org;
use clerk_memberships::sync::{
    self, Change, MetadataPolicy, Plan, Progress, RemovalThreshold, Roster, RosterEntry,
    RosterProblem, SkipReason, SyncError, SyncOptions, SyncOptionsBuilder, Unresolved,
};
use clerk_memberships::testing::{FakeClerk, FakeUser, Fault};
use clerk_memberships::{Operation, RetryPolicy, UpdateMembershipMetadata};
use serde_json::{Value, json};

fn org() -> Org {
    Org::on(FakeClerk::new(), FakeClerk::client)
}

impl Org {
    fn set_metadata(&self, user_id: &str, public: Value, private: Value) {
        UpdateMembershipMetadata::builder()
            .organization_id(&self.id)
            .user_id(user_id)
            .public_metadata(public)
            .private_metadata(private)
            .build()
            .expect("built")
            .send(&self.client)
            .expect("sent");
    }

    fn plan(&self, roster: &Roster, options: SyncOptionsBuilder) -> Result<Plan, SyncError> {
        self.fake.clear_requests();
        sync::plan(&self.client, &self.id, roster, &options.build())
    }

    /// How many requests of each operation the last plan sent: (list memberships, list users).
    /// The instance's roles, when the roster is checked against them, are read once besides.
    fn requests(&self) -> (usize, usize) {
        let requests = self.fake.requests();
        let count = |operation| {
            requests
                .iter()
                .filter(|request| request.operation() == operation)
                .count()
        };
        let roles = count(Operation::ListOrganizationRoles);
        assert!(
            roles <= 1,
            "the roles are read at most once, not {roles} times"
        );
        assert_eq!(
            count(Operation::List) + count(Operation::ListUsers) + roles,
            requests.len(),
            "planning only reads"
        );
        (count(Operation::List), count(Operation::ListUsers))
    }
}

fn lines(plan: &Plan) -> Vec<String> {
    plan.to_string().lines().map(str::to_owned).collect()
}

fn roster(entries: impl IntoIterator<Item = RosterEntry>) -> Roster {
    Roster::from_entries(entries).expect("a valid roster")
}

#[test]
fn an_empty_roster_for_an_empty_organization_plans_nothing_in_one_request() -> TestResult {
    let org = org();
    let plan = org.plan(&Roster::new(), SyncOptions::builder().prune(true))?;
    assert!(plan.is_empty());
    assert_eq!(plan.to_string(), "");
    assert_eq!(plan.current_members(), 0);
    assert_eq!(org.requests(), (1, 0));
    let sent = org.fake.requests();
    assert_eq!(
        sent[0].path_and_query(),
        "/v1/organizations/org_acme/memberships?order_by=%2Bcreated_at&limit=500"
    );
    Ok(())
}

#[test]
fn an_empty_organization_gets_everyone_added() -> TestResult {
    let org = org();
    org.user("ann");
    org.user("bob");
    org.user("cid");
    let plan = org.plan(
        &roster([
            RosterEntry::email("Ann@ACME.com", "org:admin"),
            RosterEntry::external_id("hr-bob", "org:member"),
            RosterEntry::user_id("user_cid", "org:member"),
        ]),
        SyncOptions::builder(),
    )?;
    assert_eq!(
        lines(&plan),
        [
            "+ user_ann (Ann@ACME.com) org:admin",
            "+ user_bob (hr-bob) org:member",
            "+ user_cid org:member",
        ]
    );
    assert_eq!(plan.counts().add, 3);
    // One page of members, then one lookup per kind of key.
    assert_eq!(org.requests(), (1, 3));
    Ok(())
}

#[test]
fn only_role_changes_when_everyone_is_there() -> TestResult {
    let org = org();
    org.fake
        .add_role("org:billing", "Billing", Vec::<String>::new());
    org.member("ann", "org:admin");
    org.member("bob", "org:member");
    org.member("cid", "org:member");
    let plan = org.plan(
        &roster([
            RosterEntry::user_id("user_ann", "org:admin"),
            RosterEntry::user_id("user_bob", "org:admin"),
            RosterEntry::email("cid@acme.com", "org:billing"),
        ]),
        SyncOptions::builder(),
    )?;
    assert_eq!(
        lines(&plan),
        [
            "~ user_bob (bob@acme.com) role org:member -> org:admin",
            "~ user_cid (cid@acme.com) role org:member -> org:billing",
        ]
    );
    let counts = plan.counts();
    assert_eq!((counts.add, counts.change_role, counts.remove), (0, 2, 0));
    // Members' user ids need no lookup; the email address does.
    assert_eq!(org.requests(), (1, 1));
    Ok(())
}

/// Ann has metadata; the roster wants some of it changed.
fn metadata_org() -> (Org, Roster) {
    let org = org();
    org.member("ann", "org:admin");
    org.set_metadata(
        "user_ann",
        json!({"team": "a", "seat": 4}),
        json!({"hr": {"id": 7, "legacy": true}}),
    );
    let roster = roster([RosterEntry::email("ann@acme.com", "org:admin")
        .with_public_metadata(json!({"team": "b"}))
        .with_private_metadata(json!({"hr": {"id": 7}}))]);
    (org, roster)
}

#[test]
fn metadata_ignore_changes_nothing() -> TestResult {
    let (org, roster) = metadata_org();
    let plan = org.plan(&roster, SyncOptions::builder())?;
    assert!(plan.is_empty(), "{plan}");
    Ok(())
}

#[test]
fn metadata_merge_sets_the_roster_keys_only() -> TestResult {
    let (org, roster) = metadata_org();
    let plan = org.plan(
        &roster,
        SyncOptions::builder().metadata(MetadataPolicy::Merge),
    )?;
    assert_eq!(
        lines(&plan),
        [r#"~ user_ann (ann@acme.com) metadata public_metadata={"team":"b"}"#]
    );
    Ok(())
}

#[test]
fn metadata_exact_also_removes_the_keys_the_roster_lacks() -> TestResult {
    let (org, roster) = metadata_org();
    let plan = org.plan(
        &roster,
        SyncOptions::builder().metadata(MetadataPolicy::Exact),
    )?;
    assert_eq!(
        lines(&plan),
        [
            r#"~ user_ann (ann@acme.com) metadata public_metadata={"seat":null,"team":"b"} private_metadata={"hr":{"legacy":null}}"#
        ]
    );
    let Change::MergeMetadata {
        public_metadata, ..
    } = &plan.changes()[0]
    else {
        panic!("{plan}");
    };
    // Merging the patch gives exactly the roster's object.
    UpdateMembershipMetadata::builder()
        .organization_id(&org.id)
        .user_id("user_ann")
        .set_public_metadata(public_metadata.clone().map(Value::Object))
        .build()?
        .send(&org.client)?;
    let ann = org.fake.membership(&org.id, "user_ann").expect("a member");
    assert_eq!(Value::Object(ann.public_metadata), json!({"team": "b"}));
    Ok(())
}

#[test]
fn a_missing_private_metadata_counts_as_empty() -> TestResult {
    let org = org();
    org.member("ann", "org:member");
    let roster = roster([RosterEntry::user_id("user_ann", "org:member")
        .with_private_metadata(json!({"hr": {"id": 7}, "gone": null}))]);
    let plan = org.plan(
        &roster,
        SyncOptions::builder().metadata(MetadataPolicy::Exact),
    )?;
    assert_eq!(
        lines(&plan),
        [r#"~ user_ann (ann@acme.com) metadata private_metadata={"hr":{"id":7}}"#]
    );
    Ok(())
}

/// Ann (admin) and Bob are in the roster; Cid and Dan are members who are not.
fn prune_org() -> (Org, Roster) {
    let org = org();
    org.member("ann", "org:admin");
    org.member("bob", "org:member");
    org.member("cid", "org:member");
    org.member("dan", "org:admin");
    let roster = roster([
        RosterEntry::email("ann@acme.com", "org:admin"),
        RosterEntry::email("bob@acme.com", "org:member"),
    ]);
    (org, roster)
}

#[test]
fn without_prune_members_missing_from_the_roster_stay() -> TestResult {
    let (org, roster) = prune_org();
    let plan = org.plan(&roster, SyncOptions::builder())?;
    assert!(plan.is_empty(), "{plan}");
    Ok(())
}

#[test]
fn with_prune_members_missing_from_the_roster_are_removed() -> TestResult {
    let (org, roster) = prune_org();
    let plan = org.plan(&roster, SyncOptions::builder().prune(true))?;
    assert_eq!(
        lines(&plan),
        [
            "- user_cid (cid@acme.com) org:member",
            "- user_dan (dan@acme.com) org:admin",
        ]
    );
    Ok(())
}

#[test]
fn protected_members_are_never_removed_nor_demoted_from_admin() -> TestResult {
    let (org, mut roster) = prune_org();
    roster.push(RosterEntry::user_id("user_dan", "org:member"))?;
    let plan = org.plan(
        &roster,
        SyncOptions::builder()
            .prune(true)
            .protect("user_cid")
            .protect("user_dan"),
    )?;
    assert!(plan.is_empty(), "{plan}");
    assert_eq!(
        lines(&plan),
        [
            "! ~ user_dan (dan@acme.com) role org:admin -> org:member (skipped: protected)",
            "! - user_cid (cid@acme.com) org:member (skipped: protected)",
        ]
    );
    assert_eq!(plan.counts().skipped, 2);
    Ok(())
}

#[test]
fn the_last_admin_is_never_lost() -> TestResult {
    let org = org();
    org.member("ann", "org:admin"); // the longest-standing admin
    org.member("bob", "org:admin");
    org.member("cid", "org:member");
    // The roster demotes Bob and leaves Ann out: no admin would be left.
    let roster = roster([
        RosterEntry::email("bob@acme.com", "org:member"),
        RosterEntry::email("cid@acme.com", "org:member"),
    ]);
    let plan = org.plan(&roster, SyncOptions::builder().prune(true))?;
    assert_eq!(
        lines(&plan),
        [
            "~ user_bob (bob@acme.com) role org:admin -> org:member",
            "! - user_ann (ann@acme.com) org:admin (skipped: the last member holding org:admin)",
        ]
    );
    assert_eq!(
        plan.skipped()[0].reason,
        SkipReason::LastAdmin {
            role: "org:admin".into()
        }
    );

    // With another admin named by the roster, nothing needs skipping.
    let roster = Roster::from_entries([
        RosterEntry::email("bob@acme.com", "org:member"),
        RosterEntry::email("cid@acme.com", "org:admin"),
    ])?;
    let plan = org.plan(&roster, SyncOptions::builder().prune(true))?;
    assert!(plan.skipped().is_empty(), "{plan}");
    assert_eq!(plan.counts().remove, 1);
    Ok(())
}

#[test]
fn a_plan_removing_too_many_is_marked_with_the_numbers() -> TestResult {
    let org = org();
    for i in 0..30 {
        org.member(&format!("m{i:02}"), "org:member");
    }
    let keep = |n: usize| {
        roster((0..n).map(|i| RosterEntry::user_id(format!("user_m{i:02}"), "org:member")))
    };

    // 10 of 30 (33%) is not more than 10 members.
    let plan = org.plan(&keep(20), SyncOptions::builder().prune(true))?;
    assert!(!plan.exceeds_removal_threshold());

    // 11 of 30: more than 10% and more than 10.
    let plan = org.plan(&keep(19), SyncOptions::builder().prune(true))?;
    let check = plan.removal_check();
    assert!(plan.exceeds_removal_threshold());
    assert_eq!((check.removals, check.current_members), (11, 30));
    assert_eq!(plan.counts().remove, 11, "planning still succeeds");
    assert_eq!(
        lines(&plan).last().map(String::as_str),
        Some(
            "! 11 removals of 30 members exceed the removal threshold (more than 10% of the members and more than 10 members): applying needs force"
        )
    );
    let err = plan.check_removals().unwrap_err();
    assert!(matches!(err, SyncError::RemovalThresholdExceeded(c) if c == check));

    // A threshold of its own.
    let plan = org.plan(
        &keep(19),
        SyncOptions::builder()
            .prune(true)
            .removal_threshold(RemovalThreshold::new(50, 10)),
    )?;
    assert!(!plan.exceeds_removal_threshold());
    Ok(())
}

#[test]
fn unresolved_and_ambiguous_emails_are_listed_never_guessed() -> TestResult {
    let org = org();
    org.member("ann", "org:admin");
    // Two users share an address.
    let twin_a = org.fake.add_user(
        FakeUser::new("Twin", "A")
            .id("user_twa")
            .email("twin@acme.com"),
    );
    let twin_b = org.fake.add_user(
        FakeUser::new("Twin", "B")
            .id("user_twb")
            .email("twin@acme.com"),
    );
    org.fake.add_membership(&org.id, &twin_b, "org:member")?;
    let roster = roster([
        RosterEntry::user_id("user_ann", "org:admin"),
        RosterEntry::email("twin@acme.com", "org:member"),
        RosterEntry::email("ghost@acme.com", "org:member"),
        RosterEntry::email("not-an-address", "org:member"),
        RosterEntry::user_id("user_nobody", "org:member"),
    ]);
    let plan = org.plan(&roster, SyncOptions::builder().prune(true))?;
    assert!(
        plan.is_empty(),
        "nobody is added, and the twin member is not removed: {plan}"
    );
    assert_eq!(
        plan.unresolved()[0].problem,
        Unresolved::Ambiguous {
            user_ids: vec![twin_a.clone(), twin_b.clone()]
        }
    );
    assert_eq!(
        lines(&plan),
        [
            r#"! - user_twb (twin@acme.com) org:member (skipped: entry 1 (email address "twin@acme.com") may mean this member)"#,
            r#"? entry 1 (email address "twin@acme.com"): ambiguous, 2 users match (user_twa, user_twb)"#,
            r#"? entry 2 (email address "ghost@acme.com"): not found"#,
            r#"? entry 3 (email address "not-an-address"): refused: is not an email address (it has no `@`)"#,
            r#"? entry 4 (user id "user_nobody"): not found"#,
        ]
    );
    assert_eq!(plan.counts().unresolved, 4);
    Ok(())
}

#[test]
fn a_look_alike_address_never_stands_for_the_member_it_resembles() -> TestResult {
    let org = org();
    org.member("kate", "org:member");
    org.user("ann");
    let roster = roster([
        RosterEntry::email("\u{212A}ate@acme.com", "org:admin"),
        RosterEntry::email("ann@acme.com", "org:admin"),
    ]);
    let plan = org.plan(&roster, SyncOptions::builder())?;
    assert_eq!(
        lines(&plan),
        [
            "+ user_ann (ann@acme.com) org:admin",
            "? entry 0 (email address \"\u{212A}ate@acme.com\"): not found",
        ],
        "Kate keeps her role: the KELVIN SIGN address is somebody else's"
    );
    Ok(())
}

#[test]
fn duplicate_entries_are_refused_naming_them() -> TestResult {
    let err = Roster::from_entries([
        RosterEntry::email("ann@acme.com", "org:admin"),
        RosterEntry::email("ANN@acme.com", "org:member"),
    ])
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"invalid roster: entry 1 (email address "ANN@acme.com") has the same key as entry 0 (email address "ann@acme.com")"#
    );

    // Addresses that differ in more than ASCII case are different addresses, so two entries.
    let look_alikes = Roster::from_entries([
        RosterEntry::email("kate@acme.com", "org:admin"),
        RosterEntry::email("\u{212A}ate@acme.com", "org:member"),
        RosterEntry::email("\u{FF4B}ate@acme.com", "org:member"),
    ])?;
    assert_eq!(look_alikes.len(), 3);

    // Different keys, one person: found once resolved.
    let org = org();
    org.user("ann");
    let roster = roster([
        RosterEntry::email("ann@acme.com", "org:admin"),
        RosterEntry::external_id("hr-ann", "org:member"),
    ]);
    let err = org.plan(&roster, SyncOptions::builder()).unwrap_err();
    let SyncError::InvalidRoster { problems } = &err else {
        panic!("{err}");
    };
    assert!(
        matches!(&problems[..], [RosterProblem::SameUser { user_id, entries }]
        if user_id == "user_ann" && entries.len() == 2)
    );
    assert_eq!(
        err.to_string(),
        r#"invalid roster: entries 0 (email address "ann@acme.com") and 1 (external id "hr-ann") are the same user "user_ann""#
    );
    Ok(())
}

#[test]
fn ten_thousand_members_are_planned_in_one_pass() -> TestResult {
    const MEMBERS: usize = 10_000;
    let org = org();
    org.fake
        .add_role("org:billing", "Billing", Vec::<String>::new());
    let ids: Vec<String> = (0..MEMBERS)
        .map(|i| {
            let role = if i == 0 { "org:admin" } else { "org:member" };
            org.member(&format!("u{i:05}"), role)
        })
        .collect();
    for i in 0..5 {
        org.user(&format!("new{i}"));
    }
    // Everyone stays but the last 5; 9 members become billing members; 5 join.
    let entries = ids[..MEMBERS - 5]
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let role = match i {
                0 => "org:admin",
                i if i % 1_000 == 999 => "org:billing",
                _ => "org:member",
            };
            RosterEntry::user_id(id.clone(), role)
        })
        .chain((0..5).map(|i| RosterEntry::email(format!("new{i}@acme.com"), "org:member")));
    let roster = roster(entries);

    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let options = SyncOptions::builder()
        .prune(true)
        .on_progress(move |step| seen.lock().unwrap().push(step));
    let plan = org.plan(&roster, options)?;

    let counts = plan.counts();
    assert_eq!(
        (
            counts.add,
            counts.change_role,
            counts.remove,
            counts.unresolved
        ),
        (5, 9, 5, 0)
    );
    assert_eq!(plan.current_members(), 10_000);
    assert!(!plan.exceeds_removal_threshold());
    // 20 pages of 500, and one lookup for the 5 email addresses: the members' ids need none.
    assert_eq!(org.requests(), (20, 1));

    let events = events.lock().unwrap();
    let pages: Vec<(u64, u64)> = events
        .iter()
        .filter_map(|step| match step {
            Progress::ReadingMembers {
                pages, total_pages, ..
            } => Some((*pages, *total_pages)),
            _ => None,
        })
        .collect();
    assert_eq!(pages, (1..=20).map(|page| (page, 20)).collect::<Vec<_>>());
    assert_eq!(
        events.last(),
        Some(&Progress::ResolvingUsers {
            resolved: 5,
            total: 5
        })
    );
    Ok(())
}

#[test]
fn progress_counts_users_resolved_and_pages_read() -> TestResult {
    let org = org();
    org.member("ann", "org:admin");
    for i in 0..150 {
        org.user(&format!("p{i:03}"));
    }
    let roster =
        roster((0..150).map(|i| RosterEntry::email(format!("p{i:03}@acme.com"), "org:member")));
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let plan = org.plan(
        &roster,
        SyncOptions::builder().on_progress(move |step| seen.lock().unwrap().push(step.to_string())),
    )?;
    assert_eq!(plan.counts().add, 150);
    assert_eq!(
        *events.lock().unwrap(),
        [
            "reading members: page 1 of 1 (1 of 1 members)",
            "resolving users: 0 of 150",
            "resolving users: 100 of 150",
            "resolving users: 150 of 150",
        ]
    );
    assert_eq!(org.requests(), (1, 2));
    Ok(())
}

/// A small organization whose plan has one line of every kind.
fn rendering_org() -> (Org, Roster) {
    let org = org();
    org.member("ann", "org:admin");
    org.member("bob", "org:member");
    org.member("cid", "org:member");
    org.member("dan", "org:member");
    org.user("eve");
    org.set_metadata("user_bob", json!({"team": "a"}), json!({}));
    let roster = roster([
        RosterEntry::email("eve@acme.com", "org:member").with_public_metadata(json!({"team": "b"})),
        RosterEntry::external_id("hr-bob", "org:admin").with_public_metadata(json!({"team": "b"})),
        RosterEntry::user_id("user_ann", "org:member"),
        RosterEntry::email("ghost@acme.com", "org:member"),
    ]);
    (org, roster)
}

fn rendering_options() -> SyncOptionsBuilder {
    SyncOptions::builder()
        .prune(true)
        .protect("user_dan")
        .metadata(MetadataPolicy::Merge)
}

#[test]
fn the_rendering_is_exact_and_does_not_depend_on_the_roster_order() -> TestResult {
    let (org, roster) = rendering_org();
    let plan = org.plan(&roster, rendering_options())?;
    let expected = "\
+ user_eve (eve@acme.com) org:member public_metadata={\"team\":\"b\"}
~ user_ann (ann@acme.com) role org:admin -> org:member
~ user_bob (hr-bob) role org:member -> org:admin
~ user_bob (hr-bob) metadata public_metadata={\"team\":\"b\"}
- user_cid (cid@acme.com) org:member
! - user_dan (dan@acme.com) org:member (skipped: protected)
? entry 3 (email address \"ghost@acme.com\"): not found
";
    assert_eq!(plan.to_string(), expected);
    assert_eq!(
        plan.counts().to_string(),
        "1 to add, 2 role changes, 1 metadata merge, 1 to remove, 1 skipped, 1 unresolved"
    );

    let reversed = Roster::from_entries(roster.iter().rev().cloned())?;
    let again = org.plan(&reversed, rendering_options())?;
    assert_eq!(again.changes(), plan.changes());
    assert_eq!(again.skipped(), plan.skipped());
    Ok(())
}

#[test]
fn the_json_is_for_ci_and_round_trips() -> TestResult {
    let (org, roster) = rendering_org();
    let plan = org.plan(&roster, rendering_options())?;
    let json: Value = serde_json::to_value(&plan)?;
    assert_eq!(json["organization_id"], "org_acme");
    assert_eq!(
        json["counts"],
        json!({"add": 1, "change_role": 2, "merge_metadata": 1, "remove": 1, "skipped": 1, "unresolved": 1})
    );
    assert_eq!(
        json["removal_check"],
        json!({"removals": 1, "current_members": 4, "threshold": {"percent": 10, "count": 10}, "exceeded": false})
    );
    assert_eq!(
        json["changes"][0],
        json!({"kind": "add", "user_id": "user_eve", "label": "eve@acme.com", "role": "org:member", "public_metadata": {"team": "b"}})
    );
    assert_eq!(
        json["changes"][1],
        json!({"kind": "change_role", "user_id": "user_ann", "label": "ann@acme.com", "from": "org:admin", "to": "org:member"})
    );
    assert_eq!(
        json["skipped"][0],
        json!({"change": {"kind": "remove", "user_id": "user_dan", "label": "dan@acme.com", "role": "org:member"}, "reason": {"reason": "protected"}})
    );
    assert_eq!(
        json["unresolved"][0],
        json!({"entry": {"index": 3, "key": {"email_address": "ghost@acme.com"}}, "problem": {"outcome": "not_found"}})
    );

    let text = serde_json::to_string_pretty(&plan)?;
    let back: Plan = serde_json::from_str(&text)?;
    assert_eq!(back, plan);
    assert_eq!(back.to_string(), plan.to_string());
    assert_eq!(serde_json::to_string_pretty(&back)?, text);
    Ok(())
}

#[test]
fn a_converged_organization_gets_an_empty_plan() -> TestResult {
    let (org, roster) = rendering_org();
    // Bring the organization to the roster by hand, then plan again.
    org.fake.add_membership(&org.id, "user_eve", "org:member")?;
    org.set_metadata("user_eve", json!({"team": "b"}), json!({}));
    org.set_metadata("user_bob", json!({"team": "b"}), json!({}));
    for (user, role) in [("user_bob", "org:admin"), ("user_ann", "org:member")] {
        clerk_memberships::UpdateMembership::builder()
            .organization_id(&org.id)
            .user_id(user)
            .role(role)
            .build()?
            .send(&org.client)?;
    }
    clerk_memberships::DeleteMembership::builder()
        .organization_id(&org.id)
        .user_id("user_cid")
        .build()?
        .send(&org.client)?;
    let plan = org.plan(&roster, rendering_options())?;
    assert!(plan.is_empty(), "{plan}");
    assert_eq!(plan.counts().skipped, 1, "Dan stays protected");
    Ok(())
}

#[test]
fn a_failed_request_is_the_clients_error() -> TestResult {
    let org = org();
    let client = org.client.with_retry_policy(RetryPolicy::none());
    org.fake.inject(Fault::HtmlPage { status: 502 });
    let err = sync::plan(&client, &org.id, &Roster::new(), &SyncOptions::default()).unwrap_err();
    assert_eq!(err.client_error().and_then(|e| e.status()), Some(502));
    assert!(matches!(err, SyncError::Client(_)));

    let err = sync::plan(
        &org.client,
        "org_missing",
        &Roster::new(),
        &SyncOptions::default(),
    )
    .unwrap_err();
    assert!(
        err.client_error().is_some_and(|e| e.is_not_found()),
        "{err}"
    );
    Ok(())
}

#[test]
fn a_membership_that_does_not_say_whose_it_is_stops_the_plan_instead_of_vanishing() {
    let mock = clerk_memberships::testing::MockTransport::new();
    let mut membership = listed("user_a");
    membership
        .as_object_mut()
        .unwrap()
        .remove("public_user_data");
    let data = json!([listed("user_b"), membership]);
    mock.push_json(200, json!({"data": data, "total_count": 2}).to_string());
    let roster = sync::Roster::new();
    let err = sync::plan(&mock.client(), "org_1", &roster, &SyncOptions::default()).unwrap_err();
    match &err {
        SyncError::UnidentifiedMembership {
            organization_id,
            membership_id,
        } => {
            assert_eq!(organization_id, "org_1");
            assert_eq!(membership_id, "orgmem_user_a");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.client_error().is_none(), "the request itself succeeded");
    assert_eq!(
        err.to_string(),
        r#"organization "org_1" lists membership "orgmem_user_a" without public_user_data: a sync cannot tell whose it is"#
    );
    assert_eq!(mock.requests().len(), 1);
}

/// A membership of `user` (membership id `orgmem_<user>`), as Clerk lists it.
fn listed(user: &str) -> Value {
    let mut membership: Value =
        serde_json::from_str(clerk_memberships::testing::MEMBERSHIP_JSON).unwrap();
    membership["id"] = json!(format!("orgmem_{user}"));
    membership["public_user_data"]["user_id"] = json!(user);
    membership
}

#[test]
fn a_member_listed_twice_is_planned_once() {
    // Someone joined while the pages were read: the listing shifted and user_b came twice.
    let mock = clerk_memberships::testing::MockTransport::new();
    let page = |users: &[&str], total: u64| {
        let data: Vec<Value> = users.iter().map(|u| listed(u)).collect();
        json!({"data": data, "total_count": total}).to_string()
    };
    mock.push_json(200, page(&["user_a", "user_b"], 3));
    // A server that even gave it a new membership id is not read as two members.
    let mut second: Value = serde_json::from_str(&page(&["user_b", "user_c"], 4)).unwrap();
    second["data"][0]["id"] = json!("orgmem_other");
    mock.push_json(200, second.to_string());
    mock.push_json(200, page(&[], 4));
    let options = SyncOptions::builder()
        .prune(true)
        .admin_role("org:owner")
        .removal_threshold(RemovalThreshold::unlimited())
        .build();
    let plan = sync::plan(&mock.client(), "org_1", &Roster::new(), &options).unwrap();
    let removed: Vec<&str> = plan.changes().iter().map(Change::user_id).collect();
    assert_eq!(removed, ["user_a", "user_b", "user_c"]);
    assert_eq!(plan.current_members(), 3);
}

/// The options' `Debug` says whether a progress callback is set, and nothing else of it.
#[test]
fn options_show_whether_a_callback_is_set_and_nothing_else_of_it() {
    let plain = format!("{:?}", clerk_memberships::sync::SyncOptions::default());
    assert!(plain.ends_with("on_progress: None }"), "{plain}");
    let watched = format!(
        "{:?}",
        clerk_memberships::sync::SyncOptions::builder()
            .on_progress(|_| {})
            .build()
    );
    assert!(
        watched.ends_with(r#"on_progress: Some("Fn(Progress)") }"#),
        "{watched}"
    );

    let plain = format!("{:?}", clerk_memberships::sync::ApplyOptions::default());
    assert!(plain.contains("on_progress: None, cancel: None"), "{plain}");
    let watched = format!(
        "{:?}",
        clerk_memberships::sync::ApplyOptions::builder()
            .on_progress(|_| {})
            .build()
    );
    assert!(
        watched.contains(r#"on_progress: Some("Fn(Progress)")"#),
        "{watched}"
    );
}
