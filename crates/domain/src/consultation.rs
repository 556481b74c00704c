//! Consultation (overleg): a GP or POH asks the social team linked to the practice a
//! question, anonymously. The rules here: where a question stands, and that an anonymous
//! question carries no BSN.

use crate::validate::bsn_is_valid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// In the team's queue, nobody has it yet.
    Open,
    /// A consultant has it.
    PickedUp,
    /// The team answered; the asker may reply or close it.
    Answered,
    Closed,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Open,
        Status::PickedUp,
        Status::Answered,
        Status::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::PickedUp => "picked_up",
            Self::Answered => "answered",
            Self::Closed => "closed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "nieuw",
            Self::PickedUp => "opgepakt",
            Self::Answered => "beantwoord",
            Self::Closed => "afgesloten",
        }
    }

    /// Still waiting for the team.
    pub fn awaits_team(self) -> bool {
        matches!(self, Self::Open | Self::PickedUp)
    }
}

/// Whether a text contains something that passes the BSN 11-check: nine digits (or
/// eight), written together or with single spaces, dots or dashes between groups.
pub fn contains_bsn(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // A run of digits with single separators in between.
        let mut digits = String::new();
        let mut j = i;
        while j < chars.len() {
            let c = chars[j];
            if c.is_ascii_digit() {
                digits.push(c);
                j += 1;
            } else if matches!(c, ' ' | '.' | '-')
                && chars.get(j + 1).is_some_and(char::is_ascii_digit)
                && j > i
            {
                j += 1;
            } else {
                break;
            }
        }
        // A number of exactly eight or nine digits: longer runs are phone numbers,
        // postcodes with house numbers and the like.
        if (8..=9).contains(&digits.len()) && bsn_is_valid(&digits) {
            return true;
        }
        i = j.max(i + 1);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bsn_in_any_common_writing_is_found() {
        // 111222333 passes the 11-check (a well-known test number).
        for text in [
            "kind met BSN 111222333 heeft vragen",
            "bsn: 111 222 333",
            "111.222.333",
            "nummer 111-222-333.",
        ] {
            assert!(contains_bsn(text), "{text}");
        }
        for text in [
            "jongen van 9 jaar, sinds 2024 op school, 3 keer per week",
            "telefoon 0612345678",
            "123456789",
            "",
        ] {
            assert!(!contains_bsn(text), "{text}");
        }
    }

    #[test]
    fn statuses_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.code()), Some(s));
        }
        assert!(Status::Open.awaits_team() && !Status::Answered.awaits_team());
    }
}
