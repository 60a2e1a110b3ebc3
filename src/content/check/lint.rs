//! The basics a Markdown linter checks, as far as they matter for a page
//! readers see: in-page links to no heading, sibling headings with the same
//! text, empty and reversed links, reference links to no definition,
//! heading levels that skip one, images without alt text, table rows with
//! more or fewer cells than the header. All warnings: the page still renders,
//! but a reader meets a dead link, a lost cell or a silent image.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::content::markdown::Block;
use crate::content::markdown::Body;
use crate::content::{Article, Problem, Source};

/// Ids the page itself gives (the layout's landmarks).
const PAGE_IDS: [&str; 6] = ["main", "content", "toc", "comments", "respond", "top"];

pub(super) fn check(a: &Article, body: &Body<'_>, src: &Source<'_>) -> Vec<Problem> {
    let at = |offset: usize| a.body_offset + offset;
    let mut out = Vec::new();
    let ids = ids(a);
    let mut image: Option<(usize, bool)> = None;
    let mut code = false;
    for (event, range) in &body.events {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                let dest = dest_url.trim();
                if dest.is_empty() || dest == "#" {
                    out.push(src.warning(
                        at(range.start),
                        "empty-link",
                        "link with no destination: give it one, or remove the brackets",
                    ));
                } else if let Some(id) = dest.strip_prefix('#')
                    && !ids.contains(id)
                    && !id.starts_with("fn")
                {
                    let message = format!(
                        "in-page link to `#{id}`, but no heading has that id: link to a heading's id (its text as a slug, or its {{#id}})"
                    );
                    out.push(src.warning(at(range.start), "broken-anchor", message));
                }
            }
            // A site picture's alt text is an error of its own (`media-alt`).
            Event::Start(Tag::Image { dest_url, .. }) if dest_url.trim().starts_with("media:") => image = None,
            Event::Start(Tag::Image { .. }) => image = Some((range.start, false)),
            Event::End(TagEnd::Image) => {
                if let Some((start, false)) = image.take() {
                    let message = "image without alt text: describe it in the brackets, `![what it shows](...)`";
                    out.push(src.warning(at(start), "image-alt", message));
                }
            }
            Event::Start(Tag::CodeBlock(_)) => code = true,
            Event::End(TagEnd::CodeBlock) => code = false,
            Event::Text(t) => {
                if let Some(img) = image.as_mut().filter(|_| !t.trim().is_empty()) {
                    img.1 = true;
                }
                // One character on: the `[` may open the next event.
                let end = (range.end + 1).min(body.text.len());
                if !code
                    && let Some(i) =
                        body.text.get(range.start..end).and_then(|s| reversed_link(s, &body.text[range.start..]))
                {
                    let message = "`(text)[url]` is a link written back to front: write `[text](url)`";
                    out.push(src.warning(at(range.start + i), "reversed-link", message));
                }
            }
            Event::Start(Tag::Table(aligns)) => out.extend(table(body.text, range.clone(), aligns.len(), a, src)),
            _ => {}
        }
    }
    for (span, label) in &body.broken {
        // `[text][label]` and `[label][]`: a reference written to be one.
        // `[label]` alone is left alone: prose uses brackets (`[sic]`, `[1]`).
        if body.text[span.clone()].contains("][") {
            let message = format!(
                "reference link `[{label}]` has no definition (`[{label}]: url` on a line of its own): it shows as brackets"
            );
            out.push(src.warning(at(span.start), "undefined-reference", message));
        }
    }
    out.extend(headings(a, src));
    out
}

/// Every id the rendered page gives: headings (outline and inside entries),
/// footnotes, the layout's own.
fn ids(a: &Article) -> HashSet<String> {
    let mut ids: HashSet<String> = PAGE_IDS.iter().map(|s| s.to_string()).collect();
    for block in &a.rendered.document.blocks {
        let html = match block {
            Block::Prose { html } => html.as_str(),
            Block::Section { id, html, .. } => {
                ids.insert(id.clone());
                html
            }
            Block::Entry { id, body, .. } => {
                ids.insert(id.clone());
                body
            }
        };
        for (i, _) in html.match_indices(" id=\"") {
            let rest = &html[i + 5..];
            if let Some(end) = rest.find('"') {
                ids.insert(rest[..end].to_owned());
            }
        }
    }
    ids
}

/// `(text)[https://...]` or `(text)[/path]`: where the `(` is, in `text`
/// (`rest` is the source from the same start on, to read the URL).
fn reversed_link(text: &str, rest: &str) -> Option<usize> {
    text.match_indices(")[").find_map(|(i, _)| {
        let after = &rest[i + 2..];
        let url = after.starts_with("http://") || after.starts_with("https://") || after.starts_with('/');
        let open = text[..i].rfind('(');
        (url && after.contains(']')).then_some(open.unwrap_or(i))
    })
}

/// Sibling headings of the outline with the same text, and levels that skip
/// one (the page title is the `h1`).
fn headings(a: &Article, src: &Source<'_>) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut prev = 1u8;
    // Per open parent (by level), the texts already used below it.
    let mut siblings: Vec<(u8, HashMap<String, usize>)> = vec![(1, HashMap::new())];
    for h in &a.rendered.outline {
        if h.level > prev + 1 {
            let message = format!(
                "heading level {} right after level {prev}: a level is skipped, so the outline and table of contents break; use level {}",
                h.level,
                prev + 1
            );
            out.push(src.warning(a.body_offset + h.offset, "heading-level", message));
        }
        prev = h.level;
        while siblings.last().is_some_and(|(l, _)| *l >= h.level) {
            siblings.pop();
        }
        if h.entry.is_none()
            && let Some((_, used)) = siblings.last_mut()
        {
            let key = h.text.trim().to_lowercase();
            if let Some(&first) = used.get(&key) {
                let message = format!(
                    "heading `{}` repeats a sibling heading at line {}: give each its own words, or readers (and the contents) cannot tell them apart",
                    h.text,
                    src.line(a.body_offset + first)
                );
                out.push(src.warning(a.body_offset + h.offset, "duplicate-heading", message));
            } else {
                used.insert(key, h.offset);
            }
        }
        siblings.push((h.level, HashMap::new()));
    }
    out
}

/// Rows of a table with more or fewer cells than its header.
fn table(text: &str, range: std::ops::Range<usize>, columns: usize, a: &Article, src: &Source<'_>) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut offset = range.start;
    for (i, line) in text[range].split_inclusive('\n').enumerate() {
        let at = offset;
        offset += line.len();
        // The header and the delimiter row set the count.
        if i < 2 || line.trim().is_empty() {
            continue;
        }
        let cells = cells(line.trim());
        if cells != columns {
            let message = format!(
                "table row with {cells} cells under a header of {columns}: the page drops or pads cells silently; make every row {columns} cells"
            );
            let lead = line.len() - line.trim_start().len();
            out.push(src.warning(a.body_offset + at + lead, "table-columns", message));
        }
    }
    out
}

/// Cells of a table row: `|` outside code and not escaped, the outer pipes
/// optional.
fn cells(row: &str) -> usize {
    let mut pipes = 0;
    let (mut code, mut escaped) = (false, false);
    for c in row.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '`' => code = !code,
            '|' if !code => pipes += 1,
            _ => {}
        }
    }
    let outer = usize::from(row.starts_with('|')) + usize::from(row.ends_with('|') && row.len() > 1);
    pipes + 1 - outer
}
