//! The organization-invitation operations: what each puts on the wire, byte for byte, what
//! `build()` refuses, what the models decode, and which failures are retried (an invitation
//! create never is once it may have been sent: it sends an email).

use std::time::{Duration, UNIX_EPOCH};

use crate::support::refusal::assert_invalid;
use clerk_memberships::testing::{INVITATION_JSON, ManualClock, MockTransport};
use clerk_memberships::{
    BuildError, BulkCreateInvitations, Client, CreateInvitation, CreateInvitationBuilder,
    ErrorKind, GetInvitation, ListInvitations, Method, NewInvitation, Operation,
    OrganizationInvitation, Page, RetryPolicy, RevokeInvitation, TransportError,
    TransportErrorKind,
};
use serde_json::json;

const BASE: &str = "http://127.0.0.1:9/v1";
const PAGE: &str = r#"{"data":[],"total_count":0}"#;

fn offline() -> (Client, MockTransport) {
    let mock = MockTransport::new();
    let client = Client::builder()
        .secret_key("sk_test_invitations123")
        .base_url(BASE)
        .transport(mock.clone())
        .clock(ManualClock::new(
            UNIX_EPOCH + Duration::from_secs(1_780_000_000),
        ))
        .build()
        .expect("valid client");
    (client, mock)
}

fn retrying(policy: RetryPolicy) -> (Client, MockTransport) {
    let mock = MockTransport::new();
    let client = Client::builder()
        .secret_key("sk_test_invitations123")
        .base_url(BASE)
        .transport(mock.clone())
        .clock(ManualClock::new(
            UNIX_EPOCH + Duration::from_secs(1_780_000_000),
        ))
        .retry_policy(policy)
        .build()
        .expect("valid client");
    (client, mock)
}

fn create() -> CreateInvitationBuilder {
    CreateInvitation::builder()
        .organization_id("org_1")
        .email_address("new.hire@acme.com")
        .role("org:member")
}

/// The body `builder` renders, as text; the method and path are checked too.
fn create_body(builder: CreateInvitationBuilder) -> String {
    let (client, _) = offline();
    let request = builder
        .build()
        .expect("valid")
        .render(&client)
        .expect("renders");
    assert_eq!(request.operation(), Operation::CreateInvitation);
    assert_eq!(request.method(), Method::Post);
    assert_eq!(
        request.path_and_query(),
        "/v1/organizations/org_1/invitations"
    );
    assert_eq!(request.header("content-type"), Some("application/json"));
    String::from_utf8(request.body().expect("a body").to_vec()).expect("utf-8")
}

fn build_error<T: std::fmt::Debug>(result: Result<T, BuildError>) -> BuildError {
    result.expect_err("build must fail")
}

// ---- create ---------------------------------------------------------------------------------

#[test]
fn create_sends_only_the_required_fields_when_nothing_else_is_set() {
    assert_eq!(
        create_body(create()),
        r#"{"email_address":"new.hire@acme.com","role":"org:member"}"#
    );
}

#[test]
fn create_sends_each_optional_field_once_set() {
    let base = r#"{"email_address":"new.hire@acme.com","role":"org:member""#;
    let cases: [(CreateInvitationBuilder, &str); 5] = [
        (
            create().inviter_user_id("user_admin"),
            r#","inviter_user_id":"user_admin"}"#,
        ),
        (
            create().public_metadata(json!({"team": "billing"})),
            r#","public_metadata":{"team":"billing"}}"#,
        ),
        (
            create().private_metadata(json!({"seat": 7})),
            r#","private_metadata":{"seat":7}}"#,
        ),
        (
            create().redirect_url("https://acme.com/join"),
            r#","redirect_url":"https://acme.com/join"}"#,
        ),
        (create().expires_in_days(14), r#","expires_in_days":14}"#),
    ];
    for (builder, tail) in cases {
        assert_eq!(create_body(builder), format!("{base}{tail}"));
    }
    // `set_x(None)` clears an earlier value.
    assert_eq!(
        create_body(
            create()
                .expires_in_days(3)
                .set_expires_in_days(None)
                .set_redirect_url(None)
        ),
        format!("{base}}}")
    );
}

#[test]
fn create_escapes_the_organization_into_one_segment() {
    let (client, _) = offline();
    let request = create()
        .organization_id("org/../x")
        .build()
        .unwrap()
        .render(&client)
        .unwrap();
    assert_eq!(
        request.path_and_query(),
        "/v1/organizations/org%2F%2E%2E%2Fx/invitations"
    );
}

#[test]
fn create_refuses_missing_required_fields() {
    let all = create();
    assert_eq!(
        build_error(
            CreateInvitation::builder()
                .email_address("a@b.c")
                .role("r")
                .build()
        ),
        BuildError::MissingField("organization_id")
    );
    assert_eq!(
        build_error(
            CreateInvitation::builder()
                .organization_id("o")
                .role("r")
                .build()
        ),
        BuildError::MissingField("email_address")
    );
    assert_eq!(
        build_error(
            CreateInvitation::builder()
                .organization_id("o")
                .email_address("a@b.c")
                .build()
        ),
        BuildError::MissingField("role")
    );
    assert!(all.build().is_ok());
}

#[test]
fn create_refuses_what_is_certainly_invalid() {
    assert_invalid(
        build_error(create().organization_id(" ").build()),
        "organization_id",
    );
    assert_invalid(
        build_error(create().email_address("").build()),
        "email_address",
    );
    assert_invalid(
        build_error(create().email_address("no-at-sign").build()),
        "email_address",
    );
    assert_invalid(build_error(create().role("").build()), "role");
    assert_invalid(
        build_error(create().inviter_user_id("..").build()),
        "inviter_user_id",
    );
    assert_invalid(
        build_error(create().redirect_url("").build()),
        "redirect_url",
    );
    assert_invalid(
        build_error(create().expires_in_days(0).build()),
        "expires_in_days",
    );
    assert_invalid(
        build_error(create().expires_in_days(366).build()),
        "expires_in_days",
    );
    assert_invalid(
        build_error(create().public_metadata(json!([1])).build()),
        "public_metadata",
    );
    assert_invalid(
        build_error(create().private_metadata(json!("x")).build()),
        "private_metadata",
    );
    assert!(create().expires_in_days(365).build().is_ok());
}

// ---- bulk -----------------------------------------------------------------------------------

#[test]
fn bulk_sends_an_array_of_invitations_in_order() {
    let (client, _) = offline();
    let request = BulkCreateInvitations::builder()
        .organization_id("org_1")
        .invitation(NewInvitation::new("ann@acme.com", "org:member"))
        .invitation(
            NewInvitation::new("bob@acme.com", "org:admin")
                .inviter_user_id("user_admin")
                .public_metadata(json!({"team": "ops"}))
                .private_metadata(json!({"seat": 1}))
                .redirect_url("https://acme.com/join")
                .expires_in_days(7),
        )
        .build()
        .unwrap()
        .render(&client)
        .unwrap();
    assert_eq!(request.operation(), Operation::BulkCreateInvitations);
    assert_eq!(request.method(), Method::Post);
    assert_eq!(
        request.path_and_query(),
        "/v1/organizations/org_1/invitations/bulk"
    );
    assert_eq!(
        std::str::from_utf8(request.body().unwrap()).unwrap(),
        concat!(
            r#"[{"email_address":"ann@acme.com","role":"org:member"},"#,
            r#"{"email_address":"bob@acme.com","role":"org:admin","inviter_user_id":"user_admin","#,
            r#""public_metadata":{"team":"ops"},"private_metadata":{"seat":1},"#,
            r#""redirect_url":"https://acme.com/join","expires_in_days":7}]"#
        )
    );
}

#[test]
fn bulk_refuses_none_too_many_duplicates_and_bad_entries() {
    let bulk = || BulkCreateInvitations::builder().organization_id("org_1");
    assert_eq!(
        build_error(
            BulkCreateInvitations::builder()
                .invitation(NewInvitation::new("a@b.c", "r"))
                .build()
        ),
        BuildError::MissingField("organization_id")
    );
    assert_invalid(build_error(bulk().build()), "invitations");
    let eleven = (0..=10).map(|n| NewInvitation::new(format!("p{n}@acme.com"), "org:member"));
    assert_invalid(
        build_error(bulk().invitations(eleven).build()),
        "invitations",
    );
    let twice = build_error(
        bulk()
            .invitation(NewInvitation::new("ann@acme.com", "org:member"))
            .invitation(NewInvitation::new("ANN@acme.com", "org:admin"))
            .build(),
    );
    assert!(twice.to_string().contains("invitation 2"), "{twice}");
    assert_invalid(twice, "invitations");
    let bad = build_error(
        bulk()
            .invitation(NewInvitation::new("ann@acme.com", "org:member"))
            .invitation(NewInvitation::new("bob@acme.com", "org:member").expires_in_days(0))
            .build(),
    );
    assert!(
        bad.to_string().contains("invitation 2: `expires_in_days`"),
        "{bad}"
    );
    let meta = build_error(
        bulk()
            .invitation(NewInvitation::new("a@b.c", "r").public_metadata(json!(1)))
            .build(),
    );
    assert!(meta.to_string().contains("public_metadata"), "{meta}");
}

/// An address with whitespace inside, a control character or a bidirectional mark is no
/// address to send an email to: refused before anything is sent, singly and in a bulk.
#[test]
fn an_address_with_whitespace_a_control_character_or_a_bidi_mark_is_refused() {
    for address in [
        "a b@acme.com",
        "a\tb@acme.com",
        "a\0@acme.com",
        "ann\u{202e}moc@acme.com",
        "ann@acme.com\n",
    ] {
        let err = build_error(create().email_address(address).build());
        assert_invalid(err, "email_address");
        let bulk = build_error(
            BulkCreateInvitations::builder()
                .organization_id("org_1")
                .invitation(NewInvitation::new(address, "org:member"))
                .build(),
        );
        assert!(bulk.to_string().contains("`email_address`"), "{bulk}");
    }
    // Whitespace around an address is not in it.
    create()
        .email_address(" ann@acme.com ")
        .build()
        .expect("surrounding whitespace is allowed");
}

/// A role to give is at most 1024 bytes, as a role to list by, in a single invitation and in
/// each of a bulk.
#[test]
fn a_role_over_1024_bytes_is_refused_in_a_single_and_a_bulk_invitation() {
    let longest = "r".repeat(1024);
    create()
        .role(longest.as_str())
        .build()
        .expect("1024 bytes is a role");
    let err = build_error(create().role(format!("{longest}r")).build());
    assert_eq!(
        err.to_string(),
        "invalid `role`: must be at most 1024 bytes, got 1025"
    );
    let bulk = build_error(
        BulkCreateInvitations::builder()
            .organization_id("org_1")
            .invitation(NewInvitation::new("a@b.c", format!("{longest}r")))
            .build(),
    );
    assert!(
        bulk.to_string()
            .contains("invitation 1: `role` must be at most 1024 bytes"),
        "{bulk}"
    );
}

// ---- list, get, revoke ----------------------------------------------------------------------

#[test]
fn list_sends_each_filter_once_set() {
    let (client, _) = offline();
    let path = |builder: clerk_memberships::ListInvitationsBuilder| {
        let request = builder.build().unwrap().render(&client).unwrap();
        assert_eq!(request.operation(), Operation::ListInvitations);
        assert_eq!(request.method(), Method::Get);
        assert_eq!(request.body(), None);
        request.path_and_query().to_owned()
    };
    let list = || ListInvitations::builder().organization_id("org_1");
    assert_eq!(path(list()), "/v1/organizations/org_1/invitations");
    assert_eq!(
        path(list().status("pending")),
        "/v1/organizations/org_1/invitations?status=pending"
    );
    assert_eq!(
        path(list().email_address("new+hire@acme.com")),
        "/v1/organizations/org_1/invitations?email_address=new%2Bhire%40acme.com"
    );
    assert_eq!(
        path(list().order_by("-email_address")),
        "/v1/organizations/org_1/invitations?order_by=-email_address"
    );
    assert_eq!(
        path(list().limit(20)),
        "/v1/organizations/org_1/invitations?limit=20"
    );
    assert_eq!(
        path(list().offset(40)),
        "/v1/organizations/org_1/invitations?offset=40"
    );
    assert_eq!(
        path(list().status("pending").email_address("a@b.c").limit(1)),
        "/v1/organizations/org_1/invitations?status=pending&email_address=a%40b.c&limit=1"
    );
}

#[test]
fn list_refuses_what_is_certainly_invalid() {
    let list = || ListInvitations::builder().organization_id("org_1");
    assert_eq!(
        build_error(ListInvitations::builder().build()),
        BuildError::MissingField("organization_id")
    );
    assert_invalid(build_error(list().limit(0).build()), "limit");
    assert_invalid(build_error(list().offset(u64::MAX).build()), "offset");
    assert_invalid(
        build_error(list().status("x".repeat(2000)).build()),
        "status",
    );
}

#[test]
fn get_and_revoke_address_one_invitation() {
    let (client, _) = offline();
    let get = GetInvitation::builder()
        .organization_id("org_1")
        .invitation_id("orginv_1")
        .build()
        .unwrap()
        .render(&client)
        .unwrap();
    assert_eq!(
        (get.method(), get.path_and_query()),
        (Method::Get, "/v1/organizations/org_1/invitations/orginv_1")
    );
    assert_eq!(get.body(), None);
    assert_eq!(
        build_error(GetInvitation::builder().organization_id("org_1").build()),
        BuildError::MissingField("invitation_id")
    );

    let revoke = |requester: Option<&str>| {
        RevokeInvitation::builder()
            .organization_id("org_1")
            .invitation_id("orginv_1")
            .set_requesting_user_id(requester)
            .build()
            .unwrap()
            .render(&client)
            .unwrap()
    };
    let plain = revoke(None);
    assert_eq!(plain.operation(), Operation::RevokeInvitation);
    assert_eq!(
        (plain.method(), plain.path_and_query()),
        (
            Method::Post,
            "/v1/organizations/org_1/invitations/orginv_1/revoke"
        )
    );
    assert_eq!(plain.body(), Some(&b"{}"[..]));
    assert_eq!(
        revoke(Some("user_admin")).body(),
        Some(&br#"{"requesting_user_id":"user_admin"}"#[..])
    );
    assert_invalid(
        build_error(
            RevokeInvitation::builder()
                .organization_id("org_1")
                .invitation_id(" ")
                .build(),
        ),
        "invitation_id",
    );
}

// ---- models ---------------------------------------------------------------------------------

#[test]
fn a_realistic_invitation_decodes() {
    let invitation: OrganizationInvitation = serde_json::from_str(INVITATION_JSON).unwrap();
    assert_eq!(invitation.id, "orginv_2h8op6Rk1wLyQa2dNt9UhXcS8Zf");
    assert!(invitation.is_pending());
    assert!(invitation.invites("NEW.HIRE@acme.com "));
    assert_eq!(invitation.role_name.as_deref(), Some("Member"));
    assert_eq!(invitation.public_metadata["team"], "billing");
    assert_eq!(invitation.expires_at, Some(1_719_475_200_000));
    assert_eq!(invitation.inviter_id, None);
}

#[test]
fn odd_invitations_decode_tolerantly() {
    // Nulls where Clerk documents values, fields it may add, an inviter, an unknown status.
    let odd = r#"{"id":"orginv_2","email_address":"x@y.z","role":null,"status":"snoozed",
        "public_metadata":null,"created_at":null,"brand_new_field":{"a":[1]},
        "inviter_id":"user_1","public_inviter_data":{"user_id":"user_1","first_name":null,
        "last_name":null,"image_url":"https://img","has_image":false,"identifier":"boss@y.z"}}"#;
    let invitation: OrganizationInvitation = serde_json::from_str(odd).unwrap();
    assert_eq!(invitation.role, "");
    assert!(!invitation.is_pending());
    assert!(invitation.public_metadata.is_empty());
    assert_eq!(invitation.created_at, 0);
    assert_eq!(
        invitation
            .public_inviter_data
            .unwrap()
            .identifier
            .as_deref(),
        Some("boss@y.z")
    );
    assert!(
        serde_json::from_str::<Page<OrganizationInvitation>>(r#"{"data":null,"total_count":0}"#)
            .is_err(),
        "the page is not read as tolerantly as the invitations on it"
    );
    // Without an id there is no invitation.
    assert!(
        serde_json::from_str::<OrganizationInvitation>(r#"{"email_address":"x@y.z"}"#).is_err()
    );
}

/// The invitations on a page are read tolerantly, the page itself is not: a page without its
/// `data` or `total_count` (or with either `null`) is a decode error, never "no invitations",
/// since a sync that read it so would invite the same people again.
#[test]
fn a_page_of_invitations_without_data_or_total_count_is_a_decode_error() {
    for json in [
        "{}",
        r#"{"total_count":null}"#,
        r#"{"data":null}"#,
        r#"{"data":[],"total_count":null}"#,
        r#"{"total_count":3}"#,
        r#"{"data":{}}"#,
    ] {
        assert!(
            serde_json::from_str::<Page<OrganizationInvitation>>(json).is_err(),
            "{json}"
        );
    }
    let page: Page<OrganizationInvitation> = serde_json::from_str(PAGE).unwrap();
    assert_eq!((page.data.len(), page.total_count), (0, 0));

    let (client, mock) = offline();
    mock.push_json(200, "{}");
    let request = ListInvitations::builder()
        .organization_id("org_1")
        .build()
        .unwrap();
    let mut items = request.items(&client);
    let err = items.next().expect("an error, not the end").unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Decode { .. }), "{err:?}");
    assert!(
        err.to_string().contains("Page<OrganizationInvitation>"),
        "{err}"
    );
    assert!(items.next().is_none());
    assert_eq!(mock.requests().len(), 1);
}

#[test]
fn a_garbled_answer_is_a_decode_error_naming_the_model() {
    let (client, mock) = offline();
    mock.push_json(200, r#"{"id":5}"#);
    let err = create().build().unwrap().send(&client).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("OrganizationInvitation"), "{err}");
}

// ---- retries --------------------------------------------------------------------------------

fn maybe_sent() -> TransportError {
    TransportError::maybe_sent(TransportErrorKind::Timeout, "timed out")
}

#[test]
fn invitation_creates_are_never_repeated_once_possibly_sent_even_when_creates_may_be() {
    let policy = RetryPolicy::builder()
        .jitter(0.0)
        .retry_ambiguous_creates(true)
        .build();
    for answer in [Err(maybe_sent()), Ok(503)] {
        let (client, mock) = retrying(policy.clone());
        match answer_again(&answer) {
            Err(error) => mock.push_error(error),
            Ok(status) => mock.push_json(status, "{}"),
        };
        mock.push_json(200, INVITATION_JSON);
        let err = create().build().unwrap().send(&client).unwrap_err();
        assert_eq!(err.attempts(), 1, "{err:?}");
        assert_eq!(mock.requests().len(), 1);

        let (client, mock) = retrying(policy.clone());
        match answer_again(&answer) {
            Err(error) => mock.push_error(error),
            Ok(status) => mock.push_json(status, "{}"),
        };
        let bulk = BulkCreateInvitations::builder()
            .organization_id("org_1")
            .invitation(NewInvitation::new("a@acme.com", "org:member"))
            .build()
            .unwrap();
        assert_eq!(bulk.send(&client).unwrap_err().attempts(), 1);
        assert_eq!(mock.requests().len(), 1);
    }
    assert!(
        Operation::CreateInvitation.sends_email() && !Operation::CreateInvitation.is_idempotent()
    );
    assert!(!Operation::BulkCreateInvitations.is_idempotent());
}

fn answer_again(answer: &Result<u16, TransportError>) -> Result<u16, TransportError> {
    match answer {
        Ok(status) => Ok(*status),
        Err(_) => Err(maybe_sent()),
    }
}

#[test]
fn revoke_list_and_get_are_retried_after_a_5xx() {
    let policy = RetryPolicy::builder().jitter(0.0).build();
    let (client, mock) = retrying(policy);
    mock.push_json(503, "{}").push_json(200, INVITATION_JSON);
    mock.push_json(503, "{}").push_json(200, PAGE);
    mock.push_json(503, "{}").push_json(200, INVITATION_JSON);
    let revoked = RevokeInvitation::builder()
        .organization_id("org_1")
        .invitation_id("orginv_1")
        .build()
        .unwrap()
        .send(&client)
        .unwrap();
    assert_eq!(revoked.id, "orginv_2h8op6Rk1wLyQa2dNt9UhXcS8Zf");
    ListInvitations::builder()
        .organization_id("org_1")
        .build()
        .unwrap()
        .send(&client)
        .unwrap();
    GetInvitation::builder()
        .organization_id("org_1")
        .invitation_id("i")
        .build()
        .unwrap()
        .send(&client)
        .unwrap();
    assert_eq!(mock.requests().len(), 6);
}

#[test]
fn every_invitation_operation_names_its_missing_required_field() {
    assert_eq!(
        build_error(GetInvitation::builder().invitation_id("orginv_1").build()),
        BuildError::MissingField("organization_id")
    );
    assert_eq!(
        build_error(
            RevokeInvitation::builder()
                .invitation_id("orginv_1")
                .build()
        ),
        BuildError::MissingField("organization_id")
    );
    assert_eq!(
        build_error(RevokeInvitation::builder().organization_id("org_1").build()),
        BuildError::MissingField("invitation_id")
    );
    assert_invalid(
        build_error(
            RevokeInvitation::builder()
                .organization_id("org_1")
                .invitation_id("orginv_1")
                .requesting_user_id("")
                .build(),
        ),
        "requesting_user_id",
    );
}
