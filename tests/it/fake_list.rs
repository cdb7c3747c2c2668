//! FakeClerk's list semantics through the public client, on five hand-made members whose
//! data puts every filter and sort order on an edge.

use std::time::{Duration, UNIX_EPOCH};

use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser, ManualClock};
use clerk_memberships::{Client, Error, ErrorKind, ListMemberships, ListMembershipsBuilder};

use crate::support::TestResult;

const T0: i64 = FakeClerk::START_MS;

struct Fixture {
    fake: FakeClerk,
    client: Client,
    org: String,
}

/// | member | names | emails | phone | username | wallet | last active | user created | role |
/// |---|---|---|---|---|---|---|---|---|
/// | ann | Ann Archer | ann@acme.com, ann.alt@other.org | +15550001 | annie | 0xAAA1 | T0-3s | 5000 | admin |
/// | bob | bob Baker | Bob@Acme.com | +44 20 7946 0000 | bobby | — | T0-2s | 1000 | member |
/// | cat | Cat Cole | cat@zeta.io | — | — | 0xCAT | never | 3000 | member |
/// | dan | — | dan@acme.com | — | Dan_the_man | — | T0-1s | 2000 | billing |
/// | eve | Eve Archer | — | +15550002 | — | — | T0 | 4000 | admin |
///
/// They join in this order, one second apart from T0, so membership creation order is
/// ann…eve while user creation order is bob, dan, cat, eve, ann.
fn fixture() -> Fixture {
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_millis(T0 as u64));
    let fake = FakeClerk::with_clock(clock.clone());
    let org = fake.add_organization(FakeOrganization::new("Acme").id("org_acme"));
    let users = [
        (
            FakeUser::new("Ann", "Archer")
                .email("ann@acme.com")
                .email("ann.alt@other.org")
                .phone_number("+15550001")
                .username("annie")
                .web3_wallet("0xAAA1")
                .last_active_at(T0 - 3_000)
                .created_at(5_000),
            "org:admin",
        ),
        (
            FakeUser::new("bob", "Baker")
                .email("Bob@Acme.com")
                .phone_number("+44 20 7946 0000")
                .username("bobby")
                .last_active_at(T0 - 2_000)
                .created_at(1_000),
            "org:member",
        ),
        (
            FakeUser::new("Cat", "Cole")
                .email("cat@zeta.io")
                .web3_wallet("0xCAT")
                .created_at(3_000),
            "org:member",
        ),
        (
            FakeUser::unnamed()
                .email("dan@acme.com")
                .username("Dan_the_man")
                .last_active_at(T0 - 1_000)
                .created_at(2_000),
            "org:billing",
        ),
        (
            FakeUser::new("Eve", "Archer")
                .phone_number("+15550002")
                .last_active_at(T0)
                .created_at(4_000),
            "org:admin",
        ),
    ];
    for ((user, role), name) in users.into_iter().zip(["ann", "bob", "cat", "dan", "eve"]) {
        let id = fake.add_user(user.id(format!("user_{name}")));
        fake.add_membership(&org, &id, role)
            .expect("fixture seeds cleanly");
        clock.advance(Duration::from_secs(1));
    }
    Fixture {
        client: fake.client(),
        fake,
        org,
    }
}

impl Fixture {
    /// The members the query returns (short names, in order) and the total count.
    fn list(
        &self,
        query: impl FnOnce(ListMembershipsBuilder) -> ListMembershipsBuilder,
    ) -> Result<(Vec<String>, i64), Error> {
        let page = query(ListMemberships::builder().organization_id(&self.org))
            .build()?
            .send(&self.client)?;
        let names = page
            .data
            .iter()
            .map(|m| {
                let id = m
                    .public_user_data
                    .as_ref()
                    .map_or("", |u| u.user_id.as_str());
                id.trim_start_matches("user_").to_owned()
            })
            .collect();
        Ok((names, page.total_count))
    }

    /// Just the names.
    fn names(
        &self,
        query: impl FnOnce(ListMembershipsBuilder) -> ListMembershipsBuilder,
    ) -> Result<Vec<String>, Error> {
        Ok(self.list(query)?.0)
    }
}

#[test]
fn default_is_newest_membership_first() -> TestResult {
    let f = fixture();
    assert_eq!(
        f.list(|q| q)?,
        (names(["eve", "dan", "cat", "bob", "ann"]), 5)
    );
    Ok(())
}

fn names<const N: usize>(names: [&str; N]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

#[test]
fn user_ids_include_and_exclude() -> TestResult {
    let f = fixture();
    assert_eq!(f.names(|q| q.user_id("user_ann"))?, ["ann"]);
    assert_eq!(
        f.names(|q| q.user_id("+user_ann").user_id("+user_bob"))?,
        ["bob", "ann"]
    );
    assert_eq!(
        f.names(|q| q.user_id("-user_ann"))?,
        ["eve", "dan", "cat", "bob"]
    );
    assert_eq!(
        f.names(|q| q.user_id("-user_ann").user_id("-user_eve"))?,
        ["dan", "cat", "bob"]
    );
    assert_eq!(
        f.names(|q| q.user_id("+user_ann").user_id("-user_ann"))?,
        Vec::<String>::new()
    );
    assert_eq!(
        f.names(|q| q.user_id("+user_ann").user_id("-user_bob"))?,
        ["ann"]
    );
    assert_eq!(
        f.names(|q| q.user_id("+user_nobody"))?,
        Vec::<String>::new()
    );
    assert_eq!(f.names(|q| q.user_id("-user_nobody"))?.len(), 5);
    // The `+` really arrives as a plus: it is sent as %2B.
    let sent = f.fake.last_request().ok_or("nothing recorded")?;
    assert!(sent.path_and_query().ends_with("?user_id=-user_nobody"));
    f.names(|q| q.user_id("+user_ann"))?;
    let sent = f.fake.last_request().ok_or("nothing recorded")?;
    assert!(sent.path_and_query().ends_with("?user_id=%2Buser_ann"));
    Ok(())
}

#[test]
fn exact_filters_or_within_and_across() -> TestResult {
    let f = fixture();
    // Any of the user's addresses counts; matching is exact, case included.
    assert_eq!(f.names(|q| q.email_address("ann.alt@other.org"))?, ["ann"]);
    assert_eq!(
        f.names(|q| q.email_address("bob@acme.com"))?,
        Vec::<String>::new()
    );
    assert_eq!(f.names(|q| q.email_address("Bob@Acme.com"))?, ["bob"]);
    assert_eq!(
        f.names(|q| q.email_address("acme.com"))?,
        Vec::<String>::new()
    );
    assert_eq!(
        f.names(|q| q.email_address("ann@acme.com").email_address("cat@zeta.io"))?,
        ["cat", "ann"]
    );
    assert_eq!(f.names(|q| q.phone_number("+15550002"))?, ["eve"]);
    assert_eq!(f.names(|q| q.phone_number("+44 20 7946 0000"))?, ["bob"]);
    assert_eq!(
        f.names(|q| q.username("bobby").username("Dan_the_man"))?,
        ["dan", "bob"]
    );
    assert_eq!(f.names(|q| q.web3_wallet("0xCAT"))?, ["cat"]);
    assert_eq!(
        f.names(|q| q.role("org:admin").role("org:billing"))?,
        ["eve", "dan", "ann"]
    );
    assert_eq!(f.names(|q| q.role("org:nobody"))?, Vec::<String>::new());

    // Filters AND together.
    assert_eq!(
        f.names(|q| q
            .email_address("ann@acme.com")
            .email_address("cat@zeta.io")
            .role("org:admin"))?,
        ["ann"]
    );
    assert_eq!(
        f.names(|q| q.role("org:admin").user_id("-user_ann"))?,
        ["eve"]
    );
    assert_eq!(
        f.names(|q| q.role("org:admin").username("bobby"))?,
        Vec::<String>::new()
    );
    Ok(())
}

#[test]
fn query_matches_partially_and_ignores_case_across_fields() -> TestResult {
    let f = fixture();
    assert_eq!(f.names(|q| q.query("ACME"))?, ["dan", "bob", "ann"]); // emails
    assert_eq!(f.names(|q| q.query("555000"))?, ["eve", "ann"]); // phones
    assert_eq!(f.names(|q| q.query("dan_THE"))?, ["dan"]); // username
    assert_eq!(f.names(|q| q.query("0xcat"))?, ["cat"]); // web3 wallet
    assert_eq!(f.names(|q| q.query("user_c"))?, ["cat"]); // user id
    assert_eq!(f.names(|q| q.query("archer"))?, ["eve", "ann"]); // last name
    assert_eq!(f.names(|q| q.query("ann archer"))?, ["ann"]); // full name
    assert_eq!(f.names(|q| q.query("zzz"))?, Vec::<String>::new());
    assert_eq!(f.names(|q| q.query(""))?.len(), 5);
    Ok(())
}

#[test]
fn field_queries_look_at_their_field_only() -> TestResult {
    let f = fixture();
    assert_eq!(
        f.names(|q| q.email_address_query("ACME.COM"))?,
        ["dan", "bob", "ann"]
    );
    assert_eq!(f.names(|q| q.email_address_query("other"))?, ["ann"]);
    assert_eq!(
        f.names(|q| q.email_address_query("annie"))?,
        Vec::<String>::new()
    );
    assert_eq!(f.names(|q| q.phone_number_query("+44"))?, ["bob"]);
    assert_eq!(
        f.names(|q| q.phone_number_query("acme"))?,
        Vec::<String>::new()
    );
    assert_eq!(f.names(|q| q.username_query("BOB"))?, ["bob"]);
    assert_eq!(f.names(|q| q.username_query("an"))?, ["dan", "ann"]);
    assert_eq!(f.names(|q| q.name_query("ARCH"))?, ["eve", "ann"]);
    assert_eq!(f.names(|q| q.name_query("cat cole"))?, ["cat"]);
    // Dan has no name: the username does not count.
    assert_eq!(f.names(|q| q.name_query("an"))?, ["ann"]);
    assert_eq!(f.names(|q| q.name_query(""))?, ["eve", "cat", "bob", "ann"]);
    // Queries AND with each other and with the other filters.
    assert_eq!(
        f.names(|q| q.name_query("archer").phone_number_query("0001"))?,
        ["ann"]
    );
    assert_eq!(f.names(|q| q.query("acme").role("org:member"))?, ["bob"]);
    Ok(())
}

#[test]
fn last_active_filters_are_strict_and_skip_the_never_active() -> TestResult {
    let f = fixture();
    assert_eq!(
        f.names(|q| q.last_active_at_before(T0 - 1_000))?,
        ["bob", "ann"]
    );
    assert_eq!(
        f.names(|q| q.last_active_at_after(T0 - 2_000))?,
        ["eve", "dan"]
    );
    assert_eq!(
        f.names(|q| q.last_active_at_after(T0 - 3_000).last_active_at_before(T0))?,
        ["dan", "bob"]
    );
    // Cat was never active: she matches no bound, however wide.
    assert_eq!(f.names(|q| q.last_active_at_after(i64::MIN))?.len(), 4);
    assert_eq!(f.names(|q| q.last_active_at_before(i64::MAX))?.len(), 4);
    Ok(())
}

#[test]
fn created_at_filters_look_at_when_the_user_was_created() -> TestResult {
    let f = fixture();
    // Every membership was created at T0 or later; the users long before.
    assert_eq!(
        f.names(|q| q.created_at_after(2_500))?,
        ["eve", "cat", "ann"]
    );
    assert_eq!(f.names(|q| q.created_at_before(2_000))?, ["bob"]);
    assert_eq!(
        f.names(|q| q.created_at_after(1_000).created_at_before(4_000))?,
        ["dan", "cat"]
    );
    assert_eq!(f.names(|q| q.created_at_after(T0))?, Vec::<String>::new());
    Ok(())
}

#[test]
fn every_sort_field_in_both_directions() -> TestResult {
    let f = fixture();
    let cases: [(&str, [&str; 5]); 6] = [
        ("created_at", ["ann", "bob", "cat", "dan", "eve"]),
        // Case-insensitive; Dan has no first name and sorts last ascending.
        ("first_name", ["ann", "bob", "cat", "eve", "dan"]),
        // Ann and Eve are both Archer: the earlier membership first.
        ("last_name", ["ann", "eve", "bob", "cat", "dan"]),
        // The primary address, case-insensitive; Eve has none.
        ("email_address", ["ann", "bob", "cat", "dan", "eve"]),
        ("phone_number", ["ann", "eve", "bob", "cat", "dan"]),
        ("username", ["ann", "bob", "dan", "cat", "eve"]),
    ];
    for (field, ascending) in cases {
        let plain = field.to_owned();
        assert_eq!(f.names(|q| q.order_by(plain))?, ascending, "{field}");
        let plus = format!("+{field}");
        assert_eq!(f.names(|q| q.order_by(plus))?, ascending, "+{field}");
        let mut descending = ascending;
        descending.reverse();
        let minus = format!("-{field}");
        assert_eq!(f.names(|q| q.order_by(minus))?, descending, "-{field}");
    }
    Ok(())
}

#[test]
fn sorting_applies_before_paging_and_after_filtering() -> TestResult {
    let f = fixture();
    assert_eq!(
        f.list(|q| q.order_by("last_name").role("org:admin").limit(1))?,
        (names(["ann"]), 2)
    );
    assert_eq!(
        f.list(|q| q.order_by("-username").offset(1).limit(2))?,
        (names(["cat", "dan"]), 5)
    );
    Ok(())
}

#[test]
fn limit_and_offset_page_while_total_count_counts_all() -> TestResult {
    let f = fixture();
    assert_eq!(f.list(|q| q.limit(2))?, (names(["eve", "dan"]), 5));
    assert_eq!(
        f.list(|q| q.limit(2).offset(2))?,
        (names(["cat", "bob"]), 5)
    );
    assert_eq!(f.list(|q| q.limit(2).offset(4))?, (names(["ann"]), 5));
    assert_eq!(f.list(|q| q.offset(5))?, (Vec::new(), 5));
    assert_eq!(f.list(|q| q.offset(i64::MAX as u64))?, (Vec::new(), 5));
    // An offset the server could not read (over i64::MAX) never leaves the builder.
    let err = f.list(|q| q.offset(u64::MAX)).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::InvalidRequest { error: e, .. } if e.field() == "offset"),
        "{err:?}"
    );
    assert_eq!(
        f.list(|q| q.role("org:member").limit(1))?,
        (names(["cat"]), 2)
    );
    assert_eq!(
        f.list(|q| q.role("org:member").offset(0).limit(500))?
            .0
            .len(),
        2
    );
    Ok(())
}

#[test]
fn listing_an_unknown_organization_is_not_found() -> TestResult {
    let f = fixture();
    let err = ListMemberships::builder()
        .organization_id("org_unknown")
        .build()?
        .send(&f.client)
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    assert_eq!(
        err.clerk_codes().collect::<Vec<_>>(),
        ["resource_not_found"]
    );
    Ok(())
}

#[test]
fn ties_keep_insertion_order_and_descending_reverses_it() -> TestResult {
    // Three members join in the same millisecond.
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Same time"));
    let users: Vec<String> = ["first", "second", "third"]
        .into_iter()
        .map(|name| {
            let user = fake.add_user(FakeUser::new("Same", "Name").id(name));
            fake.add_membership(&org, &user, "org:member").map(|_| user)
        })
        .collect::<Result<_, _>>()?;
    let client = fake.client();
    let order = |order_by: &str| -> Result<Vec<String>, Error> {
        Ok(ListMemberships::builder()
            .organization_id(&org)
            .order_by(order_by)
            .build()?
            .send(&client)?
            .data
            .into_iter()
            .filter_map(|m| m.public_user_data.map(|u| u.user_id))
            .collect())
    };
    assert_eq!(order("-created_at")?, ["third", "second", "first"]);
    assert_eq!(order("created_at")?, users);
    assert_eq!(order("first_name")?, users);
    assert_eq!(order("-last_name")?, ["third", "second", "first"]);
    Ok(())
}
