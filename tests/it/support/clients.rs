//! Clients for the tests that talk HTTP, to an `httpmock` server or the loopback [`Server`].
//!
//! [`Server`]: super::Server

use std::time::{Duration, UNIX_EPOCH};

use clerk_memberships::testing::ManualClock;
use clerk_memberships::{Client, ClientBuilder};
use httpmock::MockServer;

/// The secret key these clients send.
pub const KEY: &str = "sk_test_W1reTestK3y0123456789";

/// A builder with [`KEY`], for the API at `base_url`. It ignores the machine's proxy
/// variables (`HTTPS_PROXY`, `ALL_PROXY`, …), so that they cannot reroute a test.
pub fn client_builder(base_url: impl Into<String>) -> ClientBuilder {
    Client::builder()
        .secret_key(KEY)
        .base_url(base_url)
        .proxy_from_env(false)
}

/// A client for the API that `server` mocks under `/v1`. It runs on a manual clock, so that a
/// retry wait costs no real time.
pub fn client(server: &MockServer) -> Client {
    client_builder(format!("{}/v1", server.base_url()))
        .clock(ManualClock::new(
            UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        ))
        .build()
        .expect("valid client")
}

/// A mock server that answers every request with `status` and `body`.
pub fn answering(status: u16, body: impl AsRef<[u8]>) -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.any_request();
        then.status(status).body(body);
    });
    server
}
