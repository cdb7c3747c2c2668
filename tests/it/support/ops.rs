//! The five operations as one enum, so that one answer or fault can be tried against each of
//! them, each built the same way wherever a test only needs "that operation".

use clerk_memberships::testing::MEMBERSHIP_JSON;
use clerk_memberships::{
    Client, CreateMembership, DeleteMembership, Error, HttpRequest, ListMemberships,
    OrganizationMembership, Page, UpdateMembership, UpdateMembershipMetadata,
};
use serde_json::json;

use super::server::{Action, Response};

/// An empty page: the successful answer [`Op::ok`] gives a list.
pub const EMPTY_PAGE: &str = r#"{"data":[],"total_count":0}"#;

/// One of the five operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Create,
    List,
    Update,
    Delete,
    UpdateMetadata,
}

impl Op {
    /// Every operation, in this order.
    pub const ALL: [Op; 5] = [
        Op::Create,
        Op::List,
        Op::Update,
        Op::Delete,
        Op::UpdateMetadata,
    ];

    /// The operations that may be repeated after a failure that may have reached the server.
    pub const IDEMPOTENT: [Op; 4] = [Op::List, Op::Update, Op::Delete, Op::UpdateMetadata];

    /// The operation on `user` in `org`: a create as `org:member`, an update to `org:admin`, a
    /// metadata update with public metadata; `user` is not used by a list.
    pub fn build(self, org: &str, user: &str) -> Built {
        match self {
            Op::Create => Built::Create(
                CreateMembership::builder()
                    .organization_id(org)
                    .user_id(user)
                    .role("org:member")
                    .build()
                    .expect("a valid create"),
            ),
            Op::List => Built::List(
                ListMemberships::builder()
                    .organization_id(org)
                    .build()
                    .expect("a valid list"),
            ),
            Op::Update => Built::Update(
                UpdateMembership::builder()
                    .organization_id(org)
                    .user_id(user)
                    .role("org:admin")
                    .build()
                    .expect("a valid update"),
            ),
            Op::Delete => Built::Delete(
                DeleteMembership::builder()
                    .organization_id(org)
                    .user_id(user)
                    .build()
                    .expect("a valid delete"),
            ),
            Op::UpdateMetadata => Built::UpdateMetadata(
                UpdateMembershipMetadata::builder()
                    .organization_id(org)
                    .user_id(user)
                    .public_metadata(json!({"team": "billing"}))
                    .build()
                    .expect("a valid metadata update"),
            ),
        }
    }

    /// Sends the operation on `user_1` in `org_1`.
    pub fn send(self, client: &Client) -> Result<Answer, Error> {
        self.build("org_1", "user_1").send(client)
    }

    /// Sends the operation on `user_1` in `org`.
    pub fn send_in(self, client: &Client, org: &str) -> Result<Answer, Error> {
        self.build(org, "user_1").send(client)
    }

    /// The method and path the server sees for [`send`](Op::send) under a base URL ending
    /// in `/v1`.
    pub fn wire(self) -> (&'static str, &'static str) {
        match self {
            Op::Create => ("POST", "/v1/organizations/org_1/memberships"),
            Op::List => ("GET", "/v1/organizations/org_1/memberships"),
            Op::Update => ("PATCH", "/v1/organizations/org_1/memberships/user_1"),
            Op::Delete => ("DELETE", "/v1/organizations/org_1/memberships/user_1"),
            Op::UpdateMetadata => (
                "PATCH",
                "/v1/organizations/org_1/memberships/user_1/metadata",
            ),
        }
    }

    /// A successful answer for the operation, for the loopback [`Server`](super::Server): an
    /// empty page for a list, a membership otherwise.
    pub fn ok(self) -> Action {
        let body = if self == Op::List {
            EMPTY_PAGE
        } else {
            MEMBERSHIP_JSON
        };
        Action::Respond(Response::json(200, body))
    }
}

/// A built operation, ready to render or send.
#[allow(clippy::large_enum_variant)] // a few short-lived values in tests
#[derive(Debug, Clone, PartialEq)]
pub enum Built {
    Create(CreateMembership),
    List(ListMemberships),
    Update(UpdateMembership),
    Delete(DeleteMembership),
    UpdateMetadata(UpdateMembershipMetadata),
}

impl Built {
    /// The request [`send`](Built::send) would hand to the transport.
    pub fn render(&self, client: &Client) -> Result<HttpRequest, Error> {
        match self {
            Built::Create(op) => op.render(client),
            Built::List(op) => op.render(client),
            Built::Update(op) => op.render(client),
            Built::Delete(op) => op.render(client),
            Built::UpdateMetadata(op) => op.render(client),
        }
    }

    /// Sends the operation.
    pub fn send(&self, client: &Client) -> Result<Answer, Error> {
        match self {
            Built::Create(op) => op.send(client).map(Answer::Membership),
            Built::List(op) => op.send(client).map(Answer::Page),
            Built::Update(op) => op.send(client).map(Answer::Membership),
            Built::Delete(op) => op.send(client).map(Answer::Membership),
            Built::UpdateMetadata(op) => op.send(client).map(Answer::Membership),
        }
    }
}

/// What an operation answers: a page for a list, a membership for the others.
#[allow(clippy::large_enum_variant)] // a few short-lived values in tests
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Membership(OrganizationMembership),
    Page(Page<OrganizationMembership>),
}

impl Answer {
    /// The membership.
    ///
    /// # Panics
    ///
    /// When the answer is a page.
    pub fn membership(self) -> OrganizationMembership {
        match self {
            Answer::Membership(membership) => membership,
            Answer::Page(page) => panic!("expected a membership, got {page:?}"),
        }
    }

    /// The page.
    ///
    /// # Panics
    ///
    /// When the answer is a membership.
    pub fn page(self) -> Page<OrganizationMembership> {
        match self {
            Answer::Page(page) => page,
            Answer::Membership(membership) => panic!("expected a page, got {membership:?}"),
        }
    }
}

/// Adds `user` to `org` as `role`.
pub fn create(
    client: &Client,
    org: &str,
    user: &str,
    role: &str,
) -> Result<OrganizationMembership, Error> {
    CreateMembership::builder()
        .organization_id(org)
        .user_id(user)
        .role(role)
        .build()?
        .send(client)
}

/// Gives `user` the role `role` in `org`.
pub fn update(
    client: &Client,
    org: &str,
    user: &str,
    role: &str,
) -> Result<OrganizationMembership, Error> {
    UpdateMembership::builder()
        .organization_id(org)
        .user_id(user)
        .role(role)
        .build()?
        .send(client)
}
