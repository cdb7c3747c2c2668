//! `ListUsers` (`GET /users`): what it puts on the wire, byte for byte, what `build()` refuses,
//! what it decodes, and how its pager walks the pages. Asserted on the rendered request and
//! against a real HTTP server (`httpmock`).

use crate::support::refusal::assert_invalid;
use crate::support::wire::{OFFLINE_BASE, listing, offline_client, paging_client, sent_after};

use crate::support::clients::client;
use clerk_memberships::testing::{MockTransport, USER_JSON};
use clerk_memberships::{Error, ErrorKind, ListUsers, ListUsersBuilder, Method, Operation, User};
use httpmock::prelude::*;

const USER: &str = include_str!("../fixtures/user.json");
const USER_SPARSE: &str = include_str!("../fixtures/user_sparse.json");
const USERS_PATH: &str = "/v1/users";

// ---- helpers --------------------------------------------------------------------------------

fn users() -> ListUsersBuilder {
    ListUsers::builder()
}

/// Expects `$builder` to be refused before anything is sent; returns the build error.
macro_rules! rejected {
    ($builder:expr) => {{
        let (client, mock) = offline_client();
        crate::refused_before_sending!(client, mock, "[]", $builder)
    }};
}

/// Renders `builder` and sends it to a real HTTP server: both must show exactly `raw_query`
/// (raw, not decoded) after `/v1/users`, and the server must decode exactly `pairs`, in order.
fn assert_users_on_wire(builder: ListUsersBuilder, raw_query: &str, pairs: &[(&str, &str)]) {
    let op = builder.build().expect("valid list request");
    let (offline, _) = offline_client();
    let rendered = op.render(&offline).unwrap();
    assert_eq!(rendered.operation(), Operation::ListUsers);
    assert_eq!(rendered.method(), Method::Get);
    assert_eq!(
        rendered.path_and_query(),
        format!("{USERS_PATH}{raw_query}")
    );
    assert_eq!(rendered.url(), format!("{OFFLINE_BASE}/users{raw_query}"));
    assert_eq!(rendered.body(), None);
    assert_eq!(rendered.header("content-type"), None);

    let server = MockServer::start();
    let mock = listing(&server, USERS_PATH, raw_query, pairs, format!("[{USER}]"));
    let got = op.send(&client(&server)).unwrap();
    mock.assert();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].id, "user_2h8op3Isl1QR7tKu5FGNfaLKEoU");
}

// ---- the request ----------------------------------------------------------------------------

#[test]
fn no_filter_sends_a_bare_get_users() {
    assert_users_on_wire(users(), "", &[]);
}

#[test]
fn the_operation_is_named_list_users_and_is_a_retryable_get() {
    let op = Operation::ListUsers;
    assert_eq!(op.name(), "list_users");
    assert_eq!(op.to_string(), "list_users");
    assert_eq!(op.method(), Method::Get);
    assert!(op.is_idempotent());
}

#[test]
fn email_address_filter_one_and_many_with_plus_encoded() {
    assert_users_on_wire(
        users().email_address("jane.doe+hr@acme.com"),
        "?email_address=jane.doe%2Bhr%40acme.com",
        &[("email_address", "jane.doe+hr@acme.com")],
    );
    let many = "?email_address=b%40x.io&email_address=a%40x.io&email_address=c%40x.io";
    let pairs = [
        ("email_address", "b@x.io"),
        ("email_address", "a@x.io"),
        ("email_address", "c@x.io"),
    ];
    assert_users_on_wire(
        users().email_addresses(["b@x.io", "a@x.io", "c@x.io"]),
        many,
        &pairs,
    );
    assert_users_on_wire(
        users()
            .email_address("b@x.io")
            .email_address("a@x.io")
            .email_address("c@x.io"),
        many,
        &pairs,
    );
}

#[test]
fn external_id_filter_one_and_many_with_include_and_exclude_signs() {
    assert_users_on_wire(
        users().external_id("hr-00042"),
        "?external_id=hr-00042",
        &[("external_id", "hr-00042")],
    );
    let many =
        "?external_id=%2Bhr-1&external_id=-hr-2&external_id=%2B-hr-3&external_id=a%20b%26c%3Dd";
    let pairs = [
        ("external_id", "+hr-1"),
        ("external_id", "-hr-2"),
        ("external_id", "+-hr-3"),
        ("external_id", "a b&c=d"),
    ];
    assert_users_on_wire(
        users().external_ids(vec!["+hr-1", "-hr-2", "+-hr-3", "a b&c=d"]),
        many,
        &pairs,
    );
    assert_users_on_wire(
        users()
            .external_id("+hr-1")
            .external_id("-hr-2")
            .external_id("+-hr-3")
            .external_id("a b&c=d"),
        many,
        &pairs,
    );
}

#[test]
fn user_id_filter_one_and_many_with_include_and_exclude_signs() {
    assert_users_on_wire(
        users().user_id("+user_1"),
        "?user_id=%2Buser_1",
        &[("user_id", "+user_1")],
    );
    let owned = vec![
        "+user_1".to_owned(),
        "-user_2".to_owned(),
        "user_3".to_owned(),
    ];
    assert_users_on_wire(
        users().user_ids(&owned),
        "?user_id=%2Buser_1&user_id=-user_2&user_id=user_3",
        &[
            ("user_id", "+user_1"),
            ("user_id", "-user_2"),
            ("user_id", "user_3"),
        ],
    );
}

#[test]
fn order_by_is_sent_with_its_sign_encoded() {
    assert_users_on_wire(
        users().order_by("created_at"),
        "?order_by=created_at",
        &[("order_by", "created_at")],
    );
    assert_users_on_wire(
        users().order_by("-created_at"),
        "?order_by=-created_at",
        &[("order_by", "-created_at")],
    );
    assert_users_on_wire(
        users().order_by("+email_address"),
        "?order_by=%2Bemail_address",
        &[("order_by", "+email_address")],
    );
}

#[test]
fn limit_and_offset_are_plain_decimals_and_zero_is_a_value() {
    assert_users_on_wire(users().limit(1), "?limit=1", &[("limit", "1")]);
    assert_users_on_wire(users().limit(500), "?limit=500", &[("limit", "500")]);
    assert_users_on_wire(users().offset(0), "?offset=0", &[("offset", "0")]);
    assert_users_on_wire(
        users().offset(i64::MAX as u64),
        "?offset=9223372036854775807",
        &[("offset", "9223372036854775807")],
    );
}

#[test]
fn every_field_at_once_in_a_fixed_order() {
    assert_users_on_wire(
        users()
            .offset(1000)
            .limit(500)
            .order_by("created_at")
            .user_id("user_1")
            .external_id("hr-1")
            .email_address("a@x.io"),
        "?email_address=a%40x.io&external_id=hr-1&user_id=user_1&order_by=created_at&limit=500&offset=1000",
        &[
            ("email_address", "a@x.io"),
            ("external_id", "hr-1"),
            ("user_id", "user_1"),
            ("order_by", "created_at"),
            ("limit", "500"),
            ("offset", "1000"),
        ],
    );
}

#[test]
fn option_forwarders_send_like_the_plain_setters_and_none_clears() {
    let (client, _) = offline_client();
    let query = |builder: ListUsersBuilder| {
        builder
            .build()
            .unwrap()
            .render(&client)
            .unwrap()
            .path_and_query()
            .to_owned()
    };
    let order: Option<String> = Some("-created_at".to_owned());
    assert_eq!(
        query(
            users()
                .set_order_by(order.as_deref())
                .set_limit(Some(5))
                .set_offset(Some(10))
        ),
        "/v1/users?order_by=-created_at&limit=5&offset=10"
    );
    assert_eq!(
        query(
            users()
                .order_by("x")
                .limit(5)
                .offset(1)
                .set_order_by(None)
                .set_limit(None)
                .set_offset(None)
        ),
        "/v1/users"
    );
}

#[test]
fn filter_values_cannot_inject_extra_parameters() {
    assert_users_on_wire(
        users().email_address("a@x.io&user_id=-user_1"),
        "?email_address=a%40x.io%26user_id%3D-user_1",
        &[("email_address", "a@x.io&user_id=-user_1")],
    );
}

// ---- what build() refuses -------------------------------------------------------------------

#[test]
fn limit_outside_1_to_500_is_rejected() {
    assert_invalid(rejected!(users().limit(0)), "limit");
    assert_invalid(rejected!(users().limit(501)), "limit");
    assert_invalid(rejected!(users().set_limit(Some(u32::MAX))), "limit");
}

#[test]
fn offset_beyond_a_signed_64_bit_integer_is_rejected() {
    assert_invalid(rejected!(users().offset(i64::MAX as u64 + 1)), "offset");
}

macro_rules! array_size_tests {
    ($($name:ident: $plural:ident / $singular:ident => $field:literal;)*) => {$(
        #[test]
        fn $name() {
            let values = |n: usize| (0..n).map(|i| format!("v{i}@x")).collect::<Vec<String>>();

            // 101 at once, or one by one: rejected, naming the filter.
            let err = rejected!(users().$plural(values(101)));
            assert_invalid(err.clone(), $field);
            assert!(err.to_string().contains("at most 100 values, got 101"), "{err}");
            let mut one_by_one = users();
            for value in values(101) {
                one_by_one = one_by_one.$singular(value);
            }
            assert_invalid(rejected!(one_by_one), $field);

            // 100 is fine, and all 100 go on the wire as repeated keys, in order.
            let raw: String = values(100)
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let v = v.replace('@', "%40");
                    format!("{}{}={v}", if i == 0 { '?' } else { '&' }, $field)
                })
                .collect();
            let hundred = values(100);
            let pairs: Vec<(&str, &str)> = hundred.iter().map(|v| ($field, v.as_str())).collect();
            assert_users_on_wire(users().$plural(values(100)), &raw, &pairs);
        }
    )*};
}

array_size_tests! {
    email_address_filter_takes_at_most_100_values: email_addresses / email_address => "email_address";
    external_id_filter_takes_at_most_100_values: external_ids / external_id => "external_id";
    user_id_filter_takes_at_most_100_values: user_ids / user_id => "user_id";
}

#[test]
fn user_id_filter_refuses_what_cannot_be_an_id_after_its_sign() {
    for sign in ["", "+", "-"] {
        for (bad, words) in [
            ("", "must not be empty"),
            (" \t", "only whitespace"),
            (".", "`.` or `..`"),
            ("..", "`.` or `..`"),
        ] {
            let err = rejected!(users().user_id("user_1").user_id(format!("{sign}{bad}")));
            assert_invalid(err.clone(), "user_id");
            assert!(err.to_string().contains(words), "{sign}{bad:?}: {err}");
            assert!(err.to_string().contains("value 2"), "{err}");
        }
        let long = format!("{sign}{}", "u".repeat(256 + 1));
        let err = rejected!(users().user_id(long));
        assert!(
            err.to_string().contains("at most 256 bytes, got 257"),
            "{err}"
        );
        let fine = format!("{sign}{}", "u".repeat(256));
        users().user_id(fine).build().expect("an id of 256 bytes");
    }
    // One sign is taken off; a second one is part of the id.
    users()
        .user_id("+-user_1")
        .build()
        .expect("`-user_1` is an id");
}

#[test]
fn external_id_filter_refuses_empty_and_overlong_values_after_its_sign() {
    for sign in ["", "+", "-"] {
        let err = rejected!(users().external_id(sign));
        assert_invalid(err.clone(), "external_id");
        assert_eq!(
            err.to_string(),
            "invalid `external_id`: value 1: the external id (after an optional `+`/`-`) must not be empty"
        );
        let long = format!("{sign}{}", "e".repeat(1024 + 1));
        let err = rejected!(users().external_ids(["ok".to_owned(), long]));
        assert!(err.to_string().contains("value 2"), "{err}");
        assert!(
            err.to_string().contains("at most 1024 bytes, got 1025"),
            "{err}"
        );
        let fine = format!("{sign}{}", "e".repeat(1024));
        users()
            .external_id(fine)
            .build()
            .expect("an external id of the maximum length");
    }
    // Whitespace and dots are values an external id may hold.
    users()
        .external_ids([" ", ".", ".."])
        .build()
        .expect("odd but sendable");
}

#[test]
fn email_address_and_order_by_values_are_at_most_1024_bytes() {
    let long = "v".repeat(1024 + 1);
    assert_invalid(rejected!(users().email_address(&long)), "email_address");
    assert_invalid(rejected!(users().order_by(&long)), "order_by");
    assert_invalid(
        rejected!(users().set_order_by(Some(long.as_str()))),
        "order_by",
    );
    // Empty is a value, not "unset".
    assert_users_on_wire(
        users().email_address("").order_by(""),
        "?email_address=&order_by=",
        &[("email_address", ""), ("order_by", "")],
    );
}

#[test]
fn a_url_over_8192_bytes_is_an_invalid_request_never_sent() {
    let (client, mock) = offline_client();
    let op = users()
        .email_addresses(vec!["é".repeat(500); 10])
        .build()
        .unwrap();
    let err = op.send(&client).unwrap_err();
    match err.kind() {
        ErrorKind::InvalidRequest { error, .. } => assert_invalid(error.clone(), "url"),
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
    assert!(
        err.to_string().starts_with("list users (GET /users): "),
        "{err}"
    );
    assert!(mock.requests().is_empty());
}

// ---- decoding -------------------------------------------------------------------------------

#[test]
fn a_realistic_user_decodes_field_by_field() {
    let user: User = serde_json::from_str(USER).unwrap();
    assert_eq!(user.id, "user_2h8op3Isl1QR7tKu5FGNfaLKEoU");
    assert_eq!(user.object, "user");
    assert_eq!(user.external_id.as_deref(), Some("hr-00042"));
    assert_eq!(
        user.primary_email_address_id.as_deref(),
        Some("idn_2h8op5tGkQ1vYbE7Rm3XaLqN9Ze")
    );
    assert_eq!(user.username.as_deref(), Some("jdoe"));
    assert_eq!(user.first_name.as_deref(), Some("Jane"));
    assert_eq!(user.last_name.as_deref(), Some("Doe"));
    assert_eq!(
        user.image_url.as_deref(),
        Some("https://img.clerk.com/yyyyy")
    );
    assert_eq!(user.has_image, Some(true));
    assert_eq!(user.public_metadata["department"], "Engineering");
    assert_eq!(user.private_metadata, Some(Default::default()));
    assert_eq!(user.banned, Some(false));
    assert_eq!(user.locked, Some(false));
    assert_eq!(user.last_active_at, Some(1_716_940_800_000));
    assert_eq!(user.last_sign_in_at, Some(1_716_969_600_000));
    assert_eq!(user.created_at, 1_716_883_200_000);
    assert_eq!(user.updated_at, 1_716_969_600_000);

    let addresses: Vec<(Option<&str>, &str)> = user
        .email_addresses
        .iter()
        .map(|a| (a.id.as_deref(), a.email_address.as_str()))
        .collect();
    assert_eq!(
        addresses,
        [
            (Some("idn_2h8op4Qm0vJxPz1cKs8TgWbR7Yd"), "jane@old-acme.com"),
            (Some("idn_2h8op5tGkQ1vYbE7Rm3XaLqN9Ze"), "jane.doe@acme.com"),
        ]
    );
    let second = &user.email_addresses[1];
    assert_eq!(second.object.as_deref(), Some("email_address"));
    assert_eq!(second.reserved, Some(false));
    assert_eq!(second.created_at, Some(1_716_883_300_000));
    // The primary address is the one its id names, not the first.
    assert_eq!(user.primary_email_address(), Some("jane.doe@acme.com"));
}

#[test]
fn the_testing_module_sample_decodes_to_the_same_person() {
    let sample: User = serde_json::from_str(USER_JSON).unwrap();
    let fixture: User = serde_json::from_str(USER).unwrap();
    assert_eq!(sample.id, fixture.id);
    assert_eq!(sample.email_addresses, fixture.email_addresses);
    assert_eq!(
        sample.primary_email_address(),
        fixture.primary_email_address()
    );
}

#[test]
fn a_sparse_user_with_nulls_and_unknown_fields_decodes() {
    let user: User = serde_json::from_str(USER_SPARSE).unwrap();
    assert_eq!(user.id, "user_sparse");
    assert_eq!(user.external_id, None);
    assert_eq!(user.primary_email_address_id, None);
    assert_eq!(user.username, None);
    assert_eq!(user.first_name, None);
    assert_eq!(user.last_name, None);
    assert!(user.email_addresses.is_empty(), "null decodes as empty");
    assert_eq!(user.image_url, None);
    assert_eq!(user.has_image, None);
    assert!(user.public_metadata.is_empty());
    assert_eq!(user.primary_email_address(), None);
    assert!(!user.has_email_address("x@y"));
}

#[test]
fn fields_left_out_decode_as_none_or_empty_and_an_address_without_id_is_kept() {
    let json = r#"{"id":"user_1","object":"user","created_at":1,"updated_at":2,
        "primary_email_address_id":"idn_1",
        "email_addresses":[{"email_address":"Jane@Acme.com","brand_new_field":true}]}"#;
    let user: User = serde_json::from_str(json).unwrap();
    assert_eq!(user.external_id, None);
    assert_eq!(user.email_addresses[0].id, None);
    assert_eq!(user.email_addresses[0].email_address, "Jane@Acme.com");
    // The primary id names no address in the answer: no guess.
    assert_eq!(user.primary_email_address(), None);
    assert!(user.has_email_address("jane@acme.COM"));
}

#[test]
fn a_user_without_an_id_is_a_decode_error_naming_the_model() {
    let mock = MockTransport::new();
    mock.push_json(200, r#"[{"object":"user","created_at":1,"updated_at":1}]"#);
    let err = users().build().unwrap().send(&mock.client()).unwrap_err();
    match err.kind() {
        ErrorKind::Decode { model, detail, .. } => {
            assert_eq!(*model, "Vec<User>");
            assert!(detail.contains("`id`"), "{detail}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("list users (GET /users): could not decode"),
        "{err}"
    );
}

#[test]
fn an_object_where_an_array_belongs_is_a_decode_error() {
    let mock = MockTransport::new();
    mock.push_json(200, r#"{"data":[],"total_count":0}"#);
    let err = users().build().unwrap().send(&mock.client()).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Decode { .. }), "{err:?}");
}

#[test]
fn a_user_serializes_back_to_an_equal_value() {
    let user: User = serde_json::from_str(USER).unwrap();
    let again: User = serde_json::from_value(serde_json::to_value(&user).unwrap()).unwrap();
    assert_eq!(again, user);
}

// ---- paging ---------------------------------------------------------------------------------

fn user(id: &str) -> String {
    USER_JSON.replacen("user_2h8op3Isl1QR7tKu5FGNfaLKEoU", id, 1)
}

fn page(ids: &[&str]) -> String {
    let users: Vec<String> = ids.iter().map(|id| user(id)).collect();
    format!("[{}]", users.join(","))
}

fn sent_queries(mock: &MockTransport) -> Vec<String> {
    sent_after(mock, USERS_PATH)
}

#[test]
fn pages_stop_on_a_short_page_and_keep_every_filter() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["u1", "u2"]))
        .push_json(200, page(&["u3", "u4"]))
        .push_json(200, page(&["u5"]));
    let request = users().external_id("-hr-9").limit(2).build().unwrap();
    let sizes: Vec<usize> = request
        .pages(&paging_client(&mock))
        .map(|page| page.unwrap().len())
        .collect();
    assert_eq!(sizes, [2, 2, 1]);
    assert_eq!(
        sent_queries(&mock),
        [
            "?external_id=-hr-9&limit=2",
            "?external_id=-hr-9&limit=2&offset=2",
            "?external_id=-hr-9&limit=2&offset=4",
        ]
    );
}

#[test]
fn pages_default_to_500_from_the_requests_offset_and_an_empty_page_ends_unyielded() {
    let mock = MockTransport::new();
    let full: Vec<String> = (0..500).map(|i| format!("u{i}")).collect();
    let full: Vec<&str> = full.iter().map(String::as_str).collect();
    mock.push_json(200, page(&full)).push_json(200, "[]");
    let request = users().offset(7).build().unwrap();
    let pages: Vec<Vec<User>> = request
        .pages(&paging_client(&mock))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(pages.len(), 1, "the empty page is not yielded");
    assert_eq!(
        sent_queries(&mock),
        ["?limit=500&offset=7", "?limit=500&offset=507"]
    );
}

#[test]
fn items_walk_every_user_in_order() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["u1", "u2"]))
        .push_json(200, page(&["u3"]));
    let ids: Vec<String> = users()
        .limit(2)
        .build()
        .unwrap()
        .items(&paging_client(&mock))
        .map(|user| user.map(|u| u.id))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(ids, ["u1", "u2", "u3"]);
}

#[test]
fn the_first_error_is_yielded_once_then_nothing() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["u1", "u2"])).push_json(
        503,
        r#"{"errors":[{"code":"internal_clerk_error","message":"oops","long_message":"oops"}]}"#,
    );
    let mut pages = users()
        .limit(2)
        .build()
        .unwrap()
        .pages(&paging_client(&mock));
    let ids: Vec<String> = pages
        .next()
        .unwrap()
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(ids, ["u1", "u2"]);
    let err = pages.next().unwrap().unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(pages.next().is_none());
    assert!(pages.next().is_none());
    assert_eq!(mock.requests().len(), 2, "no request after the error");
}

#[test]
fn a_server_that_repeats_a_page_is_reported_not_followed() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["u1", "u2"]))
        .push_json(200, page(&["u1", "u2"]));
    let mut pages = users()
        .limit(2)
        .build()
        .unwrap()
        .pages(&paging_client(&mock));
    let ids: Vec<String> = pages
        .next()
        .unwrap()
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(ids, ["u1", "u2"]);
    let err = pages.next().unwrap().unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::PageNotAdvancing { offset: 2, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "list users (GET /users): pagination stopped: the page at offset 2 holds only users already seen"
    );
    assert!(pages.next().is_none());
}

#[test]
fn a_cycle_between_two_pages_is_caught_and_a_partial_repeat_is_normal() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["a1", "a2"]))
        .push_json(200, page(&["a2", "b1"])) // a user added meanwhile shifts by one: fine
        .push_json(200, page(&["a1", "a2"])); // back to the first page: a cycle
    let results: Vec<Result<Vec<User>, Error>> = users()
        .limit(2)
        .build()
        .unwrap()
        .pages(&paging_client(&mock))
        .collect();
    assert_eq!(results.len(), 3);
    assert!(results[0].is_ok() && results[1].is_ok());
    assert!(matches!(
        results[2].as_ref().map_err(|e| e.kind()),
        Err(ErrorKind::PageNotAdvancing { offset: 4, .. })
    ));
}

#[test]
fn refusals_come_in_the_order_the_build_docs_give() {
    let err = rejected!(users().order_by("x".repeat(1024 + 1)).user_id(".."));
    assert_invalid(err, "order_by");
}
