use crate::access;
use crate::auth::reset::{INVITE_VALID_HOURS, send_link};
use crate::auth::session::{CsrfForm, CurrentUser};
use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::home::NoticeQuery;
use crate::page::Page;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use rondom_db::audit;
use rondom_db::organisations::{self as orgs, Member, Organisation, OrganisationInput};
use rondom_db::users;
use rondom_domain::ids::{MembershipId, OrganisationId};
use rondom_domain::validate::{
    AgbCode, Email, GemeenteCode, Postcode, ValidationError, WijkCode, required_text,
};
use rondom_domain::{Action, OrganisationKind, Resource, Role};
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

fn optional(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

impl OrganisationForm {
    /// Checks every field and reports all problems at once.
    pub fn parse(
        &self,
        kind_fixed: Option<OrganisationKind>,
    ) -> Result<OrganisationInput, Vec<ValidationError>> {
        let mut errors = Vec::new();
        fn take(errors: &mut Vec<ValidationError>, r: Result<String, ValidationError>) -> String {
            r.unwrap_or_else(|e| {
                errors.push(e);
                String::new()
            })
        }
        let name = take(
            &mut errors,
            required_text("name", "de naam", &self.name, 200),
        );
        let kind = match kind_fixed.or_else(|| OrganisationKind::parse(self.kind.trim())) {
            Some(k) if k != OrganisationKind::Platform || kind_fixed.is_some() => Some(k),
            _ => None,
        };
        if kind.is_none() {
            errors.push(ValidationError::new("kind", "Kies het soort organisatie."));
        }
        let agb_code = match optional(&self.agb_code) {
            Some(a) => Some(take(&mut errors, AgbCode::parse(a).map(|a| a.into_inner()))),
            None if kind.is_some_and(OrganisationKind::requires_agb) => {
                errors.push(ValidationError::new(
                    "agb_code",
                    "Vul de AGB-code in: die is verplicht voor huisartsenpraktijken en zorgaanbieders.",
                ));
                None
            }
            None => None,
        };
        let gemeente_code = take(
            &mut errors,
            GemeenteCode::parse(&self.gemeente_code).map(|g| g.into_inner()),
        );
        let wijk_code = optional(&self.wijk_code)
            .map(|w| take(&mut errors, WijkCode::parse(w).map(|w| w.into_inner())));
        if let Some(w) = &wijk_code
            && !w.is_empty()
            && gemeente_code.len() == 6
            && w[2..6] != gemeente_code[2..6]
        {
            errors.push(ValidationError::new(
                "wijk_code",
                "Deze wijk hoort niet bij de gekozen gemeente.",
            ));
        }
        let street = take(
            &mut errors,
            required_text("street", "de straat", &self.street, 200),
        );
        let house_number = take(
            &mut errors,
            required_text("house_number", "het huisnummer", &self.house_number, 20),
        );
        let postcode = take(
            &mut errors,
            Postcode::parse(&self.postcode).map(|p| p.into_inner()),
        );
        let city = take(
            &mut errors,
            required_text("city", "de plaats", &self.city, 100),
        );
        let phone = optional(&self.phone).map(|p| {
            let digits = p.chars().filter(char::is_ascii_digit).count();
            if !(10..=13).contains(&digits)
                || p.chars()
                    .any(|c| !(c.is_ascii_digit() || " +-()".contains(c)))
            {
                errors.push(ValidationError::new(
                    "phone",
                    "Vul een geldig telefoonnummer in, bijvoorbeeld 0345 123 456.",
                ));
            }
            p.to_owned()
        });
        let email = optional(&self.email)
            .map(|e| take(&mut errors, Email::parse(e).map(|e| e.into_inner())));
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(OrganisationInput {
            name,
            kind: kind.map(|k| k.as_str()).unwrap_or_default().to_owned(),
            agb_code,
            gemeente_code,
            wijk_code,
            street,
            house_number,
            postcode,
            city,
            phone,
            email,
        })
    }

    fn from_org(o: &Organisation) -> Self {
        Self {
            name: o.name.clone(),
            kind: o.kind.clone(),
            agb_code: o.agb_code.clone().unwrap_or_default(),
            gemeente_code: o.gemeente_code.clone(),
            wijk_code: o.wijk_code.clone().unwrap_or_default(),
            street: o.street.clone(),
            house_number: o.house_number.clone(),
            postcode: o.postcode.clone(),
            city: o.city.clone(),
            phone: o.phone.clone().unwrap_or_default(),
            email: o.email.clone().unwrap_or_default(),
        }
    }
}

/// A unique AGB code clash reads better as a field error than as a generic conflict.
pub fn conflict_as_field(e: AppError) -> Result<Vec<ValidationError>, AppError> {
    match e {
        AppError::Conflict(m) if m.contains("agb") => Ok(vec![ValidationError::new(
            "agb_code",
            "Er is al een organisatie met deze AGB-code.",
        )]),
        other => Err(other),
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
    access::require(&state, &user, Action::Read, Resource::Organisations).await?;
    let (all, counts) = state
        .db
        .read(|c| Ok((orgs::list(c)?, orgs::member_counts(c)?)))
        .await?;
    let counts: HashMap<String, i64> = counts.into_iter().collect();
    let rows = all
        .into_iter()
        .map(|o| OrgRow {
            members: counts.get(&o.id).copied().unwrap_or(0),
            kind: OrganisationKind::parse(&o.kind)
                .map(|k| k.label())
                .unwrap_or("?"),
            id: o.id,
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
}

fn kinds() -> Vec<KindOption> {
    OrganisationKind::ALL
        .into_iter()
        .filter(|k| *k != OrganisationKind::Platform)
        .map(|k| KindOption {
            value: k.as_str(),
            label: k.label(),
        })
        .collect()
}

fn form_page(
    user: &CurrentUser,
    title: &str,
    action: String,
    form: OrganisationForm,
    errors: Vec<ValidationError>,
    kind_editable: bool,
) -> Result<Html<String>, AppError> {
    FormPage {
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
        &user,
        "Nieuwe organisatie",
        "/beheer/organisaties/nieuw".into(),
        OrganisationForm::default(),
        vec![],
        true,
    )
}

pub async fn create(
    user: CurrentUser,
    State(state): State<AppState>,
    CsrfForm(form): CsrfForm<OrganisationForm>,
) -> Result<Response, AppError> {
    access::require(&state, &user, Action::Create, Resource::Organisations).await?;
    let invalid = |errors| {
        Ok::<_, AppError>(
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                form_page(
                    &user,
                    "Nieuwe organisatie",
                    "/beheer/organisaties/nieuw".into(),
                    form.clone(),
                    errors,
                    true,
                )?,
            )
                .into_response(),
        )
    };
    let input = match form.parse(None) {
        Ok(i) => i,
        Err(errors) => return invalid(errors),
    };
    match create_organisation(&state, &user, input).await {
        Ok(o) => Ok(
            Redirect::to(&format!("/beheer/organisaties/{}?melding=aangemaakt", o.id))
                .into_response(),
        ),
        Err(e) => invalid(conflict_as_field(e)?),
    }
}

/// Creates an organisation and its audit entry in one transaction (pages and API).
pub async fn create_organisation(
    state: &AppState,
    user: &impl access::Principal,
    input: OrganisationInput,
) -> Result<Organisation, AppError> {
    let base = access::event(
        user,
        "organisation_create",
        Resource::Organisations,
        "allowed",
    );
    Ok(state
        .db
        .write(move |c| {
            let o = orgs::create(c, &input)?;
            let mut e = base;
            e.object_id = Some(o.id.clone());
            audit::append(c, &e)?;
            Ok(o)
        })
        .await?)
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
    members: Vec<MemberRow>,
    roles: Vec<RoleOption>,
    member_errors: HashMap<&'static str, String>,
    member_form: MemberForm,
    is_platform_admin: bool,
}

async fn load_org(state: &AppState, id: &str) -> Result<(Organisation, Vec<Member>), AppError> {
    let id = id.to_owned();
    Ok(state
        .db
        .read(move |c| {
            let o = orgs::get(c, &id)?;
            let m = orgs::members(c, &id)?;
            Ok((o, m))
        })
        .await?)
}

fn show_page(
    user: &CurrentUser,
    org: Organisation,
    members: Vec<Member>,
    notice: Option<&str>,
    member_form: MemberForm,
    member_errors: Vec<ValidationError>,
) -> Result<Html<String>, AppError> {
    let kind = OrganisationKind::parse(&org.kind);
    ShowPage {
        page: Page::for_user(org.name.clone(), "beheer", user).with_notice(notice),
        kind: kind.map(|k| k.label()).unwrap_or("?"),
        members: members
            .into_iter()
            .map(|m| MemberRow {
                is_self: m.user_id == user.user_id,
                membership_id: m.membership_id,
                name: m.name,
                email: m.email,
                role: Role::parse(&m.role).map(|r| r.label()).unwrap_or("?"),
                second_factor: m.totp_enabled,
            })
            .collect(),
        roles: kind
            .map(Role::for_kind)
            .unwrap_or_default()
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
        is_platform_admin: user.actor.is_platform_admin(),
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
    access::require(&state, &user, Action::Read, Resource::Organisation(&id)).await?;
    let (org, members) = load_org(&state, &id).await?;
    show_page(
        &user,
        org,
        members,
        q.melding.as_deref(),
        MemberForm::default(),
        vec![],
    )
}

pub async fn edit_form(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<OrganisationId>,
) -> Result<Html<String>, AppError> {
    access::require(&state, &user, Action::Update, Resource::Organisation(&id)).await?;
    let (org, _) = load_org(&state, &id).await?;
    form_page(
        &user,
        &format!("{} bewerken", org.name),
        format!("/beheer/organisaties/{id}/bewerken"),
        OrganisationForm::from_org(&org),
        vec![],
        false,
    )
}

pub async fn update(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<OrganisationId>,
    CsrfForm(form): CsrfForm<OrganisationForm>,
) -> Result<Response, AppError> {
    access::require(&state, &user, Action::Update, Resource::Organisation(&id)).await?;
    let (org, _) = load_org(&state, &id).await?;
    let kind = OrganisationKind::parse(&org.kind);
    let action = format!("/beheer/organisaties/{id}/bewerken");
    let title = format!("{} bewerken", org.name);
    let input = match form.parse(kind) {
        Ok(i) => i,
        Err(errors) => {
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                form_page(&user, &title, action, form, errors, false)?,
            )
                .into_response());
        }
    };
    let e = access::event(
        &user,
        "organisation_update",
        Resource::Organisation(&id),
        "allowed",
    );
    let oid = id.clone();
    let result = state
        .db
        .write(move |c| {
            orgs::update(c, &oid, &input)?;
            audit::append(c, &e)?;
            Ok(())
        })
        .await;
    match result {
        Ok(()) => Ok(
            Redirect::to(&format!("/beheer/organisaties/{id}?melding=opgeslagen")).into_response(),
        ),
        Err(e) => {
            let errors = conflict_as_field(e.into())?;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                form_page(&user, &title, action, form, errors, false)?,
            )
                .into_response())
        }
    }
}

const ELSEWHERE: &str = "existing account outside the admin's organisations";

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
    access::require(
        &state,
        &user,
        Action::ManageMembers,
        Resource::Organisation(&id),
    )
    .await?;
    let (org, members) = load_org(&state, &id).await?;
    let kind = OrganisationKind::parse(&org.kind);
    let mut errors = Vec::new();
    let email = Email::parse(&form.email).map_err(|e| errors.push(e)).ok();
    let name = required_text("name", "de naam", &form.name, 200)
        .map_err(|e| errors.push(e))
        .ok();
    let role = Role::parse(form.role.trim()).filter(|r| kind.is_some_and(|k| r.fits(k)));
    if role.is_none() {
        errors.push(ValidationError::new(
            "role",
            "Kies een rol die bij deze organisatie past.",
        ));
    }
    // Only a platform admin may make someone a platform admin.
    if role == Some(Role::Beheerder) && !user.actor.is_platform_admin() {
        errors.push(ValidationError::new(
            "role",
            "Alleen een platformbeheerder kan platformbeheerders aanwijzen.",
        ));
    }
    let (Some(email), Some(name), Some(role), true) = (email, name, role, errors.is_empty()) else {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            show_page(&user, org, members, None, form, errors)?,
        )
            .into_response());
    };
    let email = email.into_inner();
    let mut e = access::event(&user, "member_add", Resource::Organisation(&id), "allowed");
    e.reason = Some(format!("{email} as {}", role.as_str()));
    let oid = id.clone();
    let em = email.clone();
    // An organisation admin may add people who are new to Rondom, or who already work in
    // an organisation this admin manages; anyone else's account (and whether it exists)
    // stays out of sight. Platform admins may link any account.
    let may_link: Option<Vec<String>> = (!user.actor.is_platform_admin()).then(|| {
        user.actor
            .administered_organisations()
            .map(str::to_owned)
            .collect()
    });
    let result = state
        .db
        .write(move |c| {
            let (uid, created) = match users::find_by_email(c, &em)? {
                Some(u) => {
                    if let Some(allowed) = &may_link {
                        let theirs = users::memberships_of(c, &u.id)?;
                        if !theirs.iter().any(|m| allowed.contains(&m.organisation_id)) {
                            return Err(rondom_db::DbError::Conflict(ELSEWHERE.into()));
                        }
                    }
                    (u.id, false)
                }
                None => (
                    users::create(
                        c,
                        &users::NewUser {
                            email: &em,
                            name: &name,
                            password_hash: None,
                            family_role: None,
                            is_demo: false,
                        },
                    )?,
                    true,
                ),
            };
            orgs::add_membership(c, &uid, &oid, role.as_str())?;
            e.object_id = Some(oid.to_string());
            e.reason = Some(format!("{} (user {uid})", e.reason.unwrap_or_default()));
            audit::append(c, &e)?;
            Ok((uid, created))
        })
        .await;
    match result {
        Ok((uid, created)) => {
            if created {
                send_link(&state, &uid, &email, INVITE_VALID_HOURS, true).await?;
            }
            Ok(
                Redirect::to(&format!("/beheer/organisaties/{id}?melding=lid-toegevoegd"))
                    .into_response(),
            )
        }
        Err(rondom_db::DbError::Conflict(m)) => {
            let message = if m == ELSEWHERE {
                "Dit e-mailadres kan hier niet worden toegevoegd. Vraag de platformbeheerder om de persoon aan uw organisatie te koppelen."
            } else {
                "Deze persoon heeft deze rol hier al."
            };
            let errors = vec![ValidationError::new("email", message)];
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                show_page(&user, org, members, None, form, errors)?,
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn remove_member(
    user: CurrentUser,
    State(state): State<AppState>,
    Path((id, membership_id)): Path<(OrganisationId, MembershipId)>,
    CsrfForm(_f): CsrfForm<crate::auth::session::EmptyForm>,
) -> Result<Response, AppError> {
    access::require(
        &state,
        &user,
        Action::ManageMembers,
        Resource::Organisation(&id),
    )
    .await?;
    let mut e = access::event(
        &user,
        "member_remove",
        Resource::Organisation(&id),
        "allowed",
    );
    let oid = id.clone();
    let is_platform = user.actor.is_platform_admin();
    state
        .db
        .write(move |c| {
            let (uid, role) = orgs::remove_membership(c, &oid, &membership_id)?;
            // An organisation never loses its last admin by accident, and only platform
            // admins take away platform admin rights.
            if role == Role::OrganisatieBeheerder.as_str()
                && orgs::count_role(c, &oid, &role)? == 0
                && !is_platform
            {
                return Err(rondom_db::DbError::Conflict(
                    "last organisation admin".into(),
                ));
            }
            if role == Role::Beheerder.as_str()
                && (!is_platform || orgs::count_role(c, &oid, &role)? == 0)
            {
                return Err(rondom_db::DbError::Conflict("last platform admin".into()));
            }
            e.reason = Some(format!("user {uid} as {role}"));
            audit::append(c, &e)?;
            Ok(())
        })
        .await
        .map_err(|err| match err {
            rondom_db::DbError::Conflict(_) => AppError::BadRequest(
                "Dit lid kan niet verwijderd worden: de organisatie houdt minstens één beheerder."
                    .into(),
            ),
            other => other.into(),
        })?;
    Ok(Redirect::to(&format!("/beheer/organisaties/{id}?melding=lid-verwijderd")).into_response())
}
