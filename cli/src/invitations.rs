//! The invitation commands: `invite`, `invitations list` and `invitations revoke`.

use std::io;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use clerk_memberships::sync::{ChangeError, InviteMember, Invited};
use clerk_memberships::{
    GetInvitation, ListInvitations, OrganizationInvitation, RevokeInvitation, check_id,
};
use serde_json::Value;

use crate::config::GlobalArgs;
use crate::fail::Failure;
use crate::members::{MetadataValues, RoleCheckArgs, ask, require_terminal};
use crate::output::{Format, Listing, OutputArgs, Row, json_text, print_one, printable};
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
    /// Every matching invitation, page after page, printed as each page arrives (the table in
    /// columns of fixed widths, longer cells cut with `…`; with progress on stderr: a counter
    /// on a terminal, a line every 10 s elsewhere).
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
                // Another role is worth saying: the invitation stands as it was sent.
                let role = if invitation.role == args.role {
                    String::new()
                } else {
                    format!(
                        " as {}, not {} (revoke it and invite again to change the role)",
                        printable(&invitation.role),
                        printable(&args.role)
                    )
                };
                stderr_line!(
                    "{} already has a pending invitation ({}){role}: nothing was sent",
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
    print(&args.output, &invitation)
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
    let format = Format::or_default(args.output.format);
    let mut listing = Listing::new(format, args.all, args.output.csv_raw);
    if args.all {
        listing.write_pages(request.pages(&client), global.quiet, "invitations")?;
    } else {
        listing.write_page(&request.send(&client)?.data)?;
    }
    listing.finish()?;
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
    print(&args.output, &revoked)
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

fn print(output: &OutputArgs, invitation: &OrganizationInvitation) -> Result<ExitCode, Failure> {
    print_one(
        Format::or_default(output.format),
        output.csv_raw,
        invitation,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// An invitation as `invite`, `invitations list` and `invitations revoke` print it.
impl Row for OrganizationInvitation {
    const COLUMNS: &'static [&'static str] =
        &["ID", "EMAIL_ADDRESS", "ROLE", "STATUS", "EXPIRES_AT"];
    const STREAMING_WIDTHS: &'static [usize] = &[34, 36, 20, 10, 24];
    const CSV_HEADER: &'static [&'static str] = &[
        "id",
        "email_address",
        "role",
        "status",
        "created_at",
        "expires_at",
        "public_metadata",
    ];

    fn table_cells(&self) -> Vec<String> {
        vec![
            self.id.clone(),
            self.email_address.clone(),
            self.role.clone(),
            self.status.clone(),
            self.expires_at
                .map_or_else(|| "-".to_owned(), timefmt::timestamp),
        ]
    }

    fn csv_record(&self) -> io::Result<Vec<String>> {
        Ok(vec![
            self.id.clone(),
            self.email_address.clone(),
            self.role.clone(),
            self.status.clone(),
            timefmt::timestamp(self.created_at),
            self.expires_at.map_or_else(String::new, timefmt::timestamp),
            json_text(&self.public_metadata)?,
        ])
    }
}
