//! The database: SQLite (embedded default) or PostgreSQL (production), behind
//! one `sqlx::AnyPool`. Queries are written once, in SQL both accept, as
//! consts with `$N` placeholders; the backends differ only in
//! their migrations (kept in step under `migrations/sqlite` and
//! `migrations/postgres`), in the connection set-up below, and in how the
//! generated multi-row statements of `bulk` write their placeholders.
//!
//! Times are unix seconds; ids are `i64` on both backends.

pub mod articles;
pub mod backup;
pub(crate) mod bulk;
pub mod chart;
pub mod clock;
pub mod comments;
pub mod commit_queue;
pub mod demo;
pub mod editors;
pub mod export;
pub mod import;
pub mod mail;
pub mod media;
pub mod paging;
pub mod people;
pub mod redirects;
pub mod revisions;
pub mod search;
pub mod secrets;
pub mod sitemap;
pub mod soundtracks;
pub mod tags;
pub mod votes;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Connection, Executor};

pub use sqlx::Error;

/// Results of the database layer.
pub type Result<T, E = Error> = std::result::Result<T, E>;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl FromStr for Backend {
    type Err = ConnectError;

    fn from_str(url: &str) -> Result<Self, ConnectError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(ConnectError::Scheme(url.split(':').next().unwrap_or_default().to_owned()))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("unsupported database URL scheme `{0}`: use sqlite:// or postgres://")]
    Scheme(String),
    #[error("cannot create the database folder {path}: {source}")]
    Folder { path: String, source: std::io::Error },
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// A pool on one backend, migrated.
#[derive(Debug, Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// New comments waiting for their group commit (shared by every clone).
    pub(crate) comment_queue: std::sync::Arc<commit_queue::CommitQueue>,
    /// Whether events write mail to the outbox (a sender is configured),
    /// and moderators' digest interval in seconds.
    pub(crate) mail: Option<MailEvents>,
}

/// What the events that cause mail need to know when mail is on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MailEvents {
    pub digest_seconds: i64,
}

impl Db {
    /// Connects, creating a SQLite file (and its folder) when missing, and
    /// runs the backend's migrations.
    pub async fn connect(url: &str) -> Result<Self, ConnectError> {
        sqlx::any::install_default_drivers();
        let backend: Backend = url.parse()?;
        let mut options = AnyPoolOptions::new()
            // A database that cannot be reached must give a quick 503, not a
            // request that hangs for the default 30 seconds.
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .after_release(|conn, _| Box::pin(async move { Ok(reusable(conn).await) }))
            // Belt and braces: nothing inside a transaction is ever lent out.
            .before_acquire(|conn, _| Box::pin(async move { Ok(!conn.is_in_transaction()) }));
        let url = match backend {
            Backend::Sqlite => {
                prepare_sqlite_file(url)?;
                // WAL: readers never wait for the writer; with the default
                // `synchronous = FULL` a committed write survives power loss.
                options = options.after_connect(|conn, _| {
                    Box::pin(async move {
                        conn.execute("pragma journal_mode = wal; pragma foreign_keys = on").await?;
                        refuse_read_only(conn).await?;
                        conn.execute("pragma busy_timeout = 5000").await?;
                        Ok(())
                    })
                });
                options = options
                    .max_connections(8)
                    // A SQLite connection is a handle on a file in this
                    // process: sqlx's ping before each loan checks nothing
                    // and costs a hop to the connection's thread per query.
                    .test_before_acquire(false);
                if url.contains('?') { url.to_owned() } else { format!("{url}?mode=rwc") }
            }
            Backend::Postgres => {
                options = options.max_connections(16);
                url.to_owned()
            }
        };
        let pool = options.connect(&url).await.map_err(ConnectError::Connect)?;
        let migrator = match backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&pool).await?;
        let db = Db { pool, backend, comment_queue: Default::default(), mail: None };
        search::ensure_complete(&db).await.map_err(ConnectError::Connect)?;
        Ok(db)
    }

    /// A transaction that will write. On SQLite it takes the write lock at
    /// once (`begin immediate`): a transaction that reads first and writes
    /// later could otherwise fail under concurrent writers instead of
    /// waiting its turn. This is the one place the backends differ here.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("begin immediate").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// [`Db::begin_write`] on a connection the caller holds, so that it can
    /// close a connection that turned out unable to write.
    pub async fn begin_write_on<'c>(
        &self,
        conn: &'c mut sqlx::AnyConnection,
    ) -> Result<sqlx::Transaction<'c, sqlx::Any>> {
        match self.backend {
            Backend::Sqlite => conn.begin_with("begin immediate").await,
            Backend::Postgres => conn.begin().await,
        }
    }

    /// The same pool with mail on: comments approved or held and opt-ins
    /// write their mail to the outbox from now on.
    pub fn with_mail(mut self, digest_seconds: i64) -> Self {
        self.mail = Some(MailEvents { digest_seconds });
        self
    }

    /// Whether mail is on.
    pub fn mail_on(&self) -> bool {
        self.mail.is_some()
    }

    /// When anything a public page shows last changed (unix seconds).
    pub async fn content_modified_at(&self) -> Result<i64> {
        sqlx::query_scalar(CONTENT_MODIFIED_AT).fetch_one(&self.pool).await
    }

    /// The number that changes on every write a public page can show.
    pub async fn content_version(&self) -> Result<i64> {
        sqlx::query_scalar(CONTENT_VERSION).fetch_one(&self.pool).await
    }
}

/// How long a request waits for a connection before it is answered 503.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// Whether a connection coming back to the pool may be lent out again.
///
/// A transaction dropped without commit only queues its `ROLLBACK`; the
/// ping runs it. When SQLite has already ended the transaction itself (a
/// disk I/O error or a full disk during the write or the `COMMIT`), that
/// `ROLLBACK` fails with "no transaction is active", sqlx keeps counting the
/// transaction as open, and every later `begin_write` on the connection
/// fails with "attempted to call begin_with at non-zero transaction depth"
/// until a restart. Such a connection is closed here (the pool opens a fresh
/// one when needed), so one failed write never outlives its request.
async fn reusable(conn: &mut sqlx::AnyConnection) -> bool {
    // A SQLite connection with no transaction open or queued to roll back
    // has nothing for the ping to run or find (its ping only answers).
    if conn.backend_name() == "SQLite" && !conn.is_in_transaction() {
        return true;
    }
    if let Err(e) = conn.ping().await {
        tracing::warn!(error = %e, "closing a database connection that failed its check on release");
        return false;
    }
    if conn.is_in_transaction() {
        tracing::warn!("closing a database connection left inside a failed transaction");
        return false;
    }
    true
}

/// Refuses a SQLite connection that was opened read-only. SQLite opens the
/// file read-only, silently, when it cannot be opened for writing (a disk
/// failing or remounted read-only, an immutable file), and such a
/// connection stays read-only after the file is writable again: every write
/// on it would fail with "attempt to write a readonly database" until a
/// restart. Refused here, the pool tries again later (meanwhile requests get
/// 503) and opens a writable one once the storage is back. `begin immediate`
/// is refused at once on a read-only connection, before any lock is taken;
/// with no busy timeout yet it never waits for another writer either (busy
/// means writable).
async fn refuse_read_only(conn: &mut sqlx::AnyConnection) -> Result<()> {
    conn.execute("pragma busy_timeout = 0").await?;
    match conn.execute("begin immediate").await {
        Ok(_) => conn.execute("rollback").await.map(|_| ()),
        Err(Error::Database(e)) if e.code().and_then(|c| c.parse::<i64>().ok()).is_some_and(|c| c & 0xff == 5) => {
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// SQLite's READONLY result code (the primary code is the low byte): the
/// connection opened the file, or its log, read-only while the storage was
/// failing, and stays so.
pub(crate) fn is_read_only(e: &Error) -> bool {
    matches!(e, Error::Database(db) if db.code().and_then(|c| c.parse::<i64>().ok()).is_some_and(|c| c & 0xff == 8))
}

/// Whether an error means the database cannot be reached or written just
/// now (it went away, the disk failed or filled up, every connection is
/// busy) rather than that a query is wrong: the site answers such errors
/// with 503 and heals by itself when the database is back.
pub fn is_unavailable(e: &Error) -> bool {
    match e {
        Error::Io(_) | Error::Tls(_) | Error::PoolTimedOut | Error::PoolClosed | Error::WorkerCrashed => true,
        Error::Protocol(_) => true,
        Error::Database(db) => {
            if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // SQLite result codes (the primary code is the low byte):
                // BUSY, LOCKED, NOMEM, READONLY, IOERR, FULL, CANTOPEN, PROTOCOL.
                let code = db.code().and_then(|c| c.parse::<i64>().ok()).unwrap_or_default();
                matches!(code & 0xff, 5 | 6 | 7 | 8 | 10 | 13 | 14 | 15)
            } else if let Some(e) = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                // SQLSTATE classes: connection exceptions (08), too many
                // connections and other resource limits (53), an operator
                // shutting the server or this session down (57P).
                let code = e.code();
                code.starts_with("08") || code.starts_with("53") || code.starts_with("57P")
            } else {
                false
            }
        }
        _ => false,
    }
}

/// The health check: one trivial read of a real table, so it proves the
/// database (not just the pool) answers, bounded by a short time limit.
pub async fn ping(db: &Db) -> Result<()> {
    match tokio::time::timeout(ACQUIRE_TIMEOUT, db.content_version()).await {
        Ok(r) => r.map(|_| ()),
        Err(_) => Err(Error::PoolTimedOut),
    }
}

const CONTENT_VERSION: &str = "select value from site_state where name = 'content_version'";
const BUMP_CONTENT_VERSION: &str = "
update site_state set value = case when name = 'content_version' then value + 1 else $1 end
where name in ('content_version', 'content_modified_at')";
const CONTENT_MODIFIED_AT: &str = "select value from site_state where name = 'content_modified_at'";

/// Marks a write: call inside the write's transaction.
pub async fn bump_content_version(tx: &mut sqlx::AnyConnection) -> Result<()> {
    sqlx::query(BUMP_CONTENT_VERSION).bind(now()).execute(tx).await.map(|_| ())
}

/// Values bound per `in (...)` list: far below either backend's limit.
const LIST_CHUNK: usize = 500;

/// Runs `sql`, whose `{list}` stands for a list of placeholders, over
/// `list` (in chunks), and returns every row. `$1` is `first`, when given;
/// the list's placeholders follow. An empty list asks nothing. This is how a
/// page loads just the rows it names in one query instead of one per name.
pub(crate) async fn fetch_list<T>(db: &Db, sql: &'static str, first: Option<i64>, list: &[String]) -> Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let mut out = Vec::new();
    let offset = usize::from(first.is_some());
    for chunk in list.chunks(LIST_CHUNK) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${}", i + offset)).collect();
        let sql = sql.replace("{list}", &placeholders.join(", "));
        let mut query = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql));
        if let Some(first) = first {
            query = query.bind(first);
        }
        for value in chunk {
            query = query.bind(value);
        }
        out.extend(query.fetch_all(&db.pool).await?);
    }
    Ok(out)
}

/// Creates the folder of a `sqlite://path` database file.
fn prepare_sqlite_file(url: &str) -> Result<(), ConnectError> {
    let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path.starts_with(":memory:") {
        return Ok(());
    }
    match Path::new(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir)
            .map_err(|source| ConnectError::Folder { path: dir.display().to_string(), source }),
        _ => Ok(()),
    }
}

/// Now, in unix seconds: the clock every "is it published yet" test uses.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
