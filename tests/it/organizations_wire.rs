//! `GetOrganization` (`GET /organizations/{organization_id}`) and `ListInstanceMemberships`
//! (`GET /organization_memberships`): what they put on the wire, what `build()` refuses, and
//! what the fake answers.

use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser, MockTransport};
use clerk_memberships::{BuildError, GetOrganization, ListInstanceMemberships, Method, Operation};

#[test]
fn get_organization_renders_an_escaped_segment_and_its_flags()
-> Result<(), Box<dyn std::error::Error>> {
    let mock = MockTransport::new();
    let client = mock.client();
    let request = GetOrganization::builder()
        .organization_id("acme corp/../x")
        .include_members_count(true)
        .include_missing_member_with_elevated_permissions(false)
        .build()?
        .render(&client)?;
    assert_eq!(request.operation(), Operation::GetOrganization);
    assert_eq!(request.method(), Method::Get);
    assert_eq!(
        request.path_and_query(),
        "/v1/organizations/acme%20corp%2F%2E%2E%2Fx?include_members_count=true&include_missing_member_with_elevated_permissions=false"
    );
    assert_eq!(request.body(), None);

    let bare = GetOrganization::builder()
        .organization_id("org_1")
        .build()?
        .render(&client)?;
    assert_eq!(bare.path_and_query(), "/v1/organizations/org_1");
    Ok(())
}

#[test]
fn get_organization_refuses_a_missing_or_empty_id() {
    assert_eq!(
        GetOrganization::builder().build(),
        Err(BuildError::MissingField("organization_id"))
    );
    let err = GetOrganization::builder()
        .organization_id("..")
        .build()
        .unwrap_err();
    assert_eq!(err.field(), "organization_id");
}

#[test]
fn list_instance_memberships_renders_its_paging_and_refuses_a_bad_limit()
-> Result<(), Box<dyn std::error::Error>> {
    let mock = MockTransport::new();
    let request = ListInstanceMemberships::builder()
        .order_by("+created_at")
        .limit(500)
        .offset(1000)
        .build()?
        .render(&mock.client())?;
    assert_eq!(request.operation(), Operation::ListInstanceMemberships);
    assert_eq!(
        request.path_and_query(),
        "/v1/organization_memberships?order_by=%2Bcreated_at&limit=500&offset=1000"
    );
    let err = ListInstanceMemberships::builder()
        .limit(501)
        .build()
        .unwrap_err();
    assert_eq!(err.field(), "limit");
    Ok(())
}

#[test]
fn the_fake_finds_an_organization_by_id_or_slug_and_counts_on_request()
-> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeClerk::new();
    let acme = fake.add_organization(FakeOrganization::new("Acme Corp"));
    let ann = fake.add_user(FakeUser::new("Ann", "Lee"));
    fake.add_membership(&acme, &ann, "org:admin")?;
    let client = fake.client();

    let by_slug = GetOrganization::builder()
        .organization_id("acme-corp")
        .include_members_count(true)
        .build()?
        .send(&client)?;
    assert_eq!(by_slug.id, acme);
    assert_eq!(by_slug.members_count, Some(1));

    let by_id = GetOrganization::builder()
        .organization_id(&acme)
        .build()?
        .send(&client)?;
    assert_eq!(
        (by_id.slug.as_str(), by_id.members_count),
        ("acme-corp", None)
    );

    let err = GetOrganization::builder()
        .organization_id("nobody")
        .build()?
        .send(&client)
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert!(err.has_code("resource_not_found"), "{err}");
    Ok(())
}

#[test]
fn the_fake_lists_every_organizations_memberships_oldest_first()
-> Result<(), Box<dyn std::error::Error>> {
    let fake = FakeClerk::new();
    let acme = fake.add_organization(FakeOrganization::new("Acme"));
    let globex = fake.add_organization(FakeOrganization::new("Globex"));
    let ann = fake.add_user(FakeUser::new("Ann", "Lee"));
    let bob = fake.add_user(FakeUser::new("Bob", "Kay"));
    fake.add_membership(&acme, &ann, "org:admin")?;
    fake.add_membership(&globex, &bob, "org:admin")?;
    fake.add_membership(&globex, &ann, "org:member")?;
    let page = ListInstanceMemberships::builder()
        .order_by("+created_at")
        .limit(2)
        .build()?
        .send(&fake.client())?;
    assert_eq!(page.total_count, 3);
    let seen: Vec<(&str, &str)> = page
        .data
        .iter()
        .map(|m| {
            let user = m
                .public_user_data
                .as_ref()
                .map_or("", |d| d.user_id.as_str());
            (m.organization.id.as_str(), user)
        })
        .collect();
    assert_eq!(
        seen,
        [
            (acme.as_str(), ann.as_str()),
            (globex.as_str(), bob.as_str())
        ]
    );
    Ok(())
}
