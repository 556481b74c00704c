//! Consultation (overleg, issue 4): a GP or POH asks the social team linked to the
//! practice a question without naming the child; the team picks it up and answers in a
//! thread within the term the municipality's referral agreements set; the asker is told
//! that an answer waits, in Rondom and by an e-mail that carries no content. Subjects and messages are stored encrypted; every look is audit-logged.

use crate::access;
use crate::auth::session::{CsrfForm, CurrentUser};
use crate::error::AppError;
use crate::extract::Path;
use crate::format;
use crate::page::Page;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_db::audit::{self, AuditEvent};
use rondom_db::consultations::{self as db, Consultation, NewConsultation};
use rondom_domain::consultation::{Status, contains_bsn};
use rondom_domain::ids::ConsultationId;
use rondom_domain::validate::ValidationError;
use rondom_domain::{Action, Resource, Role, authorize, workdays};
use serde::Deserialize;
use std::collections::HashMap;

const BSN_REFUSED: &str =
    "Dit lijkt een BSN. Een overlegvraag is anoniem: laat het BSN en de naam van het kind weg.";

/// The practices this person asks for: (id, name).
fn practices_where_asking(user: &CurrentUser) -> Vec<(String, String)> {
    let asking = practices_asking(&user.actor);
    let mut out: Vec<(String, String)> = user
        .memberships
        .iter()
        .filter(|m| asking.contains(&m.organisation_id))
        .map(|m| (m.organisation_id.clone(), m.organisation_name.clone()))
        .collect();
    out.dedup();
    out
}

fn teams_where_answering(user: &CurrentUser) -> Vec<String> {
    teams_answered_by(&user.actor)
}

/// The practices on whose behalf this actor asks.
pub fn practices_asking(actor: &rondom_domain::Actor) -> Vec<String> {
    rondom_domain::policy::organisations_where(actor, rondom_domain::policy::asks_for)
}

/// The social teams whose questions this actor answers.
pub fn teams_answered_by(actor: &rondom_domain::Actor) -> Vec<String> {
    rondom_domain::policy::organisations_where(actor, rondom_domain::policy::answers_for)
}

/// The outcome of asking; the same for the page and the API.
pub enum Asked {
    Created(String),
    Invalid(Vec<ValidationError>),
}

/// Checks and stores a new question from `practice` to `team`. The caller has checked
/// that `who` may ask for `practice`.
pub async fn create_question(
    state: &AppState,
    who: &impl access::Principal,
    asker_id: &str,
    practice: &str,
    team: &str,
    subject: &str,
    question: &str,
) -> Result<Asked, AppError> {
    let p = practice.to_owned();
    let linked = state.db.read(move |c| db::teams_of_practice(c, &p)).await?;
    let mut errors = Vec::new();
    if !linked.iter().any(|(id, _)| id == team) {
        errors.push(ValidationError::new(
            "team",
            "Kies het sociaal team dat aan uw praktijk gekoppeld is.",
        ));
    }
    let subject = subject.trim();
    if subject.is_empty() || subject.chars().count() > 120 {
        errors.push(ValidationError::new(
            "onderwerp",
            "Geef de vraag een kort onderwerp (hoogstens 120 tekens), zonder naam.",
        ));
    }
    let question = question.trim();
    if question.is_empty() || question.chars().count() > 4000 {
        errors.push(ValidationError::new(
            "vraag",
            "Schrijf uw vraag (hoogstens 4000 tekens).",
        ));
    }
    if contains_bsn(subject) {
        errors.push(ValidationError::new("onderwerp", BSN_REFUSED));
    }
    if contains_bsn(question) {
        errors.push(ValidationError::new("vraag", BSN_REFUSED));
    }
    if !errors.is_empty() {
        return Ok(Asked::Invalid(errors));
    }
    let subject_sealed = state.secrets.seal(subject).map_err(AppError::internal)?;
    let question_sealed = state.secrets.seal(question).map_err(AppError::internal)?;
    // The term is the one the municipality's referral agreements set.
    let p = practice.to_owned();
    let term = state
        .db
        .read(move |c| {
            let gemeente = rondom_db::organisations::find(c, &p)?
                .map(|o| o.gemeente_code)
                .unwrap_or_default();
            crate::referral::in_force(c, &gemeente, &crate::format::today_iso())
        })
        .await?
        .rules
        .consultation_days;
    let due = workdays::add_working_days(crate::format::today(), term)
        .format("%Y-%m-%d")
        .to_string();
    let event = access::event(
        who,
        "consultation_create",
        Resource::ConsultationFrom(practice),
        "allowed",
    );
    let (practice, team, asker) = (practice.to_owned(), team.to_owned(), asker_id.to_owned());
    let id = state
        .db
        .write(move |c| {
            let id = db::create(
                c,
                &NewConsultation {
                    practice_id: &practice,
                    team_id: &team,
                    asker_id: &asker,
                    subject_sealed: &subject_sealed,
                    question_sealed: &question_sealed,
                    due_on: &due,
                },
            )?;
            audit::append(
                c,
                &AuditEvent {
                    object_type: "consultation".into(),
                    object_id: Some(id.clone()),
                    ..event
                },
            )?;
            Ok(id)
        })
        .await?;
    Ok(Asked::Created(id))
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

fn row(state: &AppState, user: &CurrentUser, l: db::Listed) -> Row {
    let status = Status::parse(&l.c.status).unwrap_or(Status::Open);
    let due = chrono::NaiveDate::parse_from_str(&l.c.due_on, "%Y-%m-%d").ok();
    Row {
        subject: state
            .secrets
            .open_shown(&l.c.subject_sealed, "consultation subject"),
        status: status.label(),
        from: format!("{} ({})", l.asker_name, l.practice_name),
        to: l.team_name,
        mine: l.c.assignee_id.as_deref() == Some(user.user_id.as_str()),
        assignee: l.assignee_name,
        due: due
            .map(|d| d.format("%d-%m-%Y").to_string())
            .unwrap_or_default(),
        due_key: l.c.due_on.clone(),
        overdue: status.awaits_team() && due.is_some_and(|d| d < crate::format::today()),
        due_soon: status.awaits_team()
            && due.is_some_and(|d| {
                d >= crate::format::today()
                    && d <= workdays::add_working_days(crate::format::today(), 1)
            }),
        id: l.c.id,
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
    let teams = teams_where_answering(&user);
    if practices.is_empty() && teams.is_empty() {
        // Logged like every refusal.
        access::require(&state, &user, Action::Read, Resource::ConsultationQueue("")).await?;
    }
    let (p, t, uid) = (practices.clone(), teams.clone(), user.user_id.clone());
    let (listed, unread) = state
        .db
        .read(move |c| Ok((db::list(c, &p, &t, 500)?, db::unread(c, &uid)?)))
        .await?;
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
        let ours_to_answer = teams.contains(&l.c.team_id);
        let asked_by_us = practices.contains(&l.c.practice_id);
        let status = Status::parse(&l.c.status).unwrap_or(Status::Open);
        let r = row(&state, &user, l);
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
    let teams = state
        .db
        .read(move |c| {
            let mut all = Vec::new();
            for p in &ids {
                all.extend(db::teams_of_practice(c, p)?);
            }
            all.sort();
            all.dedup();
            Ok(all)
        })
        .await?;
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
    let practices = practices_where_asking(&user);
    // The practice asked for, or the only one.
    let practice = if form.praktijk.is_empty() && practices.len() == 1 {
        practices[0].0.clone()
    } else {
        form.praktijk.clone()
    };
    access::require(
        &state,
        &user,
        Action::Create,
        Resource::ConsultationFrom(&practice),
    )
    .await?;
    let asked = create_question(
        &state,
        &user,
        &user.user_id,
        &practice,
        &form.team,
        &form.onderwerp,
        &form.vraag,
    )
    .await?;
    match asked {
        Asked::Created(id) => Ok(Redirect::to(&format!("/overleg/{id}")).into_response()),
        Asked::Invalid(errors) => {
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

/// The consultation, if this person may see it: otherwise 404 (and the refusal logged),
/// so that ids of others' questions reveal nothing.
pub async fn load(
    state: &AppState,
    user: &impl access::Principal,
    id: &str,
    action: Action,
) -> Result<Consultation, AppError> {
    let cid = id.to_owned();
    let c = state
        .db
        .read(move |conn| db::find(conn, &cid))
        .await?
        .ok_or(AppError::NotFound)?;
    let resource = Resource::Consultation {
        practice: &c.practice_id,
        team: &c.team_id,
    };
    if !authorize(user.actor(), action, resource).is_allowed() {
        // Named for what was tried: a refused change is not logged as a look.
        let e = access::event(
            user,
            &format!("consultation_{}", action.as_str()),
            resource,
            "denied",
        );
        access::record(
            state,
            AuditEvent {
                object_id: Some(c.id.clone()),
                ..e
            },
        )
        .await?;
        return Err(AppError::NotFound);
    }
    Ok(c)
}

/// The consultants of a team (those who pick up questions): (id, name).
fn consultants_of(
    conn: &mut rondom_db::AnyConnection,
    team_id: &str,
) -> Result<Vec<(String, String)>, rondom_db::DbError> {
    Ok(rondom_db::organisations::members(conn, team_id)?
        .into_iter()
        .filter(|m| m.role == Role::Consulent.as_str() && !m.disabled)
        .map(|m| (m.user_id, m.name))
        .collect())
}

fn answers(user: &CurrentUser, c: &Consultation) -> bool {
    authorize(
        &user.actor,
        Action::Read,
        Resource::ConsultationQueue(&c.team_id),
    )
    .is_allowed()
}

/// Proof that a look at one consultation was written to the audit log: the thread page
/// (which opens the question and the messages) takes one, and only `record_read` makes
/// one, so the page shown again after a failed message is logged like the first look.
pub struct Disclosure {
    consultation_id: String,
}

/// Logs a look at a consultation, and reads its notices for this person.
pub async fn record_read(
    state: &AppState,
    user: &CurrentUser,
    c: &Consultation,
) -> Result<Disclosure, AppError> {
    let e = access::event(
        user,
        "consultation_read",
        Resource::Consultation {
            practice: &c.practice_id,
            team: &c.team_id,
        },
        "allowed",
    );
    let id = c.id.clone();
    let link = format!("/overleg/{id}");
    let uid = user.user_id.clone();
    state
        .db
        .write(move |conn| {
            audit::append(
                conn,
                &AuditEvent {
                    object_id: Some(id.clone()),
                    ..e
                },
            )?;
            db::mark_read(conn, &uid, &link)
        })
        .await?;
    Ok(Disclosure {
        consultation_id: c.id.clone(),
    })
}

async fn thread_page(
    state: &AppState,
    user: &CurrentUser,
    c: Consultation,
    seen: &Disclosure,
    error: Option<String>,
) -> Result<String, AppError> {
    if seen.consultation_id != c.id {
        return Err(AppError::internal(
            "a consultation was about to be shown with another one's logged look",
        ));
    }
    let cid = c.id.clone();
    let assignee_id = c.assignee_id.clone();
    let team_side = answers(user, &c);
    let team_id = c.team_id.clone();
    let (messages, assignee, colleagues) = state
        .db
        .read(move |conn| {
            let m = db::messages(conn, &cid)?;
            let a = match assignee_id {
                Some(a) => rondom_db::users::get(conn, &a).ok().map(|u| u.name),
                None => None,
            };
            let colleagues = if team_side {
                consultants_of(conn, &team_id)?
            } else {
                vec![]
            };
            Ok((m, a, colleagues))
        })
        .await?;
    let status = Status::parse(&c.status).unwrap_or(Status::Open);
    let due = chrono::NaiveDate::parse_from_str(&c.due_on, "%Y-%m-%d").ok();
    let team_side = answers(user, &c);
    ThreadPage {
        page: Page::for_user(
            state
                .secrets
                .open_shown(&c.subject_sealed, "consultation subject"),
            "overleg",
            user,
        ),
        subject: state
            .secrets
            .open_shown(&c.subject_sealed, "consultation subject"),
        status: status.label(),
        due: due
            .map(|d| d.format("%d-%m-%Y").to_string())
            .unwrap_or_default(),
        overdue: status.awaits_team() && due.is_some_and(|d| d < crate::format::today()),
        assignee,
        messages: messages
            .into_iter()
            .map(|(author_id, name, sealed, at)| Message {
                from_team: author_id != c.asker_id,
                author: name,
                when: format::datetime(at),
                body: state.secrets.open_shown(&sealed, "consultation message"),
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
        can_refer: !team_side
            && authorize(
                &user.actor,
                Action::Create,
                Resource::ReferralFrom(&c.practice_id),
            )
            .is_allowed(),
        id: c.id,
        error,
    }
    .render()
    .map_err(AppError::internal)
}

pub async fn show(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ConsultationId>,
) -> Result<Html<String>, AppError> {
    let c = load(&state, &user, &id, Action::Read).await?;
    let seen = record_read(&state, &user, &c).await?;
    thread_page(&state, &user, c, &seen, None).await.map(Html)
}

pub async fn pick_up(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ConsultationId>,
    CsrfForm(_): CsrfForm<crate::auth::session::EmptyForm>,
) -> Result<Response, AppError> {
    let c = load(&state, &user, &id, Action::Update).await?;
    if !answers(&user, &c) {
        return Err(AppError::Forbidden);
    }
    let e = access::event(
        &user,
        "consultation_pick_up",
        Resource::Consultation {
            practice: &c.practice_id,
            team: &c.team_id,
        },
        "allowed",
    );
    let uid = user.user_id.clone();
    let cid = id.clone();
    state
        .db
        .write(move |conn| {
            db::set_status(conn, &cid, Status::PickedUp.code(), Some(&uid), false)?;
            audit::append(
                conn,
                &AuditEvent {
                    object_id: Some(cid.to_string()),
                    ..e
                },
            )
        })
        .await?;
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
    let c = load(&state, &user, &id, Action::Update).await?;
    let status = Status::parse(&c.status).unwrap_or(Status::Open);
    let body = form.bericht.trim().to_owned();
    let error = if status == Status::Closed {
        Some("Deze vraag is afgesloten.".to_owned())
    } else if body.is_empty() || body.chars().count() > 4000 {
        Some("Schrijf een bericht (hoogstens 4000 tekens).".to_owned())
    } else if contains_bsn(&body) {
        Some(BSN_REFUSED.to_owned())
    } else {
        None
    };
    if let Some(e) = error {
        let seen = record_read(&state, &user, &c).await?;
        let page = thread_page(&state, &user, c, &seen, Some(e)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response());
    }
    let team_side = answers(&user, &c);
    let sealed = state.secrets.seal(&body).map_err(AppError::internal)?;
    let e = access::event(
        &user,
        "consultation_message",
        Resource::Consultation {
            practice: &c.practice_id,
            team: &c.team_id,
        },
        "allowed",
    );
    let uid = user.user_id.clone();
    let cid = id.clone();
    let asker = c.asker_id.clone();
    let link = format!("/overleg/{id}");
    let asker_email = if team_side {
        let a = asker.clone();
        state
            .db
            .read(move |conn| rondom_db::users::get(conn, &a))
            .await
            .ok()
            .map(|u| u.email)
    } else {
        None
    };
    state
        .db
        .write(move |conn| {
            db::add_message(conn, &cid, &uid, &sealed)?;
            if team_side {
                // An answer: the asker is told, without content.
                let assignee = c.assignee_id.as_deref().unwrap_or(&uid).to_owned();
                db::set_status(conn, &cid, Status::Answered.code(), Some(&assignee), true)?;
                db::notify(
                    conn,
                    &asker,
                    "Het sociaal team heeft uw overlegvraag beantwoord.",
                    &link,
                )?;
            } else if status == Status::Answered {
                // The asker asks on: back to the team.
                db::set_status(conn, &cid, Status::PickedUp.code(), None, false)?;
            }
            audit::append(
                conn,
                &AuditEvent {
                    object_id: Some(cid.to_string()),
                    ..e
                },
            )
        })
        .await?;
    if let Some(to) = asker_email {
        state.mailer.send_later(
            to,
            "Antwoord van het sociaal team in Rondom".into(),
            format!(
                "Het sociaal team heeft uw overlegvraag beantwoord.\n\nLees het antwoord in Rondom: {}/overleg/{id}\n\nOm privacyredenen staat de inhoud niet in deze e-mail.\n",
                state.settings.base_url.trim_end_matches('/')
            ),
        );
    }
    Ok(Redirect::to(&format!("/overleg/{id}")).into_response())
}

pub async fn close(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ConsultationId>,
    CsrfForm(_): CsrfForm<crate::auth::session::EmptyForm>,
) -> Result<Response, AppError> {
    let c = load(&state, &user, &id, Action::Update).await?;
    if answers(&user, &c)
        && !authorize(
            &user.actor,
            Action::Create,
            Resource::ConsultationFrom(&c.practice_id),
        )
        .is_allowed()
    {
        // The asker closes a question; the team answers it.
        return Err(AppError::Forbidden);
    }
    let e = access::event(
        &user,
        "consultation_close",
        Resource::Consultation {
            practice: &c.practice_id,
            team: &c.team_id,
        },
        "allowed",
    );
    let cid = id.clone();
    state
        .db
        .write(move |conn| {
            db::set_status(conn, &cid, Status::Closed.code(), None, false)?;
            audit::append(
                conn,
                &AuditEvent {
                    object_id: Some(cid.to_string()),
                    ..e
                },
            )
        })
        .await?;
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
    let c = load(&state, &user, &id, Action::Update).await?;
    if !answers(&user, &c) {
        return Err(AppError::Forbidden);
    }
    let team = c.team_id.clone();
    let colleagues = state
        .db
        .read(move |conn| consultants_of(conn, &team))
        .await?;
    let Some((to, name)) = colleagues.into_iter().find(|(u, _)| *u == form.consulent) else {
        let seen = record_read(&state, &user, &c).await?;
        let page = thread_page(
            &state,
            &user,
            c,
            &seen,
            Some("Kies een consulent van het team.".into()),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response());
    };
    if !Status::parse(&c.status).is_some_and(Status::awaits_team) {
        let seen = record_read(&state, &user, &c).await?;
        let page = thread_page(
            &state,
            &user,
            c,
            &seen,
            Some("Deze vraag is al beantwoord of afgesloten.".into()),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response());
    }
    let e = access::event(
        &user,
        "consultation_assign",
        Resource::Consultation {
            practice: &c.practice_id,
            team: &c.team_id,
        },
        "allowed",
    );
    let cid = id.clone();
    let link = format!("/overleg/{id}");
    let by_self = to == user.user_id;
    state
        .db
        .write(move |conn| {
            db::set_status(conn, &cid, Status::PickedUp.code(), Some(&to), false)?;
            if !by_self {
                db::notify(conn, &to, "Er is een overlegvraag aan u toegewezen.", &link)?;
            }
            audit::append(
                conn,
                &AuditEvent {
                    reason: Some(format!("toegewezen aan {name}")),
                    object_id: Some(cid.to_string()),
                    ..e
                },
            )
        })
        .await?;
    Ok(Redirect::to(&format!("/overleg/{id}")).into_response())
}
