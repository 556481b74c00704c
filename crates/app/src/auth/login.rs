//! A login, as far as it is not HTTP: the throttles, the password check against a real
//! or a dummy hash, the session it starts and the audit entry of every outcome (an
//! unknown address, a wrong password, a locked account and a success alike), and the
//! forgotten-password request. The web crate turns the outcome into a page and cookies.

use crate::auth::throttle::{self, Key, Locked};
use crate::auth::{random_token, sha256_hex};
use crate::context::Services;
use crate::error::Error;
use rondom_db::audit::{self, AuditEvent};
use rondom_db::{sessions, users};
use rondom_domain::Role;

/// What the person typed and where from.
pub struct Attempt {
    /// Already checked as an e-mail address and in lower case.
    pub email: String,
    pub password: String,
    pub source_address: Option<String>,
    pub user_agent: Option<String>,
}

/// How this installation treats logins.
pub struct Rules<'a> {
    /// A real argon2 hash to verify against when the address is unknown, so that the
    /// answer takes as long as for a known address.
    pub dummy_hash: &'a str,
    /// A demo installation lets demo accounts in without a second factor.
    pub demo_mode: bool,
    /// How long a session may last at most.
    pub session_absolute: chrono::Duration,
}

pub enum Outcome {
    /// Too many tries from this address (for this account): refused before the password
    /// was looked at.
    Throttled(Locked),
    /// An unknown address or a wrong password (logged); `account_locked` when the account
    /// is also locked over all addresses.
    Wrong { account_locked: Option<Locked> },
    /// The right password on an account locked over all addresses, with no second factor
    /// to tell the owner from a guesser: the way in is a reset link by e-mail.
    ResetNeeded(Locked),
    /// A session started (`token` is the cookie's value). With `second_factor`, it waits
    /// for the code (`totp_enabled`) or its set-up.
    In {
        token: String,
        second_factor: bool,
        totp_enabled: bool,
    },
}

/// Whether this person must pass a second factor: every professional, unless this is a
/// demo installation and the account is a demo account.
fn needs_second_factor(user: &users::User, memberships: &[users::Membership], demo: bool) -> bool {
    if demo && user.is_demo {
        return false;
    }
    let family_only = memberships.is_empty() && user.family_role.is_some_and(Role::is_family);
    !family_only
}

fn login_entry(
    user_id: Option<String>,
    name: &str,
    reason: &str,
    source: &Option<String>,
) -> AuditEvent {
    AuditEvent {
        actor_user_id: user_id.clone(),
        actor_name: name.to_owned(),
        action: "login".into(),
        object_type: "user".into(),
        object_id: user_id,
        reason: Some(reason.into()),
        source_address: source.clone(),
        outcome: "denied".into(),
        ..Default::default()
    }
}

/// Checks a password login and, when it passes, starts the session.
pub async fn password(svc: &Services, a: Attempt, rules: &Rules<'_>) -> Result<Outcome, Error> {
    let pair_key = Key::pair(&a.email, &a.source_address);
    let account_key = Key::Account(a.email.clone());
    let address_key = Key::address(&a.source_address);
    // From this address: refused before the password is looked at.
    let keys = std::iter::once(pair_key.clone())
        .chain(address_key.clone())
        .collect();
    if let Err(locked) = throttle::attempt(svc, keys).await? {
        return Ok(Outcome::Throttled(locked));
    }
    // Over all addresses: the soft lock (see `throttle`).
    let account_locked = throttle::attempt(svc, vec![account_key.clone()])
        .await?
        .err();
    let lookup = a.email.clone();
    let found = svc
        .db
        .read(move |c| {
            let Some(u) = users::find_by_email(c, &lookup)? else {
                return Ok(None);
            };
            let m = users::memberships_of(c, &u.id)?;
            Ok(Some((u, m)))
        })
        .await?;
    let usable = found
        .as_ref()
        .filter(|(u, _)| !u.disabled && u.password_hash.is_some());
    // Unknown addresses are checked against a dummy hash: same work, same answer.
    let hash = usable
        .and_then(|(u, _)| u.password_hash.clone())
        .unwrap_or_else(|| rules.dummy_hash.to_owned());
    let ok = crate::auth::password::verify(hash, a.password).await && usable.is_some();
    let Some((user, memberships)) = usable.filter(|_| ok).cloned() else {
        let first = found.as_ref().and_then(|(_, m)| m.first());
        let mut e = login_entry(
            found.as_ref().map(|(u, _)| u.id.to_string()),
            &a.email,
            "wrong password or unknown account",
            &a.source_address,
        );
        e.actor_role = first.map(|m| m.role.as_str().to_owned());
        e.actor_organisation_id = first.map(|m| m.organisation_id.to_string());
        svc.db.audit(e).await?;
        return Ok(Outcome::Wrong { account_locked });
    };
    let second = needs_second_factor(&user, &memberships, rules.demo_mode);
    if let Some(locked) = account_locked
        && !(second && user.totp_enabled)
    {
        let e = login_entry(
            Some(user.id.to_string()),
            &user.name,
            "account locked after failures from several addresses",
            &a.source_address,
        );
        svc.db.audit(e).await?;
        return Ok(Outcome::ResetNeeded(locked));
    }
    // The account's own counter starts again only once the person is fully in: with a
    // second factor still to come, a guesser who found the password gains nothing.
    let cleared = if second {
        vec![pair_key]
    } else {
        vec![pair_key, account_key]
    };
    throttle::succeed(svc, cleared, address_key).await?;
    let token = random_token();
    let id = sha256_hex(&token);
    let csrf = random_token();
    let expires_at = rondom_db::now() + rules.session_absolute;
    let mut e = login_entry(
        Some(user.id.to_string()),
        &user.name,
        if second {
            "password; second factor pending"
        } else {
            "password"
        },
        &a.source_address,
    );
    e.outcome = "allowed".into();
    e.actor_role = memberships.first().map(|m| m.role.as_str().to_owned());
    e.actor_organisation_id = memberships.first().map(|m| m.organisation_id.to_string());
    let (uid, source, agent) = (user.id.clone(), a.source_address, a.user_agent);
    svc.db
        .write(move |c| {
            sessions::create(
                c,
                &sessions::NewSession {
                    id: &id,
                    user_id: &uid,
                    csrf_token: &csrf,
                    mfa_done: !second,
                    expires_at,
                    source_address: source.as_deref(),
                    user_agent: agent.as_deref().map(|u| &u[..u.floor_char_boundary(300)]),
                },
            )?;
            audit::append(c, &e)
        })
        .await?;
    Ok(Outcome::In {
        token,
        second_factor: second,
        totp_enabled: user.totp_enabled,
    })
}

/// A second-factor code at login, for a session waiting for it. Answers how the person
/// proved it, or None (logged) for a wrong or reused code; a throttle refusal as `Err`
/// inside.
pub async fn second_factor(
    svc: &Services,
    who: &crate::auth::sessions::SessionOwner<'_>,
    code: &str,
) -> Result<Result<Option<&'static str>, Locked>, Error> {
    let source = who.source_address.map(str::to_owned);
    let keys = std::iter::once(Key::SecondFactor(who.user_id.to_owned()))
        .chain(Key::address(&source))
        .collect();
    if let Err(locked) = throttle::attempt(svc, keys).await? {
        return Ok(Err(locked));
    }
    let accepted = crate::auth::second_factor::check_code(svc, who.user_id, code).await?;
    if accepted.is_none() {
        let e = login_entry(
            Some(who.user_id.to_owned()),
            who.name,
            "wrong or reused second-factor code",
            &source,
        );
        svc.db.audit(e).await?;
    }
    Ok(Ok(accepted))
}

/// Both factors are in: the session gets a new id (`new_token`'s hash) and a new CSRF
/// token, and the counters of the guessed secrets start again.
pub async fn finish(
    svc: &Services,
    who: &crate::auth::sessions::SessionOwner<'_>,
    pending_session: &str,
    new_token: &str,
    csrf: &str,
    how: &str,
) -> Result<(), Error> {
    crate::auth::sessions::complete_login(
        svc,
        who,
        pending_session,
        &sha256_hex(new_token),
        csrf,
        how,
    )
    .await?;
    let uid = who.user_id.to_owned();
    let email = svc
        .db
        .read(move |c| users::get(c, &uid).map(|u| u.email))
        .await?;
    let source = who.source_address.map(str::to_owned);
    throttle::succeed(
        svc,
        vec![
            Key::SecondFactor(who.user_id.to_owned()),
            Key::Account(email),
        ],
        Key::address(&source),
    )
    .await?;
    Ok(())
}

/// "Forgot password": counted per address on a counter of its own (so the form can
/// neither flood a mailbox nor slow down anyone's login); a known, enabled account gets
/// a link by e-mail and an audit entry. The answer is the same either way.
pub async fn forgot_password(
    svc: &Services,
    email: &str,
    source_address: Option<String>,
) -> Result<Result<(), Locked>, Error> {
    let keys = source_address
        .iter()
        .map(|a| Key::ResetAddress(a.clone()))
        .collect();
    if let Err(locked) = throttle::attempt(svc, keys).await? {
        return Ok(Err(locked));
    }
    let lookup = email.to_owned();
    let user = svc
        .db
        .read(move |c| users::find_by_email(c, &lookup))
        .await?;
    if let Some(u) = user.filter(|u| !u.disabled) {
        let hours = crate::auth::links::RESET_VALID_HOURS;
        let mut e = login_entry(Some(u.id.to_string()), &u.name, "", &source_address);
        e.action = "password_reset_requested".into();
        e.reason = None;
        e.outcome = "allowed".into();
        let uid = u.id.clone();
        let token = svc
            .db
            .write(move |c| {
                let token = crate::auth::links::issue(c, &uid, hours)?;
                audit::append(c, &e)?;
                Ok(token)
            })
            .await?;
        crate::auth::links::mail(svc, &u.email, &token, hours, false);
    }
    Ok(Ok(()))
}

/// Whether a reset link still works (without using it up).
pub async fn reset_link_valid(svc: &Services, token: &str) -> Result<bool, Error> {
    let hash = sha256_hex(token);
    Ok(svc
        .db
        .read(move |c| rondom_db::tokens::peek_password_reset(c, &hash))
        .await?
        .is_some())
}

/// What a new password through a reset link came to.
pub enum Reset {
    Done,
    /// The link has expired or was used.
    Gone,
    /// The password is refused; the sentence says why.
    Refused(String),
}

/// A new password through a reset link (`token` as in the link), typed twice: checked
/// like every new password (also against the person's own name and e-mail address),
/// then set (see `sessions::reset_password`). A lock that guessers put on the account is
/// lifted (the link proved the owner).
pub async fn reset_password(
    svc: &Services,
    token: &str,
    password: &str,
    repeat: &str,
    source_address: Option<&str>,
) -> Result<Reset, Error> {
    let hash = sha256_hex(token);
    let owner = svc
        .db
        .read(
            move |c| match rondom_db::tokens::peek_password_reset(c, &hash)? {
                Some(uid) => users::find(c, &uid),
                None => Ok(None),
            },
        )
        .await?;
    let Some(owner) = owner else {
        return Ok(Reset::Gone);
    };
    if let Err(e) =
        rondom_domain::passwords::check_new_password(password, &[&owner.name, &owner.email])
    {
        return Ok(Reset::Refused(e.message));
    }
    if password != repeat {
        return Ok(Reset::Refused(
            "De twee wachtwoorden zijn niet gelijk.".into(),
        ));
    }
    let new_hash = crate::auth::password::hash(password.to_owned())
        .await
        .map_err(Error::internal)?;
    let done =
        crate::auth::sessions::reset_password(svc, &sha256_hex(token), new_hash, source_address)
            .await?;
    let Some(email) = done else {
        return Ok(Reset::Gone);
    };
    throttle::release_account(svc, &email).await?;
    Ok(Reset::Done)
}
