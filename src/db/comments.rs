//! Comments: new ones stored by group commit ([`super::commit_queue`]),
//! every other write in a transaction of its own; threads read in one query
//! ordered by materialised path; flood control in the `throttle` table so
//! every app node shares it.

use sqlx::AnyConnection;

use super::{Db, Result, now};
use crate::comments::Status;

/// A comment as stored (everything but the email, which pages never need).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Comment {
    pub id: i64,
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub depth: i64,
    pub entry_anchor: Option<String>,
    pub author: String,
    pub url: Option<String>,
    pub body: String,
    pub body_html: String,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub token_hash: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    /// Written by an editor: shown as staff.
    pub editor_id: Option<i64>,
    /// Readers who marked it helpful.
    pub helpful: i64,
}

const THREAD: &str = "
select id, article_id, parent_id, depth, entry_anchor, author, url, body, body_html, status, token_hash,
       created_at, edited_at, editor_id, helpful
from comments where article_id = $1 order by path";

/// Every comment of an article in reading order (parents before replies),
/// whatever its status: the page decides what each reader may see.
pub async fn thread(db: &Db, article_id: i64) -> Result<Vec<Comment>> {
    sqlx::query_as(THREAD).bind(article_id).fetch_all(&db.pool).await
}

const BY_ID: &str = "
select id, article_id, parent_id, depth, entry_anchor, author, url, body, body_html, status, token_hash,
       created_at, edited_at, editor_id, helpful
from comments where id = $1";

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Comment>> {
    sqlx::query_as(BY_ID).bind(id).fetch_optional(&db.pool).await
}

/// A new comment, validated and judged.
#[derive(Debug, Clone)]
pub struct NewComment<'a> {
    pub article_id: i64,
    pub parent: Option<&'a Comment>,
    pub entry_anchor: Option<&'a str>,
    pub author: &'a str,
    pub email: &'a str,
    pub url: Option<&'a str>,
    pub body: &'a str,
    pub body_html: &'a str,
    pub status: Status,
    pub reason: Option<&'a str>,
    pub ip: &'a str,
    pub user_agent: Option<&'a str>,
    pub token_hash: &'a str,
    pub fingerprint: &'a str,
    pub now: i64,
    /// An editor's reply.
    pub editor_id: Option<i64>,
    /// The commenter asked to be told of replies.
    pub notify: bool,
}

/// Why a comment was not stored.
#[derive(Debug, thiserror::Error)]
pub enum InsertError {
    #[error("this client posted less than the interval ago")]
    Flood,
    #[error("the same comment exists already")]
    Duplicate,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

const THROTTLE: &str = "
insert into throttle (key, until) values ($1, $2)
on conflict (key) do update set until = excluded.until where throttle.until <= $3
returning key";
const DUPLICATE: &str = "select count(*) from comments where fingerprint = $1 and status <> 'trash'";
const INSERT: &str = "
insert into comments (article_id, parent_id, depth, entry_anchor, author, email, url, body, body_html, status,
                      reason, ip, user_agent, token_hash, fingerprint, created_at, editor_id, notify)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
returning id";
const SET_PATH: &str = "update comments set path = $1 where id = $2";
const PARENT_PATH: &str = "select path from comments where id = $1";

/// Stores a comment: flood check, duplicate check, insert and thread path,
/// committed before this returns (in a transaction shared with the other
/// comments queued meanwhile, see [`super::commit_queue`]). `flood` with
/// `interval` seconds throttles a client; `None` skips it (spam from bots).
pub async fn insert(db: &Db, c: &NewComment<'_>, flood: Option<(&str, i64)>) -> Result<i64, InsertError> {
    let queued = Queued {
        article_id: c.article_id,
        parent: c.parent.map(|p| (p.id, p.depth)),
        entry_anchor: c.entry_anchor.map(str::to_owned),
        author: c.author.to_owned(),
        email: c.email.to_owned(),
        url: c.url.map(str::to_owned),
        body: c.body.to_owned(),
        body_html: c.body_html.to_owned(),
        status: c.status,
        reason: c.reason.map(str::to_owned),
        ip: c.ip.to_owned(),
        user_agent: c.user_agent.map(str::to_owned),
        token_hash: c.token_hash.to_owned(),
        fingerprint: c.fingerprint.to_owned(),
        now: c.now,
        editor_id: c.editor_id,
        notify: c.notify,
        flood: flood.filter(|(_, interval)| *interval > 0).map(|(key, interval)| (key.to_owned(), interval)),
    };
    db.comment_queue.insert(db, queued).await
}

/// A new comment as the commit queue holds it: owned, so it can wait for
/// the writer.
#[derive(Debug, Clone)]
pub(crate) struct Queued {
    pub article_id: i64,
    /// The parent's id and depth.
    pub parent: Option<(i64, i64)>,
    pub entry_anchor: Option<String>,
    pub author: String,
    pub email: String,
    pub url: Option<String>,
    pub body: String,
    pub body_html: String,
    pub status: Status,
    pub reason: Option<String>,
    pub ip: String,
    pub user_agent: Option<String>,
    pub token_hash: String,
    pub fingerprint: String,
    pub now: i64,
    pub editor_id: Option<i64>,
    pub notify: bool,
    /// The client's throttle key and interval (seconds), when throttled.
    pub flood: Option<(String, i64)>,
}

/// Stores one comment inside the writer's transaction. A duplicate or a
/// client within its flood interval is refused before anything is written,
/// so the transaction goes on for the other comments; the unique index
/// still catches a copy committed elsewhere meanwhile (a database error).
pub(crate) async fn insert_one(tx: &mut AnyConnection, c: &Queued) -> Result<i64, InsertError> {
    let duplicates: i64 = sqlx::query_scalar(DUPLICATE).bind(&c.fingerprint).fetch_one(&mut *tx).await?;
    if duplicates > 0 {
        return Err(InsertError::Duplicate);
    }
    if let Some((key, interval)) = &c.flood {
        let allowed: Option<String> =
            sqlx::query_scalar(THROTTLE).bind(key).bind(c.now + interval).bind(c.now).fetch_optional(&mut *tx).await?;
        if allowed.is_none() {
            return Err(InsertError::Flood);
        }
    }
    let id: i64 = sqlx::query_scalar(INSERT)
        .bind(c.article_id)
        .bind(c.parent.map(|(id, _)| id))
        .bind(c.parent.map_or(0, |(_, depth)| depth + 1))
        .bind(&c.entry_anchor)
        .bind(&c.author)
        .bind(&c.email)
        .bind(&c.url)
        .bind(&c.body)
        .bind(&c.body_html)
        .bind(c.status.as_str())
        .bind(&c.reason)
        .bind(&c.ip)
        .bind(&c.user_agent)
        .bind(&c.token_hash)
        .bind(&c.fingerprint)
        .bind(c.now)
        .bind(c.editor_id)
        .bind(i64::from(c.notify))
        .fetch_one(&mut *tx)
        .await?;
    set_path(tx, id, c.parent.map(|(id, _)| id)).await?;
    Ok(id)
}

async fn set_path(tx: &mut AnyConnection, id: i64, parent: Option<i64>) -> Result<()> {
    let prefix: String = match parent {
        Some(p) => sqlx::query_scalar::<_, String>(PARENT_PATH).bind(p).fetch_one(&mut *tx).await? + "/",
        None => String::new(),
    };
    sqlx::query(SET_PATH).bind(format!("{prefix}{id:012}")).bind(id).execute(&mut *tx).await?;
    Ok(())
}

pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            d.is_unique_violation() || d.code().is_some_and(|c| c == "23505" || c == "2067" || c == "1555")
        }
        _ => false,
    }
}

const LIVE_OWNED: &str = "
select id, article_id, token_hash from comments
where id in ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
  and (status = 'pending' or (status = 'approved' and created_at > $21))";
/// Ids `LIVE_OWNED` takes at once (the owner cookie keeps no more).
pub const LIVE_OWNED_IDS: usize = 20;

/// `(id, article id, token hash)` of those of `ids` still held, or approved
/// and created after `since` (still in their edit window): what makes an
/// article page personal to the commenter. One query for all of them.
pub async fn live_owned(db: &Db, ids: &[i64], since: i64) -> Result<Vec<(i64, i64, String)>> {
    let mut q = sqlx::query_as(LIVE_OWNED);
    for i in 0..LIVE_OWNED_IDS {
        // Ids start at 1: padding with 0 matches nothing.
        q = q.bind(ids.get(i).copied().unwrap_or(0));
    }
    q.bind(since).fetch_all(&db.pool).await
}

const THROTTLED: &str = "select until from throttle where key = $1 and until > $2";

/// Until when `key` is still throttled at `now`, if it is: a cheap look
/// before the work of a comment. `insert` decides for good, atomically.
pub async fn throttled_until(db: &Db, key: &str, now: i64) -> Result<Option<i64>> {
    sqlx::query_scalar(THROTTLED).bind(key).bind(now).fetch_optional(&db.pool).await
}

const KNOWN: &str = "select count(*) from comments where lower(email) = lower($1) and status = 'approved'";

/// Whether this email already has an approved comment.
pub async fn known_commenter(db: &Db, email: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(KNOWN).bind(email).fetch_one(&db.pool).await?;
    Ok(n > 0)
}

const UPDATE_BODY: &str =
    "update comments set body = $1, body_html = $2, fingerprint = $3, status = $4, edited_at = $5 where id = $6";

/// The commenter's own edit.
pub async fn update_body(
    db: &Db,
    id: i64,
    body: &str,
    body_html: &str,
    fingerprint: &str,
    status: Status,
    now: i64,
) -> Result<bool, InsertError> {
    let mut tx = db.begin_write().await?;
    let res = sqlx::query(UPDATE_BODY)
        .bind(body)
        .bind(body_html)
        .bind(fingerprint)
        .bind(status.as_str())
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await;
    let changed = match res {
        Ok(r) => r.rows_affected() == 1,
        Err(e) if is_unique_violation(&e) => return Err(InsertError::Duplicate),
        Err(e) => return Err(e.into()),
    };
    comments_changed(&mut tx, &[id]).await?;
    tx.commit().await?;
    Ok(changed)
}

/// An approved comment for a feed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedItem {
    pub id: i64,
    pub author: String,
    pub url: Option<String>,
    pub body_html: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub article_slug: String,
    pub article_title: String,
}

const FEED_SITE: &str = "
select c.id, c.author, c.url, c.body_html, c.created_at, c.edited_at, a.slug as article_slug, a.title as article_title
from comments c join articles a on a.id = c.article_id
where c.status = 'approved' and a.published_at <= $1
order by c.created_at desc, c.id desc limit $2";
const FEED_ARTICLE: &str = "
select c.id, c.author, c.url, c.body_html, c.created_at, c.edited_at, a.slug as article_slug, a.title as article_title
from comments c join articles a on a.id = c.article_id
where c.status = 'approved' and a.published_at <= $1 and a.id = $3
order by c.created_at desc, c.id desc limit $2";

/// The latest approved comments, of one article or of the site.
pub async fn feed(db: &Db, now: i64, article_id: Option<i64>, limit: i64) -> Result<Vec<FeedItem>> {
    let q = sqlx::query_as(if article_id.is_some() { FEED_ARTICLE } else { FEED_SITE }).bind(now).bind(limit);
    match article_id {
        Some(id) => q.bind(id).fetch_all(&db.pool).await,
        None => q.fetch_all(&db.pool).await,
    }
}

const COUNT_BY_STATUS: &str = "select status, count(*) as count from comments group by status";

/// How many comments there are in one status.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct StatusCount {
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub count: i64,
}

/// How many comments are in each status (a status without any is left out).
pub async fn count_by_status(db: &Db) -> Result<Vec<StatusCount>> {
    sqlx::query_as(COUNT_BY_STATUS).fetch_all(&db.pool).await
}

/// A comment as moderators see it: with email, address and article.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Moderated {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub entry_anchor: Option<String>,
    pub author: String,
    pub email: String,
    pub url: Option<String>,
    pub ip: String,
    pub body_html: String,
    #[sqlx(try_from = "String")]
    pub status: Status,
    pub reason: Option<String>,
    pub created_at: i64,
    pub editor_id: Option<i64>,
    pub article_slug: String,
    pub article_title: String,
}

const BY_STATUS: &str = "
select c.id, c.parent_id, c.entry_anchor, c.author, c.email, c.url, c.ip, c.body_html, c.status, c.reason,
       c.created_at, c.editor_id, a.slug as article_slug, a.title as article_title
from comments c join articles a on a.id = c.article_id
where c.status = $1
order by c.created_at desc, c.id desc
limit $2";

/// The newest comments in one status.
pub async fn by_status(db: &Db, status: Status, limit: i64) -> Result<Vec<Moderated>> {
    sqlx::query_as(BY_STATUS).bind(status.as_str()).bind(limit).fetch_all(&db.pool).await
}

crate::text_enum! {
    /// What a moderator does to a comment.
    pub enum Moderation("moderation") {
        Approve = "approve",
        Unapprove = "unapprove",
        Spam = "spam",
        Trash = "trash",
        Restore = "restore",
        Delete = "delete",
    }
}

const APPROVE: &str = "update comments set status = 'approved', trashed_from = null where id = $1";
const UNAPPROVE: &str = "update comments set status = 'pending', trashed_from = null where id = $1";
const MARK_SPAM: &str = "update comments set status = 'spam', trashed_from = null where id = $1";
const TRASH: &str = "update comments set trashed_from = status, status = 'trash' where id = $1 and status <> 'trash'";
const RESTORE: &str = "
update comments set status = case when status = 'spam' then 'approved' else coalesce(trashed_from, 'pending') end,
    trashed_from = null
where id = $1 and status in ('trash', 'spam')";
const PATH_OF: &str = "select path, parent_id from comments where id = $1";
const REPARENT: &str = "update comments set parent_id = $1 where parent_id = $2";
const REPATH: &str = "
update comments set path = $1 || substr(path, cast($2 as integer)), depth = depth - 1
where path like $3";
const DELETE: &str = "delete from comments where id = $1";

/// Applies one moderation to several comments in one transaction; returns
/// how many changed. Deleting for good keeps the replies: they move up to
/// the deleted comment's parent.
pub async fn moderate(db: &Db, ids: &[i64], what: Moderation) -> Result<u64> {
    let now = now();
    let mut tx = db.begin_write().await?;
    // Before the change: a comment deleted for good has no article after it.
    comments_changed(&mut tx, ids).await?;
    let mut changed = 0;
    for &id in ids {
        changed += match what {
            Moderation::Approve => {
                let n = sqlx::query(APPROVE).bind(id).execute(&mut *tx).await?.rows_affected();
                if db.mail.is_some() {
                    super::mail::reply_approved(&mut tx, id, now).await?;
                }
                n
            }
            Moderation::Unapprove => sqlx::query(UNAPPROVE).bind(id).execute(&mut *tx).await?.rows_affected(),
            Moderation::Spam => sqlx::query(MARK_SPAM).bind(id).execute(&mut *tx).await?.rows_affected(),
            Moderation::Trash => sqlx::query(TRASH).bind(id).execute(&mut *tx).await?.rows_affected(),
            Moderation::Restore => {
                let n = sqlx::query(RESTORE).bind(id).execute(&mut *tx).await?.rows_affected();
                if db.mail.is_some() {
                    super::mail::reply_approved(&mut tx, id, now).await?;
                }
                n
            }
            Moderation::Delete => {
                let Some((path, parent)): Option<(String, Option<i64>)> =
                    sqlx::query_as(PATH_OF).bind(id).fetch_optional(&mut *tx).await?
                else {
                    continue;
                };
                let new_prefix = match path.rsplit_once('/') {
                    Some((parent_path, _)) => format!("{parent_path}/"),
                    None => String::new(),
                };
                let old_prefix = format!("{path}/");
                sqlx::query(REPARENT).bind(parent).bind(id).execute(&mut *tx).await?;
                let from = i64::try_from(old_prefix.len() + 1).unwrap_or(i64::MAX);
                sqlx::query(REPATH)
                    .bind(new_prefix)
                    .bind(from)
                    .bind(format!("{old_prefix}%"))
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(DELETE).bind(id).execute(&mut *tx).await?.rows_affected()
            }
        };
    }
    tx.commit().await?;
    Ok(changed)
}

const BUMP_COMMENTS_VERSION: &str = "
update site_state set value = case when name = 'comments_version' then value + 1 else $1 end
where name in ('comments_version', 'content_modified_at')";
const STAMP_ARTICLE: &str = "
update articles set comments_version = (select value from site_state where name = 'comments_version')
where id = (select article_id from comments where id = $1)";

/// Marks a change to these comments, inside the write's transaction: the
/// comments version goes up (its row stays locked until the commit, so
/// versions become visible in order) and their articles are stamped with
/// it, so every node re-renders exactly those pages and the listings.
async fn comments_changed(tx: &mut AnyConnection, comment_ids: &[i64]) -> Result<()> {
    sqlx::query(BUMP_COMMENTS_VERSION).bind(now()).execute(&mut *tx).await?;
    for &id in comment_ids {
        sqlx::query(STAMP_ARTICLE).bind(id).execute(&mut *tx).await?;
    }
    Ok(())
}

const STAMP_ARTICLE_ID: &str = "
update articles set comments_version = (select value from site_state where name = 'comments_version')
where id = $1";

/// [`comments_changed`] for new comments, by their articles: one bump and
/// one stamp per article, however many of a batch went to each.
pub(crate) async fn comments_changed_on(tx: &mut AnyConnection, article_ids: &[i64]) -> Result<()> {
    sqlx::query(BUMP_COMMENTS_VERSION).bind(now()).execute(&mut *tx).await?;
    let mut articles = article_ids.to_vec();
    articles.sort_unstable();
    articles.dedup();
    for id in articles {
        sqlx::query(STAMP_ARTICLE_ID).bind(id).execute(&mut *tx).await?;
    }
    Ok(())
}
