//! Stuurinformatie through the API: `/api/v1/stuurinformatie` (every table of a
//! dashboard) and `/api/v1/stuurinformatie/{table}` (one), with the page's filters, so a
//! municipality pulls the same protected figures into its own BI. The same access
//! rules, audit entries and suppression as the page: both read `rondom_app::stuur`.

use crate::auth::api_token::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use crate::stuur::tables::{self, Out, Table};
use crate::stuur::{FilterQuery, describe};
use axum::Json;
use axum::extract::State;
use rondom_app::stuur::{self, AudienceKind, View};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct StuurOut {
    pub organisation_id: String,
    pub organisation: String,
    /// gemeente, team or praktijk.
    pub audience: String,
    /// yyyy-mm, inclusive.
    pub from: String,
    pub until: String,
    /// What was selected, in words.
    pub selection: String,
    /// How counts are protected.
    pub protection: String,
    pub tables: Vec<TableOut>,
}

#[derive(Serialize, ToSchema)]
pub struct TableOut {
    pub key: String,
    pub title: String,
    /// What is counted, from which moment (Dutch, as on the page).
    pub definition: String,
    pub columns: Vec<String>,
    /// Each cell's text as shown ("<5", "×", "12%") and its number when one may be shown.
    pub rows: Vec<Vec<Out>>,
    pub source: Option<String>,
}

fn table_out(t: Table) -> TableOut {
    TableOut {
        key: t.key.to_owned(),
        title: t.title,
        definition: t.definition.to_owned(),
        columns: t.columns,
        rows: t.rows,
        source: t.source,
    }
}

fn out(v: &View, tables: Vec<Table>) -> StuurOut {
    StuurOut {
        organisation_id: v.audience.org_id.clone(),
        organisation: v.audience.label.clone(),
        audience: match v.audience.kind {
            AudienceKind::Gemeente => "gemeente",
            AudienceKind::Team => "team",
            AudienceKind::Practice => "praktijk",
        }
        .into(),
        from: v.selection.period.from_text(),
        until: v.selection.period.until_text(),
        selection: describe(v),
        protection: "Aantallen afgerond op vijftallen; <5 = minder dan vijf; × = verborgen omdat het uit de andere cijfers te berekenen zou zijn; een aandeel alleen bij minstens vijf aan beide kanten.".into(),
        tables: tables.into_iter().map(table_out).collect(),
    }
}

#[utoipa::path(get, path = "/api/v1/stuurinformatie", tag = "stuurinformatie", params(FilterQuery),
    responses((status = 200, body = StuurOut), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn all(
    user: ApiUser,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<FilterQuery>,
) -> Result<Json<StuurOut>, ApiError> {
    let v = stuur::view(&state.app, &user, &q.filters(), "api").await?;
    let t = tables::tables(&v);
    Ok(Json(out(&v, t)))
}

#[utoipa::path(get, path = "/api/v1/stuurinformatie/{table}", tag = "stuurinformatie",
    params(("table" = String, Path, description = "eigen_hulp, verwijzers, trend, huisartsen, terugkoppeling, doorlooptijden, wachttijden, duur or caseload"), FilterQuery),
    responses((status = 200, body = StuurOut), (status = 400, body = crate::error::ErrorBody), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn one(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(table): ApiPath<String>,
    ApiQuery(q): ApiQuery<FilterQuery>,
) -> Result<Json<StuurOut>, ApiError> {
    let v = stuur::view(&state.app, &user, &q.filters(), "api").await?;
    let t: Vec<Table> = tables::tables(&v)
        .into_iter()
        .filter(|t| t.key == table)
        .collect();
    if t.is_empty() {
        return Err(ApiError(AppError::NotFound));
    }
    Ok(Json(out(&v, t)))
}
