//! Reliability (issue 18): Rondom rides out a database restart, terminated connections,
//! a dropped change listener, a crash and a full disk, without answering 500 and
//! without losing a write it acknowledged.

mod database;
mod process;

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
