//! The family plan (gezinsplan, 1Gezin1Plan): one plan per child's network, in the
//! family's words, with goals and per goal the agreements (who does what by when). Each
//! save is a new version kept whole; the family agrees to a version or comments on it.
//!
//! Pure rules: what a plan may hold (`check`), what the parents see when the youth keeps
//! items from them (`for_parents`), and how two versions differ (`compare`). Items keep
//! their `key` from version to version, so a change reads as a change, not as one item
//! removed and another added.

use crate::validate::ValidationError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Longest free text of a section (situation, strengths, concerns).
pub const MAX_SECTION: usize = 4000;
/// Longest goal title and agreement text.
pub const MAX_LINE: usize = 500;
/// Most goals in a plan, and agreements per goal: more is no longer a plan a family
/// can keep in mind.
pub const MAX_GOALS: usize = 15;
pub const MAX_AGREEMENTS: usize = 15;
pub const MAX_TREATMENT_PLANS: usize = 15;

/// One version of the plan, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Plan {
    /// How it goes, in the family's own words.
    pub situation: String,
    /// What goes well: what the family and those around it can build on.
    pub strengths: String,
    /// What worries the family or the professionals.
    pub concerns: String,
    pub goals: Vec<Goal>,
    /// When the plan as a whole is looked at again with the family.
    pub evaluation_on: Option<NaiveDate>,
    /// Providers' own treatment plans, linked by name and date (never copied).
    pub treatment_plans: Vec<TreatmentPlan>,
}

/// What the family wants to reach.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Goal {
    pub key: String,
    pub title: String,
    /// Kept from the parents at the youth's request (12 or over).
    pub not_for_parents: bool,
    pub agreements: Vec<Agreement>,
}

/// Who does what by when.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Agreement {
    pub key: String,
    pub what: String,
    /// The network member who does it (a professional, a parent, the youth).
    pub owner: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub status: Status,
    pub not_for_parents: bool,
    /// The case meeting whose decision added it, when one did.
    pub from_meeting: Option<String>,
}

/// A provider's own treatment plan that this plan refers to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TreatmentPlan {
    pub key: String,
    /// Who keeps it (an organisation's name, as the sociale kaart has it).
    pub provider: String,
    pub name: String,
    pub dated: Option<NaiveDate>,
}

/// Where an agreement stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Open,
    Busy,
    Done,
    Dropped,
}

impl Status {
    pub const ALL: [Status; 4] = [Self::Open, Self::Busy, Self::Done, Self::Dropped];

    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Busy => "busy",
            Self::Done => "done",
            Self::Dropped => "dropped",
        }
    }

    /// In words a family reads (B1).
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "nog doen",
            Self::Busy => "bezig",
            Self::Done => "gedaan",
            Self::Dropped => "gestopt",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code.trim())
    }

    /// Still to be done: it can come due and be late.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Open | Self::Busy)
    }
}

/// The limits a plan's dates keep to, relative to today: agreements are not set in the
/// far past or future (a typo of the year), an evaluation within three years.
fn date_ok(d: NaiveDate, today: NaiveDate, years_back: i64, years_ahead: i64) -> bool {
    d >= today - chrono::Duration::days(365 * years_back)
        && d <= today + chrono::Duration::days(365 * years_ahead)
}

impl Plan {
    /// Drops what was left empty (a blank goal row, a blank agreement row of the form)
    /// and trims the texts.
    pub fn tidy(mut self) -> Self {
        self.situation = self.situation.trim().to_owned();
        self.strengths = self.strengths.trim().to_owned();
        self.concerns = self.concerns.trim().to_owned();
        for g in &mut self.goals {
            g.title = g.title.trim().to_owned();
            for a in &mut g.agreements {
                a.what = a.what.trim().to_owned();
            }
            g.agreements
                .retain(|a| !a.what.is_empty() || a.owner.is_some() || a.due_on.is_some());
        }
        self.goals
            .retain(|g| !g.title.is_empty() || !g.agreements.is_empty());
        for t in &mut self.treatment_plans {
            t.provider = t.provider.trim().to_owned();
            t.name = t.name.trim().to_owned();
        }
        self.treatment_plans
            .retain(|t| !t.provider.is_empty() || !t.name.is_empty() || t.dated.is_some());
        self
    }

    /// Gives items written without a key (a client that does not keep them) the key of
    /// the earlier version's item with the same text, so an unchanged item does not read
    /// as one removed and another added.
    pub fn adopt_keys(&mut self, previous: &Plan) {
        let mut taken: Vec<String> = self
            .goals
            .iter()
            .map(|g| g.key.clone())
            .chain(self.agreements().map(|(_, a)| a.key.clone()))
            .chain(self.treatment_plans.iter().map(|t| t.key.clone()))
            .filter(|k| !k.is_empty())
            .collect();
        let mut adopt = |key: &mut String, found: Option<&String>| {
            if let Some(k) = found.filter(|k| key.is_empty() && !taken.contains(k)) {
                taken.push(k.clone());
                *key = k.clone();
            }
        };
        for g in &mut self.goals {
            let was = previous.goals.iter().find(|p| p.title == g.title);
            adopt(&mut g.key, was.map(|p| &p.key));
            for a in &mut g.agreements {
                let was = previous.agreements().find(|(_, p)| p.what == a.what);
                adopt(&mut a.key, was.map(|(_, p)| &p.key));
            }
        }
        for t in &mut self.treatment_plans {
            let was = previous
                .treatment_plans
                .iter()
                .find(|p| p.provider == t.provider && p.name == t.name);
            adopt(&mut t.key, was.map(|p| &p.key));
        }
    }

    /// What is wrong with this plan, in words for the person writing it. `members` are
    /// the ids an agreement's owner may be; `keeps_from_parents` whether items may be
    /// kept from the parents (the child is 12 or over).
    pub fn check(
        &self,
        today: NaiveDate,
        members: &[&str],
        keeps_from_parents: bool,
    ) -> Vec<ValidationError> {
        let mut errors = Vec::new();
        let mut err = |field: &'static str, m: String| errors.push(ValidationError::new(field, m));
        for (field, label, text) in [
            ("situatie", "De situatie", &self.situation),
            ("sterk", "Wat goed gaat", &self.strengths),
            ("zorgen", "De zorgen", &self.concerns),
        ] {
            if text.chars().count() > MAX_SECTION {
                err(
                    field,
                    format!("{label} is te lang: houd het onder {MAX_SECTION} tekens."),
                );
            }
        }
        if self.goals.len() > MAX_GOALS {
            err(
                "doelen",
                format!("Een plan heeft hoogstens {MAX_GOALS} doelen. Voeg doelen samen."),
            );
        }
        for (i, g) in self.goals.iter().enumerate() {
            let n = i + 1;
            if g.title.is_empty() {
                err(
                    "doelen",
                    format!("Doel {n} heeft afspraken maar geen omschrijving."),
                );
            }
            if g.title.chars().count() > MAX_LINE {
                err(
                    "doelen",
                    format!("Doel {n} is te lang: houd het onder {MAX_LINE} tekens."),
                );
            }
            if g.not_for_parents && !keeps_from_parents {
                err(
                    "doelen",
                    "Iets verbergen voor de ouders kan pas als het kind 12 is.".into(),
                );
            }
            if g.agreements.len() > MAX_AGREEMENTS {
                err(
                    "doelen",
                    format!("Doel {n} heeft meer dan {MAX_AGREEMENTS} afspraken."),
                );
            }
            for (j, a) in g.agreements.iter().enumerate() {
                let at = format!("Afspraak {} bij doel {n}", j + 1);
                if a.what.is_empty() {
                    err("doelen", format!("{at}: schrijf op wat er gebeurt."));
                }
                if a.what.chars().count() > MAX_LINE {
                    err(
                        "doelen",
                        format!("{at} is te lang: houd het onder {MAX_LINE} tekens."),
                    );
                }
                if let Some(o) = &a.owner
                    && !members.contains(&o.as_str())
                {
                    err(
                        "doelen",
                        format!(
                            "{at}: kies iemand uit het netwerk die het plan mag zien, of laat 'wie' leeg."
                        ),
                    );
                }
                if let Some(d) = a.due_on
                    && !date_ok(d, today, 5, 5)
                {
                    err(
                        "doelen",
                        format!("{at}: de datum ligt te ver weg. Kijk het jaartal na."),
                    );
                }
                if a.not_for_parents && !keeps_from_parents {
                    err(
                        "doelen",
                        "Iets verbergen voor de ouders kan pas als het kind 12 is.".into(),
                    );
                }
            }
        }
        if let Some(d) = self.evaluation_on
            && !date_ok(d, today, 1, 3)
        {
            err(
                "evaluatie",
                "Kies een evaluatiedatum binnen drie jaar. Kijk het jaartal na.".into(),
            );
        }
        if self.treatment_plans.len() > MAX_TREATMENT_PLANS {
            err(
                "behandelplannen",
                format!("Noem hoogstens {MAX_TREATMENT_PLANS} behandelplannen."),
            );
        }
        for (i, t) in self.treatment_plans.iter().enumerate() {
            if t.provider.is_empty() || t.name.is_empty() {
                err(
                    "behandelplannen",
                    format!(
                        "Behandelplan {}: noem de aanbieder en de naam van het plan.",
                        i + 1
                    ),
                );
            }
            if t.provider.chars().count() > MAX_LINE || t.name.chars().count() > MAX_LINE {
                err(
                    "behandelplannen",
                    format!("Behandelplan {} is te lang beschreven.", i + 1),
                );
            }
        }
        errors.dedup_by(|a, b| a.message == b.message);
        errors
    }

    /// The plan as the parents see it while the youth keeps items from them: goals and
    /// agreements marked not for the parents are left out.
    pub fn for_parents(&self) -> Plan {
        let mut p = self.clone();
        p.goals.retain(|g| !g.not_for_parents);
        for g in &mut p.goals {
            g.agreements.retain(|a| !a.not_for_parents);
        }
        p
    }

    /// Whether anything in it is kept from the parents.
    pub fn keeps_anything(&self) -> bool {
        self.goals
            .iter()
            .any(|g| g.not_for_parents || g.agreements.iter().any(|a| a.not_for_parents))
    }

    /// Every agreement with its goal.
    pub fn agreements(&self) -> impl Iterator<Item = (&Goal, &Agreement)> {
        self.goals
            .iter()
            .flat_map(|g| g.agreements.iter().map(move |a| (g, a)))
    }

    /// Carries the items kept from the parents over from `previous` into a plan the
    /// parents wrote (who never saw them), so their save removes nothing they could
    /// not see.
    pub fn keep_hidden_from(mut self, previous: &Plan) -> Plan {
        for (i, g) in previous.goals.iter().enumerate() {
            if g.not_for_parents {
                let at = i.min(self.goals.len());
                self.goals.insert(at, g.clone());
                continue;
            }
            if let Some(mine) = self.goals.iter_mut().find(|m| m.key == g.key) {
                for (j, a) in g.agreements.iter().enumerate() {
                    if a.not_for_parents {
                        let at = j.min(mine.agreements.len());
                        mine.agreements.insert(at, a.clone());
                    }
                }
            }
        }
        self
    }
}

/// One row of a side-by-side view of two versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// What the row is about: "Situatie", "Doel", "Afspraak", "Evaluatie" …
    pub part: &'static str,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Row {
    pub fn changed(&self) -> bool {
        self.before != self.after
    }

    /// In words: "nieuw", "weg", "gewijzigd", or "" when equal.
    pub fn change(&self) -> &'static str {
        match (&self.before, &self.after) {
            (None, Some(_)) => "nieuw",
            (Some(_), None) => "weg",
            (a, b) if a != b => "gewijzigd",
            _ => "",
        }
    }
}

/// An agreement in one line: "Eva belt de school — Eva de Vries, uiterlijk 12 januari
/// 2027 (nog doen)". `name` names a member, `date` writes a date in Dutch.
pub fn agreement_line(
    a: &Agreement,
    name: &dyn Fn(&str) -> String,
    date: &dyn Fn(NaiveDate) -> String,
) -> String {
    let mut s = a.what.clone();
    let mut extra = Vec::new();
    if let Some(o) = &a.owner {
        extra.push(name(o));
    }
    if let Some(d) = a.due_on {
        extra.push(format!("uiterlijk {}", date(d)));
    }
    if !extra.is_empty() {
        s.push_str(" — ");
        s.push_str(&extra.join(", "));
    }
    s.push_str(&format!(" ({})", a.status.label()));
    s
}

/// Two versions side by side, item by item (items matched on their key): every section,
/// goal, agreement and treatment plan of either version, in the newer one's order with
/// what was removed after it.
pub fn compare(
    old: &Plan,
    new: &Plan,
    name: &dyn Fn(&str) -> String,
    date: &dyn Fn(NaiveDate) -> String,
) -> Vec<Row> {
    let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let mut rows = vec![
        Row {
            part: "Situatie",
            before: text(&old.situation),
            after: text(&new.situation),
        },
        Row {
            part: "Wat goed gaat",
            before: text(&old.strengths),
            after: text(&new.strengths),
        },
        Row {
            part: "Zorgen",
            before: text(&old.concerns),
            after: text(&new.concerns),
        },
    ];
    let goal_line = |g: &Goal| g.title.clone();
    for g in &new.goals {
        let before = old.goals.iter().find(|o| o.key == g.key);
        rows.push(Row {
            part: "Doel",
            before: before.map(goal_line),
            after: Some(goal_line(g)),
        });
        for a in &g.agreements {
            let was = old
                .agreements()
                .find(|(_, o)| o.key == a.key)
                .map(|(_, o)| agreement_line(o, name, date));
            rows.push(Row {
                part: "Afspraak",
                before: was,
                after: Some(agreement_line(a, name, date)),
            });
        }
        if let Some(b) = before {
            for a in b
                .agreements
                .iter()
                .filter(|a| !new.agreements().any(|(_, n)| n.key == a.key))
            {
                rows.push(Row {
                    part: "Afspraak",
                    before: Some(agreement_line(a, name, date)),
                    after: None,
                });
            }
        }
    }
    for g in old
        .goals
        .iter()
        .filter(|g| !new.goals.iter().any(|n| n.key == g.key))
    {
        rows.push(Row {
            part: "Doel",
            before: Some(goal_line(g)),
            after: None,
        });
        for a in g
            .agreements
            .iter()
            .filter(|a| !new.agreements().any(|(_, n)| n.key == a.key))
        {
            rows.push(Row {
                part: "Afspraak",
                before: Some(agreement_line(a, name, date)),
                after: None,
            });
        }
    }
    let tp = |t: &TreatmentPlan| {
        let mut s = format!("{}: {}", t.provider, t.name);
        if let Some(d) = t.dated {
            s.push_str(&format!(" ({})", date(d)));
        }
        s
    };
    for t in &new.treatment_plans {
        rows.push(Row {
            part: "Behandelplan",
            before: old.treatment_plans.iter().find(|o| o.key == t.key).map(tp),
            after: Some(tp(t)),
        });
    }
    for t in old
        .treatment_plans
        .iter()
        .filter(|o| !new.treatment_plans.iter().any(|n| n.key == o.key))
    {
        rows.push(Row {
            part: "Behandelplan",
            before: Some(tp(t)),
            after: None,
        });
    }
    rows.push(Row {
        part: "Evaluatie",
        before: old.evaluation_on.map(date),
        after: new.evaluation_on.map(date),
    });
    rows.retain(|r| r.before.is_some() || r.after.is_some());
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn agreement(key: &str, what: &str, owner: Option<&str>) -> Agreement {
        Agreement {
            key: key.into(),
            what: what.into(),
            owner: owner.map(Into::into),
            due_on: Some(day("2027-01-15")),
            ..Agreement::default()
        }
    }

    fn plan() -> Plan {
        Plan {
            situation: "Het gaat thuis beter.".into(),
            goals: vec![
                Goal {
                    key: "g1".into(),
                    title: "Sem gaat weer elke dag naar school".into(),
                    agreements: vec![
                        agreement("a1", "Eva belt de mentor", Some("eva")),
                        agreement("a2", "Sem praat met de jongerencoach", Some("sem")),
                    ],
                    ..Goal::default()
                },
                Goal {
                    key: "g2".into(),
                    title: "Sem praat over zijn vriend".into(),
                    not_for_parents: true,
                    agreements: vec![agreement("a3", "Gesprek met coach", Some("sem"))],
                },
            ],
            evaluation_on: Some(day("2027-03-01")),
            ..Plan::default()
        }
    }

    fn names(id: &str) -> String {
        match id {
            "eva" => "Eva".into(),
            "sem" => "Sem".into(),
            _ => "?".into(),
        }
    }

    fn date(d: NaiveDate) -> String {
        d.format("%d-%m-%Y").to_string()
    }

    #[test]
    fn parents_do_not_see_what_the_youth_keeps_from_them() {
        let mut p = plan();
        p.goals[0].agreements[1].not_for_parents = true;
        let seen = p.for_parents();
        assert_eq!(seen.goals.len(), 1);
        assert_eq!(seen.goals[0].agreements.len(), 1);
        assert_eq!(seen.goals[0].agreements[0].what, "Eva belt de mentor");
        assert!(p.keeps_anything());
        assert!(!seen.keeps_anything());
    }

    #[test]
    fn a_parents_save_keeps_what_they_could_not_see() {
        let mut p = plan();
        p.goals[0].agreements[1].not_for_parents = true;
        let mut theirs = p.for_parents();
        theirs.situation = "In onze woorden: het gaat beter.".into();
        let saved = theirs.keep_hidden_from(&p);
        assert_eq!(saved.goals.len(), 2);
        assert_eq!(saved.goals[1].key, "g2");
        assert_eq!(saved.goals[0].agreements.len(), 2);
        assert_eq!(saved.goals[0].agreements[1].key, "a2");
        assert_eq!(saved.situation, "In onze woorden: het gaat beter.");
    }

    #[test]
    fn check_names_each_problem_in_words() {
        let today = day("2026-12-05");
        assert!(plan().check(today, &["eva", "sem"], true).is_empty());
        // An owner outside the network, a date in the wrong century, a hidden goal for a
        // child under 12.
        let mut p = plan();
        p.goals[0].agreements[0].owner = Some("someone-else".into());
        p.goals[0].agreements[1].due_on = Some(day("2206-01-01"));
        let errors = p.check(today, &["eva", "sem"], false);
        let text: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert!(
            text.iter()
                .any(|m| m.contains("kies iemand uit het netwerk"))
        );
        assert!(text.iter().any(|m| m.contains("Kijk het jaartal na")));
        assert!(text.iter().any(|m| m.contains("pas als het kind 12 is")));
        let mut long = plan();
        long.situation = "x".repeat(MAX_SECTION + 1);
        assert_eq!(long.check(today, &["eva", "sem"], true).len(), 1);
    }

    #[test]
    fn items_without_a_key_take_the_key_of_the_same_text() {
        let old = plan();
        let mut new = plan();
        new.goals[0].key.clear();
        new.goals[0].agreements[0].key.clear();
        new.goals[1].agreements[0].what = "Iets anders".into();
        new.goals[1].agreements[0].key.clear();
        new.adopt_keys(&old);
        assert_eq!(new.goals[0].key, "g1");
        assert_eq!(new.goals[0].agreements[0].key, "a1");
        assert_eq!(
            new.goals[1].agreements[0].key, "",
            "a changed text is a new item"
        );
    }

    #[test]
    fn tidy_drops_the_forms_blank_rows() {
        let mut p = plan();
        p.goals.push(Goal::default());
        p.goals[0].agreements.push(Agreement::default());
        p.treatment_plans.push(TreatmentPlan::default());
        let t = p.tidy();
        assert_eq!(t.goals.len(), 2);
        assert_eq!(t.goals[0].agreements.len(), 2);
        assert!(t.treatment_plans.is_empty());
    }

    #[test]
    fn compare_shows_a_change_as_a_change_and_keeps_removed_items() {
        let old = plan();
        let mut new = plan();
        new.goals[0].agreements[0].status = Status::Done;
        new.goals[0].agreements.remove(1);
        new.goals.push(Goal {
            key: "g3".into(),
            title: "Rust in huis".into(),
            ..Goal::default()
        });
        let rows = compare(&old, &new, &names, &date);
        let changed: Vec<(&str, &str)> = rows
            .iter()
            .filter(|r| r.changed())
            .map(|r| (r.part, r.change()))
            .collect();
        assert_eq!(
            changed,
            vec![
                ("Afspraak", "gewijzigd"),
                ("Afspraak", "weg"),
                ("Doel", "nieuw"),
            ]
        );
        let done = rows.iter().find(|r| r.change() == "gewijzigd").unwrap();
        assert_eq!(
            done.after.as_deref(),
            Some("Eva belt de mentor — Eva, uiterlijk 15-01-2027 (gedaan)")
        );
        assert!(
            compare(&old, &old, &names, &date)
                .iter()
                .all(|r| !r.changed())
        );
    }
}
