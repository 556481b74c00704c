//! Single-use links by e-mail: "forgot password" and the invitation of a new member (who
//! then sets a first password).

use crate::auth::{random_token, sha256_hex};
use crate::context::Services;
use crate::error::Error;
use rondom_db::tokens;

/// How long a reset link works.
pub const RESET_VALID_HOURS: i64 = 1;
/// How long an invitation works.
pub const INVITE_VALID_HOURS: i64 = 72;

/// Creates a single-use link for this user (earlier ones stop working) and e-mails it.
pub async fn send_link(
    svc: &Services,
    user_id: &str,
    email: &str,
    valid_hours: i64,
    invite: bool,
) -> Result<(), Error> {
    let token = random_token();
    let hash = sha256_hex(&token);
    let uid = user_id.to_owned();
    let expires = rondom_db::now() + chrono::Duration::hours(valid_hours);
    svc.db
        .write(move |c| {
            tokens::invalidate_password_resets(c, &uid)?;
            tokens::create_password_reset(c, &uid, &hash, expires)
        })
        .await?;
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
    Ok(())
}
