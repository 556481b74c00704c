//! The dashboard's tables as one spreadsheet (a sheet per table), with the same
//! protected cells as the page: a suppressed cell is the text "<5" or "×", every other
//! figure a number (shares as percentages), so a municipality can calculate on.

use super::tables::Table;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// Sheet names: at most 31 characters, unique.
fn sheet_name(t: &Table) -> String {
    t.title.chars().take(31).collect()
}

pub fn workbook(tables: &[Table], filters: &str) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0%");
    let decimal = Format::new().set_num_format("0.0");
    let note = Format::new().set_italic();
    for t in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(sheet_name(t))?;
        sheet.write_string_with_format(0, 0, format!("{} ({filters})", t.title), &bold)?;
        sheet.write_string(1, 0, t.definition)?;
        sheet.write_string_with_format(
            2,
            0,
            "Aantallen afgerond op vijftallen; <5 = minder dan vijf; × = verborgen omdat het uit de andere cijfers te berekenen zou zijn.",
            &note,
        )?;
        for (c, col) in t.columns.iter().enumerate() {
            sheet.write_string_with_format(4, c as u16, col, &bold)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = 5 + r as u32;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell.value {
                    Some(v) if cell.text.ends_with('%') => {
                        sheet.write_number_with_format(r, c, v / 100.0, &percent)?;
                    }
                    Some(v) if v.fract() != 0.0 => {
                        sheet.write_number_with_format(r, c, v, &decimal)?;
                    }
                    Some(v) => {
                        sheet.write_number(r, c, v)?;
                    }
                    None => {
                        sheet.write_string(r, c, &cell.text)?;
                    }
                }
            }
        }
        if let Some(src) = &t.source {
            let r = 6 + t.rows.len() as u32;
            sheet.write_string_with_format(r, 0, format!("Bron landelijk cijfer: {src}"), &note)?;
        }
        sheet.set_column_width(0, 40)?;
    }
    book.save_to_buffer()
}
