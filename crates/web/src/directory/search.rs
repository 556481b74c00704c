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

fn view(row: &ServiceRow) -> ResultView {
    ResultView {
        id: row.id.clone(),
        name: row.name.clone(),
        organisation: row.organisation_name.clone(),
        category: catalogue::label(CATEGORIES, &row.category).unwrap_or("?"),
        access: catalogue::label(ACCESS_ROUTES, &row.access_route).unwrap_or("?"),
        ages: ages(row.age_min, row.age_max),
        wait: wait(row),
        summary: summary(&row.description),
    }
}

#[derive(Template)]
#[template(path = "directory/search.html")]
struct SearchPage {
    page: Page,
    form: SearchForm,
    searched: bool,
    results: Vec<ResultView>,
    suggestions: Vec<&'static str>,
    error: Option<String>,
    categories: Vec<Choice>,
    routes: Vec<Choice>,
    areas: Vec<Choice>,
}

pub async fn search(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(form): Query<SearchForm>,
) -> Result<Html<String>, AppError> {
    access::require(&state, &user, Action::Read, Resource::Directory).await?;
    let text = TextQuery::parse(&form.q);
    let mut error = None;
    let age = match form.leeftijd.trim() {
        "" => text.age,
        s => match s.parse::<u8>() {
            Ok(a) if a <= 27 => Some(a),
            _ => {
                error = Some("Vul de leeftijd in als een getal van 0 tot en met 27.".to_owned());
                None
            }
        },
    };
    let max_wait = match form.max_wacht.trim() {
        "" => None,
        s => match s.parse::<i32>() {
            Ok(w) if w >= 0 => Some(w),
            _ => {
                error = Some("Vul de maximale wachttijd in als een aantal weken.".to_owned());
                None
            }
        },
    };
    let searched = !form.q.trim().is_empty()
        || age.is_some()
        || !form.categorie.is_empty()
        || !form.toegang.is_empty()
        || !form.probleem.is_empty()
        || max_wait.is_some();
    let rows = state.db.read(directory::all_services).await?;
    let mut scored: Vec<(f32, &ServiceRow)> = rows
        .iter()
        .filter(|r| age.is_none_or(|a| r.age_min <= i32::from(a) && i32::from(a) <= r.age_max))
        .filter(|r| form.categorie.is_empty() || r.category == form.categorie)
        .filter(|r| form.toegang.is_empty() || r.access_route == form.toegang)
        .filter(|r| {
            form.probleem.is_empty()
                || catalogue::parse_areas(&r.problem_areas).contains(&form.probleem.as_str())
        })
        .filter(|r| max_wait.is_none_or(|w| r.wait_weeks.is_some_and(|rw| rw <= w)))
        .filter_map(|r| {
            if text.terms.is_empty() {
                return Some((1.0, r));
            }
            let areas: Vec<&str> = catalogue::parse_areas(&r.problem_areas)
                .into_iter()
                .filter_map(|a| catalogue::label(PROBLEM_AREAS, a))
                .collect();
            // The name counts most: a word in the name beats the same word in the text.
            let name_score = text.score(&Document::new(&r.name));
            let all = format!(
                "{} {} {} {}",
                r.name,
                r.description,
                r.organisation_name,
                areas.join(" ")
            );
            let score = name_score.max(0.8 * text.score(&Document::new(&all)));
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
    let results: Vec<ResultView> = scored.iter().take(50).map(|(_, r)| view(r)).collect();
    let mut suggestions = Vec::new();
    if searched && results.is_empty() {
        if age.is_some() {
            suggestions.push("Zoek zonder leeftijd.");
        }
        if max_wait.is_some() {
            suggestions.push("Laat de maximale wachttijd weg.");
        }
        if !form.categorie.is_empty() || !form.toegang.is_empty() || !form.probleem.is_empty() {
            suggestions.push("Kies bij soort hulp, toegang of probleemgebied ‘alle’.");
        }
        if !text.terms.is_empty() {
            suggestions
                .push("Gebruik minder of andere woorden, bijvoorbeeld ‘opvoeden’ of ‘angst’.");
        }
    }
    SearchPage {
        page: Page::for_user("Sociale kaart", "kaart", &user),
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
        last_checked: row.last_checked_on.clone(),
        s: view(&row),
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}
