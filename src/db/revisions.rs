//! Article revisions: every save through the desk keeps one.

use super::{Db, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Revision {
    pub id: i64,
    pub article_id: i64,
    pub editor_name: String,
    pub created_at: i64,
    pub title: String,
    pub front: String,
    pub body: String,
}

const INSERT: &str = "
insert into revisions (article_id, editor_id, editor_name, created_at, title, front, body)
values ($1, $2, $3, $4, $5, $6, $7)";
const LIST: &str = "
select id, article_id, editor_name, created_at, title, '' as front, '' as body
from revisions where article_id = $1 order by id desc";
const ONE: &str = "
select id, article_id, editor_name, created_at, title, front, body
from revisions where id = $1 and article_id = $2";

/// Keeps a revision, inside the save's transaction.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    tx: &mut sqlx::AnyConnection,
    article_id: i64,
    editor_id: i64,
    editor_name: &str,
    now: i64,
    title: &str,
    front: &str,
    body: &str,
) -> Result<()> {
    sqlx::query(INSERT)
        .bind(article_id)
        .bind(editor_id)
        .bind(editor_name)
        .bind(now)
        .bind(title)
        .bind(front)
        .bind(body)
        .execute(tx)
        .await
        .map(|_| ())
}

/// An article's revisions, newest first, without their text.
pub async fn list(db: &Db, article_id: i64) -> Result<Vec<Revision>> {
    sqlx::query_as(LIST).bind(article_id).fetch_all(&db.pool).await
}

pub async fn get(db: &Db, article_id: i64, id: i64) -> Result<Option<Revision>> {
    sqlx::query_as(ONE).bind(id).bind(article_id).fetch_optional(&db.pool).await
}
