//! Stuurinformatie's storage: each referral's facts (kept in the same transaction as
//! every change to the referral, see `refresh`), the benchmarks with their source, the
//! youth on each practice's list and in each area, and the reads the dashboards make.
//! `recompute` derives the facts anew from the raw tables: the check that the kept rows
//! are right, and the baseline the benchmark measures against.

use crate::schema::{
    area_youth, benchmarks, budgets, children, consultations, organisations, practice_links,
    practice_youth, referral_events, referral_facts, referral_feedback, referrals, service_tariffs,
    services, users,
};
use crate::{AnyConnection, DbError, new_id, now};
use chrono::NaiveDate;
use diesel::prelude::*;
use rondom_domain::OrganisationKind;
use rondom_domain::agreements::Agreements;
use rondom_domain::referral::{FeedbackKind, Status, Urgency};
use rondom_domain::stuur::{
    AgeBand, Benchmark, Fact, History, Outcome, Verwijzer, derive,
    figures::{ConsultationCounts, Tariffs},
};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = referral_facts)]
struct FactRow {
    referral_id: String,
    child_id: String,
    gemeente_code: String,
    wijk_code: Option<String>,
    from_org_id: String,
    verwijzer: String,
    team_id: Option<String>,
    to_org_id: String,
    to_team: bool,
    service_id: Option<String>,
    onward: bool,
    via_consultation: bool,
    age_band: i32,
    problem_areas: String,
    sent_on: Option<NaiveDate>,
    month: Option<i32>,
    accepted_on: Option<NaiveDate>,
    started_on: Option<NaiveDate>,
    ended_on: Option<NaiveDate>,
    outcome: String,
    referred_on: bool,
    accept_on_time: Option<bool>,
    interim_on_time: Option<bool>,
    completion_fed_back: Option<bool>,
    case_director_id: Option<String>,
    interim_missing: bool,
}

impl From<Fact> for FactRow {
    fn from(f: Fact) -> Self {
        Self {
            month: f.month(),
            referral_id: f.referral_id,
            child_id: f.child_id,
            gemeente_code: f.gemeente_code,
            wijk_code: f.wijk_code,
            from_org_id: f.from_org_id,
            verwijzer: f.verwijzer.code().to_owned(),
            team_id: f.team_id,
            to_org_id: f.to_org_id,
            to_team: f.to_team,
            service_id: f.service_id,
            onward: f.onward,
            via_consultation: f.via_consultation,
            age_band: f.age_band.index(),
            problem_areas: f.problem_areas,
            sent_on: f.sent_on,
            accepted_on: f.accepted_on,
            started_on: f.started_on,
            ended_on: f.ended_on,
            outcome: f.outcome.code().to_owned(),
            referred_on: f.referred_on,
            accept_on_time: f.accept_on_time,
            interim_on_time: f.interim_on_time,
            completion_fed_back: f.completion_fed_back,
            case_director_id: f.case_director_id,
            interim_missing: f.interim_missing,
        }
    }
}

impl FactRow {
    fn into_fact(self) -> Result<Fact, DbError> {
        let bad = |what: &str| DbError::Unavailable(format!("unreadable referral fact: {what}"));
        Ok(Fact {
            verwijzer: Verwijzer::parse(&self.verwijzer).ok_or_else(|| bad("verwijzer"))?,
            age_band: AgeBand::from_index(self.age_band).ok_or_else(|| bad("age band"))?,
            outcome: Outcome::parse(&self.outcome).ok_or_else(|| bad("outcome"))?,
            referral_id: self.referral_id,
            child_id: self.child_id,
            gemeente_code: self.gemeente_code,
            wijk_code: self.wijk_code,
            from_org_id: self.from_org_id,
            team_id: self.team_id,
            to_org_id: self.to_org_id,
            to_team: self.to_team,
            service_id: self.service_id,
            onward: self.onward,
            via_consultation: self.via_consultation,
            problem_areas: self.problem_areas,
            sent_on: self.sent_on,
            accepted_on: self.accepted_on,
            started_on: self.started_on,
            ended_on: self.ended_on,
            referred_on: self.referred_on,
            accept_on_time: self.accept_on_time,
            interim_on_time: self.interim_on_time,
            completion_fed_back: self.completion_fed_back,
            case_director_id: self.case_director_id,
            interim_missing: self.interim_missing,
        })
    }
}

/// Whose figures: the children of a municipality, a social team's referrals, or a
/// practice's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Gemeente(String),
    Team(String),
    Practice(String),
}

type RefRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    String,
    Urgency,
    Status,
    chrono::NaiveDateTime,
    Option<NaiveDate>,
    Option<String>,
);

/// The facts of `ids`, derived from the referrals, their children, events, feedback and
/// agreements as stored now. Reads in chunks; `today` decides which terms have passed.
fn derive_for(
    conn: &mut AnyConnection,
    ids: &[String],
    today: NaiveDate,
) -> Result<Vec<Fact>, DbError> {
    let mut out = Vec::with_capacity(ids.len());
    let mut kinds: HashMap<String, OrganisationKind> = HashMap::new();
    let mut agreements: HashMap<String, Agreements> = HashMap::new();
    for chunk in ids.chunks(2000) {
        let rows: Vec<RefRow> = referrals::table
            .filter(referrals::id.eq_any(chunk))
            .select((
                referrals::id,
                referrals::child_id,
                referrals::parent_id,
                referrals::consultation_id,
                referrals::agreements_id,
                referrals::from_org_id,
                referrals::to_org_id,
                referrals::service_id,
                referrals::problem_areas,
                referrals::urgency,
                referrals::status,
                referrals::created_at,
                referrals::accepted_on,
                referrals::case_director_id,
            ))
            .load(conn)?;
        let child_ids: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
        let kids: HashMap<String, (NaiveDate, String, Option<String>)> = children::table
            .filter(children::id.eq_any(&child_ids))
            .select((
                children::id,
                children::birth_date,
                children::gemeente_code,
                children::wijk_code,
            ))
            .load::<(String, NaiveDate, String, Option<String>)>(conn)?
            .into_iter()
            .map(|(id, b, g, w)| (id, (b, g, w)))
            .collect();
        let mut events: HashMap<String, Vec<(Status, NaiveDate)>> = HashMap::new();
        for (r, to, at) in referral_events::table
            .filter(referral_events::referral_id.eq_any(chunk))
            .order((referral_events::referral_id, referral_events::at.asc()))
            .select((
                referral_events::referral_id,
                referral_events::to_status,
                referral_events::at,
            ))
            .load::<(String, Status, chrono::NaiveDateTime)>(conn)?
        {
            events.entry(r).or_default().push((to, at.date()));
        }
        let mut feedback: HashMap<String, Vec<(FeedbackKind, NaiveDate)>> = HashMap::new();
        for (r, kind, at) in referral_feedback::table
            .filter(referral_feedback::referral_id.eq_any(chunk))
            .select((
                referral_feedback::referral_id,
                referral_feedback::kind,
                referral_feedback::at,
            ))
            .load::<(String, FeedbackKind, chrono::NaiveDateTime)>(conn)?
        {
            feedback.entry(r).or_default().push((kind, at.date()));
        }
        let parents: HashSet<String> = referrals::table
            .filter(referrals::parent_id.eq_any(chunk))
            .select(referrals::parent_id.assume_not_null())
            .load::<String>(conn)?
            .into_iter()
            .collect();
        let missing: Vec<&str> = rows
            .iter()
            .flat_map(|r| [r.5.as_str(), r.6.as_str()])
            .filter(|o| !kinds.contains_key(*o))
            .collect();
        if !missing.is_empty() {
            for (id, kind) in organisations::table
                .filter(organisations::id.eq_any(&missing))
                .select((organisations::id, organisations::kind))
                .load::<(String, OrganisationKind)>(conn)?
            {
                kinds.insert(id, kind);
            }
        }
        let wanted: Vec<&str> = rows
            .iter()
            .filter_map(|r| r.4.as_deref())
            .filter(|a| !agreements.contains_key(*a))
            .collect();
        if !wanted.is_empty() {
            for a in crate::referrals::agreements_by_ids(conn, &wanted)? {
                agreements.insert(
                    a.id.to_string(),
                    Agreements::from_stored(
                        a.consultation_days,
                        a.accept_days,
                        a.urgent_accept_days,
                        &a.feedback_days,
                        &a.team_first_areas,
                        &a.team_first_urgencies,
                        &a.inform,
                    ),
                );
            }
        }
        let default = Agreements::default();
        let none_e: Vec<(Status, NaiveDate)> = Vec::new();
        let none_f: Vec<(FeedbackKind, NaiveDate)> = Vec::new();
        for r in &rows {
            let Some((birth, gemeente, wijk)) = kids.get(&r.1) else {
                continue;
            };
            let (Some(from_kind), Some(to_kind)) = (kinds.get(&r.5), kinds.get(&r.6)) else {
                continue;
            };
            let h = History {
                referral_id: &r.0,
                child_id: &r.1,
                gemeente_code: gemeente,
                wijk_code: wijk.as_deref(),
                birth_date: *birth,
                from_org_id: &r.5,
                from_kind: *from_kind,
                to_org_id: &r.6,
                to_kind: *to_kind,
                service_id: r.7.as_deref(),
                onward: r.2.is_some(),
                via_consultation: r.3.is_some(),
                problem_areas: &r.8,
                urgency: r.9,
                status: r.10,
                created_on: r.11.date(),
                accepted_on: r.12,
                case_director_id: r.13.as_deref(),
                events: events.get(&r.0).unwrap_or(&none_e),
                feedback: feedback.get(&r.0).unwrap_or(&none_f),
                referred_on: parents.contains(&r.0),
                agreements: r
                    .4
                    .as_deref()
                    .and_then(|a| agreements.get(a))
                    .unwrap_or(&default),
                today,
            };
            out.push(derive(&h));
        }
    }
    Ok(out)
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn store(conn: &mut AnyConnection, facts: Vec<Fact>) -> Result<(), DbError> {
    let ids: Vec<String> = facts.iter().map(|f| f.referral_id.clone()).collect();
    for chunk in ids.chunks(2000) {
        diesel::delete(referral_facts::table.filter(referral_facts::referral_id.eq_any(chunk)))
            .execute(conn)?;
    }
    let rows: Vec<FactRow> = facts.into_iter().map(FactRow::from).collect();
    for chunk in rows.chunks(500) {
        crate::on_backend!(&mut *conn, |c| diesel::insert_into(referral_facts::table)
            .values(chunk.to_vec())
            .execute(c))?;
    }
    Ok(())
}

/// Derives and keeps the facts of one referral (and of the referral it was made on,
/// whose "referred on" it changes). Called inside the transaction of every change.
pub fn refresh(conn: &mut AnyConnection, referral_id: &str) -> Result<(), DbError> {
    let parent: Option<Option<String>> = referrals::table
        .find(referral_id)
        .select(referrals::parent_id)
        .first(conn)
        .optional()?;
    let mut ids = vec![referral_id.to_owned()];
    if let Some(Some(p)) = parent {
        ids.push(p);
    }
    refresh_many(conn, &ids)
}

/// The same for many referrals (bulk writes, a backfill).
pub fn refresh_many(conn: &mut AnyConnection, ids: &[String]) -> Result<(), DbError> {
    let facts = derive_for(conn, ids, today())?;
    store(conn, facts)
}

/// Referrals without facts (written before migration 000032): their facts are derived.
/// Returns how many.
pub fn backfill(conn: &mut AnyConnection) -> Result<usize, DbError> {
    let kept: HashSet<String> = referral_facts::table
        .select(referral_facts::referral_id)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let all: Vec<String> = referrals::table.select(referrals::id).load(conn)?;
    let missing: Vec<String> = all.into_iter().filter(|id| !kept.contains(id)).collect();
    for chunk in missing.chunks(5000) {
        refresh_many(conn, chunk)?;
    }
    Ok(missing.len())
}

/// Referrals still open: terms pass without anyone touching them (a decision not made
/// in time becomes late), so the servers' housekeeping derives their facts again once a
/// day, a chunk per transaction (`refresh_many`).
pub fn open_ids(conn: &mut AnyConnection) -> Result<Vec<String>, DbError> {
    Ok(referral_facts::table
        .filter(referral_facts::outcome.eq(Outcome::Open.code()))
        .select(referral_facts::referral_id)
        .load(conn)?)
}

/// Before any referral (a bound both engines store).
const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// The kept facts of a scope, sent up to `until` (yyyymm), drafts left out; with
/// `since`, only those not ended before that day (what a period's figures can count:
/// older history is never read).
pub fn facts(
    conn: &mut AnyConnection,
    scope: &Scope,
    until: i32,
    since: Option<NaiveDate>,
) -> Result<Vec<Fact>, DbError> {
    let q = referral_facts::table
        .filter(referral_facts::month.le(until))
        .filter(
            referral_facts::ended_on
                .is_null()
                .or(referral_facts::ended_on.ge(since.unwrap_or(EARLIEST))),
        )
        .select(FactRow::as_select());
    let rows: Vec<FactRow> = match scope {
        Scope::Gemeente(code) => q
            .filter(referral_facts::gemeente_code.eq(code))
            .load(conn)?,
        Scope::Team(team) => q.filter(referral_facts::team_id.eq(team)).load(conn)?,
        Scope::Practice(p) => q.filter(referral_facts::from_org_id.eq(p)).load(conn)?,
    };
    rows.into_iter().map(FactRow::into_fact).collect()
}

/// The plain recompute: the facts of a scope derived from the raw tables, as they would
/// be kept (the check of the kept rows, and the benchmark's baseline).
pub fn recompute(
    conn: &mut AnyConnection,
    scope: &Scope,
    until: i32,
) -> Result<Vec<Fact>, DbError> {
    let ids: Vec<String> = match scope {
        Scope::Gemeente(code) => referrals::table
            .inner_join(children::table)
            .filter(children::gemeente_code.eq(code))
            .select(referrals::id)
            .load(conn)?,
        Scope::Team(team) => referrals::table
            .filter(
                referrals::to_org_id
                    .eq(team)
                    .or(referrals::from_org_id.eq(team)),
            )
            .select(referrals::id)
            .load(conn)?,
        Scope::Practice(p) => referrals::table
            .filter(referrals::from_org_id.eq(p))
            .select(referrals::id)
            .load(conn)?,
    };
    let mut facts = derive_for(conn, &ids, today())?;
    facts.retain(|f| f.month().is_some_and(|m| m <= until));
    if let Scope::Team(team) = scope {
        facts.retain(|f| f.team_id.as_deref() == Some(team));
    }
    Ok(facts)
}

/// (id, name) of the general practices in a scope: a municipality's, or those linked to
/// a team.
pub fn practices(
    conn: &mut AnyConnection,
    scope: &Scope,
) -> Result<Vec<(String, String)>, DbError> {
    let q = organisations::table
        .filter(organisations::kind.eq(OrganisationKind::Huisartsenpraktijk))
        .order(organisations::name.asc())
        .select((organisations::id, organisations::name));
    Ok(match scope {
        Scope::Gemeente(code) => q.filter(organisations::gemeente_code.eq(code)).load(conn)?,
        Scope::Team(team) => {
            let linked: Vec<String> = practice_links::table
                .filter(practice_links::team_id.eq(team))
                .select(practice_links::practice_id)
                .load(conn)?;
            q.filter(organisations::id.eq_any(linked)).load(conn)?
        }
        Scope::Practice(p) => q.filter(organisations::id.eq(p)).load(conn)?,
    })
}

/// Youth on the lists of `practices`, per year.
pub fn list_sizes(
    conn: &mut AnyConnection,
    practices: &[String],
) -> Result<HashMap<(String, i32), u64>, DbError> {
    let rows: Vec<(String, i32, i32)> = practice_youth::table
        .filter(practice_youth::practice_id.eq_any(practices))
        .select((
            practice_youth::practice_id,
            practice_youth::year,
            practice_youth::youth,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(p, y, n)| ((p, y), u64::try_from(n).unwrap_or(0)))
        .collect())
}

pub fn set_list_size(
    conn: &mut AnyConnection,
    practice_id: &str,
    year: i32,
    youth: i32,
) -> Result<(), DbError> {
    diesel::delete(practice_youth::table.find((practice_id, year))).execute(conn)?;
    diesel::insert_into(practice_youth::table)
        .values((
            practice_youth::practice_id.eq(practice_id),
            practice_youth::year.eq(year),
            practice_youth::youth.eq(youth),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_area_youth(
    conn: &mut AnyConnection,
    code: &str,
    year: i32,
    youth: i32,
) -> Result<(), DbError> {
    diesel::delete(area_youth::table.find((code, year))).execute(conn)?;
    diesel::insert_into(area_youth::table)
        .values((
            area_youth::code.eq(code),
            area_youth::year.eq(year),
            area_youth::youth.eq(youth),
        ))
        .execute(conn)?;
    Ok(())
}

/// Youth living in `code` in `year`, when known.
pub fn area_youth(conn: &mut AnyConnection, code: &str, year: i32) -> Result<Option<u64>, DbError> {
    let n: Option<i32> = area_youth::table
        .find((code, year))
        .select(area_youth::youth)
        .first(conn)
        .optional()?;
    Ok(n.and_then(|n| u64::try_from(n).ok()))
}

/// Consultations asked by each practice from `from` to `until` (inclusive): how many,
/// answered by their due day, and followed by a referral. A team sees those asked of it.
pub fn consultation_counts(
    conn: &mut AnyConnection,
    practices: &[String],
    team: Option<&str>,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<HashMap<String, ConsultationCounts>, DbError> {
    let start = from.and_hms_opt(0, 0, 0).unwrap_or_default();
    let end = until
        .succ_opt()
        .unwrap_or(until)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    let mut q = consultations::table
        .filter(consultations::practice_id.eq_any(practices))
        .filter(consultations::created_at.ge(start))
        .filter(consultations::created_at.lt(end))
        .into_boxed();
    if let Some(t) = team {
        q = q.filter(consultations::team_id.eq(t.to_owned()));
    }
    let rows: Vec<(String, String, NaiveDate, Option<chrono::NaiveDateTime>)> = q
        .select((
            consultations::id,
            consultations::practice_id,
            consultations::due_on,
            consultations::answered_at,
        ))
        .load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let mut referred: HashSet<String> = HashSet::new();
    for chunk in ids.chunks(2000) {
        referred.extend(
            referrals::table
                .filter(referrals::consultation_id.eq_any(chunk))
                .select(referrals::consultation_id.assume_not_null())
                .load::<String>(conn)?,
        );
    }
    let mut out: HashMap<String, ConsultationCounts> = HashMap::new();
    for (id, practice, due, answered) in rows {
        let c = out.entry(practice).or_default();
        c.asked += 1;
        if answered.is_some_and(|a| a.date() <= due) {
            c.answered_on_time += 1;
        }
        if referred.contains(&id) {
            c.became_referral += 1;
        }
    }
    Ok(out)
}

/// Services by id: (name, waiting weeks the provider reports).
pub fn services_named(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<HashMap<String, (String, Option<i32>)>, DbError> {
    let rows: Vec<(String, String, Option<i32>)> = services::table
        .filter(services::id.eq_any(ids))
        .select((services::id, services::name, services::wait_weeks))
        .load(conn)?;
    Ok(rows.into_iter().map(|(id, n, w)| (id, (n, w))).collect())
}

pub fn people_named(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<HashMap<String, String>, DbError> {
    let rows: Vec<(String, String)> = users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::name))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

pub fn benchmarks(conn: &mut AnyConnection) -> Result<Vec<Benchmark>, DbError> {
    let rows: Vec<(String, String, String, String, f64, bool)> = benchmarks::table
        .order((benchmarks::measure, benchmarks::period.desc()))
        .select((
            benchmarks::measure,
            benchmarks::table_id,
            benchmarks::period,
            benchmarks::region,
            benchmarks::value,
            benchmarks::provisional,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(measure, table_id, period, region, value, provisional)| Benchmark {
                measure,
                table_id,
                period,
                region,
                value,
                provisional,
            },
        )
        .collect())
}

/// Stores benchmarks, replacing one with the same measure, table, period and region.
pub fn put_benchmarks(conn: &mut AnyConnection, list: &[Benchmark]) -> Result<usize, DbError> {
    for b in list {
        diesel::delete(
            benchmarks::table
                .filter(benchmarks::measure.eq(&b.measure))
                .filter(benchmarks::table_id.eq(&b.table_id))
                .filter(benchmarks::period.eq(&b.period))
                .filter(benchmarks::region.eq(&b.region)),
        )
        .execute(conn)?;
        diesel::insert_into(benchmarks::table)
            .values((
                benchmarks::id.eq(new_id()),
                benchmarks::measure.eq(&b.measure),
                benchmarks::table_id.eq(&b.table_id),
                benchmarks::period.eq(&b.period),
                benchmarks::region.eq(&b.region),
                benchmarks::value.eq(b.value),
                benchmarks::provisional.eq(b.provisional),
                benchmarks::imported_at.eq(now()),
            ))
            .execute(conn)?;
    }
    Ok(list.len())
}

/// The municipality code of an organisation (a beleidsmedewerker's gemeente, a
/// practice's).
pub fn gemeente_of(conn: &mut AnyConnection, org_id: &str) -> Result<Option<String>, DbError> {
    Ok(organisations::table
        .find(org_id)
        .select(organisations::gemeente_code)
        .first::<String>(conn)
        .optional()?
        .filter(|g| !g.is_empty()))
}

/// The districts of a municipality: (code, name).
pub fn wijken(conn: &mut AnyConnection, gemeente: &str) -> Result<Vec<(String, String)>, DbError> {
    use crate::schema::districts;
    Ok(districts::table
        .filter(districts::gemeente_code.eq(gemeente))
        .order(districts::name.asc())
        .select((districts::code, districts::name))
        .load(conn)?)
}

pub fn set_child_wijk(conn: &mut AnyConnection, child_id: &str, wijk: &str) -> Result<(), DbError> {
    diesel::update(children::table.find(child_id))
        .set(children::wijk_code.eq(wijk))
        .execute(conn)?;
    let ids: Vec<String> = referrals::table
        .filter(referrals::child_id.eq(child_id))
        .select(referrals::id)
        .load(conn)?;
    refresh_many(conn, &ids)
}

/// The municipalities with kept facts.
pub fn gemeenten(conn: &mut AnyConnection) -> Result<Vec<String>, DbError> {
    Ok(referral_facts::table
        .select(referral_facts::gemeente_code)
        .distinct()
        .order(referral_facts::gemeente_code.asc())
        .load(conn)?)
}

/// Fresh planner statistics for the tables a bulk load of history fills (PostgreSQL
/// otherwise plans the next batch's reads for the empty tables it last saw).
pub fn analyze(conn: &mut AnyConnection) -> Result<(), DbError> {
    let sql = match conn {
        AnyConnection::Sqlite(_) => "ANALYZE",
        AnyConnection::Postgresql(_) => {
            "ANALYZE referrals, children, referral_events, referral_feedback, referral_facts, consultations"
        }
    };
    diesel::sql_query(sql).execute(conn)?;
    Ok(())
}

/// Tariffs of `services` in `years`: (service, year) → (cents, unit).
pub fn tariffs(
    conn: &mut AnyConnection,
    services: &[String],
    years: &[i32],
) -> Result<Tariffs, DbError> {
    let mut out = HashMap::new();
    for chunk in services.chunks(2000) {
        let rows: Vec<(String, i32, i64, String)> = service_tariffs::table
            .filter(service_tariffs::service_id.eq_any(chunk))
            .filter(service_tariffs::year.eq_any(years))
            .select((
                service_tariffs::service_id,
                service_tariffs::year,
                service_tariffs::cents,
                service_tariffs::unit,
            ))
            .load(conn)?;
        out.extend(rows.into_iter().map(|(s, y, c, u)| ((s, y), (c, u))));
    }
    Ok(out)
}

pub fn set_tariff(
    conn: &mut AnyConnection,
    service_id: &str,
    year: i32,
    cents: i64,
    unit: &str,
) -> Result<(), DbError> {
    diesel::delete(service_tariffs::table.find((service_id, year))).execute(conn)?;
    diesel::insert_into(service_tariffs::table)
        .values((
            service_tariffs::service_id.eq(service_id),
            service_tariffs::year.eq(year),
            service_tariffs::cents.eq(cents),
            service_tariffs::unit.eq(unit),
        ))
        .execute(conn)?;
    Ok(())
}

/// A municipality's youth-help budget per year.
pub fn budgets(
    conn: &mut AnyConnection,
    gemeente: &str,
    years: &[i32],
) -> Result<HashMap<i32, i64>, DbError> {
    let rows: Vec<(i32, i64)> = budgets::table
        .filter(budgets::gemeente_code.eq(gemeente))
        .filter(budgets::year.eq_any(years))
        .select((budgets::year, budgets::cents))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

pub fn set_budget(
    conn: &mut AnyConnection,
    gemeente: &str,
    year: i32,
    cents: i64,
) -> Result<(), DbError> {
    diesel::delete(budgets::table.find((gemeente, year))).execute(conn)?;
    diesel::insert_into(budgets::table)
        .values((
            budgets::gemeente_code.eq(gemeente),
            budgets::year.eq(year),
            budgets::cents.eq(cents),
        ))
        .execute(conn)?;
    Ok(())
}

/// The first problem area of each service: what kind of help the money buys.
pub fn service_areas(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<HashMap<String, String>, DbError> {
    let rows: Vec<(String, String)> = services::table
        .filter(services::id.eq_any(ids))
        .select((services::id, services::problem_areas))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, a)| (id, a.split(',').next().unwrap_or("").trim().to_owned()))
        .collect())
}
