//! A person's own account: a new password (other sessions end, reset links stop working)
//! and API tokens (made and revoked), each with its audit entry in the same transaction.

use crate::access;
use crate::auth::new_api_token;
use crate::context::{Principal, Services};
use crate::error::{Checked, Error};
use rondom_db::{audit, sessions, tokens, users};
use rondom_domain::validate::{ValidationError, required_text};
use rondom_domain::{Action, Resource};

fn own(who: &impl Principal) -> Resource<'_> {
    Resource::Account(&who.actor().user_id)
}

/// Logs a refused password change (the current password was wrong).
async fn record_wrong_password(svc: &Services, who: &impl Principal) -> Result<(), Error> {
    let mut e = access::event(who, "password_change", own(who), "denied");
    e.reason = Some("wrong current password".into());
    access::record(svc, e).await
}

/// Stores a new password hash (checked and hashed by the caller), ends every other
/// session of this person and voids their reset links.
async fn set_password(
    svc: &Services,
    who: &impl Principal,
    hash: String,
    keep_session: &str,
) -> Result<(), Error> {
    let uid = who.actor().user_id.clone();
    let keep = keep_session.to_owned();
    let e = access::event(who, "password_change", own(who), "allowed");
    svc.db
        .write(move |c| {
            users::set_password(c, &uid, &hash)?;
            sessions::delete_for_user(c, &uid, Some(&keep))?;
            tokens::invalidate_password_resets(c, &uid)?;
            audit::append(c, &e)
        })
        .await?;
    Ok(())
}

/// A new API token with this name; answers its value, shown this once (only its hash is
/// kept).
pub async fn create_token(
    svc: &Services,
    who: &impl Principal,
    name: &str,
) -> Result<Checked<String>, Error> {
    access::require(svc, who, Action::Update, own(who)).await?;
    let name = match required_text("name", "een naam voor het token", name, 80) {
        Ok(n) => n,
        Err(e) => return Ok(Err(vec![e])),
    };
    let (value, hash) = new_api_token();
    let uid = who.actor().user_id.clone();
    let mut e = access::event(who, "api_token_create", own(who), "allowed");
    e.reason = Some(name.clone());
    svc.db
        .write(move |c| {
            tokens::create_api_token(c, &uid, &name, &hash)?;
            audit::append(c, &e)
        })
        .await?;
    Ok(Ok(value))
}

/// Revokes one of this person's own tokens.
pub async fn revoke_token(svc: &Services, who: &impl Principal, id: &str) -> Result<(), Error> {
    access::require(svc, who, Action::Update, own(who)).await?;
    let uid = who.actor().user_id.clone();
    let tid = id.to_owned();
    let mut e = access::event(who, "api_token_revoke", own(who), "allowed");
    e.reason = Some(format!("token {id}"));
    svc.db
        .write(move |c| {
            tokens::revoke_api_token(c, &uid, &tid)?;
            audit::append(c, &e)
        })
        .await?;
    Ok(())
}

/// The error to show for a bad token name (the account page shows one sentence).
pub fn first_message(errors: Vec<ValidationError>) -> String {
    errors
        .into_iter()
        .next()
        .map(|e| e.message)
        .unwrap_or_default()
}

/// What "Mijn account" shows: the e-mail address, whether the second factor is on, how
/// many recovery codes are left, the API tokens (newest first). Not the stored user row:
/// its password hash and sealed second-factor secret have no business on a page.
pub struct Overview {
    pub email: String,
    pub totp_enabled: bool,
    pub recovery_left: i64,
    pub tokens: Vec<tokens::ApiToken>,
}

pub async fn overview(svc: &Services, who: &impl Principal) -> Result<Overview, Error> {
    access::require(svc, who, rondom_domain::Action::Read, own(who)).await?;
    let uid = who.actor().user_id.clone();
    Ok(svc
        .db
        .read(move |c| {
            let user = users::get(c, &uid)?;
            Ok(Overview {
                email: user.email,
                totp_enabled: user.totp_enabled,
                recovery_left: users::unused_recovery_codes(c, &uid)?,
                tokens: tokens::list_api_tokens(c, &uid)?,
            })
        })
        .await?)
}

/// A new password, given the current one: guesses at the current one are throttled and
/// a wrong one is logged; the new one must pass the password check (not the person's
/// name or e-mail address) and be typed twice. Other sessions end (`keep_session`
/// stays). The inner `Err` is the sentence to show.
pub async fn change_password(
    svc: &Services,
    who: &impl Principal,
    current: &str,
    new: &str,
    repeat: &str,
    keep_session: &str,
) -> Result<Result<(), ChangeRefused>, Error> {
    use crate::auth::throttle::{self, Key};
    access::require(svc, who, rondom_domain::Action::Update, own(who)).await?;
    let uid = who.actor().user_id.clone();
    let guess_key = Key::CurrentPassword(uid.clone());
    if let Err(locked) = throttle::attempt(svc, vec![guess_key.clone()]).await? {
        return Ok(Err(ChangeRefused::Throttled(locked)));
    }
    let u = svc.db.read(move |c| users::get(c, &uid)).await?;
    let current_hash = u.password_hash.clone().unwrap_or_default();
    if !crate::auth::password::verify(current_hash, current.to_owned()).await {
        record_wrong_password(svc, who).await?;
        return Ok(Err(ChangeRefused::Says(
            "Uw huidige wachtwoord klopt niet.".into(),
        )));
    }
    throttle::succeed(svc, vec![guess_key], None).await?;
    if let Err(e) =
        rondom_domain::passwords::check_new_password(new, &[who.display_name(), &u.email])
    {
        return Ok(Err(ChangeRefused::Says(e.message)));
    }
    if new != repeat {
        return Ok(Err(ChangeRefused::Says(
            "De twee nieuwe wachtwoorden zijn niet gelijk.".into(),
        )));
    }
    let hash = crate::auth::password::hash(new.to_owned())
        .await
        .map_err(Error::internal)?;
    set_password(svc, who, hash, keep_session).await?;
    Ok(Ok(()))
}

/// Why a password change did not happen.
pub enum ChangeRefused {
    /// Too many wrong guesses at the current password.
    Throttled(crate::auth::throttle::Locked),
    /// The sentence to show with the form.
    Says(String),
}

/// This person's unread notices: (id, text, link, when), newest first.
pub async fn unread_notices(
    svc: &Services,
    who: &impl Principal,
) -> Result<Vec<(String, String, String, chrono::NaiveDateTime)>, Error> {
    let uid = who.actor().user_id.clone();
    Ok(svc
        .db
        .read(move |c| rondom_db::consultations::unread(c, &uid))
        .await?)
}
