//! The referral pages: the inbox per role (/verwijzingen), the form for a new referral
//! (also from a consultation), a referral's page with its moves, feedback, case director,
//! onward referral and attachments.

use super::{
    Created, Detail, MoveInput, NewInput, Shown, allowed_moves, case_directors_of, is_overdue,
    parse_date,
};
use crate::access;
use crate::auth::session::{CsrfForm, CurrentUser};
use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::format;
use crate::page::Page;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_app::Disclosed;
use rondom_db::referrals::{self as db, Filter, Listed};
use rondom_domain::catalogue::{PROBLEM_AREAS, label, parse_areas};
use rondom_domain::ids::{AttachmentId, ReferralId};
use rondom_domain::policy::{receives_for, refers_for};
use rondom_domain::referral::{Status, Urgency};
use rondom_domain::validate::ValidationError;
use rondom_domain::{Action, OrganisationKind, Resource, Role, workdays};
use serde::Deserialize;
use std::collections::HashMap;

pub struct Row {
    pub id: String,
    pub child: String,
    pub age: String,
    pub from: String,
    pub to: String,
    pub status: &'static str,
    pub urgent: bool,
    pub due: String,
    pub overdue: bool,
    pub case_director: Option<String>,
    pub created: String,
}

/// A row of a list whose look was logged (`referral::disclose_list`).
pub fn row(s: &Shown) -> Row {
    let l = &s.listed;
    let status = Status::parse(&l.r.status).unwrap_or(Status::Draft);
    let today = format::today();
    Row {
        id: l.r.id.clone(),
        child: s.child_name.clone(),
        age: parse_date(&l.child_birth_date)
            .map(|b| format!("{} jaar", super::age_on(b, today)))
            .unwrap_or_default(),
        from: l.from_name.clone(),
        to: l.to_name.clone(),
        status: status.label(),
        urgent: l.r.urgency == Urgency::Spoed.code(),
        due: l
            .r
            .due_on
            .as_deref()
            .map(format::iso_to_dutch)
            .unwrap_or_default(),
        overdue: is_overdue(status, l.r.due_on.as_deref(), today),
        case_director: l.case_director_name.clone(),
        created: format::dutch_date(format::to_local(l.r.created_at).date()),
    }
}

/// An inbox section: its name, how many, and its first rows.
pub struct Section {
    pub key: &'static str,
    pub title: &'static str,
    pub empty: &'static str,
    /// "7", or "meer dan 100".
    pub count: String,
    /// More than the rows shown.
    pub more: bool,
    pub rows: Vec<Row>,
}

/// The sections of someone's inbox with their filters.
pub fn sections_for(
    user_id: &str,
    sending: &[String],
    receiving: &[String],
) -> Vec<(&'static str, &'static str, &'static str, Filter)> {
    let today = format::today();
    let iso = format::iso_date;
    let mut out = Vec::new();
    if !receiving.is_empty() {
        let base = Filter {
            to_orgs: receiving.to_vec(),
            by_due: true,
            ..Filter::default()
        };
        out.push((
            "te_laat",
            "Te laat",
            "Niets te laat.",
            // Only open referrals have a deadline: no status filter needed, so the
            // deadline index is read in order.
            Filter {
                due_before: Some(iso(today - chrono::Duration::days(1))),
                ..base.clone()
            },
        ));
        out.push((
            "nieuw",
            "Nieuw",
            "Geen nieuwe verwijzingen.",
            Filter {
                statuses: vec!["requested".into()],
                ..base.clone()
            },
        ));
        out.push((
            "op_te_pakken",
            "Op te pakken (nog te accepteren of af te wijzen)",
            "Niets op te pakken.",
            Filter {
                statuses: vec!["received".into()],
                ..base.clone()
            },
        ));
        out.push((
            "binnenkort",
            "Binnenkort te doen",
            "Niets dat binnenkort moet.",
            Filter {
                due_after: Some(iso(today)),
                due_before: Some(iso(workdays::add_working_days(today, 2))),
                ..base.clone()
            },
        ));
        out.push((
            "mijn_casussen",
            "Mijn casussen (casusregisseur)",
            "U bent nergens casusregisseur.",
            Filter {
                statuses: vec!["accepted".into(), "in-progress".into(), "on-hold".into()],
                case_director: Some(user_id.to_owned()),
                ..base.clone()
            },
        ));
        out.push((
            "lopend",
            "Alle lopende verwijzingen",
            "Geen lopende verwijzingen.",
            Filter {
                statuses: vec!["accepted".into(), "in-progress".into(), "on-hold".into()],
                ..base
            },
        ));
    }
    if !sending.is_empty() {
        out.push((
            "verstuurd",
            "Onze verwijzingen",
            "U heeft nog niet verwezen.",
            Filter {
                from_orgs: sending.to_vec(),
                ..Filter::default()
            },
        ));
    }
    out
}

#[derive(Template)]
#[template(path = "referral/inbox.html")]
struct InboxPage {
    page: Page,
    notices: Vec<(String, String)>,
    can_refer: bool,
    sections: Vec<Section>,
    /// Showing one section whole, with paging.
    single: bool,
    page_no: i64,
    has_next: bool,
    /// A link to the paged list of every running referral.
    show_all_running: bool,
    /// The practice's latest consultation questions (for GPs and POHs).
    questions: Vec<Question>,
}

pub struct Question {
    pub id: String,
    pub subject: String,
    pub status: &'static str,
    pub team: String,
    pub asked: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InboxQuery {
    pub sectie: String,
    pub pagina: i64,
}

const PREVIEW: i64 = 5;
/// Sections are counted up to here.
const COUNT_CAP: i64 = 50;
const PAGE: i64 = 25;

pub async fn inbox(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(q): Query<InboxQuery>,
) -> Result<Html<String>, AppError> {
    let sending = super::sending_orgs(&user.actor);
    let receiving = super::receiving_orgs(&user.actor);
    if sending.is_empty() && receiving.is_empty() {
        access::require(&state, &user, Action::Read, Resource::ReferralInbox("")).await?;
    }
    let all = sections_for(&user.user_id, &sending, &receiving);
    let single = all.iter().any(|(k, ..)| *k == q.sectie);
    let page_no = q.pagina.clamp(1, 10_000);
    // The overview shows the first rows of each work queue with how many there are,
    // counted up to a cap so that its cost does not grow with the archive; the long
    // list of all running referrals is only paged on its own.
    let wanted: Vec<_> = all
        .into_iter()
        .filter(|(k, ..)| {
            if single {
                *k == q.sectie
            } else {
                *k != "lopend"
            }
        })
        .map(|(k, t, e, mut f)| {
            if single {
                f.limit = PAGE + 1;
                f.offset = (page_no - 1) * PAGE;
            } else {
                f.limit = COUNT_CAP + 1;
            }
            (k, t, e, f)
        })
        .collect();
    let uid = user.user_id.clone();
    let filters: Vec<Filter> = wanted.iter().map(|w| w.3.clone()).collect();
    // A GP's or POH's questions to the team belong in the same place as their referrals.
    let asking = if single {
        vec![]
    } else {
        crate::consultation::practices_asking(&user.actor)
    };
    let shown = if single { PAGE } else { PREVIEW } as usize;
    let (loaded, unread, questions) = state
        .db
        .read(move |c| {
            let questions = if asking.is_empty() {
                vec![]
            } else {
                rondom_db::consultations::list(c, &asking, &[], 5)?
            };
            Ok((
                db::list_sections(c, &filters, shown)?,
                rondom_db::consultations::unread(c, &uid)?,
                questions,
            ))
        })
        .await?;
    // The list shows children's names and ages: that look is logged too.
    let (founds, lists): (Vec<usize>, Vec<Vec<Listed>>) = loaded.into_iter().unzip();
    let lists = super::disclose_lists(&state.app, &user, lists)
        .await?
        .into_inner();
    let mut has_next = false;
    let sections = wanted
        .into_iter()
        .zip(founds.into_iter().zip(lists))
        .map(|((key, title, empty, _), (found, rows))| {
            if single && found > shown {
                has_next = true;
            }
            Section {
                key,
                title,
                empty,
                count: match found as i64 {
                    n if single || n <= COUNT_CAP => n.to_string(),
                    _ => format!("meer dan {COUNT_CAP}"),
                },
                more: !single && found > shown,
                rows: rows.iter().map(row).collect(),
            }
        })
        .collect();
    let show_all_running = !single && !receiving.is_empty();
    InboxPage {
        page: Page::for_user("Verwijzingen", "verwijzingen", &user),
        notices: unread
            .into_iter()
            .filter(|(_, _, link, _)| {
                link.starts_with("/verwijzingen/") || link.starts_with("/overleg/")
            })
            .map(|(_, text, link, _)| (text, link))
            .collect(),
        questions: questions
            .into_iter()
            .map(|q| Question {
                subject: state
                    .secrets
                    .open_shown(&q.c.subject_sealed, "consultation subject"),
                status: rondom_domain::consultation::Status::parse(&q.c.status)
                    .map_or("", |s| s.label()),
                team: q.team_name,
                asked: format::dutch_date(format::to_local(q.c.created_at).date()),
                id: q.c.id,
            })
            .collect(),
        can_refer: !sending.is_empty(),
        sections,
        single,
        page_no,
        has_next,
        show_all_running,
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

/// The new-referral form as typed.
#[derive(Default, Clone)]
pub struct NewForm {
    pub van: String,
    pub namens: String,
    pub naam: String,
    pub geboortedatum: String,
    pub gemeente: String,
    pub bsn: String,
    /// "team:{id}" or "aanbod:{id}".
    pub doel: String,
    pub reden: String,
    pub gebieden: Vec<String>,
    pub urgentie: String,
    pub school: String,
    pub overleg: String,
    pub rechtstreeks: String,
    pub actie: String,
}

impl NewForm {
    /// From the posted pairs (the problem areas are repeated checkboxes).
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "van" => f.van = v,
                "namens" => f.namens = v,
                "naam" => f.naam = v,
                "geboortedatum" => f.geboortedatum = v,
                "gemeente" => f.gemeente = v,
                "bsn" => f.bsn = v,
                "doel" => f.doel = v,
                "reden" => f.reden = v,
                "gebieden" => f.gebieden.push(v),
                "urgentie" => f.urgentie = v,
                "school" => f.school = v,
                "overleg" => f.overleg = v,
                "rechtstreeks" => f.rechtstreeks = v,
                "actie" => f.actie = v,
                _ => {}
            }
        }
        f
    }
}

pub struct Choice {
    pub id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "referral/new.html")]
struct NewPage {
    page: Page,
    form: NewForm,
    errors: HashMap<&'static str, String>,
    orgs: Vec<Choice>,
    gps: Vec<Choice>,
    teams: Vec<Choice>,
    services: Vec<Choice>,
    schools: Vec<Choice>,
    areas: Vec<(&'static str, &'static str, bool)>,
    /// What the agreements advise, when they apply to the chosen areas.
    advice: Option<String>,
    from_consultation: bool,
}

async fn new_page(
    state: &AppState,
    user: &CurrentUser,
    form: NewForm,
    errors: Vec<ValidationError>,
) -> Result<String, AppError> {
    let sending = super::sending_orgs(&user.actor);
    let ids = sending.clone();
    let current = if form.van.is_empty() {
        sending.first().cloned().unwrap_or_default()
    } else {
        form.van.clone()
    };
    let cur = current.clone();
    let gem = form.gemeente.clone();
    let (orgs, gps, teams, services, schools, advice_rules) = state
        .db
        .read(move |c| {
            let orgs = rondom_db::organisations::list_by_ids(c, &ids)?;
            let gps: Vec<(String, String)> = rondom_db::organisations::members(c, &cur)?
                .into_iter()
                .filter(|m| m.role == Role::Huisarts.as_str() && !m.disabled)
                .map(|m| (m.user_id, m.name))
                .collect();
            let teams = rondom_db::consultations::teams_of_practice(c, &cur)?;
            let services = super::referable_services(c, &cur, false)?;
            let schools: Vec<(String, String)> = rondom_db::organisations::list(c)?
                .into_iter()
                .filter(|o| o.kind == OrganisationKind::School.as_str())
                .map(|o| (o.id, o.name))
                .collect();
            let gemeente = if gem.trim().is_empty() {
                rondom_db::organisations::find(c, &cur)?
                    .map(|o| o.gemeente_code)
                    .unwrap_or_default()
            } else {
                gem.trim().to_uppercase()
            };
            let rules = super::in_force(c, &gemeente, &format::today_iso())?;
            Ok((orgs, gps, teams, services, schools, rules))
        })
        .await?;
    let choice = |(id, name): (String, String)| Choice { id, name };
    let mut form = form;
    if form.gemeente.is_empty() {
        form.gemeente = orgs
            .iter()
            .find(|o| o.id == current)
            .map(|o| o.gemeente_code.clone())
            .unwrap_or_default();
    }
    let areas = PROBLEM_AREAS
        .iter()
        .map(|(c, l)| (*c, *l, form.gebieden.iter().any(|g| g == c)))
        .collect();
    let r = &advice_rules.rules;
    let advice = Some(format!(
        "{}: bij {} ({}) eerst overleg met of verwijzing naar het sociaal team. U houdt het recht om rechtstreeks te verwijzen.",
        advice_rules.describe(),
        r.team_first_areas
            .iter()
            .filter_map(|a| label(PROBLEM_AREAS, a))
            .collect::<Vec<_>>()
            .join(", ")
            .to_lowercase(),
        r.team_first_urgencies
            .iter()
            .map(|u| u.label().to_lowercase())
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .filter(|_| !r.team_first_areas.is_empty() && !r.team_first_urgencies.is_empty());
    NewPage {
        page: Page::for_user("Nieuwe verwijzing", "verwijzingen", user),
        from_consultation: !form.overleg.is_empty(),
        form,
        errors: crate::page::field_errors(errors),
        orgs: orgs
            .into_iter()
            .map(|o| Choice {
                id: o.id,
                name: o.name,
            })
            .collect(),
        gps: gps.into_iter().map(choice).collect(),
        teams: teams.into_iter().map(choice).collect(),
        services: services.into_iter().map(choice).collect(),
        schools: schools.into_iter().map(choice).collect(),
        areas,
        advice,
    }
    .render()
    .map_err(AppError::internal)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    pub overleg: String,
    pub aanbod: String,
}

pub async fn new_form(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(q): Query<NewQuery>,
) -> Result<Html<String>, AppError> {
    let sending = super::sending_orgs(&user.actor);
    let first = sending.first().cloned().unwrap_or_default();
    access::require(
        &state,
        &user,
        Action::Create,
        Resource::ReferralFrom(&first),
    )
    .await?;
    let mut form = NewForm {
        urgentie: Urgency::Regulier.code().into(),
        ..NewForm::default()
    };
    if !q.aanbod.is_empty() {
        form.doel = format!("aanbod:{}", q.aanbod);
    }
    if !q.overleg.is_empty() {
        // Turning a consultation into a referral: its team and question come along.
        let c = crate::consultation::load(&state.app, &user, &q.overleg, Action::Read).await?;
        let opened =
            rondom_app::consultation::open(&state.app, &user, &c, Some("omzetten in verwijzing"))
                .await?
                .into_inner();
        let subject = opened.subject;
        let thread: Vec<String> = opened
            .messages
            .into_iter()
            .map(|m| format!("{}: {}", m.author, m.body))
            .collect();
        form.van = c.practice_id.clone();
        form.doel = format!("team:{}", c.team_id);
        form.overleg = c.id.clone();
        form.reden = format!("Overleg ‘{subject}’:\n{}", thread.join("\n"));
    }
    new_page(&state, &user, form, vec![]).await.map(Html)
}

/// The form's fields in the shared input.
fn input_of(form: &NewForm, user: &CurrentUser) -> NewInput {
    let sending = super::sending_orgs(&user.actor);
    let from = if form.van.is_empty() && sending.len() == 1 {
        sending[0].clone()
    } else {
        form.van.clone()
    };
    let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    NewInput {
        from_org: from,
        on_behalf_of: some(&form.namens),
        child_name: form.naam.clone(),
        birth_date: form.geboortedatum.clone(),
        gemeente: form.gemeente.clone(),
        bsn: form.bsn.clone(),
        to_team: form.doel.strip_prefix("team:").map(str::to_owned),
        service: form.doel.strip_prefix("aanbod:").map(str::to_owned),
        reason: form.reden.clone(),
        areas: form.gebieden.clone(),
        urgency: form.urgentie.clone(),
        school: some(&form.school),
        consultation: some(&form.overleg),
        direct_ack: form.rechtstreeks == "ja",
        draft: form.actie == "concept",
    }
}

pub async fn create(
    user: CurrentUser,
    State(state): State<AppState>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let form = NewForm::from_pairs(pairs);
    let input = input_of(&form, &user);
    access::require(
        &state,
        &user,
        Action::Create,
        Resource::ReferralFrom(&input.from_org),
    )
    .await?;
    match super::create(&state.app, &user, input).await? {
        Created::Created(id) => Ok(Redirect::to(&super::link(&id)).into_response()),
        Created::Invalid(errors) => {
            let page = new_page(&state, &user, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response())
        }
    }
}

pub struct MoveChoice {
    pub code: &'static str,
    pub label: &'static str,
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
    moves: Vec<MoveChoice>,
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
    onward: Vec<Row>,
    parent: Option<Row>,
    created: String,
    can_complete: bool,
    /// (when, from, to, who, reason)
    timeline: Vec<(String, String, &'static str, String, String)>,
    /// (kind, author, when, text)
    feedback: Vec<(&'static str, String, String, String)>,
}

async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    r: db::Referral,
    d: Disclosed<Detail>,
    errors: Vec<ValidationError>,
    error: Option<String>,
    form: MoveForm,
) -> Result<String, AppError> {
    let status = Status::parse(&r.status).unwrap_or(Status::Draft);
    let moves = allowed_moves(&user.actor, &r);
    let receiver = receives_for(&user.actor, &r.to_org_id);
    let may_refer_on = receiver
        && refers_for(&user.actor, &r.to_org_id)
        && Status::parse(&r.status).is_some_and(Status::is_running);
    let team = r.to_org_id.clone();
    let (to_kind, directors, services) = state
        .db
        .read(move |c| {
            let kind = rondom_db::organisations::find(c, &team)?
                .map(|o| o.kind)
                .unwrap_or_default();
            let directors = case_directors_of(c, &team)?;
            // Only the team, while help runs, refers on: only then the list is needed.
            let services = if may_refer_on {
                super::referable_services(c, &team, true)?
            } else {
                vec![]
            };
            Ok((kind, directors, services))
        })
        .await?;
    let to_team = to_kind == OrganisationKind::SociaalTeam.as_str();
    let today = format::today();
    ShowPage {
        // Not the child's name: titles end up in browser history on shared computers.
        page: Page::for_user("Verwijzing", "verwijzingen", user),
        status,
        due: r
            .due_on
            .as_deref()
            .map(format::iso_to_dutch)
            .unwrap_or_default(),
        overdue: is_overdue(status, r.due_on.as_deref(), today),
        urgency: Urgency::parse(&r.urgency).map_or("", Urgency::label),
        areas: parse_areas(&r.problem_areas)
            .into_iter()
            .filter_map(|a| label(PROBLEM_AREAS, a))
            .collect(),
        needs_director: to_team && moves.contains(&Status::Accepted),
        can_complete: moves.contains(&Status::Completed),
        created: format::datetime(r.created_at),
        moves: moves
            .iter()
            .map(|s| MoveChoice {
                code: s.code(),
                label: s.label(),
            })
            .collect(),
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
        onward: d.onward.iter().map(row).collect(),
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
) -> Result<Html<String>, AppError> {
    let mut r = super::load(&state.app, &user, &id, Action::Read).await?;
    let (received, d) = super::open(&state.app, &user, &r, true).await?;
    if received {
        // This first look marked it received.
        r.status = Status::Received.code().to_owned();
    }
    show_page(&state, &user, r, d, vec![], None, MoveForm::default())
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
}

pub async fn change_status(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ReferralId>,
    CsrfForm(form): CsrfForm<MoveForm>,
) -> Result<Response, AppError> {
    let r = super::load(&state.app, &user, &id, Action::Update).await?;
    let input = MoveInput {
        to: form.naar.clone(),
        reason: form.reden.clone(),
        note: form.toelichting.clone(),
        case_director: form.casusregisseur.clone(),
        help_given: form.hulp.clone(),
        given_by: form.door.clone(),
        next: form.vervolg.clone(),
    };
    let outcome = super::make_move(&state.app, &user, r.clone(), input).await;
    let (errors, error) = match outcome {
        Ok(Ok(())) => return Ok(Redirect::to(&super::link(&id)).into_response()),
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
    let (_, d) = super::open(&state.app, &user, &r, false).await?;
    let page = show_page(&state, &user, r, d, errors, error, form).await?;
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
    let r = super::load(&state.app, &user, &id, Action::Update).await?;
    match super::give_feedback(&state.app, &user, r.clone(), &form.terugkoppeling).await? {
        Ok(()) => Ok(Redirect::to(&super::link(&id)).into_response()),
        Err(errors) => invalid(&state, &user, r, errors).await,
    }
}

async fn invalid(
    state: &AppState,
    user: &CurrentUser,
    r: db::Referral,
    errors: Vec<ValidationError>,
) -> Result<Response, AppError> {
    let (_, d) = super::open(&state.app, user, &r, false).await?;
    let page = show_page(state, user, r, d, errors, None, MoveForm::default()).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response())
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
    let r = super::load(&state.app, &user, &id, Action::Update).await?;
    match super::change_case_director(&state.app, &user, r.clone(), &form.casusregisseur).await? {
        Ok(()) => Ok(Redirect::to(&super::link(&id)).into_response()),
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
    let r = super::load(&state.app, &user, &id, Action::Update).await?;
    match super::refer_on(&state.app, &user, r.clone(), &form.aanbod, &form.reden).await? {
        Ok(new_id) => Ok(Redirect::to(&super::link(&new_id)).into_response()),
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
    let r = super::load(&state.app, &user, &id, Action::Update).await?;
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
    match super::attach(&state.app, &user, &r, &name, &bytes).await? {
        Ok(_) => Ok(Redirect::to(&super::link(&id)).into_response()),
        Err(errors) => invalid(&state, &user, r, errors).await,
    }
}

pub async fn download(
    user: CurrentUser,
    State(state): State<AppState>,
    Path((id, attachment)): Path<(ReferralId, AttachmentId)>,
) -> Result<Response, AppError> {
    let r = super::load(&state.app, &user, &id, Action::Read).await?;
    let file = super::open_attachment(&state.app, &user, &r, &attachment)
        .await?
        .into_inner();
    let (name, media, bytes) = (file.file_name, file.media_type, file.bytes);
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(match media.as_str() {
            "application/pdf" => "application/pdf",
            "image/png" => "image/png",
            "image/jpeg" => "image/jpeg",
            _ => "application/octet-stream",
        }),
    );
    // Always a download: never rendered inside Rondom's origin.
    let safe: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' '))
        .collect();
    // The plain name for old clients, the exact one (RFC 6266) for the rest.
    let exact = crate::error::urlencode(&name).replace('/', "%2F");
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{safe}\"; filename*=UTF-8''{exact}"
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, private"),
    );
    Ok(resp)
}
