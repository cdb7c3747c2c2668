//! `ListOrganizationRoles` (`GET /organization_roles`): what it puts on the wire, byte for
//! byte, what `build()` refuses, what it decodes, and how its pager walks the pages. Asserted
//! on the rendered request and against a real HTTP server (`httpmock`).

use crate::support::refusal::assert_invalid;
use crate::support::wire::{OFFLINE_BASE, listing, offline_client, paging_client, sent_after};

use crate::support::clients::{client, client_builder};
use clerk_memberships::testing::{MockTransport, ROLES_JSON};
use clerk_memberships::{
    ErrorKind, ListOrganizationRoles, ListOrganizationRolesBuilder, Method, Operation, Page, Role,
};
use httpmock::prelude::*;

const ROLES_PATH: &str = "/v1/organization_roles";

// ---- helpers --------------------------------------------------------------------------------

fn roles() -> ListOrganizationRolesBuilder {
    ListOrganizationRoles::builder()
}

/// Expects `$builder` to be refused before anything is sent; returns the build error.
macro_rules! rejected {
    ($builder:expr) => {{
        let (client, mock) = offline_client();
        crate::refused_before_sending!(client, mock, r#"{"data":[],"total_count":0}"#, $builder)
    }};
}

/// Renders `builder` and sends it to a real HTTP server: both must show exactly `raw_query`
/// (raw, not decoded) after `/v1/organization_roles`, and the server must decode exactly
/// `pairs`, in order.
fn assert_roles_on_wire(
    builder: ListOrganizationRolesBuilder,
    raw_query: &str,
    pairs: &[(&str, &str)],
) {
    let op = builder.build().expect("valid list request");
    let (offline, _) = offline_client();
    let rendered = op.render(&offline).unwrap();
    assert_eq!(rendered.operation(), Operation::ListOrganizationRoles);
    assert_eq!(rendered.method(), Method::Get);
    assert_eq!(
        rendered.path_and_query(),
        format!("{ROLES_PATH}{raw_query}")
    );
    assert_eq!(
        rendered.url(),
        format!("{OFFLINE_BASE}/organization_roles{raw_query}")
    );
    assert_eq!(rendered.body(), None);
    assert_eq!(rendered.header("content-type"), None);

    let server = MockServer::start();
    let mock = listing(&server, ROLES_PATH, raw_query, pairs, ROLES_JSON);
    let got = op.send(&client(&server)).unwrap();
    mock.assert();
    assert_eq!(got.total_count, 2);
    let keys: Vec<&str> = got.data.iter().map(|role| role.key.as_str()).collect();
    assert_eq!(keys, ["org:admin", "org:member"]);
}

// ---- the request ----------------------------------------------------------------------------

#[test]
fn no_parameter_sends_a_bare_get_organization_roles() {
    assert_roles_on_wire(roles(), "", &[]);
}

#[test]
fn the_operation_is_named_list_organization_roles_and_is_a_retryable_get() {
    let op = Operation::ListOrganizationRoles;
    assert_eq!(op.name(), "list_organization_roles");
    assert_eq!(op.to_string(), "list_organization_roles");
    assert_eq!(op.method(), Method::Get);
    assert!(op.is_idempotent());
}

#[test]
fn query_is_sent_form_encoded() {
    assert_roles_on_wire(
        roles().query("billing"),
        "?query=billing",
        &[("query", "billing")],
    );
    assert_roles_on_wire(
        roles().query("org:a&b=c d+e"),
        "?query=org%3Aa%26b%3Dc%20d%2Be",
        &[("query", "org:a&b=c d+e")],
    );
}

#[test]
fn order_by_is_sent_with_its_sign_encoded() {
    assert_roles_on_wire(
        roles().order_by("key"),
        "?order_by=key",
        &[("order_by", "key")],
    );
    assert_roles_on_wire(
        roles().order_by("-created_at"),
        "?order_by=-created_at",
        &[("order_by", "-created_at")],
    );
    assert_roles_on_wire(
        roles().order_by("+name"),
        "?order_by=%2Bname",
        &[("order_by", "+name")],
    );
}

#[test]
fn limit_is_a_plain_decimal() {
    assert_roles_on_wire(roles().limit(1), "?limit=1", &[("limit", "1")]);
    assert_roles_on_wire(roles().limit(500), "?limit=500", &[("limit", "500")]);
}

#[test]
fn offset_is_a_plain_decimal_and_zero_is_a_value() {
    assert_roles_on_wire(roles().offset(0), "?offset=0", &[("offset", "0")]);
    assert_roles_on_wire(
        roles().offset(i64::MAX as u64),
        "?offset=9223372036854775807",
        &[("offset", "9223372036854775807")],
    );
}

#[test]
fn every_parameter_at_once_in_a_fixed_order() {
    assert_roles_on_wire(
        roles().offset(20).limit(10).order_by("name").query("admin"),
        "?query=admin&order_by=name&limit=10&offset=20",
        &[
            ("query", "admin"),
            ("order_by", "name"),
            ("limit", "10"),
            ("offset", "20"),
        ],
    );
}

#[test]
fn option_forwarders_send_like_the_plain_setters_and_none_clears() {
    let (client, _) = offline_client();
    let query = |builder: ListOrganizationRolesBuilder| {
        builder
            .build()
            .unwrap()
            .render(&client)
            .unwrap()
            .path_and_query()
            .to_owned()
    };
    let search: Option<String> = Some("bill".to_owned());
    assert_eq!(
        query(
            roles()
                .set_query(search.as_deref())
                .set_order_by(Some("key"))
                .set_limit(Some(5))
                .set_offset(Some(10))
        ),
        "/v1/organization_roles?query=bill&order_by=key&limit=5&offset=10"
    );
    assert_eq!(
        query(
            roles()
                .query("x")
                .order_by("key")
                .limit(5)
                .offset(1)
                .set_query(None)
                .set_order_by(None)
                .set_limit(None)
                .set_offset(None)
        ),
        "/v1/organization_roles"
    );
}

// ---- what build() refuses -------------------------------------------------------------------

#[test]
fn nothing_is_required() {
    let op = roles().build().expect("no parameter is required");
    let (client, _) = offline_client();
    assert_eq!(op.render(&client).unwrap().path_and_query(), ROLES_PATH);
}

#[test]
fn limit_outside_1_to_500_is_rejected() {
    assert_invalid(rejected!(roles().limit(0)), "limit");
    assert_invalid(rejected!(roles().limit(501)), "limit");
    assert_invalid(rejected!(roles().set_limit(Some(u32::MAX))), "limit");
}

#[test]
fn offset_beyond_a_signed_64_bit_integer_is_rejected() {
    assert_invalid(rejected!(roles().offset(i64::MAX as u64 + 1)), "offset");
}

#[test]
fn query_and_order_by_are_at_most_1024_bytes() {
    let long = "v".repeat(1024 + 1);
    assert_invalid(rejected!(roles().query(&long)), "query");
    assert_invalid(rejected!(roles().order_by(&long)), "order_by");
    assert_invalid(rejected!(roles().set_query(Some(long.as_str()))), "query");
    // Empty is a value, not "unset".
    assert_roles_on_wire(
        roles().query("").order_by(""),
        "?query=&order_by=",
        &[("query", ""), ("order_by", "")],
    );
}

#[test]
fn refusals_come_in_the_order_the_build_docs_give() {
    let long = "x".repeat(1024 + 1);
    assert_invalid(
        rejected!(roles().order_by(&long).query(&long).limit(0)),
        "limit",
    );
    assert_invalid(rejected!(roles().order_by(&long).query(&long)), "query");
}

#[test]
fn a_url_over_8192_bytes_is_an_invalid_request_never_sent() {
    let mock = MockTransport::new();
    // A query of the longest value, percent-encoded (6 bytes per `é`), behind a long base URL.
    let op = roles().query("é".repeat(1024 / 2)).build().unwrap();
    let long_base = client_builder(format!("http://127.0.0.1:9/{}", "p".repeat(6000)))
        .transport(mock.clone())
        .build()
        .unwrap();
    let err = op.send(&long_base).unwrap_err();
    match err.kind() {
        ErrorKind::InvalidRequest { error, .. } => assert_invalid(error.clone(), "url"),
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("list organization roles (GET /organization_roles"),
        "{err}"
    );
    assert!(mock.requests().is_empty());
}

// ---- decoding -------------------------------------------------------------------------------

#[test]
fn a_realistic_page_decodes_field_by_field() {
    let page: Page<Role> = serde_json::from_str(ROLES_JSON).unwrap();
    assert_eq!(page.total_count, 2);
    let admin = &page.data[0];
    assert_eq!(admin.object, "role");
    assert_eq!(admin.id, "role_2g7np7Hrk0SN6kj5EDMLDaKNL0S");
    assert_eq!(admin.name, "Admin");
    assert_eq!(admin.key, "org:admin");
    assert_eq!(
        admin.description.as_deref(),
        Some("Role with elevated permissions")
    );
    assert!(admin.is_creator_eligible);
    assert_eq!(admin.created_at, 1_716_883_200_000);
    assert_eq!(admin.updated_at, 1_716_883_200_000);
    let permission = &admin.permissions[0];
    assert_eq!(permission.object, "permission");
    assert_eq!(permission.key, "org:sys_memberships:manage");
    assert_eq!(permission.name, "Manage members");
    assert_eq!(permission.kind, "system");
    assert_eq!(
        admin.permission_keys().collect::<Vec<_>>(),
        ["org:sys_memberships:manage"]
    );
    assert!(!page.data[1].is_creator_eligible);
}

#[test]
fn a_sparse_role_with_nulls_and_unknown_fields_decodes() {
    let json = r#"{"data":[{"id":"role_1","key":"org:viewer","name":null,"description":null,
        "is_creator_eligible":null,"permissions":null,"brand_new_field":{"x":1}},
        {"id":"role_2","key":"org:billing","permissions":[{"key":"org:invoices:read","type":null}]}],
        "total_count":2}"#;
    let page: Page<Role> = serde_json::from_str(json).unwrap();
    let viewer = &page.data[0];
    assert_eq!(viewer.key, "org:viewer");
    assert_eq!(viewer.name, "");
    assert_eq!(viewer.description, None);
    assert!(!viewer.is_creator_eligible);
    assert!(viewer.permissions.is_empty(), "null decodes as empty");
    assert_eq!(viewer.created_at, 0);
    let billing = &page.data[1];
    assert_eq!(billing.permissions[0].key, "org:invoices:read");
    assert_eq!(billing.permissions[0].kind, "");
}

/// Like a page of memberships, a page of roles must say what it holds: a missing or `null`
/// `data` or `total_count` is an error, never an instance without roles.
#[test]
fn a_page_of_roles_without_data_or_total_count_is_a_decode_error() {
    for (json, field) in [
        ("{}", "`data`"),
        (r#"{"data":null,"total_count":2}"#, "null"),
        (r#"{"data":[]}"#, "`total_count`"),
        (r#"{"data":[],"total_count":null}"#, "null"),
    ] {
        let err = serde_json::from_str::<Page<Role>>(json).unwrap_err();
        assert!(err.to_string().contains(field), "{json}: {err}");
    }
    let mock = MockTransport::new();
    mock.push_json(200, r#"{"data":null,"total_count":0}"#);
    let err = roles().build().unwrap().send(&mock.client()).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Decode {
                model: "Page<Role>",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_role_without_a_key_is_a_decode_error_naming_the_model() {
    let mock = MockTransport::new();
    mock.push_json(
        200,
        r#"{"data":[{"id":"role_1","name":"Admin"}],"total_count":1}"#,
    );
    let err = roles().build().unwrap().send(&mock.client()).unwrap_err();
    match err.kind() {
        ErrorKind::Decode { model, detail, .. } => {
            assert_eq!(*model, "Page<Role>");
            assert!(detail.contains("`key`"), "{detail}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("list organization roles (GET /organization_roles): could not decode"),
        "{err}"
    );
}

#[test]
fn a_role_serializes_back_to_an_equal_value() {
    let page: Page<Role> = serde_json::from_str(ROLES_JSON).unwrap();
    let again: Page<Role> = serde_json::from_value(serde_json::to_value(&page).unwrap()).unwrap();
    assert_eq!(again, page);
    let text = serde_json::to_string(&page.data[0].permissions[0]).unwrap();
    assert!(text.contains(r#""type":"system""#), "{text}");
}

// ---- paging ---------------------------------------------------------------------------------

fn role(id: &str) -> String {
    format!(
        r#"{{"object":"role","id":"{id}","name":"R","key":"org:{id}","description":null,"is_creator_eligible":false,"permissions":[],"created_at":1,"updated_at":1}}"#
    )
}

fn page(ids: &[&str], total: usize) -> String {
    let roles: Vec<String> = ids.iter().map(|id| role(id)).collect();
    format!(r#"{{"data":[{}],"total_count":{total}}}"#, roles.join(","))
}

fn sent_queries(mock: &MockTransport) -> Vec<String> {
    sent_after(mock, ROLES_PATH)
}

#[test]
fn pages_go_on_until_total_count_and_keep_every_parameter() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["r1", "r2"], 5))
        .push_json(200, page(&["r3"], 5)) // a short page is no end
        .push_json(200, page(&["r4", "r5"], 5));
    let request = roles().query("org").limit(2).build().unwrap();
    let sizes: Vec<usize> = request
        .pages(&paging_client(&mock))
        .map(|page| page.unwrap().data.len())
        .collect();
    assert_eq!(sizes, [2, 1, 2]);
    assert_eq!(
        sent_queries(&mock),
        [
            "?query=org&limit=2",
            "?query=org&limit=2&offset=2",
            "?query=org&limit=2&offset=3",
        ]
    );
}

#[test]
fn pages_default_to_500_from_the_requests_offset_and_an_empty_page_ends_unyielded() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["r1"], 10))
        .push_json(200, page(&[], 10));
    let request = roles().offset(7).build().unwrap();
    let pages: Vec<Page<Role>> = request
        .pages(&paging_client(&mock))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(pages.len(), 1, "the empty page is not yielded");
    assert_eq!(
        sent_queries(&mock),
        ["?limit=500&offset=7", "?limit=500&offset=8"]
    );
}

#[test]
fn items_walk_every_role_in_order() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["r1", "r2"], 3))
        .push_json(200, page(&["r3"], 3));
    let keys: Vec<String> = roles()
        .limit(2)
        .build()
        .unwrap()
        .items(&paging_client(&mock))
        .map(|role| role.map(|r: Role| r.key))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(keys, ["org:r1", "org:r2", "org:r3"]);
    assert_eq!(
        mock.requests().len(),
        2,
        "total_count reached: no third request"
    );
}

#[test]
fn the_first_error_is_yielded_once_then_nothing() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["r1", "r2"], 4)).push_json(
        503,
        r#"{"errors":[{"code":"internal_clerk_error","message":"oops","long_message":"oops"}]}"#,
    );
    let mut pages = roles()
        .limit(2)
        .build()
        .unwrap()
        .pages(&paging_client(&mock));
    let first = pages.next().unwrap().unwrap();
    let ids: Vec<&str> = first.data.iter().map(|role| role.id.as_str()).collect();
    assert_eq!(ids, ["r1", "r2"]);
    let err = pages.next().unwrap().unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(pages.next().is_none());
    assert_eq!(mock.requests().len(), 2, "no request after the error");
}

#[test]
fn a_server_that_repeats_a_page_is_reported_not_followed() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["r1", "r2"], 9))
        .push_json(200, page(&["r1", "r2"], 9));
    let mut pages = roles()
        .limit(2)
        .build()
        .unwrap()
        .pages(&paging_client(&mock));
    let first = pages.next().unwrap().unwrap();
    let ids: Vec<&str> = first.data.iter().map(|role| role.id.as_str()).collect();
    assert_eq!(ids, ["r1", "r2"]);
    let err = pages.next().unwrap().unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::PageNotAdvancing { offset: 2, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "list organization roles (GET /organization_roles): pagination stopped: the page at \
         offset 2 holds only roles already seen"
    );
    assert!(pages.next().is_none());
}
