//! The test harness: a real `cuesheet` server on a loopback port, over a
//! real database that belongs to the test alone — a SQLite file in a temp
//! folder, and, when a PostgreSQL server is reachable, a database created for
//! the test and dropped after it. Every test runs once per backend.
//!
//! PostgreSQL comes from `CUESHEET_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/test`). Outside CI an unreachable
//! server skips those runs with a note; in CI (`CI` set) it fails the test.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use cuesheet::config::SiteConfig;
use cuesheet::db::Db;
use cuesheet::db::import::{Report, import_dir};
use sqlx::{AnyConnection, Connection, Executor};

pub const REAL_CONTENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/content");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

fn admin_url() -> String {
    std::env::var("CUESHEET_TEST_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// SQLite always; PostgreSQL when reachable (required in CI).
pub async fn backends() -> Vec<Backend> {
    sqlx::any::install_default_drivers();
    let url = admin_url();
    let reachable = tokio::time::timeout(Duration::from_secs(3), AnyConnection::connect(&url)).await;
    match reachable {
        Ok(Ok(conn)) => {
            let _ = conn.close().await;
            vec![Backend::Sqlite, Backend::Postgres]
        }
        Ok(Err(e)) if std::env::var_os("CI").is_some() => panic!("PostgreSQL at {url} is required in CI: {e}"),
        Err(_) if std::env::var_os("CI").is_some() => panic!("PostgreSQL at {url} is required in CI: timed out"),
        _ => {
            eprintln!("note: PostgreSQL at {url} not reachable; PostgreSQL runs skipped");
            vec![Backend::Sqlite]
        }
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A running site over its own database.
pub struct TestApp {
    pub backend: Backend,
    pub base: String,
    pub db: Db,
    pub database_url: String,
    pub client: awc::Client,
    handle: ServerHandle,
    pg_database: Option<String>,
    _dir: tempfile::TempDir,
}

/// A response, read whole.
pub struct Page {
    pub status: u16,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: String,
}

impl Page {
    pub fn html(&self) -> scraper::Html {
        scraper::Html::parse_document(&self.body)
    }

    /// Texts of every element matching a CSS selector.
    pub fn texts(&self, selector: &str) -> Vec<String> {
        let sel = scraper::Selector::parse(selector).unwrap();
        let html = self.html();
        html.select(&sel)
            .map(|e| e.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }

    /// Values of one attribute of every element matching a selector.
    pub fn attrs(&self, selector: &str, attr: &str) -> Vec<String> {
        let sel = scraper::Selector::parse(selector).unwrap();
        let html = self.html();
        html.select(&sel).filter_map(|e| e.value().attr(attr).map(str::to_owned)).collect()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }
}

impl TestApp {
    /// A server whose database holds the import of `content`.
    pub async fn start(backend: Backend, content: &Path) -> TestApp {
        let app = Self::empty(backend).await;
        let report = import_dir(&app.db, content, false).await.unwrap_or_else(|e| panic!("import failed: {e}"));
        assert!(report.changed() || report.kept.is_empty());
        app
    }

    /// A server over a migrated, empty database.
    pub async fn empty(backend: Backend) -> TestApp {
        Self::with_config(backend, SiteConfig::default()).await
    }

    /// A server over a migrated, empty database, with site settings.
    pub async fn with_config(backend: Backend, config: SiteConfig) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let (database_url, pg_database) = match backend {
            Backend::Sqlite => (format!("sqlite://{}/test.db", dir.path().display()), None),
            Backend::Postgres => {
                let name = format!("cuesheet_t_{}_{n}", std::process::id());
                let mut admin = AnyConnection::connect(&admin_url()).await.unwrap();
                drop_stale_databases(&mut admin).await;
                admin.execute(sqlx::AssertSqlSafe(format!("create database {name}"))).await.unwrap();
                admin.close().await.unwrap();
                (replace_database(&admin_url(), &name), Some(name))
            }
        };
        let db = Db::connect(&database_url).await.unwrap_or_else(|e| panic!("{database_url}: {e}"));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = cuesheet::web::AppState::new(db.clone(), config).await.unwrap();
        let server = cuesheet::web::server(state, listener, Some(1)).unwrap();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        let client = awc::Client::builder().timeout(Duration::from_secs(30)).finish();
        TestApp { backend, base, db, database_url, client, handle, pg_database, _dir: dir }
    }

    pub async fn get(&self, path: &str) -> Page {
        self.request(self.client.get(format!("{}{path}", self.base))).await
    }

    pub async fn request(&self, req: awc::ClientRequest) -> Page {
        let mut res = req.send().await.unwrap_or_else(|e| panic!("request failed: {e}"));
        let body = res.body().limit(4 << 20).await.unwrap();
        Page {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body: String::from_utf8(body.to_vec()).unwrap(),
        }
    }

    pub async fn import(&self, content: &Path) -> Result<Report, cuesheet::db::import::ImportError> {
        import_dir(&self.db, content, false).await
    }

    /// Stops the server and drops the test's database.
    pub async fn finish(self) {
        self.handle.stop(true).await;
        self.db.pool.close().await;
        if let Some(name) = self.pg_database {
            let mut admin = AnyConnection::connect(&admin_url()).await.unwrap();
            admin.execute(sqlx::AssertSqlSafe(format!("drop database if exists {name} with (force)"))).await.unwrap();
            let _ = admin.close().await;
        }
    }
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Databases left by test processes that died before cleaning up.
async fn drop_stale_databases(admin: &mut AnyConnection) {
    let names: Vec<(String,)> = sqlx::query_as("select datname from pg_database where datname like 'cuesheet_t_%'")
        .fetch_all(&mut *admin)
        .await
        .unwrap_or_default();
    for (name,) in names {
        let pid = name.trim_start_matches("cuesheet_t_").split('_').next().unwrap_or_default();
        if !pid.is_empty() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = admin.execute(sqlx::AssertSqlSafe(format!("drop database if exists {name} with (force)"))).await;
        }
    }
}

/// A small content tree written by the test itself.
pub struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Fixture {
        let f = Fixture { dir: tempfile::tempdir().unwrap() };
        std::fs::create_dir_all(f.path().join("articles")).unwrap();
        std::fs::create_dir_all(f.path().join("soundtracks")).unwrap();
        f
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn file(&self, rel: &str) -> PathBuf {
        self.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) -> &Self {
        std::fs::write(self.file(rel), text).unwrap();
        self
    }

    pub fn remove(&self, rel: &str) -> &Self {
        std::fs::remove_file(self.file(rel)).unwrap();
        self
    }

    /// A minimal valid record `<slug>` for the film `title`.
    pub fn record(&self, slug: &str, title: &str, year: i64) -> &Self {
        self.write(
            &format!("soundtracks/{slug}.toml"),
            &format!(
                "title = \"{title}\"\nkind = \"score\"\ncomposers = [\"Composer of {title}\"]\n\n[film]\ntitle = \"{title}\"\nyear = {year}\ndirector = \"Director of {title}\"\n\n[[tracks]]\ntitle = \"Theme from {title}\"\n"
            ),
        )
    }

    /// An article with front matter `extra` (TOML lines) and `body`.
    pub fn article(&self, slug: &str, title: &str, extra: &str, body: &str) -> &Self {
        self.write(&format!("articles/{slug}.md"), &format!("+++\ntitle = \"{title}\"\n{extra}\n+++\n{body}"))
    }
}
