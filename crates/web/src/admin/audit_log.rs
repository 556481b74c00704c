//! The audit log page: platform admins see everything, organisation admins what the
//! members of their organisation did. Viewing the log is itself logged.

use crate::error::AppError;
use crate::extract::Query;
use crate::format;
use crate::page::Page;
use crate::session::CurrentUser;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use rondom_app::admin::audit_log;
use serde::Deserialize;

const PAGE_SIZE: i64 = 50;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct AuditQuery {
    pub organisatie: String,
    pub actie: String,
    pub uitkomst: String,
    pub van: String,
    pub tot: String,
    pub persoon: String,
    pub kind: String,
    pub voor: Option<i64>,
}

pub struct EntryView {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub object: String,
    /// The child concerned, to filter on: (id, initials and age).
    pub child: Option<(String, String)>,
    pub reason: String,
    pub source: String,
    pub outcome: String,
    pub denied: bool,
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "admin/audit_log.html")]
struct AuditPage {
    page: Page,
    q: AuditQuery,
    entries: Vec<EntryView>,
    organisations: Vec<Choice>,
    /// (code, Dutch words)
    actions: Vec<(String, String)>,
    people: Vec<Choice>,
    /// The child filtered on, by initials and age.
    child: Option<String>,
    all_allowed: bool,
    next_before: Option<i64>,
    next_query: String,
    error: Option<String>,
}

pub async fn show(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(q): Query<AuditQuery>,
) -> Result<Html<String>, AppError> {
    let mut error = None;
    let from = match q.van.trim() {
        "" => None,
        s => format::local_date_start(s).or_else(|| {
            error = Some("De begindatum is niet geldig; gebruik de datumkiezer.".to_owned());
            None
        }),
    };
    let until = match q.tot.trim() {
        "" => None,
        s => format::local_date_start(s)
            .map(|d| d + chrono::Duration::days(1))
            .or_else(|| {
                error = Some("De einddatum is niet geldig; gebruik de datumkiezer.".to_owned());
                None
            }),
    };
    let found = audit_log::read(
        &state.app,
        &user,
        audit_log::Query {
            organisation: q.organisatie.clone(),
            action: Some(q.actie.trim().to_owned()).filter(|s| !s.is_empty()),
            outcome: Some(q.uitkomst.trim().to_owned()).filter(|s| !s.is_empty()),
            person: Some(q.persoon.trim().to_owned()).filter(|s| !s.is_empty()),
            child: Some(q.kind.trim().to_owned()).filter(|s| !s.is_empty()),
            from,
            until,
            before: q.voor,
            limit: PAGE_SIZE + 1,
        },
    )
    .await?;
    let (scope, rows, all_orgs, actions, people, child) = (
        found.scope,
        found.rows,
        found.organisations,
        found.actions,
        found.people,
        found.child,
    );
    let has_more = rows.len() as i64 > PAGE_SIZE;
    let entries: Vec<EntryView> = rows
        .into_iter()
        .take(PAGE_SIZE as usize)
        .map(|d| {
            let e = d.entry;
            EntryView {
                seq: e.seq,
                at: format::datetime_seconds(e.at),
                actor: e.actor_name,
                role: d.role,
                action: d.action,
                object: d.about,
                child: d.child,
                reason: d.detail,
                source: e.source_address.unwrap_or_default(),
                denied: e.outcome != "allowed",
                outcome: match e.outcome.as_str() {
                    "allowed" => "toegestaan".into(),
                    "denied" => "geweigerd".into(),
                    other => other.to_owned(),
                },
            }
        })
        .collect();
    let next_before = if has_more {
        entries.last().map(|e| e.seq)
    } else {
        None
    };
    let next_query = format!(
        "organisatie={}&actie={}&uitkomst={}&van={}&tot={}&persoon={}&kind={}",
        crate::error::urlencode(scope.as_deref().unwrap_or("")),
        crate::error::urlencode(&q.actie),
        crate::error::urlencode(&q.uitkomst),
        crate::error::urlencode(&q.van),
        crate::error::urlencode(&q.tot),
        crate::error::urlencode(&q.persoon),
        crate::error::urlencode(&q.kind)
    );
    AuditPage {
        page: Page::for_user("Auditlog", "audit", &user),
        q: AuditQuery {
            organisatie: scope.unwrap_or_default(),
            ..q
        },
        entries,
        organisations: all_orgs
            .into_iter()
            .map(|o| Choice {
                value: o.id.into(),
                label: o.name,
            })
            .collect(),
        actions: actions
            .into_iter()
            .map(|a| {
                let label = audit_log::action_label(&a).to_owned();
                (a, label)
            })
            .collect(),
        people: people
            .into_iter()
            .map(|(value, label)| Choice { value, label })
            .collect(),
        child,
        all_allowed: user.actor.is_platform_admin(),
        next_before,
        next_query,
        error,
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}
