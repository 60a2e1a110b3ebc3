//! Editors, their sessions, and the login throttle. Everything here lives in
//! the database so any app node can answer any request.

use super::{Db, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Editor {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
}

const INSERT: &str = "insert into editors (email, name, password_hash, created_at) values ($1, $2, $3, $4) on conflict (email) do nothing returning id";
const LIST: &str = "select id, email, name, created_at from editors order by email";
const REMOVE: &str = "delete from editors where email = $1";
const CREDENTIALS: &str = "select id, password_hash from editors where email = $1";

/// Creates an editor; `None` when the email is taken.
pub async fn create(db: &Db, email: &str, name: &str, password_hash: &str, now: i64) -> Result<Option<i64>> {
    sqlx::query_scalar(INSERT)
        .bind(email.trim().to_lowercase())
        .bind(name.trim())
        .bind(password_hash)
        .bind(now)
        .fetch_optional(&db.pool)
        .await
}

pub async fn list(db: &Db) -> Result<Vec<Editor>> {
    sqlx::query_as(LIST).fetch_all(&db.pool).await
}

/// Removes an editor and their sessions; false when there was none.
pub async fn remove(db: &Db, email: &str) -> Result<bool> {
    Ok(sqlx::query(REMOVE).bind(email.trim().to_lowercase()).execute(&db.pool).await?.rows_affected() == 1)
}

pub async fn credentials(db: &Db, email: &str) -> Result<Option<Credentials>> {
    sqlx::query_as(CREDENTIALS).bind(email.trim().to_lowercase()).fetch_optional(&db.pool).await
}

const NEW_SESSION: &str =
    "insert into sessions (token_hash, editor_id, created_at, expires_at) values ($1, $2, $3, $4)";
const SESSION: &str = "
select e.id, e.email, e.name, e.created_at from sessions s join editors e on e.id = s.editor_id
where s.token_hash = $1 and s.expires_at > $2";
const END_SESSION: &str = "delete from sessions where token_hash = $1";
const PURGE_SESSIONS: &str = "delete from sessions where expires_at <= $1";

pub async fn start_session(db: &Db, token_hash: &str, editor_id: i64, now: i64, expires_at: i64) -> Result<()> {
    sqlx::query(PURGE_SESSIONS).bind(now).execute(&db.pool).await?;
    sqlx::query(NEW_SESSION).bind(token_hash).bind(editor_id).bind(now).bind(expires_at).execute(&db.pool).await?;
    Ok(())
}

/// The editor a live session belongs to.
pub async fn session(db: &Db, token_hash: &str, now: i64) -> Result<Option<Editor>> {
    sqlx::query_as(SESSION).bind(token_hash).bind(now).fetch_optional(&db.pool).await
}

pub async fn end_session(db: &Db, token_hash: &str) -> Result<()> {
    sqlx::query(END_SESSION).bind(token_hash).execute(&db.pool).await.map(|_| ())
}

/// How the throttle stands for a key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Failures {
    pub failures: i64,
    pub locked_until: i64,
}

const FAILURES: &str =
    "select failures, locked_until from login_failures where key = $1 and (first_at >= $2 or locked_until > $3)";
const RECORD_FAILURE: &str = "
insert into login_failures (key, failures, first_at, locked_until) values ($1, 1, $2, 0)
on conflict (key) do update set
    failures = case when login_failures.first_at < $3 and login_failures.locked_until <= $2 then 1
                    else login_failures.failures + 1 end,
    first_at = case when login_failures.first_at < $3 and login_failures.locked_until <= $2 then $2
                    else login_failures.first_at end,
    locked_until = case when login_failures.first_at >= $3 and login_failures.failures + 1 >= $4 then $5
                        else login_failures.locked_until end
returning failures, locked_until";
const CLEAR_FAILURES: &str = "delete from login_failures where key = $1";

/// Failures of `key` within the window (or a lock still running).
pub async fn failures(db: &Db, key: &str, now: i64, window: i64) -> Result<Failures> {
    let f = sqlx::query_as(FAILURES).bind(key).bind(now - window).bind(now).fetch_optional(&db.pool).await?;
    Ok(f.unwrap_or_default())
}

/// Counts one more failure of `key`; at `lock_after` within the window the
/// key is locked until `now + lock_for`.
pub async fn record_failure(
    db: &Db,
    key: &str,
    now: i64,
    window: i64,
    lock_after: i64,
    lock_for: i64,
) -> Result<Failures> {
    let mut tx = db.begin_write().await?;
    let f = sqlx::query_as(RECORD_FAILURE)
        .bind(key)
        .bind(now)
        .bind(now - window)
        .bind(lock_after)
        .bind(now + lock_for)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(f)
}

pub async fn clear_failures(db: &Db, key: &str) -> Result<()> {
    sqlx::query(CLEAR_FAILURES).bind(key).execute(&db.pool).await.map(|_| ())
}
