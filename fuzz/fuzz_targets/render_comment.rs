//! Fuzzes the comment path as a post meets it: validation (length, nesting)
//! and the renderer with its strict sanitiser, on any text, valid or not.
//! It must never panic, never take a second, keep its HTML a bounded
//! multiple of the text, and never let a script or an event handler out.

#![no_main]

use cuesheet::comments::form::check_comment;
use cuesheet::comments::markdown::{link_count, render};
use libfuzzer_sys::fuzz_target;

/// Output bytes allowed per input byte, plus a constant (see render_article).
const GROWTH: usize = 24;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        assert!(check_comment("", true).is_err());
        return;
    };
    let _ = check_comment(text, false);
    let html = render(text);
    assert!(html.len() <= GROWTH * text.len() + 256, "{} bytes of HTML from {}", html.len(), text.len());
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("<script") && !lower.contains("<img") && !lower.contains("<iframe"), "{html}");
    assert!(!lower.contains("href=\"javascript:") && !lower.contains("href=\"data:"), "{html}");
    let _ = link_count(&html);
});
