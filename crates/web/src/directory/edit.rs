//! Organisations maintain their own entries in the sociale kaart: services (with areas,
//! locations, tariff, contract and waiting time) and their profile. Every change is
//! checked, recorded in the change history (who, when, what) and audit-logged; saving an
//! entry also marks it as checked today.

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
use rondom_db::directory::{self, AreaRow, Location, ServiceRow};
use rondom_db::{DbError, audit};
use rondom_domain::area::Area;
use rondom_domain::catalogue::{self, ACCESS_ROUTES, CATEGORIES, PROBLEM_AREAS};
use rondom_domain::ids::{OrganisationId, ServiceId};
use rondom_domain::validate::{GemeenteCode, ValidationError, required_text};
use rondom_domain::{Action, Resource};
use std::collections::HashMap;

/// The form as typed, so that it can be shown again with its errors.
#[derive(Default, Clone)]
pub struct ServiceForm {
    pub naam: String,
    pub beschrijving: String,
    pub categorie: String,
    pub toegang: String,
    pub leeftijd_van: String,
    pub leeftijd_tot: String,
    pub probleem: Vec<String>,
    pub kosten: String,
    pub tarief: String,
    pub tarief_eenheid: String,
    pub wachttijd: String,
    pub capaciteit: String,
    pub contract_gemeente: String,
    pub contract_van: String,
    pub contract_tot: String,
    pub gebieden: String,
    pub locatie: Vec<String>,
}

impl ServiceForm {
    pub fn has_problem(&self, code: &str) -> bool {
        self.probleem.iter().any(|p| p == code)
    }

    pub fn has_location(&self, id: &str) -> bool {
        self.locatie.iter().any(|l| l == id)
    }

    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            let slot = match k.as_str() {
                "naam" => &mut f.naam,
                "beschrijving" => &mut f.beschrijving,
                "categorie" => &mut f.categorie,
                "toegang" => &mut f.toegang,
                "leeftijd_van" => &mut f.leeftijd_van,
                "leeftijd_tot" => &mut f.leeftijd_tot,
                "kosten" => &mut f.kosten,
                "tarief" => &mut f.tarief,
                "tarief_eenheid" => &mut f.tarief_eenheid,
                "wachttijd" => &mut f.wachttijd,
                "capaciteit" => &mut f.capaciteit,
                "contract_gemeente" => &mut f.contract_gemeente,
                "contract_van" => &mut f.contract_van,
                "contract_tot" => &mut f.contract_tot,
                "gebieden" => &mut f.gebieden,
                "probleem" => {
                    f.probleem.push(v);
                    continue;
                }
                "locatie" => {
                    f.locatie.push(v);
                    continue;
                }
                _ => continue,
            };
            *slot = v;
        }
        f
    }

    fn from_row(s: &ServiceRow, areas: &[AreaRow], locations: &[String]) -> Self {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let num = |v: Option<i32>| v.map(|n| n.to_string()).unwrap_or_default();
        Self {
            naam: s.name.clone(),
            beschrijving: s.description.clone(),
            categorie: s.category.clone(),
            toegang: s.access_route.clone(),
            leeftijd_van: s.age_min.to_string(),
            leeftijd_tot: if s.age_max >= 99 {
                String::new()
            } else {
                s.age_max.to_string()
            },
            probleem: catalogue::parse_areas(&s.problem_areas)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            kosten: opt(&s.cost),
            tarief: s
                .tariff_cents
                .map(|c| format!("{},{:02}", c / 100, c % 100))
                .unwrap_or_default(),
            tarief_eenheid: opt(&s.tariff_unit),
            wachttijd: num(s.wait_weeks),
            capaciteit: num(s.capacity),
            contract_gemeente: opt(&s.contracted_by),
            contract_van: opt(&s.contract_from),
            contract_tot: opt(&s.contract_until),
            gebieden: areas
                .iter()
                .map(|a| format!("{} {}", a.kind, a.code))
                .collect::<Vec<_>>()
                .join("\n"),
            locatie: locations.to_vec(),
        }
    }
}

/// A checked service, owning its values.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceInput {
    pub name: String,
    pub description: String,
    pub category: String,
    pub access_route: String,
    pub age_min: i32,
    pub age_max: i32,
    pub problem_areas: String,
    pub cost: Option<String>,
    pub tariff_cents: Option<i32>,
    pub tariff_unit: Option<String>,
    pub wait_weeks: Option<i32>,
    pub capacity: Option<i32>,
    pub contracted_by: Option<String>,
    pub contract_from: Option<String>,
    pub contract_until: Option<String>,
    pub areas: Vec<Area>,
    pub locations: Vec<String>,
}

fn number(
    field: &'static str,
    input: &str,
    max: i32,
    message: &'static str,
    errors: &mut Vec<ValidationError>,
) -> Option<i32> {
    let t = input.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<i32>() {
        Ok(n) if (0..=max).contains(&n) => Some(n),
        _ => {
            errors.push(ValidationError::new(field, message));
            None
        }
    }
}

fn date(field: &'static str, input: &str, errors: &mut Vec<ValidationError>) -> Option<String> {
    let t = input.trim();
    if t.is_empty() {
        return None;
    }
    match chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        Ok(d) => Some(d.format("%Y-%m-%d").to_string()),
        Err(_) => {
            errors.push(ValidationError::new(
                field,
                "Vul een datum in als jjjj-mm-dd, bijvoorbeeld 2027-01-01.",
            ));
            None
        }
    }
}

/// "105", "105,50" or "€ 105.50" → cents.
pub fn euros(input: &str) -> Option<i32> {
    let t = input
        .trim()
        .trim_start_matches('€')
        .trim()
        .replace(',', ".");
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let cents = format!("{frac:0<2}").parse::<i64>().ok()?;
    let total = whole
        .parse::<i64>()
        .ok()?
        .checked_mul(100)?
        .checked_add(cents)?;
    i32::try_from(total).ok().filter(|c| *c < 100_000_000)
}

impl ServiceForm {
    /// Checks every field; `own_locations` are the organisation's (the only ones allowed).
    pub fn parse(&self, own_locations: &[Location]) -> Result<ServiceInput, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut take = |r: Result<String, ValidationError>| match r {
            Ok(v) => v,
            Err(e) => {
                errors.push(e);
                String::new()
            }
        };
        let name = take(required_text("naam", "de naam", &self.naam, 200));
        let description = take(required_text(
            "beschrijving",
            "een beschrijving",
            &self.beschrijving,
            4000,
        ));
        if !CATEGORIES.iter().any(|(c, _)| *c == self.categorie) {
            errors.push(ValidationError::new("categorie", "Kies het soort hulp."));
        }
        if !ACCESS_ROUTES.iter().any(|(c, _)| *c == self.toegang) {
            errors.push(ValidationError::new(
                "toegang",
                "Kies hoe iemand toegang krijgt.",
            ));
        }
        let age_min = number(
            "leeftijd_van",
            &self.leeftijd_van,
            99,
            "Vul de leeftijd vanaf in als een getal van 0 tot en met 99.",
            &mut errors,
        )
        .unwrap_or(0);
        let age_max = number(
            "leeftijd_tot",
            &self.leeftijd_tot,
            99,
            "Vul de leeftijd tot en met in als een getal van 0 tot en met 99, of laat het leeg.",
            &mut errors,
        )
        .unwrap_or(99);
        if age_min > age_max {
            errors.push(ValidationError::new(
                "leeftijd_tot",
                "De leeftijd tot en met is lager dan de leeftijd vanaf.",
            ));
        }
        let mut areas_chosen = Vec::new();
        for p in &self.probleem {
            match PROBLEM_AREAS.iter().find(|(c, _)| c == p) {
                Some((c, _)) => areas_chosen.push(*c),
                None => errors.push(ValidationError::new(
                    "probleem",
                    "Kies probleemgebieden uit de lijst.",
                )),
            }
        }
        if areas_chosen.is_empty() {
            errors.push(ValidationError::new(
                "probleem",
                "Kies minstens één probleemgebied.",
            ));
        }
        let cost = Some(self.kosten.trim().to_owned()).filter(|c| !c.is_empty());
        if cost.as_ref().is_some_and(|c| c.chars().count() > 200) {
            errors.push(ValidationError::new(
                "kosten",
                "Houd de kosten korter dan 200 tekens.",
            ));
        }
        let tariff_cents = match self.tarief.trim() {
            "" => None,
            t => {
                let c = euros(t);
                if c.is_none() {
                    errors.push(ValidationError::new(
                        "tarief",
                        "Vul het tarief in euro in, bijvoorbeeld 105 of 105,50.",
                    ));
                }
                c
            }
        };
        let tariff_unit = Some(self.tarief_eenheid.trim().to_owned()).filter(|u| !u.is_empty());
        if tariff_cents.is_some() && tariff_unit.is_none() {
            errors.push(ValidationError::new(
                "tarief_eenheid",
                "Zeg waar het tarief voor is, bijvoorbeeld ‘per uur’ of ‘per traject’.",
            ));
        }
        let wait_weeks = number(
            "wachttijd",
            &self.wachttijd,
            520,
            "Vul de wachttijd in als een aantal weken (0 = geen wachttijd).",
            &mut errors,
        );
        let capacity = number(
            "capaciteit",
            &self.capaciteit,
            100_000,
            "Vul de capaciteit in als een aantal plaatsen.",
            &mut errors,
        );
        let contracted_by = match self.contract_gemeente.trim() {
            "" => None,
            g => match GemeenteCode::parse(g) {
                Ok(g) => Some(g.into_inner()),
                Err(_) => {
                    errors.push(ValidationError::new(
                        "contract_gemeente",
                        "Een gemeentecode is GM met vier cijfers, zoals GM0363.",
                    ));
                    None
                }
            },
        };
        let contract_from = date("contract_van", &self.contract_van, &mut errors);
        let contract_until = date("contract_tot", &self.contract_tot, &mut errors);
        if (contract_from.is_some() || contract_until.is_some())
            && contracted_by.is_none()
            && self.contract_gemeente.trim().is_empty()
        {
            errors.push(ValidationError::new(
                "contract_gemeente",
                "Vul de gemeente in die het contract heeft gesloten.",
            ));
        }
        if let (Some(a), Some(b)) = (&contract_from, &contract_until)
            && a > b
        {
            errors.push(ValidationError::new(
                "contract_tot",
                "Het contract eindigt vóór het begint.",
            ));
        }
        let areas = match parse_area_lines(&self.gebieden) {
            Ok(a) => a,
            Err(e) => {
                errors.extend(e);
                Vec::new()
            }
        };
        let mut locations = Vec::new();
        for l in &self.locatie {
            if own_locations.iter().any(|o| &o.id == l) {
                if !locations.contains(l) {
                    locations.push(l.clone());
                }
            } else {
                errors.push(ValidationError::new(
                    "locatie",
                    "Kies locaties van uw eigen organisatie.",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ServiceInput {
            name,
            description,
            category: self.categorie.clone(),
            access_route: self.toegang.clone(),
            age_min,
            age_max,
            problem_areas: areas_chosen.join(","),
            cost,
            tariff_cents,
            tariff_unit,
            wait_weeks,
            capacity,
            contracted_by,
            contract_from,
            contract_until,
            areas,
            locations,
        })
    }
}

/// A werkgebied as typed: one area per line, "gemeente GM0363", "wijk WK036301" or
/// "postcode 1011-1019"; problems name their line.
pub fn parse_area_lines(text: &str) -> Result<Vec<Area>, Vec<ValidationError>> {
    let mut areas = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text
        .lines()
        .map(str::trim)
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
    {
        let (kind, code) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        match Area::parse(&kind.to_lowercase(), code) {
            Ok(a) if !areas.contains(&a) => areas.push(a),
            Ok(_) => {}
            Err(e) => errors.push(ValidationError::new(
                "gebieden",
                format!("Regel {}: {}", i + 1, e.message),
            )),
        }
    }
    if errors.is_empty() {
        Ok(areas)
    } else {
        Err(errors)
    }
}

/// What changed, in Dutch, for the change history.
pub fn summary(old: Option<(&ServiceRow, &[AreaRow], &[String])>, new: &ServiceInput) -> String {
    let Some((o, old_areas, old_locations)) = old else {
        return format!("Aanbod ‘{}’ toegevoegd.", new.name);
    };
    let mut parts = Vec::new();
    let weeks = |w: Option<i32>| w.map_or("onbekend".to_owned(), |w| format!("{w} weken"));
    if o.name != new.name {
        parts.push(format!("naam: ‘{}’ → ‘{}’", o.name, new.name));
    }
    if o.description != new.description {
        parts.push("beschrijving gewijzigd".into());
    }
    if o.category != new.category {
        parts.push(format!("soort hulp: {} → {}", o.category, new.category));
    }
    if o.access_route != new.access_route {
        parts.push(format!(
            "toegang: {} → {}",
            o.access_route, new.access_route
        ));
    }
    if (o.age_min, o.age_max) != (new.age_min, new.age_max) {
        parts.push(format!(
            "leeftijd: {}–{} → {}–{}",
            o.age_min, o.age_max, new.age_min, new.age_max
        ));
    }
    if o.problem_areas != new.problem_areas {
        parts.push(format!(
            "probleemgebieden: {} → {}",
            o.problem_areas, new.problem_areas
        ));
    }
    if o.wait_weeks != new.wait_weeks {
        parts.push(format!(
            "wachttijd: {} → {}",
            weeks(o.wait_weeks),
            weeks(new.wait_weeks)
        ));
    }
    if o.cost != new.cost || o.tariff_cents != new.tariff_cents || o.tariff_unit != new.tariff_unit
    {
        parts.push("kosten of tarief gewijzigd".into());
    }
    if o.capacity != new.capacity {
        parts.push("capaciteit gewijzigd".into());
    }
    if (&o.contracted_by, &o.contract_from, &o.contract_until)
        != (&new.contracted_by, &new.contract_from, &new.contract_until)
    {
        parts.push("contract gewijzigd".into());
    }
    let old_area_codes: Vec<(String, String)> = old_areas
        .iter()
        .map(|a| (a.kind.clone(), a.code.clone()))
        .collect();
    let new_area_codes: Vec<(String, String)> = new
        .areas
        .iter()
        .map(|a| (a.kind().to_owned(), a.code()))
        .collect();
    if old_area_codes != new_area_codes {
        parts.push("werkgebied gewijzigd".into());
    }
    if old_locations != new.locations.as_slice() {
        parts.push("locaties gewijzigd".into());
    }
    if parts.is_empty() {
        "Gecontroleerd, niets gewijzigd.".into()
    } else {
        let mut s = parts.join("; ");
        if let Some(first) = s.get(..1) {
            s = first.to_uppercase() + &s[1..];
        }
        s + "."
    }
}

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
}

fn choices(list: &[(&'static str, &'static str)]) -> Vec<Choice> {
    list.iter()
        .map(|(value, label)| Choice { value, label })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn form_page(
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
        locations: locations
            .iter()
            .map(|l| LocationChoice {
                id: l.id.clone(),
                label: format!("{} — {} {}, {}", l.name, l.street, l.house_number, l.city),
            })
            .collect(),
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

async fn organisation_and_locations(
    state: &AppState,
    org_id: &str,
) -> Result<(rondom_db::organisations::Organisation, Vec<Location>), AppError> {
    let id = org_id.to_owned();
    let (org, locations) = state
        .db
        .read(move |c| {
            Ok((
                rondom_db::organisations::find(c, &id)?,
                directory::locations_of(c, Some(std::slice::from_ref(&id)))?,
            ))
        })
        .await?;
    // The platform's own organisation has no place in the sociale kaart.
    let org = org
        .filter(|o| o.kind != rondom_domain::OrganisationKind::Platform.as_str())
        .ok_or(AppError::NotFound)?;
    Ok((org, locations))
}

/// A service with what the form needs, or 404.
async fn load_service(
    state: &AppState,
    id: &str,
) -> Result<(ServiceRow, Vec<AreaRow>, Vec<String>), AppError> {
    let id = id.to_owned();
    state
        .db
        .read(move |c| {
            let Some(s) = directory::find_service(c, &id)? else {
                return Ok(None);
            };
            let ids = [id.clone()];
            let areas = directory::areas_of(c, Some(&ids))?;
            let locations = directory::service_location_links(c, Some(&ids))?
                .into_iter()
                .map(|(_, l)| l)
                .collect();
            Ok(Some((s, areas, locations)))
        })
        .await?
        .ok_or(AppError::NotFound)
}

fn new_service<'a>(
    org: &'a str,
    i: &'a ServiceInput,
    wait_reported_on: Option<&'a str>,
    today: &'a str,
) -> directory::NewService<'a> {
    directory::NewService {
        organisation_id: org,
        name: &i.name,
        description: &i.description,
        category: &i.category,
        access_route: &i.access_route,
        age_min: i.age_min,
        age_max: i.age_max,
        problem_areas: &i.problem_areas,
        cost: i.cost.as_deref(),
        wait_weeks: i.wait_weeks,
        wait_reported_on,
        last_checked_on: today,
        tariff_cents: i.tariff_cents,
        tariff_unit: i.tariff_unit.as_deref(),
        contracted_by: i.contracted_by.as_deref(),
        contract_from: i.contract_from.as_deref(),
        contract_until: i.contract_until.as_deref(),
        capacity: i.capacity,
    }
}

fn area_rows(i: &ServiceInput) -> Vec<(Option<String>, String, String)> {
    i.areas
        .iter()
        .map(|a| (None, a.kind().to_owned(), a.code()))
        .collect()
}

pub async fn new_form(
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
    let (org, locations) = organisation_and_locations(&state, &org_id).await?;
    // Areas start empty: the service then covers the organisation's werkgebied.
    let form = ServiceForm {
        locatie: locations.iter().map(|l| l.id.clone()).take(1).collect(),
        ..Default::default()
    };
    form_page(
        &user,
        "Nieuw aanbod".into(),
        format!("/sociale-kaart/organisaties/{org_id}/aanbod/nieuw"),
        format!("/sociale-kaart/organisaties/{org_id}"),
        org.name,
        form,
        vec![],
        &locations,
    )
}

pub async fn create(
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
    let (org, locations) = organisation_and_locations(&state, &org_id).await?;
    let form = ServiceForm::from_pairs(pairs);
    let input = match form.parse(&locations) {
        Ok(i) => i,
        Err(errors) => {
            let page = form_page(
                &user,
                "Nieuw aanbod".into(),
                format!("/sociale-kaart/organisaties/{org_id}/aanbod/nieuw"),
                format!("/sociale-kaart/organisaties/{org_id}"),
                org.name,
                form,
                errors,
                &locations,
            )?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let event = access::event(
        &user,
        "directory_service_create",
        Resource::DirectoryEntry(&org_id),
        "allowed",
    );
    let user_id = user.user_id.clone();
    let id = state
        .db
        .write(move |c| {
            let day = crate::format::today_iso();
            let reported = input.wait_weeks.map(|_| day.clone());
            let id = directory::create_service(
                c,
                &new_service(&org_id, &input, reported.as_deref(), &day),
            )?;
            directory::set_service_areas(c, &id, &area_rows(&input))?;
            directory::set_service_locations(c, &id, &input.locations)?;
            directory::record_change(
                c,
                &org_id,
                "service",
                &id,
                Some(&user_id),
                &summary(None, &input),
            )?;
            audit::append(
                c,
                &audit::AuditEvent {
                    object_type: "service".into(),
                    object_id: Some(id.clone()),
                    ..event
                },
            )?;
            Ok(id)
        })
        .await?;
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
    let (s, areas, linked) = load_service(&state, &id).await?;
    access::require(
        &state,
        &user,
        Action::Update,
        Resource::DirectoryEntry(&s.organisation_id),
    )
    .await?;
    let (org, locations) = organisation_and_locations(&state, &s.organisation_id).await?;
    form_page(
        &user,
        format!("{} bewerken", s.name),
        format!("/sociale-kaart/aanbod/{id}/bewerken"),
        format!("/sociale-kaart/aanbod/{id}"),
        org.name,
        ServiceForm::from_row(&s, &areas, &linked),
        vec![],
        &locations,
    )
}

pub async fn update(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ServiceId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let (old, old_areas, old_links) = load_service(&state, &id).await?;
    let org_id = old.organisation_id.clone();
    access::require(
        &state,
        &user,
        Action::Update,
        Resource::DirectoryEntry(&org_id),
    )
    .await?;
    let (org, locations) = organisation_and_locations(&state, &org_id).await?;
    let form = ServiceForm::from_pairs(pairs);
    let input = match form.parse(&locations) {
        Ok(i) => i,
        Err(errors) => {
            let page = form_page(
                &user,
                format!("{} bewerken", old.name),
                format!("/sociale-kaart/aanbod/{id}/bewerken"),
                format!("/sociale-kaart/aanbod/{id}"),
                org.name,
                form,
                errors,
                &locations,
            )?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let text = summary(Some((&old, &old_areas, &old_links)), &input);
    let event = access::event(
        &user,
        "directory_service_update",
        Resource::DirectoryEntry(&org_id),
        "allowed",
    );
    let user_id = user.user_id.clone();
    let sid = id.clone();
    state
        .db
        .write(move |c| {
            let day = crate::format::today_iso();
            // The waiting time is dated when it is reported anew.
            let reported = match (input.wait_weeks, old.wait_weeks == input.wait_weeks) {
                (None, _) => None,
                (Some(_), true) => old.wait_reported_on.clone().or(Some(day.clone())),
                (Some(_), false) => Some(day.clone()),
            };
            directory::update_service(
                c,
                &sid,
                &new_service(&org_id, &input, reported.as_deref(), &day),
            )?;
            directory::set_service_areas(c, &sid, &area_rows(&input))?;
            directory::set_service_locations(c, &sid, &input.locations)?;
            directory::record_change(c, &org_id, "service", &sid, Some(&user_id), &text)?;
            audit::append(
                c,
                &audit::AuditEvent {
                    object_type: "service".into(),
                    object_id: Some(sid.to_string()),
                    ..event
                },
            )?;
            Ok(())
        })
        .await?;
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
    CsrfForm(_): CsrfForm<crate::auth::session::EmptyForm>,
) -> Result<Response, AppError> {
    let (s, _, _) = load_service(&state, &id).await?;
    let org_id = s.organisation_id.clone();
    access::require(
        &state,
        &user,
        Action::Update,
        Resource::DirectoryEntry(&org_id),
    )
    .await?;
    let event = access::event(
        &user,
        "directory_service_checked",
        Resource::DirectoryEntry(&org_id),
        "allowed",
    );
    let user_id = user.user_id.clone();
    let sid = id.clone();
    state
        .db
        .write(move |c| {
            let day = crate::format::today_iso();
            let row = directory::NewService {
                organisation_id: &s.organisation_id,
                name: &s.name,
                description: &s.description,
                category: &s.category,
                access_route: &s.access_route,
                age_min: s.age_min,
                age_max: s.age_max,
                problem_areas: &s.problem_areas,
                cost: s.cost.as_deref(),
                wait_weeks: s.wait_weeks,
                wait_reported_on: s.wait_reported_on.as_deref(),
                last_checked_on: &day,
                tariff_cents: s.tariff_cents,
                tariff_unit: s.tariff_unit.as_deref(),
                contracted_by: s.contracted_by.as_deref(),
                contract_from: s.contract_from.as_deref(),
                contract_until: s.contract_until.as_deref(),
                capacity: s.capacity,
            };
            directory::update_service(c, &sid, &row)?;
            directory::record_change(
                c,
                &org_id,
                "service",
                &sid,
                Some(&user_id),
                "Gecontroleerd, niets gewijzigd.",
            )?;
            audit::append(
                c,
                &audit::AuditEvent {
                    object_type: "service".into(),
                    object_id: Some(sid.to_string()),
                    ..event
                },
            )
        })
        .await?;
    Ok(Redirect::to(&format!("/sociale-kaart/aanbod/{id}?melding=gecontroleerd")).into_response())
}

pub async fn delete(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ServiceId>,
    CsrfForm(_): CsrfForm<crate::auth::session::EmptyForm>,
) -> Result<Response, AppError> {
    let (s, _, _) = load_service(&state, &id).await?;
    let org_id = s.organisation_id.clone();
    access::require(
        &state,
        &user,
        Action::Update,
        Resource::DirectoryEntry(&org_id),
    )
    .await?;
    let event = access::event(
        &user,
        "directory_service_delete",
        Resource::DirectoryEntry(&org_id),
        "allowed",
    );
    let user_id = user.user_id.clone();
    let oid = org_id.clone();
    state
        .db
        .write(move |c| {
            directory::delete_service(c, &id)?;
            directory::record_change(
                c,
                &oid,
                "service",
                &id,
                Some(&user_id),
                &format!("Aanbod ‘{}’ verwijderd.", s.name),
            )?;
            audit::append(
                c,
                &audit::AuditEvent {
                    object_type: "service".into(),
                    object_id: Some(id.to_string()),
                    ..event
                },
            )?;
            Ok::<_, DbError>(())
        })
        .await?;
    Ok(Redirect::to(&format!(
        "/sociale-kaart/organisaties/{org_id}?melding=aanbod-verwijderd"
    ))
    .into_response())
}
