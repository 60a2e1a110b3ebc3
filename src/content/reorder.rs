//! Changing a list's Markdown from the desk: moving an entry up or down (the
//! entry's heading and everything under it swap places with the
//! neighbouring entry, so a ranked list renumbers itself from the new order)
//! and inserting a new entry between blocks, never inside one.

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

/// `body` with `block` (a whole entry: heading and text) inserted at a block
/// boundary, set apart by blank lines: after the top-level block the byte
/// offset `cursor` is in (or last passed), at the very start when it is
/// before every block, and at the end without a cursor. A block is never
/// split: a cursor inside a paragraph, list, quote or code block puts the
/// entry after all of it.
pub fn insert_block(body: &str, cursor: Option<usize>, block: &str) -> String {
    let at = match cursor {
        None => body.len(),
        Some(c) => {
            let mut depth = 0usize;
            let mut at = 0;
            for (event, range) in Parser::new_ext(body, super::markdown::options()).into_offset_iter() {
                match event {
                    Event::Start(_) => {
                        if depth == 0 && range.start <= c {
                            at = range.end;
                        }
                        depth += 1;
                    }
                    Event::End(_) => depth = depth.saturating_sub(1),
                    // A rule or an HTML line is a block of its own.
                    Event::Rule | Event::Html(_) if depth == 0 && range.start <= c => at = range.end,
                    _ => {}
                }
            }
            // Ranges end on character boundaries; anything else is the end.
            if body.is_char_boundary(at) { at } else { body.len() }
        }
    };
    let (before, after) = body.split_at(at);
    let (before, after) = (before.trim_end_matches(['\n', '\r']), after.trim_start_matches(['\n', '\r']));
    let mut out = String::with_capacity(body.len() + block.len() + 4);
    if !before.is_empty() {
        out.push_str(before);
        out.push_str("\n\n");
    }
    out.push_str(block.trim_end());
    out.push('\n');
    if !after.is_empty() {
        out.push('\n');
        out.push_str(after);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_whole_entries_between_blocks() {
        let entry = "## Psycho {soundtrack=psycho-1960}\n\nWhy.";
        // At the end by default.
        assert_eq!(insert_block("Intro.\n", None, entry), format!("Intro.\n\n{entry}\n"));
        assert_eq!(insert_block("", None, entry), format!("{entry}\n"));
        // A cursor at the start of the intro (where a script once glued the
        // attribute onto its first word): after the intro, never inside it.
        assert_eq!(
            insert_block(BODY, Some(0), entry),
            BODY.replacen("Intro.\n\n", &format!("Intro.\n\n{entry}\n\n"), 1)
        );
        // Inside a paragraph of several lines: after the whole paragraph.
        let body = "One line\nand its second line.\n\nNext.\n";
        assert_eq!(insert_block(body, Some(3), entry), format!("One line\nand its second line.\n\n{entry}\n\nNext.\n"));
        // Inside a list: after the whole list, so the heading is no list item.
        let body = "1. one\n2. two\n\nAfter.\n";
        assert_eq!(insert_block(body, Some(4), entry), format!("1. one\n2. two\n\n{entry}\n\nAfter.\n"));
        // On a blank line between blocks: after the block before it.
        let body = "First.\n\n\nSecond.\n";
        assert_eq!(insert_block(body, Some(8), entry), format!("First.\n\n{entry}\n\nSecond.\n"));
        // Past the end.
        assert_eq!(insert_block("Only.", Some(99), entry), format!("Only.\n\n{entry}\n"));
    }

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
