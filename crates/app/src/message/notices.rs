//! E-mail notices of new messages: no content ("Er is een nieuw bericht voor u in
//! Rondom" and a link), at most one per person per conversation per quarter, and only
//! to people who chose to be told at once; the rest read it in Rondom (or in the daily
//! mail, when they chose that).

use super::{Place, participant_users};
use crate::context::{Principal, Services};
use rondom_db::messages::{self as db, Conversation};
use rondom_domain::ids::MemberId;
use rondom_domain::message::{NoticeChoice, notice_due};

/// After a message: mails the conversation's other participants whose notice is due.
/// A failure here is logged, never the sender's problem (the message is stored).
pub(crate) async fn after_send(
    svc: &Services,
    who: &impl Principal,
    p: &Place,
    conv: &Conversation,
    chosen: &[(String, MemberId)],
) {
    let me = who.actor().user_id.as_str();
    let users: Vec<String> = participant_users(p, conv, chosen)
        .into_iter()
        .filter(|u| u != me)
        .collect();
    if users.is_empty() {
        return;
    }
    let cid = conv.id.to_string();
    let now = rondom_db::now();
    // Read first: most sends mail nobody (people read in Rondom, or were mailed this
    // quarter), and a read costs no write.
    let (c1, u1) = (cid.clone(), users.clone());
    let state = match svc.db.read(move |c| db::notice_state(c, &c1, &u1)).await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "message notices not sent");
            return;
        }
    };
    let due: Vec<String> = state
        .into_iter()
        .filter(|(_, _, mailed, choice)| {
            let choice = choice
                .as_deref()
                .and_then(NoticeChoice::parse)
                .unwrap_or_default();
            notice_due(choice, *mailed, false, now)
        })
        .map(|(user, ..)| user)
        .collect();
    if due.is_empty() {
        return;
    }
    let due = svc
        .db
        .write(move |c| {
            let since = now - chrono::Duration::minutes(rondom_domain::message::NOTICE_GAP_MINUTES);
            let mut mailed = Vec::new();
            for user in due {
                if db::mailed_unless_since(c, &cid, &user, since)? {
                    mailed.push(user);
                }
            }
            rondom_db::users::emails_of(c, &mailed)
        })
        .await;
    match due {
        Ok(emails) => {
            for (_, to) in emails {
                svc.mail_notice(
                    to,
                    "Nieuw bericht in Rondom",
                    "Er is een nieuw bericht voor u in Rondom.",
                    "Lees het in Rondom",
                    &format!("/gesprekken/{}", conv.id),
                );
            }
        }
        Err(e) => tracing::warn!(error = %e, "message notices not sent"),
    }
}

/// How this person chose to hear of new messages.
pub async fn choice(svc: &Services, who: &impl Principal) -> Result<NoticeChoice, crate::Error> {
    let user = who.actor().user_id.clone();
    Ok(svc
        .db
        .read(move |c| db::notice_choice(c, &user))
        .await?
        .as_deref()
        .and_then(NoticeChoice::parse)
        .unwrap_or_default())
}

/// Stores how this person wants to hear of new messages.
pub async fn choose(
    svc: &Services,
    who: &impl Principal,
    code: &str,
) -> Result<crate::Checked<NoticeChoice>, crate::Error> {
    let Some(choice) = NoticeChoice::parse(code) else {
        return Ok(Err(vec![rondom_domain::validate::ValidationError::new(
            "keuze",
            "Kies hoe u bericht wilt krijgen.",
        )]));
    };
    let user = who.actor().user_id.clone();
    let e = crate::access::event(
        who,
        "notice_choice",
        rondom_domain::Resource::Account(&user),
        "allowed",
    );
    svc.db
        .write(move |c| {
            db::set_notice_choice(c, &user, choice.code())?;
            rondom_db::audit::append(c, &e)
        })
        .await?;
    Ok(Ok(choice))
}
