//! The figures' time axis: whole months, read as yyyymm, grouped into quarters.

use chrono::{Datelike, NaiveDate};

/// From the first day of `from` to the last day of `until` (both yyyymm).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: i32,
    pub until: i32,
}

fn first_day(month: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(month / 100, u32::try_from(month % 100).ok()?, 1)
}

impl Period {
    /// A period from "2025-K1" / "2025-03" / "2025" style text, or None.
    pub fn parse(from: &str, until: &str) -> Option<Self> {
        let from = parse_month(from, false)?;
        let until = parse_month(until, true)?;
        (from <= until).then_some(Self { from, until })
    }

    /// The quarter holding `day`.
    pub fn quarter_of(day: NaiveDate) -> Self {
        let q = (day.month0() / 3) as i32;
        let from = day.year() * 100 + q * 3 + 1;
        Self {
            from,
            until: from + 2,
        }
    }

    /// The last four whole quarters before `today`'s quarter.
    pub fn last_year(today: NaiveDate) -> Self {
        let this = Self::quarter_of(today);
        let until = shift(this.from, -1);
        Self {
            from: shift(this.from, -12),
            until,
        }
    }

    pub fn start(&self) -> NaiveDate {
        first_day(self.from).unwrap_or(NaiveDate::MIN)
    }

    pub fn end(&self) -> NaiveDate {
        first_day(shift(self.until, 1))
            .and_then(|d| d.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        day >= self.start() && day <= self.end()
    }

    pub fn contains_month(&self, month: i32) -> bool {
        month >= self.from && month <= self.until
    }

    /// The quarters (or parts of them) the period spans, oldest first.
    pub fn quarters(&self) -> Vec<(String, Period)> {
        let mut out = Vec::new();
        let mut m = self.from;
        while m <= self.until && out.len() < 400 {
            let q = ((m % 100 - 1) / 3) + 1;
            let q_end = (m / 100) * 100 + q * 3;
            let until = q_end.min(self.until);
            out.push((format!("{} K{q}", m / 100), Period { from: m, until }));
            m = shift(q_end, 1);
        }
        out
    }

    /// The months of the period, oldest first.
    pub fn months(&self) -> Vec<(String, Period)> {
        let mut out = Vec::new();
        let mut m = self.from;
        while m <= self.until && out.len() < 1200 {
            out.push((
                format!("{}-{:02}", m / 100, m % 100),
                Period { from: m, until: m },
            ));
            m = shift(m, 1);
        }
        out
    }

    /// "2025 K1" for a whole quarter, "jan 2025 – jun 2025" otherwise.
    pub fn label(&self) -> String {
        let q = self.quarters();
        if q.len() == 1 && q[0].1.until - q[0].1.from == 2 && (self.from % 100 - 1) % 3 == 0 {
            return q[0].0.clone();
        }
        format!("{} – {}", month_label(self.from), month_label(self.until))
    }

    /// The years the period touches (list sizes and budgets are per year).
    pub fn years(&self) -> Vec<i32> {
        (self.from / 100..=self.until / 100).collect()
    }

    /// Months in the period.
    pub fn month_count(&self) -> i32 {
        (self.until / 100 - self.from / 100) * 12 + (self.until % 100 - self.from % 100) + 1
    }

    /// The form's text for `from` and `until`: "2025-01".
    pub fn from_text(&self) -> String {
        format!("{}-{:02}", self.from / 100, self.from % 100)
    }

    pub fn until_text(&self) -> String {
        format!("{}-{:02}", self.until / 100, self.until % 100)
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
];

fn month_label(m: i32) -> String {
    let name = usize::try_from(m % 100 - 1)
        .ok()
        .and_then(|i| MONTHS.get(i))
        .copied()
        .unwrap_or("?");
    format!("{name} {}", m / 100)
}

/// `m` moved by `by` months.
pub fn shift(m: i32, by: i32) -> i32 {
    let idx = (m / 100) * 12 + (m % 100 - 1) + by;
    (idx / 12) * 100 + idx % 12 + 1
}

/// "2025-03" → 202503; "2025-K2" → 202504 (start) or 202506 (end); "2025" → 202501 or
/// 202512.
fn parse_month(s: &str, end: bool) -> Option<i32> {
    let s = s.trim();
    let (y, rest) = s.split_once('-').unwrap_or((s, ""));
    let year: i32 = y.parse().ok()?;
    if !(2000..=2100).contains(&year) {
        return None;
    }
    let rest = rest.trim().to_ascii_uppercase();
    let month = if rest.is_empty() {
        if end { 12 } else { 1 }
    } else if let Some(q) = rest.strip_prefix('K').or_else(|| rest.strip_prefix('Q')) {
        let q: i32 = q.parse().ok()?;
        if !(1..=4).contains(&q) {
            return None;
        }
        if end { q * 3 } else { q * 3 - 2 }
    } else {
        let m: i32 = rest.parse().ok()?;
        if !(1..=12).contains(&m) {
            return None;
        }
        m
    };
    Some(year * 100 + month)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_read_months_quarters_and_years() {
        let p = Period::parse("2025-K2", "2025-K3").unwrap();
        assert_eq!((p.from, p.until), (202504, 202509));
        assert_eq!(p.quarters().len(), 2);
        assert_eq!(p.end(), NaiveDate::from_ymd_opt(2025, 9, 30).unwrap());
        let y = Period::parse("2024", "2024").unwrap();
        assert_eq!((y.from, y.until), (202401, 202412));
        assert_eq!(y.month_count(), 12);
        assert!(Period::parse("2025-13", "2025-12").is_none());
        assert!(Period::parse("2025-06", "2025-01").is_none());
        assert_eq!(
            Period::parse("2025-K1", "2025-K1").unwrap().label(),
            "2025 K1"
        );
        assert_eq!(shift(202501, -1), 202412);
        assert_eq!(shift(202412, 1), 202501);
        let last = Period::last_year(NaiveDate::from_ymd_opt(2026, 12, 5).unwrap());
        assert_eq!((last.from, last.until), (202510, 202609));
    }
}
