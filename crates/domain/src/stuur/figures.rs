//! The figures, computed from the referrals' facts and protected before they leave:
//! every count passes through `protect`, so no page, export or API answer can show a
//! child. Each figure has a one-line Dutch definition (`DEFINITIONS`), shown beside it
//! and repeated in docs/STUURINFORMATIE.md.

use super::fact::{AgeBand, Fact, Outcome, Verwijzer};
use super::period::Period;
use super::protect::{Cell, line, share};
use chrono::NaiveDate;
use std::collections::HashMap;

/// What is selected besides the scope (municipality, team or practice) the database
/// already applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub period: Period,
    pub wijk: Option<String>,
    pub age: Option<AgeBand>,
    pub area: Option<String>,
    /// The trend per month instead of per quarter.
    pub monthly: bool,
}

impl Selection {
    fn keeps(&self, f: &Fact) -> bool {
        self.wijk
            .as_deref()
            .is_none_or(|w| f.wijk_code.as_deref() == Some(w))
            && self.age.is_none_or(|a| f.age_band == a)
            && self.area.as_deref().is_none_or(|a| f.has_area(a))
    }
}

/// A national figure to compare with, as stored: its source travels with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Benchmark {
    pub measure: String,
    pub table_id: String,
    pub period: String,
    pub region: String,
    pub value: f64,
    pub provisional: bool,
}

impl Benchmark {
    /// "CBS 85097NED, 2023 1e halfjaar*".
    pub fn source(&self) -> String {
        format!(
            "CBS {}, {}{}",
            self.table_id,
            self.period,
            if self.provisional { "*" } else { "" }
        )
    }
}

/// One practice's consultations in the period, counted by the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsultationCounts {
    pub asked: u64,
    pub answered_on_time: u64,
    pub became_referral: u64,
}

/// Tariffs per (service, contract year): (cents, "traject" or "maand").
pub type Tariffs = HashMap<(String, i32), (i64, String)>;

/// What the figures need besides the facts.
#[derive(Default)]
pub struct Context {
    /// Practices in scope: id → name.
    pub practices: Vec<(String, String)>,
    /// Youth on each practice's list, per year: (practice id, year) → youth.
    pub list_sizes: HashMap<(String, i32), u64>,
    /// Services: id → (name, waiting weeks the provider reports).
    pub services: HashMap<String, (String, Option<i32>)>,
    /// Case directors: id → name.
    pub people: HashMap<String, String>,
    pub consultations: HashMap<String, ConsultationCounts>,
    pub benchmarks: Vec<Benchmark>,
    /// Youth living in the selected area (CBS population), when known.
    pub youth_population: Option<u64>,
    /// Show practices by name (a municipality, a team); otherwise only `own_practice`
    /// and the average of all.
    pub practices_by_name: bool,
    pub own_practice: Option<String>,
    /// A team's caseload per case director.
    pub with_caseload: bool,
    /// Money (a municipality's): tariffs per (service, year) as (cents, "traject" or
    /// "maand"), the services' first problem area, the budget per year.
    pub tariffs: Tariffs,
    pub service_areas: HashMap<String, String>,
    pub budgets: HashMap<i32, i64>,
    pub with_money: bool,
}

impl Context {
    fn benchmark(&self, measure: &str) -> Option<Benchmark> {
        self.benchmarks
            .iter()
            .find(|b| b.measure == measure)
            .cloned()
    }
}

pub struct TeamShare {
    pub helped: Cell,
    pub by_team: Cell,
    pub share: Option<u64>,
    /// Per 100 youth living in the area, when the population is known.
    pub help_per_100: Option<f64>,
    pub benchmark: Option<Benchmark>,
    pub help_benchmark: Option<Benchmark>,
}

pub struct ReferrerRow {
    pub verwijzer: Verwijzer,
    pub count: Cell,
    pub share: Option<u64>,
    pub national: Option<f64>,
}

pub struct TrendRow {
    pub label: String,
    pub new: Cell,
    pub gp: Cell,
    pub team_share: Option<u64>,
}

pub struct PracticeRow {
    pub name: String,
    pub referrals: Cell,
    pub per_1000: Option<f64>,
    pub to_team: Option<u64>,
    pub consulted_first: Option<u64>,
    pub asked: Cell,
    pub answered_on_time: Option<u64>,
    pub became_referral: Option<u64>,
}

pub struct FeedbackRow {
    pub moment: &'static str,
    pub due: Cell,
    pub on_time: Cell,
    pub share: Option<u64>,
}

pub struct LeadRow {
    pub label: String,
    pub count: Cell,
    pub p50: Option<i64>,
    pub p90: Option<i64>,
    /// What the provider reports in the sociale kaart, in days.
    pub reported: Option<i64>,
}

pub struct DurationRow {
    pub label: &'static str,
    pub count: Cell,
    pub share: Option<u64>,
    pub national: Option<f64>,
}

pub struct CaseloadRow {
    pub name: String,
    pub open: Cell,
    pub over_term: Cell,
}

/// What the help of one kind cost in the period.
pub struct MoneyRow {
    pub label: String,
    pub trajectories: Cell,
    /// Euros, rounded to thousands; None when fewer than five trajectories (a tariff
    /// times a small count would give the count away).
    pub euros: Option<u64>,
    pub share: Option<u64>,
}

pub struct Money {
    pub rows: Vec<MoneyRow>,
    pub total: Option<u64>,
    /// The budget for the period (each year's budget for the months it covers).
    pub budget: Option<u64>,
    pub of_budget: Option<u64>,
}

pub struct Dashboard {
    pub team_share: TeamShare,
    pub referrers: Vec<ReferrerRow>,
    pub referrers_total: Cell,
    pub trend: Vec<TrendRow>,
    pub practices: Vec<PracticeRow>,
    /// All practices in scope together, per practice on average.
    pub practice_average: Option<PracticeRow>,
    pub feedback: Vec<FeedbackRow>,
    pub lead_times: Vec<LeadRow>,
    pub waits: Vec<LeadRow>,
    pub durations: Vec<DurationRow>,
    pub caseload: Vec<CaseloadRow>,
    pub money: Option<Money>,
}

/// The figures' definitions, one line each, as the page shows them.
pub const DEFINITIONS: &[(&str, &str)] = &[
    (
        "eigen_hulp",
        "Jeugdigen die in de periode hulp hadden en die alleen hulp van het sociaal team zelf kregen (niet doorverwezen naar specialistische hulp), gedeeld door alle jeugdigen met hulp in de periode. Hulp telt vanaf de dag van acceptatie tot de dag van afsluiting.",
    ),
    (
        "verwijzers",
        "Nieuwe trajecten: verwijzingen die in de periode zijn geaccepteerd, naar wie verwees (iJw-verwijzerscode). Een doorverwijzing door het sociaal team telt als gemeentelijke toegang.",
    ),
    (
        "trend",
        "Per kwartaal (of per maand): nieuwe trajecten (geaccepteerd in die tijd), verwijzingen van huisartsen (verstuurd in die tijd) en het aandeel eigen hulp van het team.",
    ),
    (
        "huisartsen",
        "Verwijzingen die een huisartsenpraktijk in de periode verstuurde, per 1.000 jeugdigen op de lijst van de praktijk; hoeveel naar het sociaal team gingen en hoeveel na een consultatie. Consultaties: vragen gesteld in de periode, beantwoord binnen de afgesproken termijn, en vragen waaruit een verwijzing volgde.",
    ),
    (
        "terugkoppeling",
        "Verwijzingen verstuurd in de periode waarvan het moment van terugkoppeling is gekomen, en hoeveel op tijd waren volgens het verwijskader: besluit binnen de termijn voor acceptatie, eerste tussentijdse terugkoppeling binnen de afgesproken werkdagen na acceptatie, en bij afronding een bericht aan de verwijzer.",
    ),
    (
        "doorlooptijden",
        "Kalenderdagen vanaf het versturen van de verwijzing tot acceptatie, tot de start van de hulp en tot de afronding; mediaan (p50) en de tijd waarbinnen 90% viel (p90), voor verwijzingen verstuurd in de periode.",
    ),
    (
        "wachttijden",
        "Per dienst: kalenderdagen van versturen tot start van de hulp, gemeten aan echte verwijzingen verstuurd in de periode, naast de wachttijd die de aanbieder in de sociale kaart opgeeft.",
    ),
    (
        "duur",
        "Trajecten die in de periode eindigden (afgerond of gestopt), naar duur van acceptatie tot einde.",
    ),
    (
        "geld",
        "Wat de gecontracteerde hulp in de periode kostte: per traject het tarief van de dienst in het jaar waarin de hulp begon, of per maand hulp het maandtarief maal de maanden hulp in de periode; naar soort hulp, naast het budget jeugdhulp voor de maanden van de periode. De hulp van het sociaal team zelf staat hier niet in.",
    ),
    (
        "caseload",
        "Open verwijzingen bij het team per casusregisseur op dit moment, en hoeveel daarvan nu over een termijn zijn: het besluit of de tussentijdse terugkoppeling had er al moeten zijn en is er nog niet.",
    ),
];

pub fn definition(key: &str) -> &'static str {
    DEFINITIONS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("", |(_, d)| d)
}

/// The duration classes of CBS's ended trajectories, in months: [from, until).
pub const DURATIONS: &[(&str, i64, i64, &str)] = &[
    ("0 tot 3 maanden", 0, 91, "duur:0-3m"),
    ("3 tot 6 maanden", 91, 182, "duur:3-6m"),
    ("6 tot 12 maanden", 182, 365, "duur:6-12m"),
    ("1 tot 2 jaar", 365, 730, "duur:1-2j"),
    ("2 tot 3 jaar", 730, 1095, "duur:2-3j"),
    ("3 tot 4 jaar", 1095, 1461, "duur:3-4j"),
    ("4 jaar of langer", 1461, i64::MAX, "duur:4j+"),
];

/// A period's first and last day, worked out once (a figure asks them of every fact).
#[derive(Clone, Copy)]
struct Days {
    start: NaiveDate,
    end: NaiveDate,
}

impl Days {
    fn of(p: &Period) -> Self {
        Self {
            start: p.start(),
            end: p.end(),
        }
    }

    fn holds(self, d: NaiveDate) -> bool {
        d >= self.start && d <= self.end
    }

    fn holds_opt(self, d: Option<NaiveDate>) -> bool {
        d.is_some_and(|d| self.holds(d))
    }
}

/// Help ran during the period: accepted by its end and not ended before its start.
fn running_in(f: &Fact, p: Days) -> bool {
    f.accepted_on.is_some_and(|a| a <= p.end)
        && f.ended_on.is_none_or(|e| e >= p.start)
        && f.outcome != Outcome::Rejected
}

/// (youth with help, of whom only the team's own help) in the period.
fn team_counts(facts: &[&Fact], p: Days) -> (u64, u64) {
    let mut helped: HashMap<&str, bool> = HashMap::new();
    for f in facts.iter().filter(|f| running_in(f, p)) {
        let own = f.to_team && !f.referred_on;
        helped
            .entry(f.child_id.as_str())
            .and_modify(|o| *o &= own)
            .or_insert(own);
    }
    let by_team = helped.values().filter(|o| **o).count() as u64;
    (helped.len() as u64, by_team)
}

/// The value at fraction `q` of sorted `xs` (nearest rank).
fn percentile(xs: &[i64], q: f64) -> Option<i64> {
    if xs.is_empty() {
        return None;
    }
    let rank = ((q * xs.len() as f64).ceil() as usize).clamp(1, xs.len());
    xs.get(rank - 1).copied()
}

/// Lead-time percentiles are shown from this many referrals on: one child's days are
/// never a figure.
const MIN_FOR_PERCENTILE: usize = 10;

fn lead(label: String, mut days: Vec<i64>, reported: Option<i64>) -> LeadRow {
    days.sort_unstable();
    let enough = days.len() >= MIN_FOR_PERCENTILE;
    LeadRow {
        label,
        count: Cell::of(days.len() as u64),
        p50: percentile(&days, 0.5).filter(|_| enough),
        p90: percentile(&days, 0.9).filter(|_| enough),
        reported,
    }
}

fn gp_sent(f: &Fact) -> bool {
    f.verwijzer == Verwijzer::Huisarts && !f.onward
}

/// Per 1,000 youth from the count as shown (rounded), never from the exact count.
fn per_1000(count: Cell, youth: u64) -> Option<f64> {
    let n = match count {
        Cell::Rounded(n) => n,
        _ => return None,
    };
    (youth > 0).then(|| (n as f64 * 10_000.0 / youth as f64).round() / 10.0)
}

pub fn compute(all: &[Fact], sel: &Selection, cx: &Context) -> Dashboard {
    let facts: Vec<&Fact> = all
        .iter()
        .filter(|f| f.sent_on.is_some() && sel.keeps(f))
        .collect();
    let p = &sel.period;
    let days = Days::of(p);
    let sent_in = |f: &&&Fact| days.holds_opt(f.sent_on);
    let accepted_in = |f: &&&Fact| days.holds_opt(f.accepted_on);

    // Share of youth helped by the team itself.
    let (helped, by_team) = team_counts(&facts, days);
    let team_share = TeamShare {
        helped: Cell::of(helped),
        by_team: Cell::of(by_team),
        share: share(by_team, helped),
        help_per_100: cx.youth_population.and_then(|pop| {
            let shown = Cell::of(helped).value()?;
            (pop > 0 && shown > 0).then(|| (shown as f64 * 1000.0 / pop as f64).round() / 10.0)
        }),
        benchmark: cx.benchmark("eigen_hulp"),
        help_benchmark: cx.benchmark("jeugdhulp_per_100"),
    };

    // New trajectories by referrer.
    let new: Vec<&&Fact> = facts.iter().filter(accepted_in).collect();
    let counts: Vec<u64> = Verwijzer::ALL
        .iter()
        .map(|v| new.iter().filter(|f| f.verwijzer == *v).count() as u64)
        .collect();
    let cells = line(&counts);
    let total = new.len() as u64;
    let referrers = Verwijzer::ALL
        .iter()
        .zip(cells)
        .zip(&counts)
        .map(|((v, cell), n)| ReferrerRow {
            verwijzer: *v,
            count: cell,
            share: if cell.is_suppressed() {
                None
            } else {
                share(*n, total)
            },
            national: cx
                .benchmark(&format!("verwijzer:{}", v.code()))
                .map(|b| b.value),
        })
        .collect();

    // The trend per quarter.
    let steps = if sel.monthly {
        p.months()
    } else {
        p.quarters()
    };
    let quarters: Vec<(String, Days)> = steps
        .into_iter()
        .map(|(label, q)| (label, Days::of(&q)))
        .collect();
    let new_q: Vec<u64> = quarters
        .iter()
        .map(|(_, q)| facts.iter().filter(|f| q.holds_opt(f.accepted_on)).count() as u64)
        .collect();
    let gp_q: Vec<u64> = quarters
        .iter()
        .map(|(_, q)| {
            facts
                .iter()
                .filter(|f| gp_sent(f) && q.holds_opt(f.sent_on))
                .count() as u64
        })
        .collect();
    let (new_cells, gp_cells) = (line(&new_q), line(&gp_q));
    let trend = quarters
        .iter()
        .enumerate()
        .map(|(i, (label, q))| {
            let (h, t) = team_counts(&facts, *q);
            TrendRow {
                label: label.clone(),
                new: new_cells[i],
                gp: gp_cells[i],
                team_share: share(t, h),
            }
        })
        .collect();

    // General practices.
    let years = p.years();
    let months = p.month_count().max(1) as f64;
    let list_size = |id: &str| -> Option<u64> {
        // The period's youth: each year's list weighted by the months it covers.
        let mut sum = 0.0;
        for y in &years {
            let from = (*y * 100 + 1).max(p.from);
            let until = (*y * 100 + 12).min(p.until);
            let m = Period { from, until }.month_count() as f64;
            sum += *cx.list_sizes.get(&(id.to_owned(), *y))? as f64 * m / months;
        }
        Some(sum.round() as u64)
    };
    let practice_row = |name: String, ids: &[&str]| -> PracticeRow {
        let sent: Vec<&&Fact> = facts
            .iter()
            .filter(sent_in)
            .filter(|f| gp_sent(f) && ids.contains(&f.from_org_id.as_str()))
            .collect();
        let n = sent.len() as u64;
        let to_team = sent.iter().filter(|f| f.to_team).count() as u64;
        let consulted = sent.iter().filter(|f| f.via_consultation).count() as u64;
        let youth: Option<u64> = ids.iter().map(|id| list_size(id)).sum();
        let c = ids.iter().filter_map(|id| cx.consultations.get(*id)).fold(
            ConsultationCounts::default(),
            |a, c| ConsultationCounts {
                asked: a.asked + c.asked,
                answered_on_time: a.answered_on_time + c.answered_on_time,
                became_referral: a.became_referral + c.became_referral,
            },
        );
        let count = Cell::of(n);
        PracticeRow {
            name,
            referrals: count,
            per_1000: youth.and_then(|y| per_1000(count, y)),
            to_team: share(to_team, n),
            consulted_first: share(consulted, n),
            asked: Cell::of(c.asked),
            answered_on_time: share(c.answered_on_time, c.asked),
            became_referral: share(c.became_referral, c.asked),
        }
    };
    let all_ids: Vec<&str> = cx.practices.iter().map(|(id, _)| id.as_str()).collect();
    let mut named: Vec<&(String, String)> = cx.practices.iter().collect();
    named.sort_by_key(|(_, name)| natural_key(name));
    let practices: Vec<PracticeRow> = named
        .into_iter()
        .filter(|(id, _)| cx.practices_by_name || cx.own_practice.as_deref() == Some(id))
        .map(|(id, name)| practice_row(name.clone(), &[id.as_str()]))
        .collect();
    let practice_average = (all_ids.len() > 1).then(|| {
        let mut avg = practice_row(
            format!("Gemiddelde van {} praktijken", all_ids.len()),
            &all_ids,
        );
        // Counts of all practices together are shown per practice.
        let k = all_ids.len() as u64;
        let per = |c: Cell| c.value().map_or(c, |v| Cell::of((v + k / 2) / k));
        avg.referrals = per(avg.referrals);
        avg.asked = per(avg.asked);
        avg
    });

    // Feedback on time, per moment of the verwijskader.
    let sent: Vec<&&Fact> = facts.iter().filter(sent_in).collect();
    let moment = |label: &'static str, get: &dyn Fn(&Fact) -> Option<bool>| {
        let due = sent.iter().filter(|f| get(f).is_some()).count() as u64;
        let on_time = sent.iter().filter(|f| get(f) == Some(true)).count() as u64;
        FeedbackRow {
            moment: label,
            due: Cell::of(due),
            on_time: Cell::of(on_time),
            share: share(on_time, due),
        }
    };
    let feedback = vec![
        moment("Besluit over acceptatie", &|f| f.accept_on_time),
        moment("Tussentijdse terugkoppeling", &|f| f.interim_on_time),
        moment("Bericht bij afronding", &|f| f.completion_fed_back),
    ];

    // Lead times.
    let lead_days = |to: &dyn Fn(&Fact) -> Option<NaiveDate>| -> Vec<i64> {
        sent.iter()
            .filter_map(|f| Some((to(f)? - f.sent_on?).num_days()))
            .collect()
    };
    let lead_times = vec![
        lead("Tot acceptatie".into(), lead_days(&|f| f.accepted_on), None),
        lead(
            "Tot start van de hulp".into(),
            lead_days(&|f| f.started_on),
            None,
        ),
        lead(
            "Tot afronding".into(),
            lead_days(&|f| f.ended_on.filter(|_| f.outcome == Outcome::Completed)),
            None,
        ),
    ];
    let mut by_service: HashMap<&str, Vec<i64>> = HashMap::new();
    for f in &sent {
        if let (Some(s), Some(start), Some(sent_on)) = (&f.service_id, f.started_on, f.sent_on) {
            by_service
                .entry(s.as_str())
                .or_default()
                .push((start - sent_on).num_days());
        }
    }
    let mut waits: Vec<LeadRow> = by_service
        .into_iter()
        .filter_map(|(id, d)| {
            let (name, weeks) = cx.services.get(id)?;
            Some(lead(name.clone(), d, weeks.map(|w| i64::from(w) * 7)))
        })
        .collect();
    waits.sort_by(|a, b| b.p50.cmp(&a.p50).then(a.label.cmp(&b.label)));

    // Ended trajectories by duration.
    let ended: Vec<i64> = facts
        .iter()
        .filter(|f| {
            days.holds_opt(f.ended_on) && matches!(f.outcome, Outcome::Completed | Outcome::Stopped)
        })
        .filter_map(|f| Some((f.ended_on? - f.accepted_on?).num_days()))
        .collect();
    let counts: Vec<u64> = DURATIONS
        .iter()
        .map(|(_, from, until, _)| {
            ended
                .iter()
                .filter(|d| **d >= *from && **d < *until)
                .count() as u64
        })
        .collect();
    let cells = line(&counts);
    let durations = DURATIONS
        .iter()
        .zip(cells)
        .zip(&counts)
        .map(|(((label, _, _, measure), cell), n)| DurationRow {
            label,
            count: cell,
            share: if cell.is_suppressed() {
                None
            } else {
                share(*n, ended.len() as u64)
            },
            national: cx.benchmark(measure).map(|b| b.value),
        })
        .collect();

    // Caseload now (not filtered by period).
    let mut caseload = Vec::new();
    if cx.with_caseload {
        let mut per: HashMap<&str, (u64, u64)> = HashMap::new();
        for f in all
            .iter()
            .filter(|f| f.to_team && f.outcome == Outcome::Open)
        {
            if let Some(cd) = &f.case_director_id {
                let e = per.entry(cd.as_str()).or_default();
                e.0 += 1;
                if f.accept_on_time == Some(false) && f.accepted_on.is_none() || f.interim_missing {
                    e.1 += 1;
                }
            }
        }
        let mut ids: Vec<&str> = per.keys().copied().collect();
        ids.sort_by_key(|id| cx.people.get(*id).cloned().unwrap_or_default());
        for id in ids {
            let (open, over) = per[id];
            caseload.push(CaseloadRow {
                name: cx
                    .people
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| "Onbekend".into()),
                open: Cell::of(open),
                over_term: Cell::of(over),
            });
        }
    }
    // The budget is the whole municipality's: beside a district, an age band or a
    // problem area it would compare unlike with unlike.
    let whole = sel.wijk.is_none() && sel.age.is_none() && sel.area.is_none();
    let money = cx.with_money.then(|| money(&facts, days, p, cx, whole));

    Dashboard {
        money,
        team_share,
        referrers,
        referrers_total: Cell::of(total),
        trend,
        practices,
        practice_average,
        feedback,
        lead_times,
        waits,
        durations,
        caseload,
    }
}

/// Euros rounded to thousands.
fn thousands_of_euros(cents: f64) -> u64 {
    ((cents / 100.0 / 1000.0).round() * 1000.0).max(0.0) as u64
}

/// Cost of the help given in the period, by kind of help, against the budget.
fn money(facts: &[&Fact], days: Days, p: &Period, cx: &Context, with_budget: bool) -> Money {
    // kind → (trajectories, cents)
    let mut per: HashMap<String, (u64, f64)> = HashMap::new();
    for f in facts {
        let (Some(service), Some(start)) = (&f.service_id, f.started_on) else {
            continue;
        };
        let end = f.ended_on.unwrap_or(days.end).min(days.end);
        if start > days.end || end < days.start {
            continue;
        }
        let Some((cents, unit)) = cx
            .tariffs
            .get(&(service.clone(), chrono::Datelike::year(&start)))
        else {
            continue;
        };
        let cost = if unit == "maand" {
            let from = start.max(days.start);
            let months = ((end - from).num_days() + 1) as f64 / (365.25 / 12.0);
            *cents as f64 * months
        } else if days.holds(start) {
            *cents as f64
        } else {
            continue;
        };
        let kind = cx
            .service_areas
            .get(service)
            .and_then(|a| {
                crate::catalogue::PROBLEM_AREAS
                    .iter()
                    .find(|(c, _)| c == a)
                    .map(|(_, l)| (*l).to_owned())
            })
            .unwrap_or_else(|| "Overig".into());
        let e = per.entry(kind).or_default();
        e.0 += 1;
        e.1 += cost;
    }
    let total_cents: f64 = per.values().map(|(_, c)| c).sum();
    let total_n: u64 = per.values().map(|(n, _)| n).sum();
    let mut rows: Vec<MoneyRow> = per
        .into_iter()
        .map(|(label, (n, cents))| {
            let enough = n >= super::protect::THRESHOLD;
            MoneyRow {
                label,
                trajectories: Cell::of(n),
                euros: enough.then(|| thousands_of_euros(cents)),
                share: (enough && total_cents > 0.0)
                    .then(|| (cents * 100.0 / total_cents).round() as u64),
            }
        })
        .collect();
    rows.sort_by(|a, b| b.euros.cmp(&a.euros).then(a.label.cmp(&b.label)));
    let mut budget: Option<f64> = None;
    for y in p.years() {
        let from = (y * 100 + 1).max(p.from);
        let until = (y * 100 + 12).min(p.until);
        let months = f64::from(Period { from, until }.month_count());
        if let Some(b) = cx.budgets.get(&y).filter(|_| with_budget) {
            *budget.get_or_insert(0.0) += *b as f64 * months / 12.0;
        }
    }
    let enough = total_n >= super::protect::THRESHOLD;
    let total = enough.then(|| thousands_of_euros(total_cents));
    Money {
        rows,
        total,
        budget: budget.map(thousands_of_euros),
        of_budget: match (total, budget) {
            (Some(_), Some(b)) if b > 0.0 => Some((total_cents * 100.0 / b).round() as u64),
            _ => None,
        },
    }
}

/// "Praktijk 10" after "Praktijk 9": runs of digits compare as numbers.
fn natural_key(name: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let (mut text, mut number) = (String::new(), None::<u64>);
    for c in name.chars() {
        match (c.to_digit(10), number) {
            (Some(d), n) => {
                number = Some(
                    n.unwrap_or(0)
                        .saturating_mul(10)
                        .saturating_add(u64::from(d)),
                )
            }
            (None, Some(n)) => {
                out.push((std::mem::take(&mut text), n));
                number = None;
                text.push(c);
            }
            (None, None) => text.push(c),
        }
    }
    out.push((text, number.unwrap_or(0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn practices_are_listed_in_natural_order() {
        let mut names = vec!["Praktijk 10", "Praktijk 9", "Praktijk 1", "De Akker"];
        names.sort_by_key(|n| natural_key(n));
        assert_eq!(
            names,
            ["De Akker", "Praktijk 1", "Praktijk 9", "Praktijk 10"]
        );
    }

    #[test]
    fn the_budget_stands_only_beside_the_whole_municipality() {
        let p = Period::parse("2026-K1", "2026-K1").unwrap();
        let cx = Context {
            budgets: HashMap::from([(2026, 120_000_000)]),
            with_money: true,
            ..Default::default()
        };
        let whole = Selection {
            period: p,
            wijk: None,
            age: None,
            area: None,
            monthly: false,
        };
        let d = compute(&[], &whole, &cx);
        assert_eq!(d.money.as_ref().and_then(|m| m.budget), Some(300_000));
        let district = Selection {
            wijk: Some("WK999901".into()),
            ..whole
        };
        let d = compute(&[], &district, &cx);
        assert_eq!(d.money.as_ref().and_then(|m| m.budget), None);
    }
}
