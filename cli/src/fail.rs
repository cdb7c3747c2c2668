//! Why a command failed, the exit code that says so, and the line on stderr that explains it.

use std::fmt;
use std::process::ExitCode;

use clerk_memberships::{BuildError, Error, ErrorKind, Operation, TransportErrorKind};

use crate::signals::Signal;

/// Exit code 1: an API or transport error.
pub const EXIT_API: u8 = 1;
/// Exit code 2: a usage error (clap uses it for bad arguments too).
pub const EXIT_USAGE: u8 = 2;
/// Exit code 3: `sync`'s dry run found changes pending.
pub const EXIT_PENDING: u8 = 3;
/// Exit code 4: the user is not a member of the organization.
pub const EXIT_NOT_MEMBER: u8 = 4;
/// Exit code 5: `sync --apply` left some change failed or unknown.
pub const EXIT_INCOMPLETE: u8 = 5;

/// A command's failure: what went wrong, for the one line on stderr, and its exit code.
#[derive(Debug)]
pub enum Failure {
    /// Bad input the arguments could not catch: a missing key, an unreadable file, a
    /// malformed roster, a removal not confirmed. Exit 2.
    Usage(String),
    /// The user is not a member of the organization. Exit 4.
    NotMember {
        organization_id: String,
        user_id: String,
    },
    /// A call to Clerk failed. Exit 1, with a hint for the common causes.
    Client(Box<Error>),
    /// Clerk answered, and the answer is one the command cannot act on (a membership that
    /// does not say whose it is). Exit 1.
    Answer(String),
    /// Writing the output failed (other than a closed pipe). Exit 1.
    Output(std::io::Error),
    /// `sync --apply` left these undone (failed, unknown, not made, rows naming nobody).
    /// Exit 5.
    Incomplete(String),
    /// `sync --apply` was stopped by a signal, with no change failed: the changes under way
    /// finished, these were not started. Exit 128 + the signal's number (130, 143).
    Interrupted { signal: Signal, not_started: usize },
    /// The command printed what it had to say and ends with this code (a dry run's 3).
    Exit(u8),
}

impl Failure {
    /// A usage failure with this message.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure::Usage(message.into())
    }

    /// A usage failure: the signal handler could not be installed.
    pub fn signal_handler(error: std::io::Error) -> Self {
        Failure::usage(format!("cannot handle SIGINT and SIGTERM: {error}"))
    }

    /// A failure to write the output.
    pub fn output(error: std::io::Error) -> Self {
        Failure::Output(error)
    }

    /// The exit code.
    pub fn code(&self) -> u8 {
        match self {
            Failure::Usage(_) => EXIT_USAGE,
            Failure::NotMember { .. } => EXIT_NOT_MEMBER,
            Failure::Incomplete(_) => EXIT_INCOMPLETE,
            Failure::Interrupted { signal, .. } => signal.exit_code(),
            Failure::Client(_) | Failure::Answer(_) | Failure::Output(_) => EXIT_API,
            Failure::Exit(code) => *code,
        }
    }

    /// Prints the failure to stderr (one line, and a `hint:` line for the common causes) and
    /// returns its exit code. A closed stdout (`| head`) ends quietly with success.
    pub fn report(self) -> ExitCode {
        if let Failure::Output(error) = &self
            && error.kind() == std::io::ErrorKind::BrokenPipe
        {
            return ExitCode::SUCCESS;
        }
        if !matches!(self, Failure::Exit(_)) {
            stderr_line!(
                "clerk-memberships: error: {}",
                redact_keys(&self.to_string())
            );
            if let Some(hint) = self.hint() {
                stderr_line!("hint: {hint}");
            }
        }
        ExitCode::from(self.code())
    }

    /// Advice for the failures people run into most.
    fn hint(&self) -> Option<String> {
        match self {
            Failure::NotMember { .. } => {
                Some("`clerk-memberships list --org ORG` shows who is a member".to_owned())
            }
            Failure::Client(error) => client_hint(error),
            _ => None,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Usage(message) | Failure::Answer(message) => f.write_str(message),
            Failure::NotMember {
                organization_id,
                user_id,
            } => write!(f, "{user_id} is not a member of {organization_id}"),
            Failure::Client(error) => {
                write!(f, "{error}")?;
                if error.attempts() > 1 {
                    write!(f, " (after {} attempts)", error.attempts())?;
                }
                Ok(())
            }
            Failure::Incomplete(what) => write!(
                f,
                "sync incomplete ({what}); run sync again without --apply to see what is left"
            ),
            Failure::Interrupted {
                signal,
                not_started,
            } if *not_started == 0 => write!(
                f,
                "sync interrupted by {signal} after every change was started; run sync \
                 again without --apply to see that nothing is left"
            ),
            Failure::Interrupted {
                signal,
                not_started,
            } => {
                let s = if *not_started == 1 { "" } else { "s" };
                write!(
                    f,
                    "sync interrupted by {signal}: {not_started} change{s} not started; run sync \
                     again to make what is left"
                )
            }
            Failure::Output(error) => write!(f, "cannot write the output: {error}"),
            Failure::Exit(code) => write!(f, "exit {code}"),
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        match error.kind() {
            // Refused before sending: the arguments are at fault.
            ErrorKind::InvalidRequest { .. } => Failure::Usage(error.to_string()),
            _ => Failure::Client(Box::new(error)),
        }
    }
}

impl From<BuildError> for Failure {
    fn from(error: BuildError) -> Self {
        Failure::Usage(format!("invalid arguments: {error}"))
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Self {
        Failure::Output(error)
    }
}

/// The prefixes of Clerk's secret keys.
const KEY_PREFIXES: [&str; 2] = ["sk_live_", "sk_test_"];

/// `text` with every secret key in it redacted: a key prefix (`sk_live_`, `sk_test_`)
/// followed by letters and digits keeps the prefix, the rest becomes `…redacted`. For text
/// that quotes what was typed (a key pasted as an argument, or given where an id goes); the
/// prefix alone, as help text names it, is left as it is.
pub fn redact_keys(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((at, prefix)) = KEY_PREFIXES
        .iter()
        .filter_map(|prefix| rest.find(prefix).map(|at| (at, *prefix)))
        .min()
    {
        let (before, from) = rest.split_at(at);
        let after = from.get(prefix.len()..).unwrap_or("");
        let secret = after
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(after.len());
        out.push_str(before);
        out.push_str(prefix);
        if secret > 0 {
            out.push_str("…redacted");
        }
        rest = after.get(secret..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// The hint for a failed call, if its cause is a common one.
fn client_hint(error: &Error) -> Option<String> {
    let hint = |text: &str| Some(text.to_owned());
    if error.status() == Some(401) {
        return hint(
            "Clerk refused the secret key: check CLERK_SECRET_KEY (or --secret-key-file) and \
             that it belongs to this instance",
        );
    }
    if error.is_quota_exceeded() {
        return hint(
            "the organization has as many members as it may have (its max_allowed_memberships)",
        );
    }
    if let ErrorKind::RateLimited { .. } = error.kind() {
        return hint(
            "the client's own pacing (--rate-limit) would start the call after its deadline: \
             raise --timeout, or pace differently",
        );
    }
    if error.is_rate_limited() {
        return hint(
            "Clerk rate limited the call for longer than --timeout allows: wait and retry, \
             raise --timeout to wait it out, or lower --rate-limit",
        );
    }
    if let Some(transport) = error.transport_error() {
        return match transport.kind() {
            TransportErrorKind::Timeout => {
                hint("the call timed out: raise --timeout, or check --api-url / CLERK_API_URL")
            }
            TransportErrorKind::Connect => {
                hint("cannot reach the server: check --api-url / CLERK_API_URL and the network")
            }
            _ => None,
        };
    }
    match error.kind() {
        // An answer that is not Clerk's JSON, or a 2xx that is not the model: the base URL
        // points at something else (a web server, a proxy's error page).
        ErrorKind::UnexpectedResponse { .. } | ErrorKind::Decode { .. } => hint(
            "the server does not answer like Clerk's Backend API: check --api-url / \
             CLERK_API_URL (e.g. https://api.clerk.com/v1)",
        ),
        _ if error.is_not_found() => {
            // The flags that carried the ids this call sent.
            let ids = match error.call().map(|call| call.operation()) {
                Some(Operation::GetInvitation | Operation::RevokeInvitation) => "--org, --id",
                Some(Operation::CreateInvitation) => "--org, --inviter",
                Some(Operation::ListInvitations | Operation::GetOrganization) => "--org",
                _ => "--org, --user",
            };
            Some(format!(
                "not found: check the ids given ({ids}) and that the key is for the \
                 instance that holds them"
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_redacted_and_their_prefixes_kept() {
        assert_eq!(
            redact_keys("unexpected argument 'sk_live_abcDEF123' found"),
            "unexpected argument 'sk_live_…redacted' found"
        );
        assert_eq!(
            redact_keys("\u{1b}[33msk_test_x9\u{1b}[0m, --org=sk_live_Q sk_test_Z"),
            "\u{1b}[33msk_test_…redacted\u{1b}[0m, --org=sk_live_…redacted sk_test_…redacted"
        );
        let help = "100 requests per 10 s for sk_test_ keys, 1000 for sk_live_)";
        assert_eq!(redact_keys(help), help);
        assert_eq!(redact_keys("sk_live_"), "sk_live_");
        assert_eq!(redact_keys("no key, ünïcode"), "no key, ünïcode");
    }
}
