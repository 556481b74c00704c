//! The start page: who you are, where you work, and the way to what you may do.

use crate::auth::session::CurrentUser;
use crate::error::AppError;
use crate::page::Page;
use askama::Template;
use axum::extract::Query;
use axum::response::Html;
use rondom_domain::{OrganisationKind, Role};
use serde::Deserialize;

pub struct MembershipView {
    pub organisation_id: String,
    pub organisation: String,
    pub kind: &'static str,
    pub role: &'static str,
    pub is_admin: bool,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    memberships: Vec<MembershipView>,
    family_role: Option<&'static str>,
    is_platform_admin: bool,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    pub melding: Option<String>,
}

pub async fn home(
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, AppError> {
    let memberships = user
        .memberships
        .iter()
        .map(|m| {
            let r = Role::parse(&m.role);
            MembershipView {
                organisation_id: m.organisation_id.clone(),
                organisation: m.organisation_name.clone(),
                kind: OrganisationKind::parse(&m.organisation_kind)
                    .map(|k| k.label())
                    .unwrap_or("Organisatie"),
                role: r.map(|r| r.label()).unwrap_or("Onbekende rol"),
                is_admin: r == Some(Role::OrganisatieBeheerder),
            }
        })
        .collect();
    HomePage {
        page: Page::for_user("Start", "start", &user).with_notice(q.melding.as_deref()),
        memberships,
        family_role: user.actor.family_role.map(|r| r.label()),
        is_platform_admin: user.actor.is_platform_admin(),
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}
