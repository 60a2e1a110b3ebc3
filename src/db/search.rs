//! Full-text search. Every published article and every record has one row
//! in `search_docs`, written in the same transaction as the article or
//! record itself. Text is folded here (accents off, lower case), so the two
//! backends match the same words; matching and ranking are the one place
//! they differ: FTS5 with bm25 on SQLite, a weighted tsvector with
//! `ts_rank` on PostgreSQL.

use pulldown_cmark::Parser;

use super::bulk::{Rows, Table, Value};
use super::{Backend, Db, Result};
use crate::content::{Article, Record, markdown};

/// Accents off, lower case: `Björk` → `bjork`.
pub fn fold(text: &str) -> String {
    deunicode::deunicode(text).to_lowercase()
}

/// The words of a query, folded, as search terms (letters and digits only).
pub fn terms(query: &str) -> Vec<String> {
    fold(query)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .take(12)
        .map(str::to_owned)
        .collect()
}

/// The index's rows, written in bulk (see [`super::bulk`]).
pub(crate) const DOCS: Table = Table {
    name: "search_docs",
    columns: &[
        "kind",
        "ref_id",
        "slug",
        "title",
        "body",
        "folded_title",
        "folded_body",
        "published_at",
        "names",
        "folded_names",
    ],
    suffix: "on conflict (kind, ref_id) do update set
    slug = excluded.slug, title = excluded.title, body = excluded.body, folded_title = excluded.folded_title,
    folded_body = excluded.folded_body, published_at = excluded.published_at, names = excluded.names,
    folded_names = excluded.folded_names",
};
crate::text_enum! {
    /// What a search document stands for (`search_docs.kind`).
    pub enum DocKind("search document kind") {
        Article = "article",
        Record = "record",
    }
}

const REMOVE: &str = "delete from search_docs where kind = $1 and ref_id = $2";

/// What the index holds of an article or record apart from its id: its
/// title and text, and both folded. Made from the content alone, so an
/// import makes it for every file on every core before it writes.
#[derive(Debug)]
pub struct Text {
    title: String,
    body: String,
    folded_title: String,
    folded_body: String,
    /// The names it carries, one a line: a record's people, an article's tags.
    names: String,
    folded_names: String,
}

impl Text {
    fn new(title: String, body: String, names: &[&str]) -> Self {
        let mut unique: Vec<&str> = Vec::new();
        for n in names.iter().map(|n| n.trim()) {
            if !n.is_empty() && !unique.contains(&n) {
                unique.push(n);
            }
        }
        let names = unique.join("\n");
        // One at a time: folding drops line breaks.
        let folded_names = unique.iter().map(|n| fold(n)).collect::<Vec<_>>().join("\n");
        Text { folded_title: fold(&title), folded_body: fold(&body), folded_names, title, body, names }
    }

    /// An article's: its standfirst, entry headings and text; its tags.
    pub fn of_article(a: &Article) -> Self {
        let tags: Vec<&str> = a.front.tags.iter().map(String::as_str).collect();
        let body = match &a.search_text {
            Some(text) => text.clone(),
            None => article_text(&a.front.description, &a.body),
        };
        Text::new(a.front.title.trim().to_owned(), body, &tags)
    }

    /// A record's: album and film titles, people, tracks and facts; its people.
    pub fn of_record(r: &Record) -> Self {
        let (title, body) = record_text(r);
        let people: Vec<&str> = r.credits().into_iter().map(|(_, name)| name).collect();
        Text::new(title, body, &people)
    }
}

/// The row of an article with this id.
pub(crate) fn article_row<'a>(id: i64, a: &'a Article, text: Text) -> [Value<'a>; 10] {
    row(DocKind::Article, id, a.slug.as_str().into(), text, a.published.map(|t| t.timestamp()))
}

/// The row of a record with this id.
pub(crate) fn record_row<'a>(id: i64, r: &'a Record, text: Text) -> [Value<'a>; 10] {
    row(DocKind::Record, id, r.slug.as_str().into(), text, Some(0))
}

/// The row of the article or record (`kind`) with this id and slug.
pub(crate) fn row<'a>(
    kind: DocKind,
    id: i64,
    slug: Value<'a>,
    text: Text,
    published_at: Option<i64>,
) -> [Value<'a>; 10] {
    [
        kind.as_str().into(),
        id.into(),
        slug,
        text.title.into(),
        text.body.into(),
        text.folded_title.into(),
        text.folded_body.into(),
        published_at.into(),
        text.names.into(),
        text.folded_names.into(),
    ]
}

/// The searchable text of an article: its standfirst, then the body's
/// text (see [`markdown::plain_text_of`]). An import reads it from the
/// parse the content layer made already ([`Article::search_text`]).
pub fn article_text(description: &str, markdown: &str) -> String {
    markdown::plain_text_of(description, Parser::new_ext(markdown, markdown::options()))
}

const COVERAGE: &str = "
select (select count(*) from articles) + (select count(*) from soundtracks) - (select count(*) from search_docs)";

/// Rebuilds the index from the database when it does not cover every
/// article and record (a database made before search existed, say).
pub async fn ensure_complete(db: &Db) -> Result<()> {
    let missing: i64 = sqlx::query_scalar(COVERAGE).fetch_one(&db.pool).await?;
    if missing == 0 {
        return Ok(());
    }
    let records = super::export::records(db).await?;
    let ids = super::soundtracks::all_ids(db).await?;
    let articles = super::export::articles(db).await?;
    let mut docs = Rows::new(&DOCS);
    for r in &records {
        if let Some(&id) = ids.get(&r.slug) {
            docs.push(record_row(id, r, Text::of_record(r)));
        }
    }
    for a in &articles {
        let published = match &a.front.published {
            Some(crate::content::article::TomlTime::Text(t)) => {
                chrono::DateTime::parse_from_rfc3339(t).ok().map(|t| t.timestamp())
            }
            _ => None,
        };
        let tags: Vec<&str> = a.front.tags.iter().map(String::as_str).collect();
        let text = Text::new(a.front.title.clone(), article_text(&a.front.description, &a.body), &tags);
        docs.push(row(DocKind::Article, a.id, a.slug.as_str().into(), text, published));
    }
    let mut tx = db.begin_write().await?;
    sqlx::query("delete from search_docs").execute(&mut *tx).await?;
    docs.execute(&mut tx).await?;
    tx.commit().await?;
    tracing::info!("search index rebuilt: {} records, {} articles", records.len(), articles.len());
    Ok(())
}

/// The searchable title and text of a record.
pub fn record_text(r: &Record) -> (String, String) {
    let mut parts: Vec<&str> = vec![&r.film.title];
    parts.extend(r.credits().into_iter().map(|(_, name)| name));
    for t in &r.tracks {
        parts.push(&t.title);
        parts.extend(t.artist.as_deref());
    }
    parts.extend(r.label.as_deref());
    parts.extend(r.summary.as_deref());
    parts.extend(r.facts.iter().map(String::as_str));
    let title = format!("{} ({}): {}", r.film.title, r.film.year, r.title);
    (title, parts.join(" · "))
}

/// Removes an article's or record's row.
pub async fn remove(tx: &mut sqlx::AnyConnection, kind: DocKind, id: i64) -> Result<()> {
    sqlx::query(REMOVE).bind(kind.as_str()).bind(id).execute(tx).await.map(|_| ())
}

/// A result, best first.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Hit {
    #[sqlx(try_from = "String")]
    pub kind: DocKind,
    pub slug: String,
    pub title: String,
    pub body: String,
}

pub(crate) const SQLITE_SEARCH: &str = "
select d.kind, d.slug, d.title, d.body
from search_fts join search_docs d on d.id = search_fts.rowid
where search_fts match $1 and (d.kind = 'record' or d.published_at <= $2)
order by bm25(search_fts, 8.0, 1.0), d.id
limit $3 offset $4";
pub(crate) const SQLITE_COUNT: &str = "
select count(*) from search_fts join search_docs d on d.id = search_fts.rowid
where search_fts match $1 and (d.kind = 'record' or d.published_at <= $2)";
pub(crate) const POSTGRES_SEARCH: &str = "
select d.kind, d.slug, d.title, d.body
from search_docs d
where d.tsv @@ to_tsquery('simple', $1) and (d.kind = 'record' or d.published_at <= $2)
order by ts_rank(d.tsv, to_tsquery('simple', $1)) desc, d.id
limit $3 offset $4";
pub(crate) const POSTGRES_COUNT: &str = "
select count(*) from search_docs d
where d.tsv @@ to_tsquery('simple', $1) and (d.kind = 'record' or d.published_at <= $2)";

/// One page of results for `terms` (every term must match, each as a
/// prefix), and how many there are in all.
pub async fn search(db: &Db, terms: &[String], now: i64, limit: i64, offset: i64) -> Result<(Vec<Hit>, i64)> {
    if terms.is_empty() {
        return Ok((Vec::new(), 0));
    }
    // Terms are [a-z0-9]+ only, so neither syntax can be broken by them.
    let (expr, search, count) = match db.backend {
        Backend::Sqlite => {
            let expr = terms.iter().map(|t| format!("\"{t}\"*")).collect::<Vec<_>>().join(" AND ");
            (expr, SQLITE_SEARCH, SQLITE_COUNT)
        }
        Backend::Postgres => {
            let expr = terms.iter().map(|t| format!("{t}:*")).collect::<Vec<_>>().join(" & ");
            (expr, POSTGRES_SEARCH, POSTGRES_COUNT)
        }
    };
    let hits = sqlx::query_as(search).bind(&expr).bind(now).bind(limit).bind(offset).fetch_all(&db.pool).await?;
    let total = sqlx::query_scalar(count).bind(&expr).bind(now).fetch_one(&db.pool).await?;
    Ok((hits, total))
}

/// Terms shorter than this are never corrected (too many words are near them).
pub const MIN_CORRECTED: usize = 4;
/// Terms longer than this are never corrected (no title word is that long).
const MAX_CORRECTED: usize = 30;
/// Documents whose titles and names are read for the words near a term, at most.
const CANDIDATES: i64 = 1000;

/// The edits (Damerau–Levenshtein: insert, delete, change, swap two) a
/// term of this length may be away from the word it is corrected to: one
/// up to five letters, two from six.
pub fn edits_allowed(len: usize) -> usize {
    if len < 6 { 1 } else { 2 }
}

/// A document whose title or names share a trigram with a term.
#[derive(Debug, sqlx::FromRow)]
struct Candidate {
    #[sqlx(try_from = "String")]
    kind: DocKind,
    folded_title: String,
    names: String,
    folded_names: String,
}

pub(crate) const SQLITE_CANDIDATES: &str = "
select d.kind, d.folded_title, d.names, d.folded_names
from search_trigrams join search_docs d on d.id = search_trigrams.rowid
where search_trigrams match $1
order by d.id
limit $2";
pub(crate) const POSTGRES_CANDIDATES: &str = "
select d.kind, d.folded_title, d.names, d.folded_names
from search_docs d
where (d.folded_title || ' ' || d.folded_names) ~ $1
order by d.id
limit $2";

/// The documents whose folded title or names contain one of `term`'s
/// trigrams: FTS5's trigram index on SQLite, pg_trgm's on PostgreSQL (the
/// one place the two differ here); both find the same rows.
async fn candidates(db: &Db, term: &str) -> Result<Vec<Candidate>> {
    let grams: Vec<&str> = (0..term.len().saturating_sub(2)).map(|i| &term[i..i + 3]).collect();
    if grams.is_empty() {
        return Ok(Vec::new());
    }
    // Terms are [a-z0-9]+ only, so neither syntax can be broken by them.
    match db.backend {
        Backend::Sqlite => {
            let expr = grams.iter().map(|g| format!("\"{g}\"")).collect::<Vec<_>>().join(" OR ");
            sqlx::query_as(SQLITE_CANDIDATES).bind(expr).bind(CANDIDATES).fetch_all(&db.pool).await
        }
        Backend::Postgres => {
            // pg_trgm answers a regular expression of literal runs from its index.
            let expr = grams.join("|");
            sqlx::query_as(POSTGRES_CANDIDATES).bind(expr).bind(CANDIDATES).fetch_all(&db.pool).await
        }
    }
}

/// The words of a folded title or name list.
fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty())
}

/// The query with each term that begins no word of any title or name
/// replaced by the nearest such word (fewest edits, then the longest
/// shared beginning, then alphabetical), when one is near enough (see
/// [`edits_allowed`]); `None` when nothing changes. When the query as
/// typed already found something (`typed_found`), a word the term begins
/// with is no correction ("scores" is a longer form of "score", not a typo).
pub async fn correct(db: &Db, terms: &[String], typed_found: bool) -> Result<Option<Vec<String>>> {
    let mut out = Vec::with_capacity(terms.len());
    let mut changed = false;
    for term in terms {
        let n = term.chars().count();
        if !(MIN_CORRECTED..=MAX_CORRECTED).contains(&n) {
            out.push(term.clone());
            continue;
        }
        let found = candidates(db, term).await?;
        let vocabulary = found.iter().flat_map(|c| words(&c.folded_title).chain(words(&c.folded_names)));
        let mut best: Option<(usize, usize, &str)> = None;
        let mut known = false;
        for word in vocabulary {
            if word.starts_with(term.as_str()) {
                known = true;
                break;
            }
            let allowed = edits_allowed(n);
            // The lengths alone rule most words out, before counting edits.
            if word.len() < MIN_CORRECTED - 1
                || word.len().abs_diff(n) > allowed
                || (typed_found && term.starts_with(word))
            {
                continue;
            }
            let edits = strsim::damerau_levenshtein(term, word);
            if edits > allowed {
                continue;
            }
            let shared = term.bytes().zip(word.bytes()).take_while(|(a, b)| a == b).count();
            let key = (edits, usize::MAX - shared, word);
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
        match best {
            Some((_, _, word)) if !known => {
                out.push(word.to_owned());
                changed = true;
            }
            _ => out.push(term.clone()),
        }
    }
    Ok(changed.then_some(out))
}

/// What a name found stands for: a person or a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameKind {
    Person,
    Tag,
}

/// A person or topic whose name has a word beginning with every term.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct NameHit {
    pub kind: NameKind,
    pub name: String,
    pub slug: String,
}

/// People and topics whose names match every term (each as the beginning
/// of a word of the name), alphabetical, at most `limit` of each; only
/// those that still have a page.
pub async fn names(db: &Db, terms: &[String], now: i64, limit: usize) -> Result<Vec<NameHit>> {
    // Every name that matches contains the longest term, so its trigrams.
    let Some(longest) = terms.iter().filter(|t| t.len() >= 3).max_by_key(|t| t.len()) else {
        return Ok(Vec::new());
    };
    if longest.len() > MAX_CORRECTED {
        // Longer than any word of a name.
        return Ok(Vec::new());
    }
    let mut found = std::collections::BTreeSet::new();
    for c in candidates(db, longest).await? {
        let kind = match c.kind {
            DocKind::Record => NameKind::Person,
            DocKind::Article => NameKind::Tag,
        };
        for (name, folded) in c.names.lines().zip(c.folded_names.lines()) {
            if terms.iter().all(|t| words(folded).any(|w| w.starts_with(t.as_str()))) {
                found.insert(NameHit { kind, name: name.to_owned(), slug: crate::content::slugify(name) });
            }
        }
    }
    let mut out = Vec::new();
    for kind in [NameKind::Person, NameKind::Tag] {
        let slugs: Vec<String> = found.iter().filter(|h| h.kind == kind).map(|h| h.slug.clone()).collect();
        if slugs.is_empty() {
            continue;
        }
        let live = match kind {
            NameKind::Person => super::people::existing_slugs(db, &slugs).await?,
            NameKind::Tag => super::tags::existing_slugs(db, &slugs, now).await?,
        };
        let mut seen = std::collections::HashSet::new();
        out.extend(
            found
                .iter()
                .filter(|h| h.kind == kind && live.contains(&h.slug) && seen.insert(h.slug.clone()))
                .take(limit)
                .cloned(),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_and_case_and_keeps_only_words() {
        assert_eq!(fold("Björk SIGUR RÓS café"), "bjork sigur ros cafe");
        assert_eq!(terms("  Blade-Runner \"OR\" 1982; DROP"), vec!["blade", "runner", "or", "1982", "drop"]);
        assert!(terms("*** ---").is_empty());
    }

    #[test]
    fn edits_allowed_grow_with_the_word_and_names_fold() {
        assert_eq!(strsim::damerau_levenshtein("dafte", "daft"), edits_allowed(5));
        assert_eq!(strsim::damerau_levenshtein("vangellis", "vangelis"), 1);
        assert_eq!(strsim::damerau_levenshtein("morircone", "morricone"), 1, "a swap is one edit");
        assert!(strsim::damerau_levenshtein("pnuk", "punk") <= edits_allowed(4));
        assert!(strsim::damerau_levenshtein("tron", "iron") <= edits_allowed(4));
        assert_eq!(edits_allowed(6), 2);
        let text = Text::new("T".into(), String::new(), &["Björk", " Björk ", "Sigur Rós", ""]);
        assert_eq!((text.names.as_str(), text.folded_names.as_str()), ("Björk\nSigur Rós", "bjork\nsigur ros"));
        assert_eq!(
            words("tron: legacy (2010)\ndaft punk").collect::<Vec<_>>(),
            ["tron", "legacy", "2010", "daft", "punk"]
        );
    }

    #[test]
    fn sentences_never_run_together() {
        let text = article_text("The last frontier.", "Every cue.\n\n## Tron\n\n- one\n- two\n\n*Daft* Punk");
        assert_eq!(text, "The last frontier. Every cue. Tron one two Daft Punk");
        assert_eq!(article_text("", "Just *this*, [here](/x)."), "Just this, here.");
    }
}
