//! The fake's state in and out: a versioned JSON document, dump → load → dump byte-identical.

use std::time::Duration;

use clerk_memberships::testing::{FakeClerk, FakeError, FakeOrganization, FakeUser, ManualClock};
use clerk_memberships::{
    CreateMembership, DeleteMembership, ListMemberships, ListUsers, UpdateMembership,
    UpdateMembershipMetadata,
};
use serde_json::{Value, json};

use crate::support::TestResult;

/// A fake with a history: custom role, users of every kind, memberships changed by requests.
fn lived_in() -> Result<FakeClerk, Box<dyn std::error::Error>> {
    let clock = ManualClock::new(std::time::UNIX_EPOCH + Duration::from_secs(1_778_544_000));
    let fake = FakeClerk::with_clock(clock.clone());
    fake.add_role("org:billing", "Billing", ["org:invoices:read"]);
    fake.add_role("org:viewer", "Viewer", Vec::<String>::new());
    let acme = fake.add_organization(
        FakeOrganization::new("Acme Corp")
            .max_allowed_memberships(50)
            .public_metadata(json!({"plan": "pro", "ünï": ["cödé"]})),
    );
    let other = fake.add_organization(FakeOrganization::new("Zeta").id("org zeta/é"));
    let users = fake.add_users((0..6).map(|i| {
        FakeUser::new(format!("Ann{i}"), "Acme")
            .email(format!("ann{i}@acme.com"))
            .email(format!("ann{i}@old.example"))
            .external_id(format!("hr-{i}"))
            .phone_number(format!("+1555000{i}"))
            .username(format!("ann{i}"))
            .last_active_at(1_778_000_000_000 + i)
    }));
    fake.add_user(FakeUser::unnamed().id("user_ünïcode").web3_wallet("0xabc"));
    let client = fake.client();
    for (i, user) in users.iter().enumerate() {
        clock.advance(Duration::from_secs(1));
        CreateMembership::builder()
            .organization_id(&acme)
            .user_id(user)
            .role(["org:admin", "org:member", "org:billing"][i % 3])
            .private_metadata(json!({"seat": i}))
            .build()?
            .send(&client)?;
    }
    fake.add_membership(&other, "user_ünïcode", "org:viewer")?;
    clock.advance(Duration::from_secs(60));
    UpdateMembership::builder()
        .organization_id(&acme)
        .user_id(&users[1])
        .role("org:admin")
        .build()?
        .send(&client)?;
    UpdateMembershipMetadata::builder()
        .organization_id(&acme)
        .user_id(&users[2])
        .public_metadata(json!({"nested": {"a": 1, "b": null}}))
        .build()?
        .send(&client)?;
    DeleteMembership::builder()
        .organization_id(&acme)
        .user_id(&users[3])
        .build()?
        .send(&client)?;
    Ok(fake)
}

fn answers(fake: &FakeClerk) -> Result<Value, Box<dyn std::error::Error>> {
    let client = fake.client();
    let mut out = Vec::new();
    for org in ["org_fake00000000000000000000001", "org zeta/é"] {
        for order in ["+created_at", "-email_address", "+username"] {
            let page = ListMemberships::builder()
                .organization_id(org)
                .order_by(order)
                .build()?
                .send(&client)?;
            out.push(serde_json::to_value(page)?);
        }
    }
    let users = ListUsers::builder().limit(100).build()?.send(&client)?;
    out.push(serde_json::to_value(users)?);
    Ok(Value::Array(out))
}

#[test]
fn dump_load_dump_is_byte_identical_and_answers_the_same() -> TestResult {
    let fake = lived_in()?;
    let first = fake.dump_state();
    let loaded = FakeClerk::from_state(&first)?;
    let second = loaded.dump_state();
    assert_eq!(first, second);
    assert!(first.ends_with("}\n"));

    let document: Value = serde_json::from_str(&first)?;
    assert_eq!(document["format"], "clerk-memberships/fake-state");
    assert_eq!(document["version"], 1);
    // Organizations by id: "org zeta/é" sorts before "org_fake…".
    assert_eq!(
        document["organizations"][1]["memberships"]
            .as_array()
            .map(Vec::len),
        Some(5)
    );
    assert_eq!(document["users"][0]["external_id"], "hr-0");

    // The loaded fake answers every list exactly as the original one.
    assert_eq!(answers(&loaded)?, answers(&fake)?);
    Ok(())
}

#[test]
fn a_short_hand_written_document_seeds_with_defaults_and_fresh_ids_do_not_collide() -> TestResult {
    let fake = FakeClerk::new();
    fake.load_state(
        r#"{
          "format": "clerk-memberships/fake-state", "version": 1,
          "roles": [{"key": "org:admin", "name": "Admin", "permissions": ["org:sys_memberships:manage"]},
                    {"key": "org:member", "name": "Member"}],
          "users": [{"id": "user_ann", "email_addresses": ["ann@acme.com"]}, {"id": "user_bob"}],
          "organizations": [{"id": "org_acme", "name": "Acme Corp",
            "memberships": [
              {"id": "orgmem_fake00000000000000000000007", "user_id": "user_ann", "role": "org:admin"}
            ]}]
        }"#,
    )?;
    let ann = fake.membership("org_acme", "user_ann").expect("loaded");
    assert_eq!(ann.created_at, FakeClerk::START_MS);
    assert_eq!(ann.organization.slug, "acme-corp");
    assert_eq!(ann.role_name.as_deref(), Some("Admin"));

    let bob = CreateMembership::builder()
        .organization_id("org_acme")
        .user_id("user_bob")
        .role("org:member")
        .build()?
        .send(&fake.client())?;
    assert_eq!(bob.id, "orgmem_fake00000000000000000000008");
    assert_eq!(
        bob.permissions, None,
        "org:member has no permissions in the document's roles"
    );
    Ok(())
}

#[test]
fn a_document_that_cannot_be_loaded_leaves_the_state_alone() {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Kept"));
    let cases = [
        ("{", "Invalid"),
        (r#"{"format": "other", "version": 1}"#, "WrongFormat"),
        (
            r#"{"format": "clerk-memberships/fake-state", "version": 2}"#,
            "UnsupportedVersion",
        ),
        (
            r#"{"format": "clerk-memberships/fake-state", "version": 1, "userz": []}"#,
            "Invalid",
        ),
        (
            r#"{"format": "clerk-memberships/fake-state", "version": 1,
               "users": [{"id": "u"}, {"id": "u"}]}"#,
            "DuplicateId",
        ),
        (
            r#"{"format": "clerk-memberships/fake-state", "version": 1,
               "organizations": [{"id": "o", "name": "O",
                 "memberships": [{"user_id": "ghost", "role": "org:member"}]}]}"#,
            "UnknownUser",
        ),
    ];
    for (json, kind) in cases {
        let err = fake.load_state(json).unwrap_err();
        let matches = match &err {
            FakeError::Invalid(_) => kind == "Invalid",
            FakeError::WrongFormat(_) => kind == "WrongFormat",
            FakeError::UnsupportedVersion(2) => kind == "UnsupportedVersion",
            FakeError::DuplicateId(id) => kind == "DuplicateId" && id == "u",
            FakeError::UnknownUser(user) => kind == "UnknownUser" && user == "ghost",
            _ => false,
        };
        assert!(matches, "{json}: {err:?}");
        assert!(!err.to_string().is_empty());
    }
    assert_eq!(fake.dump_state().matches("\"id\": ").count(), 1);
    assert!(fake.dump_state().contains(&org));
}
