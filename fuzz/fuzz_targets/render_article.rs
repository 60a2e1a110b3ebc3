//! Fuzzes the article renderer (what the import and the editor desk store):
//! any text as an article body, in each list style. It must never panic,
//! never take a second, and its HTML must stay a bounded multiple of its
//! input, or a small file could make a page of gigabytes.

#![no_main]

use cuesheet::content::markdown::{Block, ListOrder, ListStyle, render};
use libfuzzer_sys::fuzz_target;

/// Output bytes allowed per input byte, plus a constant for the smallest
/// inputs (`#` alone is an `<h1>` with an id). Ordinary Markdown stays under
/// 8; a footnote reference (`[^a]`, 4 bytes, about 60 of HTML) is the
/// costliest construct found.
const GROWTH: usize = 24;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else { return };
    // The list style from the length, so that every byte is Markdown (the
    // seeds are whole articles) and every style gets its share.
    let style = [ListStyle::Ranked, ListStyle::Unranked, ListStyle::None][body.len() % 3];
    let order = if body.len() / 3 % 2 == 0 { ListOrder::Ascending } else { ListOrder::Countdown };
    let rendered = render(body, style, order);
    let html: usize = rendered
        .document
        .blocks
        .iter()
        .map(|b| match b {
            Block::Prose { html } => html.len(),
            Block::Section { id, html, .. } => id.len() + html.len(),
            Block::Entry { id, html, body, soundtrack, .. } => id.len() + html.len() + body.len() + soundtrack.len(),
        })
        .sum();
    assert!(html <= GROWTH * body.len() + 256, "{html} bytes of HTML from {} of Markdown", body.len());
    for e in &rendered.entries {
        assert!(e.offset <= body.len() && body.is_char_boundary(e.offset));
    }
    for i in &rendered.issues {
        assert!(i.offset <= body.len() && body.is_char_boundary(i.offset), "{i:?}");
    }
});
