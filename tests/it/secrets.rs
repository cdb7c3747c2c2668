//! The secret key is the key to the whole Clerk instance: it must never show up in anything a
//! caller can format, whether `{:?}`, `{:#?}` or `{}`, on success or on any kind of failure.

use std::error::Error as _;
use std::fmt::{Debug, Display};
use std::time::{Duration, UNIX_EPOCH};

use crate::support::clients::answering;
use crate::support::ops::Op;
use crate::support::server::closed_port;
use clerk_memberships::testing::{ManualClock, MockTransport};
use clerk_memberships::{
    Client, ClientBuilder, CreateMembership, DeleteMembership, Error, ErrorKind, ListMemberships,
    SecretKey, TransportError, TransportErrorKind, UpdateMembership, UpdateMembershipMetadata,
    UreqTransport,
};
use httpmock::prelude::*;
use serde_json::json;

/// The part after the prefix is the actual secret; it must not appear either.
const KEY: &str = "sk_test_Z9sEcReTvAlUe4242";
const SECRET_PART: &str = "Z9sEcReTvAlUe4242";
const MEMBERSHIP: &str = include_str!("../fixtures/membership.json");

fn assert_hidden_in(text: &str, what: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !text.contains(secret),
            "{what} shows the secret {secret:?}: {text}"
        );
    }
}

/// `{:?}` and `{:#?}` of `value` never contain the key.
fn debug_hides<T: Debug>(what: &str, value: &T) -> String {
    let shown = format!("{value:?}");
    assert_hidden_in(&shown, what, &[KEY, SECRET_PART]);
    assert_hidden_in(&format!("{value:#?}"), what, &[KEY, SECRET_PART]);
    shown
}

/// `{}`, `{:?}` and `{:#?}` of an error, and of every error in its source chain, never contain
/// the key.
fn error_hides<E: std::error::Error>(what: &str, err: &E, secrets: &[&str]) {
    let mut current: Option<&dyn std::error::Error> = Some(err);
    while let Some(err) = current {
        assert_hidden_in(&err.to_string(), what, secrets);
        assert_hidden_in(&format!("{err:?}"), what, secrets);
        assert_hidden_in(&format!("{err:#?}"), what, secrets);
        current = err.source();
    }
}

fn display_and_debug_hide<T: Debug + Display>(what: &str, value: &T) {
    assert_hidden_in(&value.to_string(), what, &[KEY, SECRET_PART]);
    debug_hides(what, value);
}

/// Retry waits go through a manual clock, so failing calls cost no real time.
fn manual_clock() -> ManualClock {
    ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
}

fn client_to(base_url: &str) -> Client {
    Client::builder()
        .secret_key(KEY)
        .base_url(base_url)
        .proxy_from_env(false)
        .clock(manual_clock())
        .build()
        .unwrap()
}

fn mock_client() -> (Client, MockTransport) {
    let mock = MockTransport::new();
    let client = Client::builder()
        .secret_key(KEY)
        .transport(mock.clone())
        .clock(manual_clock())
        .build()
        .unwrap();
    (client, mock)
}

#[test]
fn the_secret_key_debug_is_redacted_and_the_key_is_still_usable() {
    let key = SecretKey::new(KEY).unwrap();
    let shown = debug_hides("SecretKey", &key);
    assert_eq!(shown, "SecretKey(sk_test_<redacted>)");
    assert_eq!(key.expose_secret(), KEY);
    assert!(!key.is_live());
    let live = SecretKey::new("sk_live_Z9sEcReTvAlUe4242").unwrap();
    assert_eq!(format!("{live:?}"), "SecretKey(sk_live_<redacted>)");
    assert!(live.is_live());
}

#[test]
fn client_and_client_builder_debug_hide_the_key() {
    let builder = Client::builder().secret_key(KEY);
    let shown = debug_hides("ClientBuilder", &builder);
    assert!(shown.contains("<redacted>"), "{shown}");
    let client = builder.build().unwrap();
    let shown = debug_hides("Client", &client);
    assert!(shown.contains("sk_test_<redacted>"), "{shown}");
    debug_hides("cloned Client", &client.clone());

    let with_transport = Client::builder()
        .secret_key(KEY)
        .transport(MockTransport::new());
    debug_hides("ClientBuilder with transport", &with_transport);
    debug_hides("Client with transport", &with_transport.build().unwrap());
    debug_hides("UreqTransport", &UreqTransport::new());
}

#[test]
fn a_client_builder_holding_a_malformed_key_hides_it() {
    for key in ["sk_test_has space", "not_a_key_123", "sk_test_abc\n"] {
        let builder = Client::builder().secret_key(key);
        let shown = format!("{builder:?} {builder:#?}");
        assert_hidden_in(&shown, "ClientBuilder", &[key, key.trim()]);
    }
}

#[test]
fn operation_builders_and_operations_hold_no_key() {
    let (client, _) = mock_client();
    let create = CreateMembership::builder()
        .organization_id("org_1")
        .user_id("user_1")
        .role("org:member")
        .public_metadata(json!({"a": 1}));
    debug_hides("CreateMembershipBuilder", &create);
    let create = create.build().unwrap();
    debug_hides("CreateMembership", &create);

    let list = ListMemberships::builder()
        .organization_id("org_1")
        .role("org:admin")
        .limit(5);
    debug_hides("ListMembershipsBuilder", &list);
    let list = list.build().unwrap();
    debug_hides("ListMemberships", &list);

    let update = UpdateMembership::builder()
        .organization_id("org_1")
        .user_id("user_1")
        .role("org:admin");
    debug_hides("UpdateMembershipBuilder", &update);
    let update = update.build().unwrap();
    debug_hides("UpdateMembership", &update);

    let delete = DeleteMembership::builder()
        .organization_id("org_1")
        .user_id("user_1");
    debug_hides("DeleteMembershipBuilder", &delete);
    let delete = delete.build().unwrap();
    debug_hides("DeleteMembership", &delete);

    let metadata = UpdateMembershipMetadata::builder()
        .organization_id("org_1")
        .user_id("user_1")
        .private_metadata(json!({"b": null}));
    debug_hides("UpdateMembershipMetadataBuilder", &metadata);
    let metadata = metadata.build().unwrap();
    debug_hides("UpdateMembershipMetadata", &metadata);

    // The rendered requests carry the key in a header, but their Debug hides it.
    for request in [
        create.render(&client).unwrap(),
        list.render(&client).unwrap(),
        update.render(&client).unwrap(),
        delete.render(&client).unwrap(),
        metadata.render(&client).unwrap(),
    ] {
        assert_eq!(
            request.header("authorization"),
            Some(&*format!("Bearer {KEY}"))
        );
        let shown = debug_hides("HttpRequest", &request);
        assert!(shown.contains("<redacted>"), "{shown}");
        assert!(shown.contains("org_1"), "the rest stays readable: {shown}");
        display_and_debug_hide("Method", &request.method());
        display_and_debug_hide("Operation", &request.operation());
    }
}

#[test]
fn requests_recorded_by_the_mock_transport_hide_the_key_in_debug() {
    let (client, mock) = mock_client();
    mock.push_json(200, MEMBERSHIP);
    Op::Delete.send(&client).unwrap();
    debug_hides("MockTransport", &mock);
    debug_hides("recorded requests", &mock.requests());
}

#[test]
fn build_errors_for_malformed_keys_never_quote_them() {
    for (key, secret_bits) in [
        ("sk_test_has space", &["sk_test_has space", "has space"][..]),
        ("not_a_key_123", &["not_a_key_123", "a_key_123"][..]),
        ("sk_test_abc\n", &["sk_test_abc", "abc\n"][..]),
        ("pk_test_Z9sEcReT", &["pk_test_Z9sEcReT", "Z9sEcReT"][..]),
        ("sk_test_ünïcode", &["sk_test_ünïcode", "ünïcode"][..]),
    ] {
        let err = Client::builder().secret_key(key).build().unwrap_err();
        assert_eq!(err.field(), "secret_key");
        error_hides("client BuildError", &err, secret_bits);
        let err = SecretKey::new(key).unwrap_err();
        error_hides("SecretKey BuildError", &err, secret_bits);
        error_hides("Error::InvalidRequest", &Error::from(err), secret_bits);
    }
}

#[test]
fn build_errors_of_a_client_with_a_good_key_do_not_show_it() {
    let builder: ClientBuilder = Client::builder().secret_key(KEY);
    for err in [
        builder.clone().base_url("ftp://x").build().unwrap_err(),
        builder.clone().api_version("a\nb").build().unwrap_err(),
        builder.clone().user_agent("").build().unwrap_err(),
        builder
            .clone()
            .request_timeout(Duration::ZERO)
            .build()
            .unwrap_err(),
    ] {
        error_hides("client BuildError", &err, &[KEY, SECRET_PART]);
    }
}

#[test]
fn operation_build_errors_do_not_show_the_key() {
    let errs = [
        CreateMembership::builder().build().unwrap_err(),
        ListMemberships::builder()
            .organization_id("o")
            .limit(0)
            .build()
            .unwrap_err(),
        UpdateMembership::builder()
            .organization_id("")
            .build()
            .unwrap_err(),
        UpdateMembershipMetadata::builder()
            .organization_id("o")
            .user_id("u")
            .public_metadata(json!([]))
            .build()
            .unwrap_err(),
    ];
    for err in errs {
        error_hides("operation BuildError", &err, &[KEY, SECRET_PART]);
        error_hides(
            "Error::InvalidRequest",
            &Error::from(err),
            &[KEY, SECRET_PART],
        );
    }
}

#[test]
fn api_errors_do_not_show_the_key() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET);
        then.status(401).header("retry-after", "1").body(
            r#"{"errors":[{"message":"Unauthorized request","long_message":"You are not authorized to perform this request","code":"authorization_invalid","meta":{"param_name":"Authorization"}}],"meta":{},"clerk_trace_id":"3544f06adc38d3917304dd6d0b2fe41e"}"#,
        );
    });
    let err = Op::List
        .send(&client_to(&format!("{}/v1", server.base_url())))
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    error_hides("Error::Api", &err, &[KEY, SECRET_PART]);
    let api = err.api_error().unwrap();
    display_and_debug_hide("ApiError", api);
    debug_hides("ClerkError", &api.errors[0]);
}

#[test]
fn unexpected_responses_do_not_show_the_key() {
    let server = answering(502, "<html><body>502 Bad Gateway</body></html>");
    let err = Op::Delete.send(&client_to(&server.base_url())).unwrap_err();
    assert!(matches!(
        err.kind(),
        ErrorKind::UnexpectedResponse { status: 502, .. }
    ));
    error_hides("Error::UnexpectedResponse", &err, &[KEY, SECRET_PART]);
}

#[test]
fn decode_errors_do_not_show_the_key() {
    let server = answering(200, r#"{"object":"organization_membership""#);
    let err = Op::Update.send(&client_to(&server.base_url())).unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Decode { .. }), "{err:?}");
    assert!(
        err.source().is_none(),
        "the decoder message is kept as text, bounded"
    );
    error_hides("Error::Decode", &err, &[KEY, SECRET_PART]);
}

#[test]
fn transport_errors_do_not_show_the_key() {
    // A real connection failure through the default transport.
    let port = closed_port();
    let client = Client::builder()
        .secret_key(KEY)
        .base_url(format!("http://127.0.0.1:{port}/v1"))
        .proxy_from_env(false)
        .connect_timeout(Duration::from_millis(500))
        .clock(manual_clock())
        .build()
        .unwrap();
    let err = Op::Create.send(&client).unwrap_err();
    assert!(err.transport_error().is_some(), "{err:?}");
    error_hides("Error::Transport (connect)", &err, &[KEY, SECRET_PART]);

    // A scripted failure with a source.
    let (client, mock) = mock_client();
    mock.push_error(
        TransportError::maybe_sent(TransportErrorKind::Io, "connection reset")
            .with_source(std::io::Error::other("reset by peer")),
    );
    // One attempt, so that the scripted failure is the one returned. The error's source is
    // the transport error's source (its own text is the error's `Display`).
    let err = Op::List
        .send(&client.with_retry_policy(clerk_memberships::RetryPolicy::none()))
        .unwrap_err();
    assert_eq!(
        err.source().map(|s| s.to_string()).as_deref(),
        Some("reset by peer")
    );
    error_hides("Error::Transport (scripted)", &err, &[KEY, SECRET_PART]);
    display_and_debug_hide("TransportErrorKind", &TransportErrorKind::Io);
}

#[test]
fn a_key_echoed_back_by_a_proxy_or_server_is_blanked_out_of_errors() {
    let echo = format!("<html><pre>Authorization: Bearer {KEY}</pre></html>");
    let clerk_echo = format!(
        r#"{{"errors":[{{"code":"x","message":"bad key {KEY}","long_message":"{KEY}","meta":{{"header":"Bearer {KEY}"}}}}]}}"#
    );
    let wrong_type = format!(r#"{{"data":"{KEY}","total_count":1}}"#);
    for (status, body) in [(502, echo), (401, clerk_echo), (200, wrong_type)] {
        let (client, mock) = mock_client();
        let client = client.with_retry_policy(clerk_memberships::RetryPolicy::none());
        mock.push_json(status, body);
        let err = Op::List.send(&client).unwrap_err();
        assert_eq!(err.status(), Some(status));
        error_hides("an error quoting an echoed key", &err, &[KEY, SECRET_PART]);
        assert!(
            format!("{err:?}").contains("<redacted>") || status == 200,
            "{err:?}"
        );
    }
}

/// `KEY` with its underscores written as JSON escapes, as a server may send it.
fn json_escaped_key() -> String {
    KEY.replace('_', r"\u005f")
}

#[test]
fn a_json_escaped_key_never_appears_decoded_in_errors_or_accessors() {
    let escaped = json_escaped_key();
    let body = format!(
        r#"{{"errors":[{{"code":"c_{escaped}","message":"bad {escaped}","long_message":"{escaped}","meta":{{"header":"Bearer {escaped}"}}}}],"meta":{{"echo":"{escaped}"}},"clerk_trace_id":"{escaped}"}}"#
    );
    let (client, mock) = mock_client();
    let client = client.with_retry_policy(clerk_memberships::RetryPolicy::none());
    mock.push_json(401, body);
    let err = Op::List.send(&client).unwrap_err();
    assert_eq!(err.status(), Some(401));
    error_hides(
        "an error quoting a JSON-escaped key",
        &err,
        &[KEY, SECRET_PART],
    );
    let api = err.api_error().expect("still read as Clerk's error JSON");
    let accessors = format!(
        "{:?} {:?} {:?} {:?}",
        err.clerk_trace_id(),
        err.clerk_codes().collect::<Vec<_>>(),
        api.errors,
        api.meta
    );
    assert_hidden_in(&accessors, "the error's accessors", &[KEY, SECRET_PART]);
    assert!(accessors.contains("<redacted>"), "{accessors}");

    // The unreadable-answer path shows a snippet of the raw body: no key there either.
    let (client, mock) = mock_client();
    let client = client.with_retry_policy(clerk_memberships::RetryPolicy::none());
    mock.push_json(502, format!("<pre>{escaped}</pre>"));
    let err = Op::List.send(&client).unwrap_err();
    assert_hidden_in(
        &format!("{err:?}"),
        "a snippet",
        &[&escaped, KEY, SECRET_PART],
    );
}

#[test]
fn the_attempt_hook_sees_the_answer_with_the_key_blanked_out() {
    let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = std::sync::Arc::clone(&events);
    let mock = MockTransport::new();
    let client = Client::builder()
        .secret_key(KEY)
        .transport(mock.clone())
        .clock(manual_clock())
        .on_attempt(move |event| sink.lock().unwrap().push(event.clone()))
        .build()
        .unwrap();
    let escaped = json_escaped_key();
    for trace in [KEY.to_owned(), escaped, format!("trace-{KEY}-end")] {
        mock.push_json(
            503,
            format!(r#"{{"errors":[{{"code":"x","message":"m"}}],"clerk_trace_id":"{trace}"}}"#),
        );
    }
    mock.push_json(200, r#"{"data":[],"total_count":0}"#);
    Op::List.send(&client).unwrap();
    let events = events.lock().unwrap();
    assert_eq!(events.len(), 4);
    let traces: Vec<_> = events.iter().map(|e| e.clerk_trace_id.clone()).collect();
    assert_eq!(
        traces,
        [
            Some("<redacted>".to_owned()),
            Some("<redacted>".to_owned()),
            Some("trace-<redacted>-end".to_owned()),
            None
        ]
    );
    debug_hides("attempt events", &*events);
}
