//! A consultant's hours in a practice as typed: weekly slots and absences, one per line.

use super::links::Hours;
use super::rows::TeamLink;
use rondom_domain::hours::WeeklySlot;
use rondom_domain::validate::ValidationError;
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct HoursForm {
    pub uren: String,
    pub afwezig: String,
}

impl HoursForm {
    pub fn from_link(l: &TeamLink) -> Self {
        Self {
            uren: WeeklySlot::all_stored(&l.slots)
                .into_iter()
                .map(|s| s.line())
                .collect::<Vec<_>>()
                .join("\n"),
            afwezig: l
                .exceptions
                .iter()
                .map(|(d, r)| match r {
                    Some(r) => format!("{d} {r}"),
                    None => d.to_string(),
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// Weekly slots and absences from `today` on; problems name their line.
    pub fn parse(&self, today: chrono::NaiveDate) -> Result<Hours, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut slots = Vec::new();
        for (i, line) in self
            .uren
            .lines()
            .map(str::trim)
            .enumerate()
            .filter(|(_, l)| !l.is_empty())
        {
            match WeeklySlot::parse_line(line) {
                Ok(s) => slots.push((
                    i32::from(s.weekday),
                    i32::from(s.start_minute),
                    i32::from(s.end_minute),
                )),
                Err(e) => errors.push(ValidationError::new(
                    "uren",
                    format!("Regel {}: {e}.", i + 1),
                )),
            }
        }
        let mut absences = Vec::new();
        for (i, line) in self
            .afwezig
            .lines()
            .map(str::trim)
            .enumerate()
            .filter(|(_, l)| !l.is_empty())
        {
            let (day, reason) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            match chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d") {
                Ok(d) if d >= today => {
                    let reason = reason.trim();
                    absences.push((d, (!reason.is_empty()).then(|| reason.chars().take(100).collect())));
                }
                Ok(_) => errors.push(ValidationError::new("afwezig", format!("Regel {}: die datum is voorbij.", i + 1))),
                Err(_) => errors.push(ValidationError::new("afwezig", format!("Regel {}: begin met een datum als 2026-12-24, eventueel gevolgd door de reden.", i + 1))),
            }
        }
        if errors.is_empty() {
            Ok((slots, absences))
        } else {
            Err(errors)
        }
    }
}
