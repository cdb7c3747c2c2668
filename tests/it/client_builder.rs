//! One builder style: the client's and the default transport's builders take and return
//! `self`, like the operation builders, and the key can be given as a string or a `SecretKey`.

use std::time::Duration;

use clerk_memberships::testing::MockTransport;
use clerk_memberships::{
    BuildError, Client, ClientBuilder, KeyInput, ListMemberships, SecretKey, UreqTransport,
};

/// The `Authorization` header and URL of one list sent through `builder` on a mock.
fn sent_by(builder: ClientBuilder) -> (String, String) {
    let mock = MockTransport::new();
    mock.push_json(200, r#"{"data":[],"total_count":0}"#);
    let client = builder.transport(mock.clone()).build().unwrap();
    ListMemberships::builder()
        .organization_id("org_1")
        .build()
        .unwrap()
        .send(&client)
        .unwrap();
    let request = mock.last_request().unwrap();
    (
        request.header("authorization").unwrap().to_owned(),
        request.url().to_owned(),
    )
}

#[test]
fn the_client_builder_is_by_value_and_can_be_kept_and_finished_later() {
    let builder = Client::builder().secret_key("sk_test_123");
    let builder = builder.base_url("http://127.0.0.1:9/v1");
    let client = builder.clone().build().unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:9/v1");
    // The same builder, changed further, builds again with everything set so far.
    let later = builder.api_version("2025-01-01");
    let (authorization, url) = sent_by(later.clone());
    assert_eq!(authorization, "Bearer sk_test_123");
    assert_eq!(url, "http://127.0.0.1:9/v1/organizations/org_1/memberships");
    assert_eq!(later.build().unwrap().base_url(), "http://127.0.0.1:9/v1");
}

#[test]
fn the_transport_builder_is_by_value_too() {
    let builder = UreqTransport::builder().connect_timeout(Duration::from_secs(2));
    let builder = builder
        .request_timeout(Duration::from_secs(5))
        .proxy("http://user:pw@proxy.example:3128");
    let shown = format!("{builder:?}");
    assert!(shown.contains("2s") && shown.contains("5s"), "{shown}");
    assert!(shown.contains("proxy.example"), "{shown}");
    let transport = builder.proxy_from_env(false).build();
    assert!(
        Client::builder()
            .secret_key("sk_test_123")
            .transport(transport)
            .build()
            .is_ok()
    );
}

#[test]
fn the_key_can_be_a_string_a_string_ref_a_secret_key_or_a_key_input() {
    let text = String::from("sk_test_abc");
    let key = SecretKey::new("sk_test_abc").unwrap();
    for builder in [
        Client::builder().secret_key("sk_test_abc"),
        Client::builder().secret_key(text.clone()),
        Client::builder().secret_key(&text),
        Client::builder().secret_key(key.clone()),
        Client::builder().secret_key(&key),
        Client::builder().secret_key(KeyInput::from(&key)),
    ] {
        let shown = format!("{builder:?}");
        assert!(!shown.contains("abc"), "{shown}");
        assert_eq!(sent_by(builder).0, "Bearer sk_test_abc");
    }
    assert_eq!(
        format!("{:?}", KeyInput::from("sk_test_abc")),
        "KeyInput(<redacted>)"
    );
}

#[test]
fn a_bad_key_given_as_text_is_refused_at_build() {
    let err = Client::builder()
        .secret_key("sk_other_abc")
        .build()
        .unwrap_err();
    assert!(matches!(
        err,
        BuildError::InvalidField {
            field: "secret_key",
            ..
        }
    ));
    assert!(!err.to_string().contains("abc"), "{err}");
}
