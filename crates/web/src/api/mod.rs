//! The JSON API under `/api/v1`, authenticated with API tokens, and its OpenAPI document
//! generated from the handlers' annotations.

pub mod consultations;
pub mod fhir;
pub mod hsds;
pub mod meetings;
pub mod messages;
pub mod networks;
pub mod plans;
pub mod referrals;
pub mod stuur;

use crate::access;
use crate::admin::organisations::OrganisationForm;
use crate::auth::api_token::ApiUser;
use crate::error::{ApiError, AppError, ErrorBody, ErrorDetail, FieldError};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axum::Json;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use rondom_app::directory::rows::Organisation;
use rondom_domain::ids::{OrganisationId, ServiceId};
use rondom_domain::{Action, Resource};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

/// `Json<T>` whose rejections (malformed JSON, wrong content type, too large) answer in
/// the API's structured error format.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let (parts, body) = req.into_parts();
        let is_json = parts
            .headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(ApiError(AppError::UnsupportedMediaType));
        }
        let bytes =
            crate::body::read_limited(&parts.headers, body, state.settings.max_body_bytes).await?;
        if crate::extract::json_has_nul(&bytes) {
            return Err(ApiError(AppError::BadRequest(
                "Tekst in de JSON mag geen NUL-teken (\\u0000) bevatten.".into(),
            )));
        }
        serde_json::from_slice(&bytes).map(Self).map_err(|e| {
            ApiError(AppError::BadRequest(match e.classify() {
                serde_json::error::Category::Data => format!("De JSON past niet: {e}"),
                _ => format!("Ongeldige JSON: {e}"),
            }))
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct MembershipOut {
    pub organisation_id: String,
    pub organisation_name: String,
    pub organisation_kind: String,
    pub role: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeOut {
    pub id: String,
    pub name: String,
    pub email: String,
    pub memberships: Vec<MembershipOut>,
    /// `ouder_verzorger` or `jeugdige` for family members.
    pub family_role: Option<String>,
}

/// Who this API token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = MeOut), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn me(user: ApiUser) -> Json<MeOut> {
    Json(MeOut {
        family_role: user.actor.family_role.map(|r| r.as_str().to_owned()),
        memberships: user
            .memberships
            .into_iter()
            .map(|m| MembershipOut {
                organisation_id: m.organisation_id.into(),
                organisation_name: m.organisation_name,
                organisation_kind: m.organisation_kind.as_str().to_owned(),
                role: m.role.as_str().to_owned(),
            })
            .collect(),
        id: user.user_id,
        name: user.name,
        email: user.email,
    })
}

#[derive(Serialize, ToSchema)]
pub struct OrganisationOut {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub agb_code: Option<String>,
    pub gemeente_code: String,
    pub wijk_code: Option<String>,
    pub street: String,
    pub house_number: String,
    pub postcode: String,
    pub city: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl From<Organisation> for OrganisationOut {
    fn from(o: Organisation) -> Self {
        Self {
            id: o.id.into(),
            name: o.name,
            kind: o.kind.as_str().to_owned(),
            agb_code: o.agb_code,
            gemeente_code: o.gemeente_code,
            wijk_code: o.wijk_code,
            street: o.street,
            house_number: o.house_number,
            postcode: o.postcode,
            city: o.city,
            phone: o.phone,
            email: o.email,
        }
    }
}

/// Organisations this token may administer: all for platform admins, otherwise the ones
/// the person is organisation admin of.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations",
    responses((status = 200, body = Vec<OrganisationOut>), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_organisations(
    user: ApiUser,
    State(state): State<AppState>,
) -> Result<Json<Vec<OrganisationOut>>, ApiError> {
    let rows = rondom_app::admin::organisations::administered(&state.app, &user).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// One organisation, for its admins and platform admins.
#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "organisations",
    params(("id" = String, Path, description = "Organisation id")),
    responses((status = 200, body = OrganisationOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_organisation(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<OrganisationId>,
) -> Result<Json<OrganisationOut>, ApiError> {
    let o = rondom_app::admin::organisations::one(&state.app, &user, &id).await?;
    Ok(Json(o.into()))
}

/// Creates an organisation (platform admins only).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations",
    request_body = OrganisationForm,
    responses((status = 201, body = OrganisationOut), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn post_organisation(
    user: ApiUser,
    State(state): State<AppState>,
    ApiJson(form): ApiJson<OrganisationForm>,
) -> Result<impl IntoResponse, ApiError> {
    match rondom_app::admin::organisations::create(&state.app, &user, &form.fields()).await? {
        Ok(o) => Ok((StatusCode::CREATED, Json(OrganisationOut::from(o)))),
        Err(errors) => Err(ApiError(AppError::Validation(errors))),
    }
}

#[derive(serde::Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct ServiceSearch {
    /// Free text in Dutch; word forms, accents and small typos are forgiven. An age in the
    /// text ("opvoeden 9 jaar") filters on age.
    pub q: String,
    /// Age of the child (0–27).
    pub age: String,
    /// preventief, eigen_hulp or specialistisch.
    pub category: String,
    /// vrij, via_sociaal_team or verwijzing.
    pub access_route: String,
    /// A problem area code, e.g. opvoeding.
    pub problem_area: String,
    /// Only services with at most this many weeks of waiting time.
    pub max_wait_weeks: String,
    /// Only services available at this Dutch postcode ("9990 AB" or "9990").
    pub postcode: String,
}

#[derive(Serialize, ToSchema)]
pub struct ServiceOut {
    pub id: String,
    pub name: String,
    pub description: String,
    pub organisation_id: String,
    pub organisation_name: String,
    pub category: String,
    pub access_route: String,
    pub age_min: i32,
    pub age_max: i32,
    pub problem_areas: Vec<String>,
    pub cost: Option<String>,
    pub wait_weeks: Option<i32>,
    pub wait_reported_on: Option<String>,
    pub last_checked_on: String,
}

impl From<&rondom_app::directory::rows::ServiceRow> for ServiceOut {
    fn from(r: &rondom_app::directory::rows::ServiceRow) -> Self {
        Self {
            id: r.id.to_string(),
            name: r.name.clone(),
            description: r.description.clone(),
            organisation_id: r.organisation_id.to_string(),
            organisation_name: r.organisation_name.clone(),
            category: r.category.clone(),
            access_route: r.access_route.clone(),
            age_min: r.age_min,
            age_max: r.age_max,
            problem_areas: rondom_domain::catalogue::parse_areas(&r.problem_areas)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            cost: r.cost.clone(),
            wait_weeks: r.wait_weeks,
            wait_reported_on: r.wait_reported_on.map(|d| d.to_string()),
            last_checked_on: r.last_checked_on.to_string(),
        }
    }
}

/// Searches the sociale kaart's offer (the same search as the page), best first, at most 50.
#[utoipa::path(get, path = "/api/v1/services", tag = "sociale kaart",
    params(ServiceSearch),
    responses((status = 200, body = Vec<ServiceOut>), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn search_services(
    user: ApiUser,
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<ServiceSearch>,
) -> Result<Json<Vec<ServiceOut>>, ApiError> {
    access::require(&state, &user, Action::Read, Resource::Directory).await?;
    let criteria = crate::directory::search::Criteria::parse(&crate::directory::search::Fields {
        q: &q.q,
        age: &q.age,
        category: &q.category,
        access_route: &q.access_route,
        problem_area: &q.problem_area,
        max_wait: &q.max_wait_weeks,
        postcode: &q.postcode,
        area: "",
    })
    .map_err(AppError::Validation)?;
    let index = state.directory_index.get(&state.app.db).await?;
    let hits = criteria.run(&index, None, None, 50, false).hits;
    Ok(Json(
        hits.iter()
            .map(|h| ServiceOut::from(&h.entry.row))
            .collect(),
    ))
}

/// One service of the sociale kaart.
#[utoipa::path(get, path = "/api/v1/services/{id}", tag = "sociale kaart",
    params(("id" = String, Path, description = "Service id")),
    responses((status = 200, body = ServiceOut), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_service(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ServiceId>,
) -> Result<Json<ServiceOut>, ApiError> {
    let row = rondom_app::directory::offer::service(&state.app, &user, &id).await?;
    Ok(Json(ServiceOut::from(&row)))
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Rondom API", description = "Samenwerken rond het kind: de JSON-API van Rondom. Authenticate with `Authorization: Bearer <token>` (create a token under Mijn account or with `rondom admin create-token`)."),
    paths(me, list_organisations, get_organisation, post_organisation, search_services, get_service, consultations::list, consultations::create, consultations::get, fhir::get_care_team, fhir::get_consent, fhir::get_communication, networks::list, networks::open, networks::get, networks::add_member, networks::remove_member, networks::consents, networks::give_consent, networks::access_log, crate::copy::api_export, meetings::list, meetings::schedule, meetings::get, meetings::add_item, meetings::record, plans::get, plans::save, plans::version, plans::respond, fhir::get_care_plan, messages::conversations, messages::start, messages::messages, messages::send, messages::share_document, messages::document, messages::events, referrals::list, referrals::create, referrals::get, referrals::transition, referrals::feedback, referrals::give_feedback, stuur::all, stuur::one,
        fhir::get_service_request, fhir::get_task, fhir::get_bundle,
        hsds::root, hsds::services, hsds::service, hsds::organizations, hsds::organization, hsds::service_at_locations, hsds::service_at_location, hsds::taxonomies, hsds::taxonomy, hsds::taxonomy_terms, hsds::taxonomy_term),
    components(schemas(messages::ConversationOut, messages::ConversationIn, messages::NetworkMessageOut, messages::NetworkMessageIn, messages::SentOut, messages::DocumentOut, networks::NetworkSummaryOut, networks::MemberOut, networks::NetworkOut, networks::OpenIn, networks::FamilyIn, networks::ConsentOut, networks::ConsentIn, networks::LogLineOut, meetings::MeetingSummaryOut, meetings::MeetingOut, meetings::ItemOut, meetings::MinutesOut, meetings::SuggestionOut, meetings::MeetingIn, meetings::ItemIn, meetings::ActionIn, meetings::MinutesIn, plans::PlanOut, plans::PlanVersionOut, plans::GoalOut, plans::AgreementOut, plans::TreatmentPlanOut, plans::ChangeOut, plans::ResponseOut, plans::PlanIn, plans::GoalIn, plans::AgreementIn, plans::TreatmentPlanIn, plans::ResponseIn, ErrorBody, ErrorDetail, FieldError, MeOut, MembershipOut, OrganisationOut, OrganisationForm, ServiceOut, consultations::ConsultationOut, consultations::ConsultationDetail, consultations::MessageOut, consultations::NewConsultationIn, referrals::ReferralOut, referrals::ChildOut, referrals::ReferralDetail, referrals::EventOut, referrals::FeedbackOut, referrals::AttachmentOut, referrals::AgreementsOut, referrals::NewReferralIn, referrals::ChildIn, referrals::TransitionIn, referrals::OutcomeIn, referrals::FeedbackIn, stuur::StuurOut, stuur::TableOut, crate::stuur::tables::Out)),
    modifiers(&BearerAuth, &CommonAnswers)
)]
pub struct ApiDoc;

/// The answers every operation can give, whatever its own are: no or a bad token (401),
/// a refusal by the policy (403), a query or body that does not parse (400), the
/// database away for a moment (503, with Retry-After), and for operations with a body
/// the wrong content type (415), a body over the limit (413) and a full disk (507); an
/// id in the path that
/// is not one (or not yours) is a 404. Operation ids are made unique by their tag (two
/// handlers are both called `list`), so generated clients and fuzzers can name each.
struct CommonAnswers;

impl utoipa::Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{RefOr, ResponseBuilder, content::ContentBuilder};
        let error = || -> RefOr<utoipa::openapi::Response> {
            RefOr::T(
                ResponseBuilder::new()
                    .description("Structured error: {\"error\": {\"code\", \"message\"}}")
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let has_id = path.contains('{');
            for (method, op) in [
                ("get", item.get.as_mut()),
                ("post", item.post.as_mut()),
                ("put", item.put.as_mut()),
                ("delete", item.delete.as_mut()),
            ] {
                let Some(op) = op else { continue };
                let tag = op
                    .tags
                    .as_ref()
                    .and_then(|t| t.first())
                    .cloned()
                    .unwrap_or_default();
                let name = op.operation_id.clone().unwrap_or_else(|| method.to_owned());
                let id: String = format!("{tag}_{name}")
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                    .collect();
                op.operation_id = Some(id);
                let mut codes = vec!["400", "401", "403", "503"];
                if has_id {
                    codes.push("404");
                }
                if op.request_body.is_some() {
                    codes.extend(["413", "415"]);
                }
                // Reads too: a look at a child's data is refused when its audit entry
                // cannot be stored.
                codes.push("507");
                for code in codes {
                    op.responses
                        .responses
                        .entry(code.to_owned())
                        .or_insert_with(error);
                }
            }
        }
    }
}

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

pub async fn not_found() -> ApiError {
    ApiError(AppError::NotFound)
}
