//! FAQ sections (a heading with "FAQ" or "Frequently asked questions") whose
//! questions mention nothing the article is about: no word of film music,
//! no film, person, album or track of the records it uses, none of its tags.
//! The boilerplate FAQ the source article carried ("How long does it
//! typically take to see results?") is the case this exists for.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{Event, Tag, TagEnd};

use super::{Context, plain};
use crate::content::markdown::Body;
use crate::content::{Article, Problem, Source};

/// Words of the subject itself, matched as prefixes (`soundtracks`,
/// `composer`, `orchestral`).
const TOPIC: &[&str] = &[
    "soundtrack",
    "score",
    "scoring",
    "compos",
    "music",
    "song",
    "album",
    "film",
    "movie",
    "cinema",
    "track",
    "theme",
    "orchestr",
    "sound",
    "listen",
    "record",
    "director",
    "supervis",
    "scene",
    "oscar",
    "grammy",
    "academy",
    "award",
    "chart",
    "billboard",
    "singer",
    "artist",
    "lyric",
    "melod",
    "vinyl",
    "synth",
    "guitar",
    "piano",
    "diegetic",
    "leitmotif",
    "concert",
    // The craft's own terms: questions a film-music FAQ really asks.
    "ostinat",
    "shepard",
    "mickey",
    "mousing",
    "stinger",
    "underscor",
    "spotting",
    "motif",
    "overture",
    "chord",
    "harmon",
    "tempo",
    "rhythm",
    "instrument",
    "violin",
    "cello",
    "drum",
    "percuss",
    "choir",
    "choral",
    "vocal",
    "singing",
    "crescendo",
    "fanfare",
    "needle",
    "foley",
    "licens",
    "royalt",
    "whistl",
    "trailer",
    "montage",
    "audio",
    "string",
    "brass",
    "playlist",
    "remix",
    "sampl",
    "temp-track",
];

/// Short topic words, matched whole (with a plural `s`).
const TOPIC_WORDS: &[&str] = &[
    "band", "cue", "tune", "jazz", "rock", "pop", "punk", "disco", "folk", "blues", "rap", "opera", "genre", "hit",
    "temp", "mix", "sync", "key", "bpm", "beat", "loop", "hum", "tone", "horn", "bass", "note", "sing", "sung",
    "credit",
];

/// Words too common to tie a question to a record (`Time` is a track of Inception).
const COMMON: [&str; 40] = [
    "about", "after", "also", "back", "been", "best", "come", "could", "does", "down", "each", "ever", "every",
    "first", "from", "good", "great", "have", "here", "into", "just", "last", "life", "like", "long", "love", "main",
    "make", "many", "more", "most", "much", "never", "night", "only", "over", "some", "take", "that", "time",
];

pub(super) fn check(a: &Article, body: &Body<'_>, src: &Source<'_>, ctx: &Context) -> Vec<Problem> {
    let outline = &a.rendered.outline;
    // Every FAQ section as (heading index, end offset); the questions
    // written in paragraphs are gathered once, in order, and handed out by
    // offset, so a thousand FAQ sections cost one pass.
    let sections: Vec<(usize, usize)> = outline
        .iter()
        .enumerate()
        .filter(|(_, h)| is_faq(&h.text))
        .map(|(i, h)| {
            let end = outline[i + 1..].iter().find(|n| n.level <= h.level).map_or(a.body.len(), |n| n.offset);
            (i, end)
        })
        .collect();
    if sections.is_empty() {
        return Vec::new();
    }
    let vocabulary = vocabulary(a, ctx);
    let written = written_questions(body);
    let mut out = Vec::new();
    // Whether each question is off topic, decided once per wording: an
    // article repeating its FAQ asks the same questions again.
    let mut off_topic: HashMap<&str, bool> = HashMap::new();
    let (mut questions, mut seen) = (Vec::new(), HashSet::new());
    for (i, end) in sections {
        let h = &outline[i];
        questions.clear();
        questions.extend(
            outline[i + 1..]
                .iter()
                .take_while(|n| n.level > h.level && !is_faq(&n.text))
                .map(|n| (n.offset, n.text.as_str())),
        );
        let from = written.partition_point(|(at, _)| *at < h.offset);
        questions.extend(written[from..].iter().take_while(|(at, _)| *at < end).map(|(at, q)| (*at, q.as_str())));
        seen.clear();
        for &(offset, q) in &questions {
            if seen.insert(q) && *off_topic.entry(q).or_insert_with(|| !on_topic(q, &vocabulary)) {
                let message = format!(
                    "FAQ question `{q}` mentions nothing from this article or its records: boilerplate? answer what readers of this list ask"
                );
                out.push(src.warning(a.body_offset + offset, "faq-off-topic", message));
            }
        }
    }
    out
}

fn is_faq(heading: &str) -> bool {
    if heading.is_ascii() {
        // Most headings: compared where they stand, without a lowercase copy.
        let has = |word: &str| heading.as_bytes().windows(word.len()).any(|w| w.eq_ignore_ascii_case(word.as_bytes()));
        return has("faq") || has("frequently asked questions");
    }
    let title = heading.to_lowercase();
    title.contains("faq") || title.contains("frequently asked questions")
}

/// Lines of paragraphs and list items that are questions (bold or not), in
/// order: a question may share its paragraph with its answer, as in the
/// source article.
fn written_questions(body: &Body<'_>) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    // Per open block, the line being read: (offset, text). A line is done
    // at a break or the block's end, and kept if it is a question; its
    // buffer is read again for the next line.
    let mut open: Vec<(usize, String)> = Vec::new();
    // Buffers of closed blocks, for the next ones.
    let mut spare: Vec<String> = Vec::new();
    let done = |out: &mut Vec<(usize, String)>, (at, text): &mut (usize, String)| {
        let question = text.trim();
        if question.ends_with('?') {
            out.push((*at, question.to_owned()));
        }
        text.clear();
    };
    for (event, range) in &body.events {
        match event {
            Event::Start(Tag::Paragraph | Tag::Item) => open.push((range.start, spare.pop().unwrap_or_default())),
            Event::Text(t) | Event::Code(t) => {
                if let Some((at, text)) = open.last_mut() {
                    if text.is_empty() {
                        *at = (*at).max(range.start);
                    }
                    text.push_str(t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(line) = open.last_mut() {
                    done(&mut out, line);
                    line.0 = range.end;
                }
            }
            Event::End(TagEnd::Paragraph | TagEnd::Item) => {
                if let Some(mut line) = open.pop() {
                    done(&mut out, &mut line);
                    spare.push(line.1);
                }
            }
            _ => {}
        }
    }
    out.sort_by_key(|(at, _)| *at);
    out
}

/// The article's own words: tags, entry headings, and every name and title
/// of the records it uses.
fn vocabulary(a: &Article, ctx: &Context) -> HashSet<String> {
    let mut texts: Vec<&str> = a.front.tags.iter().map(String::as_str).collect();
    texts.extend(a.rendered.entries.iter().map(|e| e.heading.as_str()));
    for r in &a.rendered.references {
        if let Some(n) = ctx.names.get(&r.slug) {
            texts.push(&n.film);
            texts.extend(n.album.iter().chain(&n.people).chain(&n.tracks).map(String::as_str));
        }
    }
    let words = texts.iter().flat_map(|t| plain(t).split(' ').map(str::to_owned).collect::<Vec<_>>());
    let words = words.filter(|w| w.chars().count() >= 4 && !COMMON.contains(&w.as_str()));
    words.map(|w| stem(&w).to_owned()).collect()
}

fn on_topic(question: &str, vocabulary: &HashSet<String>) -> bool {
    plain(question).split(' ').any(|w| {
        let s = stem(w);
        TOPIC.iter().any(|t| w.starts_with(t))
            || TOPIC_WORDS.contains(&w)
            || TOPIC_WORDS.contains(&s)
            || vocabulary.contains(s)
    })
}

/// `composers` → `composer`, `Williams's` → `williams`.
fn stem(word: &str) -> &str {
    let w = word.strip_suffix("'s").unwrap_or(word);
    w.strip_suffix('s').filter(|s| s.len() >= 3 && !s.ends_with('s')).unwrap_or(w)
}
