//! Case meetings (casuïstiekoverleg): a team's meeting with its agenda built from the work
//! (plans whose evaluation is due, referrals late or on hold, agreements past their
//! date) and the cases participants bring; per item the chair records the discussion in
//! short, the decisions and the actions, which land in the child's plan.
//!
//! Pure rules: what a meeting and its minutes may hold, and how a decision's actions are
//! added to a plan.

use crate::plan::{Agreement, Goal, MAX_LINE, MAX_SECTION, Plan, Status};
use crate::validate::ValidationError;
use chrono::{NaiveDate, NaiveDateTime};

/// Why an item is on the agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
    /// The plan's evaluation date is passed or near.
    Evaluation,
    /// A referral past its term, or on hold.
    Referral,
    /// Agreements of the plan past their date.
    Actions,
    /// A participant brought the case in.
    Added,
}

impl ItemKind {
    pub const ALL: [ItemKind; 4] = [Self::Evaluation, Self::Referral, Self::Actions, Self::Added];

    pub fn code(self) -> &'static str {
        match self {
            Self::Evaluation => "evaluation",
            Self::Referral => "referral",
            Self::Actions => "actions",
            Self::Added => "added",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Evaluation => "evaluatie van het plan",
            Self::Referral => "verwijzing loopt uit of staat stil",
            Self::Actions => "afspraken uit het plan te laat",
            Self::Added => "ingebracht",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code.trim())
    }
}

/// The longest meeting title and place.
pub const MAX_TITLE: usize = 200;
/// Most actions one item's decision adds.
pub const MAX_ACTIONS: usize = 10;

/// A meeting as scheduled.
pub struct Schedule<'a> {
    pub title: &'a str,
    pub starts_at: Option<NaiveDateTime>,
    pub place: &'a str,
    pub video_link: &'a str,
    pub participants: usize,
}

/// What is wrong with a meeting to schedule, in words for the organiser.
pub fn check_schedule(s: &Schedule<'_>, now: NaiveDateTime) -> Vec<ValidationError> {
    let mut errors = Vec::new();
    let title = s.title.trim();
    if title.is_empty() {
        errors.push(ValidationError::new("titel", "Geef het overleg een naam."));
    }
    if title.chars().count() > MAX_TITLE {
        errors.push(ValidationError::new(
            "titel",
            format!("De naam is te lang: houd het onder {MAX_TITLE} tekens."),
        ));
    }
    match s.starts_at {
        None => errors.push(ValidationError::new(
            "wanneer",
            "Kies de datum en het tijdstip van het overleg.",
        )),
        Some(t) if t < now - chrono::Duration::days(1) => errors.push(ValidationError::new(
            "wanneer",
            "Dit tijdstip is al voorbij. Kies een moment in de toekomst.",
        )),
        Some(t) if t > now + chrono::Duration::days(366) => errors.push(ValidationError::new(
            "wanneer",
            "Plan een overleg hoogstens een jaar vooruit.",
        )),
        Some(_) => {}
    }
    if s.place.trim().is_empty() && s.video_link.trim().is_empty() {
        errors.push(ValidationError::new(
            "plaats",
            "Noem de plaats of geef een videolink.",
        ));
    }
    if s.place.chars().count() > MAX_TITLE {
        errors.push(ValidationError::new("plaats", "De plaats is te lang."));
    }
    let link = s.video_link.trim();
    if !link.is_empty()
        && (!link.starts_with("https://")
            || link.len() > 500
            || link.contains(char::is_whitespace)
            || link.len() < "https://x.nl".len())
    {
        errors.push(ValidationError::new(
            "video",
            "Een videolink begint met https:// en heeft geen spaties.",
        ));
    }
    if s.participants == 0 {
        errors.push(ValidationError::new(
            "deelnemers",
            "Kies wie er meedoen aan het overleg.",
        ));
    }
    errors
}

/// An action a decision adds to the child's plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecidedAction {
    pub what: String,
    /// A network member (checked against those who may see the plan).
    pub owner: Option<String>,
    pub due_on: Option<NaiveDate>,
}

/// What the chair records for one item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Minutes {
    pub discussion: String,
    pub decisions: String,
    pub actions: Vec<DecidedAction>,
}

impl Minutes {
    /// Drops blank action rows and trims the texts.
    pub fn tidy(mut self) -> Self {
        self.discussion = self.discussion.trim().to_owned();
        self.decisions = self.decisions.trim().to_owned();
        for a in &mut self.actions {
            a.what = a.what.trim().to_owned();
        }
        self.actions
            .retain(|a| !a.what.is_empty() || a.owner.is_some() || a.due_on.is_some());
        self
    }

    /// What is wrong with these minutes. `owners` are the members an action may go to;
    /// `with_plan` whether the item's child has a plan the actions can land in.
    pub fn check(
        &self,
        today: NaiveDate,
        owners: &[&str],
        with_plan: bool,
    ) -> Vec<ValidationError> {
        let mut errors = Vec::new();
        if self.discussion.is_empty() && self.decisions.is_empty() && self.actions.is_empty() {
            errors.push(ValidationError::new(
                "besproken",
                "Schrijf kort op wat er besproken of besloten is.",
            ));
        }
        for (field, text) in [
            ("besproken", &self.discussion),
            ("besluiten", &self.decisions),
        ] {
            if text.chars().count() > MAX_SECTION {
                errors.push(ValidationError::new(
                    field,
                    format!("Te lang: houd het onder {MAX_SECTION} tekens."),
                ));
            }
        }
        if !self.actions.is_empty() && !with_plan {
            errors.push(ValidationError::new(
                "acties",
                "Dit kind heeft nog geen netwerk met een plan. Open eerst het netwerk; leg de besluiten nu vast zonder acties.",
            ));
        }
        if self.actions.len() > MAX_ACTIONS {
            errors.push(ValidationError::new(
                "acties",
                format!("Hoogstens {MAX_ACTIONS} acties per agendapunt."),
            ));
        }
        for (i, a) in self.actions.iter().enumerate() {
            let n = i + 1;
            if a.what.is_empty() {
                errors.push(ValidationError::new(
                    "acties",
                    format!("Actie {n}: schrijf op wat er gebeurt."),
                ));
            }
            if a.what.chars().count() > MAX_LINE {
                errors.push(ValidationError::new(
                    "acties",
                    format!("Actie {n} is te lang."),
                ));
            }
            if let Some(o) = &a.owner
                && !owners.contains(&o.as_str())
            {
                errors.push(ValidationError::new(
                    "acties",
                    format!("Actie {n}: kies iemand uit het netwerk die het plan mag zien."),
                ));
            }
            if let Some(d) = a.due_on
                && (d < today - chrono::Duration::days(31)
                    || d > today + chrono::Duration::days(730))
            {
                errors.push(ValidationError::new(
                    "acties",
                    format!("Actie {n}: de datum ligt te ver weg. Kijk het jaartal na."),
                ));
            }
        }
        errors
    }
}

/// The plan with a decision's actions added, marked as coming from the meeting: under the
/// goal `goal_key` when it is one of the plan's, else under a goal of their own named
/// after the meeting. `key` makes the new items' keys.
pub fn with_decided_actions(
    plan: &Plan,
    meeting_id: &str,
    meeting_title: &str,
    goal_key: Option<&str>,
    actions: &[DecidedAction],
    key: &mut dyn FnMut() -> String,
) -> Plan {
    let mut p = plan.clone();
    let added: Vec<Agreement> = actions
        .iter()
        .map(|a| Agreement {
            key: key(),
            what: a.what.clone(),
            owner: a.owner.clone(),
            due_on: a.due_on,
            status: Status::Open,
            not_for_parents: false,
            from_meeting: Some(meeting_id.to_owned()),
        })
        .collect();
    if added.is_empty() {
        return p;
    }
    match goal_key.and_then(|k| p.goals.iter_mut().find(|g| g.key == k)) {
        Some(g) => g.agreements.extend(added),
        None => p.goals.push(Goal {
            key: key(),
            title: format!("Afgesproken in {meeting_title}"),
            not_for_parents: false,
            agreements: added,
        }),
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn a_schedule_names_what_is_missing() {
        let now = day("2026-12-05").and_hms_opt(9, 0, 0).unwrap_or_default();
        let ok = Schedule {
            title: "Casuïstiekoverleg wijk Noord",
            starts_at: Some(now + chrono::Duration::days(3)),
            place: "Wijkcentrum",
            video_link: "",
            participants: 3,
        };
        assert!(check_schedule(&ok, now).is_empty());
        let bad = Schedule {
            title: " ",
            starts_at: Some(now - chrono::Duration::days(3)),
            place: "",
            video_link: "http://video",
            participants: 0,
        };
        let fields: Vec<&str> = check_schedule(&bad, now).iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["titel", "wanneer", "video", "deelnemers"]);
    }

    #[test]
    fn decided_actions_land_under_the_goal_or_one_of_their_own() {
        let plan = Plan {
            goals: vec![Goal {
                key: "g1".into(),
                title: "Naar school".into(),
                ..Goal::default()
            }],
            ..Plan::default()
        };
        let actions = vec![DecidedAction {
            what: "Gesprek met leerplicht".into(),
            owner: Some("m1".into()),
            due_on: None,
        }];
        let mut n = 0;
        let mut key = || {
            n += 1;
            format!("k{n}")
        };
        let p = with_decided_actions(
            &plan,
            "mt",
            "het overleg van 5 december",
            Some("g1"),
            &actions,
            &mut key,
        );
        assert_eq!(p.goals.len(), 1);
        assert_eq!(p.goals[0].agreements[0].from_meeting.as_deref(), Some("mt"));
        let p = with_decided_actions(
            &plan,
            "mt",
            "het overleg van 5 december",
            None,
            &actions,
            &mut key,
        );
        assert_eq!(p.goals.len(), 2);
        assert_eq!(
            p.goals[1].title,
            "Afgesproken in het overleg van 5 december"
        );
    }

    #[test]
    fn minutes_need_words_and_actions_need_a_plan() {
        let today = day("2026-12-05");
        assert_eq!(Minutes::default().check(today, &[], true).len(), 1);
        let m = Minutes {
            decisions: "Aanmelden bij de jeugd-ggz".into(),
            actions: vec![DecidedAction {
                what: "Aanmelden".into(),
                owner: Some("iemand".into()),
                due_on: Some(day("2030-01-01")),
            }],
            ..Minutes::default()
        };
        let errors = m.check(today, &["m1"], false);
        assert_eq!(errors.len(), 3, "{errors:?}");
    }
}
