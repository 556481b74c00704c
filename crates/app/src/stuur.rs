//! Stuurinformatie (issue 17): does the approach work? A municipality's beleidsmedewerker
//! reads the figures of the children living there, a team leader those of the team's
//! referrals, a practice's GPs and POHs their own next to the municipality's average.
//! Figures only: every count passes through `rondom_domain::stuur::protect` before it
//! leaves this module, so no answer shows a child. Each read is logged (who looked at
//! which organisation's figures, and what was exported).

use crate::access::{event, record, require};
use crate::context::{Principal, Services};
use crate::error::Error;
use rondom_db::stuur::{self as db, Scope};
use rondom_domain::catalogue::PROBLEM_AREAS;
use rondom_domain::stuur::{AgeBand, Context, Dashboard, Period, Selection, compute};
use rondom_domain::{Action, OrganisationKind, Resource};
use std::collections::HashMap;

/// Whose figures a person reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudienceKind {
    Gemeente,
    Team,
    Practice,
}

#[derive(Debug, Clone)]
pub struct Audience {
    pub org_id: String,
    pub kind: AudienceKind,
    pub label: String,
}

/// The filters as typed in the URL (empty: the default).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub org: String,
    pub van: String,
    pub tot: String,
    pub wijk: String,
    pub leeftijd: String,
    pub probleem: String,
    /// "maand": the trend per month.
    pub per: String,
}

pub struct View {
    pub audience: Audience,
    pub audiences: Vec<Audience>,
    pub selection: Selection,
    pub gemeente: String,
    pub wijken: Vec<(String, String)>,
    pub dashboard: Dashboard,
}

/// The organisations whose figures this person may read, in membership order.
pub fn audiences(who: &impl Principal) -> Vec<Audience> {
    let actor = who.actor();
    let mut out: Vec<Audience> = Vec::new();
    for (org, kind) in &actor.kinds {
        if out.iter().any(|a| &a.org_id == org) || !rondom_domain::policy::steers(actor, org) {
            continue;
        }
        let kind = match kind {
            OrganisationKind::Gemeente => AudienceKind::Gemeente,
            OrganisationKind::SociaalTeam => AudienceKind::Team,
            _ => AudienceKind::Practice,
        };
        out.push(Audience {
            org_id: org.clone(),
            kind,
            label: String::new(),
        });
    }
    out
}

fn selection(f: &Filters, wijken: &[(String, String)]) -> Result<Selection, Error> {
    let today = crate::dates::today();
    let period = if f.van.trim().is_empty() && f.tot.trim().is_empty() {
        Period::last_year(today)
    } else {
        let van = if f.van.trim().is_empty() {
            &f.tot
        } else {
            &f.van
        };
        let tot = if f.tot.trim().is_empty() {
            &f.van
        } else {
            &f.tot
        };
        Period::parse(van, tot).ok_or_else(|| {
            Error::Refused(
                "Kies een periode van maanden (jjjj-mm) of kwartalen (jjjj-K1), met het begin vóór het einde."
                    .into(),
            )
        })?
    };
    if period.month_count() > 120 {
        return Err(Error::Refused(
            "Kies een periode van ten hoogste tien jaar.".into(),
        ));
    }
    let wijk = match f.wijk.trim() {
        "" => None,
        w if wijken.iter().any(|(code, _)| code == w) => Some(w.to_owned()),
        _ => {
            return Err(Error::Refused(
                "Deze wijk hoort niet bij de gemeente.".into(),
            ));
        }
    };
    let age = match f.leeftijd.trim() {
        "" => None,
        a => Some(
            AgeBand::parse(a)
                .ok_or_else(|| Error::Refused("Kies een leeftijdsgroep uit de lijst.".into()))?,
        ),
    };
    let area = match f.probleem.trim() {
        "" => None,
        a if PROBLEM_AREAS.iter().any(|(c, _)| *c == a) => Some(a.to_owned()),
        _ => {
            return Err(Error::Refused(
                "Kies een probleemgebied uit de lijst.".into(),
            ));
        }
    };
    Ok(Selection {
        period,
        wijk,
        age,
        area,
        monthly: f.per.trim() == "maand",
    })
}

/// The dashboard of one organisation (`f.org`, or the person's first) for the filters.
/// `what` names the read in the audit log ("read", "export_csv", "api").
pub async fn view(
    svc: &Services,
    who: &impl Principal,
    f: &Filters,
    what: &str,
) -> Result<View, Error> {
    let mut list = audiences(who);
    let org = if f.org.trim().is_empty() {
        list.first().map(|a| a.org_id.clone()).unwrap_or_default()
    } else {
        f.org.trim().to_owned()
    };
    require(svc, who, Action::Read, Resource::Stuurinformatie(&org)).await?;
    let Some(audience) = list.iter().find(|a| a.org_id == org).cloned() else {
        return Err(Error::Forbidden);
    };
    let ids: Vec<String> = list.iter().map(|a| a.org_id.clone()).collect();
    let org2 = org.clone();
    let (names, gemeente, wijken) = svc
        .db
        .read(move |c| {
            let names: HashMap<String, String> = rondom_db::organisations::list_by_ids(c, &ids)?
                .into_iter()
                .map(|o| (o.id.to_string(), o.name))
                .collect();
            let gemeente = db::gemeente_of(c, &org2)?.unwrap_or_default();
            let wijken = db::wijken(c, &gemeente)?;
            Ok((names, gemeente, wijken))
        })
        .await?;
    for a in &mut list {
        a.label = names.get(&a.org_id).cloned().unwrap_or_default();
    }
    let mut audience = Audience {
        label: names.get(&org).cloned().unwrap_or_default(),
        ..audience
    };
    if audience.label.is_empty() {
        audience.label = "Uw organisatie".into();
    }
    let sel = selection(f, &wijken)?;
    let dashboard = figures(svc, &audience, &gemeente, &sel).await?;
    let mut e = event(who, what, Resource::Stuurinformatie(&org), "allowed");
    e.reason = Some(format!(
        "{}{}{}{}",
        sel.period.label(),
        sel.wijk
            .as_deref()
            .map(|w| format!(", wijk {w}"))
            .unwrap_or_default(),
        sel.age
            .map(|a| format!(", {}", a.code()))
            .unwrap_or_default(),
        sel.area
            .as_deref()
            .map(|a| format!(", {a}"))
            .unwrap_or_default(),
    ));
    record(svc, e).await?;
    Ok(View {
        audience,
        audiences: list,
        selection: sel,
        gemeente,
        wijken,
        dashboard,
    })
}

/// The figures of a scope: the kept facts read, the rest of what the figures need
/// beside them, and the computation.
async fn figures(
    svc: &Services,
    audience: &Audience,
    gemeente: &str,
    sel: &Selection,
) -> Result<Dashboard, Error> {
    let scope = match audience.kind {
        AudienceKind::Gemeente => Scope::Gemeente(gemeente.to_owned()),
        AudienceKind::Team => Scope::Team(audience.org_id.clone()),
        // A practice's own figures stand next to its municipality's average.
        AudienceKind::Practice => Scope::Gemeente(gemeente.to_owned()),
    };
    let (facts, cx) = load(svc, scope, audience, gemeente, sel).await?;
    let practice = audience.kind == AudienceKind::Practice;
    if !practice {
        return Ok(compute(&facts, sel, &cx));
    }
    let whole = compute(&facts, sel, &cx);
    let own: Vec<_> = facts
        .into_iter()
        .filter(|f| f.from_org_id == audience.org_id)
        .collect();
    let mut mine = compute(&own, sel, &cx);
    mine.practices = whole.practices;
    mine.practice_average = whole.practice_average;
    Ok(mine)
}

async fn load(
    svc: &Services,
    scope: Scope,
    audience: &Audience,
    gemeente: &str,
    sel: &Selection,
) -> Result<(Vec<rondom_domain::stuur::Fact>, Context), Error> {
    let until = sel.period.until;
    let (start, end) = (sel.period.start(), sel.period.end());
    let years = sel.period.years();
    let kind = audience.kind;
    let org = audience.org_id.clone();
    let area = sel.wijk.clone().unwrap_or_else(|| gemeente.to_owned());
    let area_code = gemeente.to_owned();
    let population_wanted =
        sel.age.is_none() && sel.area.is_none() && kind == AudienceKind::Gemeente;
    Ok(svc
        .db
        .read(move |c| {
            let facts = db::facts(c, &scope, until, Some(start))?;
            let practices = db::practices(c, &scope)?;
            let ids: Vec<String> = practices.iter().map(|(id, _)| id.clone()).collect();
            let list_sizes = db::list_sizes(c, &ids)?;
            let team = (kind == AudienceKind::Team).then_some(org.as_str());
            let consultations = db::consultation_counts(c, &ids, team, start, end)?;
            let mut service_ids: Vec<String> =
                facts.iter().filter_map(|f| f.service_id.clone()).collect();
            service_ids.sort();
            service_ids.dedup();
            let services = db::services_named(c, &service_ids)?;
            let people = if kind == AudienceKind::Team {
                let mut ids: Vec<String> = facts
                    .iter()
                    .filter_map(|f| f.case_director_id.clone())
                    .collect();
                ids.sort();
                ids.dedup();
                db::people_named(c, &ids)?
            } else {
                HashMap::new()
            };
            // The population of the last year of the period with a known figure.
            let mut population = None;
            if population_wanted {
                for y in years.iter().rev() {
                    if let Some(n) = db::area_youth(c, &area, *y)? {
                        population = Some(n);
                        break;
                    }
                }
            }
            let money = kind == AudienceKind::Gemeente;
            let (tariffs, service_areas, budgets) = if money {
                (
                    db::tariffs(c, &service_ids, &years)?,
                    db::service_areas(c, &service_ids)?,
                    db::budgets(c, &area_code, &years)?,
                )
            } else {
                Default::default()
            };
            let cx = Context {
                tariffs,
                service_areas,
                budgets,
                with_money: money,
                practices,
                list_sizes,
                services,
                people,
                consultations,
                benchmarks: db::benchmarks(c)?,
                youth_population: population,
                practices_by_name: kind != AudienceKind::Practice,
                own_practice: (kind == AudienceKind::Practice).then(|| org.clone()),
                with_caseload: kind == AudienceKind::Team,
            };
            Ok((facts, cx))
        })
        .await?)
}
