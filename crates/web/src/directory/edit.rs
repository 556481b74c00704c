//! Organisations maintain their own services in the sociale kaart (with areas,
//! locations, tariff, contract and waiting time): the pages here; the form as typed and
//! its checks are `rondom_app::directory::service_form`; storing a change with its
//! history line and audit entry is `rondom_app::directory::offer`.

use crate::error::AppError;
use crate::extract::Path;
use crate::page::Page;
use crate::session::{CsrfForm, CurrentUser};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_app::directory::index::AreaChoice;
use rondom_app::directory::offer;
use rondom_app::directory::rows::Location;
use rondom_domain::area::Area;
use rondom_domain::catalogue::{ACCESS_ROUTES, CATEGORIES, PROBLEM_AREAS};
use rondom_domain::ids::{OrganisationId, ServiceId};
use rondom_domain::validate::ValidationError;
use std::collections::HashMap;

pub use rondom_app::directory::service_form::{ServiceForm, parse_area_lines};

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

pub struct LocationChoice {
    pub id: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "directory/service_form.html")]
struct FormPage {
    page: Page,
    action: String,
    cancel: String,
    organisation: String,
    form: ServiceForm,
    errors: HashMap<&'static str, String>,
    categories: Vec<Choice>,
    routes: Vec<Choice>,
    areas: Vec<Choice>,
    locations: Vec<LocationChoice>,
    area_choices: Vec<AreaChoice>,
    /// (code, name) of the municipalities a contract can be with.
    gemeenten: Vec<(String, String)>,
}

fn choices(list: &[(&'static str, &'static str)]) -> Vec<Choice> {
    list.iter()
        .map(|(value, label)| Choice { value, label })
        .collect()
}

#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    title: String,
    action: String,
    cancel: String,
    organisation: String,
    form: ServiceForm,
    errors: Vec<ValidationError>,
    locations: &[Location],
) -> Result<Html<String>, AppError> {
    let map = crate::page::field_errors(errors);
    let index = state
        .directory_index
        .get_at(&state.app.db, user.directory_version)
        .await?;
    let area_choices = index.area_choices();
    let form = form.with_offered(&area_choices);
    let mut gemeenten: Vec<(String, String)> = area_choices
        .iter()
        .filter_map(|c| {
            let code = c.value.strip_prefix("gemeente ")?;
            Some((
                code.to_owned(),
                index.area_name(&Area::Gemeente(code.to_owned())),
            ))
        })
        .collect();
    // A contract with a municipality outside Rondom stays as it is.
    if !form.contract_gemeente.is_empty()
        && !gemeenten.iter().any(|(c, _)| *c == form.contract_gemeente)
    {
        gemeenten.push((
            form.contract_gemeente.clone(),
            form.contract_gemeente.clone(),
        ));
    }
    FormPage {
        page: Page::for_user(title, "kaart", user),
        action,
        cancel,
        organisation,
        form,
        errors: map,
        categories: choices(CATEGORIES),
        routes: choices(ACCESS_ROUTES),
        areas: choices(PROBLEM_AREAS),
        area_choices,
        gemeenten,
        locations: locations
            .iter()
            .map(|l| LocationChoice {
                id: l.id.to_string(),
                label: format!("{} — {} {}, {}", l.name, l.street, l.house_number, l.city),
            })
            .collect(),
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

pub async fn new_form(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(org_id): Path<OrganisationId>,
) -> Result<Html<String>, AppError> {
    let (org, locations) = offer::for_new(&state.app, &user, &org_id).await?;
    // Areas start empty: the service then covers the organisation's werkgebied.
    let form = ServiceForm {
        locatie: locations.iter().map(|l| l.id.to_string()).take(1).collect(),
        ..Default::default()
    };
    form_page(
        &state,
        &user,
        "Nieuw aanbod".into(),
        format!("/sociale-kaart/organisaties/{org_id}/aanbod/nieuw"),
        format!("/sociale-kaart/organisaties/{org_id}"),
        org.name,
        form,
        vec![],
        &locations,
    )
    .await
}

pub async fn create(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(org_id): Path<OrganisationId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (org, locations) = offer::for_new(&state.app, &user, &org_id).await?;
    let form = ServiceForm::from_pairs(pairs);
    let input = match form.parse(&locations) {
        Ok(i) => i,
        Err(errors) => {
            let page = form_page(
                &state,
                &user,
                "Nieuw aanbod".into(),
                format!("/sociale-kaart/organisaties/{org_id}/aanbod/nieuw"),
                format!("/sociale-kaart/organisaties/{org_id}"),
                org.name,
                form,
                errors,
                &locations,
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let id = offer::create(&state.app, &user, &org_id, input).await?;
    Ok(Redirect::to(&format!(
        "/sociale-kaart/aanbod/{id}?melding=aanbod-opgeslagen"
    ))
    .into_response())
}

pub async fn edit_form(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ServiceId>,
) -> Result<Html<String>, AppError> {
    let (s, org, locations) = offer::for_edit(&state.app, &user, &id).await?;
    form_page(
        &state,
        &user,
        format!("{} bewerken", s.row.name),
        format!("/sociale-kaart/aanbod/{id}/bewerken"),
        format!("/sociale-kaart/aanbod/{id}"),
        org.name,
        ServiceForm::from_row(&s.row, &s.areas, &s.locations),
        vec![],
        &locations,
    )
    .await
}

pub async fn update(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ServiceId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (old, org, locations) = offer::for_edit(&state.app, &user, &id).await?;
    let form = ServiceForm::from_pairs(pairs);
    let input = match form.parse(&locations) {
        Ok(i) => i,
        Err(errors) => {
            let page = form_page(
                &state,
                &user,
                format!("{} bewerken", old.row.name),
                format!("/sociale-kaart/aanbod/{id}/bewerken"),
                format!("/sociale-kaart/aanbod/{id}"),
                org.name,
                form,
                errors,
                &locations,
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    offer::update(&state.app, &user, old, input).await?;
    Ok(Redirect::to(&format!(
        "/sociale-kaart/aanbod/{id}?melding=aanbod-opgeslagen"
    ))
    .into_response())
}

/// "Still right": the quick answer to a stale-entry warning.
pub async fn mark_checked(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ServiceId>,
    CsrfForm(form): CsrfForm<CheckedForm>,
) -> Result<Response, AppError> {
    let org = offer::mark_checked(&state.app, &user, &id).await?;
    // From the organisation's own admin page (Beheer → Aanbod), back to its list.
    let to = if form.terug == "beheer" {
        format!("/beheer/organisaties/{org}?melding=gecontroleerd#aanbod")
    } else {
        format!("/sociale-kaart/aanbod/{id}?melding=gecontroleerd")
    };
    Ok(Redirect::to(&to).into_response())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct CheckedForm {
    /// "beheer": the admin page's list sent it.
    pub terug: String,
}

pub async fn delete(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ServiceId>,
    CsrfForm(_): CsrfForm<crate::session::EmptyForm>,
) -> Result<Response, AppError> {
    let org_id = offer::delete(&state.app, &user, &id).await?;
    Ok(Redirect::to(&format!(
        "/sociale-kaart/organisaties/{org_id}?melding=aanbod-verwijderd"
    ))
    .into_response())
}
