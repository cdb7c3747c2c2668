//! The single-change helpers of `sync`: what each answers, how many requests it makes, and
//! how it absorbs races staged between its steps, on the in-memory Clerk; their exact wire
//! requests and answers the fake cannot give, on `MockTransport`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use clerk_memberships::sync::{
    ChangeError, ChangeRole, EnsureMember, Ensured, FindMember, MergeMetadata, MetadataMerge,
    Outcome, OutcomeKind, Removal, RemoveMember, RoleSet, SkipReason,
};
use clerk_memberships::testing::{
    FakeClerk, FakeOrganization, FakeUser, Fault, MEMBERSHIP_JSON, ManualClock, MockTransport,
};
use clerk_memberships::{
    BuildError, Client, Error, HttpRequest, HttpResponse, Metadata, Method, Operation,
    OrganizationMembership, Transport, TransportError,
};
use serde_json::json;

use crate::support::TestResult;

// The single changes with every field they need set, so that each test reads as the call it
// makes; building cannot fail with those, sending can.

fn ensure_member(
    client: &Client,
    org: &str,
    user: &str,
    role: &str,
) -> Result<Ensured, ChangeError> {
    ensure_member_with_metadata(client, org, user, role, None, None)
}

fn ensure_member_with_metadata(
    client: &Client,
    org: &str,
    user: &str,
    role: &str,
    public_metadata: Option<&Metadata>,
    private_metadata: Option<&Metadata>,
) -> Result<Ensured, ChangeError> {
    EnsureMember::builder()
        .organization_id(org)
        .user_id(user)
        .role(role)
        .set_public_metadata(public_metadata.cloned())
        .set_private_metadata(private_metadata.cloned())
        .build()
        .expect("every field is set")
        .send(client)
}

fn change_role(client: &Client, org: &str, user: &str, role: &str) -> Result<RoleSet, ChangeError> {
    change_role_as(client, org, user, role, None)
}

fn change_role_with(
    client: &Client,
    org: &str,
    user: &str,
    role: &str,
    admin_role: &str,
) -> Result<RoleSet, ChangeError> {
    change_role_as(client, org, user, role, Some(admin_role))
}

/// With the default admin role unless `admin_role` names one.
fn change_role_as(
    client: &Client,
    org: &str,
    user: &str,
    role: &str,
    admin_role: Option<&str>,
) -> Result<RoleSet, ChangeError> {
    let mut change = ChangeRole::builder()
        .organization_id(org)
        .user_id(user)
        .role(role);
    if let Some(admin_role) = admin_role {
        change = change.admin_role(admin_role);
    }
    change.build().expect("every field is set").send(client)
}

fn remove_member(client: &Client, org: &str, user: &str) -> Result<Removal, Error> {
    remove_member_as(client, org, user, None)
}

fn remove_member_with(
    client: &Client,
    org: &str,
    user: &str,
    admin_role: &str,
) -> Result<Removal, Error> {
    remove_member_as(client, org, user, Some(admin_role))
}

/// With the default admin role unless `admin_role` names one.
fn remove_member_as(
    client: &Client,
    org: &str,
    user: &str,
    admin_role: Option<&str>,
) -> Result<Removal, Error> {
    let mut remove = RemoveMember::builder().organization_id(org).user_id(user);
    if let Some(admin_role) = admin_role {
        remove = remove.admin_role(admin_role);
    }
    remove.build().expect("every field is set").send(client)
}

fn merge_metadata(
    client: &Client,
    org: &str,
    user: &str,
    public_metadata: Option<&Metadata>,
    private_metadata: Option<&Metadata>,
) -> Result<MetadataMerge, Error> {
    MergeMetadata::builder()
        .organization_id(org)
        .user_id(user)
        .set_public_metadata(public_metadata.cloned())
        .set_private_metadata(private_metadata.cloned())
        .build()
        .expect("every field is set")
        .send(client)
}

fn find_member(
    client: &Client,
    org: &str,
    user: &str,
) -> Result<Option<OrganizationMembership>, Error> {
    FindMember::builder()
        .organization_id(org)
        .user_id(user)
        .build()
        .expect("every field is set")
        .send(client)
}

/// A change made to the fake's state just before a given request reaches it.
type Action = Box<dyn Fn(&FakeClerk) + Send + Sync>;

/// A transport in front of the fake that changes the fake's state just before chosen
/// requests (counted from 0) reach it, as someone else's calls would between two steps of a
/// helper. It sends no request of its own, so the fake's record holds only the helper's.
#[derive(Clone)]
struct Meddler {
    fake: FakeClerk,
    seen: Arc<AtomicUsize>,
    actions: Arc<Mutex<Vec<(usize, Action)>>>,
}

impl Transport for Meddler {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let n = self.seen.fetch_add(1, Ordering::SeqCst);
        let actions = self.actions.lock().unwrap_or_else(|e| e.into_inner());
        for (_, action) in actions.iter().filter(|(at, _)| *at == n) {
            action(&self.fake);
        }
        drop(actions);
        self.fake.send(request)
    }
}

struct Setup {
    fake: FakeClerk,
    client: Client,
    org: String,
    jane: String,
    john: String,
}

fn setup() -> Setup {
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_millis(FakeClerk::START_MS as u64));
    let fake = FakeClerk::with_clock(clock);
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let jane = fake.add_user(FakeUser::new("Jane", "Doe").email("jane@acme.com"));
    let john = fake.add_user(FakeUser::new("John", "Roe").email("john@acme.com"));
    Setup {
        client: fake.client(),
        fake,
        org,
        jane,
        john,
    }
}

impl Setup {
    /// The methods of the requests the fake saw, in order.
    fn methods(&self) -> Vec<Method> {
        self.fake
            .requests()
            .iter()
            .map(HttpRequest::method)
            .collect()
    }

    fn creates(&self) -> usize {
        self.methods()
            .iter()
            .filter(|m| **m == Method::Post)
            .count()
    }

    fn role(&self, user: &str) -> Option<String> {
        self.fake.membership(&self.org, user).map(|m| m.role)
    }

    /// A client whose requests go through a [`Meddler`] that runs each `(n, action)` just
    /// before the `n`-th request (from 0) reaches the fake.
    fn meddled(&self, actions: Vec<(usize, Action)>) -> Result<Client, Box<dyn std::error::Error>> {
        let meddler = Meddler {
            fake: self.fake.clone(),
            seen: Arc::new(AtomicUsize::new(0)),
            actions: Arc::new(Mutex::new(actions)),
        };
        Ok(self.fake.client_builder().transport(meddler).build()?)
    }

    /// An action on Jane's membership of the organization, run just before the `at`-th
    /// request (from 0) reaches the fake.
    fn on_jane(
        &self,
        at: usize,
        action: impl Fn(&FakeClerk, &str, &str) + Send + Sync + 'static,
    ) -> (usize, Action) {
        let (org, jane) = (self.org.clone(), self.jane.clone());
        act(at, move |fake| action(fake, &org, &jane))
    }
}

fn act(at: usize, action: impl Fn(&FakeClerk) + Send + Sync + 'static) -> (usize, Action) {
    (at, Box::new(action))
}

// ---------------------------------------------------------------------------------------
// ensure_member

#[test]
fn ensure_member_adds_a_new_member_in_one_request() -> TestResult {
    let s = setup();
    let ensured = ensure_member(&s.client, &s.org, &s.jane, "org:member")?;
    assert_eq!(ensured, Ensured::Created);
    assert_eq!(s.methods(), [Method::Post]);
    assert_eq!(s.role(&s.jane).as_deref(), Some("org:member"));
    Ok(())
}

#[test]
fn ensure_member_with_the_same_role_reads_and_writes_nothing_more() -> TestResult {
    let s = setup();
    s.fake.add_membership(&s.org, &s.jane, "org:member")?;
    let ensured = ensure_member(&s.client, &s.org, &s.jane, "org:member")?;
    assert_eq!(ensured, Ensured::Unchanged);
    assert_eq!(s.methods(), [Method::Post, Method::Get]);
    let read = &s.fake.requests()[1];
    assert_eq!(
        read.path_and_query(),
        format!(
            "/v1/organizations/{}/memberships?user_id={}&limit=1",
            s.org, s.jane
        )
    );
    Ok(())
}

#[test]
fn ensure_member_with_another_role_sets_it_in_three_requests() -> TestResult {
    let s = setup();
    s.fake.add_membership(&s.org, &s.jane, "org:member")?;
    let ensured = ensure_member(&s.client, &s.org, &s.jane, "org:admin")?;
    assert_eq!(
        ensured,
        Ensured::RoleChanged {
            from: "org:member".into()
        }
    );
    assert_eq!(s.methods(), [Method::Post, Method::Get, Method::Patch]);
    assert_eq!(s.role(&s.jane).as_deref(), Some("org:admin"));
    Ok(())
}

#[test]
fn ensure_member_with_metadata_sends_it_with_the_create_only() -> TestResult {
    let s = setup();
    let public = json!({"team": "billing"});
    let private = json!({"hr": {"employee_id": 42}});
    let ensured = ensure_member_with_metadata(
        &s.client,
        &s.org,
        &s.jane,
        "org:member",
        public.as_object(),
        private.as_object(),
    )?;
    assert_eq!(ensured, Ensured::Created);
    assert_eq!(s.methods(), [Method::Post]);
    let body: serde_json::Value =
        serde_json::from_slice(s.fake.requests()[0].body().unwrap_or_default())?;
    assert_eq!(
        body,
        json!({"user_id": s.jane, "role": "org:member", "public_metadata": public, "private_metadata": private})
    );

    // A member keeps the metadata they have: only the role is compared and set.
    s.fake.add_membership(&s.org, &s.john, "org:member")?;
    let other = json!({"team": "sales"});
    let ensured = ensure_member_with_metadata(
        &s.client,
        &s.org,
        &s.john,
        "org:admin",
        other.as_object(),
        None,
    )?;
    assert_eq!(
        ensured,
        Ensured::RoleChanged {
            from: "org:member".into()
        }
    );
    let john = s
        .fake
        .membership(&s.org, &s.john)
        .ok_or("john is a member")?;
    assert!(john.public_metadata.is_empty());
    Ok(())
}

#[test]
fn ensure_member_reports_what_cannot_be_done_without_retrying_it() -> TestResult {
    let s = setup();
    let err = ensure_member(&s.client, &s.org, "user_nobody", "org:member").unwrap_err();
    assert!(!err.is_unknown());
    assert!(err.error().is_not_found());
    assert_eq!(s.methods(), [Method::Post]);

    let full = s
        .fake
        .add_organization(FakeOrganization::new("Full").max_allowed_memberships(1));
    s.fake.add_membership(&full, &s.john, "org:admin")?;
    let err = ensure_member(&s.client, &full, &s.jane, "org:member").unwrap_err();
    assert!(err.error().is_quota_exceeded());
    assert!(matches!(Outcome::from(err), Outcome::Failed(_)));
    Ok(())
}

#[test]
fn invalid_input_is_refused_before_anything_is_sent() -> TestResult {
    let s = setup();
    // (An empty role is refused by `build`, before there is a request to send: see
    // `ensure_member_and_change_role_refuse_an_empty_or_too_long_role_when_built`.)
    let refused = [
        ensure_member(&s.client, "", &s.jane, "org:member").unwrap_err(),
        change_role(&s.client, &s.org, "..", "org:admin").unwrap_err(),
    ];
    let fields: Vec<_> = refused
        .iter()
        .map(|err| err.error().build_error().map(|e| e.field()))
        .collect();
    assert_eq!(fields, [Some("organization_id"), Some("user_id")]);
    assert_eq!(
        remove_member(&s.client, &s.org, " ")
            .unwrap_err()
            .build_error()
            .map(|e| e.field()),
        Some("user_id")
    );
    assert_eq!(
        find_member(&s.client, &s.org, "")
            .unwrap_err()
            .build_error()
            .map(|e| e.field()),
        Some("user_id")
    );
    let too_deep = (0..100).fold(json!(1), |inner, _| json!({ "a": inner }));
    let err = merge_metadata(&s.client, &s.org, &s.jane, too_deep.as_object(), None).unwrap_err();
    assert_eq!(
        err.build_error().map(|e| e.field()),
        Some("public_metadata")
    );
    assert!(s.fake.requests().is_empty());
    Ok(())
}

// ---------------------------------------------------------------------------------------
// A create whose answer is lost: settled by reading back, never sent twice when it landed.

#[test]
fn a_create_answered_503_after_it_landed_is_settled_as_created() -> TestResult {
    let s = setup();
    s.fake
        .inject(Fault::ServerError { status: 503 })
        .after_processing()
        .only(Operation::Create);
    let ensured = ensure_member(&s.client, &s.org, &s.jane, "org:member")?;
    assert_eq!(ensured, Ensured::Created);
    assert_eq!(s.methods(), [Method::Post, Method::Get]);
    assert_eq!(s.creates(), 1, "no create reached the fake twice");
    assert_eq!(s.role(&s.jane).as_deref(), Some("org:member"));
    Ok(())
}

#[test]
fn a_create_that_timed_out_after_it_landed_is_settled_as_created() -> TestResult {
    let s = setup();
    s.fake.inject(Fault::TimedOut).only(Operation::Create);
    let ensured = ensure_member(&s.client, &s.org, &s.jane, "org:member")?;
    assert_eq!(ensured, Ensured::Created);
    assert_eq!(s.methods(), [Method::Post, Method::Get]);
    Ok(())
}

#[test]
fn a_lost_create_found_with_another_role_gets_its_role_set() -> TestResult {
    let s = setup();
    // The create is lost behind a proxy's page before it is processed; meanwhile someone
    // else adds Jane as an admin.
    s.fake
        .inject(Fault::HtmlPage { status: 502 })
        .only(Operation::Create);
    let client = s.meddled(vec![s.on_jane(1, |fake, org, jane| {
        fake.add_membership(org, jane, "org:admin").ok();
    })])?;
    let ensured = ensure_member(&client, &s.org, &s.jane, "org:member")?;
    assert_eq!(
        ensured,
        Ensured::RoleChanged {
            from: "org:admin".into()
        }
    );
    assert_eq!(s.methods(), [Method::Post, Method::Get, Method::Patch]);
    assert_eq!(s.role(&s.jane).as_deref(), Some("org:member"));
    Ok(())
}

#[test]
fn a_create_that_did_not_land_is_sent_again_once() -> TestResult {
    let s = setup();
    // A 503 before processing: the read-back finds nothing, so creating again is safe.
    s.fake
        .inject(Fault::ServerError { status: 503 })
        .only(Operation::Create);
    let ensured = ensure_member(&s.client, &s.org, &s.jane, "org:member")?;
    assert_eq!(ensured, Ensured::Created);
    assert_eq!(s.methods(), [Method::Post, Method::Get, Method::Post]);
    assert_eq!(s.role(&s.jane).as_deref(), Some("org:member"));
    Ok(())
}

#[test]
fn a_create_that_twice_did_not_land_fails_with_its_error() -> TestResult {
    let s = setup();
    s.fake
        .inject(Fault::ServerError { status: 503 })
        .times(2)
        .only(Operation::Create);
    let err = ensure_member(&s.client, &s.org, &s.jane, "org:member").unwrap_err();
    assert!(matches!(err, ChangeError::Failed(_)), "{err:?}");
    assert_eq!(err.error().status(), Some(503));
    assert_eq!(
        s.methods(),
        [Method::Post, Method::Get, Method::Post, Method::Get],
        "two creates at most, each settled"
    );
    assert_eq!(
        s.role(&s.jane),
        None,
        "read back twice: certainly not created"
    );
    Ok(())
}

#[test]
fn a_lost_create_whose_read_back_fails_is_unknown() -> TestResult {
    let s = setup();
    s.fake.inject(Fault::TimedOut).only(Operation::Create);
    // The client tries a list four times by default; every attempt fails.
    s.fake
        .inject(Fault::ServerError { status: 500 })
        .times(4)
        .only(Operation::List);
    let err = ensure_member(&s.client, &s.org, &s.jane, "org:member").unwrap_err();
    assert!(err.is_unknown());
    assert!(
        err.error()
            .transport_error()
            .is_some_and(|t| t.may_have_been_sent())
    );
    assert_eq!(err.read_back_error().and_then(|e| e.status()), Some(500));
    assert!(
        err.to_string()
            .starts_with("unknown whether the membership was created: create membership (POST "),
        "{err}"
    );
    let source = std::error::Error::source(&err).ok_or("a source")?;
    assert!(source.to_string().contains("status 500"), "{source}");
    assert_eq!(s.creates(), 1, "an unsettled create is never sent again");
    assert!(matches!(Outcome::from(err), Outcome::Unknown { .. }));
    // It did land: planning again would see it.
    assert_eq!(s.role(&s.jane).as_deref(), Some("org:member"));
    Ok(())
}

#[test]
fn a_create_refused_by_the_rate_limit_is_not_settled_but_retried_by_the_client() -> TestResult {
    let s = setup();
    s.fake
        .inject(Fault::RateLimited {
            retry_after: Duration::from_secs(1),
        })
        .only(Operation::Create);
    let ensured = ensure_member(&s.client, &s.org, &s.jane, "org:member")?;
    assert_eq!(ensured, Ensured::Created);
    assert_eq!(
        s.methods(),
        [Method::Post, Method::Post],
        "a 429 was not processed"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// "Already a member" after a lost first attempt: most likely this call's own create.

/// A client on `s.fake` that repeats a create after an attempt that may have landed.
fn repeating_creates(s: &Setup) -> Result<Client, Box<dyn std::error::Error>> {
    let policy = clerk_memberships::RetryPolicy::builder()
        .retry_ambiguous_creates(true)
        .initial_backoff(Duration::from_millis(1))
        .build();
    Ok(s.fake
        .client_builder()
        .clock(ManualClock::new(
            UNIX_EPOCH + Duration::from_millis(FakeClerk::START_MS as u64),
        ))
        .retry_policy(policy)
        .build()?)
}

#[test]
fn a_repeated_create_answered_already_a_member_after_a_lost_answer_is_created() -> TestResult {
    let s = setup();
    // The first attempt is processed and its answer lost; the client sends it again.
    s.fake.inject(Fault::TimedOut).only(Operation::Create);
    let client = repeating_creates(&s)?;
    let ensured = ensure_member(&client, &s.org, &s.jane, "org:member")?;
    assert_eq!(
        ensured,
        Ensured::Created,
        "the membership is this call's own"
    );
    assert_eq!(Outcome::from(ensured).kind(), OutcomeKind::Applied);
    assert_eq!(s.methods(), [Method::Post, Method::Post, Method::Get]);
    assert_eq!(s.role(&s.jane).as_deref(), Some("org:member"));
    Ok(())
}

#[test]
fn a_repeated_create_answered_already_a_member_whose_read_fails_is_unknown() -> TestResult {
    let s = setup();
    s.fake.inject(Fault::TimedOut).only(Operation::Create);
    s.fake
        .inject(Fault::ServerError { status: 500 })
        .times(4)
        .only(Operation::List);
    let client = repeating_creates(&s)?;
    let err = ensure_member(&client, &s.org, &s.jane, "org:member").unwrap_err();
    assert!(err.is_unknown(), "{err:?}");
    assert!(err.error().is_already_member(), "{err}");
    assert_eq!(err.error().attempts(), 2);
    assert_eq!(err.read_back_error().and_then(|e| e.status()), Some(500));
    assert!(matches!(Outcome::from(err), Outcome::Unknown { .. }));
    // The membership exists: it was never a failure.
    assert_eq!(s.role(&s.jane).as_deref(), Some("org:member"));
    Ok(())
}

#[test]
fn a_create_sent_again_after_a_lost_answer_and_answered_already_a_member_is_settled() -> TestResult
{
    let s = setup();
    // The first create's answer is lost (a 503) and the read-back finds nothing, so it is
    // sent again; by then the first one has gone through after all, and the second is
    // answered "already a member". The read that follows fails.
    s.fake
        .inject(Fault::ServerError { status: 503 })
        .only(Operation::Create);
    let client = s.meddled(vec![s.on_jane(2, |fake, org, jane| {
        fake.add_membership(org, jane, "org:member").ok();
        fake.inject(Fault::ServerError { status: 500 })
            .times(4)
            .only(Operation::List);
    })])?;
    let err = ensure_member(&client, &s.org, &s.jane, "org:member").unwrap_err();
    assert!(err.is_unknown(), "{err:?}");
    assert_eq!(err.error().status(), Some(503), "the lost create's error");
    assert_eq!(err.read_back_error().and_then(|e| e.status()), Some(500));
    assert_eq!(s.creates(), 2);
    assert_eq!(s.role(&s.jane).as_deref(), Some("org:member"));

    // Read back this time: found with the role, it is reported as created.
    let s = setup();
    s.fake
        .inject(Fault::ServerError { status: 503 })
        .only(Operation::Create);
    let client = s.meddled(vec![s.on_jane(2, |fake, org, jane| {
        fake.add_membership(org, jane, "org:member").ok();
    })])?;
    let ensured = ensure_member(&client, &s.org, &s.jane, "org:member")?;
    assert_eq!(ensured, Ensured::Created);
    assert_eq!(
        s.methods(),
        [Method::Post, Method::Get, Method::Post, Method::Get]
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Races between the steps of ensure_member

#[test]
fn a_member_who_vanishes_before_the_read_is_created_again() -> TestResult {
    let s = setup();
    s.fake.add_membership(&s.org, &s.jane, "org:member")?;
    let client = s.meddled(vec![s.on_jane(1, |fake, org, jane| {
        fake.remove_membership(org, jane);
    })])?;
    let ensured = ensure_member(&client, &s.org, &s.jane, "org:admin")?;
    assert_eq!(ensured, Ensured::Created);
    assert_eq!(s.methods(), [Method::Post, Method::Get, Method::Post]);
    assert_eq!(s.role(&s.jane).as_deref(), Some("org:admin"));
    Ok(())
}

#[test]
fn a_role_update_whose_membership_vanished_creates_it() -> TestResult {
    let s = setup();
    s.fake.add_membership(&s.org, &s.jane, "org:member")?;
    let client = s.meddled(vec![s.on_jane(2, |fake, org, jane| {
        fake.remove_membership(org, jane);
    })])?;
    let ensured = ensure_member(&client, &s.org, &s.jane, "org:admin")?;
    assert_eq!(ensured, Ensured::Created);
    assert_eq!(
        s.methods(),
        [Method::Post, Method::Get, Method::Patch, Method::Post]
    );
    assert_eq!(s.role(&s.jane).as_deref(), Some("org:admin"));
    Ok(())
}

#[test]
fn a_role_set_by_someone_else_meanwhile_is_overwritten_with_the_one_asked() -> TestResult {
    let s = setup();
    s.fake.add_membership(&s.org, &s.jane, "org:member")?;
    let client = s.meddled(vec![s.on_jane(2, |fake, org, jane| {
        fake.set_membership_role(org, jane, "org:billing");
    })])?;
    let ensured = ensure_member(&client, &s.org, &s.jane, "org:admin")?;
    // The role it had when read is the one reported.
    assert_eq!(
        ensured,
        Ensured::RoleChanged {
            from: "org:member".into()
        }
    );
    assert_eq!(s.role(&s.jane).as_deref(), Some("org:admin"));
    Ok(())
}

#[test]
fn a_membership_that_keeps_flapping_ends_the_call_after_two_creates() -> TestResult {
    let s = setup();
    let add = |at: usize| {
        s.on_jane(at, |fake, org, jane| {
            fake.add_membership(org, jane, "org:member").ok();
        })
    };
    let remove = |at: usize| {
        s.on_jane(at, |fake, org, jane| {
            fake.remove_membership(org, jane);
        })
    };
    // Someone adds Jane before each create and removes her before each update.
    let client = s.meddled(vec![add(0), remove(2), add(3), remove(5)])?;
    let err = ensure_member(&client, &s.org, &s.jane, "org:admin").unwrap_err();
    assert!(matches!(err, ChangeError::Failed(_)));
    assert!(err.error().is_not_found(), "the last error: {err}");
    assert_eq!(
        s.methods(),
        [
            Method::Post,
            Method::Get,
            Method::Patch,
            Method::Post,
            Method::Get,
            Method::Patch
        ],
        "six requests at most"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// change_role

#[test]
fn change_role_updates_a_member_in_one_request() -> TestResult {
    let s = setup();
    s.fake.add_membership(&s.org, &s.jane, "org:member")?;
    assert_eq!(
        change_role(&s.client, &s.org, &s.jane, "org:admin")?,
        RoleSet::Changed
    );
    assert_eq!(s.methods(), [Method::Patch]);
    assert_eq!(s.role(&s.jane).as_deref(), Some("org:admin"));
    Ok(())
}

#[test]
fn change_role_answered_404_adds_the_user_with_the_role() -> TestResult {
    let s = setup();
    let set = change_role(&s.client, &s.org, &s.jane, "org:admin")?;
    assert_eq!(set, RoleSet::Created);
    assert_eq!(Outcome::from(set).kind(), OutcomeKind::AlreadyDone);
    assert_eq!(s.methods(), [Method::Patch, Method::Post]);
    assert_eq!(s.role(&s.jane).as_deref(), Some("org:admin"));
    Ok(())
}

#[test]
fn change_role_absorbs_a_member_added_again_meanwhile() -> TestResult {
    let s = setup();
    // The update finds no member; before the create, someone adds Jane with the role.
    let client = s.meddled(vec![s.on_jane(1, |fake, org, jane| {
        fake.add_membership(org, jane, "org:admin").ok();
    })])?;
    assert_eq!(
        change_role(&client, &s.org, &s.jane, "org:admin")?,
        RoleSet::Unchanged
    );
    assert_eq!(s.methods(), [Method::Patch, Method::Post, Method::Get]);
    Ok(())
}

#[test]
fn change_role_in_an_unknown_organization_fails_with_the_creates_404() -> TestResult {
    let s = setup();
    let err = change_role(&s.client, "org_unknown", &s.jane, "org:admin").unwrap_err();
    assert!(err.error().is_not_found());
    assert_eq!(
        err.error().call().map(|call| call.operation()),
        Some(Operation::Create)
    );
    assert_eq!(s.methods(), [Method::Patch, Method::Post]);
    Ok(())
}

#[test]
fn change_role_with_a_lost_create_settles_it_by_reading_back() -> TestResult {
    let s = setup();
    s.fake
        .inject(Fault::ServerError { status: 504 })
        .after_processing()
        .only(Operation::Create);
    assert_eq!(
        change_role(&s.client, &s.org, &s.jane, "org:admin")?,
        RoleSet::Created
    );
    assert_eq!(s.methods(), [Method::Patch, Method::Post, Method::Get]);
    assert_eq!(s.creates(), 1);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// remove_member

#[test]
fn remove_member_removes_or_finds_nothing_to_remove_after_one_read_of_the_admins() -> TestResult {
    let s = setup();
    s.fake.add_membership(&s.org, &s.jane, "org:member")?;
    assert_eq!(
        remove_member(&s.client, &s.org, &s.jane)?,
        Removal::Removed {
            role: "org:member".into()
        }
    );
    assert_eq!(
        remove_member(&s.client, &s.org, &s.jane)?,
        Removal::WasNotMember
    );
    assert_eq!(
        s.methods(),
        [Method::Get, Method::Delete, Method::Get, Method::Delete]
    );
    assert!(s.fake.membership(&s.org, &s.jane).is_none());
    Ok(())
}

#[test]
fn a_delete_whose_answer_was_lost_and_whose_retry_found_nothing_is_gone() -> TestResult {
    let s = setup();
    s.fake.add_membership(&s.org, &s.jane, "org:member")?;
    s.fake
        .inject(Fault::ConnectionReset)
        .only(Operation::Delete);
    let removal = remove_member(&s.client, &s.org, &s.jane)?;
    assert_eq!(removal, Removal::Gone);
    assert_eq!(Outcome::from(removal).kind(), OutcomeKind::Applied);
    assert_eq!(s.methods(), [Method::Get, Method::Delete, Method::Delete]);
    Ok(())
}

#[test]
fn remove_member_reports_other_failures() -> TestResult {
    let s = setup();
    s.fake.add_membership(&s.org, &s.jane, "org:member")?;
    s.fake
        .inject(Fault::ServerError { status: 503 })
        .times(4)
        .only(Operation::Delete);
    let err = remove_member(&s.client, &s.org, &s.jane).unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.attempts(), 4);
    assert!(matches!(
        Outcome::from(Err::<Removal, _>(err)),
        Outcome::Failed(_)
    ));
    assert!(s.fake.membership(&s.org, &s.jane).is_some());
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The last admin: checked on the server before a demotion or a removal

#[test]
fn change_role_never_moves_the_last_admin_away() -> TestResult {
    let s = setup();
    s.fake.add_membership(&s.org, &s.jane, "org:admin")?;
    let set = change_role(&s.client, &s.org, &s.jane, "org:member")?;
    assert_eq!(
        set,
        RoleSet::LastAdmin {
            role: "org:admin".into()
        }
    );
    assert!(matches!(
        Outcome::from(set),
        Outcome::Skipped(SkipReason::NoOtherAdmin { role }) if role == "org:admin"
    ));
    assert_eq!(s.methods(), [Method::Get], "one read, nothing written");
    assert_eq!(
        s.fake.requests()[0].path_and_query(),
        format!(
            "/v1/organizations/{}/memberships?role=org%3Aadmin&limit=2",
            s.org
        )
    );
    assert_eq!(s.role(&s.jane).as_deref(), Some("org:admin"));

    // With John an admin too, Jane may go.
    s.fake.add_membership(&s.org, &s.john, "org:admin")?;
    s.fake.clear_requests();
    let set = change_role(&s.client, &s.org, &s.jane, "org:member")?;
    assert_eq!(set, RoleSet::Changed);
    assert_eq!(s.methods(), [Method::Get, Method::Patch]);
    assert_eq!(s.role(&s.jane).as_deref(), Some("org:member"));
    Ok(())
}

#[test]
fn change_role_with_guards_the_admin_role_it_is_given() -> TestResult {
    let s = setup();
    s.fake
        .add_role("org:owner", "Owner", ["org:sys_memberships:manage"]);
    s.fake.add_membership(&s.org, &s.jane, "org:owner")?;
    s.fake.add_membership(&s.org, &s.john, "org:admin")?;
    let owners = "org:owner";
    let set = change_role_with(&s.client, &s.org, &s.jane, "org:admin", owners)?;
    assert_eq!(
        set,
        RoleSet::LastAdmin {
            role: "org:owner".into()
        }
    );
    assert_eq!(
        s.fake.requests()[0].path_and_query(),
        format!(
            "/v1/organizations/{}/memberships?role=org%3Aowner&limit=2",
            s.org
        )
    );
    assert_eq!(s.role(&s.jane).as_deref(), Some("org:owner"));
    // Moving someone to the admin role takes it from nobody: no read.
    s.fake.clear_requests();
    let set = change_role_with(&s.client, &s.org, &s.john, "org:owner", owners)?;
    assert_eq!(set, RoleSet::Changed);
    assert_eq!(s.methods(), [Method::Patch]);
    Ok(())
}

#[test]
fn remove_member_never_removes_the_last_admin_but_removes_others() -> TestResult {
    let s = setup();
    s.fake.add_membership(&s.org, &s.jane, "org:admin")?;
    s.fake.add_membership(&s.org, &s.john, "org:member")?;
    let removal = remove_member(&s.client, &s.org, &s.jane)?;
    assert_eq!(
        removal,
        Removal::LastAdmin {
            role: "org:admin".into()
        }
    );
    assert!(matches!(
        Outcome::from(removal),
        Outcome::Skipped(SkipReason::NoOtherAdmin { .. })
    ));
    assert_eq!(s.role(&s.jane).as_deref(), Some("org:admin"));
    // John is not an admin: the read lets him go.
    let removal = remove_member(&s.client, &s.org, &s.john)?;
    assert_eq!(
        removal,
        Removal::Removed {
            role: "org:member".into()
        }
    );
    assert_eq!(s.methods(), [Method::Get, Method::Get, Method::Delete]);
    Ok(())
}

#[test]
fn a_member_is_removed_from_an_organization_that_has_no_admin() -> TestResult {
    let s = setup();
    s.fake.add_membership(&s.org, &s.john, "org:member")?;
    let owners = "org:owner";
    let removal = remove_member_with(&s.client, &s.org, &s.john, owners)?;
    assert_eq!(
        removal,
        Removal::Removed {
            role: "org:member".into()
        }
    );
    Ok(())
}

#[test]
fn an_empty_admin_role_is_refused_before_anything_is_sent() -> TestResult {
    let s = setup();
    s.fake.add_membership(&s.org, &s.jane, "org:admin")?;
    let refused = BuildError::InvalidField {
        field: "admin_role",
        rule: "must not be empty".into(),
    };
    let change = ChangeRole::builder()
        .organization_id(&s.org)
        .user_id(&s.jane)
        .role("org:member")
        .admin_role(" ")
        .build();
    assert_eq!(change.unwrap_err(), refused);
    let remove = RemoveMember::builder()
        .organization_id(&s.org)
        .user_id(&s.jane)
        .admin_role(" ")
        .build();
    assert_eq!(remove.unwrap_err(), refused);
    assert!(s.fake.requests().is_empty());
    Ok(())
}

#[test]
fn a_demotion_or_removal_that_cannot_be_sent_is_refused_before_the_check() -> TestResult {
    let s = setup();
    let err = change_role(&s.client, &s.org, "..", "org:member").unwrap_err();
    assert_eq!(
        err.error().build_error().map(|e| e.field()),
        Some("user_id")
    );
    let err = remove_member(&s.client, &s.org, "..").unwrap_err();
    assert_eq!(err.build_error().map(|e| e.field()), Some("user_id"));
    assert!(
        s.fake.requests().is_empty(),
        "not even the read of the admins"
    );
    Ok(())
}

#[test]
fn a_check_that_fails_writes_nothing() -> TestResult {
    let s = setup();
    s.fake.add_membership(&s.org, &s.jane, "org:admin")?;
    s.fake.add_membership(&s.org, &s.john, "org:admin")?;
    s.fake
        .inject(Fault::ServerError { status: 500 })
        .times(8)
        .only(Operation::List);
    let err = remove_member(&s.client, &s.org, &s.jane).unwrap_err();
    assert_eq!(err.status(), Some(500));
    let err = change_role(&s.client, &s.org, &s.john, "org:member").unwrap_err();
    assert!(matches!(err, ChangeError::Failed(_)));
    assert!(s.methods().iter().all(|m| *m == Method::Get));
    assert_eq!(s.role(&s.jane).as_deref(), Some("org:admin"));
    assert_eq!(s.role(&s.john).as_deref(), Some("org:admin"));
    Ok(())
}

#[test]
fn only_members_holding_the_admin_role_count_as_another_admin() -> TestResult {
    // A server that ignored the role filter lists a plain member besides the admin.
    let mock = MockTransport::new();
    let jane = "user_2h8op3Isl1QR7tKu5FGNfaLKEoU";
    let admin = MEMBERSHIP_JSON.replace("org:member", "org:admin");
    let other = MEMBERSHIP_JSON.replace(jane, "user_other");
    mock.push_json(
        200,
        format!(r#"{{"data":[{other},{admin}],"total_count":2}}"#),
    );
    let removal = remove_member(&mock.client(), "org_1", jane)?;
    assert_eq!(
        removal,
        Removal::LastAdmin {
            role: "org:admin".into()
        }
    );
    assert_eq!(mock.requests().len(), 1);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// merge_metadata

#[test]
fn merge_metadata_deep_merges_in_one_request() -> TestResult {
    let s = setup();
    s.fake.add_membership(&s.org, &s.jane, "org:member")?;
    let first = json!({"team": "billing", "hr": {"id": 1, "old": true}});
    merge_metadata(&s.client, &s.org, &s.jane, first.as_object(), None)?;
    let patch = json!({"hr": {"old": null, "grade": "B"}});
    let merged = merge_metadata(&s.client, &s.org, &s.jane, patch.as_object(), None)?;
    assert_eq!(merged, MetadataMerge::Merged);
    let jane = s
        .fake
        .membership(&s.org, &s.jane)
        .ok_or("jane is a member")?;
    assert_eq!(
        serde_json::Value::Object(jane.public_metadata),
        json!({"team": "billing", "hr": {"id": 1, "grade": "B"}})
    );
    assert_eq!(s.methods(), [Method::Patch, Method::Patch]);
    let sent = &s.fake.requests()[1];
    let body: serde_json::Value = serde_json::from_slice(sent.body().unwrap_or_default())?;
    assert_eq!(
        body,
        json!({"public_metadata": patch}),
        "the patch, verbatim"
    );
    Ok(())
}

#[test]
fn merge_metadata_into_a_user_who_is_not_a_member_is_skipped() -> TestResult {
    let s = setup();
    let patch = json!({"team": "billing"});
    let merged = merge_metadata(&s.client, &s.org, &s.john, None, patch.as_object())?;
    assert_eq!(merged, MetadataMerge::NotAMember);
    match Outcome::from(merged) {
        Outcome::Skipped(reason) => {
            assert_eq!(reason, SkipReason::NotAMember);
            assert_eq!(reason.to_string(), "no longer a member");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(s.methods(), [Method::Patch]);
    assert!(
        s.fake.membership(&s.org, &s.john).is_none(),
        "never created"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// find_member

#[test]
fn find_member_reads_one_membership_with_the_user_id_filter() -> TestResult {
    let s = setup();
    s.fake.add_membership(&s.org, &s.john, "org:member")?;
    s.fake.add_membership(&s.org, &s.jane, "org:admin")?;
    let jane = find_member(&s.client, &s.org, &s.jane)?.ok_or("jane is a member")?;
    assert_eq!(jane.role, "org:admin");
    assert_eq!(
        jane.public_user_data.map(|user| user.user_id),
        Some(s.jane.clone())
    );
    s.fake.remove_membership(&s.org, &s.jane);
    assert_eq!(find_member(&s.client, &s.org, &s.jane)?, None);
    assert_eq!(s.methods(), [Method::Get, Method::Get]);
    Ok(())
}

#[test]
fn find_member_sends_a_signed_id_with_one_more_plus() -> TestResult {
    let s = setup();
    let odd = s.fake.add_user(FakeUser::new("Odd", "One").id("-odd"));
    s.fake.add_membership(&s.org, &s.jane, "org:member")?;
    s.fake.add_membership(&s.org, &odd, "org:member")?;
    let found = find_member(&s.client, &s.org, &odd)?.ok_or("found")?;
    assert_eq!(
        found.public_user_data.map(|user| user.user_id).as_deref(),
        Some("-odd")
    );
    let sent = s.fake.last_request().ok_or("a request")?;
    assert!(
        sent.path_and_query()
            .ends_with("/memberships?user_id=%2B-odd&limit=1")
    );
    Ok(())
}

#[test]
fn find_member_ignores_a_member_the_filter_should_have_excluded() -> TestResult {
    // A server that ignored the filter answers with someone else.
    let mock = MockTransport::new();
    mock.push_json(
        200,
        format!(r#"{{"data":[{MEMBERSHIP_JSON}],"total_count":1}}"#),
    );
    let found = find_member(&mock.client(), "org_1", "user_1")?;
    assert_eq!(found, None);
    let sent = mock.last_request().ok_or("a request")?;
    assert_eq!(sent.method(), Method::Get);
    assert_eq!(
        sent.path_and_query(),
        "/v1/organizations/org_1/memberships?user_id=user_1&limit=1"
    );
    Ok(())
}

#[test]
fn a_create_answered_2xx_that_cannot_be_read_is_settled_by_reading_back() -> TestResult {
    let mock = MockTransport::new();
    let user = "user_2h8op3Isl1QR7tKu5FGNfaLKEoU";
    mock.push_json(200, "{not json").push_json(
        200,
        format!(r#"{{"data":[{MEMBERSHIP_JSON}],"total_count":1}}"#),
    );
    let ensured = ensure_member(&mock.client(), "org_1", user, "org:member")?;
    assert_eq!(ensured, Ensured::Created);
    let sent = mock.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].method(), Method::Post);
    assert_eq!(sent[1].method(), Method::Get);
    Ok(())
}

#[test]
fn an_already_a_member_answer_is_read_and_compared() -> TestResult {
    let mock = MockTransport::new();
    let user = "user_2h8op3Isl1QR7tKu5FGNfaLKEoU";
    mock.push_json(
        400,
        r#"{"errors":[{"code":"already_a_member_in_organization","message":"already a member","long_message":"already a member"}]}"#,
    )
    .push_json(200, format!(r#"{{"data":[{MEMBERSHIP_JSON}],"total_count":1}}"#))
    .push_json(200, MEMBERSHIP_JSON.replace("org:member", "org:admin"));
    let ensured = ensure_member(&mock.client(), "org_1", user, "org:admin")?;
    assert_eq!(
        ensured,
        Ensured::RoleChanged {
            from: "org:member".into()
        }
    );
    let sent = mock.requests();
    assert_eq!(sent[2].method(), Method::Patch);
    assert_eq!(
        sent[2].path_and_query(),
        format!("/v1/organizations/org_1/memberships/{user}")
    );
    assert_eq!(sent[2].body(), Some(&br#"{"role":"org:admin"}"#[..]));
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Outcomes

#[test]
fn every_answer_maps_to_one_outcome() {
    let kinds = [
        (Outcome::from(Ensured::Created), OutcomeKind::Applied),
        (
            Outcome::from(Ensured::RoleChanged { from: "x".into() }),
            OutcomeKind::AlreadyDone,
        ),
        (Outcome::from(Ensured::Unchanged), OutcomeKind::AlreadyDone),
        (Outcome::from(RoleSet::Changed), OutcomeKind::Applied),
        (Outcome::from(RoleSet::Created), OutcomeKind::AlreadyDone),
        (Outcome::from(RoleSet::Unchanged), OutcomeKind::AlreadyDone),
        (
            Outcome::from(Removal::Removed { role: "x".into() }),
            OutcomeKind::Applied,
        ),
        (Outcome::from(Removal::Gone), OutcomeKind::Applied),
        (
            Outcome::from(Removal::WasNotMember),
            OutcomeKind::AlreadyDone,
        ),
        (Outcome::from(MetadataMerge::Merged), OutcomeKind::Applied),
        (
            Outcome::from(MetadataMerge::NotAMember),
            OutcomeKind::Skipped,
        ),
    ];
    for (outcome, kind) in kinds {
        assert_eq!(outcome.kind(), kind, "{outcome:?}");
        assert!(outcome.error().is_none());
    }
    assert_eq!(OutcomeKind::Unknown.to_string(), "unknown");
}

/// A role that is empty or over 1024 bytes is refused when the single change is built, as
/// by the operations' builders, before anything is read or sent.
#[test]
fn ensure_member_and_change_role_refuse_an_empty_or_too_long_role_when_built() {
    let too_long = "r".repeat(1025);
    for role in ["", too_long.as_str()] {
        let ensure = EnsureMember::builder()
            .organization_id("o")
            .user_id("u")
            .role(role)
            .build()
            .unwrap_err();
        let change = ChangeRole::builder()
            .organization_id("o")
            .user_id("u")
            .role(role)
            .build()
            .unwrap_err();
        for err in [ensure, change] {
            assert!(
                matches!(&err, BuildError::InvalidField { field, .. } if *field == "role"),
                "{err:?}"
            );
        }
    }
    let longest = "r".repeat(1024);
    assert!(
        EnsureMember::builder()
            .organization_id("o")
            .user_id("u")
            .role(longest.as_str())
            .build()
            .is_ok()
    );
}

#[test]
fn each_single_change_names_the_required_field_it_lacks() {
    let missing = |field| BuildError::MissingField(field);
    assert_eq!(
        EnsureMember::builder().user_id("u").role("r").build(),
        Err(missing("organization_id"))
    );
    assert_eq!(
        ChangeRole::builder().organization_id("o").role("r").build(),
        Err(missing("user_id"))
    );
    assert_eq!(
        EnsureMember::builder()
            .organization_id("o")
            .user_id("u")
            .build(),
        Err(missing("role"))
    );
    assert_eq!(
        ChangeRole::builder()
            .organization_id("o")
            .user_id("u")
            .build(),
        Err(missing("role"))
    );
    assert_eq!(
        RemoveMember::builder().organization_id("o").build(),
        Err(missing("user_id"))
    );
    assert_eq!(
        MergeMetadata::builder().user_id("u").build(),
        Err(missing("organization_id"))
    );
    assert_eq!(
        FindMember::builder().organization_id("o").build(),
        Err(missing("user_id"))
    );
}
