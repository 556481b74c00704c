//! Consent (toestemming) in a child's network, by Dutch law (WGBO, Jeugdwet): who
//! decides depends on the child's age, and ages with the child.
//!
//! - under 12: the parents with parental authority (gezag) decide, all of them;
//! - 12 to 15: the youth and the parents with gezag, all of them;
//! - 16 and over: the youth alone; the parents see only what the youth allows.
//!
//! A parent without gezag has no say; what they see is what those with the say allow.
//! When the child turns 12, what the parents agreed before stays in force until the youth
//! answers (nothing new is shared without the youth); when the child turns 16, only the
//! youth's own consent counts.
//!
//! The rules are data (`SAY`), read by pure functions; the storage layer keeps the
//! grants, the app asks these functions on every request.

use chrono::{Datelike, NaiveDate};

/// How a family member relates to the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Relation {
    Ouder,
    Voogd,
    Pleegouder,
    Anders,
    /// The child or young person themselves.
    Jeugdige,
}

impl Relation {
    pub const ALL: [Relation; 5] = [
        Self::Ouder,
        Self::Voogd,
        Self::Pleegouder,
        Self::Anders,
        Self::Jeugdige,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Ouder => "ouder",
            Self::Voogd => "voogd",
            Self::Pleegouder => "pleegouder",
            Self::Anders => "anders",
            Self::Jeugdige => "jeugdige",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Ouder => "ouder",
            Self::Voogd => "voogd",
            Self::Pleegouder => "pleegouder",
            Self::Anders => "familie of naaste",
            Self::Jeugdige => "jongere zelf",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code.trim())
    }
}

/// What consent is given for: being in the network at all, and each kind of content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    Membership,
    Messages,
    Documents,
    Plan,
    ReferralDetails,
}

impl Category {
    pub const ALL: [Category; 5] = [
        Self::Membership,
        Self::Messages,
        Self::Documents,
        Self::Plan,
        Self::ReferralDetails,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Membership => "membership",
            Self::Messages => "messages",
            Self::Documents => "documents",
            Self::Plan => "plan",
            Self::ReferralDetails => "referral_details",
        }
    }

    /// What a family member reads on the consent page (B1).
    pub fn label(self) -> &'static str {
        match self {
            Self::Membership => "meedoen in het netwerk: weten dat er hulp is en wie helpt",
            Self::Messages => "berichten lezen en sturen",
            Self::Documents => "documenten zien",
            Self::Plan => "het plan zien: doelen en afspraken",
            Self::ReferralDetails => "de verwijzing zien: de reden en de terugkoppeling",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code.trim())
    }

    /// One word for tables.
    pub fn short(self) -> &'static str {
        match self {
            Self::Membership => "meedoen",
            Self::Messages => "berichten",
            Self::Documents => "documenten",
            Self::Plan => "plan",
            Self::ReferralDetails => "verwijzing",
        }
    }
}

/// The age bands of the law.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Band {
    Under12,
    From12To15,
    From16,
}

/// Who has the say in each band: the rule of the law as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Say {
    /// The parents with gezag decide (all of them).
    pub parents: bool,
    /// The youth decides.
    pub youth: bool,
}

pub const SAY: [(Band, Say); 3] = [
    (
        Band::Under12,
        Say {
            parents: true,
            youth: false,
        },
    ),
    (
        Band::From12To15,
        Say {
            parents: true,
            youth: true,
        },
    ),
    (
        Band::From16,
        Say {
            parents: false,
            youth: true,
        },
    ),
];

/// The day the child turns `years` (a 29 February birthday falls on 1 March in other
/// years, as Dutch law counts it).
pub fn birthday(birth: NaiveDate, years: i32) -> NaiveDate {
    let year = birth.year() + years;
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
        .unwrap_or(birth)
}

impl Band {
    /// The band on `today` (a day in Europe/Amsterdam) for a child born on `birth`.
    pub fn on(birth: NaiveDate, today: NaiveDate) -> Self {
        if today >= birthday(birth, 16) {
            Self::From16
        } else if today >= birthday(birth, 12) {
            Self::From12To15
        } else {
            Self::Under12
        }
    }

    pub fn say(self) -> Say {
        SAY.iter()
            .find(|(b, _)| *b == self)
            .map(|(_, s)| *s)
            .unwrap_or(Say {
                parents: true,
                youth: true,
            })
    }
}

/// A family member of the network, as the rules need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyMember {
    pub id: String,
    pub relation: Relation,
    /// Holds parental authority (gezag); a guardian organisation does too.
    pub gezag: bool,
}

impl FamilyMember {
    fn is_youth(&self) -> bool {
        self.relation == Relation::Jeugdige
    }

    fn is_parent_with_say(&self) -> bool {
        !self.is_youth() && self.gezag
    }
}

/// One family member's answer for one grantee and category, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The family member who answered.
    pub by: String,
    pub on: NaiveDate,
    /// True: given; false: refused or withdrawn (the latest answer counts).
    pub given: bool,
}

/// Who must consent on `today`: the members with the say in the child's band.
pub fn deciders(birth: NaiveDate, today: NaiveDate, family: &[FamilyMember]) -> Vec<&FamilyMember> {
    let say = Band::on(birth, today).say();
    family
        .iter()
        .filter(|m| (say.parents && m.is_parent_with_say()) || (say.youth && m.is_youth()))
        .collect()
}

/// Where consent for one grantee and category stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Everyone with the say has given it.
    Given,
    /// Given by the parents before the child turned 12; holds until the youth answers.
    GivenBeforeTwelve,
    /// Some who must consent have not (yet): their member ids.
    Waiting(Vec<String>),
    /// Someone with the say refused or withdrew it.
    Refused,
}

impl Standing {
    pub fn holds(&self) -> bool {
        matches!(self, Self::Given | Self::GivenBeforeTwelve)
    }

    /// In words, for the network's page.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Given => "ja",
            Self::GivenBeforeTwelve => "ja, tot de jongere antwoordt",
            Self::Waiting(_) => "nog niet",
            Self::Refused => "nee",
        }
    }
}

/// Stands for the youth in `Standing::Waiting` while they are not a member yet.
pub const YOUTH_NOT_IN_NETWORK: &str = "jeugdige";

/// Where consent stands on `today`, from the family's answers (each member's latest
/// answer counts).
pub fn standing(
    birth: NaiveDate,
    today: NaiveDate,
    family: &[FamilyMember],
    answers: &[Answer],
) -> Standing {
    let latest = |id: &str| -> Option<&Answer> {
        answers
            .iter()
            .filter(|a| a.by == id && a.on <= today)
            .max_by_key(|a| a.on)
    };
    let who = deciders(birth, today, family);
    if who.is_empty() && Band::on(birth, today) == Band::Under12 {
        // Nobody can consent (no one holds gezag under 16, or the youth is not in the
        // network from 16): nothing is shared.
        return Standing::Waiting(vec![]);
    }
    if who.iter().any(|m| latest(&m.id).is_some_and(|a| !a.given)) {
        return Standing::Refused;
    }
    let mut waiting: Vec<String> = who
        .iter()
        .filter(|m| latest(&m.id).is_none_or(|a| !a.given))
        .map(|m| m.id.clone())
        .collect();
    // From 12 the youth must be asked, also while they have no account in the network.
    let say = Band::on(birth, today).say();
    if say.youth && !family.iter().any(FamilyMember::is_youth) {
        waiting.push(YOUTH_NOT_IN_NETWORK.to_owned());
    }
    if waiting.is_empty() {
        return Standing::Given;
    }
    // Turning 12: what every parent with gezag gave before stays until the youth answers.
    let twelve = birthday(birth, 12);
    if Band::on(birth, today) == Band::From12To15 {
        let youth_silent = who
            .iter()
            .filter(|m| m.is_youth())
            .all(|m| latest(&m.id).is_none());
        let parents: Vec<&&FamilyMember> = who.iter().filter(|m| m.is_parent_with_say()).collect();
        let parents_gave_before = !parents.is_empty()
            && parents.iter().all(|m| {
                answers
                    .iter()
                    .filter(|a| a.by == m.id && a.on < twelve)
                    .max_by_key(|a| a.on)
                    .is_some_and(|a| a.given)
                    && latest(&m.id).is_some_and(|a| a.given)
            });
        if youth_silent && parents_gave_before {
            return Standing::GivenBeforeTwelve;
        }
    }
    Standing::Waiting(waiting)
}

/// Whether a family member sees the child's data of a category without a grant of their
/// own: those with the say do (it is their decision); from 16 only the youth.
pub fn decides(birth: NaiveDate, today: NaiveDate, member: &FamilyMember) -> bool {
    let say = Band::on(birth, today).say();
    (say.parents && member.is_parent_with_say()) || (say.youth && member.is_youth())
}

/// Whether an item can be marked "not for the parents" today: from the child's 12th
/// birthday, at the youth's request.
pub fn may_keep_from_parents(birth: NaiveDate, today: NaiveDate) -> bool {
    Band::on(birth, today) != Band::Under12
}

/// Whether an item marked "not for the parents" is hidden from this family member
/// today: from parents and carers once the child is 12, never from the youth.
pub fn kept_from(birth: NaiveDate, today: NaiveDate, member: &FamilyMember) -> bool {
    may_keep_from_parents(birth, today) && !member.is_youth()
}

#[cfg(test)]
mod tests;
