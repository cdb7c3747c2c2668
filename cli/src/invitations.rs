//! The invitation commands: `invite`, `invitations list` and `invitations revoke`.

use std::borrow::Cow;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use clerk_memberships::sync::{ChangeError, InviteMember, Invited};
use clerk_memberships::{
    GetInvitation, ListInvitations, OrganizationInvitation, RevokeInvitation, check_id,
};
use serde_json::Value;
use unicode_width::UnicodeWidthStr;

use crate::config::GlobalArgs;
use crate::fail::Failure;
use crate::members::{MetadataValues, RoleCheckArgs, ask, require_terminal};
use crate::output::{Format, OutputArgs, csv_cell, printable, write_json, write_json_pretty};
use crate::timefmt;

/// `invite`.
#[derive(Debug, Args)]
#[command(after_help = INVITE_HELP)]
pub struct InviteArgs {
    /// The organization's id (`org_…`).
    #[arg(long, value_name = "ORG")]
    pub org: String,
    /// The address to invite.
    #[arg(long, value_name = "EMAIL")]
    pub email: String,
    /// The role the membership gets on acceptance, e.g. org:member.
    #[arg(long, value_name = "ROLE")]
    pub role: String,
    /// The user who invites (an admin of the organization, `user_…`).
    #[arg(long, value_name = "USER")]
    pub inviter: Option<String>,
    /// Where the join link leads after acceptance.
    #[arg(long, value_name = "URL")]
    pub redirect_url: Option<String>,
    /// How many days the invitation stays valid, 1 to 365 [Clerk's default: 30].
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=365))]
    pub expires_in_days: Option<u32>,
    #[command(flatten)]
    pub metadata: MetadataValues,
    #[command(flatten)]
    pub role_check: RoleCheckArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

const INVITE_HELP: &str = "\
Clerk emails the address a join link; the membership is made with the role and metadata
when it is accepted. An email cannot be taken back, so the invitation is sent at most once:
when its answer is lost (a timeout, a reset, a 5xx) the address's pending invitations are
read instead of sending again, and an address already invited is reported (on stderr) with
its pending invitation, exit 0. The role is checked first, as for add.";

/// `invitations …`.
#[derive(Debug, Subcommand)]
pub enum InvitationsCommand {
    /// List an organization's invitations (newest first).
    List(ListArgs),
    /// Revoke a pending invitation, so that its join link no longer works (asks for
    /// confirmation on a terminal).
    Revoke(RevokeArgs),
}

/// `invitations list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The organization's id (`org_…`).
    #[arg(long, value_name = "ORG")]
    pub org: String,
    /// Only invitations with this status: pending, accepted, revoked or expired.
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,
    /// Only invitations of this address.
    #[arg(long, value_name = "EMAIL")]
    pub email: Option<String>,
    /// Sort field with `+` (ascending) or `-` (descending): created_at, email_address.
    #[arg(long, value_name = "FIELD", allow_hyphen_values = true)]
    pub order_by: Option<String>,
    /// At most this many invitations (1 to 500; Clerk's default is 10).
    #[arg(long, value_name = "N", conflicts_with = "all")]
    pub limit: Option<u32>,
    /// Skip this many invitations first.
    #[arg(long, value_name = "N", conflicts_with = "all")]
    pub offset: Option<u64>,
    /// Every matching invitation, page after page.
    #[arg(long)]
    pub all: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `invitations revoke`.
#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The organization's id (`org_…`).
    #[arg(long, value_name = "ORG")]
    pub org: String,
    /// The invitation's id (`orginv_…`).
    #[arg(long, value_name = "INVITATION")]
    pub id: String,
    /// The user who revokes (an admin of the organization, `user_…`).
    #[arg(long, value_name = "USER")]
    pub requesting_user: Option<String>,
    /// Revoke without asking; required when stdin is not a terminal.
    #[arg(short, long)]
    pub yes: bool,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `invite`: the invitation, sent at most once.
pub fn invite(global: &GlobalArgs, args: &InviteArgs) -> Result<ExitCode, Failure> {
    let (public, private) = args.metadata.read()?;
    let object = |value: Option<Value>| match value {
        Some(Value::Object(map)) => Some(map),
        _ => None,
    };
    let mut builder = InviteMember::builder()
        .organization_id(&args.org)
        .email_address(&args.email)
        .role(&args.role)
        .set_public_metadata(object(public))
        .set_private_metadata(object(private))
        .set_redirect_url(args.redirect_url.as_deref())
        .set_expires_in_days(args.expires_in_days);
    if let Some(inviter) = &args.inviter {
        builder = builder.inviter_user_id(inviter);
    }
    let request = builder.build()?;
    let client = global.client()?;
    args.role_check.check(&client, &args.role)?;
    let invitation = match request.send(&client) {
        Ok(Invited::Sent(invitation)) => invitation,
        Ok(Invited::AlreadyPending(invitation)) => {
            if !global.quiet {
                stderr_line!(
                    "{} already has a pending invitation ({}): nothing was sent",
                    printable(&invitation.email_address),
                    printable(&invitation.id)
                );
            }
            invitation
        }
        Ok(_) => {
            return Err(Failure::Answer(
                "an invitation ended in an unknown way".into(),
            ));
        }
        Err(ChangeError::Failed(error)) => return Err(error.into()),
        Err(unknown) => return Err(Failure::Answer(unknown.to_string())),
    };
    print_one(&args.output, &invitation)
}

/// `invitations …`.
pub fn invitations(global: &GlobalArgs, command: &InvitationsCommand) -> Result<ExitCode, Failure> {
    match command {
        InvitationsCommand::List(args) => list(global, args),
        InvitationsCommand::Revoke(args) => revoke(global, args),
    }
}

fn list(global: &GlobalArgs, args: &ListArgs) -> Result<ExitCode, Failure> {
    let request = ListInvitations::builder()
        .organization_id(&args.org)
        .set_status(args.status.as_deref())
        .set_email_address(args.email.as_deref())
        .set_order_by(args.order_by.as_deref())
        // With --all (which --limit conflicts with), no limit: the pager's page is the
        // largest the API takes.
        .set_limit(args.limit)
        .set_offset(args.offset)
        .build()?;
    let client = global.client()?;
    let invitations: Vec<OrganizationInvitation> = if args.all {
        request.items(&client).collect::<Result<_, _>>()?
    } else {
        request.send(&client)?.data
    };
    let format = Format::or_default(args.output.format);
    let mut out = BufWriter::new(io::stdout().lock());
    write_all(&mut out, format, args.output.csv_raw, &invitations)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn revoke(global: &GlobalArgs, args: &RevokeArgs) -> Result<ExitCode, Failure> {
    check_id("organization_id", &args.org)?;
    check_id("invitation_id", &args.id)?;
    let request = RevokeInvitation::builder()
        .organization_id(&args.org)
        .invitation_id(&args.id)
        .set_requesting_user_id(args.requesting_user.as_deref())
        .build()?;
    let client = global.client()?;
    if !args.yes {
        require_terminal("revoke", &format!("the invitation {}", printable(&args.id)))?;
        // Say whom the invitation is for before asking.
        let invitation = GetInvitation::builder()
            .organization_id(&args.org)
            .invitation_id(&args.id)
            .build()?
            .send(&client)?;
        if !confirm(&invitation)? {
            return Err(Failure::usage(format!(
                "not confirmed: the invitation {} stays {}",
                printable(&args.id),
                printable(&invitation.status)
            )));
        }
    }
    let revoked = request.send(&client)?;
    print_one(&args.output, &revoked)
}

/// Asks on the terminal whether to revoke.
fn confirm(invitation: &OrganizationInvitation) -> Result<bool, Failure> {
    ask(&format!(
        "Revoke the invitation of {} ({}) to {}?",
        printable(&invitation.email_address),
        printable(&invitation.role),
        printable(
            invitation
                .organization_id
                .as_deref()
                .unwrap_or("the organization")
        )
    ))
}

fn print_one(
    output: &OutputArgs,
    invitation: &OrganizationInvitation,
) -> Result<ExitCode, Failure> {
    let format = Format::or_default(output.format);
    let mut out = io::stdout().lock();
    if format == Format::Json {
        write_json_pretty(&mut out, invitation)?;
        out.write_all(b"\n")?;
    } else {
        write_all(
            &mut out,
            format,
            output.csv_raw,
            std::slice::from_ref(invitation),
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The table's columns.
const COLUMNS: [&str; 5] = ["ID", "EMAIL_ADDRESS", "ROLE", "STATUS", "EXPIRES_AT"];

/// The CSV header.
const CSV_HEADER: [&str; 7] = [
    "id",
    "email_address",
    "role",
    "status",
    "created_at",
    "expires_at",
    "public_metadata",
];

fn write_all(
    out: &mut impl Write,
    format: Format,
    csv_raw: bool,
    invitations: &[OrganizationInvitation],
) -> io::Result<()> {
    match format {
        Format::Table => {
            let rows: Vec<[String; 5]> = invitations
                .iter()
                .map(|i| {
                    [
                        printable(&i.id),
                        printable(&i.email_address),
                        printable(&i.role),
                        printable(&i.status),
                        i.expires_at
                            .map_or_else(|| "-".to_owned(), timefmt::timestamp),
                    ]
                })
                .collect();
            let header = COLUMNS.map(str::to_owned);
            let mut widths = header.each_ref().map(|cell| cell.width());
            for row in &rows {
                for (width, cell) in widths.iter_mut().zip(row) {
                    *width = (*width).max(cell.width());
                }
            }
            for row in std::iter::once(&header).chain(&rows) {
                let mut line = String::new();
                for (cell, width) in row.iter().zip(widths) {
                    line.push_str(cell);
                    line.extend(std::iter::repeat_n(
                        ' ',
                        width.saturating_sub(cell.width()) + 2,
                    ));
                }
                writeln!(out, "{}", line.trim_end())?;
            }
            Ok(())
        }
        Format::Json => {
            out.write_all(b"[")?;
            for (n, invitation) in invitations.iter().enumerate() {
                out.write_all(if n == 0 { b"\n" } else { b",\n" })?;
                write_json(&mut *out, invitation)?;
            }
            out.write_all(if invitations.is_empty() {
                b"]\n"
            } else {
                b"\n]\n"
            })
        }
        Format::Jsonl => {
            for invitation in invitations {
                write_json(&mut *out, invitation)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        }
        Format::Csv => {
            let mut csv = csv::Writer::from_writer(out);
            csv.write_record(CSV_HEADER).map_err(io::Error::other)?;
            for i in invitations {
                let mut metadata = Vec::new();
                write_json(&mut metadata, &i.public_metadata)?;
                let metadata = String::from_utf8_lossy(&metadata);
                let created = timefmt::timestamp(i.created_at);
                let expires: Cow<'_, str> = i
                    .expires_at
                    .map_or(Cow::Borrowed(""), |t| Cow::Owned(timefmt::timestamp(t)));
                let cells = [
                    i.id.as_str(),
                    i.email_address.as_str(),
                    i.role.as_str(),
                    i.status.as_str(),
                    created.as_str(),
                    &expires,
                    &metadata,
                ];
                csv.write_record(cells.map(|cell| csv_cell(cell, csv_raw).into_owned()))
                    .map_err(io::Error::other)?;
            }
            csv.flush()
        }
    }
}
