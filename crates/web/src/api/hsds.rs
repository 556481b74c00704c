//! The Open Referral HSDS 3.0 API under `/api/hsds/`: the sociale kaart for other
//! systems, with the same API tokens and permissions as `/api/v1`. Shapes follow the
//! compiled HSDS schemas (see `directory::hsds`); `search` is the same Dutch search as
//! the pages.

use crate::access;
use crate::auth::api_token::ApiUser;
use crate::error::ErrorBody;
use crate::error::{ApiError, AppError};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use rondom_app::directory::hsds::{self, records};
use rondom_app::directory::index::{Filter, SearchIndex};
use rondom_domain::area::{self, Place};
use rondom_domain::ids::{OrganisationId, ServiceAtLocationId, ServiceId, TaxonomyTermId};
use rondom_domain::search::Query as TextQuery;
use rondom_domain::validate::ValidationError;
use rondom_domain::{Action, Resource};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct Params {
    /// Words to search for (Dutch; forgiving of typos and compounds).
    pub search: String,
    /// 1-based page number.
    pub page: Option<String>,
    /// Records per page (at most 200).
    pub per_page: Option<String>,
    /// Only this organisation's records.
    pub organization_id: String,
    /// Only services with this taxonomy term.
    pub taxonomy_term_id: String,
    /// Only this taxonomy (Rondom's own).
    pub taxonomy_id: String,
    /// A Dutch postcode (`1234 AB`): services that cover it, nearest first.
    pub postcode: String,
    /// With postcode: only services within this many metres.
    pub proximity: String,
    /// `true`: whole service records instead of the short ones.
    pub full_service: Option<String>,
    /// `true`: whole records.
    pub full: Option<String>,
}

const MAX_PER_PAGE: usize = 200;
const MAX_PAGE: usize = 100_000;

struct Paging {
    page: usize,
    per_page: usize,
}

impl Paging {
    fn skip(&self) -> usize {
        (self.page - 1).saturating_mul(self.per_page)
    }
}

fn bad(field: &'static str, message: &'static str) -> ValidationError {
    ValidationError::new(field, message)
}

fn paging(p: &Params) -> Result<Paging, Vec<ValidationError>> {
    let mut errors = Vec::new();
    let page = match p.page.as_deref().map(str::trim) {
        None | Some("") => 1,
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PAGE).contains(n))
            .unwrap_or_else(|| {
                errors.push(bad(
                    "page",
                    "page is een paginanummer van 1 tot en met 100000.",
                ));
                1
            }),
    };
    let per_page = match p.per_page.as_deref().map(str::trim) {
        None | Some("") => 50,
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PER_PAGE).contains(n))
            .unwrap_or_else(|| {
                errors.push(bad(
                    "per_page",
                    "per_page is een aantal van 1 tot en met 200.",
                ));
                50
            }),
    };
    if errors.is_empty() {
        Ok(Paging { page, per_page })
    } else {
        Err(errors)
    }
}

fn flag(v: &Option<String>) -> bool {
    matches!(v.as_deref(), Some("true" | "1" | ""))
}

/// What a search over services asks, checked.
struct ServiceQuery {
    text: TextQuery,
    category: String,
    access_route: String,
    problem_area: String,
    /// A term or taxonomy that matches nothing of ours.
    nothing: bool,
    organisation_id: Option<String>,
    postcode: Option<u16>,
    proximity_m: Option<f64>,
}

fn service_query(p: &Params) -> Result<ServiceQuery, Vec<ValidationError>> {
    let mut errors = Vec::new();
    let mut q = ServiceQuery {
        text: TextQuery::parse(&p.search),
        category: String::new(),
        access_route: String::new(),
        problem_area: String::new(),
        nothing: false,
        organisation_id: (!p.organization_id.trim().is_empty())
            .then(|| p.organization_id.trim().to_owned()),
        postcode: None,
        proximity_m: None,
    };
    // The HSDS search is text only: an age typed in it stays a word, not a filter.
    q.text.age = None;
    if !p.taxonomy_term_id.is_empty() {
        match hsds::terms()
            .into_iter()
            .find(|t| t.id() == p.taxonomy_term_id)
        {
            Some(t) => match t.group {
                "categorie" => q.category = t.code.into(),
                "toegang" => q.access_route = t.code.into(),
                "probleemgebied" => q.problem_area = t.code.into(),
                _ => q.nothing = true,
            },
            None => q.nothing = true,
        }
    }
    if !p.taxonomy_id.is_empty() && p.taxonomy_id != hsds::taxonomy_id() {
        q.nothing = true;
    }
    if !p.postcode.trim().is_empty() {
        q.postcode = area::postcode_number(&p.postcode);
        if q.postcode.is_none() {
            errors.push(bad(
                "postcode",
                "postcode is een Nederlandse postcode, zoals 9990 AB.",
            ));
        }
    }
    if !p.proximity.trim().is_empty() {
        match p.proximity.trim().parse::<f64>() {
            Ok(m) if m > 0.0 && m.is_finite() => q.proximity_m = Some(m),
            _ => errors.push(bad(
                "proximity",
                "proximity is een afstand in meters, groter dan 0.",
            )),
        }
        if q.postcode.is_none() {
            errors.push(bad(
                "proximity",
                "proximity werkt vanaf een postcode: geef ook postcode mee.",
            ));
        }
    }
    if errors.is_empty() {
        Ok(q)
    } else {
        Err(errors)
    }
}

/// The matching services, best first (all of them; the caller pages).
fn matches<'a>(
    index: &'a SearchIndex,
    q: &ServiceQuery,
) -> (
    Vec<&'a rondom_app::directory::rows::ServiceRow>,
    Option<Place>,
) {
    if q.nothing {
        return (vec![], None);
    }
    let place = q.postcode.map(|p| index.place_of_postcode(p));
    let (_, hits) = index.search(
        &Filter {
            text: &q.text,
            age: None,
            category: &q.category,
            access_route: &q.access_route,
            problem_area: &q.problem_area,
            max_wait: None,
            organisation_id: q.organisation_id.as_deref(),
            // With a proximity the distance decides, not the service areas.
            place: place.as_ref().filter(|_| q.proximity_m.is_none()),
            from: place.as_ref().and_then(|p| p.point),
            fold_copies: false,
        },
        usize::MAX,
    );
    (hits.into_iter().map(|h| &h.entry.row).collect(), place)
}

/// The HSDS API's root: version and profile.
#[utoipa::path(get, path = "/api/hsds", tag = "hsds", responses((status = 200, description = "HSDS 3.0 JSON", body = serde_json::Value)), security(("bearer" = [])))]
pub async fn root(user: ApiUser, State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    access::require(&state, &user, Action::Read, Resource::Directory).await?;
    Ok(Json(json!({
        "version": "3.0",
        "profile": "https://openreferral.org/",
        "openapi_url": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json",
    })))
}

/// Services of the sociale kaart as an HSDS 3.0 page.
#[utoipa::path(get, path = "/api/hsds/services", tag = "hsds", params(Params), responses((status = 200, description = "HSDS 3.0 JSON", body = serde_json::Value), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn services(
    user: ApiUser,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<Params>,
) -> Result<Json<Value>, ApiError> {
    access::require(&state, &user, Action::Read, Resource::Directory).await?;
    let paging = paging(&p).map_err(AppError::Validation)?;
    let q = service_query(&p).map_err(AppError::Validation)?;
    let index = state.directory_index.get(&state.app.db).await?;
    let (rows, _) = matches(&index, &q);
    let total = rows.len();
    let page: Vec<_> = rows
        .into_iter()
        .skip(paging.skip())
        .take(paging.per_page)
        .cloned()
        .collect();
    let orgs = records::organisations_by_id(
        &state.app,
        page.iter().map(|s| s.organisation_id.to_string()).collect(),
    )
    .await?;
    let contents = page
        .iter()
        .map(|s| hsds::service_brief(s, orgs.get(&s.organisation_id)))
        .collect();
    Ok(Json(hsds::page(
        contents,
        total,
        paging.page,
        paging.per_page,
    )))
}

/// One service, the whole HSDS 3.0 record.
#[utoipa::path(get, path = "/api/hsds/services/{id}", tag = "hsds", params(("id" = String, Path, description = "The record's id (a UUID).")), responses((status = 200, description = "HSDS 3.0 JSON", body = serde_json::Value), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn service(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ServiceId>,
) -> Result<Json<Value>, ApiError> {
    access::require(&state, &user, Action::Read, Resource::Directory).await?;
    let out = records::service(&state.app, &id).await?;
    Ok(Json(out))
}

/// Organisations as an HSDS 3.0 page.
#[utoipa::path(get, path = "/api/hsds/organizations", tag = "hsds", params(Params), responses((status = 200, description = "HSDS 3.0 JSON", body = serde_json::Value), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn organizations(
    user: ApiUser,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<Params>,
) -> Result<Json<Value>, ApiError> {
    access::require(&state, &user, Action::Read, Resource::Directory).await?;
    let paging = paging(&p).map_err(AppError::Validation)?;
    let text = TextQuery::parse(&p.search);
    let full = flag(&p.full) || flag(&p.full_service);
    let all = records::organisations(&state.app).await?;
    let mut found: Vec<_> = all
        .into_iter()
        .filter(|o| {
            text.terms.is_empty()
                || text.score(&rondom_domain::search::Document::new(&format!(
                    "{} {}",
                    o.name,
                    o.description.as_deref().unwrap_or("")
                ))) > 0.0
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    let total = found.len();
    let page: Vec<_> = found
        .into_iter()
        .skip(paging.skip())
        .take(paging.per_page)
        .collect();
    let contents = if full {
        let ids: Vec<String> = page.iter().map(|o| o.id.to_string()).collect();
        records::organizations_full(&state.app, ids).await?
    } else {
        page.iter().map(hsds::organization_brief).collect()
    };
    Ok(Json(hsds::page(
        contents,
        total,
        paging.page,
        paging.per_page,
    )))
}

/// One organisation, the whole HSDS 3.0 record.
#[utoipa::path(get, path = "/api/hsds/organizations/{id}", tag = "hsds", params(("id" = String, Path, description = "The record's id (a UUID).")), responses((status = 200, description = "HSDS 3.0 JSON", body = serde_json::Value), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn organization(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<OrganisationId>,
) -> Result<Json<Value>, ApiError> {
    access::require(&state, &user, Action::Read, Resource::Directory).await?;
    let out = records::organizations_full(&state.app, vec![id.into_inner()])
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    Ok(Json(out))
}

/// Services at their locations as an HSDS 3.0 page.
#[utoipa::path(get, path = "/api/hsds/service_at_locations", tag = "hsds", params(Params), responses((status = 200, description = "HSDS 3.0 JSON", body = serde_json::Value), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn service_at_locations(
    user: ApiUser,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<Params>,
) -> Result<Json<Value>, ApiError> {
    access::require(&state, &user, Action::Read, Resource::Directory).await?;
    let paging = paging(&p).map_err(AppError::Validation)?;
    let q = service_query(&p).map_err(AppError::Validation)?;
    let index = state.directory_index.get(&state.app.db).await?;
    let (rows, place) = matches(&index, &q);
    let ids: Vec<String> = rows.iter().map(|s| s.id.to_string()).collect();
    let (links, locations) = records::service_locations(&state.app).await?;
    let wanted: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let locations: HashMap<&str, &rondom_app::directory::rows::Location> =
        locations.iter().map(|l| (l.id.as_str(), l)).collect();
    let mut by_service: HashMap<&str, Vec<&rondom_app::directory::rows::Location>> = HashMap::new();
    for (s, l) in &links {
        if wanted.contains(s.as_str())
            && let Some(loc) = locations.get(l.as_str())
        {
            let near = match (q.proximity_m, place.as_ref().and_then(|p| p.point)) {
                (Some(m), Some(here)) => match (loc.latitude, loc.longitude) {
                    (Some(a), Some(b)) => area::distance_km(here, (a, b)) * 1000.0 <= m,
                    _ => false,
                },
                (Some(_), None) => false,
                _ => true,
            };
            if near {
                by_service.entry(s.as_str()).or_default().push(loc);
            }
        }
    }
    let pairs: Vec<(
        &rondom_app::directory::rows::ServiceRow,
        &rondom_app::directory::rows::Location,
    )> = rows
        .iter()
        .flat_map(|s| {
            by_service
                .get(s.id.as_str())
                .into_iter()
                .flatten()
                .map(move |l| (*s, *l))
        })
        .collect();
    let total = pairs.len();
    let page: Vec<_> = pairs
        .into_iter()
        .skip(paging.skip())
        .take(paging.per_page)
        .collect();
    let orgs = records::organisations_by_id(
        &state.app,
        page.iter()
            .map(|(s, _)| s.organisation_id.to_string())
            .collect(),
    )
    .await?;
    let contents = page
        .iter()
        .map(|(s, l)| {
            json!({
                "id": hsds::derived_id(&s.id, &format!("at/{}", l.id)),
                "service_id": s.id,
                "location_id": l.id,
                "location": hsds::location_json(l),
                "service": hsds::service_brief(s, orgs.get(&s.organisation_id)),
            })
        })
        .collect();
    Ok(Json(hsds::page(
        contents,
        total,
        paging.page,
        paging.per_page,
    )))
}

/// One service at one location.
#[utoipa::path(get, path = "/api/hsds/service_at_locations/{id}", tag = "hsds", params(("id" = String, Path, description = "The record's id (a UUID).")), responses((status = 200, description = "HSDS 3.0 JSON", body = serde_json::Value), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn service_at_location(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ServiceAtLocationId>,
) -> Result<Json<Value>, ApiError> {
    access::require(&state, &user, Action::Read, Resource::Directory).await?;
    let out = records::service_at_location(&state.app, &id).await?;
    Ok(Json(out))
}

/// The taxonomies (Rondom's own vocabulary) as an HSDS 3.0 page.
#[utoipa::path(get, path = "/api/hsds/taxonomies", tag = "hsds", params(Params), responses((status = 200, description = "HSDS 3.0 JSON", body = serde_json::Value), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn taxonomies(
    user: ApiUser,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<Params>,
) -> Result<Json<Value>, ApiError> {
    access::require(&state, &user, Action::Read, Resource::Directory).await?;
    let paging = paging(&p).map_err(AppError::Validation)?;
    let all = vec![hsds::taxonomy_json()];
    let total = all.len();
    let contents = all
        .into_iter()
        .skip(paging.skip())
        .take(paging.per_page)
        .collect();
    Ok(Json(hsds::page(
        contents,
        total,
        paging.page,
        paging.per_page,
    )))
}

/// One taxonomy.
#[utoipa::path(get, path = "/api/hsds/taxonomies/{id}", tag = "hsds", params(("id" = String, Path, description = "The record's id (a UUID).")), responses((status = 200, description = "HSDS 3.0 JSON", body = serde_json::Value), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn taxonomy(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<TaxonomyTermId>,
) -> Result<Json<Value>, ApiError> {
    access::require(&state, &user, Action::Read, Resource::Directory).await?;
    if id != hsds::taxonomy_id() {
        return Err(AppError::NotFound.into());
    }
    Ok(Json(hsds::taxonomy_json()))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct TermParams {
    pub search: String,
    pub page: Option<String>,
    pub per_page: Option<String>,
    pub taxonomy_id: String,
    pub parent_id: String,
    pub top_only: Option<String>,
}

/// Taxonomy terms as an HSDS 3.0 page.
#[utoipa::path(get, path = "/api/hsds/taxonomy_terms", tag = "hsds", params(TermParams), responses((status = 200, description = "HSDS 3.0 JSON", body = serde_json::Value), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn taxonomy_terms(
    user: ApiUser,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<TermParams>,
) -> Result<Json<Value>, ApiError> {
    access::require(&state, &user, Action::Read, Resource::Directory).await?;
    let paging = paging(&Params {
        page: p.page.clone(),
        per_page: p.per_page.clone(),
        ..Default::default()
    })
    .map_err(AppError::Validation)?;
    let text = TextQuery::parse(&p.search);
    let top_only = flag(&p.top_only);
    let found: Vec<Value> = hsds::terms()
        .iter()
        .filter(|_| p.taxonomy_id.is_empty() || p.taxonomy_id == hsds::taxonomy_id())
        .filter(|t| !top_only || t.code.is_empty())
        .filter(|t| {
            p.parent_id.is_empty()
                || (!t.code.is_empty() && hsds::derived_id("term", t.group) == p.parent_id)
        })
        .filter(|t| {
            text.terms.is_empty()
                || text.score(&rondom_domain::search::Document::new(&format!(
                    "{} {}",
                    t.name,
                    t.full_code()
                ))) > 0.0
        })
        .map(hsds::term_json)
        .collect();
    let total = found.len();
    let contents = found
        .into_iter()
        .skip(paging.skip())
        .take(paging.per_page)
        .collect();
    Ok(Json(hsds::page(
        contents,
        total,
        paging.page,
        paging.per_page,
    )))
}

/// One taxonomy term.
#[utoipa::path(get, path = "/api/hsds/taxonomy_terms/{id}", tag = "hsds", params(("id" = String, Path, description = "The record's id (a UUID).")), responses((status = 200, description = "HSDS 3.0 JSON", body = serde_json::Value), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn taxonomy_term(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<TaxonomyTermId>,
) -> Result<Json<Value>, ApiError> {
    access::require(&state, &user, Action::Read, Resource::Directory).await?;
    hsds::terms()
        .iter()
        .find(|t| t.id() == id)
        .map(|t| Json(hsds::term_json(t)))
        .ok_or_else(|| AppError::NotFound.into())
}
