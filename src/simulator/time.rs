//! Dates as Twilio writes them: RFC 2822 in UTC (`Sat, 21 Nov 2026 19:00:00 +0000`), in
//! callbacks (`Timestamp`) and REST bodies (`date_created`). Computed from the time the engine is
//! given, never from the clock, so the engine stays deterministic.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// Whole seconds since the Unix epoch (times before it count as the epoch).
pub fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Whole seconds from `earlier` to `later`, 0 if `later` is not later.
pub fn secs_between(earlier: SystemTime, later: SystemTime) -> u64 {
    later.duration_since(earlier).unwrap_or(Duration::ZERO).as_secs()
}

/// `Sat, 21 Nov 2026 19:00:00 +0000`.
pub fn rfc2822(t: SystemTime) -> String {
    let secs = unix_secs(t);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    // 1 January 1970 was a Thursday.
    let weekday = DAYS[((days + 4) % 7) as usize];
    format!("{weekday}, {day:02} {} {year} {:02}:{:02}:{:02} +0000", MONTHS[(month - 1) as usize], rem / 3600, rem % 3600 / 60, rem % 60)
}

/// Days since 1970-01-01 to (year, month 1-12, day 1-31): Howard Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn dates_are_written_like_twilio_writes_them() {
        assert_eq!(rfc2822(at(0)), "Thu, 01 Jan 1970 00:00:00 +0000");
        // 2026-11-21 19:00:00 UTC
        assert_eq!(rfc2822(at(1_795_287_600)), "Sat, 21 Nov 2026 19:00:00 +0000");
        // A leap day, and the example from Twilio's REST docs.
        assert_eq!(rfc2822(at(1_709_208_000)), "Thu, 29 Feb 2024 12:00:00 +0000");
        assert_eq!(rfc2822(at(1_283_286_988)), "Tue, 31 Aug 2010 20:36:28 +0000");
    }

    #[test]
    fn durations_never_go_negative() {
        assert_eq!(secs_between(at(10), at(25)), 15);
        assert_eq!(secs_between(at(25), at(10)), 0);
    }
}
