//! Progress on stderr: a bar drawn on a terminal; elsewhere (a CI log) or under `NO_COLOR`,
//! for the long jobs, a plain line every so often; never under `--quiet`.

use std::ffi::OsStr;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The environment variable that sets how often a plain progress line is printed where no
/// bar is drawn: a duration as `--timeout` reads it (`100ms`, `30s`, `2m`), or `0` for none.
pub const INTERVAL_VAR: &str = "CLERK_MEMBERSHIPS_PROGRESS_INTERVAL";

/// How often a plain progress line is printed, unless [`INTERVAL_VAR`] says otherwise.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);

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
fn spinner(quiet: bool, message: &str) -> ProgressBar {
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

/// How a long job shows its progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A bar on the terminal.
    Bar,
    /// A plain line every so often.
    Lines(Duration),
    /// Nothing.
    Off,
}

/// The rule behind [`Meter`], on its inputs: nothing under `--quiet`; a bar where one is
/// drawn; else a line every [`INTERVAL_VAR`] (every [`DEFAULT_INTERVAL`] when it is unset or
/// unreadable, none when it is `0`).
fn mode(
    quiet: bool,
    stderr_is_terminal: bool,
    no_color: Option<&OsStr>,
    interval: Option<&OsStr>,
) -> Mode {
    if quiet {
        return Mode::Off;
    }
    if draws(quiet, stderr_is_terminal, no_color) {
        return Mode::Bar;
    }
    let interval = interval.and_then(OsStr::to_str).map(str::trim);
    match interval {
        Some("0") => Mode::Off,
        Some(text) => Mode::Lines(crate::config::parse_duration(text).unwrap_or(DEFAULT_INTERVAL)),
        None => Mode::Lines(DEFAULT_INTERVAL),
    }
}

/// What a long job counts, and how its progress line reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Work {
    /// `sync --apply`: `applied 420/2000, 0 failed, 98/s`.
    Apply { total: u64 },
    /// `list --all`: `listed 5000 members, 480/s`; `invitations list --all`: `listed 5000
    /// invitations, 480/s`.
    List { what: &'static str },
}

impl Work {
    /// The progress line, after `elapsed`.
    fn line(self, done: u64, failed: u64, elapsed: Duration) -> String {
        let seconds = elapsed.as_secs_f64();
        let per_second = if seconds > 0.0 {
            done as f64 / seconds
        } else {
            0.0
        };
        // A slow job keeps a decimal, so that it never reads as stopped (0/s).
        let rate = if per_second < 10.0 {
            format!("{per_second:.1}")
        } else {
            format!("{per_second:.0}")
        };
        match self {
            Work::Apply { total } => format!("applied {done}/{total}, {failed} failed, {rate}/s"),
            Work::List { what } => format!("listed {done} {what}, {rate}/s"),
        }
    }
}

/// The progress of a long job (`sync --apply`, `list --all`, `invitations list --all`): a
/// bar on a terminal, a plain line on stderr every so often elsewhere (see [`mode`]). Clones
/// show the same progress.
#[derive(Clone)]
pub struct Meter {
    bar: ProgressBar,
    lines: Option<Arc<Lines>>,
}

/// The counts a progress line reads, and the thread that prints it.
struct Lines {
    done: AtomicU64,
    failed: AtomicU64,
    /// Stops the thread (by sending, or by being dropped), and the thread to join.
    printer: Mutex<Option<(Sender<()>, JoinHandle<()>)>>,
}

impl Meter {
    /// The progress of applying `total` changes.
    pub fn apply(quiet: bool, total: u64) -> Meter {
        Meter::new(quiet, Work::Apply { total }, || {
            bar(quiet, total, "applying")
        })
    }

    /// The progress of listing `what` (`members`, `invitations`) page after page.
    pub fn list(quiet: bool, what: &'static str) -> Meter {
        Meter::new(quiet, Work::List { what }, || {
            spinner(quiet, &format!("{what} read"))
        })
    }

    fn new(quiet: bool, work: Work, bar: impl FnOnce() -> ProgressBar) -> Meter {
        let mode = mode(
            quiet,
            std::io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
            std::env::var_os(INTERVAL_VAR).as_deref(),
        );
        match mode {
            Mode::Bar => Meter {
                bar: bar(),
                lines: None,
            },
            Mode::Lines(every) => Meter {
                bar: ProgressBar::hidden(),
                lines: Lines::start(work, every),
            },
            Mode::Off => Meter {
                bar: ProgressBar::hidden(),
                lines: None,
            },
        }
    }

    /// `done` steps are done.
    pub fn set_done(&self, done: u64) {
        self.bar.set_position(done);
        if let Some(lines) = &self.lines {
            lines.done.fetch_max(done, Ordering::Relaxed);
        }
    }

    /// `steps` more are done.
    pub fn add_done(&self, steps: u64) {
        self.bar.inc(steps);
        if let Some(lines) = &self.lines {
            lines.done.fetch_add(steps, Ordering::Relaxed);
        }
    }

    /// One more step failed.
    pub fn add_failed(&self) {
        if let Some(lines) = &self.lines {
            lines.failed.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Runs `write` with the bar taken off the terminal, then draws it again: what `write`
    /// prints (rows on stdout, which a terminal shows beside stderr) never lands on the
    /// bar's line. Without a bar, just runs `write`.
    pub fn suspend<T>(&self, write: impl FnOnce() -> T) -> T {
        self.bar.suspend(write)
    }

    /// Clears the bar, or stops the lines.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
        if let Some(lines) = &self.lines {
            lines.stop();
        }
    }
}

impl Lines {
    /// Starts the thread that prints a line every `every`; `None` (no lines, the job goes on)
    /// if it cannot be started.
    fn start(work: Work, every: Duration) -> Option<Arc<Lines>> {
        let lines = Arc::new(Lines {
            done: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            printer: Mutex::new(None),
        });
        let (stop, stopped) = mpsc::channel::<()>();
        let counts = Arc::clone(&lines);
        let started = Instant::now();
        let printer = std::thread::Builder::new()
            .name("progress".into())
            .spawn(move || {
                let line = || {
                    let done = counts.done.load(Ordering::Relaxed);
                    let failed = counts.failed.load(Ordering::Relaxed);
                    work.line(done, failed, started.elapsed())
                };
                let mut printed = false;
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(every) {
                    stderr_line!("{}", line());
                    printed = true;
                }
                // A job long enough to have shown its progress ends on its final count.
                if printed {
                    stderr_line!("{}", line());
                }
            })
            .ok()?;
        if let Ok(mut slot) = lines.printer.lock() {
            *slot = Some((stop, printer));
        }
        Some(lines)
    }

    /// Stops the thread and waits for it, so that no line comes after the job's output.
    fn stop(&self) {
        let printer = self.printer.lock().ok().and_then(|mut slot| slot.take());
        if let Some((stop, printer)) = printer {
            let _ = stop.send(());
            let _ = printer.join();
        }
    }
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

    #[test]
    fn without_a_terminal_a_line_is_printed_every_interval_unless_quiet() {
        let none = None;
        let set = Some(OsStr::new("1"));
        let every = |text: &str| mode(false, false, none, Some(OsStr::new(text)));
        assert_eq!(mode(false, true, none, none), Mode::Bar);
        assert_eq!(
            mode(false, false, none, none),
            Mode::Lines(DEFAULT_INTERVAL)
        );
        assert_eq!(mode(false, true, set, none), Mode::Lines(DEFAULT_INTERVAL));
        assert_eq!(every("100ms"), Mode::Lines(Duration::from_millis(100)));
        assert_eq!(every(" 2m "), Mode::Lines(Duration::from_secs(120)));
        assert_eq!(every("0"), Mode::Off);
        assert_eq!(every("soon"), Mode::Lines(DEFAULT_INTERVAL));
        assert_eq!(mode(true, false, none, none), Mode::Off);
        assert_eq!(mode(true, true, none, none), Mode::Off);
    }

    #[test]
    fn a_line_says_how_many_how_many_failed_and_how_fast() {
        let apply = Work::Apply { total: 2000 };
        assert_eq!(
            apply.line(420, 1, Duration::from_secs(4)),
            "applied 420/2000, 1 failed, 105/s"
        );
        let members = Work::List { what: "members" };
        assert_eq!(
            members.line(5000, 0, Duration::from_millis(10_400)),
            "listed 5000 members, 481/s"
        );
        assert_eq!(
            members.line(0, 0, Duration::ZERO),
            "listed 0 members, 0.0/s"
        );
        assert_eq!(
            Work::List {
                what: "invitations"
            }
            .line(12, 0, Duration::from_secs(4)),
            "listed 12 invitations, 3.0/s"
        );
        // Slow, not stopped.
        assert_eq!(
            apply.line(4, 0, Duration::from_secs(10)),
            "applied 4/2000, 0 failed, 0.4/s"
        );
    }
}
