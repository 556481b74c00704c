//! The same schema on SQLite and PostgreSQL, and the bundled SQLite's build and files.

use crate::common::*;
use diesel::prelude::*;

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
    const DAYS: [(&str, &str); 24] = [
        ("children", "birth_date"),
        ("consent_answers", "answered_on"),
        ("consultations", "due_on"),
        ("hour_exceptions", "on_date"),
        ("locations", "last_checked_on"),
        ("organisations", "last_checked_on"),
        ("plan_actions", "due_on"),
        ("plan_actions", "reminded_on"),
        ("plans", "evaluation_on"),
        ("plans", "next_due_on"),
        ("referral_agreements", "effective_from"),
        ("referral_facts", "accepted_on"),
        ("referral_facts", "ended_on"),
        ("referral_facts", "sent_on"),
        ("referral_facts", "started_on"),
        ("referrals", "accepted_on"),
        ("referrals", "due_on"),
        ("retention_terms", "keep_until"),
        ("services", "contract_from"),
        ("services", "contract_until"),
        ("services", "last_checked_on"),
        ("services", "wait_reported_on"),
        ("teams", "last_checked_on"),
        ("users", "last_checked_on"),
    ];
    const ROWIDS: [(&str, &str); 1] = [("network_events", "id")];
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
            // SQLite's AUTOINCREMENT is only allowed on INTEGER PRIMARY KEY, the 64-bit
            // rowid itself: PostgreSQL's BIGSERIAL. Exactly these columns are such ids.
            if c.data_type.eq_ignore_ascii_case("integer")
                && ROWIDS.contains(&(c.table_name.as_str(), c.column_name.as_str()))
            {
                c.data_type = "bigint".into();
            }
            c
        })
        .collect();
    let (a, b) = (norm(tables), norm(pg_cols));
    assert!(a.len() > 50, "the schema has its tables");
    assert_eq!(a, b, "SQLite and PostgreSQL schemas differ");
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
