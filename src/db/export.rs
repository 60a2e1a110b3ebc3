//! The database back into the `content/` format: every record as a
//! [`Record`], every article as its front matter and body. `cuesheet export`
//! writes them out; the editor desk checks against them. Exporting, importing
//! the files into a new database and exporting again gives the same files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat};

use super::{Db, Result};
use crate::content::Record;
use crate::content::article::{FrontMatter, TomlTime};
use crate::content::markdown::{ListOrder, ListStyle};
use crate::content::record::{Film, Kind, Track};
use crate::media::Store;

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: i64,
    slug: String,
    title: String,
    kind: String,
    film_title: String,
    film_year: i64,
    released: Option<String>,
    label: Option<String>,
    catalogue_number: Option<String>,
    summary: Option<String>,
    cover: Option<String>,
    cover_alt: Option<String>,
}

const RECORDS: &str = "
select id, slug, title, kind, film_title, film_year, released, label, catalogue_number, summary, cover, cover_alt
from soundtracks order by slug";
const CREDITS: &str = "
select c.soundtrack_id, c.role, p.name from credits c join people p on p.id = c.person_id
order by c.soundtrack_id, c.role, c.position";
const TRACKS: &str = "select soundtrack_id, title, artist, note from tracks order by soundtrack_id, position";
const FACTS: &str = "select soundtrack_id, body from facts order by soundtrack_id, position";

const RECORDS_IN: &str = "
select id, slug, title, kind, film_title, film_year, released, label, catalogue_number, summary, cover, cover_alt
from soundtracks where slug in ({list}) order by slug";
const CREDITS_IN: &str = "
select c.soundtrack_id, c.role, p.name from credits c join people p on p.id = c.person_id
where c.soundtrack_id in (select id from soundtracks where slug in ({list}))
order by c.soundtrack_id, c.role, c.position";
const TRACKS_IN: &str = "
select soundtrack_id, title, artist, note from tracks
where soundtrack_id in (select id from soundtracks where slug in ({list}))
order by soundtrack_id, position";
const FACTS_IN: &str = "
select soundtrack_id, body from facts
where soundtrack_id in (select id from soundtracks where slug in ({list}))
order by soundtrack_id, position";

type CreditRow = (i64, String, String);
type TrackRow = (i64, String, Option<String>, Option<String>);
type FactRow = (i64, String);

/// Every record, by slug.
pub async fn records(db: &Db) -> Result<Vec<Record>> {
    let rows: Vec<RecordRow> = sqlx::query_as(RECORDS).fetch_all(&db.pool).await?;
    let credits: Vec<CreditRow> = sqlx::query_as(CREDITS).fetch_all(&db.pool).await?;
    let tracks: Vec<TrackRow> = sqlx::query_as(TRACKS).fetch_all(&db.pool).await?;
    let facts: Vec<FactRow> = sqlx::query_as(FACTS).fetch_all(&db.pool).await?;
    Ok(assemble(rows, credits, tracks, facts))
}

/// The records with these slugs (those that exist), by slug: four queries
/// however many there are.
pub async fn records_by_slugs(db: &Db, slugs: &[String]) -> Result<Vec<Record>> {
    let rows: Vec<RecordRow> = super::fetch_list(db, RECORDS_IN, None, slugs).await?;
    let credits: Vec<CreditRow> = super::fetch_list(db, CREDITS_IN, None, slugs).await?;
    let tracks: Vec<TrackRow> = super::fetch_list(db, TRACKS_IN, None, slugs).await?;
    let facts: Vec<FactRow> = super::fetch_list(db, FACTS_IN, None, slugs).await?;
    let mut records = assemble(rows, credits, tracks, facts);
    records.sort_by(|a, b| a.slug.cmp(&b.slug));
    Ok(records)
}

/// One record by slug.
pub async fn record(db: &Db, slug: &str) -> Result<Option<Record>> {
    Ok(records_by_slugs(db, &[slug.to_owned()]).await?.pop())
}

/// Records from their rows, in the order of `rows`.
fn assemble(rows: Vec<RecordRow>, credits: Vec<CreditRow>, tracks: Vec<TrackRow>, facts: Vec<FactRow>) -> Vec<Record> {
    let mut by_id: HashMap<i64, Record> = HashMap::new();
    let mut order = Vec::with_capacity(rows.len());
    for r in rows {
        let kind = match r.kind.as_str() {
            "compilation" => Kind::Compilation,
            "songs" => Kind::Songs,
            _ => Kind::Score,
        };
        order.push(r.id);
        by_id.insert(
            r.id,
            Record {
                path: PathBuf::from(format!("soundtracks/{}.toml", r.slug)),
                slug: r.slug,
                hash: String::new(),
                title: r.title,
                kind,
                released: r.released,
                label: r.label,
                catalogue_number: r.catalogue_number,
                summary: r.summary,
                cover: r.cover,
                cover_alt: r.cover_alt,
                composers: Vec::new(),
                music_supervisors: Vec::new(),
                artists: Vec::new(),
                facts: Vec::new(),
                film: Film { title: r.film_title, year: r.film_year, director: String::new() },
                tracks: Vec::new(),
            },
        );
    }
    for (id, role, name) in credits {
        let Some(r) = by_id.get_mut(&id) else { continue };
        match role.as_str() {
            "director" if r.film.director.is_empty() => r.film.director = name,
            "composer" => r.composers.push(name),
            "music_supervisor" => r.music_supervisors.push(name),
            "artist" => r.artists.push(name),
            // Performers come from the tracks.
            _ => {}
        }
    }
    for (id, title, artist, note) in tracks {
        if let Some(r) = by_id.get_mut(&id) {
            r.tracks.push(Track { title, artist, note });
        }
    }
    for (id, body) in facts {
        if let Some(r) = by_id.get_mut(&id) {
            r.facts.push(body);
        }
    }
    order.into_iter().filter_map(|id| by_id.remove(&id)).collect()
}

/// One article as a `content/articles/<slug>.md` file holds it.
#[derive(Debug, Clone)]
pub struct ArticleFile {
    pub id: i64,
    pub slug: String,
    pub front: FrontMatter,
    pub body: String,
}

impl ArticleFile {
    /// The file's text: front matter between `+++` lines, then the body.
    pub fn text(&self) -> Result<String, toml::ser::Error> {
        Ok(format!("+++\n{}+++\n{}", toml::to_string(&self.front)?, self.body))
    }
}

#[derive(sqlx::FromRow)]
struct ArticleRow {
    id: i64,
    slug: String,
    title: String,
    description: String,
    author: String,
    published_at: Option<i64>,
    updated_at: Option<i64>,
    #[sqlx(try_from = "String")]
    list_style: ListStyle,
    #[sqlx(try_from = "String")]
    list_order: ListOrder,
    toc_choice: Option<i64>,
    feature: Option<String>,
    feature_alt: Option<String>,
    body: String,
}

const ARTICLES: &str = "
select id, slug, title, description, author, published_at, updated_at, list_style, list_order, toc_choice, feature, feature_alt, body
from articles order by slug";
const ARTICLE: &str = "
select id, slug, title, description, author, published_at, updated_at, list_style, list_order, toc_choice, feature, feature_alt, body
from articles where id = $1";
const TAGS: &str = "select at.article_id, t.name from article_tags at join tags t on t.id = at.tag_id order by t.name";
const TAGS_OF: &str = "select at.article_id, t.name from article_tags at join tags t on t.id = at.tag_id where at.article_id = $1 order by t.name";

/// A unix time as the front matter writes it.
pub fn rfc3339(ts: i64) -> String {
    DateTime::from_timestamp(ts, 0).unwrap_or_default().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn article_file(a: ArticleRow, tags: &HashMap<i64, Vec<String>>) -> ArticleFile {
    ArticleFile {
        id: a.id,
        front: FrontMatter {
            title: a.title,
            description: a.description,
            author: a.author,
            published: a.published_at.map(|t| TomlTime::Text(rfc3339(t))),
            updated: a.updated_at.map(|t| TomlTime::Text(rfc3339(t))),
            tags: tags.get(&a.id).cloned().unwrap_or_default(),
            list: a.list_style,
            order: a.list_order,
            toc: a.toc_choice.map(|c| c == 1),
            feature: a.feature,
            feature_alt: a.feature_alt,
        },
        slug: a.slug,
        body: a.body,
    }
}

fn group(tags: Vec<(i64, String)>) -> HashMap<i64, Vec<String>> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, name) in tags {
        out.entry(id).or_default().push(name);
    }
    out
}

/// Every article, drafts included, by slug.
pub async fn articles(db: &Db) -> Result<Vec<ArticleFile>> {
    let rows: Vec<ArticleRow> = sqlx::query_as(ARTICLES).fetch_all(&db.pool).await?;
    let tags = group(sqlx::query_as(TAGS).fetch_all(&db.pool).await?);
    Ok(rows.into_iter().map(|a| article_file(a, &tags)).collect())
}

/// One article by id.
pub async fn article(db: &Db, id: i64) -> Result<Option<ArticleFile>> {
    let Some(row): Option<ArticleRow> = sqlx::query_as(ARTICLE).bind(id).fetch_optional(&db.pool).await? else {
        return Ok(None);
    };
    let tags = group(sqlx::query_as(TAGS_OF).bind(id).fetch_all(&db.pool).await?);
    Ok(Some(article_file(row, &tags)))
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("cannot write TOML for {0}: {1}")]
    Toml(String, toml::ser::Error),
    #[error(transparent)]
    Store(#[from] crate::media::store::StoreError),
    #[error("picture {0}: its original ({1}) is not in the media store")]
    Missing(String, String),
}

/// Writes every record and article under `out` in the `content/` format,
/// and every picture's original bytes under `media/`; returns how many of each.
pub async fn export_dir(db: &Db, store: &Store, out: &Path) -> Result<(usize, usize, usize), ExportError> {
    let write = |rel: String, bytes: &[u8]| -> Result<(), ExportError> {
        let path = out.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| ExportError::Io { path: dir.to_path_buf(), source })?;
        }
        std::fs::write(&path, bytes).map_err(|source| ExportError::Io { path, source })
    };
    let records = records(db).await?;
    for r in &records {
        let text = toml::to_string(r).map_err(|e| ExportError::Toml(r.slug.clone(), e))?;
        write(format!("soundtracks/{}.toml", r.slug), text.as_bytes())?;
    }
    let articles = articles(db).await?;
    for a in &articles {
        let text = a.text().map_err(|e| ExportError::Toml(a.slug.clone(), e))?;
        write(format!("articles/{}.md", a.slug), text.as_bytes())?;
    }
    let pictures = super::media::all(db).await?;
    for p in &pictures {
        let ext = crate::media::Format::from_column(&p.format).extension();
        let key = crate::media::store::original_key(&p.hash, ext);
        let bytes = store.get(&key).await?.ok_or_else(|| ExportError::Missing(p.name.clone(), key))?;
        write(format!("media/{}", p.name), &bytes)?;
    }
    Ok((records.len(), articles.len(), pictures.len()))
}
