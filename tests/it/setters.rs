//! The setters of the five public builders take what a caller has (`&str`, `String`, arrays,
//! vectors, iterators, `Option`s, a bare `None`), and each form puts exactly the expected bytes
//! on the wire. Every form below compiling is half of what these tests check.

use std::borrow::Cow;
use std::marker::PhantomData;

use clerk_memberships::testing::MockTransport;
use clerk_memberships::{
    BuildError, Client, CreateMembership, CreateMembershipBuilder, DeleteMembership,
    DeleteMembershipBuilder, HttpRequest, ListMemberships, ListMembershipsBuilder,
    UpdateMembership, UpdateMembershipBuilder, UpdateMembershipMetadata,
    UpdateMembershipMetadataBuilder,
};
use serde_json::{Value, json};

const LIST_PATH: &str = "/v1/organizations/org_1/memberships";

/// A client that never sends anything here: only `render` is used.
fn client() -> Client {
    MockTransport::new().client()
}

/// The query string `builder` renders (without the path), e.g. `?role=org%3Aadmin`.
fn query_of(builder: ListMembershipsBuilder) -> String {
    let request = builder.build().unwrap().render(&client()).unwrap();
    let target = request.path_and_query();
    target
        .strip_prefix(LIST_PATH)
        .unwrap_or_else(|| panic!("unexpected path {target}"))
        .to_owned()
}

fn list() -> ListMembershipsBuilder {
    ListMemberships::builder().organization_id("org_1")
}

fn body_of(request: &HttpRequest) -> &str {
    std::str::from_utf8(request.body().expect("a body")).unwrap()
}

// ---- plural filter setters ----------------------------------------------------------------

/// One test per plural filter setter: an array of `&str`, a `Vec<&str>`, a `Vec<String>`, a
/// slice of `String`s by reference and a lazy iterator all compile and put the same repeated
/// keys on the wire, in order.
macro_rules! plural_setter_tests {
    ($($name:ident: $plural:ident / $singular:ident => $key:literal;)*) => {$(
        #[test]
        fn $name() {
            let raw = concat!("?", $key, "=a&", $key, "=b&", $key, "=c");
            let owned: Vec<String> = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()];

            assert_eq!(query_of(list().$plural(["a", "b", "c"])), raw, "array of &str");
            assert_eq!(query_of(list().$plural(vec!["a", "b", "c"])), raw, "Vec<&str>");
            assert_eq!(query_of(list().$plural(owned.clone())), raw, "Vec<String>");
            assert_eq!(query_of(list().$plural(&owned)), raw, "&Vec<String>");
            assert_eq!(
                query_of(list().$plural(owned.iter().map(String::as_str))),
                raw,
                "an iterator of &str"
            );
            assert_eq!(
                query_of(list().$plural(['a', 'b', 'c'].iter().map(char::to_string))),
                raw,
                "an iterator of String"
            );
            assert_eq!(
                query_of(list().$plural([Cow::Borrowed("a"), Cow::Owned("b".to_owned()), "c".into()])),
                raw,
                "Cow<str>"
            );
            // An empty iterator sets no value: nothing is sent.
            assert_eq!(query_of(list().$plural(Vec::<String>::new())), "");
            // The singular setter appends; the plural one replaces what was set before it.
            assert_eq!(
                query_of(list().$singular("x").$plural(["a", "b"]).$singular("c")),
                raw
            );
        }
    )*};
}

plural_setter_tests! {
    user_ids_take_arrays_vecs_and_iterators: user_ids / user_id => "user_id";
    email_addresses_take_arrays_vecs_and_iterators:
        email_addresses / email_address => "email_address";
    phone_numbers_take_arrays_vecs_and_iterators: phone_numbers / phone_number => "phone_number";
    usernames_take_arrays_vecs_and_iterators: usernames / username => "username";
    web3_wallets_take_arrays_vecs_and_iterators: web3_wallets / web3_wallet => "web3_wallet";
    roles_take_arrays_vecs_and_iterators: roles / role => "role";
}

#[test]
fn roles_from_the_issue_examples_compile_and_encode() {
    let raw = "?role=org%3Aadmin&role=org%3Amember";
    assert_eq!(query_of(list().roles(["org:admin", "org:member"])), raw);
    assert_eq!(query_of(list().roles(vec!["org:admin", "org:member"])), raw);
    assert_eq!(
        query_of(list().roles(vec![String::from("org:admin"), String::from("org:member")])),
        raw
    );
    assert_eq!(
        query_of(list().roles("org:admin org:member".split(' '))),
        raw
    );
    assert_eq!(query_of(list().role("org:admin").role("org:member")), raw);
}

// ---- `set_x(Option<…>)` forwarders ----------------------------------------------------------

/// One test per `Option<&str>` forwarder: a bare `None`, `Some` of a literal, of a borrowed
/// `String`, an `Option<String>` through `as_deref()` and an `Option<&str>` variable all
/// compile; `Some(v)` sends what the plain setter sends, `None` sends nothing and clears an
/// earlier value.
macro_rules! text_option_setter_tests {
    ($($name:ident: $set:ident / $plain:ident => $key:literal;)*) => {$(
        #[test]
        fn $name() {
            let raw = concat!("?", $key, "=a%20b");
            let owned: String = "a b".to_owned();
            let owned_option: Option<String> = Some("a b".to_owned());
            let borrowed_option: Option<&str> = Some("a b");
            let absent: Option<String> = None;

            assert_eq!(query_of(list().$plain("a b")), raw);
            assert_eq!(query_of(list().$set(Some("a b"))), raw, "Some(&'static str)");
            assert_eq!(query_of(list().$set(Some(&owned))), raw, "Some(&String)");
            assert_eq!(query_of(list().$set(Some(owned.as_str()))), raw, "Some(&str)");
            assert_eq!(query_of(list().$set(owned_option.as_deref())), raw, "Option<String>");
            assert_eq!(query_of(list().$set(borrowed_option)), raw, "Option<&str>");
            assert_eq!(query_of(list().$set(Some(""))), concat!("?", $key, "="), "empty");

            assert_eq!(query_of(list().$set(None)), "", "a bare None");
            assert_eq!(query_of(list().$set(absent.as_deref())), "", "an absent String");
            assert_eq!(query_of(list().$plain("x").$set(None)), "", "None clears");
        }
    )*};
}

text_option_setter_tests! {
    set_order_by_takes_str_options_and_bare_none: set_order_by / order_by => "order_by";
    set_query_takes_str_options_and_bare_none: set_query / query => "query";
    set_email_address_query_takes_str_options_and_bare_none:
        set_email_address_query / email_address_query => "email_address_query";
    set_phone_number_query_takes_str_options_and_bare_none:
        set_phone_number_query / phone_number_query => "phone_number_query";
    set_username_query_takes_str_options_and_bare_none:
        set_username_query / username_query => "username_query";
    set_name_query_takes_str_options_and_bare_none:
        set_name_query / name_query => "name_query";
}

/// One test per integer forwarder: a bare `None`, `Some` of a literal and an `Option`
/// variable all compile.
macro_rules! integer_option_setter_tests {
    ($($name:ident: $set:ident / $plain:ident($value:literal as $ty:ty) => $raw:literal;)*) => {$(
        #[test]
        fn $name() {
            let held: Option<$ty> = Some($value);
            assert_eq!(query_of(list().$plain($value)), $raw);
            assert_eq!(query_of(list().$set(Some($value))), $raw);
            assert_eq!(query_of(list().$set(held)), $raw);
            assert_eq!(query_of(list().$set(None)), "", "a bare None");
            assert_eq!(query_of(list().$plain($value).$set(None)), "", "None clears");
        }
    )*};
}

integer_option_setter_tests! {
    set_limit_takes_options_and_bare_none: set_limit / limit(20 as u32) => "?limit=20";
    set_offset_takes_options_and_bare_none: set_offset / offset(40 as u64) => "?offset=40";
    set_last_active_at_before_takes_options_and_bare_none:
        set_last_active_at_before / last_active_at_before(-1 as i64)
            => "?last_active_at_before=-1";
    set_last_active_at_after_takes_options_and_bare_none:
        set_last_active_at_after / last_active_at_after(2 as i64) => "?last_active_at_after=2";
    set_created_at_before_takes_options_and_bare_none:
        set_created_at_before / created_at_before(3 as i64) => "?created_at_before=3";
    set_created_at_after_takes_options_and_bare_none:
        set_created_at_after / created_at_after(4 as i64) => "?created_at_after=4";
}

#[test]
fn metadata_option_setters_take_values_and_bare_none() {
    let held: Option<Value> = Some(json!({"a": 1}));
    let request = CreateMembership::builder()
        .organization_id("org_1")
        .user_id("user_1")
        .role("org:member")
        .set_public_metadata(held)
        .set_private_metadata(None)
        .build()
        .unwrap()
        .render(&client())
        .unwrap();
    assert_eq!(
        body_of(&request),
        r#"{"user_id":"user_1","role":"org:member","public_metadata":{"a":1}}"#
    );
    let request = UpdateMembershipMetadata::builder()
        .organization_id("org_1")
        .user_id("user_1")
        .set_public_metadata(None)
        .set_private_metadata(Some(json!({"b": null})))
        .build()
        .unwrap()
        .render(&client())
        .unwrap();
    assert_eq!(body_of(&request), r#"{"private_metadata":{"b":null}}"#);
}

// ---- text setters and by-value builders -----------------------------------------------------

#[test]
fn text_setters_take_str_string_borrowed_string_and_cow() {
    let org = String::from("org_1");
    let request = UpdateMembership::builder()
        .organization_id(&org)
        .user_id(String::from("user_1"))
        .role(Cow::Borrowed("org:admin"))
        .build()
        .unwrap()
        .render(&client())
        .unwrap();
    assert_eq!(
        request.path_and_query(),
        "/v1/organizations/org_1/memberships/user_1"
    );
    assert_eq!(body_of(&request), r#"{"role":"org:admin"}"#);
}

/// Each public builder can be named, kept in a variable, passed around and built later: the
/// setters take it by value and hand it back.
#[test]
fn every_builder_is_a_by_value_value_that_builds_later() {
    let client = client();

    let create: CreateMembershipBuilder = CreateMembership::builder().organization_id("org_1");
    let create = create.user_id("user_1");
    let create = create.role("org:member");
    let request = create.build().unwrap().render(&client).unwrap();
    assert_eq!(request.path_and_query(), LIST_PATH);
    assert_eq!(
        body_of(&request),
        r#"{"user_id":"user_1","role":"org:member"}"#
    );

    let list: ListMembershipsBuilder = ListMemberships::builder().organization_id("org_1");
    let list = list.limit(5);
    let request = list.build().unwrap().render(&client).unwrap();
    assert_eq!(request.path_and_query(), format!("{LIST_PATH}?limit=5"));
    assert_eq!(request.body(), None);

    let update: UpdateMembershipBuilder = UpdateMembership::builder().organization_id("org_1");
    let update = update.user_id("user_1").role("org:admin");
    let request = update.build().unwrap().render(&client).unwrap();
    assert_eq!(body_of(&request), r#"{"role":"org:admin"}"#);

    let delete: DeleteMembershipBuilder = DeleteMembership::builder().organization_id("org_1");
    let delete = delete.user_id("user_1");
    let request = delete.build().unwrap().render(&client).unwrap();
    assert_eq!(request.path_and_query(), format!("{LIST_PATH}/user_1"));
    assert_eq!(request.body(), None);

    let metadata: UpdateMembershipMetadataBuilder =
        UpdateMembershipMetadata::builder().organization_id("org_1");
    let metadata = metadata.user_id("user_1");
    let request = metadata.build().unwrap().render(&client).unwrap();
    assert_eq!(
        request.path_and_query(),
        format!("{LIST_PATH}/user_1/metadata")
    );
    assert_eq!(body_of(&request), "{}");
}

#[test]
fn build_returns_the_crates_build_error() {
    let missing: Result<DeleteMembership, BuildError> =
        DeleteMembership::builder().organization_id("org_1").build();
    assert_eq!(missing, Err(BuildError::MissingField("user_id")));
    let invalid: Result<ListMemberships, BuildError> = list().limit(0).build();
    assert_eq!(invalid.unwrap_err().field(), "limit");
}

// ---- what is deliberately not public ------------------------------------------------------

/// Tells, for a concrete type, whether it has a trait impl: an inherent method (only there
/// when the bound holds) wins over the blanket trait method that answers `false`.
struct Probe<T>(PhantomData<T>);

trait Fallback {
    fn is_serialize(&self) -> bool {
        false
    }
    fn converts_from_derive_builder_error(&self) -> bool {
        false
    }
}

impl<T> Fallback for Probe<T> {}

impl<T: serde::Serialize> Probe<T> {
    fn is_serialize(&self) -> bool {
        true
    }
}

impl<T: From<derive_builder::UninitializedFieldError>> Probe<T> {
    fn converts_from_derive_builder_error(&self) -> bool {
        true
    }
}

fn probe<T>() -> Probe<T> {
    Probe(PhantomData)
}

/// The request types are not their wire bodies: serializing one would have to drop the ids
/// that go in the path, so none implements `Serialize` (a private body type does the work).
#[test]
fn request_types_do_not_implement_serialize() {
    assert!(
        probe::<Value>().is_serialize(),
        "the probe sees an impl that exists"
    );
    assert!(!probe::<CreateMembership>().is_serialize());
    assert!(!probe::<ListMemberships>().is_serialize());
    assert!(!probe::<UpdateMembership>().is_serialize());
    assert!(!probe::<DeleteMembership>().is_serialize());
    assert!(!probe::<UpdateMembershipMetadata>().is_serialize());
}

/// derive_builder is an implementation detail: its error type does not convert into
/// [`BuildError`] in the public API.
#[test]
fn build_error_has_no_conversion_from_derive_builder() {
    assert!(
        probe::<derive_builder::UninitializedFieldError>().converts_from_derive_builder_error(),
        "the probe sees an impl that exists"
    );
    assert!(!probe::<BuildError>().converts_from_derive_builder_error());
}
