//! Searching the offer of the sociale kaart in Dutch, with filters for age, kind of help,
//! access route, problem area and waiting time.
//!
//! The ranking runs in memory over the services read from the database: right for the
//! size of one region's offer. (Issue 3 asks for 20,000 services within 10 ms at p99;
//! an index kept per server is the next step.)

use crate::access;
use crate::auth::session::CurrentUser;
use crate::error::AppError;
use crate::page::Page;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use rondom_db::directory::{self, ServiceRow};
use rondom_domain::catalogue::{self, ACCESS_ROUTES, CATEGORIES, PROBLEM_AREAS};
use rondom_domain::search::{Document, Query as TextQuery};
use rondom_domain::validate::ValidationError;
use rondom_domain::{Action, Resource};
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct SearchForm {
    pub q: String,
    pub leeftijd: String,
    pub categorie: String,
    pub toegang: String,
    pub probleem: String,
    pub max_wacht: String,
}

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

fn choices(list: &[(&'static str, &'static str)]) -> Vec<Choice> {
    list.iter()
        .map(|(value, label)| Choice { value, label })
        .collect()
}

pub struct ResultView {
    pub id: String,
    pub organisation_id: String,
    pub name: String,
    pub organisation: String,
    pub category: &'static str,
    pub access: &'static str,
    pub ages: String,
    pub wait: String,
    pub summary: String,
}

fn ages(min: i32, max: i32) -> String {
    if max >= 99 {
        format!("vanaf {min} jaar")
    } else {
        format!("{min} tot en met {max} jaar")
    }
}

fn wait(row: &ServiceRow) -> String {
    match (row.wait_weeks, &row.wait_reported_on) {
        (Some(0), Some(on)) => format!("geen wachttijd (gemeld {on})"),
        (Some(w), Some(on)) => format!(
            "{w} {} (gemeld {on})",
            if w == 1 { "week" } else { "weken" }
        ),
        (Some(w), None) => format!("{w} weken"),
        _ => "onbekend".into(),
    }
}

fn summary(text: &str) -> String {
    let mut out: String = text.chars().take(180).collect();
    if text.chars().count() > 180 {
        out.push('…');
    }
    out
}

pub fn view(row: &ServiceRow) -> ResultView {
    ResultView {
        id: row.id.clone(),
        organisation_id: row.organisation_id.clone(),
        name: row.name.clone(),
        organisation: row.organisation_name.clone(),
        category: catalogue::label(CATEGORIES, &row.category).unwrap_or("?"),
        access: catalogue::label(ACCESS_ROUTES, &row.access_route).unwrap_or("?"),
        ages: ages(row.age_min, row.age_max),
        wait: wait(row),
        summary: summary(&row.description),
    }
}

/// How many results a page lists.
const SHOWN: usize = 50;

#[derive(Template)]
#[template(path = "directory/search.html")]
struct SearchPage {
    page: Page,
    /// All matches; at most `SHOWN` are listed.
    total: usize,
    form: SearchForm,
    searched: bool,
    results: Vec<ResultView>,
    suggestions: Vec<&'static str>,
    error: Option<String>,
    categories: Vec<Choice>,
    routes: Vec<Choice>,
    areas: Vec<Choice>,
}

/// What to look for, checked.
pub struct Criteria {
    pub text: TextQuery,
    pub age: Option<u8>,
    pub category: String,
    pub access_route: String,
    pub problem_area: String,
    pub max_wait: Option<i32>,
}

impl Criteria {
    /// From the form's (or the API's) fields; problems come back as Dutch sentences.
    pub fn parse(
        q: &str,
        age: &str,
        category: &str,
        access_route: &str,
        problem_area: &str,
        max_wait: &str,
    ) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let text = TextQuery::parse(q);
        let age = match age.trim() {
            "" => text.age,
            s => match s.parse::<u8>() {
                Ok(a) if a <= 27 => Some(a),
                _ => {
                    errors.push(ValidationError::new(
                        "age",
                        "Vul de leeftijd in als een getal van 0 tot en met 27.",
                    ));
                    None
                }
            },
        };
        let max_wait = match max_wait.trim() {
            "" => None,
            s => match s.parse::<i32>() {
                Ok(w) if w >= 0 => Some(w),
                _ => {
                    errors.push(ValidationError::new(
                        "max_wait",
                        "Vul de maximale wachttijd in als een aantal weken.",
                    ));
                    None
                }
            },
        };
        let known =
            |list: &[(&str, &str)], v: &str| v.is_empty() || list.iter().any(|(c, _)| *c == v);
        if !known(CATEGORIES, category) {
            errors.push(ValidationError::new(
                "category",
                "Kies een soort hulp uit de lijst.",
            ));
        }
        if !known(ACCESS_ROUTES, access_route) {
            errors.push(ValidationError::new(
                "access_route",
                "Kies een toegang uit de lijst.",
            ));
        }
        if !known(PROBLEM_AREAS, problem_area) {
            errors.push(ValidationError::new(
                "problem_area",
                "Kies een probleemgebied uit de lijst.",
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            text,
            age,
            category: category.to_owned(),
            access_route: access_route.to_owned(),
            problem_area: problem_area.to_owned(),
            max_wait,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.text.terms.is_empty()
            && self.age.is_none()
            && self.category.is_empty()
            && self.access_route.is_empty()
            && self.problem_area.is_empty()
            && self.max_wait.is_none()
    }

    /// The matching services, best first (ties: shorter wait, then name).
    pub fn rank<'a>(&self, rows: &'a [ServiceRow]) -> Vec<&'a ServiceRow> {
        let mut scored: Vec<(f32, &ServiceRow)> = rows
            .iter()
            .filter(|r| {
                self.age
                    .is_none_or(|a| r.age_min <= i32::from(a) && i32::from(a) <= r.age_max)
            })
            .filter(|r| self.category.is_empty() || r.category == self.category)
            .filter(|r| self.access_route.is_empty() || r.access_route == self.access_route)
            .filter(|r| {
                self.problem_area.is_empty()
                    || catalogue::parse_areas(&r.problem_areas)
                        .contains(&self.problem_area.as_str())
            })
            .filter(|r| {
                self.max_wait
                    .is_none_or(|w| r.wait_weeks.is_some_and(|rw| rw <= w))
            })
            .filter_map(|r| {
                if self.text.terms.is_empty() {
                    return Some((1.0, r));
                }
                let areas: Vec<&str> = catalogue::parse_areas(&r.problem_areas)
                    .into_iter()
                    .filter_map(|a| catalogue::label(PROBLEM_AREAS, a))
                    .collect();
                // The name counts most: a word in the name beats the same word in the text.
                let name_score = self.text.score(&Document::new(&r.name));
                let all = format!(
                    "{} {} {} {}",
                    r.name,
                    r.description,
                    r.organisation_name,
                    areas.join(" ")
                );
                let score = name_score.max(0.8 * self.text.score(&Document::new(&all)));
                (score > 0.0).then_some((score, r))
            })
            .collect();
        scored.sort_by(|a, b| {
            b.0.partial_cmp(&a.0)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then(
                    a.1.wait_weeks
                        .unwrap_or(i32::MAX)
                        .cmp(&b.1.wait_weeks.unwrap_or(i32::MAX)),
                )
                .then(a.1.name.cmp(&b.1.name))
        });
        scored.into_iter().map(|(_, r)| r).collect()
    }

    /// What to widen when nothing was found.
    pub fn suggestions(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.age.is_some() {
            out.push("Zoek zonder leeftijd.");
        }
        if self.max_wait.is_some() {
            out.push("Laat de maximale wachttijd weg.");
        }
        if !self.category.is_empty()
            || !self.access_route.is_empty()
            || !self.problem_area.is_empty()
        {
            out.push("Kies bij soort hulp, toegang of probleemgebied ‘alle’.");
        }
        if !self.text.terms.is_empty() {
            out.push("Gebruik minder of andere woorden, bijvoorbeeld ‘opvoeden’ of ‘angst’.");
        }
        out
    }
}

pub async fn search(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(form): Query<SearchForm>,
) -> Result<Html<String>, AppError> {
    access::require(&state, &user, Action::Read, Resource::Directory).await?;
    let parsed = Criteria::parse(
        &form.q,
        &form.leeftijd,
        &form.categorie,
        &form.toegang,
        &form.probleem,
        &form.max_wacht,
    );
    let (criteria, error) = match parsed {
        Ok(c) => (c, None),
        Err(errors) => (
            // Still show what the words alone find, with the message.
            Criteria::parse(&form.q, "", "", "", "", "")
                .map_err(|_| AppError::internal("criteria"))?,
            Some(
                errors
                    .into_iter()
                    .map(|e| e.message)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        ),
    };
    let searched = !criteria.is_empty() || error.is_some();
    let rows = state.db.read(directory::all_services).await?;
    let ranked = criteria.rank(&rows);
    let total = ranked.len();
    let results: Vec<ResultView> = ranked.into_iter().take(SHOWN).map(view).collect();
    let suggestions = if searched && results.is_empty() {
        criteria.suggestions()
    } else {
        vec![]
    };
    SearchPage {
        page: Page::for_user("Sociale kaart", "kaart", &user),
        total,
        form,
        searched,
        results,
        suggestions,
        error,
        categories: choices(CATEGORIES),
        routes: choices(ACCESS_ROUTES),
        areas: choices(PROBLEM_AREAS),
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

#[derive(Template)]
#[template(path = "directory/service.html")]
struct ServicePage {
    page: Page,
    stale: bool,
    organisation_id: String,
    s: ResultView,
    description: String,
    cost: String,
    areas: Vec<&'static str>,
    last_checked: String,
}

pub async fn service(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    access::require(&state, &user, Action::Read, Resource::Directory).await?;
    let row = state
        .db
        .read(move |c| directory::find_service(c, &id))
        .await?
        .ok_or(AppError::NotFound)?;
    ServicePage {
        page: Page::for_user(row.name.clone(), "kaart", &user),
        description: row.description.clone(),
        cost: row.cost.clone().unwrap_or_else(|| "niet opgegeven".into()),
        areas: catalogue::parse_areas(&row.problem_areas)
            .into_iter()
            .filter_map(|a| catalogue::label(PROBLEM_AREAS, a))
            .collect(),
        stale: chrono::NaiveDate::parse_from_str(&row.last_checked_on, "%Y-%m-%d")
            .map(|d| catalogue::is_stale(d, crate::format::to_local(rondom_db::now()).date()))
            .unwrap_or(true),
        last_checked: row.last_checked_on.clone(),
        organisation_id: row.organisation_id.clone(),
        s: view(&row),
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

#[derive(Template)]
#[template(path = "directory/organisation.html")]
struct OrganisationPage {
    page: Page,
    org: rondom_db::organisations::Organisation,
    kind: &'static str,
    services: Vec<ResultView>,
}

/// An organisation as the sociale kaart shows it: contact details, the overleglijn for a
/// social team, and its offer.
pub async fn organisation(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Html<String>, AppError> {
    access::require(&state, &user, Action::Read, Resource::Directory).await?;
    let (org, rows) = state
        .db
        .read(move |c| {
            let Some(o) = rondom_db::organisations::find(c, &id)? else {
                return Ok(None);
            };
            let s = directory::services_of(c, &id)?;
            Ok(Some((o, s)))
        })
        .await?
        .ok_or(AppError::NotFound)?;
    if org.kind == rondom_domain::OrganisationKind::Platform.as_str() {
        return Err(AppError::NotFound);
    }
    OrganisationPage {
        page: Page::for_user(org.name.clone(), "kaart", &user),
        kind: rondom_domain::OrganisationKind::parse(&org.kind)
            .map(|k| k.label())
            .unwrap_or("Organisatie"),
        services: rows.iter().map(view).collect(),
        org,
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}
