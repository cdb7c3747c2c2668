//! Every kind of answer the in-memory Clerk gives, checked against the response schemas
//! Clerk's OpenAPI document declares (vendored in `tests/fixtures/bapi`, see its SOURCE.md).
//!
//! The validator covers the subset those schemas use: `type`, `required`, `properties`,
//! `items`, `nullable`, `enum`, `$ref`, `allOf`, `oneOf`/`anyOf` (read as "at least one
//! matches"), `discriminator` (the property must be there and name a mapped schema, which
//! must fit) and `additionalProperties: false`. Known deviations of the real API from its
//! spec, which the fake reproduces on purpose, are listed in `ALLOWED` with their reasons.

use std::time::Duration;

use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser, Fault};
use clerk_memberships::{
    CreateMembership, DeleteMembership, GetOrganization, HttpRequest, ListInstanceMemberships,
    ListMemberships, ListOrganizationRoles, ListUsers, Transport, UpdateMembership,
    UpdateMembershipMetadata,
};
use serde_json::{Value, json};

const SCHEMAS: &str = include_str!("../fixtures/bapi/2026-05-12.schemas.json");

/// Deviations the real API shows and the fake reproduces: (where, what, why).
const ALLOWED: &[(&str, &str, &str)] = &[(
    "OrganizationMembership.permissions",
    "null",
    "Clerk sends `permissions: null` for a role without permissions although the spec makes \
     the array required (api-contract.md, known deviations)",
)];

struct Spec {
    document: Value,
}

impl Spec {
    fn load() -> Spec {
        Spec {
            document: serde_json::from_str(SCHEMAS).expect("the vendored schemas are JSON"),
        }
    }

    /// The schema of `operation`'s answer with `status`; an undeclared error status is
    /// checked against `ClerkErrors` (any non-2xx may carry it, per the contract).
    fn response(&self, operation: &str, status: u16) -> Value {
        let declared = &self.document["operations"][operation][status.to_string()];
        if declared.is_null() {
            assert!(status >= 400, "{operation} {status} has no schema");
            json!({"$ref": "#/components/schemas/ClerkErrors"})
        } else {
            declared.clone()
        }
    }

    /// Every violation, each as `(schema path, kind, JSON path)`.
    fn check(
        &self,
        schema: &Value,
        value: &Value,
        at: &str,
        owner: &str,
        out: &mut Vec<Violation>,
    ) {
        if let Some(reference) = schema["$ref"].as_str() {
            let name = reference.rsplit('/').next().unwrap_or_default();
            let target = &self.document["schemas"][name];
            assert!(!target.is_null(), "unresolved $ref {reference}");
            return self.check(target, value, at, name, out);
        }
        if let Some(all) = schema["allOf"].as_array() {
            for part in all {
                self.check(part, value, at, owner, out);
            }
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(options) = schema[key].as_array() {
                let fits = options.iter().any(|option| {
                    let mut inner = Vec::new();
                    self.check(option, value, at, owner, &mut inner);
                    inner.is_empty()
                });
                if !fits {
                    out.push(Violation::new(owner, key, at));
                }
                self.check_discriminator(schema, options, value, at, owner, out);
            }
        }
        if value.is_null() {
            if schema["nullable"] != json!(true) && schema.get("type").is_some() {
                out.push(Violation::new(owner, "null", at));
            }
            return;
        }
        if let Some(kind) = schema["type"].as_str() {
            let fits = match kind {
                "object" => value.is_object(),
                "array" => value.is_array(),
                "string" => value.is_string(),
                "integer" => value.is_i64() || value.is_u64(),
                "number" => value.is_number(),
                "boolean" => value.is_boolean(),
                _ => true,
            };
            if !fits {
                out.push(Violation::new(owner, &format!("not {kind}"), at));
                return;
            }
        }
        if let Some(allowed) = schema["enum"].as_array()
            && !allowed.contains(value)
        {
            out.push(Violation::new(owner, "enum", at));
        }
        if let Some(object) = value.as_object() {
            for required in schema["required"].as_array().into_iter().flatten() {
                let name = required.as_str().unwrap_or_default();
                if !object.contains_key(name) {
                    out.push(Violation::new(owner, "missing", &format!("{at}.{name}")));
                }
            }
            let properties = schema["properties"].as_object();
            for (key, field) in object {
                match properties.and_then(|p| p.get(key)) {
                    Some(property) => {
                        let owner = format!("{owner}.{key}");
                        self.check(property, field, &format!("{at}.{key}"), &owner, out);
                    }
                    None if schema["additionalProperties"] == json!(false) => {
                        out.push(Violation::new(
                            owner,
                            "unknown field",
                            &format!("{at}.{key}"),
                        ));
                    }
                    None => {}
                }
            }
        }
        if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
            for (i, item) in array.iter().enumerate() {
                self.check(items, item, &format!("{at}[{i}]"), owner, out);
            }
        }
    }
}

impl Spec {
    /// A `oneOf`/`anyOf` with a `discriminator`: an object must carry the named property, its
    /// value must be a key of the `mapping` (or, without one, the name of an option's schema:
    /// OpenAPI's implicit mapping), and the schema it names must fit. SDKs generated from the
    /// spec pick the model by this property and refuse an object without it.
    fn check_discriminator(
        &self,
        schema: &Value,
        options: &[Value],
        value: &Value,
        at: &str,
        owner: &str,
        out: &mut Vec<Violation>,
    ) {
        let discriminator = &schema["discriminator"];
        let (Some(property), Some(object)) =
            (discriminator["propertyName"].as_str(), value.as_object())
        else {
            return;
        };
        let field = format!("{at}.{property}");
        let Some(tag) = object.get(property) else {
            out.push(Violation::new(owner, "discriminator missing", &field));
            return;
        };
        let target = match discriminator["mapping"].as_object() {
            Some(mapping) => tag
                .as_str()
                .and_then(|tag| mapping.get(tag))
                .and_then(Value::as_str)
                .map(str::to_owned),
            None => options
                .iter()
                .filter_map(|option| option["$ref"].as_str())
                .find(|reference| tag.as_str() == reference.rsplit('/').next())
                .map(str::to_owned),
        };
        match target {
            Some(reference) => self.check(&json!({ "$ref": reference }), value, at, owner, out),
            None => out.push(Violation::new(owner, "discriminator", &field)),
        }
    }
}

#[derive(Debug)]
struct Violation {
    owner: String,
    kind: String,
    at: String,
}

impl Violation {
    fn new(owner: &str, kind: &str, at: &str) -> Violation {
        Violation {
            owner: owner.to_owned(),
            kind: kind.to_owned(),
            at: at.to_owned(),
        }
    }

    fn allowed(&self) -> bool {
        ALLOWED
            .iter()
            .any(|(owner, kind, _why)| self.owner == *owner && self.kind == *kind)
    }
}

/// Sends `request` to `fake` and checks the answer against the operation's schema.
fn check(
    spec: &Spec,
    fake: &FakeClerk,
    operation: &str,
    request: &HttpRequest,
    status: u16,
) -> Vec<String> {
    let answer = fake.send(request).expect("answered");
    assert_eq!(
        answer.status(),
        status,
        "{operation}: {}",
        String::from_utf8_lossy(answer.body())
    );
    let body: Value = serde_json::from_slice(answer.body()).expect("JSON");
    let mut violations = Vec::new();
    spec.check(
        &spec.response(operation, status),
        &body,
        "$",
        operation,
        &mut violations,
    );
    let (allowed, refused): (Vec<_>, Vec<_>) = violations.into_iter().partition(Violation::allowed);
    assert!(refused.is_empty(), "{operation} {status}: {refused:#?}");
    allowed
        .into_iter()
        .map(|v| format!("{operation} {status} {}", v.at))
        .collect()
}

#[test]
fn every_kind_of_answer_matches_the_spec_but_for_the_allowlist()
-> Result<(), Box<dyn std::error::Error>> {
    let spec = Spec::load();
    let fake = FakeClerk::new();
    fake.add_role("org:viewer", "Viewer", Vec::<String>::new());
    let org = fake.add_organization(FakeOrganization::new("Acme").max_allowed_memberships(3));
    let user = |name: &str| {
        fake.add_user(
            FakeUser::new(name, "Acme")
                .email(format!("{name}@acme.com"))
                .phone_number("+15555550100")
                .web3_wallet("0xabc")
                .external_id(format!("hr-{name}"))
                .last_active_at(1_778_000_000_000),
        )
    };
    let (ann, bob, cid, dan) = (user("ann"), user("bob"), user("cid"), user("dan"));
    fake.add_user(FakeUser::unnamed());
    let client = fake.client();
    let create = |user: &str, role: &str| {
        CreateMembership::builder()
            .organization_id(&org)
            .user_id(user)
            .role(role)
            .public_metadata(json!({"a": 1}))
            .build()
            .expect("built")
            .render(&client)
            .expect("rendered")
    };
    let mut allowed = Vec::new();
    allowed.extend(check(
        &spec,
        &fake,
        "create",
        &create(&ann, "org:admin"),
        200,
    ));
    allowed.extend(check(
        &spec,
        &fake,
        "create",
        &create(&bob, "org:viewer"),
        200,
    ));
    // A role the instance does not have is refused (the fake's assumed 422).
    allowed.extend(check(
        &spec,
        &fake,
        "create",
        &create(&cid, "org:unknown"),
        422,
    ));
    allowed.extend(check(
        &spec,
        &fake,
        "create",
        &create(&cid, "org:member"),
        200,
    ));
    allowed.extend(check(
        &spec,
        &fake,
        "create",
        &create(&ann, "org:admin"),
        400,
    ));
    allowed.extend(check(
        &spec,
        &fake,
        "create",
        &create(&dan, "org:member"),
        403,
    ));
    allowed.extend(check(
        &spec,
        &fake,
        "create",
        &create("user_nobody", "org:member"),
        404,
    ));

    let list = ListMemberships::builder()
        .organization_id(&org)
        .build()?
        .render(&client)?;
    allowed.extend(check(&spec, &fake, "list", &list, 200));
    let missing = ListMemberships::builder()
        .organization_id("org_missing")
        .build()?
        .render(&client)?;
    allowed.extend(check(&spec, &fake, "list", &missing, 404));
    let unknown_order = ListMemberships::builder()
        .organization_id(&org)
        .order_by("+shoe_size")
        .build()?
        .render(&client)?;
    allowed.extend(check(&spec, &fake, "list", &unknown_order, 422));
    let unauthorized = fake.client_builder().secret_key("sk_test_other").build()?;
    fake.require_secret_key(FakeClerk::SECRET_KEY);
    let list_other = ListMemberships::builder()
        .organization_id(&org)
        .build()?
        .render(&unauthorized)?;
    allowed.extend(check(&spec, &fake, "list", &list_other, 401));

    let update = |user: &str| {
        UpdateMembership::builder()
            .organization_id(&org)
            .user_id(user)
            .role("org:member")
            .build()
            .expect("built")
            .render(&client)
            .expect("rendered")
    };
    allowed.extend(check(&spec, &fake, "update", &update(&bob), 200));
    allowed.extend(check(&spec, &fake, "update", &update(&dan), 404));
    let unknown_role = UpdateMembership::builder()
        .organization_id(&org)
        .user_id(&bob)
        .role("org:admn")
        .build()?
        .render(&client)?;
    allowed.extend(check(&spec, &fake, "update", &unknown_role, 422));

    let metadata = |user: &str| {
        UpdateMembershipMetadata::builder()
            .organization_id(&org)
            .user_id(user)
            .private_metadata(json!({"b": {"c": null}}))
            .build()
            .expect("built")
            .render(&client)
            .expect("rendered")
    };
    allowed.extend(check(&spec, &fake, "update_metadata", &metadata(&cid), 200));
    allowed.extend(check(&spec, &fake, "update_metadata", &metadata(&dan), 404));

    let delete = |user: &str| {
        DeleteMembership::builder()
            .organization_id(&org)
            .user_id(user)
            .build()
            .expect("built")
            .render(&client)
            .expect("rendered")
    };
    allowed.extend(check(&spec, &fake, "delete", &delete(&cid), 200));
    allowed.extend(check(&spec, &fake, "delete", &delete(&cid), 404));

    let users = ListUsers::builder().limit(100).build()?.render(&client)?;
    allowed.extend(check(&spec, &fake, "list_users", &users, 200));

    // Every role, each with its permissions as objects, and one without any.
    let roles = ListOrganizationRoles::builder().build()?.render(&client)?;
    allowed.extend(check(&spec, &fake, "list_organization_roles", &roles, 200));
    let one_role = ListOrganizationRoles::builder()
        .query("view")
        .order_by("-key")
        .limit(1)
        .offset(0)
        .build()?
        .render(&client)?;
    allowed.extend(check(
        &spec,
        &fake,
        "list_organization_roles",
        &one_role,
        200,
    ));
    let bad_order = ListOrganizationRoles::builder()
        .order_by("shoe_size")
        .build()?
        .render(&client)?;
    allowed.extend(check(
        &spec,
        &fake,
        "list_organization_roles",
        &bad_order,
        422,
    ));

    // Errors any operation may give: a rate limit, a server error.
    fake.inject(Fault::RateLimited {
        retry_after: Duration::from_secs(1),
    });
    allowed.extend(check(&spec, &fake, "list", &list, 429));
    fake.inject(Fault::ServerError { status: 500 });
    allowed.extend(check(&spec, &fake, "update", &update(&bob), 500));
    fake.rate_limit(1, Duration::from_secs(10));
    allowed.extend(check(&spec, &fake, "list_users", &users, 200));
    allowed.extend(check(&spec, &fake, "list_users", &users, 429));

    // The allowlist is used, not dead: the role without permissions shows `null`.
    assert!(
        allowed
            .iter()
            .any(|a| a.starts_with("create 200") && a.ends_with(".permissions")),
        "{allowed:?}"
    );
    Ok(())
}

#[test]
fn the_validator_reports_what_breaks_the_schema() {
    let spec = Spec::load();
    let mut membership: Value =
        serde_json::from_str(clerk_memberships::testing::MEMBERSHIP_JSON).expect("JSON");
    let mut violations = Vec::new();
    let schema = spec.response("update", 200);
    spec.check(&schema, &membership, "$", "update", &mut violations);
    assert!(violations.is_empty(), "{violations:?}");

    membership["role"] = json!(5);
    membership["object"] = json!("organization");
    membership["organization"]["has_image"] = Value::Null;
    if let Some(object) = membership.as_object_mut() {
        object.remove("id");
    }
    spec.check(&schema, &membership, "$", "update", &mut violations);
    let mut seen: Vec<(String, String)> = violations.into_iter().map(|v| (v.kind, v.at)).collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("enum".to_owned(), "$.object".to_owned()),
            ("missing".to_owned(), "$.id".to_owned()),
            ("not string".to_owned(), "$.role".to_owned()),
            ("null".to_owned(), "$.organization.has_image".to_owned()),
        ]
    );
}

#[test]
fn the_validator_requires_the_discriminator_a_one_of_names()
-> Result<(), Box<dyn std::error::Error>> {
    let spec = Spec::load();
    let fake = FakeClerk::new();
    fake.add_user(
        FakeUser::new("Ann", "Lee")
            .email("ann@acme.com")
            .web3_wallet("0xabc"),
    );
    let users = ListUsers::builder().build()?.render(&fake.client())?;
    let mut answer: Value = serde_json::from_slice(fake.send(&users)?.body())?;
    let schema = spec.response("list_users", 200);
    let mut violations = Vec::new();
    spec.check(&schema, &answer, "$", "list_users", &mut violations);
    assert!(violations.is_empty(), "{violations:?}");

    let email = "$[0].email_addresses[0].verification";
    let wallet = "$[0].web3_wallets[0].verification";
    // Missing; a value the mapping lacks; a mapped value whose schema does not fit (the
    // wallet's discriminator has no mapping: the options' schema names are its values).
    if let Some(verification) = answer[0]["email_addresses"][0]["verification"].as_object_mut() {
        verification.remove("object");
    }
    answer[0]["web3_wallets"][0]["verification"]["object"] = json!("verification_otp");
    let mut seen = Vec::new();
    spec.check(&schema, &answer, "$", "list_users", &mut seen);
    answer[0]["email_addresses"][0]["verification"]["object"] = json!("verification_web3");
    answer[0]["web3_wallets"][0]["verification"]["object"] = json!("verification_web3");
    spec.check(&schema, &answer, "$", "list_users", &mut seen);
    let mut seen: Vec<(String, String)> = seen.into_iter().map(|v| (v.kind, v.at)).collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("discriminator".to_owned(), format!("{email}.object")),
            ("discriminator".to_owned(), format!("{wallet}.object")),
            (
                "discriminator missing".to_owned(),
                format!("{email}.object")
            ),
            // The schema the wallet's tag names, checked on its own.
            ("enum".to_owned(), format!("{wallet}.strategy")),
            // No option fits a tag the options' own `object` enums refuse.
            ("oneOf".to_owned(), email.to_owned()),
            ("oneOf".to_owned(), wallet.to_owned()),
            ("oneOf".to_owned(), wallet.to_owned()),
        ]
    );
    Ok(())
}

#[test]
fn every_kind_of_invitation_answer_matches_the_spec() -> Result<(), Box<dyn std::error::Error>> {
    use clerk_memberships::{
        BulkCreateInvitations, CreateInvitation, GetInvitation, ListInvitations, NewInvitation,
        RevokeInvitation,
    };
    let spec = Spec::load();
    let fake = FakeClerk::new();
    let org = fake.add_organization(FakeOrganization::new("Acme").max_allowed_memberships(5));
    let admin = fake.add_user(FakeUser::new("Ann", "Acme").email("ann@acme.com"));
    fake.add_membership(&org, &admin, "org:admin")?;
    let client = fake.client();
    let invite = |email: &str, role: &str| {
        CreateInvitation::builder()
            .organization_id(&org)
            .email_address(email)
            .role(role)
            .inviter_user_id(&admin)
            .public_metadata(json!({"team": "ops"}))
            .build()
            .expect("built")
            .render(&client)
            .expect("rendered")
    };
    let mut allowed = Vec::new();
    let op = "create_invitation";
    allowed.extend(check(
        &spec,
        &fake,
        op,
        &invite("new@acme.com", "org:member"),
        200,
    ));
    allowed.extend(check(
        &spec,
        &fake,
        op,
        &invite("new@acme.com", "org:member"),
        400,
    ));
    allowed.extend(check(
        &spec,
        &fake,
        op,
        &invite("ann@acme.com", "org:member"),
        400,
    ));
    allowed.extend(check(
        &spec,
        &fake,
        op,
        &invite("other@acme.com", "org:nope"),
        422,
    ));
    let bulk = |emails: &[&str]| {
        BulkCreateInvitations::builder()
            .organization_id(&org)
            .invitations(emails.iter().map(|e| NewInvitation::new(*e, "org:member")))
            .build()
            .expect("built")
            .render(&client)
            .expect("rendered")
    };
    let op = "bulk_create_invitations";
    allowed.extend(check(
        &spec,
        &fake,
        op,
        &bulk(&["b@acme.com", "c@acme.com"]),
        200,
    ));
    allowed.extend(check(
        &spec,
        &fake,
        op,
        &bulk(&["d@acme.com", "e@acme.com"]),
        403,
    ));
    let list = ListInvitations::builder()
        .organization_id(&org)
        .status("pending")
        .build()?
        .render(&client)?;
    allowed.extend(check(&spec, &fake, "list_invitations", &list, 200));
    let missing = ListInvitations::builder()
        .organization_id("org_missing")
        .build()?
        .render(&client)?;
    allowed.extend(check(&spec, &fake, "list_invitations", &missing, 404));
    let bad = ListInvitations::builder()
        .organization_id(&org)
        .status("lost")
        .build()?
        .render(&client)?;
    allowed.extend(check(&spec, &fake, "list_invitations", &bad, 422));
    let id = fake.invitations(&org)[0].id.clone();
    let get = |id: &str| {
        GetInvitation::builder()
            .organization_id(&org)
            .invitation_id(id)
            .build()
            .expect("built")
            .render(&client)
            .expect("rendered")
    };
    allowed.extend(check(&spec, &fake, "get_invitation", &get(&id), 200));
    allowed.extend(check(
        &spec,
        &fake,
        "get_invitation",
        &get("orginv_none"),
        404,
    ));
    let revoke = RevokeInvitation::builder()
        .organization_id(&org)
        .invitation_id(&id)
        .requesting_user_id(&admin)
        .build()?
        .render(&client)?;
    allowed.extend(check(&spec, &fake, "revoke_invitation", &revoke, 200));
    allowed.extend(check(&spec, &fake, "revoke_invitation", &revoke, 400));
    // An accepted one reads as the spec says too.
    fake.accept_invitation("b@acme.com")?;
    allowed.extend(check(&spec, &fake, "list_invitations", &list, 200));
    assert!(allowed.is_empty(), "{allowed:?}");
    Ok(())
}

/// `GET /users/count`, which the crate does not send (so it has no request to render in
/// process), checked over HTTP.
#[cfg(feature = "fake-server")]
#[test]
fn users_count_matches_the_spec() -> Result<(), Box<dyn std::error::Error>> {
    use std::io::{Read, Write};

    let spec = Spec::load();
    let server = FakeClerk::serve("127.0.0.1:0")?;
    server.add_user(FakeUser::new("Ann", "Lee").email("ann@acme.com"));
    let many: Vec<String> = (0..101).map(|i| format!("user_id=u{i}")).collect();
    for (query, status) in [(String::new(), 200), (format!("?{}", many.join("&")), 422)] {
        let mut stream = std::net::TcpStream::connect(server.addr())?;
        write!(
            stream,
            "GET /v1/users/count{query} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {}\r\nconnection: close\r\n\r\n",
            FakeClerk::SECRET_KEY
        )?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status} ")),
            "{answer}"
        );
        let (_, body) = answer.split_once("\r\n\r\n").ok_or("no body")?;
        let body: Value = serde_json::from_str(body)?;
        let mut violations = Vec::new();
        let schema = spec.response("count_users", status);
        spec.check(&schema, &body, "$", "count_users", &mut violations);
        assert!(violations.is_empty(), "{status}: {violations:#?}");
    }
    Ok(())
}

/// `GET /organizations/{organization_id}` (by id and by slug, with and without the members
/// count, and unknown) and `GET /organization_memberships` (every organization's members),
/// checked against their schemas.
#[test]
fn organization_reads_match_the_spec() -> Result<(), Box<dyn std::error::Error>> {
    let spec = Spec::load();
    let fake = FakeClerk::new();
    let acme = fake.add_organization(FakeOrganization::new("Acme"));
    let globex = fake.add_organization(FakeOrganization::new("Globex"));
    let ann = fake.add_user(FakeUser::new("Ann", "Lee").email("ann@acme.com"));
    fake.add_membership(&acme, &ann, "org:admin")?;
    fake.add_membership(&globex, &ann, "org:member")?;
    let client = fake.client();
    let get = |id: &str, count: bool| {
        GetOrganization::builder()
            .organization_id(id)
            .include_members_count(count)
            .build()
            .expect("built")
            .render(&client)
            .expect("rendered")
    };
    let mut allowed = Vec::new();
    allowed.extend(check(
        &spec,
        &fake,
        "get_organization",
        &get(&acme, true),
        200,
    ));
    allowed.extend(check(
        &spec,
        &fake,
        "get_organization",
        &get("globex", false),
        200,
    ));
    allowed.extend(check(
        &spec,
        &fake,
        "get_organization",
        &get("org_nobody", true),
        404,
    ));
    let all = ListInstanceMemberships::builder()
        .limit(500)
        .build()?
        .render(&client)?;
    allowed.extend(check(&spec, &fake, "list_instance_memberships", &all, 200));
    let bad = ListInstanceMemberships::builder()
        .order_by("+nothing")
        .build()?
        .render(&client)?;
    allowed.extend(check(&spec, &fake, "list_instance_memberships", &bad, 422));
    assert!(allowed.is_empty(), "{allowed:?}");
    Ok(())
}
