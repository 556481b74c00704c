//! E-mail notices of new messages: no content ("Er is een nieuw bericht voor u in
//! Rondom" and a link), at most one per person per conversation per quarter, and only
//! to people who chose to be told at once; the rest read it in Rondom (or in the daily
//! mail, when they chose that).

use crate::context::{Principal, Services};
use rondom_db::messages as db;
use rondom_domain::message::NoticeChoice;

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
    // The daily mail is not sent yet: it is not a choice until it is.
    let Some(choice) = NoticeChoice::parse(code).filter(|c| *c != NoticeChoice::Daily) else {
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
