//! Detail pages of the sociale kaart: a service, an organisation, a person. Each shows
//! when it was last checked and its change history; the owning organisation's admins get
//! the buttons to change it (the handlers in `edit` check that again).

use super::search::{ResultView, view};
use crate::access;
use crate::error::AppError;
use crate::extract::{Path, Query};
use crate::format;
use crate::page::Page;
use crate::session::CurrentUser;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use rondom_app::directory::entries;
use rondom_app::directory::rows::{self as directory, Change, Location, Organisation};
use rondom_domain::area::Area;
use rondom_domain::catalogue::{self, PROBLEM_AREAS};
use rondom_domain::hours::{WeeklySlot, next_occurrences};
use rondom_domain::ids::{OrganisationId, PersonId, ServiceId, UserId};
use rondom_domain::{Action, Resource, authorize};
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Notice {
    pub melding: Option<String>,
}

pub struct ChangeView {
    pub when: String,
    pub who: String,
    pub summary: String,
}

fn changes(list: Vec<Change>) -> Vec<ChangeView> {
    list.into_iter()
        .map(|c| ChangeView {
            when: format::datetime(c.changed_at),
            who: c.user_name.unwrap_or_else(|| "import of systeem".into()),
            summary: c.summary,
        })
        .collect()
}

fn stale(last_checked: Option<chrono::NaiveDate>) -> bool {
    last_checked.is_none_or(|d| catalogue::is_stale(d, crate::format::today()))
}

fn can_edit(user: &CurrentUser, organisation_id: &str) -> bool {
    authorize(
        &user.actor,
        Action::Update,
        Resource::DirectoryEntry(organisation_id),
    )
    .is_allowed()
}

fn euros(cents: i32) -> String {
    format!("€ {},{:02}", cents / 100, cents % 100)
}

#[derive(Template)]
#[template(path = "directory/service.html")]
struct ServicePage {
    page: Page,
    stale: bool,
    can_edit: bool,
    /// The person refers children and this offer takes referrals.
    can_refer: bool,
    organisation_id: String,
    s: ResultView,
    description: String,
    cost: String,
    tariff: Option<String>,
    contract: Option<String>,
    capacity: Option<i32>,
    areas: Vec<&'static str>,
    coverage: Vec<String>,
    locations: Vec<Location>,
    last_checked: String,
    history: Vec<ChangeView>,
}

pub async fn service(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<ServiceId>,
    Query(q): Query<Notice>,
) -> Result<Html<String>, AppError> {
    let entries::ServiceFacts {
        row,
        areas,
        locations,
        history,
    } = entries::service(&state.app, &user, &id).await?;
    // The index knows the names of wijken and municipalities.
    let index = state
        .directory_index
        .get_at(&state.app.db, user.directory_version)
        .await?;
    ServicePage {
        page: Page::for_user(row.name.clone(), "kaart", &user).with_notice(q.melding.as_deref()),
        can_edit: can_edit(&user, &row.organisation_id),
        can_refer: (row.category == "specialistisch" || row.access_route == "verwijzing")
            && !user.actor.is_member_of(&row.organisation_id)
            && !crate::referral::sending_orgs(&user.actor).is_empty(),
        description: row.description.clone(),
        cost: row.cost.clone().unwrap_or_else(|| "niet opgegeven".into()),
        tariff: row.tariff_cents.map(|c| {
            format!("{} {}", euros(c), row.tariff_unit.as_deref().unwrap_or(""))
                .trim()
                .to_owned()
        }),
        contract: row.contracted_by.as_ref().map(|g| {
            match (&row.contract_from, &row.contract_until) {
                (Some(a), Some(b)) => format!("gemeente {g}, van {a} tot en met {b}"),
                (Some(a), None) => format!("gemeente {g}, vanaf {a}"),
                _ => format!("gemeente {g}"),
            }
        }),
        capacity: row.capacity,
        areas: catalogue::parse_areas(&row.problem_areas)
            .into_iter()
            .filter_map(|a| catalogue::label(PROBLEM_AREAS, a))
            .collect(),
        coverage: if areas.is_empty() {
            vec!["de eigen gemeente van de organisatie".into()]
        } else {
            areas
                .iter()
                .filter_map(|(k, c)| Area::parse(k, c).ok())
                .map(|a| index.area_name(&a))
                .collect()
        },
        locations,
        stale: stale(Some(row.last_checked_on)),
        last_checked: crate::format::long_date(row.last_checked_on),
        organisation_id: row.organisation_id.to_string(),
        history: changes(history),
        s: view(&row),
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

pub struct PersonLine {
    pub id: String,
    pub name: String,
    pub job_title: String,
    pub phone: Option<String>,
}

#[derive(Template)]
#[template(path = "directory/organisation.html")]
struct OrganisationPage {
    page: Page,
    org: Organisation,
    kind: &'static str,
    can_edit: bool,
    stale: bool,
    services: Vec<ResultView>,
    /// For the organisation's own admins: services due for a check.
    stale_services: Vec<ResultView>,
    locations: Vec<Location>,
    people: Vec<PersonLine>,
    teams: Vec<directory::TeamWithMembers>,
    /// A social team's koppelingen (or, for a practice's admins, the teams' links with
    /// the practice and their requests to link).
    links: Vec<LinkLine>,
    is_practice: bool,
    /// For the team's admins: what a new koppeling can be made of.
    practices: Vec<(String, String)>,
    consultants: Vec<(String, String)>,
    history: Vec<ChangeView>,
}

pub struct LinkLine {
    pub id: String,
    /// Whether the practice agreed; else a proposal waiting for it.
    pub in_force: bool,
    pub team: String,
    pub team_id: String,
    pub practice: String,
    pub consultant_id: String,
    pub consultant: String,
    pub hours: String,
}

/// An organisation as the sociale kaart shows it: contact details, locations, people and
/// its offer; for its own admins also what is due for a check.
pub async fn organisation(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<OrganisationId>,
    Query(q): Query<Notice>,
) -> Result<Html<String>, AppError> {
    access::require(&state, &user, Action::Read, Resource::Directory).await?;
    let entry = entries::organisation(&state.app, &id).await?;
    let org = entry.org;
    let rows = entry.services;
    let people = entry.people;
    let editable = can_edit(&user, &org.id);
    let current: Vec<UserId> = people.iter().map(|p| p.id.clone()).collect();
    let consultants: Vec<(String, String)> = if editable {
        entries::consultants(&people)
    } else {
        vec![]
    };
    OrganisationPage {
        page: Page::for_user(org.name.clone(), "kaart", &user).with_notice(q.melding.as_deref()),
        kind: entries::kind_label(org.kind),
        can_edit: editable,
        stale: stale(org.last_checked_on),
        stale_services: if editable {
            rows.iter()
                .filter(|r| stale(Some(r.last_checked_on)))
                .map(view)
                .collect()
        } else {
            vec![]
        },
        services: rows.iter().map(view).collect(),
        locations: entry.locations,
        people: people
            .into_iter()
            .map(|p| PersonLine {
                job_title: p
                    .job_title
                    .clone()
                    .or_else(|| {
                        p.work
                            .first()
                            .and_then(|w| entries::role_label(&w.2))
                            .map(str::to_owned)
                    })
                    .unwrap_or_default(),
                id: p.id.into(),
                name: p.name,
                phone: p.phone,
            })
            .collect(),
        history: if editable {
            changes(entry.history)
        } else {
            vec![]
        },
        teams: entry.teams,
        is_practice: entries::is_practice(org.kind),
        links: entry
            .links
            .into_iter()
            // Readers see links in force of current consultants only; the admins also
            // see proposals and links of people who left, so that they can answer or
            // end them.
            .filter(|l| editable || (l.in_force && current.contains(&l.consultant_id)))
            // A practice's page lists its links for its own admins only.
            .filter(|l| editable || l.practice_id != org.id)
            .map(|l| LinkLine {
                in_force: l.in_force,
                team: l.team_name.clone(),
                team_id: l.team_id.to_string(),
                hours: WeeklySlot::all_stored(&l.slots)
                    .into_iter()
                    .map(|s| s.line())
                    .collect::<Vec<_>>()
                    .join(", "),
                id: l.link_id.into(),
                practice: l.practice_name,
                consultant_id: l.consultant_id.into(),
                consultant: l.consultant_name,
            })
            .collect(),
        practices: if editable { entry.practices } else { vec![] },
        consultants,
        org,
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}

pub struct WorkLine {
    pub organisation_id: String,
    pub organisation: String,
    pub role: String,
}

pub struct PracticeHours {
    pub practice: String,
    pub next: Vec<String>,
}

#[derive(Template)]
#[template(path = "directory/person.html")]
struct PersonPage {
    page: Page,
    name: String,
    job_title: Option<String>,
    email: String,
    phone: Option<String>,
    days: String,
    work: Vec<WorkLine>,
    teams: Vec<String>,
    practices: Vec<PracticeHours>,
    last_checked: Option<String>,
    stale: bool,
    id: String,
    can_edit: bool,
}

const DAYS: [&str; 7] = [
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
];

/// A professional: how to reach them, when they work, and for a consultant when they are
/// in which practice.
pub async fn person(
    user: CurrentUser,
    State(state): State<AppState>,
    Path(id): Path<PersonId>,
    Query(q): Query<Notice>,
) -> Result<Html<String>, AppError> {
    let from = crate::format::today();
    let (person, links, teams) = entries::person(&state.app, &user, &id, from).await?;
    let now = format::to_local(rondom_app::dates::now());
    let practices = links
        .into_iter()
        .map(|(practice, slots, exceptions)| {
            let weekly = WeeklySlot::all_stored(&slots);
            let skip = exceptions;
            PracticeHours {
                practice,
                next: next_occurrences(&weekly, &skip, now, 3)
                    .iter()
                    .map(|o| o.label())
                    .collect(),
            }
        })
        .collect();
    let can_edit = person.work.iter().any(|(org, _, _)| can_edit(&user, org));
    PersonPage {
        page: Page::for_user(person.name.clone(), "kaart", &user).with_notice(q.melding.as_deref()),
        id: person.id.to_string(),
        can_edit,
        days: person
            .working_days
            .iter()
            .filter_map(|d| DAYS.get((*d - 1) as usize))
            .copied()
            .collect::<Vec<_>>()
            .join(", "),
        work: person
            .work
            .iter()
            .map(|(oid, name, role)| WorkLine {
                organisation_id: oid.clone(),
                organisation: name.clone(),
                role: entries::role_label(role)
                    .map(str::to_owned)
                    .unwrap_or_else(|| role.clone()),
            })
            .collect(),
        practices,
        teams: teams.into_iter().map(|(_, name)| name).collect(),
        stale: stale(person.last_checked_on),
        last_checked: person.last_checked_on.map(crate::format::long_date),
        name: person.name,
        job_title: person.job_title,
        email: person.email,
        phone: person.phone,
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}
