//! An organisation's profile and locations in the sociale kaart, maintained by its own
//! admins: checked, recorded in the change history, audit-logged.

use crate::access;
use crate::auth::session::{CsrfForm, CurrentUser};
use crate::error::AppError;
use crate::extract::Path;
use crate::page::Page;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_db::audit;
use rondom_db::directory::{self, Location};
use rondom_db::organisations::{self as orgs, Organisation};
use rondom_domain::area::{Area, valid_point};
use rondom_domain::ids::{LocationId, OrganisationId, PersonId, TeamId};
use rondom_domain::validate::{Email, Postcode, ValidationError, required_text};
use rondom_domain::{Action, Resource};
use serde::Deserialize;
use std::collections::HashMap;

/// At least ten digits, and only what phone numbers are written with.
use rondom_domain::validate::{limits, optional_text, phone_ok};

fn optional(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

async fn load_org(state: &AppState, id: &str) -> Result<Organisation, AppError> {
    let id = id.to_owned();
    state
        .db
        .read(move |c| orgs::find(c, &id))
        .await?
        // The platform's own organisation has no place in the sociale kaart.
        .filter(|o| o.kind != rondom_domain::OrganisationKind::Platform.as_str())
        .ok_or(AppError::NotFound)
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

pub struct Profile {
    pub description: Option<String>,
    pub website: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub areas: Vec<Area>,
    pub overleglijn: (Option<String>, Option<String>),
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
    form: ProfileForm,
    errors: HashMap<&'static str, String>,
}

pub async fn profile_form(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<OrganisationId>,
) -> Result<Html<String>, AppError> {
    access::require(&state, &user, Action::Update, Resource::DirectoryEntry(&id)).await?;
    let org = load_org(&state, &id).await?;
    let oid = id.clone();
    let areas = state
        .db
        .read(move |c| directory::organisation_areas(c, Some(&[oid.into_inner()])))
        .await?;
    ProfilePage {
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
    access::require(&state, &user, Action::Update, Resource::DirectoryEntry(&id)).await?;
    let org = load_org(&state, &id).await?;
    let p = match form.parse() {
        Ok(p) => p,
        Err(errors) => {
            let page = ProfilePage {
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
    let mut changed = Vec::new();
    if org.description != p.description {
        changed.push("beschrijving");
    }
    if org.website != p.website {
        changed.push("website");
    }
    if org.phone != p.phone {
        changed.push("telefoon");
    }
    if org.email != p.email {
        changed.push("e-mail");
    }
    let oid = id.clone();
    let old_areas: Vec<(String, String)> = state
        .db
        .read(move |c| directory::organisation_areas(c, Some(&[oid.into_inner()])))
        .await?
        .into_iter()
        .map(|(_, k, c)| (k, c))
        .collect();
    let new_areas: Vec<(String, String)> = p
        .areas
        .iter()
        .map(|a| (a.kind().to_owned(), a.code()))
        .collect();
    if old_areas != new_areas {
        changed.push("werkgebied");
    }
    let is_team = org.kind == rondom_domain::OrganisationKind::SociaalTeam.as_str();
    if is_team && (org.overleglijn_phone.clone(), org.overleglijn_hours.clone()) != p.overleglijn {
        changed.push("overleglijn");
    }
    let summary = if changed.is_empty() {
        "Profiel gecontroleerd, niets gewijzigd.".to_owned()
    } else {
        format!("Profiel gewijzigd: {}.", changed.join(", "))
    };
    let event = access::event(
        &user,
        "directory_profile_update",
        Resource::DirectoryEntry(&id),
        "allowed",
    );
    let user_id = user.user_id.clone();
    let oid = id.clone();
    state
        .db
        .write(move |c| {
            orgs::set_profile(
                c,
                &oid,
                p.description.as_deref(),
                p.website.as_deref(),
                Some(&crate::format::today_iso()),
            )?;
            orgs::set_contact(c, &oid, p.phone.as_deref(), p.email.as_deref())?;
            directory::set_organisation_areas(c, &oid, &new_areas)?;
            if is_team {
                directory::set_overleglijn_opt(
                    c,
                    &oid,
                    p.overleglijn.0.as_deref(),
                    p.overleglijn.1.as_deref(),
                )?;
            }
            directory::record_change(c, &oid, "organisation", &oid, Some(&user_id), &summary)?;
            audit::append(c, &event)
        })
        .await?;
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
            id: id.to_owned(),
            organisation_id: organisation_id.to_owned(),
            name,
            street,
            house_number,
            postcode,
            city,
            country: "NL".into(),
            latitude: point.map(|p| p.0),
            longitude: point.map(|p| p.1),
            last_checked_on: crate::format::today_iso(),
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
    access::require(
        &state,
        &user,
        Action::Create,
        Resource::DirectoryEntry(&org_id),
    )
    .await?;
    let org = load_org(&state, &org_id).await?;
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
    access::require(
        &state,
        &user,
        Action::Create,
        Resource::DirectoryEntry(&org_id),
    )
    .await?;
    let org = load_org(&state, &org_id).await?;
    let location = match form.parse(&rondom_db::new_id(), &org_id) {
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
    save_location(&state, &user, location, true).await?;
    Ok(Redirect::to(&format!(
        "/sociale-kaart/organisaties/{org_id}?melding=opgeslagen"
    ))
    .into_response())
}

async fn save_location(
    state: &AppState,
    user: &CurrentUser,
    l: Location,
    new: bool,
) -> Result<(), AppError> {
    let event = access::event(
        user,
        if new {
            "directory_location_create"
        } else {
            "directory_location_update"
        },
        Resource::DirectoryEntry(&l.organisation_id),
        "allowed",
    );
    let user_id = user.user_id.clone();
    state
        .db
        .write(move |c| {
            if new {
                directory::insert_location(c, &l)?;
            } else {
                directory::update_location(c, &l)?;
            }
            let what = if new { "toegevoegd" } else { "gewijzigd" };
            directory::record_change(
                c,
                &l.organisation_id,
                "location",
                &l.id,
                Some(&user_id),
                &format!("Locatie ‘{}’ {what}.", l.name),
            )?;
            audit::append(
                c,
                &audit::AuditEvent {
                    object_type: "location".into(),
                    object_id: Some(l.id.clone()),
                    ..event
                },
            )
        })
        .await?;
    Ok(())
}

async fn load_location(state: &AppState, id: &str) -> Result<Location, AppError> {
    let id = id.to_owned();
    state
        .db
        .read(move |c| directory::find_location(c, &id))
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn edit_location_form(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<LocationId>,
) -> Result<Html<String>, AppError> {
    let l = load_location(&state, &id).await?;
    access::require(
        &state,
        &user,
        Action::Update,
        Resource::DirectoryEntry(&l.organisation_id),
    )
    .await?;
    let org = load_org(&state, &l.organisation_id).await?;
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
    let old = load_location(&state, &id).await?;
    access::require(
        &state,
        &user,
        Action::Update,
        Resource::DirectoryEntry(&old.organisation_id),
    )
    .await?;
    let org = load_org(&state, &old.organisation_id).await?;
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
    save_location(&state, &user, location, false).await?;
    Ok(Redirect::to(&format!(
        "/sociale-kaart/organisaties/{org_id}?melding=opgeslagen"
    ))
    .into_response())
}

/// Function, phone and ISO weekdays, checked.
pub type PersonInput = (Option<String>, Option<String>, Vec<i32>);

#[derive(Default, Clone)]
pub struct PersonForm {
    pub functie: String,
    pub telefoon: String,
    pub werkdag: Vec<String>,
}

impl PersonForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "functie" => f.functie = v,
                "telefoon" => f.telefoon = v,
                "werkdag" => f.werkdag.push(v),
                _ => {}
            }
        }
        f
    }

    pub fn works_on(&self, day: &u8) -> bool {
        self.werkdag.iter().any(|d| d == &day.to_string())
    }

    /// (function, phone, ISO weekdays)
    pub fn parse(&self) -> Result<PersonInput, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let title = optional(&self.functie);
        if title.as_ref().is_some_and(|t| t.chars().count() > 100) {
            errors.push(ValidationError::new(
                "functie",
                "Houd de functie korter dan 100 tekens.",
            ));
        }
        let phone = optional(&self.telefoon);
        if let Some(p) = &phone
            && !phone_ok(p)
        {
            errors.push(ValidationError::new(
                "telefoon",
                "Vul een telefoonnummer in van minstens tien cijfers, zoals 0345 700 800.",
            ));
        }
        let mut days = Vec::new();
        for d in &self.werkdag {
            match d.parse::<i32>() {
                Ok(n) if (1..=7).contains(&n) => {
                    if !days.contains(&n) {
                        days.push(n);
                    }
                }
                _ => errors.push(ValidationError::new(
                    "werkdag",
                    "Kies werkdagen uit de lijst.",
                )),
            }
        }
        days.sort_unstable();
        if errors.is_empty() {
            Ok((title, phone, days))
        } else {
            Err(errors)
        }
    }
}

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

/// The organisation on whose behalf `user` may change this person's entry: one where the
/// person works and `user` is an admin.
fn editing_organisation(user: &CurrentUser, person: &directory::Person) -> Option<String> {
    person
        .work
        .iter()
        .map(|(org, _, _)| org)
        .find(|org| {
            rondom_domain::authorize(&user.actor, Action::Update, Resource::DirectoryEntry(org))
                .is_allowed()
        })
        .cloned()
}

async fn load_person(state: &AppState, id: &str) -> Result<directory::Person, AppError> {
    let id = id.to_owned();
    state
        .db
        .read(move |c| directory::person(c, &id))
        .await?
        .ok_or(AppError::NotFound)
}

fn person_page(
    user: &CurrentUser,
    p: &directory::Person,
    form: PersonForm,
    errors: Vec<ValidationError>,
) -> Result<String, AppError> {
    PersonFormPage {
        page: Page::for_user(format!("{} bewerken", p.name), "kaart", user),
        person_id: p.id.clone(),
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

/// Refused like any other denial: logged, 403.
async fn require_person_edit(
    state: &AppState,
    user: &CurrentUser,
    p: &directory::Person,
) -> Result<String, AppError> {
    match editing_organisation(user, p) {
        Some(org) => Ok(org),
        None => {
            let first = p.work.first().map(|w| w.0.clone()).unwrap_or_default();
            access::require(
                state,
                user,
                Action::Update,
                Resource::DirectoryEntry(&first),
            )
            .await?;
            Err(AppError::Forbidden)
        }
    }
}

pub async fn person_form(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<PersonId>,
) -> Result<Html<String>, AppError> {
    let p = load_person(&state, &id).await?;
    require_person_edit(&state, &user, &p).await?;
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
    let p = load_person(&state, &id).await?;
    let org = require_person_edit(&state, &user, &p).await?;
    let form = PersonForm::from_pairs(pairs);
    let (title, phone, days) = match form.parse() {
        Ok(v) => v,
        Err(errors) => {
            let page = person_page(&user, &p, form, errors)?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response());
        }
    };
    let mut changed = Vec::new();
    if p.job_title != title {
        changed.push("functie");
    }
    if p.phone != phone {
        changed.push("telefoon");
    }
    if p.working_days != days {
        changed.push("werkdagen");
    }
    let summary = if changed.is_empty() {
        format!("Gegevens van {} gecontroleerd, niets gewijzigd.", p.name)
    } else {
        format!("Gegevens van {} gewijzigd: {}.", p.name, changed.join(", "))
    };
    let event = access::event(
        &user,
        "directory_person_update",
        Resource::DirectoryEntry(&org),
        "allowed",
    );
    let user_id = user.user_id.clone();
    let pid = id.clone();
    state
        .db
        .write(move |c| {
            directory::set_person_profile(
                c,
                &pid,
                title.as_deref(),
                &days,
                Some(&crate::format::today_iso()),
            )?;
            directory::set_person_phone(c, &pid, phone.as_deref())?;
            directory::record_change(c, &org, "person", &pid, Some(&user_id), &summary)?;
            audit::append(
                c,
                &audit::AuditEvent {
                    object_type: "user".into(),
                    object_id: Some(pid.to_string()),
                    ..event
                },
            )
        })
        .await?;
    Ok(Redirect::to(&format!("/sociale-kaart/mensen/{id}?melding=opgeslagen")).into_response())
}

#[derive(Default, Clone)]
pub struct TeamForm {
    pub naam: String,
    pub beschrijving: String,
    pub telefoon: String,
    pub email: String,
    pub lid: Vec<String>,
}

impl TeamForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "naam" => f.naam = v,
                "beschrijving" => f.beschrijving = v,
                "telefoon" => f.telefoon = v,
                "email" => f.email = v,
                "lid" => f.lid.push(v),
                _ => {}
            }
        }
        f
    }

    pub fn has_member(&self, id: &str) -> bool {
        self.lid.iter().any(|l| l == id)
    }

    /// A checked team; members must work for the organisation.
    fn parse(
        &self,
        id: &str,
        organisation_id: &str,
        people: &[directory::Person],
    ) -> Result<(directory::Team, Vec<String>), Vec<ValidationError>> {
        let mut errors = Vec::new();
        let name =
            required_text("naam", "de naam van het team", &self.naam, 120).unwrap_or_else(|e| {
                errors.push(e);
                String::new()
            });
        let contact = ProfileForm {
            telefoon: self.telefoon.clone(),
            email: self.email.clone(),
            ..Default::default()
        }
        .parse();
        let (phone, email) = match contact {
            Ok(p) => (p.phone, p.email),
            Err(e) => {
                errors.extend(e);
                (None, None)
            }
        };
        let description = optional(&self.beschrijving);
        if description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 1000)
        {
            errors.push(ValidationError::new(
                "beschrijving",
                "Houd de beschrijving korter dan 1000 tekens.",
            ));
        }
        let mut members = Vec::new();
        for l in &self.lid {
            if !people.iter().any(|p| &p.id == l) {
                errors.push(ValidationError::new(
                    "lid",
                    "Kies teamleden uit de mensen van uw organisatie.",
                ));
            } else if !members.contains(l) {
                members.push(l.clone());
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok((
            directory::Team {
                id: id.to_owned(),
                organisation_id: organisation_id.to_owned(),
                name,
                description,
                phone,
                email,
                last_checked_on: crate::format::today_iso(),
            },
            members,
        ))
    }
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
                id: p.id.clone(),
                name: p.name.clone(),
            })
            .collect(),
        errors: crate::page::field_errors(errors),
    }
    .render()
    .map_err(AppError::internal)
}

async fn org_and_people(
    state: &AppState,
    org_id: &str,
) -> Result<(Organisation, Vec<directory::Person>), AppError> {
    let org = load_org(state, org_id).await?;
    let id = org_id.to_owned();
    let people = state.db.read(move |c| directory::people_of(c, &id)).await?;
    Ok((org, people))
}

pub async fn new_team_form(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(org_id): Path<OrganisationId>,
) -> Result<Html<String>, AppError> {
    access::require(
        &state,
        &user,
        Action::Create,
        Resource::DirectoryEntry(&org_id),
    )
    .await?;
    let (org, people) = org_and_people(&state, &org_id).await?;
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
    access::require(
        &state,
        &user,
        Action::Create,
        Resource::DirectoryEntry(&org_id),
    )
    .await?;
    let (org, people) = org_and_people(&state, &org_id).await?;
    let form = TeamForm::from_pairs(pairs);
    let (team, members) = match form.parse(&rondom_db::new_id(), &org_id, &people) {
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
    store_team(&state, &user, team, members, "toegevoegd").await?;
    Ok(Redirect::to(&format!(
        "/sociale-kaart/organisaties/{org_id}?melding=opgeslagen"
    ))
    .into_response())
}

async fn store_team(
    state: &AppState,
    user: &CurrentUser,
    team: directory::Team,
    members: Vec<String>,
    what: &'static str,
) -> Result<(), AppError> {
    let event = access::event(
        user,
        "directory_team_save",
        Resource::DirectoryEntry(&team.organisation_id),
        "allowed",
    );
    let user_id = user.user_id.clone();
    state
        .db
        .write(move |c| {
            directory::save_team(c, &team, &members)?;
            directory::record_change(
                c,
                &team.organisation_id,
                "team",
                &team.id,
                Some(&user_id),
                &format!("Team ‘{}’ {what} ({} leden).", team.name, members.len()),
            )?;
            audit::append(
                c,
                &audit::AuditEvent {
                    object_type: "team".into(),
                    object_id: Some(team.id.clone()),
                    ..event
                },
            )
        })
        .await?;
    Ok(())
}

async fn load_team(state: &AppState, id: &str) -> Result<directory::TeamWithMembers, AppError> {
    let id = id.to_owned();
    state
        .db
        .read(move |c| directory::find_team(c, &id))
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn edit_team_form(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<TeamId>,
) -> Result<Html<String>, AppError> {
    let t = load_team(&state, &id).await?;
    access::require(
        &state,
        &user,
        Action::Update,
        Resource::DirectoryEntry(&t.team.organisation_id),
    )
    .await?;
    let (org, people) = org_and_people(&state, &t.team.organisation_id).await?;
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
    let t = load_team(&state, &id).await?;
    let org_id = t.team.organisation_id.clone();
    access::require(
        &state,
        &user,
        Action::Update,
        Resource::DirectoryEntry(&org_id),
    )
    .await?;
    let (org, people) = org_and_people(&state, &org_id).await?;
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
    store_team(&state, &user, team, members, "gewijzigd").await?;
    Ok(Redirect::to(&format!(
        "/sociale-kaart/organisaties/{org_id}?melding=opgeslagen"
    ))
    .into_response())
}
