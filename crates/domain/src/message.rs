//! The rules of messages (berichten) in a child's network: who takes part in which
//! conversation, what a message may hold, how long it can be withdrawn, and how its text
//! is shown (plain text with links and line breaks; never HTML from a user).

use crate::validate::ValidationError;
use chrono::{Duration, NaiveDateTime};

/// The longest message, in characters: a long letter fits, a pasted report does not
/// (that is a document).
pub const MAX_BODY_CHARS: usize = 10_000;

/// The longest title of a conversation.
pub const MAX_TITLE_CHARS: usize = 120;

/// How long after sending a message can be withdrawn.
pub const WITHDRAW_MINUTES: i64 = 15;

/// At most one e-mail notice per person per conversation in this many minutes.
pub const NOTICE_GAP_MINUTES: i64 = 15;

/// Who a conversation is with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConversationKind {
    /// The whole network, the family included.
    Network,
    /// The professionals of the network, without the family.
    Professionals,
    /// A chosen set of members (one-to-one included).
    Chosen,
}

impl ConversationKind {
    pub const ALL: [Self; 3] = [Self::Network, Self::Professionals, Self::Chosen];

    pub fn code(self) -> &'static str {
        match self {
            Self::Network => "network",
            Self::Professionals => "professionals",
            Self::Chosen => "chosen",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code.trim())
    }

    /// Who takes part, in words (B1: the family reads it).
    pub fn label(self) -> &'static str {
        match self {
            Self::Network => "iedereen in het netwerk, ook de ouders",
            Self::Professionals => "alleen de professionals",
            Self::Chosen => "alleen de gekozen personen",
        }
    }
}

/// Who takes part, in words, for a conversation that leaves these members of the network
/// out (by name): a conversation with the whole network says "ook de ouders" only when
/// it leaves no one out, and names those it does.
pub fn audience(kind: ConversationKind, left_out: &[String]) -> String {
    match kind {
        ConversationKind::Network if !left_out.is_empty() => {
            format!("iedereen in het netwerk, behalve {}", left_out.join(", "))
        }
        _ => kind.label().to_owned(),
    }
}

/// Where a person stands in a network, as far as messages go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Seat {
    /// The case director who coordinates the network.
    pub coordinator: bool,
    /// One of the child's family (parent, carer, guardian, the youth).
    pub family: bool,
    /// Family with the say over consent (by the child's age and gezag).
    pub decides: bool,
    /// The family's consent for messages holds for this member today.
    pub consent: bool,
    /// Chosen for this conversation (only counts for `Chosen`).
    pub chosen: bool,
    /// The family's consent for documents holds for this member today.
    pub documents: bool,
}

/// Whether a person in this seat reads and writes in a conversation of this kind. Asked
/// at the moment of reading: a withdrawn consent stops it on the next request.
pub fn takes_part(kind: ConversationKind, seat: Seat) -> bool {
    let allowed = seat.coordinator || seat.decides || seat.consent;
    match kind {
        ConversationKind::Network => allowed,
        ConversationKind::Professionals => !seat.family && allowed,
        ConversationKind::Chosen => seat.chosen && allowed,
    }
}

/// Whether a person in this seat sees and shares the documents of a conversation of
/// this kind: they take part, and documents are theirs to see (the family's own, the
/// case director's, or by the family's consent for documents).
pub fn shares_documents(kind: ConversationKind, seat: Seat) -> bool {
    takes_part(kind, seat) && (seat.coordinator || seat.decides || seat.documents)
}

/// A message's text as it will be stored: line endings made one kind, the whole trimmed,
/// within the limits, with no control characters but line breaks and tabs.
pub fn body(text: &str) -> Result<String, ValidationError> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    if text.is_empty() {
        return Err(ValidationError::new(
            "body",
            "Schrijf eerst een bericht. Een leeg bericht kan niet worden verstuurd.",
        ));
    }
    let chars = text.chars().count();
    if chars > MAX_BODY_CHARS {
        return Err(ValidationError::new(
            "body",
            format!(
                "Dit bericht is te lang: {chars} tekens, hoogstens {MAX_BODY_CHARS}. Maak het korter of stuur de tekst als document."
            ),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(ValidationError::new(
            "body",
            "Dit bericht bevat tekens die niet kunnen worden getoond. Typ de tekst opnieuw.",
        ));
    }
    Ok(text.to_owned())
}

/// A conversation's title: given, or one from its kind.
pub fn title(text: &str) -> Result<String, ValidationError> {
    let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.chars().count() > MAX_TITLE_CHARS {
        return Err(ValidationError::new(
            "title",
            format!("Een onderwerp is hoogstens {MAX_TITLE_CHARS} tekens."),
        ));
    }
    if t.chars().any(char::is_control) {
        return Err(ValidationError::new(
            "title",
            "Het onderwerp bevat tekens die niet kunnen worden getoond.",
        ));
    }
    Ok(t)
}

/// Whether a message sent at `sent` can still be withdrawn at `now`.
pub fn may_withdraw(sent: NaiveDateTime, now: NaiveDateTime) -> bool {
    now >= sent && now - sent <= Duration::minutes(WITHDRAW_MINUTES)
}

/// How a person wants to hear of new messages by e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NoticeChoice {
    /// A content-free mail soon after a message (at most one per conversation per
    /// `NOTICE_GAP_MINUTES`).
    #[default]
    Immediate,
    /// One mail a day about what is still unread.
    Daily,
    /// No mail; the person looks in Rondom.
    None,
}

impl NoticeChoice {
    pub const ALL: [Self; 3] = [Self::Immediate, Self::Daily, Self::None];

    pub fn code(self) -> &'static str {
        match self {
            Self::Immediate => "immediate",
            Self::Daily => "daily",
            Self::None => "none",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Immediate => "Meteen een e-mail (hoogstens één per gesprek per kwartier)",
            Self::Daily => "Eén e-mail per dag",
            Self::None => "Geen e-mail",
        }
    }
}

/// Whether a person who chose `choice`, last mailed about this conversation at
/// `last_mailed`, gets a notice now (when they have not read it in Rondom meanwhile).
pub fn notice_due(
    choice: NoticeChoice,
    last_mailed: Option<NaiveDateTime>,
    read_since: bool,
    now: NaiveDateTime,
) -> bool {
    choice == NoticeChoice::Immediate
        && !read_since
        && last_mailed.is_none_or(|t| now - t >= Duration::minutes(NOTICE_GAP_MINUTES))
}

/// A piece of a message's text as it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Text(String),
    /// A web address written in the text (http or https only).
    Link(String),
    Break,
}

/// A message's text in pieces: plain text, links and line breaks. A link is an http(s)
/// address up to the next space, without the punctuation that ends a sentence.
pub fn segments(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push(Segment::Break);
        }
        let mut plain = String::new();
        let mut rest = line;
        while !rest.is_empty() {
            let at = ["https://", "http://"]
                .iter()
                .filter_map(|p| find_ci(rest, p))
                .min();
            let Some(at) = at else {
                plain.push_str(rest);
                break;
            };
            plain.push_str(&rest[..at]);
            let tail = &rest[at..];
            let end = tail.find(char::is_whitespace).unwrap_or(tail.len());
            let mut link = &tail[..end];
            while let Some(last) = link.chars().last() {
                if matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | ')' | '"' | '\'') {
                    link = &link[..link.len() - last.len_utf8()];
                } else {
                    break;
                }
            }
            if link.len() <= "https://".len() || !link.contains('.') {
                plain.push_str(&tail[..end]);
            } else {
                if !plain.is_empty() {
                    out.push(Segment::Text(std::mem::take(&mut plain)));
                }
                out.push(Segment::Link(link.to_owned()));
                plain.push_str(&tail[link.len()..end]);
            }
            rest = &tail[end..];
        }
        if !plain.is_empty() {
            out.push(Segment::Text(plain));
        }
    }
    out
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.to_ascii_lowercase().find(needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConversationKind::*;

    fn seat(coordinator: bool, family: bool, decides: bool, consent: bool, chosen: bool) -> Seat {
        Seat {
            coordinator,
            family,
            decides,
            consent,
            chosen,
            documents: false,
        }
    }

    #[test]
    fn documents_need_their_own_consent_besides_taking_part() {
        let with_docs = |s: Seat| Seat {
            documents: true,
            ..s
        };
        // (kind, seat, shares documents)
        let table = [
            // A professional with consent for messages only sees the text, not the files.
            (Network, seat(false, false, false, true, false), false),
            (
                Network,
                with_docs(seat(false, false, false, true, false)),
                true,
            ),
            // Consent for documents without taking part gives nothing.
            (
                Network,
                with_docs(seat(false, false, false, false, false)),
                false,
            ),
            (
                Chosen,
                with_docs(seat(false, false, false, true, false)),
                false,
            ),
            // The case director and a parent with the say see the files of their
            // conversations.
            (Professionals, seat(true, false, false, false, false), true),
            (Network, seat(false, true, true, false, false), true),
            (Professionals, seat(false, true, true, false, false), false),
            // A parent without gezag needs the consent like anyone else.
            (Network, seat(false, true, false, true, false), false),
            (
                Network,
                with_docs(seat(false, true, false, true, false)),
                true,
            ),
        ];
        for (kind, s, want) in table {
            assert_eq!(shares_documents(kind, s), want, "{kind:?} {s:?}");
        }
    }

    #[test]
    fn who_takes_part_in_which_conversation() {
        // (kind, seat, takes part)
        let table = [
            // The case director is in every conversation of their kind.
            (Network, seat(true, false, false, false, false), true),
            (Professionals, seat(true, false, false, false, false), true),
            (Chosen, seat(true, false, false, false, true), true),
            (Chosen, seat(true, false, false, false, false), false),
            // A professional needs the family's consent for messages.
            (Network, seat(false, false, false, true, false), true),
            (Network, seat(false, false, false, false, false), false),
            (
                Professionals,
                seat(false, false, false, false, false),
                false,
            ),
            (Chosen, seat(false, false, false, false, true), false),
            // A parent with the say is in the network's conversation, never in the
            // professionals' one.
            (Network, seat(false, true, true, false, false), true),
            (Professionals, seat(false, true, true, false, false), false),
            (Chosen, seat(false, true, true, false, true), true),
            // A parent without gezag reads what those with the say allow.
            (Network, seat(false, true, false, false, false), false),
            (Network, seat(false, true, false, true, false), true),
        ];
        for (kind, s, want) in table {
            assert_eq!(takes_part(kind, s), want, "{kind:?} {s:?}");
        }
    }

    #[test]
    fn a_body_is_trimmed_bounded_and_plain() {
        assert_eq!(
            body("  hallo\r\nwereld \r\n").as_deref(),
            Ok("hallo\nwereld")
        );
        assert!(body(" \n\t ").is_err());
        assert!(body(&"a".repeat(MAX_BODY_CHARS)).is_ok());
        let long = body(&"é".repeat(MAX_BODY_CHARS + 1)).unwrap_err();
        assert!(long.message.contains("10001 tekens"), "{}", long.message);
        assert!(body("bel\u{7}me").is_err());
        assert_eq!(body("a\tb").as_deref(), Ok("a\tb"));
    }

    #[test]
    fn withdrawal_within_fifteen_minutes() {
        let sent = chrono::NaiveDate::from_ymd_opt(2026, 12, 4)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap_or_default();
        assert!(may_withdraw(sent, sent + Duration::minutes(15)));
        assert!(!may_withdraw(
            sent,
            sent + Duration::minutes(15) + Duration::seconds(1)
        ));
        assert!(!may_withdraw(sent, sent - Duration::seconds(1)));
    }

    #[test]
    fn notices_at_most_once_per_quarter_and_only_when_unread() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 12, 4)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap_or_default();
        let i = NoticeChoice::Immediate;
        assert!(notice_due(i, None, false, now));
        assert!(!notice_due(i, None, true, now));
        assert!(!notice_due(
            i,
            Some(now - Duration::minutes(14)),
            false,
            now
        ));
        assert!(notice_due(i, Some(now - Duration::minutes(15)), false, now));
        assert!(!notice_due(NoticeChoice::Daily, None, false, now));
        assert!(!notice_due(NoticeChoice::None, None, false, now));
    }

    #[test]
    fn links_and_breaks_are_found_and_nothing_else_is_markup() {
        use Segment::*;
        assert_eq!(
            segments("Zie https://voorbeeld.nl/a?b=1.\n<b>niet vet</b>"),
            vec![
                Text("Zie ".into()),
                Link("https://voorbeeld.nl/a?b=1".into()),
                Text(".".into()),
                Break,
                Text("<b>niet vet</b>".into()),
            ]
        );
        assert_eq!(
            segments("javascript:alert(1)"),
            vec![Text("javascript:alert(1)".into())]
        );
        assert_eq!(segments("http:// leeg"), vec![Text("http:// leeg".into())]);
        assert_eq!(
            segments("(HTTPS://x.nl)"),
            vec![
                Text("(".into()),
                Link("HTTPS://x.nl".into()),
                Text(")".into())
            ]
        );
    }
}
