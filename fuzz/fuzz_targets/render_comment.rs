//! Fuzzes the comment path as a post meets it: validation (length, nesting)
//! and the renderer with its strict sanitiser, on any text, valid or not.
//! It must never panic, never take a second, keep its HTML a bounded
//! multiple of the text, and never let a script or an event handler out.

#![no_main]

use cuesheet::comments::form::check_comment;
use cuesheet::comments::markdown::{link_count, render};
use libfuzzer_sys::fuzz_target;
use scraper::Html;

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
    executable(&html);
    let _ = link_count(&html);
});

/// Fails on anything a browser would run: the elements and attributes are
/// read from the parsed HTML, since text may say `href="data:` harmlessly.
fn executable(html: &str) {
    let doc = Html::parse_fragment(html);
    for node in doc.tree.nodes() {
        let Some(el) = node.value().as_element() else { continue };
        let name = el.name();
        assert!(
            !matches!(name, "script" | "img" | "iframe" | "object" | "embed" | "svg" | "math" | "style"),
            "<{name}> in {html}"
        );
        for (attr, value) in el.attrs() {
            assert!(!attr.to_ascii_lowercase().starts_with("on"), "{attr} on <{name}> in {html}");
            let value = value.trim().to_ascii_lowercase();
            let scheme_ok =
                !(value.starts_with("javascript:") || value.starts_with("data:") || value.starts_with("vbscript:"));
            assert!(scheme_ok || !matches!(attr, "href" | "src" | "action" | "formaction"), "{attr}={value} in {html}");
        }
    }
}
