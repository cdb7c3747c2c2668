//! Test doubles for code that uses this crate: no HTTP server, no network.
//!
//! This module is compiled only with the `test-util` feature; add it where your tests are:
//!
//! ```toml
//! [dev-dependencies]
//! clerk-memberships = { version = "0.1", features = ["test-util"] }
//! ```
//!
//! [`MockTransport`] answers with scripted responses and records every request, so a test can
//! assert exactly what was sent. [`ManualClock`] makes retries and rate limits instant and
//! exact. [`FakeClerk`] is a stateful in-memory Clerk with seeding, every list filter and
//! fault injection. [`MEMBERSHIP_JSON`] is a membership as Clerk sends it, [`USER_JSON`] a
//! user, [`ROLES_JSON`] a page of roles, [`ORGANIZATION_JSON`] an organization and
//! [`INVITATION_JSON`] an invitation; [`clerk_error_json`] writes Clerk's error JSON.
//!
//! ```
//! use clerk_memberships::{Client, DeleteMembership, Method};
//! use clerk_memberships::testing::{MockTransport, MEMBERSHIP_JSON};
//!
//! let mock = MockTransport::new();
//! mock.push_json(200, MEMBERSHIP_JSON);
//! let client = Client::builder().secret_key("sk_test_123").transport(mock.clone()).build()?;
//!
//! DeleteMembership::builder()
//!     .organization_id("org_1")
//!     .user_id("user_1")
//!     .build()?
//!     .send(&client)?;
//!
//! let sent = mock.last_request().unwrap();
//! assert_eq!(sent.method(), Method::Delete);
//! assert_eq!(sent.path_and_query(), "/v1/organizations/org_1/memberships/user_1");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
// The guide: scripted answers, the in-memory Clerk, the Clerk served over HTTP. Its examples
// run as doctests.
#![doc = include_str!("guide.md")]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use crate::call::Operation;
use crate::transport::{HttpRequest, HttpResponse, Transport, TransportError};

mod fake;
pub use fake::{
    FakeClerk, FakeError, FakeOrganization, FakeUser, Fault, FaultScope, InjectedFault,
};
#[cfg(feature = "fake-server")]
pub use fake::{FakeServer, ServeOptions};

/// A realistic membership, as Clerk sends it (from Clerk's own webhook example).
pub const MEMBERSHIP_JSON: &str = r#"{"object":"organization_membership","id":"orgmem_2g7np7Hrk0SN6kj5EDMLDaKNL0S","role":"org:member","role_name":"Member","permissions":["org:posts:read","org:posts:write"],"public_metadata":{},"private_metadata":{},"organization":{"object":"organization","id":"org_2g7np7Hrk0SN6kj5EDMLDaKNL0S","name":"Acme Corp","slug":"acme-corp","image_url":"https://img.clerk.com/xxxxxx","has_image":true,"members_count":2,"missing_member_with_elevated_permissions":false,"pending_invitations_count":0,"max_allowed_memberships":5,"admin_delete_enabled":true,"public_metadata":{},"private_metadata":{},"created_by":"user_2g7np7Hrk0SN6kj5EDMLDaKNL0S","created_at":1716883200000,"updated_at":1716883200000},"public_user_data":{"user_id":"user_2h8op3Isl1QR7tKu5FGNfaLKEoU","first_name":"Jane","last_name":"Doe","profile_image_url":"https://img.clerk.com/yyyyy","image_url":"https://img.clerk.com/yyyyy","has_image":true,"identifier":"jane.doe@acme.com"},"created_at":1716883200000,"updated_at":1716883200000}"#;

/// A realistic organization, as `GET /organizations/{organization_id}?include_members_count=true`
/// answers (the organization embedded in [`MEMBERSHIP_JSON`]).
pub const ORGANIZATION_JSON: &str = r#"{"object":"organization","id":"org_2g7np7Hrk0SN6kj5EDMLDaKNL0S","name":"Acme Corp","slug":"acme-corp","image_url":"https://img.clerk.com/xxxxxx","has_image":true,"members_count":2,"missing_member_with_elevated_permissions":false,"pending_invitations_count":0,"max_allowed_memberships":5,"admin_delete_enabled":true,"public_metadata":{},"private_metadata":{},"created_by":"user_2g7np7Hrk0SN6kj5EDMLDaKNL0S","created_at":1716883200000,"updated_at":1716883200000}"#;

/// A realistic user, as `GET /users` lists them (one element of its array), with two email
/// addresses of which the second is the primary one.
pub const USER_JSON: &str = r#"{"id":"user_2h8op3Isl1QR7tKu5FGNfaLKEoU","object":"user","external_id":"hr-00042","primary_email_address_id":"idn_2h8op5tGkQ1vYbE7Rm3XaLqN9Ze","primary_phone_number_id":null,"primary_web3_wallet_id":null,"username":"jdoe","first_name":"Jane","last_name":"Doe","image_url":"https://img.clerk.com/yyyyy","has_image":true,"public_metadata":{},"private_metadata":{},"unsafe_metadata":{},"email_addresses":[{"id":"idn_2h8op4Qm0vJxPz1cKs8TgWbR7Yd","object":"email_address","email_address":"jane@old-acme.com","reserved":false,"verification":{"status":"verified","strategy":"email_code"},"linked_to":[],"created_at":1716883200000,"updated_at":1716883200000},{"id":"idn_2h8op5tGkQ1vYbE7Rm3XaLqN9Ze","object":"email_address","email_address":"jane.doe@acme.com","reserved":false,"verification":{"status":"verified","strategy":"admin"},"linked_to":[],"created_at":1716883300000,"updated_at":1716883300000}],"phone_numbers":[],"web3_wallets":[],"passkeys":[],"password_enabled":true,"two_factor_enabled":false,"totp_enabled":false,"backup_code_enabled":false,"external_accounts":[],"saml_accounts":[],"enterprise_accounts":[],"last_sign_in_at":1716969600000,"banned":false,"locked":false,"lockout_expires_in_seconds":null,"verification_attempts_remaining":100,"created_at":1716883200000,"updated_at":1716969600000,"delete_self_enabled":true,"create_organization_enabled":true,"last_active_at":1716940800000,"mfa_enabled_at":null,"mfa_disabled_at":null,"legal_accepted_at":null}"#;

/// An organization invitation as Clerk sends it: pending, to `new.hire@acme.com`, role
/// `org:member`, with public metadata and no inviter.
pub const INVITATION_JSON: &str = r#"{"object":"organization_invitation","id":"orginv_2h8op6Rk1wLyQa2dNt9UhXcS8Zf","email_address":"new.hire@acme.com","role":"org:member","role_name":"Member","organization_id":"org_2g7np7Hrk0SN6kj5EDMLDaKNL0S","inviter_id":null,"public_inviter_data":null,"status":"pending","public_metadata":{"team":"billing"},"private_metadata":{},"url":null,"expires_at":1719475200000,"created_at":1716883200000,"updated_at":1716883200000}"#;

/// A page of `GET /organization_roles` as Clerk sends it: the two roles every instance starts
/// with, `org:admin` and `org:member`, with their system permissions.
pub const ROLES_JSON: &str = r#"{"data":[{"object":"role","id":"role_2g7np7Hrk0SN6kj5EDMLDaKNL0S","name":"Admin","key":"org:admin","description":"Role with elevated permissions","is_creator_eligible":true,"permissions":[{"object":"permission","id":"perm_2g7np7Hrk0SN6kj5EDMLDaKNL0S","name":"Manage members","key":"org:sys_memberships:manage","description":"Permission to manage the members of an organization.","type":"system","created_at":1716883200000,"updated_at":1716883200000}],"created_at":1716883200000,"updated_at":1716883200000},{"object":"role","id":"role_2g7np7Hrk0SN6kj5EDMLDaKNL1T","name":"Member","key":"org:member","description":"Role with non-elevated permissions","is_creator_eligible":false,"permissions":[{"object":"permission","id":"perm_2g7np7Hrk0SN6kj5EDMLDaKNL1T","name":"Read members","key":"org:sys_memberships:read","description":"Permission to read the members of an organization.","type":"system","created_at":1716883200000,"updated_at":1716883200000}],"created_at":1716883200000,"updated_at":1716883200000}],"total_count":2}"#;

/// Clerk's error JSON for one error, as Clerk sends it with any non-2xx status: for scripting
/// error answers in tests.
///
/// ```
/// use clerk_memberships::testing::{MockTransport, clerk_error_json};
/// use clerk_memberships::{HttpResponse, ListMemberships, RetryPolicy};
///
/// let mock = MockTransport::new();
/// mock.push_response(
///     HttpResponse::new(429, clerk_error_json("too_many_requests", "Too many requests"))
///         .with_header("Retry-After", "2"),
/// );
/// mock.push_json(404, clerk_error_json("resource_not_found", "Not found"));
/// let client = mock.client();
/// let request = ListMemberships::builder().organization_id("org_1").build()?;
/// let err = request.send(&client).unwrap_err();
/// assert!(err.is_not_found(), "the 429 was waited out (on the mock's clock), then a 404");
/// assert_eq!(mock.clock().sleeps(), [std::time::Duration::from_secs(2)]);
/// # Ok::<(), clerk_memberships::BuildError>(())
/// ```
pub fn clerk_error_json(code: &str, message: &str) -> String {
    serde_json::json!({
        "errors": [{"code": code, "message": message, "long_message": message}],
        "clerk_trace_id": "trace_test"
    })
    .to_string()
}

/// A transport that answers with scripted responses, in order, and records every request.
///
/// Clones share the same script, record and clock, so a test keeps one clone and gives the
/// other to a client: [`client`](Self::client) builds one wired to this mock and to its
/// [`ManualClock`], so scripted 429s and 5xx are retried without really sleeping, and every
/// wait shows in [`clock`](Self::clock)`().sleeps()`. A client built by hand with
/// [`ClientBuilder::transport`](crate::ClientBuilder::transport) runs on the real clock unless
/// given one.
///
/// # Panics
///
/// A request that arrives when the script is empty panics at once, naming the request's
/// method and path: a test that sends more than it scripted fails there, with no retry and no
/// wait.
///
/// ```should_panic
/// use clerk_memberships::ListMemberships;
/// use clerk_memberships::testing::MockTransport;
///
/// let mock = MockTransport::new();
/// let client = mock.client();
/// // Nothing was scripted: panics with "unexpected request GET /v1/organizations/org_1/memberships".
/// let _ = ListMemberships::builder().organization_id("org_1").build()?.send(&client);
/// # Ok::<(), clerk_memberships::BuildError>(())
/// ```
#[derive(Clone)]
pub struct MockTransport {
    state: Arc<Mutex<MockState>>,
    clock: ManualClock,
}

impl Default for MockTransport {
    fn default() -> Self {
        MockTransport {
            state: Arc::default(),
            clock: ManualClock::new(SystemTime::UNIX_EPOCH + MOCK_CLOCK_START),
        }
    }
}

/// Where a mock's clock starts: 2026-05-12T00:00:00Z, the API version's date.
const MOCK_CLOCK_START: Duration = Duration::from_secs(1_778_544_000);

#[derive(Default)]
struct MockState {
    script: VecDeque<Result<HttpResponse, TransportError>>,
    requests: Vec<HttpRequest>,
}

impl std::fmt::Debug for MockTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("MockTransport")
            .field("scripted", &state.script.len())
            .field("requests", &state.requests.len())
            .finish()
    }
}

impl MockTransport {
    /// A mock with an empty script, and a [`ManualClock`] standing at 2026-05-12T00:00:00Z.
    pub fn new() -> Self {
        Self::default()
    }

    /// The secret key of the clients [`client`](Self::client) builds.
    pub const SECRET_KEY: &'static str = "sk_test_mock";

    /// The clock of the clients [`client`](Self::client) builds: shared by every clone.
    pub fn clock(&self) -> ManualClock {
        self.clock.clone()
    }

    /// A client that sends through this mock and waits on its [`clock`](Self::clock): retry
    /// waits take no real time and are recorded.
    ///
    /// ```
    /// use std::time::Duration;
    /// use clerk_memberships::ListMemberships;
    /// use clerk_memberships::testing::MockTransport;
    ///
    /// let mock = MockTransport::new();
    /// mock.push_json(503, "{}").push_json(200, r#"{"data":[],"total_count":0}"#);
    /// ListMemberships::builder().organization_id("org_1").build()?.send(&mock.client())?;
    /// assert_eq!(mock.requests().len(), 2);
    /// assert_eq!(mock.clock().sleeps().len(), 1, "the backoff was recorded, not slept");
    /// # Ok::<(), clerk_memberships::Error>(())
    /// ```
    pub fn client(&self) -> crate::Client {
        match self.client_builder().build() {
            Ok(client) => client,
            Err(err) => unreachable!("the mock's client configuration is valid: {err}"),
        }
    }

    /// A client builder already wired to this mock ([`SECRET_KEY`](Self::SECRET_KEY),
    /// transport and clock set), to change something before building, e.g. the retry policy.
    pub fn client_builder(&self) -> crate::ClientBuilder {
        crate::Client::builder()
            .secret_key(Self::SECRET_KEY)
            .transport(self.clone())
            .clock(self.clock.clone())
    }

    fn lock(&self) -> MutexGuard<'_, MockState> {
        // A test that panicked while holding the lock leaves usable data behind.
        crate::lock::lock(&self.state)
    }

    /// Queues an answer.
    pub fn push_response(&self, response: HttpResponse) -> &Self {
        self.lock().script.push_back(Ok(response));
        self
    }

    /// Queues an answer with a JSON body and `Content-Type: application/json`.
    pub fn push_json(&self, status: u16, body: impl Into<String>) -> &Self {
        let body: String = body.into();
        self.push_response(
            HttpResponse::new(status, body).with_header("content-type", "application/json"),
        )
    }

    /// Queues a transport failure.
    pub fn push_error(&self, error: TransportError) -> &Self {
        self.lock().script.push_back(Err(error));
        self
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<HttpRequest> {
        self.lock().requests.clone()
    }

    /// The most recent request, if any.
    pub fn last_request(&self) -> Option<HttpRequest> {
        self.lock().requests.last().cloned()
    }

    /// How many scripted answers are left.
    pub fn remaining(&self) -> usize {
        self.lock().script.len()
    }
}

impl Transport for MockTransport {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let answer = {
            let mut state = self.lock();
            state.requests.push(request.clone());
            state.script.pop_front()
        };
        match answer {
            Some(answer) => answer,
            None => panic!(
                "MockTransport: unexpected request {} {}: no scripted answer left",
                request.method(),
                request.path_and_query()
            ),
        }
    }
}

/// A client for documentation examples: answers every operation with a realistic body.
#[doc(hidden)]
pub fn doc_client() -> crate::Client {
    struct DocTransport;
    impl Transport for DocTransport {
        fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
            let body = match request.operation() {
                Operation::List => format!(r#"{{"data":[{MEMBERSHIP_JSON}],"total_count":1}}"#),
                Operation::ListUsers => format!("[{USER_JSON}]"),
                Operation::ListOrganizationRoles => ROLES_JSON.to_owned(),
                Operation::ListInstanceMemberships => {
                    format!(r#"{{"data":[{MEMBERSHIP_JSON}],"total_count":1}}"#)
                }
                Operation::GetOrganization => ORGANIZATION_JSON.to_owned(),
                Operation::CreateInvitation
                | Operation::GetInvitation
                | Operation::RevokeInvitation => INVITATION_JSON.to_owned(),
                Operation::ListInvitations | Operation::BulkCreateInvitations => {
                    format!(r#"{{"data":[{INVITATION_JSON}],"total_count":1}}"#)
                }
                _ => MEMBERSHIP_JSON.to_owned(),
            };
            Ok(HttpResponse::new(200, body))
        }
    }
    match crate::Client::builder()
        .secret_key("sk_test_docs")
        .transport(DocTransport)
        .build()
    {
        Ok(client) => client,
        Err(err) => unreachable!("the documentation client is valid: {err}"),
    }
}

pub use crate::clock::ManualClock;
