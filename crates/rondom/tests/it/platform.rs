//! The platform itself: headers, error pages, health, schemas on both engines, the audit
//! chain, several servers on one database, and the command line.

use crate::common::*;
use diesel::prelude::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

on_both_backends!(
    pages_carry_security_headers_and_unknown_routes_get_a_dutch_404,
    health_and_readiness,
    a_tampered_audit_row_is_found_by_audit_verify,
    a_truncated_audit_log_fails_verify,
    a_rechained_audit_log_fails_verify,
    one_bad_audit_entry_fails_no_other,
    two_servers_share_sessions_through_the_database,
    audit_entries_written_at_once_by_two_servers_form_one_unbroken_chain,
);

async fn pages_carry_security_headers_and_unknown_routes_get_a_dutch_404(b: Backend) {
    let app = TestApp::start(b).await;
    let c = app.client();
    let r = c.get(app.url("/inloggen")).send().await.unwrap();
    let h = r.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    assert_eq!(h["cache-control"], "no-store");
    assert!(h.contains_key("x-request-id"));
    assert!(
        !h.contains_key("strict-transport-security"),
        "no HSTS over plain http"
    );
    let cookie = h["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let body = r.text().await.unwrap();
    assert!(
        body.contains("<html lang=\"nl\">")
            && body.contains("<label for=\"email\">E-mailadres</label>")
    );

    let r = c.get(app.url("/bestaat/niet")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let body = r.text().await.unwrap();
    assert!(body.contains("Niet gevonden") && body.contains("Deze pagina bestaat niet"));

    let css = c.get(app.url("/static/rondom.css")).send().await.unwrap();
    assert_eq!(css.status(), 200);
    assert!(
        css.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );

    // Session cookies are HttpOnly and SameSite=Lax; Secure only over https.
    app.user("o@test.example", None, &["ouder_verzorger"]).await;
    let page = fetch_page(&app, &c, "/inloggen").await;
    let csrf = hidden(&page, "csrf");
    let r = c
        .post(app.url("/inloggen"))
        .form(&[
            ("email", "o@test.example"),
            ("password", PASSWORD),
            ("csrf", csrf.as_str()),
            ("volgende", "/"),
        ])
        .send()
        .await
        .unwrap();
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("rondom_session="))
        .unwrap();
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && !session.contains("Secure")
    );
    let value = session
        .trim_start_matches("rondom_session=")
        .split(';')
        .next()
        .unwrap();
    assert!(value.len() >= 43, "at least 256 bits of randomness");
    let stored: Vec<String> = app
        .db
        .read(|c| {
            Ok(rondom_db::schema::sessions::table
                .select(rondom_db::schema::sessions::id)
                .load(c)?)
        })
        .await
        .unwrap();
    assert!(
        !stored.iter().any(|s| s == value),
        "the database holds a hash, not the cookie value"
    );
    app.stop().await;
}

async fn health_and_readiness(b: Backend) {
    let app = TestApp::start(b).await;
    let c = app.client();
    let r = c.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (200, "ok".into())
    );
    let r = c.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(
        (r.status().as_u16(), r.text().await.unwrap()),
        (200, "ready".into())
    );
    app.stop().await;
}

/// `rondom audit verify` against a test server's database and its checkpoints.
fn verify_audit(app: &TestApp) -> (Option<i32>, String) {
    let out = rondom()
        .args([
            "--database-url",
            &app.test_db.url,
            "audit",
            "verify",
            "--checkpoints",
        ])
        .arg(checkpoint_file(&app.test_db.url))
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).trim().to_owned(),
    )
}

/// A server that logged `entries` logins, the third of them refused, and was stopped
/// (so its last checkpoint is written).
async fn audited_and_stopped(b: Backend, entries: usize) -> TestApp {
    let mut app = TestApp::start(b).await;
    app.user("o@test.example", None, &["ouder_verzorger"]).await;
    for i in 0..entries {
        let password = if i == 2 {
            "verkeerd wachtwoord"
        } else {
            PASSWORD
        };
        password_login(&app, &app.client(), "o@test.example", password, "/").await;
    }
    app.stop_server().await;
    app
}

/// Runs SQL with the append-only triggers out of the way, as someone who holds the
/// database (but not the installation key) could.
async fn tamper(app: &TestApp, b: Backend, sql: Vec<String>) {
    let db = rondom_db::Db::connect(&app.test_db.url, 1).unwrap();
    db.write(move |c| {
        match b {
            Backend::Sqlite => {
                diesel::sql_query("DROP TRIGGER audit_log_no_update").execute(c)?;
                diesel::sql_query("DROP TRIGGER audit_log_no_delete").execute(c)?;
            }
            Backend::Postgres => {
                diesel::sql_query("DROP TRIGGER audit_log_no_change ON audit_log").execute(c)?;
            }
        };
        for q in &sql {
            diesel::sql_query(q.as_str()).execute(c)?;
        }
        Ok(())
    })
    .await
    .unwrap();
}

async fn a_tampered_audit_row_is_found_by_audit_verify(b: Backend) {
    let app = audited_and_stopped(b, 4).await;
    let entries = app.audit().await.len() as i64;
    assert_eq!(entries, 4, "three logins and one refusal");
    let (code, out) = verify_audit(&app);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.starts_with("audit log intact: 4 entries verified\n"),
        "{out}"
    );
    assert!(
        out.contains("the latest vouches for the first 4 entries"),
        "{out}"
    );

    // The database refuses changes to the log...
    let refused = app
        .db
        .write(|c| {
            diesel::sql_query("UPDATE audit_log SET outcome = 'allowed' WHERE seq = 3")
                .execute(c)?;
            Ok(())
        })
        .await;
    assert!(refused.is_err(), "the append-only trigger stops an UPDATE");
    // ...and someone who removes that protection is still caught.
    tamper(
        &app,
        b,
        vec!["UPDATE audit_log SET outcome = 'allowed' WHERE seq = 3".into()],
    )
    .await;
    let (code, out) = verify_audit(&app);
    assert_eq!(code, Some(3), "{out}");
    assert!(
        out.starts_with(
            "audit log BROKEN at entry 3: its content no longer matches its keyed hash"
        ),
        "{out}"
    );
    app.stop().await;
}

async fn a_truncated_audit_log_fails_verify(b: Backend) {
    let app = audited_and_stopped(b, 9).await;
    assert_eq!(verify_audit(&app).0, Some(0));
    // The last five entries gone: the chain that is left is whole, the checkpoint
    // written when the server stopped still vouches for nine.
    tamper(&app, b, vec!["DELETE FROM audit_log WHERE seq > 4".into()]).await;
    let (code, out) = verify_audit(&app);
    assert_eq!(code, Some(3), "{out}");
    assert!(
        out.contains("vouches for 9 entries, the log holds 4: entries were removed from its end"),
        "{out}"
    );
    // Without the checkpoints the cut would not show; verify says so instead of
    // claiming more than it knows.
    let out = rondom()
        .args(["--database-url", &app.test_db.url, "audit", "verify"])
        .env("RONDOM_AUDIT_CHECKPOINTS", "/nonexistent/checkpoints")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("warning: no checkpoints were given"),
        "{text}"
    );
    app.stop().await;
}

/// Deleting a refusal and chaining every later entry again, as an attacker without the
/// installation key must: with plain SHA-256 (so as old, unkeyed entries) or with a
/// guessed key. Both fail.
async fn a_rechained_audit_log_fails_verify(b: Backend) {
    use rondom_db::schema::audit_log::dsl as a;
    use rondom_domain::audit::{AuditKeys, GENESIS_HASH};
    for guessed_key in [None, Some([7u8; 32])] {
        let app = audited_and_stopped(b, 7).await;
        let mut rows = app.audit().await;
        rows.sort_by_key(|r| r.seq);
        // The refusal at entry 3 disappears; the rest move up one place.
        rows.remove(2);
        let mut prev = GENESIS_HASH.to_owned();
        let mut sql = vec!["DELETE FROM audit_log".to_owned()];
        let q = |s: &Option<String>| match s {
            Some(v) => format!("'{}'", v.replace('\'', "''")),
            None => "NULL".into(),
        };
        for (i, r) in rows.iter_mut().enumerate() {
            r.seq = i as i64 + 1;
            r.prev_hash = prev.clone();
            r.keyed = guessed_key.is_some();
            r.hash = match guessed_key {
                None => r_chained(r).hash(),
                Some(k) => r_chained(r).mac(&AuditKeys::derive(&k)),
            };
            prev = r.hash.clone();
            sql.push(format!(
                "INSERT INTO audit_log (seq, at, actor_user_id, actor_name, actor_role, actor_organisation_id, action, object_type, object_id, child_id, reason, source_address, outcome, prev_hash, hash, keyed, subject_org_id, other_subject_org_id) VALUES ({}, '{}', {}, '{}', {}, {}, '{}', '{}', {}, {}, {}, {}, '{}', '{}', '{}', {}, {}, {})",
                r.seq,
                r.at.format("%Y-%m-%d %H:%M:%S%.6f"),
                q(&r.actor_user_id),
                r.actor_name.replace('\'', "''"),
                q(&r.actor_role),
                q(&r.actor_organisation_id),
                r.action,
                r.object_type,
                q(&r.object_id),
                q(&r.child_id),
                q(&r.reason),
                q(&r.source_address),
                r.outcome,
                r.prev_hash,
                r.hash,
                if r.keyed { "TRUE" } else { "FALSE" },
                q(&r.subject_org_id),
                q(&r.other_subject_org_id),
            ));
        }
        tamper(&app, b, sql).await;
        let left: i64 = app
            .db
            .read(move |c| Ok(a::audit_log.count().get_result(c)?))
            .await
            .unwrap();
        assert_eq!(left, 6, "one entry fewer");
        let (code, out) = verify_audit(&app);
        assert_eq!(code, Some(3), "{guessed_key:?}: {out}");
        app.stop().await;
    }
}

fn r_chained(r: &rondom_db::audit::AuditEntry) -> rondom_domain::audit::ChainedFields<'_> {
    rondom_domain::audit::ChainedFields {
        seq: r.seq,
        at: r.at,
        actor_user_id: r.actor_user_id.as_deref(),
        actor_name: &r.actor_name,
        actor_role: r.actor_role.as_deref(),
        actor_organisation_id: r.actor_organisation_id.as_deref(),
        action: &r.action,
        object_type: &r.object_type,
        object_id: r.object_id.as_deref(),
        child_id: r.child_id.as_deref(),
        reason: r.reason.as_deref(),
        source_address: r.source_address.as_deref(),
        outcome: &r.outcome,
        subject_org_id: r.subject_org_id.as_deref(),
        other_subject_org_id: r.other_subject_org_id.as_deref(),
        prev_hash: &r.prev_hash,
    }
}

async fn two_servers_share_sessions_through_the_database(b: Backend) {
    let app = TestApp::start(b).await;
    let second = app.second_server().await;
    app.user("o@test.example", None, &["ouder_verzorger"]).await;
    let c = app.client();
    password_login(&app, &c, "o@test.example", PASSWORD, "/").await;
    let b_url = format!("http://{}", second.addr);
    assert_eq!(
        c.get(app.url("/account")).send().await.unwrap().status(),
        200
    );
    let session_cookie = {
        let token = app
            .db
            .read(|c| {
                Ok(rondom_db::schema::sessions::table
                    .count()
                    .get_result::<i64>(c)?)
            })
            .await
            .unwrap();
        assert_eq!(token, 1);
        // Log in against server A keeping the raw cookie, as a load balancer in front
        // of both servers would pass it on.
        let raw = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let login_page = raw.get(app.url("/inloggen")).send().await.unwrap();
        let pre = login_page.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let csrf = hidden(&login_page.text().await.unwrap(), "csrf");
        let r = raw
            .post(app.url("/inloggen"))
            .header("cookie", &pre)
            .form(&[
                ("email", "o@test.example"),
                ("password", PASSWORD),
                ("csrf", csrf.as_str()),
                ("volgende", "/"),
            ])
            .send()
            .await
            .unwrap();
        r.headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
            .find(|v| v.starts_with("rondom_session="))
            .unwrap()
    };
    let raw = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let on_b = raw
        .get(format!("{b_url}/account"))
        .header("cookie", &session_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        on_b.status(),
        200,
        "a session made on server A works on server B"
    );
    let csrf = hidden(&on_b.text().await.unwrap(), "csrf");
    // Server A has just used the session too (and keeps it in its session cache).
    let on_a = raw
        .get(app.url("/account"))
        .header("cookie", &session_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(on_a.status(), 200);
    let out = raw
        .post(format!("{b_url}/uitloggen"))
        .header("cookie", &session_cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    // A learns of the logout from the database (SQLite's change counter, PostgreSQL's
    // change notice), well before its cached copy would have aged out (2 s).
    let logged_out = std::time::Instant::now();
    loop {
        let on_a = raw
            .get(app.url("/account"))
            .header("cookie", &session_cookie)
            .send()
            .await
            .unwrap();
        if on_a.status() == 303 {
            break;
        }
        assert_eq!(on_a.status(), 200);
        assert!(
            logged_out.elapsed() < std::time::Duration::from_millis(500),
            "logout on B ends the session on A too"
        );
        tokio::task::yield_now().await;
    }
    second.stop().await;
    app.stop().await;
}

/// Reads and refusals are logged through each server's group writer, which commits the
/// entries that arrive together in one transaction; two servers doing so at once must
/// still make one chain, with every entry in it once.
async fn audit_entries_written_at_once_by_two_servers_form_one_unbroken_chain(b: Backend) {
    let app = TestApp::start(b).await;
    let second = app.second_server().await;
    let before = app
        .db
        .read(|c| {
            Ok(rondom_db::schema::audit_log::table
                .count()
                .get_result::<i64>(c)?)
        })
        .await
        .unwrap();
    let mut writes = tokio::task::JoinSet::new();
    for i in 0..60 {
        let db = if i % 2 == 0 {
            app.db.clone()
        } else {
            second.state.app.db.clone()
        };
        writes.spawn(async move {
            db.audit(rondom_db::audit::AuditEvent {
                actor_name: format!("test {i}"),
                action: "referral_list_read".into(),
                object_type: "referral_inbox".into(),
                reason: Some(format!("entry {i}")),
                outcome: "allowed".into(),
                ..Default::default()
            })
            .await
        });
    }
    let mut seqs: Vec<i64> = writes
        .join_all()
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .collect();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), 60, "every entry has its own place in the chain");
    let (outcome, reasons) = app
        .db
        .read(|c| {
            let reasons: Vec<Option<String>> = rondom_db::schema::audit_log::table
                .select(rondom_db::schema::audit_log::reason)
                .load(c)?;
            let keys = rondom_domain::audit::AuditKeys::derive(
                &rondom_app::secrets::parse_key(TEST_KEY).unwrap(),
            );
            Ok((rondom_db::audit::verify(c, &keys, &[])?, reasons))
        })
        .await
        .unwrap();
    assert!(
        matches!(outcome, rondom_db::audit::VerifyOutcome::Intact { entries, .. } if entries == before + 60),
        "{outcome:?}"
    );
    for i in 0..60 {
        let want = format!("entry {i}");
        assert_eq!(
            reasons
                .iter()
                .filter(|r| r.as_deref() == Some(&want))
                .count(),
            1,
            "{want} is logged once"
        );
    }
    second.stop().await;
    app.stop().await;
}

#[test]
fn sqlite_and_postgres_schemas_are_equal() {
    let sqlite = TestDb::new(Backend::Sqlite);
    let pg = TestDb::new(Backend::Postgres);
    for db in [&sqlite, &pg] {
        rondom_db::Db::connect(&db.url, 1)
            .unwrap()
            .migrate_blocking()
            .unwrap();
    }
    #[derive(QueryableByName, Debug)]
    struct Col {
        #[diesel(sql_type = diesel::sql_types::Text)]
        table_name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        column_name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        data_type: String,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        nullable: bool,
    }
    let normal = |t: &str| {
        match t.to_lowercase().as_str() {
            "text" => "text",
            "bigint" | "int8" => "bigint",
            "integer" | "int4" => "integer",
            "boolean" | "bool" => "boolean",
            "double" | "double precision" | "float8" => "double",
            "timestamp" | "timestamp without time zone" => "timestamp",
            "date" => "date",
            other => panic!("unexpected column type {other}"),
        }
        .to_owned()
    };
    // `change_counter` is SQLite's stand-in for PostgreSQL's change announcements (see
    // the migration of that name); it holds no data of the product.
    let mut s =
        diesel::SqliteConnection::establish(sqlite.url.trim_start_matches("sqlite://")).unwrap();
    let tables: Vec<Col> = diesel::sql_query(
        "SELECT m.name AS table_name, p.name AS column_name, p.type AS data_type, \
         (p.\"notnull\" = 0 AND p.pk = 0) AS nullable \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations' \
         AND m.name <> 'change_counter'",
    )
    .load(&mut s)
    .unwrap();
    let mut p = diesel::PgConnection::establish(&pg.url).unwrap();
    let pg_cols: Vec<Col> = diesel::sql_query(
        "SELECT table_name::text, column_name::text, data_type::text, (is_nullable = 'YES') AS nullable \
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    )
    .load(&mut p)
    .unwrap();
    let norm = |cols: Vec<Col>| {
        let mut v: Vec<(String, String, String, bool)> = cols
            .into_iter()
            .map(|c| {
                (
                    c.table_name,
                    c.column_name,
                    normal(&c.data_type),
                    c.nullable,
                )
            })
            .collect();
        v.sort();
        v
    };
    // SQLite has no date type: a day is ISO-8601 TEXT there and DATE on PostgreSQL
    // (migration dates_as_dates). Exactly these columns hold days; a new one is named here.
    const DAYS: [(&str, &str); 14] = [
        ("children", "birth_date"),
        ("consultations", "due_on"),
        ("hour_exceptions", "on_date"),
        ("locations", "last_checked_on"),
        ("organisations", "last_checked_on"),
        ("referral_agreements", "effective_from"),
        ("referrals", "accepted_on"),
        ("referrals", "due_on"),
        ("services", "contract_from"),
        ("services", "contract_until"),
        ("services", "last_checked_on"),
        ("services", "wait_reported_on"),
        ("teams", "last_checked_on"),
        ("users", "last_checked_on"),
    ];
    let mut pg_days: Vec<(String, String)> = pg_cols
        .iter()
        .filter(|c| c.data_type == "date")
        .map(|c| (c.table_name.clone(), c.column_name.clone()))
        .collect();
    pg_days.sort();
    let want: Vec<(String, String)> = DAYS
        .iter()
        .map(|(t, c)| ((*t).to_owned(), (*c).to_owned()))
        .collect();
    assert_eq!(pg_days, want, "the days on PostgreSQL");
    let tables: Vec<Col> = tables
        .into_iter()
        .map(|mut c| {
            if c.data_type.eq_ignore_ascii_case("text")
                && DAYS.contains(&(c.table_name.as_str(), c.column_name.as_str()))
            {
                c.data_type = "date".into();
            }
            c
        })
        .collect();
    let (a, b) = (norm(tables), norm(pg_cols));
    assert!(a.len() > 50, "the schema has its tables");
    assert_eq!(a, b, "SQLite and PostgreSQL schemas differ");
}

fn rondom() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rondom"));
    c.env_remove("DATABASE_URL")
        .env_remove("RONDOM_DATABASE_URL")
        .env_remove("RONDOM_CONFIG")
        .env("RONDOM_SECRET_KEY", TEST_KEY);
    c
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_need_the_token_when_one_is_set() {
    let db = TestDb::new(Backend::Sqlite);
    let mut config = config_for(&db.url, 1, false);
    config.web.metrics_token = Some(rondom_app::secrets::Secret("scrape-me".into()));
    let handle = metrics_exporter_prometheus::PrometheusBuilder::new()
        .build_recorder()
        .handle();
    let running = rondom::app::start(&config, Some(handle)).await.unwrap();
    let url = format!("http://{}/metrics", running.addr);
    let c = reqwest::Client::new();
    assert_eq!(
        c.get(&url).send().await.unwrap().status(),
        404,
        "loopback alone is not enough then"
    );
    assert_eq!(
        c.get(&url)
            .bearer_auth("wrong")
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let ok = c.get(&url).bearer_auth("scrape-me").send().await.unwrap();
    assert_eq!(ok.status(), 200);
    running.stop().await;
}

/// The bundled SQLite must keep one plan per statement (`.cargo/config.toml`): without
/// the query planner stability guarantee it compiles a statement again at every run
/// whose LIMIT or indexed column is bound to a parameter, which cost the inbox a sixth of
/// its CPU time. A build that loses the flag fails here instead of only being slower.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bundled_sqlite_plans_each_statement_once() {
    use diesel::prelude::*;
    let db = TestDb::new(Backend::Sqlite);
    let handle = rondom_db::Db::connect(&db.url, 1).unwrap();
    let options: Vec<String> = handle
        .read(|c| {
            #[derive(QueryableByName)]
            struct CompileOption {
                #[diesel(sql_type = diesel::sql_types::Text)]
                compile_options: String,
            }
            let rows: Vec<CompileOption> =
                rondom_db::on_backend!(c, |c| diesel::sql_query("PRAGMA compile_options")
                    .load::<CompileOption>(c))?;
            Ok(rows.into_iter().map(|o| o.compile_options).collect())
        })
        .await
        .unwrap();
    assert!(
        options.iter().any(|o| o == "ENABLE_QPSG"),
        "compile options: {options:?}"
    );
}

/// The SQLite database holds password hashes, e-mail addresses and the audit log: it
/// and its write-ahead log are readable by their owner only, like the key file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::start(Backend::Sqlite).await;
    app.user("o@test.example", None, &["ouder_verzorger"]).await;
    let path = app.test_db.url.trim_start_matches("sqlite://").to_owned();
    for file in [path.clone(), format!("{path}-wal"), format!("{path}-shm")] {
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{file} is {mode:o}");
    }
    assert!(rondom_db::connection::readable_by_others(&path).is_empty());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(
        rondom_db::connection::readable_by_others(&path),
        vec![(path.clone(), 0o644)],
        "a database opened up is named at start"
    );
    app.stop().await;
}

/// Behind a reverse proxy on the same machine every request arrives from the loopback
/// address: /metrics then needs its token, like from anywhere else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_behind_a_local_proxy_need_the_token() {
    let app =
        TestApp::start_configured(Backend::Sqlite, false, |c| c.web.trust_proxy_headers = true)
            .await;
    let r = app.client().get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    app.stop().await;
    let app = TestApp::start(Backend::Sqlite).await;
    let r = app.client().get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200, "without a proxy, this machine may read it");
    app.stop().await;
}

/// Entries that arrive together are committed together by the audit group writer; one
/// that cannot be written (here: refused by a trigger the test adds) fails its own
/// request only, and the others are committed.
async fn one_bad_audit_entry_fails_no_other(b: Backend) {
    let app = TestApp::start(b).await;
    app.db
        .write(move |c| {
            match b {
                Backend::Sqlite => diesel::sql_query(
                    "CREATE TRIGGER poison BEFORE INSERT ON audit_log WHEN NEW.reason = 'gif' \
                     BEGIN SELECT RAISE(ABORT, 'poisoned entry'); END",
                )
                .execute(c)?,
                Backend::Postgres => {
                    diesel::sql_query(
                        "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN \
                         IF NEW.reason = 'gif' THEN RAISE EXCEPTION 'poisoned entry'; END IF; \
                         RETURN NEW; END $$ LANGUAGE plpgsql",
                    )
                    .execute(c)?;
                    diesel::sql_query(
                        "CREATE TRIGGER poison BEFORE INSERT ON audit_log \
                         FOR EACH ROW EXECUTE FUNCTION poison()",
                    )
                    .execute(c)?
                }
            };
            Ok(())
        })
        .await
        .unwrap();
    let entry = |reason: &str| rondom_db::audit::AuditEvent {
        actor_name: "test".into(),
        action: "read".into(),
        object_type: "directory".into(),
        reason: Some(reason.into()),
        outcome: "allowed".into(),
        ..Default::default()
    };
    let mut all = tokio::task::JoinSet::new();
    for i in 0..30 {
        let (db, e) = (app.db.clone(), entry(if i == 7 { "gif" } else { "goed" }));
        all.spawn(async move { (i, db.audit(e).await) });
    }
    let results = all.join_all().await;
    for (i, r) in &results {
        if *i == 7 {
            assert!(r.is_err(), "the poisoned entry is not written");
        } else {
            assert!(r.is_ok(), "entry {i} is written: {r:?}");
        }
    }
    let written = app
        .audit()
        .await
        .into_iter()
        .filter(|e| e.reason.as_deref() == Some("goed"))
        .count();
    assert_eq!(written, 29);
    app.stop().await;
}

/// A log that was written before entries were keyed keeps that part as a prefix; the
/// checkpoints name where the keyed part starts, found without reading the whole log.
#[test]
fn checkpoints_name_where_the_keyed_part_of_the_log_starts() {
    let test_db = TestDb::new(Backend::Sqlite);
    let keys =
        rondom_domain::audit::AuditKeys::derive(&rondom_app::secrets::parse_key(TEST_KEY).unwrap());
    let db = rondom_db::Db::connect(&test_db.url, 1)
        .unwrap()
        .with_audit_keys(keys);
    db.migrate_blocking().unwrap();
    let entry = || rondom_db::audit::AuditEvent {
        actor_name: "test".into(),
        action: "read".into(),
        object_type: "directory".into(),
        outcome: "allowed".into(),
        ..Default::default()
    };
    for _ in 0..5 {
        db.write_blocking(|c| rondom_db::audit::append(c, &entry()))
            .unwrap();
    }
    // The first three as an old installation wrote them: unkeyed, plain SHA-256.
    db.write_blocking(|c| {
        diesel::sql_query("DROP TRIGGER audit_log_no_update").execute(c)?;
        diesel::sql_query("UPDATE audit_log SET keyed = FALSE WHERE seq <= 3").execute(c)?;
        Ok(())
    })
    .unwrap();
    let mut conn = db.get().unwrap();
    let c = rondom_db::audit::checkpoint_now(&mut conn)
        .unwrap()
        .unwrap();
    assert_eq!((c.seq, c.keyed_from), (5, 4));
}
