//! Times and durations as the CLI prints them, without a date-time dependency.

use std::time::Duration;

/// A Clerk timestamp (milliseconds since the Unix epoch) as RFC 3339 in UTC, with
/// milliseconds: `2024-05-01T12:00:00.000Z`. Out-of-range values are printed as the number.
pub fn timestamp(millis: i64) -> String {
    let days = millis.div_euclid(86_400_000);
    let in_day = millis.rem_euclid(86_400_000);
    let Some((year, month, day)) = civil_from_days(days) else {
        return millis.to_string();
    };
    let (hours, rest) = (in_day / 3_600_000, in_day % 3_600_000);
    let (minutes, rest) = (rest / 60_000, rest % 60_000);
    let (seconds, ms) = (rest / 1000, rest % 1000);
    format!("{year:04}-{month:02}-{day:02}T{hours:02}:{minutes:02}:{seconds:02}.{ms:03}Z")
}

/// Year, month and day of a day count from 1970-01-01 (proleptic Gregorian calendar), for
/// years 0 to 9999.
fn civil_from_days(days: i64) -> Option<(i64, i64, i64)> {
    // Days from 0000-03-01, so leap days fall at the end of each 400-year era.
    let z = days.checked_add(719_468)?;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (0..=9999).contains(&year).then_some((year, month, day))
}

/// A wait as people read it: `250ms`, `1.5s`, `2m05s`.
pub fn duration(wait: Duration) -> String {
    let millis = wait.as_millis();
    if millis < 1000 {
        format!("{millis}ms")
    } else if millis < 60_000 {
        format!("{:.1}s", wait.as_secs_f64())
    } else {
        format!("{}m{:02}s", millis / 60_000, (millis / 1000) % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc_with_milliseconds() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(timestamp(1_714_564_800_123), "2024-05-01T12:00:00.123Z");
        assert_eq!(timestamp(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(timestamp(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(timestamp(253_402_300_799_999), "9999-12-31T23:59:59.999Z");
        assert_eq!(timestamp(i64::MAX), i64::MAX.to_string());
        assert_eq!(timestamp(i64::MIN), i64::MIN.to_string());
    }

    #[test]
    fn durations_read_at_a_glance() {
        assert_eq!(duration(Duration::from_millis(250)), "250ms");
        assert_eq!(duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(duration(Duration::from_secs(125)), "2m05s");
    }
}
