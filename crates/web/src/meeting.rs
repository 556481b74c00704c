//! Case meetings' pages (/overleggen): the list, scheduling one, the agenda with the
//! work's suggestions and the cases participants bring in, the chair's minutes per item
//! (whose actions land in the child's plan), inviting a parent to their child's item,
//! and closing the meeting. The rules are `rondom_app::meeting`'s.

use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::page::Page;
use crate::session::{CsrfForm, CurrentUser, EmptyForm};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_app::access::Disclosed;
use rondom_app::meeting::{self, Candidate, MeetingLine, MeetingView, NewMeeting, Seat};
use rondom_domain::ids::{MeetingId, MeetingItemId};
use rondom_domain::meeting::{DecidedAction, ItemKind, Minutes};
use rondom_domain::validate::ValidationError;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "meeting/list.html")]
struct ListPage {
    page: Page,
    meetings: Vec<MeetingLine>,
    may_schedule: bool,
}

#[derive(Template)]
#[template(path = "meeting/new.html")]
struct NewPage {
    page: Page,
    teams: Vec<(String, String)>,
    team: String,
    candidates: Vec<Candidate>,
    form: NewForm,
    errors: HashMap<&'static str, String>,
}

impl NewPage {
    fn chosen(&self, user: &str) -> bool {
        self.form.deelnemers.iter().any(|d| d == user)
    }
}

#[derive(Template)]
#[template(path = "meeting/show.html")]
struct ShowPage {
    page: Page,
    m: Disclosed<MeetingView>,
    organiser: bool,
    guest: bool,
    done: Option<&'static str>,
    errors: Vec<String>,
    /// The item whose minutes form was refused (shown open, with what was typed).
    failed_item: String,
    typed: RecordForm,
    action_rows: Vec<usize>,
}

fn done_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "gepland" => "Het overleg is gepland. De deelnemers krijgen bericht.",
        "agenda" => "Op de agenda gezet.",
        "verslag" => "Vastgelegd.",
        "plan" => {
            "Vastgelegd. De acties staan als nieuwe versie in het plan, en het gezin krijgt bericht."
        }
        "uitgenodigd" => "Uitgenodigd. Het gezinslid ziet alleen dit agendapunt.",
        "afgesloten" => {
            "Het overleg is afgesloten. De deelnemers krijgen bericht dat het verslag klaarstaat."
        }
        _ => return None,
    })
}

/// The list of meetings.
pub async fn list(
    user: CurrentUser,
    State(state): State<AppState>,
) -> Result<Html<String>, AppError> {
    let meetings = meeting::mine(&state.app, &user).await?;
    ListPage {
        page: Page::for_user("Casusoverleg", "casusoverleg", &user),
        meetings,
        may_schedule: !meeting::organising_teams(&user.actor).is_empty(),
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct NewForm {
    pub team: String,
    pub titel: String,
    pub wanneer: String,
    pub plaats: String,
    pub video: String,
    pub deelnemers: Vec<String>,
    pub anderen: String,
}

impl NewForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "team" => f.team = v,
                "titel" => f.titel = v,
                "wanneer" => f.wanneer = v,
                "plaats" => f.plaats = v,
                "video" => f.video = v,
                "deelnemers" => f.deelnemers.push(v),
                "anderen" => f.anderen = v,
                _ => {}
            }
        }
        f
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TeamQuery {
    pub team: String,
}

async fn new_page(
    state: &AppState,
    user: &CurrentUser,
    form: NewForm,
    errors: Vec<ValidationError>,
) -> Result<String, AppError> {
    let teams = meeting::organising_teams(&user.actor);
    let team = if teams.contains(&form.team) {
        form.team.clone()
    } else {
        teams.first().cloned().ok_or(AppError::Forbidden)?
    };
    let candidates = meeting::candidates(&state.app, user, &team).await?;
    let names: Vec<(String, String)> = user
        .memberships
        .iter()
        .filter(|m| teams.iter().any(|t| *t == m.organisation_id.as_str()))
        .map(|m| (m.organisation_id.to_string(), m.organisation_name.clone()))
        .fold(Vec::new(), |mut acc, t| {
            if !acc.iter().any(|(id, _)| *id == t.0) {
                acc.push(t);
            }
            acc
        });
    NewPage {
        page: Page::for_user("Overleg plannen", "casusoverleg", user),
        teams: names,
        team,
        candidates,
        form,
        errors: crate::page::field_errors(errors),
    }
    .render()
    .map_err(AppError::internal)
}

pub async fn new(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(q): Query<TeamQuery>,
) -> Result<Html<String>, AppError> {
    let form = NewForm {
        team: q.team,
        ..NewForm::default()
    };
    new_page(&state, &user, form, vec![]).await.map(Html)
}

pub async fn schedule(
    user: CurrentUser,
    State(state): State<AppState>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let form = NewForm::from_pairs(pairs);
    let input = NewMeeting {
        team: form.team.clone(),
        title: form.titel.clone(),
        starts_at: form.wanneer.clone(),
        place: form.plaats.clone(),
        video_link: form.video.clone(),
        participants: form.deelnemers.clone(),
        others: vec![form.anderen.clone()],
    };
    match meeting::schedule(&state.app, &user, &input).await? {
        Ok(id) => Ok(Redirect::to(&format!("/overleggen/{id}?gedaan=gepland")).into_response()),
        Err(errors) => {
            let html = new_page(&state, &user, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    pub gedaan: String,
}

/// The minutes form as typed.
#[derive(Default, Clone)]
pub struct RecordForm {
    pub besproken: String,
    pub besluiten: String,
    pub doel: String,
    /// (what, owner, due) per row.
    pub acties: Vec<(String, String, String)>,
}

impl RecordForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut m: HashMap<String, String> = pairs.into_iter().collect();
        let mut take = |k: &str| m.remove(k).unwrap_or_default();
        let mut f = Self {
            besproken: take("besproken"),
            besluiten: take("besluiten"),
            doel: take("doel"),
            acties: vec![],
        };
        for i in 0..rondom_domain::meeting::MAX_ACTIONS + 2 {
            let row = (
                take(&format!("a{i}_wat")),
                take(&format!("a{i}_wie")),
                take(&format!("a{i}_datum")),
            );
            f.acties.push(row);
        }
        while f
            .acties
            .last()
            .is_some_and(|(a, b, c)| a.is_empty() && b.is_empty() && c.is_empty())
        {
            f.acties.pop();
        }
        f
    }

    fn to_minutes(&self) -> Result<Minutes, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut actions = Vec::new();
        for (i, (what, who, due)) in self.acties.iter().enumerate() {
            let due_on = if due.trim().is_empty() {
                None
            } else {
                match rondom_app::dates::parse_iso(due.trim())
                    .or_else(|| chrono::NaiveDate::parse_from_str(due.trim(), "%d-%m-%Y").ok())
                {
                    Some(d) => Some(d),
                    None => {
                        errors.push(ValidationError::new(
                            "acties",
                            format!("Actie {}: '{due}' is geen datum.", i + 1),
                        ));
                        None
                    }
                }
            };
            actions.push(DecidedAction {
                what: what.clone(),
                owner: Some(who.trim().to_owned()).filter(|w| !w.is_empty()),
                due_on,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Minutes {
            discussion: self.besproken.clone(),
            decisions: self.besluiten.clone(),
            actions,
        })
    }

    fn row(&self, i: &usize) -> (String, String, String) {
        self.acties.get(*i).cloned().unwrap_or_default()
    }
}

async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    done: Option<&'static str>,
    errors: Vec<ValidationError>,
    failed_item: String,
    typed: RecordForm,
) -> Result<String, AppError> {
    let m = meeting::view(&state.app, user, id).await?;
    let rows = typed.acties.len().max(3);
    ShowPage {
        page: Page::for_user(m.title.clone(), "casusoverleg", user),
        organiser: m.seat == Seat::Organiser,
        guest: matches!(m.seat, Seat::Guest(_)),
        m,
        done,
        errors: errors.into_iter().map(|e| e.message).collect(),
        failed_item,
        typed,
        action_rows: (0..rows).collect(),
    }
    .render()
    .map_err(AppError::internal)
}

pub async fn show(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<MeetingId>,
    Query(q): Query<DoneQuery>,
) -> Result<Html<String>, AppError> {
    show_page(
        &state,
        &user,
        &id,
        done_text(&q.gedaan),
        vec![],
        String::new(),
        RecordForm::default(),
    )
    .await
    .map(Html)
}

fn done(id: &str, code: &str, anchor: &str) -> Response {
    Redirect::to(&format!("/overleggen/{id}?gedaan={code}{anchor}")).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AgendaForm {
    pub soort: String,
    pub netwerk: String,
    pub verwijzing: String,
    pub vraag: String,
}

pub async fn add_item(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<MeetingId>,
    CsrfForm(form): CsrfForm<AgendaForm>,
) -> Result<Response, AppError> {
    let kind = ItemKind::parse(&form.soort).unwrap_or(ItemKind::Added);
    let network = Some(form.netwerk.trim()).filter(|s| !s.is_empty());
    let referral = Some(form.verwijzing.trim()).filter(|s| !s.is_empty());
    match meeting::add_item(&state.app, &user, &id, kind, network, referral, &form.vraag).await? {
        Ok(()) => Ok(done(&id, "agenda", "#agenda")),
        Err(errors) => {
            let html = show_page(
                &state,
                &user,
                &id,
                None,
                errors,
                String::new(),
                RecordForm::default(),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

pub async fn record(
    user: CurrentUser,
    State(state): State<AppState>,
    Path((id, item)): Path<(MeetingId, MeetingItemId)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let form = RecordForm::from_pairs(pairs);
    let refused = match form.to_minutes() {
        Ok(minutes) => {
            let goal = Some(form.doel.trim()).filter(|g| !g.is_empty());
            match meeting::record(&state.app, &user, &id, &item, minutes, goal).await? {
                Ok(version) => {
                    let code = if version.is_some() { "plan" } else { "verslag" };
                    return Ok(done(&id, code, &format!("#punt-{item}")));
                }
                Err(errors) => errors,
            }
        }
        Err(errors) => errors,
    };
    let html = show_page(&state, &user, &id, None, refused, item.to_string(), form).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InviteForm {
    pub lid: String,
}

pub async fn invite(
    user: CurrentUser,
    State(state): State<AppState>,
    Path((id, item)): Path<(MeetingId, MeetingItemId)>,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<Response, AppError> {
    meeting::invite_family(&state.app, &user, &id, &item, form.lid.trim()).await?;
    Ok(done(&id, "uitgenodigd", &format!("#punt-{item}")))
}

pub async fn close(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<MeetingId>,
    CsrfForm(_): CsrfForm<EmptyForm>,
) -> Result<Response, AppError> {
    meeting::close(&state.app, &user, &id).await?;
    Ok(done(&id, "afgesloten", ""))
}
