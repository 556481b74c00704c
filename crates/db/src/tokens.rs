//! API tokens and password-reset tokens. Only hashes are stored: the value is shown once.

use crate::schema::{api_tokens, password_resets, users};
use crate::{AnyConnection, DbError, new_id, now};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    pub id: rondom_domain::ids::TokenId,
    pub user_id: rondom_domain::ids::UserId,
    pub name: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn create_api_token(
    conn: &mut AnyConnection,
    user_id: &str,
    name: &str,
    hash: &str,
) -> Result<String, DbError> {
    let id = new_id();
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::id.eq(&id),
            api_tokens::user_id.eq(user_id),
            api_tokens::name.eq(name),
            api_tokens::token_hash.eq(hash),
            api_tokens::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The live token with this hash, if its owner is not disabled.
pub fn find_api_token(conn: &mut AnyConnection, hash: &str) -> Result<Option<ApiToken>, DbError> {
    Ok(api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(hash))
        .filter(api_tokens::revoked_at.is_null())
        .filter(users::disabled.eq(false))
        .select(ApiToken::as_select())
        .first(conn)
        .optional()?)
}

pub fn touch_api_token(conn: &mut AnyConnection, id: &str) -> Result<(), DbError> {
    diesel::update(api_tokens::table.find(id))
        .set(api_tokens::last_used_at.eq(now()))
        .execute(conn)?;
    Ok(())
}

pub fn list_api_tokens(conn: &mut AnyConnection, user_id: &str) -> Result<Vec<ApiToken>, DbError> {
    Ok(api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .order(api_tokens::created_at.desc())
        .select(ApiToken::as_select())
        .load(conn)?)
}

/// Revokes a token of this user; a token id of someone else finds nothing.
pub fn revoke_api_token(conn: &mut AnyConnection, user_id: &str, id: &str) -> Result<(), DbError> {
    let n = diesel::update(
        api_tokens::table
            .filter(api_tokens::id.eq(id))
            .filter(api_tokens::user_id.eq(user_id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(now()))
    .execute(conn)?;
    if n == 0 {
        Err(DbError::NotFound)
    } else {
        Ok(())
    }
}

pub fn revoke_all_api_tokens(conn: &mut AnyConnection, user_id: &str) -> Result<usize, DbError> {
    Ok(diesel::update(
        api_tokens::table
            .filter(api_tokens::user_id.eq(user_id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(now()))
    .execute(conn)?)
}

pub fn create_password_reset(
    conn: &mut AnyConnection,
    user_id: &str,
    hash: &str,
    expires_at: NaiveDateTime,
) -> Result<(), DbError> {
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::token_hash.eq(hash),
            password_resets::user_id.eq(user_id),
            password_resets::created_at.eq(now()),
            password_resets::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The user id of an unused, unexpired reset token (without using it up).
pub fn peek_password_reset(
    conn: &mut AnyConnection,
    hash: &str,
) -> Result<Option<String>, DbError> {
    Ok(password_resets::table
        .filter(password_resets::token_hash.eq(hash))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(now()))
        .select(password_resets::user_id)
        .first(conn)
        .optional()?)
}

/// Uses up a reset token: the conditional update makes "works once" hold even when two
/// requests race.
pub fn consume_password_reset(
    conn: &mut AnyConnection,
    hash: &str,
) -> Result<Option<String>, DbError> {
    let Some(user_id) = peek_password_reset(conn, hash)? else {
        return Ok(None);
    };
    let n = diesel::update(
        password_resets::table
            .filter(password_resets::token_hash.eq(hash))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(now()))
    .execute(conn)?;
    Ok((n == 1).then_some(user_id))
}

/// Older links stop working once a new one is asked for or the password is set.
pub fn invalidate_password_resets(conn: &mut AnyConnection, user_id: &str) -> Result<(), DbError> {
    diesel::update(
        password_resets::table
            .filter(password_resets::user_id.eq(user_id))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(now()))
    .execute(conn)?;
    Ok(())
}
