//! One rate budget for every process on a Clerk instance, kept in Redis.
//!
//! Clerk's limit belongs to the instance, not to a process: a sync that paces itself alone
//! next to the customer's web servers (or a second sync) makes them all meet 429s. Here each
//! start is reserved by a script that runs atomically in Redis, on the Redis server's clock,
//! so that every process reserving from the same key shares one sliding window and one 429
//! gate.
//!
//! How a reservation maps onto the client's clock: each process counts its
//! [`Clock::monotonic`] from an origin of its own, so no time of the client is sent. The
//! script is sent how long after *now* the request may start at the earliest and at the
//! latest; it reads the server's `TIME`, keeps the window in microseconds of that clock, and
//! answers the wait from its now to the start it reserved. The client adds that wait to its
//! own monotonic time read *after* the answer came back, so a start can only come later
//! than the one reserved (by the time the answer took), never sooner.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::clock::Clock;
use crate::error::BuildError;
use crate::lock::lock;
use crate::pacing::{Lateness, RateLimiter, SlidingWindowLimiter, share_of};
use crate::secret::SecretKey;

/// The prefix of every key the shared limiter keeps in Redis.
const KEY_PREFIX: &str = "clerk-memberships:rate:";
/// The default [`RedisRateLimit::timeout`]: 250 ms.
const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);
/// How long the limiter paces locally after Redis failed it before it tries Redis again.
const RETRY_REDIS_AFTER: Duration = Duration::from_secs(2);
/// The longest name of a budget given with [`RedisRateLimit::name`].
const MAX_NAME_LEN: usize = 200;
/// The most microseconds sent as a bound: about 31 years, "no bound".
const FAR_MICROS: u64 = 1_000_000_000_000_000;

/// Reserves one start. KEYS: the starts (a list of the most recent `limit` starts, in
/// microseconds of the server's clock, oldest first) and the 429 gate (a key that lives as
/// long as the wait a 429 asked). ARGV: the instance's limit, this client's allowance (its
/// share of the limit), the window with its margin (µs), and the earliest and latest start
/// (µs from now). Answers `{1, wait}` with the wait (µs) until the start it reserved, or
/// `{0, wait}` without reserving when that start would come after the latest; then the
/// start itself (µs of the server's clock).
const RESERVE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local allowance = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local at = now + tonumber(ARGV[4])
local gate = redis.call('PTTL', KEYS[2])
if gate > 0 then at = math.max(at, now + gate * 1000) end
local last = redis.call('LINDEX', KEYS[1], -1)
if last then at = math.max(at, tonumber(last)) end
if redis.call('LLEN', KEYS[1]) >= allowance then
  local oldest = redis.call('LINDEX', KEYS[1], -allowance)
  if oldest then at = math.max(at, tonumber(oldest) + window) end
end
local wait = at - now
if wait > tonumber(ARGV[5]) then return {0, wait, at} end
redis.call('RPUSH', KEYS[1], string.format('%.0f', at))
redis.call('LTRIM', KEYS[1], -limit, -1)
redis.call('PEXPIRE', KEYS[1], math.floor((wait + window) / 1000) + 1000)
return {1, wait, at}
";

/// A start came late: the start ARGV[1] (µs of the server's clock), if still in the window,
/// becomes ARGV[2], so that the starts it frees count from when the request really left.
const STARTED: &str = r"
local i = redis.call('LPOS', KEYS[1], ARGV[1], 'RANK', -1)
if i then redis.call('LSET', KEYS[1], i, ARGV[2]) end
return 1
";

/// How late a start must come for the shared window to be told.
const LATE: Duration = Duration::from_millis(1);
/// How many reserved starts the limiter remembers, to tell the window about one that came
/// late.
const REMEMBERED: usize = 1024;

/// Closes the shared 429 gate for ARGV[1] milliseconds, unless it is already closed for
/// longer.
const HOLD: &str = r"
local ms = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < ms then redis.call('SET', KEYS[1], '1', 'PX', ms) end
return 1
";

/// A rate budget shared through Redis by every process that uses the same Redis and the
/// same budget name: given to
/// [`ClientBuilder::redis_rate_limit`](crate::ClientBuilder::redis_rate_limit).
///
/// - **One window for all.** Each start is reserved by a script that runs atomically in
///   Redis on the Redis server's clock (a sliding window: never more than the limit in any
///   window, the window's 2 % margin included, as [`SlidingWindowLimiter`] keeps it), so the
///   processes' own clocks never meet.
/// - **One 429 gate for all.** A `Retry-After` that one process meets holds every process
///   until it has passed.
/// - **Named by the key, never holding it.** The budget's Redis keys are
///   `clerk-memberships:rate:{ID}:starts` and `…:gate`, where `ID` is the
///   [name](Self::name) given, or else `sha256-` and the SHA-256 of the secret key in hex:
///   every process with the same key shares the budget without the key ever reaching
///   Redis.
/// - **A share.** [`ClientBuilder::rate_share`](crate::ClientBuilder::rate_share) makes
///   the client start only while fewer than its share of the limit started in the window,
///   by every process: a sync at 50 % leaves the other half to the production traffic.
/// - **Failure is safe.** Redis is reached within a [timeout](Self::timeout), for the
///   connection and for each answer. When it cannot be reached, or answers too slowly, or
///   with an error, the client paces itself locally at the [fallback
///   rate](Self::fallback_rate) (by default its share of the limit divided by the declared
///   number of [processes](Self::processes), so that all of them falling back together stay
///   within the share), says so on every attempt
///   ([`AttemptEvent::limiter_fallback`](crate::AttemptEvent::limiter_fallback)), and tries
///   Redis again 2 s later. It never waits on Redis longer than the timeout, and never
///   panics.
///
/// The URL (`redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]`) may carry a password: `Debug`,
/// errors and fallback notes show it as `<redacted>`.
///
/// ```
/// use std::time::Duration;
/// use clerk_memberships::{Client, RedisRateLimit};
///
/// let shared = RedisRateLimit::new("redis://:hunter2@127.0.0.1:6379/0")
///     .processes(4)
///     .timeout(Duration::from_millis(100));
/// assert_eq!(
///     format!("{shared:?}"),
///     "RedisRateLimit { url: \"redis://:<redacted>@127.0.0.1:6379/0\", name: None, \
///      limit: None, processes: 4, fallback_rate: None, timeout: 100ms }"
/// );
/// let client = Client::builder()
///     .secret_key("sk_test_123")
///     .redis_rate_limit(shared)
///     .rate_share(0.5)
///     .build()?;
/// # Ok::<(), clerk_memberships::BuildError>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct RedisRateLimit {
    url: String,
    name: Option<String>,
    limit: Option<(u32, Duration)>,
    processes: u32,
    fallback_rate: Option<(u32, Duration)>,
    timeout: Duration,
}

impl fmt::Debug for RedisRateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisRateLimit")
            .field("url", &redact_url(&self.url))
            .field("name", &self.name)
            .field("limit", &self.limit)
            .field("processes", &self.processes)
            .field("fallback_rate", &self.fallback_rate)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl RedisRateLimit {
    /// The budget kept in the Redis at `url` (`redis://…`; checked by
    /// [`ClientBuilder::build`](crate::ClientBuilder::build)). Nothing is connected until
    /// the first request.
    pub fn new(url: impl Into<String>) -> Self {
        RedisRateLimit {
            url: url.into(),
            name: None,
            limit: None,
            processes: 1,
            fallback_rate: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// The budget's name in Redis: processes with the same name share it. Printable ASCII,
    /// at most 200 characters.
    ///
    /// Defaults to `sha256-` and the SHA-256 of the secret key in hex, so that every process
    /// with the key shares it.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The instance's limit: at most `limit` starts in any window of `per`. Every process
    /// sharing the budget must give the same.
    ///
    /// Defaults to Clerk's published limits for the key: 1000 per 10 s for `sk_live_` keys,
    /// 100 per 10 s otherwise.
    pub fn limit(mut self, limit: u32, per: Duration) -> Self {
        self.limit = Some((limit.max(1), per));
        self
    }

    /// How many processes share the budget: the default [fallback
    /// rate](Self::fallback_rate) divides the client's share by it. `0` counts as 1.
    ///
    /// Defaults to 1.
    pub fn processes(mut self, processes: u32) -> Self {
        self.processes = processes.max(1);
        self
    }

    /// The local limit the client keeps while Redis cannot be reached: at most `limit`
    /// starts in any window of `per`.
    ///
    /// Defaults to the client's share of the limit divided by the number of
    /// [processes](Self::processes), at least 1 per window.
    pub fn fallback_rate(mut self, limit: u32, per: Duration) -> Self {
        self.fallback_rate = Some((limit.max(1), per));
        self
    }

    /// How long connecting to Redis may take, and each answer: past it the client paces
    /// locally. A zero timeout counts as 1 ms.
    ///
    /// Defaults to 250 ms.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }
}

/// `url` cut around its user information: `scheme://`, the user information, and `@` with
/// the rest; `None` when it has none.
fn around_user_info(url: &str) -> Option<(&str, &str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let at = rest[..authority_end].rfind('@')?;
    Some((&url[..scheme.len() + 3], &rest[..at], &rest[at..]))
}

/// `url` with the password of its user information replaced by `<redacted>`.
fn redact_url(url: &str) -> String {
    let Some((scheme, user_info, host)) = around_user_info(url) else {
        return url.to_owned();
    };
    let user = match user_info.split_once(':') {
        Some((user, _)) => format!("{user}:<redacted>"),
        // `redis://SECRET@host`: a lone user name may be a password; hide it as one.
        None => "<redacted>".to_owned(),
    };
    format!("{scheme}{user}{host}")
}

/// The budget's id in its Redis keys: the name given, or the SHA-256 of the key.
fn budget_id(name: Option<&str>, key: &SecretKey) -> String {
    match name {
        Some(name) => name.to_owned(),
        None => {
            let digest = Sha256::digest(key.expose_secret().as_bytes());
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            format!("sha256-{hex}")
        }
    }
}

/// The budget's two Redis keys: the starts and the 429 gate. The id is in braces, so that a
/// Redis cluster keeps both in one slot, as a script needs.
fn keys(id: &str) -> (String, String) {
    (
        format!("{KEY_PREFIX}{{{id}}}:starts"),
        format!("{KEY_PREFIX}{{{id}}}:gate"),
    )
}

/// The microseconds in `d`, at most [`FAR_MICROS`].
fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros())
        .unwrap_or(u64::MAX)
        .min(FAR_MICROS)
}

/// Redis failed the limiter: when to try it again, and why (without a password).
struct Down {
    retry_at: Duration,
    reason: String,
}

/// The limiter a [`RedisRateLimit`] describes, built for one client.
pub(crate) struct RedisLimiter {
    client: redis::Client,
    /// The URL as it may be shown.
    shown_url: String,
    /// The URL's password, blanked out of every message.
    password: Option<String>,
    starts_key: String,
    gate_key: String,
    limit: u32,
    allowance: u32,
    /// The window and its margin.
    window: Duration,
    /// How late this process's starts came lately, added to the window.
    lateness: Lateness,
    timeout: Duration,
    clock: Arc<dyn Clock>,
    reserve: redis::Script,
    hold: redis::Script,
    started: redis::Script,
    /// The starts handed out lately: on the client's clock, and on the server's (µs).
    reserved: Mutex<std::collections::VecDeque<(Duration, i64)>>,
    connection: Mutex<Option<redis::Connection>>,
    local: SlidingWindowLimiter,
    down: Mutex<Option<Down>>,
}

impl fmt::Debug for RedisLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisLimiter")
            .field("url", &self.shown_url)
            .field("starts_key", &self.starts_key)
            .field("limit", &self.limit)
            .field("allowance", &self.allowance)
            .field("local", &self.local)
            .finish_non_exhaustive()
    }
}

impl RedisLimiter {
    /// The limiter for a client with `key`, using `share` (0 to 1) of the limit.
    ///
    /// # Errors
    ///
    /// A [`BuildError`] for `redis_url` when the URL is not a `redis://` URL, and for
    /// `redis_rate_limit` when the name is empty, too long or not printable ASCII. Neither
    /// quotes the URL.
    pub(crate) fn new(
        config: &RedisRateLimit,
        key: &SecretKey,
        share: f64,
        clock: Arc<dyn Clock>,
    ) -> Result<RedisLimiter, BuildError> {
        let scheme = config.url.split_once("://").map(|(scheme, _)| scheme);
        if !matches!(scheme, Some("redis")) {
            return Err(BuildError::invalid(
                "redis_url",
                "must be a redis:// URL (redis://[[USER]:PASSWORD@]HOST[:PORT][/DB])",
            ));
        }
        let client = redis::Client::open(config.url.as_str()).map_err(|_| {
            BuildError::invalid(
                "redis_url",
                "must be a valid redis:// URL (redis://[[USER]:PASSWORD@]HOST[:PORT][/DB])",
            )
        })?;
        if let Some(name) = &config.name
            && (name.is_empty()
                || name.len() > MAX_NAME_LEN
                || !name.bytes().all(|b| b.is_ascii_graphic()))
        {
            return Err(BuildError::invalid(
                "redis_rate_limit",
                "the budget's name must be 1 to 200 printable ASCII characters without spaces",
            ));
        }
        let (limit, per) = config.limit.unwrap_or_else(|| {
            let clerk = SlidingWindowLimiter::for_key(key);
            (clerk.limit(), clerk.per())
        });
        let allowance = share_of(limit, share);
        let (fallback_limit, fallback_per) = config
            .fallback_rate
            .unwrap_or(((allowance / config.processes).max(1), per));
        let margin = SlidingWindowLimiter::new(limit, per).margin();
        let (starts_key, gate_key) = keys(&budget_id(config.name.as_deref(), key));
        // What `redact_url` hides: the password, or a lone user name.
        let password = around_user_info(&config.url)
            .map(|(_, user_info, _)| {
                user_info
                    .split_once(':')
                    .map_or(user_info, |(_, password)| password)
                    .to_owned()
            })
            .filter(|password| !password.is_empty());
        Ok(RedisLimiter {
            client,
            shown_url: redact_url(&config.url),
            password,
            starts_key,
            gate_key,
            limit,
            allowance,
            window: per.saturating_add(margin),
            lateness: Lateness::default(),
            timeout: config.timeout,
            clock,
            reserve: redis::Script::new(RESERVE),
            hold: redis::Script::new(HOLD),
            started: redis::Script::new(STARTED),
            reserved: Mutex::new(std::collections::VecDeque::with_capacity(REMEMBERED)),
            connection: Mutex::new(None),
            local: SlidingWindowLimiter::new(fallback_limit, fallback_per),
            down: Mutex::new(None),
        })
    }

    /// Whether Redis failed the limiter less than [`RETRY_REDIS_AFTER`] ago.
    fn is_down(&self, now: Duration) -> bool {
        lock(&self.down)
            .as_ref()
            .is_some_and(|down| now < down.retry_at)
    }

    /// Runs `call` on the connection, connecting first if there is none. On failure the
    /// connection is dropped and the limiter is down for a while.
    fn with_redis<T>(
        &self,
        call: impl FnOnce(&mut redis::Connection) -> redis::RedisResult<T>,
    ) -> Option<T> {
        let mut connection = lock(&self.connection);
        let result = match connection.as_mut() {
            Some(connection) => call(connection),
            None => self.connect().and_then(|mut fresh| {
                let result = call(&mut fresh);
                *connection = Some(fresh);
                result
            }),
        };
        match result {
            Ok(value) => {
                *lock(&self.down) = None;
                Some(value)
            }
            Err(err) => {
                *connection = None;
                let reason = self.scrub(&err.to_string());
                *lock(&self.down) = Some(Down {
                    retry_at: self.clock.monotonic().saturating_add(RETRY_REDIS_AFTER),
                    reason,
                });
                None
            }
        }
    }

    fn connect(&self) -> redis::RedisResult<redis::Connection> {
        let connection = self.client.get_connection_with_timeout(self.timeout)?;
        connection.set_read_timeout(Some(self.timeout))?;
        connection.set_write_timeout(Some(self.timeout))?;
        Ok(connection)
    }

    /// `text` without the URL's password.
    fn scrub(&self, text: &str) -> String {
        match &self.password {
            Some(password) => text.replace(password.as_str(), "<redacted>"),
            None => text.to_owned(),
        }
    }
}

impl RateLimiter for RedisLimiter {
    fn reserve(&self, earliest: Duration, latest: Duration) -> Result<Duration, Duration> {
        let now = self.clock.monotonic();
        if self.is_down(now) {
            return self.local.reserve(earliest, latest);
        }
        let answer = self.with_redis(|connection| {
            self.reserve
                .key(&self.starts_key)
                .key(&self.gate_key)
                .arg(self.limit)
                .arg(self.allowance)
                .arg(micros(
                    self.window.saturating_add(self.lateness.extra(self.window)),
                ))
                .arg(micros(earliest.saturating_sub(now)))
                .arg(micros(latest.saturating_sub(now)))
                .invoke::<(i64, i64, i64)>(connection)
        });
        match answer {
            Some((admitted, wait, server_at)) => {
                // The server's wait counts from its own now; counted from the client's now
                // after the answer came, the start can only be later than reserved.
                let wait = Duration::from_micros(u64::try_from(wait).unwrap_or(0));
                let at = self.clock.monotonic().saturating_add(wait).max(earliest);
                if admitted != 1 {
                    return Err(at);
                }
                let mut reserved = lock(&self.reserved);
                if reserved.len() >= REMEMBERED {
                    reserved.pop_front();
                }
                reserved.push_back((at, server_at));
                Ok(at)
            }
            None => self.local.reserve(earliest, latest),
        }
    }

    fn started(&self, reserved: Duration, actual: Duration) {
        let server_at = {
            let mut remembered = lock(&self.reserved);
            let found = remembered.iter().rposition(|(at, _)| *at == reserved);
            found
                .and_then(|i| remembered.remove(i))
                .map(|(_, server_at)| server_at)
        };
        let Some(server_at) = server_at else { return };
        let late = actual.saturating_sub(reserved);
        self.lateness.record(late);
        if late < LATE || self.is_down(actual) {
            return;
        }
        let late = i64::try_from(micros(late)).unwrap_or(i64::MAX);
        self.with_redis(|connection| {
            self.started
                .key(&self.starts_key)
                .arg(server_at)
                .arg(server_at.saturating_add(late))
                .invoke::<i64>(connection)
        });
    }

    fn delayed(&self, by: Duration) {
        self.lateness.record(by);
    }

    fn hold(&self, wait: Duration) {
        if self.is_down(self.clock.monotonic()) {
            return;
        }
        let ms = u64::try_from(wait.as_millis())
            .unwrap_or(u64::MAX)
            .clamp(1, FAR_MICROS);
        self.with_redis(|connection| {
            self.hold
                .key(&self.gate_key)
                .arg(ms)
                .invoke::<i64>(connection)
        });
    }

    fn fallback(&self) -> Option<String> {
        let down = lock(&self.down);
        let down = down.as_ref()?;
        Some(format!(
            "the shared rate limit at {} cannot be used ({}): pacing locally at {} per {:?} \
             until it can",
            self.shown_url,
            down.reason,
            self.local.limit(),
            self.local.per()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;

    fn key(text: &str) -> SecretKey {
        SecretKey::new(text).unwrap()
    }

    #[test]
    fn the_budget_is_named_by_a_digest_of_the_key_and_the_name_is_pinned() {
        // Processes of different versions share one budget only while this stays the same.
        let (starts, gate) = keys(&budget_id(None, &key("sk_test_123")));
        let digest = "7ba88f380e2bd2b3a94f74a0f3cdb2b502fdf251f829ad44cd009de9f632ed96";
        assert_eq!(
            starts,
            format!("clerk-memberships:rate:{{sha256-{digest}}}:starts")
        );
        assert_eq!(
            gate,
            format!("clerk-memberships:rate:{{sha256-{digest}}}:gate")
        );
        assert!(!starts.contains("sk_test_123"));
        let (named, _) = keys(&budget_id(Some("acme-prod"), &key("sk_test_123")));
        assert_eq!(named, "clerk-memberships:rate:{acme-prod}:starts");
    }

    #[test]
    fn passwords_are_redacted_from_urls() {
        for (url, shown) in [
            ("redis://:pw@h:6379/0", "redis://:<redacted>@h:6379/0"),
            ("redis://u:pw@h", "redis://u:<redacted>@h"),
            ("redis://pw@h/1", "redis://<redacted>@h/1"),
            ("redis://h:6379", "redis://h:6379"),
            ("redis://:p@w@h", "redis://:<redacted>@h"),
        ] {
            assert_eq!(redact_url(url), shown, "{url}");
        }
    }

    #[test]
    fn shares_are_rounded_down_and_never_zero() {
        assert_eq!(share_of(100, 0.5), 50);
        assert_eq!(share_of(100, 1.0), 100);
        assert_eq!(share_of(100, 2.0), 100);
        assert_eq!(share_of(100, 0.0), 1);
        assert_eq!(share_of(100, f64::NAN), 100);
        assert_eq!(share_of(1000, 0.333), 333);
    }

    #[test]
    fn urls_that_are_not_redis_urls_are_refused_without_being_quoted() {
        for url in [
            "http://:secret@h",
            "rediss://:secret@h",
            "secret",
            "redis://:secret@",
        ] {
            let err = RedisLimiter::new(
                &RedisRateLimit::new(url),
                &key("sk_test_1"),
                1.0,
                Arc::new(SystemClock),
            )
            .unwrap_err();
            assert_eq!(err.field(), "redis_url", "{url}");
            assert!(!err.to_string().contains("secret"), "{err}");
        }
    }

    #[test]
    fn a_redis_that_never_answers_is_given_up_after_the_timeout() {
        // A server that accepts connections and never answers: without the timeouts the
        // reservation would wait for ever.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("redis://{}", silent.local_addr().unwrap());
        let limiter = RedisLimiter::new(
            &RedisRateLimit::new(url).timeout(Duration::from_millis(50)),
            &key("sk_test_1"),
            1.0,
            Arc::new(SystemClock),
        )
        .unwrap();
        let now = limiter.clock.monotonic();
        assert_eq!(limiter.reserve(now, Duration::MAX), Ok(now));
        let note = limiter.fallback().unwrap();
        assert!(note.contains("pacing locally at 100 per 10s"), "{note}");
        // Meanwhile the local limiter paces, without asking Redis again.
        let later = limiter.clock.monotonic();
        assert_eq!(limiter.reserve(later, Duration::MAX), Ok(later));
        drop(silent);
    }

    #[test]
    fn an_unreachable_redis_falls_back_at_the_share_divided_by_the_processes() {
        // Nothing listens on port 1 of loopback: the connection is refused at once.
        let limiter = RedisLimiter::new(
            &RedisRateLimit::new("redis://:hunter2@127.0.0.1:1").processes(4),
            &key("sk_test_1"),
            0.5,
            Arc::new(SystemClock),
        )
        .unwrap();
        assert_eq!(limiter.fallback(), None, "nothing was tried yet");
        let far = Duration::MAX;
        let now = limiter.clock.monotonic();
        // 100 per 10 s, half of it, over 4 processes: 12 per 10 s.
        for _ in 0..12 {
            assert_eq!(limiter.reserve(now, far), Ok(now));
        }
        let thirteenth = limiter.reserve(now, far).unwrap();
        assert!(
            thirteenth >= now + Duration::from_secs(10),
            "{thirteenth:?}"
        );
        let note = limiter.fallback().unwrap();
        assert!(note.contains("redis://:<redacted>@127.0.0.1:1"), "{note}");
        assert!(note.contains("pacing locally at 12 per 10s"), "{note}");
        assert!(!note.contains("hunter2"), "{note}");
        // Redis's own messages lose the password too, however they quote it.
        assert_eq!(
            limiter.scrub("AUTH hunter2 refused"),
            "AUTH <redacted> refused"
        );
    }
}
