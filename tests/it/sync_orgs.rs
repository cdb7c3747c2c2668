//! `sync::plan_all` and `OrganizationPlans::apply`: one roster over many organizations,
//! against the in-memory Clerk: what is read (and how often), the plan per organization, the
//! rails per organization, and what applying writes.

use std::collections::BTreeMap;

use clerk_memberships::sync::{
    self, ApplyOptions, Change, MemberReading, RemovalThreshold, Roster, RosterEntry,
    RosterProblem, SkipReason, SyncError, SyncOptions,
};
use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
use clerk_memberships::{Method, Operation};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// How many requests of each operation `fake` received.
fn operations(fake: &FakeClerk) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for request in fake.requests() {
        *counts.entry(request.operation().to_string()).or_insert(0) += 1;
    }
    counts
}

fn problems(result: Result<impl std::fmt::Debug, SyncError>) -> Vec<RosterProblem> {
    match result {
        Err(SyncError::InvalidRoster { problems }) => problems,
        other => panic!("expected a roster problem, got {other:?}"),
    }
}

#[test]
fn an_id_and_a_slug_of_one_organization_are_one_organization() -> TestResult {
    let fake = FakeClerk::new();
    let acme = fake.add_organization(FakeOrganization::new("Acme"));
    let ann = fake.add_user(FakeUser::new("Ann", "Lee").email("ann@acme.com"));
    let bob = fake.add_user(FakeUser::new("Bob", "Kay").email("bob@acme.com"));
    let client = fake.client();
    let roster = Roster::new()
        .entry(RosterEntry::email("ann@acme.com", "org:admin").in_organization("acme"))?
        .entry(RosterEntry::email("bob@acme.com", "org:member").in_organization(&acme))?;
    let plans = sync::plan_all(&client, &roster, &SyncOptions::default())?;
    assert_eq!(plans.plans().len(), 1);
    let plan = plans.plan(&acme).expect("keyed on the canonical id");
    let added: Vec<&str> = plan.changes().iter().map(Change::user_id).collect();
    let mut expected = vec![ann.as_str(), bob.as_str()];
    expected.sort_unstable();
    assert_eq!(added, expected);
    assert_eq!(plans.names(&acme), ["acme".to_owned(), acme.clone()]);

    // The same key under the id and the slug: one organization, so a duplicate.
    let twice = Roster::new()
        .entry(RosterEntry::email("ann@acme.com", "org:admin").in_organization("acme"))?
        .entry(RosterEntry::email("ANN@acme.com", "org:member").in_organization(&acme))?;
    let found = problems(sync::plan_all(&client, &twice, &SyncOptions::default()));
    assert!(
        matches!(&found[..], [RosterProblem::DuplicateKey { entry, first }] if entry.index == 1 && first.index == 0),
        "{found:?}"
    );
    Ok(())
}

#[test]
fn the_same_key_in_two_organizations_is_two_entries_not_a_duplicate() -> TestResult {
    let roster = Roster::new()
        .entry(RosterEntry::email("ann@acme.com", "org:admin").in_organization("acme"))?
        .entry(RosterEntry::email("ann@acme.com", "org:member").in_organization("globex"))?;
    assert_eq!(roster.len(), 2);
    let err = roster
        .entry(RosterEntry::email("Ann@acme.com", "org:member").in_organization("acme"))
        .unwrap_err();
    assert!(
        err.to_string().contains("has the same key as entry 0"),
        "{err}"
    );
    Ok(())
}

#[test]
fn an_unknown_organization_is_a_roster_problem_naming_its_entries_and_nothing_is_written()
-> TestResult {
    let fake = FakeClerk::new();
    let acme = fake.add_organization(FakeOrganization::new("Acme"));
    fake.add_user(FakeUser::new("Ann", "Lee").email("ann@acme.com"));
    let roster = Roster::new()
        .entry(RosterEntry::email("ann@acme.com", "org:admin").in_organization(&acme))?
        .entry(RosterEntry::email("bob@acme.com", "org:admin").in_organization("initech"))?
        .entry(RosterEntry::email("cid@acme.com", "org:admin").in_organization("initech"))?;
    let found = problems(sync::plan_all(
        &fake.client(),
        &roster,
        &SyncOptions::default(),
    ));
    match &found[..] {
        [
            RosterProblem::UnknownOrganization {
                organization,
                entries,
            },
        ] => {
            assert_eq!(organization, "initech");
            let indexes: Vec<usize> = entries.iter().map(|e| e.index).collect();
            assert_eq!(indexes, [1, 2]);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        fake.requests().iter().all(|r| r.method() == Method::Get),
        "only reads"
    );
    assert!(
        !operations(&fake).contains_key("list"),
        "no member read before the roster is known good"
    );
    Ok(())
}

#[test]
fn entries_must_name_an_organization_for_plan_all_and_none_for_plan() -> TestResult {
    let fake = FakeClerk::new();
    let acme = fake.add_organization(FakeOrganization::new("Acme"));
    let client = fake.client();
    let unnamed = Roster::new().entry(RosterEntry::email("ann@acme.com", "org:admin"))?;
    let found = problems(sync::plan_all(&client, &unnamed, &SyncOptions::default()));
    assert!(matches!(
        &found[..],
        [RosterProblem::MissingOrganization { .. }]
    ));
    let named = Roster::new()
        .entry(RosterEntry::email("ann@acme.com", "org:admin").in_organization("acme"))?;
    let found = problems(sync::plan(&client, &acme, &named, &SyncOptions::default()));
    assert!(
        matches!(&found[..], [RosterProblem::UnexpectedOrganization { organization, .. }] if organization == "acme")
    );
    assert!(fake.requests().is_empty(), "refused before sending");
    Ok(())
}

#[test]
fn users_are_resolved_once_and_members_read_once_per_organization() -> TestResult {
    let fake = FakeClerk::new();
    let acme = fake.add_organization(FakeOrganization::new("Acme"));
    let globex = fake.add_organization(FakeOrganization::new("Globex"));
    let ann = fake.add_user(FakeUser::new("Ann", "Lee").email("ann@acme.com"));
    fake.add_user(FakeUser::new("Bob", "Kay").email("bob@acme.com"));
    // An organization outside the roster, large enough that listing the instance costs more.
    let other = fake.add_organization(FakeOrganization::new("Big"));
    fake.add_example_members(&other, 1200)?;
    fake.add_membership(&acme, &ann, "org:admin")?;
    let roster = Roster::new()
        .entry(RosterEntry::email("ann@acme.com", "org:admin").in_organization(&acme))?
        .entry(RosterEntry::email("bob@acme.com", "org:admin").in_organization(&acme))?
        .entry(RosterEntry::email("ann@acme.com", "org:admin").in_organization(&globex))?
        .entry(RosterEntry::email("bob@acme.com", "org:member").in_organization(&globex))?;
    let plans = sync::plan_all(&fake.client(), &roster, &SyncOptions::default())?;
    assert_eq!(plans.member_reading(), MemberReading::PerOrganization);
    let ops = operations(&fake);
    assert_eq!(
        ops.get("list_users"),
        Some(&1),
        "{ops:?}: both emails, once"
    );
    assert_eq!(ops.get("get_organization"), Some(&2), "{ops:?}");
    assert_eq!(
        ops.get("list"),
        Some(&2),
        "{ops:?}: one list per organization"
    );
    assert_eq!(
        ops.get("list_instance_memberships"),
        Some(&1),
        "{ops:?}: one page to learn the instance's total"
    );
    assert_eq!(plans.counts().add, 3);
    assert_eq!(plans.plan(&acme).map(|p| p.counts().add), Some(1));
    assert_eq!(plans.plan(&globex).map(|p| p.counts().add), Some(2));
    Ok(())
}

/// 500 organizations of 20 members each: the instance's 10,000 memberships are 20 pages,
/// where one listing per organization would be 500 requests.
#[test]
fn many_small_organizations_are_read_through_the_instance_listing() -> TestResult {
    let fake = FakeClerk::new();
    let mut roster = Vec::new();
    for o in 0..500 {
        let org = fake.add_organization(FakeOrganization::new(format!("Team {o}")));
        let users = fake.add_users((0..20).map(|u| {
            FakeUser::new(format!("U{o}x{u}"), "Example").email(format!("u{o}x{u}@example.com"))
        }));
        for (u, user) in users.iter().enumerate() {
            let role = if u == 0 { "org:admin" } else { "org:member" };
            fake.add_membership(&org, user, role)?;
            // The first organizations by slug, the others by id.
            let name = if o % 2 == 0 {
                format!("team-{o}")
            } else {
                org.clone()
            };
            roster.push(RosterEntry::user_id(user, role).in_organization(name));
        }
    }
    let roster = Roster::from_entries(roster)?;
    fake.clear_requests();
    let plans = sync::plan_all(&fake.client(), &roster, &SyncOptions::default())?;
    assert_eq!(plans.member_reading(), MemberReading::Instance);
    assert_eq!(plans.plans().len(), 500);
    assert!(plans.is_empty(), "converged: {plans}");
    let ops = operations(&fake);
    assert_eq!(ops.get("list_organization_roles"), Some(&1));
    assert_eq!(ops.get("get_organization"), Some(&500));
    assert_eq!(ops.get("list_instance_memberships"), Some(&20));
    assert_eq!(ops.get("list"), None);
    assert_eq!(ops.get("list_users"), None, "members' ids need no lookup");
    assert_eq!(
        fake.requests().len(),
        521,
        "1 + 500 + 20, not 1 + 500 + 500"
    );
    Ok(())
}

/// Removing 3 of 4 members is over the threshold in one organization; the other's single
/// removal is within its own. Applying refuses the first and applies the second.
#[test]
fn a_rail_refuses_its_organization_and_the_others_are_applied() -> TestResult {
    let fake = FakeClerk::new();
    let acme = fake.add_organization(FakeOrganization::new("Acme"));
    let globex = fake.add_organization(FakeOrganization::new("Globex"));
    let acme_users = fake.add_example_members(&acme, 4)?;
    let globex_users: Vec<String> = (0..20)
        .map(|i| fake.add_user(FakeUser::new(format!("G{i}"), "Globex")))
        .collect();
    for (i, user) in globex_users.iter().enumerate() {
        let role = if i == 0 { "org:admin" } else { "org:member" };
        fake.add_membership(&globex, user, role)?;
    }
    let mut entries =
        vec![RosterEntry::user_id(&acme_users[0], "org:admin").in_organization(&acme)];
    for (i, user) in globex_users.iter().enumerate().take(19) {
        let role = if i == 0 { "org:admin" } else { "org:member" };
        entries.push(RosterEntry::user_id(user, role).in_organization("globex"));
    }
    let roster = Roster::from_entries(entries)?;
    let options = SyncOptions::builder()
        .prune(true)
        .removal_threshold(RemovalThreshold::new(10, 2))
        .build();
    let client = fake.client();
    let plans = sync::plan_all(&client, &roster, &options)?;
    let refused = plans.refused();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].organization_id, acme);
    assert_eq!(
        (
            refused[0].removal_check.removals,
            refused[0].removal_check.current_members
        ),
        (3, 4)
    );

    let report = plans.apply(&client, &ApplyOptions::default());
    assert!(!report.is_success());
    assert_eq!(report.refused().len(), 1);
    assert_eq!(report.reports().len(), 1);
    assert_eq!(report.reports()[0].organization_id(), globex);
    assert_eq!(report.counts().applied, 1);
    for user in &acme_users {
        assert!(
            fake.membership(&acme, user).is_some(),
            "nothing written to Acme"
        );
    }
    let (kept, gone) = globex_users.split_at(19);
    for user in kept {
        assert!(fake.membership(&globex, user).is_some(), "{user} is kept");
    }
    assert!(fake.membership(&globex, &gone[0]).is_none(), "pruned");
    assert!(
        report.to_string().contains(&format!(
            "! refused {acme}: 3 removals of 4 members exceed the removal threshold"
        )),
        "{report}"
    );

    // Forced, Acme goes too.
    let forced = plans.apply(&client, &ApplyOptions::builder().force(true).build());
    assert!(forced.refused().is_empty());
    let left: Vec<(String, String)> = fake
        .memberships(&acme)
        .into_iter()
        .filter_map(|m| Some((m.public_user_data?.user_id, m.role)))
        .collect();
    assert_eq!(left, [(acme_users[0].clone(), "org:admin".to_owned())]);
    Ok(())
}

#[test]
fn the_last_admin_and_the_protect_list_hold_in_each_organization() -> TestResult {
    let fake = FakeClerk::new();
    let acme = fake.add_organization(FakeOrganization::new("Acme"));
    let globex = fake.add_organization(FakeOrganization::new("Globex"));
    let ann = fake.add_user(FakeUser::new("Ann", "Lee").email("ann@acme.com"));
    let bob = fake.add_user(FakeUser::new("Bob", "Kay").email("bob@acme.com"));
    fake.add_membership(&acme, &ann, "org:admin")?;
    fake.add_membership(&globex, &ann, "org:admin")?;
    fake.add_membership(&globex, &bob, "org:admin")?;
    // Ann is demoted in both: in Acme she is the last admin, in Globex Bob stays one.
    let roster = Roster::new()
        .entry(RosterEntry::user_id(&ann, "org:member").in_organization(&acme))?
        .entry(RosterEntry::user_id(&ann, "org:member").in_organization(&globex))?
        .entry(RosterEntry::user_id(&bob, "org:admin").in_organization(&globex))?;
    let plans = sync::plan_all(&fake.client(), &roster, &SyncOptions::default())?;
    let acme_plan = plans.plan(&acme).expect("planned");
    assert!(acme_plan.changes().is_empty());
    assert!(matches!(
        acme_plan.skipped()[0].reason,
        SkipReason::LastAdmin { .. }
    ));
    assert_eq!(plans.plan(&globex).map(|p| p.changes().len()), Some(1));

    let protected = SyncOptions::builder().protect(&ann).build();
    let plans = sync::plan_all(&fake.client(), &roster, &protected)?;
    assert_eq!(plans.counts().change_role, 0);
    assert_eq!(plans.counts().skipped, 2);
    Ok(())
}

#[test]
fn the_plan_groups_by_organization_in_text_and_json() -> TestResult {
    let fake = FakeClerk::new();
    let acme = fake.add_organization(FakeOrganization::new("Acme"));
    let globex = fake.add_organization(FakeOrganization::new("Globex"));
    let ann = fake.add_user(FakeUser::new("Ann", "Lee").email("ann@acme.com"));
    let roster = Roster::new()
        .entry(RosterEntry::email("ann@acme.com", "org:admin").in_organization("acme"))?
        .entry(RosterEntry::email("ann@acme.com", "org:member").in_organization("globex"))?;
    let plans = sync::plan_all(&fake.client(), &roster, &SyncOptions::default())?;
    let counts = |n| {
        format!(
            "{n} to add, 0 role changes, 0 metadata merges, 0 to remove, 0 skipped, 0 unresolved"
        )
    };
    let mut expected = [
        (
            acme.clone(),
            format!(
                "# {acme} (acme): {}\n+ {ann} (ann@acme.com) org:admin\n",
                counts(1)
            ),
        ),
        (
            globex.clone(),
            format!(
                "# {globex} (globex): {}\n+ {ann} (ann@acme.com) org:member\n",
                counts(1)
            ),
        ),
    ];
    expected.sort();
    assert_eq!(
        plans.to_string(),
        format!("{}{}", expected[0].1, expected[1].1)
    );

    let json = serde_json::to_value(&plans)?;
    assert_eq!(json["counts"]["add"], 2);
    assert_eq!(json["refused"], serde_json::json!([]));
    let organizations = json["organizations"].as_array().expect("an array");
    assert_eq!(organizations.len(), 2);
    assert_eq!(organizations[0]["organization_id"], expected[0].0.as_str());
    assert_eq!(organizations[0]["counts"]["add"], 1);
    assert_eq!(organizations[0]["changes"][0]["user_id"], ann.as_str());
    assert!(organizations[0]["names"].is_array());
    Ok(())
}

#[test]
fn applying_runs_every_organization_through_one_client_with_progress_for_all() -> TestResult {
    use std::sync::{Arc, Mutex};

    let fake = FakeClerk::new();
    let mut entries = Vec::new();
    let mut orgs = Vec::new();
    for o in 0..6 {
        let org = fake.add_organization(FakeOrganization::new(format!("Team {o}")));
        let old = fake.add_user(FakeUser::new(format!("Old{o}"), "Admin"));
        let new = fake.add_user(FakeUser::new(format!("New{o}"), "Admin"));
        fake.add_membership(&org, &old, "org:admin")?;
        // The admin hands over: the new one gains the role before the old one loses it.
        entries.push(RosterEntry::user_id(&new, "org:admin").in_organization(&org));
        entries.push(RosterEntry::user_id(&old, "org:member").in_organization(&org));
        orgs.push((org, old, new));
    }
    let roster = Roster::from_entries(entries)?;
    let client = fake.client();
    let plans = sync::plan_all(&client, &roster, &SyncOptions::default())?;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let options = ApplyOptions::builder()
        .workers(4)
        .on_progress(move |step| {
            if let sync::Progress::Applying { done, total, .. } = step {
                record.lock().unwrap().push((done, total));
            }
        })
        .build();
    fake.clear_requests();
    let report = plans.apply(&client, &options);
    assert!(report.is_success(), "{report}");
    assert_eq!(report.counts().applied, 12);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen, (1..=12).map(|d| (d, 12)).collect::<Vec<_>>());
    for (org, old, new) in &orgs {
        assert_eq!(fake.membership(org, new).unwrap().role, "org:admin");
        assert_eq!(fake.membership(org, old).unwrap().role, "org:member");
        // Within the organization, the create came before the demotion.
        let requests = fake.requests();
        let position = |method: Method, user: &str| {
            requests.iter().position(|r| {
                r.method() == method
                    && r.path_and_query().contains(org.as_str())
                    && (r.path_and_query().contains(user)
                        || r.body()
                            .is_some_and(|b| String::from_utf8_lossy(b).contains(user)))
            })
        };
        assert!(position(Method::Post, new) < position(Method::Patch, old));
    }
    assert!(
        fake.requests()
            .iter()
            .all(|r| r.operation() != Operation::GetOrganization),
        "applying reads no organization"
    );
    Ok(())
}

/// `max_invites` holds per organization: two invitations in Acme are over a limit of one,
/// Globex's one is within it. Acme is refused, Globex invited; the prune of one organization
/// never revokes an invitation another organization's rows keep.
#[test]
fn the_invitation_cap_holds_per_organization() -> TestResult {
    let fake = FakeClerk::new();
    let acme = fake.add_organization(FakeOrganization::new("Acme"));
    let globex = fake.add_organization(FakeOrganization::new("Globex"));
    let roster = Roster::new()
        .entry(RosterEntry::email("new1@acme.com", "org:member").in_organization(&acme))?
        .entry(RosterEntry::email("new2@acme.com", "org:member").in_organization(&acme))?
        .entry(RosterEntry::email("new3@acme.com", "org:member").in_organization(&globex))?;
    let options = SyncOptions::builder().invite(true).max_invites(1).build();
    let client = fake.client();
    let plans = sync::plan_all(&client, &roster, &options)?;
    assert_eq!(plans.plan(&acme).map(|p| p.invite_check().invites), Some(2));
    assert_eq!(
        plans.plan(&globex).map(|p| p.invite_check().invites),
        Some(1)
    );
    let refused = plans.refused();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].organization_id, acme);
    assert!(refused[0].invite_check.exceeded);
    assert_eq!(
        refused[0].to_string(),
        format!("{acme}: 2 invitations exceed the limit of 1 per run")
    );

    let report = plans.apply(&client, &ApplyOptions::default());
    assert_eq!(report.refused().len(), 1);
    assert!(fake.invitations(&acme).is_empty(), "no email sent for Acme");
    let sent: Vec<String> = fake
        .invitations(&globex)
        .into_iter()
        .map(|i| i.email_address)
        .collect();
    assert_eq!(sent, ["new3@acme.com"]);

    // Under prune, Globex's pending invitation goes once Globex's rows drop the address,
    // whatever the other organization's rows say.
    let pruning = SyncOptions::builder()
        .invite(true)
        .prune(true)
        .max_invites(5)
        .build();
    let moved = Roster::new()
        .entry(RosterEntry::email("new3@acme.com", "org:member").in_organization(&acme))?
        .entry(RosterEntry::email("new9@acme.com", "org:member").in_organization(&globex))?;
    let again = sync::plan_all(&client, &moved, &pruning)?;
    let globex_plan = again.plan(&globex).expect("planned");
    let kinds: Vec<String> = globex_plan
        .changes()
        .iter()
        .map(|change| change.to_string())
        .collect();
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    assert!(
        kinds
            .iter()
            .any(|line| line.starts_with("- revoke new3@acme.com")),
        "{kinds:?}"
    );
    Ok(())
}

#[test]
fn planning_reports_each_organization_looked_up() -> TestResult {
    use std::sync::{Arc, Mutex};

    let fake = FakeClerk::new();
    let acme = fake.add_organization(FakeOrganization::new("Acme"));
    fake.add_organization(FakeOrganization::new("Globex"));
    let roster = Roster::new()
        .entry(RosterEntry::email("ann@acme.com", "org:admin").in_organization(&acme))?
        .entry(RosterEntry::email("ann@acme.com", "org:admin").in_organization("acme"))?
        .entry(RosterEntry::email("bob@acme.com", "org:admin").in_organization("globex"))?;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let options = SyncOptions::builder()
        .on_progress(move |step| {
            if let sync::Progress::LookingUpOrganizations { done, total } = step {
                record.lock().unwrap().push((done, total));
            }
        })
        .build();
    // The id and the slug of Acme are two names, looked up once each; then they are one.
    let err = sync::plan_all(&fake.client(), &roster, &options).unwrap_err();
    assert!(matches!(err, SyncError::InvalidRoster { .. }), "{err}");
    assert_eq!(*seen.lock().unwrap(), [(1, 3), (2, 3), (3, 3)]);
    Ok(())
}

/// The totals over many organizations count every kind of change the plans hold, the
/// invitations and waiting entries too, and their JSON says so.
#[test]
fn the_totals_over_organizations_count_invitations_and_waiting_entries() -> TestResult {
    let fake = FakeClerk::new();
    let acme = fake.add_organization(FakeOrganization::new("Acme"));
    let globex = fake.add_organization(FakeOrganization::new("Globex"));
    let ann = fake.add_user(FakeUser::new("Ann", "Lee").email("ann@acme.com"));
    fake.add_membership(&acme, &ann, "org:member")?;
    let inviting = SyncOptions::builder().invite(true).build();
    let client = fake.client();
    let first = Roster::new()
        .entry(RosterEntry::email("ann@acme.com", "org:admin").in_organization(&acme))?
        .entry(RosterEntry::email("new1@acme.com", "org:member").in_organization(&acme))?
        .entry(RosterEntry::email("new2@acme.com", "org:member").in_organization(&globex))?;
    let plans = sync::plan_all(&client, &first, &inviting)?;
    let counts = plans.counts();
    assert_eq!((counts.change_role, counts.invite), (1, 2), "{counts}");
    assert_eq!(counts.changes(), 3);
    let json = serde_json::to_value(&plans)?;
    assert_eq!(json["counts"]["invite"], 2, "{json}");
    let report = plans.apply(&client, &ApplyOptions::default());
    assert_eq!(report.counts().applied, 3, "{}", report.counts());

    // Globex's invitation is still pending; Acme's row for it is gone, so under prune Acme's
    // invitation is revoked.
    let pruning = SyncOptions::builder().invite(true).prune(true).build();
    let second = Roster::new()
        .entry(RosterEntry::email("ann@acme.com", "org:admin").in_organization(&acme))?
        .entry(RosterEntry::email("new2@acme.com", "org:member").in_organization(&globex))?;
    let counts = sync::plan_all(&client, &second, &pruning)?.counts();
    assert_eq!(
        (counts.revoke_invitation, counts.waiting, counts.changes()),
        (1, 1, 1),
        "{counts}"
    );
    Ok(())
}
