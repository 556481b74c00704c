//! What an operator does at the command line (`rondom admin …`, `rondom import`, `rondom
//! demo`): outside any person's rights (whoever runs the binary holds the database
//! anyway), but audited like everything else, as "rondom command line". Blocking: the
//! command line has no runtime of its own for these.

use crate::auth::new_api_token;
use rondom_db::audit::{self, AuditEvent};
use rondom_db::organisations::{self as orgs, Organisation, OrganisationInput};
use rondom_db::{AnyConnection, Db, DbError, tokens, users};
use rondom_domain::Role;
use rondom_domain::ids::UserId;

/// The audit entry for an operator's action.
pub fn event(
    action: &str,
    object_type: &str,
    object_id: Option<String>,
    reason: String,
) -> AuditEvent {
    event_by(
        "rondom command line",
        action,
        object_type,
        object_id,
        reason,
    )
}

fn event_by(
    actor: &str,
    action: &str,
    object_type: &str,
    object_id: Option<String>,
    reason: String,
) -> AuditEvent {
    AuditEvent {
        actor_name: actor.into(),
        action: action.into(),
        object_type: object_type.into(),
        object_id,
        reason: Some(reason),
        outcome: "allowed".into(),
        ..Default::default()
    }
}

/// Records that the demo municipality was loaded, in the loading transaction.
pub fn record_demo(c: &mut AnyConnection, seed: u64) -> Result<(), DbError> {
    audit::append(
        c,
        &event_by(
            "rondom demo",
            "demo_loaded",
            "installation",
            None,
            format!("seed {seed}"),
        ),
    )
    .map(|_| ())
}

/// Records an import of the sociale kaart (the import wrote its own records).
/// The audit entry of an HSDS import; call inside the import's write transaction.
pub fn record_import(c: &mut AnyConnection, reason: String) -> Result<(), DbError> {
    audit::append(c, &event("directory_import", "directory", None, reason)).map(drop)
}

/// An organisation by id, AGB code or exact name.
pub fn find_organisation(c: &mut AnyConnection, key: &str) -> Result<Organisation, String> {
    let found = match orgs::find(c, key).map_err(|e| e.to_string())? {
        Some(o) => Some(o),
        None => match orgs::find_by_agb(c, key).map_err(|e| e.to_string())? {
            Some(o) => Some(o),
            None => orgs::find_by_name(c, key).map_err(|e| e.to_string())?,
        },
    };
    found.ok_or_else(|| format!("no organisation with name, id or AGB code \"{key}\""))
}

/// Creates an organisation (any kind, the platform's own included).
pub fn create_organisation(db: &Db, input: &OrganisationInput) -> Result<Organisation, DbError> {
    db.write_blocking(|c| {
        let o = orgs::create(c, input)?;
        audit::append(
            c,
            &event(
                "organisation_create",
                "organisation",
                Some(o.id.to_string()),
                o.name.clone(),
            ),
        )?;
        Ok(o)
    })
}

/// Gives a person (made when new, with this password hash if given) a role in an
/// organisation. Answers their id and whether the account is new.
pub fn add_member(
    db: &Db,
    organisation: &str,
    email: &str,
    name: &str,
    role: Role,
    password_hash: Option<&str>,
) -> Result<(UserId, bool), String> {
    db.write_blocking(|c| {
        let org = find_organisation(c, organisation).map_err(DbError::Conflict)?;
        if !role.fits(org.kind) {
            return Err(DbError::Conflict(format!(
                "the role {} does not fit a {}",
                role.as_str(),
                org.kind.as_str()
            )));
        }
        let (uid, created) = match users::find_by_email(c, email)? {
            Some(u) => (u.id, false),
            None => (
                users::create(
                    c,
                    &users::NewUser {
                        email,
                        name,
                        password_hash,
                        family_role: None,
                        is_demo: false,
                    },
                )?,
                true,
            ),
        };
        if !created && let Some(h) = password_hash {
            users::set_password(c, &uid, h)?;
        }
        orgs::add_membership(c, &uid, &org.id, role.as_str())?;
        audit::append(
            c,
            &event(
                "member_add",
                "organisation",
                Some(org.id.to_string()),
                format!("{email} as {}", role.as_str()),
            ),
        )?;
        Ok((uid, created))
    })
    .map_err(|e| match e {
        DbError::Conflict(m)
            if m.contains("UNIQUE") || m.contains("unique") || m.contains("duplicate") =>
        {
            "this person already has this role in this organisation".to_owned()
        }
        DbError::Conflict(m) => m,
        other => other.to_string(),
    })
}

/// A new single-use password link for this person (earlier ones stop working): answers
/// the token to put in the link.
pub fn issue_reset_link(db: &Db, user_id: &str, valid_hours: i64) -> Result<String, DbError> {
    db.write_blocking(|c| {
        let token = crate::auth::links::issue(c, user_id, valid_hours)?;
        audit::append(
            c,
            &event(
                "password_reset_link",
                "user",
                Some(user_id.to_owned()),
                "issued on the command line".into(),
            ),
        )?;
        Ok(token)
    })
}

/// A new API token for the person with this address: answers its value (shown once).
pub fn create_token(db: &Db, email: &str, name: &str) -> Result<String, String> {
    let (value, hash) = new_api_token();
    db.write_blocking(|c| {
        let u = users::find_by_email(c, email)?.ok_or(DbError::NotFound)?;
        tokens::create_api_token(c, &u.id, name, &hash)?;
        audit::append(
            c,
            &event(
                "api_token_create",
                "user",
                Some(u.id.into()),
                name.to_owned(),
            ),
        )
    })
    .map_err(|e| match e {
        DbError::NotFound => format!("no user with e-mail address {email}"),
        other => other.to_string(),
    })?;
    Ok(value)
}
