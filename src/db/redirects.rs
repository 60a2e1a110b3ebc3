//! Old addresses of renamed articles, each leading straight to
//! the current one. A rename is recorded inside the transaction that makes
//! it, and flattens the chain: every older address of the page leads to the
//! new slug at once, never through a second hop.

use super::{Db, Result};

crate::text_enum! {
    /// What an address names.
    pub enum Kind("redirect kind") {
        Article = "article",
    }
}

const FLATTEN: &str = "update redirects set new_slug = $3 where kind = $1 and new_slug = $2";
// The new address is live again, no longer an old one.
const REVIVE: &str = "delete from redirects where kind = $1 and old_slug = $2";
const INSERT: &str = "
insert into redirects (kind, old_slug, new_slug, created_at) values ($1, $2, $3, $4)
on conflict (kind, old_slug) do update set new_slug = excluded.new_slug, created_at = excluded.created_at";
const TARGET: &str = "select new_slug from redirects where kind = $1 and old_slug = $2";

/// Records that `old` is now `new`, inside the rename's transaction.
pub async fn renamed(tx: &mut sqlx::AnyConnection, kind: Kind, old: &str, new: &str, now: i64) -> Result<()> {
    if old == new {
        return Ok(());
    }
    sqlx::query(FLATTEN).bind(kind.as_str()).bind(old).bind(new).execute(&mut *tx).await?;
    sqlx::query(REVIVE).bind(kind.as_str()).bind(new).execute(&mut *tx).await?;
    sqlx::query(INSERT).bind(kind.as_str()).bind(old).bind(new).bind(now).execute(&mut *tx).await?;
    Ok(())
}

/// The slug an old address now leads to.
pub async fn target(db: &Db, kind: Kind, old: &str) -> Result<Option<String>> {
    sqlx::query_scalar(TARGET).bind(kind.as_str()).bind(old).fetch_optional(&db.pool).await
}
