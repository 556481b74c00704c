//! The family plan through the API: `/api/v1/networks/{id}/plan` (the plan as this
//! person may see it), its versions (a new one on top of `base_version`; one by number)
//! and the family's answers; `/api/fhir/CarePlan/{id}` is a version as HL7 FHIR R4. The
//! same checks, audit entries and refusals as the pages: both call `rondom_app::plan`.

use super::ApiJson;
use crate::auth::api_token::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::ApiPath;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use rondom_app::plan::{self, PlanView, VersionView};
use rondom_domain::ids::NetworkId;
use rondom_domain::plan::{Agreement, Goal, Plan, Status, TreatmentPlan};
use rondom_domain::validate::ValidationError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct AgreementOut {
    pub key: String,
    pub what: String,
    /// The network member who does it.
    pub owner_member_id: Option<String>,
    pub owner: Option<String>,
    /// yyyy-mm-dd
    pub due_on: Option<String>,
    /// open, busy, done or dropped.
    pub status: String,
    /// Open and past its date.
    pub late: bool,
    pub not_for_parents: bool,
    pub from_meeting: bool,
}

#[derive(Serialize, ToSchema)]
pub struct GoalOut {
    pub key: String,
    pub title: String,
    pub not_for_parents: bool,
    pub agreements: Vec<AgreementOut>,
}

#[derive(Serialize, ToSchema)]
pub struct TreatmentPlanOut {
    pub key: String,
    pub provider: String,
    pub name: String,
    pub dated: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PlanVersionOut {
    pub id: String,
    pub number: i32,
    pub saved_by: String,
    /// RFC 3339, UTC.
    pub saved_at: String,
    /// edit, family, meeting or status.
    pub source: String,
    pub situation: String,
    pub strengths: String,
    pub concerns: String,
    pub goals: Vec<GoalOut>,
    pub evaluation_on: Option<String>,
    pub treatment_plans: Vec<TreatmentPlanOut>,
}

#[derive(Serialize, ToSchema)]
pub struct ChangeOut {
    /// Situatie, Wat goed gaat, Zorgen, Doel, Afspraak, Behandelplan or Evaluatie.
    pub part: String,
    /// nieuw, weg or gewijzigd.
    pub change: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ResponseOut {
    pub version: i32,
    pub who: String,
    pub agreed: bool,
    pub comment: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PlanOut {
    pub network_id: String,
    /// The newest version; absent while there is no plan.
    pub current: Option<PlanVersionOut>,
    /// The newest version the family agreed to.
    pub agreed_version: Option<i32>,
    /// What changed since that version, as this person may see it.
    pub changed_since_agreed: Vec<ChangeOut>,
    /// Every version number, newest first.
    pub versions: Vec<i32>,
    pub responses: Vec<ResponseOut>,
    /// May write the whole plan (a professional who sees it).
    pub may_edit: bool,
    /// May agree or comment (the family).
    pub may_respond: bool,
}

fn iso(d: Option<chrono::NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

fn version_out(v: &VersionView) -> PlanVersionOut {
    PlanVersionOut {
        id: v.id.clone(),
        number: v.number,
        saved_by: v.saved_by.clone(),
        saved_at: v
            .saved_at_utc
            .and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        source: v.origin.clone(),
        situation: v.situation.clone(),
        strengths: v.strengths.clone(),
        concerns: v.concerns.clone(),
        goals: v
            .goals
            .iter()
            .map(|g| GoalOut {
                key: g.key.clone(),
                title: g.title.clone(),
                not_for_parents: g.not_for_parents,
                agreements: g
                    .agreements
                    .iter()
                    .map(|a| AgreementOut {
                        key: a.key.clone(),
                        what: a.what.clone(),
                        owner_member_id: a.owner_id.clone(),
                        owner: a.owner.clone(),
                        due_on: (!a.due_iso.is_empty()).then(|| a.due_iso.clone()),
                        status: a.status.code().into(),
                        late: a.late,
                        not_for_parents: a.not_for_parents,
                        from_meeting: a.from_meeting,
                    })
                    .collect(),
            })
            .collect(),
        evaluation_on: iso(v.plan.evaluation_on),
        treatment_plans: v
            .plan
            .treatment_plans
            .iter()
            .map(|t| TreatmentPlanOut {
                key: t.key.clone(),
                provider: t.provider.clone(),
                name: t.name.clone(),
                dated: iso(t.dated),
            })
            .collect(),
    }
}

fn plan_out(p: &PlanView) -> PlanOut {
    PlanOut {
        network_id: p.network_id.clone(),
        current: p.current.as_ref().map(version_out),
        agreed_version: p.agreed.as_ref().map(|(n, _, _)| *n),
        changed_since_agreed: p
            .changed_since_agreed
            .iter()
            .map(|r| ChangeOut {
                part: r.part.into(),
                change: r.change().into(),
                before: r.before.clone(),
                after: r.after.clone(),
            })
            .collect(),
        versions: p.history.iter().map(|v| v.number).collect(),
        responses: p
            .responses
            .iter()
            .map(|r| ResponseOut {
                version: r.number,
                who: r.who.clone(),
                agreed: r.agreed,
                comment: r.comment.clone(),
            })
            .collect(),
        may_edit: p.may_edit,
        may_respond: p.may_respond,
    }
}

/// The use cases' field names as the API names them.
const FIELDS: [(&str, &str); 9] = [
    ("situatie", "situation"),
    ("sterk", "strengths"),
    ("zorgen", "concerns"),
    ("doelen", "goals"),
    ("evaluatie", "evaluation_on"),
    ("behandelplannen", "treatment_plans"),
    ("plan", "base_version"),
    ("opmerking", "comment"),
    ("antwoord", "agree"),
];

fn api_fields(errors: Vec<ValidationError>) -> AppError {
    AppError::Validation(crate::page::renamed(errors, &FIELDS))
}

async fn current(state: &AppState, user: &ApiUser, id: &str) -> Result<PlanOut, AppError> {
    Ok(plan_out(&*plan::view(&state.app, user, id).await?))
}

/// The plan of a child's network, as far as this person may see it (the network's
/// consent for "plan"; items kept from the parents are left out for them).
#[utoipa::path(get, path = "/api/v1/networks/{id}/plan", tag = "plan",
    params(("id" = String, Path, description = "Network id")),
    responses((status = 200, body = PlanOut), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<NetworkId>,
) -> Result<Json<PlanOut>, ApiError> {
    Ok(Json(current(&state, &user, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct AgreementIn {
    /// Keep an agreement's key from version to version; leave it empty for a new one.
    #[serde(default)]
    pub key: String,
    pub what: String,
    #[serde(default)]
    pub owner_member_id: Option<String>,
    /// yyyy-mm-dd
    #[serde(default)]
    pub due_on: Option<String>,
    /// open, busy, done or dropped (default open).
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub not_for_parents: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct GoalIn {
    #[serde(default)]
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub not_for_parents: bool,
    #[serde(default)]
    pub agreements: Vec<AgreementIn>,
}

#[derive(Deserialize, ToSchema)]
pub struct TreatmentPlanIn {
    #[serde(default)]
    pub key: String,
    pub provider: String,
    pub name: String,
    #[serde(default)]
    pub dated: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct PlanIn {
    /// The number of the version this one was written on (0 for the first plan). When
    /// another version was saved since, nothing is saved and the answer is 422.
    pub base_version: i32,
    #[serde(default)]
    pub situation: String,
    #[serde(default)]
    pub strengths: String,
    #[serde(default)]
    pub concerns: String,
    #[serde(default)]
    pub goals: Vec<GoalIn>,
    /// yyyy-mm-dd
    #[serde(default)]
    pub evaluation_on: Option<String>,
    #[serde(default)]
    pub treatment_plans: Vec<TreatmentPlanIn>,
}

/// A yyyy-mm-dd date, or none; what is no date is noted in `errors`.
fn day(
    s: &Option<String>,
    field: &'static str,
    errors: &mut Vec<ValidationError>,
) -> Option<chrono::NaiveDate> {
    match s.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(t) => rondom_app::dates::parse_iso(t).or_else(|| {
            errors.push(ValidationError::new(
                field,
                format!("'{t}' is geen datum (yyyy-mm-dd)."),
            ));
            None
        }),
    }
}

impl PlanIn {
    fn to_plan(&self) -> Result<Plan, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let evaluation_on = day(&self.evaluation_on, "evaluation_on", &mut errors);
        let mut goals = Vec::new();
        for g in &self.goals {
            let mut agreements = Vec::new();
            for a in &g.agreements {
                let due_on = day(&a.due_on, "goals", &mut errors);
                let status = match a.status.as_deref() {
                    None => Status::Open,
                    Some(s) => Status::parse(s).unwrap_or_else(|| {
                        errors.push(ValidationError::new(
                            "goals",
                            format!("Onbekende stand '{s}': open, busy, done of dropped."),
                        ));
                        Status::Open
                    }),
                };
                agreements.push(Agreement {
                    key: a.key.trim().to_owned(),
                    what: a.what.clone(),
                    owner: a.owner_member_id.clone().filter(|o| !o.trim().is_empty()),
                    due_on,
                    status,
                    not_for_parents: a.not_for_parents,
                    from_meeting: None,
                });
            }
            goals.push(Goal {
                key: g.key.trim().to_owned(),
                title: g.title.clone(),
                not_for_parents: g.not_for_parents,
                agreements,
            });
        }
        let mut treatment_plans = Vec::new();
        for t in &self.treatment_plans {
            let dated = day(&t.dated, "treatment_plans", &mut errors);
            treatment_plans.push(TreatmentPlan {
                key: t.key.trim().to_owned(),
                provider: t.provider.clone(),
                name: t.name.clone(),
                dated,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Plan {
            situation: self.situation.clone(),
            strengths: self.strengths.clone(),
            concerns: self.concerns.clone(),
            goals,
            evaluation_on,
            treatment_plans,
        })
    }
}

/// Saves a new version of the plan. A professional who sees the plan writes all of it;
/// family with the say write the family's own words (situation, strengths, concerns).
/// Agreements already in the plan keep their meeting mark when their key is kept.
#[utoipa::path(post, path = "/api/v1/networks/{id}/plan/versions", tag = "plan",
    params(("id" = String, Path, description = "Network id")), request_body = PlanIn,
    responses((status = 201, body = PlanOut), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn save(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<NetworkId>,
    ApiJson(input): ApiJson<PlanIn>,
) -> Result<impl IntoResponse, ApiError> {
    let plan = input.to_plan().map_err(api_fields)?;
    match plan::save(&state.app, &user, &id, input.base_version, plan).await? {
        Ok(_) => Ok((
            StatusCode::CREATED,
            Json(current(&state, &user, &id).await?),
        )),
        Err(errors) => Err(api_fields(errors).into()),
    }
}

/// One version of the plan by its number.
#[utoipa::path(get, path = "/api/v1/networks/{id}/plan/versions/{number}", tag = "plan",
    params(("id" = String, Path, description = "Network id"),
        ("number" = i32, Path, description = "Version number, from 1")),
    responses((status = 200, body = PlanVersionOut), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn version(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath((id, number)): ApiPath<(NetworkId, i32)>,
) -> Result<Json<PlanVersionOut>, ApiError> {
    let v = plan::version(&state.app, &user, &id, number).await?;
    Ok(Json(version_out(&v)))
}

#[derive(Deserialize, ToSchema)]
pub struct ResponseIn {
    /// true: akkoord with this version (the newest only); false: a comment.
    pub agree: bool,
    #[serde(default)]
    pub comment: String,
}

/// The family's answer to a version: akkoord (the newest version), or a comment.
#[utoipa::path(post, path = "/api/v1/networks/{id}/plan/versions/{number}/responses", tag = "plan",
    params(("id" = String, Path, description = "Network id"),
        ("number" = i32, Path, description = "Version number, from 1")),
    request_body = ResponseIn,
    responses((status = 201, body = PlanOut), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn respond(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath((id, number)): ApiPath<(NetworkId, i32)>,
    ApiJson(input): ApiJson<ResponseIn>,
) -> Result<impl IntoResponse, ApiError> {
    match plan::respond(&state.app, &user, &id, number, input.agree, &input.comment).await? {
        Ok(()) => Ok((
            StatusCode::CREATED,
            Json(current(&state, &user, &id).await?),
        )),
        Err(errors) => Err(api_fields(errors).into()),
    }
}
