//! What a school hears of its pupils' referrals. A referral may name the child's school;
//! the verwijskader says at which steps the school is informed. The school's pupil-care
//! staff then see, per referral, those steps with their dates, who helps (the team or
//! provider, the case director and how to reach them) and who referred: enough to work
//! together around the pupil, nothing of the referral's reason, feedback or files. Each
//! pupil shown is a look at a child's data and is logged as such.

use super::{age_on, applied_to};
use crate::access::{self, Disclosed};
use crate::context::{Principal, Services};
use crate::error::Error;
use chrono::NaiveDate;
use rondom_db::audit::AuditEvent;
use rondom_db::referrals::{self as db, Listed};
use rondom_domain::Resource;
use rondom_domain::agreements::{Recipient, Step};
use rondom_domain::policy::{informed_as_school, organisations_where};
use rondom_domain::referral::Status;

/// One referral as its school hears of it.
pub struct PupilReferral {
    pub child_name: String,
    pub child_age: i32,
    pub school: String,
    /// Who referred: the organisation.
    pub referred_by: String,
    /// Who was asked to help.
    pub helped_by: String,
    /// The case director, with an address to reach them.
    pub case_director: Option<(String, String)>,
    /// The steps the school is informed of that have happened, oldest first.
    pub steps: Vec<(Step, NaiveDate)>,
}

/// The step a move to `status` is, for whom the verwijskader informs.
fn step_of(status: Status) -> Option<Step> {
    match status {
        Status::Accepted => Some(Step::Accepted),
        Status::Rejected => Some(Step::Rejected),
        Status::OnHold => Some(Step::Interim),
        Status::Completed => Some(Step::Completed),
        _ => None,
    }
}

/// How many referrals a school's page lists: a school of a thousand pupils has a few
/// dozen at most.
const SHOWN: i64 = 200;

/// The referrals naming this person's schools that the school has heard of, newest
/// first; `Forbidden` for someone who works in no school's pupil care.
pub async fn for_school(
    svc: &Services,
    who: &impl Principal,
) -> Result<Disclosed<Vec<PupilReferral>>, Error> {
    let schools = organisations_where(who.actor(), informed_as_school);
    if schools.is_empty() {
        return Err(Error::Forbidden);
    }
    let today = crate::dates::today();
    let found = svc
        .db
        .read(move |c| {
            let mut found = Vec::new();
            for l in db::naming_school(c, &schools, SHOWN)? {
                let rules = applied_to(c, &l.r)?;
                let informed = |s: &Step| rules.rules.informs(*s).contains(&Recipient::School);
                let steps: Vec<(Step, NaiveDate)> = db::events(c, &l.r.id)?
                    .into_iter()
                    .filter_map(|(_, to, _, _, at)| Some((step_of(to)?, at.date())))
                    .filter(|(s, _)| informed(s))
                    .collect();
                if steps.is_empty() {
                    continue;
                }
                let director = match &l.r.case_director_id {
                    Some(id) => rondom_db::users::find(c, id)?
                        .filter(|u| !u.disabled)
                        .map(|u| (u.name, u.email)),
                    None => None,
                };
                let school = match &l.r.school_id {
                    Some(s) => rondom_db::organisations::find(c, s)?.map(|o| o.name),
                    None => None,
                };
                found.push((l, steps, director, school.unwrap_or_default()));
            }
            Ok::<_, rondom_db::DbError>(found)
        })
        .await?;
    let mut out = Vec::with_capacity(found.len());
    for (l, steps, case_director, school) in found {
        record(svc, who, &l).await?;
        out.push(PupilReferral {
            child_name: svc.secrets.open_shown(&l.child_name_sealed, "child name"),
            child_age: age_on(l.child_birth_date, today),
            school,
            referred_by: l.from_name,
            helped_by: l.to_name,
            case_director,
            steps,
        });
    }
    Ok(Disclosed::logged(out))
}

/// Logs that the school's page showed this pupil's referral: on the school's side, and
/// in view of the referral's two sides too.
async fn record(svc: &Services, who: &impl Principal, l: &Listed) -> Result<(), Error> {
    let school = l.r.school_id.as_deref().unwrap_or_default();
    let e = access::event(
        who,
        "referral_school_read",
        Resource::DirectoryEntry(school),
        "allowed",
    );
    access::record(
        svc,
        AuditEvent {
            object_type: "referral".into(),
            object_id: Some(l.r.id.to_string()),
            child_id: Some(l.r.child_id.to_string()),
            subject_org_ids: vec![
                l.r.from_org_id.to_string(),
                l.r.to_org_id.to_string(),
                school.to_owned(),
            ],
            ..e
        },
    )
    .await
}
