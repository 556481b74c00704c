use crate::schema::{memberships, recovery_codes, users};
use crate::{AnyConnection, DbError, new_id, now};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rondom_domain::ids::{OrganisationId, UserId};
use rondom_domain::{OrganisationKind, Role};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub family_role: Option<Role>,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub totp_last_step: Option<i64>,
    pub is_demo: bool,
    pub disabled: bool,
    pub password_changed_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: Option<&'a str>,
    pub family_role: Option<&'a str>,
    pub is_demo: bool,
}

pub fn create(conn: &mut AnyConnection, u: &NewUser<'_>) -> Result<UserId, DbError> {
    let id = UserId::trusted(new_id());
    let t = now();
    diesel::insert_into(users::table)
        .values((
            users::id.eq(&id),
            users::email.eq(u.email),
            users::name.eq(u.name),
            users::password_hash.eq(u.password_hash),
            users::family_role.eq(u.family_role),
            users::totp_enabled.eq(false),
            users::is_demo.eq(u.is_demo),
            users::disabled.eq(false),
            users::password_changed_at.eq(u.password_hash.map(|_| t)),
            users::created_at.eq(t),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn get(conn: &mut AnyConnection, id: &str) -> Result<User, DbError> {
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .first(conn)?)
}

/// The person with this id, if there is one (a lost connection is still an error).
pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<User>, DbError> {
    Ok(users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

/// The names of these people, in one query: (id, name).
pub fn names_of(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<Vec<(String, String)>, DbError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(users::table
        .filter(crate::in_list(users::id, ids))
        .select((users::id, users::name))
        .load(conn)?)
}

/// The names of these people and these organisations in one query: (id, name). Both
/// kinds of id are UUIDs, so one map holds them all.
pub fn names_with_organisations(
    conn: &mut AnyConnection,
    people: &[String],
    organisations: &[String],
) -> Result<Vec<(String, String)>, DbError> {
    use crate::schema::organisations as o;
    if people.is_empty() && organisations.is_empty() {
        return Ok(vec![]);
    }
    let people = users::table
        .filter(crate::in_list(users::id, people))
        .select((users::id, users::name));
    let organisations = o::table
        .filter(crate::in_list(o::id, organisations))
        .select((o::id, o::name));
    // The multi-engine connection has no UNION; each engine's own connection has.
    Ok(crate::on_backend!(conn, |c| people
        .union_all(organisations)
        .load(c))?)
}

/// The e-mail addresses of these people who are not disabled, in one query: (id, e-mail).
pub fn emails_of(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<Vec<(String, String)>, DbError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(users::table
        .filter(crate::in_list(users::id, ids))
        .filter(users::disabled.eq(false))
        .select((users::id, users::email))
        .load(conn)?)
}

pub fn find_by_email(conn: &mut AnyConnection, email: &str) -> Result<Option<User>, DbError> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

pub fn count(conn: &mut AnyConnection) -> Result<i64, DbError> {
    Ok(users::table.count().get_result(conn)?)
}

pub fn set_password(conn: &mut AnyConnection, id: &str, hash: &str) -> Result<(), DbError> {
    let n = diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash),
            users::password_changed_at.eq(now()),
        ))
        .execute(conn)?;
    if n == 0 {
        Err(DbError::NotFound)
    } else {
        Ok(())
    }
}

/// Stores a secret that is not yet confirmed; `totp_enabled` stays false until the person
/// proves they can produce a code.
pub fn set_pending_totp(conn: &mut AnyConnection, id: &str, secret: &str) -> Result<(), DbError> {
    diesel::update(users::table.find(id))
        .set((
            users::totp_secret.eq(secret),
            users::totp_enabled.eq(false),
            users::totp_last_step.eq(None::<i64>),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn enable_totp(conn: &mut AnyConnection, id: &str, step: i64) -> Result<(), DbError> {
    diesel::update(users::table.find(id))
        .set((users::totp_enabled.eq(true), users::totp_last_step.eq(step)))
        .execute(conn)?;
    Ok(())
}

/// Records the time step of an accepted code. The `WHERE` makes the check and the update
/// one atomic step, so the same code cannot be used twice, not even by two requests at
/// the same moment on two servers.
pub fn consume_totp_step(conn: &mut AnyConnection, id: &str, step: i64) -> Result<bool, DbError> {
    let n = diesel::update(
        users::table.find(id).filter(
            users::totp_last_step
                .is_null()
                .or(users::totp_last_step.lt(step)),
        ),
    )
    .set(users::totp_last_step.eq(step))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn replace_recovery_codes(
    conn: &mut AnyConnection,
    user_id: &str,
    hashes: &[String],
) -> Result<(), DbError> {
    diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user_id)))
        .execute(conn)?;
    for h in hashes {
        diesel::insert_into(recovery_codes::table)
            .values((
                recovery_codes::id.eq(new_id()),
                recovery_codes::user_id.eq(user_id),
                recovery_codes::code_hash.eq(h),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Uses up a recovery code; true when it existed and was unused.
pub fn use_recovery_code(
    conn: &mut AnyConnection,
    user_id: &str,
    hash: &str,
) -> Result<bool, DbError> {
    let n = diesel::update(
        recovery_codes::table
            .filter(recovery_codes::user_id.eq(user_id))
            .filter(recovery_codes::code_hash.eq(hash))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(now()))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn unused_recovery_codes(conn: &mut AnyConnection, user_id: &str) -> Result<i64, DbError> {
    Ok(recovery_codes::table
        .filter(recovery_codes::user_id.eq(user_id))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)?)
}

/// One role a person holds in one organisation.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct Membership {
    pub organisation_id: OrganisationId,
    pub organisation_name: String,
    pub organisation_kind: OrganisationKind,
    pub role: Role,
}

pub fn memberships_of(conn: &mut AnyConnection, user_id: &str) -> Result<Vec<Membership>, DbError> {
    use crate::schema::organisations;
    Ok(crate::on_backend!(conn, |c| memberships::table
        .inner_join(organisations::table)
        .filter(memberships::user_id.eq(user_id))
        .order(organisations::name.asc())
        .select((
            organisations::id,
            organisations::name,
            organisations::kind,
            memberships::role,
        ))
        .load(c))?)
}

/// The memberships of several people at once: (user id, membership).
pub fn memberships_of_many(
    conn: &mut AnyConnection,
    user_ids: &[String],
) -> Result<Vec<(String, Membership)>, DbError> {
    use crate::schema::organisations;
    let rows: Vec<(String, OrganisationId, String, OrganisationKind, Role)> =
        crate::on_backend!(conn, |c| memberships::table
            .inner_join(organisations::table)
            .filter(memberships::user_id.eq_any(user_ids.to_vec()))
            .order((memberships::user_id.asc(), organisations::name.asc()))
            .select((
                memberships::user_id,
                organisations::id,
                organisations::name,
                organisations::kind,
                memberships::role,
            ))
            .load(c))?;
    Ok(rows
        .into_iter()
        .map(
            |(u, organisation_id, organisation_name, organisation_kind, role)| {
                (
                    u,
                    Membership {
                        organisation_id,
                        organisation_name,
                        organisation_kind,
                        role,
                    },
                )
            },
        )
        .collect())
}
