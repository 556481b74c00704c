//! A consultant's hours in a practice: recurring weekly slots with exceptions (holidays,
//! a cancelled morning). Answers the GP's question "when is she here next?".

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike};

/// A weekly slot: ISO weekday (1 = Monday … 7 = Sunday) and minutes after midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklySlot {
    pub weekday: u8,
    pub start_minute: u16,
    pub end_minute: u16,
}

impl WeeklySlot {
    /// The stored slots (weekday, start minute, end minute) that are slots; a stored
    /// value out of range (a negative minute, day 9) is left out, never wrapped around.
    pub fn all_stored(slots: &[(i32, i32, i32)]) -> Vec<Self> {
        slots
            .iter()
            .filter_map(|(d, s, e)| {
                Self::new(
                    u8::try_from(*d).ok()?,
                    u16::try_from(*s).ok()?,
                    u16::try_from(*e).ok()?,
                )
                .ok()
            })
            .collect()
    }

    /// Checks the values an admin typed.
    pub fn new(
        weekday: u8,
        start_minute: u16,
        end_minute: u16,
    ) -> Result<Self, crate::validate::ValidationError> {
        if !(1..=7).contains(&weekday) {
            return Err(crate::validate::ValidationError::new(
                "weekday",
                "Kies een dag van de week.",
            ));
        }
        if end_minute <= start_minute || end_minute > 24 * 60 {
            return Err(crate::validate::ValidationError::new(
                "end",
                "De eindtijd moet na de begintijd liggen, op dezelfde dag.",
            ));
        }
        Ok(Self {
            weekday,
            start_minute,
            end_minute,
        })
    }
}

/// One concrete occurrence of a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub date: NaiveDate,
    pub start_minute: u16,
    pub end_minute: u16,
}

impl Occurrence {
    /// "dinsdag 24 november, 09:00–12:00"
    pub fn label(&self) -> String {
        format!(
            "{} {} {}, {}–{}",
            weekday_name(self.date.weekday().number_from_monday() as u8),
            self.date.day(),
            month_name(self.date.month()),
            clock(self.start_minute),
            clock(self.end_minute)
        )
    }

    /// True while the slot is going on at `now` (local time).
    pub fn is_now(&self, now: NaiveDateTime) -> bool {
        let m = (now.hour() * 60 + now.minute()) as u16;
        now.date() == self.date && self.start_minute <= m && m < self.end_minute
    }
}

/// The next `n` occurrences from `now` (local time), skipping exception dates. A slot that
/// is still going on today counts.
pub fn next_occurrences(
    slots: &[WeeklySlot],
    exceptions: &[NaiveDate],
    now: NaiveDateTime,
    n: usize,
) -> Vec<Occurrence> {
    let mut out = Vec::new();
    if slots.is_empty() {
        return out;
    }
    let now_minute = (now.hour() * 60 + now.minute()) as u16;
    // Eight weeks is enough to see past the longest school holiday.
    for offset in 0..56 {
        let date = now.date() + Duration::days(offset);
        if exceptions.contains(&date) {
            continue;
        }
        let wd = date.weekday().number_from_monday() as u8;
        let mut today: Vec<&WeeklySlot> = slots
            .iter()
            .filter(|s| s.weekday == wd && (offset > 0 || s.end_minute > now_minute))
            .collect();
        today.sort_by_key(|s| s.start_minute);
        for s in today {
            out.push(Occurrence {
                date,
                start_minute: s.start_minute,
                end_minute: s.end_minute,
            });
            if out.len() == n {
                return out;
            }
        }
    }
    out
}

pub fn weekday_name(iso: u8) -> &'static str {
    match iso {
        1 => "maandag",
        2 => "dinsdag",
        3 => "woensdag",
        4 => "donderdag",
        5 => "vrijdag",
        6 => "zaterdag",
        _ => "zondag",
    }
}

/// The Dutch month names, January first.
pub const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// "december" for 12; empty outside 1..=12.
pub fn month_name(m: u32) -> &'static str {
    (m as usize)
        .checked_sub(1)
        .and_then(|i| MONTHS.get(i))
        .copied()
        .unwrap_or("")
}

pub fn clock(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

impl WeeklySlot {
    /// "dinsdag 09:00-12:00": the form in which admins type and read slots.
    pub fn line(&self) -> String {
        format!(
            "{} {}-{}",
            weekday_name(self.weekday),
            clock(self.start_minute),
            clock(self.end_minute)
        )
    }

    /// Reads `line`'s form; also "di 9:00 – 12:00" and "dinsdag 9-12".
    pub fn parse_line(input: &str) -> Result<Self, String> {
        let t = input.trim().to_lowercase().replace(['–', '—'], "-");
        let (day, times) = t
            .split_once(char::is_whitespace)
            .ok_or_else(|| "schrijf een dag en tijden, zoals ‘dinsdag 09:00-12:00’".to_owned())?;
        let weekday = (1..=7u8)
            .find(|d| {
                let name = weekday_name(*d);
                day == name || (day.len() >= 2 && name.starts_with(day))
            })
            .ok_or_else(|| format!("‘{day}’ is geen dag van de week"))?;
        let (a, b) = times
            .split_once('-')
            .ok_or_else(|| "schrijf de tijden als 09:00-12:00".to_owned())?;
        let minute = |s: &str| -> Option<u16> {
            let s = s.trim();
            let (h, m) = s.split_once(':').unwrap_or((s, "0"));
            let (h, m): (u16, u16) = (h.trim().parse().ok()?, m.trim().parse().ok()?);
            (h <= 24 && m < 60).then(|| h * 60 + m)
        };
        let (start, end) = match (minute(a), minute(b)) {
            (Some(s), Some(e)) => (s, e),
            _ => return Err("schrijf de tijden als 09:00-12:00".into()),
        };
        Self::new(weekday, start, end).map_err(|e| e.message.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_slots_out_of_range_are_left_out_not_wrapped() {
        let slots = WeeklySlot::all_stored(&[
            (1, 540, 720),
            (2, -60, 600),
            (265, 540, 720),
            (3, 600, 540),
            (4, 780, 960),
        ]);
        let days: Vec<u8> = slots.iter().map(|s| s.weekday).collect();
        assert_eq!(days, vec![1, 4], "only the two real slots, in their order");
    }

    #[test]
    fn slots_are_typed_and_read_as_lines() {
        let s = WeeklySlot::parse_line("dinsdag 09:00-12:00").unwrap();
        assert_eq!((s.weekday, s.start_minute, s.end_minute), (2, 540, 720));
        assert_eq!(s.line(), "dinsdag 09:00-12:00");
        assert_eq!(
            WeeklySlot::parse_line("do 13:30 – 16:00").unwrap().line(),
            "donderdag 13:30-16:00"
        );
        assert_eq!(
            WeeklySlot::parse_line("Vrijdag 9-12").unwrap().line(),
            "vrijdag 09:00-12:00"
        );
        for bad in [
            "dinsdag 2000-2100",
            "dinsdag",
            "feestdag 09:00-12:00",
            "dinsdag 12:00-09:00",
            "dinsdag 9:75-10:00",
            "z 9-10",
        ] {
            assert!(WeeklySlot::parse_line(bad).is_err(), "{bad}");
        }
    }

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .unwrap_or_default()
    }

    #[test]
    fn next_hours_skip_past_slots_and_exceptions() {
        // Tuesday morning and Thursday afternoon.
        let slots = [
            WeeklySlot::new(2, 9 * 60, 12 * 60).unwrap(),
            WeeklySlot::new(4, 13 * 60, 16 * 60).unwrap(),
        ];
        // Tuesday 24 November 2026, 10:30: this morning's slot is still on.
        let now = at(2026, 11, 24, 10, 30);
        let next = next_occurrences(&slots, &[], now, 3);
        assert_eq!(next[0].label(), "dinsdag 24 november, 09:00–12:00");
        assert!(next[0].is_now(now));
        assert_eq!(next[1].label(), "donderdag 26 november, 13:00–16:00");
        assert_eq!(next[2].label(), "dinsdag 1 december, 09:00–12:00");
        // After noon the morning is over; Thursday is a holiday.
        let later = at(2026, 11, 24, 12, 0);
        let thursday = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let next = next_occurrences(&slots, &[thursday], later, 1);
        assert_eq!(next[0].label(), "dinsdag 1 december, 09:00–12:00");
        assert!(next_occurrences(&[], &[], now, 3).is_empty());
    }

    #[test]
    fn slots_are_validated() {
        assert!(WeeklySlot::new(0, 60, 120).is_err());
        assert!(WeeklySlot::new(8, 60, 120).is_err());
        assert!(WeeklySlot::new(1, 120, 60).is_err());
        assert!(WeeklySlot::new(1, 120, 24 * 60 + 1).is_err());
        assert_eq!(clock(9 * 60 + 5), "09:05");
    }
}
