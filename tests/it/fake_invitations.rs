//! The in-memory Clerk's organization invitations: created pending, listed, revoked,
//! accepted (creating the user and the membership), expired; its refusals; the state
//! document; and the fake's own accept route over HTTP.

use std::time::{Duration, UNIX_EPOCH};

use clerk_memberships::testing::{
    FakeClerk, FakeError, FakeOrganization, FakeUser, Fault, ManualClock,
};
use clerk_memberships::{
    BulkCreateInvitations, Client, CreateInvitation, Error, GetInvitation, ListInvitations,
    NewInvitation, Operation, RetryPolicy, RevokeInvitation,
};
use serde_json::json;

fn invite(client: &Client, org: &str, email: &str, role: &str) -> Result<String, Error> {
    Ok(CreateInvitation::builder()
        .organization_id(org)
        .email_address(email)
        .role(role)
        .public_metadata(json!({"team": "billing"}))
        .private_metadata(json!({"seat": 7}))
        .build()?
        .send(client)?
        .id)
}

fn pending(client: &Client, org: &str, email: Option<&str>) -> Vec<String> {
    ListInvitations::builder()
        .organization_id(org)
        .status("pending")
        .set_email_address(email)
        .build()
        .unwrap()
        .items(client)
        .map(|i| i.unwrap().email_address)
        .collect()
}

fn code(err: &Error) -> (Option<u16>, String) {
    let code = err.clerk_codes().next().unwrap_or_default().to_owned();
    (err.status(), code)
}

#[test]
fn an_invitation_is_pending_until_accepted_and_then_a_membership() {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let client = fake.client();
    let id = invite(&client, &org, "New.Hire@Acme.com", "org:member").unwrap();
    assert!(id.starts_with("orginv_"), "{id}");

    let got = GetInvitation::builder()
        .organization_id(&org)
        .invitation_id(&id)
        .build()
        .unwrap()
        .send(&client)
        .unwrap();
    assert_eq!(got.status, "pending");
    assert_eq!(got.email_address, "new.hire@acme.com", "kept in lowercase");
    assert_eq!(got.role_name.as_deref(), Some("Member"));
    assert_eq!(got.expires_at, Some(FakeClerk::START_MS + 30 * 86_400_000));
    assert_eq!(
        pending(&client, &org, Some("NEW.HIRE@acme.com")),
        ["new.hire@acme.com"]
    );
    assert!(fake.memberships(&org).is_empty());

    let membership = fake.accept_invitation("new.hire@acme.com").unwrap();
    assert_eq!(membership.role, "org:member");
    assert_eq!(
        membership.public_metadata,
        *json!({"team": "billing"}).as_object().unwrap()
    );
    assert_eq!(
        membership.private_metadata,
        json!({"seat": 7}).as_object().cloned()
    );
    assert_eq!(membership.email_address(), Some("new.hire@acme.com"));
    assert_eq!(fake.memberships(&org).len(), 1);
    assert!(pending(&client, &org, None).is_empty());
    assert_eq!(fake.invitations(&org)[0].status, "accepted");
    assert_eq!(
        fake.accept_invitation("new.hire@acme.com"),
        Err(FakeError::NoPendingInvitation("new.hire@acme.com".into()))
    );
}

#[test]
fn accepting_uses_the_user_who_already_has_the_address() {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let jane = fake.add_user(FakeUser::new("Jane", "Doe").email("jane@acme.com"));
    invite(&fake.client(), &org, "jane@acme.com", "org:admin").unwrap();
    let membership = fake.accept_invitation("JANE@acme.com").unwrap();
    assert_eq!(membership.user_id(), Some(jane.as_str()));
    assert_eq!(membership.role, "org:admin");
}

#[test]
fn refusals_for_members_invited_addresses_unknown_roles_and_full_organizations() {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Acme").max_allowed_memberships(3));
    let jane = fake.add_user(FakeUser::new("Jane", "Doe").email("jane@acme.com"));
    fake.add_membership(&org, &jane, "org:admin").unwrap();
    let client = fake.client();
    let refused = |email: &str, role: &str| code(&invite(&client, &org, email, role).unwrap_err());

    assert_eq!(
        refused("Jane@acme.com", "org:member"),
        (Some(400), "already_a_member_in_organization".into())
    );
    invite(&client, &org, "ann@acme.com", "org:member").unwrap();
    assert_eq!(
        refused("ANN@acme.com", "org:member"),
        (Some(400), "duplicate_record".into())
    );
    assert_eq!(
        refused("bob@acme.com", "org:nope"),
        (Some(422), "form_param_value_invalid".into())
    );
    assert_eq!(
        code(&invite(&client, "org_missing", "bob@acme.com", "org:member").unwrap_err()),
        (Some(404), "resource_not_found".into())
    );
    // Jane and Ann's invitation take two of three seats: a bulk of two does not fit, and
    // creates nothing.
    let bulk = BulkCreateInvitations::builder()
        .organization_id(&org)
        .invitation(NewInvitation::new("bob@acme.com", "org:member"))
        .invitation(NewInvitation::new("cid@acme.com", "org:member"))
        .build()
        .unwrap();
    assert_eq!(
        code(&bulk.send(&client).unwrap_err()),
        (Some(403), "organization_membership_quota_exceeded".into())
    );
    assert_eq!(fake.invitations(&org).len(), 1);
}

#[test]
fn a_bulk_is_all_or_nothing_and_answers_every_invitation() {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let client = fake.client();
    invite(&client, &org, "cid@acme.com", "org:member").unwrap();
    let bulk = |emails: &[&str]| {
        BulkCreateInvitations::builder()
            .organization_id(&org)
            .invitations(emails.iter().map(|e| NewInvitation::new(*e, "org:member")))
            .build()
            .unwrap()
            .send(&client)
    };
    let err = bulk(&["bob@acme.com", "cid@acme.com"]).unwrap_err();
    assert_eq!(code(&err), (Some(400), "duplicate_record".into()));
    assert_eq!(fake.invitations(&org).len(), 1);
    let created = bulk(&["bob@acme.com", "dan@acme.com"]).unwrap();
    assert_eq!(created.total_count, 2);
    let emails: Vec<&str> = created
        .data
        .iter()
        .map(|i| i.email_address.as_str())
        .collect();
    assert_eq!(emails, ["bob@acme.com", "dan@acme.com"]);
}

#[test]
fn revoking_only_a_pending_invitation_and_listing_by_status() {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let client = fake.client().with_retry_policy(RetryPolicy::none());
    let id = invite(&client, &org, "ann@acme.com", "org:member").unwrap();
    let revoke = RevokeInvitation::builder()
        .organization_id(&org)
        .invitation_id(&id)
        .build()
        .unwrap();
    assert_eq!(revoke.send(&client).unwrap().status, "revoked");
    assert_eq!(
        code(&revoke.send(&client).unwrap_err()),
        (Some(400), "organization_invitation_not_pending".into())
    );
    // Revoked: the address may be invited again.
    invite(&client, &org, "ann@acme.com", "org:admin").unwrap();
    let revoked = ListInvitations::builder()
        .organization_id(&org)
        .status("revoked")
        .build()
        .unwrap()
        .send(&client)
        .unwrap();
    assert_eq!(revoked.total_count, 1);
    assert_eq!(pending(&client, &org, None), ["ann@acme.com"]);
    let other = fake.add_organization(FakeOrganization::new("Other"));
    let elsewhere = RevokeInvitation::builder()
        .organization_id(&other)
        .invitation_id(&id)
        .build()
        .unwrap();
    assert_eq!(code(&elsewhere.send(&client).unwrap_err()).0, Some(404));
}

#[test]
fn an_invitation_expires_on_the_fakes_clock() {
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_778_544_000));
    let fake = FakeClerk::with_clock(clock.clone());
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let client = fake.client();
    CreateInvitation::builder()
        .organization_id(&org)
        .email_address("ann@acme.com")
        .role("org:member")
        .expires_in_days(2)
        .build()
        .unwrap()
        .send(&client)
        .unwrap();
    clock.advance(Duration::from_secs(2 * 86_400));
    assert!(pending(&client, &org, None).is_empty());
    assert_eq!(fake.invitations(&org)[0].status, "expired");
    assert!(fake.accept_invitation("ann@acme.com").is_err());
    // Expired: the address may be invited again.
    invite(&client, &org, "ann@acme.com", "org:member").unwrap();
}

#[test]
fn a_lost_answer_leaves_the_invitation_created_and_listable() {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Acme"));
    let client = fake.client();
    fake.inject(Fault::TimedOut)
        .only(Operation::CreateInvitation)
        .after_processing();
    let err = invite(&client, &org, "ann@acme.com", "org:member").unwrap_err();
    assert!(
        err.transport_error()
            .is_some_and(|t| t.may_have_been_sent()),
        "{err:?}"
    );
    assert_eq!(err.attempts(), 1, "an invitation create is never repeated");
    assert_eq!(
        pending(&client, &org, Some("ann@acme.com")),
        ["ann@acme.com"]
    );
}

#[test]
fn the_state_document_holds_invitations() {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Acme").id("org_acme"));
    let client = fake.client();
    invite(&client, &org, "ann@acme.com", "org:member").unwrap();
    let id = invite(&client, &org, "bob@acme.com", "org:admin").unwrap();
    RevokeInvitation::builder()
        .organization_id(&org)
        .invitation_id(&id)
        .build()
        .unwrap()
        .send(&client)
        .unwrap();
    let dumped = fake.dump_state();
    assert!(dumped.contains(r#""status": "revoked""#), "{dumped}");
    let loaded = FakeClerk::from_state(&dumped).unwrap();
    assert_eq!(loaded.dump_state(), dumped);
    assert_eq!(loaded.invitations(&org), fake.invitations(&org));
    // A loaded invitation is accepted like any other; new ids do not collide.
    loaded.accept_invitation("ann@acme.com").unwrap();
    invite(&loaded.client(), &org, "cid@acme.com", "org:member").unwrap();
    let ids: Vec<String> = loaded.invitations(&org).into_iter().map(|i| i.id).collect();
    assert_eq!(ids.len(), 3);
    assert!(ids[2] != ids[0] && ids[2] != ids[1], "{ids:?}");

    let unknown_org = dumped.replace(
        r#""organization_id": "org_acme""#,
        r#""organization_id": "org_x""#,
    );
    assert!(FakeClerk::from_state(&unknown_org).is_err());
}

#[cfg(feature = "fake-server")]
#[test]
fn the_served_fake_accepts_an_invitation_on_its_own_route() -> Result<(), Box<dyn std::error::Error>>
{
    use std::io::{Read, Write};

    let server = FakeClerk::serve("127.0.0.1:0")?;
    let org = server.add_organization(FakeOrganization::new("Acme"));
    invite(&server.client(), &org, "ann@acme.com", "org:member")?;
    let recorded = server.requests().len();
    let post = |body: &str, key: &str| -> Result<String, Box<dyn std::error::Error>> {
        let mut stream = std::net::TcpStream::connect(server.addr())?;
        write!(
            stream,
            "POST /v1/__fake/invitations/accept HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {key}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        Ok(answer)
    };
    let key = FakeClerk::SECRET_KEY;
    let accepted = post(r#"{"email_address":"ANN@acme.com"}"#, key)?;
    assert!(accepted.starts_with("HTTP/1.1 200 "), "{accepted}");
    assert!(accepted.contains(r#""role":"org:member""#), "{accepted}");
    assert_eq!(server.memberships(&org).len(), 1);
    let again = post(r#"{"email_address":"ann@acme.com"}"#, key)?;
    assert!(again.starts_with("HTTP/1.1 404 "), "{again}");
    assert!(post("[]", key)?.starts_with("HTTP/1.1 400 "));
    assert!(post(r#"{"email_address":"a@b.c"}"#, "nope")?.starts_with("HTTP/1.1 401 "));
    assert_eq!(
        server.requests().len(),
        recorded,
        "the fake's own route is not recorded"
    );
    Ok(())
}

/// What the client's builders refuse cannot reach the fake from the client: these go over raw
/// HTTP, as another SDK's requests would.
#[cfg(feature = "fake-server")]
#[test]
fn the_served_fake_refuses_what_the_spec_bounds() -> Result<(), Box<dyn std::error::Error>> {
    use std::io::{Read, Write};

    let server = FakeClerk::serve("127.0.0.1:0")?;
    let org = server.add_organization(FakeOrganization::new("Acme").id("org_acme"));
    let post = |path: &str, body: &str| -> Result<String, Box<dyn std::error::Error>> {
        let mut stream = std::net::TcpStream::connect(server.addr())?;
        write!(
            stream,
            "POST /v1/organizations/{org}/invitations{path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            FakeClerk::SECRET_KEY,
            body.len()
        )?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        Ok(answer)
    };
    let one = |n: usize| format!(r#"{{"email_address":"p{n}@acme.com","role":"org:member"}}"#);
    let eleven: Vec<String> = (0..11).map(one).collect();
    let cases = [
        ("/bulk", format!("[{}]", eleven.join(",")), "HTTP/1.1 400 "),
        ("/bulk", "[]".to_owned(), "HTTP/1.1 400 "),
        (
            "",
            r#"{"email_address":"a@acme.com","role":"org:member","expires_in_days":0}"#.to_owned(),
            "HTTP/1.1 422 ",
        ),
        (
            "",
            r#"{"email_address":"a@acme.com","role":"org:member","shoe_size":9}"#.to_owned(),
            "HTTP/1.1 422 ",
        ),
        (
            "",
            r#"{"email_address":"a@acme.com"}"#.to_owned(),
            "HTTP/1.1 422 ",
        ),
        (
            "",
            r#"{"email_address":"a@acme.com","role":"org:member","notify":false}"#.to_owned(),
            "HTTP/1.1 200 ",
        ),
    ];
    for (path, body, status) in cases {
        let answer = post(path, &body)?;
        assert!(answer.starts_with(status), "{path} {body}: {answer}");
    }
    assert_eq!(server.invitations(&org).len(), 1);
    Ok(())
}
