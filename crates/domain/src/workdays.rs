//! Working days in the Netherlands, for the terms of the referral agreements (issue 4:
//! "answer a consultation within 2 working days"). A working day is Monday to Friday and
//! not a public holiday. The holidays are the "algemeen erkende feestdagen" of the
//! Algemene termijnenwet, article 3, first paragraph: Nieuwjaarsdag, tweede Paas- en
//! Pinksterdag, both Christmas days, Hemelvaartsdag, Koningsdag and 5 mei. The second
//! paragraph equates Good Friday only for statutory terms; GP practices, social teams and
//! providers work on Good Friday, so it stays a working day here.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// Easter Sunday of a Gregorian year (the anonymous Gregorian computus).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// The public holidays of a year that fall on a weekday or weekend, with their Dutch
/// names, in date order.
pub fn public_holidays(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let mut out = Vec::new();
    let date = |m: u32, d: u32| NaiveDate::from_ymd_opt(year, m, d);
    if let Some(d) = date(1, 1) {
        out.push((d, "Nieuwjaarsdag"));
    }
    if let Some(easter) = easter_sunday(year) {
        out.push((easter + Duration::days(1), "Tweede Paasdag"));
        out.push((easter + Duration::days(39), "Hemelvaartsdag"));
        out.push((easter + Duration::days(50), "Tweede Pinksterdag"));
    }
    // Koningsdag is 27 April, or the Saturday before when that is a Sunday.
    if let Some(d) = date(4, 27) {
        let kings_day = if d.weekday() == Weekday::Sun {
            d - Duration::days(1)
        } else {
            d
        };
        out.push((kings_day, "Koningsdag"));
    }
    if let Some(d) = date(5, 5) {
        out.push((d, "Bevrijdingsdag"));
    }
    if let Some(d) = date(12, 25) {
        out.push((d, "Eerste Kerstdag"));
    }
    if let Some(d) = date(12, 26) {
        out.push((d, "Tweede Kerstdag"));
    }
    out.sort();
    out
}

/// The holiday's name when `day` is one.
pub fn holiday(day: NaiveDate) -> Option<&'static str> {
    public_holidays(day.year())
        .into_iter()
        .find(|(d, _)| *d == day)
        .map(|(_, name)| name)
}

pub fn is_working_day(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && holiday(day).is_none()
}

/// The day on which a term of `n` working days that starts on `from` ends: the n-th
/// working day after `from` (a request on Friday with 2 working days is due on Tuesday).
/// With `n` = 0, `from` itself when it is a working day, else the next one.
pub fn add_working_days(from: NaiveDate, n: u32) -> NaiveDate {
    let mut day = from;
    if n == 0 {
        while !is_working_day(day) {
            day = day.succ_opt().unwrap_or(day);
        }
        return day;
    }
    let mut left = n;
    while left > 0 {
        match day.succ_opt() {
            Some(next) => day = next,
            None => return day,
        }
        if is_working_day(day) {
            left -= 1;
        }
    }
    day
}

/// Working days after `from` up to and including `to` (0 when `to` is not later).
pub fn working_days_between(from: NaiveDate, to: NaiveDate) -> u32 {
    let mut count = 0;
    let mut day = from;
    while day < to {
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
        if is_working_day(day) {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_falls_where_the_calendar_says() {
        assert_eq!(easter_sunday(2024), Some(d(2024, 3, 31)));
        assert_eq!(easter_sunday(2025), Some(d(2025, 4, 20)));
        assert_eq!(easter_sunday(2026), Some(d(2026, 4, 5)));
        assert_eq!(easter_sunday(2027), Some(d(2027, 3, 28)));
        assert_eq!(easter_sunday(2038), Some(d(2038, 4, 25)));
    }

    #[test]
    fn the_holidays_of_2026() {
        let names: Vec<(NaiveDate, &str)> = public_holidays(2026);
        assert_eq!(
            names,
            vec![
                (d(2026, 1, 1), "Nieuwjaarsdag"),
                (d(2026, 4, 6), "Tweede Paasdag"),
                (d(2026, 4, 27), "Koningsdag"),
                (d(2026, 5, 5), "Bevrijdingsdag"),
                (d(2026, 5, 14), "Hemelvaartsdag"),
                (d(2026, 5, 25), "Tweede Pinksterdag"),
                (d(2026, 12, 25), "Eerste Kerstdag"),
                (d(2026, 12, 26), "Tweede Kerstdag"),
            ]
        );
        // In 2025 the 27th of April was a Sunday: Koningsdag moved to Saturday the 26th.
        assert_eq!(holiday(d(2025, 4, 26)), Some("Koningsdag"));
        assert_eq!(holiday(d(2025, 4, 27)), None);
        // Good Friday is a working day in care (see the module comment).
        assert!(is_working_day(d(2026, 4, 3)));
    }

    #[test]
    fn terms_skip_weekends_and_holidays() {
        // Friday + 2 working days = Tuesday.
        assert_eq!(add_working_days(d(2026, 11, 20), 2), d(2026, 11, 24));
        // Around Easter 2026: Thursday 2 April + 2 = Tuesday 7 April (Good Friday counts,
        // the weekend and Easter Monday do not).
        assert_eq!(add_working_days(d(2026, 4, 2), 2), d(2026, 4, 7));
        // Around Koningsdag 2026 (Monday 27 April): Friday 24 April + 1 = Tuesday 28.
        assert_eq!(add_working_days(d(2026, 4, 24), 1), d(2026, 4, 28));
        // Around Christmas 2026 (Friday 25 and Saturday 26): Thursday 24 December + 2 =
        // Tuesday 29 December.
        assert_eq!(add_working_days(d(2026, 12, 24), 2), d(2026, 12, 29));
        // Across New Year: Thursday 31 December 2026 + 1 skips Nieuwjaarsdag (Friday) and
        // the weekend: Monday 4 January.
        assert_eq!(add_working_days(d(2026, 12, 31), 1), d(2027, 1, 4));
        // Zero days: the same day, or the next working day.
        assert_eq!(add_working_days(d(2026, 11, 25), 0), d(2026, 11, 25));
        assert_eq!(add_working_days(d(2026, 12, 25), 0), d(2026, 12, 28));
    }

    #[test]
    fn counting_working_days_is_the_inverse() {
        for start in [
            d(2026, 4, 2),
            d(2026, 12, 23),
            d(2026, 4, 24),
            d(2026, 11, 20),
        ] {
            for n in 0..15 {
                let due = add_working_days(start, n);
                if n > 0 {
                    assert_eq!(working_days_between(start, due), n, "{start} + {n}");
                }
                assert!(is_working_day(due));
            }
        }
        assert_eq!(working_days_between(d(2026, 5, 1), d(2026, 4, 1)), 0);
    }
}
