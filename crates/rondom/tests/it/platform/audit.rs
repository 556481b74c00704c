//! The audit chain: tampering found by `rondom audit verify`, group commits, checkpoints.

use super::rondom;
use crate::common::*;
use diesel::prelude::*;

on_both_backends!(
    a_tampered_audit_row_is_found_by_audit_verify,
    a_truncated_audit_log_fails_verify,
    a_rechained_audit_log_fails_verify,
    one_bad_audit_entry_fails_no_other,
);

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
        out.contains(
            "vouches for entry 9, the log ends at entry 4: entries were removed from its end"
        ),
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
