//! Onboarding from a roster: addresses that name nobody are invited (with `invite`), a
//! pending invitation is waited on rather than sent again, replaced only with `reinvite`,
//! revoked under `prune` when its address left the roster, and held to `max_invites`; the
//! single and bulk invitation helpers never send a second email after a lost answer.

use clerk_memberships::sync::{
    self, ApplyOptions, Change, ChangeKind, InviteMember, InviteMembers, Invited, MetadataPolicy,
    NotInvited, OutcomeKind, Roster, RosterEntry, SyncError, SyncOptions,
};
use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser, Fault};
use clerk_memberships::{Operation, RetryPolicy};
use serde_json::json;

fn setup() -> (FakeClerk, String) {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let ann = fake.add_user(FakeUser::new("Ann", "Lee").email("ann@acme.com"));
    fake.add_membership(&org, &ann, "org:admin").unwrap();
    (fake, org)
}

fn roster(entries: &[(&str, &str)]) -> Roster {
    entries.iter().fold(Roster::new(), |roster, (email, role)| {
        roster.entry(RosterEntry::email(*email, *role)).unwrap()
    })
}

fn inviting() -> SyncOptions {
    SyncOptions::builder().invite(true).build()
}

#[test]
fn without_invite_an_unknown_address_stays_unresolved_and_no_invitation_is_read() {
    let (fake, org) = setup();
    let plan = sync::plan(
        &fake.client(),
        &org,
        &roster(&[
            ("ann@acme.com", "org:admin"),
            ("new@acme.com", "org:member"),
        ]),
        &SyncOptions::default(),
    )
    .unwrap();
    assert!(plan.is_empty());
    assert_eq!(plan.unresolved().len(), 1);
    assert!(plan.waiting().is_empty());
    assert!(
        fake.requests()
            .iter()
            .all(|r| r.operation() != Operation::ListInvitations)
    );
}

#[test]
fn a_whole_onboarding_plan_invite_accept_then_nothing_to_do() {
    let (fake, org) = setup();
    let client = fake.client();
    let wanted = Roster::new()
        .entry(RosterEntry::email("ann@acme.com", "org:admin"))
        .unwrap()
        .entry(
            RosterEntry::email("New.Hire@acme.com", "org:member")
                .with_public_metadata(json!({"team": "billing"})),
        )
        .unwrap();
    let options = SyncOptions::builder()
        .invite(true)
        .metadata(MetadataPolicy::Merge)
        .build();

    let plan = sync::plan(&client, &org, &wanted, &options).unwrap();
    assert_eq!(
        plan.to_string(),
        "+ invite New.Hire@acme.com org:member public_metadata={\"team\":\"billing\"}\n"
    );
    assert!(plan.is_fully_resolved());
    assert_eq!(plan.counts().invite, 1);
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(json["changes"][0]["kind"], "invite");
    assert_eq!(
        json["invite_check"],
        json!({"invites": 1, "max_invites": 50, "exceeded": false})
    );
    let back: sync::Plan = serde_json::from_value(json).unwrap();
    assert_eq!(back, plan);
    let report = plan.apply(&client, &ApplyOptions::default()).unwrap();
    assert_eq!(report.counts().applied, 1);
    assert!(
        report.to_string().contains("+ invite New.Hire@acme.com"),
        "{report}"
    );

    // Sent, not accepted: waiting, not a change; a re-run invites no one again.
    let again = sync::plan(&client, &org, &wanted, &options).unwrap();
    assert!(again.is_empty() && again.is_fully_resolved(), "{again}");
    assert_eq!(again.counts().waiting, 1);
    assert!(
        again
            .to_string()
            .starts_with("… waiting New.Hire@acme.com org:member (orginv_"),
        "{again}"
    );
    let json = serde_json::to_value(&again).unwrap();
    assert_eq!(json["counts"]["waiting"], 1);
    assert_eq!(json["waiting"][0]["invited_role"], "org:member");
    again.apply(&client, &ApplyOptions::default()).unwrap();
    assert_eq!(fake.invitations(&org).len(), 1);

    let membership = fake.accept_invitation("new.hire@acme.com").unwrap();
    assert_eq!(membership.public_metadata["team"], "billing");
    let done = sync::plan(&client, &org, &wanted, &options).unwrap();
    assert!(
        done.is_empty() && done.waiting().is_empty() && done.is_fully_resolved(),
        "{done}"
    );
    assert_eq!(done.to_string(), "");
}

#[test]
fn a_pending_invitation_with_another_role_is_replaced_only_with_reinvite() {
    let (fake, org) = setup();
    let client = fake.client();
    sync::plan(
        &client,
        &org,
        &roster(&[("bob@acme.com", "org:member")]),
        &inviting(),
    )
    .unwrap()
    .apply(&client, &ApplyOptions::default())
    .unwrap();
    let promoted = roster(&[("bob@acme.com", "org:admin")]);

    let plan = sync::plan(&client, &org, &promoted, &inviting()).unwrap();
    assert!(plan.is_empty());
    assert!(plan.waiting()[0].role_differs());
    assert!(
        plan.to_string()
            .contains("invited as org:member: a reinvite replaces it"),
        "{plan}"
    );

    let options = SyncOptions::builder().invite(true).reinvite(true).build();
    let plan = sync::plan(&client, &org, &promoted, &options).unwrap();
    let kinds: Vec<ChangeKind> = plan.changes().iter().map(Change::kind).collect();
    assert_eq!(kinds, [ChangeKind::RevokeInvitation, ChangeKind::Invite]);
    assert!(
        plan.to_string()
            .starts_with("- revoke bob@acme.com (orginv_"),
        "{plan}"
    );
    let report = plan.apply(&client, &ApplyOptions::default()).unwrap();
    assert_eq!(report.counts().applied, 2, "{report}");
    let statuses: Vec<(String, String)> = fake
        .invitations(&org)
        .into_iter()
        .map(|i| (i.status, i.role))
        .collect();
    assert_eq!(
        statuses,
        [
            ("revoked".to_owned(), "org:member".to_owned()),
            ("pending".to_owned(), "org:admin".to_owned())
        ]
    );
}

#[test]
fn prune_revokes_pending_invitations_whose_address_left_the_roster() {
    let (fake, org) = setup();
    let client = fake.client();
    sync::plan(
        &client,
        &org,
        &roster(&[
            ("ann@acme.com", "org:admin"),
            ("gone@acme.com", "org:member"),
        ]),
        &inviting(),
    )
    .unwrap()
    .apply(&client, &ApplyOptions::default())
    .unwrap();
    let options = SyncOptions::builder().invite(true).prune(true).build();
    let plan = sync::plan(
        &client,
        &org,
        &roster(&[("ann@acme.com", "org:admin")]),
        &options,
    )
    .unwrap();
    assert_eq!(plan.counts().revoke_invitation, 1);
    assert_eq!(plan.changes()[0].user_id(), "gone@acme.com");
    plan.apply(&client, &ApplyOptions::default()).unwrap();
    assert_eq!(fake.invitations(&org)[0].status, "revoked");
    // Without prune the invitation would have stayed.
}

#[test]
fn invitations_over_the_limit_are_refused_unless_forced() {
    let (fake, org) = setup();
    let client = fake.client();
    let many = roster(&[
        ("a@acme.com", "org:member"),
        ("b@acme.com", "org:member"),
        ("c@acme.com", "org:member"),
    ]);
    let options = SyncOptions::builder().invite(true).max_invites(2).build();
    let plan = sync::plan(&client, &org, &many, &options).unwrap();
    assert!(plan.invite_check().exceeded);
    assert!(
        plan.to_string()
            .ends_with("! 3 invitations exceed the limit of 2 per run: applying needs force\n"),
        "{plan}"
    );
    let err = plan.apply(&client, &ApplyOptions::default()).unwrap_err();
    assert!(matches!(err, SyncError::TooManyInvitations(check) if check.invites == 3));
    assert!(fake.invitations(&org).is_empty(), "nothing was sent");
    let forced = plan
        .apply(&client, &ApplyOptions::builder().force(true).build())
        .unwrap();
    assert_eq!(forced.counts().applied, 3);
    assert_eq!(SyncOptions::default().max_invites(), 50);
}

#[test]
fn an_invited_role_passes_the_role_check() {
    let (fake, org) = setup();
    let err = sync::plan(
        &fake.client(),
        &org,
        &roster(&[("new@acme.com", "org:nope")]),
        &inviting(),
    )
    .unwrap_err();
    assert!(matches!(err, SyncError::InvalidRoster { .. }), "{err}");
    assert!(fake.invitations(&org).is_empty());
}

#[test]
fn a_lost_answer_is_settled_by_reading_never_by_sending_again() {
    let (fake, org) = setup();
    let client = fake.client();
    fake.inject(Fault::TimedOut)
        .only(Operation::CreateInvitation)
        .after_processing();
    let invite = InviteMember::builder()
        .organization_id(&org)
        .email_address("new@acme.com")
        .role("org:member")
        .build()
        .unwrap();
    assert!(matches!(invite.send(&client), Ok(Invited::Sent(_))));
    let operations: Vec<Operation> = fake.requests().iter().map(|r| r.operation()).collect();
    assert_eq!(
        operations,
        [Operation::CreateInvitation, Operation::ListInvitations]
    );
    assert!(
        fake.requests()[1]
            .path_and_query()
            .ends_with("status=pending&email_address=new%40acme.com&limit=10")
    );
    assert_eq!(fake.invitations(&org).len(), 1, "one email");

    // A 5xx before the server acted: the read finds nothing, and nothing is sent again.
    fake.clear_requests();
    fake.inject(Fault::ServerError { status: 503 })
        .only(Operation::CreateInvitation);
    let other = InviteMember::builder()
        .organization_id(&org)
        .email_address("other@acme.com")
        .role("org:member")
        .build()
        .unwrap();
    let err = other
        .send(&client.with_retry_policy(RetryPolicy::none()))
        .unwrap_err();
    assert!(!err.is_unknown());
    assert_eq!(fake.requests().len(), 2);
    assert_eq!(fake.invitations(&org).len(), 1);
}

#[test]
fn a_lost_bulk_answer_is_settled_by_listing_each_address() {
    let (fake, org) = setup();
    let client = fake.client();
    fake.inject(Fault::ServerError { status: 503 })
        .only(Operation::BulkCreateInvitations);
    // 503 before processing: nothing created, nothing sent again.
    let bulk = InviteMembers::builder()
        .organization_id(&org)
        .invite("x@acme.com", "org:member")
        .build()
        .unwrap();
    let done = bulk.send(&client);
    assert_eq!(done.error.as_ref().and_then(|e| e.status()), Some(503));
    assert!(matches!(
        done.results[0].result,
        Err(NotInvited::NotCreated)
    ));
    assert!(fake.invitations(&org).is_empty());

    fake.clear_requests();
    fake.inject(Fault::TimedOut)
        .only(Operation::BulkCreateInvitations)
        .after_processing();
    let bulk = InviteMembers::builder()
        .organization_id(&org)
        .invite("a@acme.com", "org:member")
        .invite("b@acme.com", "org:admin")
        .build()
        .unwrap();
    let done = bulk.send(&client);
    assert!(
        done.error
            .as_ref()
            .and_then(|e| e.transport_error())
            .is_some_and(|t| t.may_have_been_sent()),
        "{done:?}"
    );
    assert!(
        done.results
            .iter()
            .all(|r| matches!(r.result, Ok(Invited::Sent(_)))),
        "{done:?}"
    );
    let operations: Vec<Operation> = fake.requests().iter().map(|r| r.operation()).collect();
    assert_eq!(
        operations,
        [
            Operation::BulkCreateInvitations,
            Operation::ListInvitations,
            Operation::ListInvitations
        ]
    );
    assert_eq!(fake.invitations(&org).len(), 2, "one email each");

    // A refused bulk (one address already invited): each address settles on its own.
    fake.clear_requests();
    let bulk = InviteMembers::builder()
        .organization_id(&org)
        .invite("a@acme.com", "org:member")
        .invite("c@acme.com", "org:member")
        .build()
        .unwrap();
    let done = bulk.send(&client);
    assert_eq!(done.error.as_ref().and_then(|e| e.status()), Some(400));
    assert!(matches!(
        done.results[0].result,
        Ok(Invited::AlreadyPending(_))
    ));
    assert!(matches!(done.results[1].result, Ok(Invited::Sent(_))));
    assert_eq!(fake.invitations(&org).len(), 3);
}

#[test]
fn the_report_and_outcomes_of_an_apply_show_invitations() {
    let (fake, org) = setup();
    let client = fake.client();
    let plan = sync::plan(
        &client,
        &org,
        &roster(&[("new@acme.com", "org:member")]),
        &inviting(),
    )
    .unwrap();
    // Invited meanwhile by someone else: the apply finds it pending, already done.
    InviteMember::builder()
        .organization_id(&org)
        .email_address("new@acme.com")
        .role("org:member")
        .build()
        .unwrap()
        .send(&client)
        .unwrap();
    let report = plan.apply(&client, &ApplyOptions::default()).unwrap();
    assert_eq!(report.results()[0].outcome.kind(), OutcomeKind::AlreadyDone);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["results"][0]["change"]["kind"], "invite");
    assert_eq!(
        json["results"][0]["change"]["email_address"],
        "new@acme.com"
    );
}

#[test]
fn an_apply_whose_invitation_answer_is_lost_reads_and_does_not_send_again() {
    let (fake, org) = setup();
    let client = fake.client();
    let plan = sync::plan(
        &client,
        &org,
        &roster(&[("new@acme.com", "org:member")]),
        &inviting(),
    )
    .unwrap();
    fake.clear_requests();
    fake.inject(Fault::ConnectionReset)
        .only(Operation::CreateInvitation)
        .after_processing();
    let report = plan.apply(&client, &ApplyOptions::default()).unwrap();
    assert_eq!(
        report.results()[0].outcome.kind(),
        OutcomeKind::Applied,
        "{report}"
    );
    let operations: Vec<Operation> = fake.requests().iter().map(|r| r.operation()).collect();
    assert_eq!(
        operations,
        [Operation::CreateInvitation, Operation::ListInvitations]
    );
    assert_eq!(fake.invitations(&org).len(), 1, "one email");
}

/// A server whose listing of pending invitations comes without its `data` is a failed plan,
/// never "nobody is invited yet": read so, the sync would send the same people a second email.
#[test]
fn a_listing_of_pending_invitations_without_its_data_stops_the_plan_and_invites_nobody() {
    use clerk_memberships::{HttpRequest, HttpResponse, Transport, TransportError};

    /// The fake, except that every invitation listing is answered `{}`.
    struct NoData(FakeClerk);
    impl Transport for NoData {
        fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
            if request.operation() == Operation::ListInvitations {
                return Ok(HttpResponse::new(200, "{}"));
            }
            self.0.send(request)
        }
    }

    let (fake, org) = setup();
    let client = fake
        .client_builder()
        .transport(NoData(fake.clone()))
        .build()
        .unwrap();
    let err = sync::plan(
        &client,
        &org,
        &roster(&[("new@acme.com", "org:member")]),
        &inviting(),
    )
    .unwrap_err();
    let error = err.client_error().expect("the client's error");
    assert!(
        error.to_string().contains("Page<OrganizationInvitation>"),
        "{error}"
    );
    assert!(fake.invitations(&org).is_empty(), "no email sent");
    assert!(
        fake.requests()
            .iter()
            .all(|r| r.operation() != Operation::CreateInvitation),
        "nothing written"
    );
}
