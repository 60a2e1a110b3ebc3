//! The shape of a list: entries and their numbering (duplicates, ranks that
//! would not run 1..N, ranks written by hand or by a Markdown list),
//! headings that look like entries but carry no record, links to records and
//! pages, and records too thin for their card.

use std::collections::HashMap;

use pulldown_cmark::{Event, Tag, TagEnd};

use super::{Context, plain};
use crate::content::markdown::Body;
use crate::content::markdown::ListStyle;
use crate::content::{Article, Problem, Record, Source, record};

/// Every structure finding of an article except references to records.
pub(super) fn check(a: &Article, body: &Body<'_>, src: &Source<'_>, ctx: &Context) -> Vec<Problem> {
    let mut out = duplicates(a, src);
    out.extend(ranking(a, src));
    out.extend(hand_ranks(a, src, ctx));
    out.extend(numbered_items(a, body, src, ctx));
    out.extend(entry_like(a, src, ctx));
    out
}

/// Entries and `soundtrack:` links to records the context does not hold.
pub(super) fn unknown_records(a: &Article, src: &Source<'_>, ctx: &Context) -> Vec<(String, Problem)> {
    let refs = a.rendered.references.iter().filter(|r| !r.slug.is_empty() && !ctx.has_record(&r.slug));
    refs.map(|r| {
        let what = if r.entry { "entry links" } else { "link to" };
        let message = format!("{what} unknown soundtrack record `{}` (no soundtracks/{}.toml)", r.slug, r.slug);
        (r.slug.clone(), src.error(a.body_offset + r.offset, "unknown-record", message))
    })
    .collect()
}

fn duplicates(a: &Article, src: &Source<'_>) -> Vec<Problem> {
    let mut first: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::new();
    for e in a.rendered.entries.iter().filter(|e| !e.soundtrack.is_empty()) {
        let at = a.body_offset + e.offset;
        match first.get(e.soundtrack.as_str()) {
            Some(&earlier) => out.push(src.error(
                at,
                "duplicate-entry",
                format!(
                    "`{}` is already an entry at line {}: a list names each record once",
                    e.soundtrack,
                    src.line(earlier)
                ),
            )),
            None => {
                first.insert(&e.soundtrack, at);
            }
        }
    }
    out
}

/// Ranks run 1..N per list: every entry of a ranked article at one heading
/// level, and either all of them under ranking sections or none.
fn ranking(a: &Article, src: &Source<'_>) -> Vec<Problem> {
    let entries = &a.rendered.entries;
    let Some(first) = entries.first().filter(|_| a.front.list == ListStyle::Ranked) else { return Vec::new() };
    let (e, message) = if let Some(e) = entries.iter().find(|e| e.level != first.level) {
        (
            e,
            format!(
                "ranked entries at heading levels {} and {} would be numbered as separate lists: give every entry the same level",
                first.level, e.level
            ),
        )
    } else if let Some(e) =
        entries.iter().find(|e| e.section.is_none()).filter(|_| entries.iter().any(|e| e.section.is_some()))
    {
        (e, "this entry sits outside the sections that rank the other entries, so the numbering would restart: move it under a section heading".to_string())
    } else {
        return Vec::new();
    };
    vec![src.error(a.body_offset + e.offset, "ranking", message)]
}

/// Entry headings (and headings at the entries' level) that write a rank
/// themselves: the site numbers entries, so `1. Jaws` would show `1. 1. Jaws`.
fn hand_ranks(a: &Article, src: &Source<'_>, ctx: &Context) -> Vec<Problem> {
    let levels = entry_levels(a);
    let mut out = Vec::new();
    for h in &a.rendered.outline {
        let Some(marker) = rank_marker(&h.text) else { continue };
        let titles = match h.entry {
            Some(i) => titles(ctx, &a.rendered.entries[i].soundtrack),
            None if levels.contains(&h.level) => Vec::new(),
            None => continue,
        };
        // `#1 Cheerleader Camp` is a title, not a rank.
        let text = plain(&h.text);
        if titles.iter().any(|t| !t.is_empty() && text.starts_with(t.as_str())) {
            continue;
        }
        let message = match (h.entry, a.front.list) {
            (Some(_), ListStyle::Ranked) => format!(
                "heading starts with the rank `{marker}`, but the site numbers entries itself and would show it twice: remove it"
            ),
            (Some(_), _) => format!(
                "heading starts with the rank `{marker}`, but this list is not ranked: remove it, or set list = \"ranked\""
            ),
            (None, _) => format!(
                "section heading numbered `{marker}` like an entry: sections are never ranked, remove the number"
            ),
        };
        out.push(src.error(a.body_offset + h.offset, "rank-in-heading", message));
    }
    out
}

/// `1.`, `3)`, `#3`, `No. 2`, `Number 4`, `5 –` at the start of a heading.
fn rank_marker(text: &str) -> Option<String> {
    let t = text.trim_start_matches(|c: char| c.is_whitespace() || "\"'“‘*_".contains(c));
    for prefix in ["#", "no.", "nº", "no ", "number ", "rank "] {
        if let Some(rest) = t.get(..prefix.len()).filter(|p| p.eq_ignore_ascii_case(prefix)).map(|_| &t[prefix.len()..])
        {
            let rest = rest.trim_start();
            let digits = rest.chars().take_while(char::is_ascii_digit).count();
            return (digits > 0).then(|| t[..t.len() - rest.len() + digits].to_owned());
        }
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    let rest = &t[digits..];
    let mark = if rest.starts_with(['.', ')', ':']) {
        rest.chars().nth(1).is_none_or(char::is_whitespace).then_some(digits + 1)
    } else {
        (rest.starts_with(' ') && rest.trim_start().starts_with(['-', '–', '—'])).then_some(digits)
    };
    mark.filter(|_| (1..=3).contains(&digits)).map(|n| t[..n].to_owned())
}

/// A title numbered by Markdown or by hand, followed by its prose: an
/// entry written as `1. Blade Runner (1982)` instead of a heading, as a
/// scraped page delivers it. Caught in every shape a paste leaves: a
/// one-item `1.` list followed by a paragraph, or with the body glued under
/// the title line (no blank line); a paragraph opening with `1.“Title”`,
/// `(1)`, `[1]`, `IV.` or full-width `１.`. A title counts when it has a
/// year, names a record's film, or the numbering restarts at 1 twice; in a
/// list with entries, a lone `1. Closing thoughts` counts too. A numbered
/// list broken by prose but counting on (`1.` prose `2.` prose: an annotated
/// track list) is deliberate and fine.
fn numbered_items(a: &Article, body: &Body<'_>, src: &Source<'_>, ctx: &Context) -> Vec<Problem> {
    let mut found: Vec<Numbered> = Vec::new();
    // The top-level block being read: a list (start, items, first item's
    // lines) or a paragraph (its lines).
    let mut depth = 0usize;
    let mut list: Option<(u64, usize, Vec<String>, usize)> = None;
    let mut para: Option<(usize, Vec<String>)> = None;
    let mut awaiting: Option<usize> = None; // index in `found` waiting for its prose
    for (event, range) in &body.events {
        if let Event::Start(tag) = event
            && depth == 0
            && para.is_none()
            && let Some(i) = awaiting.take()
        {
            found[i].followed = matches!(tag, Tag::Paragraph);
        }
        match event {
            Event::Start(Tag::List(first)) => {
                if depth == 0 {
                    let indent =
                        body.text[range.start..].len() - body.text[range.start..].trim_start_matches(' ').len();
                    list = first.map(|n| (n, 0, vec![String::new()], range.start + indent));
                }
                depth += 1;
            }
            Event::End(TagEnd::List(_)) => {
                depth = depth.saturating_sub(1);
                if depth == 0
                    && let Some((start, 1, lines, offset)) = list.take()
                {
                    let title = lines.first().map(|l| l.trim().to_owned()).unwrap_or_default();
                    let glued = lines.iter().skip(1).any(|l| !l.trim().is_empty());
                    if looks_like_title(&title) {
                        found.push(Numbered { offset, title, start: Some(start), followed: glued });
                        if !glued {
                            awaiting = Some(found.len() - 1);
                        }
                    }
                }
            }
            Event::Start(Tag::Item) if depth == 1 => {
                if let Some(l) = list.as_mut() {
                    l.1 += 1;
                }
            }
            Event::Start(Tag::Paragraph) if depth == 0 => para = Some((range.start, vec![String::new()])),
            Event::End(TagEnd::Paragraph) if depth == 0 => {
                if let Some((offset, lines)) = para.take()
                    && let Some(first) = lines.first()
                    && let Some(title) = hand_numbered(first)
                    && looks_like_title(title)
                {
                    let glued = lines.iter().skip(1).any(|l| !l.trim().is_empty());
                    found.push(Numbered { offset, title: first.trim().to_owned(), start: None, followed: glued });
                    if !glued {
                        awaiting = Some(found.len() - 1);
                    }
                }
            }
            Event::Text(t) | Event::Code(t) => {
                let lines = match (depth, list.as_mut(), para.as_mut()) {
                    (0, _, Some(p)) => Some(&mut p.1),
                    (d, Some(l), _) if d > 0 && l.1 == 1 => Some(&mut l.2),
                    _ => None,
                };
                if let Some(last) = lines.and_then(|l| l.last_mut()) {
                    last.push_str(t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                let lines = match (depth, list.as_mut(), para.as_mut()) {
                    (0, _, Some(p)) => Some(&mut p.1),
                    (d, Some(l), _) if d > 0 && l.1 == 1 => Some(&mut l.2),
                    _ => None,
                };
                if let Some(l) = lines {
                    l.push(String::new());
                }
            }
            _ => {}
        }
    }
    // `1.` prose `2.` prose counts on: a list the writer numbered on purpose.
    let starts: Vec<u64> = found.iter().filter_map(|n| n.start).collect();
    let mut k = 0usize;
    let counted_on: Vec<bool> = found
        .iter()
        .map(|n| {
            let Some(s) = n.start else { return false };
            let (prev, next) = (k.checked_sub(1).and_then(|p| starts.get(p)), starts.get(k + 1));
            k += 1;
            next == Some(&(s + 1)) || prev.is_some_and(|&p| p + 1 == s)
        })
        .collect();
    let restarts = found.iter().filter(|n| n.followed && n.start == Some(1)).count()
        + found.iter().filter(|n| n.followed && n.start.is_none()).count();
    let in_list = a.front.list != ListStyle::None && !a.rendered.entries.is_empty();
    let names_a_film = |text: &str| {
        let text = format!(" {} ", plain(text));
        ctx.names.values().any(|n| {
            let film = plain(&n.film);
            film.len() >= 4 && text.contains(&format!(" {film} "))
        })
    };
    found
        .into_iter()
        .zip(counted_on)
        .filter(|(n, counted_on)| n.followed && !counted_on)
        .filter(|(n, _)| {
            restarts >= 2 || has_year(&n.title) || names_a_film(&n.title) || (in_list && n.start == Some(1))
        })
        .map(|(n, _)| {
            let how = match n.start {
                Some(_) => "is a one-item numbered list, so every such title shows 1",
                None => "is numbered by hand, so the number is part of the text",
            };
            let message = format!("title numbered like a list entry: `{}` {how}; make an entry a heading such as `## Title {{soundtrack=slug}}`, and a section a plain `## Title`", n.title);
            src.error(a.body_offset + n.offset, "list-numbered", message)
        })
        .collect()
}

/// A numbered title found in the body.
struct Numbered {
    offset: usize,
    title: String,
    /// A Markdown list's start number; `None` for a number typed by hand.
    start: Option<u64>,
    /// Prose follows: glued under it, or as the next paragraph.
    followed: bool,
}

/// The rest of a line that opens with a number typed by hand: `1.“Title”`,
/// `(1)`, `[1]`, `#1`, `IV.`, `１．`.
fn hand_numbered(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let number = |s: &str| {
        let n: usize = s.chars().take_while(|&c| digit(c)).map(char::len_utf8).sum();
        (1..=9).contains(&s[..n].chars().count()).then_some(n)
    };
    let rest = if let Some(inner) = t.strip_prefix('(').or_else(|| t.strip_prefix('[')) {
        let n = number(inner)?;
        inner[n..].strip_prefix([')', ']'])?
    } else if let Some(n) = number(t) {
        t[n..].strip_prefix(['.', ')', '．', '）'])?
    } else {
        let n = t.chars().take_while(|c| "IVXLC".contains(*c)).count();
        if n == 0 || n > 6 {
            return None;
        }
        t[n..].strip_prefix(['.', ')'])?.strip_prefix(' ')?
    };
    let rest = rest.trim_start();
    // A title follows: a capital, a digit or an opening quote or emphasis.
    rest.starts_with(|c: char| c.is_uppercase() || c.is_ascii_digit() || "“\"‘'*_«".contains(c)).then_some(rest)
}

/// One short line that does not end a sentence.
fn looks_like_title(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty()
        && !t.contains('\n')
        && t.chars().count() <= 120
        && t.split_whitespace().count() <= 15
        && !t.ends_with(['.', '!', ';', ','])
}

/// `(1982)`: a film's year, as titles of entries write it.
fn has_year(text: &str) -> bool {
    text.match_indices('(').any(|(i, _)| {
        let year = text[i + 1..].get(..5).unwrap_or_default();
        year.ends_with(')') && year[..4].chars().all(|c| c.is_ascii_digit()) && matches!(&year[..2], "18" | "19" | "20")
    })
}

/// A heading at the entries' level that carries no record but names a
/// record's film, or gives a year like an entry title does.
fn entry_like(a: &Article, src: &Source<'_>, ctx: &Context) -> Vec<Problem> {
    if a.front.list == ListStyle::None {
        return Vec::new();
    }
    let levels = entry_levels(a);
    // Headings between entries are already errors.
    let erred: Vec<usize> = a.rendered.issues.iter().map(|i| i.offset).collect();
    let mut out = Vec::new();
    for h in a.rendered.outline.iter().filter(|h| h.entry.is_none() && levels.contains(&h.level)) {
        if erred.contains(&h.offset) {
            continue;
        }
        let text = plain(strip_year(&h.text));
        let film = ctx.names.iter().find(|(_, n)| plain(&n.film) == text || n.album.iter().any(|t| plain(t) == text));
        let message = match film {
            Some((slug, _)) => format!(
                "heading `{}` names the film of record `{slug}` but carries no record: if it is an entry, end it with {{soundtrack={slug}}}",
                h.text
            ),
            None if has_year(&h.text) => format!(
                "heading `{}` reads like an entry (a title and a year) but carries no record: add {{soundtrack=slug}}",
                h.text
            ),
            None => continue,
        };
        out.push(src.warning(a.body_offset + h.offset, "heading-without-record", message));
    }
    out
}

fn strip_year(text: &str) -> &str {
    match text.rfind('(') {
        Some(i) if has_year(&text[i..]) => &text[..i],
        _ => text,
    }
}

fn entry_levels(a: &Article) -> Vec<u8> {
    let mut levels: Vec<u8> = a.rendered.entries.iter().map(|e| e.level).collect();
    levels.dedup();
    levels
}

/// The film and album titles of a record, normalised.
fn titles(ctx: &Context, slug: &str) -> Vec<String> {
    ctx.names
        .get(slug)
        .map(|n| std::iter::once(&n.film).chain(&n.album).map(|t| plain(t)).collect())
        .unwrap_or_default()
}

/// Links to internal pages that do not exist, and `person:` links whose
/// slug no record credits.
pub(super) fn links(a: &Article, src: &Source<'_>, ctx: &Context) -> Vec<Problem> {
    let mut out = Vec::new();
    for link in &a.rendered.links {
        let dest = link.dest.trim();
        let reason = if let Some(slug) = dest.strip_prefix("person:") {
            (!ctx.people.contains(slug)).then(|| format!("no record credits anyone whose name gives the slug `{slug}`"))
        } else if let Some(path) = dest.strip_prefix('/').filter(|p| !p.starts_with('/')) {
            let path = path.split(['?', '#']).next().unwrap_or_default();
            let mut parts = path.split('/');
            let (kind, slug) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
            let known = match kind {
                "articles" => ctx.articles.contains(slug),
                "soundtracks" => ctx.has_record(slug),
                "people" => ctx.people.contains(slug),
                "tags" => ctx.tags.contains(slug),
                _ => true,
            };
            (!known && !slug.is_empty()).then(|| format!("there is no page {}", path.trim_end_matches('/')))
        } else {
            None
        };
        if let Some(reason) = reason {
            let message = format!("link to `{dest}` leads nowhere: {reason}");
            out.push(src.warning(a.body_offset + link.offset, "unknown-link", message));
        }
    }
    out
}

/// A record whose card would credit nobody but the director, or list no
/// track. Label and release date are shown when known and not required.
pub(super) fn incomplete(r: &Record, src: &Source<'_>) -> Vec<Problem> {
    let at = |key: &str| match record::key_line(src.text, key) {
        0 => 0,
        line => src.line_offset(line),
    };
    let mut out = Vec::new();
    if r.composers.is_empty() && r.music_supervisors.is_empty() && r.artists.is_empty() {
        let message = "the card would credit nobody but the director: name its composers, music_supervisors or artists";
        out.push(src.warning(at("composers"), "record-incomplete", message));
    }
    if r.tracks.is_empty() {
        let message = "the card would list no notable tracks: add a [[tracks]] table or two";
        out.push(src.warning(at("tracks"), "record-incomplete", message));
    }
    out
}
