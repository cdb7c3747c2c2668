"""Clerk's official Python SDK (clerk-backend-api) against the served fake.

    python clerk_sdk.py BASE_URL ORGANIZATION_ID

BASE_URL is the fake's base URL (`http://127.0.0.1:PORT/v1`). Seeded as tests/it/clerk_sdks.rs
does: the organization has Ann (admin); Bob and Cid are users, not members. Prints one JSON
object: what each call answered, as the SDK decoded it. Any answer the SDK refuses is raised.
"""

import json
import sys

from clerk_backend_api import Clerk, _version, models


def members(page):
    return [[m.public_user_data.user_id, m.role] for m in page.data]


def verifications(user):
    """The `object` of each address's verification, from the model the SDK picked by it."""
    addresses = user.email_addresses + user.phone_numbers + user.web3_wallets
    tags = {getattr(a.verification.object, "value", a.verification.object) for a in addresses}
    return sorted(tags)


def main():
    base_url, org = sys.argv[1], sys.argv[2]
    # No retries: an error answer must show at once, not after a backoff.
    clerk = Clerk(bearer_auth="sk_test_fake", server_url=base_url, retry_config=None)
    memberships = clerk.organization_memberships
    out = {"sdk": _version.__version__}

    created = memberships.create(
        organization_id=org, user_id="user_bob", role="org:member",
        public_metadata={"team": "ops"},
    )
    out["create"] = [created.public_user_data.user_id, created.role, created.public_metadata]
    page = memberships.list(organization_id=org, order_by="+created_at", limit=10)
    out["list"] = [page.total_count, members(page)]
    updated = memberships.update(organization_id=org, user_id="user_bob", role="org:admin")
    out["update"] = [updated.public_user_data.user_id, updated.role]
    merged = memberships.update_metadata(
        organization_id=org, user_id="user_bob",
        public_metadata={"team": None, "level": 2}, private_metadata={"note": "hi"},
    )
    out["update_metadata"] = [merged.public_metadata, merged.private_metadata]
    deleted = memberships.delete(organization_id=org, user_id="user_bob")
    out["delete"] = [deleted.public_user_data.user_id, deleted.organization.members_count]
    try:
        memberships.create(organization_id=org, user_id="user_nobody", role="org:member")
        out["refused"] = None
    except models.ClerkErrors as error:
        out["refused"] = [error.status_code, [e.code for e in error.data.errors]]

    users = clerk.users.list(request={
        "email_address": ["ann@acme.com", "bob@acme.com"], "order_by": "+created_at",
    })
    out["users"] = [[u.id for u in users], verifications(users[0])]
    out["count"] = [
        clerk.users.count().total_count,
        clerk.users.count(request={"user_id": ["user_ann", "user_cid"]}).total_count,
    ]
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
