//! Reliability (issue 18): Rondom rides out a database restart, terminated connections,
//! a dropped change listener, a crash and a full disk, without answering 500 and
//! without losing a write it acknowledged.

use crate::common::cluster::Cluster;
use crate::common::*;
use diesel::prelude::*;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A practice with a GP, a linked team, and the GP's API token.
async fn practice_and_team(app: &TestApp) -> (String, String) {
    let practice = app
        .org("Huisartsenpraktijk De Linde", "huisartsenpraktijk")
        .await;
    let team = app.org("Sociaal Team Voorbeeld", "sociaal_team").await;
    let gp = app
        .user("arts@linde.example", Some(&practice), &["huisarts"])
        .await;
    let sanne = app
        .user("sanne@team.example", Some(&team), &["consulent"])
        .await;
    let (p, t) = (practice.clone(), team.clone());
    app.db
        .write(move |c| rondom_db::directory::link_consultant(c, &p, &t, &sanne).map(|_| ()))
        .await
        .unwrap();
    (app.token_for(&gp).await, team)
}

/// What one writer saw: the ids it was told were saved, and every status it got.
#[derive(Default, Debug)]
struct Seen {
    saved: Vec<String>,
    statuses: Vec<(Instant, u16)>,
}

/// Writers asking consultations through the API until `stop`, each one after the other
/// (the way four busy GPs would), noting what they were told.
fn start_writers(
    base: &str,
    token: &str,
    team: &str,
    writers: usize,
    stop: Arc<AtomicBool>,
    acked: Arc<AtomicUsize>,
) -> Vec<tokio::task::JoinHandle<Seen>> {
    (0..writers)
        .map(|w| {
            let (base, token, team, stop, acked) = (
                base.to_owned(),
                token.to_owned(),
                team.to_owned(),
                stop.clone(),
                acked.clone(),
            );
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .timeout(Duration::from_secs(20))
                    .build()
                    .unwrap();
                let mut seen = Seen::default();
                let mut n = 0;
                while !stop.load(Ordering::Acquire) {
                    n += 1;
                    let r = client
                        .post(format!("{base}/api/v1/consultations"))
                        .bearer_auth(&token)
                        .json(&json!({
                            "team_id": team,
                            "subject": format!("Vraag {w}-{n}"),
                            "question": "Meisje van 9 slaapt slecht; wat past?",
                        }))
                        .send()
                        .await;
                    let Ok(r) = r else {
                        // The server itself is not what is tested here; a refused TCP
                        // connect would be (and is not expected).
                        seen.statuses.push((Instant::now(), 0));
                        continue;
                    };
                    let status = r.status().as_u16();
                    seen.statuses.push((Instant::now(), status));
                    if status == 201 {
                        let body: Value = r.json().await.unwrap();
                        seen.saved
                            .push(body["consultation"]["id"].as_str().unwrap().to_owned());
                        acked.fetch_add(1, Ordering::AcqRel);
                    } else if status == 503 {
                        assert!(r.headers().get("retry-after").is_some(), "503 says when");
                        let body: Value = r.json().await.unwrap();
                        assert_eq!(body["error"]["code"], "unavailable");
                    }
                }
                seen
            })
        })
        .collect()
}

/// Every write that was acknowledged is in the database.
async fn assert_all_saved(app: &TestApp, saved: &[String]) {
    let ids = saved.to_vec();
    let found: i64 = app
        .db
        .read(move |c| {
            use rondom_db::schema::consultations::dsl as k;
            Ok(k::consultations
                .filter(k::id.eq_any(&ids))
                .count()
                .get_result(c)?)
        })
        .await
        .unwrap();
    assert_eq!(
        found as usize,
        saved.len(),
        "no acknowledged write is missing"
    );
}

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

/// A `rondom serve` process of its own, on a database the test prepared.
struct Process {
    child: std::process::Child,
    base: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Process {
    /// Starts the binary (through `sh` when `limit_kib` asks for a file size limit, with
    /// SIGXFSZ ignored so that a write past it fails instead of killing the process).
    async fn start(url: &str, limit_kib: Option<u64>) -> Self {
        Self::start_with(url, limit_kib, &[]).await
    }

    async fn start_with(url: &str, limit_kib: Option<u64>, env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let bin = env!("CARGO_BIN_EXE_rondom");
        let mut cmd = match limit_kib {
            None => std::process::Command::new(bin),
            Some(kib) => {
                let mut c = std::process::Command::new("bash");
                c.arg("-c")
                    .arg(format!("trap '' XFSZ; ulimit -f {kib}; exec \"$0\" \"$@\""))
                    .arg(bin);
                c
            }
        };
        let child = cmd
            .args(["--database-url", url, "serve", "--bind"])
            .arg(format!("127.0.0.1:{port}"))
            .env("RONDOM_SECRET_KEY", TEST_KEY)
            .env("RONDOM_LOG", "warn")
            .env("RONDOM_AUDIT_CHECKPOINTS", checkpoint_file(url))
            .env_remove("DATABASE_URL")
            .env_remove("RONDOM_DATABASE_URL")
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let started = Instant::now();
        while client.get(format!("{base}/readyz")).send().await.is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the server starts"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Self { child, base }
    }
}

/// kill -9 of the server in the middle of a burst of writes: every write it had
/// acknowledged is in the database afterwards.
async fn a_crash_loses_no_acknowledged_write(b: Backend) {
    let mut app = TestApp::start(b).await;
    let (token, team) = practice_and_team(&app).await;
    app.stop_server().await;
    let mut server = Process::start(&app.test_db.url, None).await;
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(AtomicUsize::new(0));
    let writers = start_writers(&server.base, &token, &team, 4, stop.clone(), acked.clone());
    // Kill it once it has acknowledged a fair number of writes, in the middle of more.
    while acked.load(Ordering::Acquire) < 40 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    stop.store(true, Ordering::Release);
    let mut saved = Vec::new();
    for w in writers {
        saved.extend(w.await.unwrap().saved);
    }
    assert!(saved.len() >= 40);
    assert_all_saved(&app, &saved).await;
    app.stop().await;
}

on_both_backends!(a_crash_loses_no_acknowledged_write);

/// SQLite on a full disk (a file size limit the server runs under): writes are refused
/// with a clear message and leave nothing half-written; reads go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_refuses_writes_clearly_and_reads_go_on() {
    let mut app = TestApp::start(Backend::Sqlite).await;
    let (token, team) = practice_and_team(&app).await;
    app.stop_server().await;
    let path = app.test_db.url.trim_start_matches("sqlite://").to_owned();
    let used: u64 = ["", "-wal", "-shm"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{path}{s}")).ok())
        .map(|m| m.len())
        .max()
        .unwrap_or(0);
    // Room for a little more than there is now.
    let mut server = Process::start(&app.test_db.url, Some(used / 1024 + 256)).await;
    let client = reqwest::Client::new();
    let mut refused = None;
    for n in 0..20_000 {
        let r = client
            .post(format!("{}/api/v1/consultations", server.base))
            .bearer_auth(&token)
            .json(&json!({
                "team_id": team,
                "subject": format!("Vraag {n}"),
                "question": "x".repeat(3000),
            }))
            .send()
            .await
            .unwrap();
        match r.status().as_u16() {
            201 => continue,
            status => {
                let body: Value = r.json().await.unwrap();
                refused = Some((status, body));
                break;
            }
        }
    }
    let (status, body) = refused.expect("the disk filled up");
    assert_eq!(status, 507, "{body}");
    assert_eq!(body["error"]["code"], "storage_full");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("niets opgeslagen"),
        "{body}"
    );
    // Reads that write nothing go on: the sociale kaart, who one is.
    for path in ["/api/v1/me", "/api/v1/services?q=opvoeding"] {
        let r = client
            .get(format!("{}{path}", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    // A look at a child's data must be logged first; with no room for the entry it is
    // refused with the same clear answer, never shown unlogged, never a 500.
    let r = client
        .get(format!("{}/api/v1/consultations", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(
        matches!(r.status().as_u16(), 200 | 507),
        "a logged read is answered or clearly refused ({})",
        r.status()
    );
    let r = client
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the server keeps running");
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    // Nothing half-written: every consultation has its question, and the chain holds.
    let (questions, messages): (i64, i64) = app
        .db
        .read(|c| {
            use rondom_db::schema::consultation_messages::dsl as m;
            use rondom_db::schema::consultations::dsl as k;
            Ok((
                k::consultations.count().get_result(c)?,
                m::consultation_messages.count().get_result(c)?,
            ))
        })
        .await
        .unwrap();
    assert!(questions > 0);
    assert!(messages >= questions, "every question has its text");
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
    app.stop().await;
}

/// Start-up while the database is not there yet (a container that starts before its
/// database) waits and says so, and goes on once the database is up.
#[test]
fn start_up_waits_for_a_database_that_is_not_there_yet() {
    use std::io::{BufRead, BufReader};
    let cluster = Cluster::start();
    {
        let mut admin = diesel::PgConnection::establish(&cluster.url("postgres")).unwrap();
        diesel::connection::SimpleConnection::batch_execute(&mut admin, "CREATE DATABASE rondom")
            .unwrap();
    }
    cluster.stop();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rondom"))
        .args(["--database-url", &cluster.url("rondom"), "migrate"])
        .env("RONDOM_SECRET_KEY", TEST_KEY)
        .env("RONDOM_DB_WAIT_SECONDS", "60")
        .env_remove("DATABASE_URL")
        .env_remove("RONDOM_DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(
        first.contains("the database is not reachable yet; trying again"),
        "{first}"
    );
    cluster.start_again();
    let status = child.wait().unwrap();
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    assert!(
        status.success(),
        "migrate went on once the database was up: {out}"
    );
}

/// SIGTERM: `/readyz` turns 503 at once (a load balancer drains the server) while the
/// server still answers; then it stops by itself, cleanly, and leaves a last audit
/// checkpoint that vouches for the whole log.
async fn a_graceful_stop_drains_first(b: Backend) {
    let mut app = TestApp::start(b).await;
    let (token, team) = practice_and_team(&app).await;
    app.stop_server().await;
    let mut server = Process::start_with(
        &app.test_db.url,
        None,
        &[("RONDOM_SHUTDOWN_DRAIN_SECONDS", "2")],
    )
    .await;
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{}/api/v1/consultations", server.base))
        .bearer_auth(&token)
        .json(&json!({"team_id": team, "subject": "Voor het stoppen", "question": "Vraag"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let ok = std::process::Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    // Draining: not ready, still serving.
    let signalled = Instant::now();
    loop {
        let r = client
            .get(format!("{}/readyz", server.base))
            .send()
            .await
            .unwrap();
        if r.status() == 503 {
            assert_eq!(r.text().await.unwrap(), "stopping");
            break;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(1),
            "readyz turns 503 first"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let r = client
        .get(format!("{}/api/v1/consultations", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        200,
        "requests are still answered while draining"
    );
    let status = tokio::task::spawn_blocking(move || server.child.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success(), "a clean stop: {status:?}");
    // The last checkpoint vouches for every entry.
    let file = checkpoint_file(&app.test_db.url);
    let keys =
        rondom_domain::audit::AuditKeys::derive(&rondom_app::secrets::parse_key(TEST_KEY).unwrap());
    let text = std::fs::read_to_string(&file).unwrap();
    let last = text
        .lines()
        .filter_map(|l| rondom_domain::audit::Checkpoint::from_line(l, &keys))
        .map(|c| c.unwrap())
        .next_back()
        .unwrap();
    let entries = app.audit().await.len() as i64;
    assert_eq!(
        last.seq, entries,
        "the last checkpoint covers the whole log"
    );
    app.stop().await;
}

on_both_backends!(a_graceful_stop_drains_first);

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
/// after every connection was terminated, each dead pooled connection costs at most one
/// 503, and then writes are saved again.
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
        failed <= 4 && answers[failed..].iter().all(|s| *s == 201),
        "a few 503s (one per dead connection), then saved again: {answers:?}"
    );
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    app.stop().await;
}
