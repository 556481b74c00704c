//! An organisation's profile and locations in the sociale kaart, maintained by its own
//! admins: the forms and their checks; storing them (with the history and the audit
//! entry) is `rondom_app::directory::{profile, locations}`.

use crate::error::AppError;
use crate::extract::Path;
use crate::page::Page;
use crate::session::{CsrfForm, CurrentUser};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_app::directory::rows::Organisation;
use rondom_app::directory::{locations, profile};
use rondom_domain::Action;
use rondom_domain::ids::{LocationId, OrganisationId};
use rondom_domain::validate::ValidationError;
use std::collections::HashMap;

pub use rondom_app::directory::profile::Profile;

pub use rondom_app::directory::profile_form::{LocationForm, ProfileForm, optional};

#[derive(Template)]
#[template(path = "directory/profile_form.html")]
struct ProfilePage {
    page: Page,
    org: Organisation,
    /// A social team's profile also holds its overleglijn.
    has_overleglijn: bool,
    form: ProfileForm,
    errors: HashMap<&'static str, String>,
    area_choices: Vec<rondom_app::directory::index::AreaChoice>,
}

/// The areas a werkgebied is ticked from.
async fn area_choices(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<rondom_app::directory::index::AreaChoice>, AppError> {
    Ok(state
        .directory_index
        .get_at(&state.app.db, user.directory_version)
        .await?
        .area_choices())
}

pub async fn profile_form(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<OrganisationId>,
) -> Result<Html<String>, AppError> {
    let org = profile::editable(&state.app, &user, Action::Update, &id).await?;
    let areas = profile::areas(&state.app, &id).await?;
    let area_choices = area_choices(&state, &user).await?;
    ProfilePage {
        has_overleglijn: rondom_app::directory::entries::is_social_team(org.kind),
        page: Page::for_user(format!("{}: profiel", org.name), "kaart", &user),
        form: ProfileForm::from_org(&org, &areas).with_offered(&area_choices),
        org,
        errors: HashMap::new(),
        area_choices,
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

pub async fn save_profile(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<OrganisationId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let org = profile::editable(&state.app, &user, Action::Update, &id).await?;
    let form = ProfileForm::from_pairs(pairs);
    let p = match form.parse() {
        Ok(p) => p,
        Err(errors) => {
            let area_choices = area_choices(&state, &user).await?;
            let page = ProfilePage {
                has_overleglijn: rondom_app::directory::entries::is_social_team(org.kind),
                page: Page::for_user(format!("{}: profiel", org.name), "kaart", &user),
                org,
                form: form.with_offered(&area_choices),
                errors: crate::page::field_errors(errors),
                area_choices,
            }
            .render()
            .map_err(AppError::internal)?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response());
        }
    };
    profile::save(&state.app, &user, &org, p).await?;
    Ok(Redirect::to(&format!(
        "/sociale-kaart/organisaties/{id}?melding=profiel-opgeslagen"
    ))
    .into_response())
}

pub struct TextField {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "directory/location_form.html")]
struct LocationPage {
    page: Page,
    org: Organisation,
    action: String,
    form: LocationForm,
    fields: Vec<TextField>,
    has_errors: bool,
    errors: HashMap<&'static str, String>,
}

fn location_page(
    user: &CurrentUser,
    org: Organisation,
    action: String,
    form: LocationForm,
    errors: Vec<ValidationError>,
) -> Result<String, AppError> {
    let has_errors = !errors.is_empty();
    let mut errors = crate::page::field_errors(errors);
    let fields = [
        ("naam", "Naam van de locatie", &form.naam),
        ("straat", "Straat", &form.straat),
        ("huisnummer", "Huisnummer", &form.huisnummer),
        ("postcode", "Postcode", &form.postcode),
        ("plaats", "Plaats", &form.plaats),
    ]
    .into_iter()
    .map(|(name, label, value)| TextField {
        name,
        label,
        value: value.clone(),
        error: errors.remove(name),
    })
    .collect();
    LocationPage {
        page: Page::for_user(format!("{}: locatie", org.name), "kaart", user),
        org,
        action,
        fields,
        has_errors,
        form,
        errors,
    }
    .render()
    .map_err(AppError::internal)
}

pub async fn new_location_form(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(org_id): Path<OrganisationId>,
) -> Result<Html<String>, AppError> {
    let org = profile::editable(&state.app, &user, Action::Create, &org_id).await?;
    let form = LocationForm {
        plaats: org.city.clone(),
        ..Default::default()
    };
    location_page(
        &user,
        org,
        format!("/sociale-kaart/organisaties/{org_id}/locaties/nieuw"),
        form,
        vec![],
    )
    .map(Html)
}

pub async fn create_location(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(org_id): Path<OrganisationId>,
    CsrfForm(form): CsrfForm<LocationForm>,
) -> Result<Response, AppError> {
    let org = profile::editable(&state.app, &user, Action::Create, &org_id).await?;
    let location = match form.parse(&rondom_app::new_id(), &org_id) {
        Ok(l) => l,
        Err(errors) => {
            let page = location_page(
                &user,
                org,
                format!("/sociale-kaart/organisaties/{org_id}/locaties/nieuw"),
                form,
                errors,
            )?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response());
        }
    };
    locations::save(&state.app, &user, location, true).await?;
    Ok(Redirect::to(&format!(
        "/sociale-kaart/organisaties/{org_id}?melding=opgeslagen"
    ))
    .into_response())
}

pub async fn edit_location_form(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<LocationId>,
) -> Result<Html<String>, AppError> {
    let (l, org) = locations::for_edit(&state.app, &user, &id).await?;
    location_page(
        &user,
        org,
        format!("/sociale-kaart/locaties/{id}/bewerken"),
        LocationForm::from_location(&l),
        vec![],
    )
    .map(Html)
}

pub async fn update_location(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<LocationId>,
    CsrfForm(form): CsrfForm<LocationForm>,
) -> Result<Response, AppError> {
    let (old, org) = locations::for_edit(&state.app, &user, &id).await?;
    let location = match form.parse(&id, &old.organisation_id) {
        Ok(l) => l,
        Err(errors) => {
            let page = location_page(
                &user,
                org,
                format!("/sociale-kaart/locaties/{id}/bewerken"),
                form,
                errors,
            )?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response());
        }
    };
    let org_id = old.organisation_id.clone();
    locations::save(&state.app, &user, location, false).await?;
    Ok(Redirect::to(&format!(
        "/sociale-kaart/organisaties/{org_id}?melding=opgeslagen"
    ))
    .into_response())
}
