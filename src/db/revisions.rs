//! Article revisions. Every save through the desk keeps one, numbered 1, 2,
//! 3... per article. An autosave keeps the text as it is being typed: one per
//! editor and article, replaced as they type and dropped when they save. A
//! revision is only ever read back into the editor; publishing is the
//! article's own business.

use super::{Db, Result};

crate::text_enum! {
    /// Why a revision was kept.
    pub enum Kind("revision kind") {
        /// An editor saved (or published) the article.
        Save = "save",
        /// The text as it was being typed, never published by itself.
        Autosave = "autosave",
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Revision {
    pub id: i64,
    pub article_id: i64,
    pub editor_id: Option<i64>,
    pub editor_name: String,
    pub created_at: i64,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    /// Saves only, from 1 per article.
    pub number: Option<i64>,
    pub title: String,
    /// The front matter as TOML, as `content/` holds it.
    pub front: String,
    pub body: String,
}

// The number is taken inside the save's transaction, which holds the
// article's row (SQLite: the write lock), so two saves cannot share one.
const INSERT_SAVE: &str = "
insert into revisions (article_id, editor_id, editor_name, created_at, title, front, body, kind, number)
values ($1, $2, $3, $4, $5, $6, $7, 'save',
        (select coalesce(max(number), 0) + 1 from revisions where article_id = $1))
returning id";
const INSERT_AUTOSAVE: &str = "
insert into revisions (article_id, editor_id, editor_name, created_at, title, front, body, kind, number)
values ($1, $2, $3, $4, $5, $6, $7, 'autosave', null)
returning id";
// An editor's autosave of an article is one row, rewritten as they type.
const UPDATE_AUTOSAVE: &str = "
update revisions set editor_name = $3, created_at = $4, title = $5, front = $6, body = $7
where article_id = $1 and editor_id = $2 and kind = 'autosave'
returning id";
const DROP_AUTOSAVE: &str = "delete from revisions where article_id = $1 and editor_id = $2 and kind = 'autosave'";
const LIST: &str = "
select id, article_id, editor_id, editor_name, created_at, kind, number, title, '' as front, '' as body
from revisions where article_id = $1 order by created_at desc, id desc";
const ONE: &str = "
select id, article_id, editor_id, editor_name, created_at, kind, number, title, front, body
from revisions where id = $1 and article_id = $2";
const LATEST_SAVE: &str = "
select id, article_id, editor_id, editor_name, created_at, kind, number, title, front, body
from revisions where article_id = $1 and kind = 'save' order by number desc limit 1";
const AUTOSAVE_OF: &str = "
select id, article_id, editor_id, editor_name, created_at, kind, number, title, front, body
from revisions where article_id = $1 and editor_id = $2 and kind = 'autosave'";

/// What a revision holds, and who made it when.
#[derive(Debug, Clone, Copy)]
pub struct NewRevision<'a> {
    pub article_id: i64,
    pub editor_id: i64,
    pub editor_name: &'a str,
    pub now: i64,
    pub title: &'a str,
    pub front: &'a str,
    pub body: &'a str,
}

/// Keeps a saved revision, inside the save's transaction; the editor's
/// autosave of the article is done with and goes. Returns its id.
pub async fn insert_save(tx: &mut sqlx::AnyConnection, r: &NewRevision<'_>) -> Result<i64> {
    sqlx::query(DROP_AUTOSAVE).bind(r.article_id).bind(r.editor_id).execute(&mut *tx).await?;
    insert(tx, INSERT_SAVE, r).await
}

/// Keeps the editor's autosave of the article, replacing their previous
/// one (the same row: its id stays while they type).
pub async fn autosave(db: &Db, r: &NewRevision<'_>) -> Result<i64> {
    let mut tx = db.begin_write().await?;
    let id = match rewrite(&mut tx, UPDATE_AUTOSAVE, r).await? {
        Some(id) => id,
        None => insert(&mut tx, INSERT_AUTOSAVE, r).await?,
    };
    tx.commit().await?;
    Ok(id)
}

async fn rewrite(tx: &mut sqlx::AnyConnection, sql: &'static str, r: &NewRevision<'_>) -> Result<Option<i64>> {
    sqlx::query_scalar(sql)
        .bind(r.article_id)
        .bind(r.editor_id)
        .bind(r.editor_name)
        .bind(r.now)
        .bind(r.title)
        .bind(r.front)
        .bind(r.body)
        .fetch_optional(tx)
        .await
}

async fn insert(tx: &mut sqlx::AnyConnection, sql: &'static str, r: &NewRevision<'_>) -> Result<i64> {
    sqlx::query_scalar(sql)
        .bind(r.article_id)
        .bind(r.editor_id)
        .bind(r.editor_name)
        .bind(r.now)
        .bind(r.title)
        .bind(r.front)
        .bind(r.body)
        .fetch_one(tx)
        .await
}

/// An article's revisions, newest first, without their text.
pub async fn list(db: &Db, article_id: i64) -> Result<Vec<Revision>> {
    sqlx::query_as(LIST).bind(article_id).fetch_all(&db.pool).await
}

pub async fn get(db: &Db, article_id: i64, id: i64) -> Result<Option<Revision>> {
    sqlx::query_as(ONE).bind(id).bind(article_id).fetch_optional(&db.pool).await
}

/// The article's latest saved revision: who saved what is stored now.
pub async fn latest_save(db: &Db, article_id: i64) -> Result<Option<Revision>> {
    sqlx::query_as(LATEST_SAVE).bind(article_id).fetch_optional(&db.pool).await
}

/// The editor's autosave of the article, if they have one.
pub async fn autosave_of(db: &Db, article_id: i64, editor_id: i64) -> Result<Option<Revision>> {
    sqlx::query_as(AUTOSAVE_OF).bind(article_id).bind(editor_id).fetch_optional(&db.pool).await
}
