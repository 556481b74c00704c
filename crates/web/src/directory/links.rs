//! The koppeling: a social team links its consultants to general practices and keeps
//! their hours there (weekly slots, absences) current, so that "Mijn team" tells the GP
//! the truth. The pages and the hours form here; the rules (who links whom, who is
//! told, the history and the audit entry) are `rondom_app::directory::links`.

use crate::error::AppError;
use crate::extract::Path;
use crate::page::Page;
use crate::session::{CsrfForm, CurrentUser};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_app::directory::links;
use rondom_app::directory::rows::TeamLink;
use rondom_domain::ids::{OrganisationId, PracticeLinkId};
use rondom_domain::validate::ValidationError;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewLinkForm {
    pub praktijk: String,
    pub consulent: String,
}

/// Links a consultant of the team to a practice.
pub async fn create(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(team_id): Path<OrganisationId>,
    CsrfForm(form): CsrfForm<NewLinkForm>,
) -> Result<Response, AppError> {
    let link = links::create(&state.app, &user, &team_id, &form.praktijk, &form.consulent)
        .await?
        .map_err(AppError::Validation)?;
    Ok(Redirect::to(&format!("/sociale-kaart/koppelingen/{link}")).into_response())
}

/// A practice's admin accepts or declines a team's request to link.
pub async fn answer(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<PracticeLinkId>,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> Result<Response, AppError> {
    let link = links::for_answer(&state.app, &user, &id).await?;
    let accept = match form.antwoord.as_str() {
        "accepteren" => true,
        "weigeren" => false,
        _ => {
            return Err(AppError::BadRequest("Kies accepteren of weigeren.".into()));
        }
    };
    if !links::answer(&state.app, &user, &link, accept).await? {
        return Err(AppError::Conflict("Dit verzoek is al beantwoord.".into()));
    }
    Ok(Redirect::to(&format!(
        "/sociale-kaart/organisaties/{}?melding=opgeslagen",
        link.practice_id
    ))
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerForm {
    pub antwoord: String,
}

pub use rondom_app::directory::hours_form::HoursForm;

#[derive(Template)]
#[template(path = "directory/link_form.html")]
struct LinkPage {
    page: Page,
    link: TeamLink,
    form: HoursForm,
    errors: HashMap<&'static str, String>,
}

fn link_page(
    user: &CurrentUser,
    link: TeamLink,
    form: HoursForm,
    errors: Vec<ValidationError>,
) -> Result<String, AppError> {
    let map = crate::page::field_errors(errors);
    LinkPage {
        page: Page::for_user(
            format!("{} in {}", link.consultant_name, link.practice_name),
            "kaart",
            user,
        ),
        link,
        form,
        errors: map,
    }
    .render()
    .map_err(AppError::internal)
}

pub async fn show(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<PracticeLinkId>,
) -> Result<Html<String>, AppError> {
    let link = links::for_hours(&state.app, &user, &id).await?;
    let form = HoursForm::from_link(&link);
    link_page(&user, link, form, vec![]).map(Html)
}

pub async fn save(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<PracticeLinkId>,
    CsrfForm(form): CsrfForm<HoursForm>,
) -> Result<Response, AppError> {
    let link = links::for_hours(&state.app, &user, &id).await?;
    let day = crate::format::today();
    let hours = match form.parse(day) {
        Ok(v) => v,
        Err(errors) => {
            let page = link_page(&user, link, form, errors)?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response());
        }
    };
    links::save_hours(&state.app, &user, &link, hours, day).await?;
    Ok(Redirect::to(&format!(
        "/sociale-kaart/organisaties/{}?melding=opgeslagen",
        link.team_id
    ))
    .into_response())
}

pub async fn delete(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<PracticeLinkId>,
    CsrfForm(_): CsrfForm<crate::session::EmptyForm>,
) -> Result<Response, AppError> {
    let side = links::delete(&state.app, &user, &id).await?;
    Ok(Redirect::to(&format!(
        "/sociale-kaart/organisaties/{side}?melding=opgeslagen"
    ))
    .into_response())
}
