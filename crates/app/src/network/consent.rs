//! The family's consent answers, as a professional records them when they were given in
//! person (spoken or signed, with the date). The family member sees them in their own
//! view and can withdraw there.

use super::{FAMILY, Reach, load, record};
use crate::context::{Principal, Services};
use crate::error::{Checked, Error};
use rondom_db::networks::{self as db, NewAnswer};
use rondom_domain::consent::Category;
use rondom_domain::validate::ValidationError;

/// How consent given outside Rondom was given.
pub const HOW: [(&str, &str); 2] = [
    ("mondeling", "mondeling"),
    ("schriftelijk", "schriftelijk, getekend"),
];

#[derive(Debug, Clone, Default)]
pub struct RecordedAnswer {
    /// The family member who answered.
    pub by: String,
    /// The member whose access it is about.
    pub grantee: String,
    /// `Category` codes.
    pub categories: Vec<String>,
    pub given: bool,
    /// `HOW` code.
    pub how: String,
    /// The day it was given, as typed.
    pub on: String,
}

/// Records a family member's answer for one member and one or more categories; only the
/// case director who coordinates may.
pub async fn record_answer(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    input: &RecordedAnswer,
) -> Result<Checked<()>, Error> {
    let (f, reach) = load(svc, who, network_id).await?;
    if reach != Reach::Coordinates {
        return Err(Error::Forbidden);
    }
    let mut errors = Vec::new();
    let active = |id: &str| {
        f.members
            .iter()
            .find(|m| m.id.as_str() == id && m.is_active())
    };
    if active(&input.by).is_none_or(|m| m.kind != FAMILY) {
        errors.push(ValidationError::new(
            "door",
            "Kies wie van het gezin toestemming gaf.",
        ));
    }
    if active(&input.grantee).is_none() {
        errors.push(ValidationError::new(
            "voor",
            "Kies voor wie de toestemming geldt.",
        ));
    }
    let categories: Vec<Category> = input
        .categories
        .iter()
        .filter_map(|c| Category::parse(c))
        .collect();
    if categories.is_empty() || categories.len() != input.categories.len() {
        errors.push(ValidationError::new(
            "onderdelen",
            "Kies waarvoor de toestemming geldt.",
        ));
    }
    if !HOW.iter().any(|(c, _)| *c == input.how) {
        errors.push(ValidationError::new(
            "hoe",
            "Kies hoe de toestemming is gegeven: mondeling of schriftelijk.",
        ));
    }
    let on = crate::referral::parse_date(&input.on);
    match on {
        Some(d) if d <= crate::dates::today() => {}
        _ => errors.push(ValidationError::new(
            "datum",
            "Vul de datum in waarop het is gezegd of getekend, zoals 3-12-2026; niet in de toekomst.",
        )),
    }
    let Some(on) = on.filter(|_| errors.is_empty()) else {
        return Ok(Err(errors));
    };
    let (id, by, grantee, given, how, recorder) = (
        f.network.id.to_string(),
        input.by.clone(),
        input.grantee.clone(),
        input.given,
        input.how.clone(),
        who.actor().user_id.clone(),
    );
    svc.db
        .write(move |c| {
            for cat in &categories {
                db::add_answer(
                    c,
                    &id,
                    &NewAnswer {
                        grantee_id: &grantee,
                        category: cat.code(),
                        by_member_id: &by,
                        given,
                        how: &how,
                        answered_on: on,
                        recorded_by: &recorder,
                    },
                )?;
            }
            Ok(())
        })
        .await?;
    record(svc, who, "consent_record", &f.network, "allowed").await?;
    Ok(Ok(()))
}

/// A family member answers in Rondom itself: gives or withdraws their consent for one
/// member and category. Only those with the say (by the child's age) answer; a
/// withdrawal holds on the next request.
pub async fn answer_own(
    svc: &Services,
    who: &impl Principal,
    network_id: &str,
    grantee: &str,
    category: &str,
    given: bool,
) -> Result<(), Error> {
    let (f, _) = load(svc, who, network_id).await?;
    let user = who.actor().user_id.as_str();
    let Some(me) = f.family_member(who) else {
        return Err(Error::Forbidden);
    };
    if !f.decides(&me.id) {
        return Err(Error::Refused(
            "U beslist niet over toestemming voor dit kind. Vraag het aan wie het gezag heeft, of vanaf 16 jaar aan de jongere zelf.".into(),
        ));
    }
    let Some(category) = Category::parse(category) else {
        return Err(Error::NotFound);
    };
    if !f
        .members
        .iter()
        .any(|m| m.id.as_str() == grantee && m.is_active() && m.id != me.id)
    {
        return Err(Error::NotFound);
    }
    let (id, by, grantee, recorder) = (
        f.network.id.to_string(),
        me.id.to_string(),
        grantee.to_owned(),
        user.to_owned(),
    );
    svc.db
        .write(move |c| {
            db::add_answer(
                c,
                &id,
                &NewAnswer {
                    grantee_id: &grantee,
                    category: category.code(),
                    by_member_id: &by,
                    given,
                    how: "rondom",
                    answered_on: crate::dates::today(),
                    recorded_by: &recorder,
                },
            )
        })
        .await?;
    let action = if given {
        "consent_give"
    } else {
        "consent_withdraw"
    };
    record(svc, who, action, &f.network, "allowed").await
}

/// One consent answer as exchanged (FHIR Consent): who answered for whom and what.
pub struct AnswerView {
    pub id: String,
    pub network_id: String,
    pub child_id: String,
    pub child_name: String,
    /// The family member who answered: (member id, name, is the youth).
    pub by: (String, String, bool),
    /// The member it is about: (member id, name, what they are).
    pub grantee: (String, String, String),
    pub category: Category,
    pub given: bool,
    pub how: String,
    pub answered_on: chrono::NaiveDate,
    /// Whether a later answer by the same person replaced this one.
    pub superseded: bool,
}

/// Whether a later answer by the same family member, about the same member and kind of
/// data, replaced this one.
pub(crate) fn superseded(
    answers: &[rondom_db::networks::ConsentAnswer],
    answer: &rondom_db::networks::ConsentAnswer,
) -> bool {
    answers.iter().any(|a| {
        a.by_member_id == answer.by_member_id
            && a.grantee_id == answer.grantee_id
            && a.category == answer.category
            && (a.answered_on, a.recorded_at) > (answer.answered_on, answer.recorded_at)
    })
}

/// One consent answer, for a person who reaches its network's content; "not found"
/// otherwise (and for an id that does not exist). The look is logged.
pub async fn find(
    svc: &Services,
    who: &impl Principal,
    answer_id: &str,
) -> Result<crate::access::Disclosed<AnswerView>, Error> {
    let id = answer_id.to_owned();
    let answer = svc
        .db
        .read(move |c| db::find_answer(c, &id))
        .await?
        .ok_or(Error::NotFound)?;
    let (f, reach) = load(svc, who, &answer.network_id).await?;
    if reach == Reach::ExistsOnly {
        record(svc, who, "consent_read", &f.network, "denied").await?;
        return Err(Error::NotFound);
    }
    record(svc, who, "consent_read", &f.network, "allowed").await?;
    let view = super::view(svc, who, &answer.network_id)
        .await?
        .into_inner();
    let member = |id: &str| view.members.iter().find(|m| m.id == id);
    let by = member(&answer.by_member_id);
    let grantee = member(&answer.grantee_id);
    let superseded = superseded(&f.answers, &answer);
    Ok(crate::access::Disclosed::logged(AnswerView {
        id: answer.id.clone(),
        network_id: answer.network_id.to_string(),
        child_id: f.network.child_id.to_string(),
        child_name: view.child_name.clone().unwrap_or_default(),
        by: (
            answer.by_member_id.to_string(),
            by.map(|m| m.name.clone()).unwrap_or_default(),
            by.is_some_and(|m| m.youth),
        ),
        grantee: (
            answer.grantee_id.to_string(),
            grantee.map(|m| m.name.clone()).unwrap_or_default(),
            grantee.map(|m| m.what.clone()).unwrap_or_default(),
        ),
        category: Category::parse(&answer.category).unwrap_or(Category::Membership),
        given: answer.given,
        how: answer.how.clone(),
        answered_on: answer.answered_on,
        superseded,
    }))
}
