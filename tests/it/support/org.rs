//! An organization on the in-memory Clerk, with people named after their ids, for the sync
//! tests.

use clerk_memberships::Client;
use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser};

/// The organization `org_acme` on `fake`, and a client for it.
pub struct Org {
    pub fake: FakeClerk,
    pub client: Client,
    pub id: String,
}

impl Org {
    /// `org_acme` on `fake`, reached through the client `connect` builds.
    pub fn on(fake: FakeClerk, connect: impl FnOnce(&FakeClerk) -> Client) -> Org {
        let id = fake.add_organization(FakeOrganization::new("Acme").id("org_acme"));
        let client = connect(&fake);
        Org { fake, client, id }
    }

    /// A user `user_<name>` with the address `<name>@acme.com` and external id `hr-<name>`.
    pub fn user(&self, name: &str) -> String {
        self.fake.add_user(
            FakeUser::new(name, "Acme")
                .id(format!("user_{name}"))
                .email(format!("{name}@acme.com"))
                .external_id(format!("hr-{name}")),
        )
    }

    /// A user who is a member with `role`.
    pub fn member(&self, name: &str, role: &str) -> String {
        let user = self.user(name);
        self.fake
            .add_membership(&self.id, &user, role)
            .expect("seeded");
        user
    }

    /// The role `user_id` holds now, if a member.
    pub fn role(&self, user_id: &str) -> Option<String> {
        self.fake.membership(&self.id, user_id).map(|m| m.role)
    }
}
