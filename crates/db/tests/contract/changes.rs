//! The database handle: migrations, and the change mark that tells a server whether what
//! it keeps in memory (the session cache) may be out of date.

use crate::support::{Engine, TestDb, eventually, user};
use rondom_db::{Backend, Db, DbError};
use std::time::Duration;

on_both_engines!(
    both_engines_apply_the_same_migrations,
    the_change_mark_moves_after_a_write,
);

/// Long enough for a watcher on a loaded machine; the polls stop at the first move.
const WITHIN: Duration = Duration::from_secs(10);

fn migration_names(engine: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(engine);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|d| d.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

async fn both_engines_apply_the_same_migrations(e: Engine) {
    let t = TestDb::new(e);
    let (sqlite, postgres) = (migration_names("sqlite"), migration_names("postgres"));
    assert_eq!(
        sqlite, postgres,
        "one migration list, written for each engine"
    );
    assert_eq!(t.migrations_applied, sqlite.len());
    assert_eq!(
        t.db().migrate_blocking().unwrap(),
        0,
        "a second run applies nothing"
    );
    let expected = match e {
        Engine::Sqlite => Backend::Sqlite,
        Engine::Postgres => Backend::Postgres,
    };
    assert_eq!(t.db().backend(), expected);
    assert!(t.db().ping().await);
}

fn mark_moved_from(db: &Db, from: Option<rondom_db::ChangeMark>) -> impl FnMut() -> bool {
    let db = db.clone();
    move || db.change_mark() != from
}

async fn the_change_mark_moves_after_a_write(e: Engine) {
    let t = TestDb::new(e);
    let db = t.db();
    let anna = user(db, "anna@test.example", "Anna").await;
    // Nothing may be trusted from memory while changes are not watched.
    assert_eq!(db.change_mark(), None);
    db.watch_changes();
    assert!(
        eventually(WITHIN, || db.change_mark().is_some()).await,
        "the watcher never started"
    );

    // A write that fails changes nothing, and the mark stays.
    let before = db.change_mark();
    let refused = db
        .write(|c| {
            rondom_db::users::create(
                c,
                &rondom_db::users::NewUser {
                    email: "anna@test.example",
                    name: "Tweede Anna",
                    password_hash: None,
                    family_role: None,
                    is_demo: false,
                },
            )
        })
        .await;
    assert!(matches!(refused, Err(DbError::Conflict(_))), "{refused:?}");
    assert_eq!(db.change_mark(), before, "a failed write is no change");

    // This server's own writes move it at once, before the write returns. (A table no
    // watcher counts, so that only the write itself can have moved it.)
    let before = db.change_mark();
    let counted = db
        .write(|c| rondom_db::throttle::attempt(c, "address:x", rondom_db::now(), |_| None))
        .await
        .unwrap();
    assert_eq!(counted, Ok(1));
    assert_ne!(
        db.change_mark(),
        before,
        "an own write moves the mark at once"
    );

    // Another process's writes (a second server, an admin command) move it too, through
    // PostgreSQL's announcements or SQLite's change counter: a session made elsewhere,
    // and a change to the sociale kaart.
    let other = t.other_handle();
    let before = db.change_mark();
    let a = anna.clone();
    other
        .write(move |c| {
            rondom_db::sessions::create(
                c,
                &rondom_db::sessions::NewSession {
                    id: "elsewhere",
                    user_id: &a,
                    csrf_token: "csrf",
                    mfa_done: false,
                    expires_at: rondom_db::now() + chrono::Duration::hours(1),
                    source_address: None,
                    user_agent: None,
                },
            )
        })
        .await
        .unwrap();
    assert!(
        eventually(WITHIN, mark_moved_from(db, before)).await,
        "a session made by another process was not noticed"
    );
    let before = db.change_mark();
    other
        .write(rondom_db::directory::bump_version)
        .await
        .unwrap();
    assert!(
        eventually(WITHIN, mark_moved_from(db, before)).await,
        "a change to the sociale kaart by another process was not noticed"
    );
    assert!(db.change_mark().is_some(), "still watching");
}
