//! A tour of the five membership operations and pagination, then a roster sync: a dry-run
//! plan, and its apply.
//!
//! Offline (no `CLERK_SECRET_KEY`): runs against the in-memory Clerk, seeded with a realistic
//! organization of 1,200 members, and needs no account and no network:
//!
//! ```sh
//! cargo run --example quickstart --features test-util
//! ```
//!
//! Against the real API (`CLERK_SECRET_KEY` set) it only reads, unless you name a user for the
//! write steps, which add that user to the organization, change and annotate the membership,
//! then remove it again:
//!
//! ```sh
//! CLERK_SECRET_KEY=sk_test_… cargo run --example quickstart --features test-util -- \
//!     --org org_… [--write-user user_…]
//! ```

use std::process::ExitCode;
use std::time::Duration;

use clerk_memberships::sync::{
    self, ApplyOptions, MetadataPolicy, Roster, RosterEntry, SyncOptions,
};
use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeUser, Fault};
use clerk_memberships::{
    Client, CreateMembership, DeleteMembership, Error, ListMemberships, Operation,
    OrganizationMembership, UpdateMembership, UpdateMembershipMetadata,
};
use serde_json::json;

const FIRST: [&str; 12] = [
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Dennis",
    "Radia", "Linus",
];
const LAST: [&str; 10] = [
    "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton",
    "Ritchie",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = if std::env::var_os("CLERK_SECRET_KEY").is_some() {
        real(&args)
    } else {
        offline()
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

/// The tour against the in-memory Clerk.
fn offline() -> Result<(), Box<dyn std::error::Error>> {
    println!("CLERK_SECRET_KEY is not set: using the in-memory Clerk (no network).\n");
    let fake = FakeClerk::new();
    let org = fake.add_organization(
        FakeOrganization::new("Acme Corp")
            .slug("acme-corp")
            .max_allowed_memberships(2_000),
    );
    for i in 0..1_200 {
        let (first, last) = (FIRST[i % FIRST.len()], LAST[i / FIRST.len() % LAST.len()]);
        let user = fake.add_user(
            FakeUser::new(first, last)
                .email(format!(
                    "{}.{}{i}@acme.test",
                    first.to_lowercase(),
                    last.to_lowercase()
                ))
                .username(format!("{}{i}", first.to_lowercase())),
        );
        let role = if i % 50 == 0 {
            "org:admin"
        } else {
            "org:member"
        };
        fake.add_membership(&org, &user, role)?;
    }
    let newcomer = fake.add_user(FakeUser::new("Jane", "Doe").email("jane.doe@acme.test"));
    let client = fake.client();
    tour(&client, &org, &newcomer)?;

    println!("\n6. Rate limits are waited out: the in-memory Clerk answers the next list with 429");
    let before = fake.requests().len();
    fake.inject(Fault::RateLimited {
        retry_after: Duration::from_secs(2),
    })
    .only(Operation::List);
    let page = ListMemberships::builder()
        .organization_id(&org)
        .limit(1)
        .build()?
        .send(&client)?;
    println!(
        "   {} requests: the client waited the 2 s Retry-After (on the fake's clock) and retried; {} members",
        fake.requests().len() - before,
        page.total_count
    );

    println!("\n7. Errors are typed: changing the role of someone who is not a member");
    let err = UpdateMembership::builder()
        .organization_id(&org)
        .user_id("user_not_a_member")
        .role("org:admin")
        .build()?
        .send(&client)
        .unwrap_err();
    println!(
        "   is_not_found() = {}, status {:?}, codes {:?}",
        err.is_not_found(),
        err.status(),
        err.clerk_codes().collect::<Vec<_>>()
    );
    println!("   {err}");

    println!("\n8. Invalid requests never leave the builder:");
    let err = ListMemberships::builder()
        .organization_id(&org)
        .limit(1_000)
        .build()
        .unwrap_err();
    println!("   {err}");

    sync_roster(&fake, &client, &org)?;
    println!(
        "\nThe in-memory Clerk saw {} requests.",
        fake.requests().len()
    );
    Ok(())
}

/// A roster sync: the members as they are, but two promoted, an admin stepping down, three
/// who left (pruned) and two newcomers. Planned first (a dry run: nothing is written), then
/// applied (absorbing a change made by hand in between), then planned again (nothing left).
fn sync_roster(
    fake: &FakeClerk,
    client: &Client,
    org: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    println!("\n9. Sync a roster: plan it (a dry run, nothing is written), review, apply");
    let members = fake.memberships(org);
    let stay = members.len().saturating_sub(3); // the last three left the company
    let mut entries = Vec::new();
    for (i, membership) in members.iter().take(stay).enumerate() {
        let Some(user) = &membership.public_user_data else {
            continue;
        };
        let role = match i {
            1 | 2 => "org:admin", // promoted
            50 => "org:member",   // steps down
            _ => &membership.role,
        };
        entries.push(RosterEntry::user_id(&user.user_id, role));
    }
    let radia = fake.add_user(FakeUser::new("Radia", "Hopper").email("radia.hopper@acme.test"));
    entries.push(RosterEntry::email("radia.hopper@acme.test", "org:member"));
    entries.push(
        RosterEntry::email("Jane.Doe@acme.test", "org:member")
            .with_public_metadata(json!({"team": "billing"})),
    );
    let roster = Roster::from_entries(entries)?;
    let options = SyncOptions::builder()
        .prune(true)
        .metadata(MetadataPolicy::Merge)
        .build();

    let plan = sync::plan(client, org, &roster, &options)?;
    println!("   the plan ({}):", plan.counts());
    for line in plan.to_string().lines() {
        println!("   {line}");
    }
    plan.check_removals()?;

    // Between plan and apply, someone adds Radia by hand: her add finds her there.
    fake.add_membership(org, &radia, "org:member")?;
    println!("   meanwhile someone adds Radia by hand; applying absorbs it:");

    let apply = ApplyOptions::builder()
        .workers(4)
        .on_progress(|step| eprintln!("   … {step}"))
        .build();
    let report = plan.apply(client, &apply)?;
    println!("   applied with 4 workers ({}):", report.counts());
    for line in report.to_string().lines() {
        println!("   {line}");
    }

    let again = sync::plan(client, org, &roster, &options)?;
    println!(
        "   planning again: {} changes (converged)",
        again.changes().len()
    );
    Ok(())
}

/// The five operations and pagination, against any client.
fn tour(client: &Client, org: &str, user: &str) -> Result<(), Error> {
    println!("1. List the admins (one page, newest first)");
    let admins = ListMemberships::builder()
        .organization_id(org)
        .role("org:admin")
        .order_by("-created_at")
        .limit(5)
        .build()?
        .send(client)?;
    println!(
        "   {} admins in all; the first {}:",
        admins.total_count,
        admins.data.len()
    );
    for membership in &admins.data {
        println!("   - {}", describe(membership));
    }

    println!("\n2. Every member, page by page (pages of 500, fetched lazily)");
    let everyone = ListMemberships::builder().organization_id(org).build()?;
    let mut pages = 0;
    let mut members = 0;
    for page in everyone.pages(client) {
        let page = page?;
        pages += 1;
        members += page.data.len();
        println!(
            "   page {pages}: {} memberships (of {})",
            page.data.len(),
            page.total_count
        );
    }
    println!("   {members} members in {pages} pages");

    println!("\n3. Add a member, then promote them");
    let created = CreateMembership::builder()
        .organization_id(org)
        .user_id(user)
        .role("org:member")
        .public_metadata(json!({"team": "billing"}))
        .build()?
        .send(client)?;
    println!("   created: {}", describe(&created));
    let promoted = UpdateMembership::builder()
        .organization_id(org)
        .user_id(user)
        .role("org:admin")
        .build()?
        .send(client)?;
    println!("   updated: {}", describe(&promoted));

    println!("\n4. Deep-merge metadata (null removes a key)");
    let merged = UpdateMembershipMetadata::builder()
        .organization_id(org)
        .user_id(user)
        .public_metadata(json!({"team": null, "desk": {"floor": 3}}))
        .private_metadata(json!({"hr": {"employee_id": 4242}}))
        .build()?
        .send(client)?;
    println!(
        "   public {} · private {}",
        json!(merged.public_metadata),
        json!(merged.private_metadata)
    );

    println!("\n5. Remove the member again");
    let removed = DeleteMembership::builder()
        .organization_id(org)
        .user_id(user)
        .build()?
        .send(client)?;
    println!("   removed: {}", describe(&removed));
    Ok(())
}

/// Read-only unless `--write-user` names a user for the write steps.
fn real(args: &[String]) -> Result<(), Box<dyn std::error::Error>> {
    let value = |flag: &str| {
        args.iter()
            .position(|arg| arg == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let Some(org) = value("--org") else {
        println!("CLERK_SECRET_KEY is set: pass --org org_… to list that organization's members,");
        println!("and --write-user user_… as well to try the write steps on that user.");
        println!("(Unset CLERK_SECRET_KEY to run the offline tour.)");
        return Ok(());
    };
    let client = Client::from_env()?;
    match value("--write-user") {
        Some(user) => Ok(tour(&client, &org, &user)?),
        None => {
            println!("Read-only: listing {org} (add --write-user user_… for the write steps)");
            let request = ListMemberships::builder()
                .organization_id(org.as_str())
                .limit(100)
                .build()?;
            for (i, membership) in request.items(&client).take(20).enumerate() {
                println!("{:>3}. {}", i + 1, describe(&membership?));
            }
            Ok(())
        }
    }
}

fn describe(membership: &OrganizationMembership) -> String {
    let who = membership.public_user_data.as_ref().map_or_else(
        || "?".to_owned(),
        |user| {
            let name = [user.first_name.as_deref(), user.last_name.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            format!(
                "{name} <{}>",
                user.identifier.as_deref().unwrap_or(&user.user_id)
            )
        },
    );
    format!("{who} as {}", membership.role)
}
