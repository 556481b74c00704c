//! The koppeling: a social team links its consultants to general practices and keeps
//! their hours there (weekly slots, absences) current, so that "Mijn team" tells the GP
//! the truth. A link puts the team in the practice's Rondom, so the practice agrees (or
//! its municipality did) and either side may end it. Every change goes into the team's
//! history with its audit entry in the same transaction.

use super::entries::{is_practice, is_social_team};
use crate::access;
use crate::context::{Principal, Services};
use crate::dates;
use crate::error::{Checked, Error};
use rondom_db::audit::{self, AuditEvent};
use rondom_db::directory::{self, TeamLink};
use rondom_db::{AnyConnection, DbError};
use rondom_domain::hours::WeeklySlot;
use rondom_domain::validate::ValidationError;
use rondom_domain::{Action, Resource, Role, authorize};

/// Weekly slots (ISO weekday, start and end minute) and absences (yyyy-mm-dd, reason).
pub type Hours = (
    Vec<(i32, i32, i32)>,
    Vec<(chrono::NaiveDate, Option<String>)>,
);

/// Links a consultant of the team to a practice; answers the link's id. Within the
/// practice's own municipality the link holds at once, elsewhere it waits for the
/// practice; its admins are told either way, in Rondom and by e-mail without content.
pub async fn create(
    svc: &Services,
    who: &impl Principal,
    team_id: &str,
    practice_id: &str,
    consultant_id: &str,
) -> Result<Checked<String>, Error> {
    access::require(svc, who, Action::Update, Resource::DirectoryEntry(team_id)).await?;
    let (tid, pid, cid) = (
        team_id.to_owned(),
        practice_id.to_owned(),
        consultant_id.to_owned(),
    );
    let (team, practice, consultant) = svc
        .db
        .read(move |c| {
            let team = rondom_db::organisations::find(c, &tid)?;
            let practice = rondom_db::organisations::find(c, &pid)?;
            let consultant = directory::person(c, &cid)?;
            Ok((team, practice, consultant))
        })
        .await?;
    let team = team.ok_or(Error::NotFound)?;
    let mut errors = Vec::new();
    if !is_social_team(team.kind) {
        errors.push(ValidationError::new(
            "praktijk",
            "Alleen een sociaal team koppelt consulenten aan praktijken.",
        ));
    }
    if practice.as_ref().is_none_or(|p| !is_practice(p.kind)) {
        errors.push(ValidationError::new(
            "praktijk",
            "Kies een huisartsenpraktijk.",
        ));
    }
    let consultant = consultant.filter(|p| {
        p.work
            .iter()
            .any(|(org, _, role)| org == team_id && role == Role::Consulent.as_str())
    });
    if consultant.is_none() {
        errors.push(ValidationError::new(
            "consulent",
            "Kies een consulent van uw team.",
        ));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let Some(practice) = practice else {
        return Err(Error::NotFound);
    };
    // A link puts the team in the practice's Rondom (Mijn team, the teams it asks and
    // refers to, and so its referrals): the practice must agree. Within one
    // municipality that agreement is the municipality's own arrangement, and the link
    // holds at once; the practice's admins are told, and can end it.
    let tid = team.id.clone();
    let werkgebied: Vec<String> = svc
        .db
        .read(move |c| directory::organisation_areas(c, Some(&[tid.into()])))
        .await?
        .into_iter()
        .filter(|(_, kind, _)| kind == "gemeente")
        .map(|(_, _, code)| code)
        .collect();
    let werkgebied: Vec<&str> = werkgebied.iter().map(String::as_str).collect();
    let same_municipality = rondom_domain::policy::link_holds_at_once(
        &practice.gemeente_code,
        &team.gemeente_code,
        &werkgebied,
    );
    let event = access::event(
        who,
        "directory_link_create",
        Resource::DirectoryEntry(team_id),
        "allowed",
    );
    let user_id = who.actor().user_id.clone();
    let (pid, cid, tid) = (
        practice.id.clone(),
        consultant_id.to_owned(),
        team_id.to_owned(),
    );
    let name = consultant.map(|c| c.name).unwrap_or_default();
    let (team_name, practice_name) = (team.name.clone(), practice.name.clone());
    let (link, admins) = svc
        .db
        .write(move |c| {
            let link = directory::propose_link(c, &pid, &tid, &cid, same_municipality)?;
            directory::record_change(
                c,
                &tid,
                "link",
                &link,
                Some(&user_id),
                &if same_municipality {
                    format!("{name} gekoppeld aan {practice_name}.")
                } else {
                    format!("Koppeling van {name} aan {practice_name} gevraagd; wacht op akkoord van de praktijk.")
                },
            )?;
            let text = if same_municipality {
                format!("{team_name} heeft {name} als consulent aan uw praktijk gekoppeld.")
            } else {
                format!("{team_name} wil {name} als consulent aan uw praktijk koppelen. Accepteer of weiger het verzoek.")
            };
            let admins = practice_admins(c, &pid)?;
            for (admin, _) in &admins {
                rondom_db::consultations::notify(
                    c,
                    admin,
                    &text,
                    &format!("/sociale-kaart/organisaties/{pid}"),
                )?;
            }
            audit::append(
                c,
                &AuditEvent {
                    object_type: "practice_link".into(),
                    object_id: Some(link.clone()),
                    reason: Some(if same_municipality {
                        "in force: same municipality".into()
                    } else {
                        "proposed: waits for the practice".into()
                    }),
                    subject_org_ids: vec![tid.clone(), pid.to_string()],
                    ..event
                },
            )?;
            Ok((link, admins))
        })
        .await?;
    // The practice's admins hear of it by e-mail too, without content: that there is
    // something for them in Rondom, and where.
    let lead = format!(
        "Een sociaal team {} in Rondom.",
        if same_municipality {
            "heeft een consulent aan uw praktijk gekoppeld"
        } else {
            "wil een consulent aan uw praktijk koppelen; dat geldt pas als u akkoord geeft"
        }
    );
    let path = format!("/sociale-kaart/organisaties/{}", practice.id);
    for (_, email) in admins {
        svc.mail_notice(
            email,
            "Een koppeling met uw praktijk in Rondom",
            &lead,
            "Bekijk het in Rondom",
            &path,
        );
    }
    Ok(Ok(link))
}

/// The admins of a practice, who answer a team's request to link: (id, e-mail).
fn practice_admins(
    c: &mut AnyConnection,
    practice_id: &str,
) -> Result<Vec<(String, String)>, DbError> {
    Ok(rondom_db::organisations::members(c, practice_id)?
        .into_iter()
        .filter(|m| !m.disabled && m.role.administers())
        .map(|m| (m.user_id.into(), m.email))
        .collect())
}

/// A link with its current hours (absences from today on).
pub async fn load(svc: &Services, id: &str) -> Result<TeamLink, Error> {
    let id = id.to_owned();
    let from = dates::today();
    svc.db
        .read(move |c| directory::find_link(c, &id, from))
        .await?
        .ok_or(Error::NotFound)
}

/// A link, for an admin of the practice who may answer its request.
pub async fn for_answer(svc: &Services, who: &impl Principal, id: &str) -> Result<TeamLink, Error> {
    let link = load(svc, id).await?;
    access::require(
        svc,
        who,
        Action::Update,
        Resource::DirectoryEntry(&link.practice_id),
    )
    .await?;
    Ok(link)
}

/// A practice's admin accepts or declines a team's request to link. Answers false when
/// the request was answered already (nothing is then written).
pub async fn answer(
    svc: &Services,
    who: &impl Principal,
    link: &TeamLink,
    accept: bool,
) -> Result<bool, Error> {
    access::require(
        svc,
        who,
        Action::Update,
        Resource::DirectoryEntry(&link.practice_id),
    )
    .await?;
    let event = access::event(
        who,
        if accept {
            "directory_link_accept"
        } else {
            "directory_link_decline"
        },
        Resource::DirectoryEntry(&link.practice_id),
        "allowed",
    );
    let (lid, pid, tid, uid) = (
        link.link_id.clone(),
        link.practice_id.clone(),
        link.team_id.clone(),
        who.actor().user_id.clone(),
    );
    let text = format!(
        "{} {} de koppeling van {} met {}.",
        who.display_name(),
        if accept { "accepteerde" } else { "weigerde" },
        link.consultant_name,
        link.practice_name
    );
    let done = svc
        .db
        .write(move |c| {
            let done = if accept {
                directory::accept_link(c, &lid, &pid, &uid)?
            } else {
                directory::decline_link(c, &lid, &pid)?
            };
            if done {
                rondom_db::consultations::mark_read(
                    c,
                    &uid,
                    &format!("/sociale-kaart/organisaties/{pid}"),
                )?;
                directory::record_change(c, &tid, "link", &lid, Some(&uid), &text)?;
                audit::append(
                    c,
                    &AuditEvent {
                        object_type: "practice_link".into(),
                        object_id: Some(lid.to_string()),
                        subject_org_ids: vec![pid.to_string(), tid.to_string()],
                        ..event
                    },
                )?;
            }
            Ok::<_, DbError>(done)
        })
        .await?;
    Ok(done)
}

/// A link, for an admin of the team who keeps its hours.
pub async fn for_hours(svc: &Services, who: &impl Principal, id: &str) -> Result<TeamLink, Error> {
    let link = load(svc, id).await?;
    access::require(
        svc,
        who,
        Action::Update,
        Resource::DirectoryEntry(&link.team_id),
    )
    .await?;
    Ok(link)
}

/// Replaces a link's weekly slots and its absences from `day` on (the day the hours
/// were checked against).
pub async fn save_hours(
    svc: &Services,
    who: &impl Principal,
    link: &TeamLink,
    hours: Hours,
    day: chrono::NaiveDate,
) -> Result<(), Error> {
    access::require(
        svc,
        who,
        Action::Update,
        Resource::DirectoryEntry(&link.team_id),
    )
    .await?;
    let (slots, absences) = hours;
    let summary = format!(
        "Uren van {} in {}: {}{}.",
        link.consultant_name,
        link.practice_name,
        if slots.is_empty() {
            "geen vaste uren".to_owned()
        } else {
            WeeklySlot::all_stored(&slots)
                .into_iter()
                .map(|s| s.line())
                .collect::<Vec<_>>()
                .join(", ")
        },
        match absences.len() {
            0 => String::new(),
            1 => "; 1 afwezigheid".into(),
            n => format!("; {n} afwezigheden"),
        }
    );
    let event = access::event(
        who,
        "directory_link_hours",
        Resource::DirectoryEntry(&link.team_id),
        "allowed",
    );
    let user_id = who.actor().user_id.clone();
    let (lid, tid) = (link.link_id.clone(), link.team_id.clone());
    svc.db
        .write(move |c| {
            directory::replace_hours(c, &lid, &slots, &absences, day)?;
            directory::record_change(c, &tid, "link", &lid, Some(&user_id), &summary)?;
            audit::append(
                c,
                &AuditEvent {
                    object_type: "practice_link".into(),
                    object_id: Some(lid.to_string()),
                    ..event
                },
            )
        })
        .await?;
    Ok(())
}

/// Ends a link. Either side may: the team, or the practice that no longer wants it.
/// Answers the side that ended it (whose page to go back to).
pub async fn delete(svc: &Services, who: &impl Principal, id: &str) -> Result<String, Error> {
    let link = load(svc, id).await?;
    let side = if authorize(
        who.actor(),
        Action::Update,
        Resource::DirectoryEntry(&link.practice_id),
    )
    .is_allowed()
    {
        link.practice_id.clone()
    } else {
        link.team_id.clone()
    };
    access::require(svc, who, Action::Update, Resource::DirectoryEntry(&side)).await?;
    let mut event = access::event(
        who,
        "directory_link_delete",
        Resource::DirectoryEntry(&side),
        "allowed",
    );
    event.subject_org_ids = vec![link.team_id.to_string(), link.practice_id.to_string()];
    let user_id = who.actor().user_id.clone();
    let (lid, tid) = (link.link_id.clone(), link.team_id.clone());
    let text = format!(
        "Koppeling van {} met {} beëindigd.",
        link.consultant_name, link.practice_name
    );
    svc.db
        .write(move |c| {
            directory::delete_link(c, &lid)?;
            directory::record_change(c, &tid, "link", &lid, Some(&user_id), &text)?;
            audit::append(
                c,
                &AuditEvent {
                    object_type: "practice_link".into(),
                    object_id: Some(lid.to_string()),
                    ..event
                },
            )
        })
        .await?;
    Ok(side.into())
}
