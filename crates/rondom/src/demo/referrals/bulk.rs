//! Many synthetic referrals at once, for load tests.

use super::CASES;
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use rondom_db::organisations::{self as orgs, Organisation};
use rondom_db::referrals as db;
use rondom_db::{AnyConnection, DbError};
use rondom_domain::Role;
use rondom_domain::ids::{ChildId, OrganisationId, ReferralId, UserId};
use rondom_domain::referral::Urgency;

/// Adds `n` synthetic referrals to the demo municipality (three years of work at the
/// scale of a large region) for load tests: spread over the practices, the team and the
/// providers, mostly finished, some open and some overdue. Names and reasons are sealed
/// like real ones, so reading them costs what it costs in production.
pub fn bulk(
    c: &mut AnyConnection,
    rng: &mut ChaCha8Rng,
    secrets: &rondom_app::secrets::SecretBox,
    n: usize,
) -> Result<usize, DbError> {
    use rondom_domain::OrganisationKind as Kind;
    let seal = |text: &str| {
        secrets
            .seal(text)
            .map_err(|e| DbError::Unavailable(format!("sealing demo text: {e}")))
    };
    let all = orgs::list(c)?;
    let of_kind = |k: Kind| -> Vec<&Organisation> { all.iter().filter(|o| o.kind == k).collect() };
    let team = *of_kind(Kind::SociaalTeam)
        .first()
        .ok_or(DbError::NotFound)?;
    let gemeente_code = team.gemeente_code.clone();
    let members_with =
        |c: &mut AnyConnection, org: &str, role: Role| -> Result<Vec<UserId>, DbError> {
            Ok(orgs::members(c, org)?
                .into_iter()
                .filter(|m| m.role == role)
                .map(|m| m.user_id)
                .collect())
        };
    let consultants = members_with(c, &team.id, Role::Consulent)?;
    let mut practices = Vec::new();
    for p in of_kind(Kind::Huisartsenpraktijk) {
        if let Some(gp) = members_with(c, &p.id, Role::Huisarts)?.first() {
            practices.push((p.id.clone(), gp.clone()));
        }
    }
    let mut providers = Vec::new();
    for p in of_kind(Kind::Zorgaanbieder) {
        if !members_with(c, &p.id, Role::ZorgaanbiederMedewerker)?.is_empty() {
            providers.push(p.id.clone());
        }
    }
    if practices.is_empty() || consultants.is_empty() {
        return Err(DbError::NotFound);
    }
    let today = rondom_app::dates::today();
    let now = rondom_db::now();
    // A handful of sealed texts reused: sealing each anew would only slow the set-up.
    let names: Vec<String> = (0..200)
        .map(|_| {
            let f = crate::demo::FIRST.choose(rng).copied().unwrap_or("Noor");
            let l = crate::demo::LAST.choose(rng).copied().unwrap_or("Jansen");
            seal(&format!("{f} {l}"))
        })
        .collect::<Result<_, _>>()?;
    let reasons: Vec<(String, &str, Urgency)> = CASES
        .iter()
        .map(|(areas, urgency, reason, _, _)| Ok((seal(reason)?, *areas, *urgency)))
        .collect::<Result<_, DbError>>()?;
    let mut kids = Vec::with_capacity(n);
    let mut rows = Vec::with_capacity(n);
    for i in 0..n {
        let (practice, gp) = &practices[i % practices.len()];
        let (reason, areas, urgency) = &reasons[i % reasons.len()];
        let to_team = providers.is_empty() || rng.gen_bool(0.6);
        let to_org = if to_team {
            team.id.clone()
        } else {
            providers[i % providers.len()].clone()
        };
        let roll: u32 = rng.gen_range(0..100);
        // About one in nine open, as when help takes four months on average.
        use rondom_domain::referral::Status;
        let status = match roll {
            0..=77 => Status::Completed,
            78..=83 => Status::Rejected,
            84..=88 => Status::Cancelled,
            89..=94 => Status::InProgress,
            95 => Status::OnHold,
            96..=97 => Status::Accepted,
            98 => Status::Received,
            _ => Status::Requested,
        };
        let open = !matches!(
            status,
            Status::Completed | Status::Rejected | Status::Cancelled
        );
        let days_ago = if open {
            rng.gen_range(0..120)
        } else {
            rng.gen_range(30..3 * 365)
        };
        let created = now
            - chrono::Duration::days(days_ago)
            - chrono::Duration::minutes(rng.gen_range(0..600));
        let due = open.then(|| today + chrono::Duration::days(rng.gen_range(-20..40)));
        let accepted = matches!(
            status,
            Status::Completed | Status::InProgress | Status::OnHold | Status::Accepted
        );
        let child = ChildId::trusted(rondom_db::new_id());
        kids.push(db::Child {
            id: child.clone(),
            name_sealed: names[i % names.len()].clone(),
            birth_date: today - chrono::Duration::days(rng.gen_range(365..17 * 365)),
            gemeente_code: gemeente_code.clone(),
            bsn_sealed: None,
            created_by: gp.to_string(),
            created_at: created,
            wijk_code: None,
        });
        rows.push(db::Referral {
            id: ReferralId::trusted(rondom_db::new_id()),
            child_id: ChildId::trusted(child),
            parent_id: None,
            consultation_id: None,
            agreements_id: None,
            from_org_id: OrganisationId::trusted(practice.clone()),
            referrer_id: UserId::trusted(gp.clone()),
            on_behalf_of_id: None,
            to_org_id: OrganisationId::trusted(to_org),
            service_id: None,
            school_id: None,
            reason_sealed: reason.clone(),
            problem_areas: (*areas).to_owned(),
            urgency: *urgency,
            status,
            case_director_id: (accepted && to_team)
                .then(|| consultants[i % consultants.len()].clone()),
            due_on: due,
            accepted_on: accepted.then(|| (created + chrono::Duration::days(3)).date()),
            created_at: created,
            updated_at: created + chrono::Duration::days(days_ago.min(20)),
        });
    }
    db::insert_bulk(c, &kids, &rows)?;
    Ok(n)
}
