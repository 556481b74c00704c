//! The send half of bench/messages.sh: CLIENTS clients (default 16), each with its own
//! keep-alive connection and its own person's API token (SEATS: "conversation token"
//! per line), send PER_CLIENT messages each into their network's conversation, after
//! WARMUP untimed ones. Prints "RESULT <sent> <failed> <seconds> <p50> <p95> <p99>"
//! (milliseconds per send). Run by bench/messages.sh against a release server at BASE.
//! MODE=documents shares a DOC_BYTES (default 200 KB) PDF per send instead of a text.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let Ok(base) = std::env::var("BASE") else {
        // `cargo bench` without bench/messages.sh: nothing to measure against.
        eprintln!("messages_load: set BASE and SEATS (bench/messages.sh does)");
        return;
    };
    let seats: Vec<(String, String)> = std::fs::read_to_string(env("SEATS", "seats"))
        .expect("the SEATS file")
        .lines()
        .filter_map(|l| {
            let mut p = l.split_whitespace();
            Some((p.next()?.to_owned(), p.next()?.to_owned()))
        })
        .collect();
    let clients: usize = env("CLIENTS", "16").parse().unwrap();
    let per: usize = env("PER_CLIENT", "125").parse().unwrap();
    let warmup: usize = env("WARMUP", "2").parse().unwrap();
    let run = env("RUN", "run");
    let documents = env("MODE", "messages") == "documents";
    let doc_bytes: usize = env("DOC_BYTES", "204800").parse().unwrap();
    // A PDF header and filler: what the server reads the kind from, at a realistic size.
    let pdf = std::sync::Arc::new(
        [
            b"%PDF-1.4\n".as_slice(),
            &vec![b' '; doc_bytes.saturating_sub(9)],
        ]
        .concat(),
    );
    let send = move |client: reqwest::Client, url: String, token: String, i: usize, who: usize| {
        let (run, pdf) = (run.clone(), pdf.clone());
        async move {
            let r = if documents {
                client
                    .post(format!(
                        "{}?name=verslag-{who}-{i}.pdf&client_id={run}-d-{who}-{i}",
                        url.replace("/messages", "/documents")
                    ))
                    .bearer_auth(token)
                    .header("content-type", "application/octet-stream")
                    .body(pdf.to_vec())
                    .send()
                    .await
            } else {
                let body = serde_json::json!({
                    "body": format!("Bericht {i} van client {who}: de afspraak van donderdag gaat door, om tien uur op school."),
                    "client_id": format!("{run}-{who}-{i}"),
                });
                client.post(url).bearer_auth(token).json(&body).send().await
            };
            match r {
                Ok(r) if r.status().as_u16() == 201 => {
                    let _ = r.bytes().await;
                    true
                }
                Ok(r) => {
                    eprintln!("send answered {}", r.status());
                    false
                }
                Err(e) => {
                    eprintln!("send failed: {e}");
                    false
                }
            }
        }
    };
    let mut people = Vec::new();
    for who in 0..clients {
        let (conv, token) = seats[who % seats.len()].clone();
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let url = format!("{base}/api/v1/conversations/{conv}/messages");
        for i in 0..warmup {
            send(client.clone(), url.clone(), token.clone(), i, who).await;
        }
        people.push((client, url, token, who));
    }
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (client, url, token, who) in people {
        let send = send.clone();
        tasks.spawn(async move {
            let mut times = Vec::with_capacity(per);
            let mut failed = 0usize;
            for i in warmup..warmup + per {
                let t = Instant::now();
                if !send(client.clone(), url.clone(), token.clone(), i, who).await {
                    failed += 1;
                }
                times.push(t.elapsed());
            }
            (times, failed)
        });
    }
    let mut all = Vec::new();
    let mut failed = 0;
    for (times, f) in tasks.join_all().await {
        all.extend(times);
        failed += f;
    }
    let secs = started.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| {
        let i = ((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1;
        all[i].as_secs_f64() * 1000.0
    };
    println!(
        "RESULT {} {failed} {secs:.3} {:.2} {:.2} {:.2}",
        all.len(),
        pct(0.50),
        pct(0.95),
        pct(0.99)
    );
}
