//! A fresh, migrated database per test on either engine (a SQLite file in a temporary
//! folder, or a PostgreSQL database of its own, dropped again at the end), and small
//! builders for the rows most contracts start from.

use diesel::Connection;
use diesel::connection::SimpleConnection;
use rondom_db::organisations::{Organisation, OrganisationInput};
use rondom_db::{Db, DbError};
use rondom_domain::OrganisationKind;
use rondom_domain::audit::AuditKeys;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The audit keys of every contract database (any fixed 32 bytes will do).
pub fn keys() -> AuditKeys {
    AuditKeys::derive(&[7u8; 32])
}

pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh database, migrated, with a handle that holds the audit keys; the PostgreSQL
/// database is dropped when the value goes.
pub struct TestDb {
    pub engine: Engine,
    pub url: String,
    /// How many migrations the first run applied.
    pub migrations_applied: usize,
    db: Option<Db>,
    pg_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub fn new(engine: Engine) -> Self {
        let (url, pg_name, dir) = match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("rondom.db").display());
                (url, None, Some(dir))
            }
            Engine::Postgres => {
                let name = format!("rondom_contract_{}", uuid::Uuid::new_v4().simple());
                let admin = postgres_admin_url();
                let mut c = diesel::PgConnection::establish(&admin).unwrap_or_else(|e| {
                    panic!("PostgreSQL at {admin} is needed for the contract tests: {e}")
                });
                c.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
                let base = admin.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap();
                (format!("{base}/{name}"), Some(name), None)
            }
        };
        let db = Db::connect(&url, 4).unwrap().with_audit_keys(keys());
        let migrations_applied = db.migrate_blocking().unwrap();
        Self {
            engine,
            url,
            migrations_applied,
            db: Some(db),
            pg_name,
            _dir: dir,
        }
    }

    /// The handle (with audit keys).
    pub fn db(&self) -> &Db {
        self.db.as_ref().unwrap()
    }

    /// A second handle on the same database, as another process would have.
    pub fn other_handle(&self) -> Db {
        Db::connect(&self.url, 2).unwrap().with_audit_keys(keys())
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // The pool first, so that its connections are gone before the database is.
        drop(self.db.take());
        if let Some(name) = self.pg_name.take() {
            let admin = postgres_admin_url();
            // A plain thread: Drop may run inside the async runtime.
            let _ = std::thread::spawn(move || {
                if let Ok(mut c) = diesel::PgConnection::establish(&admin) {
                    let _ =
                        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            })
            .join();
        }
    }
}

/// Input for an organisation in municipality GM9999.
pub fn org_input(name: &str, kind: OrganisationKind, agb: Option<&str>) -> OrganisationInput {
    OrganisationInput {
        name: name.into(),
        kind,
        agb_code: agb.map(str::to_owned),
        gemeente_code: "GM9999".into(),
        wijk_code: None,
        street: "Kerkstraat".into(),
        house_number: "1".into(),
        postcode: "9999 ZZ".into(),
        city: "Voorbeeld".into(),
        phone: Some("0500-123456".into()),
        email: Some("info@voorbeeld.example".into()),
    }
}

pub async fn org(db: &Db, name: &str, kind: OrganisationKind) -> Organisation {
    let input = org_input(name, kind, None);
    db.write(move |c| rondom_db::organisations::create(c, &input))
        .await
        .unwrap()
}

/// A professional account (no family role); its id.
pub async fn user(db: &Db, email: &str, name: &str) -> String {
    let (email, name) = (email.to_owned(), name.to_owned());
    db.write(move |c| {
        rondom_db::users::create(
            c,
            &rondom_db::users::NewUser {
                email: &email,
                name: &name,
                password_hash: Some("hash-1"),
                family_role: None,
                is_demo: false,
            },
        )
        .map(String::from)
    })
    .await
    .unwrap()
}

/// A user who is a member of `org` with `role`; the user's id.
pub async fn member(db: &Db, org: &str, email: &str, name: &str, role: &str) -> String {
    let id = user(db, email, name).await;
    let (uid, org, role) = (id.clone(), org.to_owned(), role.to_owned());
    db.write(move |c| rondom_db::organisations::add_membership(c, &uid, &org, &role))
        .await
        .unwrap();
    id
}

pub fn is_conflict<T: std::fmt::Debug>(r: &Result<T, DbError>) -> bool {
    matches!(r, Err(DbError::Conflict(_)))
}

/// Polls `probe` until it answers true or the deadline passes; whether it did.
pub async fn eventually(within: Duration, mut probe: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + within;
    loop {
        if probe() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A day written as yyyy-mm-dd.
pub fn day(iso: &str) -> chrono::NaiveDate {
    chrono::NaiveDate::parse_from_str(iso, "%Y-%m-%d").unwrap()
}
