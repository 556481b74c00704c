//! The audit log: appended in order, chained and keyed, append-only in the database,
//! verifiable, and listed by organisation.

use crate::support::{Engine, TestDb, keys};
use diesel::RunQueryDsl;
use rondom_db::audit::{self, AuditEvent, AuditFilter, VerifyOutcome};
use rondom_db::{Db, DbError};
use rondom_domain::audit::{AuditKeys, GENESIS_HASH};

on_both_engines!(
    appended_entries_are_numbered_chained_and_verified,
    the_log_refuses_changes_and_verify_finds_a_changed_entry,
    a_handle_without_keys_appends_nothing,
    the_log_is_listed_by_organisation_and_filters,
);

fn event(action: &str, subjects: &[&str]) -> AuditEvent {
    AuditEvent {
        actor_user_id: Some("user-1".into()),
        actor_name: "Anna".into(),
        actor_role: Some("admin".into()),
        actor_organisation_id: None,
        action: action.into(),
        object_type: "referral".into(),
        object_id: Some("referral-1".into()),
        child_id: None,
        reason: None,
        source_address: Some("192.0.2.7".into()),
        outcome: "allowed".into(),
        subject_org_ids: subjects.iter().map(|s| s.to_string()).collect(),
    }
}

async fn append(db: &Db, e: AuditEvent) -> Result<i64, DbError> {
    db.write(move |c| audit::append(c, &e)).await
}

async fn verify(db: &Db, keys: AuditKeys) -> VerifyOutcome {
    db.read(move |c| audit::verify(c, &keys, &[]))
        .await
        .unwrap()
}

async fn all(db: &Db) -> Vec<audit::AuditEntry> {
    db.read(|c| audit::list(c, &AuditFilter::default(), None, 1_000))
        .await
        .unwrap()
}

async fn appended_entries_are_numbered_chained_and_verified(e: Engine) {
    let t = TestDb::new(e);
    let db = t.db();
    assert_eq!(
        verify(db, keys()).await,
        VerifyOutcome::Intact {
            entries: 0,
            checkpoints: 0,
            latest_checkpoint: None
        }
    );
    assert_eq!(db.read(audit::head).await.unwrap(), None);

    let first = append(db, event("referral.view", &[])).await.unwrap();
    let group = vec![event("referral.send", &[]), event("referral.accept", &[])];
    let next = db
        .write(move |c| audit::append_all(c, &group))
        .await
        .unwrap();
    // Through the group writer, as reads and refusals are logged.
    let queued = db.audit(event("referral.open", &[])).await.unwrap();
    // A NUL cannot be stored by PostgreSQL: both engines store the same replacement.
    let mut odd = event("referral.reason", &[]);
    odd.reason = Some("a\0b".into());
    let last = append(db, odd).await.unwrap();
    assert_eq!(
        (first, next, queued, last),
        (1, vec![2, 3], 4, 5),
        "numbered in order, without gaps"
    );

    let entries = all(db).await;
    let seqs: Vec<i64> = entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![5, 4, 3, 2, 1], "newest first");
    let oldest_first: Vec<_> = entries.iter().rev().collect();
    // Each entry links to the one before it in its chain, the first of a chain to the
    // beginning. (On PostgreSQL the group writer's entries, the fourth, go into a chain
    // of its own.)
    let mut ends: std::collections::HashMap<i32, &str> = Default::default();
    for e in &oldest_first {
        let before = ends.get(&e.chain).copied().unwrap_or(GENESIS_HASH);
        assert_eq!(e.prev_hash, before, "entry {} chains", e.seq);
        ends.insert(e.chain, &e.hash);
    }
    assert!(oldest_first.windows(2).all(|p| p[1].at >= p[0].at));
    assert!(entries.iter().all(|e| e.keyed));
    assert_eq!(oldest_first[0].action, "referral.view");
    assert_eq!(oldest_first[0].source_address.as_deref(), Some("192.0.2.7"));
    assert_eq!(oldest_first[3].action, "referral.open");
    assert_eq!(oldest_first[4].reason.as_deref(), Some("a\u{FFFD}b"));

    assert_eq!(
        verify(db, keys()).await,
        VerifyOutcome::Intact {
            entries: 5,
            checkpoints: 0,
            latest_checkpoint: None
        }
    );
    let (head, checkpoint) = db
        .read(|c| Ok((audit::head(c)?, audit::checkpoint_now(c)?)))
        .await
        .unwrap();
    assert_eq!(head, Some((5, entries[0].hash.clone(), 1)));
    let checkpoint = checkpoint.unwrap();
    assert_eq!((checkpoint.seq, checkpoint.keyed_from), (5, 1));
    let checked = db
        .read(move |c| audit::verify(c, &keys(), &[checkpoint]))
        .await
        .unwrap();
    assert_eq!(
        checked,
        VerifyOutcome::Intact {
            entries: 5,
            checkpoints: 1,
            latest_checkpoint: Some(5)
        }
    );
    // Under another key the chain does not check out.
    let other = verify(db, AuditKeys::derive(&[8u8; 32])).await;
    assert!(
        matches!(other, VerifyOutcome::Broken { seq: 1, .. }),
        "{other:?}"
    );
}

/// Runs SQL with the append-only triggers out of the way, as someone who holds the
/// database (but not the installation key) could.
async fn tamper(t: &TestDb, sql: impl Into<String>) {
    let (engine, sql) = (t.engine, sql.into());
    t.db()
        .write(move |c| {
            let drop_triggers: &[&str] = match engine {
                Engine::Sqlite => &[
                    "DROP TRIGGER IF EXISTS audit_log_no_update",
                    "DROP TRIGGER IF EXISTS audit_log_no_delete",
                ],
                Engine::Postgres => &["DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log"],
            };
            for q in drop_triggers.iter().copied().chain([sql.as_str()]) {
                diesel::sql_query(q).execute(c)?;
            }
            Ok(())
        })
        .await
        .unwrap();
}

async fn the_log_refuses_changes_and_verify_finds_a_changed_entry(e: Engine) {
    let t = TestDb::new(e);
    let db = t.db();
    for action in ["one", "two", "three"] {
        append(db, event(action, &["org-a"])).await.unwrap();
    }
    // The database itself refuses to change or remove an entry, with the same words on
    // both engines.
    for sql in [
        "UPDATE audit_log SET outcome = 'denied' WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 3",
    ] {
        let refused = db
            .write(move |c| {
                diesel::sql_query(sql).execute(c)?;
                Ok(())
            })
            .await;
        match refused {
            Err(DbError::Query(e)) => {
                assert!(e.to_string().contains("audit_log is append-only"), "{e}")
            }
            other => panic!("{sql} was not refused as a query error: {other:?}"),
        }
    }
    let outcomes: Vec<String> = all(db).await.into_iter().map(|e| e.outcome).collect();
    assert_eq!(outcomes, vec!["allowed"; 3], "nothing changed");
    assert!(matches!(
        verify(db, keys()).await,
        VerifyOutcome::Intact { entries: 3, .. }
    ));

    // Someone who removes that protection is still caught, at the entry they changed.
    tamper(&t, "UPDATE audit_log SET outcome = 'denied' WHERE seq = 2").await;
    match verify(db, keys()).await {
        VerifyOutcome::Broken { seq, problem } => {
            assert_eq!(seq, 2, "{problem}");
            assert!(
                problem.contains("no longer matches its keyed hash"),
                "{problem}"
            );
        }
        intact => panic!("a changed entry passed verify: {intact:?}"),
    }
}

async fn a_handle_without_keys_appends_nothing(e: Engine) {
    let t = TestDb::new(e);
    let keyless = Db::connect(&t.url, 1).unwrap();
    assert!(keyless.audit_keys().is_none());
    let refused = append(&keyless, event("referral.view", &[])).await;
    assert!(
        matches!(refused, Err(DbError::Unavailable(_))),
        "{refused:?}"
    );
    // Fails closed: the change it came with is rolled back too.
    let refused = keyless
        .write(|c| {
            rondom_db::users::create(
                c,
                &rondom_db::users::NewUser {
                    email: "zonder@test.example",
                    name: "Zonder sleutel",
                    password_hash: None,
                    family_role: None,
                    is_demo: false,
                },
            )?;
            audit::append(c, &event("user.create", &[]))
        })
        .await;
    assert!(
        matches!(refused, Err(DbError::Unavailable(_))),
        "{refused:?}"
    );
    assert!(all(t.db()).await.is_empty());
    assert_eq!(t.db().read(rondom_db::users::count).await.unwrap(), 0);
    // The keyed handle on the same database appends from 1.
    assert_eq!(
        append(t.db(), event("referral.view", &[])).await.unwrap(),
        1
    );
}

async fn the_log_is_listed_by_organisation_and_filters(e: Engine) {
    let t = TestDb::new(e);
    let db = t.db();
    let mut by_member = event("consultation.view", &[]);
    by_member.actor_organisation_id = Some("org-a".into());
    let mut about_org = event("organisation.update", &[]);
    about_org.object_type = "organisation".into();
    about_org.object_id = Some("org-d".into());
    about_org.outcome = "denied".into();
    about_org.actor_user_id = Some("user-2".into());
    let events = vec![
        by_member,                                   // 1
        event("referral.send", &["org-b", "org-c"]), // 2
        event("referral.view", &["org-c"]),          // 3
        about_org,                                   // 4
        event("referral.view", &[]),                 // 5
    ];
    for e in events {
        append(db, e).await.unwrap();
    }
    let seqs_of = |f: AuditFilter, before: Option<i64>, limit: i64| {
        let db = db.clone();
        async move {
            db.read(move |c| audit::list(c, &f, before, limit))
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.seq)
                .collect::<Vec<_>>()
        }
    };
    let org = |o: &str| AuditFilter {
        organisation_id: Some(o.into()),
        ..Default::default()
    };
    assert_eq!(
        seqs_of(org("org-a"), None, 100).await,
        vec![1],
        "its member acted"
    );
    assert_eq!(
        seqs_of(org("org-b"), None, 100).await,
        vec![2],
        "first subject"
    );
    assert_eq!(
        seqs_of(org("org-c"), None, 100).await,
        vec![3, 2],
        "either subject"
    );
    assert_eq!(
        seqs_of(org("org-d"), None, 100).await,
        vec![4],
        "the organisation itself"
    );
    assert!(seqs_of(org("org-e"), None, 100).await.is_empty());

    let entries = all(db).await;
    let second = entries.iter().find(|e| e.seq == 2).unwrap();
    assert_eq!(second.subject_org_id.as_deref(), Some("org-b"));
    assert_eq!(second.other_subject_org_id.as_deref(), Some("org-c"));

    let action = AuditFilter {
        action: Some("referral.view".into()),
        ..Default::default()
    };
    assert_eq!(seqs_of(action, None, 100).await, vec![5, 3]);
    let denied = AuditFilter {
        outcome: Some("denied".into()),
        actor_user_id: Some("user-2".into()),
        object_type: Some("organisation".into()),
        ..Default::default()
    };
    assert_eq!(seqs_of(denied, None, 100).await, vec![4]);
    // Keyset paging: below a sequence number, newest first, bounded.
    assert_eq!(seqs_of(AuditFilter::default(), None, 2).await, vec![5, 4]);
    assert_eq!(
        seqs_of(AuditFilter::default(), Some(4), 2).await,
        vec![3, 2]
    );
    // A time window [from, until) holds an entry that starts it and not one that ends it.
    let at = entries.iter().find(|e| e.seq == 3).unwrap().at;
    let same_moment: Vec<i64> = entries
        .iter()
        .filter(|e| e.at == at)
        .map(|e| e.seq)
        .collect();
    let window = AuditFilter {
        from: Some(at),
        until: Some(at + chrono::Duration::microseconds(1)),
        ..Default::default()
    };
    assert_eq!(seqs_of(window, None, 100).await, same_moment);
    let before = AuditFilter {
        until: Some(at),
        ..Default::default()
    };
    assert!(!seqs_of(before, None, 100).await.contains(&3));

    let actions = db.read(audit::distinct_actions).await.unwrap();
    assert_eq!(
        actions,
        vec![
            "consultation.view",
            "organisation.update",
            "referral.send",
            "referral.view"
        ]
    );
}

/// On PostgreSQL an append takes the first chain whose lock is free, so audited
/// transactions do not wait for each other's commits; verify and the checkpoints hold
/// every chain. (SQLite has one writer at a time, so one chain.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgresql_concurrent_appends_run_in_chains_side_by_side() {
    let t = TestDb::new(Engine::Postgres);
    let db = t.db().clone();
    // The first append holds its transaction open, so its chain's lock is taken.
    let (appended_tx, appended_rx) = tokio::sync::oneshot::channel::<()>();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let holder = {
        let db = db.clone();
        tokio::spawn(async move {
            db.write(move |c| {
                let seq = audit::append(c, &event("held", &[]))?;
                let _ = appended_tx.send(());
                let _ = release_rx.recv();
                Ok(seq)
            })
            .await
        })
    };
    appended_rx.await.unwrap();
    let beside = append(&db, event("beside", &[])).await.unwrap();
    release_tx.send(()).unwrap();
    let held = holder.await.unwrap().unwrap();
    for action in ["after-1", "after-2", "after-3"] {
        append(&db, event(action, &[])).await.unwrap();
    }
    let entries = all(&db).await;
    let by_action = |a: &str| entries.iter().find(|e| e.action == a).unwrap().clone();
    let (h, b) = (by_action("held"), by_action("beside"));
    assert_eq!((h.seq, b.seq), (held, beside));
    assert_ne!(
        h.chain, b.chain,
        "the second append did not wait for the first"
    );
    assert_eq!(
        b.prev_hash, GENESIS_HASH,
        "a new chain starts at the beginning"
    );
    // Alone, appends take the first chain again, each linked to the one before it there.
    let after: Vec<_> = ["after-1", "after-2", "after-3"].map(by_action).to_vec();
    assert!(after.iter().all(|e| e.chain == h.chain));
    assert_eq!(after[0].prev_hash, h.hash);
    assert_eq!(after[2].prev_hash, after[1].hash);
    assert!(matches!(
        verify(&db, keys()).await,
        VerifyOutcome::Intact { entries: 5, .. }
    ));

    // A checkpoint vouches for the end of every chain, the quiet one too.
    let checkpoint = db
        .read(audit::checkpoint_now)
        .await
        .unwrap()
        .expect("a checkpoint of a log with entries");
    assert_eq!(checkpoint.seq, after[2].seq);
    assert_eq!(checkpoint.other_heads, vec![(b.seq, b.hash.clone())]);
    let with_checkpoint = |db: Db, cp: rondom_domain::audit::Checkpoint| async move {
        db.read(move |c| audit::verify(c, &keys(), &[cp]))
            .await
            .unwrap()
    };
    assert!(matches!(
        with_checkpoint(db.clone(), checkpoint.clone()).await,
        VerifyOutcome::Intact { entries: 5, .. }
    ));

    // The quiet chain's last entry removed: its chain is still whole, but the
    // checkpoint misses it.
    tamper(&t, format!("DELETE FROM audit_log WHERE seq = {}", b.seq)).await;
    assert!(matches!(
        verify(&db, keys()).await,
        VerifyOutcome::Intact { entries: 4, .. }
    ));
    match with_checkpoint(db.clone(), checkpoint.clone()).await {
        VerifyOutcome::Broken { seq, problem } => {
            assert_eq!(seq, b.seq);
            assert!(
                problem.contains("is missing, though the checkpoint"),
                "{problem}"
            );
        }
        intact => panic!("a removed chain end passed verify: {intact:?}"),
    }

    // An entry moved into another chain does not link into it (and the chain it left
    // would break at the next entry).
    tamper(
        &t,
        format!(
            "UPDATE audit_log SET chain = chain + 1 WHERE seq = {}",
            after[1].seq
        ),
    )
    .await;
    match verify(&db, keys()).await {
        VerifyOutcome::Broken { seq, problem } => {
            assert_eq!(seq, after[1].seq, "{problem}");
            assert!(
                problem.contains("does not point to the entry before it"),
                "{problem}"
            );
        }
        intact => panic!("a moved entry passed verify: {intact:?}"),
    }
}

/// Many appends at once from two servers, each linking to its chain's last entry: the
/// log verifies whole, every entry there. (The last entry must be read after the chain's
/// lock is held; read with a snapshot from before it, an append could link to an entry
/// that was no longer the last, and the chain would fork.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgresql_appends_at_once_from_two_servers_keep_every_chain_whole() {
    let t = TestDb::new(Engine::Postgres);
    let servers = [t.db().clone(), t.other_handle()];
    let (tasks, each) = (12usize, 25usize);
    let mut running = Vec::new();
    for task in 0..tasks {
        let db = servers[task % 2].clone();
        running.push(tokio::spawn(async move {
            for i in 0..each {
                append(&db, event(&format!("burst-{task}-{i}"), &[]))
                    .await
                    .unwrap();
            }
        }));
    }
    for r in running {
        r.await.unwrap();
    }
    match verify(t.db(), keys()).await {
        VerifyOutcome::Intact { entries, .. } => assert_eq!(entries as usize, tasks * each),
        broken => panic!("appends at once broke the log: {broken:?}"),
    }
}

/// On PostgreSQL each server's group writer (reads and refusals) keeps a chain of its
/// own while its connection lives, apart from the chains transactions claim; when that
/// connection is gone, the next entries are still written (by claiming a chain) and the
/// log stays whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgresql_each_group_writer_keeps_a_chain_of_its_own() {
    let t = TestDb::new(Engine::Postgres);
    let servers = [t.db().clone(), t.other_handle()];
    for round in 0..3 {
        for (s, db) in servers.iter().enumerate() {
            db.audit(event(&format!("look-{s}-{round}"), &[]))
                .await
                .unwrap();
        }
    }
    append(t.db(), event("change", &[])).await.unwrap();
    let entries = all(t.db()).await;
    let chain_of = |a: &str| entries.iter().find(|e| e.action == a).unwrap().chain;
    let own = [chain_of("look-0-0"), chain_of("look-1-0")];
    assert_ne!(own[0], own[1], "two servers, two chains");
    for (s, chain) in own.iter().enumerate() {
        assert!(*chain >= audit::CHAINS, "a writer chain: {chain}");
        for round in 1..3 {
            assert_eq!(chain_of(&format!("look-{s}-{round}")), *chain);
        }
    }
    assert!(
        chain_of("change") < audit::CHAINS,
        "a change claims a chain"
    );
    assert!(matches!(
        verify(t.db(), keys()).await,
        VerifyOutcome::Intact { entries: 7, .. }
    ));

    // The first server's writer loses its connection (a restart, an administrator):
    // its next entry is written all the same, and the log still verifies.
    let chain = own[0];
    t.db()
        .write(move |c| {
            diesel::sql_query(format!(
                "SELECT pg_terminate_backend(pid) FROM pg_locks \
                 WHERE locktype = 'advisory' AND classid = 7513 AND objid = {chain}"
            ))
            .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    servers[0].audit(event("after-loss", &[])).await.unwrap();
    let entries = all(t.db()).await;
    let after = entries.iter().find(|e| e.action == "after-loss").unwrap();
    assert!(after.chain < audit::CHAINS, "written by claiming a chain");
    assert!(matches!(
        verify(t.db(), keys()).await,
        VerifyOutcome::Intact { entries: 8, .. }
    ));
}
