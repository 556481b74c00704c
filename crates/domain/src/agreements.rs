//! The referral agreements (verwijskader) of a municipality as data: the terms for
//! answering a consultation, for accepting a referral and for each feedback moment;
//! which problem areas and urgencies a GP first brings to the social team; and who is
//! informed at which step. A municipality keeps versions, each with the date it takes
//! effect; a referral keeps the version in force on the day it was made.

use crate::catalogue::{PROBLEM_AREAS, parse_areas};
use crate::referral::Urgency;
use crate::validate::ValidationError;

/// A step in the life of a referral at which people are informed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    Accepted,
    Rejected,
    Interim,
    Onward,
    /// The specialised help the team referred on to has ended. Where the referrer is
    /// informed of this step, the outcome goes to them as soon as the provider writes it;
    /// otherwise the case director reads it first and passes it on.
    OnwardOutcome,
    Completed,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Self::Accepted,
        Self::Rejected,
        Self::Interim,
        Self::Onward,
        Self::OnwardOutcome,
        Self::Completed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Interim => "interim",
            Self::Onward => "onward",
            Self::OnwardOutcome => "onward_outcome",
            Self::Completed => "completed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Accepted => "Acceptatie",
            Self::Rejected => "Afwijzing",
            Self::Interim => "Tussentijdse terugkoppeling",
            Self::Onward => "Doorverwijzing naar specialistische hulp",
            Self::OnwardOutcome => "Uitkomst van de doorverwijzing",
            Self::Completed => "Afronding",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code.trim())
    }
}

/// Who may be informed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Recipient {
    /// The referrer, and the GP on whose behalf a POH referred.
    Referrer,
    /// The POH-jeugd of the referring practice.
    Poh,
    CaseDirector,
    /// The school named in the referral.
    School,
    /// Youth health care (JGZ) of the child's municipality.
    Jgz,
}

impl Recipient {
    pub const ALL: [Recipient; 5] = [
        Self::Referrer,
        Self::Poh,
        Self::CaseDirector,
        Self::School,
        Self::Jgz,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Referrer => "referrer",
            Self::Poh => "poh",
            Self::CaseDirector => "case_director",
            Self::School => "school",
            Self::Jgz => "jgz",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Referrer => "verwijzer",
            Self::Poh => "POH-jeugd",
            Self::CaseDirector => "casusregisseur",
            Self::School => "school",
            Self::Jgz => "JGZ",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code.trim())
    }
}

/// One version of a municipality's agreements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreements {
    /// Working days for the team to answer a consultation.
    pub consultation_days: u32,
    /// Working days to accept or reject a regular referral.
    pub accept_days: u32,
    /// Working days to accept or reject an urgent one.
    pub urgent_accept_days: u32,
    /// Interim feedback moments, in working days after acceptance, ascending.
    pub feedback_days: Vec<u32>,
    /// Problem areas a GP brings to the social team before a specialised service.
    pub team_first_areas: Vec<&'static str>,
    /// Urgencies for which the same holds.
    pub team_first_urgencies: Vec<Urgency>,
    /// Who is informed at each step.
    pub inform: Vec<(Step, Vec<Recipient>)>,
}

impl Default for Agreements {
    /// What applies while a municipality has set nothing: the terms most Dutch
    /// municipalities use in their covenants with GPs.
    fn default() -> Self {
        Self {
            consultation_days: 2,
            accept_days: 5,
            urgent_accept_days: 1,
            feedback_days: vec![30],
            team_first_areas: vec!["opvoeding", "gedrag", "school", "financien"],
            team_first_urgencies: vec![Urgency::Regulier],
            inform: vec![
                (Step::Accepted, vec![Recipient::Referrer, Recipient::Poh]),
                (Step::Rejected, vec![Recipient::Referrer, Recipient::Poh]),
                (Step::Interim, vec![Recipient::Referrer]),
                (
                    Step::Onward,
                    vec![Recipient::Referrer, Recipient::CaseDirector],
                ),
                (
                    Step::OnwardOutcome,
                    vec![Recipient::Referrer, Recipient::CaseDirector],
                ),
                (
                    Step::Completed,
                    vec![Recipient::Referrer, Recipient::Poh, Recipient::Jgz],
                ),
            ],
        }
    }
}

const MAX_DAYS: u32 = 260;

impl Agreements {
    /// Whether the outcome of onward help goes to the referrer at once (or waits for the
    /// case director to pass it on).
    pub fn forwards_onward_outcome(&self) -> bool {
        self.informs(Step::OnwardOutcome)
            .contains(&Recipient::Referrer)
    }

    /// Who is informed at `step`.
    pub fn informs(&self, step: Step) -> &[Recipient] {
        self.inform
            .iter()
            .find(|(s, _)| *s == step)
            .map(|(_, r)| r.as_slice())
            .unwrap_or(&[])
    }

    /// Whether the agreements ask a GP to bring this to the social team before referring
    /// to a specialised service. It advises; the GP's right to refer stays.
    pub fn team_first(&self, areas: &[&str], urgency: Urgency) -> bool {
        self.team_first_urgencies.contains(&urgency)
            && areas.iter().any(|a| self.team_first_areas.contains(a))
    }

    pub fn accept_days_for(&self, urgency: Urgency) -> u32 {
        match urgency {
            Urgency::Regulier => self.accept_days,
            Urgency::Spoed => self.urgent_accept_days,
        }
    }

    /// The stored form of `inform`: `accepted=referrer,poh;completed=referrer`.
    pub fn inform_code(&self) -> String {
        self.inform
            .iter()
            .map(|(s, r)| {
                format!(
                    "{}={}",
                    s.code(),
                    r.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
                )
            })
            .collect::<Vec<_>>()
            .join(";")
    }

    pub fn parse_inform(stored: &str) -> Vec<(Step, Vec<Recipient>)> {
        Step::ALL
            .into_iter()
            .map(|step| {
                let recipients = stored
                    .split(';')
                    .filter_map(|part| part.split_once('='))
                    .filter(|(s, _)| Step::parse(s) == Some(step))
                    .flat_map(|(_, r)| r.split(',').filter_map(Recipient::parse))
                    .collect();
                (step, recipients)
            })
            .collect()
    }

    pub fn feedback_days_code(&self) -> String {
        join_numbers(&self.feedback_days)
    }

    pub fn urgencies_code(&self) -> String {
        self.team_first_urgencies
            .iter()
            .map(|u| u.code())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Rebuilds agreements from their stored columns (trusted: they were checked when
    /// written; anything unreadable is dropped).
    pub fn from_stored(
        consultation_days: i32,
        accept_days: i32,
        urgent_accept_days: i32,
        feedback_days: &str,
        team_first_areas: &str,
        team_first_urgencies: &str,
        inform: &str,
    ) -> Self {
        let days = |d: i32| u32::try_from(d).unwrap_or(0).min(MAX_DAYS);
        Self {
            consultation_days: days(consultation_days),
            accept_days: days(accept_days),
            urgent_accept_days: days(urgent_accept_days),
            feedback_days: parse_numbers(feedback_days).unwrap_or_default(),
            team_first_areas: parse_areas(team_first_areas),
            team_first_urgencies: team_first_urgencies
                .split(',')
                .filter_map(Urgency::parse)
                .collect(),
            inform: Self::parse_inform(inform),
        }
    }

    /// Checks what an admin typed; every problem is named with its field.
    pub fn check(input: &AgreementsInput) -> Result<Self, Vec<ValidationError>> {
        let mut errors = Vec::new();
        let mut days = |field: &'static str, text: &str, min: u32| -> u32 {
            match text.trim().parse::<u32>() {
                Ok(n) if (min..=MAX_DAYS).contains(&n) => n,
                _ => {
                    errors.push(ValidationError::new(
                        field,
                        format!("Vul een aantal werkdagen in van {min} tot en met {MAX_DAYS}."),
                    ));
                    0
                }
            }
        };
        let consultation_days = days("termijn_overleg", &input.consultation_days, 1);
        let accept_days = days("termijn_acceptatie", &input.accept_days, 1);
        let urgent_accept_days = days("termijn_spoed", &input.urgent_accept_days, 0);
        let feedback_days = match parse_numbers(&input.feedback_days) {
            Some(list) if list.iter().all(|d| (1..=MAX_DAYS).contains(d)) && list.len() <= 12 => {
                list
            }
            _ => {
                errors.push(ValidationError::new(
                    "terugkoppelmomenten",
                    "Vul werkdagen na acceptatie in, gescheiden door komma’s (bijvoorbeeld 20, 60), of laat het leeg.",
                ));
                vec![]
            }
        };
        if urgent_accept_days > accept_days && errors.is_empty() {
            errors.push(ValidationError::new(
                "termijn_spoed",
                "De termijn voor spoed kan niet langer zijn dan de gewone termijn.",
            ));
        }
        let mut team_first_areas = Vec::new();
        for a in &input.team_first_areas {
            match PROBLEM_AREAS.iter().find(|(c, _)| c == a) {
                Some((c, _)) => team_first_areas.push(*c),
                None => errors.push(ValidationError::new(
                    "eerst_team",
                    "Kies probleemgebieden uit de lijst.",
                )),
            }
        }
        let mut team_first_urgencies = Vec::new();
        for u in &input.team_first_urgencies {
            match Urgency::parse(u) {
                Some(u) => team_first_urgencies.push(u),
                None => errors.push(ValidationError::new(
                    "eerst_team_urgentie",
                    "Kies regulier of spoed.",
                )),
            }
        }
        let mut inform: Vec<(Step, Vec<Recipient>)> =
            Step::ALL.into_iter().map(|s| (s, vec![])).collect();
        for pair in &input.inform {
            let parsed = pair
                .split_once(':')
                .and_then(|(s, r)| Some((Step::parse(s)?, Recipient::parse(r)?)));
            match parsed {
                Some((s, r)) => {
                    if let Some((_, list)) = inform.iter_mut().find(|(st, _)| *st == s)
                        && !list.contains(&r)
                    {
                        list.push(r);
                    }
                }
                None => errors.push(ValidationError::new(
                    "informeren",
                    "Kies wie bij welke stap wordt geïnformeerd uit de tabel.",
                )),
            }
        }
        if !inform
            .iter()
            .any(|(s, r)| *s == Step::Completed && r.contains(&Recipient::Referrer))
        {
            errors.push(ValidationError::new(
                "informeren",
                "De verwijzer hoort altijd de afronding: zonder die terugkoppeling is de cirkel niet rond.",
            ));
        }
        if errors.is_empty() {
            Ok(Self {
                consultation_days,
                accept_days,
                urgent_accept_days,
                feedback_days,
                team_first_areas,
                team_first_urgencies,
                inform,
            })
        } else {
            Err(errors)
        }
    }

    /// The form's values for these agreements (to start a new version from).
    pub fn to_input(&self) -> AgreementsInput {
        AgreementsInput {
            consultation_days: self.consultation_days.to_string(),
            accept_days: self.accept_days.to_string(),
            urgent_accept_days: self.urgent_accept_days.to_string(),
            feedback_days: self
                .feedback_days
                .iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            team_first_areas: self
                .team_first_areas
                .iter()
                .map(|a| a.to_string())
                .collect(),
            team_first_urgencies: self
                .team_first_urgencies
                .iter()
                .map(|u| u.code().to_owned())
                .collect(),
            inform: self
                .inform
                .iter()
                .flat_map(|(s, rs)| rs.iter().map(move |r| format!("{}:{}", s.code(), r.code())))
                .collect(),
        }
    }
}

/// The agreements as typed in the form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgreementsInput {
    pub consultation_days: String,
    pub accept_days: String,
    pub urgent_accept_days: String,
    pub feedback_days: String,
    pub team_first_areas: Vec<String>,
    pub team_first_urgencies: Vec<String>,
    /// `step:recipient` pairs, one per ticked box.
    pub inform: Vec<String>,
}

fn parse_numbers(text: &str) -> Option<Vec<u32>> {
    let mut out = Vec::new();
    for part in text.split([',', ';', ' ']).filter(|p| !p.trim().is_empty()) {
        out.push(part.trim().parse::<u32>().ok()?);
    }
    out.sort_unstable();
    out.dedup();
    Some(out)
}

fn join_numbers(list: &[u32]) -> String {
    list.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_through_the_form_and_storage() {
        let d = Agreements::default();
        assert_eq!(Agreements::check(&d.to_input()), Ok(d.clone()));
        let stored = Agreements::from_stored(
            2,
            5,
            1,
            &d.feedback_days_code(),
            &d.team_first_areas.join(","),
            &d.urgencies_code(),
            &d.inform_code(),
        );
        assert_eq!(stored, d);
    }

    #[test]
    fn team_first_needs_both_a_listed_area_and_urgency() {
        let d = Agreements::default();
        assert!(d.team_first(&["gedrag"], Urgency::Regulier));
        assert!(!d.team_first(&["gedrag"], Urgency::Spoed));
        assert!(!d.team_first(&["psychisch"], Urgency::Regulier));
        assert_eq!(d.accept_days_for(Urgency::Spoed), 1);
    }

    #[test]
    fn bad_input_names_each_field() {
        let mut i = Agreements::default().to_input();
        i.consultation_days = "twee".into();
        i.feedback_days = "20, veel".into();
        i.team_first_areas.push("astrologie".into());
        i.inform.retain(|p| p != "completed:referrer");
        i.inform.push("later:iedereen".into());
        let errors = Agreements::check(&i).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        for f in [
            "termijn_overleg",
            "terugkoppelmomenten",
            "eerst_team",
            "informeren",
        ] {
            assert!(fields.contains(&f), "{f} missing in {fields:?}");
        }
        assert!(
            errors
                .iter()
                .any(|e| e.message.contains("cirkel niet rond"))
        );
    }

    #[test]
    fn urgent_term_cannot_exceed_the_regular_one() {
        let mut i = Agreements::default().to_input();
        i.urgent_accept_days = "9".into();
        let errors = Agreements::check(&i).unwrap_err();
        assert_eq!(errors[0].field, "termijn_spoed");
    }

    #[test]
    fn feedback_moments_are_sorted_and_deduplicated() {
        let mut i = Agreements::default().to_input();
        i.feedback_days = "60, 20 20".into();
        assert_eq!(
            Agreements::check(&i).map(|a| a.feedback_days),
            Ok(vec![20, 60])
        );
        i.feedback_days = String::new();
        assert_eq!(Agreements::check(&i).map(|a| a.feedback_days), Ok(vec![]));
    }
}
