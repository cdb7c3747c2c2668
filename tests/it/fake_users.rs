//! `FakeClerk` answering `GET /users` through the real client: the filters with Clerk's
//! semantics (unknown values ignored, OR within a filter, AND between filters, one leading
//! sign read as include/exclude), sorting, paging, its refusals, and the JSON it sends.

use clerk_memberships::testing::{FakeClerk, FakeUser};
use clerk_memberships::{ErrorKind, ListUsers, ListUsersBuilder, RetryPolicy, Transport, User};
use serde_json::Value;

/// Users a, b, c (created 1, 2, 3 ms after the start), with addresses and external ids.
fn seeded() -> FakeClerk {
    let fake = FakeClerk::new();
    let start = FakeClerk::START_MS;
    fake.add_user(
        FakeUser::new("Ann", "Lee")
            .id("a")
            .email("ann@acme.com")
            .email("ann.lee@old.example")
            .external_id("hr-1")
            .created_at(start + 1),
    );
    fake.add_user(
        FakeUser::new("Bob", "Ray")
            .id("b")
            .email("bob@acme.com")
            .external_id("-hr-2")
            .created_at(start + 2),
    );
    fake.add_user(
        FakeUser::unnamed()
            .id("c")
            .email("cy@acme.com")
            .external_id("+hr-3")
            .created_at(start + 3),
    );
    fake
}

fn ids(fake: &FakeClerk, builder: ListUsersBuilder) -> Vec<String> {
    let users = builder.build().unwrap().send(&fake.client()).unwrap();
    users.into_iter().map(|user| user.id).collect()
}

/// The JSON the fake answers `builder` with, as sent (not decoded).
fn raw_json(fake: &FakeClerk, builder: ListUsersBuilder) -> Value {
    let request = builder.build().unwrap().render(&fake.client()).unwrap();
    let response = fake.send(&request).unwrap();
    assert_eq!(response.status(), 200);
    serde_json::from_slice(response.body()).unwrap()
}

fn refused(fake: &FakeClerk, builder: ListUsersBuilder) -> (u16, String, Option<String>) {
    let client = fake.client().with_retry_policy(RetryPolicy::none());
    let err = builder.build().unwrap().send(&client).unwrap_err();
    let ErrorKind::Api { error, .. } = err.kind() else {
        panic!("expected an API error, got {err:?}");
    };
    let first = &error.errors[0];
    let param = first
        .meta
        .as_ref()
        .and_then(|meta| meta.get("param_name"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    (error.status, first.code.clone(), param)
}

#[test]
fn without_filters_everyone_is_listed_newest_first() {
    let fake = seeded();
    assert_eq!(ids(&fake, ListUsers::builder()), ["c", "b", "a"]);
}

#[test]
fn users_without_memberships_are_listed_too_and_the_path_is_users() {
    let fake = seeded();
    ids(&fake, ListUsers::builder());
    assert_eq!(fake.last_request().unwrap().path_and_query(), "/v1/users");
}

#[test]
fn email_address_values_or_together_and_values_not_found_are_ignored() {
    let fake = seeded();
    let got = ids(
        &fake,
        ListUsers::builder().email_addresses(["bob@acme.com", "nobody@acme.com", "ann@acme.com"]),
    );
    assert_eq!(got, ["b", "a"]);
    assert!(ids(&fake, ListUsers::builder().email_address("nobody@acme.com")).is_empty());
}

#[test]
fn email_address_matches_any_address_of_a_user_without_regard_to_case() {
    let fake = seeded();
    assert_eq!(
        ids(
            &fake,
            ListUsers::builder().email_address("ANN.LEE@old.example")
        ),
        ["a"]
    );
    let fake = FakeClerk::new();
    fake.add_user(FakeUser::unnamed().id("m").email("Mixed@Case.COM"));
    assert_eq!(
        ids(&fake, ListUsers::builder().email_address("mixed@case.com")),
        ["m"]
    );
}

#[test]
fn external_id_include_exclude_and_one_sign_taken_off() {
    let fake = seeded();
    let list = |values: &[&str]| ids(&fake, ListUsers::builder().external_ids(values.to_vec()));
    assert_eq!(list(&["hr-1"]), ["a"]);
    assert_eq!(list(&["+hr-1"]), ["a"], "+ includes");
    assert_eq!(
        list(&["-hr-1"]),
        ["c", "b"],
        "- excludes; everyone else matches"
    );
    assert_eq!(
        list(&["+-hr-2"]),
        ["b"],
        "+- includes the id that begins with -"
    );
    assert_eq!(
        list(&["++hr-3"]),
        ["c"],
        "++ includes the id that begins with +"
    );
    assert_eq!(
        list(&["--hr-2"]),
        ["c", "a"],
        "-- excludes the id that begins with -"
    );
    assert!(
        list(&["-hr-2"]).contains(&"b".to_owned()),
        "-hr-2 excludes hr-2, not -hr-2"
    );
    assert_eq!(
        list(&["hr-1", "+-hr-2", "-hr-1"]),
        ["b"],
        "excluded beats included"
    );
    assert!(list(&["hr-404"]).is_empty());
}

#[test]
fn users_without_an_external_id_match_only_exclusions() {
    let fake = seeded();
    fake.add_user(
        FakeUser::unnamed()
            .id("d")
            .created_at(FakeClerk::START_MS + 4),
    );
    assert_eq!(
        ids(&fake, ListUsers::builder().external_id("-hr-1")),
        ["d", "c", "b"]
    );
    assert!(!ids(&fake, ListUsers::builder().external_id("hr-1")).contains(&"d".to_owned()));
}

#[test]
fn user_id_include_exclude_and_unknown_ids_ignored() {
    let fake = seeded();
    assert_eq!(
        ids(
            &fake,
            ListUsers::builder().user_ids(["a", "+c", "user_404"])
        ),
        ["c", "a"]
    );
    assert_eq!(ids(&fake, ListUsers::builder().user_id("-b")), ["c", "a"]);
    fake.add_user(
        FakeUser::unnamed()
            .id("-odd")
            .created_at(FakeClerk::START_MS + 9),
    );
    assert_eq!(ids(&fake, ListUsers::builder().user_id("+-odd")), ["-odd"]);
    assert_eq!(
        ids(&fake, ListUsers::builder().user_id("-odd")),
        ["-odd", "c", "b", "a"]
    );
}

#[test]
fn different_filters_and_together() {
    let fake = seeded();
    let both = ListUsers::builder()
        .email_addresses(["ann@acme.com", "bob@acme.com"])
        .external_id("-hr-1");
    assert_eq!(
        ids(&fake, both),
        ["b"],
        "ann's hr-1 is excluded; bob's -hr-2 is not hr-1"
    );
    let none = ListUsers::builder()
        .email_address("ann@acme.com")
        .external_id("hr-2");
    assert!(ids(&fake, none).is_empty(), "ann's external id is not hr-2");
    let both = ListUsers::builder()
        .email_addresses(["ann@acme.com", "bob@acme.com"])
        .user_id("b");
    assert_eq!(ids(&fake, both), ["b"]);
}

#[test]
fn order_by_created_at_either_way_and_by_name_with_ties_in_insertion_order() {
    let fake = seeded();
    assert_eq!(
        ids(&fake, ListUsers::builder().order_by("created_at")),
        ["a", "b", "c"]
    );
    assert_eq!(
        ids(&fake, ListUsers::builder().order_by("+created_at")),
        ["a", "b", "c"]
    );
    assert_eq!(
        ids(&fake, ListUsers::builder().order_by("-created_at")),
        ["c", "b", "a"]
    );
    // c has no first name: last ascending.
    assert_eq!(
        ids(&fake, ListUsers::builder().order_by("first_name")),
        ["a", "b", "c"]
    );
    assert_eq!(
        ids(&fake, ListUsers::builder().order_by("-email_address")),
        ["c", "b", "a"]
    );

    let ties = FakeClerk::new();
    for id in ["x", "y", "z"] {
        ties.add_user(FakeUser::unnamed().id(id));
    }
    assert_eq!(
        ids(&ties, ListUsers::builder().order_by("created_at")),
        ["x", "y", "z"]
    );
    assert_eq!(ids(&ties, ListUsers::builder()), ["z", "y", "x"]);
}

#[test]
fn limit_and_offset_page_through_the_sorted_matches() {
    let fake = seeded();
    let page = |offset: u64| {
        ids(
            &fake,
            ListUsers::builder()
                .order_by("created_at")
                .limit(2)
                .offset(offset),
        )
    };
    assert_eq!(page(0), ["a", "b"]);
    assert_eq!(page(2), ["c"]);
    assert!(page(3).is_empty());
    assert!(page(i64::MAX as u64).is_empty());
    let everyone: Vec<String> = ListUsers::builder()
        .order_by("created_at")
        .limit(1)
        .build()
        .unwrap()
        .items(&fake.client())
        .map(|user| user.unwrap().id)
        .collect();
    assert_eq!(everyone, ["a", "b", "c"]);
    // Three full pages of one, then an empty one ends the listing.
    assert_eq!(fake.requests().len(), 4 + 4);
}

#[test]
fn the_default_page_is_10() {
    let fake = FakeClerk::new();
    fake.add_users((0..12).map(|i| FakeUser::unnamed().email(format!("u{i}@x.io"))));
    assert_eq!(ids(&fake, ListUsers::builder()).len(), 10);
}

#[test]
fn an_unknown_order_by_is_422_and_only_the_first_counts() {
    let fake = seeded();
    assert_eq!(
        refused(&fake, ListUsers::builder().order_by("shoe_size")),
        (
            422,
            "form_param_value_invalid".into(),
            Some("order_by".into())
        )
    );
}

#[test]
fn every_field_the_spec_requires_of_a_user_is_in_the_fakes_json() {
    // `components/schemas/User` and `EmailAddress` in the 2026-05-12 spec: `required`.
    const USER_REQUIRED: [&str; 36] = [
        "id",
        "object",
        "username",
        "first_name",
        "last_name",
        "has_image",
        "primary_email_address_id",
        "primary_phone_number_id",
        "primary_web3_wallet_id",
        "password_enabled",
        "two_factor_enabled",
        "totp_enabled",
        "backup_code_enabled",
        "email_addresses",
        "phone_numbers",
        "web3_wallets",
        "passkeys",
        "external_accounts",
        "saml_accounts",
        "enterprise_accounts",
        "public_metadata",
        "external_id",
        "last_sign_in_at",
        "banned",
        "locked",
        "lockout_expires_in_seconds",
        "verification_attempts_remaining",
        "created_at",
        "updated_at",
        "delete_self_enabled",
        "create_organization_enabled",
        "last_active_at",
        "mfa_enabled_at",
        "mfa_disabled_at",
        "legal_accepted_at",
        "image_url",
    ];
    const EMAIL_REQUIRED: [&str; 7] = [
        "object",
        "email_address",
        "verification",
        "linked_to",
        "reserved",
        "created_at",
        "updated_at",
    ];
    let fake = seeded();
    let body = raw_json(&fake, ListUsers::builder().user_id("a"));
    let user = &body[0];
    for field in USER_REQUIRED {
        assert!(
            user.get(field).is_some(),
            "user field {field} missing: {user}"
        );
    }
    assert_eq!(user["object"], "user");
    assert_eq!(user["external_id"], "hr-1");
    let addresses = user["email_addresses"].as_array().unwrap();
    assert_eq!(addresses.len(), 2);
    for address in addresses {
        for field in EMAIL_REQUIRED {
            assert!(
                address.get(field).is_some(),
                "email field {field} missing: {address}"
            );
        }
        assert_eq!(address["object"], "email_address");
        assert!(address["id"].as_str().unwrap().starts_with("idn_"));
    }
    assert_eq!(user["primary_email_address_id"], addresses[0]["id"]);
    let c = raw_json(&fake, ListUsers::builder().user_id("c"));
    assert_eq!(c[0]["first_name"], Value::Null);
    assert_eq!(c[0]["username"], Value::Null);
}

#[test]
fn seeded_users_read_back_through_the_model() {
    let fake = seeded();
    let a: User = fake.user("a").unwrap();
    assert_eq!(a.external_id.as_deref(), Some("hr-1"));
    assert_eq!(a.primary_email_address(), Some("ann@acme.com"));
    assert_eq!(a.first_name.as_deref(), Some("Ann"));
    assert_eq!(a.created_at, FakeClerk::START_MS + 1);
    assert_eq!(a.updated_at, a.created_at);
    assert!(fake.user("nobody").is_none());

    let listed = ListUsers::builder()
        .user_id("a")
        .build()
        .unwrap()
        .send(&fake.client())
        .unwrap();
    assert_eq!(listed, [a]);
}

#[test]
fn add_users_seeds_many_in_order_with_distinct_address_ids() {
    let fake = FakeClerk::new();
    let ids = fake.add_users((0..3).map(|i| FakeUser::unnamed().email(format!("u{i}@x.io"))));
    assert_eq!(ids.len(), 3);
    let address_ids: std::collections::HashSet<String> = ids
        .iter()
        .map(|id| fake.user(id).unwrap().primary_email_address_id.unwrap())
        .collect();
    assert_eq!(address_ids.len(), 3);
}

#[test]
fn reseeding_a_user_keeps_their_place_and_memberships() {
    use clerk_memberships::testing::FakeOrganization;
    let fake = seeded();
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    fake.add_membership(&org, "a", "org:member").unwrap();
    fake.add_user(
        FakeUser::new("Ann", "Lee")
            .id("a")
            .email("ann@new.example")
            .created_at(1),
    );
    assert_eq!(
        fake.user("a").unwrap().primary_email_address(),
        Some("ann@new.example")
    );
    assert_eq!(fake.user("a").unwrap().external_id, None);
    assert!(fake.membership(&org, "a").is_some());
}
