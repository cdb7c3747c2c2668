//! `sync::resolve_users`: email addresses, external ids and user ids to Clerk user ids, in
//! batches; found, not found, ambiguous or refused per key, never a guess. Against the
//! in-memory Clerk for the semantics and `MockTransport` for the exact requests.

use clerk_memberships::sync::{self, Resolved, UserKey};
use clerk_memberships::testing::{FakeClerk, FakeUser, MockTransport, USER_JSON};
use clerk_memberships::{ErrorKind, RetryPolicy};

fn found(user_id: &str) -> Resolved {
    sync::Resolved::Found {
        user_id: user_id.to_owned(),
    }
}

fn queries(fake: &FakeClerk) -> Vec<String> {
    fake.requests()
        .iter()
        .map(|request| {
            let target = request.path_and_query();
            assert!(target.starts_with("/v1/users"), "{target}");
            target.trim_start_matches("/v1/users").to_owned()
        })
        .collect()
}

// ---- found, not found, ambiguous --------------------------------------------------------------

#[test]
fn emails_resolve_found_and_not_found_in_the_order_given() {
    let fake = FakeClerk::new();
    let jane = fake.add_user(FakeUser::new("Jane", "Doe").email("jane@acme.com"));
    let john = fake.add_user(FakeUser::new("John", "Roe").email("john@acme.com"));
    let keys = ["john@acme.com", "gone@acme.com", "jane@acme.com"]
        .into_iter()
        .map(UserKey::email)
        .collect::<Vec<_>>();

    let resolution = sync::resolve_users(&fake.client(), keys).unwrap();

    let got: Vec<(&UserKey, &Resolved)> = resolution.iter().collect();
    assert_eq!(
        got,
        [
            (&UserKey::email("john@acme.com"), &found(&john)),
            (&UserKey::email("gone@acme.com"), &Resolved::NotFound),
            (&UserKey::email("jane@acme.com"), &found(&jane)),
        ]
    );
    assert!(!resolution.is_complete());
    assert_eq!(resolution.found().count(), 2);
    assert_eq!(
        queries(&fake),
        [
            "?email_address=john%40acme.com&email_address=gone%40acme.com&email_address=jane%40acme.com&order_by=created_at&limit=500"
        ]
    );
}

/// Addresses that Unicode case folding (but not ASCII lowercasing) maps onto `kate@acme.com`
/// or `ines@acme.com`: KELVIN SIGN, fullwidth K, and the Turkish dotted capital and dotless i.
const LOOK_ALIKES: [&str; 4] = [
    "\u{212A}ate@acme.com",
    "\u{FF2B}ate@acme.com",
    "\u{0130}nes@acme.com",
    "\u{0131}nes@acme.com",
];

#[test]
fn an_address_that_only_unicode_case_folding_would_match_resolves_to_nobody() {
    let fake = FakeClerk::new();
    let kate = fake.add_user(FakeUser::new("Kate", "Lee").email("kate@acme.com"));
    fake.add_user(FakeUser::new("Ines", "Roe").email("ines@acme.com"));
    let keys = LOOK_ALIKES
        .into_iter()
        .map(UserKey::email)
        .chain([UserKey::email("KATE@acme.com")])
        .collect::<Vec<_>>();

    let resolution = sync::resolve_users(&fake.client(), keys).unwrap();

    for look_alike in LOOK_ALIKES {
        assert_eq!(
            resolution.get(&UserKey::email(look_alike)),
            Some(&Resolved::NotFound),
            "{look_alike:?}"
        );
    }
    assert_eq!(
        resolution.user_id(&UserKey::email("KATE@acme.com")),
        Some(kate.as_str())
    );
}

#[test]
fn a_server_answer_that_differs_in_more_than_ascii_case_is_not_a_match() {
    // A server that folds case its own way answers the look-alike with Kate: not a match.
    let mock = MockTransport::new();
    let kate = USER_JSON.replace("jane.doe@acme.com", "kate@acme.com");
    assert_ne!(kate, USER_JSON);
    mock.push_json(200, format!("[{kate}]"));
    let keys = [UserKey::email("\u{212A}ate@acme.com")];

    let resolution = sync::resolve_users(&mock.client(), keys).unwrap();

    assert_eq!(
        resolution.get(&UserKey::email("\u{212A}ate@acme.com")),
        Some(&Resolved::NotFound)
    );
    assert_eq!(
        mock.requests()[0].path_and_query(),
        "/v1/users?email_address=%E2%84%AAate%40acme.com&order_by=created_at&limit=500",
        "the address is sent as given, not folded"
    );
}

#[test]
fn emails_match_without_regard_to_case_and_surrounding_whitespace() {
    let fake = FakeClerk::new();
    let jane = fake.add_user(FakeUser::new("Jane", "Doe").email("jane.doe@acme.com"));
    let keys = [
        UserKey::email("Jane.Doe@ACME.com"),
        UserKey::email("  jane.doe@acme.com\t"),
        UserKey::email("jane.doe@acme.com"),
    ];

    let resolution = sync::resolve_users(&fake.client(), keys.clone()).unwrap();

    assert_eq!(resolution.len(), 3, "each key as given keeps its own entry");
    for key in &keys {
        assert_eq!(resolution.get(key), Some(&found(&jane)), "{key}");
    }
    assert_eq!(
        queries(&fake),
        ["?email_address=jane.doe%40acme.com&order_by=created_at&limit=500"],
        "sent once, lowercased and trimmed"
    );
}

#[test]
fn an_address_stored_in_mixed_case_is_found_too() {
    let fake = FakeClerk::new();
    let ann = fake.add_user(FakeUser::unnamed().email("Ann.Lee@Acme.com"));
    let keys = [UserKey::email("ANN.LEE@acme.COM")];
    let resolution = sync::resolve_users(&fake.client(), keys).unwrap();
    assert_eq!(
        resolution.user_id(&UserKey::email("ANN.LEE@acme.COM")),
        Some(ann.as_str())
    );
}

#[test]
fn any_address_of_a_user_matches_not_only_the_primary_one() {
    let fake = FakeClerk::new();
    let ann = fake.add_user(
        FakeUser::unnamed()
            .email("ann@acme.com")
            .email("ann@old.example"),
    );
    let keys = [
        UserKey::email("ann@old.example"),
        UserKey::email("ann@acme.com"),
    ];
    let resolution = sync::resolve_users(&fake.client(), keys).unwrap();
    assert!(resolution.is_complete());
    assert!(resolution.found().all(|(_, id)| id == ann));
}

#[test]
fn several_users_for_one_key_are_ambiguous_and_none_is_picked() {
    let fake = FakeClerk::new();
    let first = fake.add_user(
        FakeUser::unnamed()
            .email("shared@acme.com")
            .external_id("hr-1"),
    );
    let second = fake.add_user(
        FakeUser::unnamed()
            .email("SHARED@acme.com")
            .external_id("hr-1"),
    );
    let other = fake.add_user(FakeUser::unnamed().email("solo@acme.com"));
    let keys = [
        UserKey::email("shared@acme.com"),
        UserKey::external_id("hr-1"),
        UserKey::email("solo@acme.com"),
    ];

    let resolution = sync::resolve_users(&fake.client(), keys).unwrap();

    let both = Resolved::Ambiguous {
        user_ids: vec![first.clone(), second.clone()],
    };
    assert_eq!(
        resolution.get(&UserKey::email("shared@acme.com")),
        Some(&both)
    );
    assert_eq!(resolution.get(&UserKey::external_id("hr-1")), Some(&both));
    assert_eq!(resolution.user_id(&UserKey::email("shared@acme.com")), None);
    assert_eq!(
        resolution.user_id(&UserKey::email("solo@acme.com")),
        Some(other.as_str())
    );
    assert_eq!(
        both.to_string(),
        format!("ambiguous: 2 users match ({first}, {second})")
    );
}

#[test]
fn external_ids_match_exactly_and_user_ids_are_checked_to_exist() {
    let fake = FakeClerk::new();
    let jane = fake.add_user(FakeUser::unnamed().external_id("hr-00042"));
    fake.add_user(FakeUser::unnamed().external_id("HR-00043"));
    let keys = ["hr-00042", "hr-00043"]
        .into_iter()
        .map(UserKey::external_id)
        .chain(
            [jane.as_str(), "user_gone"]
                .into_iter()
                .map(UserKey::user_id),
        )
        .collect::<Vec<_>>();

    let resolution = sync::resolve_users(&fake.client(), keys).unwrap();

    assert_eq!(
        resolution.get(&UserKey::external_id("hr-00042")),
        Some(&found(&jane))
    );
    assert_eq!(
        resolution.get(&UserKey::external_id("hr-00043")),
        Some(&Resolved::NotFound),
        "external ids are case-sensitive"
    );
    assert_eq!(
        resolution.get(&UserKey::user_id(&jane)),
        Some(&found(&jane))
    );
    assert_eq!(
        resolution.get(&UserKey::user_id("user_gone")),
        Some(&Resolved::NotFound)
    );
    assert_eq!(
        queries(&fake),
        [
            "?external_id=hr-00042&external_id=hr-00043&order_by=created_at&limit=500".to_owned(),
            format!("?user_id={jane}&user_id=user_gone&order_by=created_at&limit=500"),
        ],
        "one request per kind of key, never mixed (the API would AND them)"
    );
}

#[test]
fn no_keys_send_nothing() {
    let fake = FakeClerk::new();
    let resolution = sync::resolve_users(&fake.client(), Vec::<UserKey>::new()).unwrap();
    assert!(resolution.is_empty());
    assert!(resolution.is_complete());
    assert!(fake.requests().is_empty());
}

// ---- ids that begin with + or - ---------------------------------------------------------------

#[test]
fn external_ids_beginning_with_a_sign_are_looked_up_alone_with_a_plus_in_front() {
    let fake = FakeClerk::new();
    let minus = fake.add_user(FakeUser::unnamed().external_id("-legacy"));
    let plus = fake.add_user(FakeUser::unnamed().external_id("+legacy"));
    let plain = fake.add_user(FakeUser::unnamed().external_id("legacy"));
    let keys = ["-legacy", "legacy", "+legacy", "-nobody"]
        .into_iter()
        .map(UserKey::external_id)
        .collect::<Vec<_>>();

    let resolution = sync::resolve_users(&fake.client(), keys).unwrap();

    assert_eq!(
        resolution.get(&UserKey::external_id("-legacy")),
        Some(&found(&minus))
    );
    assert_eq!(
        resolution.get(&UserKey::external_id("+legacy")),
        Some(&found(&plus))
    );
    assert_eq!(
        resolution.get(&UserKey::external_id("legacy")),
        Some(&found(&plain))
    );
    assert_eq!(
        resolution.get(&UserKey::external_id("-nobody")),
        Some(&Resolved::NotFound)
    );
    assert_eq!(
        queries(&fake),
        [
            "?external_id=legacy&order_by=created_at&limit=500",
            "?external_id=%2B-legacy&order_by=created_at&limit=500",
            "?external_id=%2B%2Blegacy&order_by=created_at&limit=500",
            "?external_id=%2B-nobody&order_by=created_at&limit=500",
        ]
    );
}

#[test]
fn a_signed_key_is_never_read_as_an_exclusion_even_by_a_server_that_answers_everyone() {
    // A server that misreads `+-legacy` and answers with every user: only an exact match
    // counts, so the key is not found rather than matched to someone else.
    let mock = MockTransport::new();
    mock.push_json(200, format!("[{USER_JSON}]"));
    let keys = [UserKey::external_id("-legacy")];
    let resolution = sync::resolve_users(&mock.client(), keys).unwrap();
    assert_eq!(
        resolution.get(&UserKey::external_id("-legacy")),
        Some(&Resolved::NotFound)
    );
}

#[test]
fn user_ids_beginning_with_a_sign_are_looked_up_alone_too() {
    let fake = FakeClerk::new();
    let odd = fake.add_user(FakeUser::unnamed().id("-user_odd"));
    let normal = fake.add_user(FakeUser::unnamed().id("user_odd"));
    let keys = ["-user_odd", "user_odd"]
        .into_iter()
        .map(UserKey::user_id)
        .collect::<Vec<_>>();

    let resolution = sync::resolve_users(&fake.client(), keys).unwrap();

    assert_eq!(
        resolution.get(&UserKey::user_id("-user_odd")),
        Some(&found(&odd))
    );
    assert_eq!(
        resolution.get(&UserKey::user_id("user_odd")),
        Some(&found(&normal))
    );
    assert_eq!(
        queries(&fake),
        [
            "?user_id=user_odd&order_by=created_at&limit=500",
            "?user_id=%2B-user_odd&order_by=created_at&limit=500",
        ]
    );
}

#[test]
fn emails_beginning_with_a_sign_need_no_trick() {
    let fake = FakeClerk::new();
    let plus = fake.add_user(FakeUser::unnamed().email("+tag@acme.com"));
    let keys = ["+tag@acme.com", "-x@acme.com"]
        .into_iter()
        .map(UserKey::email)
        .collect::<Vec<_>>();
    let resolution = sync::resolve_users(&fake.client(), keys).unwrap();
    assert_eq!(
        resolution.get(&UserKey::email("+tag@acme.com")),
        Some(&found(&plus))
    );
    assert_eq!(
        queries(&fake),
        [
            "?email_address=%2Btag%40acme.com&email_address=-x%40acme.com&order_by=created_at&limit=500"
        ]
    );
}

// ---- refused keys -----------------------------------------------------------------------------

#[test]
fn keys_that_cannot_name_anyone_are_refused_one_by_one_without_failing_the_rest() {
    let fake = FakeClerk::new();
    let jane = fake.add_user(FakeUser::unnamed().email("jane@acme.com"));
    let keys = [
        UserKey::email(""),
        UserKey::email(" \t "),
        UserKey::email("not-an-address"),
        UserKey::email("jane\0@acme.com"),
        UserKey::email("jane doe@acme.com"),
        UserKey::email(format!("{}@x.io", "a".repeat(1024))),
        UserKey::external_id(""),
        UserKey::external_id("   "),
        UserKey::external_id("e".repeat(1024 + 1)),
        UserKey::user_id(""),
        UserKey::user_id("."),
        UserKey::user_id("u".repeat(257)),
        UserKey::email("jane@acme.com"),
    ];

    let resolution = sync::resolve_users(&fake.client(), keys).unwrap();

    let reasons: Vec<String> = resolution
        .unresolved()
        .map(|(key, resolved)| match resolved {
            Resolved::Refused { reason } => format!("{}: {reason}", key.kind()),
            other => panic!("{key}: expected a refusal, got {other}"),
        })
        .collect();
    assert_eq!(
        reasons,
        [
            "email address: must not be empty",
            "email address: must not be only whitespace",
            "email address: is not an email address (it has no `@`)",
            "email address: is not an email address (it has a control character)",
            "email address: is not an email address (it has a space)",
            "email address: must be at most 1024 bytes, got 1029",
            "external id: must not be empty",
            "external id: must not be only whitespace",
            "external id: must be at most 1024 bytes, got 1025",
            "user id: must not be empty",
            "user id: must not be `.` or `..`",
            "user id: must be at most 256 bytes, got 257",
        ]
    );
    assert_eq!(
        resolution.user_id(&UserKey::email("jane@acme.com")),
        Some(jane.as_str())
    );
    assert_eq!(fake.requests().len(), 1, "refused keys cost no request");
}

// ---- batching ---------------------------------------------------------------------------------

#[test]
fn one_thousand_emails_cost_ten_requests() {
    let fake = FakeClerk::new();
    let emails: Vec<String> = (0..1000).map(|i| format!("person{i}@acme.com")).collect();
    let ids = fake.add_users(emails.iter().map(|email| FakeUser::unnamed().email(email)));

    let resolution =
        sync::resolve_users(&fake.client(), emails.iter().map(UserKey::email)).unwrap();

    assert_eq!(fake.requests().len(), 10);
    for query in queries(&fake) {
        assert_eq!(query.matches("email_address=").count(), 100, "{query}");
    }
    assert!(resolution.is_complete());
    let resolved: Vec<&str> = resolution.found().map(|(_, id)| id).collect();
    let expected: Vec<&str> = ids.iter().map(String::as_str).collect();
    assert_eq!(resolved, expected, "each email to its own user, in order");
}

#[test]
fn batches_of_each_kind_are_cut_at_100_values_on_the_wire() {
    let mock = MockTransport::new();
    for _ in 0..5 {
        mock.push_json(200, "[]");
    }
    let keys = (0..250)
        .map(|i| format!("p{i}@x.io"))
        .map(UserKey::email)
        .chain(
            (0..101)
                .map(|i| format!("hr-{i}"))
                .map(UserKey::external_id),
        )
        .collect::<Vec<_>>();

    let resolution = sync::resolve_users(&mock.client(), keys).unwrap();

    assert_eq!(resolution.len(), 351);
    assert!(resolution.iter().all(|(_, r)| *r == Resolved::NotFound));
    let counts: Vec<(usize, usize)> = mock
        .requests()
        .iter()
        .map(|r| {
            let q = r.path_and_query();
            (
                q.matches("email_address=").count(),
                q.matches("external_id=").count(),
            )
        })
        .collect();
    assert_eq!(counts, [(100, 0), (100, 0), (50, 0), (0, 100), (0, 1)]);
    let first = mock.requests()[0].path_and_query().to_owned();
    assert!(
        first.starts_with("/v1/users?email_address=p0%40x.io&email_address=p1%40x.io&"),
        "{first}"
    );
    assert!(
        first.ends_with("&email_address=p99%40x.io&order_by=created_at&limit=500"),
        "{first}"
    );
}

#[test]
fn long_values_make_smaller_batches_so_every_url_fits() {
    let mock = MockTransport::new();
    for _ in 0..100 {
        mock.push_json(200, "[]");
    }
    let long = |i: usize| format!("{}{i}@acme.com", "é".repeat(150));
    let keys = (0..100).map(long).map(UserKey::email).collect::<Vec<_>>();

    sync::resolve_users(&mock.client(), keys).unwrap();

    let sent = mock.requests();
    assert!(sent.len() > 1, "100 long addresses do not fit in one URL");
    assert!(sent.iter().all(|r| r.url().len() <= 8192));
    let total: usize = sent
        .iter()
        .map(|r| r.path_and_query().matches("email_address=").count())
        .sum();
    assert_eq!(total, 100, "every address asked for exactly once");
}

#[test]
fn a_batch_that_fills_a_page_is_paged_through() {
    let fake = FakeClerk::new();
    // 600 users share one address (a real instance would not allow it): one key, two pages.
    let shared = fake.add_users((0..600).map(|_| FakeUser::unnamed().email("team@acme.com")));
    let single = fake.add_user(FakeUser::unnamed().email("solo@acme.com"));
    let keys = [
        UserKey::email("team@acme.com"),
        UserKey::email("solo@acme.com"),
    ];

    let resolution = sync::resolve_users(&fake.client(), keys).unwrap();

    assert_eq!(
        queries(&fake),
        [
            "?email_address=team%40acme.com&email_address=solo%40acme.com&order_by=created_at&limit=500",
            "?email_address=team%40acme.com&email_address=solo%40acme.com&order_by=created_at&limit=500&offset=500",
        ]
    );
    match resolution.get(&UserKey::email("team@acme.com")) {
        Some(Resolved::Ambiguous { user_ids }) => assert_eq!(*user_ids, shared),
        other => panic!("expected ambiguous, got {other:?}"),
    }
    assert_eq!(
        resolution.user_id(&UserKey::email("solo@acme.com")),
        Some(single.as_str())
    );
}

#[test]
fn users_in_the_answer_that_match_no_key_are_ignored() {
    // A server that ignores the filter and lists someone else: never a guess.
    let mock = MockTransport::new();
    mock.push_json(200, format!("[{USER_JSON}]"));
    let keys = [UserKey::email("someone.else@acme.com")];
    let resolution = sync::resolve_users(&mock.client(), keys).unwrap();
    assert_eq!(
        resolution.get(&UserKey::email("someone.else@acme.com")),
        Some(&Resolved::NotFound)
    );
}

// ---- errors -----------------------------------------------------------------------------------

#[test]
fn the_first_failed_request_ends_the_resolution_with_its_error() {
    let mock = MockTransport::new();
    mock.push_json(200, "[]").push_json(
        401,
        r#"{"errors":[{"code":"authorization_invalid","message":"Unauthorized request","long_message":"You are not authorized"}]}"#,
    );
    let client = mock
        .client_builder()
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let keys = (0..150)
        .map(|i| format!("p{i}@x.io"))
        .map(UserKey::email)
        .chain([UserKey::external_id("hr-1")])
        .collect::<Vec<_>>();

    let err = sync::resolve_users(&client, keys).unwrap_err();

    assert_eq!(err.status(), Some(401));
    assert!(matches!(err.kind(), ErrorKind::Api { .. }));
    assert!(
        err.to_string().starts_with("list users (GET /users): "),
        "{err}"
    );
    assert_eq!(
        mock.requests().len(),
        2,
        "nothing is sent after the failure"
    );
}

#[test]
fn the_fakes_rate_limit_is_ridden_over_by_the_clients_retries() {
    use clerk_memberships::Operation;
    use clerk_memberships::testing::Fault;
    let fake = FakeClerk::new();
    let jane = fake.add_user(FakeUser::unnamed().email("jane@acme.com"));
    fake.inject(Fault::RateLimited {
        retry_after: std::time::Duration::from_secs(1),
    })
    .times(1)
    .only(Operation::ListUsers);
    let resolution =
        sync::resolve_users(&fake.client(), vec![UserKey::email("jane@acme.com")]).unwrap();
    assert_eq!(
        resolution.user_id(&UserKey::email("jane@acme.com")),
        Some(jane.as_str())
    );
    assert_eq!(fake.requests().len(), 2);
}

// ---- the key set -------------------------------------------------------------------------------

#[test]
fn keys_keep_their_order_and_duplicates_are_resolved_once() {
    let fake = FakeClerk::new();
    let keys = [
        UserKey::email("a@x.io"),
        UserKey::external_id("a@x.io"),
        UserKey::email("a@x.io"),
        UserKey::user_id("user_1"),
        UserKey::user_id("user_1"),
    ];
    let resolution = sync::resolve_users(&fake.client(), keys).unwrap();
    let kinds: Vec<String> = resolution.iter().map(|(key, _)| key.to_string()).collect();
    assert_eq!(
        kinds,
        [
            r#"email address "a@x.io""#,
            r#"external id "a@x.io""#,
            r#"user id "user_1""#,
        ]
    );
    assert_eq!(resolution.len(), 3);
    // One request per kind, each value on the wire once.
    assert_eq!(
        queries(&fake),
        [
            "?email_address=a%40x.io&order_by=created_at&limit=500",
            "?external_id=a%40x.io&order_by=created_at&limit=500",
            "?user_id=user_1&order_by=created_at&limit=500",
        ]
    );
}
