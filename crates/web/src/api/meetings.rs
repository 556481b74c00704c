//! Case meetings through the API: `/api/v1/meetings` (mine; schedule one),
//! `/api/v1/meetings/{id}` (the agenda as this person may see it: items about children
//! they do not reach are anonymised), its items and their minutes. The same checks,
//! audit entries and refusals as the pages: both call `rondom_app::meeting`.

use super::ApiJson;
use crate::auth::api_token::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::ApiPath;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use rondom_app::meeting::{self, MeetingView, NewMeeting, Seat};
use rondom_domain::ids::{MeetingId, MeetingItemId};
use rondom_domain::meeting::{DecidedAction, ItemKind, Minutes};
use rondom_domain::validate::ValidationError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct MeetingSummaryOut {
    pub id: String,
    pub title: String,
    /// Local time, in Dutch notation.
    pub when: String,
    pub place: String,
    pub held: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MinutesOut {
    pub discussion: String,
    pub decisions: String,
    pub actions: Vec<String>,
    /// The plan version the actions went into.
    pub plan_version: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct ItemOut {
    pub id: String,
    pub position: i32,
    /// Why it is on the agenda, in Dutch.
    pub why: String,
    /// The child's name and age, or "Een kind van N jaar" when anonymised.
    pub child: String,
    pub anonymous: bool,
    pub network_id: Option<String>,
    pub referral_id: Option<String>,
    pub question: Option<String>,
    pub minutes: Option<MinutesOut>,
    /// For the organiser: participants for whom the item is anonymous.
    pub anonymous_for: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MeetingOut {
    pub id: String,
    pub title: String,
    pub when: String,
    pub place: String,
    pub video_link: Option<String>,
    pub held: bool,
    /// organiser, participant or guest.
    pub seat: String,
    pub participants: Vec<String>,
    pub items: Vec<ItemOut>,
    /// For the organiser of a planned meeting: what the work puts forward.
    pub suggestions: Vec<SuggestionOut>,
}

#[derive(Serialize, ToSchema)]
pub struct SuggestionOut {
    /// evaluation, referral or actions.
    pub kind: String,
    pub network_id: Option<String>,
    pub referral_id: Option<String>,
    /// Named when the organiser reaches the child, else "Een kind van N jaar".
    pub child: String,
    pub why: String,
}

fn out(m: &MeetingView) -> MeetingOut {
    MeetingOut {
        id: m.id.clone(),
        title: m.title.clone(),
        when: m.when.clone(),
        place: m.place.clone(),
        video_link: m.video_link.clone(),
        held: m.held,
        seat: match m.seat {
            Seat::Organiser => "organiser",
            Seat::Participant => "participant",
            Seat::Guest(_) => "guest",
        }
        .into(),
        participants: m.participants.clone(),
        items: m
            .items
            .iter()
            .map(|i| ItemOut {
                id: i.id.clone(),
                position: i.position,
                why: i.why.into(),
                child: i.child.clone(),
                anonymous: i.anonymous,
                network_id: i.network_id.clone(),
                referral_id: i.referral_id.clone(),
                question: i.question.clone(),
                minutes: i.minutes.as_ref().map(|v| MinutesOut {
                    discussion: v.discussion.clone(),
                    decisions: v.decisions.clone(),
                    actions: v.actions.clone(),
                    plan_version: v.plan_version,
                }),
                anonymous_for: i.anonymous_for.clone(),
            })
            .collect(),
        suggestions: m
            .suggestions
            .iter()
            .map(|s| SuggestionOut {
                kind: s.kind.code().into(),
                network_id: s.network_id.clone(),
                referral_id: s.referral_id.clone(),
                child: s.child.clone(),
                why: s.why.clone(),
            })
            .collect(),
    }
}

const FIELDS: [(&str, &str); 10] = [
    ("titel", "title"),
    ("wanneer", "starts_at"),
    ("plaats", "place"),
    ("video", "video_link"),
    ("deelnemers", "participant_ids"),
    ("anderen", "participant_emails"),
    ("agenda", "network_id"),
    ("vraag", "question"),
    ("besproken", "discussion"),
    ("acties", "actions"),
];

fn api_fields(errors: Vec<ValidationError>) -> AppError {
    let renamed: Vec<ValidationError> = errors
        .into_iter()
        .map(|e| {
            if e.field == "besluiten" {
                ValidationError::new("decisions", e.message)
            } else {
                e
            }
        })
        .collect();
    AppError::Validation(crate::page::renamed(renamed, &FIELDS))
}

async fn meeting_out(state: &AppState, user: &ApiUser, id: &str) -> Result<MeetingOut, AppError> {
    Ok(out(&*meeting::view(&state.app, user, id).await?))
}

/// The meetings this person is in.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "casusoverleg",
    responses((status = 200, body = [MeetingSummaryOut])), security(("bearer" = [])))]
pub async fn list(
    user: ApiUser,
    State(state): State<AppState>,
) -> Result<Json<Vec<MeetingSummaryOut>>, ApiError> {
    let mine = meeting::mine(&state.app, &user).await?;
    Ok(Json(
        mine.into_iter()
            .map(|m| MeetingSummaryOut {
                id: m.id,
                title: m.title,
                when: m.when,
                place: m.place,
                held: m.held,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct MeetingIn {
    /// The social team whose meeting it is (one the caller is team leader or consultant of).
    pub team_id: String,
    pub title: String,
    /// Local time, yyyy-mm-ddThh:mm.
    pub starts_at: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub video_link: String,
    /// Team members and the linked practices' GPs and POHs.
    pub participant_ids: Vec<String>,
    /// Others from the sociale kaart, by the e-mail address of their Rondom account.
    #[serde(default)]
    pub participant_emails: Vec<String>,
}

/// Schedules a case meeting; the caller chairs it.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "casusoverleg", request_body = MeetingIn,
    responses((status = 201, body = MeetingOut), (status = 403, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn schedule(
    user: ApiUser,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<MeetingIn>,
) -> Result<impl IntoResponse, ApiError> {
    let input = NewMeeting {
        team: input.team_id,
        title: input.title,
        starts_at: input.starts_at,
        place: input.place,
        video_link: input.video_link,
        participants: input.participant_ids,
        others: input.participant_emails,
    };
    match meeting::schedule(&state.app, &user, &input).await? {
        Ok(id) => Ok((
            StatusCode::CREATED,
            Json(meeting_out(&state, &user, &id).await?),
        )),
        Err(errors) => Err(api_fields(errors).into()),
    }
}

#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "casusoverleg",
    params(("id" = String, Path, description = "Meeting id")),
    responses((status = 200, body = MeetingOut), (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<MeetingId>,
) -> Result<Json<MeetingOut>, ApiError> {
    Ok(Json(meeting_out(&state, &user, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ItemIn {
    /// evaluation, referral, actions or added (default added).
    #[serde(default)]
    pub kind: Option<String>,
    /// A network the caller reaches (or, for the organiser, one the team coordinates).
    #[serde(default)]
    pub network_id: Option<String>,
    /// For the organiser: a referral to the team.
    #[serde(default)]
    pub referral_id: Option<String>,
    #[serde(default)]
    pub question: String,
}

/// Puts a case on the agenda.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/items", tag = "casusoverleg",
    params(("id" = String, Path, description = "Meeting id")), request_body = ItemIn,
    responses((status = 201, body = MeetingOut), (status = 404, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn add_item(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<MeetingId>,
    ApiJson(input): ApiJson<ItemIn>,
) -> Result<impl IntoResponse, ApiError> {
    let kind = match input.kind.as_deref() {
        None => ItemKind::Added,
        Some(k) => ItemKind::parse(k).ok_or_else(|| {
            api_fields(vec![ValidationError::new(
                "kind",
                "Kies evaluation, referral, actions of added.",
            )])
        })?,
    };
    match meeting::add_item(
        &state.app,
        &user,
        &id,
        kind,
        input.network_id.as_deref(),
        input.referral_id.as_deref(),
        &input.question,
    )
    .await?
    {
        Ok(()) => Ok((
            StatusCode::CREATED,
            Json(meeting_out(&state, &user, &id).await?),
        )),
        Err(errors) => Err(api_fields(errors).into()),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct ActionIn {
    pub what: String,
    #[serde(default)]
    pub owner_member_id: Option<String>,
    /// yyyy-mm-dd
    #[serde(default)]
    pub due_on: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct MinutesIn {
    #[serde(default)]
    pub discussion: String,
    #[serde(default)]
    pub decisions: String,
    /// Actions for the child's plan (a new version, marked as from the meeting).
    #[serde(default)]
    pub actions: Vec<ActionIn>,
    /// The plan's goal the actions belong to; absent: a goal of their own.
    #[serde(default)]
    pub goal_key: Option<String>,
}

/// Records an item's minutes (the organiser, who sees the child).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/items/{item}/minutes", tag = "casusoverleg",
    params(("id" = String, Path, description = "Meeting id"), ("item" = String, Path, description = "Item id")),
    request_body = MinutesIn,
    responses((status = 201, body = MeetingOut), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn record(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath((id, item)): ApiPath<(MeetingId, MeetingItemId)>,
    ApiJson(input): ApiJson<MinutesIn>,
) -> Result<impl IntoResponse, ApiError> {
    let mut errors = Vec::new();
    let actions = input
        .actions
        .iter()
        .map(|a| DecidedAction {
            what: a.what.clone(),
            owner: a.owner_member_id.clone().filter(|o| !o.trim().is_empty()),
            due_on: a.due_on.as_deref().and_then(|d| {
                rondom_app::dates::parse_iso(d.trim()).or_else(|| {
                    errors.push(ValidationError::new(
                        "actions",
                        format!("'{d}' is geen datum (yyyy-mm-dd)."),
                    ));
                    None
                })
            }),
        })
        .collect();
    if !errors.is_empty() {
        return Err(api_fields(errors).into());
    }
    let minutes = Minutes {
        discussion: input.discussion,
        decisions: input.decisions,
        actions,
    };
    match meeting::record(
        &state.app,
        &user,
        &id,
        &item,
        minutes,
        input.goal_key.as_deref(),
    )
    .await?
    {
        Ok(_) => Ok((
            StatusCode::CREATED,
            Json(meeting_out(&state, &user, &id).await?),
        )),
        Err(errors) => Err(api_fields(errors).into()),
    }
}
