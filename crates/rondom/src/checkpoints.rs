//! Signed checkpoints of the audit chain, kept outside the database: a line appended to a
//! file (0600) and the same line in the log, which an operator can ship to a place the
//! database's administrators cannot reach. `audit verify` holds the log against them, so
//! that cutting entries off the end or re-chaining the log shows.

use rondom_db::Db;
use rondom_domain::audit::{AuditKeys, Checkpoint};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where checkpoints go and how often.
#[derive(Debug, Clone)]
pub struct Writer {
    pub file: Option<PathBuf>,
    pub every: Duration,
}

fn append_line(path: &Path, line: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    writeln!(f, "{line}")?;
    // A checkpoint that a crash can take back vouches for nothing.
    f.sync_data()
}

impl Writer {
    /// Writes a checkpoint when the end of any chain moved since `last` (the entries the
    /// last checkpoint written vouched for); answers the new last.
    pub fn write_if_moved(
        &self,
        db: &Db,
        last: Option<Vec<i64>>,
    ) -> Result<Option<Vec<i64>>, String> {
        let keys = db.audit_keys().ok_or("the audit log's key is not set")?;
        let mut conn = db.get().map_err(|e| e.to_string())?;
        let Some(c) = rondom_db::audit::checkpoint_now(&mut conn).map_err(|e| e.to_string())?
        else {
            return Ok(last);
        };
        let vouched: Vec<i64> = c.vouched().map(|(seq, _)| seq).collect();
        if last.as_ref() == Some(&vouched) {
            return Ok(last);
        }
        let line = c.to_line(&keys);
        tracing::info!(target: "rondom::audit", "{line}");
        if let Some(path) = &self.file {
            append_line(path, &line).map_err(|e| {
                format!(
                    "cannot write the audit checkpoint to {}: {e}",
                    path.display()
                )
            })?;
        }
        Ok(Some(vouched))
    }

    /// Writes checkpoints in the background while the server runs.
    pub fn spawn(self, db: Db) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut last = None;
            let mut tick = tokio::time::interval(self.every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let (w, d, l) = (self.clone(), db.clone(), last.clone());
                match tokio::task::spawn_blocking(move || w.write_if_moved(&d, l)).await {
                    Ok(Ok(seq)) => last = seq,
                    Ok(Err(e)) => tracing::warn!(error = %e, "audit checkpoint not written"),
                    Err(e) => tracing::warn!(error = %e, "audit checkpoint task failed"),
                }
            }
        })
    }
}

/// What a set of checkpoint files holds for this installation.
#[derive(Debug, Default)]
pub struct Read {
    pub checkpoints: Vec<Checkpoint>,
    /// Lines that look like checkpoints but are not signed with this installation's key
    /// (another installation's, or forged): named, and not trusted.
    pub unsigned: Vec<String>,
}

/// Reads checkpoint lines from files (a checkpoint file, or a log file with checkpoint
/// lines among others).
pub fn read(files: &[PathBuf], keys: &AuditKeys) -> Result<Read, String> {
    let mut out = Read::default();
    for path in files {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the checkpoints in {}: {e}", path.display()))?;
        for (n, line) in text.lines().enumerate() {
            match Checkpoint::from_line(line, keys) {
                Some(Ok(c)) => out.checkpoints.push(c),
                Some(Err(why)) => out
                    .unsigned
                    .push(format!("{}:{}: {why}", path.display(), n + 1)),
                None => {}
            }
        }
    }
    Ok(out)
}
