//! Progress on stderr: drawn only on a terminal, and never under `--quiet` or `NO_COLOR`.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Whether progress may be drawn: stderr is a terminal, `--quiet` is off and `NO_COLOR` is
/// unset or empty.
pub fn enabled(quiet: bool) -> bool {
    !quiet
        && std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
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
