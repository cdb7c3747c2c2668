//! Which proxy the default transport uses: an explicit one always, the environment's
//! (`ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`) by default but never for a loopback
//! host, and none once `proxy_from_env(false)` pins it off.
//!
//! The environment is only ever changed in a child process (this test binary run again with
//! the variables set), so no test here races another over the process environment.

use std::process::Command;
use std::time::Duration;

use crate::support::clients::{KEY, client_builder};
use crate::support::ops::Op;
use crate::support::server::{Action, Response, Server, closed_port};
use clerk_memberships::{Client, RetryPolicy, TransportErrorKind};

/// Set in the child process: the port of the parent's proxy server.
const CHILD_PROXY_PORT: &str = "CLERK_MEMBERSHIPS_TEST_PROXY_PORT";

#[test]
fn an_explicit_proxy_carries_every_request_through_a_connect_tunnel() {
    // The "proxy" accepts the tunnel, then the tunnelled request arrives on the same
    // connection and is answered like the API would.
    let proxy = Server::start([Action::Respond(Response::new(200, "")), Op::Delete.ok()]);
    let target = closed_port();
    let client = client_builder(format!("http://localhost:{target}/v1"))
        .proxy(format!("http://127.0.0.1:{}", proxy.port()))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    Op::Delete
        .send(&client)
        .expect("answered through the proxy");
    let lines: Vec<String> = proxy.requests().iter().map(|r| r.request_line()).collect();
    assert_eq!(
        lines,
        [
            format!("CONNECT localhost:{target} HTTP/1.1"),
            "DELETE /v1/organizations/org_1/memberships/user_1 HTTP/1.1".to_owned(),
        ]
    );
}

#[test]
fn proxy_variables_are_followed_by_default_and_ignored_when_pinned_off() {
    let proxy = Server::builder()
        .handler(|_| Action::Respond(Response::new(502, "no tunnel").closing()))
        .start();
    let output = Command::new(std::env::current_exe().expect("the test binary"))
        .args([
            "--exact",
            "proxy::child_with_proxy_variables",
            "--nocapture",
        ])
        .env(CHILD_PROXY_PORT, proxy.port().to_string())
        .env("ALL_PROXY", format!("http://127.0.0.1:{}", proxy.port()))
        .env_remove("all_proxy")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .output()
        .expect("run the child");
    assert!(
        output.status.success(),
        "child failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // Only the default client of the child went through the proxy.
    let lines: Vec<String> = proxy.requests().iter().map(|r| r.request_line()).collect();
    assert_eq!(lines, ["CONNECT api.clerk.invalid:443 HTTP/1.1"]);
}

/// The child half of the test above; does nothing unless run by it.
#[test]
fn child_with_proxy_variables() {
    if std::env::var_os(CHILD_PROXY_PORT).is_none() {
        return;
    }
    let remote = "https://api.clerk.invalid/v1";
    let once = |builder: clerk_memberships::ClientBuilder| -> Client {
        builder
            .secret_key(KEY)
            .connect_timeout(Duration::from_secs(2))
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap()
    };

    // By default the environment's proxy is asked for a tunnel (and refuses it here).
    let err = Op::List
        .send(&once(Client::builder().base_url(remote)))
        .unwrap_err();
    let source = err.transport_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(source.kind(), TransportErrorKind::Connect, "{err:?}");

    // Pinned off, the request goes direct: the made-up host does not resolve.
    let err = Op::List
        .send(&once(
            Client::builder().base_url(remote).proxy_from_env(false),
        ))
        .unwrap_err();
    let source = err.transport_error().unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(source.kind(), TransportErrorKind::Connect, "{err:?}");
    assert!(!source.may_have_been_sent(), "{err:?}");

    // A loopback host never goes through the environment's proxy.
    let server = Server::start([Op::List.ok()]);
    Op::List
        .send(&once(Client::builder().base_url(server.base_url())))
        .expect("answered directly");
    assert_eq!(server.request_count(), 1);
}
