//! FakeClerk's injected faults and its record of requests, seen through the client: what a
//! single attempt returns and whether the fake's state changed, then what the client's retry
//! layer makes of the same faults.

use std::time::{Duration, UNIX_EPOCH};

use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser, Fault, ManualClock};
use clerk_memberships::{
    Client, CreateMembership, DeleteMembership, Error, ErrorKind, ListMemberships, Method,
    Operation, OrganizationMembership, RetryPolicy, TransportErrorKind,
};

use crate::support::TestResult;

struct Setup {
    fake: FakeClerk,
    clock: ManualClock,
    /// Sends each request once: what a single attempt returns.
    client: Client,
    /// The fake's default client, with the default retry policy.
    retrying: Client,
    org: String,
    user: String,
}

fn setup() -> Setup {
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_millis(FakeClerk::START_MS as u64));
    let fake = FakeClerk::with_clock(clock.clone());
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let user = fake.add_user(FakeUser::new("Jane", "Doe"));
    let retrying = fake.client();
    Setup {
        client: retrying.with_retry_policy(RetryPolicy::none()),
        retrying,
        clock,
        fake,
        org,
        user,
    }
}

impl Setup {
    fn create(&self) -> Result<OrganizationMembership, Error> {
        CreateMembership::builder()
            .organization_id(&self.org)
            .user_id(&self.user)
            .role("org:member")
            .build()?
            .send(&self.client)
    }

    fn delete(&self) -> Result<OrganizationMembership, Error> {
        DeleteMembership::builder()
            .organization_id(&self.org)
            .user_id(&self.user)
            .build()?
            .send(&self.client)
    }

    fn count(&self) -> Result<i64, Error> {
        self.count_with(&self.client)
    }

    fn count_with(&self, client: &Client) -> Result<i64, Error> {
        Ok(ListMemberships::builder()
            .organization_id(&self.org)
            .build()?
            .send(client)?
            .total_count)
    }

    fn is_member(&self) -> bool {
        self.fake.membership(&self.org, &self.user).is_some()
    }
}

#[test]
fn rate_limited_answers_429_with_retry_after_and_changes_nothing() -> TestResult {
    let s = setup();
    s.fake.inject(Fault::RateLimited {
        retry_after: Duration::from_secs(3),
    });

    let err = s.create().unwrap_err();
    assert!(err.is_rate_limited(), "{err}");
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3)));
    assert_eq!(err.clerk_codes().collect::<Vec<_>>(), ["too_many_requests"]);
    assert!(err.clerk_trace_id().is_some());
    assert_eq!(err.attempts(), 1);
    assert!(!s.is_member());

    // One call only, by default.
    s.create()?;
    assert!(s.is_member());
    Ok(())
}

#[test]
fn retry_after_is_whole_seconds_rounded_up() -> TestResult {
    let s = setup();
    s.fake.inject(Fault::RateLimited {
        retry_after: Duration::from_millis(1_500),
    });
    let err = s.count().unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(2)));
    Ok(())
}

#[test]
fn times_and_only_aim_a_fault() -> TestResult {
    let s = setup();
    let limit = s
        .fake
        .inject(Fault::RateLimited {
            retry_after: Duration::from_secs(1),
        })
        .times(2)
        .only(Operation::Create);
    assert_eq!(limit.remaining(), 2);

    // Other operations pass untouched and do not use the fault up.
    assert_eq!(s.count()?, 0);
    assert_eq!(limit.remaining(), 2);

    assert!(s.create().unwrap_err().is_rate_limited());
    assert_eq!(s.count()?, 0);
    assert!(s.create().unwrap_err().is_rate_limited());
    assert_eq!(limit.remaining(), 0);
    s.create()?;
    assert_eq!(s.count()?, 1);
    Ok(())
}

#[test]
fn faults_fire_in_the_order_they_were_injected() -> TestResult {
    let s = setup();
    s.fake.inject(Fault::ServerError { status: 500 });
    s.fake.inject(Fault::HtmlPage { status: 502 }).times(2);
    s.fake.inject(Fault::ServerError { status: 503 });
    let statuses: Vec<Option<u16>> = (0..5)
        .map(|_| s.count().err().and_then(|e| e.status()))
        .collect();
    assert_eq!(statuses, [Some(500), Some(502), Some(502), Some(503), None]);
    Ok(())
}

#[test]
fn server_errors_carry_clerks_json() -> TestResult {
    let s = setup();
    s.fake.inject(Fault::ServerError { status: 503 });
    let err = s.create().unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(
        err.clerk_codes().collect::<Vec<_>>(),
        ["internal_clerk_error"]
    );
    assert!(!s.is_member());
    Ok(())
}

#[test]
fn a_proxy_page_is_an_unexpected_response() -> TestResult {
    let s = setup();
    s.fake.inject(Fault::HtmlPage { status: 502 });
    match s.create().unwrap_err().into_kind() {
        ErrorKind::UnexpectedResponse {
            status,
            body_snippet,
            ..
        } => {
            assert_eq!(status, 502);
            assert!(body_snippet.contains("502 Bad Gateway"), "{body_snippet}");
        }
        other => panic!("expected an unexpected response, got {other:?}"),
    }
    assert!(!s.is_member());
    Ok(())
}

#[test]
fn a_failed_connection_never_reaches_the_state() -> TestResult {
    let s = setup();
    s.fake.inject(Fault::ConnectFailed);
    let err = s.create().unwrap_err();
    let transport = err.transport_error().ok_or("not a transport error")?;
    assert_eq!(transport.kind(), TransportErrorKind::Connect);
    assert!(!transport.may_have_been_sent());
    assert!(!s.is_member());
    // The transport was handed the request, so the record has it.
    assert_eq!(s.fake.requests().len(), 1);

    // Safe to send again: it is the first time the server sees it.
    s.create()?;
    assert!(s.is_member());
    Ok(())
}

#[test]
fn a_timeout_after_sending_leaves_the_write_done() -> TestResult {
    let s = setup();
    s.fake.inject(Fault::TimedOut).only(Operation::Create);
    let err = s.create().unwrap_err();
    let transport = err.transport_error().ok_or("not a transport error")?;
    assert_eq!(transport.kind(), TransportErrorKind::Timeout);
    assert!(transport.may_have_been_sent());
    assert!(s.is_member(), "the server processed the create");

    // Sending the create again is what a naive retry does: the duplicate is refused.
    let again = s.create().unwrap_err();
    assert_eq!(again.status(), Some(400));
    assert_eq!(
        again.clerk_codes().collect::<Vec<_>>(),
        ["already_a_member_in_organization"]
    );
    assert_eq!(s.fake.memberships(&s.org).len(), 1);
    Ok(())
}

#[test]
fn a_reset_connection_after_a_delete_leaves_the_member_gone() -> TestResult {
    let s = setup();
    s.create()?;
    s.fake.inject(Fault::ConnectionReset);
    let err = s.delete().unwrap_err();
    let transport = err.transport_error().ok_or("not a transport error")?;
    assert_eq!(transport.kind(), TransportErrorKind::Io);
    assert!(transport.may_have_been_sent());
    assert!(!s.is_member());
    // Repeating the delete finds nothing left to delete.
    assert!(s.delete().unwrap_err().is_not_found());
    Ok(())
}

#[test]
fn after_processing_makes_an_answered_fault_land_after_the_write() -> TestResult {
    let s = setup();
    s.fake
        .inject(Fault::ServerError { status: 504 })
        .after_processing();
    let err = s.create().unwrap_err();
    assert_eq!(err.status(), Some(504));
    assert!(
        s.is_member(),
        "the gateway timed out after the write went through"
    );

    // Connection failures never reach the server, whatever the handle says.
    let other = s.fake.add_user(FakeUser::new("John", "Roe"));
    s.fake.inject(Fault::ConnectFailed).after_processing();
    let err = CreateMembership::builder()
        .organization_id(&s.org)
        .user_id(&other)
        .role("org:member")
        .build()?
        .send(&s.client)
        .unwrap_err();
    assert!(err.transport_error().is_some());
    assert!(s.fake.membership(&s.org, &other).is_none());
    Ok(())
}

#[test]
fn faults_can_be_disarmed() -> TestResult {
    let s = setup();
    let never = s.fake.inject(Fault::ConnectFailed).times(0);
    assert_eq!(never.remaining(), 0);
    s.fake.inject(Fault::TimedOut).times(5);
    s.fake.clear_faults();
    assert_eq!(s.count()?, 0);
    s.create()?;
    Ok(())
}

#[test]
fn every_request_is_recorded_as_sent() -> TestResult {
    let s = setup();
    s.create()?;
    s.count()?;
    s.fake.inject(Fault::ServerError { status: 500 });
    let _ = s.delete();
    s.delete()?;

    let requests = s.fake.requests();
    let seen: Vec<(Operation, Method)> = requests
        .iter()
        .map(|r| (r.operation(), r.method()))
        .collect();
    assert_eq!(
        seen,
        [
            (Operation::Create, Method::Post),
            (Operation::List, Method::Get),
            (Operation::Delete, Method::Delete),
            (Operation::Delete, Method::Delete),
        ]
    );
    let create = &requests[0];
    assert_eq!(
        create.path_and_query(),
        format!("/v1/organizations/{}/memberships", s.org)
    );
    assert_eq!(create.header("authorization"), Some("Bearer sk_test_fake"));
    assert!(
        !format!("{create:?}").contains("sk_test_fake"),
        "Debug hides the key"
    );
    let body: serde_json::Value = serde_json::from_slice(create.body().unwrap_or_default())?;
    assert_eq!(
        body,
        serde_json::json!({"user_id": s.user, "role": "org:member"})
    );
    assert_eq!(s.fake.last_request().as_ref(), requests.last());

    s.fake.clear_requests();
    assert!(s.fake.requests().is_empty());
    assert_eq!(s.fake.last_request(), None);
    Ok(())
}

#[test]
fn the_debug_view_summarizes_without_secrets() {
    let s = setup();
    s.fake.inject(Fault::ConnectFailed).times(3);
    let shown = format!("{:?}", s.fake);
    assert!(shown.contains("organizations: 1"), "{shown}");
    assert!(shown.contains("users: 1"), "{shown}");
    assert!(shown.contains("pending_faults: 3"), "{shown}");
}

// What the client's retry layer makes of the same faults. The client shares the fake's
// ManualClock, so its waits take no real time and show in `sleeps()`.

impl Setup {
    fn create_with(&self, client: &Client) -> Result<OrganizationMembership, Error> {
        CreateMembership::builder()
            .organization_id(&self.org)
            .user_id(&self.user)
            .role("org:member")
            .build()?
            .send(client)
    }
}

#[test]
fn retries_wait_out_retry_after_on_the_fakes_clock() -> TestResult {
    let s = setup();
    s.fake
        .inject(Fault::RateLimited {
            retry_after: Duration::from_secs(3),
        })
        .times(2);
    let created = s.create_with(&s.retrying)?;
    assert_eq!(s.fake.requests().len(), 3);
    assert_eq!(
        s.clock.sleeps(),
        [Duration::from_secs(3), Duration::from_secs(3)]
    );
    // The write happened after the waits, and its timestamp says so.
    assert_eq!(created.created_at, FakeClerk::START_MS + 6_000);
    assert_eq!(s.fake.memberships(&s.org).len(), 1);
    Ok(())
}

#[test]
fn a_long_retry_after_closes_the_client_without_reaching_the_fake() -> TestResult {
    let s = setup();
    s.fake.inject(Fault::RateLimited {
        retry_after: Duration::from_secs(120),
    });
    // Longer than the call's deadline: no wait is started, the 429 comes back.
    let err = s.count_with(&s.retrying).unwrap_err();
    assert!(err.is_rate_limited(), "{err}");
    assert_eq!(err.attempts(), 1);
    // The client now holds every call until Retry-After has passed: nothing is sent.
    let err = s.count_with(&s.retrying).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::RateLimited { .. }) && err.attempts() == 0,
        "{err:?}"
    );
    assert_eq!(s.fake.requests().len(), 1);
    s.clock.advance(Duration::from_secs(120));
    assert_eq!(s.count_with(&s.retrying)?, 0);
    Ok(())
}

#[test]
fn reads_and_deletes_ride_over_server_errors_and_lost_answers() -> TestResult {
    let s = setup();
    s.create()?;
    s.fake
        .inject(Fault::ServerError { status: 503 })
        .only(Operation::List);
    s.fake
        .inject(Fault::HtmlPage { status: 502 })
        .only(Operation::List);
    assert_eq!(s.count_with(&s.retrying)?, 1);
    assert_eq!(s.clock.sleeps().len(), 2);

    // The delete went through but its answer was lost; the retry finds nothing to delete.
    s.fake
        .inject(Fault::ConnectionReset)
        .only(Operation::Delete);
    let err = DeleteMembership::builder()
        .organization_id(&s.org)
        .user_id(&s.user)
        .build()?
        .send(&s.retrying)
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(err.attempts(), 2);
    assert!(!s.is_member());
    Ok(())
}

#[test]
fn creates_are_retried_only_when_they_certainly_did_not_arrive() -> TestResult {
    let s = setup();
    // Not sent: safe to repeat, and repeated.
    s.fake.inject(Fault::ConnectFailed).times(2);
    s.create_with(&s.retrying)?;
    assert_eq!(s.fake.requests().len(), 3);
    assert_eq!(s.fake.memberships(&s.org).len(), 1);

    // Maybe sent: not repeated by default; the caller learns the write may have happened.
    let other = s.fake.add_user(FakeUser::new("John", "Roe"));
    s.fake.inject(Fault::TimedOut);
    let err = CreateMembership::builder()
        .organization_id(&s.org)
        .user_id(&other)
        .role("org:member")
        .build()?
        .send(&s.retrying)
        .unwrap_err();
    assert_eq!(err.attempts(), 1);
    assert!(
        err.transport_error()
            .is_some_and(|e| e.may_have_been_sent())
    );
    assert!(s.fake.membership(&s.org, &other).is_some(), "it did happen");
    Ok(())
}

#[test]
fn opting_in_to_ambiguous_create_retries_meets_the_duplicate() -> TestResult {
    let s = setup();
    let bold = s
        .retrying
        .with_retry_policy(RetryPolicy::builder().retry_ambiguous_creates(true));
    s.fake.inject(Fault::TimedOut).only(Operation::Create);
    let err = s.create_with(&bold).unwrap_err();
    // The first attempt added the member; the retry is told so.
    assert_eq!(err.attempts(), 2);
    assert_eq!(
        err.clerk_codes().collect::<Vec<_>>(),
        ["already_a_member_in_organization"]
    );
    assert_eq!(s.fake.memberships(&s.org).len(), 1);

    // A gateway timeout after the write goes the same way.
    s.delete()?;
    s.fake
        .inject(Fault::ServerError { status: 504 })
        .after_processing();
    let err = s.create_with(&bold).unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(s.is_member());
    Ok(())
}

#[test]
fn a_fault_injected_with_its_scope_is_armed_already_scoped() {
    use clerk_memberships::testing::FaultScope;
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let user = fake.add_user(FakeUser::new("Jane", "Doe"));
    let fault = fake.inject_with(
        Fault::ServerError { status: 503 },
        FaultScope::default()
            .times(2)
            .only(Operation::Create)
            .after_processing(),
    );
    assert_eq!(fault.remaining(), 2);
    // A list is not the operation named: untouched, and it does not count.
    clerk_memberships::ListMemberships::builder()
        .organization_id(&org)
        .build()
        .unwrap()
        .send(&fake.client())
        .unwrap();
    assert_eq!(fault.remaining(), 2);
    // A create is hit, after it was processed.
    let err = clerk_memberships::CreateMembership::builder()
        .organization_id(&org)
        .user_id(&user)
        .role("org:member")
        .build()
        .unwrap()
        .send(&fake.client())
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(fake.membership(&org, &user).is_some(), "processed first");
    assert_eq!(fault.remaining(), 1);
}
