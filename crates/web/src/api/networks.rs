//! The network around a child through the API: `/api/v1/networks` (mine; open from a
//! referral), `/api/v1/networks/{id}`, its members, consents and access log. The same
//! checks, audit entries and "not found" for not-there and not-yours as the pages: both
//! call `rondom_app::network`.

use super::ApiJson;
use crate::auth::api_token::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use rondom_app::network::consent::RecordedAnswer;
use rondom_app::network::family::NewFamily;
use rondom_app::network::family_view::{self, LogFilter};
use rondom_app::network::{self, NetworkView, Reach};
use rondom_domain::consent::Standing;
use rondom_domain::ids::{MemberId, NetworkId};
use rondom_domain::validate::ValidationError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct NetworkSummaryOut {
    pub id: String,
    /// The child's name and age; absent without the family's consent for membership.
    pub child: Option<String>,
    pub coordinator_org: String,
}

#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    pub id: String,
    pub name: String,
    /// What the member is for the child, in Dutch ("huisarts bij …", "ouder (met gezag)").
    pub what: String,
    pub family: bool,
    pub youth: bool,
    pub removed: bool,
    /// A family member who can log in.
    pub has_account: bool,
    /// Categories the member may see (membership, messages, documents, plan,
    /// referral_details); empty for those who decide themselves.
    pub may_see: Vec<String>,
    pub waiting: Vec<String>,
    pub refused: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NetworkOut {
    pub id: String,
    /// coordinates, member or exists_only.
    pub reach: String,
    /// Absent for exists_only.
    pub child_name: Option<String>,
    pub child_age: Option<i32>,
    pub coordinator: String,
    pub coordinator_org: String,
    pub referral_id: Option<String>,
    pub members: Vec<MemberOut>,
}

fn reach_code(r: Reach) -> &'static str {
    match r {
        Reach::Coordinates => "coordinates",
        Reach::Member => "member",
        Reach::ExistsOnly => "exists_only",
    }
}

fn standing_code(s: &Standing) -> &'static str {
    match s {
        Standing::Given => "given",
        Standing::GivenBeforeTwelve => "given_before_twelve",
        Standing::Waiting(_) => "waiting",
        Standing::Refused => "refused",
    }
}

fn out(n: NetworkView) -> NetworkOut {
    let codes = |m: &network::MemberView, want: fn(&Standing) -> bool| -> Vec<String> {
        m.consent
            .iter()
            .filter(|(_, s)| want(s))
            .map(|(c, _)| c.code().to_owned())
            .collect()
    };
    NetworkOut {
        id: n.id,
        reach: reach_code(n.reach).into(),
        child_name: n.child_name,
        child_age: n.child_age,
        coordinator: n.coordinator,
        coordinator_org: n.coordinator_org,
        referral_id: n.referral_id,
        members: n
            .members
            .iter()
            .map(|m| MemberOut {
                id: m.id.clone(),
                name: m.name.clone(),
                what: m.what.clone(),
                family: m.family,
                youth: m.youth,
                removed: m.removed,
                has_account: m.has_account,
                may_see: codes(m, Standing::holds),
                waiting: codes(m, |s| matches!(s, Standing::Waiting(_))),
                refused: codes(m, |s| matches!(s, Standing::Refused)),
            })
            .collect(),
    }
}

async fn network_out(state: &AppState, user: &ApiUser, id: &str) -> Result<NetworkOut, AppError> {
    Ok(out(network::view(&state.app, user, id).await?.into_inner()))
}

/// The pages' field names as the API names them.
const FIELDS: [(&str, &str); 9] = [
    ("naam", "name"),
    ("relatie", "relation"),
    ("door", "by_member_id"),
    ("voor", "grantee_id"),
    ("onderdelen", "categories"),
    ("hoe", "how"),
    ("datum", "on"),
    ("netwerk", "referral_id"),
    ("organisatie", "organisation_id"),
];

fn api_fields(errors: Vec<ValidationError>) -> AppError {
    AppError::Validation(crate::page::renamed(errors, &FIELDS))
}

/// The networks this person is in.
#[utoipa::path(get, path = "/api/v1/networks", tag = "netwerk",
    responses((status = 200, body = [NetworkSummaryOut])),
    security(("bearer" = [])))]
pub async fn list(
    user: ApiUser,
    State(state): State<AppState>,
) -> Result<Json<Vec<NetworkSummaryOut>>, ApiError> {
    let mine = family_view::mine(&state.app, &user).await?.into_inner();
    Ok(Json(
        mine.into_iter()
            .map(|n| NetworkSummaryOut {
                id: n.id,
                child: n.child,
                coordinator_org: n.coordinator_org,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct OpenIn {
    /// The accepted referral whose child the network is around.
    pub referral_id: String,
}

/// Opens the network around a referral's child (the existing one when there is one).
#[utoipa::path(post, path = "/api/v1/networks", tag = "netwerk", request_body = OpenIn,
    responses((status = 201, body = NetworkOut), (status = 404, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn open(
    user: ApiUser,
    State(state): State<AppState>,
    ApiJson(input): ApiJson<OpenIn>,
) -> Result<impl IntoResponse, ApiError> {
    match network::open(&state.app, &user, &input.referral_id).await? {
        Ok(id) => Ok((
            StatusCode::CREATED,
            Json(network_out(&state, &user, &id).await?),
        )),
        Err(errors) => Err(api_fields(errors).into()),
    }
}

#[utoipa::path(get, path = "/api/v1/networks/{id}", tag = "netwerk",
    params(("id" = String, Path, description = "Network id")),
    responses((status = 200, body = NetworkOut), (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<NetworkId>,
) -> Result<Json<NetworkOut>, ApiError> {
    Ok(Json(network_out(&state, &user, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct FamilyIn {
    /// The family member's name (not for a guardian institution).
    #[serde(default)]
    pub name: String,
    /// ouder, voogd, pleegouder, anders or jeugdige.
    pub relation: String,
    /// Holds parental authority (never the youth).
    #[serde(default)]
    pub gezag: bool,
    /// A guardian institution (gecertificeerde instelling) that holds voogdij: with
    /// relation "voogd", this organisation decides like a parent with gezag.
    #[serde(default)]
    pub organisation_id: Option<String>,
}

/// Adds a family member (the case director who coordinates only).
#[utoipa::path(post, path = "/api/v1/networks/{id}/members", tag = "netwerk",
    params(("id" = String, Path, description = "Network id")), request_body = FamilyIn,
    responses((status = 201, body = NetworkOut), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn add_member(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<NetworkId>,
    ApiJson(input): ApiJson<FamilyIn>,
) -> Result<impl IntoResponse, ApiError> {
    let added = match input.organisation_id {
        Some(org) if input.relation == "voogd" => {
            let org = rondom_domain::ids::OrganisationId::parse(&org).map_err(|_| {
                AppError::Validation(vec![ValidationError::new(
                    "organisation_id",
                    "Geef het id van een organisatie.",
                )])
            })?;
            network::professionals::add_organisation(&state.app, &user, &id, &org, true).await?
        }
        Some(_) => {
            return Err(AppError::Validation(vec![ValidationError::new(
                "relation",
                "Een organisatie is alleen als voogd lid van het gezin.",
            )])
            .into());
        }
        None => network::family::add(
            &state.app,
            &user,
            &id,
            &NewFamily {
                name: input.name,
                relation: input.relation,
                gezag: input.gezag,
            },
        )
        .await?
        .map(|_| ()),
    };
    match added {
        Ok(()) => Ok((
            StatusCode::CREATED,
            Json(network_out(&state, &user, &id).await?),
        )),
        Err(errors) => Err(api_fields(errors).into()),
    }
}

/// Takes a member out of the network; they lose access on their next request.
#[utoipa::path(delete, path = "/api/v1/networks/{id}/members/{member}", tag = "netwerk",
    params(("id" = String, Path, description = "Network id"), ("member" = String, Path, description = "Member id")),
    responses((status = 204, description = "Removed"), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn remove_member(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath((id, member)): ApiPath<(NetworkId, MemberId)>,
) -> Result<StatusCode, ApiError> {
    network::family::remove(&state.app, &user, &id, &member).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct ConsentOut {
    pub member_id: String,
    /// membership, messages, documents, plan or referral_details.
    pub category: String,
    /// given, given_before_twelve, waiting or refused.
    pub standing: String,
}

fn consents_of(view: &NetworkView) -> Vec<ConsentOut> {
    view.members
        .iter()
        .filter(|m| !m.removed)
        .flat_map(|m| {
            m.consent.iter().map(|(c, s)| ConsentOut {
                member_id: m.id.clone(),
                category: c.code().to_owned(),
                standing: standing_code(s).to_owned(),
            })
        })
        .collect()
}

async fn consents_now(
    state: &AppState,
    user: &ApiUser,
    id: &str,
) -> Result<Vec<ConsentOut>, AppError> {
    let view = network::view(&state.app, user, id).await?.into_inner();
    Ok(consents_of(&view))
}

/// Where consent stands for each member and category.
#[utoipa::path(get, path = "/api/v1/networks/{id}/consents", tag = "netwerk",
    params(("id" = String, Path, description = "Network id")),
    responses((status = 200, body = [ConsentOut]), (status = 404, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn consents(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<NetworkId>,
) -> Result<Json<Vec<ConsentOut>>, ApiError> {
    Ok(Json(consents_now(&state, &user, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ConsentIn {
    /// The member whose access it is about.
    pub grantee_id: String,
    pub categories: Vec<String>,
    pub given: bool,
    /// Given by this family member in person, recorded by the case director; absent when
    /// the family member answers for themselves.
    #[serde(default)]
    pub by_member_id: Option<String>,
    /// mondeling or schriftelijk (with `by_member_id`).
    #[serde(default)]
    pub how: Option<String>,
    /// yyyy-mm-dd the day it was given (with `by_member_id`).
    #[serde(default)]
    pub on: Option<String>,
}

/// Gives or withdraws consent: a family member with the say answers for themselves; the
/// case director records what was given in person.
#[utoipa::path(post, path = "/api/v1/networks/{id}/consents", tag = "netwerk",
    params(("id" = String, Path, description = "Network id")), request_body = ConsentIn,
    responses((status = 201, body = [ConsentOut]), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn give_consent(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<NetworkId>,
    ApiJson(input): ApiJson<ConsentIn>,
) -> Result<impl IntoResponse, ApiError> {
    match input.by_member_id {
        Some(by) => {
            let recorded = network::consent::record_answer(
                &state.app,
                &user,
                &id,
                &RecordedAnswer {
                    by,
                    grantee: input.grantee_id,
                    categories: input.categories,
                    given: input.given,
                    how: input.how.unwrap_or_default(),
                    on: input.on.unwrap_or_default(),
                },
            )
            .await?;
            if let Err(errors) = recorded {
                return Err(api_fields(errors).into());
            }
        }
        None => {
            if input.categories.is_empty() {
                return Err(AppError::Validation(vec![ValidationError::new(
                    "categories",
                    "Kies waarvoor de toestemming geldt.",
                )])
                .into());
            }
            for c in &input.categories {
                network::consent::answer_own(
                    &state.app,
                    &user,
                    &id,
                    &input.grantee_id,
                    c,
                    input.given,
                )
                .await?;
            }
        }
    }
    Ok((
        StatusCode::CREATED,
        Json(consents_now(&state, &user, &id).await?),
    ))
}

#[derive(Deserialize, IntoParams, Default)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct LogParams {
    /// Only what this member did.
    pub member: String,
    /// yyyy-mm-dd, from this day.
    pub from: String,
    /// yyyy-mm-dd, up to and including this day.
    pub until: String,
    /// Only lines older than this one (its `seq`): the next page.
    pub before: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct LogLineOut {
    /// The line's place in the log; pass it as `before` for older lines.
    pub seq: i64,
    pub when: String,
    pub who: String,
    pub organisation: String,
    pub role: String,
    pub what: String,
    pub why: String,
    pub refused: bool,
}

/// The access log of the child's data (the family and the coordinator), newest first.
#[utoipa::path(get, path = "/api/v1/networks/{id}/access-log", tag = "netwerk",
    params(("id" = String, Path, description = "Network id"), LogParams),
    responses((status = 200, body = [LogLineOut]), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    security(("bearer" = [])))]
pub async fn access_log(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<NetworkId>,
    ApiQuery(q): ApiQuery<LogParams>,
) -> Result<Json<Vec<LogLineOut>>, ApiError> {
    let day = |field: &'static str, s: &str| {
        if s.trim().is_empty() {
            return Ok(None);
        }
        rondom_app::referral::parse_date(s)
            .map(Some)
            .ok_or_else(|| {
                AppError::Validation(vec![ValidationError::new(
                    field,
                    "Geef een datum als 2026-12-01.",
                )])
            })
    };
    let filter = LogFilter {
        member: Some(q.member.clone()).filter(|m| !m.is_empty()),
        from: day("from", &q.from)?,
        until: day("until", &q.until)?,
        before: q.before,
    };
    let log = family_view::access_log(&state.app, &user, &id, &filter).await?;
    Ok(Json(
        log.into_inner()
            .lines
            .into_iter()
            .map(|l| LogLineOut {
                seq: l.seq,
                when: l.when,
                who: l.who,
                organisation: l.organisation,
                role: l.role,
                what: l.what,
                why: l.why,
                refused: l.refused,
            })
            .collect(),
    ))
}
