//! Single-use links by e-mail: "forgot password" and the invitation of a new member (who
//! then sets a first password).

use crate::auth::{random_token, sha256_hex};
use crate::context::Services;
use rondom_db::tokens;

/// How long a reset link works.
pub const RESET_VALID_HOURS: i64 = 1;
/// How long an invitation works.
pub const INVITE_VALID_HOURS: i64 = 72;
/// How long a family member's invitation to a child's network works: a week, since a
/// parent may not read mail every day.
pub const FAMILY_INVITE_VALID_HOURS: i64 = 7 * 24;

/// A new single-use link for this user, inside the caller's transaction (so that its
/// audit entry is written with it); earlier links stop working. Answers the token to
/// put in the link (only its hash is stored).
pub(crate) fn issue(
    c: &mut rondom_db::AnyConnection,
    user_id: &str,
    valid_hours: i64,
) -> Result<String, rondom_db::DbError> {
    let token = random_token();
    let expires = rondom_db::now() + chrono::Duration::hours(valid_hours);
    tokens::invalidate_password_resets(c, user_id)?;
    tokens::create_password_reset(c, user_id, &sha256_hex(&token), expires)?;
    Ok(token)
}

/// E-mails a link that `issue` made: an invitation or a reset.
pub(crate) fn mail(svc: &Services, email: &str, token: &str, valid_hours: i64, invite: bool) {
    let link = format!("{}/wachtwoord-herstellen/{token}", svc.base_url);
    let (subject, body) = if invite {
        (
            "Uw account voor Rondom",
            format!(
                "Goedendag,\n\nEr is een account voor u aangemaakt in Rondom. Stel via deze link uw wachtwoord in (de link is {valid_hours} uur geldig en werkt één keer):\n\n{link}\n\nDaarna stelt u de tweestapsverificatie in met een authenticator-app.\n\nMet vriendelijke groet,\nRondom"
            ),
        )
    } else {
        (
            "Wachtwoord herstellen in Rondom",
            format!(
                "Goedendag,\n\nU (of iemand anders) vroeg om uw wachtwoord voor Rondom te herstellen. Kies via deze link een nieuw wachtwoord (de link is {valid_hours} uur geldig en werkt één keer):\n\n{link}\n\nVroeg u dit niet? Dan kunt u dit bericht negeren; uw wachtwoord blijft hetzelfde.\n\nMet vriendelijke groet,\nRondom"
            ),
        )
    };
    svc.outbox
        .send_later(email.to_owned(), subject.to_owned(), body);
}

/// E-mails a family member the link to their new account: nothing about the child, in
/// plain Dutch.
pub(crate) fn mail_family(svc: &Services, email: &str, token: &str) {
    let link = format!("{}/wachtwoord-herstellen/{token}", svc.base_url);
    let days = FAMILY_INVITE_VALID_HOURS / 24;
    svc.outbox.send_later(
        email.to_owned(),
        "U bent uitgenodigd voor Rondom".to_owned(),
        format!(
            "Goedendag,\n\nEen hulpverlener heeft u uitgenodigd voor Rondom. Daar ziet u wie er meehelpen, beslist u wat zij mogen zien en ziet u wie er gegevens heeft bekeken.\n\nKies via deze link een wachtwoord. De link werkt {days} dagen en één keer:\n\n{link}\n\nKent u dit niet? Dan kunt u dit bericht negeren.\n\nMet vriendelijke groet,\nRondom"
        ),
    );
}
