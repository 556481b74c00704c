//! The start page: who you are, where you work, and the way to what you may do.

use crate::auth::session::CurrentUser;
use crate::error::AppError;
use crate::page::Page;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use rondom_db::users;
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
    State(state): State<AppState>,
    Query(q): Query<NoticeQuery>,
) -> Result<Html<String>, AppError> {
    let uid = user.user_id.clone();
    let rows = state
        .db
        .read(move |c| users::memberships_of(c, &uid))
        .await?;
    let memberships = rows
        .into_iter()
        .map(|(id, name, kind, role)| {
            let r = Role::parse(&role);
            MembershipView {
                organisation_id: id,
                organisation: name,
                kind: OrganisationKind::parse(&kind)
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
