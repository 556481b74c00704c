//! A school's page of its pupils' referrals (/verwijzingen/leerlingen): what the
//! verwijskader lets the school hear, and whom to call.

use crate::error::AppError;
use crate::format;
use crate::page::Page;
use crate::session::CurrentUser;
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use rondom_app::referral::pupils::{self, PupilReferral};

struct PupilRow {
    child: String,
    school: String,
    referred_by: String,
    helped_by: String,
    case_director: Option<(String, String)>,
    /// "Geaccepteerd op 2 december 2026", oldest first.
    steps: Vec<String>,
}

#[derive(Template)]
#[template(path = "referral/pupils.html")]
struct PupilsPage {
    page: Page,
    rows: Vec<PupilRow>,
    several_schools: bool,
}

/// What happened at a step, as the school reads it.
fn happened(step: rondom_domain::agreements::Step) -> &'static str {
    use rondom_domain::agreements::Step;
    match step {
        Step::Accepted => "Aangenomen",
        Step::Rejected => "Niet aangenomen",
        Step::Interim => "Hulp gepauzeerd",
        Step::Onward => "Doorverwezen",
        Step::OnwardOutcome => "Doorverwezen hulp afgerond",
        Step::Completed => "Hulp afgerond",
    }
}

fn row(p: PupilReferral) -> PupilRow {
    PupilRow {
        child: format!("{} ({} jaar)", p.child_name, p.child_age),
        school: p.school,
        referred_by: p.referred_by,
        helped_by: p.helped_by,
        case_director: p.case_director,
        steps: p
            .steps
            .into_iter()
            .map(|(s, on)| format!("{} op {}", happened(s), format::long_date(on)))
            .collect(),
    }
}

pub async fn pupils(
    user: CurrentUser,
    State(state): State<AppState>,
) -> Result<Html<String>, AppError> {
    let rows: Vec<PupilRow> = pupils::for_school(&state.app, &user)
        .await?
        .into_inner()
        .into_iter()
        .map(row)
        .collect();
    let mut schools: Vec<&str> = rows.iter().map(|r| r.school.as_str()).collect();
    schools.sort_unstable();
    schools.dedup();
    let several_schools = schools.len() > 1;
    PupilsPage {
        page: Page::for_user("Verwijzingen van leerlingen", "leerlingen", &user),
        rows,
        several_schools,
    }
    .render()
    .map(Html)
    .map_err(AppError::internal)
}
