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
use rondom_app::directory::rows::{Location, Organisation};
use rondom_app::directory::{locations, profile};
use rondom_domain::Action;
use rondom_domain::area::valid_point;
use rondom_domain::ids::{LocationId, OrganisationId};
use rondom_domain::validate::{Email, Postcode, ValidationError, required_text};
use serde::Deserialize;
use std::collections::HashMap;

pub use rondom_app::directory::profile::Profile;

/// At least ten digits, and only what phone numbers are written with.
use rondom_domain::validate::{limits, optional_text, phone_ok};

pub(super) fn optional(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ProfileForm {
    pub beschrijving: String,
    pub website: String,
    pub telefoon: String,
    pub email: String,
    /// One area per line (see `edit::parse_area_lines`).
    pub werkgebied: String,
    /// A social team's consultation line and when it is staffed.
    pub overleglijn_telefoon: String,
    pub overleglijn_tijden: String,
}

impl ProfileForm {
    fn from_org(o: &Organisation, areas: &[(String, String, String)]) -> Self {
        Self {
            beschrijving: o.description.clone().unwrap_or_default(),
            website: o.website.clone().unwrap_or_default(),
            telefoon: o.phone.clone().unwrap_or_default(),
            email: o.email.clone().unwrap_or_default(),
            werkgebied: areas
                .iter()
                .map(|(_, k, c)| format!("{k} {c}"))
                .collect::<Vec<_>>()
                .join("\n"),
            overleglijn_telefoon: o.overleglijn_phone.clone().unwrap_or_default(),
            overleglijn_tijden: o.overleglijn_hours.clone().unwrap_or_default(),
        }
    }

    pub fn parse(&self) -> Result<Profile, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let description = optional_text(
            "beschrijving",
            "de beschrijving",
            &self.beschrijving,
            limits::ORGANISATION_DESCRIPTION,
        )
        .unwrap_or_else(|e| {
            errors.push(e);
            None
        });
        let website = match optional(&self.website) {
            None => None,
            Some(w) => match rondom_domain::validate::website("website", &w) {
                Ok(w) => Some(w),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
        };
        let phone = optional(&self.telefoon);
        if let Some(p) = &phone
            && !phone_ok(p)
        {
            errors.push(ValidationError::new(
                "telefoon",
                "Vul een telefoonnummer in van minstens tien cijfers, zoals 0345 700 800.",
            ));
        }
        let email = match optional(&self.email) {
            None => None,
            Some(e) => match Email::parse(&e) {
                Ok(e) => Some(e.into_inner()),
                Err(err) => {
                    errors.push(ValidationError::new("email", err.message));
                    None
                }
            },
        };
        let line_phone = optional(&self.overleglijn_telefoon);
        if let Some(p) = &line_phone
            && !phone_ok(p)
        {
            errors.push(ValidationError::new(
                "overleglijn_telefoon",
                "Vul een telefoonnummer in van minstens tien cijfers, zoals 0345 700 800.",
            ));
        }
        let line_hours = optional(&self.overleglijn_tijden);
        if line_hours.as_ref().is_some_and(|h| h.chars().count() > 100) {
            errors.push(ValidationError::new(
                "overleglijn_tijden",
                "Houd de tijden korter dan 100 tekens.",
            ));
        }
        if line_hours.is_some() && line_phone.is_none() {
            errors.push(ValidationError::new(
                "overleglijn_telefoon",
                "Vul ook het nummer van de overleglijn in.",
            ));
        }
        let areas = match super::edit::parse_area_lines(&self.werkgebied) {
            Ok(a) => a,
            Err(e) => {
                errors.extend(
                    e.into_iter()
                        .map(|e| ValidationError::new("werkgebied", e.message)),
                );
                Vec::new()
            }
        };
        if errors.is_empty() {
            Ok(Profile {
                description,
                website,
                phone,
                email,
                areas,
                overleglijn: (line_phone, line_hours),
            })
        } else {
            Err(errors)
        }
    }
}

#[derive(Template)]
#[template(path = "directory/profile_form.html")]
struct ProfilePage {
    page: Page,
    org: Organisation,
    /// A social team's profile also holds its overleglijn.
    has_overleglijn: bool,
    form: ProfileForm,
    errors: HashMap<&'static str, String>,
}

pub async fn profile_form(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<OrganisationId>,
) -> Result<Html<String>, AppError> {
    let org = profile::editable(&state.app, &user, Action::Update, &id).await?;
    let areas = profile::areas(&state.app, &id).await?;
    ProfilePage {
        has_overleglijn: rondom_app::directory::entries::is_social_team(org.kind),
        page: Page::for_user(format!("{}: profiel", org.name), "kaart", &user),
        form: ProfileForm::from_org(&org, &areas),
        org,
        errors: HashMap::new(),
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

pub async fn save_profile(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<OrganisationId>,
    CsrfForm(form): CsrfForm<ProfileForm>,
) -> Result<Response, AppError> {
    let org = profile::editable(&state.app, &user, Action::Update, &id).await?;
    let p = match form.parse() {
        Ok(p) => p,
        Err(errors) => {
            let page = ProfilePage {
                has_overleglijn: rondom_app::directory::entries::is_social_team(org.kind),
                page: Page::for_user(format!("{}: profiel", org.name), "kaart", &user),
                org,
                form,
                errors: crate::page::field_errors(errors),
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

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct LocationForm {
    pub naam: String,
    pub straat: String,
    pub huisnummer: String,
    pub postcode: String,
    pub plaats: String,
    pub breedtegraad: String,
    pub lengtegraad: String,
}

impl LocationForm {
    fn from_location(l: &Location) -> Self {
        Self {
            naam: l.name.clone(),
            straat: l.street.clone(),
            huisnummer: l.house_number.clone(),
            postcode: l.postcode.clone(),
            plaats: l.city.clone(),
            breedtegraad: l.latitude.map(|v| v.to_string()).unwrap_or_default(),
            lengtegraad: l.longitude.map(|v| v.to_string()).unwrap_or_default(),
        }
    }

    /// A checked location of `organisation_id` under `id`.
    pub fn parse(&self, id: &str, organisation_id: &str) -> Result<Location, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut take = |r: Result<String, ValidationError>| match r {
            Ok(v) => v,
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        let name = take(required_text(
            "naam",
            "een naam voor de locatie",
            &self.naam,
            200,
        ));
        let street = take(required_text("straat", "de straat", &self.straat, 200));
        let house_number = take(required_text(
            "huisnummer",
            "het huisnummer",
            &self.huisnummer,
            20,
        ));
        let city = take(required_text("plaats", "de plaats", &self.plaats, 100));
        let postcode = take(
            Postcode::parse(&self.postcode)
                .map(Postcode::into_inner)
                .map_err(|e| ValidationError::new("postcode", e.message)),
        );
        let coordinate = |s: &str| s.trim().replace(',', ".").parse::<f64>().ok();
        let point = match (self.breedtegraad.trim(), self.lengtegraad.trim()) {
            ("", "") => None,
            (a, b) => match (coordinate(a), coordinate(b)) {
                (Some(lat), Some(lon)) if valid_point(lat, lon) => Some((
                    rondom_app::directory::hsds::import::round6(lat),
                    rondom_app::directory::hsds::import::round6(lon),
                )),
                _ => {
                    errors.push(ValidationError::new("breedtegraad", "Vul breedte- en lengtegraad allebei in als decimale getallen (bijv. 52.0907 en 5.1214), of laat beide leeg."));
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Location {
            id: rondom_domain::ids::LocationId::trusted(id),
            organisation_id: rondom_domain::ids::OrganisationId::trusted(organisation_id),
            name,
            street,
            house_number,
            postcode,
            city,
            country: "NL".into(),
            latitude: point.map(|p| p.0),
            longitude: point.map(|p| p.1),
            last_checked_on: crate::format::today(),
        })
    }
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
