//! Reading `Retry-After` (RFC 9110, section 10.2.3): delay-seconds or an HTTP-date in any of
//! the three formats a recipient must accept.

use std::time::{Duration, SystemTime};

/// The longest wait a `Retry-After` can impose: one hour. A larger value (or a date further
/// ahead) is read as one hour, both for the client's own waiting and for
/// [`Error::retry_after`](crate::Error::retry_after).
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// Reads a `Retry-After` value as a wait, at most [`MAX_RETRY_AFTER`]:
///
/// - delay-seconds (`"3"`): that many seconds;
/// - an HTTP-date, as IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), obsolete RFC 850
///   (`Sunday, 06-Nov-94 08:49:37 GMT`) or asctime (`Sun Nov  6 08:49:37 1994`): the time
///   from `wall_now` until then, zero for a date in the past.
///
/// Anything else is `None`. This is the only wait the wall clock's time decides.
pub(crate) fn parse_retry_after(value: &str, wall_now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // An absurd number of seconds saturates instead of failing.
        Duration::from_secs(value.parse().unwrap_or(u64::MAX))
    } else {
        let at = httpdate::parse_http_date(value).ok()?;
        at.duration_since(wall_now).unwrap_or(Duration::ZERO)
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    /// 1994-11-06 08:49:37 UTC, the RFC's example date.
    const RFC_EXAMPLE: u64 = 784_111_777;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn delay_seconds() {
        let now = SystemTime::now();
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("3600", now), Some(MAX_RETRY_AFTER));
        for bad in ["-1", "1.5", "", "3s", "0x10"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn huge_values_are_capped_at_one_hour() {
        let now = at(RFC_EXAMPLE);
        for huge in [
            "3601",
            "99999999999999999999999",
            "Fri, 31 Dec 9999 23:59:59 GMT",
        ] {
            assert_eq!(
                parse_retry_after(huge, now),
                Some(MAX_RETRY_AFTER),
                "{huge}"
            );
        }
    }

    #[test]
    fn all_three_http_date_formats_are_read() {
        let now = at(RFC_EXAMPLE - 7);
        for date in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(
                parse_retry_after(date, now),
                Some(Duration::from_secs(7)),
                "{date}"
            );
        }
    }

    #[test]
    fn a_date_in_the_past_is_no_wait() {
        let later = at(RFC_EXAMPLE + 30);
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", later),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn leap_days_and_far_dates_are_exact() {
        let now = at(1_709_208_000 - 1);
        assert_eq!(
            parse_retry_after("Thu, 29 Feb 2024 12:00:00 GMT", now),
            Some(Duration::from_secs(1))
        );
    }

    #[test]
    fn malformed_dates_are_not_waits() {
        let now = at(RFC_EXAMPLE);
        for bad in [
            "Sun 06 Nov 1994 08:49:37 GMT extra",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1960 08:49:37 GMT",
            "Sun, 06 Nov 99999999999999 08:49:37 GMT",
            "Sun, 06 Nov 2026 99999999999999999999:49:37 GMT",
            "tomorrow",
            "Sun, 06 Nov 1994 08:49:37 GMT\u{0}",
            "日本",
        ] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad}");
        }
    }
}
