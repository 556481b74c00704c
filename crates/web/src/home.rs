//! The start page: the person's work of today, where they work, and the way to what
//! they may do.

use crate::error::AppError;
use crate::extract::Query;
use crate::page::Page;
use crate::session::CurrentUser;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use serde::Deserialize;

pub struct MembershipView {
    pub organisation_id: String,
    pub organisation: String,
    pub kind: &'static str,
    /// The person's roles there, as the page names them.
    pub roles: Vec<&'static str>,
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
    /// The youth themselves (addressed as "je", about their own network).
    youth: bool,
    is_platform_admin: bool,
    /// The person's work of today, for those who refer, receive or consult.
    today: Option<crate::today::TodayView>,
    /// For a family member: the networks around their children.
    networks: Vec<rondom_app::network::family_view::MyNetwork>,
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
    // One card per organisation, its roles together: someone who is GP and the
    // practice's admin sees the practice once.
    let mut memberships: Vec<MembershipView> = Vec::new();
    for m in &user.memberships {
        match memberships
            .iter_mut()
            .find(|v| v.organisation_id == m.organisation_id)
        {
            Some(v) => v.roles.push(m.role.label()),
            None => memberships.push(MembershipView {
                organisation_id: m.organisation_id.to_string(),
                organisation: m.organisation_name.clone(),
                kind: m.organisation_kind.label(),
                roles: vec![m.role.label()],
                is_admin: user
                    .actor
                    .administered_organisations()
                    .any(|o| m.organisation_id == o),
                stale: 0,
            }),
        }
    }
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
    let caps = rondom_domain::policy::capabilities(&user.actor);
    let today = if caps.refers || caps.consults {
        let t = rondom_app::today::load(&state.app, &user).await?;
        Some(crate::today::view(t))
    } else {
        None
    };
    // A family member's start is their children's networks.
    let networks = if user.actor.family_role.is_some() {
        rondom_app::network::family_view::mine(&state.app, &user)
            .await?
            .into_inner()
    } else {
        vec![]
    };
    HomePage {
        networks,
        today,
        page: Page::for_user("Start", "start", &user).with_notice(q.melding.as_deref()),
        memberships,
        family_role: user.actor.family_role.map(|r| r.label()),
        youth: user.actor.family_role == Some(rondom_domain::Role::Jeugdige),
        is_platform_admin: user.actor.is_platform_admin(),
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}
