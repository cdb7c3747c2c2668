//! One builder style: the client's and the default transport's builders take and return
//! `self`, like the operation builders, and the key can be given as a string or a `SecretKey`.

use std::time::Duration;

use clerk_memberships::{BuildError, Client, SecretKey, UreqTransport};

#[test]
fn the_client_builder_is_by_value_and_can_be_kept_and_finished_later() {
    let builder = Client::builder().secret_key("sk_test_123");
    let builder = builder.base_url("http://127.0.0.1:9/v1");
    let client = builder.clone().build().unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:9/v1");
    // The same builder builds again.
    assert!(
        builder
            .connect_timeout(Duration::from_secs(1))
            .build()
            .is_ok()
    );
}

#[test]
fn the_transport_builder_is_by_value_too() {
    let builder = UreqTransport::builder().connect_timeout(Duration::from_secs(2));
    let builder = builder
        .request_timeout(Duration::from_secs(5))
        .proxy_from_env(false);
    let transport = builder.build();
    let client = Client::builder()
        .secret_key("sk_test_123")
        .transport(transport)
        .build();
    assert!(client.is_ok());
}

#[test]
fn the_key_can_be_a_string_a_string_ref_or_a_secret_key() {
    let text = String::from("sk_live_abc");
    let key = SecretKey::new("sk_test_abc").unwrap();
    for builder in [
        Client::builder().secret_key("sk_test_abc"),
        Client::builder().secret_key(text.clone()),
        Client::builder().secret_key(&text),
        Client::builder().secret_key(key.clone()),
        Client::builder().secret_key(&key),
    ] {
        let shown = format!("{builder:?}");
        assert!(!shown.contains("abc"), "{shown}");
        assert!(builder.build().is_ok());
    }
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
