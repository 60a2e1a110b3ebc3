//! The content clock: what a node knows of "has anything public changed?",
//! without a query per request. Every write that a public page can show
//! bumps a version in its own transaction: `content_version` for articles,
//! records and tags, `comments_version` for comments (which also stamps the
//! article they belong to). Each node reads the versions (with the last
//! change time and the newest publish time that is due) a few times a
//! second, and at once after a write of its own, so a change made through
//! any node is seen by every node within one poll. Writes that finish
//! together share one reading: a write waits for a reading that began after
//! it ended, so a burst of comments costs a few readings, not one each.

use std::collections::HashMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use super::{Db, Result, now};

/// How often a node looks for changes made elsewhere.
pub const POLL: Duration = Duration::from_millis(250);

/// One query, answered from `site_state` and the `articles_published` index:
/// a scheduled article falling due raises the newest due publish time, so
/// pages change by themselves when the time comes.
const READ: &str = "
select (select value from site_state where name = 'content_version') as version,
       (select value from site_state where name = 'comments_version') as comments,
       (select value from site_state where name = 'content_modified_at') as modified_at,
       (select max(published_at) from articles where published_at <= $1) as due";

/// The articles whose comments changed since a version (indexed).
const COMMENTED_SINCE: &str = "select slug, comments_version from articles where comments_version > $1";

/// What every cached page is keyed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Stamp {
    /// Bumped by every write a public page can show.
    pub version: i64,
    /// The newest publish time that is due: moves when a scheduled article appears.
    pub due: i64,
    /// The comments a page shows: one article's, or all of them for pages
    /// that count or list comments across articles.
    pub comments: i64,
}

/// The last reading, shared by every worker of a node.
#[derive(Debug)]
pub struct Clock {
    version: AtomicI64,
    comments: AtomicI64,
    due: AtomicI64,
    modified_at: AtomicI64,
    /// The comments version of each article commented on since this node
    /// started (the others count as 0: their cached pages predate any change).
    commented: RwLock<HashMap<String, i64>>,
    /// One reading after writes at a time, and how many began and ended.
    reading: tokio::sync::Mutex<()>,
    began: AtomicU64,
    ended: AtomicU64,
}

impl Clock {
    /// A clock read once from the database.
    pub async fn read(db: &Db) -> Result<Self> {
        let clock = Clock {
            version: AtomicI64::new(0),
            // Not read yet: the first reading has nothing to compare with.
            comments: AtomicI64::new(-1),
            due: AtomicI64::new(0),
            modified_at: AtomicI64::new(0),
            commented: RwLock::default(),
            reading: tokio::sync::Mutex::new(()),
            began: AtomicU64::new(0),
            ended: AtomicU64::new(0),
        };
        clock.refresh(db).await?;
        Ok(clock)
    }

    /// Reads the database again (one small query).
    pub async fn refresh(&self, db: &Db) -> Result<()> {
        let (version, comments, modified_at, due): (i64, i64, i64, Option<i64>) =
            sqlx::query_as(READ).bind(now()).fetch_one(&db.pool).await?;
        let seen = self.comments.load(Ordering::Acquire);
        // Comment writes take the `comments_version` row lock until they
        // commit, so versions become visible in order: nothing below `comments`
        // can still appear later.
        if seen >= 0 && comments > seen {
            let changed: Vec<(String, i64)> = sqlx::query_as(COMMENTED_SINCE).bind(seen).fetch_all(&db.pool).await?;
            if let Ok(mut map) = self.commented.write() {
                for (slug, v) in changed {
                    let e = map.entry(slug).or_default();
                    *e = (*e).max(v);
                }
            }
        }
        self.modified_at.store(modified_at, Ordering::Relaxed);
        self.due.store(due.unwrap_or_default(), Ordering::Relaxed);
        self.comments.fetch_max(comments, Ordering::AcqRel);
        // Last, so that a reader seeing the new version sees the rest too.
        self.version.store(version, Ordering::Release);
        Ok(())
    }

    /// Reads the database again after a write of this node's own, so its
    /// next page shows the write. A reading that began after the write
    /// ended sees it, so a write that arrives while one is under way waits
    /// for the next and shares it with every write that arrived meanwhile.
    pub async fn refresh_after_write(&self, db: &Db) -> Result<()> {
        let seen = self.began.load(Ordering::Acquire);
        let _turn = self.reading.lock().await;
        if self.ended.load(Ordering::Acquire) > seen {
            return Ok(());
        }
        let n = self.began.fetch_add(1, Ordering::AcqRel) + 1;
        self.refresh(db).await?;
        self.ended.store(n, Ordering::Release);
        Ok(())
    }

    /// The stamp of a page that shows comments from across the site (or none).
    pub fn stamp(&self) -> Stamp {
        let version = self.version.load(Ordering::Acquire);
        Stamp { version, due: self.due.load(Ordering::Relaxed), comments: self.comments.load(Ordering::Acquire) }
    }

    /// The stamp of a page that shows one article and its own comments.
    pub fn article_stamp(&self, slug: &str) -> Stamp {
        let version = self.version.load(Ordering::Acquire);
        let comments = self.commented.read().ok().and_then(|m| m.get(slug).copied()).unwrap_or_default();
        Stamp { version, due: self.due.load(Ordering::Relaxed), comments }
    }

    /// When anything public last changed (unix seconds; 0 when unknown).
    pub fn modified_at(&self) -> i64 {
        self.modified_at.load(Ordering::Relaxed)
    }

    /// Polls until the pool is closed. A failed reading is logged once per
    /// outage and retried; pages keep being served from the last reading.
    pub async fn watch(&self, db: &Db) {
        let mut failing = false;
        while !db.pool.is_closed() {
            tokio::time::sleep(POLL).await;
            match self.refresh(db).await {
                Ok(()) if failing => {
                    tracing::info!("content clock: database reachable again");
                    failing = false;
                }
                Ok(()) => {}
                Err(_) if db.pool.is_closed() => break,
                Err(e) if !failing => {
                    tracing::warn!(error = %e, "content clock: cannot read the database");
                    failing = true;
                }
                Err(_) => {}
            }
        }
    }
}
