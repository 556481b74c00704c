//! Overleg through the API: `/api/v1/consultations` (list with status and due-date
//! filters, create) and `/api/v1/consultations/{id}` (with its messages), with the same
//! checks, audit entries and encryption as the pages.

use super::ApiJson;
use crate::access;
use crate::auth::api_token::ApiUser;
use crate::error::{ApiError, AppError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use rondom_app::consultation;
use rondom_domain::consultation::Status;
use rondom_domain::ids::ConsultationId;
use rondom_domain::validate::ValidationError;
use rondom_domain::{Action, Resource};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct ConsultationOut {
    pub id: String,
    pub subject: String,
    /// open, picked_up, answered or closed.
    pub status: String,
    pub practice_id: String,
    pub practice: String,
    pub team_id: String,
    pub team: String,
    pub asker: String,
    pub assignee: Option<String>,
    /// yyyy-mm-dd: the team answers by then (working days).
    pub due_on: String,
    pub overdue: bool,
    pub created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct MessageOut {
    pub author: String,
    pub from_team: bool,
    pub at: String,
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct ConsultationDetail {
    pub consultation: ConsultationOut,
    pub messages: Vec<MessageOut>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewConsultationIn {
    /// The asking practice; may be left out when the token's person works in one.
    #[serde(default)]
    pub practice_id: Option<String>,
    pub team_id: String,
    /// Short, anonymous (no name, no BSN).
    pub subject: String,
    pub question: String,
    /// A text that may identify a child (a name, a birth date, an address, a phone
    /// number) is refused with 422 on `anonymous`; set this to send it anyway, once a
    /// person has checked that it does not identify the child.
    #[serde(default)]
    pub confirmed_anonymous: bool,
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only this status: open, picked_up, answered or closed.
    pub status: String,
    /// Only questions due on or before this date (yyyy-mm-dd).
    pub due_before: String,
}

fn out(shown: consultation::Listed) -> ConsultationOut {
    let l = shown.listed;
    let status = l.c.status;
    let overdue = status.awaits_team() && l.c.due_on < crate::format::today();
    ConsultationOut {
        subject: shown.subject,
        status: l.c.status.code().to_owned(),
        practice_id: l.c.practice_id.to_string(),
        practice: l.practice_name,
        team_id: l.c.team_id.to_string(),
        team: l.team_name,
        asker: l.asker_name,
        assignee: l.assignee_name,
        due_on: l.c.due_on.to_string(),
        overdue,
        created_at: l.c.created_at.and_utc().to_rfc3339(),
        id: l.c.id.into_inner(),
    }
}

/// The consultations of the token's practices and teams, newest first.
#[utoipa::path(get, path = "/api/v1/consultations", tag = "overleg", params(ListParams),
    responses((status = 200, body = [ConsultationOut]), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    user: ApiUser,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<Vec<ConsultationOut>>, ApiError> {
    let mut errors = Vec::new();
    if !q.status.is_empty() && Status::parse(&q.status).is_none() {
        errors.push(ValidationError::new(
            "status",
            "status is open, picked_up, answered of closed.",
        ));
    }
    let due_before = crate::format::parse_iso(&q.due_before);
    if !q.due_before.is_empty() && due_before.is_none() {
        errors.push(ValidationError::new(
            "due_before",
            "due_before is een datum als 2026-12-01.",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors).into());
    }
    let practices = consultation::practices_asking(&user.actor);
    let teams = consultation::teams_answered_by(&user.actor);
    if practices.is_empty() && teams.is_empty() {
        access::require(&state, &user, Action::Read, Resource::ConsultationQueue("")).await?;
    }
    let listed = consultation::list(&state.app, practices, teams, 1000).await?;
    Ok(Json(
        listed
            .into_iter()
            .filter(|l| q.status.is_empty() || l.listed.c.status.code() == q.status)
            .filter(|l| due_before.is_none_or(|d| l.listed.c.due_on <= d))
            .map(out)
            .collect(),
    ))
}

/// Ask the linked social team an anonymous question.
#[utoipa::path(post, path = "/api/v1/consultations", tag = "overleg", request_body = NewConsultationIn,
    responses((status = 201, body = ConsultationDetail), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    user: ApiUser,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<NewConsultationIn>,
) -> Result<impl IntoResponse, ApiError> {
    let asked = consultation::create_question(
        &state.app,
        &user,
        &consultation::NewQuestion {
            practice: input.practice_id.unwrap_or_default(),
            team: input.team_id,
            subject: input.subject,
            question: input.question,
            confirmed_anonymous: input.confirmed_anonymous,
        },
    )
    .await?;
    let id = match asked {
        Ok(id) => id,
        Err(errors) => {
            // The page's field names, told in the API's.
            let errors = errors
                .into_iter()
                .map(|e| {
                    let field = match e.field {
                        "team" => "team_id",
                        "onderwerp" => "subject",
                        "vraag" => "question",
                        "praktijk" => "practice_id",
                        "anoniem" => "anonymous",
                        other => other,
                    };
                    ValidationError::new(field, e.message)
                })
                .collect();
            return Err(AppError::Validation(errors).into());
        }
    };
    let detail = detail(&state, &user, &id).await?;
    Ok((StatusCode::CREATED, Json(detail)))
}

async fn detail(
    state: &AppState,
    user: &ApiUser,
    id: &str,
) -> Result<ConsultationDetail, AppError> {
    let c = consultation::load(&state.app, user, id, Action::Read).await?;
    let thread = consultation::open(&state.app, user, &c, None)
        .await?
        .into_inner();
    Ok(ConsultationDetail {
        messages: thread
            .messages
            .into_iter()
            .map(|m| MessageOut {
                from_team: m.from_team,
                author: m.author,
                at: m.at.and_utc().to_rfc3339(),
                body: m.body,
            })
            .collect(),
        consultation: out(consultation::Listed {
            listed: thread.listed,
            subject: thread.subject,
        }),
    })
}

/// One consultation with its messages; 404 for anyone outside the practice and the team.
#[utoipa::path(get, path = "/api/v1/consultations/{id}", tag = "overleg",
    params(("id" = String, Path, description = "Consultation id")),
    responses((status = 200, body = ConsultationDetail), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ConsultationId>,
) -> Result<Json<ConsultationDetail>, ApiError> {
    Ok(Json(detail(&state, &user, &id).await?))
}
