//! Consultation (overleg): a GP or POH asks the social team linked to the practice a
//! question, anonymously. The rules here: where a question stands, and that an anonymous
//! question carries no BSN.

use crate::validate::bsn_is_valid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)
)]
#[cfg_attr(feature = "diesel", diesel(sql_type = diesel::sql_types::Text))]
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

/// The digit a character stands for: ASCII, full-width (`１２３`, typed on some phone
/// keyboards) or another script's decimal digits.
fn digit_of(c: char) -> Option<u8> {
    if let Some(d) = c.to_digit(10) {
        return Some(d as u8);
    }
    // Unicode keeps each script's ten digits in a row, starting at its zero.
    const ZEROS: [u32; 6] = [0xFF10, 0x0660, 0x06F0, 0x0966, 0x1D7CE, 0x1D7EC];
    let code = c as u32;
    ZEROS
        .iter()
        .find(|z| (**z..**z + 10).contains(&code))
        .map(|z| (code - z) as u8)
}

/// The Dutch (and English) words for the digits, as someone spelling out a number
/// writes them.
fn digit_word(w: &str) -> Option<u8> {
    Some(match w {
        "nul" | "zero" => 0,
        "een" | "één" | "eén" | "eën" | "one" => 1,
        "twee" | "two" => 2,
        "drie" | "three" => 3,
        "vier" | "four" => 4,
        "vijf" | "five" => 5,
        "zes" | "six" => 6,
        "zeven" | "seven" => 7,
        "acht" | "eight" => 8,
        "negen" | "nine" => 9,
        _ => return None,
    })
}

/// What may stand between the digits of one number: any run of spaces (line breaks
/// too), dots, dashes, slashes and underscores, as people group a BSN (`111 222 333`,
/// `111.222.333`, `111/222/333`, `111_222_333`, one group per line).
fn joins_digits(c: char) -> bool {
    c.is_whitespace() || matches!(c, '.' | '-' | '/' | '_' | '\u{2013}' | '\u{2014}')
}

/// The numbers in a text: runs of digits (and digit words) with only joining characters
/// between them, each as its digits. Any other word or sign ends a number, and so do
/// letters glued to its digits (`12jaar`).
fn numbers(text: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let mut word = String::new();
    let mut after_digit = false;
    // A word just read is a digit, or it ends the number.
    let end_word = |word: &mut String, current: &mut Vec<u8>, out: &mut Vec<Vec<u8>>| {
        if word.is_empty() {
            return;
        }
        match digit_word(&word.to_lowercase()) {
            Some(d) => current.push(d),
            None if !current.is_empty() => out.push(std::mem::take(current)),
            None => {}
        }
        word.clear();
    };
    for c in text.chars() {
        if let Some(d) = digit_of(c) {
            end_word(&mut word, &mut current, &mut out);
            current.push(d);
            after_digit = true;
            continue;
        }
        if c.is_alphabetic() {
            if after_digit && !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            word.push(c);
        } else {
            end_word(&mut word, &mut current, &mut out);
            if !joins_digits(c) && !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        }
        after_digit = false;
    }
    end_word(&mut word, &mut current, &mut out);
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Whether a text contains something that passes the BSN 11-check: a number of exactly
/// eight or nine digits however it is written (grouped with spaces, dots, dashes,
/// slashes or underscores, over several lines, in full-width digits, or spelled out in
/// words). Longer numbers (phone numbers, postcodes with house numbers) are not BSNs.
pub fn contains_bsn(text: &str) -> bool {
    numbers(text).into_iter().any(|n| {
        (8..=9).contains(&n.len()) && {
            let digits: String = n.iter().map(|d| char::from(b'0' + d)).collect();
            bsn_is_valid(&digits)
        }
    })
}

/// A stored status that is no status of a consultation (a database changed by hand):
/// reading it fails loudly instead of passing for an open question.
#[derive(Debug, thiserror::Error)]
#[error("‘{0}’ is no status of a consultation")]
pub struct UnknownStatus(pub String);

/// How the database stores a status: its code.
impl TryFrom<String> for Status {
    type Error = UnknownStatus;

    fn try_from(code: String) -> Result<Self, UnknownStatus> {
        Status::parse(&code).ok_or(UnknownStatus(code))
    }
}

impl AsRef<str> for Status {
    fn as_ref(&self) -> &str {
        self.code()
    }
}

crate::stored_as_text!(Status);

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
            "bsn 111  222  333",
            "bsn 111/222/333",
            "bsn 111_222_333",
            "bsn １１１２２２３３３",
            "bsn 111\n222\n333",
            "bsn 111\r\n222\r\n333",
            "een een een twee twee twee drie drie drie",
            "Eén één één Twee twee twee DRIE drie drie",
            "bsn111222333",
            "bsn 1 1 1 2 2 2 3 3 3",
            "111 222 333, 4 kinderen",
        ] {
            assert!(contains_bsn(text), "{text:?}");
        }
        for text in [
            "jongen van 9 jaar, sinds 2024 op school, 3 keer per week",
            "telefoon 0612345678",
            "123456789",
            "",
            "een jongen van twaalf met drie broers",
            "111222333444",
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
