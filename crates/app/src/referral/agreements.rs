//! The verwijskader that applies to a referral: the municipality's version in force on
//! the day it was sent, or the defaults while the municipality has set none.

use crate::dates;
use rondom_db::referrals::{self as db, Referral};
use rondom_db::{AnyConnection, DbError};
use rondom_domain::agreements::Agreements;
use rondom_domain::workdays;

/// The agreements that apply, and where they come from.
#[derive(Debug, Clone)]
pub struct InForce {
    /// The stored version; None while the municipality has set none (defaults apply).
    pub id: Option<String>,
    pub gemeente_code: String,
    /// yyyy-mm-dd the version took effect.
    pub effective_from: Option<String>,
    pub rules: Agreements,
}

impl InForce {
    pub fn from_row(row: db::AgreementsRow) -> Self {
        Self {
            rules: Agreements::from_stored(
                row.consultation_days,
                row.accept_days,
                row.urgent_accept_days,
                &row.feedback_days,
                &row.team_first_areas,
                &row.team_first_urgencies,
                &row.inform,
            ),
            id: Some(row.id),
            gemeente_code: row.gemeente_code,
            effective_from: Some(row.effective_from),
        }
    }

    fn defaults(gemeente_code: &str) -> Self {
        Self {
            id: None,
            gemeente_code: gemeente_code.to_owned(),
            effective_from: None,
            rules: Agreements::default(),
        }
    }

    /// "20, 60" for the page.
    pub fn feedback_days_text(&self) -> String {
        self.rules
            .feedback_days
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(" en ")
    }

    /// "Verwijskader GM9999, geldig vanaf 01-01-2026" or the defaults.
    pub fn describe(&self) -> String {
        match &self.effective_from {
            Some(d) => format!(
                "Verwijskader {}, geldig vanaf {}",
                self.gemeente_code,
                dates::iso_to_dutch(d)
            ),
            None => format!(
                "Standaardafspraken (gemeente {} heeft nog geen verwijskader vastgelegd)",
                self.gemeente_code
            ),
        }
    }
}

/// The agreements of a municipality in force on `day`.
pub fn in_force(
    conn: &mut AnyConnection,
    gemeente_code: &str,
    day: &str,
) -> Result<InForce, DbError> {
    Ok(match db::agreements_in_force(conn, gemeente_code, day)? {
        Some(row) => InForce::from_row(row),
        None => InForce::defaults(gemeente_code),
    })
}

/// The agreements a referral was made under.
pub fn applied_to(conn: &mut AnyConnection, r: &Referral) -> Result<InForce, DbError> {
    let gemeente = db::child(conn, &r.child_id)?
        .map(|c| c.gemeente_code)
        .unwrap_or_default();
    Ok(match &r.agreements_id {
        Some(id) => db::agreements(conn, id)?
            .map(InForce::from_row)
            .unwrap_or_else(|| InForce::defaults(&gemeente)),
        None => InForce::defaults(&gemeente),
    })
}

/// The first interim feedback moment after `after`, counted from acceptance.
pub fn next_feedback_moment(
    rules: &Agreements,
    accepted: chrono::NaiveDate,
    after: chrono::NaiveDate,
) -> Option<chrono::NaiveDate> {
    rules
        .feedback_days
        .iter()
        .map(|d| workdays::add_working_days(accepted, *d))
        .find(|d| *d > after)
}
