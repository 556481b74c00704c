//! Consultation (overleg, issue 4): a GP or POH asks the social team linked to the
//! practice a question without naming the child; the team picks it up and answers in a
//! thread within the term the municipality's referral agreements set; the asker is told
//! that an answer waits, in Rondom and by an e-mail that carries no content. Subjects and messages are stored encrypted; every look is audit-logged.

use crate::access;
use crate::error::AppError;
use crate::extract::Path;
use crate::format;
use crate::page::Page;
use crate::session::{CsrfForm, CurrentUser};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_app::Disclosed;
use rondom_app::consultation::Consultation;
use rondom_app::consultation::Thread;
use rondom_domain::consultation::Status;
use rondom_domain::ids::ConsultationId;
use rondom_domain::validate::ValidationError;
use rondom_domain::{Action, Resource, workdays};
use serde::Deserialize;
use std::collections::HashMap;

pub use rondom_app::consultation::{answers, load, practices_asking, teams_answered_by};

/// The practices this person asks for: (id, name).
fn practices_where_asking(user: &CurrentUser) -> Vec<(String, String)> {
    let asking = practices_asking(&user.actor);
    let mut out: Vec<(String, String)> = user
        .memberships
        .iter()
        .filter(|m| asking.iter().any(|a| *a == m.organisation_id))
        .map(|m| (m.organisation_id.to_string(), m.organisation_name.clone()))
        .collect();
    out.dedup();
    out
}

pub struct Row {
    pub id: String,
    pub subject: String,
    pub status: &'static str,
    pub from: String,
    pub to: String,
    pub assignee: Option<String>,
    pub due: String,
    pub overdue: bool,
    /// Due today or on the next working day.
    pub due_soon: bool,
    /// yyyy-mm-dd, for ordering.
    due_key: String,
    pub mine: bool,
}

#[derive(Template)]
#[template(path = "consultation/list.html")]
struct ListPage {
    page: Page,
    /// Unread notices for this person: (text, link).
    notices: Vec<(String, String)>,
    can_ask: bool,
    asked: Vec<Row>,
    new: Vec<Row>,
    mine: Vec<Row>,
    other_open: Vec<Row>,
    done: Vec<Row>,
}

fn row(user: &CurrentUser, shown: rondom_app::consultation::Listed) -> Row {
    let l = shown.listed;
    let status = l.c.status;
    let (due, today) = (l.c.due_on, crate::format::today());
    Row {
        subject: shown.subject,
        status: status.label(),
        from: format!("{} ({})", l.asker_name, l.practice_name),
        to: l.team_name,
        mine: l.c.assignee_id.as_deref() == Some(user.user_id.as_str()),
        assignee: l.assignee_name,
        due: crate::format::dutch_date(due),
        due_key: due.to_string(),
        overdue: status.awaits_team() && due < today,
        due_soon: status.awaits_team()
            && due >= today
            && due <= workdays::add_working_days(today, 1),
        id: l.c.id.into_inner(),
    }
}

pub async fn list(
    user: CurrentUser,
    State(state): State<AppState>,
) -> Result<Html<String>, AppError> {
    let practices: Vec<String> = practices_where_asking(&user)
        .into_iter()
        .map(|p| p.0)
        .collect();
    let teams = teams_answered_by(&user.actor);
    if practices.is_empty() && teams.is_empty() {
        // Logged like every refusal.
        access::require(&state, &user, Action::Read, Resource::ConsultationQueue("")).await?;
    }
    let listed =
        rondom_app::consultation::list(&state.app, practices.clone(), teams.clone(), 500).await?;
    let unread = rondom_app::account::unread_notices(&state.app, &user).await?;
    let mut page = ListPage {
        page: Page::for_user("Overleg", "overleg", &user),
        notices: unread
            .into_iter()
            .map(|(_, text, link, _)| (text, link))
            .collect(),
        can_ask: !practices.is_empty(),
        asked: vec![],
        new: vec![],
        mine: vec![],
        other_open: vec![],
        done: vec![],
    };
    for l in listed {
        let ours_to_answer = teams.iter().any(|t| *t == l.listed.c.team_id);
        let asked_by_us = practices.iter().any(|p| *p == l.listed.c.practice_id);
        let status = l.listed.c.status;
        let r = row(&user, l);
        if asked_by_us {
            page.asked.push(r);
        } else if ours_to_answer {
            match status {
                Status::Open => page.new.push(r),
                Status::PickedUp if r.mine => page.mine.push(r),
                Status::PickedUp => page.other_open.push(r),
                _ => page.done.push(r),
            }
        }
    }
    // The team works the oldest deadline first.
    for v in [&mut page.new, &mut page.mine, &mut page.other_open] {
        v.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(a.due_key.cmp(&b.due_key)));
    }
    page.done.truncate(20);
    page.render().map(Html).map_err(AppError::internal)
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AskForm {
    pub praktijk: String,
    pub team: String,
    pub onderwerp: String,
    pub vraag: String,
    /// "ja": the asker checked that the text does not identify the child.
    pub anoniem_bevestigd: String,
}

pub struct Choice {
    pub id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "consultation/ask.html")]
struct AskPage {
    page: Page,
    form: AskForm,
    practices: Vec<Choice>,
    teams: Vec<Choice>,
    errors: HashMap<&'static str, String>,
}

async fn ask_page(
    state: &AppState,
    user: &CurrentUser,
    form: AskForm,
    errors: Vec<ValidationError>,
) -> Result<String, AppError> {
    let practices = practices_where_asking(user);
    let ids: Vec<String> = practices.iter().map(|p| p.0.clone()).collect();
    let teams = rondom_app::consultation::teams_of_practices(&state.app, ids).await?;
    AskPage {
        page: Page::for_user("Vraag het sociaal team", "overleg", user),
        form,
        practices: practices
            .into_iter()
            .map(|(id, name)| Choice { id, name })
            .collect(),
        teams: teams
            .into_iter()
            .map(|(id, name)| Choice { id, name })
            .collect(),
        errors: crate::page::field_errors(errors),
    }
    .render()
    .map_err(AppError::internal)
}

pub async fn ask_form(
    user: CurrentUser,
    State(state): State<AppState>,
) -> Result<Html<String>, AppError> {
    let practices = practices_where_asking(&user);
    let first = practices.first().map(|p| p.0.clone()).unwrap_or_default();
    access::require(
        &state,
        &user,
        Action::Create,
        Resource::ConsultationFrom(&first),
    )
    .await?;
    ask_page(&state, &user, AskForm::default(), vec![])
        .await
        .map(Html)
}

pub async fn ask(
    user: CurrentUser,
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<AskForm>,
) -> Result<Response, AppError> {
    let asked = rondom_app::consultation::create_question(
        &state.app,
        &user,
        &rondom_app::consultation::NewQuestion {
            practice: form.praktijk.clone(),
            team: form.team.clone(),
            subject: form.onderwerp.clone(),
            question: form.vraag.clone(),
            confirmed_anonymous: form.anoniem_bevestigd == "ja",
        },
    )
    .await?;
    match asked {
        Ok(id) => Ok(Redirect::to(&format!("/overleg/{id}")).into_response()),
        Err(errors) => {
            let page = ask_page(&state, &user, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response())
        }
    }
}

pub struct Message {
    pub author: String,
    pub from_team: bool,
    pub when: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "consultation/thread.html")]
struct ThreadPage {
    page: Page,
    id: String,
    subject: String,
    status: &'static str,
    due: String,
    overdue: bool,
    assignee: Option<String>,
    messages: Vec<Message>,
    can_pick_up: bool,
    /// The team's consultants a team member may hand the question to: (id, name).
    colleagues: Vec<(String, String)>,
    can_write: bool,
    can_close: bool,
    /// The asker may turn the question into a referral without retyping.
    can_refer: bool,
    error: Option<String>,
}

async fn thread_page(
    state: &AppState,
    user: &CurrentUser,
    c: Consultation,
    thread: Disclosed<Thread>,
    error: Option<String>,
) -> Result<String, AppError> {
    let team_side = answers(&user.actor, &c);
    let colleagues = if team_side {
        rondom_app::consultation::colleagues(&state.app, &c.team_id).await?
    } else {
        vec![]
    };
    let thread = thread.into_inner();
    let status = c.status;
    let due = c.due_on;
    ThreadPage {
        page: Page::for_user(thread.subject.clone(), "overleg", user),
        subject: thread.subject,
        status: status.label(),
        due: crate::format::dutch_date(due),
        overdue: status.awaits_team() && due < crate::format::today(),
        assignee: thread.listed.assignee_name,
        messages: thread
            .messages
            .into_iter()
            .map(|m| Message {
                from_team: m.from_team,
                author: m.author,
                when: format::datetime(m.at),
                body: m.body,
            })
            .collect(),
        can_pick_up: team_side && status == Status::Open,
        colleagues: if status.awaits_team() {
            colleagues
        } else {
            vec![]
        },
        can_write: status != Status::Closed,
        can_close: !team_side && status != Status::Closed,
        can_refer: !team_side && rondom_app::consultation::may_refer(&user.actor, &c),
        id: c.id.into_inner(),
        error,
    }
    .render()
    .map_err(AppError::internal)
}

/// The thread again, with what went wrong (its look logged like any other).
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    c: Consultation,
    errors: Vec<ValidationError>,
) -> Result<Response, AppError> {
    let thread = rondom_app::consultation::open(&state.app, user, &c, None).await?;
    let message = errors.into_iter().next().map(|e| e.message);
    let page = thread_page(state, user, c, thread, message).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response())
}

pub async fn show(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ConsultationId>,
) -> Result<Html<String>, AppError> {
    let c = load(&state.app, &user, &id, Action::Read).await?;
    let thread = rondom_app::consultation::open(&state.app, &user, &c, None).await?;
    thread_page(&state, &user, c, thread, None).await.map(Html)
}

pub async fn pick_up(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ConsultationId>,
    CsrfForm(_): CsrfForm<crate::session::EmptyForm>,
) -> Result<Response, AppError> {
    let c = load(&state.app, &user, &id, Action::Update).await?;
    rondom_app::consultation::pick_up(&state.app, &user, &c).await?;
    Ok(Redirect::to(&format!("/overleg/{id}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MessageForm {
    pub bericht: String,
}

pub async fn write(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ConsultationId>,
    CsrfForm(form): CsrfForm<MessageForm>,
) -> Result<Response, AppError> {
    let c = load(&state.app, &user, &id, Action::Update).await?;
    match rondom_app::consultation::write(&state.app, &user, c.clone(), &form.bericht).await? {
        Ok(()) => Ok(Redirect::to(&format!("/overleg/{id}")).into_response()),
        Err(errors) => refused(&state, &user, c, errors).await,
    }
}

pub async fn close(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ConsultationId>,
    CsrfForm(_): CsrfForm<crate::session::EmptyForm>,
) -> Result<Response, AppError> {
    let c = load(&state.app, &user, &id, Action::Update).await?;
    rondom_app::consultation::close(&state.app, &user, &c).await?;
    Ok(Redirect::to("/overleg").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AssignForm {
    pub consulent: String,
}

/// Hands a question to a consultant of the team (a team leader dividing the work, or a
/// consultant passing it on).
pub async fn assign(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ConsultationId>,
    CsrfForm(form): CsrfForm<AssignForm>,
) -> Result<Response, AppError> {
    let c = load(&state.app, &user, &id, Action::Update).await?;
    match rondom_app::consultation::assign(&state.app, &user, &c, &form.consulent).await? {
        Ok(()) => Ok(Redirect::to(&format!("/overleg/{id}")).into_response()),
        Err(errors) => refused(&state, &user, c, errors).await,
    }
}
