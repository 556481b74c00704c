//! The lifecycle of a referral (verwijzing), modelled on the HL7 FHIR R4 Task states
//! used for closed-loop referrals: every status maps one to one onto a FHIR `Task.status`
//! code, and only the transitions below are allowed. Who may make which transition is
//! the policy's business, not this module's.

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
pub enum Status {
    Draft,
    Requested,
    Received,
    Accepted,
    Rejected,
    InProgress,
    OnHold,
    Completed,
    Cancelled,
    Failed,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Draft,
        Status::Requested,
        Status::Received,
        Status::Accepted,
        Status::Rejected,
        Status::InProgress,
        Status::OnHold,
        Status::Completed,
        Status::Cancelled,
        Status::Failed,
    ];

    /// The FHIR `Task.status` code, also what is stored and what the API speaks.
    pub fn code(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Requested => "requested",
            Self::Received => "received",
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::InProgress => "in-progress",
            Self::OnHold => "on-hold",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::Failed => "failed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Dutch, for pages.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "concept",
            Self::Requested => "verstuurd",
            Self::Received => "ontvangen",
            Self::Accepted => "geaccepteerd",
            Self::Rejected => "afgewezen",
            Self::InProgress => "in behandeling",
            Self::OnHold => "gepauzeerd",
            Self::Completed => "afgerond",
            Self::Cancelled => "ingetrokken",
            Self::Failed => "mislukt",
        }
    }

    /// No way out of these.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Rejected | Self::Completed | Self::Cancelled | Self::Failed
        )
    }

    /// The statuses a referral may move to from here.
    pub fn next(self) -> &'static [Status] {
        use Status::*;
        match self {
            Draft => &[Requested, Cancelled],
            Requested => &[Received, Accepted, Rejected, Cancelled],
            Received => &[Accepted, Rejected, Cancelled],
            Accepted => &[InProgress, OnHold, Cancelled],
            InProgress => &[OnHold, Completed, Failed, Cancelled],
            OnHold => &[InProgress, Failed, Cancelled],
            Rejected | Completed | Cancelled | Failed => &[],
        }
    }

    /// The button that moves a referral from `from` to here, named for what it does.
    pub fn action(self, from: Status) -> &'static str {
        match self {
            Self::Draft => "Concept",
            Self::Requested => "Versturen",
            Self::Received => "Ontvangst bevestigen",
            Self::Accepted => "Accepteren",
            Self::Rejected => "Afwijzen met reden",
            Self::InProgress if from == Self::OnHold => "Hervatten",
            Self::InProgress => "Starten",
            Self::OnHold => "Pauzeren",
            Self::Completed => "Afronden",
            Self::Cancelled => "Intrekken",
            Self::Failed => "Stoppen zonder resultaat",
        }
    }

    /// What a person reads once the move is made: "Geaccepteerd", "Verstuurd".
    pub fn done(self) -> &'static str {
        match self {
            Self::Draft => "Opgeslagen als concept",
            Self::Requested => "Verstuurd",
            Self::Received => "Ontvangst bevestigd",
            Self::Accepted => "Geaccepteerd",
            Self::Rejected => "Afgewezen",
            Self::InProgress => "Gestart",
            Self::OnHold => "Gepauzeerd",
            Self::Completed => "Afgerond",
            Self::Cancelled => "Ingetrokken",
            Self::Failed => "Gestopt zonder resultaat",
        }
    }

    /// Moving here must say why (the referrer is told).
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            Self::Rejected | Self::Cancelled | Self::Failed | Self::OnHold
        )
    }
}

/// Which side of a referral makes a move: the referrer sends and withdraws, the receiving
/// organisation does everything else (receipt, acceptance, treatment, the outcome).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Referrer,
    Receiver,
}

impl Status {
    /// The side that may move a referral to this status.
    pub fn moved_by(self) -> Side {
        match self {
            Self::Draft | Self::Requested | Self::Cancelled => Side::Referrer,
            _ => Side::Receiver,
        }
    }

    /// Waiting for the receiving organisation to take it on.
    pub fn awaits_acceptance(self) -> bool {
        matches!(self, Self::Requested | Self::Received)
    }

    /// Accepted and not yet finished: help is under way.
    pub fn is_running(self) -> bool {
        matches!(self, Self::Accepted | Self::InProgress | Self::OnHold)
    }
}

/// How soon help must start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
pub enum Urgency {
    Regulier,
    Spoed,
}

impl Urgency {
    pub const ALL: [Urgency; 2] = [Urgency::Regulier, Urgency::Spoed];

    pub fn code(self) -> &'static str {
        match self {
            Self::Regulier => "regulier",
            Self::Spoed => "spoed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|u| u.code() == code.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Regulier => "Regulier",
            Self::Spoed => "Spoed",
        }
    }
}

/// The moments the referrer hears back (terugkoppeling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
pub enum FeedbackKind {
    Accepted,
    Rejected,
    /// At the intermediate moments the agreements name, or whenever there is news.
    Interim,
    Completed,
    /// The team referred on to specialised care.
    Onward,
    /// The referral ended otherwise (failed or withdrawn).
    Ended,
    /// Help is paused; the reason is told.
    OnHold,
    /// The outcome of the specialised help the team referred on to, passed on.
    OnwardOutcome,
}

impl FeedbackKind {
    pub const ALL: [FeedbackKind; 8] = [
        Self::Accepted,
        Self::Rejected,
        Self::Interim,
        Self::Completed,
        Self::Onward,
        Self::Ended,
        Self::OnHold,
        Self::OnwardOutcome,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Interim => "interim",
            Self::Completed => "completed",
            Self::Onward => "onward",
            Self::Ended => "ended",
            Self::OnHold => "on-hold",
            Self::OnwardOutcome => "onward-outcome",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Accepted => "Geaccepteerd",
            Self::Rejected => "Afgewezen",
            Self::Interim => "Tussentijdse terugkoppeling",
            Self::Completed => "Afgerond",
            Self::Onward => "Doorverwezen",
            Self::Ended => "Beëindigd",
            Self::OnHold => "Gepauzeerd",
            Self::OnwardOutcome => "Uitkomst van de doorverwijzing",
        }
    }

    /// The feedback a move to `to` gives the referrer, if any.
    pub fn of_transition(to: Status) -> Option<Self> {
        match to {
            Status::Accepted => Some(Self::Accepted),
            Status::Rejected => Some(Self::Rejected),
            Status::Completed => Some(Self::Completed),
            Status::Failed | Status::Cancelled => Some(Self::Ended),
            Status::OnHold => Some(Self::OnHold),
            _ => None,
        }
    }
}

/// What a completed referral reports back: what help was given, by whom, what next.
/// All three are required, so that "afgerond" always tells the referrer something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub help_given: String,
    pub given_by: String,
    pub next: String,
}

impl Outcome {
    pub fn check(
        help_given: &str,
        given_by: &str,
        next: &str,
    ) -> Result<Self, Vec<crate::validate::ValidationError>> {
        use crate::validate::ValidationError;
        let mut errors = Vec::new();
        for (field, value, msg) in [
            ("hulp", help_given, "Beschrijf welke hulp er is gegeven."),
            ("door", given_by, "Vul in wie de hulp heeft gegeven."),
            (
                "vervolg",
                next,
                "Vul in wat er nu verder gebeurt (of ‘niets’).",
            ),
        ] {
            if value.trim().is_empty() || value.chars().count() > 2000 {
                errors.push(ValidationError::new(field, msg));
            }
        }
        if errors.is_empty() {
            Ok(Self {
                help_given: help_given.trim().to_owned(),
                given_by: given_by.trim().to_owned(),
                next: next.trim().to_owned(),
            })
        } else {
            Err(errors)
        }
    }

    /// The feedback text the referrer reads.
    pub fn text(&self) -> String {
        format!(
            "Gegeven hulp: {}\nDoor: {}\nVervolg: {}",
            self.help_given, self.given_by, self.next
        )
    }
}

/// Why a transition was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransitionError {
    /// Not allowed from here; these are.
    NotAllowed {
        from: Status,
        to: Status,
        allowed: Vec<Status>,
    },
    /// This move needs a reason and none was given.
    ReasonRequired(Status),
}

impl TransitionError {
    /// A Dutch sentence for pages and API messages.
    pub fn message(&self) -> String {
        match self {
            Self::NotAllowed { from, to, allowed } if allowed.is_empty() => format!(
                "Een verwijzing die {} is, kan niet meer naar ‘{}’.",
                from.label(),
                to.label()
            ),
            Self::NotAllowed { from, to, allowed } => format!(
                "Van ‘{}’ kan een verwijzing niet naar ‘{}’, wel naar: {}.",
                from.label(),
                to.label(),
                allowed
                    .iter()
                    .map(|s| format!("‘{}’", s.label()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Self::ReasonRequired(to) => {
                format!("Geef een reden op voor ‘{}’.", to.label())
            }
        }
    }
}

/// Checks one step of the lifecycle.
pub fn transition(from: Status, to: Status, reason: Option<&str>) -> Result<(), TransitionError> {
    if !from.next().contains(&to) {
        return Err(TransitionError::NotAllowed {
            from,
            to,
            allowed: from.next().to_vec(),
        });
    }
    if to.needs_reason() && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(TransitionError::ReasonRequired(to));
    }
    Ok(())
}

/// A stored status that is no status of a referral (a database changed by hand): reading
/// it fails loudly instead of passing for a draft.
#[derive(Debug, thiserror::Error)]
#[error("‘{0}’ is no status of a referral")]
pub struct UnknownStatus(pub String);

/// How the database stores a status: its FHIR code.
impl TryFrom<String> for Status {
    type Error = UnknownStatus;

    fn try_from(code: String) -> Result<Self, UnknownStatus> {
        Status::parse(&code).ok_or(UnknownStatus(code))
    }
}

/// A stored urgency that is none.
#[derive(Debug, thiserror::Error)]
#[error("‘{0}’ is no urgency")]
pub struct UnknownUrgency(pub String);

impl TryFrom<String> for Urgency {
    type Error = UnknownUrgency;

    fn try_from(code: String) -> Result<Self, UnknownUrgency> {
        // Exactly as stored: a padded value would pass the read but match no filter.
        Urgency::ALL
            .into_iter()
            .find(|u| u.code() == code)
            .ok_or(UnknownUrgency(code))
    }
}

impl From<Urgency> for String {
    fn from(u: Urgency) -> String {
        u.code().to_owned()
    }
}

impl TryFrom<String> for FeedbackKind {
    type Error = crate::role::UnknownCode;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == code)
            .ok_or(crate::role::UnknownCode {
                what: "feedback kind",
                code,
            })
    }
}

impl AsRef<str> for Status {
    fn as_ref(&self) -> &str {
        self.code()
    }
}

impl AsRef<str> for Urgency {
    fn as_ref(&self) -> &str {
        self.code()
    }
}

impl AsRef<str> for FeedbackKind {
    fn as_ref(&self) -> &str {
        self.code()
    }
}

crate::stored_as_text!(Status, Urgency, FeedbackKind);

impl From<Status> for String {
    fn from(s: Status) -> String {
        s.code().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_fhir_task_statuses_one_to_one() {
        let codes: Vec<&str> = Status::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(
            codes,
            vec![
                "draft",
                "requested",
                "received",
                "accepted",
                "rejected",
                "in-progress",
                "on-hold",
                "completed",
                "cancelled",
                "failed"
            ]
        );
        for s in Status::ALL {
            assert_eq!(Status::parse(s.code()), Some(s));
        }
        assert_eq!(Status::parse("ready"), None);
    }

    #[test]
    fn the_closed_loop_path_is_allowed() {
        use Status::*;
        let path = [
            Draft, Requested, Received, Accepted, InProgress, OnHold, InProgress, Completed,
        ];
        for w in path.windows(2) {
            let reason = w[1].needs_reason().then_some("wacht op school");
            assert_eq!(
                transition(w[0], w[1], reason),
                Ok(()),
                "{:?} → {:?}",
                w[0],
                w[1]
            );
        }
    }

    #[test]
    fn other_moves_are_refused_with_what_is_allowed() {
        use Status::*;
        let e = transition(Requested, Completed, None).unwrap_err();
        assert_eq!(
            e,
            TransitionError::NotAllowed {
                from: Requested,
                to: Completed,
                allowed: vec![Received, Accepted, Rejected, Cancelled]
            }
        );
        assert!(e.message().contains("‘ontvangen’"));
        for end in [Rejected, Completed, Cancelled, Failed] {
            assert!(end.is_final() && end.next().is_empty());
            assert!(transition(end, InProgress, Some("toch")).is_err());
        }
        // Nothing moves to draft, and nothing skips acceptance into treatment.
        for s in Status::ALL {
            assert!(!s.next().contains(&Draft));
        }
        assert!(transition(Received, InProgress, None).is_err());
    }

    #[test]
    fn a_rejection_needs_a_reason() {
        use Status::*;
        assert_eq!(
            transition(Received, Rejected, None),
            Err(TransitionError::ReasonRequired(Rejected))
        );
        assert_eq!(
            transition(Received, Rejected, Some("  ")),
            Err(TransitionError::ReasonRequired(Rejected))
        );
        assert_eq!(
            transition(Received, Rejected, Some("past niet bij ons aanbod")),
            Ok(())
        );
        assert_eq!(transition(Received, Accepted, None), Ok(()));
        assert!(
            TransitionError::ReasonRequired(Rejected)
                .message()
                .contains("reden")
        );
    }
}
