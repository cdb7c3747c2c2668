//! What each operation puts on the wire, byte for byte, and what it decodes: asserted on the
//! rendered request (`render`) and proven against a real HTTP server (`httpmock`).

use crate::support::refusal::assert_invalid;
use crate::support::wire::{DEFAULT_USER_AGENT, OFFLINE_BASE, offline_client};

use crate::support::clients::{KEY, client, client_builder};
use crate::support::ops::Op;
use clerk_memberships::testing::MockTransport;
use clerk_memberships::{
    BuildError, Client, ClientBuilder, CreateMembership, CreateMembershipBuilder, DeleteMembership,
    Error, ErrorKind, HttpRequest, ListMemberships, ListMembershipsBuilder, Method, Operation,
    OrganizationMembership, Page, UpdateMembership, UpdateMembershipMetadata,
    UpdateMembershipMetadataBuilder,
};
use httpmock::prelude::*;
use httpmock::{HttpMockRequest, When};
use serde_json::{Value, json};
const MEMBERSHIP: &str = include_str!("../fixtures/membership.json");
const PAGE: &str = include_str!("../fixtures/memberships_page.json");
const LIST_PATH: &str = "/v1/organizations/org_1/memberships";

// ---- helpers --------------------------------------------------------------------------------

fn membership() -> OrganizationMembership {
    serde_json::from_str(MEMBERSHIP).unwrap()
}

fn page() -> Page<OrganizationMembership> {
    serde_json::from_str(PAGE).unwrap()
}

fn bearer() -> String {
    format!("Bearer {KEY}")
}

/// The exact header list the client renders, in order.
fn default_headers(with_body: bool) -> Vec<(&'static str, String)> {
    let mut headers = vec![
        ("authorization", bearer()),
        ("accept", "application/json".to_owned()),
    ];
    if with_body {
        headers.push(("content-type", "application/json".to_owned()));
    }
    headers.push(("user-agent", DEFAULT_USER_AGENT.to_owned()));
    headers.push(("clerk-api-version", "2026-05-12".to_owned()));
    headers
}

fn headers_of(request: &HttpRequest) -> Vec<(&'static str, String)> {
    let names = [
        "authorization",
        "accept",
        "content-type",
        "user-agent",
        "clerk-api-version",
    ];
    let headers: Vec<(&str, &str)> = request.headers().collect();
    let mut out = Vec::new();
    for (name, value) in headers {
        let known = names
            .iter()
            .find(|known| **known == name)
            .unwrap_or_else(|| panic!("unexpected header {name}"));
        out.push((*known, value.to_owned()));
    }
    out
}

fn count_header(req: &HttpMockRequest, name: &str) -> usize {
    req.headers_vec()
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .count()
}

fn raw_path_and_query(req: &HttpMockRequest) -> String {
    req.uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_default()
}

/// The headers every request must carry on the wire, each exactly once; `Content-Type` only
/// with a body.
fn expect_headers(when: When, with_body: bool, user_agent: &str, api_version: &str) -> When {
    let when = when
        .header("authorization", bearer())
        .header("accept", "application/json")
        .header("user-agent", user_agent)
        .header("clerk-api-version", api_version)
        .is_true(|req| {
            [
                "authorization",
                "accept",
                "content-type",
                "user-agent",
                "clerk-api-version",
            ]
            .iter()
            .all(|name| count_header(req, name) <= 1)
        });
    if with_body {
        when.header("content-type", "application/json")
    } else {
        when.header_missing("content-type")
    }
}

/// The exact path-and-query the server must see, raw (not decoded).
fn expect_target(when: When, target: &str) -> When {
    let target = target.to_owned();
    when.is_true(move |req| raw_path_and_query(req) == target)
}

/// Expects `$builder` to be refused before anything is sent; returns the build error.
macro_rules! rejected {
    ($builder:expr) => {{
        let (client, mock) = offline_client();
        crate::refused_before_sending!(client, mock, MEMBERSHIP, $builder)
    }};
}

// ---- the default headers ---------------------------------------------------------------------

#[test]
fn default_user_agent_names_this_crate_and_its_version() {
    let (client, _) = offline_client();
    let request = list().build().unwrap().render(&client).unwrap();
    assert_eq!(
        request.header("user-agent"),
        Some(format!("clerk-memberships/{}", env!("CARGO_PKG_VERSION")).as_str())
    );
}

#[test]
fn an_app_name_goes_in_front_of_the_user_agent_it_is_given_or_the_default() {
    let agent = |builder: ClientBuilder| {
        let client = builder.transport(MockTransport::new()).build().unwrap();
        let request = list().build().unwrap().render(&client).unwrap();
        request.header("user-agent").map(str::to_owned)
    };
    let base = || client_builder(OFFLINE_BASE);
    assert_eq!(
        agent(base().app_name("roster-sync/2.1.0")),
        Some(format!(
            "roster-sync/2.1.0 clerk-memberships/{}",
            env!("CARGO_PKG_VERSION")
        ))
    );
    assert_eq!(
        agent(base().user_agent("custom/1").app_name("roster-sync/2.1.0")),
        Some("roster-sync/2.1.0 custom/1".to_owned()),
        "in front of the user agent set, in either order"
    );
    assert_eq!(
        agent(base().app_name("roster-sync/2.1.0").user_agent("custom/1")),
        Some("roster-sync/2.1.0 custom/1".to_owned())
    );
}

// ---- CreateMembership ------------------------------------------------------------------------

fn create() -> CreateMembershipBuilder {
    CreateMembership::builder()
        .organization_id("org_1")
        .user_id("user_1")
        .role("org:member")
}

#[test]
fn create_renders_post_with_json_body_and_all_headers() {
    let (client, mock) = offline_client();
    let request = create().build().unwrap().render(&client).unwrap();
    assert_eq!(request.operation(), Operation::Create);
    assert_eq!(request.method(), Method::Post);
    assert_eq!(
        request.url(),
        format!("{OFFLINE_BASE}/organizations/org_1/memberships")
    );
    assert_eq!(
        request.path_and_query(),
        "/v1/organizations/org_1/memberships"
    );
    assert_eq!(headers_of(&request), default_headers(true));
    assert_eq!(request.header("Content-Type"), Some("application/json"));
    assert_eq!(
        request.body(),
        Some(br#"{"user_id":"user_1","role":"org:member"}"#.as_slice())
    );
    assert!(mock.requests().is_empty(), "render sends nothing");
}

#[test]
fn create_sends_exactly_that_and_decodes_the_membership() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        let when = when
            .method(POST)
            .path("/v1/organizations/org_1/memberships")
            .body(r#"{"user_id":"user_1","role":"org:member"}"#);
        let when = expect_target(when, "/v1/organizations/org_1/memberships");
        expect_headers(when, true, DEFAULT_USER_AGENT, "2026-05-12");
        then.status(200)
            .header("content-type", "application/json")
            .body(MEMBERSHIP);
    });
    let got = create().build().unwrap().send(&client(&server)).unwrap();
    mock.assert();
    assert_eq!(got, membership());
}

#[test]
fn what_render_returns_is_what_send_puts_on_the_wire() {
    let (offline, recorder) = offline_client();
    recorder.push_json(200, MEMBERSHIP);
    let op = create()
        .public_metadata(json!({"team": "billing"}))
        .build()
        .unwrap();
    let rendered = op.render(&offline).unwrap();
    op.send(&offline).unwrap();
    assert_eq!(recorder.requests(), vec![rendered]);
}

// ---- ListMemberships -------------------------------------------------------------------------

fn list() -> ListMembershipsBuilder {
    ListMemberships::builder().organization_id("org_1")
}

#[test]
fn list_renders_get_without_body_content_type_or_query() {
    let (client, _) = offline_client();
    let request = list().build().unwrap().render(&client).unwrap();
    assert_eq!(request.operation(), Operation::List);
    assert_eq!(request.method(), Method::Get);
    assert_eq!(
        request.url(),
        format!("{OFFLINE_BASE}/organizations/org_1/memberships")
    );
    assert_eq!(request.path_and_query(), LIST_PATH);
    assert_eq!(headers_of(&request), default_headers(false));
    assert_eq!(request.header("content-type"), None);
    assert_eq!(request.body(), None);
}

#[test]
fn list_sends_a_bare_get_and_decodes_the_page() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        let when = when
            .method(GET)
            .path(LIST_PATH)
            .is_true(|req| req.body_ref().is_empty());
        let when = expect_target(when, LIST_PATH);
        expect_headers(when, false, DEFAULT_USER_AGENT, "2026-05-12");
        then.status(200)
            .header("content-type", "application/json")
            .body(PAGE);
    });
    let got = list().build().unwrap().send(&client(&server)).unwrap();
    mock.assert();
    assert_eq!(got, page());
    assert_eq!(got.total_count, 42);
}

// ---- UpdateMembership ------------------------------------------------------------------------

#[test]
fn update_renders_patch_with_role_body() {
    let (client, _) = offline_client();
    let request = UpdateMembership::builder()
        .organization_id("org_1")
        .user_id("user_1")
        .role("org:admin")
        .build()
        .unwrap()
        .render(&client)
        .unwrap();
    assert_eq!(request.operation(), Operation::Update);
    assert_eq!(request.method(), Method::Patch);
    assert_eq!(
        request.url(),
        format!("{OFFLINE_BASE}/organizations/org_1/memberships/user_1")
    );
    assert_eq!(
        request.path_and_query(),
        "/v1/organizations/org_1/memberships/user_1"
    );
    assert_eq!(headers_of(&request), default_headers(true));
    assert_eq!(request.body(), Some(br#"{"role":"org:admin"}"#.as_slice()));
}

#[test]
fn update_sends_exactly_that_and_decodes_the_membership() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        let when = when
            .method("PATCH")
            .path("/v1/organizations/org_1/memberships/user_1")
            .body(r#"{"role":"org:admin"}"#);
        let when = expect_target(when, "/v1/organizations/org_1/memberships/user_1");
        expect_headers(when, true, DEFAULT_USER_AGENT, "2026-05-12");
        then.status(200).body(MEMBERSHIP);
    });
    let got = UpdateMembership::builder()
        .organization_id("org_1")
        .user_id("user_1")
        .role("org:admin")
        .build()
        .unwrap()
        .send(&client(&server))
        .unwrap();
    mock.assert();
    assert_eq!(got, membership());
}

// ---- DeleteMembership ------------------------------------------------------------------------

#[test]
fn delete_renders_delete_without_body_or_content_type() {
    let (client, _) = offline_client();
    let request = DeleteMembership::builder()
        .organization_id("org_1")
        .user_id("user_1")
        .build()
        .unwrap()
        .render(&client)
        .unwrap();
    assert_eq!(request.operation(), Operation::Delete);
    assert_eq!(request.method(), Method::Delete);
    assert_eq!(
        request.path_and_query(),
        "/v1/organizations/org_1/memberships/user_1"
    );
    assert_eq!(headers_of(&request), default_headers(false));
    assert_eq!(request.header("content-type"), None);
    assert_eq!(request.body(), None);
}

#[test]
fn delete_sends_a_bare_delete_and_decodes_the_removed_membership() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        let when = when
            .method(DELETE)
            .path("/v1/organizations/org_1/memberships/user_1")
            .is_true(|req| req.body_ref().is_empty());
        let when = expect_target(when, "/v1/organizations/org_1/memberships/user_1");
        expect_headers(when, false, DEFAULT_USER_AGENT, "2026-05-12");
        then.status(200).body(MEMBERSHIP);
    });
    let got = DeleteMembership::builder()
        .organization_id("org_1")
        .user_id("user_1")
        .build()
        .unwrap()
        .send(&client(&server))
        .unwrap();
    mock.assert();
    assert_eq!(got, membership());
}

// ---- UpdateMembershipMetadata ----------------------------------------------------------------

fn update_metadata() -> UpdateMembershipMetadataBuilder {
    UpdateMembershipMetadata::builder()
        .organization_id("org_1")
        .user_id("user_1")
}

#[test]
fn update_metadata_renders_patch_to_the_metadata_path() {
    let (client, _) = offline_client();
    let request = update_metadata()
        .public_metadata(json!({"tier": "gold"}))
        .build()
        .unwrap()
        .render(&client)
        .unwrap();
    assert_eq!(request.operation(), Operation::UpdateMetadata);
    assert_eq!(request.method(), Method::Patch);
    assert_eq!(
        request.path_and_query(),
        "/v1/organizations/org_1/memberships/user_1/metadata"
    );
    assert_eq!(headers_of(&request), default_headers(true));
    assert_eq!(
        request.body(),
        Some(br#"{"public_metadata":{"tier":"gold"}}"#.as_slice())
    );
}

#[test]
fn update_metadata_sends_exactly_that_and_decodes_the_membership() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        let when = when
            .method("PATCH")
            .path("/v1/organizations/org_1/memberships/user_1/metadata")
            .body(r#"{"public_metadata":{"tier":"gold"}}"#);
        let when = expect_target(when, "/v1/organizations/org_1/memberships/user_1/metadata");
        expect_headers(when, true, DEFAULT_USER_AGENT, "2026-05-12");
        then.status(200).body(MEMBERSHIP);
    });
    let got = update_metadata()
        .public_metadata(json!({"tier": "gold"}))
        .build()
        .unwrap()
        .send(&client(&server))
        .unwrap();
    mock.assert();
    assert_eq!(got, membership());
}

// ---- header overrides and base URLs ----------------------------------------------------------

#[test]
fn api_version_and_user_agent_overrides_replace_the_defaults_for_every_operation() {
    const UA: &str = "acme-billing/3.1 (+https://acme.example/bot)";
    const VERSION: &str = "2025-11-10";
    let server = MockServer::start();
    let with_body = server.mock(|when, then| {
        let when = when.method("PATCH");
        expect_headers(when, true, UA, VERSION);
        then.status(200).body(MEMBERSHIP);
    });
    let with_post = server.mock(|when, then| {
        let when = when.method(POST);
        expect_headers(when, true, UA, VERSION);
        then.status(200).body(MEMBERSHIP);
    });
    let without_body = server.mock(|when, then| {
        let when = when.method(DELETE);
        expect_headers(when, false, UA, VERSION);
        then.status(200).body(MEMBERSHIP);
    });
    let get = server.mock(|when, then| {
        let when = when.method(GET);
        expect_headers(when, false, UA, VERSION);
        then.status(200).body(PAGE);
    });
    let client = client_builder(format!("{}/v1", server.base_url()))
        .api_version(VERSION)
        .user_agent(UA)
        .build()
        .unwrap();

    let rendered = list().build().unwrap().render(&client).unwrap();
    assert_eq!(rendered.header("user-agent"), Some(UA));
    assert_eq!(rendered.header("Clerk-API-Version"), Some(VERSION));
    assert_eq!(rendered.headers().count(), 4);

    for op in Op::ALL {
        op.send(&client).unwrap();
    }
    with_post.assert_calls(1);
    get.assert_calls(1);
    with_body.assert_calls(2);
    without_body.assert_calls(1);
}

#[test]
fn a_trailing_slash_on_the_base_url_does_not_double_the_slash() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        expect_target(when, LIST_PATH);
        then.status(200).body(PAGE);
    });
    let client = client_builder(format!("{}/v1/", server.base_url()))
        .build()
        .unwrap();
    assert_eq!(client.base_url(), format!("{}/v1", server.base_url()));
    list().build().unwrap().send(&client).unwrap();
    mock.assert();
}

#[test]
fn a_base_url_without_a_path_gets_the_apis_v1_as_clerks_sdks_do() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        expect_target(when, "/v1/organizations/org_1/memberships/user_1");
        then.status(200).body(MEMBERSHIP);
    });
    let client = client_builder(server.base_url()).build().unwrap();
    Op::Delete.send(&client).unwrap();
    mock.assert();
}

// ---- required fields: missing and empty ------------------------------------------------------

/// One test per required field an operation's builder leaves out: nothing is sent, and the
/// build error says which field is missing.
macro_rules! missing_field_tests {
    ($($name:ident: $builder:expr => $field:literal;)*) => {$(
        #[test]
        fn $name() {
            assert_eq!(rejected!($builder), BuildError::MissingField($field));
        }
    )*};
}

missing_field_tests! {
    create_without_organization_id_is_rejected:
        CreateMembership::builder().user_id("u").role("r") => "organization_id";
    create_without_user_id_is_rejected:
        CreateMembership::builder().organization_id("o").role("r") => "user_id";
    create_without_role_is_rejected:
        CreateMembership::builder().organization_id("o").user_id("u") => "role";
    list_without_organization_id_is_rejected:
        ListMemberships::builder().role("org:admin") => "organization_id";
    update_without_organization_id_is_rejected:
        UpdateMembership::builder().user_id("u").role("r") => "organization_id";
    update_without_user_id_is_rejected:
        UpdateMembership::builder().organization_id("o").role("r") => "user_id";
    update_without_role_is_rejected:
        UpdateMembership::builder().organization_id("o").user_id("u") => "role";
    delete_without_organization_id_is_rejected:
        DeleteMembership::builder().user_id("u") => "organization_id";
    delete_without_user_id_is_rejected:
        DeleteMembership::builder().organization_id("o") => "user_id";
    update_metadata_without_organization_id_is_rejected:
        UpdateMembershipMetadata::builder().user_id("u") => "organization_id";
    update_metadata_without_user_id_is_rejected:
        UpdateMembershipMetadata::builder().organization_id("o") => "user_id";
}

/// One test per required field set to the empty string: nothing is sent, and the build error
/// names the field.
macro_rules! empty_field_tests {
    ($($name:ident: $builder:expr => $field:literal;)*) => {$(
        #[test]
        fn $name() {
            assert_invalid(rejected!($builder), $field);
        }
    )*};
}

empty_field_tests! {
    create_with_empty_organization_id_is_rejected:
        create().organization_id("") => "organization_id";
    create_with_empty_user_id_is_rejected: create().user_id("") => "user_id";
    create_with_empty_role_is_rejected: create().role("") => "role";
    list_with_empty_organization_id_is_rejected: list().organization_id("") => "organization_id";
    update_with_empty_organization_id_is_rejected:
        UpdateMembership::builder().organization_id("").user_id("u").role("r") => "organization_id";
    update_with_empty_user_id_is_rejected:
        UpdateMembership::builder().organization_id("o").user_id("").role("r") => "user_id";
    update_with_empty_role_is_rejected:
        UpdateMembership::builder().organization_id("o").user_id("u").role("") => "role";
    delete_with_empty_organization_id_is_rejected:
        DeleteMembership::builder().organization_id("").user_id("u") => "organization_id";
    delete_with_empty_user_id_is_rejected:
        DeleteMembership::builder().organization_id("o").user_id("") => "user_id";
    update_metadata_with_empty_organization_id_is_rejected:
        update_metadata().organization_id("") => "organization_id";
    update_metadata_with_empty_user_id_is_rejected: update_metadata().user_id("") => "user_id";
}

/// The role a create or an update gives is at most 1024 bytes, as a role to list by.
#[test]
fn a_role_over_1024_bytes_is_refused_by_create_and_update() {
    let longest = "r".repeat(1024);
    let too_long = format!("{longest}r");
    create()
        .role(longest.as_str())
        .build()
        .expect("1024 bytes is a role");
    let update = || {
        UpdateMembership::builder()
            .organization_id("o")
            .user_id("u")
    };
    update()
        .role(longest.as_str())
        .build()
        .expect("1024 bytes is a role");
    for err in [
        create().role(too_long.as_str()).build().unwrap_err(),
        update().role(too_long.as_str()).build().unwrap_err(),
    ] {
        assert_eq!(
            err.to_string(),
            "invalid `role`: must be at most 1024 bytes, got 1025"
        );
    }
}

#[test]
fn build_errors_say_which_field_in_words() {
    let err = rejected!(
        CreateMembership::builder()
            .organization_id("o")
            .user_id("u")
    );
    assert_eq!(err.field(), "role");
    assert_eq!(err.to_string(), "missing required field `role`");
    let err = rejected!(create().user_id(""));
    assert_eq!(err.to_string(), "invalid `user_id`: must not be empty");
}

// ---- limit and array-size rules --------------------------------------------------------------

#[test]
fn limit_zero_is_rejected() {
    assert_invalid(rejected!(list().limit(0)), "limit");
}

#[test]
fn limit_above_500_is_rejected() {
    assert_invalid(rejected!(list().limit(501)), "limit");
    assert_invalid(rejected!(list().limit(u32::MAX)), "limit");
}

#[test]
fn limit_through_the_option_setter_is_checked_too() {
    assert_invalid(rejected!(list().set_limit(Some(0))), "limit");
    assert_invalid(rejected!(list().set_limit(Some(501))), "limit");
}

#[test]
fn limit_1_and_500_are_accepted_and_sent() {
    for (limit, raw) in [(1, "limit=1"), (500, "limit=500")] {
        assert_list_on_wire(
            list().limit(limit),
            &format!("?{raw}"),
            &[("limit", &limit.to_string())],
        );
    }
}

#[test]
fn offset_beyond_a_signed_64_bit_integer_is_rejected() {
    assert_invalid(rejected!(list().offset(i64::MAX as u64 + 1)), "offset");
    assert_invalid(rejected!(list().offset(u64::MAX)), "offset");
}

macro_rules! array_size_tests {
    ($($name:ident: $plural:ident / $singular:ident => $field:literal;)*) => {$(
        #[test]
        fn $name() {
            let values = |n: usize| (0..n).map(|i| format!("v{i}")).collect::<Vec<String>>();

            // 101 at once, or one by one: rejected, naming the filter.
            assert_invalid(rejected!(list().$plural(values(101))), $field);
            let mut one_by_one = list();
            for value in values(101) {
                one_by_one = one_by_one.$singular(value);
            }
            assert_invalid(rejected!(one_by_one), $field);

            // 100 is fine, and all 100 go on the wire as repeated keys, in order.
            let raw: String = values(100)
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{}{}={v}", if i == 0 { '?' } else { '&' }, $field))
                .collect();
            let hundred = values(100);
            let pairs: Vec<(&str, &str)> = hundred.iter().map(|v| ($field, v.as_str())).collect();
            assert_list_on_wire(list().$plural(values(100)), &raw, &pairs);
        }
    )*};
}

array_size_tests! {
    user_id_filter_takes_at_most_100_values: user_ids / user_id => "user_id";
    email_address_filter_takes_at_most_100_values: email_addresses / email_address => "email_address";
    phone_number_filter_takes_at_most_100_values: phone_numbers / phone_number => "phone_number";
    username_filter_takes_at_most_100_values: usernames / username => "username";
    web3_wallet_filter_takes_at_most_100_values: web3_wallets / web3_wallet => "web3_wallet";
    role_filter_takes_at_most_100_values: roles / role => "role";
}

// ---- metadata must be an object ---------------------------------------------------------------

#[test]
fn create_metadata_that_is_not_an_object_is_rejected() {
    for bad in [
        json!([1, 2]),
        json!("text"),
        json!(7),
        json!(true),
        Value::Null,
    ] {
        let err = rejected!(create().public_metadata(bad.clone()));
        assert_invalid(err, "public_metadata");
        let err = rejected!(create().private_metadata(bad.clone()));
        assert_invalid(err, "private_metadata");
        let err = rejected!(create().set_private_metadata(Some(bad)));
        assert_invalid(err, "private_metadata");
    }
}

#[test]
fn update_metadata_that_is_not_an_object_is_rejected() {
    for bad in [
        json!([{"a": 1}]),
        json!("{}"),
        json!(0),
        json!(false),
        Value::Null,
    ] {
        let err = rejected!(update_metadata().public_metadata(bad.clone()));
        assert_invalid(err, "public_metadata");
        let err = rejected!(update_metadata().private_metadata(bad.clone()));
        assert_invalid(err, "private_metadata");
        let err = rejected!(update_metadata().set_public_metadata(Some(bad)));
        assert_invalid(err, "public_metadata");
    }
}

// ---- ids and filter values that can never be sent ----------------------------------------------

/// Ids no resource can have, and words the build error must use for each.
fn unsendable_ids() -> Vec<(String, &'static str)> {
    vec![
        (String::new(), "must not be empty"),
        (" ".to_owned(), "whitespace"),
        ("\t \r\n".to_owned(), "whitespace"),
        ("\u{3000}\u{a0}".to_owned(), "whitespace"),
        (".".to_owned(), "`.` or `..`"),
        ("..".to_owned(), "`.` or `..`"),
        ("u".repeat(256 + 1), "at most 256 bytes, got 257"),
        ("é".repeat(256 / 2 + 1), "at most 256 bytes, got 258"),
    ]
}

/// One test per id field: every unsendable id is rejected before sending, naming the field
/// and the rule; an id of exactly 256 bytes, or holding dots and spaces among
/// other characters, is fine.
macro_rules! unsendable_id_tests {
    ($($name:ident: |$id:ident| $builder:expr => $field:literal;)*) => {$(
        #[test]
        fn $name() {
            for (bad, words) in unsendable_ids() {
                let $id: &str = &bad;
                let err = rejected!($builder);
                assert_invalid(err.clone(), $field);
                assert!(err.to_string().contains(words), "{bad:?}: {err}");
            }
            let goods = ["u".repeat(256), "...".into(), " x ".into(), ".a".into()];
            for good in goods {
                let $id: &str = &good;
                let (client, _) = offline_client();
                let op = $builder.build().expect("a sendable id");
                op.render(&client).expect("renders");
            }
        }
    )*};
}

unsendable_id_tests! {
    create_refuses_unsendable_organization_ids:
        |id| create().organization_id(id) => "organization_id";
    create_refuses_unsendable_user_ids: |id| create().user_id(id) => "user_id";
    list_refuses_unsendable_organization_ids: |id| list().organization_id(id) => "organization_id";
    update_refuses_unsendable_organization_ids:
        |id| UpdateMembership::builder().organization_id(id).user_id("u").role("r")
            => "organization_id";
    update_refuses_unsendable_user_ids:
        |id| UpdateMembership::builder().organization_id("o").user_id(id).role("r") => "user_id";
    delete_refuses_unsendable_organization_ids:
        |id| DeleteMembership::builder().organization_id(id).user_id("u") => "organization_id";
    delete_refuses_unsendable_user_ids:
        |id| DeleteMembership::builder().organization_id("o").user_id(id) => "user_id";
    update_metadata_refuses_unsendable_organization_ids:
        |id| update_metadata().organization_id(id) => "organization_id";
    update_metadata_refuses_unsendable_user_ids: |id| update_metadata().user_id(id) => "user_id";
    user_id_filter_refuses_unsendable_ids: |id| list().user_id("user_1").user_id(id) => "user_id";
    user_id_filter_refuses_unsendable_ids_after_an_exclude_sign:
        |id| list().user_id(format!("-{id}")) => "user_id";
    user_id_filter_refuses_unsendable_ids_after_an_include_sign:
        |id| list().user_ids(vec![format!("+{id}")]) => "user_id";
}

#[test]
fn a_refused_user_id_filter_value_is_named_by_its_position() {
    let err = rejected!(list().user_id("+user_1").user_id("-"));
    assert_eq!(
        err.to_string(),
        "invalid `user_id`: value 2: the user id (after an optional `+`/`-`) must not be empty"
    );
}

/// One test per free-text or exact-match filter: a value over 1024 bytes is
/// rejected naming the filter; one of exactly that length, or empty, is sent.
macro_rules! filter_value_length_tests {
    ($($name:ident: $setter:ident => $field:literal;)*) => {$(
        #[test]
        fn $name() {
            let err = rejected!(list().$setter("v".repeat(1024 + 1)));
            assert_invalid(err.clone(), $field);
            assert!(err.to_string().contains("at most 1024 bytes, got 1025"), "{err}");
            // Counted in bytes of UTF-8, before escaping.
            let err = rejected!(list().$setter("é".repeat(1024 / 2 + 1)));
            assert_invalid(err, $field);

            let (client, _) = offline_client();
            for fine in [String::new(), "v".repeat(1024)] {
                let op = list().$setter(fine.as_str()).build().expect("a sendable value");
                let query = format!("?{}={fine}", $field);
                let rendered = op.render(&client).unwrap();
                assert_eq!(rendered.path_and_query(), format!("{LIST_PATH}{query}"));
            }
        }
    )*};
}

filter_value_length_tests! {
    order_by_value_is_at_most_1024_bytes: order_by => "order_by";
    email_address_value_is_at_most_1024_bytes: email_address => "email_address";
    phone_number_value_is_at_most_1024_bytes: phone_number => "phone_number";
    username_value_is_at_most_1024_bytes: username => "username";
    web3_wallet_value_is_at_most_1024_bytes: web3_wallet => "web3_wallet";
    role_value_is_at_most_1024_bytes: role => "role";
    query_is_at_most_1024_bytes: query => "query";
    email_address_query_is_at_most_1024_bytes:
        email_address_query => "email_address_query";
    phone_number_query_is_at_most_1024_bytes: phone_number_query => "phone_number_query";
    username_query_is_at_most_1024_bytes: username_query => "username_query";
    name_query_is_at_most_1024_bytes: name_query => "name_query";
}

#[test]
fn a_long_value_in_the_middle_of_an_array_filter_is_caught_too() {
    let mut values = vec!["ok".to_owned(); 10];
    values[7] = "v".repeat(1024 + 1);
    assert_invalid(rejected!(list().roles(values)), "role");
    assert_invalid(
        rejected!(list().set_query(Some(&"q".repeat(1024 + 1)))),
        "query",
    );
}

// ---- the whole URL -----------------------------------------------------------------------------

/// A list whose URL under `base` is exactly `len` bytes: eight long email filters and a `query`
/// that pads to the length.
fn list_with_url_of(base: &str, len: usize) -> ListMembershipsBuilder {
    let emails = vec!["e".repeat(1000); 8];
    let client = client_builder(base).build().unwrap();
    let without_query = list()
        .email_addresses(emails.clone())
        .build()
        .unwrap()
        .render(&client)
        .unwrap()
        .url()
        .len();
    let pad = len - without_query - "&query=".len();
    assert!(pad <= 1024, "pad {pad}");
    list().email_addresses(emails).query("q".repeat(pad))
}

#[test]
fn a_url_of_8192_bytes_is_sent() {
    let op = list_with_url_of(OFFLINE_BASE, 8192).build().unwrap();
    let (client, mock) = offline_client();
    assert_eq!(op.render(&client).unwrap().url().len(), 8192);
    mock.push_json(200, PAGE);
    op.send(&client).unwrap();
    assert_eq!(mock.requests()[0].url().len(), 8192);
}

#[test]
fn a_url_over_8192_bytes_is_an_invalid_request_never_sent() {
    let err = rejected!(list_with_url_of(OFFLINE_BASE, 8192 + 1));
    assert_invalid(err.clone(), "url");
    assert!(
        err.to_string().contains("at most 8192 bytes") && err.to_string().contains("8193"),
        "{err}"
    );
}

#[test]
fn the_url_limit_counts_the_base_url_so_the_same_request_may_fit_one_client_only() {
    let op = list_with_url_of(OFFLINE_BASE, 8192).build().unwrap();
    let (short_base, _) = offline_client();
    assert!(op.render(&short_base).is_ok());

    let mock = MockTransport::new();
    let long_base = client_builder(format!("{OFFLINE_BASE}/proxy"))
        .transport(mock.clone())
        .build()
        .unwrap();
    match op.render(&long_base).map_err(Error::into_kind) {
        Err(ErrorKind::InvalidRequest { error: err, .. }) => assert_eq!(err.field(), "url"),
        other => panic!("expected an invalid url, got {other:?}"),
    }
    mock.push_json(200, PAGE);
    let err = op.send(&long_base).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::InvalidRequest { error: b, .. } if b.field() == "url"),
        "{err:?}"
    );
    assert_eq!(err.attempts(), 0);
    assert!(
        mock.requests().is_empty(),
        "nothing may reach the transport"
    );
}

#[test]
fn paths_of_every_operation_are_checked_against_the_url_limit() {
    // Ids within 256 bytes cannot fill a URL on their own, but a long base URL can.
    let base = format!("http://127.0.0.1:9/{}", "p".repeat(8192));
    let mock = MockTransport::new();
    let client = client_builder(base)
        .transport(mock.clone())
        .build()
        .unwrap();
    for op in Op::ALL {
        let err = op.build("org_1", "user_1").send(&client).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::InvalidRequest { error: b, .. } if b.field() == "url"),
            "{op:?}: {err:?}"
        );
    }
    assert!(mock.requests().is_empty());
}

// ---- metadata depth and size -------------------------------------------------------------------

/// A JSON object nested `depth` levels deep (`{"k":{"k":…}}`), built without recursion.
fn nested_object(depth: usize) -> Value {
    let mut value = Value::Object(serde_json::Map::new());
    for _ in 1..depth {
        value = Value::Object(serde_json::Map::from_iter([("k".to_owned(), value)]));
    }
    value
}

/// Runs `test` on a thread with a 256 MiB stack: a value nested 100,000 levels deep is built
/// and dropped there, so that if anything recursed through it the test fails instead of the
/// whole test binary overflowing its stack.
fn on_a_big_stack(test: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 * 1024 * 1024)
        .spawn(test)
        .unwrap()
        .join()
        .unwrap();
}

fn assert_too_deep(err: BuildError, field: &str) {
    let text = err.to_string();
    assert_invalid(err, field);
    assert!(text.contains("maximum depth of 64"), "{text}");
}

#[test]
fn metadata_nested_100000_levels_deep_is_rejected_for_every_field_and_setter() {
    on_a_big_stack(|| {
        let deep = || nested_object(100_000);
        assert_too_deep(
            rejected!(create().public_metadata(deep())),
            "public_metadata",
        );
        assert_too_deep(
            rejected!(create().private_metadata(deep())),
            "private_metadata",
        );
        assert_too_deep(
            rejected!(create().set_public_metadata(Some(deep()))),
            "public_metadata",
        );
        assert_too_deep(
            rejected!(update_metadata().public_metadata(deep())),
            "public_metadata",
        );
        assert_too_deep(
            rejected!(update_metadata().set_private_metadata(Some(deep()))),
            "private_metadata",
        );
        // The builder holding the refusal can still be cloned, compared and printed: the value
        // itself is gone.
        let builder = update_metadata().private_metadata(deep());
        assert_eq!(builder.clone(), builder);
        assert!(format!("{builder:?}").contains("depth"));
    });
}

#[test]
fn metadata_at_the_maximum_depth_is_sent_one_level_more_is_not() {
    let at_limit = nested_object(64);
    let body = serde_json::to_string(&json!({ "public_metadata": at_limit })).unwrap();
    assert_update_metadata_body(update_metadata().public_metadata(at_limit), &body);
    assert_too_deep(
        rejected!(update_metadata().public_metadata(nested_object(64 + 1))),
        "public_metadata",
    );
    // Arrays count as levels too.
    let mut arrays = json!(1);
    for _ in 0..64 {
        arrays = json!([arrays]);
    }
    assert_too_deep(
        rejected!(create().private_metadata(json!({ "k": arrays }))),
        "private_metadata",
    );
}

#[test]
fn metadata_over_64_kib_is_rejected_at_the_limit_it_is_sent() {
    // {"k":"…"}: 8 bytes around the string.
    let at_limit = json!({ "k": "x".repeat(64 * 1024 - 8) });
    let body =
        format!(r#"{{"user_id":"user_1","role":"org:member","public_metadata":{at_limit}}}"#);
    assert_create_body(create().public_metadata(at_limit), &body);

    let over = json!({ "k": "x".repeat(64 * 1024 - 7) });
    let err = rejected!(create().public_metadata(over));
    assert_invalid(err.clone(), "public_metadata");
    assert!(err.to_string().contains("65536 bytes"), "{err}");
    // Many small keys count as much as one long string.
    let wide: serde_json::Map<String, Value> = (0..64 * 1024 / 4)
        .map(|i| (format!("k{i}"), json!(0)))
        .collect();
    let err = rejected!(update_metadata().private_metadata(Value::Object(wide)));
    assert_invalid(err, "private_metadata");
}

#[test]
fn a_later_metadata_value_replaces_a_refused_one() {
    let refused = create().public_metadata(nested_object(64 + 1));
    assert_create_body(
        refused.clone().public_metadata(json!({"ok": true})),
        r#"{"user_id":"user_1","role":"org:member","public_metadata":{"ok":true}}"#,
    );
    assert_create_body(
        refused.set_public_metadata(None),
        r#"{"user_id":"user_1","role":"org:member"}"#,
    );
}

// ---- every optional field of ListMemberships, byte for byte ----------------------------------

/// Renders `builder` and checks the exact query string, then sends it to a real server that
/// must receive that raw query and decode it to exactly `pairs`, in order.
fn assert_list_on_wire(builder: ListMembershipsBuilder, raw_query: &str, pairs: &[(&str, &str)]) {
    let op = builder.build().expect("valid list request");
    let (offline, _) = offline_client();
    let rendered = op.render(&offline).unwrap();
    assert_eq!(
        rendered.path_and_query(),
        format!("{LIST_PATH}{raw_query}"),
        "rendered query"
    );
    assert_eq!(
        rendered.url(),
        format!("{OFFLINE_BASE}/organizations/org_1/memberships{raw_query}")
    );

    let server = MockServer::start();
    let target = format!("{LIST_PATH}{raw_query}");
    let expected: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let mock = server.mock(|when, then| {
        let mut when = when.method(GET).path(LIST_PATH);
        for (k, v) in pairs {
            when = when.query_param(*k, *v);
        }
        let when = expect_target(when, &target);
        let when = when.is_true(move |req| req.query_params() == expected);
        expect_headers(when, false, DEFAULT_USER_AGENT, "2026-05-12");
        then.status(200).body(PAGE);
    });
    let got = op.send(&client(&server)).unwrap();
    mock.assert();
    assert_eq!(got.total_count, 42);
}

#[test]
fn no_optional_field_set_sends_no_query_at_all() {
    assert_list_on_wire(list(), "", &[]);
}

#[test]
fn order_by_is_sent_with_its_sign_encoded() {
    assert_list_on_wire(
        list().order_by("-created_at"),
        "?order_by=-created_at",
        &[("order_by", "-created_at")],
    );
    assert_list_on_wire(
        list().order_by("+first_name"),
        "?order_by=%2Bfirst_name",
        &[("order_by", "+first_name")],
    );
}

#[test]
fn user_id_filter_one_and_many_with_include_and_exclude_signs() {
    assert_list_on_wire(
        list().user_id("+user_1"),
        "?user_id=%2Buser_1",
        &[("user_id", "+user_1")],
    );
    let many = "?user_id=%2Buser_1&user_id=-user_2&user_id=user_3";
    let pairs = [
        ("user_id", "+user_1"),
        ("user_id", "-user_2"),
        ("user_id", "user_3"),
    ];
    assert_list_on_wire(
        list().user_ids(vec!["+user_1", "-user_2", "user_3"]),
        many,
        &pairs,
    );
    assert_list_on_wire(
        list()
            .user_id("+user_1")
            .user_id("-user_2")
            .user_id("user_3"),
        many,
        &pairs,
    );
}

#[test]
fn email_address_filter_one_and_many() {
    assert_list_on_wire(
        list().email_address("jane.doe+test@acme.com"),
        "?email_address=jane.doe%2Btest%40acme.com",
        &[("email_address", "jane.doe+test@acme.com")],
    );
    assert_list_on_wire(
        list().email_addresses(vec!["b@x.io", "a@x.io"]),
        "?email_address=b%40x.io&email_address=a%40x.io",
        &[("email_address", "b@x.io"), ("email_address", "a@x.io")],
    );
}

#[test]
fn phone_number_filter_one_and_many() {
    assert_list_on_wire(
        list().phone_number("+15555550100"),
        "?phone_number=%2B15555550100",
        &[("phone_number", "+15555550100")],
    );
    assert_list_on_wire(
        list().phone_numbers(vec!["+4930123", "+81 3 1234"]),
        "?phone_number=%2B4930123&phone_number=%2B81%203%201234",
        &[("phone_number", "+4930123"), ("phone_number", "+81 3 1234")],
    );
}

#[test]
fn username_filter_one_and_many() {
    assert_list_on_wire(
        list().username("jane_doe"),
        "?username=jane_doe",
        &[("username", "jane_doe")],
    );
    assert_list_on_wire(
        list().usernames(vec!["zed", "jürgen", "amy"]),
        "?username=zed&username=j%C3%BCrgen&username=amy",
        &[
            ("username", "zed"),
            ("username", "jürgen"),
            ("username", "amy"),
        ],
    );
}

#[test]
fn web3_wallet_filter_one_and_many() {
    const W1: &str = "0x52908400098527886E0F7030069857D2E4169EE7";
    const W2: &str = "0x8617E340B3D01FA5F11F306F4090FD50E238070D";
    assert_list_on_wire(
        list().web3_wallet(W1),
        &format!("?web3_wallet={W1}"),
        &[("web3_wallet", W1)],
    );
    assert_list_on_wire(
        list().web3_wallets(vec![W2, W1]),
        &format!("?web3_wallet={W2}&web3_wallet={W1}"),
        &[("web3_wallet", W2), ("web3_wallet", W1)],
    );
}

#[test]
fn role_filter_one_and_many_as_repeated_keys() {
    assert_list_on_wire(
        list().role("org:admin"),
        "?role=org%3Aadmin",
        &[("role", "org:admin")],
    );
    let pairs = [
        ("role", "org:member"),
        ("role", "org:admin"),
        ("role", "org:billing"),
    ];
    let raw = "?role=org%3Amember&role=org%3Aadmin&role=org%3Abilling";
    assert_list_on_wire(
        list().roles(vec!["org:member", "org:admin", "org:billing"]),
        raw,
        &pairs,
    );
    assert_list_on_wire(
        list()
            .role("org:member")
            .role("org:admin")
            .role("org:billing"),
        raw,
        &pairs,
    );
}

#[test]
fn the_vec_setter_replaces_earlier_values() {
    assert_list_on_wire(
        list().role("org:old").roles(vec!["org:new"]),
        "?role=org%3Anew",
        &[("role", "org:new")],
    );
}

/// One test per optional field set alone: the exact query it renders and sends, and the one
/// pair, named after the setter, that the server decodes from it.
macro_rules! optional_field_tests {
    ($($name:ident: $setter:ident($value:expr) => $raw:literal, $decoded:literal;)*) => {$(
        #[test]
        fn $name() {
            assert_list_on_wire(
                list().$setter($value),
                $raw,
                &[(stringify!($setter), $decoded)],
            );
        }
    )*};
}

optional_field_tests! {
    query_is_sent_with_reserved_characters_escaped:
        query("a+b&c=d#e f") => "?query=a%2Bb%26c%3Dd%23e%20f", "a+b&c=d#e f";
    email_address_query_is_sent:
        email_address_query("ello") => "?email_address_query=ello", "ello";
    phone_number_query_is_sent_with_plus_encoded:
        phone_number_query("+1 555") => "?phone_number_query=%2B1%20555", "+1 555";
    username_query_is_sent:
        username_query("CoolUser") => "?username_query=CoolUser", "CoolUser";
    name_query_is_sent_with_non_ascii_as_utf8:
        name_query("Jürgen Groß") => "?name_query=J%C3%BCrgen%20Gro%C3%9F", "Jürgen Groß";
    last_active_at_before_is_sent_as_plain_milliseconds:
        last_active_at_before(1_700_690_400_000)
            => "?last_active_at_before=1700690400000", "1700690400000";
    last_active_at_after_is_sent_as_plain_milliseconds:
        last_active_at_after(1_700_690_400_001)
            => "?last_active_at_after=1700690400001", "1700690400001";
    created_at_before_is_sent_as_plain_milliseconds:
        created_at_before(1_730_160_000_000)
            => "?created_at_before=1730160000000", "1730160000000";
    created_at_after_is_sent_as_plain_milliseconds:
        created_at_after(1_730_160_000_999)
            => "?created_at_after=1730160000999", "1730160000999";
    limit_is_sent_as_a_plain_decimal:
        limit(10) => "?limit=10", "10";
    negative_milliseconds_are_plain_signed_decimals:
        created_at_before(-1) => "?created_at_before=-1", "-1";
}

#[test]
fn offset_is_sent_as_a_plain_decimal() {
    assert_list_on_wire(list().offset(20), "?offset=20", &[("offset", "20")]);
    assert_list_on_wire(
        list().offset(i64::MAX as u64),
        "?offset=9223372036854775807",
        &[("offset", "9223372036854775807")],
    );
}

#[test]
fn zero_and_empty_string_are_values_not_unset() {
    assert_list_on_wire(
        list()
            .order_by("")
            .role("")
            .query("")
            .name_query("")
            .created_at_after(0)
            .last_active_at_before(0)
            .offset(0),
        "?order_by=&role=&query=&name_query=&last_active_at_before=0&created_at_after=0&offset=0",
        &[
            ("order_by", ""),
            ("role", ""),
            ("query", ""),
            ("name_query", ""),
            ("last_active_at_before", "0"),
            ("created_at_after", "0"),
            ("offset", "0"),
        ],
    );
}

#[test]
fn option_forwarders_with_none_send_nothing() {
    assert_list_on_wire(
        list()
            .set_order_by(None)
            .set_query(None)
            .set_email_address_query(None)
            .set_phone_number_query(None)
            .set_username_query(None)
            .set_name_query(None)
            .set_last_active_at_before(None)
            .set_last_active_at_after(None)
            .set_created_at_before(None)
            .set_created_at_after(None)
            .set_limit(None)
            .set_offset(None),
        "",
        &[],
    );
}

#[test]
fn option_forwarders_with_none_clear_an_earlier_value() {
    assert_list_on_wire(
        list().limit(5).set_limit(None).query("x").set_query(None),
        "",
        &[],
    );
}

#[test]
fn option_forwarders_with_some_send_like_the_plain_setters() {
    let forwarded = || {
        list()
            .set_order_by(Some("+username"))
            .set_query(Some("q"))
            .set_email_address_query(Some("e"))
            .set_phone_number_query(Some("p"))
            .set_username_query(Some("u"))
            .set_name_query(Some("n"))
            .set_last_active_at_before(Some(1))
            .set_last_active_at_after(Some(2))
            .set_created_at_before(Some(3))
            .set_created_at_after(Some(4))
            .set_limit(Some(5))
            .set_offset(Some(6))
    };
    let plain = list()
        .order_by("+username")
        .query("q")
        .email_address_query("e")
        .phone_number_query("p")
        .username_query("u")
        .name_query("n")
        .last_active_at_before(1)
        .last_active_at_after(2)
        .created_at_before(3)
        .created_at_after(4)
        .limit(5)
        .offset(6);
    assert_eq!(forwarded().build().unwrap(), plain.build().unwrap());
    assert_list_on_wire(
        forwarded(),
        "?order_by=%2Busername&query=q&email_address_query=e&phone_number_query=p\
         &username_query=u&name_query=n&last_active_at_before=1&last_active_at_after=2\
         &created_at_before=3&created_at_after=4&limit=5&offset=6",
        &[
            ("order_by", "+username"),
            ("query", "q"),
            ("email_address_query", "e"),
            ("phone_number_query", "p"),
            ("username_query", "u"),
            ("name_query", "n"),
            ("last_active_at_before", "1"),
            ("last_active_at_after", "2"),
            ("created_at_before", "3"),
            ("created_at_after", "4"),
            ("limit", "5"),
            ("offset", "6"),
        ],
    );
}

#[test]
fn every_field_at_once_in_a_fixed_order() {
    assert_list_on_wire(
        list()
            .offset(40)
            .limit(20)
            .created_at_after(4)
            .created_at_before(3)
            .last_active_at_after(2)
            .last_active_at_before(1)
            .name_query("n")
            .username_query("u")
            .phone_number_query("p")
            .email_address_query("e")
            .query("q")
            .role("org:admin")
            .web3_wallet("0xabc")
            .username("jane")
            .phone_number("+1")
            .email_address("j@x.io")
            .user_id("-user_2")
            .user_id("+user_1")
            .order_by("-created_at"),
        "?order_by=-created_at&user_id=-user_2&user_id=%2Buser_1&email_address=j%40x.io\
         &phone_number=%2B1&username=jane&web3_wallet=0xabc&role=org%3Aadmin&query=q\
         &email_address_query=e&phone_number_query=p&username_query=u&name_query=n\
         &last_active_at_before=1&last_active_at_after=2&created_at_before=3\
         &created_at_after=4&limit=20&offset=40",
        &[
            ("order_by", "-created_at"),
            ("user_id", "-user_2"),
            ("user_id", "+user_1"),
            ("email_address", "j@x.io"),
            ("phone_number", "+1"),
            ("username", "jane"),
            ("web3_wallet", "0xabc"),
            ("role", "org:admin"),
            ("query", "q"),
            ("email_address_query", "e"),
            ("phone_number_query", "p"),
            ("username_query", "u"),
            ("name_query", "n"),
            ("last_active_at_before", "1"),
            ("last_active_at_after", "2"),
            ("created_at_before", "3"),
            ("created_at_after", "4"),
            ("limit", "20"),
            ("offset", "40"),
        ],
    );
}

#[test]
fn filter_values_cannot_inject_extra_parameters() {
    assert_list_on_wire(
        list().role("org:admin&limit=500").username("a=b?c/d%e"),
        "?username=a%3Db%3Fc%2Fd%25e&role=org%3Aadmin%26limit%3D500",
        &[("username", "a=b?c/d%e"), ("role", "org:admin&limit=500")],
    );
}

// ---- metadata bodies ---------------------------------------------------------------------------

/// Renders and sends `op`'s body, checking the exact bytes on both sides.
fn assert_body_on_wire(
    path: &str,
    method: &str,
    render: impl Fn(&Client) -> HttpRequest,
    send: impl Fn(&Client) -> OrganizationMembership,
    body: &str,
) {
    let (offline, _) = offline_client();
    let rendered = render(&offline);
    assert_eq!(
        String::from_utf8(rendered.body().unwrap().to_vec()).unwrap(),
        body,
        "rendered body"
    );
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        let when = when.method(method).path(path).body(body);
        expect_headers(when, true, DEFAULT_USER_AGENT, "2026-05-12");
        then.status(200).body(MEMBERSHIP);
    });
    let got = send(&client(&server));
    mock.assert();
    assert_eq!(got, membership());
}

fn assert_create_body(builder: CreateMembershipBuilder, body: &str) {
    let op = builder.build().unwrap();
    assert_body_on_wire(
        "/v1/organizations/org_1/memberships",
        "POST",
        |c| op.render(c).unwrap(),
        |c| op.send(c).unwrap(),
        body,
    );
}

fn assert_update_metadata_body(builder: UpdateMembershipMetadataBuilder, body: &str) {
    let op = builder.build().unwrap();
    assert_body_on_wire(
        "/v1/organizations/org_1/memberships/user_1/metadata",
        "PATCH",
        |c| op.render(c).unwrap(),
        |c| op.send(c).unwrap(),
        body,
    );
}

#[test]
fn create_without_metadata_leaves_both_keys_out() {
    assert_create_body(create(), r#"{"user_id":"user_1","role":"org:member"}"#);
    assert_create_body(
        create()
            .set_public_metadata(None)
            .set_private_metadata(None),
        r#"{"user_id":"user_1","role":"org:member"}"#,
    );
}

#[test]
fn create_with_public_metadata_only() {
    assert_create_body(
        create().public_metadata(json!({"team": "billing"})),
        r#"{"user_id":"user_1","role":"org:member","public_metadata":{"team":"billing"}}"#,
    );
}

#[test]
fn create_with_private_metadata_only() {
    assert_create_body(
        create().set_private_metadata(Some(json!({"seat": 7}))),
        r#"{"user_id":"user_1","role":"org:member","private_metadata":{"seat":7}}"#,
    );
}

#[test]
fn create_with_both_metadata_objects() {
    assert_create_body(
        create()
            .private_metadata(json!({"seat": 7}))
            .public_metadata(json!({})),
        r#"{"user_id":"user_1","role":"org:member","public_metadata":{},"private_metadata":{"seat":7}}"#,
    );
}

#[test]
fn create_body_escapes_json_in_ids_and_roles() {
    assert_create_body(
        create().user_id(r#"user_"quoted"\"#).role("org:ö"),
        r#"{"user_id":"user_\"quoted\"\\","role":"org:ö"}"#,
    );
}

#[test]
fn update_metadata_with_neither_sends_an_empty_object() {
    assert_update_metadata_body(update_metadata(), "{}");
    assert_update_metadata_body(
        update_metadata()
            .set_public_metadata(None)
            .set_private_metadata(None),
        "{}",
    );
}

#[test]
fn update_metadata_with_public_only() {
    assert_update_metadata_body(
        update_metadata().public_metadata(json!({"a": 1})),
        r#"{"public_metadata":{"a":1}}"#,
    );
}

#[test]
fn update_metadata_with_private_only() {
    assert_update_metadata_body(
        update_metadata().private_metadata(json!({"b": [true, 2.5, "x"]})),
        r#"{"private_metadata":{"b":[true,2.5,"x"]}}"#,
    );
}

#[test]
fn update_metadata_with_both() {
    assert_update_metadata_body(
        update_metadata()
            .set_private_metadata(Some(json!({"b": 2})))
            .set_public_metadata(Some(json!({"a": 1}))),
        r#"{"public_metadata":{"a":1},"private_metadata":{"b":2}}"#,
    );
}

#[test]
fn metadata_keys_pass_through_verbatim() {
    // Keys are chosen in sorted order so the expectation holds whether or not serde_json
    // preserves insertion order.
    let metadata = json!({
        "EmployeeID": 1,
        "camelCaseKey": {"innerCamel": "Value"},
        "größe": "groß",
        "snake_case": 2,
        "日本": "東京"
    });
    let body = r#"{"public_metadata":{"EmployeeID":1,"camelCaseKey":{"innerCamel":"Value"},"größe":"groß","snake_case":2,"日本":"東京"}}"#;
    assert_update_metadata_body(update_metadata().public_metadata(metadata.clone()), body);
    assert_create_body(
        create().public_metadata(metadata),
        &format!(r#"{{"user_id":"user_1","role":"org:member",{}"#, &body[1..]),
    );
}

#[test]
fn nested_nulls_are_kept_so_the_server_can_delete_keys() {
    assert_update_metadata_body(
        update_metadata().private_metadata(json!({
            "hr": {"employee_id": 42, "old_key": null},
            "remove_me": null
        })),
        r#"{"private_metadata":{"hr":{"employee_id":42,"old_key":null},"remove_me":null}}"#,
    );
    assert_create_body(
        create().public_metadata(json!({"a": {"b": null}})),
        r#"{"user_id":"user_1","role":"org:member","public_metadata":{"a":{"b":null}}}"#,
    );
}

// ---- path escaping -----------------------------------------------------------------------------

/// Ids that must land in exactly one path segment, with their encoding.
const AWKWARD_IDS: &[(&str, &str)] = &[
    ("a/b", "a%2Fb"),
    ("what?x=1", "what%3Fx%3D1"),
    ("frag#ment", "frag%23ment"),
    ("100%", "100%25"),
    ("%2F", "%252F"),
    ("with space", "with%20space"),
    ("...", "%2E%2E%2E"),
    (".hidden", "%2Ehidden"),
    ("../../users", "%2E%2E%2F%2E%2E%2Fusers"),
    ("ö", "%C3%B6"),
    ("日本", "%E6%97%A5%E6%9C%AC"),
    ("plus+sign", "plus%2Bsign"),
    ("semi;colon", "semi%3Bcolon"),
    ("tab\tnl\n", "tab%09nl%0A"),
];

#[test]
fn awkward_organization_ids_stay_one_segment_for_every_operation() {
    let server = MockServer::start();
    let client = client(&server);
    for (raw, encoded) in AWKWARD_IDS {
        let base = format!("/v1/organizations/{encoded}/memberships");
        let list_mock = server.mock(|when, then| {
            expect_target(when.method(GET).path(base.as_str()), &base);
            then.status(200).body(PAGE);
        });
        let create_mock = server.mock(|when, then| {
            expect_target(when.method(POST).path(base.as_str()), &base);
            then.status(200).body(MEMBERSHIP);
        });
        let member = format!("{base}/user_1");
        let member_mock = server.mock(|when, then| {
            expect_target(when.path(member.as_str()), &member);
            then.status(200).body(MEMBERSHIP);
        });
        let metadata = format!("{base}/user_1/metadata");
        let metadata_mock = server.mock(|when, then| {
            expect_target(when.path(metadata.as_str()), &metadata);
            then.status(200).body(MEMBERSHIP);
        });

        for (op, target) in [
            (Op::List, &base),
            (Op::Create, &base),
            (Op::Update, &member),
            (Op::Delete, &member),
            (Op::UpdateMetadata, &metadata),
        ] {
            let op = op.build(raw, "user_1");
            assert_eq!(op.render(&client).unwrap().path_and_query(), *target);
            op.send(&client).unwrap();
        }

        list_mock.assert_calls(1);
        create_mock.assert_calls(1);
        member_mock.assert_calls(2);
        metadata_mock.assert_calls(1);
    }
}

#[test]
fn awkward_user_ids_stay_one_segment_for_every_operation() {
    let server = MockServer::start();
    let client = client(&server);
    for (raw, encoded) in AWKWARD_IDS {
        let member = format!("/v1/organizations/org_1/memberships/{encoded}");
        let patch = server.mock(|when, then| {
            expect_target(when.method("PATCH").path(member.as_str()), &member);
            then.status(200).body(MEMBERSHIP);
        });
        let delete = server.mock(|when, then| {
            expect_target(when.method(DELETE).path(member.as_str()), &member);
            then.status(200).body(MEMBERSHIP);
        });
        let metadata = format!("{member}/metadata");
        let metadata_mock = server.mock(|when, then| {
            expect_target(when.method("PATCH").path(metadata.as_str()), &metadata);
            then.status(200).body(MEMBERSHIP);
        });

        for (op, target) in [
            (Op::Update, &member),
            (Op::Delete, &member),
            (Op::UpdateMetadata, &metadata),
        ] {
            let op = op.build("org_1", raw);
            assert_eq!(op.render(&client).unwrap().path_and_query(), *target);
            op.send(&client).unwrap();
        }

        patch.assert_calls(1);
        delete.assert_calls(1);
        metadata_mock.assert_calls(1);
    }
}

#[test]
fn user_id_in_the_create_body_is_not_path_escaped() {
    assert_create_body(
        create().user_id("a/b?c#d%e f"),
        r#"{"user_id":"a/b?c#d%e f","role":"org:member"}"#,
    );
}

#[test]
fn real_ids_are_left_untouched() {
    let (client, _) = offline_client();
    let request = UpdateMembershipMetadata::builder()
        .organization_id("org_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
        .user_id("user_2h8op3Isl1QR7tKu5FGNfaLKEoU")
        .build()
        .unwrap()
        .render(&client)
        .unwrap();
    assert_eq!(
        request.path_and_query(),
        "/v1/organizations/org_2g7np7Hrk0SN6kj5EDMLDaKNL0S/memberships/user_2h8op3Isl1QR7tKu5FGNfaLKEoU/metadata"
    );
}

#[test]
fn a_half_built_builder_can_be_cloned_as_a_template() {
    let template = ListMemberships::builder()
        .organization_id("org_1")
        .role("org:admin")
        .limit(5);
    let first = template.clone().offset(0).build().unwrap();
    let second = template.clone().offset(5).build().unwrap();
    assert_ne!(first, second);
    assert_eq!(
        template.build().unwrap(),
        ListMemberships::builder()
            .organization_id("org_1")
            .role("org:admin")
            .limit(5)
            .build()
            .unwrap()
    );
}
