//! The days the law changes who decides: on the child's 12th birthday the youth is to be
//! asked (what was agreed stays in force, nothing new is shared until they answer); on
//! the 16th the parents' say ends. The case director and the family are told once, in
//! Rondom and by a content-free e-mail to the case director and the youth; run from
//! the servers' housekeeping, any number at once.

use super::{FAMILY, Relation};
use crate::context::Services;
use crate::error::Error;
use rondom_db::networks as db;
use rondom_domain::consent::birthday;

/// How many days back a missed birthday is still noticed (a server down for a weekend).
const CATCH_UP_DAYS: i64 = 7;

/// Tells the case directors and families of the networks whose child turned 12 or 16
/// in the last days, once per network and age. Answers how many were told.
pub async fn notice(svc: &Services) -> Result<usize, Error> {
    let today = crate::dates::today();
    let mut told = 0;
    for age in [12i32, 16] {
        // 29 February less whole years is 28 February; a leap-day child's birthday falls
        // on 1 March, which the day's margin below catches.
        let Some(latest) = today.checked_sub_months(chrono::Months::new(12 * age.unsigned_abs()))
        else {
            continue;
        };
        let from = latest - chrono::Duration::days(CATCH_UP_DAYS + 1);
        let found = svc
            .db
            .read(move |c| db::born_between(c, from, latest))
            .await?;
        for (n, birth) in found {
            let day = birthday(birth, age);
            if day > today || day < today - chrono::Duration::days(CATCH_UP_DAYS) {
                continue;
            }
            let nid = n.id.to_string();
            let coordinator = n.coordinator_id.to_string();
            let outcome = svc
                .db
                .write(move |c| {
                    if !db::note_milestone(c, &nid, age)? {
                        return Ok(vec![]);
                    }
                    let link = format!("/netwerken/{nid}");
                    let mut mails = Vec::new();
                    let to_director = if age == 12 {
                        "Een kind in een netwerk dat u regisseert is 12 geworden. De jongere beslist nu mee: nodig de jongere uit of leg vast wat de jongere zei."
                    } else {
                        "Een jongere in een netwerk dat u regisseert is 16 geworden. Vanaf nu beslist de jongere alleen; de ouders zien wat de jongere toestaat."
                    };
                    rondom_db::consultations::notify(c, &coordinator, to_director, &link)?;
                    if let Some(u) = rondom_db::users::find(c, &coordinator)? {
                        mails.push(u.email);
                    }
                    for m in db::members(c, &nid)?
                        .into_iter()
                        .filter(|m| m.kind == FAMILY && m.is_active())
                    {
                        let Some(user) = m.user_id.as_deref() else {
                            continue;
                        };
                        let youth = m.relation.as_deref() == Some(Relation::Jeugdige.code());
                        let text = match (youth, age) {
                            (true, 12) => "Je bent 12 geworden. Vanaf nu beslis jij mee wie wat over jou mag zien. Kijk wie er meedoen.",
                            (true, _) => "Je bent 16 geworden. Vanaf nu beslis jij alleen wie wat over jou mag zien, ook wat je ouders zien.",
                            (false, 12) => "Uw kind is 12 geworden. Vanaf nu beslist uw kind mee over wie wat mag zien.",
                            (false, _) => "Uw kind is 16 geworden. Vanaf nu beslist uw kind zelf wie wat mag zien, ook wat u ziet.",
                        };
                        rondom_db::consultations::notify(c, user, text, &link)?;
                        if youth && let Some(u) = rondom_db::users::find(c, user)? {
                            mails.push(u.email);
                        }
                    }
                    Ok(mails)
                })
                .await;
            let mails = match outcome {
                Ok(m) => m,
                // Another server noticed it at the same moment.
                Err(rondom_db::DbError::Conflict(_)) => continue,
                Err(e) => return Err(e.into()),
            };
            if mails.is_empty() {
                continue;
            }
            told += 1;
            for to in mails {
                svc.mail_notice(
                    to,
                    "Er is iets veranderd in Rondom",
                    "Er is een bericht voor u in Rondom over wie mag meekijken.",
                    "Bekijk het in Rondom",
                    &format!("/netwerken/{}", n.id),
                );
            }
        }
    }
    Ok(told)
}
