//! `rondom stuur`: the benchmarks from a CBS StatLine download, the youth on the
//! practices' lists, and the check that the kept facts equal a full recompute.

use super::*;
use rondom_db::stuur::{self as facts, Scope};
use rondom_domain::stuur::{StatlineSpec, statline};

#[derive(Subcommand)]
pub(super) enum StuurCommand {
    /// Read national (or regional) figures from a CBS StatLine CSV download and keep them,
    /// with their table, period and region, as benchmarks to compare with.
    ImportCbs {
        /// The CSV file as StatLine downloads it.
        file: std::path::PathBuf,
        /// The CBS table id, e.g. 85097NED.
        #[arg(long)]
        table: String,
        /// The figure it is kept as: eigen_hulp, jeugdhulp_per_100, verwijzer:02, duur:0-3m …
        #[arg(long)]
        measure: String,
        /// The column holding the value.
        #[arg(long)]
        column: String,
        /// Only rows where this column has this value, as COLUMN=VALUE.
        #[arg(long, value_name = "COLUMN=VALUE")]
        r#where: Option<String>,
    },
    /// Read the youth on each practice's list from a CSV: AGB code;year;youth.
    ListSizes { file: std::path::PathBuf },
    /// Read the contracted services' tariffs from a CSV: service id;year;euros;traject|maand.
    Tariffs { file: std::path::PathBuf },
    /// Set a municipality's youth-help budget for a year.
    Budget {
        #[arg(long)]
        gemeente: String,
        #[arg(long)]
        year: i32,
        /// Whole euros.
        #[arg(long)]
        euros: i64,
    },
    /// Compare the kept facts with a recompute from the raw tables, per municipality,
    /// and time both reads.
    Check,
}

pub(super) fn stuur(command: StuurCommand, db: &rondom_db::Db) -> Result<ExitCode, String> {
    match command {
        StuurCommand::ImportCbs {
            file,
            table,
            measure,
            column,
            r#where,
        } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let filter = match &r#where {
                Some(w) => Some(w.split_once('=').ok_or("--where is COLUMN=VALUE")?),
                None => None,
            };
            let list = statline(
                &text,
                &StatlineSpec {
                    table_id: &table,
                    measure: &measure,
                    value_column: &column,
                    filter,
                },
            )?;
            let n = db
                .write_blocking(|c| facts::put_benchmarks(c, &list))
                .map_err(|e| e.to_string())?;
            for b in &list {
                println!(
                    "{} {} {} {}: {}",
                    b.measure,
                    b.source(),
                    b.region,
                    b.period,
                    b.value
                );
            }
            println!("{n} benchmark(s) kept.");
            Ok(ExitCode::SUCCESS)
        }
        StuurCommand::ListSizes { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let mut rows = Vec::new();
            for (i, line) in text.lines().enumerate() {
                let line = line.trim().trim_start_matches('\u{feff}');
                if line.is_empty() || (i == 0 && !line.starts_with(|c: char| c.is_ascii_digit())) {
                    continue;
                }
                let f: Vec<&str> = line.split([';', ',']).map(str::trim).collect();
                let [agb, year, youth] = f[..] else {
                    return Err(format!("line {}: expected AGB code;year;youth", i + 1));
                };
                let agb =
                    AgbCode::parse(agb).map_err(|e| format!("line {}: {}", i + 1, e.message))?;
                let year: i32 = year
                    .parse()
                    .ok()
                    .filter(|y| (2000..=2100).contains(y))
                    .ok_or(format!("line {}: year", i + 1))?;
                let youth: i32 = youth
                    .parse()
                    .ok()
                    .filter(|n| *n >= 0)
                    .ok_or(format!("line {}: youth", i + 1))?;
                rows.push((agb.as_str().to_owned(), year, youth));
            }
            // All or nothing: an unknown practice stops the import before anything is kept.
            let n = db
                .write_blocking(|c| {
                    for (agb, year, youth) in &rows {
                        let Some(p) = rondom_db::organisations::find_by_agb(c, agb)? else {
                            return Err(rondom_db::DbError::Conflict(format!(
                                "no practice with AGB code {agb}"
                            )));
                        };
                        facts::set_list_size(c, p.id.as_str(), *year, *youth)?;
                    }
                    Ok(rows.len())
                })
                .map_err(|e| format!("nothing was imported: {e}"))?;
            println!("{n} list size(s) kept.");
            Ok(ExitCode::SUCCESS)
        }
        StuurCommand::Tariffs { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let mut rows = Vec::new();
            for (i, line) in text.lines().enumerate() {
                let line = line.trim().trim_start_matches('\u{feff}');
                if line.is_empty() || line.to_lowercase().starts_with("dienst") {
                    continue;
                }
                let f: Vec<&str> = line.split(';').map(str::trim).collect();
                let [service, year, euros, unit] = f[..] else {
                    return Err(format!(
                        "line {}: expected service id;year;euros;traject|maand",
                        i + 1
                    ));
                };
                let year: i32 = year
                    .parse()
                    .ok()
                    .filter(|y| (2000..=2100).contains(y))
                    .ok_or(format!("line {}: year", i + 1))?;
                let euros: f64 = euros
                    .replace('.', "")
                    .replace(',', ".")
                    .parse()
                    .ok()
                    .filter(|e: &f64| *e >= 0.0)
                    .ok_or(format!("line {}: euros", i + 1))?;
                if unit != "traject" && unit != "maand" {
                    return Err(format!("line {}: the unit is traject or maand", i + 1));
                }
                rows.push((
                    service.to_owned(),
                    year,
                    (euros * 100.0).round() as i64,
                    unit.to_owned(),
                ));
            }
            let n = db
                .write_blocking(|c| {
                    for (service, year, cents, unit) in &rows {
                        if rondom_db::directory::find_service(c, service)?.is_none() {
                            return Err(rondom_db::DbError::Conflict(format!(
                                "no service {service}"
                            )));
                        }
                        facts::set_tariff(c, service, *year, *cents, unit)?;
                    }
                    Ok(rows.len())
                })
                .map_err(|e| format!("nothing was imported: {e}"))?;
            println!("{n} tariff(s) kept.");
            Ok(ExitCode::SUCCESS)
        }
        StuurCommand::Budget {
            gemeente,
            year,
            euros,
        } => {
            GemeenteCode::parse(&gemeente).map_err(|e| format!("--gemeente: {}", e.message))?;
            if euros < 0 || !(2000..=2100).contains(&year) {
                return Err("--euros is a positive number, --year a year".into());
            }
            db.write_blocking(|c| facts::set_budget(c, &gemeente, year, euros * 100))
                .map_err(|e| e.to_string())?;
            println!("Budget {gemeente} {year}: € {euros}.");
            Ok(ExitCode::SUCCESS)
        }
        StuurCommand::Check => {
            let mut conn = db.get().map_err(|e| e.to_string())?;
            let gemeenten = facts::gemeenten(&mut conn).map_err(|e| e.to_string())?;
            let mut wrong = 0;
            for g in gemeenten {
                let scope = Scope::Gemeente(g.clone());
                let t = std::time::Instant::now();
                let mut kept =
                    facts::facts(&mut conn, &scope, 999_912, None).map_err(|e| e.to_string())?;
                let kept_ms = t.elapsed().as_secs_f64() * 1000.0;
                let t = std::time::Instant::now();
                let mut fresh =
                    facts::recompute(&mut conn, &scope, 999_912).map_err(|e| e.to_string())?;
                let fresh_ms = t.elapsed().as_secs_f64() * 1000.0;
                kept.sort_by(|a, b| a.referral_id.cmp(&b.referral_id));
                fresh.sort_by(|a, b| a.referral_id.cmp(&b.referral_id));
                let differ = kept.len().abs_diff(fresh.len())
                    + kept.iter().zip(&fresh).filter(|(a, b)| a != b).count();
                wrong += differ;
                println!(
                    "{g}: {} referrals, kept facts read in {kept_ms:.1} ms, recomputed in {fresh_ms:.1} ms ({:.0}x), {differ} differ",
                    fresh.len(),
                    fresh_ms / kept_ms.max(0.001)
                );
            }
            Ok(if wrong == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
    }
}
