//! The command line: bad configuration, the admin commands, and `serve --demo`.

use super::rondom;
use crate::common::*;
use std::io::{BufRead, BufReader};
use std::process::Stdio;

#[test]
fn bad_configuration_stops_start_up_with_one_sentence() {
    let missing_db = format!(
        "{}/rondom_bestaat_niet",
        postgres_admin_url().rsplit_once('/').unwrap().0
    );
    let cases: &[(&[&str], &[(&str, &str)], &str)] = &[
        (
            &["migrate"],
            &[("RONDOM_DATABASE_URL", "mysql://x")],
            "DATABASE_URL must start with sqlite:// or postgres://",
        ),
        (
            &["migrate"],
            &[
                ("RONDOM_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none"),
                ("RONDOM_DB_WAIT_SECONDS", "0"),
            ],
            "cannot reach the database at postgres://nobody@127.0.0.1:1/none",
        ),
        (
            // A database that does not exist is a mistake, not a wait: at once.
            &["migrate"],
            &[("RONDOM_DATABASE_URL", &missing_db)],
            "does not exist",
        ),
        (
            &["migrate"],
            &[
                ("RONDOM_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none"),
                ("RONDOM_SECRET_KEY", ""),
            ],
            "set RONDOM_SECRET_KEY",
        ),
        (
            &["migrate"],
            &[("RONDOM_SECRET_KEY", "te kort")],
            "RONDOM_SECRET_KEY: the secret key must be",
        ),
        (
            &["serve", "--bind", "nergens"],
            &[],
            "the bind address \"nergens\" is not an address with a port",
        ),
        (
            &["migrate"],
            &[("RONDOM_SESSION_IDLE_MINUTES", "lang")],
            "RONDOM_SESSION_IDLE_MINUTES must be a whole number of minutes",
        ),
        (
            &["migrate"],
            &[("RONDOM_BASE_URL", "rondom.example")],
            "the base URL \"rondom.example\" must start with http://",
        ),
        (
            &["migrate"],
            &[("RONDOM_CONFIG", "/bestaat/niet.toml")],
            "cannot read the configuration file /bestaat/niet.toml",
        ),
    ];
    for (args, env, expected) in cases {
        let out = rondom()
            .args(*args)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?} {env:?}: {err}");
        assert!(
            err.contains(expected),
            "{args:?} {env:?}: expected {expected:?} in {err:?}"
        );
        assert!(
            !err.contains("panicked") && err.lines().count() == 1,
            "one sentence, no backtrace: {err}"
        );
    }
    let out = rondom()
        .args(["admin", "create-user", "--email", "a@b.nl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Usage: rondom admin create-user"));
    for sub in [
        &["serve", "--help"][..],
        &["admin", "create-token", "--help"],
        &["audit", "verify", "--help"],
    ] {
        let out = rondom().args(sub).output().unwrap();
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage: rondom"));
    }
}

#[test]
fn the_command_line_creates_organisations_users_and_tokens() {
    let db = TestDb::new(Backend::Sqlite);
    let run = |args: &[&str], stdin: Option<&str>| {
        let mut cmd = rondom();
        cmd.args(["--database-url", &db.url])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        if let Some(s) = stdin {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
        }
        child.wait_with_output().unwrap()
    };
    let out = run(
        &[
            "admin",
            "create-organisation",
            "--name",
            "Praktijk Cli",
            "--kind",
            "huisartsenpraktijk",
            "--gemeente-code",
            "GM9999",
            "--street",
            "Laan",
            "--house-number",
            "2",
            "--postcode",
            "1234AB",
            "--city",
            "Voorbeeld",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1), "AGB code required");
    let out = run(
        &[
            "admin",
            "create-organisation",
            "--name",
            "Praktijk Cli",
            "--kind",
            "huisartsenpraktijk",
            "--agb-code",
            "01999999",
            "--gemeente-code",
            "GM9999",
            "--street",
            "Laan",
            "--house-number",
            "2",
            "--postcode",
            "1234AB",
            "--city",
            "Voorbeeld",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(
        &[
            "admin",
            "create-user",
            "--email",
            "cli@test.example",
            "--name",
            "Cli Arts",
            "--organisation",
            "01999999",
            "--role",
            "consulent",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not fit"));
    let out = run(
        &[
            "admin",
            "create-user",
            "--email",
            "cli@test.example",
            "--name",
            "Cli Arts",
            "--organisation",
            "Praktijk Cli",
            "--role",
            "huisarts",
            "--password-stdin",
        ],
        Some("een prima wachtwoord\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(
        &["admin", "create-token", "--email", "cli@test.example"],
        None,
    );
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert!(token.starts_with("rdm_") && token.len() > 40);
    let out = run(
        &["admin", "reset-password", "--email", "cli@test.example"],
        None,
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("/wachtwoord-herstellen/"));
    let out = run(
        &["admin", "create-token", "--email", "niemand@test.example"],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("no user with e-mail address niemand@test.example")
    );
    let out = run(&["audit", "verify"], None);
    assert!(String::from_utf8_lossy(&out.stdout).contains("audit log intact: 4 entries"));
}

#[test]
fn serve_demo_starts_loads_the_municipality_and_reports_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let mut child = rondom()
        .args([
            "--database-url",
            &url,
            "serve",
            "--demo",
            "--bind",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    // "Demo municipality "Gemeente Voorbeeld" loaded: 31 organisations, 43 people, 97 services."
    let numbers: Vec<usize> = first
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(
        first.starts_with("Demo municipality \"Gemeente Voorbeeld\" loaded:")
            && numbers.len() == 3
            && numbers[0] >= 30
            && numbers[2] >= 90,
        "about 30 organisations and 100 services: {first}"
    );
    let open = lines.next().unwrap().unwrap();
    let base = open.trim_start_matches("Open ").to_owned();
    let rest: Vec<String> = lines.by_ref().take(11).map(|l| l.unwrap()).collect();
    assert!(
        rest.iter()
            .any(|l| l.contains("huisarts") && l.contains("Huisartsenpraktijk De Linde"))
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = reqwest::Client::new();
        assert_eq!(
            c.get(format!("{base}/readyz"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        let page = c
            .get(format!("{base}/inloggen"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("DEMO"));
        let metrics = c
            .get(format!("{base}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            metrics.contains("http_requests_total") && metrics.contains("route=\"/inloggen\""),
            "{metrics}"
        );
    });
    child.kill().unwrap();
    let _ = child.wait();
}
