//! A referral's page: its moves, feedback, case director, onward referral and
//! attachments, each action shown again with its problems when refused.

use super::inbox_page::{Row, row};
use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::format;
use crate::page::Page;
use crate::referral;
use crate::referral::{Detail, MoveInput, allowed_moves, is_overdue};
use crate::session::{CsrfForm, CurrentUser};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_app::Disclosed;
use rondom_app::referral as db;
use rondom_domain::Action;
use rondom_domain::catalogue::{PROBLEM_AREAS, label, parse_areas};
use rondom_domain::ids::{AttachmentId, ReferralId};
use rondom_domain::policy::{receives_for, refers_for};
use rondom_domain::referral::Status;
use rondom_domain::validate::ValidationError;
use serde::Deserialize;
use std::collections::HashMap;

/// A move offered as a button named for what it does.
pub struct MoveChoice {
    pub code: &'static str,
    pub action: &'static str,
}

/// The moves this page offers, grouped by what each asks for.
#[derive(Default)]
pub struct Actions {
    /// Done with one click: receipt, start, resume.
    pub plain: Vec<MoveChoice>,
    /// Acceptance (with a case director when a team accepts).
    pub accept: bool,
    /// Accept and start in one step (a provider that starts at once).
    pub accept_and_start: bool,
    /// Each asks for a reason: reject, pause, withdraw, stop.
    pub with_reason: Vec<MoveChoice>,
    pub complete: bool,
    /// Send a draft.
    pub send: bool,
}

impl Actions {
    fn of(moves: &[Status], from: Status, to_team: bool) -> Self {
        let mut a = Actions::default();
        for &to in moves {
            let choice = MoveChoice {
                code: to.code(),
                action: to.action(from),
            };
            match to {
                Status::Accepted => {
                    a.accept = true;
                    a.accept_and_start = !to_team;
                }
                Status::Completed => a.complete = true,
                Status::Requested => a.send = true,
                s if s.needs_reason() => a.with_reason.push(choice),
                _ => a.plain.push(choice),
            }
        }
        a
    }

    fn is_empty(&self) -> bool {
        self.plain.is_empty()
            && !self.accept
            && self.with_reason.is_empty()
            && !self.complete
            && !self.send
    }
}

#[derive(Template)]
#[template(path = "referral/show.html")]
struct ShowPage {
    page: Page,
    d: Disclosed<Detail>,
    status: Status,
    due: String,
    overdue: bool,
    urgency: &'static str,
    areas: Vec<&'static str>,
    actions: Actions,
    /// What the last action did, in words ("Geaccepteerd; Anouk Vos is casusregisseur.").
    done: Option<String>,
    /// (id, name) of who may direct the case, for a team's acceptance.
    directors: Vec<(String, String)>,
    needs_director: bool,
    can_feedback: bool,
    can_refer_on: bool,
    can_change_director: bool,
    services: Vec<(String, String)>,
    errors: HashMap<&'static str, String>,
    error: Option<String>,
    form: MoveForm,
    /// (link, to, service, status, sent, ended, outcome passed on)
    chain: Vec<ChainRow>,
    parent: Option<Row>,
    created: String,
    /// (when, from, to, who, reason)
    timeline: Vec<(String, String, &'static str, String, String)>,
    /// (kind, author, when, text)
    feedback: Vec<(&'static str, String, String, String)>,
    /// The child's network, when there is one.
    network: Option<String>,
    /// Whether this person may open the child's network from here.
    can_open_network: bool,
    /// Networks around the same child that this person is not in.
    recognised: Vec<rondom_app::network::join::Recognised>,
}

/// An onward referral as the parent's page lists it.
pub struct ChainRow {
    /// Only for those who may open it.
    pub link: Option<String>,
    pub to: String,
    pub status: &'static str,
    pub sent: String,
    pub ended: String,
    pub passed_on: bool,
}

fn chain_row(l: &rondom_app::referral::ChainLink) -> ChainRow {
    ChainRow {
        link: l.id.as_deref().map(referral::link),
        to: match &l.service {
            Some(s) => format!("{s} ({})", l.to_name),
            None => l.to_name.clone(),
        },
        status: l.status.label(),
        sent: format::long_date(format::to_local(l.sent).date()),
        ended: l
            .ended
            .map(|e| format::long_date(format::to_local(e).date()))
            .unwrap_or_default(),
        passed_on: l.outcome_passed_on,
    }
}

/// What the page says after an action, from the action's code in the address and the
/// referral as it now stands (the address carries no text of its own).
fn done_message(code: &str, d: &Detail) -> Option<String> {
    let l = &d.listed;
    let director = l.case_director_name.as_deref();
    Some(match code {
        "verstuurd" => format!("Verstuurd aan {}.", l.to_name),
        "concept" => "Opgeslagen als concept. Nog niet verstuurd.".to_owned(),
        "terugkoppeling" => format!("Terugkoppeling verstuurd aan {}.", l.referrer_name),
        "casusregisseur" => format!("{} is nu casusregisseur.", director?),
        "bijlage" => "Bijlage toegevoegd.".to_owned(),
        "netwerk-gevraagd" => {
            "Gevraagd om mee te doen in het netwerk. De casusregisseur krijgt bericht.".to_owned()
        }
        "doorverwezen" => format!("Doorverwezen naar {}.", l.to_name),
        "doorgestuurd" => format!("Uitkomst doorgestuurd aan {}.", l.referrer_name),
        "geaccepteerd-gestart" => "Geaccepteerd en gestart.".to_owned(),
        code => {
            let s = Status::parse(code)?;
            match (s, director) {
                (Status::Accepted, Some(cd)) => format!("Geaccepteerd; {cd} is casusregisseur."),
                (Status::Requested, _) => format!("Verstuurd aan {}.", l.to_name),
                (s, _) => format!("{}.", s.done()),
            }
        }
    })
}

/// Back to the referral's page, which then says what was done.
fn done(id: &str, code: &str) -> Response {
    Redirect::to(&format!("{}?gedaan={code}", referral::link(id))).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    pub gedaan: String,
}

/// What the page says about the last action: what was done, or what was wrong with it
/// (and the form as it was filled in).
#[derive(Default)]
struct Said {
    errors: Vec<ValidationError>,
    error: Option<String>,
    form: MoveForm,
    done: Option<String>,
}

async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    r: db::Referral,
    d: Disclosed<Detail>,
    said: Said,
) -> Result<String, AppError> {
    let Said {
        errors,
        error,
        form,
        done,
    } = said;
    let status = r.status;
    let moves = allowed_moves(&user.actor, &r);
    let receiver = receives_for(&user.actor, &r.to_org_id);
    let may_refer_on =
        receiver && refers_for(&user.actor, &r.to_org_id) && Status::is_running(r.status);
    let rondom_app::referral::PageChoices {
        to_team,
        directors,
        services,
    } = rondom_app::referral::page_choices(&state.app, &r.to_org_id, may_refer_on).await?;
    let today = format::today();
    let (network, can_open_network) =
        rondom_app::network::for_referral(&state.app, user, &r).await?;
    let recognised = rondom_app::network::join::recognised(&state.app, user, &r).await?;
    ShowPage {
        recognised,
        network: network.map(|n| n.to_string()),
        can_open_network,
        // Not the child's name: titles end up in browser history on shared computers.
        page: Page::for_user("Verwijzing", "verwijzingen", user),
        status,
        due: r.due_on.map(format::dutch_date).unwrap_or_default(),
        overdue: is_overdue(status, r.due_on, today),
        urgency: r.urgency.label(),
        areas: parse_areas(&r.problem_areas)
            .into_iter()
            .filter_map(|a| label(PROBLEM_AREAS, a))
            .collect(),
        needs_director: to_team && moves.contains(&Status::Accepted),
        created: format::datetime(r.created_at),
        actions: Actions::of(&moves, status, to_team),
        done,
        can_feedback: receiver && (status.is_running() || status.awaits_acceptance()),
        can_refer_on: to_team
            && receiver
            && refers_for(&user.actor, &r.to_org_id)
            && status.is_running(),
        can_change_director: to_team && receiver && status.is_running(),
        directors: if to_team && receiver {
            directors
        } else {
            vec![]
        },
        services,
        errors: crate::page::field_errors(errors),
        error,
        form,
        chain: d.chain.iter().map(chain_row).collect(),
        parent: d.parent.as_ref().map(row),
        timeline: d
            .events
            .iter()
            .map(|(f, t, who, reason, at)| {
                (
                    format::datetime(*at),
                    f.map(|f| f.label().to_owned()).unwrap_or_default(),
                    t.label(),
                    who.clone(),
                    reason.clone().unwrap_or_default(),
                )
            })
            .collect(),
        feedback: d
            .feedback
            .iter()
            .map(|(k, who, text, at)| (k.label(), who.clone(), format::datetime(*at), text.clone()))
            .collect(),
        d,
    }
    .render()
    .map_err(AppError::internal)
}

pub async fn show(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ReferralId>,
    Query(q): Query<ShowQuery>,
) -> Result<Html<String>, AppError> {
    let mut r = referral::load(&state.app, &user, &id, Action::Read).await?;
    let (received, d) = referral::open(&state.app, &user, &r, true).await?;
    if received {
        // This first look marked it received.
        r.status = Status::Received;
    }
    let done = done_message(&q.gedaan, &d);
    show_page(
        &state,
        &user,
        r,
        d,
        Said {
            done,
            ..Said::default()
        },
    )
    .await
    .map(Html)
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct MoveForm {
    pub naar: String,
    pub reden: String,
    pub toelichting: String,
    pub casusregisseur: String,
    pub hulp: String,
    pub door: String,
    pub vervolg: String,
    /// "ja" with an acceptance: start at once too.
    pub starten: String,
}

pub async fn change_status(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ReferralId>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<Response, AppError> {
    let r = referral::load(&state.app, &user, &id, Action::Update).await?;
    let input = MoveInput {
        to: form.naar.clone(),
        reason: form.reden.clone(),
        note: form.toelichting.clone(),
        case_director: form.casusregisseur.clone(),
        help_given: form.hulp.clone(),
        given_by: form.door.clone(),
        next: form.vervolg.clone(),
        and_start: form.starten == "ja",
    };
    let outcome = referral::make_move(&state.app, &user, r.clone(), input).await;
    let (errors, error) = match outcome {
        Ok(Ok(())) => {
            let code = match Status::parse(&form.naar) {
                Some(Status::Accepted) if form.starten == "ja" => "geaccepteerd-gestart",
                Some(s) => s.code(),
                None => "",
            };
            return Ok(done(&id, code));
        }
        Ok(Err(errors)) => (errors, None),
        Err(rondom_app::Error::TransitionNotAllowed { message, .. }) => (vec![], Some(message)),
        Err(e) => return Err(e.into()),
    };
    let status = if error.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    // Shown again with the problems: a look like any other, logged like any other.
    let (_, d) = referral::open(&state.app, &user, &r, false).await?;
    let said = Said {
        errors,
        error,
        form,
        done: None,
    };
    let page = show_page(&state, &user, r, d, said).await?;
    Ok((status, Html(page)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FeedbackForm {
    pub terugkoppeling: String,
}

pub async fn feedback(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ReferralId>,
    CsrfForm(form): CsrfForm<FeedbackForm>,
) -> Result<Response, AppError> {
    let r = referral::load(&state.app, &user, &id, Action::Update).await?;
    match referral::give_feedback(&state.app, &user, r.clone(), &form.terugkoppeling).await? {
        Ok(()) => Ok(done(&id, "terugkoppeling")),
        Err(errors) => invalid(&state, &user, r, errors).await,
    }
}

async fn invalid(
    state: &AppState,
    user: &CurrentUser,
    r: db::Referral,
    errors: Vec<ValidationError>,
) -> Result<Response, AppError> {
    let (_, d) = referral::open(&state.app, user, &r, false).await?;
    let said = Said {
        errors,
        ..Said::default()
    };
    let page = show_page(state, user, r, d, said).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PassOnForm {
    pub doorverwijzing: String,
    pub toelichting: String,
}

/// The case director passes the outcome of ended onward help on to the first referrer.
pub async fn pass_on(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ReferralId>,
    CsrfForm(form): CsrfForm<PassOnForm>,
) -> Result<Response, AppError> {
    let r = referral::load(&state.app, &user, &id, Action::Update).await?;
    match referral::pass_on_outcome(
        &state.app,
        &user,
        r.clone(),
        &form.doorverwijzing,
        &form.toelichting,
    )
    .await?
    {
        Ok(()) => Ok(done(&id, "doorgestuurd")),
        Err(errors) => invalid(&state, &user, r, errors).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DirectorForm {
    pub casusregisseur: String,
}

pub async fn case_director(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ReferralId>,
    CsrfForm(form): CsrfForm<DirectorForm>,
) -> Result<Response, AppError> {
    let r = referral::load(&state.app, &user, &id, Action::Update).await?;
    match referral::change_case_director(&state.app, &user, r.clone(), &form.casusregisseur).await?
    {
        Ok(()) => Ok(done(&id, "casusregisseur")),
        Err(errors) => invalid(&state, &user, r, errors).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OnwardForm {
    pub aanbod: String,
    pub reden: String,
}

pub async fn refer_on(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ReferralId>,
    CsrfForm(form): CsrfForm<OnwardForm>,
) -> Result<Response, AppError> {
    let r = referral::load(&state.app, &user, &id, Action::Update).await?;
    match referral::refer_on(&state.app, &user, r.clone(), &form.aanbod, &form.reden).await? {
        Ok(new_id) => Ok(done(&new_id, "doorverwezen")),
        Err(errors) => invalid(&state, &user, r, errors).await,
    }
}

/// Upload of an attachment (multipart, with the CSRF token as a field).
pub async fn upload(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ReferralId>,
    mut multipart: Multipart,
) -> Result<Response, AppError> {
    let r = referral::load(&state.app, &user, &id, Action::Update).await?;
    let too_big = || {
        vec![ValidationError::new(
            "bijlage",
            "Het bestand is groter dan 5 MB.",
        )]
    };
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return invalid(&state, &user, r, too_big()).await;
            }
            Err(_) => {
                return Err(AppError::BadRequest(
                    "Het formulier is niet goed verstuurd. Probeer het opnieuw.".into(),
                ));
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().unwrap_or_default().to_owned();
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return invalid(&state, &user, r, too_big()).await;
            }
            Err(_) => {
                return Err(AppError::BadRequest(
                    "Het bestand kwam niet goed aan. Probeer het opnieuw.".into(),
                ));
            }
        };
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "bijlage" => file = Some((file_name, bytes.to_vec())),
            _ => {}
        }
    }
    if !crate::auth::constant_time_eq(&csrf, &user.csrf) {
        return Err(AppError::Csrf);
    }
    let (name, bytes) = file.unwrap_or_default();
    match referral::attach(&state.app, &user, &r, &name, &bytes).await? {
        Ok(_) => Ok(done(&id, "bijlage")),
        Err(errors) => invalid(&state, &user, r, errors).await,
    }
}

pub async fn download(
    user: CurrentUser,
    State(state): State<AppState>,
    Path((id, attachment)): Path<(ReferralId, AttachmentId)>,
) -> Result<Response, AppError> {
    let r = referral::load(&state.app, &user, &id, Action::Read).await?;
    let file = referral::open_attachment(&state.app, &user, &r, &attachment)
        .await?
        .into_inner();
    Ok(crate::page::file_download(
        file.file_name,
        &file.media_type,
        file.bytes,
    ))
}
