//! Configuration: built-in defaults, then an optional TOML file, then `RONDOM_*`
//! environment variables, then command-line flags. Every bad value stops start-up with
//! one sentence naming the setting.

use rondom_app::mail::{SmtpSettings, SmtpTls};
use rondom_app::secrets::Secret;
use rondom_web::settings::{MetricsToken, Settings};
use serde::Deserialize;
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub database_url: String,
    pub db_max_connections: u32,
    pub log_format: LogFormat,
    /// Where signed checkpoints of the audit chain are appended (also logged).
    pub audit_checkpoints: Option<std::path::PathBuf>,
    /// How often a checkpoint is written while the log grows.
    pub audit_checkpoint_every: Duration,
    /// How long start-up waits for a database that is not reachable yet.
    pub db_wait: Duration,
    pub sqlite_synchronous: rondom_db::connection::Synchronous,
    /// On SIGTERM: how long `/readyz` says 503 before the server stops taking requests
    /// (so a load balancer drains it), and how long requests in flight may then take.
    pub shutdown_drain: Duration,
    pub shutdown_deadline: Duration,
    /// 32 bytes (base64) that encrypt secrets at rest. Every server of one installation
    /// needs the same key. Only the use cases' services get it, never web.
    pub secret_key: Secret,
    /// Earlier installation keys: they only open what they sealed, until
    /// `rondom admin rotate-key` has sealed it again under `secret_key`.
    pub previous_keys: Vec<Secret>,
    /// Outgoing mail (none: mail is only logged, for development).
    pub smtp: Option<SmtpSettings>,
    /// Every shared document goes through this command first (see `rondom_app::scan`).
    pub scan_command: Option<String>,
    pub web: Settings,
}

/// The file and the environment use the same names (file: `session_idle_minutes`,
/// environment: `RONDOM_SESSION_IDLE_MINUTES`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    bind: Option<String>,
    database_url: Option<String>,
    db_max_connections: Option<u32>,
    base_url: Option<String>,
    session_idle_minutes: Option<u64>,
    session_absolute_hours: Option<u64>,
    smtp_host: Option<String>,
    smtp_port: Option<u16>,
    smtp_tls: Option<String>,
    smtp_username: Option<String>,
    smtp_password: Option<String>,
    smtp_from: Option<String>,
    log_format: Option<String>,
    trust_proxy_headers: Option<bool>,
    max_body_bytes: Option<usize>,
    secret_key: Option<String>,
    metrics_token: Option<String>,
    audit_checkpoints: Option<String>,
    audit_checkpoint_seconds: Option<u64>,
    db_wait_seconds: Option<u64>,
    sqlite_synchronous: Option<String>,
    shutdown_drain_seconds: Option<u64>,
    shutdown_deadline_seconds: Option<u64>,
    scan_command: Option<String>,
    previous_secret_keys: Option<String>,
}

/// The settings, their environment variables and what they mean (for `--help` and the
/// README).
pub const VARIABLES: &[(&str, &str)] = &[
    (
        "RONDOM_CONFIG",
        "path of a TOML file with the settings below (lower-case names without the prefix)",
    ),
    (
        "RONDOM_BIND",
        "address to listen on (default 127.0.0.1:8080)",
    ),
    (
        "RONDOM_DATABASE_URL / DATABASE_URL",
        "sqlite://rondom.db (default) or postgres://user@host/db",
    ),
    (
        "RONDOM_DB_MAX_CONNECTIONS",
        "database pool size (default 8)",
    ),
    (
        "RONDOM_BASE_URL",
        "public URL, used in e-mailed links; https enables Secure cookies and HSTS (default http://<bind>)",
    ),
    (
        "RONDOM_SESSION_IDLE_MINUTES",
        "log out after this much inactivity (default 30)",
    ),
    (
        "RONDOM_SESSION_ABSOLUTE_HOURS",
        "log out after this long in any case (default 12)",
    ),
    (
        "RONDOM_SMTP_HOST",
        "mail server; without it e-mail is only logged",
    ),
    (
        "RONDOM_SMTP_PORT",
        "mail server port (default 587, or 465 with tls, 25 with none)",
    ),
    ("RONDOM_SMTP_TLS", "starttls (default), tls or none"),
    (
        "RONDOM_SMTP_USERNAME / RONDOM_SMTP_PASSWORD",
        "mail server login",
    ),
    (
        "RONDOM_SMTP_FROM",
        "sender address (default Rondom <noreply@localhost>)",
    ),
    ("RONDOM_LOG_FORMAT", "text (default) or json"),
    (
        "RONDOM_TRUST_PROXY_HEADERS",
        "true behind a reverse proxy that sets X-Forwarded-For (default false)",
    ),
    (
        "RONDOM_MAX_BODY_BYTES",
        "largest request body (default 1048576)",
    ),
    (
        "RONDOM_METRICS_TOKEN",
        "bearer token for /metrics; without it only clients on this machine get metrics",
    ),
    (
        "RONDOM_AUDIT_CHECKPOINTS",
        "file that signed checkpoints of the audit chain are appended to, for `audit verify` (default FILE.audit-checkpoints next to a SQLite database; with PostgreSQL only logged unless set)",
    ),
    (
        "RONDOM_AUDIT_CHECKPOINT_SECONDS",
        "seconds between checkpoints while the audit log grows (default 10)",
    ),
    (
        "RONDOM_DB_WAIT_SECONDS",
        "how long start-up waits for a database that is not reachable yet (default 30); a wrong address or password stops at once",
    ),
    (
        "RONDOM_SQLITE_SYNCHRONOUS",
        "full (default: a commit is on disk before it is acknowledged) or normal (faster; a power loss may take back the last commits)",
    ),
    (
        "RONDOM_SHUTDOWN_DRAIN_SECONDS",
        "on SIGTERM, how long /readyz answers 503 before the server stops taking requests (default 2)",
    ),
    (
        "RONDOM_SHUTDOWN_DEADLINE_SECONDS",
        "then, how long requests in flight may take before the server stops anyway (default 30)",
    ),
    (
        "RONDOM_PREVIOUS_SECRET_KEYS",
        "while the installation key is changed: the key(s) being replaced, comma-separated; they only open what they sealed until `rondom admin rotate-key` has sealed it again under RONDOM_SECRET_KEY (default none)",
    ),
    (
        "RONDOM_SCAN_COMMAND",
        "virus scanner for shared documents, run with sh -c and the file on standard input; exit 0 clean, 1 virus found, else the file is refused as not checked (e.g. \"clamdscan --no-summary -\"; default none)",
    ),
    (
        "RONDOM_SECRET_KEY",
        "32 random bytes, base64, that encrypt secrets at rest; required with PostgreSQL (all servers share it); with SQLite a key file FILE.key is made next to the database when unset",
    ),
];

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn env_parse<T: std::str::FromStr>(name: &str, what: &str) -> Result<Option<T>, String> {
    match env(name) {
        None => Ok(None),
        Some(v) => v
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| format!("{name} must be {what} (got \"{v}\")")),
    }
}

impl Raw {
    fn from_file(path: &str) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the configuration file {path}: {e}"))?;
        toml::from_str(&text).map_err(|e| {
            format!(
                "the configuration file {path} is not valid: {}",
                e.message()
            )
        })
    }

    fn overlay_env(mut self) -> Result<Self, String> {
        macro_rules! s {
            ($field:ident, $name:expr) => {
                if let Some(v) = env($name) {
                    self.$field = Some(v);
                }
            };
        }
        s!(bind, "RONDOM_BIND");
        if let Some(v) = env("RONDOM_DATABASE_URL").or_else(|| env("DATABASE_URL")) {
            self.database_url = Some(v);
        }
        s!(base_url, "RONDOM_BASE_URL");
        s!(smtp_host, "RONDOM_SMTP_HOST");
        s!(smtp_tls, "RONDOM_SMTP_TLS");
        s!(smtp_username, "RONDOM_SMTP_USERNAME");
        s!(smtp_password, "RONDOM_SMTP_PASSWORD");
        s!(smtp_from, "RONDOM_SMTP_FROM");
        s!(log_format, "RONDOM_LOG_FORMAT");
        s!(secret_key, "RONDOM_SECRET_KEY");
        s!(metrics_token, "RONDOM_METRICS_TOKEN");
        s!(audit_checkpoints, "RONDOM_AUDIT_CHECKPOINTS");
        s!(sqlite_synchronous, "RONDOM_SQLITE_SYNCHRONOUS");
        s!(scan_command, "RONDOM_SCAN_COMMAND");
        s!(previous_secret_keys, "RONDOM_PREVIOUS_SECRET_KEYS");
        macro_rules! n {
            ($field:ident, $name:expr, $what:expr) => {
                if let Some(v) = env_parse($name, $what)? {
                    self.$field = Some(v);
                }
            };
        }
        n!(
            db_max_connections,
            "RONDOM_DB_MAX_CONNECTIONS",
            "a whole number"
        );
        n!(
            session_idle_minutes,
            "RONDOM_SESSION_IDLE_MINUTES",
            "a whole number of minutes"
        );
        n!(
            session_absolute_hours,
            "RONDOM_SESSION_ABSOLUTE_HOURS",
            "a whole number of hours"
        );
        n!(smtp_port, "RONDOM_SMTP_PORT", "a port number");
        n!(
            trust_proxy_headers,
            "RONDOM_TRUST_PROXY_HEADERS",
            "true or false"
        );
        n!(
            max_body_bytes,
            "RONDOM_MAX_BODY_BYTES",
            "a whole number of bytes"
        );
        n!(
            audit_checkpoint_seconds,
            "RONDOM_AUDIT_CHECKPOINT_SECONDS",
            "a whole number of seconds"
        );
        n!(
            db_wait_seconds,
            "RONDOM_DB_WAIT_SECONDS",
            "a whole number of seconds"
        );
        n!(
            shutdown_drain_seconds,
            "RONDOM_SHUTDOWN_DRAIN_SECONDS",
            "a whole number of seconds"
        );
        n!(
            shutdown_deadline_seconds,
            "RONDOM_SHUTDOWN_DEADLINE_SECONDS",
            "a whole number of seconds"
        );
        Ok(self)
    }
}

/// Flags that override everything else.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub bind: Option<String>,
    pub database_url: Option<String>,
    pub demo: bool,
}

pub fn load(file: Option<&str>, o: &Overrides) -> Result<Config, String> {
    let file = file.map(str::to_owned).or_else(|| env("RONDOM_CONFIG"));
    let mut raw = match &file {
        Some(path) => Raw::from_file(path)?,
        None => Raw::default(),
    }
    .overlay_env()?;
    if let Some(b) = &o.bind {
        raw.bind = Some(b.clone());
    }
    if let Some(d) = &o.database_url {
        raw.database_url = Some(d.clone());
    }

    let bind_text = raw.bind.unwrap_or_else(|| "127.0.0.1:8080".into());
    let bind: SocketAddr = bind_text.parse().map_err(|_| {
        format!(
            "the bind address \"{bind_text}\" is not an address with a port, like 127.0.0.1:8080"
        )
    })?;
    let database_url = raw
        .database_url
        .unwrap_or_else(|| "sqlite://rondom.db".into());
    rondom_db::connection::Target::parse(&database_url)?;
    let base_url = raw
        .base_url
        .unwrap_or_else(|| format!("http://{bind}"))
        .trim_end_matches('/')
        .to_owned();
    let valid_base = (base_url.starts_with("http://") || base_url.starts_with("https://"))
        && base_url
            .split("://")
            .nth(1)
            .is_some_and(|h| !h.is_empty() && !h.contains(' '));
    if !valid_base {
        return Err(format!(
            "the base URL \"{base_url}\" must start with http:// or https:// and name a host"
        ));
    }
    let idle = raw.session_idle_minutes.unwrap_or(30);
    let absolute = raw.session_absolute_hours.unwrap_or(12);
    if idle == 0 || idle > 24 * 60 {
        return Err("the session idle time must be between 1 and 1440 minutes".into());
    }
    if absolute == 0 || absolute > 24 * 7 {
        return Err("the absolute session time must be between 1 and 168 hours".into());
    }
    let log_format = match raw.log_format.as_deref().unwrap_or("text") {
        "text" => LogFormat::Text,
        "json" => LogFormat::Json,
        other => {
            return Err(format!(
                "the log format must be text or json (got \"{other}\")"
            ));
        }
    };
    let smtp = match raw.smtp_host {
        None => None,
        Some(host) => {
            let tls = match raw.smtp_tls.as_deref().unwrap_or("starttls") {
                "starttls" => SmtpTls::Starttls,
                "tls" => SmtpTls::Tls,
                "none" => SmtpTls::None,
                other => {
                    return Err(format!(
                        "SMTP TLS must be starttls, tls or none (got \"{other}\")"
                    ));
                }
            };
            let port = raw.smtp_port.unwrap_or(match tls {
                SmtpTls::Starttls => 587,
                SmtpTls::Tls => 465,
                SmtpTls::None => 25,
            });
            Some(SmtpSettings {
                host,
                port,
                tls,
                username: raw.smtp_username,
                password: raw.smtp_password.map(Secret),
                from: raw
                    .smtp_from
                    .unwrap_or_else(|| "Rondom <noreply@localhost>".into()),
            })
        }
    };
    let secret_key = match raw.secret_key {
        Some(k) => {
            rondom_app::secrets::parse_key(&k).map_err(|e| format!("RONDOM_SECRET_KEY: {e}"))?;
            k
        }
        None => match rondom_db::connection::Target::parse(&database_url)? {
            rondom_db::connection::Target::Sqlite(path) => key_file(&format!("{path}.key"))?,
            rondom_db::connection::Target::Postgres(_) => {
                return Err(
                    "set RONDOM_SECRET_KEY (32 random bytes, base64, the same on every server) when using PostgreSQL"
                        .into(),
                );
            }
        },
    };
    let previous_keys = raw
        .previous_secret_keys
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(|k| {
            rondom_app::secrets::parse_key(k)
                .map(|_| Secret(k.to_owned()))
                .map_err(|e| format!("RONDOM_PREVIOUS_SECRET_KEYS: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let audit_checkpoints = match (
        raw.audit_checkpoints,
        rondom_db::connection::Target::parse(&database_url)?,
    ) {
        (Some(f), _) => Some(std::path::PathBuf::from(f)),
        (None, rondom_db::connection::Target::Sqlite(path)) => Some(std::path::PathBuf::from(
            format!("{path}.audit-checkpoints"),
        )),
        (None, rondom_db::connection::Target::Postgres(_)) => None,
    };
    let checkpoint_secs = raw.audit_checkpoint_seconds.unwrap_or(10);
    if !(1..=3600).contains(&checkpoint_secs) {
        return Err("the audit checkpoint interval must be between 1 and 3600 seconds".into());
    }
    let sqlite_synchronous = match raw.sqlite_synchronous.as_deref().unwrap_or("full") {
        "full" => rondom_db::connection::Synchronous::Full,
        "normal" => rondom_db::connection::Synchronous::Normal,
        other => {
            return Err(format!(
                "SQLite synchronous must be full or normal (got \"{other}\")"
            ));
        }
    };
    let db_wait = raw.db_wait_seconds.unwrap_or(30);
    let drain = raw.shutdown_drain_seconds.unwrap_or(2);
    let deadline = raw.shutdown_deadline_seconds.unwrap_or(30);
    if db_wait > 3600 || drain > 600 || deadline > 3600 {
        return Err("the database wait, drain and shutdown times must be at most an hour (drain: ten minutes)".into());
    }
    let max_body_bytes = raw.max_body_bytes.unwrap_or(1024 * 1024);
    if max_body_bytes < 1024 {
        return Err("the largest request body must be at least 1024 bytes".into());
    }
    Ok(Config {
        bind,
        database_url,
        db_max_connections: raw.db_max_connections.unwrap_or(8).clamp(1, 200),
        log_format,
        audit_checkpoints,
        audit_checkpoint_every: Duration::from_secs(checkpoint_secs),
        db_wait: Duration::from_secs(db_wait),
        sqlite_synchronous,
        shutdown_drain: Duration::from_secs(drain),
        shutdown_deadline: Duration::from_secs(deadline),
        web: Settings {
            base_url,
            session_idle: Duration::from_secs(idle * 60),
            session_absolute: Duration::from_secs(absolute * 3600),
            demo_mode: o.demo,
            trust_proxy_headers: raw.trust_proxy_headers.unwrap_or(false),
            max_body_bytes,
            request_timeout: Duration::from_secs(30),
            metrics_token: raw.metrics_token.map(MetricsToken),
        },
        secret_key: Secret(secret_key),
        previous_keys,
        smtp,
        scan_command: raw.scan_command.filter(|c| !c.trim().is_empty()),
    })
}

/// The key of a single-machine (SQLite) installation, kept next to its database and
/// readable by its owner only; made on first use.
fn key_file(path: &str) -> Result<String, String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::read_to_string(path) {
        Ok(k) => {
            rondom_app::secrets::parse_key(&k).map_err(|e| format!("the key file {path}: {e}"))?;
            Ok(k.trim().to_owned())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = rondom_app::secrets::new_key();
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| format!("cannot create the key file {path}: {e}"))?;
            f.write_all(key.as_bytes())
                .map_err(|e| format!("cannot write the key file {path}: {e}"))?;
            Ok(key)
        }
        Err(e) => Err(format!("cannot read the key file {path}: {e}")),
    }
}

/// A database URL fit for messages: the password replaced by stars.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let cred = &url[s + 3..at];
            match cred.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_redacted_from_urls() {
        assert_eq!(
            redact("postgres://app:geheim@db/rondom"),
            "postgres://app:***@db/rondom"
        );
        assert_eq!(
            redact("postgres://app@db/rondom"),
            "postgres://app@db/rondom"
        );
        assert_eq!(redact("sqlite://rondom.db"), "sqlite://rondom.db");
    }

    #[test]
    fn a_file_with_an_unknown_setting_is_refused() {
        let e = toml::from_str::<Raw>("bnid = \"x\"").err();
        assert!(e.is_some());
        let ok = toml::from_str::<Raw>("bind = \"127.0.0.1:9000\"\nsession_idle_minutes = 15").ok();
        assert_eq!(ok.and_then(|r| r.session_idle_minutes), Some(15));
    }
}
