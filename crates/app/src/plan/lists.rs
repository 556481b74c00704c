//! The plans' agreements across networks: a person's own actions coming due, a case
//! director's overdue actions over all their families, a team leader's plans whose
//! evaluation date has passed; and the reminders the servers' housekeeping sends.

use super::{Reader, reader};
use crate::access::Disclosed;
use crate::context::{Principal, Services};
use crate::error::Error;
use crate::network::{self, Facts};
use rondom_db::plans::{self as db, ActionRow};
use rondom_domain::Role;
use std::collections::HashMap;

/// How far ahead a person's own actions are listed.
const AHEAD_DAYS: i64 = 14;
/// How many days before its date an owner is reminded (by e-mail, once).
const REMIND_DAYS: i64 = 2;
/// Longest lists (a case director with hundreds of families still gets a page).
const LIMIT: i64 = 200;

/// One agreement in a list.
pub struct ActionLine {
    pub network_id: String,
    pub child: String,
    pub what: String,
    pub owner: String,
    pub due: String,
    pub late: bool,
}

/// A plan whose evaluation date has passed (no child's data: the team leader is not in
/// the network; the case director is named to follow it up with).
pub struct EvaluationLine {
    pub network_id: String,
    pub coordinator: String,
    pub evaluation: String,
    pub days_over: i64,
}

/// The actions page: what is mine, what is late in my families, which evaluations
/// passed in my team.
pub struct DueWork {
    pub mine: Vec<ActionLine>,
    pub overdue: Vec<ActionLine>,
    pub evaluations: Vec<EvaluationLine>,
    /// The person leads a team (the evaluations section applies).
    pub leads_team: bool,
}

/// Everything due for this person, each list as far as the plans' consent allows; every
/// child shown is logged.
pub async fn due_work(svc: &Services, who: &impl Principal) -> Result<Disclosed<DueWork>, Error> {
    let actor = who.actor();
    let user = actor.user_id.clone();
    let orgs: Vec<String> = actor.memberships.iter().map(|(o, _)| o.clone()).collect();
    let teams: Vec<String> = actor
        .memberships
        .iter()
        .filter(|(_, r)| *r == Role::Teamleider)
        .map(|(o, _)| o.clone())
        .collect();
    let leads_team = !teams.is_empty();
    let today = crate::dates::today();
    let until = today + chrono::Duration::days(AHEAD_DAYS);
    let (mine, overdue, evaluations, facts, names) = svc
        .db
        .read(move |c| {
            let mine = db::open_actions_of_members(c, &user, &orgs, until)?;
            let overdue = db::overdue_of_coordinator(c, &user, today, LIMIT)?;
            let evaluations = db::evaluations_passed(c, &teams, today, LIMIT)?;
            let mut ids: Vec<String> = mine
                .iter()
                .chain(overdue.iter())
                .map(|a| a.network_id.clone())
                .collect();
            ids.sort();
            ids.dedup();
            let facts = network::facts_of(c, &ids)?;
            let people: Vec<String> = facts
                .iter()
                .flat_map(|f| f.members.iter())
                .filter_map(|m| m.user_id.as_ref().map(ToString::to_string))
                .chain(evaluations.iter().map(|(_, d, _)| d.clone()))
                .collect();
            let orgs: Vec<String> = facts
                .iter()
                .flat_map(|f| f.members.iter())
                .filter_map(|m| m.organisation_id.as_ref().map(ToString::to_string))
                .collect();
            let names = rondom_db::users::names_with_organisations(c, &people, &orgs)?;
            Ok((mine, overdue, evaluations, facts, names))
        })
        .await?;
    let names: HashMap<String, String> = names.into_iter().collect();
    let by_id: HashMap<&str, &Facts> = facts.iter().map(|f| (f.network.id.as_str(), f)).collect();
    let mut shown: Vec<&rondom_db::networks::Network> = Vec::new();
    let mut lines = |rows: &[ActionRow], professional_only: bool| -> Vec<ActionLine> {
        let mut out = Vec::new();
        for a in rows {
            let Some(f) = by_id.get(a.network_id.as_str()) else {
                continue;
            };
            let Some(reach) = f.reach(who) else {
                continue;
            };
            let Some(r) = reader(f, who, reach) else {
                continue;
            };
            let visible = match r {
                Reader::Professional => true,
                // A case director's list is theirs alone; a parent does not see what the
                // youth keeps from them.
                Reader::Family { kept, .. } => !(professional_only || (kept && a.not_for_parents)),
            };
            if !visible {
                continue;
            }
            if !shown.iter().any(|n| n.id == f.network.id) {
                shown.push(&f.network);
            }
            let owner = a
                .owner_member_id
                .as_deref()
                .and_then(|o| f.members.iter().find(|m| m.id.as_str() == o))
                .map(|m| network::member_name(svc, m, &names))
                .unwrap_or_default();
            out.push(ActionLine {
                network_id: f.network.id.to_string(),
                child: svc.secrets.open_shown(&f.child.name_sealed, "child name"),
                what: svc.secrets.open_shown(&a.what_sealed, "plan action"),
                owner,
                due: a.due_on.map(crate::dates::dutch_date).unwrap_or_default(),
                late: a.due_on.is_some_and(|d| d < today),
            });
        }
        out
    };
    let mine_lines = lines(&mine, false);
    let overdue_lines = lines(&overdue, true);
    network::record_all(svc, who, "plan_actions_read", &shown).await?;
    let evaluations = evaluations
        .into_iter()
        .map(|(n, director, on)| EvaluationLine {
            network_id: n,
            coordinator: names.get(&director).cloned().unwrap_or_default(),
            evaluation: crate::dates::dutch_date(on),
            days_over: (today - on).num_days(),
        })
        .collect();
    Ok(Disclosed::logged(DueWork {
        mine: mine_lines,
        overdue: overdue_lines,
        evaluations,
        leads_team,
    }))
}

/// Reminds the owners of agreements that come due within two days, once per due date:
/// a notice in Rondom and a content-free e-mail. Run from the servers' housekeeping, any
/// number at once (the first to mark an action sends). Answers how many were reminded.
pub async fn remind(svc: &Services) -> Result<usize, Error> {
    let today = crate::dates::today();
    let until = today + chrono::Duration::days(REMIND_DAYS);
    let due = svc
        .db
        .read(move |c| db::due_for_reminder(c, until, 500))
        .await?;
    let mut told = 0;
    for (a, user) in due {
        let late = a.due_on.is_some_and(|d| d < today);
        let link = format!("/netwerken/{}/plan", a.network_id);
        let (nid, key, u, l) = (
            a.network_id.clone(),
            a.item_key.clone(),
            user.clone(),
            link.clone(),
        );
        let email = svc
            .db
            .write(move |c| {
                if !db::mark_reminded(c, &nid, &key, today)? {
                    return Ok(None);
                }
                let text = if late {
                    "Een afspraak uit een plan is over de datum. Kijk wat er nog moet gebeuren."
                } else {
                    "Een afspraak uit een plan komt eraan. Kijk wat er moet gebeuren."
                };
                rondom_db::consultations::notify(c, &u, text, &l)?;
                Ok(rondom_db::users::find(c, &u)?.map(|x| x.email))
            })
            .await?;
        if let Some(to) = email {
            told += 1;
            svc.mail_notice(
                to,
                "Een afspraak uit het plan",
                "Er is een afspraak uit een plan waarvan u de datum bijna bereikt.",
                "Bekijk de afspraak",
                "/afspraken",
            );
        }
    }
    Ok(told)
}
