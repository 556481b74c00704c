//! The network around a child (/netwerken/{id}): who is in it, and what the family
//! consented to; the case director adds the family and records consent given in person.

use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::page::Page;
use crate::session::{CsrfForm, CurrentUser};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_app::access::Disclosed;
use rondom_app::network::consent::{HOW, RecordedAnswer};
use rondom_app::network::family::NewFamily;
use rondom_app::network::{self, NetworkView, Reach};
use rondom_domain::consent::{Category, Relation};
use rondom_domain::ids::{MemberId, NetworkId, ReferralId};
use rondom_domain::validate::ValidationError;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "network/show.html")]
struct NetworkPage {
    page: Page,
    n: Disclosed<NetworkView>,
    coordinates: bool,
    exists_only: bool,
    done: Option<&'static str>,
    errors: HashMap<&'static str, String>,
    family: FamilyForm,
    answer: AnswerForm,
    relations: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    how: Vec<(&'static str, &'static str)>,
    today: String,
    /// May read the child's access log.
    reads_log: bool,
    /// The reasons for emergency access (for a member without consent).
    reasons: Vec<(&'static str, &'static str)>,
    emergency: EmergencyForm,
    /// The case director's search for professionals, and what it found.
    zoek: String,
    candidates: Vec<rondom_app::network::professionals::Candidate>,
    /// The family's requests for destruction (for the family and the case director).
    requests: Vec<rondom_app::retention::RequestView>,
}

impl NetworkPage {
    /// The organisations among the people found, once each: (id, name).
    fn found_organisations(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for c in &self.candidates {
            if !out.iter().any(|(id, _)| *id == c.organisation_id) {
                out.push((c.organisation_id.clone(), c.organisation.clone()));
            }
        }
        out
    }
}

impl NetworkPage {
    fn open_request(&self) -> bool {
        self.requests.iter().any(|r| r.open)
    }

    /// My own answers about one member.
    fn own_about(&self, member: &str) -> Vec<(Category, bool)> {
        self.n
            .own
            .iter()
            .filter(|(m, _, _)| m == member)
            .map(|(_, c, yes)| (*c, *yes))
            .collect()
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    pub gedaan: String,
    /// The case director looks for a professional to add.
    pub zoek: String,
}

fn done_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "geopend" => {
            "Het netwerk is geopend. Voeg nu het gezin toe en leg vast waarvoor zij toestemming geven."
        }
        "gezin" => "Toegevoegd aan het netwerk.",
        "professional" => {
            "Toegevoegd aan het netwerk. Wat deze hulpverlener ziet, hangt af van de toestemming van het gezin."
        }
        "toestemming" => "Vastgelegd. Het gezinslid ziet dit terug en kan het altijd intrekken.",
        "verwijderd" => "Uit het netwerk gehaald. Dit lid ziet vanaf nu niets meer.",
        "verborgen" => {
            "Dit is nu verborgen voor de ouders en verzorgers. De jongere en de hulpverleners zien het wel."
        }
        "zichtbaar" => "De ouders met toestemming zien dit weer.",
        "noodtoegang" => {
            "U heeft noodtoegang voor 24 uur. De teamleider is meteen ingelicht, en het gezin ziet dat u keek en waarom."
        }
        "gevraagd" => {
            "Gevraagd. De casusregisseur krijgt bericht; u hoort het als u bent toegelaten."
        }
        "toegelaten" => "Toegelaten. Wat dit lid ziet, hangt af van de toestemming van het gezin.",
        "uitgenodigd" => "De uitnodiging is verstuurd. De link in de e-mail werkt een week.",
        "ja" => "Opgeslagen: u geeft toestemming. U kunt die altijd weer intrekken.",
        "verzoek" => {
            "Uw verzoek is verstuurd. De casusregisseur beslist binnen drie maanden en u krijgt bericht."
        }
        "vernietigd" => {
            "Uitgevoerd: de gegevens van het kind zijn vernietigd. Dat dit gebeurde, blijft vastgelegd."
        }
        "geweigerd" => "Het verzoek is geweigerd. Het gezin ziet waarom.",
        "nee" => "Opgeslagen: u geeft geen toestemming. Dit geldt meteen.",
        _ => return None,
    })
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct FamilyForm {
    pub naam: String,
    pub relatie: String,
    pub gezag: String,
}

#[derive(Default, Clone)]
pub struct AnswerForm {
    pub door: String,
    pub voor: String,
    pub onderdelen: Vec<String>,
    pub antwoord: String,
    pub hoe: String,
    pub datum: String,
}

impl AnswerForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "door" => f.door = v,
                "voor" => f.voor = v,
                "onderdelen" => f.onderdelen.push(v),
                "antwoord" => f.antwoord = v,
                "hoe" => f.hoe = v,
                "datum" => f.datum = v,
                _ => {}
            }
        }
        f
    }

    pub fn has(&self, code: &str) -> bool {
        self.onderdelen.iter().any(|c| c == code)
    }
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    done: Option<&'static str>,
    errors: Vec<ValidationError>,
    family: FamilyForm,
    answer: AnswerForm,
) -> Result<String, AppError> {
    page_with_search(state, user, id, done, errors, family, answer, "").await
}

#[allow(clippy::too_many_arguments)]
async fn page_with_search(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    done: Option<&'static str>,
    errors: Vec<ValidationError>,
    family: FamilyForm,
    answer: AnswerForm,
    zoek: &str,
) -> Result<String, AppError> {
    let n = network::view(&state.app, user, id).await?;
    let candidates = if n.reach == Reach::Coordinates && !zoek.trim().is_empty() {
        rondom_app::network::professionals::search(&state.app, user, id, zoek).await?
    } else {
        vec![]
    };
    let requests = if n.reach == Reach::ExistsOnly {
        vec![]
    } else {
        rondom_app::retention::requests(&state.app, user, id).await?
    };
    NetworkPage {
        requests,
        zoek: zoek.trim().to_owned(),
        candidates,
        reasons: rondom_app::network::emergency::REASONS.to_vec(),
        emergency: EmergencyForm::default(),
        reads_log: n.reach == Reach::Coordinates
            || (n.reach == Reach::Member && n.viewer_is_family),
        page: Page::for_user("Netwerk rond het kind", "verwijzingen", user),
        coordinates: n.reach == Reach::Coordinates,
        exists_only: n.reach == Reach::ExistsOnly,
        n,
        done,
        errors: crate::page::field_errors(errors),
        family,
        answer,
        relations: Relation::ALL
            .iter()
            .map(|r| (r.code(), r.label()))
            .collect(),
        categories: Category::ALL
            .iter()
            .map(|c| (c.code(), c.label()))
            .collect(),
        how: HOW.to_vec(),
        today: crate::format::dutch_date(crate::format::today()),
    }
    .render()
    .map_err(AppError::internal)
}

pub async fn show(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<NetworkId>,
    Query(q): Query<ShowQuery>,
) -> Result<Html<String>, AppError> {
    page_with_search(
        &state,
        &user,
        &id,
        done_text(&q.gedaan),
        vec![],
        FamilyForm::default(),
        AnswerForm::default(),
        &q.zoek,
    )
    .await
    .map(Html)
}

fn done(id: &str, code: &str) -> Response {
    Redirect::to(&format!("/netwerken/{id}?gedaan={code}")).into_response()
}

/// Opens the network from the referral's page.
pub async fn open(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ReferralId>,
    CsrfForm(_): CsrfForm<crate::session::EmptyForm>,
) -> Result<Response, AppError> {
    match network::open(&state.app, &user, &id).await? {
        Ok(n) => Ok(done(&n, "geopend")),
        Err(errors) => Err(AppError::Validation(errors)),
    }
}

pub async fn add_family(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<NetworkId>,
    CsrfForm(form): CsrfForm<FamilyForm>,
) -> Result<Response, AppError> {
    let input = NewFamily {
        name: form.naam.clone(),
        relation: form.relatie.clone(),
        gezag: form.gezag == "ja",
    };
    match network::family::add(&state.app, &user, &id, &input).await? {
        Ok(_) => Ok(done(&id, "gezin")),
        Err(errors) => {
            let html = page(
                &state,
                &user,
                &id,
                None,
                errors,
                form,
                AnswerForm::default(),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

pub async fn record_consent(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<NetworkId>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let form = AnswerForm::from_pairs(pairs);
    let input = RecordedAnswer {
        by: form.door.clone(),
        grantee: form.voor.clone(),
        categories: form.onderdelen.clone(),
        given: form.antwoord != "nee",
        how: form.hoe.clone(),
        on: form.datum.clone(),
    };
    match network::consent::record_answer(&state.app, &user, &id, &input).await? {
        Ok(()) => Ok(done(&id, "toestemming")),
        Err(errors) => {
            let html = page(
                &state,
                &user,
                &id,
                None,
                errors,
                FamilyForm::default(),
                form,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

pub async fn remove_member(
    user: CurrentUser,
    State(state): State<AppState>,
    Path((id, member)): Path<(NetworkId, MemberId)>,
    CsrfForm(_): CsrfForm<crate::session::EmptyForm>,
) -> Result<Response, AppError> {
    network::family::remove(&state.app, &user, &id, &member).await?;
    Ok(done(&id, "verwijderd"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OwnForm {
    pub voor: String,
    pub onderdeel: String,
    pub antwoord: String,
}

/// A family member gives or withdraws consent in Rondom itself.
pub async fn own_consent(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<NetworkId>,
    CsrfForm(form): CsrfForm<OwnForm>,
) -> Result<Response, AppError> {
    let given = form.antwoord == "ja";
    network::consent::answer_own(&state.app, &user, &id, &form.voor, &form.onderdeel, given)
        .await?;
    Ok(done(&id, if given { "ja" } else { "nee" }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InviteForm {
    pub email: String,
}

pub async fn invite(
    user: CurrentUser,
    State(state): State<AppState>,
    Path((id, member)): Path<(NetworkId, MemberId)>,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> Result<Response, AppError> {
    match network::family::invite(&state.app, &user, &id, &member, &form.email).await? {
        Ok(()) => Ok(done(&id, "uitgenodigd")),
        Err(errors) => {
            let html = page(
                &state,
                &user,
                &id,
                None,
                errors,
                FamilyForm::default(),
                AnswerForm::default(),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "network/log.html")]
struct LogPage {
    page: Page,
    id: String,
    log: Disclosed<rondom_app::network::family_view::AccessLog>,
    q: LogQuery,
    older: Option<String>,
    /// A period bound that could not be read.
    date_error: Option<&'static str>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct LogQuery {
    pub lid: String,
    pub van: String,
    pub tot: String,
    /// Older than this line (paging on).
    pub voor: String,
}

impl LogQuery {
    /// The link to the next (older) page, when this page is full.
    fn older(&self, lines: &[rondom_app::network::family_view::LogLine]) -> Option<String> {
        if i64::try_from(lines.len()).ok()? < rondom_app::network::family_view::LOG_PAGE {
            return None;
        }
        let last = lines.last()?.seq;
        let enc = crate::error::urlencode;
        Some(format!(
            "?lid={}&van={}&tot={}&voor={last}",
            enc(&self.lid),
            enc(&self.van),
            enc(&self.tot)
        ))
    }
}

/// The access log of the child's data, as the family reads it.
pub async fn access_log(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<NetworkId>,
    Query(q): Query<LogQuery>,
) -> Result<Response, AppError> {
    // A date that cannot be read is said, not silently dropped; the other bound and
    // the member still filter.
    let unreadable =
        |s: &str| !s.trim().is_empty() && rondom_app::referral::parse_date(s).is_none();
    let date_error = (unreadable(&q.van) || unreadable(&q.tot))
        .then_some("Deze datum kunnen we niet lezen. Schrijf hem als 1-11-2026.");
    let filter = rondom_app::network::family_view::LogFilter {
        member: Some(q.lid.clone()).filter(|m| !m.is_empty()),
        from: rondom_app::referral::parse_date(&q.van),
        until: rondom_app::referral::parse_date(&q.tot),
        before: q.voor.trim().parse().ok(),
    };
    let log = rondom_app::network::family_view::access_log(&state.app, &user, &id, &filter).await?;
    let older = q.older(&log.lines);
    let html = LogPage {
        older,
        page: Page::for_user("Wie keek er mee?", "start", &user),
        id: id.to_string(),
        log,
        q,
        date_error,
    }
    .render()
    .map_err(AppError::internal)?;
    let status = if date_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, Html(html)).into_response())
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct EmergencyForm {
    pub reden: String,
    pub toelichting: String,
}

/// Emergency access without consent, with a reason.
pub async fn emergency(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<NetworkId>,
    CsrfForm(form): CsrfForm<EmergencyForm>,
) -> Result<Response, AppError> {
    match network::emergency::open(&state.app, &user, &id, &form.reden, &form.toelichting).await? {
        Ok(()) => Ok(done(&id, "noodtoegang")),
        Err(errors) => Err(AppError::Validation(errors)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct JoinForm {
    pub verwijzing: String,
}

/// Asks to join a network recognised from one of this person's referrals.
pub async fn ask_to_join(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<NetworkId>,
    CsrfForm(form): CsrfForm<JoinForm>,
) -> Result<Response, AppError> {
    network::join::ask(&state.app, &user, &id, &form.verwijzing).await?;
    Ok(Redirect::to(&format!(
        "/verwijzingen/{}?gedaan=netwerk-gevraagd",
        form.verwijzing
    ))
    .into_response())
}

pub async fn admit(
    user: CurrentUser,
    State(state): State<AppState>,
    Path((id, member)): Path<(NetworkId, MemberId)>,
    CsrfForm(_): CsrfForm<crate::session::EmptyForm>,
) -> Result<Response, AppError> {
    network::join::admit(&state.app, &user, &id, &member).await?;
    Ok(done(&id, "toegelaten"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct KeepForm {
    /// referral or feedback
    pub soort: String,
    pub item: String,
    /// "verbergen" or "tonen"
    pub actie: String,
}

/// Marks an item as not for the parents at the youth's request, or takes the mark off.
pub async fn keep_from_parents(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<NetworkId>,
    CsrfForm(form): CsrfForm<KeepForm>,
) -> Result<Response, AppError> {
    let keep = form.actie != "tonen";
    rondom_app::network::help::keep_from_parents(
        &state.app,
        &user,
        &id,
        &form.soort,
        &form.item,
        keep,
    )
    .await?;
    Ok(done(&id, if keep { "verborgen" } else { "zichtbaar" }))
}

#[derive(Template)]
#[template(path = "network/emergencies.html")]
struct EmergencyOverviewPage {
    page: Page,
    lines: Disclosed<Vec<rondom_app::network::emergency::EmergencyLine>>,
}

/// The team leader's overview of emergency access to the networks their team
/// coordinates.
pub async fn emergency_overview(
    user: CurrentUser,
    State(state): State<AppState>,
) -> Result<Html<String>, AppError> {
    let lines = rondom_app::network::emergency::overview(&state.app, &user).await?;
    EmergencyOverviewPage {
        page: Page::for_user("Noodtoegang", "start", &user),
        lines,
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProfessionalForm {
    pub wie: String,
    pub organisatie: String,
}

/// The case director adds a professional found on the sociale kaart.
pub async fn add_professional(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<NetworkId>,
    CsrfForm(form): CsrfForm<ProfessionalForm>,
) -> Result<Response, AppError> {
    match rondom_app::network::professionals::add(
        &state.app,
        &user,
        &id,
        &form.wie,
        &form.organisatie,
    )
    .await?
    {
        Ok(()) => Ok(done(&id, "professional")),
        Err(errors) => Err(AppError::Validation(errors)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OrganisationForm {
    pub organisatie: String,
    /// "ja": the organisation holds voogdij (a gecertificeerde instelling).
    pub voogd: String,
}

/// The case director adds an organisation as a whole, or a guardian institution.
pub async fn add_organisation(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<NetworkId>,
    CsrfForm(form): CsrfForm<OrganisationForm>,
) -> Result<Response, AppError> {
    match rondom_app::network::professionals::add_organisation(
        &state.app,
        &user,
        &id,
        &form.organisatie,
        form.voogd == "ja",
    )
    .await?
    {
        Ok(()) => Ok(done(&id, "professional")),
        Err(errors) => Err(AppError::Validation(errors)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DestroyForm {
    pub toelichting: String,
}

/// The family with the say asks for the file's destruction.
pub async fn request_destruction(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<NetworkId>,
    CsrfForm(form): CsrfForm<DestroyForm>,
) -> Result<Response, AppError> {
    match rondom_app::retention::request(&state.app, &user, &id, &form.toelichting).await? {
        Ok(()) => Ok(done(&id, "verzoek")),
        Err(errors) => Err(AppError::Validation(errors)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecideForm {
    /// uitvoeren or weigeren
    pub besluit: String,
    pub reden: String,
}

/// The case director carries out or refuses a request.
pub async fn decide_destruction(
    user: CurrentUser,
    State(state): State<AppState>,
    Path((id, request)): Path<(NetworkId, rondom_domain::ids::DeletionRequestId)>,
    CsrfForm(form): CsrfForm<DecideForm>,
) -> Result<Response, AppError> {
    let carry_out = form.besluit == "uitvoeren";
    match rondom_app::retention::decide(&state.app, &user, &id, &request, carry_out, &form.reden)
        .await?
    {
        Ok(()) => Ok(done(
            &id,
            if carry_out { "vernietigd" } else { "geweigerd" },
        )),
        Err(errors) => Err(AppError::Validation(errors)),
    }
}
