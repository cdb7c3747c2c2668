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
        let at = match rfc850_as_imf_fixdate(value, wall_now) {
            Some(fixdate) => httpdate::parse_http_date(&fixdate).ok()?,
            None => httpdate::parse_http_date(value).ok()?,
        };
        at.duration_since(wall_now).unwrap_or(Duration::ZERO)
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// An obsolete RFC 850 date (`Sunday, 06-Nov-94 08:49:37 GMT`) rewritten as IMF-fixdate with
/// its two-digit year read by RFC 9110's rule (section 5.6.7): a year that would be more than
/// 50 years after `wall_now` is the most recent past year with the same last two digits.
/// (`httpdate` reads `00`–`69` as 20xx and `70`–`99` as 19xx, which RFC 9110 does not allow.)
/// `None` for anything not shaped like an RFC 850 date, which is left to `httpdate`.
/// The comparison is by calendar year.
fn rfc850_as_imf_fixdate(value: &str, wall_now: SystemTime) -> Option<String> {
    const WEEKDAYS: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    let (weekday, rest) = value.split_once(", ")?;
    if !WEEKDAYS.contains(&weekday) {
        return None;
    }
    // `06-Nov-94 08:49:37 GMT`: day, month and year, then the time as IMF-fixdate has it.
    let (date, time) = rest.split_once(' ')?;
    let mut parts = date.split('-');
    let (day, month, yy) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || yy.len() != 2 || !yy.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let yy: i64 = yy.parse().ok()?;
    // IMF-fixdate of now: `Sun, 06 Nov 1994 08:49:37 GMT`, the year at bytes 12..16.
    let now_year: i64 = httpdate::fmt_http_date(wall_now)
        .get(12..16)?
        .parse()
        .ok()?;
    let mut year = now_year - now_year.rem_euclid(100) + yy;
    if year > now_year + 50 {
        year -= 100;
    } else if year + 100 <= now_year + 50 {
        year += 100;
    }
    let short_weekday = weekday.get(..3)?;
    Some(format!("{short_weekday}, {day} {month} {year} {time}"))
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
    fn rfc850_two_digit_years_follow_rfc_9110_not_a_fixed_pivot() {
        // 2075-01-01 00:00:00 UTC, a Tuesday: `75` is 2075 seen from 2074, never 1975.
        let new_year_2075 = 3_313_526_400;
        assert_eq!(
            parse_retry_after("Tuesday, 01-Jan-75 00:00:00 GMT", at(new_year_2075 - 7)),
            Some(Duration::from_secs(7))
        );
        // 2105-01-01, a Thursday: `05` seen from 2104 is 2105, not 2005.
        assert_eq!(
            parse_retry_after("Thursday, 01-Jan-05 00:00:00 GMT", at(4_260_211_200 - 9)),
            Some(Duration::from_secs(9))
        );
        // More than 50 years ahead is the past century: `94` seen from 2026 is 1994.
        let in_2026 = 1_780_000_000;
        assert_eq!(
            parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", at(in_2026)),
            Some(Duration::ZERO)
        );
        // A weekday that does not fit the year so read is not a date.
        assert_eq!(
            parse_retry_after("Monday, 01-Jan-75 00:00:00 GMT", at(new_year_2075 - 7)),
            None
        );
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
