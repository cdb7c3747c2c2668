//! `list --all` streams: the binary's peak memory does not grow with the number of members.
//!
//! ```sh
//! cargo bench -p clerk-memberships-cli --bench list_memory
//! ```
//!
//! The benchmark seeds an in-memory Clerk (the library's `FakeClerk`) for each size (default
//! 500, 10,000 and 100,000 members; others as arguments) and serves them all on loopback.
//! For every measurement it starts a small runner (this program again, `--run`), which runs
//! the built binary as its only child:
//!
//! ```sh
//! clerk-memberships list --org ORG --all --format jsonl --rate-limit off > /dev/null
//! ```
//!
//! and, once it has waited for it, reads the child's peak resident set size with
//! `getrusage(RUSAGE_CHILDREN)`, with its wall-clock and CPU time. The sizes run interleaved,
//! three rounds, and the table shows the medians.
//!
//! Why a runner: Linux keeps, in a process's `ru_maxrss`, the peak of the memory it had
//! before `exec`, and a spawned child runs on its parent's memory until then. Spawned from
//! this process, which holds 100,000 members, the binary would inherit this process's size
//! as its peak. The runner holds nothing, so what the child inherits is the runner's own
//! peak since its `exec` (`VmHWM` in `/proc/self/status`, read just before the spawn),
//! printed under the table: a figure at that level would be the floor, not the binary.
//!
//! `--rate-limit off`: with the default `auto` and the fake's `sk_test_` key the client
//! keeps to Clerk's 100 requests per 10 seconds, and 100,000 members at 500 a page are 200
//! pages, so the run would measure the pacing. Elapsed time includes the fake's own work
//! (it filters and sorts the whole organization for every page), on the same cores; the
//! CPU column is the binary's alone.
//!
//! `--bin PATH` names the binary; the default is the `clerk-memberships` that `cargo bench`
//! built for this benchmark (release settings).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clerk_memberships::testing::{FakeClerk, FakeOrganization, FakeServer, ServeOptions};

/// The sizes measured when none are given: one page, then 20 and 200 pages.
const DEFAULT_SIZES: [usize; 3] = [500, 10_000, 100_000];
/// How many rounds of every size; the table shows medians.
const ROUNDS: usize = 3;
/// The page size `list --all` asks for.
const PAGE: usize = 500;

/// What one run of `list --all` cost the binary, as its runner saw it.
#[derive(Debug, Clone, Copy)]
struct Run {
    /// The binary's peak resident set size, in KiB.
    peak_rss_kib: i64,
    /// Spawn to exit, in microseconds.
    elapsed_us: i64,
    /// The binary's user and system CPU time, in microseconds.
    cpu_us: i64,
    /// The runner's peak resident set size since its `exec`, in KiB: what the binary
    /// inherits, so the least it can show (`VmHWM`; -1 where `/proc` does not say).
    runner_peak_rss_kib: i64,
}

impl Run {
    /// The line `--run` prints.
    fn line(&self) -> String {
        format!(
            "peak_rss_kib={} elapsed_us={} cpu_us={} runner_peak_rss_kib={}",
            self.peak_rss_kib, self.elapsed_us, self.cpu_us, self.runner_peak_rss_kib
        )
    }

    /// Reads the line `--run` printed.
    fn read(line: &str) -> Result<Run, String> {
        let field = |name: &str| -> Result<i64, String> {
            line.split_whitespace()
                .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
                .and_then(|value| value.parse().ok())
                .ok_or_else(|| format!("no {name} in {line:?}"))
        };
        Ok(Run {
            peak_rss_kib: field("peak_rss_kib")?,
            elapsed_us: field("elapsed_us")?,
            cpu_us: field("cpu_us")?,
            runner_peak_rss_kib: field("runner_peak_rss_kib")?,
        })
    }
}

fn main() -> ExitCode {
    // `cargo bench` adds `--bench`.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| arg != "--bench")
        .collect();
    let result = match args.first().map(String::as_str) {
        Some("--run") => run_mode(&args[1..]),
        _ => compare(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("list_memory: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Reads `[--bin PATH] [SIZE…]`.
fn parse(args: &[String]) -> Result<(PathBuf, Vec<usize>), String> {
    let mut binary = None;
    let mut sizes = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if arg == "--bin" {
            binary = Some(PathBuf::from(rest.next().ok_or("--bin needs a path")?));
        } else {
            let size = arg
                .replace(['_', ','], "")
                .parse()
                .map_err(|_| format!("{arg:?} is not a number of members"))?;
            sizes.push(size);
        }
    }
    let binary = match binary {
        Some(binary) => binary,
        None => default_binary()?,
    };
    if !binary.is_file() {
        return Err(format!(
            "{} not found: run this with `cargo bench -p clerk-memberships-cli --bench \
             list_memory`, which builds it, or name it with --bin PATH",
            binary.display()
        ));
    }
    if sizes.is_empty() {
        sizes = DEFAULT_SIZES.to_vec();
    }
    Ok((binary, sizes))
}

/// The binary cargo built for this benchmark, in the same profile (`cargo bench` builds the
/// package's binaries for its benchmarks).
fn default_binary() -> Result<PathBuf, String> {
    Ok(PathBuf::from(env!("CARGO_BIN_EXE_clerk-memberships")))
}

/// A fake holding one organization with `members` members (the first an admin), as
/// `clerk-memberships fake-server --members` seeds it, served on a free loopback port.
fn serve(members: usize) -> Result<(FakeServer, String), String> {
    let fake = FakeClerk::new();
    let organization = fake.add_organization(FakeOrganization::new("Acme Corp"));
    fake.add_example_members(&organization, members)
        .map_err(|error| error.to_string())?;
    let server = ServeOptions::new()
        .serve(&fake, "127.0.0.1:0")
        .map_err(|error| format!("cannot serve: {error}"))?;
    Ok((server, organization))
}

/// Serves every size, measures each `ROUNDS` times interleaved, and prints the table.
fn compare(args: &[String]) -> Result<(), String> {
    let (binary, sizes) = parse(args)?;
    let mut served = Vec::new();
    for &members in &sizes {
        eprintln!("seeding {} members", thousands(members));
        served.push(serve(members)?);
    }
    let me = std::env::current_exe().map_err(|error| error.to_string())?;
    let mut runs: Vec<Vec<Run>> = vec![Vec::new(); sizes.len()];
    let mut pages = vec![0; sizes.len()];
    for round in 1..=ROUNDS {
        for (i, (server, organization)) in served.iter().enumerate() {
            let members = sizes[i];
            eprintln!("round {round}/{ROUNDS}: {} members", thousands(members));
            server.clear_requests();
            let output = std::process::Command::new(&me)
                .arg("--run")
                .arg(&binary)
                .arg(server.base_url())
                .arg(organization)
                .output()
                .map_err(|error| format!("cannot run {}: {error}", me.display()))?;
            if !output.status.success() {
                return Err(format!(
                    "measuring {members} members failed: {}",
                    String::from_utf8_lossy(&output.stderr)
                ));
            }
            runs[i].push(Run::read(&String::from_utf8_lossy(&output.stdout))?);
            // Every page was read: a short last page ends the walk, or an empty one after
            // a full one.
            pages[i] = server.requests().len();
            if ![members.div_ceil(PAGE), members / PAGE + 1].contains(&pages[i]) {
                return Err(format!(
                    "{} requests for {members} members: not every page was read",
                    pages[i]
                ));
            }
        }
    }
    print_table(&binary, &sizes, &pages, &runs);
    Ok(())
}

/// `--run BIN URL ORG`: runs `list --all` as this process's only child and prints one line.
fn run_mode(args: &[String]) -> Result<(), String> {
    let [binary, url, organization] = args else {
        return Err("--run takes BIN URL ORG".to_owned());
    };
    println!("{}", run_list(binary.as_ref(), url, organization)?.line());
    Ok(())
}

/// Runs the binary's `list --all` against `url` with stdout to `/dev/null`, and reads what it
/// cost from `getrusage` once it has been waited for.
#[cfg(unix)]
fn run_list(binary: &Path, url: &str, organization: &str) -> Result<Run, String> {
    use std::process::{Command, Stdio};
    use std::time::Instant;

    use nix::sys::resource::{Usage, UsageWho, getrusage};
    use nix::sys::time::TimeValLike;

    // ru_maxrss is in KiB on Linux and the BSDs, in bytes on Apple's systems.
    let kib = |usage: &Usage| {
        #[allow(clippy::useless_conversion)] // c_long is i32 on 32-bit targets
        let max = i64::from(usage.max_rss());
        if cfg!(target_vendor = "apple") {
            max / 1024
        } else {
            max
        }
    };
    let null = std::fs::File::create("/dev/null").map_err(|error| error.to_string())?;
    let runner_peak_rss_kib = own_peak_since_exec_kib().unwrap_or(-1);
    let started = Instant::now();
    let status = Command::new(binary)
        .args(["list", "--org", organization, "--all", "--format", "jsonl"])
        .args(["--rate-limit", "off"])
        .env_clear()
        .env("CLERK_API_URL", url)
        .env("CLERK_SECRET_KEY", FakeClerk::SECRET_KEY)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(null)
        .status()
        .map_err(|error| format!("cannot run {}: {error}", binary.display()))?;
    let elapsed = started.elapsed();
    if !status.success() {
        return Err(format!("list --all ended with {status}"));
    }
    let child = getrusage(UsageWho::RUSAGE_CHILDREN).map_err(|error| error.to_string())?;
    Ok(Run {
        peak_rss_kib: kib(&child),
        elapsed_us: i64::try_from(elapsed.as_micros()).unwrap_or(i64::MAX),
        cpu_us: child.user_time().num_microseconds() + child.system_time().num_microseconds(),
        runner_peak_rss_kib,
    })
}

/// This process's peak resident set size since its `exec`, in KiB, from `/proc/self/status`
/// (Linux). Not `getrusage(RUSAGE_SELF)`: that too holds the peak from before the `exec`.
fn own_peak_since_exec_kib() -> Option<i64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `getrusage` is a Unix call.
#[cfg(not(unix))]
fn run_list(_binary: &Path, _url: &str, _organization: &str) -> Result<Run, String> {
    Err("this benchmark reads getrusage(RUSAGE_CHILDREN), which needs Unix".to_owned())
}

/// The median of some values (the lower middle one for an even count).
fn median(mut values: Vec<i64>) -> i64 {
    values.sort_unstable();
    values[(values.len() - 1) / 2]
}

/// `12345678` as `12,345,678`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// KiB as MiB with one decimal.
fn mib(kib: i64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}

/// The results, one row per size, the first size the reference for the ratio.
fn print_table(binary: &Path, sizes: &[usize], pages: &[usize], runs: &[Vec<Run>]) {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "{} list --all --format jsonl --rate-limit off > /dev/null: {ROUNDS} rounds, medians, \
         {cores} cores",
        binary.display()
    );
    println!();
    println!(
        "| members | pages | peak RSS  | ÷ first row | elapsed  | CPU (user+sys) | µs per member |"
    );
    println!(
        "|--------:|------:|----------:|------------:|---------:|---------------:|--------------:|"
    );
    let mut first = None;
    for ((&size, &pages), runs) in sizes.iter().zip(pages).zip(runs) {
        let rss = median(runs.iter().map(|run| run.peak_rss_kib).collect());
        let elapsed = median(runs.iter().map(|run| run.elapsed_us).collect());
        let cpu = median(runs.iter().map(|run| run.cpu_us).collect());
        let first = *first.get_or_insert(rss);
        println!(
            "| {:>7} | {pages:>5} | {:>5} MiB | {:>10.2}× | {:>6.2} s | {:>12.2} s | {:>13.1} |",
            thousands(size),
            mib(rss),
            rss as f64 / first as f64,
            elapsed as f64 / 1e6,
            cpu as f64 / 1e6,
            elapsed as f64 / size.max(1) as f64,
        );
    }
    println!();
    for (&size, runs) in sizes.iter().zip(runs) {
        let rss: Vec<String> = runs.iter().map(|run| mib(run.peak_rss_kib)).collect();
        let elapsed: Vec<String> = runs
            .iter()
            .map(|run| format!("{:.2}", run.elapsed_us as f64 / 1e6))
            .collect();
        println!(
            "{} members, each round: peak RSS {} MiB; elapsed {} s",
            thousands(size),
            rss.join(" / "),
            elapsed.join(" / ")
        );
    }
    let runner = runs
        .iter()
        .flatten()
        .map(|run| run.runner_peak_rss_kib)
        .max()
        .unwrap_or(-1);
    if runner >= 0 {
        println!(
            "the runner's peak RSS when it spawned the binary, the least a figure above can be: {} MiB",
            mib(runner)
        );
    }
}
