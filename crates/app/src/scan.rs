//! The virus-scan hook: every document is given to the installation's own scanner
//! before it is stored (ClamAV's `clamdscan --no-summary -`, say). The command runs
//! through `sh -c` with the file on its standard input; exit 0 means clean, 1 means a
//! virus was found (the convention of ClamAV's tools), anything else, or no answer within
//! a minute, means the file could not be checked, and it is not stored.

use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// How long a scan may take.
const TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    Infected,
    /// The scanner did not answer clean or infected (the reason is logged).
    Failed,
}

/// Why a file may not be stored, for the form's `field`, when the installation has a
/// scanner and it does not say clean; `None` when it does, or there is no scanner.
pub async fn refusal(
    svc: &crate::Services,
    field: &'static str,
    bytes: &[u8],
) -> Option<rondom_domain::validate::ValidationError> {
    let message = match scan(svc.scan_command.as_deref()?, bytes).await {
        Verdict::Clean => return None,
        Verdict::Infected => {
            "De virusscanner heeft dit bestand tegengehouden. Het is niet opgeslagen. Vraag de afzender om een schone versie."
        }
        Verdict::Failed => {
            "Het bestand kon niet op virussen worden gecontroleerd. Er is niets opgeslagen; probeer het over een paar minuten opnieuw."
        }
    };
    Some(rondom_domain::validate::ValidationError::new(
        field, message,
    ))
}

pub async fn scan(command: &str, bytes: &[u8]) -> Verdict {
    let spawned = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "the virus scanner could not be started");
            return Verdict::Failed;
        }
    };
    let stdin = child.stdin.take();
    let feed = async move {
        if let Some(mut stdin) = stdin {
            // A scanner that stops reading early (it has seen enough) is not an error.
            let _ = stdin.write_all(bytes).await;
        }
    };
    let run = async {
        let ((), out) = tokio::join!(feed, child.wait_with_output());
        out
    };
    match tokio::time::timeout(TIMEOUT, run).await {
        Ok(Ok(out)) => match out.status.code() {
            Some(0) => Verdict::Clean,
            Some(1) => {
                tracing::warn!("the virus scanner refused a document");
                Verdict::Infected
            }
            code => {
                tracing::error!(
                    code = ?code,
                    stderr = %String::from_utf8_lossy(&out.stderr).trim(),
                    "the virus scanner failed"
                );
                Verdict::Failed
            }
        },
        Ok(Err(e)) => {
            tracing::error!(error = %e, "the virus scanner failed");
            Verdict::Failed
        }
        Err(_) => {
            tracing::error!("the virus scanner did not answer within a minute");
            Verdict::Failed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_scanners_exit_code_decides() {
        let finds = "grep -q EICAR && exit 1 || exit 0";
        assert_eq!(scan(finds, b"%PDF-1.4 gewoon").await, Verdict::Clean);
        assert_eq!(scan(finds, b"%PDF-1.4 EICAR").await, Verdict::Infected);
        assert_eq!(scan("exit 2", b"x").await, Verdict::Failed);
        assert_eq!(scan("exec /does/not/exist", b"x").await, Verdict::Failed);
        // A scanner that reads nothing still answers.
        assert_eq!(scan("true", &vec![0u8; 4 << 20]).await, Verdict::Clean);
    }
}
