//! How a server learns that the database changed, so that what it keeps in memory (the
//! session cache) can tell whether it may be out of date: its own writes at once, other
//! processes' by PostgreSQL's announcements or SQLite's change counter.

use diesel::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// How many changes this server has seen, so that what it keeps in memory (sessions)
/// can tell whether it may be out of date. Counts this process's own writes at once;
/// the watcher thread adds the changes other processes make (PostgreSQL's announcements,
/// SQLite's change counter).
#[derive(Debug, Default)]
pub(super) struct Changes {
    pub(super) count: AtomicU64,
    /// Whether other processes' changes are being counted: only while the watcher runs
    /// (and, on PostgreSQL, is connected).
    pub(super) watched: AtomicBool,
}

impl Changes {
    pub(super) fn bump(&self) {
        self.count.fetch_add(1, Ordering::AcqRel);
    }
}

// The SQLite-only counter of changes to what sessions are built from (migration
// `change_counter`).
diesel::table! {
    change_counter (id) {
        id -> BigInt,
        changes -> BigInt,
    }
}

/// Polls between background checkpoints of a SQLite file (about once a second).
const CHECKPOINT_EVERY: u32 = 50;

/// See `Db::change_mark`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeMark(pub(super) u64);

/// Watches a SQLite file's change counter, which triggers move when any process (this
/// one, a `rondom admin` command, a second server) changes sessions, people,
/// memberships, organisations or the sociale kaart's version. The audit log's commits,
/// one per request, leave it alone.
pub(super) fn watch_sqlite_file(path: &str, changes: std::sync::Weak<Changes>) {
    let Ok(mut conn) = diesel::SqliteConnection::establish(path) else {
        tracing::warn!("cannot watch the SQLite file for changes; sessions are not cached");
        return;
    };
    let mut seen: Option<i64> = None;
    let mut ticks = 0u32;
    while let Some(c) = changes.upgrade() {
        let counted = change_counter::table
            .filter(change_counter::id.eq(1))
            .select(change_counter::changes)
            .first::<i64>(&mut conn)
            .ok();
        match counted {
            Some(v) if seen != Some(v) => {
                c.bump();
                c.watched.store(true, Ordering::Release);
                seen = Some(v);
            }
            Some(_) => {}
            None => {
                c.watched.store(false, Ordering::Release);
                seen = None;
            }
        }
        drop(c);
        // Copies the log into the database file now and then, here rather than in the
        // commit that happens to cross SQLite's threshold (whose request would wait for
        // the copy and its fsync: the slowest answers under load). PASSIVE waits for
        // nobody: readers and writers go on; with nothing new in the log it does nothing.
        ticks += 1;
        if ticks.is_multiple_of(CHECKPOINT_EVERY)
            && let Err(e) = diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut conn)
        {
            tracing::warn!("checkpoint failed: {e}");
        }
        std::thread::sleep(LISTEN_POLL);
    }
}

/// How often the watchers look for other processes' changes, so how long such a change
/// may go unseen. Cheap: PostgreSQL's announcements are read from what has already
/// arrived on the socket (no round trip); SQLite's change counter is one small read.
const LISTEN_POLL: Duration = Duration::from_millis(20);

/// The change listener's first pause after its connection broke, and its longest.
const LISTEN_RETRY_FIRST: Duration = Duration::from_millis(100);
const LISTEN_RETRY_MAX: Duration = Duration::from_secs(1);

/// Listens for `rondom_changes` announcements (see the migration `change_notices`) on
/// its own connection until the database handle is gone, reconnecting when the
/// connection breaks. While it is not listening, nothing may be trusted from memory.
pub(super) fn listen_for_changes(
    url: &str,
    changes: std::sync::Weak<Changes>,
    news: std::sync::Weak<super::News>,
) {
    use diesel::PgConnection;
    // Tries again soon, then less often: a restart is over in a second or two, and a
    // database that is gone for longer need not be knocked on ten times a second.
    let mut pause = LISTEN_RETRY_FIRST;
    while let Some(c) = changes.upgrade() {
        c.watched.store(false, Ordering::Release);
        drop(c);
        let listening = PgConnection::establish(url).ok().and_then(|mut conn| {
            diesel::sql_query("LISTEN rondom_changes")
                .execute(&mut conn)
                .and_then(|_| diesel::sql_query("LISTEN rondom_news").execute(&mut conn))
                .ok()
                .map(|_| conn)
        });
        let Some(mut conn) = listening else {
            std::thread::sleep(pause);
            pause = (pause * 2).min(LISTEN_RETRY_MAX);
            continue;
        };
        if pause > LISTEN_RETRY_FIRST {
            tracing::info!("change listener connected again; what was kept in memory starts cold");
        }
        pause = LISTEN_RETRY_FIRST;
        // Whatever changed while nobody listened counts as a change, and as news for
        // every open stream.
        match changes.upgrade() {
            Some(c) => {
                c.bump();
                c.watched.store(true, Ordering::Release);
            }
            None => return,
        }
        if let Some(n) = news.upgrade() {
            n.announce_all();
        }
        'listening: loop {
            for note in conn.notifications_iter() {
                match (note, changes.upgrade()) {
                    (Ok(note), Some(_)) if note.channel == "rondom_news" => {
                        if let Some(n) = news.upgrade() {
                            n.announce(&note.payload);
                        }
                    }
                    (Ok(_), Some(c)) => c.bump(),
                    (Err(e), _) => {
                        tracing::warn!("change listener lost its connection: {e}");
                        break 'listening;
                    }
                    (_, None) => return,
                }
            }
            if changes.strong_count() == 0 {
                return;
            }
            std::thread::sleep(LISTEN_POLL);
        }
    }
}
