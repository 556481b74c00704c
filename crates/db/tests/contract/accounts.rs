//! Accounts: users, password-reset and API tokens, sessions, login throttling.

use crate::support::{Engine, TestDb, is_conflict, member, org, user};
use chrono::Duration;
use diesel::prelude::*;
use rondom_db::sessions::{self, NewSession};
use rondom_db::{DbError, tokens, users};
use rondom_domain::OrganisationKind;

on_both_engines!(
    a_user_reads_back_and_takes_a_new_password,
    a_reset_token_works_once_and_not_after_it_expired,
    an_api_token_is_found_until_revoked,
    sessions_load_rotate_and_end,
    login_attempts_are_counted_and_locked,
    concurrent_first_attempts_are_all_counted,
    a_burst_of_attempts_stops_at_the_lock,
    a_list_of_ids_finds_exactly_those_people,
);

/// `in_list` (one bind for the whole list) finds each listed row once, whatever the
/// number of ids and whatever text they hold.
async fn a_list_of_ids_finds_exactly_those_people(e: Engine) {
    let t = TestDb::new(e);
    let db = t.db();
    let anna = user(db, "anna@test.example", "Anna").await;
    let bram = user(db, "bram@test.example", "Bram").await;
    user(db, "cor@test.example", "Cor").await;
    // More ids than SQLite allows parameters, text that JSON escapes, a duplicate.
    let mut ids: Vec<String> = (0..40_000).map(|i| format!("nobody-{i}")).collect();
    ids.push(r#"quote " and \ backslash"#.into());
    ids.extend([anna.clone(), bram.clone(), anna.clone()]);
    let mut found = db.read(move |c| users::names_of(c, &ids)).await.unwrap();
    found.sort();
    let mut expected = vec![(anna, "Anna".to_string()), (bram, "Bram".to_string())];
    expected.sort();
    assert_eq!(found, expected);
    let none = db
        .read(|c| users::names_of(c, &["nobody".to_string()]))
        .await
        .unwrap();
    assert!(none.is_empty());
}

async fn a_user_reads_back_and_takes_a_new_password(e: Engine) {
    let t = TestDb::new(e);
    let db = t.db();
    let id = user(db, "anna@test.example", "Anna").await;
    let found = db
        .read(|c| users::find_by_email(c, "anna@test.example"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, id);
    assert_eq!(found.name, "Anna");
    assert_eq!(found.password_hash.as_deref(), Some("hash-1"));
    assert_eq!(found.password_changed_at, Some(found.created_at));
    assert_eq!(found.family_role, None);
    assert!(!found.totp_enabled && !found.is_demo && !found.disabled);
    // Addresses are compared exactly (the use cases lowercase them first).
    let other_case = db
        .read(|c| users::find_by_email(c, "Anna@Test.Example"))
        .await
        .unwrap();
    assert!(other_case.is_none());

    let uid = id.clone();
    db.write(move |c| users::set_password(c, &uid, "hash-2"))
        .await
        .unwrap();
    let after = db
        .read(|c| users::find_by_email(c, "anna@test.example"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.password_hash.as_deref(), Some("hash-2"));
    assert!(after.password_changed_at.unwrap() >= found.password_changed_at.unwrap());
    assert_eq!(after.created_at, found.created_at);
    let nobody = db
        .write(|c| users::set_password(c, "no-such-user", "hash-3"))
        .await;
    assert!(matches!(nobody, Err(DbError::NotFound)), "{nobody:?}");

    // A second account with the same address is a conflict, and leaves nothing behind.
    let twice = db
        .write(|c| {
            users::create(
                c,
                &users::NewUser {
                    email: "anna@test.example",
                    name: "Andere Anna",
                    password_hash: None,
                    family_role: None,
                    is_demo: false,
                },
            )
        })
        .await;
    assert!(is_conflict(&twice), "{twice:?}");
    assert_eq!(db.read(users::count).await.unwrap(), 1);
    let still = db.read(move |c| users::get(c, &id)).await.unwrap();
    assert_eq!(still.name, "Anna");
}

async fn a_reset_token_works_once_and_not_after_it_expired(e: Engine) {
    let t = TestDb::new(e);
    let db = t.db();
    let uid = user(db, "reset@test.example", "Reset").await;
    let u = uid.clone();
    db.write(move |c| {
        let now = rondom_db::now();
        tokens::create_password_reset(c, &u, "fresh", now + Duration::hours(1))?;
        tokens::create_password_reset(c, &u, "expired", now - Duration::minutes(1))?;
        tokens::create_password_reset(c, &u, "superseded", now + Duration::hours(1))
    })
    .await
    .unwrap();

    let peeked = db
        .read(|c| tokens::peek_password_reset(c, "fresh"))
        .await
        .unwrap();
    assert_eq!(
        peeked.as_deref(),
        Some(uid.as_str()),
        "peeking uses nothing up"
    );
    let first = db
        .write(|c| tokens::consume_password_reset(c, "fresh"))
        .await
        .unwrap();
    assert_eq!(first.as_deref(), Some(uid.as_str()));
    let second = db
        .write(|c| tokens::consume_password_reset(c, "fresh"))
        .await
        .unwrap();
    assert_eq!(second, None, "a reset link works once");

    let expired = db
        .write(|c| {
            Ok((
                tokens::peek_password_reset(c, "expired")?,
                tokens::consume_password_reset(c, "expired")?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(expired, (None, None), "an expired link is not accepted");
    let unknown = db
        .write(|c| tokens::consume_password_reset(c, "never-issued"))
        .await
        .unwrap();
    assert_eq!(unknown, None);

    let u = uid.clone();
    db.write(move |c| tokens::invalidate_password_resets(c, &u))
        .await
        .unwrap();
    let superseded = db
        .write(|c| tokens::consume_password_reset(c, "superseded"))
        .await
        .unwrap();
    assert_eq!(superseded, None, "older links stop working");
}

async fn an_api_token_is_found_until_revoked(e: Engine) {
    let t = TestDb::new(e);
    let db = t.db();
    let owner = user(db, "api@test.example", "Api").await;
    let stranger = user(db, "ander@test.example", "Ander").await;
    let o = owner.clone();
    let id = db
        .write(move |c| tokens::create_api_token(c, &o, "koppeling", "token-hash-1"))
        .await
        .unwrap();
    let found = db
        .read(|c| tokens::find_api_token(c, "token-hash-1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, id);
    assert_eq!(found.user_id, owner);
    assert_eq!(found.name, "koppeling");
    assert_eq!((found.last_used_at, found.revoked_at), (None, None));
    let none = db
        .read(|c| tokens::find_api_token(c, "token-hash-2"))
        .await
        .unwrap();
    assert!(none.is_none());
    // A token hash is unique.
    let o = owner.clone();
    let twice = db
        .write(move |c| tokens::create_api_token(c, &o, "tweede", "token-hash-1"))
        .await;
    assert!(is_conflict(&twice), "{twice:?}");

    let i = id.clone();
    db.write(move |c| tokens::touch_api_token(c, &i))
        .await
        .unwrap();
    let touched = db
        .read(|c| tokens::find_api_token(c, "token-hash-1"))
        .await
        .unwrap()
        .unwrap();
    assert!(touched.last_used_at.is_some());

    // Someone else cannot revoke it.
    let (s, i) = (stranger.clone(), id.clone());
    let refused = db.write(move |c| tokens::revoke_api_token(c, &s, &i)).await;
    assert!(matches!(refused, Err(DbError::NotFound)), "{refused:?}");
    assert!(
        db.read(|c| tokens::find_api_token(c, "token-hash-1"))
            .await
            .unwrap()
            .is_some()
    );

    let (o, i) = (owner.clone(), id.clone());
    db.write(move |c| tokens::revoke_api_token(c, &o, &i))
        .await
        .unwrap();
    assert!(
        db.read(|c| tokens::find_api_token(c, "token-hash-1"))
            .await
            .unwrap()
            .is_none(),
        "a revoked token is not found"
    );
    let (o, i) = (owner.clone(), id.clone());
    let again = db.write(move |c| tokens::revoke_api_token(c, &o, &i)).await;
    assert!(matches!(again, Err(DbError::NotFound)), "{again:?}");
    let o = owner.clone();
    let listed = db
        .read(move |c| tokens::list_api_tokens(c, &o))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].revoked_at.is_some(), "revoked, still listed");

    // A live token of a disabled account is not found either.
    let o = owner.clone();
    db.write(move |c| {
        tokens::create_api_token(c, &o, "derde", "token-hash-3")?;
        use rondom_db::schema::users::dsl as u;
        diesel::update(u::users.find(&o))
            .set(u::disabled.eq(true))
            .execute(c)?;
        Ok(())
    })
    .await
    .unwrap();
    assert!(
        db.read(|c| tokens::find_api_token(c, "token-hash-3"))
            .await
            .unwrap()
            .is_none()
    );
}

fn new_session<'a>(id: &'a str, user_id: &'a str, csrf: &'a str) -> NewSession<'a> {
    NewSession {
        id,
        user_id,
        csrf_token: csrf,
        mfa_done: false,
        expires_at: rondom_db::now() + Duration::hours(8),
        source_address: Some("192.0.2.1"),
        user_agent: Some("contract"),
    }
}

async fn sessions_load_rotate_and_end(e: Engine) {
    let t = TestDb::new(e);
    let db = t.db();
    let team = org(db, "Sociaal Team", OrganisationKind::SociaalTeam).await;
    let uid = member(db, &team.id, "s@test.example", "Sanne", "consulent").await;
    let other = user(db, "o@test.example", "Otto").await;
    let (u, o) = (uid.clone(), other.clone());
    db.write(move |c| {
        sessions::create(c, &new_session("s-old", &u, "csrf-1"))?;
        sessions::create(c, &new_session("s-two", &u, "csrf-2"))?;
        sessions::create(c, &new_session("s-three", &u, "csrf-3"))?;
        sessions::create(c, &new_session("s-other", &o, "csrf-4"))
    })
    .await
    .unwrap();

    let (loaded, version) = db
        .read(|c| {
            Ok((
                sessions::load(c, "s-old")?,
                rondom_db::directory::version(c)?,
            ))
        })
        .await
        .unwrap();
    let loaded = loaded.unwrap();
    assert_eq!(loaded.session.user_id, uid);
    assert_eq!(loaded.session.csrf_token, "csrf-1");
    assert!(!loaded.session.mfa_done);
    assert_eq!(
        (loaded.name.as_str(), loaded.email.as_str()),
        ("Sanne", "s@test.example")
    );
    assert_eq!(loaded.memberships.len(), 1);
    assert_eq!(loaded.memberships[0].organisation_id, team.id);
    assert_eq!(
        loaded.memberships[0].organisation_kind,
        OrganisationKind::SociaalTeam
    );
    assert_eq!(loaded.memberships[0].role, rondom_domain::Role::Consulent);
    assert_eq!(loaded.directory_version, Some(version));
    assert!(version >= 1, "creating the organisation moved it");
    let other_loaded = db
        .read(|c| sessions::load(c, "s-other"))
        .await
        .unwrap()
        .unwrap();
    assert!(other_loaded.memberships.is_empty());

    // The second factor gives the session a new id; the old one is gone.
    db.write(|c| sessions::complete_mfa(c, "s-old", "s-new", "csrf-new"))
        .await
        .unwrap();
    let (old, new) = db
        .read(|c| Ok((sessions::load(c, "s-old")?, sessions::load(c, "s-new")?)))
        .await
        .unwrap();
    assert!(old.is_none());
    let new = new.unwrap();
    assert!(new.session.mfa_done);
    assert_eq!(new.session.csrf_token, "csrf-new");
    assert_eq!(new.session.user_id, uid);
    let replay = db
        .write(|c| sessions::complete_mfa(c, "s-old", "s-newer", "csrf-x"))
        .await;
    assert!(matches!(replay, Err(DbError::NotFound)), "{replay:?}");

    // Ending a person's other sessions keeps the one asked for, and nobody else's.
    let u = uid.clone();
    let ended = db
        .write(move |c| sessions::delete_for_user(c, &u, Some("s-new")))
        .await
        .unwrap();
    assert_eq!(ended, 2);
    let left: Vec<bool> = db
        .read(|c| {
            ["s-new", "s-two", "s-three", "s-other"]
                .iter()
                .map(|id| -> Result<bool, DbError> { Ok(sessions::load(c, id)?.is_some()) })
                .collect()
        })
        .await
        .unwrap();
    assert_eq!(left, vec![true, false, false, true]);
    let u = uid.clone();
    let ended = db
        .write(move |c| sessions::delete_for_user(c, &u, None))
        .await
        .unwrap();
    assert_eq!(ended, 1);
    assert!(
        db.read(|c| sessions::load(c, "s-new"))
            .await
            .unwrap()
            .is_none()
    );

    // The session of a disabled account does not load.
    let o = other.clone();
    db.write(move |c| {
        use rondom_db::schema::users::dsl as u;
        diesel::update(u::users.find(&o))
            .set(u::disabled.eq(true))
            .execute(c)?;
        Ok(())
    })
    .await
    .unwrap();
    assert!(
        db.read(|c| sessions::load(c, "s-other"))
            .await
            .unwrap()
            .is_none()
    );
}

/// Locks for five minutes from the third counted attempt on.
fn lock_from_three(n: i32) -> Option<Duration> {
    (n >= 3).then(|| Duration::minutes(5))
}

async fn login_attempts_are_counted_and_locked(e: Engine) {
    use rondom_db::throttle;
    let t = TestDb::new(e);
    let db = t.db();
    let now = rondom_db::now();
    let counts = db
        .write(move |c| {
            (0..4)
                .map(|_| throttle::attempt(c, "pair:x", now, lock_from_three))
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .unwrap();
    let until = now + Duration::minutes(5);
    assert_eq!(
        counts,
        vec![Ok(1), Ok(2), Ok(3), Err(until)],
        "locked without counting"
    );
    // After the lock, attempts count on from where they were.
    let later = db
        .write(move |c| {
            throttle::attempt(c, "pair:x", until + Duration::seconds(1), lock_from_three)
        })
        .await
        .unwrap();
    assert_eq!(later, Ok(4));
    // Taking one back, then clearing.
    let after = until + Duration::minutes(6);
    let undone = db
        .write(move |c| {
            throttle::undo(c, "pair:x")?;
            throttle::attempt(c, "pair:x", after, |_| None)
        })
        .await
        .unwrap();
    assert_eq!(undone, Ok(4));
    let cleared = db
        .write(move |c| {
            throttle::clear(c, "pair:x")?;
            throttle::attempt(c, "pair:x", after, |_| None)
        })
        .await
        .unwrap();
    assert_eq!(cleared, Ok(1));
    let forgotten = db
        .write(move |c| {
            let counted = throttle::attempt(c, "pair:y", now, |_| None)?;
            Ok((
                counted,
                throttle::forget_before(c, now + Duration::seconds(1))?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(forgotten, (Ok(1), 1), "only pair:y failed before then");
}

/// Attempts are counted before the password is checked so that parallel guesses cannot
/// slip through: parallel first attempts on one key must each be counted, on either
/// engine, and none may fail.
async fn concurrent_first_attempts_are_all_counted(e: Engine) {
    use rondom_db::throttle;
    let t = TestDb::new(e);
    let db = t.db();
    let now = rondom_db::now();
    for round in 0..10 {
        let key = format!("address:{round}");
        let tries: Vec<_> = (0..4)
            .map(|_| {
                let (db, key) = (db.clone(), key.clone());
                tokio::spawn(async move {
                    db.write(move |c| throttle::attempt(c, &key, now, |_| None))
                        .await
                })
            })
            .collect();
        let mut counts = Vec::new();
        for task in tries {
            match task.await.unwrap() {
                Ok(Ok(n)) => counts.push(n),
                other => panic!("a parallel attempt on {key} failed: {other:?}"),
            }
        }
        counts.sort_unstable();
        assert_eq!(counts, vec![1, 2, 3, 4], "{key}");
    }
}

/// A burst of parallel guesses on one key gets no further than the lock: with a lock
/// from the third attempt, three are counted and every other one is refused, on either
/// engine (reading the lock before counting let a burst on PostgreSQL all pass).
async fn a_burst_of_attempts_stops_at_the_lock(e: Engine) {
    use rondom_db::throttle;
    let t = TestDb::new(e);
    let db = t.db();
    let now = rondom_db::now();
    for round in 0..5 {
        let key = format!("pair:burst{round}");
        let tries: Vec<_> = (0..8)
            .map(|_| {
                let (db, key) = (db.clone(), key.clone());
                tokio::spawn(async move {
                    db.write(move |c| throttle::attempt(c, &key, now, lock_from_three))
                        .await
                })
            })
            .collect();
        let (mut counted, mut refused) = (Vec::new(), 0);
        for task in tries {
            match task.await.unwrap() {
                Ok(Ok(n)) => counted.push(n),
                Ok(Err(_)) => refused += 1,
                Err(e) => panic!("an attempt on {key} failed: {e:?}"),
            }
        }
        counted.sort_unstable();
        assert_eq!((counted, refused), (vec![1, 2, 3], 5), "{key}");
    }
}
