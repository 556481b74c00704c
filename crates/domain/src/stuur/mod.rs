//! Stuurinformatie: does the approach work? Figures computed from the referrals as they
//! happen (fact.rs: one referral as the figures count it), over whole months and
//! quarters (period.rs), protected so no child can be singled out (protect.rs), and
//! placed next to CBS's national figures, which are data with their source
//! (`Benchmark`, read from a StatLine CSV download by `statline`).

pub mod fact;
pub mod figures;
pub mod period;
pub mod protect;

pub use fact::{AgeBand, Fact, History, Outcome, Verwijzer, derive};
pub use figures::{Benchmark, Context, Dashboard, Selection, compute};
pub use period::Period;
pub use protect::Cell;

/// Which column of a StatLine CSV holds the value, stored under which measure, and
/// which rows count (one dimension column equal to a label).
pub struct StatlineSpec<'a> {
    pub table_id: &'a str,
    pub measure: &'a str,
    pub value_column: &'a str,
    pub filter: Option<(&'a str, &'a str)>,
}

fn split_csv(line: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            c if c == sep && !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().map(|s| s.trim().to_owned()).collect()
}

/// Reads a CBS StatLine CSV download (semicolon- or comma-separated, a header row with
/// the column titles, "Perioden" and optionally "Regio's"): one benchmark per row that
/// passes the filter. Values use a decimal comma or point; "." (no figure) rows are
/// skipped; a period ending in "*" is provisional.
pub fn statline(text: &str, spec: &StatlineSpec<'_>) -> Result<Vec<Benchmark>, String> {
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = lines.next().ok_or("Het bestand is leeg.")?;
    let sep = if header.contains(';') { ';' } else { ',' };
    let cols = split_csv(header, sep);
    let find = |name: &str| {
        cols.iter()
            .position(|c| c.eq_ignore_ascii_case(name.trim()))
    };
    let value = find(spec.value_column).ok_or_else(|| {
        format!(
            "De kolom \"{}\" staat niet in het bestand.",
            spec.value_column
        )
    })?;
    let period = find("Perioden").ok_or("De kolom \"Perioden\" staat niet in het bestand.")?;
    let region = find("Regio's").or_else(|| find("RegioS"));
    let filter = match spec.filter {
        Some((col, want)) => Some((
            find(col).ok_or_else(|| format!("De kolom \"{col}\" staat niet in het bestand."))?,
            want,
        )),
        None => None,
    };
    let mut out = Vec::new();
    for (n, l) in lines.enumerate() {
        let row = split_csv(l, sep);
        if let Some((col, want)) = filter
            && row.get(col).is_none_or(|v| !v.eq_ignore_ascii_case(want))
        {
            continue;
        }
        let raw = row.get(value).map(String::as_str).unwrap_or("");
        if raw.is_empty() || raw == "." {
            continue;
        }
        let v: f64 = raw
            .replace(',', ".")
            .parse()
            .map_err(|_| format!("Regel {}: \"{raw}\" is geen getal.", n + 2))?;
        let p = row.get(period).cloned().unwrap_or_default();
        let provisional = p.ends_with('*');
        out.push(Benchmark {
            measure: spec.measure.to_owned(),
            table_id: spec.table_id.to_owned(),
            period: p.trim_end_matches('*').trim().to_owned(),
            region: region
                .and_then(|r| row.get(r).cloned())
                .unwrap_or_else(|| "Nederland".into()),
            value: v,
            provisional,
        });
    }
    if out.is_empty() {
        return Err("Geen regels met een waarde gevonden.".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statline_download_becomes_benchmarks_with_their_source() {
        let csv = "\u{feff}\"Verwijzer\";\"Perioden\";\"Regio's\";\"Jeugdhulptrajecten (%)\"\n\
                   \"Huisarts\";\"2023 1e halfjaar*\";\"Nederland\";\"38,6\"\n\
                   \"Jeugdarts\";\"2023 1e halfjaar*\";\"Nederland\";\"3,6\"\n\
                   \"Huisarts\";\"2022\";\"Nederland\";\".\"\n";
        let b = statline(
            csv,
            &StatlineSpec {
                table_id: "85097NED",
                measure: "verwijzer:02",
                value_column: "Jeugdhulptrajecten (%)",
                filter: Some(("Verwijzer", "Huisarts")),
            },
        )
        .unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].value, 38.6);
        assert!(b[0].provisional);
        assert_eq!(b[0].period, "2023 1e halfjaar");
        assert_eq!(b[0].source(), "CBS 85097NED, 2023 1e halfjaar*");
        let missing = statline(
            csv,
            &StatlineSpec {
                table_id: "x",
                measure: "m",
                value_column: "Bestaat niet",
                filter: None,
            },
        );
        assert!(missing.unwrap_err().contains("Bestaat niet"));
    }
}
