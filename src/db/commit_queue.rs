//! Group commit for new comments: every comment a node accepts is queued
//! here, and one writer at a time stores everything queued in one
//! transaction, then answers each request after that transaction committed.
//!
//! Why: a transaction per comment costs a commit (with SQLite's default
//! `synchronous = FULL` in WAL mode, an `fsync` of the log) and a turn at
//! the single write lock, which concurrent writers wait for in SQLite's
//! busy handler, sleeping milliseconds at a time. Under load that, not the
//! work of a comment, was the limit (about 420 comments a second here).
//! One writer committing batches pays for one `fsync` and one lock per
//! batch and nobody sleeps on the lock, while every acknowledged comment
//! is still committed (and on SQLite synced) before its answer: a crash,
//! `kill -9` or power loss loses no comment a visitor was told was stored.
//! The other choice, `synchronous = NORMAL`, would keep a lock per comment
//! and give up durability against power loss; it is not needed.
//!
//! How: there is no background task. A request that finds no writer at
//! work becomes it and spawns a task that takes what is queued (at most
//! [`MAX_BATCH`] at once), writes it, answers, and goes on until the queue
//! is empty, so comments that arrive during a commit form the next batch.
//! The task is detached from the request, so a visitor who hangs up does
//! not cancel the others' writes. PostgreSQL takes the very same path.
//!
//! A comment refused by the checks inside the transaction (a duplicate, the
//! flood interval) writes nothing and does not disturb the others. Any
//! other failure rolls the batch back: when the database is unavailable
//! every comment in it gets that answer (503); otherwise each is tried again
//! alone, so one comment that cannot be stored (for instance one another
//! node stored at the same moment) never costs the others theirs.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::oneshot;

use super::comments::{InsertError, Queued, comments_changed_on, insert_one, is_unique_violation};
use super::{Db, is_read_only, is_unavailable};

/// The most comments one transaction stores: bounds how long the write lock
/// is held and how much a failed batch has to try again.
pub const MAX_BATCH: usize = 256;

/// Comments waiting for the writer, and whether one is at work.
#[derive(Debug, Default)]
pub struct CommitQueue {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    waiting: Vec<Pending>,
    writing: bool,
}

/// A queued comment and where its outcome goes.
#[derive(Debug)]
struct Pending {
    comment: Queued,
    done: oneshot::Sender<Result<i64, InsertError>>,
}

impl CommitQueue {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a comment and waits until it is committed (its id) or refused.
    pub(crate) async fn insert(&self, db: &Db, comment: Queued) -> Result<i64, InsertError> {
        let (done, outcome) = oneshot::channel();
        let lead = {
            let mut state = self.state();
            state.waiting.push(Pending { comment, done });
            !std::mem::replace(&mut state.writing, true)
        };
        if lead {
            tokio::spawn(write_all(db.clone()));
        }
        // The writer went away without an answer (the runtime shutting down):
        // the comment may not be stored, and the visitor is told so.
        outcome.await.unwrap_or(Err(InsertError::Db(sqlx::Error::WorkerCrashed)))
    }
}

/// Stops being the writer however the task ends: normally with the queue
/// empty, or dropped mid-write (the runtime shutting down), when whatever
/// still waits is answered with an error rather than left hanging.
struct Writer {
    queue: Arc<CommitQueue>,
    finished: bool,
}

impl Drop for Writer {
    fn drop(&mut self) {
        if !self.finished {
            let mut state = self.queue.state();
            state.waiting.clear();
            state.writing = false;
        }
    }
}

/// The writer: batches until nothing waits.
async fn write_all(db: Db) {
    let mut writer = Writer { queue: Arc::clone(&db.comment_queue), finished: false };
    loop {
        let batch: Vec<Pending> = {
            let mut state = writer.queue.state();
            if state.waiting.is_empty() {
                state.writing = false;
                writer.finished = true;
                return;
            }
            let n = state.waiting.len().min(MAX_BATCH);
            state.waiting.drain(..n).collect()
        };
        write_batch(&db, batch).await;
    }
}

/// Stores one batch and answers each of its comments.
async fn write_batch(db: &Db, batch: Vec<Pending>) {
    let comments: Vec<&Queued> = batch.iter().map(|p| &p.comment).collect();
    match transaction(db, &comments).await {
        Ok(outcomes) => {
            for (p, outcome) in batch.into_iter().zip(outcomes) {
                let _ = p.done.send(outcome);
            }
        }
        Err(e) if batch.len() == 1 => {
            if let Some(p) = batch.into_iter().next() {
                let _ = p.done.send(Err(e.into()));
            }
        }
        Err(e) if is_unavailable(&e) => {
            tracing::warn!(error = %e, comments = batch.len(), "storing a batch of comments failed");
            let message = e.to_string();
            for p in batch {
                let e = sqlx::Error::Io(std::io::Error::other(message.clone()));
                let _ = p.done.send(Err(e.into()));
            }
        }
        Err(_) => {
            for p in batch {
                let outcome = match transaction(db, &[&p.comment]).await {
                    Ok(mut outcomes) => outcomes.pop().unwrap_or(Err(InsertError::Db(sqlx::Error::RowNotFound))),
                    Err(e) => Err(e.into()),
                };
                let _ = p.done.send(outcome);
            }
        }
    }
}

/// The mail a new comment causes, in its transaction: a confirmation for a
/// first opt-in, a notification for the comment it answers, a digest for
/// moderators when it is held. A comment taken for spam causes none.
async fn mail_events(tx: &mut sqlx::AnyConnection, c: &Queued, id: i64, mail: super::MailEvents) -> sqlx::Result<()> {
    use crate::comments::Status;
    if c.status == Status::Spam {
        return Ok(());
    }
    if c.notify {
        super::mail::opt_in(tx, &c.email, c.now).await?;
    }
    match c.status {
        Status::Approved => super::mail::reply_approved(tx, id, c.now).await,
        Status::Pending => super::mail::comment_held(tx, c.now, mail.digest_seconds).await,
        _ => Ok(()),
    }
}

/// One transaction for `comments`: each one's outcome, or the error that
/// rolled the whole batch back. A batch of one keeps the exact answer of a
/// lone insert: a unique violation (a copy committed elsewhere meanwhile)
/// is a duplicate.
async fn transaction(db: &Db, comments: &[&Queued]) -> sqlx::Result<Vec<Result<i64, InsertError>>> {
    // A connection left unable to write by a storage fault is closed, not
    // lent out again, and the batch goes to another one.
    for attempt in 1.. {
        let mut conn = db.pool.acquire().await?;
        match write(db, &mut conn, comments).await {
            Err(e) if is_read_only(&e) => {
                conn.close_on_drop();
                if attempt >= MAX_READ_ONLY {
                    return Err(e);
                }
            }
            outcome => return outcome,
        }
    }
    Err(sqlx::Error::PoolTimedOut)
}

/// Connections tried before a read-only database is reported as such.
const MAX_READ_ONLY: usize = 8;

async fn write(
    db: &Db,
    conn: &mut sqlx::AnyConnection,
    comments: &[&Queued],
) -> sqlx::Result<Vec<Result<i64, InsertError>>> {
    let alone = comments.len() == 1;
    let mut tx = db.begin_write_on(conn).await?;
    let mut outcomes = Vec::with_capacity(comments.len());
    let mut changed = Vec::new();
    for c in comments {
        match insert_one(&mut tx, c).await {
            Ok(id) => {
                if c.status == crate::comments::Status::Approved {
                    changed.push(c.article_id);
                }
                if let Some(mail) = db.mail {
                    mail_events(&mut tx, c, id, mail).await?;
                }
                outcomes.push(Ok(id));
            }
            Err(InsertError::Db(e)) if alone && is_unique_violation(&e) => {
                return Ok(vec![Err(InsertError::Duplicate)]);
            }
            Err(InsertError::Db(e)) => return Err(e),
            // Refused before writing anything: the others go on.
            Err(refused) => outcomes.push(Err(refused)),
        }
    }
    if !changed.is_empty() {
        comments_changed_on(&mut tx, &changed).await?;
    }
    match tx.commit().await {
        Ok(()) => Ok(outcomes),
        Err(e) if alone && is_unique_violation(&e) => Ok(vec![Err(InsertError::Duplicate)]),
        Err(e) => Err(e),
    }
}
