//! Progress on stderr: drawn only on a terminal, and never under `--quiet` or `NO_COLOR`.

use std::ffi::OsStr;
use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether progress may be drawn: stderr is a terminal, `--quiet` is off and `NO_COLOR` is
/// unset or empty.
pub fn enabled(quiet: bool) -> bool {
    draws(
        quiet,
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    )
}

/// The rule behind [`enabled`], on its inputs.
fn draws(quiet: bool, stderr_is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    !quiet && stderr_is_terminal && no_color.is_none_or(OsStr::is_empty)
}

/// A bar of `total` steps labelled `message`, or a hidden one when progress is not drawn.
pub fn bar(quiet: bool, total: u64, message: &str) -> ProgressBar {
    if !enabled(quiet) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(message.to_owned());
    bar
}

/// A counter without a known total (a spinner), or a hidden one when progress is not drawn.
pub fn spinner(quiet: bool, message: &str) -> ProgressBar {
    if !enabled(quiet) {
        return ProgressBar::hidden();
    }
    let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} {pos}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.set_message(message.to_owned());
    spinner
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_drawn_only_on_a_terminal_without_quiet_or_no_color() {
        let set = Some(OsStr::new("1"));
        let empty = Some(OsStr::new(""));
        assert!(draws(false, true, None));
        assert!(draws(false, true, empty), "an empty NO_COLOR says nothing");
        assert!(!draws(false, true, set));
        assert!(!draws(true, true, None));
        assert!(!draws(false, false, None));
    }
}
