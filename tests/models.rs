//! Response models: what Clerk really sends decodes, directly with serde_json and through the
//! client, including the places where real servers differ from the spec.

mod support;

use clerk_memberships::{
    Metadata, Organization, OrganizationMembership, OrganizationMemberships, PublicUserData,
};
use httpmock::prelude::*;
use serde_json::{Value, json};
use support::clients::client;
use support::ops::Op;

const MEMBERSHIP: &str = include_str!("fixtures/membership.json");
const MEMBERSHIP_NULLS: &str = include_str!("fixtures/membership_nulls.json");
const MEMBERSHIP_MINIMAL: &str = include_str!("fixtures/membership_minimal.json");
const MEMBERSHIP_UNKNOWN_FIELDS: &str = include_str!("fixtures/membership_unknown_fields.json");
const MEMBERSHIP_NON_ASCII: &str = include_str!("fixtures/membership_non_ascii.json");
const MEMBERSHIPS_PAGE: &str = include_str!("fixtures/memberships_page.json");

fn object(value: Value) -> Metadata {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn decode(json: &str) -> OrganizationMembership {
    serde_json::from_str(json).expect("fixture decodes")
}

fn realistic() -> OrganizationMembership {
    OrganizationMembership {
        object: "organization_membership".into(),
        id: "orgmem_2g7np7Hrk0SN6kj5EDMLDaKNL0S".into(),
        role: "org:member".into(),
        role_name: Some("Member".into()),
        permissions: Some(vec!["org:posts:read".into(), "org:posts:write".into()]),
        public_metadata: Metadata::new(),
        private_metadata: Some(Metadata::new()),
        organization: Organization {
            object: "organization".into(),
            id: "org_2g7np7Hrk0SN6kj5EDMLDaKNL0S".into(),
            name: "Acme Corp".into(),
            slug: "acme-corp".into(),
            image_url: Some("https://img.clerk.com/xxxxxx".into()),
            has_image: true,
            members_count: Some(2),
            missing_member_with_elevated_permissions: Some(false),
            pending_invitations_count: Some(0),
            max_allowed_memberships: 5,
            admin_delete_enabled: true,
            public_metadata: Metadata::new(),
            private_metadata: Some(Metadata::new()),
            created_by: Some("user_2g7np7Hrk0SN6kj5EDMLDaKNL0S".into()),
            created_at: 1_716_883_200_000,
            updated_at: 1_716_883_200_000,
            last_active_at: None,
            role_set_key: None,
        },
        public_user_data: Some(PublicUserData {
            user_id: "user_2h8op3Isl1QR7tKu5FGNfaLKEoU".into(),
            first_name: Some("Jane".into()),
            last_name: Some("Doe".into()),
            profile_image_url: Some("https://img.clerk.com/yyyyy".into()),
            image_url: "https://img.clerk.com/yyyyy".into(),
            has_image: true,
            identifier: Some("jane.doe@acme.com".into()),
            username: None,
            banned: None,
            deprovisioned: None,
        }),
        created_at: 1_716_883_200_000,
        updated_at: 1_716_883_200_000,
    }
}

#[test]
fn realistic_membership_decodes_field_by_field() {
    assert_eq!(decode(MEMBERSHIP), realistic());
}

#[test]
fn the_testing_module_sample_is_the_same_membership() {
    assert_eq!(
        decode(clerk_memberships::testing::MEMBERSHIP_JSON),
        realistic()
    );
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
    let page: OrganizationMemberships = serde_json::from_str(MEMBERSHIPS_PAGE).unwrap();
    assert_eq!(page.total_count, 42);
    assert_eq!(page.data.len(), 2);
    assert_eq!(page.data[0], realistic());
    assert_eq!(page.data[1], decode(MEMBERSHIP_NULLS));
}

#[test]
fn an_empty_page_decodes() {
    let page: OrganizationMemberships =
        serde_json::from_str(r#"{"data":[],"total_count":0}"#).unwrap();
    assert!(page.data.is_empty());
    assert_eq!(page.total_count, 0);
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
