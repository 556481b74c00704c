use crate::schema::{sessions, users};
use crate::{AnyConnection, DbError, now};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct Session {
    /// SHA-256 of the cookie value: a copy of the table gives nobody a usable session.
    pub id: String,
    pub user_id: rondom_domain::ids::UserId,
    pub csrf_token: String,
    pub mfa_done: bool,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    // created_at, source_address and user_agent are kept for the record, not read on
    // the request path: fewer columns to parse on every request.
}

pub struct NewSession<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub csrf_token: &'a str,
    pub mfa_done: bool,
    pub expires_at: NaiveDateTime,
    pub source_address: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

pub fn create(conn: &mut AnyConnection, s: &NewSession<'_>) -> Result<(), DbError> {
    let t = now();
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(s.id),
            sessions::user_id.eq(s.user_id),
            sessions::csrf_token.eq(s.csrf_token),
            sessions::mfa_done.eq(s.mfa_done),
            sessions::created_at.eq(t),
            sessions::last_seen_at.eq(t),
            sessions::expires_at.eq(s.expires_at),
            sessions::source_address.eq(s.source_address),
            sessions::user_agent.eq(s.user_agent),
        ))
        .execute(conn)?;
    Ok(())
}

/// A session with what every request needs to know about its person.
#[derive(Debug, Clone)]
pub struct SessionWithUser {
    pub session: Session,
    pub name: String,
    pub email: String,
    pub is_demo: bool,
    pub totp_enabled: bool,
    pub family_role: Option<rondom_domain::Role>,
    pub memberships: Vec<crate::users::Membership>,
    /// The sociale kaart's version counter, read in the same statement: a search learns
    /// whether its index is current without another round trip.
    pub directory_version: Option<i64>,
}

type MembershipCols = (
    Option<rondom_domain::ids::OrganisationId>,
    Option<String>,
    Option<rondom_domain::OrganisationKind>,
    Option<rondom_domain::Role>,
);
type SessionRow = (
    Session,
    String,
    String,
    bool,
    bool,
    Option<rondom_domain::Role>,
    bool,
    MembershipCols,
    Option<i64>,
);

/// The session, its (enabled) person and their memberships, in one statement: this runs
/// on every request.
pub fn load(conn: &mut AnyConnection, id: &str) -> Result<Option<SessionWithUser>, DbError> {
    use crate::schema::{directory_version, memberships, organisations};
    // No LIMIT and no literal comparison in the SQL: SQLite re-prepares a statement whose
    // plan may depend on such bound values on every re-bind, which made it re-parse this,
    // the hottest query, on every request. The id is the primary key anyway.
    let rows: Vec<SessionRow> = crate::on_backend!(conn, |c| sessions::table
        .inner_join(users::table)
        .left_join(memberships::table.on(memberships::user_id.eq(sessions::user_id)))
        .left_join(organisations::table.on(organisations::id.eq(memberships::organisation_id)))
        .filter(sessions::id.eq(id))
        .select((
            Session::as_select(),
            users::name,
            users::email,
            users::is_demo,
            users::totp_enabled,
            users::family_role,
            users::disabled,
            (
                organisations::id.nullable(),
                organisations::name.nullable(),
                organisations::kind.nullable(),
                memberships::role.nullable(),
            ),
            // One row, no bound value (see above).
            directory_version::table
                .select(directory_version::version)
                .single_value(),
        ))
        .load(c))?;
    let mut found: Option<SessionWithUser> = None;
    for (session, name, email, is_demo, totp_enabled, family_role, disabled, m, version) in rows {
        if disabled {
            return Ok(None);
        }
        let entry = found.get_or_insert_with(|| SessionWithUser {
            session,
            name,
            email,
            is_demo,
            totp_enabled,
            family_role,
            memberships: Vec::new(),
            directory_version: version,
        });
        if let (
            Some(organisation_id),
            Some(organisation_name),
            Some(organisation_kind),
            Some(role),
        ) = m
        {
            entry.memberships.push(crate::users::Membership {
                organisation_id,
                organisation_name,
                organisation_kind,
                role,
            });
        }
    }
    if let Some(f) = found.as_mut() {
        f.memberships.sort_by(|a, b| {
            a.organisation_name
                .cmp(&b.organisation_name)
                .then(a.role.as_str().cmp(b.role.as_str()))
        });
    }
    Ok(found)
}

pub fn touch(conn: &mut AnyConnection, id: &str, at: NaiveDateTime) -> Result<(), DbError> {
    diesel::update(sessions::table.find(id))
        .set(sessions::last_seen_at.eq(at))
        .execute(conn)?;
    Ok(())
}

/// Completes the second factor and gives the session a new id (no session fixation
/// across the privilege change).
pub fn complete_mfa(
    conn: &mut AnyConnection,
    old_id: &str,
    new_id: &str,
    csrf: &str,
) -> Result<(), DbError> {
    let n = diesel::update(sessions::table.find(old_id))
        .set((
            sessions::id.eq(new_id),
            sessions::mfa_done.eq(true),
            sessions::csrf_token.eq(csrf),
            sessions::last_seen_at.eq(now()),
        ))
        .execute(conn)?;
    if n == 0 {
        Err(DbError::NotFound)
    } else {
        Ok(())
    }
}

pub fn delete(conn: &mut AnyConnection, id: &str) -> Result<(), DbError> {
    diesel::delete(sessions::table.find(id)).execute(conn)?;
    Ok(())
}

/// Ends every session of a person except, optionally, the one making the change.
pub fn delete_for_user(
    conn: &mut AnyConnection,
    user_id: &str,
    keep: Option<&str>,
) -> Result<usize, DbError> {
    let q = sessions::table.filter(sessions::user_id.eq(user_id));
    Ok(match keep {
        Some(k) => diesel::delete(q.filter(sessions::id.ne(k))).execute(conn)?,
        None => diesel::delete(q).execute(conn)?,
    })
}

pub fn delete_expired(
    conn: &mut AnyConnection,
    idle_before: NaiveDateTime,
) -> Result<usize, DbError> {
    Ok(diesel::delete(
        sessions::table.filter(
            sessions::expires_at
                .lt(now())
                .or(sessions::last_seen_at.lt(idle_before)),
        ),
    )
    .execute(conn)?)
}
