//! What a shared file is, read from its content and never from its name or the
//! browser's say-so: a PDF, an image, or an office document. A file whose name promises
//! another kind than its content is refused, and so is an office file with macros (the
//! way a harmless-looking attachment carries a program).

use crate::validate::ValidationError;

/// The largest document shared in a conversation (a scanned report of some pages).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The longest file name kept.
const MAX_NAME_CHARS: usize = 120;

/// The kinds of file Rondom accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Png,
    Jpeg,
    /// Office Open XML (Word, Excel, PowerPoint).
    Docx,
    Xlsx,
    Pptx,
    /// OpenDocument (LibreOffice and others).
    Odt,
    Ods,
    Odp,
}

impl FileKind {
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            Self::Odt => "application/vnd.oasis.opendocument.text",
            Self::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            Self::Odp => "application/vnd.oasis.opendocument.presentation",
        }
    }

    pub fn parse_media_type(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.media_type() == text)
    }

    pub const ALL: [Self; 9] = [
        Self::Pdf,
        Self::Png,
        Self::Jpeg,
        Self::Docx,
        Self::Xlsx,
        Self::Pptx,
        Self::Odt,
        Self::Ods,
        Self::Odp,
    ];

    /// The extensions a file of this kind may have, the usual one first.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::Pdf => &["pdf"],
            Self::Png => &["png"],
            Self::Jpeg => &["jpg", "jpeg"],
            Self::Docx => &["docx"],
            Self::Xlsx => &["xlsx"],
            Self::Pptx => &["pptx"],
            Self::Odt => &["odt"],
            Self::Ods => &["ods"],
            Self::Odp => &["odp"],
        }
    }

    /// What it is, in words a parent knows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Png | Self::Jpeg => "afbeelding",
            Self::Docx | Self::Odt => "tekstdocument",
            Self::Xlsx | Self::Ods => "rekenblad",
            Self::Pptx | Self::Odp => "presentatie",
        }
    }

    /// A PDF or an image (what referral attachments accept).
    pub fn is_pdf_or_image(self) -> bool {
        matches!(self, Self::Pdf | Self::Png | Self::Jpeg)
    }
}

/// What a file is, from its bytes.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(b"%PDF-") {
        return Some(FileKind::Pdf);
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(FileKind::Png);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(FileKind::Jpeg);
    }
    office(bytes).and_then(Result::ok)
}

/// An office file (a ZIP package) by the parts it lists; `Err` for one with macros.
fn office(bytes: &[u8]) -> Option<Result<FileKind, Macros>> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return None;
    }
    let names = zip_names(bytes)?;
    let has = |n: &[u8]| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    // Macros live in a vbaProject part (Office) or a Basic/Scripts folder (OpenDocument).
    let macros = names.iter().any(|n| {
        let n = n.to_ascii_lowercase();
        n.ends_with(b"vbaproject.bin") || n.starts_with(b"basic/") || n.starts_with(b"scripts/")
    });
    let kind = if has(b"[Content_Types].xml") {
        if has(b"word/document.xml") {
            FileKind::Docx
        } else if has(b"xl/workbook.xml") {
            FileKind::Xlsx
        } else if has(b"ppt/presentation.xml") {
            FileKind::Pptx
        } else {
            return None;
        }
    } else {
        // OpenDocument: the first entry is "mimetype", stored as is, naming the kind.
        let name_len = u16_at(bytes, 26)?;
        let extra_len = u16_at(bytes, 28)?;
        let size = u32_at(bytes, 18)?;
        if bytes.get(30..30 + name_len)? != b"mimetype" || !has(b"content.xml") {
            return None;
        }
        let start = 30 + name_len + extra_len;
        match bytes.get(start..start + size)? {
            b"application/vnd.oasis.opendocument.text" => FileKind::Odt,
            b"application/vnd.oasis.opendocument.spreadsheet" => FileKind::Ods,
            b"application/vnd.oasis.opendocument.presentation" => FileKind::Odp,
            _ => return None,
        }
    };
    Some(if macros { Err(Macros) } else { Ok(kind) })
}

struct Macros;

fn u16_at(b: &[u8], i: usize) -> Option<usize> {
    b.get(i..i + 2)
        .map(|x| usize::from(u16::from_le_bytes([x[0], x[1]])))
}

fn u32_at(b: &[u8], i: usize) -> Option<usize> {
    b.get(i..i + 4)
        .and_then(|x| usize::try_from(u32::from_le_bytes([x[0], x[1], x[2], x[3]])).ok())
}

/// The names in a ZIP file's central directory (the list at its end), or nothing when
/// that list is not well formed.
fn zip_names(b: &[u8]) -> Option<Vec<&[u8]>> {
    // The end record is 22 bytes plus a comment of at most 65,535.
    let last = b.len().checked_sub(22)?;
    let end = (last.saturating_sub(65_535)..=last)
        .rev()
        .find(|&i| b[i..].starts_with(b"PK\x05\x06"))?;
    let count = u16_at(b, end + 10)?;
    let mut at = u32_at(b, end + 16)?;
    let mut names = Vec::with_capacity(count.min(1024));
    for _ in 0..count {
        if !b.get(at..)?.starts_with(b"PK\x01\x02") {
            return None;
        }
        let (n, x, k) = (
            u16_at(b, at + 28)?,
            u16_at(b, at + 30)?,
            u16_at(b, at + 32)?,
        );
        names.push(b.get(at + 46..at + 46 + n)?);
        at += 46 + n + x + k;
    }
    Some(names)
}

/// A file as it will be stored: its name (the last part of the path, printable, with
/// the extension of its kind) and its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFile {
    pub name: String,
    pub kind: FileKind,
}

/// Checks a file to share: not empty, within `max_bytes`, a kind Rondom accepts by its
/// content, and named for what it is.
pub fn check(
    file_name: &str,
    bytes: &[u8],
    max_bytes: usize,
) -> Result<CheckedFile, ValidationError> {
    let field = "document";
    let name: String = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        // Control characters, and the direction marks that make "gpj.exe" look like
        // "exe.jpg".
        .filter(|c| {
            !c.is_control()
                && !matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
        .collect::<String>()
        .trim()
        .to_owned();
    if bytes.is_empty() {
        return Err(ValidationError::new(
            field,
            "Kies een bestand. Dit bestand is leeg.",
        ));
    }
    if bytes.len() > max_bytes {
        return Err(ValidationError::new(
            field,
            format!(
                "Het bestand is te groot: {} MB, hoogstens {} MB.",
                bytes.len().div_ceil(1024 * 1024),
                max_bytes / (1024 * 1024)
            ),
        ));
    }
    let kind = match sniff(bytes) {
        Some(k) => k,
        None if matches!(office(bytes), Some(Err(Macros))) => {
            return Err(ValidationError::new(
                field,
                "Dit bestand bevat macro's (kleine programma's). Zulke bestanden kunnen niet worden gedeeld. Sla het op zonder macro's, of als PDF.",
            ));
        }
        None => {
            return Err(ValidationError::new(
                field,
                "Dit soort bestand kan niet worden gedeeld. Dat kan wel: PDF, foto's (PNG of JPEG) en documenten van Word, Excel, PowerPoint of OpenDocument.",
            ));
        }
    };
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, Some(e.to_ascii_lowercase())),
        _ => (name.as_str(), None),
    };
    let usual = kind.extensions()[0];
    let name = match ext {
        Some(e) if kind.extensions().contains(&e.as_str()) => name.clone(),
        Some(e)
            if FileKind::ALL
                .iter()
                .any(|k| k.extensions().contains(&e.as_str())) =>
        {
            return Err(ValidationError::new(
                field,
                format!(
                    "De naam van dit bestand past niet bij de inhoud: het heet .{e}, maar het is een {} (.{usual}). Sla het op met de goede naam en probeer het opnieuw.",
                    kind.label()
                ),
            ));
        }
        // No extension, or one that says nothing we know: name it for what it is.
        _ => {
            let stem = if stem.trim().is_empty() {
                "document"
            } else {
                stem
            };
            format!("{stem}.{usual}")
        }
    };
    let name = if name.chars().count() > MAX_NAME_CHARS {
        // Keep the extension when shortening.
        let keep = MAX_NAME_CHARS - usual.len() - 1;
        format!("{}.{usual}", name.chars().take(keep).collect::<String>())
    } else {
        name
    };
    Ok(CheckedFile { name, kind })
}

/// Small well-formed files of each kind, for tests and the demo.
pub mod samples {
    /// A ZIP file with these (empty, stored) entries, the first with `first_body`.
    pub fn zip(entries: &[&str], first_body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (i, name) in entries.iter().enumerate() {
            let body: &[u8] = if i == 0 { first_body } else { b"" };
            let offset = out.len() as u32;
            out.extend_from_slice(b"PK\x03\x04");
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&(body.len() as u32).to_le_bytes());
            out.extend_from_slice(&(body.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(body);
            central.extend_from_slice(b"PK\x01\x02");
            central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            central.extend_from_slice(&(body.len() as u32).to_le_bytes());
            central.extend_from_slice(&(body.len() as u32).to_le_bytes());
            central.extend_from_slice(&(name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let at = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&at.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    pub fn docx() -> Vec<u8> {
        zip(
            &["[Content_Types].xml", "_rels/.rels", "word/document.xml"],
            b"<Types/>",
        )
    }

    /// A tiny PDF.
    pub fn pdf(text: &str) -> Vec<u8> {
        format!("%PDF-1.4\n% {text}\n%%EOF\n").into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::samples::{docx, zip};
    use super::*;

    #[test]
    fn files_are_known_by_their_content() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(FileKind::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0"), Some(FileKind::Png));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(FileKind::Jpeg));
        assert_eq!(sniff(&docx()), Some(FileKind::Docx));
        assert_eq!(
            sniff(&zip(&["[Content_Types].xml", "xl/workbook.xml"], b"")),
            Some(FileKind::Xlsx)
        );
        assert_eq!(
            sniff(&zip(&["[Content_Types].xml", "ppt/presentation.xml"], b"")),
            Some(FileKind::Pptx)
        );
        assert_eq!(
            sniff(&zip(
                &["mimetype", "content.xml"],
                b"application/vnd.oasis.opendocument.text"
            )),
            Some(FileKind::Odt)
        );
        assert_eq!(
            sniff(&zip(
                &["mimetype", "content.xml"],
                b"application/vnd.oasis.opendocument.spreadsheet"
            )),
            Some(FileKind::Ods)
        );
        // A plain ZIP, a program, a web page, a cut-off office file: none of them.
        assert_eq!(sniff(&zip(&["notes.txt"], b"hoi")), None);
        assert_eq!(sniff(b"MZ\x90\0 a program named scan.pdf"), None);
        assert_eq!(sniff(b"<html><script>"), None);
        let whole = docx();
        assert_eq!(sniff(&whole[..whole.len() - 30]), None);
    }

    #[test]
    fn a_name_that_is_not_its_content_is_refused_with_what_it_is() {
        let e = check("verslag.pdf", &docx(), MAX_BYTES).unwrap_err();
        assert!(
            e.message.contains(".pdf") && e.message.contains("tekstdocument"),
            "{}",
            e.message
        );
        let e = check("foto.png", b"%PDF-1.4", MAX_BYTES).unwrap_err();
        assert!(e.message.contains("PDF"), "{}", e.message);
        assert_eq!(
            check("C:\\Users\\x\\Verslag School.DOCX", &docx(), MAX_BYTES).unwrap(),
            CheckedFile {
                name: "Verslag School.DOCX".into(),
                kind: FileKind::Docx
            }
        );
        assert_eq!(
            check("scan", b"%PDF-1.4", MAX_BYTES).unwrap().name,
            "scan.pdf"
        );
        assert_eq!(
            check("verslag\u{202E}fdp.exe", b"%PDF-1.4", MAX_BYTES)
                .unwrap()
                .name,
            "verslagfdp.pdf",
            "no direction marks to hide the real extension"
        );
        assert_eq!(
            check("foto.jpeg", &[0xFF, 0xD8, 0xFF, 1], MAX_BYTES)
                .unwrap()
                .kind,
            FileKind::Jpeg
        );
        assert_eq!(
            check("lijst.txt", b"%PDF-1.4", MAX_BYTES).unwrap().name,
            "lijst.pdf"
        );
    }

    #[test]
    fn empty_large_unknown_and_macro_files_are_refused() {
        assert!(check("a.pdf", b"", MAX_BYTES).is_err());
        let big = check("a.pdf", b"%PDF-1.4 0123456789", 10).unwrap_err();
        assert!(big.message.contains("te groot"), "{}", big.message);
        let unknown = check("a.exe", b"MZ\x90\0", MAX_BYTES).unwrap_err();
        assert!(unknown.message.contains("PDF"), "{}", unknown.message);
        let macros = zip(
            &[
                "[Content_Types].xml",
                "word/document.xml",
                "word/vbaProject.bin",
            ],
            b"",
        );
        let e = check("brief.docx", &macros, MAX_BYTES).unwrap_err();
        assert!(e.message.contains("macro"), "{}", e.message);
        let long = format!("{}.pdf", "x".repeat(300));
        let name = check(&long, b"%PDF-1.4", MAX_BYTES).unwrap().name;
        assert_eq!(name.chars().count(), 120);
        assert!(name.ends_with(".pdf"));
    }
}
