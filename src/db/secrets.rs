//! Secrets generated once and shared by every app node through the database.

use super::{Db, Result};

const INSERT: &str = "insert into secrets (name, value) values ($1, $2) on conflict (name) do nothing";
const SELECT: &str = "select value from secrets where name = $1";

/// The secret `name`, created at random on first use. Concurrent first uses
/// on several nodes agree: the first insert wins and everyone reads it.
pub async fn get_or_create(db: &Db, name: &str) -> Result<String> {
    // Read first: a write would wait for any writer (the import `serve`
    // runs beside it on start), and the secret exists after the first start.
    if let Some(value) = sqlx::query_scalar(SELECT).bind(name).fetch_optional(&db.pool).await? {
        return Ok(value);
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| sqlx::Error::Protocol(format!("no randomness: {e}")))?;
    let fresh: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    sqlx::query(INSERT).bind(name).bind(fresh).execute(&db.pool).await?;
    sqlx::query_scalar(SELECT).bind(name).fetch_one(&db.pool).await
}
