//! The lifecycle of a referral (verwijzing), modelled on the HL7 FHIR R4 Task states
//! used for closed-loop referrals: every status maps one to one onto a FHIR `Task.status`
//! code, and only the transitions below are allowed. Who may make which transition is
//! the policy's business, not this module's.

/// Where a referral stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

    /// Moving here must say why (the referrer is told).
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            Self::Rejected | Self::Cancelled | Self::Failed | Self::OnHold
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
