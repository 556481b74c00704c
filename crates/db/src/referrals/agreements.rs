//! The municipalities' referral agreements (verwijskader): versions from a date, never
//! rewritten.

use crate::schema::referral_agreements;
use crate::{AnyConnection, DbError, new_id, now};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use rondom_domain::agreements::Agreements;
use rondom_domain::ids::{AgreementsId, UserId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = referral_agreements)]
pub struct AgreementsRow {
    pub id: AgreementsId,
    pub gemeente_code: String,
    pub effective_from: NaiveDate,
    pub consultation_days: i32,
    pub accept_days: i32,
    pub urgent_accept_days: i32,
    pub feedback_days: String,
    pub team_first_areas: String,
    pub team_first_urgencies: String,
    pub inform: String,
    pub note: Option<String>,
    pub created_by: UserId,
    pub created_at: NaiveDateTime,
}

/// Who stores a version of the agreements, for which municipality, from which day.
pub struct NewAgreements<'a> {
    pub gemeente_code: &'a str,
    pub effective_from: NaiveDate,
    pub rules: &'a Agreements,
    pub note: Option<&'a str>,
    pub created_by: &'a str,
}

/// Stores a new version. A second version for the same day is refused (`Conflict`):
/// versions are never rewritten, so what applied to a referral stays readable.
pub fn insert_agreements(
    conn: &mut AnyConnection,
    a: &NewAgreements<'_>,
) -> Result<String, DbError> {
    let taken: i64 = referral_agreements::table
        .filter(referral_agreements::gemeente_code.eq(a.gemeente_code))
        .filter(referral_agreements::effective_from.eq(a.effective_from))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(DbError::Conflict("agreements for this day exist".into()));
    }
    let id = new_id();
    diesel::insert_into(referral_agreements::table)
        .values((
            referral_agreements::id.eq(&id),
            referral_agreements::gemeente_code.eq(a.gemeente_code),
            referral_agreements::effective_from.eq(a.effective_from),
            referral_agreements::consultation_days.eq(a.rules.consultation_days as i32),
            referral_agreements::accept_days.eq(a.rules.accept_days as i32),
            referral_agreements::urgent_accept_days.eq(a.rules.urgent_accept_days as i32),
            referral_agreements::feedback_days.eq(a.rules.feedback_days_code()),
            referral_agreements::team_first_areas.eq(a.rules.team_first_areas.join(",")),
            referral_agreements::team_first_urgencies.eq(a.rules.urgencies_code()),
            referral_agreements::inform.eq(a.rules.inform_code()),
            referral_agreements::note.eq(a.note),
            referral_agreements::created_by.eq(a.created_by),
            referral_agreements::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// All versions of a municipality, newest date first.
pub fn agreement_versions(
    conn: &mut AnyConnection,
    gemeente_code: &str,
) -> Result<Vec<AgreementsRow>, DbError> {
    Ok(referral_agreements::table
        .filter(referral_agreements::gemeente_code.eq(gemeente_code))
        .order(referral_agreements::effective_from.desc())
        .select(AgreementsRow::as_select())
        .load(conn)?)
}

/// The version in force on `day` (yyyy-mm-dd), if the municipality set any.
pub fn agreements_in_force(
    conn: &mut AnyConnection,
    gemeente_code: &str,
    day: NaiveDate,
) -> Result<Option<AgreementsRow>, DbError> {
    Ok(referral_agreements::table
        .filter(referral_agreements::gemeente_code.eq(gemeente_code))
        .filter(referral_agreements::effective_from.le(day))
        .order(referral_agreements::effective_from.desc())
        .select(AgreementsRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn agreements(conn: &mut AnyConnection, id: &str) -> Result<Option<AgreementsRow>, DbError> {
    Ok(referral_agreements::table
        .find(id)
        .select(AgreementsRow::as_select())
        .first(conn)
        .optional()?)
}

/// Several versions at once (the figures derive many referrals together).
pub fn agreements_by_ids(
    conn: &mut AnyConnection,
    ids: &[&str],
) -> Result<Vec<AgreementsRow>, DbError> {
    Ok(referral_agreements::table
        .filter(referral_agreements::id.eq_any(ids))
        .select(AgreementsRow::as_select())
        .load(conn)?)
}
