//! Auto-pagination against scripted pages: which requests go out, when paging stops, and how
//! errors end it.

use clerk_memberships::testing::{MEMBERSHIP_JSON, MockTransport, USER_JSON};
use clerk_memberships::{
    Client, ErrorKind, Items, ListInstanceMemberships, ListInvitations, ListMemberships,
    ListOrganizationRoles, ListUsers, Paged, Pages, RetryPolicy,
};

fn membership(id: &str) -> String {
    MEMBERSHIP_JSON.replacen("orgmem_2g7np7Hrk0SN6kj5EDMLDaKNL0S", id, 1)
}

fn page(ids: &[&str], total: i64) -> String {
    let data: Vec<String> = ids.iter().map(|id| membership(id)).collect();
    format!(r#"{{"data":[{}],"total_count":{total}}}"#, data.join(","))
}

fn client(mock: &MockTransport) -> Client {
    Client::builder()
        .secret_key("sk_test_pages")
        .transport(mock.clone())
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// The query strings `request(2)` sends for pages at these offsets: the first page goes as
/// the request was built (it sets no offset), the next ones carry theirs.
fn queries_at(offsets: &[u64]) -> Vec<String> {
    offsets
        .iter()
        .enumerate()
        .map(|(i, offset)| match i {
            0 => "user_id=-user_9&role=org%3Aadmin&limit=2".to_owned(),
            _ => format!("user_id=-user_9&role=org%3Aadmin&limit=2&offset={offset}"),
        })
        .collect()
}

fn sent_queries(mock: &MockTransport) -> Vec<String> {
    mock.requests()
        .iter()
        .map(|r| {
            r.path_and_query()
                .split_once('?')
                .map_or("", |(_, q)| q)
                .to_owned()
        })
        .collect()
}

fn request(limit: u32) -> ListMemberships {
    ListMemberships::builder()
        .organization_id("org_1")
        .role("org:admin")
        .user_id("-user_9")
        .limit(limit)
        .build()
        .unwrap()
}

#[test]
fn nothing_is_requested_until_first_polled() {
    let mock = MockTransport::new();
    let client = client(&mock);
    let req = request(2);
    let pages = req.pages(&client);
    let items = req.items(&client);
    assert!(mock.requests().is_empty());
    drop((pages, items));
    assert!(mock.requests().is_empty());
}

#[test]
fn pages_advance_by_offset_keep_filters_and_stop_at_total_count() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["m1", "m2"], 5));
    mock.push_json(200, page(&["m3", "m4"], 5));
    mock.push_json(200, page(&["m5"], 5));
    let client = client(&mock);
    let ids: Vec<String> = request(2).items(&client).map(|m| m.unwrap().id).collect();
    assert_eq!(ids, ["m1", "m2", "m3", "m4", "m5"]);
    assert_eq!(sent_queries(&mock), queries_at(&[0, 2, 4]));
}

#[test]
fn only_what_the_caller_set_goes_on_the_first_request() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["m1"], 1));
    mock.push_json(200, page(&["m1"], 1));
    mock.push_json(200, page(&["m8"], 8));
    let client = client(&mock);
    let unset = ListMemberships::builder()
        .organization_id("org_1")
        .build()
        .unwrap();
    assert_eq!(unset.items(&client).count(), 1);
    let set = ListMemberships::builder()
        .organization_id("org_1")
        .offset(0)
        .build()
        .unwrap();
    assert_eq!(set.items(&client).count(), 1);
    let further = ListMemberships::builder()
        .organization_id("org_1")
        .offset(7)
        .build()
        .unwrap();
    assert_eq!(further.items(&client).count(), 1);
    assert_eq!(
        sent_queries(&mock),
        ["limit=500", "limit=500&offset=0", "limit=500&offset=7"],
        "no offset the caller did not set; the page size is the one parameter a pager adds"
    );
}

#[test]
fn a_full_last_page_that_reaches_total_count_ends_paging_without_another_request() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["m1", "m2"], 4));
    mock.push_json(200, page(&["m3", "m4"], 4));
    let client = client(&mock);
    assert_eq!(request(2).items(&client).count(), 4);
    assert_eq!(mock.requests().len(), 2);
}

#[test]
fn a_short_page_does_not_end_paging_while_total_count_says_more_remain() {
    let mock = MockTransport::new();
    // The server caps pages below the limit asked for: paging goes on after what came back.
    mock.push_json(200, page(&["m1"], 4));
    mock.push_json(200, page(&["m2", "m3"], 4));
    mock.push_json(200, page(&["m4"], 4));
    let client = client(&mock);
    let ids: Vec<String> = request(2).items(&client).map(|m| m.unwrap().id).collect();
    assert_eq!(ids, ["m1", "m2", "m3", "m4"]);
    assert_eq!(sent_queries(&mock), queries_at(&[0, 1, 3]));
}

#[test]
fn an_empty_page_ends_paging_even_if_total_count_says_more() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["m1"], 100));
    mock.push_json(200, page(&[], 100));
    mock.push_json(200, page(&["never"], 100));
    let client = client(&mock);
    let pages: Vec<_> = request(2).pages(&client).map(Result::unwrap).collect();
    assert_eq!(pages.len(), 1);
    assert_eq!(sent_queries(&mock), queries_at(&[0, 1]));
}

#[test]
fn an_empty_page_ends_paging_and_is_not_yielded() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["m1", "m2"], 10));
    mock.push_json(200, page(&[], 10));
    let client = client(&mock);
    let pages: Vec<_> = request(2).pages(&client).map(Result::unwrap).collect();
    assert_eq!(pages.len(), 1);
    assert_eq!(mock.requests().len(), 2);
}

#[test]
fn the_first_error_is_yielded_once_then_nothing_more_is_requested() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["m1", "m2"], 10));
    mock.push_json(
        500,
        r#"{"errors":[{"code":"internal_clerk_error","message":"x","long_message":"y"}]}"#,
    );
    mock.push_json(200, page(&["m3", "m4"], 10));
    let client = client(&mock);
    let mut items = request(2).items(&client);
    assert_eq!(items.next().unwrap().unwrap().id, "m1");
    assert_eq!(items.next().unwrap().unwrap().id, "m2");
    let err = items.next().unwrap().unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert!(items.next().is_none());
    assert!(items.next().is_none());
    assert_eq!(mock.requests().len(), 2);
}

/// Pages through what `mock` serves, expecting the last of `pages` results to be the error
/// for a server that stopped advancing at `offset`, and no request after it.
fn assert_caught_not_advancing(mock: &MockTransport, pages: usize, offset: u64) {
    let results: Vec<_> = request(2).pages(&client(mock)).collect();
    assert_eq!(results.len(), pages);
    assert!(matches!(
        results[pages - 1].as_ref().map_err(|e| e.kind()),
        Err(ErrorKind::PageNotAdvancing { offset: o, .. }) if *o == offset
    ));
    assert_eq!(mock.requests().len(), pages);
}

#[test]
fn a_server_that_repeats_the_same_page_gets_an_error_not_a_loop() {
    let mock = MockTransport::new();
    for _ in 0..5 {
        mock.push_json(200, page(&["m1", "m2"], 1_000_000));
    }
    assert_caught_not_advancing(&mock, 2, 2);
}

#[test]
fn default_page_size_is_the_api_maximum_and_offset_is_the_start() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["m1"], 1));
    let client = client(&mock);
    let req = ListMemberships::builder()
        .organization_id("org_1")
        .offset(40)
        .build()
        .unwrap();
    assert_eq!(req.items(&client).count(), 1);
    assert_eq!(sent_queries(&mock), ["limit=500&offset=40"]);
}

#[test]
fn collect_all_gathers_every_page() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["m1", "m2"], 3));
    mock.push_json(200, page(&["m3"], 3));
    let client = client(&mock);
    let all = request(2).collect_all(&client, 3).unwrap();
    let ids: Vec<&str> = all.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["m1", "m2", "m3"]);
}

#[test]
fn collect_all_refuses_more_than_the_cap_before_fetching_it() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["m1", "m2"], 5));
    mock.push_json(200, page(&["m3", "m4"], 5));
    let client = client(&mock);
    let err = request(2).collect_all(&client, 3).unwrap_err();
    assert!(matches!(
        err.kind(),
        ErrorKind::TooManyMemberships {
            cap: 3,
            total_count: 5,
            ..
        }
    ));
    assert_eq!(mock.requests().len(), 1);
}

#[test]
fn paging_from_an_offset_stops_at_total_count_without_an_extra_request() {
    let mock = MockTransport::new();
    // 5 in all; starting at 3 leaves 2, one full page of 2.
    mock.push_json(200, page(&["m4", "m5"], 5));
    let client = client(&mock);
    let req = ListMemberships::builder()
        .organization_id("org_1")
        .limit(2)
        .offset(3)
        .build()
        .unwrap();
    assert_eq!(req.items(&client).count(), 2);
    assert_eq!(mock.requests().len(), 1);
}

#[test]
fn collect_all_from_an_offset_counts_only_what_is_left_against_the_cap() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["m4", "m5"], 5));
    let client = client(&mock);
    let req = ListMemberships::builder()
        .organization_id("org_1")
        .limit(2)
        .offset(3)
        .build()
        .unwrap();
    assert_eq!(req.collect_all(&client, 2).unwrap().len(), 2);
}

#[test]
fn a_server_that_cycles_between_pages_is_caught_too() {
    let mock = MockTransport::new();
    for _ in 0..3 {
        mock.push_json(200, page(&["a1", "a2"], 1_000_000));
        mock.push_json(200, page(&["b1", "b2"], 1_000_000));
    }
    assert_caught_not_advancing(&mock, 3, 4);
}

#[test]
fn a_page_made_of_ids_from_both_previous_pages_is_caught() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["a1", "a2"], 1_000_000));
    mock.push_json(200, page(&["b1", "b2"], 1_000_000));
    mock.push_json(200, page(&["b2", "a1"], 1_000_000));
    assert_caught_not_advancing(&mock, 3, 4);
}

#[test]
fn a_short_page_that_repeats_the_previous_one_is_caught() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["m1", "m2"], 1_000_000));
    mock.push_json(200, page(&["m2"], 1_000_000));
    assert_caught_not_advancing(&mock, 2, 2);
}

#[test]
fn a_member_added_meanwhile_repeats_one_id_and_paging_goes_on() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["m1", "m2"], 5));
    // "m0" joined before "m1": the window moved by one, so "m2" comes again.
    mock.push_json(200, page(&["m2", "m3"], 6));
    mock.push_json(200, page(&["m4", "m5"], 6));
    let client = client(&mock);
    let ids: Vec<String> = request(2).items(&client).map(|m| m.unwrap().id).collect();
    assert_eq!(ids, ["m1", "m2", "m2", "m3", "m4", "m5"]);
    assert_eq!(sent_queries(&mock), queries_at(&[0, 2, 4]));
}

#[test]
fn a_page_that_starts_with_a_seen_id_but_brings_new_ones_goes_on() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["m1", "m2"], 6));
    mock.push_json(200, page(&["m3", "m4"], 6));
    // Two members joined at the front and "m4" left: "m3" leads a page again, beside "m5".
    mock.push_json(200, page(&["m3", "m5"], 7));
    mock.push_json(200, page(&["m6"], 7));
    let client = client(&mock);
    let ids: Vec<String> = request(2).items(&client).map(|m| m.unwrap().id).collect();
    assert_eq!(ids, ["m1", "m2", "m3", "m4", "m3", "m5", "m6"]);
    assert_eq!(mock.requests().len(), 4);
}

#[test]
fn only_the_last_two_pages_are_remembered() {
    // A page seen three pages ago is not compared with: memory stays at two pages of ids,
    // and `total_count` still ends the listing.
    let mock = MockTransport::new();
    mock.push_json(200, page(&["a1", "a2"], 8));
    mock.push_json(200, page(&["b1", "b2"], 8));
    mock.push_json(200, page(&["c1", "c2"], 8));
    mock.push_json(200, page(&["a1", "a2"], 8));
    let client = client(&mock);
    let pages: Vec<_> = request(2).pages(&client).collect();
    assert_eq!(pages.len(), 4);
    assert!(pages.iter().all(Result::is_ok));
    assert_eq!(mock.requests().len(), 4);
}

#[test]
fn an_iterator_owns_its_client_and_can_move_to_another_thread() {
    let mock = MockTransport::new();
    mock.push_json(200, page(&["m1"], 1));
    let items = request(2).items(&client(&mock));
    let ids = std::thread::spawn(move || items.map(|m| m.unwrap().id).collect::<Vec<_>>())
        .join()
        .unwrap();
    assert_eq!(ids, ["m1"]);
}

#[test]
fn every_list_request_pages_through_the_same_two_iterators_which_can_move_between_threads() {
    fn send_sync<T: Send + Sync + 'static>() {}
    send_sync::<Pages<ListMemberships>>();
    send_sync::<Items<ListMemberships>>();
    send_sync::<Pages<ListUsers>>();
    send_sync::<Items<ListUsers>>();
    send_sync::<Pages<ListOrganizationRoles>>();
    send_sync::<Items<ListOrganizationRoles>>();
    send_sync::<Pages<ListInvitations>>();
    send_sync::<Items<ListInvitations>>();
    send_sync::<Pages<ListInstanceMemberships>>();
}

#[test]
fn code_generic_over_paged_reads_the_items_of_any_listing() {
    /// How many items a listing yields.
    fn count<R: Paged>(items: Items<R>) -> usize {
        items.map(Result::unwrap).count()
    }

    let mock = MockTransport::new();
    mock.push_json(200, page(&["m1", "m2"], 3));
    mock.push_json(200, page(&["m3"], 3));
    mock.push_json(200, format!("[{USER_JSON}]"));
    let client = client(&mock);
    assert_eq!(count(request(2).items(&client)), 3);
    let users = ListUsers::builder().limit(2).build().unwrap();
    assert_eq!(
        count(users.items(&client)),
        1,
        "a short page of users is the last"
    );
    assert_eq!(mock.requests().len(), 3);
}
