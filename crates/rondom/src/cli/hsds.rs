//! `rondom import hsds` and `rondom export hsds`.

use super::*;

pub(super) fn import_hsds(
    db: &rondom_db::Db,
    file: &std::path::Path,
    gemeente: Option<String>,
    opts: &rondom_app::directory::hsds::import::Options,
) -> Result<ExitCode, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let doc: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not valid JSON: {e}", file.display()))?;
    if let Some(g) = &gemeente {
        GemeenteCode::parse(g).map_err(|e| format!("--gemeente: {}", e.message))?;
    }
    let today = chrono::Utc::now().date_naive();
    let started = std::time::Instant::now();
    let outcome = runtime()?
        .block_on(rondom_app::directory::hsds::import::import(
            db,
            &doc,
            gemeente.as_deref(),
            today,
            None,
            &file.display().to_string(),
            opts,
        ))
        .map_err(|e| format!("the import failed, nothing was imported: {e}"))?;
    match outcome {
        Ok(s) => {
            for w in &s.warnings {
                eprintln!("waarschuwing: {w}");
            }
            for c in &s.changes {
                println!(
                    "{} {c}",
                    if s.written {
                        "gewijzigd:"
                    } else {
                        "zou wijzigen:"
                    }
                );
            }
            if !s.written {
                println!(
                    "dry run: {} organisations, {} locations and {} services checked; nothing was written",
                    s.organisations, s.locations, s.services
                );
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "imported {} organisations, {} locations and {} services in {:.2} s{}",
                s.organisations,
                s.locations,
                s.services,
                started.elapsed().as_secs_f64(),
                if s.skipped > 0 {
                    format!(" ({} services skipped: not active)", s.skipped)
                } else {
                    String::new()
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            for e in &errors {
                eprintln!("{e}");
            }
            Err(format!(
                "{} problem(s) in {}; nothing was imported",
                errors.len(),
                file.display()
            ))
        }
    }
}

pub(super) fn export_hsds(
    db: &rondom_db::Db,
    output: Option<std::path::PathBuf>,
) -> Result<ExitCode, String> {
    let mut conn = db.get().map_err(|e| e.to_string())?;
    let list = rondom_app::directory::hsds::Snapshot::load(&mut conn, None)
        .map(|s| s.organizations_full())
        .map_err(|e| e.to_string())?;
    let text = serde_json::to_string_pretty(&list).map_err(|e| e.to_string())?;
    match output {
        Some(path) => {
            std::fs::write(&path, text + "\n")
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            eprintln!("{} organisations written to {}", list.len(), path.display());
        }
        None => println!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
