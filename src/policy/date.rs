//! Calendar dates for waiver expiry: parsed from `YYYY-MM-DD`, and today's date in UTC.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A calendar date (proleptic Gregorian, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// The date `year-month-day`, checked.
    ///
    /// # Panics
    ///
    /// If the date does not exist: waivers are written in code, so a typo should fail loudly.
    pub const fn ymd(year: i32, month: u8, day: u8) -> Date {
        assert!(month >= 1 && month <= 12, "month must be 1-12");
        assert!(day >= 1 && day <= days_in_month(year, month), "no such day in that month");
        Date { year, month, day }
    }

    /// Today in UTC.
    pub fn today() -> Date {
        let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        Date::from_days(i64::try_from(secs / 86_400).unwrap_or(i64::MAX))
    }

    /// The date `days` days after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: i32::try_from(year).unwrap_or(i32::MAX),
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }
}

const fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::Date;

    #[test]
    fn days_convert_to_dates() {
        assert_eq!(Date::from_days(0), Date::ymd(1970, 1, 1));
        assert_eq!(Date::from_days(20_513), Date::ymd(2026, 3, 1));
        assert_eq!(Date::from_days(11_016), Date::ymd(2000, 2, 29));
        assert!(Date::today() > Date::ymd(2026, 1, 1));
        assert_eq!(Date::ymd(2027, 3, 9).to_string(), "2027-03-09");
    }

    #[test]
    #[should_panic(expected = "no such day")]
    fn impossible_dates_are_rejected() {
        let _ = Date::ymd(2026, 2, 29);
    }
}
