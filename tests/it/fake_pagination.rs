//! Auto-pagination over an organization of 10,500 members held by the in-memory Clerk.

use std::collections::HashSet;

use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};
use clerk_memberships::{Client, ListMemberships};

const MEMBERS: usize = 10_500;

fn big_org() -> (FakeClerk, Client, String) {
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Huge Co"));
    for i in 0..MEMBERS {
        let user = fake.add_user(FakeUser::new("Member", format!("{i:05}")));
        let role = if i % 7 == 0 {
            "org:admin"
        } else {
            "org:member"
        };
        fake.add_membership(&org, &user, role).unwrap();
    }
    let client = fake.client();
    (fake, client, org)
}

#[test]
fn items_walk_every_member_once_in_pages_of_the_api_maximum() {
    let (fake, client, org) = big_org();
    fake.clear_requests();
    let request = ListMemberships::builder()
        .organization_id(&org)
        .order_by("+last_name")
        .build()
        .unwrap();

    let mut items = request.items(&client);
    assert!(
        fake.requests().is_empty(),
        "nothing is sent before the first poll"
    );
    let first = items.next().unwrap().unwrap();
    assert_eq!(
        first.public_user_data.unwrap().last_name.as_deref(),
        Some("00000")
    );
    assert_eq!(fake.requests().len(), 1, "one page at a time");

    let mut seen = HashSet::new();
    let mut last_names = Vec::new();
    for membership in items {
        let membership = membership.unwrap();
        last_names.push(membership.public_user_data.unwrap().last_name.unwrap());
        assert!(seen.insert(membership.id), "no membership twice");
    }
    assert_eq!(seen.len(), MEMBERS - 1);
    assert!(
        last_names.windows(2).all(|w| w[0] < w[1]),
        "order kept across pages"
    );

    // ceil(10,500 / 500) = 21 pages, the last one full, so paging ends at total_count.
    let requests = fake.requests();
    assert_eq!(requests.len(), 21);
    assert!(
        requests[20]
            .url()
            .ends_with("order_by=%2Blast_name&limit=500&offset=10000")
    );
}

#[test]
fn pages_keep_the_filters_and_the_callers_page_size() {
    let (fake, client, org) = big_org();
    fake.clear_requests();
    let admins = MEMBERS.div_ceil(7);
    let request = ListMemberships::builder()
        .organization_id(&org)
        .role("org:admin")
        .limit(200)
        .build()
        .unwrap();
    let pages: Vec<_> = request.pages(&client).map(Result::unwrap).collect();
    assert_eq!(pages.len(), admins.div_ceil(200));
    assert!(pages.iter().all(|page| page.total_count == admins as i64));
    let count: usize = pages.iter().map(|page| page.data.len()).sum();
    assert_eq!(count, admins);
    assert!(
        pages
            .iter()
            .flat_map(|page| &page.data)
            .all(|m| m.role == "org:admin")
    );
    let requests = fake.requests();
    assert!(requests[0].url().ends_with("role=org%3Aadmin&limit=200"));
    assert!(
        requests[1..]
            .iter()
            .all(|r| r.url().contains("role=org%3Aadmin&limit=200&offset="))
    );
}

#[test]
fn collect_all_honours_the_cap() {
    let (_fake, client, org) = big_org();
    let request = ListMemberships::builder()
        .organization_id(&org)
        .build()
        .unwrap();
    assert_eq!(
        request.collect_all(&client, MEMBERS).unwrap().len(),
        MEMBERS
    );
    let err = request.collect_all(&client, MEMBERS - 1).unwrap_err();
    assert!(err.to_string().contains("10500 memberships match"), "{err}");
}
