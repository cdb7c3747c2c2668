//! Roles are checked before anything is written: `sync::plan` against the instance's roles
//! (or a caller's allow-list), and `KnownRoles` for the single-change helpers.

use crate::support::TestResult;
use crate::support::org::Org;
use clerk_memberships::sync::{
    self, ChangeRole, EnsureMember, KnownRoles, RoleCheck, Roster, RosterEntry, RosterProblem,
    SyncError, SyncOptions,
};
use clerk_memberships::testing::{FakeClerk, MockTransport, ROLES_JSON};
use clerk_memberships::{BuildError, Error, ErrorKind, Method, Operation, RetryPolicy};

fn org() -> Org {
    Org::on(FakeClerk::new(), FakeClerk::client)
}

fn roster(entries: impl IntoIterator<Item = RosterEntry>) -> Roster {
    Roster::from_entries(entries).expect("a valid roster")
}

fn operations(org: &Org) -> Vec<Operation> {
    org.fake.requests().iter().map(|r| r.operation()).collect()
}

/// The unknown-role problems of a refused plan, as (entry index, role).
fn unknown_roles(result: Result<sync::Plan, SyncError>) -> Vec<(usize, String)> {
    match result {
        Err(SyncError::InvalidRoster { problems }) => problems
            .into_iter()
            .map(|problem| match problem {
                RosterProblem::UnknownRole { entry, role, .. } => (entry.index, role),
                other => panic!("expected UnknownRole, got {other:?}"),
            })
            .collect(),
        other => panic!("expected InvalidRoster, got {other:?}"),
    }
}

#[test]
fn a_roster_role_the_instance_does_not_have_is_a_roster_problem_naming_the_entry() -> TestResult {
    let org = org();
    org.member("ann", "org:admin");
    org.user("bob");
    org.user("cid");
    let result = sync::plan(
        &org.client,
        &org.id,
        &roster([
            RosterEntry::user_id("user_ann", "org:admin"),
            RosterEntry::email("bob@acme.com", "org:admn"),
            RosterEntry::email("cid@acme.com", "admin"),
        ]),
        &SyncOptions::default(),
    );
    let err = result.unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid roster: entry 1 (email address \"bob@acme.com\") has the role \"org:admn\", \
         which is not a known role (known: org:admin, org:member) (and 1 more problem)"
    );
    assert_eq!(
        unknown_roles(Err(err)),
        [(1, "org:admn".to_owned()), (2, "admin".to_owned())]
    );
    // The roles were read once, and nothing else: not the members, not the users.
    assert_eq!(operations(&org), [Operation::ListOrganizationRoles]);
    assert_eq!(
        org.fake.requests()[0].path_and_query(),
        "/v1/organization_roles?limit=500"
    );
    Ok(())
}

#[test]
fn the_problem_lists_the_known_roles() {
    let org = org();
    org.fake
        .add_role("org:billing", "Billing", Vec::<String>::new());
    let result = sync::plan(
        &org.client,
        &org.id,
        &roster([RosterEntry::user_id("user_x", "org:bill")]),
        &SyncOptions::default(),
    );
    match result {
        Err(SyncError::InvalidRoster { problems }) => match &problems[..] {
            [RosterProblem::UnknownRole { known, .. }] => {
                assert_eq!(known, &["org:admin", "org:billing", "org:member"]);
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_roster_whose_roles_the_instance_has_plans_as_before_with_one_more_read() -> TestResult {
    let org = org();
    org.fake
        .add_role("org:billing", "Billing", ["org:invoices:read"]);
    org.member("ann", "org:admin");
    org.user("bob");
    let plan = sync::plan(
        &org.client,
        &org.id,
        &roster([
            RosterEntry::user_id("user_ann", "org:admin"),
            RosterEntry::email("bob@acme.com", "org:billing"),
        ]),
        &SyncOptions::default(),
    )?;
    assert_eq!(plan.to_string(), "+ user_bob (bob@acme.com) org:billing\n");
    assert_eq!(
        operations(&org),
        [
            Operation::ListOrganizationRoles,
            Operation::List,
            Operation::ListUsers
        ]
    );
    Ok(())
}

#[test]
fn an_empty_roster_reads_no_roles() -> TestResult {
    let org = org();
    org.member("ann", "org:admin");
    let plan = sync::plan(
        &org.client,
        &org.id,
        &Roster::new(),
        &SyncOptions::default(),
    )?;
    assert!(plan.is_empty());
    assert_eq!(operations(&org), [Operation::List]);
    Ok(())
}

#[test]
fn an_allow_list_checks_without_a_request_and_may_be_narrower_than_the_instance() -> TestResult {
    let org = org();
    org.member("ann", "org:admin");
    org.user("bob");
    let only_members = SyncOptions::builder().roles(["org:member"]).build();
    let result = sync::plan(
        &org.client,
        &org.id,
        &roster([
            RosterEntry::user_id("user_ann", "org:admin"),
            RosterEntry::email("bob@acme.com", "org:member"),
        ]),
        &only_members,
    );
    assert_eq!(unknown_roles(result), [(0, "org:admin".to_owned())]);
    assert!(org.fake.requests().is_empty(), "nothing was read");

    // A role the allow-list names but the instance lacks passes the plan: the caller's list
    // is the one that counts (and the fake refuses it when applied).
    let custom = SyncOptions::builder()
        .role_check(RoleCheck::Allow(vec![
            "org:admin".into(),
            "org:custom".into(),
        ]))
        .build();
    let plan = sync::plan(
        &org.client,
        &org.id,
        &roster([
            RosterEntry::user_id("user_ann", "org:admin"),
            RosterEntry::email("bob@acme.com", "org:custom"),
        ]),
        &custom,
    )?;
    assert_eq!(plan.counts().add, 1);
    assert!(
        !operations(&org).contains(&Operation::ListOrganizationRoles),
        "an allow-list needs no request"
    );
    Ok(())
}

#[test]
fn with_the_check_off_an_unknown_role_is_planned_and_the_fake_refuses_it_when_applied() -> TestResult
{
    let org = org();
    org.member("ann", "org:admin");
    org.user("bob");
    let options = SyncOptions::builder().role_check(RoleCheck::Off).build();
    let plan = sync::plan(
        &org.client,
        &org.id,
        &roster([
            RosterEntry::user_id("user_ann", "org:admin"),
            RosterEntry::email("bob@acme.com", "org:admn"),
        ]),
        &options,
    )?;
    assert_eq!(plan.to_string(), "+ user_bob (bob@acme.com) org:admn\n");
    assert!(!operations(&org).contains(&Operation::ListOrganizationRoles));
    let client = org.client.with_retry_policy(RetryPolicy::none());
    let report = plan.apply(&client, &sync::ApplyOptions::default())?;
    assert_eq!(report.counts().failed, 1, "{report}");
    assert_eq!(org.role("user_bob"), None, "nothing was written");
    Ok(())
}

#[test]
fn a_failed_role_read_fails_the_plan_before_the_members_are_read() {
    let mock = MockTransport::new();
    mock.push_json(
        401,
        r#"{"errors":[{"code":"authorization_invalid","message":"Unauthorized","long_message":"Unauthorized"}]}"#,
    );
    let client = mock
        .client_builder()
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = sync::plan(
        &client,
        "org_1",
        &roster([RosterEntry::user_id("user_1", "org:admin")]),
        &SyncOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.client_error().and_then(Error::status), Some(401));
    assert_eq!(mock.requests().len(), 1);
    assert_eq!(
        mock.requests()[0].operation(),
        Operation::ListOrganizationRoles
    );
}

#[test]
fn known_roles_read_every_page_of_the_instances_roles() -> TestResult {
    let mock = MockTransport::new();
    mock.push_json(200, ROLES_JSON);
    let roles = KnownRoles::read(&mock.client())?;
    assert_eq!(
        roles.keys().collect::<Vec<_>>(),
        ["org:admin", "org:member"]
    );
    assert_eq!((roles.len(), roles.is_empty()), (2, false));
    let sent = mock.requests();
    assert_eq!(sent.len(), 1, "total_count reached on the first page");
    assert_eq!(sent[0].method(), Method::Get);
    assert_eq!(sent[0].path_and_query(), "/v1/organization_roles?limit=500");
    Ok(())
}

#[test]
fn check_refuses_an_unknown_role_as_an_invalid_request_naming_it_and_the_known_ones() {
    let roles = KnownRoles::allow(["org:member", "org:admin"]);
    assert_eq!(roles.check("org:admin").unwrap(), "org:admin");
    let err = roles.check("Org:Admin").unwrap_err();
    match err.kind() {
        ErrorKind::InvalidRequest {
            error: BuildError::InvalidField { field, rule },
            ..
        } => {
            assert_eq!(*field, "role");
            assert_eq!(
                rule,
                "\"Org:Admin\" is not one of the allowed roles (org:admin, org:member)"
            );
        }
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
    assert_eq!((err.attempts(), err.status()), (0, None));

    let none = KnownRoles::allow(Vec::<String>::new());
    assert!(
        none.check("org:admin")
            .unwrap_err()
            .to_string()
            .ends_with("(none)")
    );
    let many = KnownRoles::allow((0..25).map(|i| format!("org:r{i:02}")));
    let text = many.check("org:x").unwrap_err().to_string();
    assert!(text.ends_with("org:r19 and 5 more)"), "{text}");
    // A key with a control character stays on its line.
    let odd = KnownRoles::allow(["org:a\nb"]);
    assert!(!odd.check("x").unwrap_err().to_string().contains('\n'));
}

#[test]
fn the_single_change_helpers_take_a_checked_role_and_nothing_is_written_for_an_unknown_one()
-> TestResult {
    let org = org();
    org.member("ann", "org:member");
    org.user("bob");
    let roles = RoleCheck::Instance
        .known_roles(&org.client)?
        .ok_or("the instance check gives roles")?;
    org.fake.clear_requests();

    // The builders check their role against the known roles: refused when built.
    let ensure = EnsureMember::builder()
        .organization_id(&org.id)
        .user_id("user_bob")
        .role("org:admn")
        .known_roles(&roles)
        .build();
    let err = ensure.unwrap_err();
    assert_eq!(err.field(), "role");
    assert!(err.to_string().contains("\"org:admn\""), "{err}");
    assert_eq!(
        Some(&err),
        roles.check("org:admn").unwrap_err().build_error()
    );
    let change = ChangeRole::builder()
        .organization_id(&org.id)
        .user_id("user_ann")
        .role("admin")
        .known_roles(&roles)
        .build();
    assert_eq!(change.unwrap_err().field(), "role");
    // A known role passes the check.
    ChangeRole::builder()
        .organization_id(&org.id)
        .user_id("user_ann")
        .role("org:admin")
        .known_roles(&roles)
        .build()?;
    assert!(org.fake.requests().is_empty(), "nothing was sent");
    assert_eq!(org.role("user_bob"), None);
    assert_eq!(org.role("user_ann").as_deref(), Some("org:member"));

    // Unchecked, the helpers send the role, and the fake refuses it as Clerk would.
    let change = ChangeRole::builder()
        .organization_id(&org.id)
        .user_id("user_ann")
        .role("org:admn");
    let err = change.build()?.send(&org.client).unwrap_err();
    assert_eq!(err.error().status(), Some(422), "{err}");
    let ensure = EnsureMember::builder()
        .organization_id(&org.id)
        .user_id("user_bob")
        .role("org:admn");
    let err = ensure.build()?.send(&org.client).unwrap_err();
    assert_eq!(err.error().status(), Some(422), "{err}");
    assert_eq!(org.role("user_ann").as_deref(), Some("org:member"));
    assert_eq!(org.role("user_bob"), None);

    assert_eq!(
        RoleCheck::Off.known_roles(&org.client)?,
        None,
        "no check, no request"
    );
    Ok(())
}
