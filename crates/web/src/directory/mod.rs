//! The sociale kaart (directory). So far: "Mijn team", where a general practice sees its
//! linked consultants of the social team, when they are next in the practice, and how to
//! reach the team right now (the overleglijn).

pub mod edit;
pub mod entries;
pub mod links;
pub mod people;
pub mod profile;
pub mod search;

use crate::access;
use crate::error::AppError;
use crate::format;
use crate::page::Page;
use crate::session::CurrentUser;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use rondom_domain::hours::{WeeklySlot, next_occurrences};
use rondom_domain::{Action, Resource};

pub struct HoursView {
    pub label: String,
    pub now: bool,
}

pub struct ConsultantView {
    pub initials: String,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub team_name: String,
    pub next: Vec<HoursView>,
    pub absent: Vec<String>,
}

pub struct TeamLine {
    pub team_name: String,
    pub phone: String,
    pub hours: String,
}

pub struct PracticeView {
    pub name: String,
    pub consultants: Vec<ConsultantView>,
    pub lines: Vec<TeamLine>,
}

#[derive(Template)]
#[template(path = "directory/mijn_team.html")]
struct MijnTeamPage {
    page: Page,
    practices: Vec<PracticeView>,
}

fn initials(name: &str) -> String {
    let parts: Vec<&str> = name.split_whitespace().collect();
    let first = parts.first().and_then(|p| p.chars().next());
    let last = parts
        .last()
        .filter(|_| parts.len() > 1)
        .and_then(|p| p.chars().next());
    first
        .into_iter()
        .chain(last)
        .flat_map(char::to_uppercase)
        .collect()
}

/// The practices this person works in.
pub fn practices_of(user: &CurrentUser) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = user
        .memberships
        .iter()
        .filter(|m| rondom_app::directory::entries::is_practice(m.organisation_kind))
        .map(|m| (m.organisation_id.to_string(), m.organisation_name.clone()))
        .collect();
    out.dedup();
    out
}

pub async fn mijn_team(
    user: CurrentUser,
    State(state): State<AppState>,
) -> Result<Html<String>, AppError> {
    let practices = practices_of(&user);
    if practices.is_empty() {
        // Only people of a practice have a "Mijn team"; anyone else is refused (and logged).
        access::require(&state, &user, Action::Read, Resource::PracticeTeam("")).await?;
    }
    let local_now = format::to_local(rondom_app::dates::now());
    let mut views = Vec::new();
    for (id, name) in practices {
        let linked =
            rondom_app::directory::entries::practice_team(&state.app, &user, &id, local_now.date())
                .await?;
        let mut lines: Vec<TeamLine> = Vec::new();
        let consultants = linked
            .into_iter()
            .map(|l| {
                if let Some(phone) = &l.overleglijn_phone
                    && !lines.iter().any(|t| t.team_name == l.team_name)
                {
                    lines.push(TeamLine {
                        team_name: l.team_name.clone(),
                        phone: phone.clone(),
                        hours: l.overleglijn_hours.clone().unwrap_or_default(),
                    });
                }
                let slots = WeeklySlot::all_stored(&l.slots);
                let exceptions: Vec<chrono::NaiveDate> =
                    l.exceptions.iter().map(|(d, _)| *d).collect();
                let next = next_occurrences(&slots, &exceptions, local_now, 3)
                    .into_iter()
                    .map(|o| HoursView {
                        label: o.label(),
                        now: o.is_now(local_now),
                    })
                    .collect();
                let absent = l
                    .exceptions
                    .iter()
                    .take(3)
                    .map(|(date, reason)| match reason {
                        Some(r) => format!("{} ({r})", date.format("%d-%m-%Y")),
                        None => date.format("%d-%m-%Y").to_string(),
                    })
                    .collect();
                ConsultantView {
                    initials: initials(&l.name),
                    name: l.name,
                    email: l.email,
                    phone: l.phone,
                    team_name: l.team_name,
                    next,
                    absent,
                }
            })
            .collect();
        views.push(PracticeView {
            name,
            consultants,
            lines,
        });
    }
    MijnTeamPage {
        page: Page::for_user("Mijn team", "team", &user),
        practices: views,
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::initials;

    #[test]
    fn initials_for_the_photo_placeholder() {
        assert_eq!(initials("Noor Bos"), "NB");
        assert_eq!(initials("Anouk van der Meer"), "AM");
        assert_eq!(initials("Sanne"), "S");
        assert_eq!(initials(""), "");
    }
}
