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

use rayon::prelude::*;
use sqlx::AnyConnection;

use super::media as media_rows;
use super::{Backend, Db, articles, bump_content_version, now, search, soundtracks};
use crate::content::{self, LoadError, Problem, Site};
use crate::media::Store;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Content(#[from] LoadError),
    #[error("database error during import (nothing was changed): {0}")]
    Db(#[from] sqlx::Error),
    #[error("picture {name}: {source}")]
    Media { name: String, source: crate::media::TakeError },
    #[error("cannot read {path}: {source}")]
    Io { path: std::path::PathBuf, source: std::io::Error },
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
    /// Pictures of `media/`: one whose file is gone is removed when nothing
    /// shows it (the desk's uploads are never removed by an import).
    pub media: Counts,
    /// Rows kept as they are in the database, with the reason.
    pub kept: Vec<String>,
    /// What `cuesheet check` warns about in the imported files: reported,
    /// never blocking.
    pub warnings: Vec<Problem>,
}

impl Report {
    pub fn changed(&self) -> bool {
        let c = |c: &Counts| c.added + c.updated + c.removed > 0;
        c(&self.records) || c(&self.articles) || c(&self.media)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = |c: &Counts| {
            format!("{} added, {} updated, {} unchanged, {} removed", c.added, c.updated, c.unchanged, c.removed)
        };
        write!(f, "records: {}; articles: {}", c(&self.records), c(&self.articles))?;
        if self.media != Counts::default() {
            write!(f, "; pictures: {}", c(&self.media))?;
        }
        for k in &self.kept {
            write!(f, "\n  kept: {k}")?;
        }
        for w in &self.warnings {
            write!(f, "\n  {w}")?;
        }
        Ok(())
    }
}

/// Loads `dir` and applies it: its pictures first (into `store`), so every
/// page that names one can show it.
pub async fn import_dir(db: &Db, store: &Store, dir: &Path, force: bool) -> Result<Report, ImportError> {
    let site = content::load(dir)?;
    import_loaded(db, store, dir, &site, force).await
}

/// [`import_dir`] of a tree loaded already.
pub async fn import_loaded(
    db: &Db,
    store: &Store,
    dir: &Path,
    site: &Site,
    force: bool,
) -> Result<Report, ImportError> {
    let (mut pictures, present) = import_media(db, store, &dir.join("media")).await?;
    let mut report = apply(db, site, force).await?;
    pictures.removed = drop_removed_media(db, store, &present, &mut report.kept).await?;
    report.media = pictures;
    Ok(report)
}

/// Removes the pictures imported from files that are gone, once nothing
/// shows them (the lists and records of this import are written by now);
/// one still shown is kept, and the report says where.
async fn drop_removed_media(
    db: &Db,
    store: &Store,
    present: &std::collections::HashSet<String>,
    kept: &mut Vec<String>,
) -> Result<usize, ImportError> {
    let mut removed = 0;
    for name in media_rows::names_from_files(db).await?.into_iter().filter(|n| !present.contains(n)) {
        match media_rows::remove(db, store, &name).await? {
            Ok(Some(_)) => removed += 1,
            Ok(None) => {}
            Err(uses) => {
                let places: Vec<String> = uses.iter().map(|(kind, slug, _)| format!("{kind} {slug}")).collect();
                kept.push(format!("media/{name}: its file is gone, but {} still shows it", places.join(", ")));
            }
        }
    }
    Ok(removed)
}

/// Takes every picture of a checked `media/` folder whose bytes are new
/// under its name: variants made (one file at a time, each on a blocking
/// thread), stored, and recorded in one transaction. Also gives the names
/// the folder holds.
pub async fn import_media(
    db: &Db,
    store: &Store,
    dir: &Path,
) -> Result<(Counts, std::collections::HashSet<String>), ImportError> {
    let mut counts = Counts::default();
    let mut present = std::collections::HashSet::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((counts, present)),
        Err(source) => return Err(ImportError::Io { path: dir.to_path_buf(), source }),
    };
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_file()).collect();
    paths.sort();
    let known = media_rows::hashes(db).await?;
    let mut rows = Vec::new();
    for path in paths {
        let Some(name) = path.file_name().and_then(|n| n.to_str()).filter(|n| crate::media::is_name(n)) else {
            continue;
        };
        present.insert(name.to_owned());
        let bytes = std::fs::read(&path).map_err(|source| ImportError::Io { path: path.clone(), source })?;
        let hash = crate::media::process::hash(&bytes);
        match known.get(name) {
            Some(h) if *h == hash => {
                counts.unchanged += 1;
                continue;
            }
            Some(_) => counts.updated += 1,
            None => counts.added += 1,
        }
        let len = bytes.len();
        let processed = crate::media::take(store, bytes)
            .await
            .map_err(|source| ImportError::Media { name: name.to_owned(), source })?;
        rows.push(media_rows::row(name, &processed, "", len));
    }
    if !rows.is_empty() {
        let mut tx = db.begin_write().await?;
        for row in &rows {
            media_rows::upsert(&mut tx, row, "file").await?;
        }
        bump_content_version(&mut tx).await?;
        tx.commit().await?;
    }
    Ok((counts, present))
}

crate::text_enum! {
    /// Where a row came from (the `origin` column of articles and records).
    enum Origin("origin") {
        /// Imported from `content/`.
        File = "file",
        /// Made in the editor desk.
        Web = "web",
    }
}

/// The state of a row before the import.
#[derive(Debug, sqlx::FromRow)]
struct Existing {
    id: i64,
    slug: String,
    #[sqlx(try_from = "String")]
    origin: Origin,
    origin_hash: Option<String>,
    edited_at: Option<i64>,
}

impl Existing {
    /// Edited or created through the web: the database holds the newer text.
    fn web(&self) -> bool {
        self.origin == Origin::Web || self.edited_at.is_some()
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

/// SQLite's page cache for an import, and the default it goes back to: a
/// transaction writing a whole archive spills the default 2 MB cache to the
/// log again and again before it commits.
const IMPORT_CACHE: &str = "pragma cache_size = -65536";
const DEFAULT_CACHE: &str = "pragma cache_size = -2000";

/// Applies a loaded tree in one transaction.
pub async fn apply(db: &Db, site: &Site, force: bool) -> Result<Report, ImportError> {
    let mut conn = db.pool.acquire().await?;
    let sqlite = db.backend == Backend::Sqlite;
    if sqlite {
        sqlx::query(IMPORT_CACHE).execute(&mut *conn).await?;
    }
    let report = apply_on(db, &mut conn, site, force).await;
    if sqlite && let Err(e) = sqlx::query(DEFAULT_CACHE).execute(&mut *conn).await {
        // Not lent out again with the import's cache.
        conn.close_on_drop();
        tracing::warn!(error = %e, "cannot reset the page cache after an import");
    }
    report
}

async fn apply_on(db: &Db, conn: &mut AnyConnection, site: &Site, force: bool) -> Result<Report, ImportError> {
    let mut tx = db.begin_write_on(conn).await?;
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

    // What each row holds beyond its file is made on every core first; the
    // rows then go to the database a few statements per table.
    let existing = by_slug(&records);
    let mut write = Vec::new();
    for record in &site.records {
        let old = existing.get(&record.slug).map(|&i| &records[i]);
        match decide(old, &record.hash, force) {
            Action::Unchanged => report.records.unchanged += 1,
            Action::Keep => report.kept.push(edited_in_web(&record.path)),
            Action::Write => {
                write.push(record);
                if old.is_some() { report.records.updated += 1 } else { report.records.added += 1 }
            }
        }
    }
    let texts: Vec<search::Text> = write.par_iter().map(|r| search::Text::of_record(r)).collect();
    soundtracks::write_files(&mut tx, write.into_iter().zip(texts).collect(), stamp).await?;

    let ids: HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>(SOUNDTRACK_IDS).fetch_all(&mut *tx).await?.into_iter().collect();
    let existing = by_slug(&articles);
    // An article renamed through the web keeps its file under the old name:
    // that file is the renamed article, not a new one at the old address.
    let renamed: HashMap<String, String> = sqlx::query_as::<_, (String, String)>(RENAMED_ARTICLES)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .filter(|(_, new)| existing.contains_key(new))
        .collect();
    let mut write = Vec::new();
    for article in &site.articles {
        let old = existing.get(&article.slug).map(|&i| &articles[i]);
        if let (None, Some(new), false) = (old, renamed.get(&article.slug), force) {
            report.kept.push(format!(
                "{}: the article was renamed to `{new}` through the web; rename the file to match, or import \
                 with --force to make a new article of it",
                article.path.display()
            ));
            continue;
        }
        match decide(old, &article.hash, force) {
            Action::Unchanged => report.articles.unchanged += 1,
            Action::Keep => report.kept.push(edited_in_web(&article.path)),
            Action::Write => {
                write.push(article);
                if old.is_some() { report.articles.updated += 1 } else { report.articles.added += 1 }
            }
        }
    }
    let derived = write.par_iter().map(|a| articles::Derived::of(a)).collect::<Result<Vec<_>, _>>()?;
    articles::write_files(&mut tx, write.into_iter().zip(derived).collect(), &ids, stamp).await?;

    // Files that are gone: their rows go too, unless the web changed them.
    let in_files: BTreeSet<&str> = site.articles.iter().map(|a| a.slug.as_str()).collect();
    for gone in articles.iter().filter(|e| !in_files.contains(e.slug.as_str())) {
        if gone.web() {
            if gone.origin == Origin::File {
                report
                    .kept
                    .push(format!("article `{}`: its file is gone but it was edited through the web", gone.slug));
            }
        } else {
            sqlx::query(DELETE_ARTICLE).bind(gone.id).execute(&mut *tx).await?;
            search::remove(&mut tx, search::DocKind::Article, gone.id).await?;
            report.articles.removed += 1;
        }
    }
    let in_files: BTreeSet<&str> = site.records.iter().map(|r| r.slug.as_str()).collect();
    for gone in records.iter().filter(|e| !in_files.contains(e.slug.as_str()) && !e.web()) {
        let deleted = sqlx::query(DELETE_UNUSED_RECORD).bind(gone.id).execute(&mut *tx).await?.rows_affected();
        if deleted == 1 {
            search::remove(&mut tx, search::DocKind::Record, gone.id).await?;
            report.records.removed += 1;
        } else {
            report.kept.push(format!("record `{}`: its file is gone but an article still lists it", gone.slug));
        }
    }

    if report.changed() {
        soundtracks::delete_orphan_people(&mut tx).await?;
        sqlx::query(DELETE_ORPHAN_TAGS).execute(&mut *tx).await?;
        // One statement for the whole chart, as the import may touch any list.
        super::chart::rebuild(&mut tx, now()).await?;
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

const RENAMED_ARTICLES: &str = "select old_slug, new_slug from redirects where kind = 'article'";
const PG_IMPORT_LOCK: &str = "select pg_advisory_xact_lock(7243001)";
const SOUNDTRACK_IDS: &str = "select slug, id from soundtracks";
const DELETE_ARTICLE: &str = "delete from articles where id = $1";
const DELETE_UNUSED_RECORD: &str =
    "delete from soundtracks where id = $1 and not exists (select 1 from entries where soundtrack_id = $1)";
const DELETE_ORPHAN_TAGS: &str =
    "delete from tags where not exists (select 1 from article_tags where article_tags.tag_id = tags.id)";
