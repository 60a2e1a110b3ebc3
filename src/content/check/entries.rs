//! Entries that lost their heading in a paste: the text of one film arrives
//! as one more paragraph of the entry before it, under a bold line
//! (`**Stigmata**`), with its record attribute left as dead text
//! (`**Stigmata** {soundtrack=stigmata-1999}`), or bare. The page would show
//! one entry's card over two films' prose.
//!
//! - `{soundtrack=...}` anywhere but a heading is always an error: the
//!   attribute only works there.
//! - A paragraph of an entry's body (not its first) that opens with a bold
//!   or quoted title and a year, or with a bold line naming another record's
//!   film, reads as a different film: an error.
//! - A bold title line alone, or a paragraph that names another record's film
//!   or its director, composer or music supervisor and nothing of the
//!   entry's own record, is a warning: it may be a comparison.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::{Context, plain};
use crate::content::markdown::Body;
use crate::content::{Article, Problem, Source};

const CODE: &str = "entry-without-heading";

/// A top-level paragraph as read: where it starts, its first line's text,
/// whether that line is all bold, and all its text.
#[derive(Default)]
struct Para {
    offset: usize,
    first: String,
    bold_first: bool,
    text: String,
    line_done: bool,
    /// The bold text the paragraph opens with, if it opens bold.
    lead: Option<String>,
    /// Still inside that opening bold span.
    in_lead: bool,
}

pub(super) fn check(a: &Article, body: &Body<'_>, src: &Source<'_>, ctx: &Context) -> Vec<Problem> {
    let mut out = Vec::new();
    // Literal record attributes outside headings, in any text.
    let mut heading = 0usize;
    let mut code = false;
    for (event, range) in &body.events {
        match event {
            Event::Start(Tag::Heading { .. }) => heading += 1,
            Event::End(TagEnd::Heading(_)) => heading = heading.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) => code = true,
            Event::End(TagEnd::CodeBlock) => code = false,
            Event::Text(t) if heading == 0 && !code && t.contains("{soundtrack") => {
                let at = body.text[range.clone()].find("{soundtrack").map_or(range.start, |i| range.start + i);
                let message = "`{soundtrack=...}` outside a heading does nothing: this is an entry that lost its heading; make the title line a heading such as `## Title {soundtrack=slug}`";
                out.push(src.error(a.body_offset + at, CODE, message));
            }
            _ => {}
        }
    }

    // Entry bodies: from each entry heading to the next heading of the outline.
    let outline = &a.rendered.outline;
    let spans: Vec<(usize, usize, usize)> = outline
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.entry.map(|e| (e, h.offset, outline.get(i + 1).map_or(a.body.len(), |n| n.offset))))
        .collect();
    if spans.is_empty() {
        return out;
    }
    let films = ctx.films();
    let mut span = 0usize;
    let mut seen_in_span = 0usize;
    let mut depth = 0usize;
    let mut para: Option<Para> = None;
    let mut strong = 0usize;
    for (event, range) in &body.events {
        while span < spans.len() && range.start >= spans[span].2 {
            span += 1;
            seen_in_span = 0;
        }
        let Some(&(entry, start, _)) = spans.get(span) else { break };
        if range.start < start {
            continue;
        }
        match event {
            Event::Start(Tag::Paragraph) if depth == 0 => {
                para = Some(Para { offset: range.start, bold_first: true, ..Para::default() });
            }
            Event::End(TagEnd::Paragraph) if depth == 0 => {
                seen_in_span += 1;
                if let Some(p) = para.take()
                    && seen_in_span > 1
                {
                    let own = &a.rendered.entries[entry].soundtrack;
                    out.extend(judge(&p, own, films, ctx).map(|(severity_error, message)| {
                        if severity_error {
                            src.error(a.body_offset + p.offset, CODE, message)
                        } else {
                            src.warning(a.body_offset + p.offset, CODE, message)
                        }
                    }));
                }
            }
            Event::Start(Tag::List(_) | Tag::BlockQuote(_) | Tag::Table(_) | Tag::FootnoteDefinition(_)) => depth += 1,
            Event::End(TagEnd::List(_) | TagEnd::BlockQuote(_) | TagEnd::Table | TagEnd::FootnoteDefinition) => {
                depth = depth.saturating_sub(1);
            }
            Event::Start(Tag::Strong) => {
                strong += 1;
                if let Some(p) = para.as_mut()
                    && p.text.trim().is_empty()
                    && p.lead.is_none()
                {
                    p.lead = Some(String::new());
                    p.in_lead = true;
                }
            }
            Event::End(TagEnd::Strong) => {
                strong = strong.saturating_sub(1);
                if let Some(p) = para.as_mut().filter(|_| strong == 0) {
                    p.in_lead = false;
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(p) = para.as_mut() {
                    if p.in_lead
                        && let Some(lead) = p.lead.as_mut()
                    {
                        lead.push_str(t);
                    }
                    p.text.push_str(t);
                    if !p.line_done {
                        let dead = t.trim_start().starts_with("{soundtrack");
                        if strong == 0 && !t.trim().is_empty() && !dead {
                            p.bold_first = false;
                        }
                        if strong > 0 {
                            p.first.push_str(t);
                        }
                    }
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(p) = para.as_mut() {
                    p.text.push(' ');
                    p.line_done = true;
                }
            }
            _ => {}
        }
    }
    out
}

/// What a later paragraph of entry `own`'s body says about itself: an
/// error (true) or a warning, with the message; nothing if it is prose.
fn judge(p: &Para, own: &str, films: &[(String, String, String)], ctx: &Context) -> Option<(bool, String)> {
    let bold = p.bold_first && !p.first.trim().is_empty();
    let title = if bold {
        p.first.trim().to_owned()
    } else {
        quoted_start(&p.text).or_else(|| p.lead.as_ref().map(|l| l.trim().to_owned())).unwrap_or_default()
    };
    let after =
        if bold || !title.is_empty() { p.text.trim_start().get(..title.len() + 12).unwrap_or(&p.text) } else { "" };
    let year = !title.is_empty() && has_year_after(&p.text, &title) || has_paren_year(after);
    let other_film = |text: &str| {
        let text = format!(" {} ", plain(text));
        films.iter().find(|(slug, _, film)| slug != own && film.len() >= 4 && text.contains(&format!(" {film} ")))
    };
    if !title.is_empty() && title.split_whitespace().count() <= 12 && !title.ends_with(['?', ':', '.']) {
        if year {
            return Some((
                true,
                format!(
                    "`{title}` and a year open a paragraph of another entry's body: this reads as an entry that lost its heading; make `{title}` a heading with its {{soundtrack=slug}}"
                ),
            ));
        }
        if bold {
            if let Some((slug, _, _)) = other_film(&title).filter(|_| plain(&title).len() >= 4) {
                return Some((
                    true,
                    format!(
                        "bold line `{title}` names the film of record `{slug}` inside another entry's body: an entry that lost its heading; write `## {title} {{soundtrack={slug}}}`"
                    ),
                ));
            }
            return Some((
                false,
                format!(
                    "bold line `{title}` inside an entry's body reads like a title: if it starts another entry, make it a heading with {{soundtrack=slug}}"
                ),
            ));
        }
    }
    // A bare paragraph about another record's film: named in its first
    // sentence, with nothing of the entry's own record anywhere in it.
    let names_own = ctx.names.get(own).is_some_and(|n| {
        let text = format!(" {} ", plain(&p.text));
        let own_names = std::iter::once(&n.film).chain(&n.album).chain(&n.people).chain(&n.tracks);
        own_names.filter(|w| !w.trim().is_empty()).any(|w| {
            let w = plain(w);
            w.len() >= 4 && text.contains(&format!(" {w} "))
        })
    });
    if names_own {
        return None;
    }
    let first = first_sentence(&p.text);
    if let Some((slug, film, _)) = films.iter().find(|(slug, film, _)| slug != own && written(first, film)) {
        return Some((
            false,
            format!(
                "this paragraph of the entry `{own}` opens on `{film}` (record `{slug}`) and names nothing of its own record: an entry that lost its heading? give it one with {{soundtrack={slug}}}"
            ),
        ));
    }
    let maker = ctx.names.iter().filter(|(slug, _)| slug.as_str() != own).find_map(|(slug, n)| {
        n.makers.iter().find(|m| m.split_whitespace().count() >= 2 && written(first, m)).map(|m| (slug, m))
    });
    maker.map(|(slug, m)| (false, format!("this paragraph of the entry `{own}` opens on `{m}` of record `{slug}` and names nothing of its own record: an entry that lost its heading? give it one with {{soundtrack={slug}}}")))
}

/// Up to the first full stop, question or exclamation mark and a space.
fn first_sentence(text: &str) -> &str {
    let end = text
        .match_indices(['.', '!', '?'])
        .map(|(i, _)| i + 1)
        .find(|&i| text[i..].starts_with(' ') || i == text.len());
    &text[..end.unwrap_or(text.len())]
}

/// A title as written (capitalised, whole words) in `text`.
fn written(text: &str, title: &str) -> bool {
    let title = title.trim();
    if title.chars().count() < 4 || !title.starts_with(char::is_uppercase) {
        return false;
    }
    text.match_indices(title).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + title.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// `“Stigmata” (1999)`: a quoted title at the start of a paragraph.
fn quoted_start(text: &str) -> Option<String> {
    let t = text.trim_start();
    let close = match t.chars().next()? {
        '“' => '”',
        '"' => '"',
        '‘' => '’',
        '«' => '»',
        _ => return None,
    };
    let inner = &t[t.chars().next()?.len_utf8()..];
    let end = inner.find(close)?;
    Some(inner[..end].trim().to_owned()).filter(|s| !s.is_empty() && s.starts_with(char::is_uppercase))
}

/// A `(1999)` or `– 1999` right after the title.
fn has_year_after(text: &str, title: &str) -> bool {
    let Some(i) = text.find(title) else { return false };
    let rest = text[i + title.len()..].trim_start_matches(['”', '"', '’', '*', '_', ' ', '\u{a0}']);
    has_paren_year(rest.get(..rest.len().min(12)).unwrap_or(rest))
}

fn has_paren_year(text: &str) -> bool {
    let t = text.trim_start();
    let t = t.strip_prefix('(').or_else(|| t.strip_prefix(['–', '—', '-', ','])).unwrap_or(t).trim_start();
    let digits: String = t.chars().take_while(char::is_ascii_digit).collect();
    digits.len() == 4 && matches!(&digits[..2], "18" | "19" | "20")
}
