//! Structured data (schema.org JSON-LD), built as `serde_json` values and
//! never by string concatenation: an `Article` with an `ItemList` of `Movie`
//! entries (with `musicBy`) and, for guides with a real FAQ, a `FAQPage`;
//! a `MusicAlbum` (a `SoundtrackAlbum`) with its film for record pages.

use serde_json::{Value, json};

use super::view::{CardView, PersonLink};
use crate::content::markdown::{Block, ListStyle};
use crate::db::export::rfc3339;

fn people(list: &[PersonLink], kind: &str) -> Vec<Value> {
    list.iter().map(|p| json!({ "@type": kind, "name": p.name })).collect()
}

/// Who made the music: composers, else the artists, else the supervisors.
fn music_by(card: &CardView) -> Vec<Value> {
    if !card.composers.is_empty() {
        people(&card.composers, "Person")
    } else if !card.artists.is_empty() {
        people(&card.artists, "MusicGroup")
    } else {
        people(&card.supervisors, "Person")
    }
}

fn movie(base: &str, card: &CardView) -> Value {
    json!({
        "@type": "Movie",
        "name": card.film_title,
        "dateCreated": card.film_year.to_string(),
        "director": people(&card.directors, "Person"),
        "musicBy": music_by(card),
        "sameAs": format!("{base}/soundtracks/{}", card.slug),
    })
}

/// A record page: the album and its film.
pub fn soundtrack(base: &str, card: &CardView) -> Value {
    let url = format!("{base}/soundtracks/{}", card.slug);
    let mut album = json!({
        "@type": "MusicAlbum",
        "@id": format!("{url}#album"),
        "name": card.title,
        "url": url,
        "albumProductionType": "https://schema.org/SoundtrackAlbum",
        "byArtist": if card.artists.is_empty() { people(&card.composers, "Person") } else { people(&card.artists, "MusicGroup") },
        "track": {
            "@type": "ItemList",
            "numberOfItems": card.tracks.len(),
            "itemListElement": card.tracks.iter().enumerate().map(|(i, t)| json!({
                "@type": "ListItem",
                "position": i + 1,
                "item": {
                    "@type": "MusicRecording",
                    "name": t.title,
                    "byArtist": t.artist.as_ref().map(|a| json!({ "@type": "MusicGroup", "name": a.name })),
                },
            })).collect::<Vec<_>>(),
        },
    });
    let release = json!({
        "@type": "MusicRelease",
        "recordLabel": card.label.as_ref().map(|l| json!({ "@type": "Organization", "name": l })),
        "catalogNumber": card.catalogue_number,
        "datePublished": card.released,
    });
    if card.label.is_some() || card.catalogue_number.is_some() || card.released.is_some() {
        album["albumRelease"] = release;
    }
    json!({ "@context": "https://schema.org", "@graph": [album, movie(base, card)] })
}

/// One entry of a list, for its `ItemList`.
pub struct ListEntry<'a> {
    pub anchor: &'a str,
    pub heading: &'a str,
    pub card: Option<&'a CardView>,
}

/// What the article graph needs.
pub struct ArticleData<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub author: &'a str,
    pub published: i64,
    pub modified: i64,
    pub list_style: ListStyle,
    pub countdown: bool,
    pub entries: Vec<ListEntry<'a>>,
    pub faq: Vec<(String, String)>,
}

/// An article page: `Article`, its `ItemList` of films, and a `FAQPage`.
pub fn article(base: &str, a: &ArticleData<'_>) -> Value {
    let url = format!("{base}/articles/{}", a.slug);
    let mut graph = vec![json!({
        "@type": "Article",
        "@id": format!("{url}#article"),
        "headline": a.title,
        "description": a.description,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": rfc3339(a.published),
        "dateModified": rfc3339(a.modified.max(a.published)),
        "author": { "@type": "Person", "name": a.author },
        "publisher": { "@type": "Organization", "name": "Cuesheet", "url": base },
    })];
    if a.list_style != ListStyle::None && !a.entries.is_empty() {
        let order = match (a.list_style, a.countdown) {
            (ListStyle::Ranked, false) => "https://schema.org/ItemListOrderAscending",
            (ListStyle::Ranked, true) => "https://schema.org/ItemListOrderDescending",
            _ => "https://schema.org/ItemListUnordered",
        };
        graph.push(json!({
            "@type": "ItemList",
            "name": a.title,
            "itemListOrder": order,
            "numberOfItems": a.entries.len(),
            "itemListElement": a.entries.iter().enumerate().map(|(i, e)| {
                let mut item = json!({
                    "@type": "ListItem",
                    "position": i + 1,
                    "name": e.heading,
                    "url": format!("{url}#{}", e.anchor),
                });
                if let Some(card) = e.card {
                    item["item"] = movie(base, card);
                }
                item
            }).collect::<Vec<_>>(),
        }));
    }
    if !a.faq.is_empty() {
        graph.push(json!({
            "@type": "FAQPage",
            "mainEntity": a.faq.iter().map(|(q, answer)| json!({
                "@type": "Question",
                "name": q,
                "acceptedAnswer": { "@type": "Answer", "text": answer },
            })).collect::<Vec<_>>(),
        }));
    }
    json!({ "@context": "https://schema.org", "@graph": graph })
}

/// The questions and answers of an FAQ section: a heading naming it, then
/// sub-headings (the questions) each followed by prose (the answer).
pub fn faq(blocks: &[Block]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut faq_level: Option<u8> = None;
    let mut question: Option<String> = None;
    for b in blocks {
        match b {
            Block::Section { level, html, .. } => {
                let text = text_of(html);
                let lower = text.to_lowercase();
                if lower.contains("frequently asked")
                    || lower.split_whitespace().any(|w| w.trim_matches(|c: char| !c.is_alphanumeric()) == "faq")
                {
                    faq_level = Some(*level);
                    question = None;
                } else if faq_level.is_some_and(|l| *level <= l) {
                    faq_level = None;
                    question = None;
                } else if faq_level.is_some() {
                    question = Some(text);
                }
            }
            Block::Prose { html } => {
                if let Some(q) = question.take() {
                    out.push((q, text_of(html)));
                }
            }
            Block::Entry { .. } => question = None,
        }
    }
    out
}

/// The text of sanitised HTML, entities decoded.
pub fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
