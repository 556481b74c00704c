//! The form for a new referral, also filled from a consultation.

use crate::access;
use crate::error::AppError;
use crate::extract::Query;
use crate::page::Page;
use crate::referral;
use crate::referral::NewInput;
use crate::session::CurrentUser;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_domain::catalogue::{PROBLEM_AREAS, label};
use rondom_domain::referral::Urgency;
use rondom_domain::validate::ValidationError;
use rondom_domain::{Action, Resource};
use serde::Deserialize;
use std::collections::HashMap;

/// The new-referral form as typed.
#[derive(Default, Clone)]
pub struct NewForm {
    pub van: String,
    pub namens: String,
    pub naam: String,
    pub geboortedatum: String,
    pub gemeente: String,
    pub wijk: String,
    pub bsn: String,
    /// "team:{id}" or "aanbod:{id}".
    pub doel: String,
    pub reden: String,
    pub gebieden: Vec<String>,
    pub urgentie: String,
    pub school: String,
    pub overleg: String,
    pub rechtstreeks: String,
    pub actie: String,
}

impl NewForm {
    /// From the posted pairs (the problem areas are repeated checkboxes).
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "van" => f.van = v,
                "namens" => f.namens = v,
                "naam" => f.naam = v,
                "geboortedatum" => f.geboortedatum = v,
                "gemeente" => f.gemeente = v,
                "wijk" => f.wijk = v,
                "bsn" => f.bsn = v,
                "doel" => f.doel = v,
                "reden" => f.reden = v,
                "gebieden" => f.gebieden.push(v),
                "urgentie" => f.urgentie = v,
                "school" => f.school = v,
                "overleg" => f.overleg = v,
                "rechtstreeks" => f.rechtstreeks = v,
                "actie" => f.actie = v,
                _ => {}
            }
        }
        f
    }
}

pub struct Choice {
    pub id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "referral/new.html")]
struct NewPage {
    page: Page,
    form: NewForm,
    errors: HashMap<&'static str, String>,
    orgs: Vec<Choice>,
    gps: Vec<Choice>,
    teams: Vec<Choice>,
    services: Vec<Choice>,
    schools: Vec<Choice>,
    areas: Vec<(&'static str, &'static str, bool)>,
    /// The municipalities to choose the child's from: (code, name).
    gemeenten: Vec<Choice>,
    /// The districts, each named with its municipality.
    wijken: Vec<Choice>,
    /// What the agreements advise, when they apply to the chosen areas.
    advice: Option<String>,
    from_consultation: bool,
}

async fn new_page(
    state: &AppState,
    user: &CurrentUser,
    form: NewForm,
    errors: Vec<ValidationError>,
) -> Result<String, AppError> {
    let sending = referral::sending_orgs(&user.actor);
    let current = if form.van.is_empty() {
        sending.first().cloned().unwrap_or_default()
    } else {
        form.van.clone()
    };
    let rondom_app::referral::create::FormChoices {
        orgs,
        gps,
        teams,
        services,
        schools,
        rules: advice_rules,
        gemeenten,
        wijken,
    } = rondom_app::referral::create::form_choices(
        &state.app,
        &user.actor,
        &current,
        &form.gemeente,
    )
    .await?;
    let choice = |(id, name): (String, String)| Choice { id, name };
    let mut form = form;
    if form.gemeente.is_empty() {
        form.gemeente = orgs
            .iter()
            .find(|o| o.id == current)
            .map(|o| o.gemeente_code.clone())
            .unwrap_or_default();
    }
    let areas = PROBLEM_AREAS
        .iter()
        .map(|(c, l)| (*c, *l, form.gebieden.iter().any(|g| g == c)))
        .collect();
    let r = &advice_rules.rules;
    let advice = Some(format!(
        "{}: bij {} ({}) eerst overleg met of verwijzing naar het sociaal team. U houdt het recht om rechtstreeks te verwijzen.",
        advice_rules.describe(),
        r.team_first_areas
            .iter()
            .filter_map(|a| label(PROBLEM_AREAS, a))
            .collect::<Vec<_>>()
            .join(", ")
            .to_lowercase(),
        r.team_first_urgencies
            .iter()
            .map(|u| u.label().to_lowercase())
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .filter(|_| !r.team_first_areas.is_empty() && !r.team_first_urgencies.is_empty());
    NewPage {
        page: Page::for_user("Nieuwe verwijzing", "verwijzingen", user),
        from_consultation: !form.overleg.is_empty(),
        wijken: wijken.into_iter().map(choice).collect(),
        gemeenten: {
            let mut list: Vec<Choice> = gemeenten
                .into_iter()
                .map(|g| Choice {
                    id: g.code,
                    name: g.name,
                })
                .collect();
            // A code typed through the API or kept from an older form stays choosable.
            if !form.gemeente.is_empty() && !list.iter().any(|g| g.id == form.gemeente) {
                list.push(Choice {
                    id: form.gemeente.clone(),
                    name: form.gemeente.clone(),
                });
            }
            list
        },
        form,
        errors: crate::page::field_errors(errors),
        orgs: orgs
            .into_iter()
            .map(|o| Choice {
                id: o.id.into(),
                name: o.name,
            })
            .collect(),
        gps: gps.into_iter().map(choice).collect(),
        teams: teams.into_iter().map(choice).collect(),
        services: services.into_iter().map(choice).collect(),
        schools: schools.into_iter().map(choice).collect(),
        areas,
        advice,
    }
    .render()
    .map_err(AppError::internal)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    pub overleg: String,
    pub aanbod: String,
}

pub async fn new_form(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(q): Query<NewQuery>,
) -> Result<Html<String>, AppError> {
    let sending = referral::sending_orgs(&user.actor);
    let first = sending.first().cloned().unwrap_or_default();
    access::require(
        &state,
        &user,
        Action::Create,
        Resource::ReferralFrom(&first),
    )
    .await?;
    let mut form = NewForm {
        urgentie: Urgency::Regulier.code().into(),
        ..NewForm::default()
    };
    if !q.aanbod.is_empty() {
        form.doel = format!("aanbod:{}", q.aanbod);
    }
    if !q.overleg.is_empty() {
        // Turning a consultation into a referral: its team and question come along.
        let c = crate::consultation::load(&state.app, &user, &q.overleg, Action::Read).await?;
        let opened =
            rondom_app::consultation::open(&state.app, &user, &c, Some("omzetten in verwijzing"))
                .await?
                .into_inner();
        let subject = opened.subject;
        let thread: Vec<String> = opened
            .messages
            .into_iter()
            .map(|m| format!("{}: {}", m.author, m.body))
            .collect();
        form.van = c.practice_id.to_string();
        form.doel = format!("team:{}", c.team_id);
        form.overleg = c.id.to_string();
        form.reden = format!("Overleg ‘{subject}’:\n{}", thread.join("\n"));
    }
    new_page(&state, &user, form, vec![]).await.map(Html)
}

/// The form's fields in the shared input.
fn input_of(form: &NewForm) -> NewInput {
    let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    NewInput {
        from_org: form.van.clone(),
        on_behalf_of: some(&form.namens),
        child_name: form.naam.clone(),
        birth_date: form.geboortedatum.clone(),
        gemeente: form.gemeente.clone(),
        wijk: form.wijk.trim().to_owned(),
        bsn: form.bsn.clone(),
        to_team: form.doel.strip_prefix("team:").map(str::to_owned),
        service: form.doel.strip_prefix("aanbod:").map(str::to_owned),
        reason: form.reden.clone(),
        areas: form.gebieden.clone(),
        urgency: form.urgentie.clone(),
        school: some(&form.school),
        consultation: some(&form.overleg),
        direct_ack: form.rechtstreeks == "ja",
        draft: form.actie == "concept",
        attachments: vec![],
    }
}

/// A new referral, sent as a form, or as a multipart form with files attached (the page
/// sends the latter; clients without files may send the former).
pub async fn create(
    user: CurrentUser,
    State(state): State<AppState>,
    req: axum::extract::Request,
) -> Result<Response, AppError> {
    let Some((pairs, files)) = crate::body::form_with_files(req, &state, &user, "bijlage").await?
    else {
        let too_big = ValidationError::new(
            "bijlage",
            "De bestanden zijn samen groter dan toegestaan (5 MB per bestand). Er is niets verstuurd.",
        );
        let page = new_page(&state, &user, NewForm::default(), vec![too_big]).await?;
        return Ok((StatusCode::PAYLOAD_TOO_LARGE, Html(page)).into_response());
    };
    let form = NewForm::from_pairs(pairs);
    let mut input = input_of(&form);
    input.attachments = files;
    match referral::create(&state.app, &user, input).await? {
        Ok(id) => {
            let done = if form.actie == "concept" {
                "concept"
            } else {
                "verstuurd"
            };
            Ok(Redirect::to(&format!("{}?gedaan={done}", referral::link(&id))).into_response())
        }
        Err(errors) => {
            let page = new_page(&state, &user, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response())
        }
    }
}
