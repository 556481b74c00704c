//! The command line. Every command has `--help`; wrong arguments get a usage line from
//! clap (exit 2); failures print one sentence and exit 1, never a backtrace.

mod admin;
mod hsds;
mod stuur;

use admin::admin;
use hsds::{export_hsds, import_hsds};

use crate::app;
use crate::config::{self, Config, LogFormat, Overrides};
use crate::demo;
use clap::{Parser, Subcommand};
use rondom_db::audit::{self, VerifyOutcome};
use rondom_db::organisations::OrganisationInput;
use rondom_db::users;
use rondom_domain::passwords::check_new_password;
use rondom_domain::validate::{AgbCode, Email, GemeenteCode, Postcode, required_text};
use rondom_domain::{OrganisationKind, Role};
use std::io::BufRead;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "rondom",
    version,
    about = "Rondom: samenwerken rond het kind in de jeugdhulp.",
    after_help = after_help()
)]
struct Cli {
    /// TOML configuration file (also RONDOM_CONFIG).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<String>,
    /// Database URL, overriding the configuration (sqlite://FILE or postgres://…).
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

fn after_help() -> String {
    let mut s = String::from("Settings (environment variables):\n");
    for (k, v) in config::VARIABLES {
        s.push_str(&format!("  {k}\n      {v}\n"));
    }
    s
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (migrates the database first).
    Serve {
        /// Load the demo municipality into an empty database, and let demo accounts log in
        /// without a second factor (a DEMO banner shows on every page).
        #[arg(long)]
        demo: bool,
        /// Address to listen on, e.g. 127.0.0.1:8080 (also RONDOM_BIND).
        #[arg(long, value_name = "ADDR")]
        bind: Option<String>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Fill an empty database with the demo municipality "Gemeente Voorbeeld".
    Demo {
        /// Also add this many synthetic referrals (for load tests); the demo
        /// municipality is loaded first when the database is empty.
        #[arg(long, value_name = "N")]
        referrals: Option<usize>,
        /// Also add networks around this many children of earlier bulk referrals (for
        /// load tests).
        #[arg(long, value_name = "N")]
        networks: Option<usize>,
        /// With --networks: this many access-log entries about those children.
        #[arg(long, value_name = "N", default_value_t = 0)]
        log_entries: usize,
        /// With --networks: a long access log (10,000 entries) for the child of the
        /// family member with this e-mail address.
        #[arg(long, value_name = "EMAIL")]
        long_log_for: Option<String>,
        /// Add the region of ten municipalities with five years of work (stuurinformatie
        /// at scale; see docs/STUURINFORMATIE.md).
        #[arg(long)]
        region: bool,
        /// Add the messages benchmark's 4 networks of 5 people, each with a conversation,
        /// and print a line "bench <conversation id> <API token> <role>" per person.
        #[arg(long)]
        message_bench: bool,
    },
    /// Accounts, organisations and tokens.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Read organisations and services of the sociale kaart from a file.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Write the sociale kaart to a file.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Stuurinformatie: benchmarks from CBS, practices' list sizes, the facts' check.
    Stuur {
        #[command(subcommand)]
        command: stuur::StuurCommand,
    },
    /// Retention of youth-help files (Jeugdwet 7.3.8: 20 years from the end of help).
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// List the files past their term and the families' requests still waiting.
    Report,
    /// Remove the content of the files past their term (the fact of the removal is kept).
    /// Without --yes it only lists what it would remove.
    Apply {
        /// Remove for real.
        #[arg(long)]
        yes: bool,
    },
    /// Keep a child's file longer than the term, with the reason.
    Keep {
        /// The child's id.
        #[arg(long)]
        child: String,
        /// Keep until this day (yyyy-mm-dd).
        #[arg(long, value_name = "DATE")]
        until: String,
        /// Why (at least 10 characters).
        #[arg(long)]
        reason: String,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import Open Referral HSDS 3.0 JSON (one organisation or service, a list, or an
    /// HSDS page). Every record is checked first; nothing is written unless all are fine.
    Hsds {
        /// The JSON file.
        file: std::path::PathBuf,
        /// CBS code of the gemeente for organisations that name none (e.g. GM0363).
        #[arg(long, value_name = "GMxxxx")]
        gemeente: Option<String>,
        /// Who delivered the file. Records the import makes carry this name, and a later
        /// import replaces only records with the same name.
        #[arg(long, default_value = "hsds")]
        source: String,
        /// Also replace records that exist but came from elsewhere (made in Rondom, or
        /// another source); the changes are listed.
        #[arg(long)]
        update: bool,
        /// Check the file and list what would be created and changed; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Every organisation with its locations and services as a list of HSDS 3.0
    /// organisations (what `import hsds` reads back).
    Hsds {
        /// Write here instead of to standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an organisation.
    CreateOrganisation {
        #[arg(long)]
        name: String,
        /// huisartsenpraktijk, sociaal_team, gemeente, zorgaanbieder, school, jgz or platform
        #[arg(long)]
        kind: String,
        /// CBS municipality code, e.g. GM0363.
        #[arg(long)]
        gemeente_code: String,
        /// AGB code (8 digits); required for practices and providers.
        #[arg(long)]
        agb_code: Option<String>,
        #[arg(long)]
        street: String,
        #[arg(long)]
        house_number: String,
        #[arg(long)]
        postcode: String,
        #[arg(long)]
        city: String,
    },
    /// Create a user (or add a role to an existing one) in an organisation.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Organisation name, id or AGB code.
        #[arg(long)]
        organisation: String,
        /// beheerder, organisatiebeheerder, huisarts, poh, consulent, teamleider,
        /// beleidsmedewerker, zorgaanbieder_medewerker, school, jgz
        #[arg(long)]
        role: String,
        /// Read the password from the first line of standard input instead of printing a
        /// link to set it.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Print a one-time link (valid 1 hour) to set a new password; also e-mailed.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
    /// Print a new random installation key (base64), for RONDOM_SECRET_KEY.
    NewKey,
    /// Seal everything sealed under an earlier installation key again under the current
    /// one, while the servers keep running. First give every server the new key as
    /// RONDOM_SECRET_KEY and the old one as RONDOM_PREVIOUS_SECRET_KEYS (they then seal
    /// with the new key and open with both), then run this with the same settings; when
    /// it reports nothing left, remove the old key from the settings.
    RotateKey {
        /// Only count what would be sealed again.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print a new API token for a user, once.
    CreateToken {
        #[arg(long)]
        email: String,
        /// What the token is for.
        #[arg(long, default_value = "command line")]
        name: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the keyed hash chain, hold it against the signed checkpoints, and name
    /// the first broken entry (exit code 3).
    Verify {
        /// Files with checkpoint lines (a checkpoint file, or a log with them); default
        /// the configured RONDOM_AUDIT_CHECKPOINTS file. May be given more than once.
        #[arg(long = "checkpoints")]
        checkpoints: Vec<std::path::PathBuf>,
    },
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let overrides = Overrides {
        bind: match &cli.command {
            Command::Serve { bind, .. } => bind.clone(),
            _ => None,
        },
        database_url: cli.database_url.clone(),
        demo: matches!(cli.command, Command::Serve { demo: true, .. }),
    };
    let config = match config::load(cli.config.as_deref(), &overrides) {
        Ok(c) => c,
        Err(e) => return fail(&format!("configuration: {e}")),
    };
    init_tracing(config.log_format);
    match run(cli.command, &config) {
        Ok(code) => code,
        Err(e) => fail(&e),
    }
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("rondom: {msg}");
    ExitCode::FAILURE
}

fn init_tracing(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("RONDOM_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))
}

fn run(command: Command, config: &Config) -> Result<ExitCode, String> {
    match command {
        Command::Serve {
            demo: with_demo, ..
        } => serve(config, with_demo),
        Command::Migrate => {
            let db = app::connect(config)?;
            let n = app::migrate(&db)?;
            println!(
                "{n} migration(s) applied to the {} database.",
                db.backend().name()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            referrals,
            networks,
            log_entries,
            long_log_for,
            message_bench,
            region,
        } => {
            let db = app::connect(config)?;
            app::migrate(&db)?;
            let loaded = demo::load(&db, &config.secret_key)?;
            if let Some(s) = &loaded {
                print_demo(s, None);
            }
            if message_bench {
                for (conversation, token, role) in
                    demo::messages_bench::add(&db, &config.secret_key)?
                {
                    println!("bench {conversation} {token} {role}");
                }
                return Ok(ExitCode::SUCCESS);
            }
            if region {
                let t = std::time::Instant::now();
                let r = demo::region::load(&db, &config.secret_key)?;
                println!(
                    "Region added in {:.1} s: {} municipalities, {} practices, {} providers, {} referrals, {} consultations.",
                    t.elapsed().as_secs_f64(),
                    r.municipalities,
                    r.practices,
                    r.providers,
                    r.referrals,
                    r.consultations
                );
                for (role, email, org) in &r.logins {
                    println!(
                        "  {role}: {email} ({org}), password {}",
                        demo::DEMO_PASSWORD
                    );
                }
                return Ok(ExitCode::SUCCESS);
            }
            if referrals.is_none() && networks.is_none() && loaded.is_none() {
                return Err("the database already holds organisations; the demo is only loaded into an empty database".into());
            }
            if let Some(n) = referrals {
                let t = std::time::Instant::now();
                demo::add_referrals(&db, &config.secret_key, n)?;
                println!("{n} referrals added in {:.1} s.", t.elapsed().as_secs_f64());
            }
            if let Some(n) = networks {
                let t = std::time::Instant::now();
                let (added, logged) = demo::add_networks(
                    &db,
                    &config.secret_key,
                    n,
                    log_entries,
                    long_log_for.as_deref(),
                )?;
                println!(
                    "{added} networks and {logged} access-log entries added in {:.1} s.",
                    t.elapsed().as_secs_f64()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Admin { command } => {
            let db = app::connect(config)?;
            app::migrate(&db)?;
            admin(command, &db, config)
        }
        Command::Import {
            command:
                ImportCommand::Hsds {
                    file,
                    gemeente,
                    source,
                    update,
                    dry_run,
                },
        } => {
            let db = app::connect(config)?;
            app::migrate(&db)?;
            let source = source.trim().to_owned();
            if source.is_empty()
                || source.chars().count() > 100
                || source.chars().any(char::is_control)
            {
                return Err("--source must name the source in at most 100 characters".into());
            }
            let opts = rondom_app::directory::hsds::import::Options {
                source,
                update,
                dry_run,
            };
            import_hsds(&db, &file, gemeente, &opts)
        }
        Command::Export {
            command: ExportCommand::Hsds { output },
        } => {
            let db = app::connect(config)?;
            app::migrate(&db)?;
            export_hsds(&db, output)
        }
        Command::Audit {
            command: AuditCommand::Verify { checkpoints },
        } => verify_audit(config, checkpoints),
        Command::Retention { command } => {
            let db = app::connect(config)?;
            app::migrate(&db)?;
            retention(command, &db, config)
        }
        Command::Stuur { command } => {
            let db = app::connect(config)?;
            app::migrate(&db)?;
            stuur::stuur(command, &db)
        }
    }
}

fn retention(
    command: RetentionCommand,
    db: &rondom_db::Db,
    config: &Config,
) -> Result<ExitCode, String> {
    use rondom_app::retention as r;
    let today = rondom_app::dates::today();
    match command {
        RetentionCommand::Report | RetentionCommand::Apply { yes: false } => {
            let report = r::report(db, today).map_err(|e| e.to_string())?;
            println!(
                "{} file(s) past their term ({} years from the end of help):",
                report.due.len(),
                r::YEARS
            );
            for d in &report.due {
                println!(
                    "  child {}  help ended {}  term ended {}",
                    d.child_id, d.help_ended_on, d.term_ends_on
                );
            }
            println!(
                "{} request(s) for destruction waiting:",
                report.requests.len()
            );
            for q in &report.requests {
                println!(
                    "  request {}  child {}  network {}  asked {}{}",
                    q.id,
                    q.child_id,
                    q.network_id,
                    q.requested_on,
                    if q.late {
                        "  (past the three months)"
                    } else {
                        ""
                    }
                );
            }
            if matches!(command, RetentionCommand::Apply { .. }) && !report.due.is_empty() {
                println!(
                    "Nothing was removed. Run `rondom retention apply --yes` to remove these files' content."
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        RetentionCommand::Apply { yes: true } => {
            let (secrets, _) = app::keys(config, db)?;
            let removed = r::apply(db, &secrets, today)?;
            for (child, summary) in &removed {
                println!("  child {child}: removed {summary}");
            }
            println!(
                "{} file(s) removed; the removal of each is recorded.",
                removed.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        RetentionCommand::Keep {
            child,
            until,
            reason,
        } => {
            let until = rondom_app::dates::parse_iso(until.trim())
                .ok_or("--until must be a date yyyy-mm-dd")?;
            r::keep_longer(db, &child, until, &reason)?;
            println!("The file of child {child} is kept until {until}.");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn verify_audit(config: &Config, files: Vec<std::path::PathBuf>) -> Result<ExitCode, String> {
    let db = app::connect(config)?;
    let keys = db.audit_keys().ok_or("the audit log's key is not set")?;
    let files = if files.is_empty() {
        config
            .audit_checkpoints
            .iter()
            .filter(|f| f.exists())
            .cloned()
            .collect()
    } else {
        files
    };
    let read = crate::checkpoints::read(&files, &keys)?;
    for line in &read.unsigned {
        println!("warning: not trusted, ignored: {line}");
    }
    let mut conn = db.get().map_err(|e| e.to_string())?;
    match audit::verify(&mut conn, &keys, &read.checkpoints).map_err(|e| e.to_string())? {
        VerifyOutcome::Intact {
            entries,
            checkpoints,
            latest_checkpoint,
        } => {
            println!("audit log intact: {entries} entries verified");
            match latest_checkpoint {
                Some(seq) => println!(
                    "{checkpoints} checkpoints agree; the latest vouches for the first {seq} entries"
                ),
                None => println!(
                    "warning: no checkpoints were given, so entries removed from the end of the log would not show (see RONDOM_AUDIT_CHECKPOINTS)"
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        VerifyOutcome::Broken { seq, problem } => {
            println!("audit log BROKEN at entry {seq}: {problem}");
            Ok(ExitCode::from(3))
        }
    }
}

fn print_demo(s: &demo::DemoSummary, url: Option<&str>) {
    println!(
        "Demo municipality \"Gemeente Voorbeeld\" loaded: {} organisations, {} people, {} services.",
        s.organisations, s.users, s.services
    );
    if let Some(u) = url {
        println!("Open {u}");
    }
    println!("Demo logins (password for all: {}):", demo::DEMO_PASSWORD);
    for l in &s.logins {
        println!("  {:<20} {:<55} {}", l.role, l.email, l.organisation);
    }
}

fn serve(config: &Config, with_demo: bool) -> Result<ExitCode, String> {
    let started = std::time::Instant::now();
    let rt = runtime()?;
    rt.block_on(async {
        let metrics = metrics_exporter_prometheus::PrometheusBuilder::new()
            .install_recorder()
            .map_err(|e| format!("metrics: {e}"))?;
        let cfg = config.clone();
        let (db, summary) = tokio::task::spawn_blocking(move || {
            let db = app::connect(&cfg)?;
            app::migrate(&db)?;
            let summary = if with_demo {
                demo::load(&db, &cfg.secret_key)?
            } else {
                None
            };
            Ok::<_, String>((db, summary))
        })
        .await
        .map_err(|e| e.to_string())??;
        let backend = db.backend().name();
        let running = app::start_with_db(config, db, Some(metrics)).await?;
        let url = running.state.settings.base_url.clone();
        tracing::info!(
            address = %running.addr,
            database = backend,
            ready_ms = started.elapsed().as_millis() as u64,
            "Rondom is ready"
        );
        match &summary {
            Some(s) => print_demo(s, Some(&url)),
            None if with_demo => {
                println!("Rondom draait op {url} (demo-modus; de database had al gegevens, demo-accounts: wachtwoord {}).", demo::DEMO_PASSWORD)
            }
            None => println!("Rondom draait op {url}"),
        }
        shutdown_signal().await;
        tracing::info!("shutting down");
        running
            .drain_and_stop(config.shutdown_drain, config.shutdown_deadline)
            .await;
        tracing::info!("stopped");
        Ok(ExitCode::SUCCESS)
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
