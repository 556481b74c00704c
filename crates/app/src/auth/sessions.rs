//! The moments of a login that change what is stored, each with its audit entry in the
//! same transaction: the second factor passed (the session gets a new id), a logout, and
//! a new password through a single-use link; and the check of a live session. The web
//! crate keeps the cookies; these keep the records.

use crate::context::Services;
use crate::error::Error;
use rondom_db::audit::{self, AuditEvent};
pub use rondom_db::sessions::SessionWithUser;
pub use rondom_db::users::Membership;
use rondom_db::{sessions, tokens, users};

/// Who a session belongs to, as the audit log names them.
pub struct SessionOwner<'a> {
    pub user_id: &'a str,
    pub name: &'a str,
    pub source_address: Option<&'a str>,
}

pub(crate) fn entry(who: &SessionOwner<'_>, action: &str, reason: Option<&str>) -> AuditEvent {
    AuditEvent {
        actor_user_id: Some(who.user_id.to_owned()),
        actor_name: who.name.to_owned(),
        action: action.into(),
        object_type: "user".into(),
        object_id: Some(who.user_id.to_owned()),
        reason: reason.map(str::to_owned),
        source_address: who.source_address.map(str::to_owned),
        outcome: "allowed".into(),
        ..Default::default()
    }
}

/// Both factors are in: the pending session `old_id` becomes the full session `new_id`
/// (hashes), with a fresh CSRF token. `how` says which second factor was used.
pub async fn complete_login(
    svc: &Services,
    who: &SessionOwner<'_>,
    old_id: &str,
    new_id: &str,
    csrf: &str,
    how: &str,
) -> Result<(), Error> {
    let e = entry(who, "login", Some(how));
    let (old, new, csrf) = (old_id.to_owned(), new_id.to_owned(), csrf.to_owned());
    svc.db
        .write(move |c| {
            sessions::complete_mfa(c, &old, &new, &csrf)?;
            audit::append(c, &e)
        })
        .await?;
    Ok(())
}

/// Ends one session (also one still waiting for its second factor).
pub async fn logout(svc: &Services, who: &SessionOwner<'_>, session_id: &str) -> Result<(), Error> {
    let e = entry(who, "logout", None);
    let id = session_id.to_owned();
    svc.db
        .write(move |c| {
            sessions::delete(c, &id)?;
            audit::append(c, &e)
        })
        .await?;
    Ok(())
}

/// Sets a new password (hashed by the caller) through a single-use reset link (its
/// hash). A new password ends every session and revokes every API token: whoever had
/// the old one is out. Answers the account's e-mail address, or None when the link has
/// expired or was used.
pub async fn reset_password(
    svc: &Services,
    link_hash: &str,
    new_hash: String,
    source_address: Option<&str>,
) -> Result<Option<String>, Error> {
    let hash = link_hash.to_owned();
    let source = source_address.map(str::to_owned);
    Ok(svc
        .db
        .write(move |c| {
            let Some(uid) = tokens::consume_password_reset(c, &hash)? else {
                return Ok(None);
            };
            let u = users::get(c, &uid)?;
            users::set_password(c, &uid, &new_hash)?;
            tokens::invalidate_password_resets(c, &uid)?;
            sessions::delete_for_user(c, &uid, None)?;
            tokens::revoke_all_api_tokens(c, &uid)?;
            let owner = SessionOwner {
                user_id: &uid,
                name: &u.name,
                source_address: source.as_deref(),
            };
            audit::append(c, &entry(&owner, "password_reset", None))?;
            Ok(Some(u.email))
        })
        .await?)
}

/// A live session: its row with the person and their memberships.
pub type Live = std::sync::Arc<rondom_db::sessions::SessionWithUser>;

/// Refreshing `last_seen_at` on every request would make every page view a write; it is
/// refreshed once this much of the idle time has passed, at most once a minute. (A
/// fixed minute was the whole idle time of a one-minute timeout: an active session then
/// ended while in use.)
fn touch_after(idle: chrono::Duration) -> chrono::Duration {
    (idle / 10).min(chrono::Duration::seconds(60))
}

/// The session whose cookie hashes to `id`, if it is still live: past its absolute end
/// or idle for `idle`, it is deleted and None. Its last-seen moment is refreshed now and
/// then (`touch_after`), not on every request.
pub async fn current(
    svc: &Services,
    cache: &crate::auth::session_cache::SessionCache,
    id: &str,
    idle: chrono::Duration,
) -> Result<Option<Live>, Error> {
    let now = rondom_db::now();
    let Some(row) = cache.session(&svc.db, id).await? else {
        return Ok(None);
    };
    let s = &row.session;
    if s.expires_at <= now || s.last_seen_at + idle <= now {
        let sid = id.to_owned();
        svc.db.write(move |c| sessions::delete(c, &sid)).await?;
        return Ok(None);
    }
    if now - s.last_seen_at >= touch_after(idle) {
        let sid = id.to_owned();
        svc.db.write(move |c| sessions::touch(c, &sid, now)).await?;
    }
    Ok(Some(row))
}
