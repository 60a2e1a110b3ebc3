//! The test harness: a real `cuesheet` server on a loopback port, over a
//! real database that belongs to the test alone — a SQLite file in a temp
//! folder, and, when a PostgreSQL server is reachable, a database created for
//! the test and dropped after it. Every test runs once per backend.
//!
//! PostgreSQL comes from `CUESHEET_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/test`). Outside CI an unreachable
//! server skips those runs with a note; in CI (`CI` set) it fails the test.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod desk;
pub mod mail;
pub mod node;
pub mod pictures;
pub mod remote;

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
    /// The site's media store (a folder of the test's own).
    pub media: cuesheet::media::Store,
    handle: ServerHandle,
    /// The server's content clock, to refresh after writes made here.
    clock: std::sync::Arc<cuesheet::db::clock::Clock>,
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

    /// Exact texts (whitespace kept) of every element matching a selector.
    pub fn raw_texts(&self, selector: &str) -> Vec<String> {
        let sel = scraper::Selector::parse(selector).unwrap();
        self.html().select(&sel).map(|e| e.text().collect::<String>()).collect()
    }

    /// Values of one attribute of every element matching a selector.
    pub fn attrs(&self, selector: &str, attr: &str) -> Vec<String> {
        let sel = scraper::Selector::parse(selector).unwrap();
        let html = self.html();
        html.select(&sel).filter_map(|e| e.value().attr(attr).map(str::to_owned)).collect()
    }

    /// The body without the form tokens that change over time (the desk's
    /// CSRF token, the public form's time slot), for comparing pages across
    /// requests.
    pub fn stable(&self) -> String {
        self.body
            .lines()
            .filter(|l| !l.contains("name=\"csrf\"") && !l.contains("name=\"started\""))
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }
}

impl TestApp {
    /// A server whose database holds the import of `content`.
    pub async fn start(backend: Backend, content: &Path) -> TestApp {
        let app = Self::empty(backend).await;
        let report = app.import(content).await.unwrap_or_else(|e| panic!("import failed: {e}"));
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
        Self::serve(backend, database_url, pg_database, dir, config).await
    }

    /// Another node of the same site: its own server and pool over this
    /// app's database (which stays this app's to drop).
    pub async fn second_node(&self) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let config = SiteConfig { media_url: self.media.url().to_owned(), ..SiteConfig::default() };
        Self::serve(self.backend, self.database_url.clone(), None, dir, config).await
    }

    async fn serve(
        backend: Backend,
        database_url: String,
        pg_database: Option<String>,
        dir: tempfile::TempDir,
        mut config: SiteConfig,
    ) -> TestApp {
        // Never the default folder under the working directory.
        if config.media_url == cuesheet::media::store::DEFAULT_URL {
            config.media_url = dir.path().join("media").display().to_string();
        }
        let media = cuesheet::media::Store::open(&config.media_url).unwrap();
        let db = Db::connect(&database_url).await.unwrap_or_else(|e| panic!("{database_url}: {e}"));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = cuesheet::web::AppState::new(db.clone(), config).await.unwrap();
        let clock = state.clock.clone();
        let server = cuesheet::web::server(state, listener, Some(1)).unwrap();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        let client = awc::Client::builder().timeout(Duration::from_secs(30)).disable_redirects().finish();
        TestApp { backend, base, db, database_url, client, media, handle, clock, pg_database, _dir: dir }
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

    /// Imports `content` and lets the server see it at once, as a node does
    /// after a write of its own (other writers are seen within a poll).
    pub async fn import(&self, content: &Path) -> Result<Report, cuesheet::db::import::ImportError> {
        self.import_with(content, false).await
    }

    /// [`TestApp::import`], forced or not (`cuesheet import --force`).
    pub async fn import_with(&self, content: &Path, force: bool) -> Result<Report, cuesheet::db::import::ImportError> {
        let report = import_dir(&self.db, &self.media, content, force).await;
        self.clock.refresh(&self.db).await.unwrap();
        report
    }

    /// Stops the server and drops the test's database. Each step has a time
    /// limit: teardown must never hang a test run.
    pub async fn finish(self) {
        let limit = Duration::from_secs(10);
        if tokio::time::timeout(limit, self.handle.stop(false)).await.is_err() {
            eprintln!("note: the test server did not stop within {limit:?}");
        }
        if tokio::time::timeout(limit, self.db.pool.close()).await.is_err() {
            eprintln!("note: the database pool did not close within {limit:?}");
        }
        if let Some(name) = self.pg_database {
            let drop = async {
                let mut admin = AnyConnection::connect(&admin_url()).await?;
                admin.execute(sqlx::AssertSqlSafe(format!("drop database if exists {name} with (force)"))).await?;
                admin.close().await
            };
            match tokio::time::timeout(limit, drop).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => eprintln!("note: could not drop {name}: {e}"),
                Err(_) => eprintln!("note: dropping {name} timed out; a later run removes it"),
            }
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

/// A reader's browser: keeps its cookies between requests.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookies: std::cell::RefCell<std::collections::BTreeMap<String, String>>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Browser { app, cookies: Default::default() }
    }

    fn with_cookies(&self, mut req: awc::ClientRequest) -> awc::ClientRequest {
        let jar = self.cookies.borrow();
        if !jar.is_empty() {
            let header: Vec<String> = jar.iter().map(|(k, v)| format!("{k}={v}")).collect();
            req = req.insert_header(("cookie", header.join("; ")));
        }
        req
    }

    fn keep_cookies(&self, page: &Page) {
        for v in page.headers.get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap();
            let (k, val) = pair.split_once('=').unwrap();
            let removal = v.contains("Max-Age=0");
            let mut jar = self.cookies.borrow_mut();
            if removal || val.is_empty() {
                jar.remove(k);
            } else {
                jar.insert(k.to_owned(), val.to_owned());
            }
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        let req = self.with_cookies(self.app.client.get(format!("{}{path}", self.app.base)));
        let page = self.app.request(req).await;
        self.keep_cookies(&page);
        page
    }

    /// Posts raw form bytes.
    pub async fn post_bytes(&self, path: &str, body: Vec<u8>) -> Page {
        self.post_bytes_with(path, body, &[]).await
    }

    /// Posts raw form bytes with extra request headers. Like a browser
    /// sending a form from the site's own page, it says so in `Origin`
    /// unless `headers` say otherwise (an empty value leaves it out).
    pub async fn post_bytes_with(&self, path: &str, body: Vec<u8>, headers: &[(&str, &str)]) -> Page {
        let mut req = self
            .with_cookies(self.app.client.post(format!("{}{path}", self.app.base)))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .insert_header(("origin", self.app.base.as_str()));
        for (k, v) in headers {
            // An empty value leaves the header out.
            if v.is_empty() {
                req.headers_mut().remove(*k);
            } else {
                req = req.insert_header((*k, *v));
            }
        }
        let mut res = req.send_body(body).await.unwrap_or_else(|e| panic!("request failed: {e}"));
        let body = res.body().limit(4 << 20).await.unwrap();
        let page = Page {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body: String::from_utf8(body.to_vec()).unwrap(),
        };
        self.keep_cookies(&page);
        page
    }

    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_with(path, fields, &[]).await
    }

    /// Posts form fields with extra request headers.
    pub async fn post_with(&self, path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Page {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        self.post_bytes_with(path, body.into_bytes(), headers).await
    }

    /// Opens `page_path`, fills its comment form with `fields` (plus the
    /// hidden fields: no token, the time slot, the parent) and posts it.
    pub async fn comment(&self, page_path: &str, fields: &[(&str, &str)]) -> Page {
        self.comment_with(page_path, fields, &[]).await
    }

    /// `comment` with extra request headers.
    pub async fn comment_with(&self, page_path: &str, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Page {
        let page = self.get(page_path).await;
        assert_eq!(page.status, 200, "{page_path}");
        let mut all: Vec<(&str, String)> = vec![
            ("started", page.attrs("form.comment-form input[name=started]", "value")[0].clone()),
            ("comment_parent", page.attrs("input[name=comment_parent]", "value")[0].clone()),
        ];
        if let Some(entry) = page.attrs("select#entry option[selected]", "value").into_iter().next() {
            all.push(("entry", entry));
        }
        for (k, v) in fields {
            all.retain(|(name, _)| name != k);
            all.push((k, (*v).to_owned()));
        }
        // A browser never sends the fragment of a form's action.
        let action = page.attrs("form.comment-form", "action")[0].split('#').next().unwrap_or_default().to_owned();
        let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.post_with(&action, &pairs, headers).await
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

/// Submits the first desk form of `page` with `fields` changed and the
/// button `action` pressed, as a browser would.
pub async fn submit_on(b: &Browser<'_>, page: &Page, fields: &[(&str, &str)], action: &str) -> Page {
    let html = page.html();
    let form_sel = scraper::Selector::parse("form.desk-form").unwrap();
    let form = html.select(&form_sel).next().expect("a desk form");
    let target = form.value().attr("action").unwrap().to_owned();
    let mut values: Vec<(String, String)> = Vec::new();
    let inputs = scraper::Selector::parse("input, textarea, select").unwrap();
    for el in form.select(&inputs) {
        let Some(name) = el.value().attr("name") else { continue };
        let value = match el.value().name() {
            "textarea" => el.text().collect::<String>(),
            "select" => {
                let opt = scraper::Selector::parse("option[selected]").unwrap();
                el.select(&opt).next().and_then(|o| o.value().attr("value")).unwrap_or_default().to_owned()
            }
            _ if el.value().attr("type") == Some("checkbox") => {
                if el.value().attr("checked").is_none() {
                    continue;
                }
                el.value().attr("value").unwrap_or("on").to_owned()
            }
            _ => el.value().attr("value").unwrap_or_default().to_owned(),
        };
        values.push((name.to_owned(), value));
    }
    for (k, v) in fields {
        values.retain(|(name, _)| name != k);
        values.push(((*k).to_owned(), (*v).to_owned()));
    }
    values.push(("action".into(), action.to_owned()));
    let pairs: Vec<(&str, &str)> = values.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post(&target, &pairs).await
}
