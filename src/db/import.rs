//! `content/` into the database: load and check the whole tree first (the
//! same checks as `cuesheet check`: any error refuses the import, warnings
//! are carried in the report), then apply it in one transaction. A file
//! whose bytes (and the renderer) did not change is left alone, so importing
//! twice changes nothing; a row edited through the web is never overwritten
//! by a changed file unless forced: it is kept and reported. Any error leaves
//! the previous content live.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::path::Path;

use sqlx::AnyConnection;

use super::{Backend, Db, bump_content_version, now};
use crate::content::{self, Article, LoadError, Problem, Record, Site, slugify};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Content(#[from] LoadError),
    #[error("database error during import (nothing was changed): {0}")]
    Db(#[from] sqlx::Error),
}

/// What an import did, per kind of file.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub removed: usize,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub records: Counts,
    pub articles: Counts,
    /// Rows kept as they are in the database, with the reason.
    pub kept: Vec<String>,
    /// What `cuesheet check` warns about in the imported files: reported,
    /// never blocking.
    pub warnings: Vec<Problem>,
}

impl Report {
    pub fn changed(&self) -> bool {
        let c = |c: &Counts| c.added + c.updated + c.removed > 0;
        c(&self.records) || c(&self.articles)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = |c: &Counts| {
            format!("{} added, {} updated, {} unchanged, {} removed", c.added, c.updated, c.unchanged, c.removed)
        };
        write!(f, "records: {}; articles: {}", c(&self.records), c(&self.articles))?;
        for k in &self.kept {
            write!(f, "\n  kept: {k}")?;
        }
        for w in &self.warnings {
            write!(f, "\n  {w}")?;
        }
        Ok(())
    }
}

/// Loads `dir` and applies it.
pub async fn import_dir(db: &Db, dir: &Path, force: bool) -> Result<Report, ImportError> {
    let site = content::load(dir)?;
    apply(db, &site, force).await
}

/// The state of a row before the import.
#[derive(Debug, sqlx::FromRow)]
struct Existing {
    id: i64,
    slug: String,
    origin: String,
    origin_hash: Option<String>,
    edited_at: Option<i64>,
}

impl Existing {
    /// Edited or created through the web: the database holds the newer text.
    fn web(&self) -> bool {
        self.origin == "web" || self.edited_at.is_some()
    }
}

enum Action {
    Write,
    Unchanged,
    Keep,
}

fn decide(existing: Option<&Existing>, hash: &str, force: bool) -> Action {
    match existing {
        None => Action::Write,
        Some(e) if e.origin_hash.as_deref() == Some(hash) => Action::Unchanged,
        Some(e) if e.web() && !force => Action::Keep,
        Some(_) => Action::Write,
    }
}

const RECORDS: &str = "select id, slug, origin, origin_hash, edited_at from soundtracks";
const ARTICLES: &str = "select id, slug, origin, origin_hash, edited_at from articles";

/// Applies a loaded tree in one transaction.
pub async fn apply(db: &Db, site: &Site, force: bool) -> Result<Report, ImportError> {
    let mut tx = db.pool.begin().await?;
    lock(&mut tx, db.backend).await?;
    let records: Vec<Existing> = sqlx::query_as(RECORDS).fetch_all(&mut *tx).await?;
    let articles: Vec<Existing> = sqlx::query_as(ARTICLES).fetch_all(&mut *tx).await?;

    // Records only the database has (made or edited in the web) stay, so
    // articles may refer to them.
    let in_files: BTreeSet<&str> = site.records.iter().map(|r| r.slug.as_str()).collect();
    let known: BTreeSet<String> =
        records.iter().filter(|e| e.web() && !in_files.contains(e.slug.as_str())).map(|e| e.slug.clone()).collect();
    let problems = site.check_references(&known);
    if !problems.is_empty() {
        return Err(LoadError::Invalid(problems).into());
    }

    let mut report = Report { warnings: site.warnings.clone(), ..Report::default() };
    let stamp = now();
    let by_slug = |rows: &[Existing]| -> HashMap<String, usize> {
        rows.iter().enumerate().map(|(i, e)| (e.slug.clone(), i)).collect()
    };

    let existing = by_slug(&records);
    for record in &site.records {
        let old = existing.get(&record.slug).map(|&i| &records[i]);
        match decide(old, &record.hash, force) {
            Action::Unchanged => report.records.unchanged += 1,
            Action::Keep => report.kept.push(edited_in_web(&record.path)),
            Action::Write => {
                write_record(&mut tx, record, stamp).await?;
                if old.is_some() { report.records.updated += 1 } else { report.records.added += 1 }
            }
        }
    }

    let ids: HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>(SOUNDTRACK_IDS).fetch_all(&mut *tx).await?.into_iter().collect();
    let existing = by_slug(&articles);
    for article in &site.articles {
        let old = existing.get(&article.slug).map(|&i| &articles[i]);
        match decide(old, &article.hash, force) {
            Action::Unchanged => report.articles.unchanged += 1,
            Action::Keep => report.kept.push(edited_in_web(&article.path)),
            Action::Write => {
                write_article(&mut tx, article, &ids, stamp).await?;
                if old.is_some() { report.articles.updated += 1 } else { report.articles.added += 1 }
            }
        }
    }

    // Files that are gone: their rows go too, unless the web changed them.
    let in_files: BTreeSet<&str> = site.articles.iter().map(|a| a.slug.as_str()).collect();
    for gone in articles.iter().filter(|e| !in_files.contains(e.slug.as_str())) {
        if gone.web() {
            if gone.origin == "file" {
                report
                    .kept
                    .push(format!("article `{}`: its file is gone but it was edited through the web", gone.slug));
            }
        } else {
            sqlx::query(DELETE_ARTICLE).bind(gone.id).execute(&mut *tx).await?;
            report.articles.removed += 1;
        }
    }
    let in_files: BTreeSet<&str> = site.records.iter().map(|r| r.slug.as_str()).collect();
    for gone in records.iter().filter(|e| !in_files.contains(e.slug.as_str()) && !e.web()) {
        let deleted = sqlx::query(DELETE_UNUSED_RECORD).bind(gone.id).execute(&mut *tx).await?.rows_affected();
        if deleted == 1 {
            report.records.removed += 1;
        } else {
            report.kept.push(format!("record `{}`: its file is gone but an article still lists it", gone.slug));
        }
    }

    if report.changed() {
        sqlx::query(DELETE_ORPHAN_PEOPLE).execute(&mut *tx).await?;
        sqlx::query(DELETE_ORPHAN_TAGS).execute(&mut *tx).await?;
        bump_content_version(&mut tx).await?;
    }
    tx.commit().await?;
    Ok(report)
}

fn edited_in_web(path: &Path) -> String {
    format!(
        "{}: changed in the file and edited through the web; the web version stays (import --force to overwrite)",
        path.display()
    )
}

/// Serialises imports from several app nodes; the one place the backends
/// differ here. SQLite already allows a single writer.
async fn lock(tx: &mut AnyConnection, backend: Backend) -> Result<(), sqlx::Error> {
    if backend == Backend::Postgres {
        sqlx::query(PG_IMPORT_LOCK).execute(tx).await?;
    }
    Ok(())
}

const PG_IMPORT_LOCK: &str = "select pg_advisory_xact_lock(7243001)";
const SOUNDTRACK_IDS: &str = "select slug, id from soundtracks";
const DELETE_ARTICLE: &str = "delete from articles where id = $1";
const DELETE_UNUSED_RECORD: &str =
    "delete from soundtracks where id = $1 and not exists (select 1 from entries where soundtrack_id = $1)";
const DELETE_ORPHAN_PEOPLE: &str =
    "delete from people where not exists (select 1 from credits where credits.person_id = people.id)";
const DELETE_ORPHAN_TAGS: &str =
    "delete from tags where not exists (select 1 from article_tags where article_tags.tag_id = tags.id)";

const UPSERT_RECORD: &str = "
insert into soundtracks (slug, title, kind, film_title, film_year, released, label, catalogue_number, summary,
                         origin, origin_hash, edited_at, modified_at)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'file', $10, null, $11)
on conflict (slug) do update set
    title = excluded.title, kind = excluded.kind, film_title = excluded.film_title,
    film_year = excluded.film_year, released = excluded.released, label = excluded.label,
    catalogue_number = excluded.catalogue_number, summary = excluded.summary, origin = 'file',
    origin_hash = excluded.origin_hash, edited_at = null, modified_at = excluded.modified_at
returning id";
const UPSERT_PERSON: &str = "
insert into people (slug, name) values ($1, $2)
on conflict (slug) do update set name = excluded.name
returning id";
const DELETE_CREDITS: &str = "delete from credits where soundtrack_id = $1";
const DELETE_TRACKS: &str = "delete from tracks where soundtrack_id = $1";
const DELETE_FACTS: &str = "delete from facts where soundtrack_id = $1";
const INSERT_CREDIT: &str = "insert into credits (soundtrack_id, role, position, person_id) values ($1, $2, $3, $4)";
const INSERT_TRACK: &str =
    "insert into tracks (soundtrack_id, position, title, artist, note) values ($1, $2, $3, $4, $5)";
const INSERT_FACT: &str = "insert into facts (soundtrack_id, position, body) values ($1, $2, $3)";

/// Writes one record and replaces its credits, tracks and facts.
async fn write_record(tx: &mut AnyConnection, r: &Record, stamp: i64) -> Result<(), sqlx::Error> {
    let id: i64 = sqlx::query_scalar(UPSERT_RECORD)
        .bind(&r.slug)
        .bind(&r.title)
        .bind(r.kind.as_str())
        .bind(&r.film.title)
        .bind(r.film.year)
        .bind(&r.released)
        .bind(&r.label)
        .bind(&r.catalogue_number)
        .bind(&r.summary)
        .bind(&r.hash)
        .bind(stamp)
        .fetch_one(&mut *tx)
        .await?;
    for sql in [DELETE_CREDITS, DELETE_TRACKS, DELETE_FACTS] {
        sqlx::query(sql).bind(id).execute(&mut *tx).await?;
    }
    let mut positions: HashMap<&str, i64> = HashMap::new();
    for (role, name) in r.credits() {
        let person: i64 =
            sqlx::query_scalar(UPSERT_PERSON).bind(slugify(name)).bind(name.trim()).fetch_one(&mut *tx).await?;
        let position = positions.entry(role).or_default();
        sqlx::query(INSERT_CREDIT).bind(id).bind(role).bind(*position).bind(person).execute(&mut *tx).await?;
        *position += 1;
    }
    for (i, t) in (0_i64..).zip(&r.tracks) {
        sqlx::query(INSERT_TRACK)
            .bind(id)
            .bind(i)
            .bind(&t.title)
            .bind(&t.artist)
            .bind(&t.note)
            .execute(&mut *tx)
            .await?;
    }
    for (i, fact) in (0_i64..).zip(&r.facts) {
        sqlx::query(INSERT_FACT).bind(id).bind(i).bind(fact).execute(&mut *tx).await?;
    }
    Ok(())
}

const UPSERT_ARTICLE: &str = "
insert into articles (slug, title, description, author, published_at, updated_at, list_style, list_order, toc,
                      body, rendered, origin, origin_hash, edited_at, modified_at)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'file', $12, null, $13)
on conflict (slug) do update set
    title = excluded.title, description = excluded.description, author = excluded.author,
    published_at = excluded.published_at, updated_at = excluded.updated_at, list_style = excluded.list_style,
    list_order = excluded.list_order, toc = excluded.toc, body = excluded.body, rendered = excluded.rendered,
    origin = 'file', origin_hash = excluded.origin_hash, edited_at = null, modified_at = excluded.modified_at
returning id";
const DELETE_ENTRIES: &str = "delete from entries where article_id = $1";
const DELETE_ARTICLE_TAGS: &str = "delete from article_tags where article_id = $1";
const INSERT_ENTRY: &str = "
insert into entries (article_id, position, soundtrack_id, rank, section, anchor, heading)
values ($1, $2, $3, $4, $5, $6, $7)";
const UPSERT_TAG: &str = "
insert into tags (slug, name) values ($1, $2)
on conflict (slug) do update set name = excluded.name
returning id";
const INSERT_ARTICLE_TAG: &str = "insert into article_tags (article_id, tag_id) values ($1, $2) on conflict do nothing";

/// Default byline for articles whose front matter names no author.
const DEFAULT_AUTHOR: &str = "Cuesheet editors";

/// Writes one article and replaces its entries and tags.
async fn write_article(
    tx: &mut AnyConnection,
    a: &Article,
    soundtrack_ids: &HashMap<String, i64>,
    stamp: i64,
) -> Result<(), sqlx::Error> {
    let rendered = serde_json::to_string(&a.rendered.document).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let author = if a.front.author.trim().is_empty() { DEFAULT_AUTHOR } else { a.front.author.trim() };
    let toc = i64::from(a.front.toc.unwrap_or(a.rendered.long));
    let id: i64 = sqlx::query_scalar(UPSERT_ARTICLE)
        .bind(&a.slug)
        .bind(a.front.title.trim())
        .bind(a.front.description.trim())
        .bind(author)
        .bind(a.published.map(|t| t.timestamp()))
        .bind(a.updated.map(|t| t.timestamp()))
        .bind(a.front.list.as_str())
        .bind(a.front.order.as_str())
        .bind(toc)
        .bind(&a.body)
        .bind(rendered)
        .bind(&a.hash)
        .bind(stamp)
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query(DELETE_ENTRIES).bind(id).execute(&mut *tx).await?;
    sqlx::query(DELETE_ARTICLE_TAGS).bind(id).execute(&mut *tx).await?;
    for (position, e) in (0_i64..).zip(&a.rendered.entries) {
        // References were checked before the transaction began.
        let Some(&soundtrack) = soundtrack_ids.get(&e.soundtrack) else {
            return Err(sqlx::Error::RowNotFound);
        };
        sqlx::query(INSERT_ENTRY)
            .bind(id)
            .bind(position)
            .bind(soundtrack)
            .bind(e.rank.map(i64::from))
            .bind(&e.section)
            .bind(&e.anchor)
            .bind(&e.heading)
            .execute(&mut *tx)
            .await?;
    }
    for name in &a.front.tags {
        let slug = slugify(name);
        if slug.is_empty() {
            continue;
        }
        let tag: i64 = sqlx::query_scalar(UPSERT_TAG).bind(&slug).bind(name.trim()).fetch_one(&mut *tx).await?;
        sqlx::query(INSERT_ARTICLE_TAG).bind(id).bind(tag).execute(&mut *tx).await?;
    }
    Ok(())
}
