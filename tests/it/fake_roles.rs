//! FakeClerk's organization roles: the instance's role set, `GET /organization_roles`, and
//! writes that give a role the instance does not have refused, as Clerk refuses them.

use std::time::{Duration, UNIX_EPOCH};

use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser, ManualClock};
use clerk_memberships::{
    Error, ListOrganizationRoles, ListOrganizationRolesBuilder, RetryPolicy, Role,
};

use crate::support::TestResult;
use crate::support::ops::{create, update};

fn keys(fake: &FakeClerk, builder: ListOrganizationRolesBuilder) -> Result<Vec<String>, Error> {
    let page = builder.build()?.send(&fake.client())?;
    Ok(page.data.into_iter().map(|role| role.key).collect())
}

/// The error's codes and the `param_name` of each.
fn codes(err: &Error) -> Vec<(String, Option<String>)> {
    err.api_error()
        .map(|api| api.errors.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|e| {
            let param = e.meta.as_ref().and_then(|meta| meta.get("param_name"));
            (
                e.code.clone(),
                param.and_then(|p| p.as_str()).map(str::to_owned),
            )
        })
        .collect()
}

#[test]
fn a_new_fake_has_the_two_roles_every_instance_starts_with() -> TestResult {
    let fake = FakeClerk::new();
    assert_eq!(fake.roles(), ["org:admin", "org:member"]);
    let page = ListOrganizationRoles::builder()
        .order_by("key")
        .build()?
        .send(&fake.client())?;
    assert_eq!(page.total_count, 2);
    let admin: &Role = &page.data[0];
    assert_eq!(
        (admin.key.as_str(), admin.name.as_str()),
        ("org:admin", "Admin")
    );
    assert_eq!(admin.object, "role");
    assert!(admin.id.starts_with("role_fake") && admin.id.len() == "role_".len() + 27);
    assert!(admin.is_creator_eligible);
    assert!(
        admin
            .permission_keys()
            .any(|p| p == "org:sys_memberships:manage")
    );
    assert!(
        admin
            .permissions
            .iter()
            .all(|p| p.kind == "system" && p.object == "permission")
    );
    assert_eq!(admin.created_at, FakeClerk::START_MS);
    let member = &page.data[1];
    assert_eq!(member.key, "org:member");
    assert!(!member.is_creator_eligible);
    assert_eq!(
        member.permission_keys().collect::<Vec<_>>(),
        ["org:sys_memberships:read"]
    );
    // Ids are made from keys: the same in every fake.
    let again = ListOrganizationRoles::builder()
        .order_by("key")
        .build()?
        .send(&FakeClerk::new().client())?;
    assert_eq!(again.data[0].id, admin.id);
    assert_ne!(again.data[1].id, admin.id);
    Ok(())
}

#[test]
fn the_listing_sorts_newest_first_filters_by_query_and_pages() -> TestResult {
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_millis(FakeClerk::START_MS as u64));
    let fake = FakeClerk::with_clock(clock.clone());
    clock.advance(Duration::from_secs(60));
    fake.add_role("org:billing", "Billing", ["org:invoices:read"]);
    clock.advance(Duration::from_secs(60));
    fake.add_role("org:viewer", "Read Only", Vec::<String>::new());

    // Newest first by default; the two built-ins tie and keep their reverse definition order.
    assert_eq!(
        keys(&fake, ListOrganizationRoles::builder())?,
        ["org:viewer", "org:billing", "org:member", "org:admin"]
    );
    assert_eq!(
        keys(
            &fake,
            ListOrganizationRoles::builder().order_by("+created_at")
        )?,
        ["org:admin", "org:member", "org:billing", "org:viewer"]
    );
    assert_eq!(
        keys(&fake, ListOrganizationRoles::builder().order_by("-name"))?,
        ["org:viewer", "org:member", "org:billing", "org:admin"]
    );
    // Partial and case-insensitive on key and name, exact on id.
    assert_eq!(
        keys(&fake, ListOrganizationRoles::builder().query("BILL"))?,
        ["org:billing"]
    );
    assert_eq!(
        keys(&fake, ListOrganizationRoles::builder().query("read only"))?,
        ["org:viewer"]
    );
    let billing_id = ListOrganizationRoles::builder()
        .query("org:billing")
        .build()?
        .send(&fake.client())?
        .data[0]
        .id
        .clone();
    assert_eq!(
        keys(&fake, ListOrganizationRoles::builder().query(&billing_id))?,
        ["org:billing"]
    );
    assert_eq!(
        keys(
            &fake,
            ListOrganizationRoles::builder().query(&billing_id[..12])
        )?,
        Vec::<String>::new(),
        "ids match exactly"
    );
    // A custom permission is of type `user`.
    let billing = ListOrganizationRoles::builder()
        .query("billing")
        .build()?
        .send(&fake.client())?;
    assert_eq!(billing.data[0].permissions[0].kind, "user");
    assert_eq!(billing.data[0].created_at, FakeClerk::START_MS + 60_000);

    // Pages: total_count counts every match, not the page.
    let page = ListOrganizationRoles::builder()
        .order_by("key")
        .limit(1)
        .offset(1)
        .build()?
        .send(&fake.client())?;
    assert_eq!(page.total_count, 4);
    assert_eq!(page.data.len(), 1);
    assert_eq!(page.data[0].key, "org:billing");
    let all: Vec<String> = ListOrganizationRoles::builder()
        .limit(3)
        .build()?
        .items(&fake.client())
        .map(|role| role.map(|r| r.key))
        .collect::<Result<_, _>>()?;
    assert_eq!(all.len(), 4);
    Ok(())
}

#[test]
fn bad_listing_parameters_are_refused_with_422() -> TestResult {
    let fake = FakeClerk::new();
    let client = fake
        .client_builder()
        .retry_policy(RetryPolicy::none())
        .build()?;
    let err = ListOrganizationRoles::builder()
        .order_by("shoe_size")
        .build()?
        .send(&client)
        .unwrap_err();
    assert_eq!(err.status(), Some(422));
    assert_eq!(
        codes(&err),
        [(
            "form_param_value_invalid".to_owned(),
            Some("order_by".to_owned())
        )]
    );
    Ok(())
}

#[test]
fn a_create_with_a_role_the_instance_does_not_have_is_refused_and_writes_nothing() -> TestResult {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let jane = fake.add_user(FakeUser::new("Jane", "Doe"));
    let client = fake.client();

    for role in ["org:admn", "admin", "ORG:ADMIN"] {
        let err = create(&client, &org, &jane, role).unwrap_err();
        assert_eq!(err.status(), Some(422), "{role}: {err}");
        assert_eq!(
            codes(&err),
            [(
                "form_param_value_invalid".to_owned(),
                Some("role".to_owned())
            )]
        );
        assert!(err.to_string().contains(role), "{err}");
        assert!(!err.is_not_found() && !err.is_already_member());
    }
    assert!(
        fake.membership(&org, &jane).is_none(),
        "nothing was written"
    );

    // The organization and the user are looked at first.
    let err = create(&client, "org_missing", &jane, "org:admn").unwrap_err();
    assert!(err.is_not_found(), "{err}");
    let err = create(&client, &org, "user_missing", "org:admn").unwrap_err();
    assert!(err.is_not_found(), "{err}");

    create(&client, &org, &jane, "org:admin")?;
    // The role comes before "already a member".
    let err = create(&client, &org, &jane, "org:admn").unwrap_err();
    assert_eq!(err.status(), Some(422), "{err}");
    Ok(())
}

#[test]
fn an_update_to_a_role_the_instance_does_not_have_is_refused_and_keeps_the_role() -> TestResult {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let jane = fake.add_user(FakeUser::new("Jane", "Doe"));
    let john = fake.add_user(FakeUser::new("John", "Roe"));
    fake.add_membership(&org, &jane, "org:member")?;
    let client = fake.client();

    let err = update(&client, &org, &jane, "org:admn").unwrap_err();
    assert_eq!(err.status(), Some(422), "{err}");
    assert_eq!(
        codes(&err),
        [(
            "form_param_value_invalid".to_owned(),
            Some("role".to_owned())
        )]
    );
    let kept = fake.membership(&org, &jane).ok_or("still a member")?;
    assert_eq!(kept.role, "org:member");
    assert_eq!(kept.updated_at, kept.created_at, "nothing was written");

    // Not a member: the 404 comes first.
    let err = update(&client, &org, &john, "org:admn").unwrap_err();
    assert!(err.is_not_found(), "{err}");
    Ok(())
}

#[test]
fn the_role_set_can_be_changed_and_writes_follow_it() -> TestResult {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let users: Vec<String> = (0..3)
        .map(|i| fake.add_user(FakeUser::unnamed().id(format!("user_{i}"))))
        .collect();
    let client = fake.client();

    assert!(create(&client, &org, &users[0], "org:billing").is_err());
    fake.set_roles(["org:admin", "org:billing"]);
    assert_eq!(fake.roles(), ["org:admin", "org:billing"]);
    let billing = create(&client, &org, &users[0], "org:billing")?;
    assert_eq!(billing.role_name.as_deref(), Some("org:billing"));
    assert_eq!(billing.permissions, None);
    // org:member is gone from the instance.
    let err = create(&client, &org, &users[1], "org:member").unwrap_err();
    assert_eq!(err.status(), Some(422));
    // set_roles keeps what a role was defined with.
    let admin = create(&client, &org, &users[1], "org:admin")?;
    assert_eq!(admin.role_name.as_deref(), Some("Admin"));

    assert!(fake.remove_role("org:billing"));
    assert!(!fake.remove_role("org:billing"));
    // The member keeps the role the instance no longer has, shown without a name.
    let kept = fake.membership(&org, &users[0]).ok_or("still a member")?;
    assert_eq!((kept.role.as_str(), kept.role_name), ("org:billing", None));
    assert_eq!(
        update(&client, &org, &users[0], "org:billing")
            .unwrap_err()
            .status(),
        Some(422)
    );
    assert_eq!(
        keys(&fake, ListOrganizationRoles::builder())?,
        ["org:admin"]
    );
    Ok(())
}

#[test]
fn the_role_set_is_part_of_the_state_document() -> TestResult {
    let fake = FakeClerk::new();
    fake.set_roles(["org:admin", "org:billing"]);
    let dumped = fake.dump_state();
    let loaded = FakeClerk::from_state(&dumped)?;
    assert_eq!(loaded.roles(), ["org:admin", "org:billing"]);
    assert_eq!(
        loaded.dump_state(),
        dumped,
        "dump → load → dump gives the same bytes"
    );
    let document: serde_json::Value = serde_json::from_str(&dumped)?;
    assert_eq!(document["roles"][0]["created_at"], FakeClerk::START_MS);

    // A document without roles gets the two built-in ones; an empty list, none at all.
    let bare = r#"{"format": "clerk-memberships/fake-state", "version": 1,
        "users": [{"id": "user_ann"}],
        "organizations": [{"id": "org_acme", "name": "Acme"}]}"#;
    let defaults = FakeClerk::from_state(bare)?;
    assert_eq!(defaults.roles(), ["org:admin", "org:member"]);
    create(&defaults.client(), "org_acme", "user_ann", "org:member")?;
    let none = FakeClerk::from_state(&bare.replace("\"users\"", "\"roles\": [], \"users\""))?;
    assert!(none.roles().is_empty());
    let err = create(&none.client(), "org_acme", "user_ann", "org:member").unwrap_err();
    assert_eq!(err.status(), Some(422));
    Ok(())
}
