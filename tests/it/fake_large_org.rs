//! A 1,000-member organization: filters, sorting and paging over it, each checked against
//! the same rule computed here in plain Rust.

use std::collections::HashSet;
use std::time::{Duration, UNIX_EPOCH};

use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser, ManualClock};
use clerk_memberships::{
    Client, Error, ListMemberships, ListMembershipsBuilder, OrganizationMembership, Page,
};

use crate::support::TestResult;

const MEMBERS: usize = 1_000;
const T0: i64 = FakeClerk::START_MS;
/// A list query to apply to the organization's builder.
type Query = dyn Fn(ListMembershipsBuilder) -> ListMembershipsBuilder;

const FIRST_NAMES: [&str; 5] = ["Alice", "bob", "Carol", "dave", "Erin"];

/// What member `i` looks like.
struct Member {
    id: String,
    first_name: &'static str,
    last_name: String,
    email: String,
    phone: Option<String>,
    username: Option<String>,
    last_active_at: i64,
    role: &'static str,
}

fn member(i: usize) -> Member {
    Member {
        id: format!("user_{i:04}"),
        first_name: FIRST_NAMES[i % FIRST_NAMES.len()],
        last_name: format!("Last{:04}", MEMBERS - 1 - i),
        email: format!("member{i}@example.com"),
        phone: i.is_multiple_of(2).then(|| format!("+1555{i:07}")),
        username: i.is_multiple_of(3).then(|| format!("user{i}")),
        last_active_at: T0 - i as i64 * 60_000,
        role: if i.is_multiple_of(10) {
            "org:admin"
        } else {
            "org:member"
        },
    }
}

struct Big {
    fake: FakeClerk,
    client: Client,
    org: String,
}

/// Member `i` joins at T0 + i ms.
fn big_org() -> Big {
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_millis(T0 as u64));
    let fake = FakeClerk::with_clock(clock.clone());
    let org = fake.add_organization(FakeOrganization::new("Big Co").max_allowed_memberships(1_000));
    for i in 0..MEMBERS {
        let m = member(i);
        let mut user = FakeUser::new(m.first_name, m.last_name)
            .id(m.id)
            .email(m.email)
            .last_active_at(m.last_active_at);
        if let Some(phone) = m.phone {
            user = user.phone_number(phone);
        }
        if let Some(username) = m.username {
            user = user.username(username);
        }
        let id = fake.add_user(user);
        fake.add_membership(&org, &id, m.role)
            .expect("seeding succeeds");
        clock.advance(Duration::from_millis(1));
    }
    Big {
        client: fake.client(),
        fake,
        org,
    }
}

impl Big {
    fn page(
        &self,
        query: impl FnOnce(ListMembershipsBuilder) -> ListMembershipsBuilder,
    ) -> Result<Page<OrganizationMembership>, Error> {
        query(ListMemberships::builder().organization_id(&self.org))
            .build()?
            .send(&self.client)
    }

    /// Walks every page of `limit` rows and returns the member numbers in order, checking
    /// that every page reports the same total.
    fn walk(
        &self,
        limit: u32,
        query: impl Fn(ListMembershipsBuilder) -> ListMembershipsBuilder,
    ) -> Result<(Vec<usize>, i64), Error> {
        let mut seen = Vec::new();
        let mut total = None;
        loop {
            let offset = seen.len() as u64;
            let page = self.page(|q| query(q).limit(limit).offset(offset))?;
            assert!(page.data.len() <= limit as usize);
            assert_eq!(*total.get_or_insert(page.total_count), page.total_count);
            if page.data.is_empty() {
                break;
            }
            seen.extend(page.data.iter().map(number));
        }
        Ok((seen, total.unwrap_or_default()))
    }
}

fn number(membership: &clerk_memberships::OrganizationMembership) -> usize {
    membership
        .public_user_data
        .as_ref()
        .and_then(|u| u.user_id.strip_prefix("user_"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX)
}

fn expected(rule: impl Fn(&Member) -> bool) -> Vec<usize> {
    (0..MEMBERS).filter(|&i| rule(&member(i))).collect()
}

fn newest_first(mut numbers: Vec<usize>) -> Vec<usize> {
    numbers.reverse();
    numbers
}

#[test]
fn the_default_page_is_the_ten_newest_of_a_thousand() -> TestResult {
    let big = big_org();
    let page = big.page(|q| q)?;
    assert_eq!(page.total_count, 1_000);
    assert_eq!(
        page.data.iter().map(number).collect::<Vec<_>>(),
        (990..1000).rev().collect::<Vec<_>>()
    );
    assert!(
        page.data
            .iter()
            .all(|m| m.organization.members_count == Some(1_000))
    );
    Ok(())
}

#[test]
fn paging_with_the_largest_limit_sees_everyone_once() -> TestResult {
    let big = big_org();
    let (seen, total) = big.walk(500, |q| q)?;
    assert_eq!(total, 1_000);
    assert_eq!(seen, newest_first(expected(|_| true)));
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 1_000);
    // Three requests: two full pages and the empty one that ends the walk.
    assert_eq!(big.fake.requests().len(), 3);
    Ok(())
}

#[test]
fn paging_a_filtered_set_with_an_odd_limit() -> TestResult {
    let big = big_org();
    let (admins, total) = big.walk(37, |q| q.role("org:admin"))?;
    assert_eq!(total, 100);
    assert_eq!(admins, newest_first(expected(|m| m.role == "org:admin")));

    let tail = big.page(|q| q.offset(990).limit(20))?;
    assert_eq!(tail.data.len(), 10);
    assert_eq!(tail.total_count, 1_000);
    Ok(())
}

#[test]
fn partial_queries_over_a_thousand() -> TestResult {
    let big = big_org();
    let cases: [(&str, Box<Query>, Vec<usize>); 5] = [
        (
            "email_address_query",
            Box::new(|q| q.email_address_query("MEMBER99")),
            expected(|m| m.email.contains("member99")),
        ),
        (
            "username_query",
            Box::new(|q| q.username_query("user12")),
            expected(|m| m.username.as_deref().is_some_and(|u| u.contains("user12"))),
        ),
        (
            "phone_number_query",
            Box::new(|q| q.phone_number_query("00001")),
            expected(|m| m.phone.as_deref().is_some_and(|p| p.contains("00001"))),
        ),
        (
            "name_query",
            Box::new(|q| q.name_query("BOB last00")),
            expected(|m| {
                format!("{} {}", m.first_name, m.last_name)
                    .to_lowercase()
                    .contains("bob last00")
            }),
        ),
        (
            "query",
            Box::new(|q| q.query("user_012")),
            expected(|m| m.id.contains("user_012")),
        ),
    ];
    for (name, query, want) in cases {
        let (seen, total) = big.walk(500, &query)?;
        assert!(!want.is_empty(), "{name}: the case should match someone");
        assert_eq!(total as usize, want.len(), "{name}");
        assert_eq!(seen, newest_first(want), "{name}");
    }
    Ok(())
}

#[test]
fn combined_filters_over_a_thousand() -> TestResult {
    let big = big_org();
    let cutoff = T0 - 300 * 60_000;
    let excluded: Vec<String> = (0..100).map(|i| member(i * 10).id).collect();
    let (seen, total) = big.walk(500, |q| {
        excluded.iter().fold(
            q.last_active_at_after(cutoff)
                .email_address_query("@example"),
            |q, id| q.user_id(format!("-{id}")),
        )
    })?;
    let want = expected(|m| m.last_active_at > cutoff && m.role != "org:admin");
    assert_eq!(total as usize, want.len());
    assert_eq!(total, 270);
    assert_eq!(seen, newest_first(want));

    let phones = [
        "+15550000002",
        "+15550000004",
        "+15550000005",
        "+15550000998",
    ];
    let page = big.page(|q| phones.iter().fold(q, |q, p| q.phone_number(*p)))?;
    assert_eq!(
        page.data.iter().map(number).collect::<Vec<_>>(),
        [998, 4, 2]
    );
    Ok(())
}

#[test]
fn sorting_holds_across_pages() -> TestResult {
    let big = big_org();
    // Last names run backwards from the member numbers.
    let (seen, _) = big.walk(300, |q| q.order_by("last_name"))?;
    assert_eq!(seen, newest_first(expected(|_| true)));

    // First names repeat every five members: case-insensitive groups, each in insertion
    // order ascending and in reverse insertion order descending.
    let mut want: Vec<usize> = (0..MEMBERS).collect();
    want.sort_by_key(|&i| (member(i).first_name.to_lowercase(), i));
    let (ascending, _) = big.walk(500, |q| q.order_by("+first_name"))?;
    assert_eq!(ascending, want);
    let (descending, _) = big.walk(250, |q| q.order_by("-first_name"))?;
    assert_eq!(descending, newest_first(want));

    // Usernames exist for every third member; the rest come after them.
    let (by_username, _) = big.walk(500, |q| q.order_by("username"))?;
    let mut named: Vec<usize> = expected(|m| m.username.is_some());
    named.sort_by_key(|&i| format!("user{i}"));
    assert_eq!(by_username[..named.len()], named[..]);
    assert_eq!(
        by_username[named.len()..],
        expected(|m| m.username.is_none())[..]
    );

    let (by_email, _) = big.walk(500, |q| q.order_by("-email_address"))?;
    let mut emails: Vec<usize> = (0..MEMBERS).collect();
    emails.sort_by_key(|&i| std::cmp::Reverse(member(i).email));
    assert_eq!(by_email, emails);
    Ok(())
}

#[test]
fn the_pager_walks_a_thousand_members_through_server_hiccups() -> TestResult {
    use clerk_memberships::testing::Fault;

    let big = big_org();
    // A bad gateway mid-walk is retried by the client; the pager never notices.
    big.fake.inject(Fault::HtmlPage { status: 502 });
    let request = ListMemberships::builder()
        .organization_id(&big.org)
        .role("org:member")
        .limit(128)
        .build()?;
    let numbers: Vec<usize> = request
        .items(&big.client)
        .map(|membership| membership.map(|m| number(&m)))
        .collect::<Result<_, _>>()?;
    assert_eq!(numbers, newest_first(expected(|m| m.role == "org:member")));
    // 900 members in pages of 128: 8 pages (the last one short), plus the retried attempt.
    assert_eq!(big.fake.requests().len(), 9);
    Ok(())
}
