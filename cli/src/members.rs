//! The member commands: `list`, `get`, `add`, `set-role`, `remove` and `metadata`.

use std::io::{self, BufRead, IsTerminal, Read};
use std::process::ExitCode;

use clap::Args;
use clerk_memberships::sync::{FindMember, KnownRoles, Removal};
use clerk_memberships::{
    BuildError, Client, CreateMembership, DeleteMembership, Error, ListMemberships,
    OrganizationMembership, UpdateMembership, UpdateMembershipMetadata, check_id,
};
use serde_json::Value;

use crate::config::GlobalArgs;
use crate::fail::Failure;
use crate::output::{Format, Listing, OutputArgs, Row, json_text, print_one};
use crate::timefmt;

/// The organization and user a single-member command acts on.
#[derive(Debug, Args)]
pub struct Member {
    /// The organization's id (`org_…`).
    #[arg(long, value_name = "ORG")]
    pub org: String,
    /// The user's id (`user_…`).
    #[arg(long, value_name = "USER")]
    pub user: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `--public-metadata` and `--private-metadata`: each a JSON object given inline, as
/// `@FILE`, or as `-` (stdin, for at most one of them).
#[derive(Debug, Args)]
pub struct MetadataValues {
    /// Public metadata, a JSON object: inline, `@FILE`, or `-` for stdin.
    #[arg(long, value_name = "JSON|@FILE|-", allow_hyphen_values = true)]
    pub public_metadata: Option<String>,
    /// Private metadata, a JSON object: inline, `@FILE`, or `-` for stdin.
    #[arg(long, value_name = "JSON|@FILE|-", allow_hyphen_values = true)]
    pub private_metadata: Option<String>,
}

/// `list`: every filter of the list operation, paging, and the output format.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The organization's id (`org_…`).
    #[arg(long, value_name = "ORG")]
    pub org: String,
    /// Only these users; `-user_…` excludes one (repeatable).
    #[arg(long = "user-id", value_name = "USER", allow_hyphen_values = true)]
    pub user_ids: Vec<String>,
    /// Only users with these email addresses (repeatable).
    #[arg(long = "email-address", value_name = "EMAIL")]
    pub email_addresses: Vec<String>,
    /// Only users with these phone numbers (repeatable).
    #[arg(long = "phone-number", value_name = "PHONE")]
    pub phone_numbers: Vec<String>,
    /// Only users with these usernames (repeatable).
    #[arg(long = "username", value_name = "USERNAME")]
    pub usernames: Vec<String>,
    /// Only users with these web3 wallets (repeatable).
    #[arg(long = "web3-wallet", value_name = "WALLET")]
    pub web3_wallets: Vec<String>,
    /// Only members with these roles, e.g. org:admin (repeatable).
    #[arg(long = "role", value_name = "ROLE")]
    pub roles: Vec<String>,
    /// Search email addresses, phone numbers, usernames, web3 wallets, user ids and names.
    #[arg(long, value_name = "TEXT")]
    pub query: Option<String>,
    /// Search email addresses.
    #[arg(long, value_name = "TEXT")]
    pub email_address_query: Option<String>,
    /// Search phone numbers.
    #[arg(long, value_name = "TEXT")]
    pub phone_number_query: Option<String>,
    /// Search usernames.
    #[arg(long, value_name = "TEXT")]
    pub username_query: Option<String>,
    /// Search first and last names.
    #[arg(long, value_name = "TEXT")]
    pub name_query: Option<String>,
    /// Users last active before this time (Unix milliseconds).
    #[arg(long, value_name = "MILLIS", allow_negative_numbers = true)]
    pub last_active_at_before: Option<i64>,
    /// Users last active after this time (Unix milliseconds).
    #[arg(long, value_name = "MILLIS", allow_negative_numbers = true)]
    pub last_active_at_after: Option<i64>,
    /// Members who joined before this time (Unix milliseconds).
    #[arg(long, value_name = "MILLIS", allow_negative_numbers = true)]
    pub created_at_before: Option<i64>,
    /// Members who joined after this time (Unix milliseconds).
    #[arg(long, value_name = "MILLIS", allow_negative_numbers = true)]
    pub created_at_after: Option<i64>,
    /// Sort field with `+` (ascending, the default) or `-` (descending): created_at,
    /// first_name, last_name, email_address, phone_number, username.
    #[arg(long, value_name = "FIELD", allow_hyphen_values = true)]
    pub order_by: Option<String>,
    /// At most this many members (1 to 500; Clerk's default is 10).
    #[arg(long, value_name = "N", conflicts_with = "all")]
    pub limit: Option<u32>,
    /// Skip this many members first.
    #[arg(long, value_name = "N", conflicts_with = "all")]
    pub offset: Option<u64>,
    /// Every matching member, page after page, printed as each page arrives (with progress
    /// on stderr: a counter on a terminal, a line every 10 s elsewhere).
    #[arg(long)]
    pub all: bool,
    /// Output format [default: table on a terminal, jsonl otherwise]. With --all the table
    /// has fixed column widths and cuts longer cells.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// With --format csv: no `'` before a cell starting with =, +, -, @, tab or CR, for
    /// programs that read the CSV. By default it is added, so that a spreadsheet shows such a
    /// cell instead of running it as a formula. Control characters stay escaped.
    #[arg(long)]
    pub csv_raw: bool,
}

/// `get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    #[command(flatten)]
    pub member: Member,
}

/// `--no-role-check`: whether `add`, `set-role` and `invite` read the instance's roles first.
#[derive(Debug, Args)]
pub struct RoleCheckArgs {
    /// Send the role without first checking that the instance has it (which costs one
    /// request). By default an unknown role is refused (exit 2) and nothing is sent.
    #[arg(long)]
    pub no_role_check: bool,
}

impl RoleCheckArgs {
    /// Refuses `role` unless the instance has it (one request: its roles), or does nothing
    /// with `--no-role-check`. The instance's roles are necessary, not sufficient: an
    /// organization with a role set of its own may still refuse a role the instance has.
    pub fn check(&self, client: &Client, role: &str) -> Result<(), Failure> {
        if !self.no_role_check {
            KnownRoles::read(client)?.check(role)?;
        }
        Ok(())
    }
}

/// `add`.
#[derive(Debug, Args)]
#[command(after_help = ROLE_CHECK_HELP)]
pub struct AddArgs {
    #[command(flatten)]
    pub member: Member,
    /// The role, e.g. org:member or org:admin.
    #[arg(long, value_name = "ROLE")]
    pub role: String,
    #[command(flatten)]
    pub metadata: MetadataValues,
    #[command(flatten)]
    pub role_check: RoleCheckArgs,
}

/// `set-role`.
#[derive(Debug, Args)]
#[command(after_help = ROLE_CHECK_HELP)]
pub struct SetRoleArgs {
    #[command(flatten)]
    pub member: Member,
    /// The new role, e.g. org:admin.
    #[arg(long, value_name = "ROLE")]
    pub role: String,
    #[command(flatten)]
    pub role_check: RoleCheckArgs,
}

/// `add --help` and `set-role --help`'s closing words: the role check.
const ROLE_CHECK_HELP: &str = "\
The role is checked first: the instance's roles are read (GET /organization_roles, one
request) and a role it does not have, such as org:admn or admin, is a usage error (exit 2)
naming the role and the instance's roles; nothing is written. An organization with a role
set of its own may still refuse a role the instance has. --no-role-check skips the check
and its request, and lets Clerk refuse the role.";

/// `remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    #[command(flatten)]
    pub member: Member,
    /// Remove without asking; required when stdin is not a terminal.
    #[arg(short, long)]
    pub yes: bool,
}

/// `metadata`.
#[derive(Debug, Args)]
pub struct MetadataArgs {
    #[command(flatten)]
    pub member: Member,
    #[command(flatten)]
    pub metadata: MetadataValues,
}

/// `list`: one page (`--limit`/`--offset`), or with `--all` every page, streamed. Nothing is
/// written before the first page arrives, so a call that fails at once leaves stdout empty.
pub fn list(global: &GlobalArgs, args: &ListArgs) -> Result<ExitCode, Failure> {
    // The request first: the library refuses bad arguments (a `--limit` out of range, an
    // id that cannot be one) before the client needs a key.
    let request = list_request(args).build()?;
    let client = global.client()?;
    let format = Format::or_default(args.format);
    let mut listing = Listing::new(format, args.all, args.csv_raw);
    let mut note = None;
    if args.all {
        listing.write_pages(request.pages(&client), global.quiet, "members")?;
    } else {
        let page = request.send(&client)?;
        listing.write_page(&page.data)?;
        let shown = page.data.len() as i64;
        let offset = i64::try_from(args.offset.unwrap_or(0)).unwrap_or(i64::MAX);
        if shown.saturating_add(offset) < page.total_count {
            note = Some(format!(
                "{shown} of {} members shown; --all lists every one, --offset {} the next page",
                page.total_count,
                offset.saturating_add(shown)
            ));
        }
    }
    listing.finish()?;
    if let Some(note) = note.filter(|_| !global.quiet && io::stderr().is_terminal()) {
        stderr_line!("{note}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The list request the flags describe.
fn list_request(args: &ListArgs) -> clerk_memberships::ListMembershipsBuilder {
    ListMemberships::builder()
        .organization_id(args.org.as_str())
        .user_ids(&args.user_ids)
        .email_addresses(&args.email_addresses)
        .phone_numbers(&args.phone_numbers)
        .usernames(&args.usernames)
        .web3_wallets(&args.web3_wallets)
        .roles(&args.roles)
        .set_query(args.query.as_deref())
        .set_email_address_query(args.email_address_query.as_deref())
        .set_phone_number_query(args.phone_number_query.as_deref())
        .set_username_query(args.username_query.as_deref())
        .set_name_query(args.name_query.as_deref())
        .set_last_active_at_before(args.last_active_at_before)
        .set_last_active_at_after(args.last_active_at_after)
        .set_created_at_before(args.created_at_before)
        .set_created_at_after(args.created_at_after)
        .set_order_by(args.order_by.as_deref())
        .set_limit(args.limit)
        .set_offset(args.offset)
}

/// A membership as `list` and the member commands print it.
impl Row for OrganizationMembership {
    const COLUMNS: &'static [&'static str] = &["USER_ID", "IDENTIFIER", "ROLE", "CREATED_AT"];
    const STREAMING_WIDTHS: &'static [usize] = &[32, 36, 20, 24];
    const CSV_HEADER: &'static [&'static str] = &[
        "user_id",
        "identifier",
        "role",
        "created_at",
        "public_metadata",
    ];

    fn table_cells(&self) -> Vec<String> {
        vec![
            self.user_id().unwrap_or("-").to_owned(),
            self.identifier().unwrap_or("-").to_owned(),
            self.role.clone(),
            timefmt::timestamp(self.created_at),
        ]
    }

    fn csv_record(&self) -> io::Result<Vec<String>> {
        Ok(vec![
            self.user_id().unwrap_or("").to_owned(),
            self.identifier().unwrap_or("").to_owned(),
            self.role.clone(),
            timefmt::timestamp(self.created_at),
            json_text(&self.public_metadata)?,
        ])
    }
}

/// `get`: the membership, or exit 4 when the user is not a member.
pub fn get(global: &GlobalArgs, args: &GetArgs) -> Result<ExitCode, Failure> {
    let member = &args.member;
    // The ids are checked as the calls on one membership check theirs (the read goes through
    // the list's filter, whose rules and words differ).
    check_id("organization_id", &member.org)?;
    check_id("user_id", &member.user)?;
    let client = global.client()?;
    match find(member)?.send(&client)? {
        Some(membership) => print(member, &membership),
        None => Err(not_member(member)),
    }
}

/// `add`: creates the membership, with metadata when given, once the role is checked.
pub fn add(global: &GlobalArgs, args: &AddArgs) -> Result<ExitCode, Failure> {
    let (public, private) = args.metadata.read()?;
    let client = global.client()?;
    let member = &args.member;
    let request = CreateMembership::builder()
        .organization_id(member.org.as_str())
        .user_id(member.user.as_str())
        .role(args.role.as_str())
        .set_public_metadata(public)
        .set_private_metadata(private)
        .build()?;
    args.role_check.check(&client, &args.role)?;
    let membership = request.send(&client)?;
    print(member, &membership)
}

/// `set-role`: changes the member's role; exit 4 when not a member.
pub fn set_role(global: &GlobalArgs, args: &SetRoleArgs) -> Result<ExitCode, Failure> {
    let client = global.client()?;
    let member = &args.member;
    let request = UpdateMembership::builder()
        .organization_id(member.org.as_str())
        .user_id(member.user.as_str())
        .role(args.role.as_str())
        .build()?;
    args.role_check.check(&client, &args.role)?;
    let membership = request
        .send(&client)
        .map_err(|e| member_error(&client, member, e))?;
    print(member, &membership)
}

/// `remove`: confirms (on a terminal) or requires `--yes`, then removes; exit 4 when not a
/// member. A delete whose answer was lost and whose retry met 404 removed the member (or
/// someone else did): it says so on stderr, with nothing on stdout (the membership's answer
/// is lost), and exits 0.
pub fn remove(global: &GlobalArgs, args: &RemoveArgs) -> Result<ExitCode, Failure> {
    let member = &args.member;
    let request = DeleteMembership::builder()
        .organization_id(member.org.as_str())
        .user_id(member.user.as_str())
        .build()?;
    let client = global.client()?;
    if !args.yes {
        require_terminal("remove", &format!("{} from {}", member.user, member.org))?;
        // Asked only about a member: a user who is not one is told so (exit 4) at once.
        if find(member)?.send(&client)?.is_none() {
            return Err(not_member(member));
        }
        if !ask(&format!("Remove {} from {}?", member.user, member.org))? {
            return Err(Failure::usage(format!(
                "not confirmed: {} stays a member of {}",
                member.user, member.org
            )));
        }
    }
    match request.send(&client) {
        Ok(membership) => print(member, &membership),
        // A retry answered 404: an earlier attempt removed the member and its answer was
        // lost (or someone else removed them meanwhile). Either way they are gone, as asked.
        Err(error) if Removal::from_error(&error) == Some(Removal::Gone) => {
            stderr_line!(
                "{} removed from {} (the answer was lost; the member is gone)",
                member.user,
                member.org
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => Err(member_error(&client, member, error)),
    }
}

/// `metadata`: deep-merges the given metadata; exit 4 when not a member.
pub fn metadata(global: &GlobalArgs, args: &MetadataArgs) -> Result<ExitCode, Failure> {
    let (public, private) = args.metadata.read()?;
    if public.is_none() && private.is_none() {
        return Err(Failure::usage(
            "nothing to merge: pass --public-metadata and/or --private-metadata",
        ));
    }
    let client = global.client()?;
    let member = &args.member;
    let membership = UpdateMembershipMetadata::builder()
        .organization_id(member.org.as_str())
        .user_id(member.user.as_str())
        .set_public_metadata(public)
        .set_private_metadata(private)
        .build()?
        .send(&client)
        .map_err(|e| member_error(&client, member, e))?;
    print(member, &membership)
}

fn print(member: &Member, membership: &OrganizationMembership) -> Result<ExitCode, Failure> {
    print_one(
        Format::or_default(member.output.format),
        member.output.csv_raw,
        membership,
    )?;
    Ok(ExitCode::SUCCESS)
}

fn not_member(member: &Member) -> Failure {
    Failure::NotMember {
        organization_id: member.org.clone(),
        user_id: member.user.clone(),
    }
}

/// The read of `member`'s membership.
fn find(member: &Member) -> Result<FindMember, BuildError> {
    FindMember::builder()
        .organization_id(&member.org)
        .user_id(&member.user)
        .build()
}

/// The failure for a call on one membership. Clerk answers 404 both for a user who is not a
/// member and for an unknown organization; one read tells them apart, so exit 4 means "not
/// a member" and nothing else.
fn member_error(client: &Client, member: &Member, error: Error) -> Failure {
    if !error.is_not_found() {
        return error.into();
    }
    match find(member)
        .map_err(Error::from)
        .and_then(|find| find.send(client))
    {
        Ok(None) => not_member(member),
        Ok(Some(_)) | Err(_) => error.into(),
    }
}

/// A usage failure unless stdin is a terminal: a command that would ask before `verb`ing
/// `what` has no one to ask, and does nothing without `--yes`.
pub fn require_terminal(verb: &str, what: &str) -> Result<(), Failure> {
    if io::stdin().is_terminal() {
        return Ok(());
    }
    Err(Failure::usage(format!(
        "refusing to {verb} {what} without confirmation: stdin is not a terminal; pass --yes \
         to {verb} anyway"
    )))
}

/// Asks `question` on stderr and reads the answer from stdin: true for a yes, false for
/// anything else, end of input (Ctrl-D) included.
pub fn ask(question: &str) -> Result<bool, Failure> {
    stderr_text!("{question} [y/N] ");
    let mut answer = String::new();
    if io::stdin().lock().read_line(&mut answer)? == 0 {
        // End of input: end the prompt's line before anything else is printed.
        stderr_line!();
    }
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

impl MetadataValues {
    /// The public and private metadata, read and parsed.
    ///
    /// # Errors
    ///
    /// A usage failure naming the flag: both read `-`, a file cannot be read, or a value is
    /// not a JSON object.
    pub fn read(&self) -> Result<(Option<Value>, Option<Value>), Failure> {
        let from_stdin = |arg: &Option<String>| arg.as_deref() == Some("-");
        if from_stdin(&self.public_metadata) && from_stdin(&self.private_metadata) {
            return Err(Failure::usage(
                "only one of --public-metadata and --private-metadata can read stdin (-)",
            ));
        }
        Ok((
            read_json_object("--public-metadata", self.public_metadata.as_deref())?,
            read_json_object("--private-metadata", self.private_metadata.as_deref())?,
        ))
    }
}

/// Reads a `JSON|@FILE|-` argument as a JSON object.
pub fn read_json_object(flag: &str, arg: Option<&str>) -> Result<Option<Value>, Failure> {
    let Some(arg) = arg else {
        return Ok(None);
    };
    let text = match arg {
        "-" => {
            let mut text = String::new();
            io::stdin()
                .lock()
                .read_to_string(&mut text)
                .map_err(|e| Failure::usage(format!("{flag}: cannot read stdin: {e}")))?;
            text
        }
        _ if arg.starts_with('@') => std::fs::read_to_string(&arg[1..])
            .map_err(|e| Failure::usage(format!("{flag}: cannot read {}: {e}", &arg[1..])))?,
        _ => arg.to_owned(),
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(value @ Value::Object(_)) => Ok(Some(value)),
        Ok(_) => Err(Failure::usage(format!("{flag} must be a JSON object"))),
        Err(e) => Err(Failure::usage(format!("{flag} is not valid JSON: {e}"))),
    }
}
