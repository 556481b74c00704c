//! Referral (verwijzing): a GP, POH, JGZ doctor or the social team refers a child to the
//! linked social team or to a service from the sociale kaart. The referral moves through
//! the FHIR Task lifecycle; every move is checked, recorded and audit-logged in the same
//! transaction, and the referrer hears back (terugkoppeling) at acceptance or rejection,
//! at the interim moments the municipality's agreements name, and at completion. The
//! social team names a case director on acceptance, who stays when the team refers on.
//!
//! `create` makes one, `moves` takes it through its life, `care` holds what the
//! receiving side does while help runs (feedback, onward referral, case director,
//! attachments), `read` is the one way to its contents (audited), `agreements` the
//! verwijskader that applies, `notify` who hears of what, `pupils` what a school hears.

pub mod agreements;
pub mod care;
pub mod chain;
pub mod create;
pub mod inbox;
pub mod moves;
pub mod notify;
pub mod pupils;
pub mod read;

pub use agreements::InForce;
pub(crate) use agreements::{applied_to, in_force, next_feedback_moment};
pub use care::{
    AttachmentFile, attach, change_case_director, give_feedback, open_attachment, refer_on,
};
pub use chain::{ChainLink, ToPassOn, pass_on_outcome};
pub use create::{NewInput, create};
pub use moves::{MoveInput, make_move, onward_outcome_text};
pub use read::{Detail, EventView, Shown, disclose_list, disclose_lists, load, open};
pub use rondom_db::referrals::Referral;

use rondom_db::{AnyConnection, DbError};
use rondom_domain::policy::{receives_for, refers_for};
use rondom_domain::referral::{Side, Status};
use rondom_domain::{Action, Actor, OrganisationKind, Resource, Role, authorize};

/// Organisations this person refers for, and those they receive for.
pub fn sending_orgs(actor: &Actor) -> Vec<String> {
    rondom_domain::policy::organisations_where(actor, refers_for)
}

pub fn receiving_orgs(actor: &Actor) -> Vec<String> {
    rondom_domain::policy::organisations_where(actor, receives_for)
}

/// Reads a date typed as 2014-03-01 or 01-03-2014.
pub fn parse_date(text: &str) -> Option<chrono::NaiveDate> {
    let t = text.trim();
    chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| chrono::NaiveDate::parse_from_str(t, "%d-%m-%Y"))
        .ok()
        // A two-digit year (01-03-14 reads as the year 14) is a typing slip, not a date.
        .filter(|d| (1900..=2200).contains(&chrono::Datelike::year(d)))
}

/// Age in whole years on `today`.
pub fn age_on(birth: chrono::NaiveDate, today: chrono::NaiveDate) -> i32 {
    use chrono::Datelike;
    let mut age = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

const REASON_MAX: usize = 4000;

pub fn link(id: &str) -> String {
    format!("/verwijzingen/{id}")
}

/// A service from the sociale kaart with the kind of organisation that offers it (a
/// referral's target must be a provider's or a team's).
fn service_with_kind(
    c: &mut AnyConnection,
    id: &str,
) -> Result<Option<(rondom_db::directory::ServiceRow, Option<OrganisationKind>)>, DbError> {
    let Some(service) = rondom_db::directory::find_service(c, id)? else {
        return Ok(None);
    };
    let kind = rondom_db::organisations::find(c, &service.organisation_id)?.map(|o| o.kind);
    Ok(Some((service, kind)))
}

/// The GPs of a practice (whom a POH refers on behalf of): (id, name).
pub(crate) fn gps_of(
    c: &mut AnyConnection,
    practice: &str,
) -> Result<Vec<(String, String)>, DbError> {
    Ok(rondom_db::organisations::members(c, practice)?
        .into_iter()
        .filter(|m| m.role == Role::Huisarts && !m.disabled)
        .map(|m| (m.user_id.into(), m.name))
        .collect())
}

/// The schools a referral may name, among these organisations: (id, name).
pub(crate) fn schools(orgs: &[rondom_db::organisations::Organisation]) -> Vec<(String, String)> {
    orgs.iter()
        .filter(|o| OrganisationKind::is_school(o.kind))
        .map(|o| (o.id.to_string(), o.name.clone()))
        .collect()
}

/// Whether an organisation is a social team (which names a case director).
pub(crate) fn is_social_team(c: &mut AnyConnection, org_id: &str) -> Result<bool, DbError> {
    Ok(rondom_db::organisations::find(c, org_id)?
        .is_some_and(|o| OrganisationKind::is_social_team(o.kind)))
}

/// Services a referral may go to (a provider's specialised help, or what it offers by
/// referral): (id, "name (organisation)"), by name. `exclude` is the referring side.
pub(crate) fn referable_services(
    c: &mut AnyConnection,
    orgs: &[rondom_db::organisations::Organisation],
    exclude: &str,
    specialised_only: bool,
) -> Result<Vec<(String, String)>, DbError> {
    let providers: std::collections::HashSet<rondom_domain::ids::OrganisationId> = orgs
        .iter()
        .filter(|o| o.kind == OrganisationKind::Zorgaanbieder)
        .map(|o| o.id.clone())
        .collect();
    let mut out: Vec<(String, String)> = rondom_db::directory::all_services(c)?
        .into_iter()
        .filter(|s| s.organisation_id != exclude && providers.contains(&s.organisation_id))
        .filter(|s| {
            s.category == "specialistisch" || (!specialised_only && s.access_route == "verwijzing")
        })
        .map(|s| (s.id.into(), format!("{} ({})", s.name, s.organisation_name)))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// The moves this person may make now.
pub fn allowed_moves(actor: &Actor, r: &Referral) -> Vec<Status> {
    r.status
        .next()
        .iter()
        .copied()
        .filter(|to| match to.moved_by() {
            Side::Referrer => refers_for(actor, &r.from_org_id),
            Side::Receiver => receives_for(actor, &r.to_org_id),
        })
        .collect()
}

/// The consultants and team leaders of a team (who may direct a case): (id, name).
pub(crate) fn case_directors_of(
    c: &mut AnyConnection,
    team_id: &str,
) -> Result<Vec<(String, String)>, DbError> {
    Ok(rondom_db::organisations::members(c, team_id)?
        .into_iter()
        .filter(|m| !m.disabled && matches!(Some(m.role), Some(Role::Consulent | Role::Teamleider)))
        .map(|m| (m.user_id.into(), m.name))
        .collect())
}

pub fn may_read(actor: &Actor, r: &Referral) -> bool {
    authorize(
        actor,
        Action::Read,
        Resource::Referral {
            from: &r.from_org_id,
            to: &r.to_org_id,
        },
    )
    .is_allowed()
        && (r.status != Status::Draft || refers_for(actor, &r.from_org_id))
}

/// Whether a referral in this state with this deadline is late.
pub fn is_overdue(
    status: Status,
    due_on: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
) -> bool {
    !status.is_final() && status != Status::Draft && due_on.is_some_and(|d| d < today)
}

/// What an attachment really is, read from its first bytes (not from its name or the
/// browser's say-so): PDF, PNG or JPEG, or nothing.
pub fn sniff_media_type(bytes: &[u8]) -> Option<&'static str> {
    rondom_domain::document::sniff(bytes)
        .filter(|k| k.is_pdf_or_image())
        .map(rondom_domain::document::FileKind::media_type)
}

/// Largest attachment accepted.
pub const ATTACHMENT_MAX_BYTES: usize = 5 * 1024 * 1024;

/// What a referral's page offers its receiver: whether the receiver is a social team,
/// whom they may make case director, and (when `refers_on`) the services they may refer
/// on to.
pub struct PageChoices {
    pub to_team: bool,
    pub directors: Vec<(String, String)>,
    pub services: Vec<(String, String)>,
}

pub async fn page_choices(
    svc: &crate::Services,
    receiver: &str,
    refers_on: bool,
) -> Result<PageChoices, crate::Error> {
    let team = receiver.to_owned();
    Ok(svc
        .db
        .read(move |c| {
            Ok(PageChoices {
                to_team: is_social_team(c, &team)?,
                directors: case_directors_of(c, &team)?,
                // Only the team, while help runs, refers on: only then the list is needed.
                services: if refers_on {
                    let orgs = rondom_db::organisations::list(c)?;
                    referable_services(c, &orgs, &team, true)?
                } else {
                    vec![]
                },
            })
        })
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rondom_domain::agreements::Agreements;
    use rondom_domain::workdays;

    #[test]
    fn attachments_are_known_by_their_content() {
        assert_eq!(sniff_media_type(b"%PDF-1.7\n..."), Some("application/pdf"));
        assert_eq!(
            sniff_media_type(b"\x89PNG\r\n\x1a\n\0\0"),
            Some("image/png")
        );
        assert_eq!(
            sniff_media_type(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some("image/jpeg")
        );
        assert_eq!(
            sniff_media_type(b"MZ\x90\0 (a program named scan.pdf)"),
            None
        );
        assert_eq!(sniff_media_type(b"<html>"), None);
    }

    #[test]
    fn ages_count_whole_years() {
        let d = |s| parse_date(s).unwrap();
        assert_eq!(age_on(d("2014-03-01"), d("2026-02-28")), 11);
        assert_eq!(age_on(d("2014-03-01"), d("2026-03-01")), 12);
        assert_eq!(parse_date("01-03-2014"), parse_date("2014-03-01"));
        assert_eq!(parse_date("1 maart"), None);
    }

    #[test]
    fn feedback_moments_follow_acceptance_in_working_days() {
        let rules = Agreements {
            feedback_days: vec![5, 20],
            ..Agreements::default()
        };
        let accepted = parse_date("2026-04-20").unwrap();
        // 5 working days after Monday 20 April skips King's Day (27 April).
        assert_eq!(
            next_feedback_moment(&rules, accepted, accepted),
            parse_date("2026-04-28")
        );
        let later = parse_date("2026-04-28").unwrap();
        assert_eq!(
            next_feedback_moment(&rules, accepted, later),
            Some(workdays::add_working_days(accepted, 20))
        );
        assert_eq!(
            next_feedback_moment(&rules, accepted, parse_date("2026-12-31").unwrap()),
            None
        );
    }

    #[test]
    fn lateness_counts_only_for_open_referrals() {
        let today = parse_date("2026-06-10").unwrap();
        assert!(is_overdue(
            Status::Received,
            chrono::NaiveDate::from_ymd_opt(2026, 6, 9),
            today
        ));
        assert!(!is_overdue(
            Status::Received,
            chrono::NaiveDate::from_ymd_opt(2026, 6, 10),
            today
        ));
        assert!(!is_overdue(
            Status::Completed,
            chrono::NaiveDate::from_ymd_opt(2026, 6, 1),
            today
        ));
        assert!(!is_overdue(Status::Accepted, None, today));
    }
}
