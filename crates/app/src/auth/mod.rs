//! Secrets that prove who someone is: password hashes (argon2id) and random tokens
//! (session ids, API tokens, reset links), stored only as their SHA-256.

pub mod links;
pub mod login;
pub mod password;
pub mod second_factor;
pub mod session_cache;
pub mod sessions;
pub mod throttle;
pub mod totp;

use rand::RngCore;
use sha2::{Digest, Sha256};

/// 256 random bits, URL-safe: a session id, an API token's secret, a reset link.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    data_encoding::BASE64URL_NOPAD.encode(&b)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Compares secrets in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What every API token starts with, so that a leaked one is recognisable.
pub const API_TOKEN_PREFIX: &str = "rdm_";

/// A new API token: (the value, shown once; its SHA-256, stored).
pub fn new_api_token() -> (String, String) {
    let value = format!("{API_TOKEN_PREFIX}{}", random_token());
    let hash = sha256_hex(&value);
    (value, hash)
}

/// The person behind a request, as the policy sees them: their roles per organisation
/// (a stored role that is none is left out: it grants nothing) and a family role.
pub fn actor_of(
    user_id: &str,
    memberships: &[rondom_db::users::Membership],
    family_role: Option<rondom_domain::Role>,
) -> rondom_domain::Actor {
    rondom_domain::Actor {
        user_id: user_id.to_owned(),
        memberships: memberships
            .iter()
            .map(|m| (m.organisation_id.to_string(), m.role))
            .collect(),
        family_role,
        kinds: memberships
            .iter()
            .map(|m| (m.organisation_id.to_string(), m.organisation_kind))
            .collect(),
    }
}

/// The holder of an API token: the token, the person and their memberships.
pub struct TokenHolder {
    pub token: rondom_db::tokens::ApiToken,
    pub user: rondom_db::users::User,
    pub memberships: Vec<rondom_db::users::Membership>,
}

/// Whose API token this is (`value` as sent), if it is live and its owner enabled: from
/// `cache` while nothing it is built from changed. Its last use is refreshed at most
/// once a minute.
pub async fn api_token_holder(
    svc: &crate::Services,
    cache: &session_cache::TokenCache,
    value: &str,
) -> Result<Option<std::sync::Arc<TokenHolder>>, crate::Error> {
    use rondom_db::{tokens, users};
    let hash = sha256_hex(value);
    let key = hash.clone();
    let found = cache
        .load(&svc.db, &key, move |c| {
            let Some(t) = tokens::find_api_token(c, &hash)? else {
                return Ok(None);
            };
            let u = users::get(c, &t.user_id)?;
            let m = users::memberships_of(c, &t.user_id)?;
            Ok(Some(TokenHolder {
                token: t,
                user: u,
                memberships: m,
            }))
        })
        .await?;
    let Some(holder) = found else {
        return Ok(None);
    };
    let stale = holder
        .token
        .last_used_at
        .is_none_or(|at| (rondom_db::now() - at).num_seconds() > 60);
    if stale {
        let id = holder.token.id.clone();
        svc.db
            .write(move |c| tokens::touch_api_token(c, &id))
            .await?;
    }
    Ok(Some(holder))
}
