//! FakeClerk through the public client: create, update, delete and update_metadata, their
//! errors, and the shape of what they answer.

use std::time::{Duration, UNIX_EPOCH};

use clerk_memberships::testing::{FakeClerk, FakeError, FakeOrganization, FakeUser, ManualClock};
use clerk_memberships::{
    Client, CreateMembership, DeleteMembership, Error, ListMemberships, Method,
    OrganizationMembership, UpdateMembershipMetadata,
};
use serde_json::{Value, json};

use crate::support::TestResult;
use crate::support::ops::{create, update};

fn delete(client: &Client, org: &str, user: &str) -> Result<OrganizationMembership, Error> {
    DeleteMembership::builder()
        .organization_id(org)
        .user_id(user)
        .build()?
        .send(client)
}

fn merge(
    client: &Client,
    org: &str,
    user: &str,
    public: Option<Value>,
    private: Option<Value>,
) -> Result<OrganizationMembership, Error> {
    UpdateMembershipMetadata::builder()
        .organization_id(org)
        .user_id(user)
        .set_public_metadata(public)
        .set_private_metadata(private)
        .build()?
        .send(client)
}

fn codes(err: &Error) -> Vec<&str> {
    err.clerk_codes().collect()
}

fn is_clerk_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix)
        .is_some_and(|rest| rest.len() == 27 && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[test]
fn create_answers_with_the_membership_clerk_would_send() -> TestResult {
    let fake = FakeClerk::new();
    let org = fake.add_organization(
        FakeOrganization::new("Acme Corp")
            .max_allowed_memberships(5)
            .public_metadata(json!({"plan": "pro"})),
    );
    let jane = fake.add_user(
        FakeUser::new("Jane", "Doe")
            .email("jane@acme.com")
            .username("jane"),
    );
    let client = fake.client();

    let membership = CreateMembership::builder()
        .organization_id(&org)
        .user_id(&jane)
        .role("org:admin")
        .public_metadata(json!({"team": "billing"}))
        .private_metadata(json!({"hr": {"id": 42}}))
        .build()?
        .send(&client)?;

    assert!(is_clerk_id(&org, "org_"), "{org}");
    assert!(is_clerk_id(&jane, "user_"), "{jane}");
    assert!(is_clerk_id(&membership.id, "orgmem_"), "{}", membership.id);
    assert_eq!(membership.object, "organization_membership");
    assert_eq!(membership.role, "org:admin");
    assert_eq!(membership.role_name.as_deref(), Some("Admin"));
    let permissions = membership.permissions.clone().unwrap_or_default();
    assert!(permissions.contains(&"org:sys_memberships:manage".to_owned()));
    assert_eq!(
        Value::Object(membership.public_metadata.clone()),
        json!({"team": "billing"})
    );
    assert_eq!(
        membership.private_metadata.clone().map(Value::Object),
        Some(json!({"hr": {"id": 42}}))
    );
    assert_eq!(membership.created_at, FakeClerk::START_MS);
    assert_eq!(membership.updated_at, FakeClerk::START_MS);

    let organization = &membership.organization;
    assert_eq!(organization.object, "organization");
    assert_eq!(organization.id, org);
    assert_eq!(organization.name, "Acme Corp");
    assert_eq!(organization.slug, "acme-corp");
    assert_eq!(organization.members_count, Some(1));
    assert_eq!(organization.max_allowed_memberships, 5);
    assert_eq!(
        organization.missing_member_with_elevated_permissions,
        Some(false)
    );
    assert_eq!(
        Value::Object(organization.public_metadata.clone()),
        json!({"plan": "pro"})
    );

    let user = membership
        .public_user_data
        .clone()
        .ok_or("no public_user_data")?;
    assert_eq!(user.user_id, jane);
    assert_eq!(user.first_name.as_deref(), Some("Jane"));
    assert_eq!(user.last_name.as_deref(), Some("Doe"));
    assert_eq!(user.identifier.as_deref(), Some("jane@acme.com"));
    assert_eq!(user.username.as_deref(), Some("jane"));

    // The fake's view matches what the client decoded.
    assert_eq!(fake.membership(&org, &jane), Some(membership));
    Ok(())
}

#[test]
fn roles_without_permissions_come_back_as_null() -> TestResult {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let users: Vec<String> = (0..2)
        .map(|i| fake.add_user(FakeUser::unnamed().id(format!("user_{i}"))))
        .collect();
    fake.add_role("org:billing", "Billing", ["org:invoices:read"]);
    let client = fake.client();

    let custom = create(&client, &org, &users[0], "org:billing")?;
    assert_eq!(custom.role_name.as_deref(), Some("Billing"));
    assert_eq!(
        custom.permissions,
        Some(vec!["org:invoices:read".to_owned()])
    );

    // Requests may give only the instance's roles; seeding is not checked, so a membership
    // may hold a role the instance does not have (any more).
    fake.add_membership(&org, &users[1], "org:viewer")?;
    let unknown = fake
        .membership(&org, &users[1])
        .ok_or("the seeded membership")?;
    assert_eq!(unknown.role, "org:viewer");
    assert_eq!(unknown.role_name, None);
    assert_eq!(unknown.permissions, None);
    let user = unknown.public_user_data.ok_or("no public_user_data")?;
    assert_eq!(
        (user.first_name, user.last_name, user.identifier),
        (None, None, None)
    );
    // Nobody holds the admin permissions.
    assert_eq!(
        unknown
            .organization
            .missing_member_with_elevated_permissions,
        Some(true)
    );
    Ok(())
}

#[test]
fn create_refuses_unknown_organizations_and_users() -> TestResult {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let user = fake.add_user(FakeUser::new("Jane", "Doe"));
    let client = fake.client();

    let err = create(&client, "org_missing", &user, "org:member").unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(codes(&err), ["resource_not_found"]);
    assert!(err.clerk_trace_id().is_some());

    let err = create(&client, &org, "user_missing", "org:member").unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(codes(&err), ["resource_not_found"]);
    let api = err.api_error().ok_or("not an API error")?;
    assert_eq!(
        api.errors[0].long_message,
        "No user was found with id user_missing"
    );

    assert!(fake.memberships(&org).is_empty());
    Ok(())
}

#[test]
fn create_refuses_a_second_membership_of_the_same_user() -> TestResult {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let user = fake.add_user(FakeUser::new("Jane", "Doe"));
    let client = fake.client();
    let first = create(&client, &org, &user, "org:member")?;

    let err = create(&client, &org, &user, "org:admin").unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert_eq!(codes(&err), ["already_a_member_in_organization"]);
    let api = err.api_error().ok_or("not an API error")?;
    assert_eq!(api.errors[0].message, "already a member");

    // Nothing changed.
    assert_eq!(fake.memberships(&org), [first]);
    Ok(())
}

#[test]
fn a_full_organization_refuses_new_members_until_one_leaves() -> TestResult {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Small").max_allowed_memberships(2));
    let users: Vec<String> = (0..3)
        .map(|i| fake.add_user(FakeUser::new("User", i.to_string())))
        .collect();
    let client = fake.client();
    create(&client, &org, &users[0], "org:admin")?;
    let second = create(&client, &org, &users[1], "org:member")?;
    assert_eq!(second.organization.members_count, Some(2));

    let err = create(&client, &org, &users[2], "org:member").unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert_eq!(codes(&err), ["organization_membership_quota_exceeded"]);
    let api = err.api_error().ok_or("not an API error")?;
    assert!(api.errors[0].long_message.contains("limit of 2"), "{api}");
    assert_eq!(fake.memberships(&org).len(), 2);

    delete(&client, &org, &users[1])?;
    let third = create(&client, &org, &users[2], "org:member")?;
    assert_eq!(third.organization.members_count, Some(2));

    // Zero means unlimited.
    let open = fake.add_organization(FakeOrganization::new("Open"));
    for user in &users {
        create(&client, &open, user, "org:member")?;
    }
    assert_eq!(fake.memberships(&open).len(), 3);
    Ok(())
}

#[test]
fn members_count_is_true_in_every_answer() -> TestResult {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let users: Vec<String> = (0..3)
        .map(|i| fake.add_user(FakeUser::new("U", i.to_string())))
        .collect();
    let client = fake.client();

    for (i, user) in users.iter().enumerate() {
        let created = create(&client, &org, user, "org:member")?;
        assert_eq!(created.organization.members_count, Some(i as i64 + 1));
    }
    let updated = update(&client, &org, &users[0], "org:admin")?;
    assert_eq!(updated.organization.members_count, Some(3));
    let merged = merge(&client, &org, &users[0], Some(json!({"a": 1})), None)?;
    assert_eq!(merged.organization.members_count, Some(3));

    let removed = delete(&client, &org, &users[1])?;
    assert_eq!(removed.organization.members_count, Some(2));

    let page = ListMemberships::builder()
        .organization_id(&org)
        .build()?
        .send(&client)?;
    assert_eq!(page.total_count, 2);
    assert!(
        page.data
            .iter()
            .all(|m| m.organization.members_count == Some(2))
    );
    Ok(())
}

#[test]
fn update_changes_the_role_and_takes_the_time_from_the_clock() -> TestResult {
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_millis(1_700_000_000_000));
    let fake = FakeClerk::with_clock(clock.clone());
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let user = fake.add_user(FakeUser::new("Jane", "Doe"));
    let client = fake.client();
    let created = create(&client, &org, &user, "org:member")?;
    assert_eq!(created.created_at, 1_700_000_000_000);
    assert_eq!(
        created
            .organization
            .missing_member_with_elevated_permissions,
        Some(true)
    );

    clock.advance(Duration::from_secs(90));
    let updated = update(&client, &org, &user, "org:admin")?;
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.role, "org:admin");
    assert_eq!(updated.role_name.as_deref(), Some("Admin"));
    assert_eq!(updated.created_at, 1_700_000_000_000);
    assert_eq!(updated.updated_at, 1_700_000_090_000);
    assert_eq!(
        updated
            .organization
            .missing_member_with_elevated_permissions,
        Some(false)
    );
    assert_eq!(
        fake.membership(&org, &user).map(|m| m.role),
        Some("org:admin".into())
    );

    let stranger = fake.add_user(FakeUser::new("Not", "Member"));
    let err = update(&client, &org, &stranger, "org:admin").unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(codes(&err), ["resource_not_found"]);
    let err = update(&client, "org_missing", &user, "org:admin").unwrap_err();
    assert!(err.is_not_found());
    Ok(())
}

#[test]
fn delete_returns_the_removed_membership_and_it_is_gone_afterwards() -> TestResult {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let jane = fake.add_user(FakeUser::new("Jane", "Doe"));
    let john = fake.add_user(FakeUser::new("John", "Roe"));
    let client = fake.client();
    let created = create(&client, &org, &jane, "org:admin")?;
    create(&client, &org, &john, "org:member")?;

    let removed = delete(&client, &org, &jane)?;
    assert_eq!(removed.id, created.id);
    assert_eq!(removed.role, "org:admin");
    assert_eq!(
        removed.public_user_data.map(|u| u.user_id),
        Some(jane.clone())
    );
    assert_eq!(removed.organization.members_count, Some(1));
    assert_eq!(
        removed
            .organization
            .missing_member_with_elevated_permissions,
        Some(true)
    );

    assert_eq!(fake.membership(&org, &jane), None);
    for err in [
        delete(&client, &org, &jane).unwrap_err(),
        update(&client, &org, &jane, "org:member").unwrap_err(),
        merge(&client, &org, &jane, Some(json!({"a": 1})), None).unwrap_err(),
    ] {
        assert!(err.is_not_found(), "{err}");
        assert_eq!(codes(&err), ["resource_not_found"]);
    }
    let page = ListMemberships::builder()
        .organization_id(&org)
        .build()?
        .send(&client)?;
    assert_eq!(page.total_count, 1);
    assert_eq!(
        page.data[0].public_user_data.as_ref().map(|u| &u.user_id),
        Some(&john)
    );

    // The user can join again, as a new membership.
    let again = create(&client, &org, &jane, "org:member")?;
    assert_ne!(again.id, created.id);
    Ok(())
}

#[test]
fn update_metadata_deep_merges_either_both_or_neither_object() -> TestResult {
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_millis(FakeClerk::START_MS as u64));
    let fake = FakeClerk::with_clock(clock.clone());
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let user = fake.add_user(FakeUser::new("Jane", "Doe"));
    let client = fake.client();
    CreateMembership::builder()
        .organization_id(&org)
        .user_id(&user)
        .role("org:member")
        .public_metadata(json!({"team": {"name": "core", "size": 3}, "tags": ["a", "b"], "old": 1}))
        .private_metadata(json!({"hr": {"id": 42, "level": 2}}))
        .build()?
        .send(&client)?;
    let public = |m: &OrganizationMembership| Value::Object(m.public_metadata.clone());
    let private = |m: &OrganizationMembership| m.private_metadata.clone().map(Value::Object);

    // Public only: nested objects merge, arrays and scalars replace, null removes.
    clock.advance(Duration::from_secs(1));
    let merged = merge(
        &client,
        &org,
        &user,
        Some(json!({"team": {"size": 4, "lead": "jane"}, "tags": ["c"], "old": null, "new": true})),
        None,
    )?;
    assert_eq!(
        public(&merged),
        json!({"team": {"name": "core", "size": 4, "lead": "jane"}, "tags": ["c"], "new": true})
    );
    assert_eq!(
        private(&merged),
        Some(json!({"hr": {"id": 42, "level": 2}}))
    );
    assert_eq!(merged.updated_at, FakeClerk::START_MS + 1_000);

    // Private only, with a null deep inside.
    let merged = merge(
        &client,
        &org,
        &user,
        None,
        Some(json!({"hr": {"level": null, "é": "ü"}})),
    )?;
    assert_eq!(private(&merged), Some(json!({"hr": {"id": 42, "é": "ü"}})));
    assert_eq!(public(&merged)["team"]["size"], 4);

    // Both at once.
    let merged = merge(
        &client,
        &org,
        &user,
        Some(json!({"team": null})),
        Some(json!({"hr": {"id": 7}})),
    )?;
    assert_eq!(public(&merged), json!({"tags": ["c"], "new": true}));
    assert_eq!(private(&merged), Some(json!({"hr": {"id": 7, "é": "ü"}})));

    // Neither: `{}` changes nothing but the update time.
    clock.advance(Duration::from_secs(1));
    let unchanged = merge(&client, &org, &user, None, None)?;
    assert_eq!(
        fake.last_request()
            .and_then(|r| r.body().map(<[u8]>::to_vec)),
        Some(b"{}".to_vec())
    );
    assert_eq!(public(&unchanged), public(&merged));
    assert_eq!(private(&unchanged), private(&merged));
    assert_eq!(unchanged.updated_at, FakeClerk::START_MS + 2_000);
    Ok(())
}

#[test]
fn odd_ids_travel_escaped_and_arrive_intact() -> TestResult {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Odd").id("org/../with ?#% and+plus"));
    let user = fake.add_user(FakeUser::new("Ünï", "Cödé").id("ユーザー/1 %2F"));
    let other = fake.add_user(FakeUser::new("Dot", "Dot").id("..."));
    let client = fake.client();

    let created = create(&client, &org, &user, "org:member")?;
    assert_eq!(created.organization.id, org);
    assert_eq!(
        created
            .public_user_data
            .as_ref()
            .map(|u| u.user_id.as_str()),
        Some(user.as_str())
    );
    let sent = fake.last_request().ok_or("nothing recorded")?;
    assert_eq!(
        sent.path_and_query(),
        "/v1/organizations/org%2F%2E%2E%2Fwith%20%3F%23%25%20and%2Bplus/memberships"
    );

    create(&client, &org, &other, "org:member")?;
    update(&client, &org, &user, "org:admin")?;
    merge(&client, &org, &other, Some(json!({"ok": true})), None)?;
    let page = ListMemberships::builder()
        .organization_id(&org)
        .user_id(format!("+{user}"))
        .build()?
        .send(&client)?;
    assert_eq!(page.total_count, 1);
    assert_eq!(page.data[0].role, "org:admin");

    delete(&client, &org, &user)?;
    assert_eq!(fake.membership(&org, &user), None);
    assert!(fake.membership(&org, &other).is_some());
    Ok(())
}

#[test]
fn any_base_url_prefix_works() -> TestResult {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let user = fake.add_user(FakeUser::new("Jane", "Doe"));
    create(&fake.client(), &org, &user, "org:member")?;
    for base in [
        "https://api.clerk.com/v1",
        "http://127.0.0.1:8080/proxy/clerk/v1",
        "http://localhost:9",
    ] {
        let client = fake.client_builder().base_url(base).build()?;
        let page = ListMemberships::builder()
            .organization_id(&org)
            .build()?
            .send(&client)?;
        assert_eq!(page.total_count, 1, "{base}");
        assert!(
            fake.last_request()
                .is_some_and(|r| r.url().starts_with(base))
        );
    }
    Ok(())
}

#[test]
fn a_required_secret_key_turns_other_keys_away() -> TestResult {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    fake.require_secret_key("sk_live_right");
    let list = ListMemberships::builder().organization_id(&org).build()?;

    let wrong = fake.client(); // sk_test_fake
    let err = list.send(&wrong).unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(codes(&err), ["clerk_key_invalid"]);

    let right = fake.client_builder().secret_key("sk_live_right").build()?;
    assert_eq!(list.send(&right)?.total_count, 0);
    Ok(())
}

#[test]
fn seeding_reports_what_is_wrong() {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let user = fake.add_user(FakeUser::new("Jane", "Doe"));
    assert_eq!(
        fake.add_membership("org_nope", &user, "org:member"),
        Err(FakeError::UnknownOrganization("org_nope".into()))
    );
    assert_eq!(
        fake.add_membership(&org, "user_nope", "org:member"),
        Err(FakeError::UnknownUser("user_nope".into()))
    );
    assert!(fake.add_membership(&org, &user, "org:member").is_ok());
    let err = fake.add_membership(&org, &user, "org:admin").unwrap_err();
    assert!(matches!(err, FakeError::AlreadyAMember { .. }));
    assert!(err.to_string().contains("already a member"), "{err}");
}

#[test]
fn generated_ids_are_deterministic_and_skip_taken_ones() {
    let ids = |fake: &FakeClerk| {
        let org = fake.add_organization(FakeOrganization::new("A"));
        let user = fake.add_user(FakeUser::new("B", "C"));
        (org, user)
    };
    let (a, b) = (FakeClerk::new(), FakeClerk::new());
    assert_eq!(ids(&a), ids(&b));

    let fake = FakeClerk::new();
    // The id the counter would hand out first is taken by a seeded user.
    fake.add_user(FakeUser::new("X", "Y").id("user_fake00000000000000000000001"));
    let generated = fake.add_user(FakeUser::new("Z", "W"));
    assert_eq!(generated, "user_fake00000000000000000000002");
    assert!(is_clerk_id(&generated, "user_"));
}

#[test]
fn reseeding_an_id_replaces_its_data_and_keeps_its_members() -> TestResult {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Old").id("org_1"));
    let user = fake.add_user(FakeUser::new("Jane", "Doe").id("user_1"));
    fake.add_membership(&org, &user, "org:member")?;
    fake.add_organization(FakeOrganization::new("New Name").id("org_1"));
    fake.add_user(FakeUser::new("Jane", "Smith").id("user_1"));

    let membership = fake
        .membership("org_1", "user_1")
        .ok_or("membership lost")?;
    assert_eq!(membership.organization.name, "New Name");
    assert_eq!(membership.organization.slug, "new-name");
    assert_eq!(
        membership.public_user_data.and_then(|u| u.last_name),
        Some("Smith".into())
    );
    Ok(())
}

#[test]
fn the_fake_is_shared_across_threads() -> TestResult {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<FakeClerk>();

    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Busy"));
    let users: Vec<String> = (0..40)
        .map(|i| fake.add_user(FakeUser::new("U", i.to_string())))
        .collect();
    let handles: Vec<_> = users
        .chunks(10)
        .map(|chunk| {
            let (client, org, chunk) = (fake.client(), org.clone(), chunk.to_vec());
            std::thread::spawn(move || -> Result<(), Error> {
                for user in chunk {
                    create(&client, &org, &user, "org:member")?;
                }
                Ok(())
            })
        })
        .collect();
    for handle in handles {
        handle.join().map_err(|_| "thread panicked")??;
    }
    assert_eq!(fake.memberships(&org).len(), 40);
    assert_eq!(fake.requests().len(), 40);
    assert!(fake.requests().iter().all(|r| r.method() == Method::Post));
    Ok(())
}
