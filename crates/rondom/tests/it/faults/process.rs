//! A `rondom serve` process of its own: a crash, a full disk, start-up, a graceful stop.

use super::{Process, assert_all_saved, practice_and_team, start_writers};
use crate::common::cluster::Cluster;
use crate::common::*;
use diesel::prelude::*;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

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
