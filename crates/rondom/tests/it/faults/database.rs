//! The database going away under load: a restart, terminated connections, a dropped listener.

use super::{Process, assert_all_saved, practice_and_team, start_writers};
use crate::common::cluster::Cluster;
use crate::common::*;
use diesel::prelude::*;
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Runs writers while `fault` happens, then until every writer has been answered with
/// success a few times after it. Checks that nothing answered 500 (or anything but 201
/// and 503), that service came back within `recover` of the fault's end, and that
/// every acknowledged write is in the database, with the audit chain intact.
async fn under_load(app: &TestApp, token: &str, team: &str, fault: impl AsyncFnOnce()) {
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(AtomicUsize::new(0));
    let writers = start_writers(&app.base, token, team, 4, stop.clone(), acked.clone());
    // Let the writers warm up: some writes are saved before the fault.
    while acked.load(Ordering::Acquire) < 20 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    fault().await;
    let fault_over = Instant::now();
    // Service is back once a write after the fault succeeds; the writers go on a
    // little longer so that every pooled connection is exercised again.
    let client = reqwest::Client::new();
    let back_at = loop {
        let r = client
            .post(app.url("/api/v1/consultations"))
            .bearer_auth(token)
            .json(&json!({"team_id": team, "subject": "Na de storing", "question": "Terug?"}))
            .send()
            .await
            .unwrap();
        if r.status() == 201 {
            break Instant::now();
        }
        assert_eq!(r.status(), 503, "only 503 while the database is away");
        assert!(
            fault_over.elapsed() < Duration::from_secs(10),
            "service did not come back"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let recovered = back_at - fault_over;
    for _ in 0..20 {
        let r = client
            .post(app.url("/api/v1/consultations"))
            .bearer_auth(token)
            .json(&json!({"team_id": team, "subject": "Daarna", "question": "Alles goed?"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "every connection in the pool works again");
    }
    stop.store(true, Ordering::Release);
    let mut saved = Vec::new();
    let mut statuses = Vec::new();
    for w in writers {
        let seen = w.await.unwrap();
        saved.extend(seen.saved);
        statuses.extend(seen.statuses);
    }
    let odd: Vec<u16> = statuses
        .iter()
        .map(|(_, s)| *s)
        .filter(|s| !matches!(s, 201 | 503))
        .collect();
    assert!(odd.is_empty(), "only 201 and 503 answers, got {odd:?}");
    assert!(
        statuses.iter().any(|(_, s)| *s == 503),
        "the writers felt the fault (or the test did not test it)"
    );
    assert!(
        recovered < Duration::from_secs(2),
        "service came back {recovered:?} after the database"
    );
    assert_all_saved(app, &saved).await;
    assert!(
        saved.len() > 20,
        "the writers got work done ({})",
        saved.len()
    );
    let keys =
        rondom_domain::audit::AuditKeys::derive(&rondom_app::secrets::parse_key(TEST_KEY).unwrap());
    let verdict = app
        .db
        .read(move |c| rondom_db::audit::verify(c, &keys, &[]))
        .await
        .unwrap();
    assert!(
        matches!(verdict, rondom_db::audit::VerifyOutcome::Intact { .. }),
        "{verdict:?}"
    );
}

/// PostgreSQL restarted (`pg_ctl restart -m fast`) under four writers: no 500, service
/// back within 2 s of the database, no acknowledged write lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_restart_under_load_costs_no_acknowledged_write() {
    let cluster = Arc::new(Cluster::start());
    {
        let mut admin = diesel::PgConnection::establish(&cluster.url("postgres")).unwrap();
        diesel::connection::SimpleConnection::batch_execute(&mut admin, "CREATE DATABASE rondom")
            .unwrap();
    }
    let app = TestApp::start_on(TestDb::external(&cluster.url("rondom")), false, |_| {}).await;
    let (token, team) = practice_and_team(&app).await;
    let c = cluster.clone();
    under_load(&app, &token, &team, async move || {
        tokio::task::spawn_blocking(move || c.restart())
            .await
            .unwrap();
    })
    .await;
    app.stop().await;
}

/// Every one of Rondom's connections terminated by the database
/// (`pg_terminate_backend`, as a failover or an operator does) under load: the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminated_connections_are_replaced_without_a_lost_write() {
    let app = TestApp::start(Backend::Postgres).await;
    let (token, team) = practice_and_team(&app).await;
    let name = app.test_db.url.rsplit('/').next().unwrap().to_owned();
    under_load(&app, &token, &team, async move || {
        let mut admin = diesel::PgConnection::establish(&postgres_admin_url()).unwrap();
        diesel::sql_query(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ))
        .execute(&mut admin)
        .unwrap();
    })
    .await;
    app.stop().await;
}

/// The pids of the backends listening for change notices on this database.
fn listeners(name: &str) -> Vec<i32> {
    #[derive(QueryableByName)]
    struct Pid {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
    }
    let mut admin = diesel::PgConnection::establish(&postgres_admin_url()).unwrap();
    diesel::sql_query(format!(
        "SELECT pid FROM pg_stat_activity WHERE datname = '{name}' AND query ILIKE 'LISTEN%'"
    ))
    .load::<Pid>(&mut admin)
    .unwrap()
    .into_iter()
    .map(|p| p.pid)
    .collect()
}

/// Server A's change listener loses its connection; while it is away a person logs out
/// on server B. Once A's listener is back, A refuses the session within a second:
/// nothing changed during the gap is missed (the caches start cold).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_listener_misses_no_logout() {
    let app = TestApp::start(Backend::Postgres).await;
    let name = app.test_db.url.rsplit('/').next().unwrap().to_owned();
    let b = app.second_server().await;
    app.user("o@test.example", None, &["ouder_verzorger"]).await;
    let c = app.client();
    password_login(&app, &c, "o@test.example", PASSWORD, "/").await;
    let b_url = format!("http://{}", b.addr);
    // Both servers listen; A has the session in its cache.
    let before = loop {
        let l = listeners(&name);
        if l.len() == 2 {
            break l;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(
        c.get(app.url("/account")).send().await.unwrap().status(),
        200
    );
    // Every listener is cut off (A's among them), and the person logs out on B.
    {
        let mut admin = diesel::PgConnection::establish(&postgres_admin_url()).unwrap();
        for pid in &before {
            diesel::sql_query(format!("SELECT pg_terminate_backend({pid})"))
                .execute(&mut admin)
                .unwrap();
        }
    }
    let page = c.get(format!("{b_url}/account")).send().await.unwrap();
    let csrf = hidden(&page.text().await.unwrap(), "csrf");
    let out = c
        .post(format!("{b_url}/uitloggen"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    // The listeners come back by themselves...
    let cut = Instant::now();
    let back = loop {
        let now = listeners(&name);
        if now.len() == 2 && now.iter().all(|p| !before.contains(p)) {
            break Instant::now();
        }
        assert!(
            cut.elapsed() < Duration::from_secs(10),
            "the listeners reconnect"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // ...and A refuses the ended session.
    loop {
        let r = c.get(app.url("/account")).send().await.unwrap();
        if r.status() == 303 {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(1),
            "A refuses the session within a second after its listener is back"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    b.stop().await;
    app.stop().await;
}

/// One pooled connection, terminated by the database while idle: the next use of it
/// fails (503 for its request), and the one after gets a fresh connection, whether the
/// work is a read outside a transaction or a write inside one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_terminated_connection_is_not_handed_out_again() {
    let test_db = TestDb::new(Backend::Postgres);
    let name = test_db.url.rsplit('/').next().unwrap().to_owned();
    let db = rondom_db::Db::connect(&test_db.url, 1).unwrap();
    async fn use_it(db: &rondom_db::Db, writing: bool) -> Result<(), rondom_db::DbError> {
        // A prepared statement, as every query of Rondom's is.
        let work = |c: &mut rondom_db::AnyConnection| {
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("1"))
                .get_result::<i32>(c)
                .map(|_| ())
                .map_err(rondom_db::DbError::from)
        };
        if writing {
            db.write(work).await
        } else {
            db.read(work).await
        }
    }
    let terminate = || {
        let mut admin = diesel::PgConnection::establish(&postgres_admin_url()).unwrap();
        diesel::sql_query(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ))
        .execute(&mut admin)
        .unwrap();
    };
    for writing in [false, true] {
        use_it(&db, writing).await.unwrap();
        terminate();
        let failed = use_it(&db, writing).await;
        assert!(
            matches!(failed, Err(rondom_db::DbError::Unavailable(_))),
            "the request that meets the dead connection is told the database is away: {failed:?}"
        );
        use_it(&db, writing)
            .await
            .expect("the next request gets a fresh connection");
    }
}

/// The same through a served process, one request after the other (as one GP at work):
/// after every connection was terminated, the first request that meets a dead connection
/// is answered 503 and the next is saved: the pool's other connections, as old as the
/// dead one, are checked before they are handed out, not found dead one request each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_served_process_recovers_from_terminated_connections() {
    let mut app = TestApp::start(Backend::Postgres).await;
    let (token, team) = practice_and_team(&app).await;
    app.stop_server().await;
    let name = app.test_db.url.rsplit('/').next().unwrap().to_owned();
    let mut server = Process::start(&app.test_db.url, None).await;
    let client = reqwest::Client::new();
    let post = || async {
        client
            .post(format!("{}/api/v1/consultations", server.base))
            .bearer_auth(&token)
            .json(&json!({"team_id": team, "subject": "Vraag", "question": "Wat past?"}))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    for _ in 0..3 {
        assert_eq!(post().await, 201);
    }
    {
        let mut admin = diesel::PgConnection::establish(&postgres_admin_url()).unwrap();
        diesel::sql_query(format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        ))
        .execute(&mut admin)
        .unwrap();
    }
    let mut answers = Vec::new();
    for _ in 0..12 {
        answers.push(post().await);
    }
    let failed = answers.iter().take_while(|s| **s == 503).count();
    assert!(
        failed <= 1 && answers[failed..].iter().all(|s| *s == 201),
        "at most one 503, then saved again: {answers:?}"
    );
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    app.stop().await;
}
