//! `/search?q=`: published articles and records, best first, ten a page
//! (`&page=N`, up to 50 pages; past the last one is a 404), each with a
//! snippet where the words found are highlighted.

use actix_web::web::{Data, Query};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::AppState;
use super::paging::{self, Pager};
use super::view::Meta;
use crate::db::{self, paging::Page, search, search::DocKind};
use crate::error::{Error, Result};

/// What a query keeps unescaped in the pager's links: letters, digits and `-._~`.
const QUERY: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

const PER_PAGE: i64 = 10;
/// Pages of results offered at most.
const MAX_PAGE: i64 = 50;
/// Words of context in a snippet.
const SNIPPET_WORDS: usize = 30;

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    pub q: Option<String>,
    pub page: Option<String>,
}

pub struct Found {
    pub kind: &'static str,
    pub url: String,
    pub title: String,
    /// Escaped text with `<mark>` around the words found.
    pub snippet: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "search/index.html")]
pub struct SearchPage {
    pub meta: Meta,
    pub q: String,
    pub total: i64,
    pub results: Vec<Found>,
    pub pager: Pager,
}

pub async fn show(state: Data<AppState>, query: Query<SearchQuery>) -> Result<SearchPage> {
    let q = query.q.clone().unwrap_or_default();
    let q = q.trim().chars().take(200).collect::<String>();
    let page = paging::number(query.page.as_deref())?;
    if page > MAX_PAGE {
        return Err(Error::NotFound);
    }
    let terms = search::terms(&q);
    let (hits, total) = search::search(&state.db, &terms, db::now(), PER_PAGE, (page - 1) * PER_PAGE).await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).min(MAX_PAGE);
    let path = format!("/search?q={}", percent_encoding::utf8_percent_encode(&q, QUERY));
    let pager = Pager::new(&path, &Page { number: page, more: page < pages, items: hits.iter().collect() })?;
    let results = hits
        .into_iter()
        .map(|h| {
            let (kind, url) = match h.kind {
                DocKind::Record => ("Soundtrack", format!("/soundtracks/{}", h.slug)),
                DocKind::Article => ("List", format!("/articles/{}", h.slug)),
            };
            Found { kind, url, title: h.title, snippet: snippet(&h.body, &terms) }
        })
        .collect();
    let title = if q.is_empty() { "Search".to_string() } else { format!("Search: {q}") };
    Ok(SearchPage {
        meta: Meta::new(&title, "Search Cuesheet's lists and soundtrack records.")
            .paged(state.base(), &path, &pager)
            .noindex(),
        q,
        total,
        results,
        pager,
    })
}

/// A window of `text` around the first word that starts with one of
/// `terms` (compared folded), escaped, with every such word in `<mark>`.
pub fn snippet(text: &str, terms: &[String]) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    // A token matches when any run of letters and digits in it starts with
    // a term: `“Björk’s”` matches `bjork`.
    let hit = |w: &str| {
        let folded = search::fold(w);
        folded.split(|c: char| !c.is_ascii_alphanumeric()).any(|run| terms.iter().any(|t| run.starts_with(t.as_str())))
    };
    let first = words.iter().position(|w| hit(w)).unwrap_or(0);
    let start = first.saturating_sub(SNIPPET_WORDS / 3);
    let end = (start + SNIPPET_WORDS).min(words.len());
    let mut out = String::new();
    if start > 0 {
        out.push_str("… ");
    }
    for (i, w) in words[start..end].iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let escaped = askama::filters::escape(w, askama::filters::Html).map(|e| e.to_string()).unwrap_or_default();
        if hit(w) {
            out.push_str("<mark>");
            out.push_str(&escaped);
            out.push_str("</mark>");
        } else {
            out.push_str(&escaped);
        }
    }
    if end < words.len() {
        out.push_str(" …");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::snippet;

    #[test]
    fn snippets_escape_and_highlight_folded_matches() {
        let terms = vec!["bjork".to_string()];
        let s = snippet("Songs by <b>Björk</b> & “Björk’s” friends", &terms);
        assert_eq!(s, "Songs by <mark>&#60;b&#62;Björk&#60;/b&#62;</mark> &#38; <mark>“Björk’s”</mark> friends");
        let long: String = (0..100).map(|i| format!("w{i} ")).collect::<String>() + "target";
        let s = snippet(&long, &["target".to_string()]);
        assert!(s.starts_with("… ") && s.ends_with("<mark>target</mark>"), "{s}");
    }
}
