//! The family plan's pages (/netwerken/{id}/plan): the plan as this person may see it,
//! what changed since the family agreed, the family's akkoord or comment, the editor
//! (the whole plan for professionals, the family's own words for the family), a version
//! and two versions side by side; and /afspraken, the actions due across networks.

use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::page::Page;
use crate::session::{CsrfForm, CurrentUser};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use rondom_app::access::Disclosed;
use rondom_app::plan::lists::DueWork;
use rondom_app::plan::{self, Comparison, PlanView, VersionView};
use rondom_domain::ids::NetworkId;
use rondom_domain::plan::{Agreement, Goal, Plan, Status, TreatmentPlan};
use rondom_domain::validate::ValidationError;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Template)]
#[template(path = "plan/show.html")]
struct PlanPage {
    page: Page,
    p: Disclosed<PlanView>,
    done: Option<&'static str>,
    errors: HashMap<&'static str, String>,
    opmerking: String,
    statuses: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "plan/edit.html")]
struct EditPage {
    page: Page,
    p: Disclosed<PlanView>,
    form: EditForm,
    errors: Vec<String>,
    statuses: Vec<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "plan/version.html")]
struct VersionPage {
    page: Page,
    network_id: String,
    v: Disclosed<VersionView>,
}

#[derive(Template)]
#[template(path = "plan/compare.html")]
struct ComparePage {
    page: Page,
    c: Disclosed<Comparison>,
    /// Show only what changed.
    changes_only: bool,
}

impl ComparePage {
    fn any_changed(&self) -> bool {
        self.c.rows.iter().any(|r| r.changed())
    }
}

#[derive(Template)]
#[template(path = "plan/due.html")]
struct DuePage {
    page: Page,
    d: Disclosed<DueWork>,
}

fn statuses() -> Vec<(&'static str, &'static str)> {
    Status::ALL.iter().map(|s| (s.code(), s.label())).collect()
}

fn done_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "opgeslagen" => "Opgeslagen als nieuwe versie. Het gezin krijgt bericht.",
        "woorden" => "Opgeslagen. De casusregisseur ziet wat u schreef.",
        "akkoord" => "Dank u. Uw akkoord is vastgelegd.",
        "opmerking" => "Uw opmerking is verstuurd naar de casusregisseur.",
        "stand" => "Bijgewerkt.",
        _ => return None,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    pub gedaan: String,
}

async fn show_page(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    done: Option<&'static str>,
    errors: Vec<ValidationError>,
    opmerking: String,
) -> Result<String, AppError> {
    let p = plan::view(&state.app, user, id).await?;
    PlanPage {
        page: Page::for_user("Plan", "verwijzingen", user),
        p,
        done,
        errors: crate::page::field_errors(errors),
        opmerking,
        statuses: statuses(),
    }
    .render()
    .map_err(AppError::internal)
}

pub async fn show(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<NetworkId>,
    Query(q): Query<DoneQuery>,
) -> Result<Html<String>, AppError> {
    show_page(
        &state,
        &user,
        &id,
        done_text(&q.gedaan),
        vec![],
        String::new(),
    )
    .await
    .map(Html)
}

fn done(id: &str, code: &str) -> Response {
    Redirect::to(&format!("/netwerken/{id}/plan?gedaan={code}")).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RespondForm {
    pub versie: String,
    /// akkoord or opmerking
    pub antwoord: String,
    pub opmerking: String,
}

/// The family's akkoord or comment.
pub async fn respond(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<NetworkId>,
    CsrfForm(form): CsrfForm<RespondForm>,
) -> Result<Response, AppError> {
    let number: i32 = form
        .versie
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest("Laad de pagina opnieuw.".into()))?;
    let agree = form.antwoord == "akkoord";
    match plan::respond(&state.app, &user, &id, number, agree, &form.opmerking).await? {
        Ok(()) => Ok(done(&id, if agree { "akkoord" } else { "opmerking" })),
        Err(errors) => {
            let html = show_page(&state, &user, &id, None, errors, form.opmerking).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusForm {
    pub stand: String,
}

/// An agreement's owner marks it done (or busy, or stopped).
pub async fn set_status(
    user: CurrentUser,
    State(state): State<AppState>,
    Path((id, key)): Path<(NetworkId, String)>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<Response, AppError> {
    let status = Status::parse(&form.stand)
        .ok_or_else(|| AppError::BadRequest("Kies wat de stand is.".into()))?;
    match plan::set_status(&state.app, &user, &id, &key, status).await? {
        Ok(_) => Ok(done(&id, "stand")),
        Err(errors) => {
            let html = show_page(&state, &user, &id, None, errors, String::new()).await?;
            Ok((StatusCode::CONFLICT, Html(html)).into_response())
        }
    }
}

/// The editor's fields as typed (so a refused save shows them again as they were).
#[derive(Default, Clone)]
pub struct EditForm {
    pub base: String,
    pub situatie: String,
    pub sterk: String,
    pub zorgen: String,
    pub evaluatie: String,
    pub goals: Vec<GoalRow>,
    pub plans: Vec<PlanRow>,
}

#[derive(Default, Clone)]
pub struct GoalRow {
    pub key: String,
    pub title: String,
    pub hidden: bool,
    pub agreements: Vec<AgreementRow>,
}

#[derive(Default, Clone)]
pub struct AgreementRow {
    pub key: String,
    pub what: String,
    pub owner: String,
    pub due: String,
    pub status: String,
    pub hidden: bool,
    pub meeting: String,
}

#[derive(Default, Clone)]
pub struct PlanRow {
    pub key: String,
    pub provider: String,
    pub name: String,
    pub dated: String,
}

fn iso(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// A date as typed: empty is none; yyyy-mm-dd (the date picker) or dd-mm-jjjj.
fn parse_day(s: &str) -> Result<Option<NaiveDate>, ()> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    rondom_app::dates::parse_iso(s)
        .or_else(|| NaiveDate::parse_from_str(s, "%d-%m-%Y").ok())
        .map(Some)
        .ok_or(())
}

impl EditForm {
    fn of(base: i32, p: &Plan) -> Self {
        Self {
            base: base.to_string(),
            situatie: p.situation.clone(),
            sterk: p.strengths.clone(),
            zorgen: p.concerns.clone(),
            evaluatie: iso(p.evaluation_on),
            goals: p
                .goals
                .iter()
                .map(|g| GoalRow {
                    key: g.key.clone(),
                    title: g.title.clone(),
                    hidden: g.not_for_parents,
                    agreements: g
                        .agreements
                        .iter()
                        .map(|a| AgreementRow {
                            key: a.key.clone(),
                            what: a.what.clone(),
                            owner: a.owner.clone().unwrap_or_default(),
                            due: iso(a.due_on),
                            status: a.status.code().to_owned(),
                            hidden: a.not_for_parents,
                            meeting: a.from_meeting.clone().unwrap_or_default(),
                        })
                        .collect(),
                })
                .collect(),
            plans: p
                .treatment_plans
                .iter()
                .map(|t| PlanRow {
                    key: t.key.clone(),
                    provider: t.provider.clone(),
                    name: t.name.clone(),
                    dated: iso(t.dated),
                })
                .collect(),
        }
    }

    /// Blank rows to write in: a goal, an agreement under each goal, a treatment plan.
    fn with_blank_rows(mut self, goals: usize) -> Self {
        for g in &mut self.goals {
            g.agreements.push(AgreementRow::default());
        }
        for _ in 0..goals {
            self.goals.push(GoalRow {
                agreements: vec![AgreementRow::default(), AgreementRow::default()],
                ..GoalRow::default()
            });
        }
        self.plans.push(PlanRow::default());
        self
    }

    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let m: BTreeMap<String, String> = pairs.into_iter().collect();
        let get = |k: &str| m.get(k).cloned().unwrap_or_default();
        let mut f = Self {
            base: get("base"),
            situatie: get("situatie"),
            sterk: get("sterk"),
            zorgen: get("zorgen"),
            evaluatie: get("evaluatie"),
            ..Self::default()
        };
        // Rows are numbered from 0; a form holds far fewer than these bounds.
        for i in 0..rondom_domain::plan::MAX_GOALS + 10 {
            let p = format!("d{i}_");
            if !m.keys().any(|k| k.starts_with(&p)) {
                continue;
            }
            let mut g = GoalRow {
                key: get(&format!("{p}sleutel")),
                title: get(&format!("{p}titel")),
                hidden: m.contains_key(&format!("{p}verborgen")),
                agreements: vec![],
            };
            for j in 0..rondom_domain::plan::MAX_AGREEMENTS + 10 {
                let q = format!("{p}a{j}_");
                if !m.keys().any(|k| k.starts_with(&q)) {
                    continue;
                }
                g.agreements.push(AgreementRow {
                    key: get(&format!("{q}sleutel")),
                    what: get(&format!("{q}wat")),
                    owner: get(&format!("{q}wie")),
                    due: get(&format!("{q}datum")),
                    status: get(&format!("{q}stand")),
                    hidden: m.contains_key(&format!("{q}verborgen")),
                    meeting: get(&format!("{q}overleg")),
                });
            }
            f.goals.push(g);
        }
        for k in 0..rondom_domain::plan::MAX_TREATMENT_PLANS + 10 {
            let p = format!("b{k}_");
            if !m.keys().any(|x| x.starts_with(&p)) {
                continue;
            }
            f.plans.push(PlanRow {
                key: get(&format!("{p}sleutel")),
                provider: get(&format!("{p}aanbieder")),
                name: get(&format!("{p}naam")),
                dated: get(&format!("{p}datum")),
            });
        }
        f
    }

    /// The plan the form describes, or what cannot be read in it (a date that is no
    /// date, a status that does not exist).
    fn to_plan(&self) -> Result<Plan, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut day = |s: &str, what: String| match parse_day(s) {
            Ok(d) => d,
            Err(()) => {
                errors.push(ValidationError::new(
                    "doelen",
                    format!("{what}: '{s}' is geen datum. Schrijf bijvoorbeeld 31-01-2027."),
                ));
                None
            }
        };
        let evaluation_on = day(&self.evaluatie, "Evaluatiedatum".into());
        let mut goals = Vec::new();
        for (i, g) in self.goals.iter().enumerate() {
            let mut agreements = Vec::new();
            for (j, a) in g.agreements.iter().enumerate() {
                let due_on = day(&a.due, format!("Afspraak {} bij doel {}", j + 1, i + 1));
                agreements.push(Agreement {
                    key: a.key.trim().to_owned(),
                    what: a.what.clone(),
                    owner: Some(a.owner.trim().to_owned()).filter(|o| !o.is_empty()),
                    due_on,
                    status: Status::parse(&a.status).unwrap_or_default(),
                    not_for_parents: a.hidden,
                    from_meeting: Some(a.meeting.trim().to_owned()).filter(|o| !o.is_empty()),
                });
            }
            goals.push(Goal {
                key: g.key.trim().to_owned(),
                title: g.title.clone(),
                not_for_parents: g.hidden,
                agreements,
            });
        }
        let mut treatment_plans = Vec::new();
        for (k, t) in self.plans.iter().enumerate() {
            let dated = day(&t.dated, format!("Behandelplan {}", k + 1));
            treatment_plans.push(TreatmentPlan {
                key: t.key.trim().to_owned(),
                provider: t.provider.clone(),
                name: t.name.clone(),
                dated,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Plan {
            situation: self.situatie.clone(),
            strengths: self.sterk.clone(),
            concerns: self.zorgen.clone(),
            goals,
            evaluation_on,
            treatment_plans,
        })
    }
}

async fn edit_page(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    form: Option<EditForm>,
    errors: Vec<ValidationError>,
) -> Result<String, AppError> {
    let p = plan::view(&state.app, user, id).await?;
    if !p.may_edit && !p.may_write_words {
        return Err(AppError::Forbidden);
    }
    let form = form.unwrap_or_else(|| {
        let (base, plan) = p
            .current
            .as_ref()
            .map_or((0, Plan::default()), |c| (c.number, c.plan.clone()));
        let blank = if plan.goals.is_empty() { 2 } else { 1 };
        EditForm::of(base, &plan).with_blank_rows(blank)
    });
    EditPage {
        page: Page::for_user("Plan bewerken", "verwijzingen", user),
        p,
        form,
        errors: errors.into_iter().map(|e| e.message).collect(),
        statuses: statuses(),
    }
    .render()
    .map_err(AppError::internal)
}

pub async fn edit(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<NetworkId>,
) -> Result<Html<String>, AppError> {
    edit_page(&state, &user, &id, None, vec![]).await.map(Html)
}

/// Saves the editor's plan as a new version ("Meer regels" shows the form again with
/// more blank rows, saving nothing).
pub async fn save(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<NetworkId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let more = pairs.iter().any(|(k, v)| k == "actie" && v == "meer");
    let form = EditForm::from_pairs(pairs);
    if more {
        let html = edit_page(&state, &user, &id, Some(form.with_blank_rows(1)), vec![]).await?;
        return Ok(Html(html).into_response());
    }
    let base: i32 = form
        .base
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest("Laad de pagina opnieuw.".into()))?;
    let refused = match form.to_plan() {
        Ok(p) => match plan::save(&state.app, &user, &id, base, p).await? {
            Ok(saved) => {
                let code = if saved.family_words {
                    "woorden"
                } else {
                    "opgeslagen"
                };
                return Ok(done(&id, code));
            }
            Err(errors) => errors,
        },
        Err(errors) => errors,
    };
    let html = edit_page(&state, &user, &id, Some(form), refused).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

pub async fn version(
    user: CurrentUser,
    State(state): State<AppState>,
    Path((id, number)): Path<(NetworkId, i32)>,
) -> Result<Html<String>, AppError> {
    let v = plan::version(&state.app, &user, &id, number).await?;
    VersionPage {
        page: Page::for_user(format!("Plan, versie {number}"), "verwijzingen", &user),
        network_id: id.to_string(),
        v,
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CompareQuery {
    pub a: String,
    pub b: String,
    pub alles: String,
}

pub async fn compare(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<NetworkId>,
    Query(q): Query<CompareQuery>,
) -> Result<Html<String>, AppError> {
    let num = |s: &str| -> Result<i32, AppError> {
        s.trim()
            .parse()
            .map_err(|_| AppError::BadRequest("Kies twee versies om te vergelijken.".into()))
    };
    let c = plan::compare_versions(&state.app, &user, &id, num(&q.a)?, num(&q.b)?).await?;
    ComparePage {
        page: Page::for_user("Versies vergelijken", "verwijzingen", &user),
        c,
        changes_only: q.alles != "ja",
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

/// The actions due: mine, late in my families, evaluations passed in my team.
pub async fn due(
    user: CurrentUser,
    State(state): State<AppState>,
) -> Result<Html<String>, AppError> {
    let d = plan::lists::due_work(&state.app, &user).await?;
    DuePage {
        page: Page::for_user("Afspraken", "afspraken", &user),
        d,
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}
