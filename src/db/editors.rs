//! Editors, their sessions, and the login throttle. Everything here lives in
//! the database so any app node can answer any request.

use super::{Db, Result};

use crate::auth::Role;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Editor {
    pub id: i64,
    pub email: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    /// When an admin disabled the account; such an account cannot log in.
    pub disabled_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
}

// The first account of a site is its admin, whatever role was asked for:
// someone must be able to manage the others.
const INSERT: &str = "
insert into editors (email, name, password_hash, created_at, role)
values ($1, $2, $3, $4, case when exists (select 1 from editors) then $5 else 'admin' end)
on conflict (email) do nothing
returning id, role";
const LIST: &str = "select id, email, name, role, disabled_at, created_at from editors order by email";
const BY_ID: &str = "select id, email, name, role, disabled_at, created_at from editors where id = $1";
const BY_EMAIL: &str = "select id, email, name, role, disabled_at, created_at from editors where email = $1";
// Every change that could leave the site without an active admin carries
// this condition, so two admins disabling each other at once cannot both
// succeed.
const REMOVE: &str = "
delete from editors where id = $1
and (role <> 'admin' or (select count(*) from editors where role = 'admin' and disabled_at is null) > 1)";
const SET_DISABLED: &str = "
update editors set disabled_at = $2 where id = $1
and ($2 is null or role <> 'admin'
     or (select count(*) from editors where role = 'admin' and disabled_at is null) > 1)";
const SET_ROLE: &str = "
update editors set role = $2 where id = $1
and ($2 = 'admin' or role <> 'admin'
     or (select count(*) from editors where role = 'admin' and disabled_at is null) > 1)";
const SET_PASSWORD: &str = "update editors set password_hash = $2 where id = $1";
const END_SESSIONS: &str = "delete from sessions where editor_id = $1";
const END_OTHER_SESSIONS: &str = "delete from sessions where editor_id = $1 and token_hash <> $2";
const CREDENTIALS: &str = "select id, password_hash from editors where email = $1 and disabled_at is null";
const CREDENTIALS_BY_ID: &str = "select id, password_hash from editors where id = $1 and disabled_at is null";

/// A new account as created: its id and the role it got (the first
/// account is an admin whatever was asked).
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Created {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub role: Role,
}

/// Creates an editor; `None` when the email is taken.
pub async fn create(
    db: &Db,
    email: &str,
    name: &str,
    password_hash: &str,
    role: Role,
    now: i64,
) -> Result<Option<Created>> {
    sqlx::query_as(INSERT)
        .bind(email.trim().to_lowercase())
        .bind(name.trim())
        .bind(password_hash)
        .bind(now)
        .bind(role.as_str())
        .fetch_optional(&db.pool)
        .await
}

pub async fn list(db: &Db) -> Result<Vec<Editor>> {
    sqlx::query_as(LIST).fetch_all(&db.pool).await
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Editor>> {
    sqlx::query_as(BY_ID).bind(id).fetch_optional(&db.pool).await
}

pub async fn by_email(db: &Db, email: &str) -> Result<Option<Editor>> {
    sqlx::query_as(BY_EMAIL).bind(email.trim().to_lowercase()).fetch_optional(&db.pool).await
}

/// What a change to an account came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Done,
    /// No such account.
    Missing,
    /// Refused: it would leave the site without an active admin.
    LastAdmin,
}

/// Tells a change that touched no row apart: no account, or the last admin.
async fn changed(db: &Db, id: i64, rows: u64) -> Result<Change> {
    if rows == 1 {
        return Ok(Change::Done);
    }
    Ok(if by_id(db, id).await?.is_some() { Change::LastAdmin } else { Change::Missing })
}

/// Removes an editor and their sessions; never the last active admin.
pub async fn remove(db: &Db, id: i64) -> Result<Change> {
    let rows = sqlx::query(REMOVE).bind(id).execute(&db.pool).await?.rows_affected();
    changed(db, id, rows).await
}

/// Disables an account (ending its sessions) or enables it again; never
/// disables the last active admin.
pub async fn set_disabled(db: &Db, id: i64, disabled_at: Option<i64>) -> Result<Change> {
    let mut tx = db.begin_write().await?;
    let rows = sqlx::query(SET_DISABLED).bind(id).bind(disabled_at).execute(&mut *tx).await?.rows_affected();
    if rows == 1 && disabled_at.is_some() {
        sqlx::query(END_SESSIONS).bind(id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    changed(db, id, rows).await
}

/// Gives an account another role; never takes it from the last active admin.
pub async fn set_role(db: &Db, id: i64, role: Role) -> Result<Change> {
    let rows = sqlx::query(SET_ROLE).bind(id).bind(role.as_str()).execute(&db.pool).await?.rows_affected();
    changed(db, id, rows).await
}

/// Sets a new password hash and ends the account's sessions, except the
/// one named by `keep_session` (an editor changing their own password
/// stays logged in where they did it).
pub async fn set_password(db: &Db, id: i64, password_hash: &str, keep_session: Option<&str>) -> Result<Change> {
    let mut tx = db.begin_write().await?;
    let rows = sqlx::query(SET_PASSWORD).bind(id).bind(password_hash).execute(&mut *tx).await?.rows_affected();
    match keep_session {
        Some(token_hash) => sqlx::query(END_OTHER_SESSIONS).bind(id).bind(token_hash).execute(&mut *tx).await?,
        None => sqlx::query(END_SESSIONS).bind(id).execute(&mut *tx).await?,
    };
    tx.commit().await?;
    Ok(if rows == 1 { Change::Done } else { Change::Missing })
}

/// An active account's password hash, by email.
pub async fn credentials(db: &Db, email: &str) -> Result<Option<Credentials>> {
    sqlx::query_as(CREDENTIALS).bind(email.trim().to_lowercase()).fetch_optional(&db.pool).await
}

/// An active account's password hash, by id.
pub async fn credentials_by_id(db: &Db, id: i64) -> Result<Option<Credentials>> {
    sqlx::query_as(CREDENTIALS_BY_ID).bind(id).fetch_optional(&db.pool).await
}

const NEW_SESSION: &str =
    "insert into sessions (token_hash, editor_id, created_at, expires_at) values ($1, $2, $3, $4)";
const SESSION: &str = "
select e.id, e.email, e.name, e.role, e.disabled_at, e.created_at from sessions s join editors e on e.id = s.editor_id
where s.token_hash = $1 and s.expires_at > $2 and e.disabled_at is null";
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
