//! The copy of a child's file (/netwerken/{id}/afschrift): the family with the say takes
//! it themselves, a professional in the network exports it with a reason; as a readable
//! HTML file that prints well, or as one HL7 FHIR R4 Bundle. `/api/v1/networks/{id}/export`
//! gives the Bundle through the API. The rules are `rondom_app::network::export`'s.

use crate::auth::api_token::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::{ApiPath, ApiQuery, Path};
use crate::page::Page;
use crate::session::{CsrfForm, CurrentUser};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use rondom_app::network::export::{self, FileCopy};
use rondom_domain::ids::NetworkId;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "network/copy_page.html")]
struct CopyPage {
    page: Page,
    network_id: String,
    family: bool,
    reden: String,
    errors: HashMap<&'static str, String>,
}

#[derive(Template)]
#[template(path = "network/copy.html")]
struct CopyDocument<'a> {
    c: &'a FileCopy,
    made_at: String,
    birth: String,
}

async fn copy_page(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    reden: String,
    errors: Vec<rondom_domain::validate::ValidationError>,
) -> Result<String, AppError> {
    let family = export::may_take(&state.app, user, id)
        .await?
        .ok_or(AppError::Forbidden)?;
    CopyPage {
        page: Page::for_user("Afschrift van het dossier", "verwijzingen", user),
        network_id: id.to_owned(),
        family,
        reden,
        errors: crate::page::field_errors(errors),
    }
    .render()
    .map_err(AppError::internal)
}

pub async fn show(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<NetworkId>,
) -> Result<Html<String>, AppError> {
    copy_page(&state, &user, &id, String::new(), vec![])
        .await
        .map(Html)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CopyForm {
    /// html or fhir
    pub formaat: String,
    pub reden: String,
}

/// A file name for the copy: the child's name and the day.
fn file_name(c: &FileCopy, ext: &str) -> String {
    let name: String = c
        .network
        .child_name
        .clone()
        .unwrap_or_default()
        .chars()
        .map(|ch| if ch.is_alphanumeric() { ch } else { '-' })
        .collect();
    format!(
        "dossier-{}-{}.{ext}",
        name.to_lowercase(),
        rondom_app::dates::today_iso()
    )
}

pub async fn take(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<NetworkId>,
    CsrfForm(form): CsrfForm<CopyForm>,
) -> Result<Response, AppError> {
    let c = match export::copy(&state.app, &user, &id, &form.reden).await? {
        Ok(c) => c,
        Err(errors) => {
            let html = copy_page(&state, &user, &id, form.reden, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
        }
    };
    if form.formaat == "fhir" {
        let bundle = crate::api::fhir::file_bundle(&state.settings.base_url, &c);
        let bytes = serde_json::to_vec_pretty(&bundle).map_err(AppError::internal)?;
        return Ok(crate::page::attachment(
            file_name(&c, "fhir.json"),
            "application/fhir+json",
            bytes,
        ));
    }
    let html = CopyDocument {
        c: &c,
        made_at: rondom_app::dates::datetime(c.made_at),
        birth: rondom_app::dates::dutch_date(c.child_birth_date),
    }
    .render()
    .map_err(AppError::internal)?;
    Ok(crate::page::attachment(
        file_name(&c, "html"),
        "text/html; charset=utf-8",
        html.into_bytes(),
    ))
}

#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
pub struct ExportQuery {
    /// Why a professional exports the file (10 to 500 characters); not asked of the
    /// family with the say.
    pub reason: String,
}

/// The copy of a child's file as one HL7 FHIR R4 Bundle: everything Rondom holds about
/// the child that the caller may see. Family with the say take it as is; a professional
/// in the network gives a reason. Every copy is in the child's access log.
#[utoipa::path(get, path = "/api/v1/networks/{id}/export", tag = "netwerk",
    params(("id" = String, Path, description = "Network id"), ExportQuery),
    responses((status = 200, description = "FHIR R4 Bundle (collection)", content_type = "application/fhir+json", body = serde_json::Value),
        (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn api_export(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<NetworkId>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> Result<Response, ApiError> {
    match export::copy(&state.app, &user, &id, &q.reason).await? {
        Ok(c) => {
            let bundle = crate::api::fhir::file_bundle(&state.settings.base_url, &c);
            let mut resp = axum::Json(bundle).into_response();
            resp.headers_mut().insert(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/fhir+json"),
            );
            Ok(resp)
        }
        Err(errors) => {
            Err(AppError::Validation(crate::page::renamed(errors, &[("reden", "reason")])).into())
        }
    }
}
