//! The `media` table: what a page needs to show a picture (its hash,
//! proportions and served widths), by the name editors use.

use super::{Db, Result, bump_content_version, now};
use crate::media::{Picture, Pictures, Processed};

const COLUMNS: &str = "name, hash, format, width, height, widths, fallback, alt, bytes, variant_bytes";

const UPSERT: &str = "
insert into media (name, hash, format, width, height, widths, fallback, alt, bytes, variant_bytes, origin, created_at)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
on conflict (name) do update set hash = excluded.hash, format = excluded.format, width = excluded.width,
    height = excluded.height, widths = excluded.widths, fallback = excluded.fallback,
    alt = case when excluded.alt = '' then media.alt else excluded.alt end,
    bytes = excluded.bytes, variant_bytes = excluded.variant_bytes, origin = excluded.origin";

/// A picture's row from a processed file.
pub fn row(name: &str, p: &Processed, alt: &str, bytes: usize) -> Picture {
    let widths: Vec<String> = p.widths.iter().map(u32::to_string).collect();
    Picture {
        name: name.to_owned(),
        hash: p.hash.clone(),
        format: p.format.as_str().to_owned(),
        width: i64::from(p.width),
        height: i64::from(p.height),
        widths: widths.join(","),
        fallback: p.fallback.to_owned(),
        alt: alt.to_owned(),
        bytes: i64::try_from(bytes).unwrap_or(i64::MAX),
        variant_bytes: p.variants.iter().map(|v| i64::try_from(v.bytes.len()).unwrap_or(0)).sum(),
    }
}

/// Writes (or replaces) a picture's row inside a write transaction.
pub async fn upsert(tx: &mut sqlx::AnyConnection, p: &Picture, origin: &str) -> Result<()> {
    sqlx::query(UPSERT)
        .bind(&p.name)
        .bind(&p.hash)
        .bind(&p.format)
        .bind(p.width)
        .bind(p.height)
        .bind(&p.widths)
        .bind(&p.fallback)
        .bind(&p.alt)
        .bind(p.bytes)
        .bind(p.variant_bytes)
        .bind(origin)
        .bind(now())
        .execute(tx)
        .await?;
    Ok(())
}

/// A picture uploaded through the desk: its row, and a new content version
/// (pages that name it show it from now on).
pub async fn save_upload(db: &Db, p: &Picture) -> Result<()> {
    let mut tx = db.begin_write().await?;
    upsert(&mut tx, p, "web").await?;
    bump_content_version(&mut tx).await?;
    tx.commit().await
}

/// Whether a name is taken by a picture with other bytes.
pub async fn name_taken(db: &Db, name: &str, hash: &str) -> Result<bool> {
    let found: Option<String> =
        sqlx::query_scalar("select hash from media where name = $1").bind(name).fetch_optional(&db.pool).await?;
    Ok(found.is_some_and(|h| h != hash))
}

/// The pictures with these names (those that exist): one query.
pub async fn by_names(db: &Db, names: &[String]) -> Result<Pictures> {
    const SQL: &str = "select name, hash, format, width, height, widths, fallback, alt, bytes, variant_bytes
                       from media where name in ({list})";
    let rows: Vec<Picture> = super::fetch_list(db, SQL, None, names).await?;
    Ok(rows.into_iter().map(|p| (p.name.clone(), p)).collect())
}

/// Every picture, newest first (the desk's library, the export).
pub async fn all(db: &Db) -> Result<Vec<Picture>> {
    let sql = format!("select {COLUMNS} from media order by created_at desc, name");
    sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(&db.pool).await
}

/// The hash of every picture an import may skip: name → hash.
pub async fn hashes(db: &Db) -> Result<std::collections::HashMap<String, String>> {
    let rows: Vec<(String, String)> = sqlx::query_as("select name, hash from media").fetch_all(&db.pool).await?;
    Ok(rows.into_iter().collect())
}

/// The pictures an import brought in from `media/` files.
pub async fn names_from_files(db: &Db) -> Result<Vec<String>> {
    sqlx::query_scalar("select name from media where origin = 'file' order by name").fetch_all(&db.pool).await
}

/// Whether a variant exists: a served file must belong to a recorded picture.
pub async fn has_hash(db: &Db, hash: &str) -> Result<bool> {
    let n: Option<i64> =
        sqlx::query_scalar("select 1 from media where hash = $1 limit 1").bind(hash).fetch_optional(&db.pool).await?;
    Ok(n.is_some())
}

/// Where a picture is shown, at most six places: `(kind, slug, title)` of
/// the records that have it as their cover, of the lists (drafts too)
/// that have it as their feature picture or name it in their text, and of
/// the lists whose unsaved text (an editor's autosave) does, as `draft`
/// with the list's title ("unsaved draft" when it has none yet) unless
/// the list itself already shows it.
const USES: &str = "
select 'record' as kind, slug, title from soundtracks where cover = $1
union all
select 'list' as kind, slug, title from articles where feature = $1 or body like $2
union all
select distinct 'draft' as kind, a.slug, case when a.title = '' then 'unsaved draft' else a.title end as title
from revisions r join articles a on a.id = r.article_id
where r.kind = 'autosave' and (r.body like $2 or r.front like $3)
    and not (coalesce(a.feature, '') = $1 or a.body like $2)
limit 6";

/// A place that shows a picture: `(kind, slug, title)`.
pub type Use = (String, String, String);

/// Removes a picture unless something shows it: its row, with a new
/// content version, then its bytes from `store` unless another name has the
/// same. `Ok(Err(uses))` when it is in use; `Ok(Ok(None))` when there was
/// no such picture; otherwise the removed row.
pub async fn remove(
    db: &Db,
    store: &crate::media::Store,
    name: &str,
) -> Result<std::result::Result<Option<Picture>, Vec<Use>>> {
    let (picture, shared) = match delete(db, name).await? {
        Ok(Some(removed)) => removed,
        Ok(None) => return Ok(Ok(None)),
        Err(uses) => return Ok(Err(uses)),
    };
    if !shared && let Err(e) = crate::media::forget(store, &picture).await {
        // The row is gone, so no page shows the picture; left-over bytes
        // are only space (and are written again if the same bytes return).
        tracing::warn!(name = %picture.name, error = %e, "media store: a removed picture's files stay");
    }
    Ok(Ok(Some(picture)))
}

/// [`remove`]'s row: the removed row and whether another name still shows
/// the same bytes (then they stay in the store).
async fn delete(db: &Db, name: &str) -> Result<std::result::Result<Option<(Picture, bool)>, Vec<Use>>> {
    let mut tx = db.begin_write().await?;
    let uses: Vec<Use> = sqlx::query_as(USES)
        .bind(name)
        .bind(format!("%media:{name}%"))
        // An autosave keeps its front matter as TOML.
        .bind(format!("%feature = \"{name}\"%"))
        .fetch_all(&mut *tx)
        .await?;
    if !uses.is_empty() {
        return Ok(Err(uses));
    }
    let sql = format!("select {COLUMNS} from media where name = $1");
    let found: Option<Picture> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(name).fetch_optional(&mut *tx).await?;
    let Some(picture) = found else { return Ok(Ok(None)) };
    sqlx::query("delete from media where name = $1").bind(name).execute(&mut *tx).await?;
    let shared: Option<i64> = sqlx::query_scalar("select 1 from media where hash = $1 limit 1")
        .bind(&picture.hash)
        .fetch_optional(&mut *tx)
        .await?;
    bump_content_version(&mut tx).await?;
    tx.commit().await?;
    Ok(Ok(Some((picture, shared.is_some()))))
}
