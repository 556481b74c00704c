//! The people and teams of an organisation in the sociale kaart: the forms and their
//! checks; storing them (with the history and the audit entry) is
//! `rondom_app::directory::people`.

use crate::error::AppError;
use crate::extract::Path;
use crate::page::Page;
use crate::session::{CsrfForm, CurrentUser};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_app::directory::people;
use rondom_app::directory::rows::{self as directory, Organisation};
use rondom_domain::Action;
use rondom_domain::ids::{OrganisationId, PersonId, TeamId};
use rondom_domain::validate::ValidationError;
use std::collections::HashMap;

pub use rondom_app::directory::people::PersonInput;

pub use rondom_app::directory::people_form::{PersonForm, TeamForm};

pub struct Day {
    pub number: u8,
    pub name: &'static str,
}

#[derive(Template)]
#[template(path = "directory/person_form.html")]
struct PersonFormPage {
    page: Page,
    person_id: String,
    name: String,
    form: PersonForm,
    days: Vec<Day>,
    errors: HashMap<&'static str, String>,
}

const DAY_NAMES: [&str; 7] = [
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
];

fn person_page(
    user: &CurrentUser,
    p: &directory::Person,
    form: PersonForm,
    errors: Vec<ValidationError>,
) -> Result<String, AppError> {
    PersonFormPage {
        page: Page::for_user(format!("{} bewerken", p.name), "kaart", user),
        person_id: p.id.to_string(),
        name: p.name.clone(),
        form,
        days: DAY_NAMES
            .iter()
            .enumerate()
            .map(|(i, name)| Day {
                number: i as u8 + 1,
                name,
            })
            .collect(),
        errors: crate::page::field_errors(errors),
    }
    .render()
    .map_err(AppError::internal)
}

pub async fn person_form(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<PersonId>,
) -> Result<Html<String>, AppError> {
    let p = people::person_for_edit(&state.app, &user, &id).await?;
    let form = PersonForm {
        functie: p.job_title.clone().unwrap_or_default(),
        telefoon: p.phone.clone().unwrap_or_default(),
        werkdag: p.working_days.iter().map(i32::to_string).collect(),
    };
    person_page(&user, &p, form, vec![]).map(Html)
}

pub async fn save_person(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<PersonId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let p = people::person_for_edit(&state.app, &user, &id).await?;
    let form = PersonForm::from_pairs(pairs);
    let input = match form.parse() {
        Ok(v) => v,
        Err(errors) => {
            let page = person_page(&user, &p, form, errors)?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response());
        }
    };
    people::save_person(&state.app, &user, &p, input).await?;
    Ok(Redirect::to(&format!("/sociale-kaart/mensen/{id}?melding=opgeslagen")).into_response())
}

pub struct MemberChoice {
    pub id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "directory/team_form.html")]
struct TeamPage {
    page: Page,
    org: Organisation,
    action: String,
    form: TeamForm,
    people: Vec<MemberChoice>,
    errors: HashMap<&'static str, String>,
}

fn team_page(
    user: &CurrentUser,
    org: Organisation,
    action: String,
    form: TeamForm,
    people: &[directory::Person],
    errors: Vec<ValidationError>,
) -> Result<String, AppError> {
    TeamPage {
        page: Page::for_user(format!("{}: team", org.name), "kaart", user),
        org,
        action,
        form,
        people: people
            .iter()
            .map(|p| MemberChoice {
                id: p.id.to_string(),
                name: p.name.clone(),
            })
            .collect(),
        errors: crate::page::field_errors(errors),
    }
    .render()
    .map_err(AppError::internal)
}

pub async fn new_team_form(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(org_id): Path<OrganisationId>,
) -> Result<Html<String>, AppError> {
    let (org, people) = people::org_and_people(&state.app, &user, Action::Create, &org_id).await?;
    team_page(
        &user,
        org,
        format!("/sociale-kaart/organisaties/{org_id}/teams/nieuw"),
        TeamForm::default(),
        &people,
        vec![],
    )
    .map(Html)
}

pub async fn create_team(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(org_id): Path<OrganisationId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (org, people) = people::org_and_people(&state.app, &user, Action::Create, &org_id).await?;
    let form = TeamForm::from_pairs(pairs);
    let (team, members) = match form.parse(&rondom_app::new_id(), &org_id, &people) {
        Ok(t) => t,
        Err(errors) => {
            let page = team_page(
                &user,
                org,
                format!("/sociale-kaart/organisaties/{org_id}/teams/nieuw"),
                form,
                &people,
                errors,
            )?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response());
        }
    };
    people::save_team(&state.app, &user, team, members, true).await?;
    Ok(Redirect::to(&format!(
        "/sociale-kaart/organisaties/{org_id}?melding=opgeslagen"
    ))
    .into_response())
}

pub async fn edit_team_form(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<TeamId>,
) -> Result<Html<String>, AppError> {
    let (t, org, people) = people::team_for_edit(&state.app, &user, &id).await?;
    let form = TeamForm {
        naam: t.team.name.clone(),
        beschrijving: t.team.description.clone().unwrap_or_default(),
        telefoon: t.team.phone.clone().unwrap_or_default(),
        email: t.team.email.clone().unwrap_or_default(),
        lid: t.members.iter().map(|m| m.0.clone()).collect(),
    };
    team_page(
        &user,
        org,
        format!("/sociale-kaart/teams/{id}/bewerken"),
        form,
        &people,
        vec![],
    )
    .map(Html)
}

pub async fn update_team(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<TeamId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (t, org, people) = people::team_for_edit(&state.app, &user, &id).await?;
    let org_id = t.team.organisation_id;
    let form = TeamForm::from_pairs(pairs);
    let (team, members) = match form.parse(&id, &org_id, &people) {
        Ok(t) => t,
        Err(errors) => {
            let page = team_page(
                &user,
                org,
                format!("/sociale-kaart/teams/{id}/bewerken"),
                form,
                &people,
                errors,
            )?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response());
        }
    };
    people::save_team(&state.app, &user, team, members, false).await?;
    Ok(Redirect::to(&format!(
        "/sociale-kaart/organisaties/{org_id}?melding=opgeslagen"
    ))
    .into_response())
}
