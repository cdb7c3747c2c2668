//! Response models: what Clerk really sends decodes, directly with serde_json and through the
//! client, including the places where real servers differ from the spec.

use crate::support::clients::client;
use crate::support::ops::Op;
use clerk_memberships::testing::MockTransport;
use clerk_memberships::{
    ErrorKind, ListMemberships, Metadata, Organization, OrganizationMembership, Page,
    PublicUserData,
};
use httpmock::prelude::*;
use serde_json::{Value, json};

const MEMBERSHIP: &str = include_str!("../fixtures/membership.json");
const MEMBERSHIP_NULLS: &str = include_str!("../fixtures/membership_nulls.json");
const MEMBERSHIP_MINIMAL: &str = include_str!("../fixtures/membership_minimal.json");
const MEMBERSHIP_UNKNOWN_FIELDS: &str = include_str!("../fixtures/membership_unknown_fields.json");
const MEMBERSHIP_NON_ASCII: &str = include_str!("../fixtures/membership_non_ascii.json");
const MEMBERSHIPS_PAGE: &str = include_str!("../fixtures/memberships_page.json");

fn object(value: Value) -> Metadata {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn decode(json: &str) -> OrganizationMembership {
    serde_json::from_str(json).expect("fixture decodes")
}

/// Checks every field of the realistic fixture, as decoded. (Models are `#[non_exhaustive]`,
/// so a test outside the crate reads them field by field rather than writing a literal.)
fn assert_realistic(m: &OrganizationMembership) {
    assert_eq!(m.object, "organization_membership");
    assert_eq!(m.id, "orgmem_2g7np7Hrk0SN6kj5EDMLDaKNL0S");
    assert_eq!(m.role, "org:member");
    assert_eq!(m.role_name.as_deref(), Some("Member"));
    assert_eq!(
        m.permissions,
        Some(vec!["org:posts:read".into(), "org:posts:write".into()])
    );
    assert_eq!(m.public_metadata, Metadata::new());
    assert_eq!(m.private_metadata, Some(Metadata::new()));
    assert_eq!(m.created_at, 1_716_883_200_000);
    assert_eq!(m.updated_at, 1_716_883_200_000);
    let org: &Organization = &m.organization;
    assert_eq!(org.object, "organization");
    assert_eq!(org.id, "org_2g7np7Hrk0SN6kj5EDMLDaKNL0S");
    assert_eq!(org.name, "Acme Corp");
    assert_eq!(org.slug, "acme-corp");
    assert_eq!(
        org.image_url.as_deref(),
        Some("https://img.clerk.com/xxxxxx")
    );
    assert!(org.has_image);
    assert_eq!(org.members_count, Some(2));
    assert_eq!(org.missing_member_with_elevated_permissions, Some(false));
    assert_eq!(org.pending_invitations_count, Some(0));
    assert_eq!(org.max_allowed_memberships, 5);
    assert!(org.admin_delete_enabled);
    assert_eq!(org.public_metadata, Metadata::new());
    assert_eq!(org.private_metadata, Some(Metadata::new()));
    assert_eq!(
        org.created_by.as_deref(),
        Some("user_2g7np7Hrk0SN6kj5EDMLDaKNL0S")
    );
    assert_eq!(org.created_at, 1_716_883_200_000);
    assert_eq!(org.updated_at, 1_716_883_200_000);
    assert_eq!(org.last_active_at, None);
    assert_eq!(org.role_set_key, None);
    let user: &PublicUserData = m.public_user_data.as_ref().expect("public_user_data");
    assert_eq!(user.user_id, "user_2h8op3Isl1QR7tKu5FGNfaLKEoU");
    assert_eq!(user.first_name.as_deref(), Some("Jane"));
    assert_eq!(user.last_name.as_deref(), Some("Doe"));
    assert_eq!(
        user.profile_image_url.as_deref(),
        Some("https://img.clerk.com/yyyyy")
    );
    assert_eq!(user.image_url, "https://img.clerk.com/yyyyy");
    assert!(user.has_image);
    assert_eq!(user.identifier.as_deref(), Some("jane.doe@acme.com"));
    assert_eq!(user.username, None);
    assert_eq!(user.banned, None);
    assert_eq!(user.deprovisioned, None);
}

fn realistic() -> OrganizationMembership {
    let membership = decode(MEMBERSHIP);
    assert_realistic(&membership);
    membership
}

#[test]
fn realistic_membership_decodes_field_by_field() {
    assert_realistic(&decode(MEMBERSHIP));
}

#[test]
fn the_testing_module_sample_is_the_same_membership() {
    assert_realistic(&decode(clerk_memberships::testing::MEMBERSHIP_JSON));
}

#[test]
fn null_permissions_role_set_key_and_user_names_decode_as_none() {
    let membership = decode(MEMBERSHIP_NULLS);
    assert_eq!(membership.permissions, None);
    assert_eq!(membership.role, "org:viewer");
    let org = &membership.organization;
    assert_eq!(org.role_set_key, None);
    assert_eq!(org.created_by, None);
    assert_eq!(org.last_active_at, None);
    assert_eq!(org.max_allowed_memberships, 0);
    assert_eq!(org.missing_member_with_elevated_permissions, None);
    assert_eq!(membership.updated_at, 1_716_883_200_001);
    let user = membership.public_user_data.expect("public_user_data");
    assert_eq!(user.first_name, None);
    assert_eq!(user.last_name, None);
    assert_eq!(user.profile_image_url, None);
    assert_eq!(user.identifier, None);
    assert_eq!(user.username, None);
    assert_eq!(user.image_url, "https://img.clerk.com/default");
    assert!(!user.has_image);
}

#[test]
fn a_set_role_set_key_decodes() {
    let membership = decode(MEMBERSHIP_UNKNOWN_FIELDS);
    assert_eq!(
        membership.organization.role_set_key.as_deref(),
        Some("role_set:default")
    );
}

#[test]
fn missing_optional_fields_decode_as_none() {
    let membership = decode(MEMBERSHIP_MINIMAL);
    assert_eq!(membership.id, "orgmem_minimal");
    assert_eq!(membership.role_name, None);
    assert_eq!(membership.permissions, Some(vec![]));
    assert_eq!(membership.private_metadata, None);
    assert_eq!(membership.public_user_data, None);
    assert_eq!((membership.created_at, membership.updated_at), (3, 4));
    let org = membership.organization;
    assert_eq!(org.image_url, None);
    assert_eq!(org.members_count, None);
    assert_eq!(org.pending_invitations_count, None);
    assert_eq!(org.private_metadata, None);
    assert_eq!(org.created_by, None);
    assert_eq!(org.last_active_at, None);
    assert_eq!(org.role_set_key, None);
    assert_eq!((org.created_at, org.updated_at), (1, 2));
}

#[test]
fn permissions_may_be_left_out_entirely() {
    let mut value: Value = serde_json::from_str(MEMBERSHIP_MINIMAL).unwrap();
    value.as_object_mut().unwrap().remove("permissions");
    let membership: OrganizationMembership = serde_json::from_value(value).unwrap();
    assert_eq!(membership.permissions, None);
}

#[test]
fn unknown_fields_are_ignored_at_every_level() {
    let membership = decode(MEMBERSHIP_UNKNOWN_FIELDS);
    assert_eq!(membership.id, "orgmem_future");
    assert_eq!(membership.role, "org:billing_manager");
    assert_eq!(
        membership.public_metadata,
        object(json!({"plan": "pro"})),
        "metadata is kept whole"
    );
    assert_eq!(membership.organization.id, "org_future");
    assert_eq!(
        membership.organization.last_active_at,
        Some(1_750_000_000_000)
    );
    let user = membership.public_user_data.expect("public_user_data");
    assert_eq!(user.username.as_deref(), Some("ada"));
    assert_eq!(user.banned, Some(false));
    assert_eq!(user.deprovisioned, Some(true));
}

#[test]
fn non_ascii_ids_and_metadata_survive_unchanged() {
    let membership = decode(MEMBERSHIP_NON_ASCII);
    assert_eq!(membership.id, "orgmem_größe_日本");
    assert_eq!(membership.role, "org:rédacteur");
    assert_eq!(
        membership.permissions,
        Some(vec!["org:artículos:leer".to_owned()])
    );
    assert_eq!(
        membership.public_metadata,
        object(json!({
            "größe": "groß",
            "日本": "東京",
            "emoji": "🦀",
            "nested": {"clé": [1, "zwei", null]}
        }))
    );
    assert_eq!(
        membership.private_metadata,
        Some(object(json!({"notiz": "Müller – “quoted”"})))
    );
    assert_eq!(membership.organization.id, "org_ökonomie");
    assert_eq!(membership.organization.name, "Ökonomie GmbH 経済");
    assert_eq!(
        membership.organization.public_metadata,
        object(json!({"städte": ["Köln", "München"]}))
    );
    let user = membership.public_user_data.expect("public_user_data");
    assert_eq!(user.user_id, "user_jürgen");
    assert_eq!(user.last_name.as_deref(), Some("Größmann"));
    assert_eq!(user.identifier.as_deref(), Some("jürgen@bücher.example"));
}

#[test]
fn a_list_page_keeps_total_count_for_the_whole_filtered_set() {
    let page: Page<OrganizationMembership> = serde_json::from_str(MEMBERSHIPS_PAGE).unwrap();
    assert_eq!(page.total_count, 42);
    assert_eq!(page.data.len(), 2);
    assert_eq!(page.data[0], realistic());
    assert_eq!(page.data[1], decode(MEMBERSHIP_NULLS));
}

#[test]
fn an_empty_page_decodes() {
    let page: Page<OrganizationMembership> =
        serde_json::from_str(r#"{"data":[],"total_count":0}"#).unwrap();
    assert!(page.data.is_empty());
    assert_eq!(page.total_count, 0);
}

/// A page without its memberships must never read as an organization without members (a sync
/// would take everyone for new): a missing or `null` `data` or `total_count` is an error.
#[test]
fn a_page_of_memberships_without_data_or_total_count_is_a_decode_error() {
    for (json, field) in [
        ("{}", "`data`"),
        (r#"{"total_count":3}"#, "`data`"),
        (r#"{"data":null,"total_count":3}"#, "null"),
        (r#"{"data":[]}"#, "`total_count`"),
        (r#"{"data":[],"total_count":null}"#, "null"),
    ] {
        let err = serde_json::from_str::<Page<OrganizationMembership>>(json).unwrap_err();
        assert!(err.to_string().contains(field), "{json}: {err}");
    }
}

#[test]
fn a_memberships_listing_answered_with_an_empty_object_fails_instead_of_ending() {
    let mock = MockTransport::new();
    mock.push_json(200, "{}");
    let request = ListMemberships::builder()
        .organization_id("org_1")
        .build()
        .unwrap();
    let items: Vec<_> = request.items(&mock.client()).collect();
    assert_eq!(items.len(), 1, "{items:?}");
    match items[0].as_ref().unwrap_err().kind() {
        ErrorKind::Decode { model, detail, .. } => {
            assert_eq!(*model, "Page<OrganizationMembership>");
            assert!(detail.contains("`data`"), "{detail}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[test]
fn a_page_serializes_as_clerk_sends_it() {
    let page: Page<OrganizationMembership> = serde_json::from_str(MEMBERSHIPS_PAGE).unwrap();
    let value = serde_json::to_value(&page).unwrap();
    let keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["data", "total_count"]);
    assert_eq!(value["total_count"], 42);
    assert_eq!(
        serde_json::from_value::<Page<OrganizationMembership>>(value).unwrap(),
        page
    );
}

#[test]
fn a_missing_required_field_is_a_decode_error_naming_it() {
    let mut value: Value = serde_json::from_str(MEMBERSHIP).unwrap();
    value.as_object_mut().unwrap().remove("organization");
    let err = serde_json::from_value::<OrganizationMembership>(value).unwrap_err();
    assert!(err.to_string().contains("organization"), "{err}");
}

#[test]
fn membership_serializes_back_to_an_equal_value() {
    for fixture in [
        MEMBERSHIP,
        MEMBERSHIP_NULLS,
        MEMBERSHIP_MINIMAL,
        MEMBERSHIP_NON_ASCII,
    ] {
        let membership = decode(fixture);
        let again: OrganizationMembership =
            serde_json::from_str(&serde_json::to_string(&membership).unwrap()).unwrap();
        assert_eq!(again, membership);
    }
}

// ---- the same fixtures through the client --------------------------------------------------

#[test]
fn every_single_membership_operation_decodes_fixtures_through_the_client() {
    let server = MockServer::start();
    let client = client(&server);
    for (i, fixture) in [
        MEMBERSHIP,
        MEMBERSHIP_NULLS,
        MEMBERSHIP_MINIMAL,
        MEMBERSHIP_UNKNOWN_FIELDS,
        MEMBERSHIP_NON_ASCII,
    ]
    .into_iter()
    .enumerate()
    {
        let org = format!("org_{i}");
        let expected = decode(fixture);
        let mut mock = server.mock(|when, then| {
            when.path_prefix(format!("/v1/organizations/{org}/memberships"));
            then.status(200)
                .header("content-type", "application/json")
                .body(fixture);
        });

        for op in [Op::Create, Op::Update, Op::Delete, Op::UpdateMetadata] {
            let got = op.send_in(&client, &org).unwrap().membership();
            assert_eq!(got, expected, "{op:?} with fixture {i}");
        }
        mock.assert_calls(4);
        mock.delete();
    }
}

#[test]
fn a_list_page_decodes_through_the_client() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(GET).path("/v1/organizations/org_1/memberships");
        then.status(200)
            .header("content-type", "application/json")
            .body(MEMBERSHIPS_PAGE);
    });
    let page = Op::List.send(&client(&server)).unwrap().page();
    mock.assert();
    assert_eq!(page.total_count, 42);
    assert_eq!(page.data, vec![realistic(), decode(MEMBERSHIP_NULLS)]);
}

#[test]
fn a_page_with_unknown_top_level_fields_decodes_through_the_client() {
    let server = MockServer::start();
    let body = format!(
        r#"{{"data":[{MEMBERSHIP_UNKNOWN_FIELDS}],"total_count":1,"next_cursor":"abc","object":"list"}}"#
    );
    server.mock(|when, then| {
        when.method(GET);
        then.status(200).body(body);
    });
    let page = Op::List.send(&client(&server)).unwrap().page();
    assert_eq!(page.total_count, 1);
    assert_eq!(page.data, vec![decode(MEMBERSHIP_UNKNOWN_FIELDS)]);
}

#[test]
fn accessors_dig_out_the_user_id_identifier_email_and_a_name_to_show() {
    let jane = realistic();
    assert_eq!(jane.user_id(), Some("user_2h8op3Isl1QR7tKu5FGNfaLKEoU"));
    assert_eq!(jane.identifier(), Some("jane.doe@acme.com"));
    assert_eq!(jane.email_address(), Some("jane.doe@acme.com"));
    assert_eq!(jane.display_name(), "Jane Doe");

    let mut phone = realistic();
    let user = phone.public_user_data.as_mut().unwrap();
    user.identifier = Some("+15555550100".into());
    user.first_name = None;
    user.last_name = Some("  ".into());
    assert_eq!(phone.identifier(), Some("+15555550100"));
    assert_eq!(phone.email_address(), None, "a phone number is no email");
    assert_eq!(phone.display_name(), "+15555550100");

    let mut only_first = realistic();
    only_first.public_user_data.as_mut().unwrap().last_name = None;
    assert_eq!(only_first.display_name(), "Jane");

    let mut nameless = decode(MEMBERSHIP_NULLS);
    nameless.public_user_data.as_mut().unwrap().identifier = None;
    assert_eq!(
        nameless.display_name(),
        nameless.user_id().unwrap(),
        "falls back to the user id"
    );

    let mut bare = realistic();
    bare.public_user_data = None;
    assert_eq!(bare.user_id(), None);
    assert_eq!(bare.identifier(), None);
    assert_eq!(bare.email_address(), None);
    assert_eq!(bare.display_name(), "orgmem_2g7np7Hrk0SN6kj5EDMLDaKNL0S");
}
