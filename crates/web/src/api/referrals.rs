//! Referrals through the API: `/api/v1/referrals` (list with status, due-date and box
//! filters; create), `/api/v1/referrals/{id}`, `POST /api/v1/referrals/{id}/transitions`
//! (409 with the allowed next states when a move is not allowed) and
//! `/api/v1/referrals/{id}/feedback`. The same checks, audit entries and encryption as
//! the pages: both call `crate::referral`.

use super::ApiJson;
use crate::access;
use crate::auth::api_token::ApiUser;
use crate::error::{ApiError, AppError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::format;
use crate::referral::{self, MoveInput, NewInput, Shown};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use rondom_app::referral::inbox::Filter;
use rondom_domain::catalogue::parse_areas;
use rondom_domain::ids::ReferralId;
use rondom_domain::referral::Status;
use rondom_domain::validate::ValidationError;
use rondom_domain::{Action, Resource};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct ChildOut {
    pub name: String,
    /// yyyy-mm-dd
    pub birth_date: String,
    pub age: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct ReferralOut {
    pub id: String,
    /// The FHIR Task status: draft, requested, received, accepted, rejected,
    /// in-progress, on-hold, completed, cancelled or failed.
    pub status: String,
    pub child: ChildOut,
    pub from_org_id: String,
    pub from: String,
    pub referrer: String,
    pub to_org_id: String,
    pub to: String,
    pub service_id: Option<String>,
    pub case_director: Option<String>,
    /// regulier or spoed.
    pub urgency: String,
    pub problem_areas: Vec<String>,
    /// yyyy-mm-dd: the receiving side's next deadline (working days).
    pub due_on: Option<String>,
    pub overdue: bool,
    /// The referral this one continues (an onward referral).
    pub parent_id: Option<String>,
    pub consultation_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct EventOut {
    pub from: Option<String>,
    pub to: String,
    pub by: String,
    pub reason: Option<String>,
    pub at: String,
}

#[derive(Serialize, ToSchema)]
pub struct FeedbackOut {
    /// accepted, rejected, interim, completed, onward or ended.
    pub kind: String,
    pub author: String,
    pub text: String,
    pub at: String,
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: String,
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i32,
}

#[derive(Serialize, ToSchema)]
pub struct AgreementsOut {
    /// None while the municipality has set no agreements (the defaults apply).
    pub id: Option<String>,
    pub gemeente_code: String,
    pub effective_from: Option<String>,
    pub consultation_days: u32,
    pub accept_days: u32,
    pub urgent_accept_days: u32,
    pub feedback_days: Vec<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct ReferralDetail {
    pub referral: ReferralOut,
    pub gemeente_code: String,
    /// Only on the detail, never in lists.
    pub bsn: Option<String>,
    pub reason: String,
    pub agreements: AgreementsOut,
    /// The statuses the token's person may move this referral to now.
    pub allowed_transitions: Vec<String>,
    pub events: Vec<EventOut>,
    pub feedback: Vec<FeedbackOut>,
    pub attachments: Vec<AttachmentOut>,
    pub onward: Vec<ReferralOut>,
}

#[derive(Deserialize, ToSchema)]
pub struct ChildIn {
    pub name: String,
    /// yyyy-mm-dd
    pub birth_date: String,
    /// CBS code, e.g. GM0999.
    pub gemeente_code: String,
    /// Optional: the district the child lives in (CBS code WK + 6, of that
    /// municipality), for stuurinformatie per wijk.
    #[serde(default)]
    pub wijk_code: Option<String>,
    /// Optional; checked with the 11-check and stored encrypted.
    #[serde(default)]
    pub bsn: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewReferralIn {
    /// The referring organisation; may be left out when the person refers for one.
    #[serde(default)]
    pub from_org_id: Option<String>,
    /// The GP on whose behalf a POH refers.
    #[serde(default)]
    pub on_behalf_of_id: Option<String>,
    pub child: ChildIn,
    /// A linked social team as the target …
    #[serde(default)]
    pub to_org_id: Option<String>,
    /// … or a service from the sociale kaart.
    #[serde(default)]
    pub service_id: Option<String>,
    pub reason: String,
    pub problem_areas: Vec<String>,
    /// regulier (default) or spoed.
    #[serde(default)]
    pub urgency: Option<String>,
    #[serde(default)]
    pub school_id: Option<String>,
    /// The consultation this referral follows on (it is closed).
    #[serde(default)]
    pub consultation_id: Option<String>,
    /// Set when referring directly although the agreements advise the team first.
    #[serde(default)]
    pub direct_referral_acknowledged: bool,
    /// Keep as a draft instead of sending.
    #[serde(default)]
    pub draft: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct OutcomeIn {
    pub help_given: String,
    pub given_by: String,
    pub next: String,
}

#[derive(Deserialize, ToSchema)]
pub struct TransitionIn {
    /// The status to move to.
    pub to: String,
    /// Required for rejected, on-hold, cancelled and failed.
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Required when a social team accepts.
    #[serde(default)]
    pub case_director_id: Option<String>,
    /// Required for completed.
    #[serde(default)]
    pub outcome: Option<OutcomeIn>,
    /// With `to: accepted`: start the help at once too (accepted, then in-progress).
    #[serde(default)]
    pub and_start: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct FeedbackIn {
    pub text: String,
}

#[derive(Deserialize, Default, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only this status.
    pub status: String,
    /// Only with a deadline on or before this date (yyyy-mm-dd).
    pub due_before: String,
    /// sent (made by the token's organisations) or received (made to them); both when
    /// left out.
    #[serde(rename = "box")]
    #[param(rename = "box")]
    pub box_: String,
    /// 1-based.
    pub page: i64,
    /// At most 100; 50 by default.
    pub per_page: i64,
}

/// A referral as listed, from a look that was logged (`referral::disclose_list`).
fn out(s: &Shown) -> ReferralOut {
    let l = &s.listed;
    let status = l.r.status;
    ReferralOut {
        id: l.r.id.to_string(),
        status: l.r.status.code().to_owned(),
        child: ChildOut {
            name: s.child_name.clone(),
            birth_date: l.child_birth_date.to_string(),
            age: Some(referral::age_on(l.child_birth_date, format::today())),
        },
        from_org_id: l.r.from_org_id.to_string(),
        from: l.from_name.clone(),
        referrer: l.referrer_name.clone(),
        to_org_id: l.r.to_org_id.to_string(),
        to: l.to_name.clone(),
        service_id: l.r.service_id.clone().map(String::from),
        case_director: l.case_director_name.clone(),
        urgency: l.r.urgency.code().to_owned(),
        problem_areas: parse_areas(&l.r.problem_areas)
            .into_iter()
            .map(str::to_owned)
            .collect(),
        due_on: l.r.due_on.map(|d| d.to_string()),
        overdue: referral::is_overdue(status, l.r.due_on, format::today()),
        parent_id: l.r.parent_id.clone().map(String::from),
        consultation_id: l.r.consultation_id.clone().map(String::from),
        created_at: l.r.created_at.and_utc().to_rfc3339(),
        updated_at: l.r.updated_at.and_utc().to_rfc3339(),
    }
}

/// The token's referrals, sent and received, newest first.
#[utoipa::path(get, path = "/api/v1/referrals", tag = "verwijzingen", params(ListParams),
    responses((status = 200, body = [ReferralOut]), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    user: ApiUser,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<Json<Vec<ReferralOut>>, ApiError> {
    let mut errors = Vec::new();
    let status = Status::parse(&q.status);
    if !q.status.is_empty() && status.is_none() {
        errors.push(ValidationError::new(
            "status",
            "status is een FHIR Task-status: draft, requested, received, accepted, rejected, in-progress, on-hold, completed, cancelled of failed.",
        ));
    }
    let due_before = format::parse_iso(&q.due_before);
    if !q.due_before.is_empty() && due_before.is_none() {
        errors.push(ValidationError::new(
            "due_before",
            "due_before is een datum als 2026-12-01.",
        ));
    }
    if !matches!(q.box_.as_str(), "" | "sent" | "received") {
        errors.push(ValidationError::new("box", "box is sent of received."));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors).into());
    }
    let sending = referral::sending_orgs(&user.actor);
    let receiving = referral::receiving_orgs(&user.actor);
    if sending.is_empty() && receiving.is_empty() {
        access::require(&state, &user, Action::Read, Resource::ReferralInbox("")).await?;
    }
    let per_page = if q.per_page <= 0 {
        50
    } else {
        q.per_page.min(100)
    };
    let filter = Filter {
        from_orgs: if q.box_ == "received" {
            vec![]
        } else {
            sending
        },
        to_orgs: if q.box_ == "sent" { vec![] } else { receiving },
        statuses: status.into_iter().collect(),
        due_before,
        limit: per_page,
        offset: (q.page.max(1) - 1).saturating_mul(per_page),
        ..Filter::default()
    };
    let shown = rondom_app::referral::inbox::list(&state.app, &user, filter).await?;
    Ok(Json(shown.iter().map(out).collect()))
}

/// The pages' field names as the API names them.
const FIELDS: [(&str, &str); 19] = [
    ("van", "from_org_id"),
    ("namens", "on_behalf_of_id"),
    ("naam", "child.name"),
    ("geboortedatum", "child.birth_date"),
    ("gemeente", "child.gemeente_code"),
    ("wijk", "child.wijk_code"),
    ("bsn", "child.bsn"),
    ("doel", "to_org_id"),
    ("reden", "reason"),
    ("gebieden", "problem_areas"),
    ("urgentie", "urgency"),
    ("school", "school_id"),
    ("overleg", "consultation_id"),
    ("casusregisseur", "case_director_id"),
    ("hulp", "outcome.help_given"),
    ("door", "outcome.given_by"),
    ("vervolg", "outcome.next"),
    ("toelichting", "note"),
    ("terugkoppeling", "text"),
];

fn api_fields(errors: Vec<ValidationError>) -> AppError {
    AppError::Validation(crate::page::renamed(errors, &FIELDS))
}

/// Refer a child to the linked social team or to a service.
#[utoipa::path(post, path = "/api/v1/referrals", tag = "verwijzingen", request_body = NewReferralIn,
    responses((status = 201, body = ReferralDetail), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create(
    user: ApiUser,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<NewReferralIn>,
) -> Result<impl IntoResponse, ApiError> {
    let created = referral::create(
        &state.app,
        &user,
        NewInput {
            from_org: input.from_org_id.unwrap_or_default(),
            on_behalf_of: input.on_behalf_of_id,
            child_name: input.child.name,
            birth_date: input.child.birth_date,
            gemeente: input.child.gemeente_code,
            wijk: input.child.wijk_code.unwrap_or_default(),
            bsn: input.child.bsn.unwrap_or_default(),
            to_team: input.to_org_id,
            service: input.service_id,
            reason: input.reason,
            areas: input.problem_areas,
            urgency: input.urgency.unwrap_or_else(|| "regulier".into()),
            school: input.school_id,
            consultation: input.consultation_id,
            direct_ack: input.direct_referral_acknowledged,
            draft: input.draft,
            // Files go with a new referral on its page; the JSON API carries none yet.
            attachments: vec![],
        },
    )
    .await?;
    match created {
        Ok(id) => {
            let d = detail(&state, &user, &id).await?;
            Ok((StatusCode::CREATED, Json(d)))
        }
        Err(errors) => Err(api_fields(errors).into()),
    }
}

async fn detail(state: &AppState, user: &ApiUser, id: &str) -> Result<ReferralDetail, AppError> {
    let r = referral::load(&state.app, user, id, Action::Read).await?;
    let (_, d) = referral::open(&state.app, user, &r, false).await?;
    let iso = |t: chrono::NaiveDateTime| t.and_utc().to_rfc3339();
    Ok(ReferralDetail {
        referral: out(&d.listed),
        gemeente_code: d.gemeente.clone(),
        bsn: d.bsn.clone(),
        reason: d.reason.clone(),
        agreements: AgreementsOut {
            id: d.agreements.id.clone(),
            gemeente_code: d.agreements.gemeente_code.clone(),
            effective_from: d.agreements.effective_from.map(|d| d.to_string()),
            consultation_days: d.agreements.rules.consultation_days,
            accept_days: d.agreements.rules.accept_days,
            urgent_accept_days: d.agreements.rules.urgent_accept_days,
            feedback_days: d.agreements.rules.feedback_days.clone(),
        },
        allowed_transitions: referral::allowed_moves(&user.actor, &r)
            .into_iter()
            .map(|s| s.code().to_owned())
            .collect(),
        events: d
            .events
            .iter()
            .map(|(f, t, by, reason, at)| EventOut {
                from: f.map(|s| s.code().to_owned()),
                to: t.code().to_owned(),
                by: by.clone(),
                reason: reason.clone(),
                at: iso(*at),
            })
            .collect(),
        feedback: feedback_out(&d),
        attachments: d
            .attachments
            .iter()
            .map(|(id, name, media, size)| AttachmentOut {
                id: id.clone(),
                file_name: name.clone(),
                media_type: media.clone(),
                size_bytes: *size,
            })
            .collect(),
        onward: d.onward.iter().map(out).collect(),
    })
}

fn feedback_out(d: &referral::Detail) -> Vec<FeedbackOut> {
    d.feedback
        .iter()
        .map(|(k, author, text, at)| FeedbackOut {
            kind: k.code().to_owned(),
            author: author.clone(),
            text: text.clone(),
            at: at.and_utc().to_rfc3339(),
        })
        .collect()
}

/// One referral with its history; 404 for anyone outside its two sides.
#[utoipa::path(get, path = "/api/v1/referrals/{id}", tag = "verwijzingen",
    params(("id" = String, Path, description = "Referral id")),
    responses((status = 200, body = ReferralDetail), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ReferralId>,
) -> Result<Json<ReferralDetail>, ApiError> {
    Ok(Json(detail(&state, &user, &id).await?))
}

/// Move a referral to another status. 409 names the statuses allowed from here.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/transitions", tag = "verwijzingen",
    params(("id" = String, Path, description = "Referral id")),
    request_body = TransitionIn,
    responses((status = 200, body = ReferralDetail), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn transition(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ReferralId>,
    ApiJson(input): ApiJson<TransitionIn>,
) -> Result<Json<ReferralDetail>, ApiError> {
    let r = referral::load(&state.app, &user, &id, Action::Update).await?;
    let outcome = input.outcome;
    let moved = referral::make_move(
        &state.app,
        &user,
        r,
        MoveInput {
            to: input.to,
            reason: input.reason.unwrap_or_default(),
            note: input.note.unwrap_or_default(),
            case_director: input.case_director_id.unwrap_or_default(),
            help_given: outcome
                .as_ref()
                .map(|o| o.help_given.clone())
                .unwrap_or_default(),
            given_by: outcome
                .as_ref()
                .map(|o| o.given_by.clone())
                .unwrap_or_default(),
            next: outcome.map(|o| o.next).unwrap_or_default(),
            and_start: input.and_start,
        },
    )
    .await?;
    if let Err(errors) = moved {
        return Err(api_fields(errors).into());
    }
    Ok(Json(detail(&state, &user, &id).await?))
}

/// The feedback given to the referrer, oldest first.
#[utoipa::path(get, path = "/api/v1/referrals/{id}/feedback", tag = "verwijzingen",
    params(("id" = String, Path, description = "Referral id")),
    responses((status = 200, body = [FeedbackOut]), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn feedback(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ReferralId>,
) -> Result<Json<Vec<FeedbackOut>>, ApiError> {
    let r = referral::load(&state.app, &user, &id, Action::Read).await?;
    let (_, d) = referral::open(&state.app, &user, &r, false).await?;
    Ok(Json(feedback_out(&d)))
}

/// Interim feedback from the receiving side to the referrer.
#[utoipa::path(post, path = "/api/v1/referrals/{id}/feedback", tag = "verwijzingen",
    params(("id" = String, Path, description = "Referral id")),
    request_body = FeedbackIn,
    responses((status = 201, body = [FeedbackOut]), (status = 422, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn give_feedback(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ReferralId>,
    ApiJson(input): ApiJson<FeedbackIn>,
) -> Result<impl IntoResponse, ApiError> {
    let r = referral::load(&state.app, &user, &id, Action::Update).await?;
    if let Err(errors) = referral::give_feedback(&state.app, &user, r.clone(), &input.text).await? {
        return Err(api_fields(errors).into());
    }
    let (_, d) = referral::open(&state.app, &user, &r, false).await?;
    Ok((StatusCode::CREATED, Json(feedback_out(&d))))
}
