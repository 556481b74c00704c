//! The start page: who you are, where you work, and the way to what you may do.

use crate::error::AppError;
use crate::extract::Query;
use crate::page::Page;
use crate::session::CurrentUser;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use rondom_domain::{OrganisationKind, Role};
use serde::Deserialize;

pub struct MembershipView {
    pub organisation_id: String,
    pub organisation: String,
    pub kind: &'static str,
    pub role: &'static str,
    pub is_admin: bool,
    /// For admins: their services in the sociale kaart that are due for a check.
    pub stale: usize,
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
    let mut memberships: Vec<MembershipView> = user
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
                is_admin: r.is_some_and(Role::administers),
                stale: 0,
            }
        })
        .collect();
    // Stale entries are flagged to their owners where they start their day. The index is
    // in memory, so this costs no query when it is current.
    if memberships.iter().any(|m| m.is_admin) {
        let index = state
            .directory_index
            .get_at(&state.app.db, user.directory_version)
            .await?;
        let today = crate::format::today();
        for m in memberships.iter_mut().filter(|m| m.is_admin) {
            m.stale = index.stale_services(&m.organisation_id, today);
        }
    }
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
