//! `rondom admin rotate-key`: every value sealed under an earlier installation key is
//! sealed again under the current one, while the servers keep serving. The servers run
//! with the new key as `RONDOM_SECRET_KEY` and the old one in
//! `RONDOM_PREVIOUS_SECRET_KEYS`: they seal with the new key and open with both, so
//! nothing waits for the rotation. It works in batches with a compare-and-set per value
//! (a value a server changed meanwhile is already under the new key), can be run again
//! at any time, and reports what it found; once it reports nothing left under an earlier
//! key, the old key can be taken out of the configuration and destroyed.
//!
//! Network keys are the bulk of it in value but not in work: each network's messages
//! and documents stay sealed with their network's own key, and only that key (one row
//! per network) is re-wrapped.

use crate::secrets::SecretBox;
use rondom_db::installation::{self, SEALED};
use rondom_db::{Db, DbError};

/// Values read and replaced per transaction.
const BATCH: i64 = 200;

/// What a rotation found in one column.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ColumnReport {
    pub table: &'static str,
    pub column: &'static str,
    /// Sealed again under the current key.
    pub resealed: usize,
    /// Already under the current key.
    pub current: usize,
    /// Changed by a server while the rotation ran (so under the current key).
    pub changed_meanwhile: usize,
    /// Opened by no configured key: left as they are (the log names them).
    pub unreadable: usize,
}

/// Re-seals every value of `SEALED` that is not under `ring`'s current key; with
/// `dry_run` only counts. Audited as one entry of the command line.
pub fn rotate(db: &Db, ring: &SecretBox, dry_run: bool) -> Result<Vec<ColumnReport>, DbError> {
    let mut reports = Vec::new();
    let mut reader = db.get()?;
    for &(table, key, column) in SEALED {
        let mut r = ColumnReport {
            table,
            column,
            ..Default::default()
        };
        let mut after = String::new();
        loop {
            let batch =
                installation::sealed_batch(&mut reader, (table, key, column), &after, BATCH)?;
            let Some((last, _)) = batch.last() else { break };
            after = last.clone();
            let mut changes = Vec::new();
            for (id, value) in batch {
                let Some(value) = value else { continue };
                match ring.reseal(&value) {
                    Ok(None) => r.current += 1,
                    Ok(Some(new)) => changes.push((id, value, new)),
                    Err(e) => {
                        tracing::warn!(table, column, id = %id, error = %e, "a sealed value opens with no configured key");
                        r.unreadable += 1;
                    }
                }
            }
            if dry_run {
                r.resealed += changes.len();
                continue;
            }
            let landed = db.write_blocking(|c| {
                let mut n = 0;
                for (id, old, new) in &changes {
                    if installation::replace_sealed(c, (table, key, column), id, old, new)? {
                        n += 1;
                    }
                }
                Ok(n)
            })?;
            r.resealed += landed;
            r.changed_meanwhile += changes.len() - landed;
        }
        reports.push(r);
    }
    if !dry_run {
        let resealed: usize = reports.iter().map(|r| r.resealed).sum();
        let unreadable: usize = reports.iter().map(|r| r.unreadable).sum();
        db.write_blocking(|c| {
            rondom_db::audit::append(
                c,
                &crate::console::event(
                    "key_rotate",
                    "installation",
                    None,
                    format!(
                        "{resealed} values sealed again under the current installation key; {unreadable} opened with no configured key"
                    ),
                ),
            )
        })?;
    }
    Ok(reports)
}
