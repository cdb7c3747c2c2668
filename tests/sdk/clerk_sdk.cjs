// Clerk's official JavaScript SDK (@clerk/backend) against the served fake.
//
//     node clerk_sdk.cjs API_URL ORGANIZATION_ID
//
// API_URL is the fake's base URL without `/v1` (the SDK adds its API version). Seeded as
// tests/it/clerk_sdks.rs does: the organization has Ann (admin); Bob and Cid are users, not
// members. Prints one JSON object, the same shape as clerk_sdk.py prints: what each call
// answered, as the SDK decoded it. An answer the SDK refuses ends the script with an error.
'use strict';

const { createClerkClient } = require('@clerk/backend');

const members = (page) => page.data.map((m) => [m.publicUserData.userId, m.role]);

// The verification's strategy of each address: the SDK reads the `object`-tagged JSON into
// its own classes.
const verifications = (user) => [
  ...new Set(
    [...user.emailAddresses, ...user.phoneNumbers, ...user.web3Wallets].map(
      (address) => address.verification && address.verification.strategy,
    ),
  ),
].sort();

// Keys sorted at every depth, as Python's `json.dumps(sort_keys=True)` prints them.
const sorted = (value) => {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sorted(value[key])]));
  }
  return value;
};

async function main() {
  const [apiUrl, org] = process.argv.slice(2);
  const clerk = createClerkClient({ secretKey: 'sk_test_fake', apiUrl, apiVersion: 'v1' });
  const orgs = clerk.organizations;
  const out = { sdk: require('@clerk/backend/package.json').version };

  const created = await orgs.createOrganizationMembership({
    organizationId: org, userId: 'user_bob', role: 'org:member', publicMetadata: { team: 'ops' },
  });
  out.create = [created.publicUserData.userId, created.role, created.publicMetadata];
  const page = await orgs.getOrganizationMembershipList({
    organizationId: org, orderBy: '+created_at', limit: 10,
  });
  out.list = [page.totalCount, members(page)];
  const updated = await orgs.updateOrganizationMembership({
    organizationId: org, userId: 'user_bob', role: 'org:admin',
  });
  out.update = [updated.publicUserData.userId, updated.role];
  const merged = await orgs.updateOrganizationMembershipMetadata({
    organizationId: org, userId: 'user_bob',
    publicMetadata: { team: null, level: 2 }, privateMetadata: { note: 'hi' },
  });
  out.update_metadata = [merged.publicMetadata, merged.privateMetadata];
  const deleted = await orgs.deleteOrganizationMembership({ organizationId: org, userId: 'user_bob' });
  out.delete = [deleted.publicUserData.userId, deleted.organization.membersCount];
  try {
    await orgs.createOrganizationMembership({
      organizationId: org, userId: 'user_nobody', role: 'org:member',
    });
    out.refused = null;
  } catch (error) {
    out.refused = [error.status, (error.errors || []).map((e) => e.code)];
  }

  const users = await clerk.users.getUserList({
    emailAddress: ['ann@acme.com', 'bob@acme.com'], orderBy: '+created_at',
  });
  out.users = [users.data.map((u) => u.id), verifications(users.data[0]), users.totalCount];
  out.count = [
    await clerk.users.getCount(),
    await clerk.users.getCount({ userId: ['user_ann', 'user_cid'] }),
  ];
  console.log(JSON.stringify(sorted(out)));
}

main().catch((error) => {
  console.error(error && error.stack ? error.stack : error);
  if (error && error.errors) console.error(JSON.stringify(error.errors));
  process.exit(1);
});
