//! Moving an entry of a list up or down in its Markdown: the entry's heading
//! and everything under it swap places with the neighbouring entry, so a
//! ranked list renumbers itself from the new order.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// The byte ranges of the entries (headings carrying `soundtrack=`) at the
/// top level of `body`, each with its heading level: from the heading to the
/// next heading of the same or a higher level.
pub fn entry_ranges(body: &str) -> Vec<(u8, Range<usize>)> {
    let mut headings: Vec<(u8, usize, bool)> = Vec::new();
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(body, super::markdown::options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Item | Tag::BlockQuote(_)) => depth += 1,
            Event::End(TagEnd::Item | TagEnd::BlockQuote(_)) => depth = depth.saturating_sub(1),
            Event::Start(Tag::Heading { level, attrs, .. }) if depth == 0 => {
                let entry = attrs.iter().any(|(k, _)| k.as_ref() == "soundtrack");
                headings.push((level as u8, range.start, entry));
            }
            _ => {}
        }
    }
    headings
        .iter()
        .enumerate()
        .filter(|(_, h)| h.2)
        .map(|(i, &(level, start, _))| {
            let end = headings[i + 1..].iter().find(|h| h.0 <= level).map_or(body.len(), |h| h.1);
            (level, start..end)
        })
        .collect()
}

/// `body` with entry `index` moved one place up (or down); `None` when it
/// cannot move (first or last, or its neighbour is not next to it at the
/// same level).
pub fn move_entry(body: &str, index: usize, up: bool) -> Option<String> {
    let ranges = entry_ranges(body);
    let (a, b) = if up { (index.checked_sub(1)?, index) } else { (index, index + 1) };
    let ((la, ra), (lb, rb)) = (ranges.get(a)?.clone(), ranges.get(b)?.clone());
    if la != lb || ra.end != rb.start {
        return None;
    }
    let block = |r: &Range<usize>| format!("{}\n\n", body[r.clone()].trim_end());
    let mut out = String::with_capacity(body.len() + 4);
    out.push_str(&body[..ra.start]);
    out.push_str(&block(&rb));
    out.push_str(&block(&ra));
    let rest = &body[rb.end..];
    if rest.is_empty() {
        out.truncate(out.trim_end().len());
        out.push('\n');
    } else {
        out.push_str(rest);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "Intro.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n\n### A note\n\nMore.\n\n## Jaws {soundtrack=jaws-1975}\n\nTwo notes.\n\n## Coda\n\nEnd.\n";

    #[test]
    fn moves_whole_entries_and_keeps_the_rest() {
        let moved = move_entry(BODY, 1, true).unwrap_or_default();
        assert_eq!(
            moved,
            "Intro.\n\n## Jaws {soundtrack=jaws-1975}\n\nTwo notes.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n\n### A note\n\nMore.\n\n## Coda\n\nEnd.\n"
        );
        assert_eq!(move_entry(&moved, 0, false).as_deref(), Some(BODY));
        assert_eq!(move_entry(BODY, 0, true), None);
        assert_eq!(move_entry(BODY, 1, false), None);
        let last = "## A {soundtrack=a}\n\nx\n\n## B {soundtrack=b}\n\ny";
        assert_eq!(
            move_entry(last, 1, true).as_deref(),
            Some("## B {soundtrack=b}\n\ny\n\n## A {soundtrack=a}\n\nx\n")
        );
    }
}
