//! Dates and times as Dutch readers expect them, in Dutch local time.

use chrono::{NaiveDate, NaiveDateTime};

/// Today in Dutch local time.
pub fn today() -> NaiveDate {
    to_local(rondom_db::now()).date()
}

/// Today as stored in date columns: yyyy-mm-dd.
pub fn today_iso() -> String {
    today().format("%Y-%m-%d").to_string()
}

/// Central European time with the EU summer-time rule (last Sunday of March to last
/// Sunday of October, 01:00 UTC), so no time-zone database is needed for the one zone
/// this product serves.
pub fn to_local(utc: NaiveDateTime) -> NaiveDateTime {
    use chrono::{Datelike, Duration, NaiveDate, Weekday};
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
    to_local(utc).format("%d-%m-%Y %H:%M").to_string()
}

pub fn datetime_seconds(utc: NaiveDateTime) -> String {
    to_local(utc).format("%d-%m-%Y %H:%M:%S").to_string()
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

/// 2026-03-01 as 01-03-2026; anything else as it came.
pub fn iso_to_dutch(iso: &str) -> String {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(|d| d.format("%d-%m-%Y").to_string())
        .unwrap_or_else(|_| iso.to_owned())
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
