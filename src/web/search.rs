//! `/search?q=`: published articles and records, best first, ten a page
//! (`&page=N`, up to 50 pages; past the last one is a 404), each with a
//! snippet where the words found are highlighted. Above them on the first
//! page, the people and topics whose names match. A mistyped word is
//! corrected (see [`search::correct`]): when the query as typed finds
//! nothing and the corrected one does, the corrected results are shown
//! ("Showing results for …", with a link to search as typed, `&exact=1`);
//! when the corrected one finds more, it is offered ("Did you mean …").

use actix_web::web::{Data, Query};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::AppState;
use super::paging::{self, Pager};
use super::view::Meta;
use crate::db::{self, paging::Page, search, search::DocKind, search::NameKind};
use crate::error::{Error, Result};

/// What a query keeps unescaped in the pager's links: letters, digits and `-._~`.
const QUERY: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

const PER_PAGE: i64 = 10;
/// Pages of results offered at most.
const MAX_PAGE: i64 = 50;
/// Words of context in a snippet.
const SNIPPET_WORDS: usize = 30;
/// People, and topics, shown above the results at most.
const NAMES: usize = 5;

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    pub q: Option<String>,
    pub page: Option<String>,
    /// Search the words as typed, never corrected.
    pub exact: Option<String>,
}

/// A link to a search: the query and its address.
pub struct SearchLink {
    pub q: String,
    pub url: String,
}

/// Results shown for a corrected query, and the query as typed (searched
/// without correcting).
pub struct Shown {
    pub corrected: SearchLink,
    pub typed: SearchLink,
}

/// A person's or topic's page whose name matches.
pub struct NameFound {
    pub name: String,
    pub url: String,
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
    /// The corrected query whose results are shown instead of the query's.
    pub showing: Option<Shown>,
    /// A corrected query that finds more, offered.
    pub did_you_mean: Option<SearchLink>,
    pub people: Vec<NameFound>,
    pub topics: Vec<NameFound>,
}

fn link(q: &str, exact: bool) -> SearchLink {
    let mut url = format!("/search?q={}", percent_encoding::utf8_percent_encode(q, QUERY));
    if exact {
        url.push_str("&exact=1");
    }
    SearchLink { q: q.to_owned(), url }
}

pub async fn show(state: Data<AppState>, query: Query<SearchQuery>) -> Result<SearchPage> {
    let q = query.q.clone().unwrap_or_default();
    let q = q.trim().chars().take(200).collect::<String>();
    let page = paging::number(query.page.as_deref())?;
    if page > MAX_PAGE {
        return Err(Error::NotFound);
    }
    let exact = query.exact.is_some();
    let now = db::now();
    let (offset, db) = ((page - 1) * PER_PAGE, &state.db);
    let mut terms = search::terms(&q);
    let (mut hits, mut total) = search::search(db, &terms, now, PER_PAGE, offset).await?;
    let (mut showing, mut did_you_mean) = (None, None);
    let names_of = |terms: Vec<String>| async move {
        if page == 1 { search::names(db, &terms, now, NAMES).await } else { Ok(Vec::new()) }
    };
    let mut names = names_of(terms.clone()).await?;
    // The cheap path first: a query that finds a page of results is not
    // corrected, and a corrected word must find more than the word typed.
    if !exact && total < PER_PAGE {
        if let Some(corrected) = search::correct(db, &terms, total > 0).await? {
            let (better, more) = search::search(db, &corrected, now, PER_PAGE, offset).await?;
            let text = corrected.join(" ");
            if total == 0 && names.is_empty() {
                let better_names = names_of(corrected.clone()).await?;
                if more > 0 || !better_names.is_empty() {
                    showing = Some(Shown { corrected: link(&text, false), typed: link(&q, true) });
                    (hits, total, terms, names) = (better, more, corrected, better_names);
                }
            } else if more > total {
                did_you_mean = Some(link(&text, false));
            }
        }
    }
    let (mut people, mut topics) = (Vec::new(), Vec::new());
    for n in names {
        match n.kind {
            NameKind::Person => people.push(NameFound { url: format!("/people/{}", n.slug), name: n.name }),
            NameKind::Tag => topics.push(NameFound { url: format!("/tags/{}", n.slug), name: n.name }),
        }
    }
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).min(MAX_PAGE);
    let searched = showing.as_ref().map_or(&q, |s| &s.corrected.q);
    let mut path = format!("/search?q={}", percent_encoding::utf8_percent_encode(searched, QUERY));
    if exact {
        path.push_str("&exact=1");
    }
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
        showing,
        did_you_mean,
        people,
        topics,
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
