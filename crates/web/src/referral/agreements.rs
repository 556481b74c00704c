//! The referral agreements (verwijskader) pages: every professional reads the
//! agreements of a municipality, in force and earlier versions; the municipality's own
//! admins add a version that takes effect on a date (today or later, so that what
//! applied to earlier referrals never changes).

use crate::access;
use crate::error::AppError;
use crate::extract::Query;
use crate::format;
use crate::page::Page;
use crate::session::{CsrfForm, CurrentUser};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_app::referral::agreements;
use rondom_domain::agreements::{Agreements, AgreementsInput, Recipient, Step};
use rondom_domain::catalogue::{PROBLEM_AREAS, label};
use rondom_domain::referral::Urgency;
use rondom_domain::validate::{GemeenteCode, ValidationError};
use rondom_domain::{Action, Resource};
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
    /// The municipality shown, by name.
    gemeente_name: String,
    gemeenten: Vec<agreements::Gemeente>,
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
    /// Interim feedback moments to tick: (working days, what that is, ticked).
    pub moments: Vec<(u32, String, bool)>,
}

/// The interim feedback moments municipalities commonly agree on, in working days after
/// acceptance; a version that chose others shows those too.
const MOMENTS: [u32; 7] = [10, 20, 30, 40, 60, 90, 120];

/// "20 werkdagen (ongeveer 4 weken)".
fn moment_label(days: u32) -> String {
    let weeks = (days + 2) / 5;
    let about = match weeks {
        0 | 1 => "ongeveer een week".to_owned(),
        w if w < 12 => format!("ongeveer {w} weken"),
        w => format!("ongeveer {} maanden", (w + 2) / 4),
    };
    format!("{days} werkdagen ({about})")
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
            moments: {
                let chosen: Vec<u32> = input
                    .feedback_days
                    .split([',', ' ', ';'])
                    .filter_map(|d| d.trim().parse().ok())
                    .collect();
                let mut days: Vec<u32> = MOMENTS.to_vec();
                days.extend(chosen.iter().copied().filter(|d| *d > 0 && *d <= 260));
                days.sort_unstable();
                days.dedup();
                days.into_iter()
                    .map(|d| (d, moment_label(d), chosen.contains(&d)))
                    .collect()
            },
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

async fn render(
    state: &AppState,
    user: &CurrentUser,
    gemeente: String,
    form: Option<FormView>,
    errors: Vec<ValidationError>,
) -> Result<String, AppError> {
    let agreements::Versions {
        versions: stored,
        gemeenten,
        maintainer,
    } = agreements::versions(&state.app, &user.actor, &gemeente).await?;
    let seen_in_force = stored.iter().any(|v| v.in_force);
    let versions: Vec<Version> = stored
        .into_iter()
        .map(|v| Version {
            effective_from: format::dutch_date(v.effective_from),
            in_force: v.in_force,
            future: v.future,
            rules: v.rules,
            note: v.note,
            by: v.by,
        })
        .collect();
    let can_edit = maintainer.is_some();
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
        gemeente_name: gemeenten
            .iter()
            .find(|g| g.code == gemeente)
            .map_or_else(|| gemeente.clone(), |g| g.name.clone()),
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
    Ok(agreements::home_gemeente(&state.app, &user.actor).await?)
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
    let input = input_of(&pairs);
    let added = agreements::add_version(
        &state.app,
        &user,
        &gemeente,
        &input,
        &get("ingang"),
        &get("toelichting"),
    )
    .await?;
    match added {
        Ok(()) => Ok(Redirect::to(&format!("/verwijskader?gemeente={gemeente}")).into_response()),
        Err(errors) => {
            let view = FormView::new(get("ingang"), input, get("toelichting").trim().to_owned());
            let page = render(&state, &user, gemeente, Some(view), errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response())
        }
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
        // Ticked moments (the form), or one field with commas (older clients).
        feedback_days: all("terugkoppelmomenten").join(","),
        team_first_areas: all("eerst_team"),
        team_first_urgencies: all("eerst_team_urgentie"),
        inform: all("informeren"),
    }
}
