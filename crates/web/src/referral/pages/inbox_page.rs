//! The inbox per role (/verwijzingen): the work queues with their counts, the long
//! list of running referrals paged on its own, and the person's questions to the team.

use crate::access;
use crate::error::AppError;
use crate::extract::Query;
use crate::format;
use crate::page::Page;
use crate::referral;
use crate::referral::{Shown, is_overdue};
use crate::session::CurrentUser;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use rondom_app::referral::inbox::{self, Filter, sections_for};
use rondom_domain::referral::Urgency;
use rondom_domain::{Action, Resource};
use serde::Deserialize;

pub struct Row {
    pub id: String,
    pub child: String,
    pub age: String,
    pub from: String,
    pub to: String,
    pub status: &'static str,
    pub urgent: bool,
    pub due: String,
    pub overdue: bool,
    pub case_director: Option<String>,
    pub created: String,
}

/// A row of a list whose look was logged (`referral::disclose_list`).
pub fn row(s: &Shown) -> Row {
    let l = &s.listed;
    let status = l.r.status;
    let today = format::today();
    Row {
        id: l.r.id.to_string(),
        child: s.child_name.clone(),
        age: format!("{} jaar", referral::age_on(l.child_birth_date, today)),
        from: l.from_name.clone(),
        to: l.to_name.clone(),
        status: status.label(),
        urgent: l.r.urgency == Urgency::Spoed,
        due: l.r.due_on.map(format::dutch_date).unwrap_or_default(),
        overdue: is_overdue(status, l.r.due_on, today),
        case_director: l.case_director_name.clone(),
        created: format::dutch_date(format::to_local(l.r.created_at).date()),
    }
}

/// An inbox section: its name, how many, and its first rows.
pub struct Section {
    pub key: &'static str,
    pub title: &'static str,
    pub empty: &'static str,
    /// "7", or "meer dan 100".
    pub count: String,
    /// More than the rows shown.
    pub more: bool,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "referral/inbox.html")]
struct InboxPage {
    page: Page,
    notices: Vec<(String, String)>,
    can_refer: bool,
    sections: Vec<Section>,
    /// Showing one section whole, with paging.
    single: bool,
    page_no: i64,
    has_next: bool,
    /// A link to the paged list of every running referral.
    show_all_running: bool,
    /// The practice's latest consultation questions (for GPs and POHs).
    questions: Vec<Question>,
}

pub struct Question {
    pub id: String,
    pub subject: String,
    pub status: &'static str,
    pub team: String,
    pub asked: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InboxQuery {
    pub sectie: String,
    pub pagina: i64,
}

const PREVIEW: i64 = 5;
/// Sections are counted up to here.
const COUNT_CAP: i64 = 50;
const PAGE: i64 = 25;

pub async fn inbox(
    user: CurrentUser,
    State(state): State<AppState>,
    Query(q): Query<InboxQuery>,
) -> Result<Html<String>, AppError> {
    let sending = referral::sending_orgs(&user.actor);
    let receiving = referral::receiving_orgs(&user.actor);
    if sending.is_empty() && receiving.is_empty() {
        access::require(&state, &user, Action::Read, Resource::ReferralInbox("")).await?;
    }
    let all = sections_for(&user.user_id, &sending, &receiving);
    let single = all.iter().any(|(k, ..)| *k == q.sectie);
    let page_no = q.pagina.clamp(1, 10_000);
    // The overview shows the first rows of each work queue with how many there are,
    // counted up to a cap so that its cost does not grow with the archive; the long
    // list of all running referrals is only paged on its own.
    let wanted: Vec<_> = all
        .into_iter()
        .filter(|(k, ..)| {
            if single {
                *k == q.sectie
            } else {
                *k != "lopend"
            }
        })
        .map(|(k, t, e, mut f)| {
            if single {
                f.limit = PAGE + 1;
                f.offset = (page_no - 1) * PAGE;
            } else {
                f.limit = COUNT_CAP + 1;
            }
            (k, t, e, f)
        })
        .collect();
    let filters: Vec<Filter> = wanted.iter().map(|w| w.3.clone()).collect();
    // A GP's or POH's questions to the team belong in the same place as their referrals.
    let asking = if single {
        vec![]
    } else {
        crate::consultation::practices_asking(&user.actor)
    };
    let shown = if single { PAGE } else { PREVIEW } as usize;
    let inbox::Inbox {
        found: founds,
        lists,
        unread,
        questions,
    } = inbox::load(&state.app, &user, filters, shown, asking).await?;
    let lists = lists.into_inner();
    let mut has_next = false;
    let sections = wanted
        .into_iter()
        .zip(founds.into_iter().zip(lists))
        .map(|((key, title, empty, _), (found, rows))| {
            if single && found > shown {
                has_next = true;
            }
            Section {
                key,
                title,
                empty,
                count: match found as i64 {
                    n if single || n <= COUNT_CAP => n.to_string(),
                    _ => format!("meer dan {COUNT_CAP}"),
                },
                more: !single && found > shown,
                rows: rows.iter().map(row).collect(),
            }
        })
        .collect();
    let show_all_running = !single && !receiving.is_empty();
    InboxPage {
        page: Page::for_user("Verwijzingen", "verwijzingen", &user),
        notices: unread
            .into_iter()
            .filter(|(_, _, link, _)| {
                link.starts_with("/verwijzingen/") || link.starts_with("/overleg/")
            })
            .map(|(_, text, link, _)| (text, link))
            .collect(),
        questions: questions
            .into_iter()
            .map(|shown| {
                let q = shown.listed;
                Question {
                    subject: shown.subject,
                    status: q.c.status.label(),
                    team: q.team_name,
                    asked: format::dutch_date(format::to_local(q.c.created_at).date()),
                    id: q.c.id.into_inner(),
                }
            })
            .collect(),
        can_refer: !sending.is_empty(),
        sections,
        single,
        page_no,
        has_next,
        show_all_running,
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}
