//! A shared document's check reads untrusted bytes (a ZIP's central directory among
//! them): whatever arrives, it never panics, and what it accepts is named for what it is:
//! a printable name of at most 120 characters, without a path, ending in an extension of
//! the kind its content was read as. Half the inputs are built into ZIP packages (then
//! cut off or changed at a place the input chooses), so the office formats' paths are
//! reached, not only the first bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rondom_domain::document::{MAX_BYTES, check, samples, sniff};

fuzz_target!(|data: &[u8]| {
    let Some((&head, rest)) = data.split_first() else {
        return;
    };
    let split = usize::from(head >> 1).min(rest.len());
    let (name, body) = rest.split_at(split);
    let name = String::from_utf8_lossy(name);
    let bytes = if head & 1 == 1 {
        // Lines of the body are the package's entry names; the last byte of the input
        // says where to cut the package (0: leave it whole).
        let text = String::from_utf8_lossy(body);
        let entries: Vec<&str> = text.lines().take(8).collect();
        let mut zip = samples::zip(&entries, b"application/vnd.oasis.opendocument.text");
        let cut = usize::from(*data.last().unwrap_or(&0));
        if cut > 0 && cut < zip.len() {
            zip.truncate(zip.len() - cut);
        }
        zip
    } else {
        body.to_vec()
    };
    if let Ok(file) = check(&name, &bytes, MAX_BYTES) {
        assert_eq!(sniff(&bytes), Some(file.kind));
        assert!(file.name.chars().count() <= 120, "{}", file.name);
        assert!(!file.name.contains(['/', '\\']), "{}", file.name);
        assert!(!file.name.chars().any(char::is_control), "{:?}", file.name);
        let ext = file.name.rsplit('.').next().unwrap_or_default().to_ascii_lowercase();
        assert!(file.kind.extensions().contains(&ext.as_str()), "{}", file.name);
    }
});
