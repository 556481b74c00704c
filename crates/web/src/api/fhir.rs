//! Each referral as HL7 FHIR R4: a ServiceRequest (what is asked, for whom, by whom, of
//! whom) and a Task (where it stands, who owns it, the business status and the feedback
//! as outputs), as used for closed-loop referrals. The Task status is the referral's
//! status one to one; the ServiceRequest's coarser status is derived from it.
//! `/api/fhir/ServiceRequest/{id}`, `/api/fhir/Task/{id}`, `/api/fhir/Bundle/{id}`.

use crate::auth::api_token::ApiUser;
use crate::error::{ApiError, AppError};
use crate::extract::ApiPath;
use crate::referral::{self, Detail};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rondom_domain::Action;
use rondom_domain::catalogue::{PROBLEM_AREAS, label, parse_areas};
use rondom_domain::ids::ReferralId;
use rondom_domain::referral::{Status, Urgency};
use serde_json::{Value, json};

const STATUS_SYSTEM: &str = "https://rondom.nl/fhir/CodeSystem/verwijsstatus";
const AREA_SYSTEM: &str = "https://rondom.nl/fhir/CodeSystem/probleemgebied";
const FEEDBACK_SYSTEM: &str = "https://rondom.nl/fhir/CodeSystem/terugkoppeling";
const BSN_SYSTEM: &str = "http://fhir.nl/fhir/NamingSystem/bsn";

/// The ServiceRequest status for a referral status (FHIR request-status).
pub fn request_status(s: Status) -> &'static str {
    match s {
        Status::Draft => "draft",
        Status::Requested | Status::Received | Status::Accepted | Status::InProgress => "active",
        Status::OnHold => "on-hold",
        Status::Completed => "completed",
        Status::Rejected | Status::Cancelled | Status::Failed => "revoked",
    }
}

fn instant(t: chrono::NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn subject(d: &Detail) -> Value {
    let mut s = json!({
        "reference": format!("Patient/{}", d.listed.r.child_id),
        "display": d.child_name,
    });
    if let Some(bsn) = &d.bsn {
        s["identifier"] = json!({"system": BSN_SYSTEM, "value": bsn});
    }
    s
}

pub fn service_request(d: &Detail) -> Value {
    let r = &d.listed.r;
    let status = r.status;
    let mut sr = json!({
        "resourceType": "ServiceRequest",
        "id": r.id,
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": format!("urn:uuid:{}", r.id)}],
        "status": request_status(status),
        "intent": "order",
        "priority": match r.urgency {
            Urgency::Spoed => "urgent",
            Urgency::Regulier => "routine",
        },
        "category": parse_areas(&r.problem_areas).iter().map(|a| json!({
            "coding": [{"system": AREA_SYSTEM, "code": a, "display": label(PROBLEM_AREAS, a).unwrap_or(a)}],
        })).collect::<Vec<_>>(),
        "code": {"text": match &d.service {
            Some((_, name)) => name.clone(),
            None => format!("Hulp van {}", d.listed.to_name),
        }},
        "subject": subject(d),
        "authoredOn": instant(r.created_at),
        "requester": {
            "reference": format!("Practitioner/{}", r.referrer_id),
            "display": format!("{} ({})", d.listed.referrer_name, d.listed.from_name),
        },
        "performer": [{
            "reference": format!("Organization/{}", r.to_org_id),
            "display": d.listed.to_name,
        }],
        "reasonCode": [{"text": d.reason}],
    });
    if let Some(p) = &r.parent_id {
        sr["basedOn"] = json!([{"reference": format!("ServiceRequest/{p}")}]);
    }
    sr
}

pub fn task(d: &Detail) -> Value {
    let r = &d.listed.r;
    let status = r.status;
    let mut t = json!({
        "resourceType": "Task",
        "id": r.id,
        "status": status.code(),
        "businessStatus": {
            "coding": [{"system": STATUS_SYSTEM, "code": status.code(), "display": status.label()}],
            "text": status.label(),
        },
        "intent": "order",
        "priority": match r.urgency {
            Urgency::Spoed => "urgent",
            Urgency::Regulier => "routine",
        },
        "focus": {"reference": format!("ServiceRequest/{}", r.id)},
        "basedOn": [{"reference": format!("ServiceRequest/{}", r.id)}],
        "for": subject(d),
        "authoredOn": instant(r.created_at),
        "lastModified": instant(r.updated_at),
        "requester": {
            "reference": format!("Practitioner/{}", r.referrer_id),
            "display": d.listed.referrer_name,
        },
        "owner": match (&r.case_director_id, &d.listed.case_director_name) {
            (Some(id), Some(name)) => json!({
                "reference": format!("Practitioner/{id}"),
                "display": format!("{name} (casusregisseur, {})", d.listed.to_name),
            }),
            _ => json!({
                "reference": format!("Organization/{}", r.to_org_id),
                "display": d.listed.to_name,
            }),
        },
        "output": d.feedback.iter().map(|(kind, author, text, at)| json!({
            "type": {
                "coding": [{"system": FEEDBACK_SYSTEM, "code": kind.code(), "display": kind.label()}],
                "text": format!("Terugkoppeling van {author} op {}", instant(*at)),
            },
            "valueString": text,
        })).collect::<Vec<_>>(),
    });
    if let Some(p) = &r.parent_id {
        t["partOf"] = json!([{"reference": format!("Task/{p}")}]);
    }
    if let Some(due) = &r.due_on {
        t["restriction"] = json!({"period": {"end": due}});
    }
    if let Some(accepted) = &r.accepted_on {
        t["executionPeriod"] = json!({"start": accepted});
    }
    // Why it stands where it stands, when a reason was given for the last move.
    if let Some((_, _, _, Some(reason), _)) = d.events.last() {
        t["statusReason"] = json!({"text": reason});
    }
    if t["output"].as_array().is_some_and(Vec::is_empty)
        && let Some(o) = t.as_object_mut()
    {
        o.remove("output");
    }
    t
}

pub fn bundle(base_url: &str, d: &Detail) -> Value {
    let base = base_url.trim_end_matches('/');
    let id = &d.listed.r.id;
    json!({
        "resourceType": "Bundle",
        "id": format!("verwijzing-{id}"),
        "type": "collection",
        "timestamp": instant(rondom_app::dates::now()),
        "entry": [
            {"fullUrl": format!("{base}/api/fhir/ServiceRequest/{id}"), "resource": service_request(d)},
            {"fullUrl": format!("{base}/api/fhir/Task/{id}"), "resource": task(d)},
        ],
    })
}

fn fhir_json(v: Value) -> Response {
    let mut resp = axum::Json(v).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/fhir+json"),
    );
    resp
}

async fn load(
    state: &AppState,
    user: &ApiUser,
    id: &str,
) -> Result<rondom_app::Disclosed<Detail>, AppError> {
    let r = referral::load(&state.app, user, id, Action::Read).await?;
    let (_, d) = referral::open(&state.app, user, &r, false).await?;
    Ok(d)
}

const CONSENT_CATEGORY_SYSTEM: &str = "https://rondom.nl/fhir/CodeSystem/toestemming-onderdeel";

/// A message as an HL7 FHIR R4 Communication: sent by one member of the child's network
/// to those who take part in the conversation, about the child.
pub fn communication(s: &rondom_app::message::Single) -> Value {
    message_resource(
        &Conversation {
            child_id: &s.child_id,
            child_name: &s.child_name,
            network_id: &s.network_id,
            id: &s.conversation_id,
            title: &s.title,
            recipients: &s.recipients,
        },
        &s.message,
    )
}

/// Where a message was written: its conversation, network and child.
pub struct Conversation<'a> {
    pub child_id: &'a str,
    pub child_name: &'a str,
    pub network_id: &'a str,
    pub id: &'a str,
    pub title: &'a str,
    pub recipients: &'a [(String, String)],
}

/// A message as an HL7 FHIR R4 Communication, as its reader may see it.
pub fn message_resource(s: &Conversation<'_>, m: &rondom_app::message::MessageView) -> Value {
    let mut c = json!({
        "resourceType": "Communication",
        "id": m.id,
        // A withdrawn message was sent in error; its text is not given.
        "status": if m.withdrawn { "entered-in-error" } else { "completed" },
        "subject": {"reference": format!("Patient/{}", s.child_id), "display": s.child_name},
        "topic": {"text": s.title},
        "about": [{"reference": format!("CareTeam/{}", s.network_id)}],
        "sent": m.sent_at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "sender": {"reference": format!("Practitioner/{}", m.author_id), "display": m.author},
        "recipient": s.recipients.iter().filter(|(id, _)| *id != m.author_id).map(|(id, name)| json!({"reference": format!("Practitioner/{id}"), "display": name})).collect::<Vec<_>>(),
        "identifier": [{"system": "urn:rondom:conversation", "value": format!("{}#{}", s.id, m.seq)}],
    });
    if !m.withdrawn && !m.kept {
        let mut payload = Vec::new();
        if !m.body.is_empty() {
            payload.push(json!({"contentString": m.body}));
        }
        match &m.document {
            // The document by reference: its download is audited like the page's.
            Some(d) if d.may_open => payload.push(json!({"contentAttachment": {
                "contentType": d.media_type,
                "url": format!("/api/v1/documents/{}", d.id),
                "title": d.name,
                "size": d.size_bytes,
            }})),
            Some(_) => {
                c["note"] = json!([{"text": "Er is een document gedeeld; zonder toestemming van het gezin voor documenten wordt het niet getoond."}]);
            }
            None => {}
        }
        if payload.is_empty() {
            payload.push(json!({"contentString": "(document)"}));
        }
        c["payload"] = json!(payload);
    } else {
        // Communication.payload needs content; a withdrawn or kept message has none to give.
        c["note"] = json!([{"text": if m.withdrawn { "Dit bericht is ingetrokken." } else { "Dit bericht is niet voor de ouders." }}]);
    }
    c
}

/// One message as an HL7 FHIR R4 Communication.
#[utoipa::path(get, path = "/api/fhir/Communication/{id}", tag = "fhir", params(("id" = String, Path, description = "The message's id (a UUID).")), responses((status = 200, description = "FHIR R4 JSON", content_type = "application/fhir+json", body = serde_json::Value), (status = 404, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn get_communication(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<rondom_domain::ids::MessageId>,
) -> Result<Response, ApiError> {
    let s = rondom_app::message::single(&state.app, &user, &id)
        .await
        .map_err(AppError::from)?;
    Ok(fhir_json(communication(&s)))
}

/// A child's network as an HL7 FHIR R4 CareTeam: its members with their role and
/// organisation; the family as RelatedPerson, the youth as the Patient.
pub fn care_team(n: &rondom_app::network::NetworkView) -> Value {
    let participants: Vec<Value> = n
        .members
        .iter()
        .filter(|m| !m.removed)
        .map(|m| {
            let reference = if m.youth {
                format!("Patient/{}", n.child_id)
            } else if m.family {
                format!("RelatedPerson/{}", m.id)
            } else if m.organisation {
                format!(
                    "Organization/{}",
                    m.organisation_id.clone().unwrap_or_default()
                )
            } else {
                format!("Practitioner/{}", m.id)
            };
            let mut p = json!({
                "role": [{"text": m.what}],
                "member": {"reference": reference, "display": m.name},
            });
            if let (false, Some(org)) = (m.organisation || m.family, &m.organisation_id) {
                p["onBehalfOf"] = json!({"reference": format!("Organization/{org}")});
            }
            p
        })
        .collect();
    let mut subject = json!({
        "reference": format!("Patient/{}", n.child_id),
        "display": n.child_name.clone().unwrap_or_default(),
    });
    if let Some(bsn) = &n.child_bsn {
        subject["identifier"] = json!({"system": BSN_SYSTEM, "value": bsn});
    }
    json!({
        "resourceType": "CareTeam",
        "id": n.id,
        "status": "active",
        "name": format!("Netwerk rond {}", n.child_name.clone().unwrap_or_default()),
        "subject": subject,
        "participant": participants,
        "managingOrganization": [{
            "reference": format!("Organization/{}", n.coordinator_org_id),
            "display": n.coordinator_org,
        }],
    })
}

/// One consent answer as an HL7 FHIR R4 Consent: given (permit) or refused (deny) by the
/// family member with the say (the youth as the Patient, a parent as RelatedPerson),
/// for one member and one kind of data; a later answer makes it inactive.
pub fn consent(a: &rondom_app::network::consent::AnswerView) -> Value {
    let (by_id, by_name, by_youth) = &a.by;
    let performer = if *by_youth {
        format!("Patient/{}", a.child_id)
    } else {
        format!("RelatedPerson/{by_id}")
    };
    json!({
        "resourceType": "Consent",
        "id": a.id,
        "status": if a.superseded { "inactive" } else { "active" },
        "scope": {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/consentscope",
            "code": "patient-privacy",
        }]},
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent"}]}],
        "patient": {"reference": format!("Patient/{}", a.child_id), "display": a.child_name},
        "dateTime": format!("{}T00:00:00Z", a.answered_on),
        "performer": [{"reference": performer, "display": by_name}],
        "policyRule": {"text": "WGBO / Jeugdwet: onder 12 de ouders met gezag, 12 tot 16 de jongere en de ouders, vanaf 16 de jongere"},
        "verification": [{"verified": a.how != "rondom", "verificationDate": format!("{}T00:00:00Z", a.answered_on)}],
        "provision": {
            "type": if a.given { "permit" } else { "deny" },
            "period": {"start": a.answered_on.to_string()},
            "actor": [{
                "role": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP", "display": "information recipient"}]},
                "reference": {"reference": format!("CareTeam/{}", a.network_id), "display": format!("{} ({})", a.grantee.1, a.grantee.2)},
            }],
            "class": [{"system": CONSENT_CATEGORY_SYSTEM, "code": a.category.code(), "display": a.category.short()}],
        },
    })
}

/// A child's network as an HL7 FHIR R4 CareTeam (members with role and organisation).
#[utoipa::path(get, path = "/api/fhir/CareTeam/{id}", tag = "fhir", params(("id" = String, Path, description = "The network's id (a UUID).")), responses((status = 200, description = "FHIR R4 JSON", content_type = "application/fhir+json", body = serde_json::Value), (status = 404, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn get_care_team(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<rondom_domain::ids::NetworkId>,
) -> Result<Response, ApiError> {
    let n = rondom_app::network::view(&state.app, &user, &id)
        .await
        .map_err(AppError::from)?
        .into_inner();
    if n.reach == rondom_app::network::Reach::ExistsOnly {
        // Without the family's consent there is no team to show.
        return Err(AppError::from(rondom_app::Error::NotFound).into());
    }
    Ok(fhir_json(care_team(&n)))
}

/// One consent answer as an HL7 FHIR R4 Consent.
#[utoipa::path(get, path = "/api/fhir/Consent/{id}", tag = "fhir", params(("id" = String, Path, description = "The consent answer's id (a UUID).")), responses((status = 200, description = "FHIR R4 JSON", content_type = "application/fhir+json", body = serde_json::Value), (status = 404, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn get_consent(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<rondom_domain::ids::ConsentId>,
) -> Result<Response, ApiError> {
    let a = rondom_app::network::consent::find(&state.app, &user, &id)
        .await
        .map_err(AppError::from)?;
    Ok(fhir_json(consent(&a)))
}

/// A referral as an HL7 FHIR R4 ServiceRequest (the request, with the child as subject).
#[utoipa::path(get, path = "/api/fhir/ServiceRequest/{id}", tag = "fhir", params(("id" = String, Path, description = "The referral's id (a UUID).")), responses((status = 200, description = "FHIR R4 JSON", content_type = "application/fhir+json", body = serde_json::Value), (status = 404, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn get_service_request(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ReferralId>,
) -> Result<Response, ApiError> {
    let d = load(&state, &user, &id).await?;
    Ok(fhir_json(service_request(&d)))
}

/// A referral's state as an HL7 FHIR R4 Task (the closed-loop referral's status).
#[utoipa::path(get, path = "/api/fhir/Task/{id}", tag = "fhir", params(("id" = String, Path, description = "The referral's id (a UUID).")), responses((status = 200, description = "FHIR R4 JSON", content_type = "application/fhir+json", body = serde_json::Value), (status = 404, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn get_task(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ReferralId>,
) -> Result<Response, ApiError> {
    let d = load(&state, &user, &id).await?;
    Ok(fhir_json(task(&d)))
}

/// A referral as an HL7 FHIR R4 Bundle: ServiceRequest, Task, Patient and organisations.
#[utoipa::path(get, path = "/api/fhir/Bundle/{id}", tag = "fhir", params(("id" = String, Path, description = "The referral's id (a UUID).")), responses((status = 200, description = "FHIR R4 JSON", content_type = "application/fhir+json", body = serde_json::Value), (status = 404, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn get_bundle(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<ReferralId>,
) -> Result<Response, ApiError> {
    let d = load(&state, &user, &id).await?;
    Ok(fhir_json(bundle(&state.settings.base_url, &d)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_task_status_maps_onto_a_request_status() {
        let allowed = [
            "draft",
            "active",
            "on-hold",
            "revoked",
            "completed",
            "entered-in-error",
            "unknown",
        ];
        for s in Status::ALL {
            assert!(allowed.contains(&request_status(s)), "{s:?}");
        }
        assert_eq!(request_status(Status::Rejected), "revoked");
        assert_eq!(request_status(Status::Received), "active");
    }
}

/// An agreement's state as a FHIR CarePlan activity status.
fn activity_status(s: rondom_domain::plan::Status) -> &'static str {
    use rondom_domain::plan::Status;
    match s {
        Status::Open => "not-started",
        Status::Busy => "in-progress",
        Status::Done => "completed",
        Status::Dropped => "cancelled",
    }
}

/// A version of a family plan as an HL7 FHIR R4 CarePlan: its goals as contained Goal
/// resources, each agreement an activity with its owner and date, the earlier version
/// it replaces; providers' treatment plans are named, not copied.
pub fn care_plan(c: &rondom_app::plan::CarePlanVersion) -> Value {
    care_plan_of(
        &c.version,
        &c.network_id,
        &c.child_id,
        c.latest,
        c.replaces.as_deref(),
        &c.owner_names,
    )
}

/// A plan version as a CarePlan, from its parts.
pub fn care_plan_of(
    v: &rondom_app::plan::VersionView,
    network_id: &str,
    child_id: &str,
    latest: bool,
    replaces: Option<&str>,
    owner_names: &std::collections::HashMap<String, String>,
) -> Value {
    let patient = format!("Patient/{child_id}");
    let contained: Vec<Value> = v
        .plan
        .goals
        .iter()
        .map(|g| {
            json!({
                "resourceType": "Goal",
                "id": format!("goal-{}", g.key),
                "lifecycleStatus": "active",
                "description": {"text": g.title},
                "subject": {"reference": patient},
            })
        })
        .collect();
    let mut activity = Vec::new();
    for g in &v.plan.goals {
        for a in &g.agreements {
            let mut detail = json!({
                "status": activity_status(a.status),
                "description": a.what,
                "goal": [{"reference": format!("#goal-{}", g.key)}],
            });
            if let Some(o) = a.owner.as_ref().and_then(|o| owner_names.get(o)) {
                detail["performer"] = json!([{"display": o}]);
            }
            if let Some(d) = a.due_on {
                detail["scheduledPeriod"] = json!({"end": d.format("%Y-%m-%d").to_string()});
            }
            activity.push(json!({"detail": detail}));
        }
    }
    let mut notes = Vec::new();
    for (label, text) in [("Wat goed gaat", &v.strengths), ("Zorgen", &v.concerns)] {
        if !text.is_empty() {
            notes.push(json!({"text": format!("{label}: {text}")}));
        }
    }
    if let Some(e) = v.plan.evaluation_on {
        notes.push(json!({"text": format!("Evaluatie: {}", e.format("%Y-%m-%d"))}));
    }
    let mut cp = json!({
        "resourceType": "CarePlan",
        "id": v.id,
        "identifier": [{"system": "urn:ietf:rfc:3986", "value": format!("urn:uuid:{}", v.id)}],
        "status": if latest { "active" } else { "revoked" },
        "intent": "plan",
        "title": format!("Gezinsplan, versie {}", v.number),
        "subject": {"reference": patient},
        "careTeam": [{"reference": format!("CareTeam/{network_id}")}],
        "created": instant(v.saved_at_utc),
        "author": {"display": v.saved_by},
    });
    if !v.situation.is_empty() {
        cp["description"] = json!(v.situation);
    }
    if !contained.is_empty() {
        cp["goal"] = Value::Array(
            v.plan
                .goals
                .iter()
                .map(|g| json!({"reference": format!("#goal-{}", g.key)}))
                .collect(),
        );
        cp["contained"] = Value::Array(contained);
    }
    if !activity.is_empty() {
        cp["activity"] = Value::Array(activity);
    }
    if !notes.is_empty() {
        cp["note"] = Value::Array(notes);
    }
    if let Some(r) = replaces {
        cp["replaces"] = json!([{"reference": format!("CarePlan/{r}")}]);
    }
    if !v.plan.treatment_plans.is_empty() {
        cp["supportingInfo"] = Value::Array(
            v.plan
                .treatment_plans
                .iter()
                .map(|t| {
                    let mut s = format!("Behandelplan {}: {}", t.provider, t.name);
                    if let Some(d) = t.dated {
                        s.push_str(&format!(" ({})", d.format("%Y-%m-%d")));
                    }
                    json!({"display": s})
                })
                .collect(),
        );
    }
    cp
}

/// A version of a child's family plan as an HL7 FHIR R4 CarePlan (professionals who read
/// the whole plan).
#[utoipa::path(get, path = "/api/fhir/CarePlan/{id}", tag = "fhir", params(("id" = String, Path, description = "The plan version's id (a UUID).")), responses((status = 200, description = "FHIR R4 JSON", content_type = "application/fhir+json", body = serde_json::Value), (status = 404, body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn get_care_plan(
    user: ApiUser,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<rondom_domain::ids::PlanVersionId>,
) -> Result<Response, ApiError> {
    let c = rondom_app::plan::care_plan(&state.app, &user, &id)
        .await
        .map_err(AppError::from)?;
    Ok(fhir_json(care_plan(&c)))
}

/// A copy of a child's file (inzage en afschrift) as one HL7 FHIR R4 Bundle of type
/// collection: the child (Patient), the network (CareTeam), the consent answers, the
/// referrals (ServiceRequest and Task), every plan version (CarePlan), every message
/// (Communication) and the access log (AuditEvent), as far as the person may see them.
pub fn file_bundle(base_url: &str, c: &rondom_app::network::export::FileCopy) -> Value {
    let base = base_url.trim_end_matches('/');
    let n = &c.network;
    let child_name = n.child_name.clone().unwrap_or_default();
    let patient_ref = format!("Patient/{}", n.child_id);
    let mut entries: Vec<Value> = Vec::new();
    let mut add = |kind: &str, id: &str, resource: Value| {
        entries
            .push(json!({"fullUrl": format!("{base}/api/fhir/{kind}/{id}"), "resource": resource}));
    };
    let mut patient = json!({
        "resourceType": "Patient",
        "id": n.child_id,
        "name": [{"text": child_name}],
        "birthDate": c.child_birth_date.format("%Y-%m-%d").to_string(),
    });
    if let Some(bsn) = &n.child_bsn {
        patient["identifier"] = json!([{"system": BSN_SYSTEM, "value": bsn}]);
    }
    add("Patient", &n.child_id, patient);
    add("CareTeam", &n.id, care_team(n));
    for a in &c.consents {
        let view = rondom_app::network::consent::AnswerView {
            id: a.id.clone(),
            network_id: n.id.clone(),
            child_id: n.child_id.clone(),
            child_name: child_name.clone(),
            by: a.by.clone(),
            grantee: a.grantee.clone(),
            category: a.category,
            given: a.given,
            how: a.how.clone(),
            answered_on: a.answered_on,
            superseded: a.superseded,
        };
        add("Consent", &a.id, consent(&view));
    }
    if let Some(h) = &n.help {
        for r in &h.referrals {
            let mut sr = json!({
                "resourceType": "ServiceRequest",
                "id": r.id,
                "status": request_status(r.status_code),
                "intent": "order",
                "subject": {"reference": patient_ref, "display": child_name},
                "authoredOn": instant(r.created_at),
                "performer": [{"reference": format!("Organization/{}", r.to_org_id), "display": r.to}],
            });
            if let Some(reason) = &r.reason {
                sr["reasonCode"] = json!([{"text": reason}]);
            }
            add("ServiceRequest", &r.id, sr);
            let mut task = json!({
                "resourceType": "Task",
                "id": r.id,
                "status": r.status_code.code(),
                "businessStatus": {"text": r.status},
                "intent": "order",
                "focus": {"reference": format!("ServiceRequest/{}", r.id)},
                "for": {"reference": patient_ref, "display": child_name},
                "authoredOn": instant(r.created_at),
                "owner": {"display": r.case_director.clone().map_or_else(|| r.to.clone(), |d| format!("{d} (casusregisseur, {})", r.to))},
            });
            let output: Vec<Value> = r
                .feedback
                .iter()
                .map(|fb| {
                    json!({
                        "type": {"text": format!("{}: {} op {}", fb.what, fb.by, instant(fb.at))},
                        "valueString": fb.text,
                    })
                })
                .collect();
            if !output.is_empty() {
                task["output"] = Value::Array(output);
            }
            add("Task", &r.id, task);
        }
    }
    let owner_names: std::collections::HashMap<String, String> = n
        .members
        .iter()
        .map(|m| (m.id.clone(), m.name.clone()))
        .collect();
    let last = c.plan_versions.len();
    for (i, v) in c.plan_versions.iter().enumerate() {
        let replaces = i.checked_sub(1).map(|p| c.plan_versions[p].id.as_str());
        add(
            "CarePlan",
            &v.id,
            care_plan_of(v, &n.id, &n.child_id, i + 1 == last, replaces, &owner_names),
        );
    }
    for conv in &c.conversations {
        let ctx = Conversation {
            child_id: &n.child_id,
            child_name: &child_name,
            network_id: &n.id,
            id: &conv.id,
            title: &conv.title,
            recipients: &conv.recipients,
        };
        for m in &conv.messages {
            add("Communication", &m.id, message_resource(&ctx, m));
        }
    }
    for l in &c.access_log {
        let who = [l.who.as_str(), l.organisation.as_str(), l.role.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        let mut event = json!({
            "resourceType": "AuditEvent",
            "id": format!("log-{}", l.seq),
            "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest", "display": "RESTful Operation"},
            "subtype": [{"system": "https://rondom.nl/fhir/CodeSystem/audit-action", "code": l.action, "display": l.what}],
            "recorded": instant(l.at),
            "outcome": if l.refused { "4" } else { "0" },
            "agent": [{"who": {"display": who}, "requestor": true}],
            "source": {"observer": {"display": "Rondom"}},
            "entity": [{"what": {"reference": patient_ref}}],
        });
        if !l.why.is_empty() {
            event["purposeOfEvent"] = json!([{"text": l.why}]);
        }
        entries.push(json!({"fullUrl": format!("{base}/api/v1/networks/{}/access-log#{}", n.id, l.seq), "resource": event}));
    }
    json!({
        "resourceType": "Bundle",
        "id": format!("afschrift-{}", n.child_id),
        "type": "collection",
        "timestamp": instant(c.made_at),
        "entry": entries,
    })
}
