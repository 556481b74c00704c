//! One referral as the figures count it: no name, no reasons, no text; only where the
//! child lives, the age band, who referred to whom and when each step happened. Derived
//! from the referral's own history, so nothing is registered twice.

use crate::OrganisationKind;
use crate::agreements::Agreements;
use crate::referral::{FeedbackKind, Status, Urgency};
use crate::workdays::add_working_days;
use chrono::{Datelike, NaiveDate};
use std::ops::Not;

/// The age bands of youth help (Jeugdwet up to 18, extended help up to 23).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AgeBand {
    Baby,
    Child,
    Teen,
    Young,
}

impl AgeBand {
    pub const ALL: [AgeBand; 4] = [Self::Baby, Self::Child, Self::Teen, Self::Young];

    pub fn of_age(years: u32) -> Self {
        match years {
            0..=3 => Self::Baby,
            4..=11 => Self::Child,
            12..=17 => Self::Teen,
            _ => Self::Young,
        }
    }

    /// Stored as 0..=3.
    pub fn index(self) -> i32 {
        match self {
            Self::Baby => 0,
            Self::Child => 1,
            Self::Teen => 2,
            Self::Young => 3,
        }
    }

    pub fn from_index(i: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.index() == i)
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Baby => "0-3",
            Self::Child => "4-11",
            Self::Teen => "12-17",
            Self::Young => "18-22",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.code() == code.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Baby => "0 tot 4 jaar",
            Self::Child => "4 tot 12 jaar",
            Self::Teen => "12 tot 18 jaar",
            Self::Young => "18 tot 23 jaar",
        }
    }
}

/// Who referred, in the codes of the iJw standard (COD327), as CBS counts new
/// trajectories by referrer (table 85097NED).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verwijzer {
    Gemeente,
    Huisarts,
    Jeugdarts,
    GecertificeerdeInstelling,
    MedischSpecialist,
    Geen,
    Rechter,
}

impl Verwijzer {
    pub const ALL: [Verwijzer; 7] = [
        Self::Huisarts,
        Self::Gemeente,
        Self::Jeugdarts,
        Self::GecertificeerdeInstelling,
        Self::MedischSpecialist,
        Self::Geen,
        Self::Rechter,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Gemeente => "01",
            Self::Huisarts => "02",
            Self::Jeugdarts => "03",
            Self::GecertificeerdeInstelling => "04",
            Self::MedischSpecialist => "05",
            Self::Geen => "06",
            Self::Rechter => "08",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.code() == code.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Gemeente => "Gemeentelijke toegang",
            Self::Huisarts => "Huisarts",
            Self::Jeugdarts => "Jeugdarts",
            Self::GecertificeerdeInstelling => "Gecertificeerde instelling",
            Self::MedischSpecialist => "Medisch specialist",
            Self::Geen => "Geen verwijzer",
            Self::Rechter => "Rechter, OvJ",
        }
    }

    /// The referring organisation's kind decides the code. A school or a provider is no
    /// referrer in the sense of the Jeugdwet: the family went itself ("geen verwijzer").
    pub fn of(kind: OrganisationKind) -> Self {
        match kind {
            OrganisationKind::Huisartsenpraktijk => Self::Huisarts,
            OrganisationKind::SociaalTeam | OrganisationKind::Gemeente => Self::Gemeente,
            OrganisationKind::Jgz => Self::Jeugdarts,
            OrganisationKind::Zorgaanbieder
            | OrganisationKind::School
            | OrganisationKind::Platform => Self::Geen,
        }
    }
}

/// How a referral stands for the figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Not yet decided, or help running.
    Open,
    Completed,
    Rejected,
    /// Stopped early: cancelled or failed.
    Stopped,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Completed => "completed",
            Self::Rejected => "rejected",
            Self::Stopped => "stopped",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        [Self::Open, Self::Completed, Self::Rejected, Self::Stopped]
            .into_iter()
            .find(|o| o.code() == code)
    }

    fn of(status: Status) -> Self {
        match status {
            Status::Completed => Self::Completed,
            Status::Rejected => Self::Rejected,
            Status::Cancelled | Status::Failed => Self::Stopped,
            _ => Self::Open,
        }
    }
}

/// One referral, counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub referral_id: String,
    /// Counts youth once (never shown).
    pub child_id: String,
    pub gemeente_code: String,
    pub wijk_code: Option<String>,
    pub from_org_id: String,
    pub verwijzer: Verwijzer,
    /// The social team that received the referral, or that referred on.
    pub team_id: Option<String>,
    pub to_org_id: String,
    /// The team itself gives the help.
    pub to_team: bool,
    pub service_id: Option<String>,
    /// Made by the team on an earlier referral (doorverwijzing).
    pub onward: bool,
    pub via_consultation: bool,
    pub age_band: AgeBand,
    /// Comma-separated codes of the catalogue.
    pub problem_areas: String,
    /// The day it left the referrer (a draft has none and is not counted).
    pub sent_on: Option<NaiveDate>,
    pub accepted_on: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
    /// Completed, rejected, cancelled or failed.
    pub ended_on: Option<NaiveDate>,
    pub outcome: Outcome,
    /// The team referred on from it.
    pub referred_on: bool,
    /// Decided (accepted or rejected) within the agreed working days; None while the
    /// term runs.
    pub accept_on_time: Option<bool>,
    /// The first interim feedback came within its working days after acceptance; None
    /// when that moment did not come (yet).
    pub interim_on_time: Option<bool>,
    /// A completed referral told its referrer how it ended.
    pub completion_fed_back: Option<bool>,
    /// The interim moment passed and no interim feedback came yet (a case over its term
    /// now, unlike one whose news came late).
    pub interim_missing: bool,
    pub case_director_id: Option<String>,
}

impl Fact {
    /// Month of sending as yyyymm (the figures' time axis).
    pub fn month(&self) -> Option<i32> {
        self.sent_on.map(month_of)
    }

    pub fn has_area(&self, area: &str) -> bool {
        self.problem_areas.split(',').any(|a| a == area)
    }
}

pub fn month_of(day: NaiveDate) -> i32 {
    day.year() * 100 + day.month() as i32
}

/// What a referral's history holds, as read from storage.
pub struct History<'a> {
    pub referral_id: &'a str,
    pub child_id: &'a str,
    pub gemeente_code: &'a str,
    pub wijk_code: Option<&'a str>,
    pub birth_date: NaiveDate,
    pub from_org_id: &'a str,
    pub from_kind: OrganisationKind,
    pub to_org_id: &'a str,
    pub to_kind: OrganisationKind,
    pub service_id: Option<&'a str>,
    pub onward: bool,
    pub via_consultation: bool,
    pub problem_areas: &'a str,
    pub urgency: Urgency,
    pub status: Status,
    pub created_on: NaiveDate,
    pub accepted_on: Option<NaiveDate>,
    pub case_director_id: Option<&'a str>,
    /// (status moved to, day), oldest first.
    pub events: &'a [(Status, NaiveDate)],
    /// (kind, day) of each piece of feedback.
    pub feedback: &'a [(FeedbackKind, NaiveDate)],
    pub referred_on: bool,
    pub agreements: &'a Agreements,
    pub today: NaiveDate,
}

fn age_on(birth: NaiveDate, day: NaiveDate) -> u32 {
    let mut years = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

/// The referral as the figures count it.
pub fn derive(h: &History<'_>) -> Fact {
    let first = |s: Status| h.events.iter().find(|(to, _)| *to == s).map(|(_, d)| *d);
    let sent_on = if h.status == Status::Draft {
        None
    } else {
        first(Status::Requested).or(Some(h.created_on))
    };
    let decided_on = h
        .accepted_on
        .or_else(|| first(Status::Accepted))
        .or_else(|| first(Status::Rejected));
    let ended_on = h
        .events
        .iter()
        .rev()
        .find(|(to, _)| {
            matches!(
                to,
                Status::Completed | Status::Rejected | Status::Cancelled | Status::Failed
            )
        })
        .map(|(_, d)| *d)
        .filter(|_| h.status.is_final());
    let accept_on_time = sent_on.and_then(|sent| {
        let due = add_working_days(sent, h.agreements.accept_days_for(h.urgency));
        match decided_on {
            Some(d) => Some(d <= due),
            None if h.today > due => Some(false),
            None => None,
        }
    });
    let accepted_on = h.accepted_on.or_else(|| first(Status::Accepted));
    let mut interim_missing = false;
    let interim_on_time = match (accepted_on, h.agreements.feedback_days.first()) {
        (Some(acc), Some(days)) => {
            let due = add_working_days(acc, *days);
            let first_interim = h
                .feedback
                .iter()
                .filter(|(k, _)| *k == FeedbackKind::Interim)
                .map(|(_, d)| *d)
                .min();
            interim_missing =
                first_interim.is_none() && h.today > due && ended_on.is_none_or(|e| e > due);
            match first_interim {
                Some(d) => Some(d <= due),
                // Ended before the moment came: nothing was due.
                None if ended_on.is_some_and(|e| e <= due) => None,
                None if h.today > due => Some(false),
                None => None,
            }
        }
        _ => None,
    };
    let completion_fed_back = (h.status == Status::Completed).then(|| {
        h.feedback
            .iter()
            .any(|(k, _)| matches!(k, FeedbackKind::Completed | FeedbackKind::Ended))
    });
    let to_team = h.to_kind.is_social_team();
    let team_id = if to_team {
        Some(h.to_org_id)
    } else if h.from_kind.is_social_team() {
        Some(h.from_org_id)
    } else {
        None
    };
    Fact {
        referral_id: h.referral_id.to_owned(),
        child_id: h.child_id.to_owned(),
        gemeente_code: h.gemeente_code.to_owned(),
        wijk_code: h.wijk_code.map(str::to_owned),
        from_org_id: h.from_org_id.to_owned(),
        verwijzer: Verwijzer::of(h.from_kind),
        team_id: team_id.map(str::to_owned),
        to_org_id: h.to_org_id.to_owned(),
        to_team,
        service_id: h.service_id.map(str::to_owned),
        onward: h.onward,
        via_consultation: h.via_consultation,
        age_band: AgeBand::of_age(age_on(h.birth_date, sent_on.unwrap_or(h.created_on))),
        problem_areas: h.problem_areas.to_owned(),
        sent_on,
        accepted_on,
        started_on: first(Status::InProgress),
        ended_on,
        outcome: Outcome::of(h.status),
        referred_on: h.referred_on,
        accept_on_time,
        interim_on_time,
        completion_fed_back,
        interim_missing: interim_missing && h.status.is_final().not(),
        case_director_id: h.case_director_id.map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn history<'a>(
        events: &'a [(Status, NaiveDate)],
        feedback: &'a [(FeedbackKind, NaiveDate)],
        status: Status,
        agreements: &'a Agreements,
    ) -> History<'a> {
        History {
            referral_id: "r",
            child_id: "c",
            gemeente_code: "GM0001",
            wijk_code: None,
            birth_date: d("2014-06-10"),
            from_org_id: "p",
            from_kind: OrganisationKind::Huisartsenpraktijk,
            to_org_id: "t",
            to_kind: OrganisationKind::SociaalTeam,
            service_id: None,
            onward: false,
            via_consultation: true,
            problem_areas: "gedrag",
            urgency: Urgency::Regulier,
            status,
            created_on: d("2026-03-02"),
            accepted_on: events
                .iter()
                .find(|(s, _)| *s == Status::Accepted)
                .map(|(_, d)| *d),
            case_director_id: None,
            events,
            feedback,
            referred_on: false,
            agreements,
            today: d("2026-12-01"),
        }
    }

    #[test]
    fn a_completed_gp_referral_counts_its_steps_and_terms() {
        let a = Agreements::default();
        // Monday 2 March: sent; accepted on Friday 6 March (4 working days, term 5).
        let events = [
            (Status::Requested, d("2026-03-02")),
            (Status::Accepted, d("2026-03-06")),
            (Status::InProgress, d("2026-03-09")),
            (Status::Completed, d("2026-06-30")),
        ];
        // Interim news 50 working days after acceptance: late against 30.
        let feedback = [
            (FeedbackKind::Accepted, d("2026-03-06")),
            (FeedbackKind::Interim, d("2026-05-20")),
            (FeedbackKind::Completed, d("2026-06-30")),
        ];
        let f = derive(&history(&events, &feedback, Status::Completed, &a));
        assert_eq!(f.verwijzer, Verwijzer::Huisarts);
        assert_eq!(f.age_band, AgeBand::Child);
        assert_eq!(f.sent_on, Some(d("2026-03-02")));
        assert_eq!(f.started_on, Some(d("2026-03-09")));
        assert_eq!(f.ended_on, Some(d("2026-06-30")));
        assert_eq!(f.outcome, Outcome::Completed);
        assert_eq!(f.accept_on_time, Some(true));
        assert_eq!(f.interim_on_time, Some(false));
        assert!(
            !f.interim_missing,
            "late news is news: the case is not over its term now"
        );
        assert_eq!(f.completion_fed_back, Some(true));
        assert_eq!(f.team_id.as_deref(), Some("t"));
        assert_eq!(f.month(), Some(202603));
    }

    #[test]
    fn a_draft_is_not_counted_and_an_undecided_referral_is_late_once_its_term_passed() {
        let a = Agreements::default();
        let f = derive(&history(&[], &[], Status::Draft, &a));
        assert_eq!(f.sent_on, None);
        let events = [(Status::Requested, d("2026-03-02"))];
        let f = derive(&history(&events, &[], Status::Requested, &a));
        assert_eq!(f.accept_on_time, Some(false));
        assert_eq!(f.interim_on_time, None);
        assert!(!f.interim_missing);
        assert_eq!(f.outcome, Outcome::Open);
        // Accepted in March and no interim news by December: over its term.
        let events = [
            (Status::Requested, d("2026-03-02")),
            (Status::Accepted, d("2026-03-03")),
            (Status::InProgress, d("2026-03-09")),
        ];
        let f = derive(&history(&events, &[], Status::InProgress, &a));
        assert!(f.interim_missing);
        assert_eq!(f.interim_on_time, Some(false));
    }

    #[test]
    fn age_bands_and_referrer_codes_follow_the_standards() {
        assert_eq!(AgeBand::of_age(3), AgeBand::Baby);
        assert_eq!(AgeBand::of_age(4), AgeBand::Child);
        assert_eq!(AgeBand::of_age(17), AgeBand::Teen);
        assert_eq!(AgeBand::of_age(22), AgeBand::Young);
        assert_eq!(Verwijzer::of(OrganisationKind::Jgz).code(), "03");
        assert_eq!(Verwijzer::of(OrganisationKind::SociaalTeam).code(), "01");
        assert_eq!(age_on(d("2014-06-10"), d("2026-06-09")), 11);
        assert_eq!(age_on(d("2014-06-10"), d("2026-06-10")), 12);
    }
}
