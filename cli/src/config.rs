//! The options every command shares, and the client they configure.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::Args;
use clerk_memberships::{
    AttemptEvent, BuildError, Client, ClientBuilder, RetryPolicy, SlidingWindowLimiter,
};

use crate::fail::Failure;

/// The environment variable the secret key is read from, as the library's
/// `ClientBuilder::from_env` reads it.
const SECRET_KEY_VAR: &str = "CLERK_SECRET_KEY";

/// The environment variable `--api-url` is read from, as the library's
/// `ClientBuilder::from_env` reads the base URL.
const BASE_URL_VAR: &str = "CLERK_API_URL";

/// The environment variable `--rate-limit-redis` is read from.
pub const REDIS_URL_VAR: &str = "CLERK_RATE_LIMIT_REDIS_URL";

/// Options shared by every command (they may come before or after the command's name).
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The Backend API's base URL [default: https://api.clerk.com/v1]. Plain http:// is
    /// accepted for loopback hosts only, unless --allow-http.
    #[arg(long, global = true, env = BASE_URL_VAR, value_name = "URL")]
    pub api_url: Option<String>,

    /// Read the secret key from this file (its first line) instead of CLERK_SECRET_KEY.
    #[arg(long, global = true, value_name = "PATH")]
    pub secret_key_file: Option<PathBuf>,

    /// Allow a plain http:// base URL to a host that is not loopback (the key then crosses
    /// the network unencrypted).
    #[arg(long, global = true)]
    pub allow_http: bool,

    /// The deadline of each call, retries and waits included: e.g. 30s, 500ms, 2m, or a
    /// number of seconds [default: 30s].
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,

    /// Client-side pacing: `auto` (Clerk's published limit for the key: 100 requests per
    /// 10 s for sk_test_ keys, 1000 for sk_live_), `off`, or N/SECONDS such as 50/10.
    #[arg(long, global = true, value_name = "auto|off|N/SECONDS", default_value = "auto",
          value_parser = parse_rate_limit)]
    pub rate_limit: RateLimit,

    /// Share the rate limit with every process that uses this Redis and the same key: a
    /// redis:// URL (its password is never printed). Processes that share a key share
    /// Clerk's limit; this keeps them within it together. If Redis cannot be reached, each
    /// process paces itself at its share divided by --rate-processes, and says so.
    #[arg(long, global = true, env = REDIS_URL_VAR, hide_env_values = true, value_name = "URL")]
    pub rate_limit_redis: Option<String>,

    /// Use at most this share of the rate limit, to leave the rest to other traffic on the
    /// instance: a percentage (50%) or a fraction (0.5) [default: 100%]. With
    /// --rate-limit-redis, this process starts requests only while fewer than its share
    /// started in the window, counting every process.
    #[arg(long, global = true, value_name = "P%", value_parser = parse_share)]
    pub rate_share: Option<f64>,

    /// How many processes share --rate-limit-redis: a process that cannot reach Redis paces
    /// itself at its share divided by this [default: 1].
    #[arg(long, global = true, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub rate_processes: Option<u32>,

    /// Print each HTTP attempt (method, URL without the query string, status, wait) to
    /// stderr. Never the key.
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// No progress bars and no notes on stderr; errors are still printed.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// How the client paces its requests (`--rate-limit`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RateLimit {
    /// Clerk's published limit for the key type.
    Auto,
    /// No client-side pacing; only the server's `Retry-After` is honoured.
    Off,
    /// At most `limit` requests start in any window of `per`.
    Custom { limit: u32, per: Duration },
}

impl GlobalArgs {
    /// The client these options describe.
    ///
    /// # Errors
    ///
    /// A usage failure when there is no key, the key file cannot be read, or the client
    /// refuses the configuration (a malformed key or base URL, plain http to a remote host).
    pub fn client(&self) -> Result<Client, Failure> {
        let builder = self.client_builder()?;
        let client = builder
            .clone()
            .build()
            .map_err(|error| self.config_failure(&error))?;
        if !self.verbose {
            if self.rate_limit_redis.is_none() || self.quiet {
                return Ok(client);
            }
            // Without -v, a note when the shared rate limit is lost (and found again).
            let fell_back = AtomicBool::new(false);
            return builder
                .on_attempt(move |event| note_fallback(event, &fell_back, false))
                .build()
                .map_err(|error| self.config_failure(&error));
        }
        // `-v` names each attempt's URL, so it needs the base URL as the client settled it
        // (a path-less one gains `/v1`, a trailing slash goes): known once it is built.
        let base_url = client.base_url().to_owned();
        let quiet = self.quiet;
        let fell_back = AtomicBool::new(false);
        builder
            .on_attempt(move |event| {
                print_attempt(&base_url, event);
                note_fallback(event, &fell_back, quiet);
            })
            .build()
            .map_err(|error| self.config_failure(&error))
    }

    /// A configuration the client refused, in the CLI's words: where the value came from, and
    /// the flag rather than the library's setting.
    fn config_failure(&self, error: &BuildError) -> Failure {
        let message = error
            .to_string()
            .replace("`allow_insecure_http`", "--allow-http");
        let source = match error.field() {
            "base_url" => " (from --api-url or CLERK_API_URL)".to_owned(),
            "secret_key" => match &self.secret_key_file {
                Some(path) => format!(" (from --secret-key-file {})", path.display()),
                None => format!(" (from {SECRET_KEY_VAR})"),
            },
            "redis_url" => " (from --rate-limit-redis or CLERK_RATE_LIMIT_REDIS_URL)".to_owned(),
            _ => String::new(),
        };
        Failure::usage(format!("{message}{source}"))
    }

    /// The builder behind [`client`](Self::client), for commands that add to it; without the
    /// `-v` hook, which `client` adds.
    pub fn client_builder(&self) -> Result<ClientBuilder, Failure> {
        let key = self.secret_key()?;
        let mut builder = Client::builder()
            .secret_key(key)
            // The CLI's name and version, then the library's.
            .app_name(concat!("clerk-memberships-cli/", env!("CARGO_PKG_VERSION")))
            .allow_insecure_http(self.allow_http);
        // An empty CLERK_API_URL (as CI templates export) is unset, as an empty key is.
        if let Some(url) = self.api_url.as_deref().filter(|url| !url.trim().is_empty()) {
            builder = builder.base_url(url.trim());
        }
        if let Some(timeout) = self.timeout {
            builder = builder.retry_policy(RetryPolicy::builder().deadline(timeout).build());
        }
        let share = self.rate_share.unwrap_or(1.0);
        builder = builder.rate_share(share);
        if let Some(url) = self
            .rate_limit_redis
            .as_deref()
            .filter(|url| !url.trim().is_empty())
        {
            return self.redis_rate_limit(builder, url.trim());
        }
        // One process, the default, needs no shared budget; more do.
        if self.rate_processes.is_some_and(|processes| processes > 1) {
            return Err(Failure::usage(
                "--rate-processes needs --rate-limit-redis (or CLERK_RATE_LIMIT_REDIS_URL)",
            ));
        }
        builder = match self.rate_limit {
            RateLimit::Auto => builder.clerk_rate_limit(),
            RateLimit::Off if self.rate_share.is_some() => {
                return Err(Failure::usage(
                    "--rate-share needs a rate limit: --rate-limit auto or N/SECONDS, not off",
                ));
            }
            RateLimit::Off => builder,
            RateLimit::Custom { limit, per } => {
                let limit = ((f64::from(limit) * share).floor() as u32).max(1);
                builder.rate_limiter(SlidingWindowLimiter::new(limit, per))
            }
        };
        Ok(builder)
    }

    /// `builder` pacing by the budget kept in the Redis at `url`.
    #[cfg(feature = "redis")]
    fn redis_rate_limit(
        &self,
        builder: ClientBuilder,
        url: &str,
    ) -> Result<ClientBuilder, Failure> {
        let mut shared =
            clerk_memberships::RedisRateLimit::new(url).processes(self.rate_processes.unwrap_or(1));
        match self.rate_limit {
            RateLimit::Auto => {}
            RateLimit::Off => {
                return Err(Failure::usage(
                    "--rate-limit off cannot be combined with --rate-limit-redis",
                ));
            }
            RateLimit::Custom { limit, per } => shared = shared.limit(limit, per),
        }
        Ok(builder.redis_rate_limit(shared))
    }

    /// Without Redis support built in, `--rate-limit-redis` is refused.
    #[cfg(not(feature = "redis"))]
    fn redis_rate_limit(&self, _: ClientBuilder, _: &str) -> Result<ClientBuilder, Failure> {
        Err(Failure::usage(
            "--rate-limit-redis: this build has no Redis support (the `redis` feature)",
        ))
    }

    /// The key from `--secret-key-file` or `CLERK_SECRET_KEY`, in that order.
    fn secret_key(&self) -> Result<String, Failure> {
        if let Some(path) = &self.secret_key_file {
            return read_key_file(path);
        }
        match std::env::var(SECRET_KEY_VAR) {
            Ok(key) if !key.trim().is_empty() => Ok(key.trim().to_owned()),
            _ => Err(Failure::usage(format!(
                "no secret key: set {SECRET_KEY_VAR} or pass --secret-key-file PATH"
            ))),
        }
    }
}

/// The most of a key file that is read: a key is about a hundred bytes, and a path such as
/// `/dev/zero` must not be read without end.
const MAX_KEY_FILE_BYTES: u64 = 4096;

/// The key in a file: its first line, trimmed, without a byte order mark.
fn read_key_file(path: &Path) -> Result<String, Failure> {
    let cannot = |reason: String| {
        Failure::usage(format!(
            "cannot read --secret-key-file {}: {reason}",
            path.display()
        ))
    };
    let mut bytes = Vec::new();
    File::open(path)
        .and_then(|file| file.take(MAX_KEY_FILE_BYTES).read_to_end(&mut bytes))
        .map_err(|error| cannot(error.to_string()))?;
    let text = String::from_utf8_lossy(&bytes);
    let first_line = text.split(['\n', '\r']).next().unwrap_or("");
    let key = first_line.trim_start_matches('\u{feff}').trim();
    if key.is_empty() {
        return Err(cannot("its first line is empty".to_owned()));
    }
    Ok(key.to_owned())
}

/// `-v`: one line per attempt on stderr, with the request's URL: `base_url` (which holds no
/// user information: the client refuses it) and the call's path. The event holds no key and
/// no query string.
fn print_attempt(base_url: &str, event: &AttemptEvent) {
    let outcome = match (event.status, event.transport_error) {
        (Some(status), _) => status.to_string(),
        (None, Some(kind)) => format!("{kind:?} error").to_lowercase(),
        (None, None) => "no answer".to_owned(),
    };
    let mut next = match event.retry_in {
        Some(wait) => format!(", retrying in {}", crate::timefmt::duration(wait)),
        None => String::new(),
    };
    if event.limiter_fallback.is_some() {
        next.push_str(" (paced locally: the shared rate limit cannot be used)");
    }
    // Redacted as errors are, should a key ever reach the base URL or the path.
    let line = format!(
        "> {} {base_url}{} attempt {}: {outcome}{next}",
        event.call.method(),
        event.call.path(),
        event.attempt
    );
    stderr_line!("{}", crate::fail::redact_keys(&line));
}

/// A note on stderr when the shared rate limit is lost, and when it is found again: once per
/// change, not on every attempt. With -v (`verbose`), every attempt line says it too.
fn note_fallback(event: &AttemptEvent, fell_back: &AtomicBool, quiet: bool) {
    match &event.limiter_fallback {
        Some(note) if !fell_back.swap(true, Ordering::Relaxed) && !quiet => {
            stderr_line!("note: {note}");
        }
        None if fell_back.swap(false, Ordering::Relaxed) && !quiet => {
            stderr_line!("note: the shared rate limit is reachable again");
        }
        _ => {}
    }
}

/// Parses a share of the rate limit: `50%`, or a fraction such as `0.5`; more than 0, at most
/// the whole.
pub fn parse_share(text: &str) -> Result<f64, String> {
    let trimmed = text.trim();
    let invalid = || format!("{text:?} is not a share such as 50% or 0.5");
    let share = match trimmed.strip_suffix('%') {
        Some(percent) => percent.trim().parse::<f64>().map_err(|_| invalid())? / 100.0,
        None => trimmed.parse::<f64>().map_err(|_| invalid())?,
    };
    if !(share > 0.0 && share <= 1.0) {
        return Err(format!(
            "{text:?}: a share must be more than 0 and at most 100%"
        ));
    }
    Ok(share)
}

/// Parses `30s`, `500ms`, `2m`, `1h` or a bare number of seconds (fractions allowed).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration (e.g. 30s, 500ms, 2m)"))?;
    let seconds = match unit.trim() {
        "" | "s" => value,
        "ms" => value / 1000.0,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        other => return Err(format!("unknown unit {other:?} (use ms, s, m or h)")),
    };
    match Duration::try_from_secs_f64(seconds) {
        Ok(duration) if duration < MIN_DURATION => {
            Err(format!("{text:?} is too short: at least 1ms"))
        }
        Ok(duration) if duration <= MAX_DURATION => Ok(duration),
        _ => Err(format!("{text:?} is too long: at most 24h")),
    }
}

/// The shortest `--timeout` and rate-limit window accepted.
const MIN_DURATION: Duration = Duration::from_millis(1);
/// The longest `--timeout` and rate-limit window accepted: a day.
const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);

/// Parses `auto`, `off` or `N/SECONDS`.
pub fn parse_rate_limit(text: &str) -> Result<RateLimit, String> {
    match text {
        "auto" => return Ok(RateLimit::Auto),
        "off" => return Ok(RateLimit::Off),
        _ => {}
    }
    let invalid = || format!("{text:?} is not auto, off or N/SECONDS (e.g. 50/10)");
    let (limit, per) = text.split_once('/').ok_or_else(invalid)?;
    let limit: u32 = limit.trim().parse().map_err(|_| invalid())?;
    if limit == 0 {
        return Err(format!(
            "{text:?}: at least 1 request per window (or `off` for no pacing)"
        ));
    }
    let per = parse_duration(per)?;
    Ok(RateLimit::Custom { limit, per })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_with_and_without_units() {
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(
            parse_duration("0"),
            Err("\"0\" is too short: at least 1ms".to_owned())
        );
        assert!(parse_duration("0.0001ms").is_err());
        assert_eq!(parse_duration("24h"), Ok(Duration::from_secs(86_400)));
        assert_eq!(
            parse_duration("99999999999999999999h"),
            Err("\"99999999999999999999h\" is too long: at most 24h".to_owned())
        );
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("5d").is_err());
        assert!(parse_duration("1e400").is_err());
    }

    #[test]
    fn an_empty_api_url_is_unset_as_an_empty_key_is() {
        let key_file = std::env::temp_dir().join(format!("cm-cli-unit-key-{}", std::process::id()));
        std::fs::write(&key_file, "sk_test_unit\n").unwrap();
        let args = |api_url: &str| GlobalArgs {
            api_url: Some(api_url.to_owned()),
            secret_key_file: Some(key_file.clone()),
            allow_http: false,
            timeout: None,
            rate_limit: RateLimit::Auto,
            rate_limit_redis: None,
            rate_share: None,
            rate_processes: None,
            verbose: false,
            quiet: false,
        };
        let client = args("").client().map_err(|f| f.to_string()).unwrap();
        assert_eq!(client.base_url(), "https://api.clerk.com/v1");
        let client = args(" http://127.0.0.1:9/v1 ")
            .client()
            .map_err(|f| f.to_string())
            .unwrap();
        assert_eq!(client.base_url(), "http://127.0.0.1:9/v1");
        std::fs::remove_file(&key_file).ok();
    }

    #[test]
    fn shares_read_as_percentages_or_fractions() {
        assert_eq!(parse_share("50%"), Ok(0.5));
        assert_eq!(parse_share("0.25"), Ok(0.25));
        assert_eq!(parse_share("100%"), Ok(1.0));
        for bad in ["0", "0%", "150%", "1.5", "-1", "half", "NaN", "inf"] {
            assert!(parse_share(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rate_limits_read_auto_off_and_n_per_seconds() {
        assert_eq!(parse_rate_limit("auto"), Ok(RateLimit::Auto));
        assert_eq!(parse_rate_limit("off"), Ok(RateLimit::Off));
        assert_eq!(
            parse_rate_limit("50/10"),
            Ok(RateLimit::Custom {
                limit: 50,
                per: Duration::from_secs(10)
            })
        );
        assert_eq!(
            parse_rate_limit("5/500ms"),
            Ok(RateLimit::Custom {
                limit: 5,
                per: Duration::from_millis(500)
            })
        );
        assert!(parse_rate_limit("0/10").is_err());
        assert!(parse_rate_limit("50").is_err());
        assert!(parse_rate_limit("fast").is_err());
    }
}
