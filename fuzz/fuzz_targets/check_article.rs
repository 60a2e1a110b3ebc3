//! Fuzzes the content check, which is also the import's gate: any bytes as
//! an article file, checked against the records of `content/soundtracks`
//! (read once, so entries, links and name checks have something to match).
//! It must never panic, whatever it is fed, and never take a second.

#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use cuesheet::content::check::{Context, check_article, check_record};
use libfuzzer_sys::fuzz_target;

/// The site's own records, as an import would know them.
static CONTEXT: LazyLock<Context> = LazyLock::new(|| {
    let mut ctx = Context::default();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../content/soundtracks");
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if let Ok(text) = std::fs::read_to_string(&path)
            && let (Some(record), _) = check_record(&path, &text)
        {
            ctx.add_record(&record);
        }
    }
    ctx.add_article("best-movie-soundtracks-of-all-time", &["synth".to_owned()]);
    ctx
});

fuzz_target!(
    // Read the records before the first input, so the one-second limit
    // times the check and not this set-up.
    init: {
        LazyLock::force(&CONTEXT);
    },
    |data: &[u8]| {
    // The import reads files as UTF-8 and reports anything else as one
    // `encoding` finding before the check runs; lossy decoding keeps every
    // input useful to the check itself.
    let text = String::from_utf8_lossy(data);
    let (article, problems) = check_article(Path::new("articles/fuzzed.md"), &text, &CONTEXT);
    for p in &problems {
        // Every finding points into the file.
        assert!(p.line >= 1 && p.column >= 1, "{p}");
    }
    if let Some(a) = article {
        assert!(a.body_offset <= text.len());
    }
    // The same bytes as a record file: the other half of an import.
    let _ = check_record(Path::new("soundtracks/fuzzed.toml"), &text);
});
