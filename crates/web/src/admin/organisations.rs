use crate::access;
use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::home::NoticeQuery;
use crate::page::Page;
use crate::session::{CsrfForm, CurrentUser};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_app::admin::organisations::OrganisationFields;
use rondom_app::admin::{members, organisations};
use rondom_app::directory::rows::{Member, Organisation};
use rondom_domain::ids::{MembershipId, OrganisationId};
use rondom_domain::validate::ValidationError;
use rondom_domain::{Action, Resource};
use serde::Deserialize;
use std::collections::HashMap;

/// The organisation fields as typed, for pages and the API alike.
#[derive(Deserialize, Default, Clone, utoipa::ToSchema)]
#[serde(default)]
pub struct OrganisationForm {
    pub name: String,
    /// huisartsenpraktijk, sociaal_team, gemeente, zorgaanbieder, school, jgz
    pub kind: String,
    /// 8 digits; required for huisartsenpraktijk and zorgaanbieder.
    pub agb_code: String,
    /// CBS code, e.g. GM0363.
    pub gemeente_code: String,
    /// CBS district code, e.g. WK036301 (optional).
    pub wijk_code: String,
    pub street: String,
    pub house_number: String,
    /// Dutch postcode, e.g. 1234 AB.
    pub postcode: String,
    pub city: String,
    pub phone: String,
    pub email: String,
}

impl OrganisationForm {
    /// The fields as the use case takes them.
    pub fn fields(&self) -> OrganisationFields {
        OrganisationFields {
            name: self.name.clone(),
            kind: self.kind.clone(),
            agb_code: self.agb_code.clone(),
            gemeente_code: self.gemeente_code.clone(),
            wijk_code: self.wijk_code.clone(),
            street: self.street.clone(),
            house_number: self.house_number.clone(),
            postcode: self.postcode.clone(),
            city: self.city.clone(),
            phone: self.phone.clone(),
            email: self.email.clone(),
        }
    }

    fn from_org(o: &Organisation) -> Self {
        let f = OrganisationFields::of(o);
        Self {
            name: f.name,
            kind: f.kind,
            agb_code: f.agb_code,
            gemeente_code: f.gemeente_code,
            wijk_code: f.wijk_code,
            street: f.street,
            house_number: f.house_number,
            postcode: f.postcode,
            city: f.city,
            phone: f.phone,
            email: f.email,
        }
    }
}

pub struct OrgRow {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub city: String,
    pub members: i64,
}

#[derive(Template)]
#[template(path = "admin/organisations.html")]
struct ListPage {
    page: Page,
    rows: Vec<OrgRow>,
}

pub async fn list(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, AppError> {
    let all = organisations::all_with_counts(&state.app, &user).await?;
    let rows = all
        .into_iter()
        .map(|(o, members)| OrgRow {
            members,
            kind: o.kind.label(),
            id: o.id.into(),
            name: o.name,
            city: o.city,
        })
        .collect();
    ListPage {
        page: Page::for_user("Organisaties", "beheer", &user).with_notice(q.melding.as_deref()),
        rows,
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

/// The organisation form as the page sends it: the municipality is chosen from a list,
/// or typed as a CBS code when it is not in Rondom yet.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OrganisationPageForm {
    #[serde(flatten)]
    pub form: OrganisationForm,
    /// A municipality not in the list, as its CBS code.
    pub gemeente_anders: String,
}

impl OrganisationPageForm {
    fn into_form(self) -> OrganisationForm {
        let mut form = self.form;
        let other = self.gemeente_anders.trim();
        if !other.is_empty() {
            form.gemeente_code = other.to_owned();
        }
        form
    }
}

/// The municipalities and wijken an organisation's seat is chosen from, by name; the
/// form's own values stay on offer when they are not in the list.
struct Places {
    gemeenten: Vec<(String, String)>,
    wijken: Vec<(String, String)>,
}

async fn places(state: &AppState, form: &OrganisationForm) -> Result<Places, AppError> {
    let (known, districts) = organisations::seat_choices(&state.app).await?;
    let name_of = |code: &str| {
        known
            .iter()
            .find(|g| g.code == code)
            .map_or_else(|| code.to_owned(), |g| g.name.clone())
    };
    let mut wijken: Vec<(String, String)> = districts
        .iter()
        .map(|(code, name, gemeente)| {
            (code.clone(), format!("wijk {name} ({})", name_of(gemeente)))
        })
        .collect();
    let mut gemeenten: Vec<(String, String)> = known
        .iter()
        .map(|g| (g.code.clone(), g.name.clone()))
        .collect();
    if !form.gemeente_code.is_empty() && !gemeenten.iter().any(|(c, _)| *c == form.gemeente_code) {
        gemeenten.push((form.gemeente_code.clone(), form.gemeente_code.clone()));
    }
    if !form.wijk_code.is_empty() && !wijken.iter().any(|(c, _)| *c == form.wijk_code) {
        wijken.push((form.wijk_code.clone(), form.wijk_code.clone()));
    }
    Ok(Places { gemeenten, wijken })
}

pub struct KindOption {
    pub value: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "admin/organisation_form.html")]
struct FormPage {
    page: Page,
    action: String,
    form: OrganisationForm,
    errors: HashMap<&'static str, String>,
    kinds: Vec<KindOption>,
    kind_editable: bool,
    gemeenten: Vec<(String, String)>,
    wijken: Vec<(String, String)>,
}

fn kinds() -> Vec<KindOption> {
    organisations::choosable_kinds()
        .into_iter()
        .map(|k| KindOption {
            value: k.as_str(),
            label: k.label(),
        })
        .collect()
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    title: &str,
    action: String,
    form: OrganisationForm,
    errors: Vec<ValidationError>,
    kind_editable: bool,
) -> Result<Html<String>, AppError> {
    let Places { gemeenten, wijken } = places(state, &form).await?;
    FormPage {
        gemeenten,
        wijken,
        page: Page::for_user(title, "beheer", user),
        action,
        form,
        errors: crate::page::field_errors(errors),
        kinds: kinds(),
        kind_editable,
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

pub async fn new_form(
    user: CurrentUser,
    State(state): State<AppState>,
) -> Result<Html<String>, AppError> {
    access::require(&state, &user, Action::Create, Resource::Organisations).await?;
    form_page(
        &state,
        &user,
        "Nieuwe organisatie",
        "/beheer/organisaties/nieuw".into(),
        OrganisationForm::default(),
        vec![],
        true,
    )
    .await
}

pub async fn create(
    user: CurrentUser,
    State(state): State<AppState>,
    CsrfForm(page): CsrfForm<OrganisationPageForm>,
) -> Result<Response, AppError> {
    let form = page.into_form();
    match organisations::create(&state.app, &user, &form.fields()).await? {
        Ok(o) => Ok(
            Redirect::to(&format!("/beheer/organisaties/{}?melding=aangemaakt", o.id))
                .into_response(),
        ),
        Err(errors) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(
                &state,
                &user,
                "Nieuwe organisatie",
                "/beheer/organisaties/nieuw".into(),
                form,
                errors,
                true,
            )
            .await?,
        )
            .into_response()),
    }
}

pub struct MemberRow {
    pub membership_id: String,
    pub name: String,
    pub email: String,
    pub role: &'static str,
    pub second_factor: bool,
    pub is_self: bool,
}

pub struct RoleOption {
    pub value: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "admin/organisation.html")]
struct ShowPage {
    page: Page,
    org: Organisation,
    kind: &'static str,
    /// Its services on the sociale kaart, least recently checked first.
    offer: Vec<OfferRow>,
    /// Where it is seated, by name: (municipality, wijk).
    seat: (String, Option<String>),
    members: Vec<MemberRow>,
    roles: Vec<RoleOption>,
    member_errors: HashMap<&'static str, String>,
    member_form: MemberForm,
}

/// A service as the admin page lists it.
pub struct OfferRow {
    pub id: String,
    pub name: String,
    pub wait: String,
    pub checked: String,
    /// Not checked for six months: the sociale kaart says so to GPs.
    pub stale: bool,
}

/// The organisation's offer (Beheer → Aanbod) and its seat by name, for its admin page.
async fn offer(
    state: &AppState,
    org: &Organisation,
) -> Result<(Vec<OfferRow>, (String, Option<String>)), AppError> {
    let seat = organisations::seat_names(&state.app, org).await?;
    Ok((offer_rows(state, &org.id).await?, seat))
}

async fn offer_rows(state: &AppState, org: &str) -> Result<Vec<OfferRow>, AppError> {
    let today = crate::format::today();
    Ok(rondom_app::directory::entries::offer_of(&state.app, org)
        .await?
        .into_iter()
        .map(|s| OfferRow {
            id: s.id.to_string(),
            wait: match s.wait_weeks {
                Some(0) => "geen wachttijd".to_owned(),
                Some(1) => "1 week".to_owned(),
                Some(w) => format!("{w} weken"),
                None => "niet opgegeven".to_owned(),
            },
            checked: crate::format::long_date(s.last_checked_on),
            stale: s.last_checked_on < today - chrono::Duration::days(182),
            name: s.name,
        })
        .collect())
}

fn show_page(
    user: &CurrentUser,
    org: Organisation,
    members: Vec<Member>,
    notice: Option<&str>,
    member_form: MemberForm,
    member_errors: Vec<ValidationError>,
    offer: (Vec<OfferRow>, (String, Option<String>)),
) -> Result<Html<String>, AppError> {
    let roles = members::roles_for(user, &org);
    ShowPage {
        offer: offer.0,
        seat: offer.1,
        page: Page::for_user(org.name.clone(), "beheer", user).with_notice(notice),
        kind: org.kind.label(),
        members: members
            .into_iter()
            .map(|m| MemberRow {
                is_self: m.user_id == user.user_id,
                membership_id: m.membership_id.into(),
                name: m.name,
                email: m.email,
                role: m.role.label(),
                second_factor: m.totp_enabled,
            })
            .collect(),
        roles: roles
            .into_iter()
            .map(|r| RoleOption {
                value: r.as_str(),
                label: r.label(),
            })
            .collect(),
        org,
        member_errors: member_errors
            .into_iter()
            .map(|e| (e.field, e.message))
            .collect(),
        member_form,
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

pub async fn show(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<OrganisationId>,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, AppError> {
    let (org, members) = organisations::get(&state.app, &user, &id).await?;
    let offer = offer(&state, &org).await?;
    show_page(
        &user,
        org,
        members,
        q.melding.as_deref(),
        MemberForm::default(),
        vec![],
        offer,
    )
}

pub async fn edit_form(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<OrganisationId>,
) -> Result<Html<String>, AppError> {
    let org = organisations::for_update(&state.app, &user, &id).await?;
    form_page(
        &state,
        &user,
        &format!("{} bewerken", org.name),
        format!("/beheer/organisaties/{id}/bewerken"),
        OrganisationForm::from_org(&org),
        vec![],
        false,
    )
    .await
}

pub async fn update(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<OrganisationId>,
    CsrfForm(page): CsrfForm<OrganisationPageForm>,
) -> Result<Response, AppError> {
    let form = page.into_form();
    match organisations::update(&state.app, &user, &id, &form.fields()).await? {
        Ok(()) => Ok(
            Redirect::to(&format!("/beheer/organisaties/{id}?melding=opgeslagen")).into_response(),
        ),
        Err(errors) => {
            let org = organisations::for_update(&state.app, &user, &id).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                form_page(
                    &state,
                    &user,
                    &format!("{} bewerken", org.name),
                    format!("/beheer/organisaties/{id}/bewerken"),
                    form,
                    errors,
                    false,
                )
                .await?,
            )
                .into_response())
        }
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct MemberForm {
    pub name: String,
    pub email: String,
    pub role: String,
}

pub async fn add_member(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<OrganisationId>,
    CsrfForm(form): CsrfForm<MemberForm>,
) -> Result<Response, AppError> {
    let new = members::NewMember {
        name: form.name.clone(),
        email: form.email.clone(),
        role: form.role.clone(),
    };
    match members::add(&state.app, &user, &id, &new).await? {
        Ok(()) => Ok(
            Redirect::to(&format!("/beheer/organisaties/{id}?melding=lid-toegevoegd"))
                .into_response(),
        ),
        Err(errors) => {
            let (org, members) = members::for_managing(&state.app, &user, &id).await?;
            let offer = offer(&state, &org).await?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                show_page(&user, org, members, None, form, errors, offer)?,
            )
                .into_response())
        }
    }
}

pub async fn remove_member(
    user: CurrentUser,
    State(state): State<AppState>,
    Path((id, membership_id)): Path<(OrganisationId, MembershipId)>,
    CsrfForm(_f): CsrfForm<crate::session::EmptyForm>,
) -> Result<Response, AppError> {
    members::remove(&state.app, &user, &id, &membership_id).await?;
    Ok(Redirect::to(&format!("/beheer/organisaties/{id}?melding=lid-verwijderd")).into_response())
}
