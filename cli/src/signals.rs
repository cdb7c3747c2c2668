//! Stopping cleanly on a signal: the one handler setup that `sync --apply` and `fake-server`
//! share.
//!
//! The first signal is handed to the command, which winds down (finishes what is under way,
//! starts nothing new, reports); a second one ends the process at once with exit 130, for a
//! wind-down that takes too long. Commands that do not ask keep the default: a signal ends
//! them.

use std::fmt;

/// A signal that asks the process to stop.
// Windows knows only the console's events, all of them [`Signal::Interrupt`].
#[cfg_attr(not(unix), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT: Ctrl-C (on Windows, a console's Ctrl-C, Ctrl-Break or close too).
    Interrupt,
    /// SIGTERM: `kill`, a CI job's cancel, a container stopping.
    Terminate,
    /// SIGHUP: the terminal went away.
    Hangup,
}

/// The exit code of a second signal, which quits without winding down (128 + SIGINT, as a
/// shell reports an interrupted command).
pub const EXIT_INTERRUPTED_AGAIN: u8 = 130;

impl Signal {
    /// The exit code of a command stopped by this signal: 128 + its number, as a shell
    /// reports it (130, 143, 129).
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
            Signal::Hangup => 129,
        }
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
            Signal::Hangup => "SIGHUP",
        })
    }
}

/// Calls `first` with the first SIGINT or SIGTERM (and SIGHUP when `hangup`) that arrives,
/// on a thread of its own; on any later one, prints `again` to stderr and exits 130 at once.
///
/// SIGHUP is left alone unless asked for, so that a command started with `nohup` keeps
/// running when its terminal closes. Call it once per process.
///
/// # Errors
///
/// The handler could not be installed ([`Failure::signal_handler`](crate::fail::Failure::signal_handler)
/// says so to the user).
pub fn on_stop(
    hangup: bool,
    again: &'static str,
    first: impl FnOnce(Signal) + Send + 'static,
) -> std::io::Result<()> {
    let mut first = Some(first);
    let handle = move |signal: Signal| match first.take() {
        Some(first) => first(signal),
        None => {
            stderr_line!("{again}");
            std::process::exit(i32::from(EXIT_INTERRUPTED_AGAIN));
        }
    };
    install(hangup, handle)
}

/// The signals, on a thread that reads them one at a time.
#[cfg(unix)]
fn install(hangup: bool, mut handle: impl FnMut(Signal) + Send + 'static) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

    let mut wanted = vec![SIGINT, SIGTERM];
    if hangup {
        wanted.push(SIGHUP);
    }
    let mut signals = signal_hook::iterator::Signals::new(wanted)?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            for number in signals.forever() {
                handle(match number {
                    SIGTERM => Signal::Terminate,
                    SIGHUP => Signal::Hangup,
                    _ => Signal::Interrupt,
                });
            }
        })
        .map(drop)
}

/// A console's Ctrl-C, Ctrl-Break or close, which are told apart from nothing: each is
/// [`Signal::Interrupt`].
#[cfg(not(unix))]
fn install(_hangup: bool, mut handle: impl FnMut(Signal) + Send + 'static) -> std::io::Result<()> {
    ctrlc::set_handler(move || handle(Signal::Interrupt)).map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_by_signal_exits_128_plus_its_number() {
        assert_eq!(Signal::Interrupt.exit_code(), 130);
        assert_eq!(Signal::Terminate.exit_code(), 143);
        assert_eq!(Signal::Hangup.exit_code(), 129);
        assert_eq!(Signal::Terminate.to_string(), "SIGTERM");
    }
}
