//! The referral agreements (verwijskader) pages: every professional reads the
//! agreements of a municipality, in force and earlier versions; the municipality's own
//! admins add a version that takes effect on a date (today or later, so that what
//! applied to earlier referrals never changes).

use crate::access;
use crate::auth::session::{CsrfForm, CurrentUser};
use crate::error::AppError;
use crate::extract::Query;
use crate::format;
use crate::page::Page;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_db::audit::{self, AuditEvent};
use rondom_db::referrals as db;
use rondom_domain::agreements::{Agreements, AgreementsInput, Recipient, Step};
use rondom_domain::catalogue::{PROBLEM_AREAS, label};
use rondom_domain::referral::Urgency;
use rondom_domain::validate::{GemeenteCode, ValidationError};
use rondom_domain::{Action, OrganisationKind, Resource, authorize};
use serde::Deserialize;
use std::collections::HashMap;

pub struct Version {
    pub effective_from: String,
    pub in_force: bool,
    pub future: bool,
    pub rules: Agreements,
    pub note: String,
    pub by: String,
}

impl Version {
    pub fn areas(&self) -> String {
        self.rules
            .team_first_areas
            .iter()
            .filter_map(|a| label(PROBLEM_AREAS, a))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn urgencies(&self) -> String {
        self.rules
            .team_first_urgencies
            .iter()
            .map(|u| u.label())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn feedback(&self) -> String {
        if self.rules.feedback_days.is_empty() {
            return "geen vaste momenten".into();
        }
        format!(
            "na {} werkdagen",
            self.rules
                .feedback_days
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(" en ")
        )
    }

    /// (step, recipients) in words.
    pub fn inform(&self) -> Vec<(&'static str, String)> {
        Step::ALL
            .iter()
            .map(|s| {
                let r = self.rules.informs(*s);
                (
                    s.label(),
                    if r.is_empty() {
                        "niemand".to_owned()
                    } else {
                        r.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ")
                    },
                )
            })
            .collect()
    }
}

#[derive(Template)]
#[template(path = "referral/agreements.html")]
struct AgreementsPage {
    page: Page,
    gemeente: String,
    gemeenten: Vec<String>,
    versions: Vec<Version>,
    /// The defaults, shown while nothing is set.
    defaults: Option<Version>,
    can_edit: bool,
    form: FormView,
    errors: HashMap<&'static str, String>,
}

/// A step and its tick boxes: (step label, [(value, recipient label, ticked)]).
pub type InformRow = (&'static str, Vec<(String, &'static str, bool)>);

/// The form with its ticks worked out for the template.
pub struct FormView {
    pub ingang: String,
    pub input: AgreementsInput,
    pub note: String,
    pub areas: Vec<(&'static str, &'static str, bool)>,
    pub urgencies: Vec<(&'static str, &'static str, bool)>,
    /// One row per step: (step label, [(value, recipient label, ticked)]).
    pub inform: Vec<InformRow>,
}

impl FormView {
    fn new(ingang: String, input: AgreementsInput, note: String) -> Self {
        Self {
            areas: PROBLEM_AREAS
                .iter()
                .map(|(c, l)| (*c, *l, input.team_first_areas.iter().any(|a| a == c)))
                .collect(),
            urgencies: Urgency::ALL
                .iter()
                .map(|u| {
                    (
                        u.code(),
                        u.label(),
                        input.team_first_urgencies.iter().any(|x| x == u.code()),
                    )
                })
                .collect(),
            inform: Step::ALL
                .iter()
                .map(|s| {
                    (
                        s.label(),
                        Recipient::ALL
                            .iter()
                            .map(|r| {
                                let v = format!("{}:{}", s.code(), r.code());
                                let on = input.inform.contains(&v);
                                (v, r.label(), on)
                            })
                            .collect(),
                    )
                })
                .collect(),
            ingang,
            input,
            note,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    pub gemeente: String,
}

/// The gemeente organisations whose admin this person is, for a code.
async fn admin_org(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
) -> Result<Option<String>, AppError> {
    let code = code.to_owned();
    let orgs = state.db.read(rondom_db::organisations::list).await?;
    Ok(orgs
        .into_iter()
        .filter(|o| o.kind == OrganisationKind::Gemeente.as_str() && o.gemeente_code == code)
        .find(|o| {
            authorize(
                &user.actor,
                Action::Update,
                Resource::ReferralAgreements(&o.id),
            )
            .is_allowed()
        })
        .map(|o| o.id))
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    gemeente: String,
    form: Option<FormView>,
    errors: Vec<ValidationError>,
) -> Result<String, AppError> {
    let g = gemeente.clone();
    let (rows, gemeenten, names) = state
        .db
        .read(move |c| {
            let rows = db::agreement_versions(c, &g)?;
            let mut codes: Vec<String> = rondom_db::organisations::list(c)?
                .into_iter()
                .filter(|o| o.kind != OrganisationKind::Platform.as_str())
                .map(|o| o.gemeente_code)
                .collect();
            codes.sort();
            codes.dedup();
            let mut names = Vec::new();
            for r in &rows {
                names.push(
                    rondom_db::users::get(c, &r.created_by)
                        .map(|u| u.name)
                        .unwrap_or_default(),
                );
            }
            Ok((rows, codes, names))
        })
        .await?;
    let today = format::today_iso();
    let mut seen_in_force = false;
    let versions: Vec<Version> = rows
        .into_iter()
        .zip(names)
        .map(|(row, by)| {
            let future = row.effective_from > today;
            let in_force = !future && !seen_in_force;
            if in_force {
                seen_in_force = true;
            }
            Version {
                rules: super::InForce::from_row(row.clone()).rules,
                effective_from: format::iso_to_dutch(&row.effective_from),
                in_force,
                future,
                note: row.note.unwrap_or_default(),
                by,
            }
        })
        .collect();
    let can_edit = admin_org(state, user, &gemeente).await?.is_some();
    let current = versions
        .iter()
        .find(|v| v.in_force)
        .map(|v| v.rules.clone())
        .unwrap_or_default();
    AgreementsPage {
        page: Page::for_user("Verwijskader", "verwijskader", user),
        defaults: (!seen_in_force).then(|| Version {
            effective_from: String::new(),
            in_force: true,
            future: false,
            rules: Agreements::default(),
            note: String::new(),
            by: String::new(),
        }),
        form: form.unwrap_or_else(|| {
            FormView::new(format::today_iso(), current.to_input(), String::new())
        }),
        gemeente,
        gemeenten,
        versions,
        can_edit,
        errors: crate::page::field_errors(errors),
    }
    .render()
    .map_err(AppError::internal)
}

/// The municipality to show: asked for, or that of the person's first organisation.
async fn gemeente_for(
    state: &AppState,
    user: &CurrentUser,
    asked: &str,
) -> Result<String, AppError> {
    if let Ok(g) = GemeenteCode::parse(asked) {
        return Ok(g.into_inner());
    }
    let first = user
        .memberships
        .first()
        .map(|m| m.organisation_id.clone())
        .unwrap_or_default();
    Ok(state
        .db
        .read(move |c| rondom_db::organisations::find(c, &first))
        .await?
        .map(|o| o.gemeente_code)
        .unwrap_or_default())
}

pub async fn show(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(q): Query<ShowQuery>,
) -> Result<Html<String>, AppError> {
    access::require(
        &state,
        &user,
        Action::Read,
        Resource::ReferralAgreements(""),
    )
    .await?;
    let gemeente = gemeente_for(&state, &user, &q.gemeente).await?;
    render(&state, &user, gemeente, None, vec![])
        .await
        .map(Html)
}

pub async fn create(
    user: CurrentUser,
    State(state): State<AppState>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let gemeente = GemeenteCode::parse(&get("gemeente"))
        .map(|g| g.into_inner())
        .unwrap_or_default();
    let org = admin_org(&state, &user, &gemeente).await?;
    let Some(org) = org else {
        // Logged as a refusal.
        access::require(
            &state,
            &user,
            Action::Update,
            Resource::ReferralAgreements(&gemeente),
        )
        .await?;
        return Err(AppError::Forbidden);
    };
    let input = input_of(&pairs);
    let ingang = get("ingang");
    let note = get("toelichting").trim().to_owned();
    let mut errors = Vec::new();
    let checked = Agreements::check(&input);
    if let Err(e) = &checked {
        errors.extend(e.iter().cloned());
    }
    let today = format::today();
    let date = super::parse_date(&ingang);
    match date {
        None => errors.push(ValidationError::new(
            "ingang",
            "Vul de datum in waarop deze versie ingaat.",
        )),
        Some(d) if d < today => errors.push(ValidationError::new(
            "ingang",
            "Een nieuwe versie gaat vandaag of later in: wat voor eerdere verwijzingen gold, blijft zo.",
        )),
        Some(_) => {}
    }
    if note.chars().count() > 2000 {
        errors.push(ValidationError::new(
            "toelichting",
            "Houd de toelichting onder 2000 tekens.",
        ));
    }
    let (Ok(rules), Some(date), true) = (checked, date, errors.is_empty()) else {
        let view = FormView::new(ingang, input, note);
        let page = render(&state, &user, gemeente, Some(view), errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response());
    };
    let e = access::event(
        &user,
        "referral_agreements_create",
        Resource::ReferralAgreements(&org),
        "allowed",
    );
    let (g, uid) = (gemeente.clone(), user.user_id.clone());
    let iso = date.format("%Y-%m-%d").to_string();
    let saved = state
        .db
        .write(move |c| {
            let id = db::insert_agreements(
                c,
                &db::NewAgreements {
                    gemeente_code: &g,
                    effective_from: &iso,
                    rules: &rules,
                    note: (!note.is_empty()).then_some(note.as_str()),
                    created_by: &uid,
                },
            )?;
            audit::append(
                c,
                &AuditEvent {
                    object_id: Some(id),
                    reason: Some(format!("verwijskader {g} vanaf {iso}")),
                    ..e
                },
            )
        })
        .await;
    match saved {
        Ok(_) => Ok(Redirect::to(&format!("/verwijskader?gemeente={gemeente}")).into_response()),
        Err(rondom_db::DbError::Conflict(_)) => {
            let view = FormView::new(get("ingang"), input_of(&pairs), get("toelichting"));
            let page = render(
                &state,
                &user,
                gemeente,
                Some(view),
                vec![ValidationError::new(
                    "ingang",
                    "Op deze datum gaat al een versie in. Kies een andere datum.",
                )],
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn input_of(pairs: &[(String, String)]) -> AgreementsInput {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = |k: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .collect()
    };
    AgreementsInput {
        consultation_days: get("termijn_overleg"),
        accept_days: get("termijn_acceptatie"),
        urgent_accept_days: get("termijn_spoed"),
        feedback_days: get("terugkoppelmomenten"),
        team_first_areas: all("eerst_team"),
        team_first_urgencies: all("eerst_team_urgentie"),
        inform: all("informeren"),
    }
}
