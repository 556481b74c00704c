//! The koppeling: a social team links its consultants to general practices and keeps
//! their hours there (weekly slots, absences) current, so that "Mijn team" tells the GP
//! the truth. Maintained by the team's own admins; every change in the history.

use crate::access;
use crate::auth::session::{CsrfForm, CurrentUser};
use crate::error::AppError;
use crate::extract::Path;
use crate::page::Page;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_db::directory::{self, TeamLink};
use rondom_db::{DbError, audit};
use rondom_domain::hours::WeeklySlot;
use rondom_domain::ids::{OrganisationId, PracticeLinkId};
use rondom_domain::validate::ValidationError;
use rondom_domain::{Action, OrganisationKind, Resource, Role, authorize};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewLinkForm {
    pub praktijk: String,
    pub consulent: String,
}

/// Links a consultant of the team to a practice.
pub async fn create(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(team_id): Path<OrganisationId>,
    CsrfForm(form): CsrfForm<NewLinkForm>,
) -> Result<Response, AppError> {
    access::require(
        &state,
        &user,
        Action::Update,
        Resource::DirectoryEntry(&team_id),
    )
    .await?;
    let (tid, pid, cid) = (
        team_id.clone(),
        form.praktijk.clone(),
        form.consulent.clone(),
    );
    let (team, practice, consultant) = state
        .db
        .read(move |c| {
            let team = rondom_db::organisations::find(c, &tid)?;
            let practice = rondom_db::organisations::find(c, &pid)?;
            let consultant = directory::person(c, &cid)?;
            Ok((team, practice, consultant))
        })
        .await?;
    let team = team.ok_or(AppError::NotFound)?;
    let mut errors = Vec::new();
    if team.kind != OrganisationKind::SociaalTeam.as_str() {
        errors.push(ValidationError::new(
            "praktijk",
            "Alleen een sociaal team koppelt consulenten aan praktijken.",
        ));
    }
    if practice
        .as_ref()
        .is_none_or(|p| p.kind != OrganisationKind::Huisartsenpraktijk.as_str())
    {
        errors.push(ValidationError::new(
            "praktijk",
            "Kies een huisartsenpraktijk.",
        ));
    }
    let consultant = consultant.filter(|p| {
        p.work
            .iter()
            .any(|(org, _, role)| org == &team_id && role == Role::Consulent.as_str())
    });
    if consultant.is_none() {
        errors.push(ValidationError::new(
            "consulent",
            "Kies een consulent van uw team.",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let Some(practice) = practice else {
        return Err(AppError::NotFound);
    };
    // A link puts the team in the practice's Rondom (Mijn team, the teams it asks and
    // refers to, and so its referrals): the practice must agree. Within one
    // municipality that agreement is the municipality's own arrangement, and the link
    // holds at once; the practice's admins are told, and can end it.
    let tid = team.id.clone();
    let werkgebied: Vec<String> = state
        .db
        .read(move |c| directory::organisation_areas(c, Some(&[tid])))
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
        &user,
        "directory_link_create",
        Resource::DirectoryEntry(&team_id),
        "allowed",
    );
    let user_id = user.user_id.clone();
    let (pid, cid, tid) = (practice.id.clone(), form.consulent.clone(), team_id.clone());
    let name = consultant.map(|c| c.name).unwrap_or_default();
    let (team_name, practice_name) = (team.name.clone(), practice.name.clone());
    let link = state
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
                &audit::AuditEvent {
                    object_type: "practice_link".into(),
                    object_id: Some(link.clone()),
                    reason: Some(if same_municipality {
                        "in force: same municipality".into()
                    } else {
                        "proposed: waits for the practice".into()
                    }),
                    subject_org_ids: vec![tid.to_string(), pid.clone()],
                    ..event
                },
            )?;
            Ok((link, admins))
        })
        .await?;
    let (link, admins) = link;
    // The practice's admins hear of it by e-mail too, without content: that there is
    // something for them in Rondom, and where.
    let page = format!(
        "{}/sociale-kaart/organisaties/{}",
        state.settings.base_url.trim_end_matches('/'),
        practice.id
    );
    for (_, email) in admins {
        state.mailer.send_later(
            email,
            "Een koppeling met uw praktijk in Rondom".into(),
            format!(
                "Een sociaal team {} in Rondom.\n\nBekijk het in Rondom: {page}\n\nOm privacyredenen staat de inhoud niet in deze e-mail.\n",
                if same_municipality {
                    "heeft een consulent aan uw praktijk gekoppeld"
                } else {
                    "wil een consulent aan uw praktijk koppelen; dat geldt pas als u akkoord geeft"
                }
            ),
        );
    }
    Ok(Redirect::to(&format!("/sociale-kaart/koppelingen/{link}")).into_response())
}

/// The admins of a practice, who answer a team's request to link: (id, e-mail).
fn practice_admins(
    c: &mut rondom_db::AnyConnection,
    practice_id: &str,
) -> Result<Vec<(String, String)>, DbError> {
    Ok(rondom_db::organisations::members(c, practice_id)?
        .into_iter()
        .filter(|m| !m.disabled && Role::parse(&m.role).is_some_and(Role::administers))
        .map(|m| (m.user_id, m.email))
        .collect())
}

/// A practice's admin accepts or declines a team's request to link.
pub async fn answer(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<PracticeLinkId>,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> Result<Response, AppError> {
    let link = load_link(&state, &id).await?;
    access::require(
        &state,
        &user,
        Action::Update,
        Resource::DirectoryEntry(&link.practice_id),
    )
    .await?;
    let accept = match form.antwoord.as_str() {
        "accepteren" => true,
        "weigeren" => false,
        _ => {
            return Err(AppError::BadRequest("Kies accepteren of weigeren.".into()));
        }
    };
    let event = access::event(
        &user,
        if accept {
            "directory_link_accept"
        } else {
            "directory_link_decline"
        },
        Resource::DirectoryEntry(&link.practice_id),
        "allowed",
    );
    let (lid, pid, tid, uid) = (
        id.to_string(),
        link.practice_id.clone(),
        link.team_id.clone(),
        user.user_id.clone(),
    );
    let text = format!(
        "{} {} de koppeling van {} met {}.",
        user.name,
        if accept { "accepteerde" } else { "weigerde" },
        link.consultant_name,
        link.practice_name
    );
    let done = state
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
                    &audit::AuditEvent {
                        object_type: "practice_link".into(),
                        object_id: Some(lid.clone()),
                        subject_org_ids: vec![pid.clone(), tid.clone()],
                        ..event
                    },
                )?;
            }
            Ok::<_, DbError>(done)
        })
        .await?;
    if !done {
        return Err(AppError::Conflict("Dit verzoek is al beantwoord.".into()));
    }
    Ok(Redirect::to(&format!(
        "/sociale-kaart/organisaties/{}?melding=opgeslagen",
        link.practice_id
    ))
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerForm {
    pub antwoord: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct HoursForm {
    pub uren: String,
    pub afwezig: String,
}

type Hours = (Vec<(i32, i32, i32)>, Vec<(String, Option<String>)>);

impl HoursForm {
    fn from_link(l: &TeamLink) -> Self {
        Self {
            uren: l
                .slots
                .iter()
                .filter_map(|(d, s, e)| WeeklySlot::new(*d as u8, *s as u16, *e as u16).ok())
                .map(|s| s.line())
                .collect::<Vec<_>>()
                .join("\n"),
            afwezig: l
                .exceptions
                .iter()
                .map(|(d, r)| match r {
                    Some(r) => format!("{d} {r}"),
                    None => d.clone(),
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// Weekly slots and absences from `today` on; problems name their line.
    pub fn parse(&self, today: &str) -> Result<Hours, Vec<ValidationError>> {
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
                Ok(d) if d.format("%Y-%m-%d").to_string().as_str() >= today => {
                    let reason = reason.trim();
                    absences.push((d.format("%Y-%m-%d").to_string(), (!reason.is_empty()).then(|| reason.chars().take(100).collect())));
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

#[derive(Template)]
#[template(path = "directory/link_form.html")]
struct LinkPage {
    page: Page,
    link: TeamLink,
    form: HoursForm,
    errors: HashMap<&'static str, String>,
}

async fn load_link(state: &AppState, id: &str) -> Result<TeamLink, AppError> {
    let id = id.to_owned();
    let from = crate::format::today_iso();
    state
        .db
        .read(move |c| directory::find_link(c, &id, &from))
        .await?
        .ok_or(AppError::NotFound)
}

fn link_page(
    user: &CurrentUser,
    link: TeamLink,
    form: HoursForm,
    errors: Vec<ValidationError>,
) -> Result<String, AppError> {
    let map = crate::page::field_errors(errors);
    LinkPage {
        page: Page::for_user(
            format!("{} in {}", link.consultant_name, link.practice_name),
            "kaart",
            user,
        ),
        link,
        form,
        errors: map,
    }
    .render()
    .map_err(AppError::internal)
}

pub async fn show(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<PracticeLinkId>,
) -> Result<Html<String>, AppError> {
    let link = load_link(&state, &id).await?;
    access::require(
        &state,
        &user,
        Action::Update,
        Resource::DirectoryEntry(&link.team_id),
    )
    .await?;
    let form = HoursForm::from_link(&link);
    link_page(&user, link, form, vec![]).map(Html)
}

pub async fn save(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<PracticeLinkId>,
    CsrfForm(form): CsrfForm<HoursForm>,
) -> Result<Response, AppError> {
    let link = load_link(&state, &id).await?;
    access::require(
        &state,
        &user,
        Action::Update,
        Resource::DirectoryEntry(&link.team_id),
    )
    .await?;
    let day = crate::format::today_iso();
    let (slots, absences) = match form.parse(&day) {
        Ok(v) => v,
        Err(errors) => {
            let page = link_page(&user, link, form, errors)?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response());
        }
    };
    let summary = format!(
        "Uren van {} in {}: {}{}.",
        link.consultant_name,
        link.practice_name,
        if slots.is_empty() {
            "geen vaste uren".to_owned()
        } else {
            slots
                .iter()
                .filter_map(|(d, s, e)| WeeklySlot::new(*d as u8, *s as u16, *e as u16).ok())
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
        &user,
        "directory_link_hours",
        Resource::DirectoryEntry(&link.team_id),
        "allowed",
    );
    let user_id = user.user_id.clone();
    let (lid, tid) = (id.clone(), link.team_id.clone());
    state
        .db
        .write(move |c| {
            directory::replace_hours(c, &lid, &slots, &absences, &day)?;
            directory::record_change(c, &tid, "link", &lid, Some(&user_id), &summary)?;
            audit::append(
                c,
                &audit::AuditEvent {
                    object_type: "practice_link".into(),
                    object_id: Some(lid.to_string()),
                    ..event
                },
            )
        })
        .await?;
    Ok(Redirect::to(&format!(
        "/sociale-kaart/organisaties/{}?melding=opgeslagen",
        link.team_id
    ))
    .into_response())
}

pub async fn delete(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<PracticeLinkId>,
    CsrfForm(_): CsrfForm<crate::auth::session::EmptyForm>,
) -> Result<Response, AppError> {
    let link = load_link(&state, &id).await?;
    // Either side may end a link: the team, or the practice that no longer wants it.
    let side = if authorize(
        &user.actor,
        Action::Update,
        Resource::DirectoryEntry(&link.practice_id),
    )
    .is_allowed()
    {
        link.practice_id.clone()
    } else {
        link.team_id.clone()
    };
    access::require(
        &state,
        &user,
        Action::Update,
        Resource::DirectoryEntry(&side),
    )
    .await?;
    let mut event = access::event(
        &user,
        "directory_link_delete",
        Resource::DirectoryEntry(&side),
        "allowed",
    );
    event.subject_org_ids = vec![link.team_id.clone(), link.practice_id.clone()];
    let user_id = user.user_id.clone();
    let (lid, tid) = (id.clone(), link.team_id.clone());
    let text = format!(
        "Koppeling van {} met {} beëindigd.",
        link.consultant_name, link.practice_name
    );
    state
        .db
        .write(move |c| {
            directory::delete_link(c, &lid)?;
            directory::record_change(c, &tid, "link", &lid, Some(&user_id), &text)?;
            audit::append(
                c,
                &audit::AuditEvent {
                    object_type: "practice_link".into(),
                    object_id: Some(lid.to_string()),
                    ..event
                },
            )?;
            Ok::<_, DbError>(())
        })
        .await?;
    Ok(Redirect::to(&format!(
        "/sociale-kaart/organisaties/{side}?melding=opgeslagen"
    ))
    .into_response())
}
