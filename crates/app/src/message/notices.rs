//! E-mail notices of new messages: no content ("Er is een nieuw bericht voor u in
//! Rondom" and a link), at most one per person per conversation per quarter, and only
//! to people who chose to be told at once; the rest read it in Rondom (or in the daily
//! mail, when they chose that).

use crate::context::{Principal, Services};
use rondom_db::messages as db;
use rondom_domain::message::{NOTICE_GAP_MINUTES, NoticeChoice};

/// Mails one content-free notice of a new message in a conversation.
pub(crate) fn mail(svc: &Services, to: String, conversation_id: &str) {
    svc.mail_notice(
        to,
        "Nieuw bericht in Rondom",
        "Er is een nieuw bericht voor u in Rondom.",
        "Lees het in Rondom",
        &format!("/gesprekken/{conversation_id}"),
    );
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

/// The hour (local time) the daily mail goes out.
pub const DAILY_HOUR: u32 = 7;

/// What the housekeeping mailed: (held-back notices, daily mails).
pub async fn sweep(
    svc: &Services,
    now: chrono::NaiveDateTime,
) -> Result<(usize, usize), crate::Error> {
    let gap = chrono::Duration::minutes(NOTICE_GAP_MINUTES);
    let owed = svc
        .db
        .read(move |c| db::notices_owed(c, now - gap, 1000))
        .await?;
    let mut held = 0;
    for (conv, user) in owed {
        let Some(actor) = actor_of(svc, &user).await? else {
            continue;
        };
        if choice_of(svc, &user).await? != NoticeChoice::Immediate
            || !still_takes_part(svc, &actor, &conv).await?
        {
            continue;
        }
        let (c1, u1) = (conv.clone(), user.clone());
        let due = svc
            .db
            .write(move |c| {
                if db::mailed_unless_since(c, &c1, &u1, now - gap)? {
                    Ok(rondom_db::users::emails_of(c, std::slice::from_ref(&u1))?)
                } else {
                    Ok(vec![])
                }
            })
            .await?;
        for (_, to) in due {
            mail(svc, to, &conv);
            held += 1;
        }
    }
    // The daily mail, from the hour on, once a day: only when something is unread.
    let local = crate::dates::to_local(now);
    let Some(mail_hour) = local.date().and_hms_opt(DAILY_HOUR, 0, 0) else {
        return Ok((held, 0));
    };
    if local < mail_hour {
        return Ok((held, 0));
    }
    let since = crate::dates::to_utc(mail_hour);
    let people = svc.db.read(move |c| db::daily_due(c, since)).await?;
    let mut daily = 0;
    for user in people {
        let Some(actor) = actor_of(svc, &user).await? else {
            continue;
        };
        if super::unread_total(svc, &actor).await? == 0 {
            continue;
        }
        let u1 = user.clone();
        let to = svc
            .db
            .write(move |c| {
                if db::daily_sent(c, &u1, since, now)? {
                    Ok(rondom_db::users::emails_of(c, std::slice::from_ref(&u1))?)
                } else {
                    Ok(vec![])
                }
            })
            .await?;
        for (_, to) in to {
            svc.mail_notice(
                to,
                "Nieuwe berichten in Rondom",
                "Er zijn nieuwe berichten voor u in Rondom.",
                "Lees ze in Rondom",
                "/berichten",
            );
            daily += 1;
        }
    }
    Ok((held, daily))
}

/// A person as the rules see them, when they exist and are not disabled.
async fn actor_of(
    svc: &Services,
    user: &str,
) -> Result<Option<rondom_domain::Actor>, crate::Error> {
    let u = user.to_owned();
    Ok(svc
        .db
        .read(move |c| {
            let Some(found) = rondom_db::users::find(c, &u)? else {
                return Ok(None);
            };
            if found.disabled {
                return Ok(None);
            }
            let m = rondom_db::users::memberships_of(c, &u)?;
            Ok(Some(crate::auth::actor_of(&u, &m, found.family_role)))
        })
        .await?)
}

async fn choice_of(svc: &Services, user: &str) -> Result<NoticeChoice, crate::Error> {
    let u = user.to_owned();
    Ok(svc
        .db
        .read(move |c| db::notice_choice(c, &u))
        .await?
        .as_deref()
        .and_then(NoticeChoice::parse)
        .unwrap_or_default())
}

/// Whether this person takes part in the conversation now (consent as it stands).
async fn still_takes_part(
    svc: &Services,
    actor: &rondom_domain::Actor,
    conversation: &str,
) -> Result<bool, crate::Error> {
    let id = conversation.to_owned();
    let found = svc
        .db
        .read(move |c| {
            let Some(conv) = db::conversation(c, &id)? else {
                return Ok(None);
            };
            let chosen = db::chosen_of(c, std::slice::from_ref(&id))?;
            let facts = crate::network::facts_in(c, conv.network_id.as_str())?;
            Ok(facts.map(|f| (conv, chosen, f)))
        })
        .await?;
    let Some((conv, chosen, f)) = found else {
        return Ok(false);
    };
    let who = super::Quiet(actor);
    Ok(match f.reach(&who) {
        Some(r) => super::place_of(f, r, &who).takes_part(&conv, &chosen),
        None => false,
    })
}
