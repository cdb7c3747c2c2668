use serde_json::{Value, json};

use super::*;
use crate::sync::options::SyncOptionsBuilder;
use crate::sync::plan::PlanCounts;
use crate::sync::resolve::Resolved;
use crate::sync::vocab::RemovalThreshold;

fn member(user_id: &str, role: &str) -> Member {
    Member {
        user_id: user_id.to_owned(),
        identifier: Some(format!("{user_id}@acme.com")),
        role: role.to_owned(),
        public_metadata: Metadata::new(),
        private_metadata: Metadata::new(),
        created_at: 0,
    }
}

fn object(value: Value) -> Metadata {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn current(members: Vec<Member>) -> Current {
    Current { members }
}

/// Entries naming user ids, each found as itself.
fn by_id(entries: &[(&str, &str)]) -> (Roster, Vec<Resolved>) {
    let roster = Roster::from_entries(
        entries
            .iter()
            .map(|(id, role)| RosterEntry::user_id(*id, *role)),
    )
    .unwrap();
    let lookups = entries
        .iter()
        .map(|(id, _)| Resolved::Found {
            user_id: (*id).to_owned(),
        })
        .collect();
    (roster, lookups)
}

fn plan_with(
    roster: &Roster,
    lookups: &[Resolved],
    now: Vec<Member>,
    options: SyncOptionsBuilder,
) -> Plan {
    compute("org_1", roster, lookups, &current(now), &options.build()).unwrap()
}

fn lines(plan: &Plan) -> Vec<String> {
    plan.to_string().lines().map(str::to_owned).collect()
}

#[test]
fn an_empty_roster_against_an_empty_organization_plans_nothing() {
    let plan = plan_with(
        &Roster::new(),
        &[],
        vec![],
        SyncOptions::builder().prune(true),
    );
    assert!(plan.is_empty());
    assert_eq!(plan.counts(), PlanCounts::default());
    assert_eq!(plan.to_string(), "");
}

#[test]
fn new_users_are_added_with_their_roles_in_user_id_order() {
    let (roster, lookups) = by_id(&[("user_b", "org:member"), ("user_a", "org:admin")]);
    let plan = plan_with(&roster, &lookups, vec![], SyncOptions::builder());
    assert_eq!(lines(&plan), ["+ user_a org:admin", "+ user_b org:member"]);
    assert_eq!(plan.counts().add, 2);
}

#[test]
fn role_changes_show_from_and_to_and_converged_members_show_nothing() {
    let (roster, lookups) = by_id(&[("user_a", "org:admin"), ("user_b", "org:member")]);
    let now = vec![
        member("user_a", "org:admin"),
        member("user_b", "org:billing"),
    ];
    let plan = plan_with(&roster, &lookups, now, SyncOptions::builder());
    assert_eq!(
        lines(&plan),
        ["~ user_b (user_b@acme.com) role org:billing -> org:member"]
    );
}

#[test]
fn prune_off_keeps_members_missing_from_the_roster() {
    let (roster, lookups) = by_id(&[("user_a", "org:admin")]);
    let now = vec![
        member("user_a", "org:admin"),
        member("user_b", "org:member"),
    ];
    let plan = plan_with(&roster, &lookups, now, SyncOptions::builder());
    assert!(plan.is_empty());
}

#[test]
fn prune_on_removes_members_missing_from_the_roster() {
    let (roster, lookups) = by_id(&[("user_a", "org:admin")]);
    let now = vec![
        member("user_a", "org:admin"),
        member("user_b", "org:member"),
    ];
    let plan = plan_with(&roster, &lookups, now, SyncOptions::builder().prune(true));
    assert_eq!(lines(&plan), ["- user_b (user_b@acme.com) org:member"]);
}

#[test]
fn protected_members_are_neither_removed_nor_demoted_from_admin() {
    let (roster, lookups) = by_id(&[("user_a", "org:member"), ("user_c", "org:admin")]);
    let now = vec![
        member("user_a", "org:admin"),
        member("user_b", "org:member"),
        member("user_c", "org:viewer"),
    ];
    let options = SyncOptions::builder()
        .prune(true)
        .protect_all(["user_a", "user_b", "user_c"]);
    let plan = plan_with(&roster, &lookups, now, options);
    assert_eq!(
        lines(&plan),
        [
            "~ user_c (user_c@acme.com) role org:viewer -> org:admin",
            "! ~ user_a (user_a@acme.com) role org:admin -> org:member (skipped: protected)",
            "! - user_b (user_b@acme.com) org:member (skipped: protected)",
        ]
    );
}

#[test]
fn the_last_admin_is_kept_the_longest_standing_one() {
    let mut old = member("user_z", "org:admin");
    old.created_at = -5;
    let now = vec![
        member("user_a", "org:admin"),
        old,
        member("user_m", "org:member"),
    ];
    let (roster, lookups) = by_id(&[("user_a", "org:member"), ("user_m", "org:member")]);
    let plan = plan_with(&roster, &lookups, now, SyncOptions::builder().prune(true));
    assert_eq!(
        lines(&plan),
        [
            "~ user_a (user_a@acme.com) role org:admin -> org:member",
            "! - user_z (user_z@acme.com) org:admin (skipped: the last member holding org:admin)",
        ]
    );
}

#[test]
fn a_new_admin_lets_the_old_ones_go() {
    let now = vec![member("user_a", "org:admin")];
    let (roster, lookups) = by_id(&[("user_b", "org:admin")]);
    let plan = plan_with(&roster, &lookups, now, SyncOptions::builder().prune(true));
    assert_eq!(
        lines(&plan),
        ["+ user_b org:admin", "- user_a (user_a@acme.com) org:admin"]
    );
}

#[test]
fn the_admin_role_is_configurable() {
    let now = vec![member("user_a", "org:owner"), member("user_b", "org:admin")];
    let plan = plan_with(
        &Roster::new(),
        &[],
        now,
        SyncOptions::builder().prune(true).admin_role("org:owner"),
    );
    assert_eq!(plan.counts().remove, 1);
    assert_eq!(
        plan.skipped()[0].reason,
        SkipReason::LastAdmin {
            role: "org:owner".into()
        }
    );
    let err = compute(
        "org_1",
        &Roster::new(),
        &[],
        &Current::default(),
        &SyncOptions::builder().admin_role(" ").build(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid sync option `admin_role`: must not be empty"
    );
}

#[test]
fn an_organization_without_admins_has_none_to_lose() {
    let now = vec![member("user_a", "org:member")];
    let plan = plan_with(&Roster::new(), &[], now, SyncOptions::builder().prune(true));
    assert_eq!(plan.counts().remove, 1);
    assert!(plan.skipped().is_empty());
}

fn with_metadata(user_id: &str, public: Value, private: Option<Value>) -> Member {
    let mut m = member(user_id, "org:member");
    m.public_metadata = object(public);
    m.private_metadata = private.map(object).unwrap_or_default();
    m
}

fn metadata_roster() -> (Roster, Vec<Resolved>) {
    let roster = Roster::from_entries([RosterEntry::email("a@acme.com", "org:member")
        .with_public_metadata(json!({"team": "b", "tags": ["x"]}))
        .with_private_metadata(json!({"hr": {"id": 7}}))])
    .unwrap();
    (
        roster,
        vec![Resolved::Found {
            user_id: "user_a".into(),
        }],
    )
}

#[test]
fn metadata_is_ignored_by_default() {
    let (roster, lookups) = metadata_roster();
    let now = vec![with_metadata("user_a", json!({"team": "a"}), None)];
    assert!(plan_with(&roster, &lookups, now, SyncOptions::builder()).is_empty());
    let plan = plan_with(&roster, &lookups, vec![], SyncOptions::builder());
    assert_eq!(lines(&plan), ["+ user_a (a@acme.com) org:member"]);
}

#[test]
fn metadata_merge_sets_the_roster_keys_and_keeps_the_others() {
    let (roster, lookups) = metadata_roster();
    // A missing private_metadata counts as {}.
    let now = vec![with_metadata(
        "user_a",
        json!({"team": "a", "other": 1}),
        None,
    )];
    let options = SyncOptions::builder().metadata(MetadataPolicy::Merge);
    let plan = plan_with(&roster, &lookups, now, options.clone());
    assert_eq!(
        lines(&plan),
        [
            r#"~ user_a (a@acme.com) metadata public_metadata={"tags":["x"],"team":"b"} private_metadata={"hr":{"id":7}}"#
        ]
    );
    let new = plan_with(&roster, &lookups, vec![], options);
    assert_eq!(
        lines(&new),
        [
            r#"+ user_a (a@acme.com) org:member public_metadata={"tags":["x"],"team":"b"} private_metadata={"hr":{"id":7}}"#
        ]
    );
}

#[test]
fn metadata_exact_removes_the_keys_the_roster_lacks() {
    let (roster, lookups) = metadata_roster();
    let now = vec![with_metadata(
        "user_a",
        json!({"team": "b", "tags": ["x"], "other": 1}),
        Some(json!({"hr": {"id": 7, "legacy": true}})),
    )];
    let plan = plan_with(
        &roster,
        &lookups,
        now,
        SyncOptions::builder().metadata(MetadataPolicy::Exact),
    );
    assert_eq!(
        lines(&plan),
        [
            r#"~ user_a (a@acme.com) metadata public_metadata={"other":null} private_metadata={"hr":{"legacy":null}}"#
        ]
    );
}

#[test]
fn converged_metadata_plans_nothing_under_every_policy() {
    let (roster, lookups) = metadata_roster();
    for policy in [
        MetadataPolicy::Ignore,
        MetadataPolicy::Merge,
        MetadataPolicy::Exact,
    ] {
        let now = vec![with_metadata(
            "user_a",
            json!({"team": "b", "tags": ["x"]}),
            Some(json!({"hr": {"id": 7}})),
        )];
        let plan = plan_with(
            &roster,
            &lookups,
            now,
            SyncOptions::builder().metadata(policy),
        );
        assert!(plan.is_empty(), "{policy}: {plan}");
    }
}

#[test]
fn a_role_and_a_metadata_change_are_two_lines() {
    let (roster, lookups) = metadata_roster();
    let mut m = with_metadata("user_a", json!({"team": "b", "tags": ["x"]}), None);
    m.role = "org:admin".into();
    let now = vec![m, member("user_z", "org:admin")];
    let plan = plan_with(
        &roster,
        &lookups,
        now,
        SyncOptions::builder().metadata(MetadataPolicy::Merge),
    );
    assert_eq!(
        lines(&plan),
        [
            "~ user_a (a@acme.com) role org:admin -> org:member",
            r#"~ user_a (a@acme.com) metadata private_metadata={"hr":{"id":7}}"#,
        ]
    );
}

#[test]
fn unresolved_entries_are_listed_and_ambiguous_candidates_are_not_removed() {
    let roster = Roster::from_entries([
        RosterEntry::email("ghost@acme.com", "org:member"),
        RosterEntry::email("twin@acme.com", "org:member"),
        RosterEntry::external_id("", "org:member"),
        RosterEntry::user_id("user_a", "org:admin"),
    ])
    .unwrap();
    let lookups = [
        Resolved::NotFound,
        Resolved::Ambiguous {
            user_ids: vec!["user_t1".into(), "user_t2".into()],
        },
        Resolved::Refused {
            reason: "must not be empty".into(),
        },
        Resolved::Found {
            user_id: "user_a".into(),
        },
    ];
    let now = vec![
        member("user_a", "org:admin"),
        member("user_t2", "org:member"),
    ];
    let plan = plan_with(&roster, &lookups, now, SyncOptions::builder().prune(true));
    assert_eq!(
        lines(&plan),
        [
            r#"! - user_t2 (user_t2@acme.com) org:member (skipped: entry 1 (email address "twin@acme.com") may mean this member)"#,
            r#"? entry 0 (email address "ghost@acme.com"): not found"#,
            r#"? entry 1 (email address "twin@acme.com"): ambiguous, 2 users match (user_t1, user_t2)"#,
            r#"? entry 2 (external id ""): refused: must not be empty"#,
        ]
    );
    assert!(plan.is_empty());
    assert!(!plan.is_fully_resolved());
}

#[test]
fn entries_resolving_to_the_same_user_are_refused_naming_them() {
    let roster = Roster::from_entries([
        RosterEntry::email("jane@acme.com", "org:member"),
        RosterEntry::external_id("hr-1", "org:member"),
        RosterEntry::user_id("user_j", "org:admin"),
    ])
    .unwrap();
    let lookups = vec![
        Resolved::Found {
            user_id: "user_j".into()
        };
        3
    ];
    let err = compute(
        "org_1",
        &roster,
        &lookups,
        &Current::default(),
        &SyncOptions::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"invalid roster: entries 0 (email address "jane@acme.com"), 1 (external id "hr-1") and 2 (user id "user_j") are the same user "user_j""#
    );
}

#[test]
fn the_threshold_marks_plans_that_remove_too_many() {
    let now: Vec<Member> = (0..100)
        .map(|i| member(&format!("user_{i:03}"), "org:member"))
        .collect();
    let keep = |n: usize| -> (Roster, Vec<Resolved>) {
        let ids: Vec<String> = (0..n).map(|i| format!("user_{i:03}")).collect();
        let pairs: Vec<(&str, &str)> = ids.iter().map(|id| (id.as_str(), "org:member")).collect();
        by_id(&pairs)
    };
    let (roster, lookups) = keep(90);
    let plan = plan_with(
        &roster,
        &lookups,
        now.clone(),
        SyncOptions::builder().prune(true),
    );
    assert!(!plan.exceeds_removal_threshold());
    assert!(plan.check_removals().is_ok());

    let (roster, lookups) = keep(89);
    let plan = plan_with(
        &roster,
        &lookups,
        now.clone(),
        SyncOptions::builder().prune(true),
    );
    let check = plan.removal_check();
    assert_eq!(
        (check.removals, check.current_members, check.exceeded),
        (11, 100, true)
    );
    assert_eq!(
        lines(&plan).last().unwrap(),
        "! 11 removals of 100 members exceed the removal threshold (more than 10% of the members and more than 10 members): applying needs force"
    );
    let err = plan.check_removals().unwrap_err();
    assert_eq!(
        err.to_string(),
        "refused: 11 removals of 100 members exceed the removal threshold (more than 10% of the members and more than 10 members)"
    );

    let plan = plan_with(
        &roster,
        &lookups,
        now,
        SyncOptions::builder()
            .prune(true)
            .removal_threshold(RemovalThreshold::new(20, 10)),
    );
    assert!(!plan.exceeds_removal_threshold());
}

#[test]
fn control_characters_never_break_a_line() {
    let roster = Roster::from_entries([RosterEntry::email(
        "evil\n+ user_x org:admin",
        "org:\u{1b}[31m",
    )])
    .unwrap();
    let plan = plan_with(
        &roster,
        &[Resolved::Found {
            user_id: "user_\r1".into(),
        }],
        vec![],
        SyncOptions::builder(),
    );
    assert_eq!(
        plan.to_string(),
        "+ user_\\r1 (evil\\n+ user_x org:admin) org:\\u{1b}[31m\n"
    );
}

#[test]
fn marks_that_reorder_text_are_escaped_in_labels_and_metadata() {
    let roster = Roster::from_entries([RosterEntry::email("ann\u{202e}@acme.com", "org:admin")
        .with_public_metadata(json!({"note": "a\u{2066}b\u{7f}"}))])
    .unwrap();
    let plan = plan_with(
        &roster,
        &[Resolved::Found {
            user_id: "user_a".into(),
        }],
        vec![],
        SyncOptions::builder().metadata(MetadataPolicy::Merge),
    );
    let shown = plan.to_string();
    assert!(
        !shown.contains('\u{202e}') && !shown.contains('\u{2066}'),
        "{shown:?}"
    );
    assert!(!shown.contains('\u{7f}'), "{shown:?}");
    assert!(shown.contains("ann\\u{202e}@acme.com"), "{shown}");
}

#[test]
fn the_json_round_trips_and_carries_the_numbers() {
    let (roster, lookups) = metadata_roster();
    let now = vec![
        with_metadata("user_a", json!({"team": "a"}), None),
        member("user_b", "org:admin"),
    ];
    let plan = plan_with(
        &roster,
        &lookups,
        now,
        SyncOptions::builder()
            .prune(true)
            .metadata(MetadataPolicy::Exact),
    );
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(json["counts"]["merge_metadata"], 1);
    assert_eq!(json["counts"]["skipped"], 1);
    assert_eq!(json["removal_check"]["exceeded"], false);
    assert_eq!(json["skipped"][0]["reason"]["reason"], "last_admin");
    let back: Plan = serde_json::from_value(json).unwrap();
    assert_eq!(back, plan);
    assert_eq!(back.to_string(), plan.to_string());
}
