//! Mail in the database: the outbox, the commenters who asked to hear about
//! replies, and password reset tokens.
//!
//! A mail is written to the outbox in the same transaction as the event
//! that causes it (a comment approved or held, an opt-in, a reset asked
//! for), so it is never lost by a crash and never sent for an event that
//! rolled back. A sender (`crate::mail::sender`) on any node claims one row
//! at a time with a lease, sends it and marks it sent; on PostgreSQL the
//! claim skips rows another node has locked (`for update skip locked`), on
//! SQLite the single writer makes it atomic. A row whose sender died is
//! claimed again when its lease runs out.

use sqlx::AnyConnection;

use super::{Backend, Db, Result};

/// How long a claimed mail is left to its sender before another may take it:
/// far longer than a send may take (its time limit is 30 seconds).
pub const LEASE_SECONDS: i64 = 120;

/// A confirmation is sent again for the same address at most this often.
pub const CONFIRM_AGAIN_SECONDS: i64 = 24 * 3600;

crate::text_enum! {
    /// What a mail is.
    pub enum Kind("mail kind") {
        /// Double opt-in: confirm that this address wants reply notifications.
        Confirm = "confirm",
        /// A reply to a comment whose author asked to hear of replies.
        Reply = "reply",
        /// Held comments, for a moderator.
        Digest = "digest",
        /// A password reset link, made when asked for.
        Reset = "reset",
    }
}

/// A claimed outbox row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Outgoing {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    pub recipient: String,
    pub comment_id: Option<i64>,
    pub subject: Option<String>,
    pub body_text: Option<String>,
    pub body_html: Option<String>,
    pub attempts: i64,
}

const CLAIM: &str = "
update outbox set locked_until = $1
where id = (select id from outbox
            where sent_at is null and failed_at is null and next_at <= $2 and locked_until <= $2
            order by next_at, id limit 1 {lock})
  and locked_until <= $2 and sent_at is null
returning id, kind, recipient, comment_id, subject, body_text, body_html, attempts";

/// The one place the backends differ here: PostgreSQL's nodes skip the
/// rows another node is claiming instead of waiting for them.
fn claim_sql(backend: Backend) -> &'static str {
    static SQLITE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    static POSTGRES: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    match backend {
        Backend::Sqlite => SQLITE.get_or_init(|| CLAIM.replace("{lock}", "")),
        Backend::Postgres => POSTGRES.get_or_init(|| CLAIM.replace("{lock}", "for update skip locked")),
    }
}

/// Claims the next mail that is due, for [`LEASE_SECONDS`].
pub async fn claim(db: &Db, now: i64) -> Result<Option<Outgoing>> {
    sqlx::query_as(sqlx::AssertSqlSafe(claim_sql(db.backend)))
        .bind(now + LEASE_SECONDS)
        .bind(now)
        .fetch_optional(&db.pool)
        .await
}

// The mail's text is dropped once sent: a reset link must not outlive its use.
const SENT: &str = "
update outbox set sent_at = $2, locked_until = 0, last_error = null, subject = null, body_text = null,
    body_html = null, dedupe = case when kind = 'digest' then null else dedupe end
where id = $1";
const RETRY: &str =
    "update outbox set next_at = $2, locked_until = 0, attempts = attempts + 1, last_error = $3 where id = $1";
const DEFER: &str = "update outbox set next_at = $2, locked_until = 0 where id = $1";
const FAILED: &str = "
update outbox set failed_at = $2, locked_until = 0, attempts = attempts + 1, last_error = $3,
    subject = null, body_text = null, body_html = null,
    dedupe = case when kind = 'digest' then null else dedupe end
where id = $1";

/// The mail went out: never sent again.
pub async fn mark_sent(db: &Db, id: i64, now: i64) -> Result<()> {
    sqlx::query(SENT).bind(id).bind(now).execute(&db.pool).await.map(|_| ())
}

/// Sending failed for now: try again at `at`.
pub async fn retry(db: &Db, id: i64, at: i64, error: &str) -> Result<()> {
    sqlx::query(RETRY).bind(id).bind(at).bind(error).execute(&db.pool).await.map(|_| ())
}

/// Not sent yet (a rate limit): due again at `at`, no attempt counted.
pub async fn defer(db: &Db, id: i64, at: i64) -> Result<()> {
    sqlx::query(DEFER).bind(id).bind(at).execute(&db.pool).await.map(|_| ())
}

/// Given up on (or nothing left to say): never sent.
pub async fn mark_failed(db: &Db, id: i64, now: i64, why: &str) -> Result<()> {
    sqlx::query(FAILED).bind(id).bind(now).bind(why).execute(&db.pool).await.map(|_| ())
}

const HELD_AFTER: &str = "select count(*) from comments where status = 'pending' and id > $1";
const NEXT_DIGEST: &str = "
insert into outbox (kind, recipient, dedupe, created_at, next_at)
values ('digest', $1, 'digest:' || $1, $2, $3)
on conflict (dedupe) do nothing";

/// A digest that named the held comments up to id `listed` went out. A
/// comment held while it was being made and sent is not in it, and found
/// the digest's key taken: such a comment gets the next digest, an
/// interval from now.
pub async fn digest_sent(db: &Db, id: i64, recipient: &str, listed: i64, now: i64, interval: i64) -> Result<()> {
    let mut tx = db.begin_write().await?;
    sqlx::query(SENT).bind(id).bind(now).execute(&mut *tx).await?;
    let held: i64 = sqlx::query_scalar(HELD_AFTER).bind(listed).fetch_one(&mut *tx).await?;
    if held > 0 {
        sqlx::query(NEXT_DIGEST).bind(recipient).bind(now).bind(now + interval).execute(&mut *tx).await?;
    }
    tx.commit().await
}

const SENT_TO_SINCE: &str = "select count(*) from outbox where recipient = $1 and sent_at > $2";
const SENT_SINCE: &str = "select count(*) from outbox where sent_at > $1";

/// Mails sent to `recipient` after `since`.
pub async fn sent_to_since(db: &Db, recipient: &str, since: i64) -> Result<i64> {
    sqlx::query_scalar(SENT_TO_SINCE).bind(recipient).bind(since).fetch_one(&db.pool).await
}

/// Mails sent by the whole site after `since`.
pub async fn sent_since(db: &Db, since: i64) -> Result<i64> {
    sqlx::query_scalar(SENT_SINCE).bind(since).fetch_one(&db.pool).await
}

// --- What events write, inside their own transaction. ---

const OPT_IN: &str = "
insert into mail_subscribers (email, asked_at) values ($1, $2)
on conflict (email) do update set asked_at = excluded.asked_at
where mail_subscribers.confirmed_at is null and mail_subscribers.asked_at <= $3
returning email";
const CONFIRMED: &str = "select count(*) from mail_subscribers where email = $1 and confirmed_at is not null";
const QUEUE: &str = "
insert into outbox (kind, recipient, comment_id, subject, body_text, body_html, created_at, next_at)
values ($1, $2, $3, $4, $5, $6, $7, $7)";

/// A commenter asked to hear about replies. An address not confirmed yet
/// gets a confirmation mail, at most once a day however often the form is
/// sent, so the form cannot be used to flood an address.
pub(crate) async fn opt_in(tx: &mut AnyConnection, email: &str, now: i64) -> Result<()> {
    let email = email.trim().to_lowercase();
    let confirmed: i64 = sqlx::query_scalar(CONFIRMED).bind(&email).fetch_one(&mut *tx).await?;
    if confirmed > 0 {
        return Ok(());
    }
    let asked: Option<String> = sqlx::query_scalar(OPT_IN)
        .bind(&email)
        .bind(now)
        .bind(now - CONFIRM_AGAIN_SECONDS)
        .fetch_optional(&mut *tx)
        .await?;
    if asked.is_some() {
        queue(tx, Kind::Confirm, &email, None, None, now).await?;
    }
    Ok(())
}

/// Writes one mail to the outbox; `made` is `(subject, text, html)` for a
/// mail made now rather than when sent.
pub(crate) async fn queue(
    tx: &mut AnyConnection,
    kind: Kind,
    recipient: &str,
    comment_id: Option<i64>,
    made: Option<(&str, &str, &str)>,
    now: i64,
) -> Result<()> {
    sqlx::query(QUEUE)
        .bind(kind.as_str())
        .bind(recipient)
        .bind(comment_id)
        .bind(made.map(|m| m.0))
        .bind(made.map(|m| m.1))
        .bind(made.map(|m| m.2))
        .bind(now)
        .execute(&mut *tx)
        .await
        .map(|_| ())
}

// A direct reply, approved, to a comment whose author asked for replies and
// confirmed the address, from someone else: one mail, however often the
// reply is approved again (the key stays).
const REPLY: &str = "
insert into outbox (kind, recipient, comment_id, dedupe, created_at, next_at)
select 'reply', s.email, c.id, 'reply:' || cast(c.id as text), $2, $2
from comments c
join comments p on p.id = c.parent_id
join mail_subscribers s on s.email = lower(p.email)
where c.id = $1 and c.status = 'approved' and p.notify = 1 and s.confirmed_at is not null
  and lower(c.email) <> lower(p.email)
on conflict (dedupe) do nothing";

/// A comment was approved: its parent's author hears of it if they asked.
pub(crate) async fn reply_approved(tx: &mut AnyConnection, comment_id: i64, now: i64) -> Result<()> {
    sqlx::query(REPLY).bind(comment_id).bind(now).execute(&mut *tx).await.map(|_| ())
}

// Every moderator's next digest: one unsent per moderator (the key), due a
// digest interval after the last one they were sent.
const DIGEST: &str = "
insert into outbox (kind, recipient, dedupe, created_at, next_at)
select 'digest', e.email, 'digest:' || e.email, $1,
       coalesce((select max(o.sent_at) from outbox o where o.kind = 'digest' and o.recipient = e.email), 0) + $2
from editors e
where e.role in ('admin', 'editor') and e.disabled_at is null
on conflict (dedupe) do nothing";

/// A comment was held: every moderator's digest is due, at most one per
/// `interval` seconds each.
pub(crate) async fn comment_held(tx: &mut AnyConnection, now: i64, interval: i64) -> Result<()> {
    sqlx::query(DIGEST).bind(now).bind(interval).execute(&mut *tx).await.map(|_| ())
}

// --- Subscribers. ---

const CONFIRM: &str = "update mail_subscribers set confirmed_at = $2 where email = $1 and confirmed_at is null";
const UNSUBSCRIBE: &str = "update mail_subscribers set confirmed_at = null where email = $1";
const IS_SUBSCRIBED: &str = "select confirmed_at from mail_subscribers where email = $1";

/// The address confirmed its opt-in; `false` when it had never asked.
pub async fn confirm(db: &Db, email: &str, now: i64) -> Result<bool> {
    let email = email.trim().to_lowercase();
    sqlx::query(CONFIRM).bind(&email).bind(now).execute(&db.pool).await?;
    Ok(sqlx::query_scalar::<_, Option<i64>>(IS_SUBSCRIBED).bind(&email).fetch_optional(&db.pool).await?.is_some())
}

/// No more reply notifications for this address (until it opts in again).
pub async fn unsubscribe(db: &Db, email: &str) -> Result<()> {
    sqlx::query(UNSUBSCRIBE).bind(email.trim().to_lowercase()).execute(&db.pool).await.map(|_| ())
}

// --- Password resets. ---

const RESETS_SINCE: &str = "select count(*) from password_resets where editor_id = $1 and created_at > $2";
const NEW_RESET: &str =
    "insert into password_resets (token_hash, editor_id, created_at, expires_at) values ($1, $2, $3, $4)";
const PURGE_RESETS: &str = "delete from password_resets where expires_at <= $1";

/// Reset links one account may be sent per hour.
pub const RESETS_PER_HOUR: i64 = 5;

/// Stores a reset token's hash and its mail in one transaction; `false`
/// (nothing written) when the account was sent [`RESETS_PER_HOUR`] already.
pub async fn new_reset(
    db: &Db,
    editor_id: i64,
    recipient: &str,
    token_hash: &str,
    mail: (&str, &str, &str),
    now: i64,
    valid_for: i64,
) -> Result<bool> {
    let mut tx = db.begin_write().await?;
    sqlx::query(PURGE_RESETS).bind(now).execute(&mut *tx).await?;
    let recent: i64 = sqlx::query_scalar(RESETS_SINCE).bind(editor_id).bind(now - 3600).fetch_one(&mut *tx).await?;
    if recent >= RESETS_PER_HOUR {
        return Ok(false);
    }
    sqlx::query(NEW_RESET).bind(token_hash).bind(editor_id).bind(now).bind(now + valid_for).execute(&mut *tx).await?;
    queue(&mut tx, Kind::Reset, recipient, None, Some(mail), now).await?;
    tx.commit().await?;
    Ok(true)
}

const RESET_VALID: &str = "
select r.editor_id from password_resets r join editors e on e.id = r.editor_id
where r.token_hash = $1 and r.used_at is null and r.expires_at > $2 and e.disabled_at is null";
const USE_RESET: &str =
    "update password_resets set used_at = $2 where token_hash = $1 and used_at is null and expires_at > $2";
const SET_PASSWORD: &str = "update editors set password_hash = $2 where id = $1 and disabled_at is null";
const END_SESSIONS: &str = "delete from sessions where editor_id = $1";
const END_OTHER_RESETS: &str = "update password_resets set used_at = $2 where editor_id = $1 and used_at is null";

/// The account a reset token is for, while it is unused and fresh.
pub async fn reset_account(db: &Db, token_hash: &str, now: i64) -> Result<Option<i64>> {
    sqlx::query_scalar(RESET_VALID).bind(token_hash).bind(now).fetch_optional(&db.pool).await
}

/// Uses a reset token: sets the password, ends the account's sessions and
/// every other link it was sent, all or nothing. `None` when the token is
/// used, expired or unknown (two uses racing: one wins).
pub async fn use_reset(db: &Db, token_hash: &str, password_hash: &str, now: i64) -> Result<Option<i64>> {
    let mut tx = db.begin_write().await?;
    let Some(editor_id): Option<i64> =
        sqlx::query_scalar(RESET_VALID).bind(token_hash).bind(now).fetch_optional(&mut *tx).await?
    else {
        return Ok(None);
    };
    if sqlx::query(USE_RESET).bind(token_hash).bind(now).execute(&mut *tx).await?.rows_affected() != 1 {
        return Ok(None);
    }
    sqlx::query(SET_PASSWORD).bind(editor_id).bind(password_hash).execute(&mut *tx).await?;
    sqlx::query(END_SESSIONS).bind(editor_id).execute(&mut *tx).await?;
    sqlx::query(END_OTHER_RESETS).bind(editor_id).bind(now).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(Some(editor_id))
}

// --- What the sender reads to make a mail. ---

/// A reply and what it answers, for its notification.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReplyMail {
    pub id: i64,
    pub author: String,
    pub body: String,
    pub body_html: String,
    pub status: String,
    pub parent_author: String,
    pub parent_email: String,
    pub article_slug: String,
    pub article_title: String,
}

const REPLY_MAIL: &str = "
select c.id, c.author, c.body, c.body_html, c.status, p.author as parent_author, p.email as parent_email,
       a.slug as article_slug, a.title as article_title
from comments c join comments p on p.id = c.parent_id join articles a on a.id = c.article_id
where c.id = $1";

pub async fn reply_mail(db: &Db, comment_id: i64) -> Result<Option<ReplyMail>> {
    sqlx::query_as(REPLY_MAIL).bind(comment_id).fetch_optional(&db.pool).await
}

const SUBSCRIBED: &str = "select count(*) from mail_subscribers where email = $1 and confirmed_at is not null";

/// Whether the address still wants reply notifications.
pub async fn subscribed(db: &Db, email: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(SUBSCRIBED).bind(email.trim().to_lowercase()).fetch_one(&db.pool).await?;
    Ok(n > 0)
}

const WANTS_DIGEST: &str =
    "select count(*) from editors where email = $1 and role in ('admin', 'editor') and disabled_at is null";

/// Whether the address is still an active moderator's.
pub async fn is_moderator(db: &Db, email: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(WANTS_DIGEST).bind(email).fetch_one(&db.pool).await?;
    Ok(n > 0)
}

/// A held comment, as a digest lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Held {
    pub id: i64,
    pub author: String,
    pub body: String,
    pub reason: Option<String>,
    pub article_title: String,
}

const HELD: &str = "
select c.id, c.author, c.body, c.reason, a.title as article_title
from comments c join articles a on a.id = c.article_id
where c.status = 'pending' order by c.created_at, c.id limit $1";
const HELD_COUNT: &str = "select count(*) from comments where status = 'pending'";

/// The oldest held comments, at most `limit`.
pub async fn held(db: &Db, limit: i64) -> Result<Vec<Held>> {
    sqlx::query_as(HELD).bind(limit).fetch_all(&db.pool).await
}

/// How many comments are held.
pub async fn held_count(db: &Db) -> Result<i64> {
    sqlx::query_scalar(HELD_COUNT).fetch_one(&db.pool).await
}
