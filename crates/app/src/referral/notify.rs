//! Who hears of what: notices in Rondom for the people the agreements name, and e-mail
//! without content (only that something waits, with a link).

use super::link;
use crate::context::Services;
use rondom_db::referrals::{self as db, Referral};
use rondom_db::{AnyConnection, DbError};
use rondom_domain::agreements::{Agreements, Recipient, Step};
use rondom_domain::{OrganisationKind, Role};

/// Tells the receiving organisation's staff in Rondom that a referral waits; returns the
/// organisation's general address for the e-mail.
pub(super) fn announce(
    c: &mut AnyConnection,
    id: &str,
    to_org: &str,
) -> Result<Option<String>, DbError> {
    let link = link(id);
    for m in rondom_db::organisations::members(c, to_org)? {
        let receives = matches!(
            Some(m.role),
            Some(Role::Consulent | Role::Teamleider | Role::ZorgaanbiederMedewerker)
        );
        if receives && !m.disabled {
            rondom_db::consultations::notify(
                c,
                &m.user_id,
                "Er is een nieuwe verwijzing voor uw organisatie.",
                &link,
            )?;
        }
    }
    Ok(rondom_db::organisations::find(c, to_org)?.and_then(|o| o.email))
}

pub(super) fn mail_receivers(svc: &Services, to: Option<String>, id: &str) {
    if let Some(to) = to.filter(|t| !t.is_empty()) {
        svc.mail_notice(
            to,
            "Nieuwe verwijzing in Rondom",
            "Er is een nieuwe verwijzing voor uw organisatie.",
            "Bekijk haar in Rondom",
            &link(id),
        );
    }
}

pub(super) fn receives_for_role(role: Role) -> bool {
    matches!(
        Some(role),
        Some(Role::Consulent | Role::Teamleider | Role::ZorgaanbiederMedewerker)
    )
}

/// Notifies whom the agreements name for `step`; returns the e-mail addresses of the
/// people to mail (the notice carries no content).
pub(super) fn inform(
    c: &mut AnyConnection,
    r: &Referral,
    rules: &Agreements,
    step: Step,
    actor_id: &str,
    text: &str,
) -> Result<Vec<String>, DbError> {
    inform_people(c, r, rules.informs(step), actor_id, text)
}

pub(super) fn inform_people(
    c: &mut AnyConnection,
    r: &Referral,
    recipients: &[Recipient],
    actor_id: &str,
    text: &str,
) -> Result<Vec<String>, DbError> {
    let mut people: Vec<String> = Vec::new();
    // Those who only hear that something happened, pointed to the referrer's contact
    // details: they take no part in the referral itself.
    let mut bystanders: Vec<String> = Vec::new();
    let school_staff = school_staff(c, r)?;
    for rec in recipients {
        match rec {
            Recipient::Referrer => {
                people.push(r.referrer_id.to_string());
                people.extend(r.on_behalf_of_id.clone().map(String::from));
            }
            Recipient::Poh => people.extend(
                rondom_db::organisations::members(c, &r.from_org_id)?
                    .into_iter()
                    .filter(|m| m.role == Role::Poh && !m.disabled)
                    .map(|m| m.user_id.into()),
            ),
            Recipient::CaseDirector => people.extend(r.case_director_id.clone().map(String::from)),
            Recipient::School => bystanders.extend(school_staff.iter().cloned()),
            Recipient::Jgz => {
                let gemeente = db::child(c, &r.child_id)?
                    .map(|ch| ch.gemeente_code)
                    .unwrap_or_default();
                for org in rondom_db::organisations::list(c)? {
                    if org.kind == OrganisationKind::Jgz && org.gemeente_code == gemeente {
                        bystanders.extend(
                            rondom_db::organisations::members(c, &org.id)?
                                .into_iter()
                                .filter(|m| m.role == Role::Jgz && !m.disabled)
                                .map(|m| m.user_id.into()),
                        );
                    }
                }
            }
        }
    }
    people.sort();
    people.dedup();
    people.retain(|p| p != actor_id);
    bystanders.sort();
    bystanders.dedup();
    bystanders.retain(|p| p != actor_id && !people.contains(p));
    let mut mails = Vec::new();
    for p in &people {
        let Some(u) = rondom_db::users::find(c, p)? else {
            continue;
        };
        // People who left are not told.
        if u.disabled {
            continue;
        }
        rondom_db::consultations::notify(c, p, text, &link(&r.id))?;
        mails.push(u.email);
    }
    for p in &bystanders {
        // A school's staff read more on their pupils' page; anyone else finds the
        // referrer's contact details on their page in the sociale kaart.
        let to = if school_staff.contains(p) {
            "/verwijzingen/leerlingen".to_owned()
        } else {
            format!("/sociale-kaart/organisaties/{}", r.from_org_id)
        };
        rondom_db::consultations::notify(
            c,
            p,
            &format!(
                "Volgens het verwijskader wordt u geïnformeerd: {} Neem voor meer contact op met de verwijzer.",
                text
            ),
            &to,
        )?;
    }
    Ok(mails)
}

/// The pupil-care staff of the school a referral names (read once per notice).
fn school_staff(c: &mut AnyConnection, r: &Referral) -> Result<Vec<String>, DbError> {
    Ok(match &r.school_id {
        Some(s) => rondom_db::organisations::members(c, s)?
            .into_iter()
            .filter(|m| m.role == Role::School && !m.disabled)
            .map(|m| m.user_id.into())
            .collect(),
        None => vec![],
    })
}

pub(super) fn mail_all(svc: &Services, mut to: Vec<String>, id: &str) {
    to.sort();
    to.dedup();
    for addr in to {
        svc.mail_notice(
            addr,
            "Nieuws over een verwijzing in Rondom",
            "Er is nieuws over een verwijzing waarbij u betrokken bent.",
            "Lees het in Rondom",
            &link(id),
        );
    }
}
