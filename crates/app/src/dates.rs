//! Dates and times as Dutch readers expect them, in Dutch local time. Pure functions
//! but for `today`, which reads the clock; the use cases count terms with them and the
//! pages write them.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

/// The moment as stored: UTC, without a zone.
pub use rondom_db::now;

/// Today in Dutch local time.
pub fn today() -> NaiveDate {
    to_local(rondom_db::now()).date()
}

/// Today as stored in date columns: yyyy-mm-dd.
pub fn today_iso() -> String {
    iso_date(today())
}

// Dates are written and read by hand below: chrono's `format` and `parse_from_str`
// interpret their pattern on every call, which was a visible share of a list page's
// time (a few dates per row).

/// yyyy-mm-dd, as stored in date columns.
pub fn iso_date(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// dd-mm-yyyy, as Dutch readers write a date.
pub fn dutch_date(d: NaiveDate) -> String {
    format!("{:02}-{:02}-{:04}", d.day(), d.month(), d.year())
}

/// "4 december 2026", as a sentence says it.
pub fn long_date(d: NaiveDate) -> String {
    let month = rondom_domain::hours::month_name(d.month());
    format!("{} {month} {}", d.day(), d.year())
}

/// A yyyy-mm-dd date exactly (no spaces, four-digit year).
pub fn parse_iso(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    NaiveDate::from_ymd_opt(i32::try_from(num(0..4)?).ok()?, num(5..7)?, num(8..10)?)
}

/// Central European time with the EU summer-time rule (last Sunday of March to last
/// Sunday of October, 01:00 UTC), so no time-zone database is needed for the one zone
/// this product serves.
pub fn to_local(utc: NaiveDateTime) -> NaiveDateTime {
    use chrono::{Duration, Weekday};
    let year = utc.year();
    let last_sunday = |month: u32| {
        let first_next = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)
        };
        first_next.map(|d| {
            let mut d = d - Duration::days(1);
            while d.weekday() != Weekday::Sun {
                d -= Duration::days(1);
            }
            d.and_hms_opt(1, 0, 0).unwrap_or_default()
        })
    };
    let summer = match (last_sunday(3), last_sunday(10)) {
        (Some(start), Some(end)) => utc >= start && utc < end,
        _ => false,
    };
    utc + Duration::hours(if summer { 2 } else { 1 })
}

pub fn datetime(utc: NaiveDateTime) -> String {
    let t = to_local(utc);
    format!("{} {:02}:{:02}", dutch_date(t.date()), t.hour(), t.minute())
}

pub fn datetime_seconds(utc: NaiveDateTime) -> String {
    let t = to_local(utc);
    format!(
        "{} {:02}:{:02}:{:02}",
        dutch_date(t.date()),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// The UTC moment of a local (Europe/Amsterdam) time.
pub fn to_utc(local: NaiveDateTime) -> NaiveDateTime {
    let offset = to_local(local) - local;
    local - offset
}

/// Parses a local `yyyy-mm-dd` date from a filter field into the UTC start of that day.
pub fn local_date_start(s: &str) -> Option<NaiveDateTime> {
    let d = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (1900..=2200).contains(&chrono::Datelike::year(d)))?;
    let local = d.and_hms_opt(0, 0, 0)?;
    // Convert back by subtracting the offset valid at that moment.
    let offset = to_local(local) - local;
    Some(local - offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn utc(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, 0, 0))
            .unwrap_or_default()
    }

    #[test]
    fn a_sentence_names_the_month() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        assert_eq!(long_date(d(2026, 12, 1)), "1 december 2026");
        assert_eq!(long_date(d(2027, 3, 14)), "14 maart 2027");
        assert_eq!(long_date(d(2026, 1, 31)), "31 januari 2026");
    }

    #[test]
    fn dates_are_written_and_read_as_chrono_would() {
        let mut d = NaiveDate::from_ymd_opt(1999, 12, 25).unwrap_or_default();
        for _ in 0..800 {
            assert_eq!(iso_date(d), d.format("%Y-%m-%d").to_string());
            assert_eq!(dutch_date(d), d.format("%d-%m-%Y").to_string());
            assert_eq!(parse_iso(&iso_date(d)), Some(d));
            d += chrono::Duration::days(3);
        }
        for bad in [
            "2026-02-30",
            "2026-2-03",
            " 2026-02-03",
            "2026/02/03",
            "+202-02-03",
            "20260203",
            "",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn winter_and_summer_time() {
        assert_eq!(datetime(utc(2026, 1, 15, 12)), "15-01-2026 13:00");
        assert_eq!(datetime(utc(2026, 7, 15, 12)), "15-07-2026 14:00");
        // 2026-03-29 is the last Sunday of March: the switch is at 01:00 UTC.
        assert_eq!(datetime(utc(2026, 3, 29, 0)), "29-03-2026 01:00");
        assert_eq!(datetime(utc(2026, 3, 29, 1)), "29-03-2026 03:00");
    }

    #[test]
    fn filter_dates_start_at_local_midnight() {
        assert_eq!(local_date_start("2026-01-15"), Some(utc(2026, 1, 14, 23)));
        assert_eq!(local_date_start("2026-07-15"), Some(utc(2026, 7, 14, 22)));
        assert_eq!(local_date_start("15-07-2026"), None);
        assert_eq!(
            local_date_start("-262143-01-01"),
            None,
            "far-off years would overflow"
        );
    }
}
