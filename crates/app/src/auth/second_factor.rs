//! The second factor's stored side: the secret (sealed at rest) made at enrolment, the
//! code checked at login (each time step accepted once, so two servers cannot both
//! accept one code), and the recovery codes.

use crate::auth::totp;
use crate::context::Services;
use crate::error::Error;
use crate::secrets::SecretBox;
use rondom_db::users;

fn open_secret(secrets: &SecretBox, sealed: &str) -> Option<String> {
    secrets
        .open(sealed)
        .map_err(|e| tracing::error!(error = %e, "a second-factor secret could not be decrypted"))
        .ok()
}

/// Checks a login's second factor: an authenticator code of a step not used before, or
/// an unused recovery code (used up by this). Answers how the person proved it, or None.
pub async fn check_code(
    svc: &Services,
    user_id: &str,
    code: &str,
) -> Result<Option<&'static str>, Error> {
    let (uid, code, secrets) = (user_id.to_owned(), code.to_owned(), svc.secrets.clone());
    Ok(svc
        .db
        .write(move |c| {
            let u = users::get(c, &uid)?;
            let Some(secret) = u
                .totp_secret
                .filter(|_| u.totp_enabled)
                .and_then(|s| open_secret(&secrets, &s))
            else {
                return Ok(None);
            };
            if let Some(step) = totp::matching_step(&secret, &code, totp::unix_now()) {
                return Ok(users::consume_totp_step(c, &uid, step)?
                    .then_some("password and authenticator code"));
            }
            let is_recovery = code.chars().filter(char::is_ascii_alphanumeric).count() == 8;
            if is_recovery && users::use_recovery_code(c, &uid, &totp::hash_recovery_code(&code))? {
                return Ok(Some("password and recovery code"));
            }
            Ok(None)
        })
        .await?)
}

/// The secret a person is enrolling with: the one pending, or a new one stored sealed.
/// Answered in the clear for the enrolment page (its owner types or scans it once).
pub async fn pending_secret(svc: &Services, user_id: &str) -> Result<String, Error> {
    let uid = user_id.to_owned();
    let secrets = svc.secrets.clone();
    // Prepared outside the transaction; only stored when no usable secret is pending.
    let fresh = totp::new_secret();
    let sealed = svc.secrets.seal(&fresh).map_err(Error::internal)?;
    Ok(svc
        .db
        .write(move |c| {
            let u = users::get(c, &uid)?;
            match u.totp_secret.and_then(|s| open_secret(&secrets, &s)) {
                Some(s) => Ok(s),
                None => {
                    users::set_pending_totp(c, &uid, &sealed)?;
                    Ok(fresh)
                }
            }
        })
        .await?)
}

/// Turns the second factor on when the code matches the pending secret, with these
/// recovery codes (their hashes), and logs it in the same transaction. Answers whether
/// it did.
pub async fn enable(
    svc: &Services,
    who: &crate::auth::sessions::SessionOwner<'_>,
    code: &str,
    recovery_hashes: Vec<String>,
) -> Result<bool, Error> {
    let (uid, code, secrets) = (who.user_id.to_owned(), code.to_owned(), svc.secrets.clone());
    let entry = crate::auth::sessions::entry(who, "second_factor_enable", None);
    Ok(svc
        .db
        .write(move |c| {
            let u = users::get(c, &uid)?;
            let Some(secret) = u.totp_secret.and_then(|s| open_secret(&secrets, &s)) else {
                return Ok(false);
            };
            let Some(step) = totp::matching_step(&secret, &code, totp::unix_now()) else {
                return Ok(false);
            };
            users::enable_totp(c, &uid, step)?;
            users::replace_recovery_codes(c, &uid, &recovery_hashes)?;
            rondom_db::audit::append(c, &entry)?;
            Ok(true)
        })
        .await?)
}
