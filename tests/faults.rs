//! Faults the site must heal from by itself, without a restart: SQLite
//! storage that fails and comes back, a transaction SQLite ended on its own,
//! and a PostgreSQL server cut off and restored. While the database cannot
//! be reached pages answer a styled 503 and `/healthz` says so.
//!
//! Making storage fail: the tests run as root in CI, where file permissions
//! stop nothing, so the database and its `-wal` file are made immutable
//! (`chattr +i`, ext2/3/4, XFS, Btrfs): every write, even through a
//! descriptor SQLite already holds, then fails with a disk I/O error, just
//! like a failing disk; `chattr -i` makes it writable again. Where `chattr`
//! cannot be used (another file system, not root) the test is skipped with
//! a note, and fails in CI. The injected-transaction test needs nothing from
//! the file system. PostgreSQL is cut by a TCP proxy the test controls.
//! A `cuesheet serve` process killed with SIGKILL while comments stream in
//! must have stored every comment it acknowledged (group commit answers
//! only after the commit).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::node::Node;
use common::remote::Remote;
use common::{Backend, Browser, Fixture, TestApp, backends};
use cuesheet::config::SiteConfig;
use cuesheet::db::Db;
use tokio::net::{TcpListener, TcpStream};

const LIST: &str = "/articles/night-drives";

fn fixture() -> Fixture {
    let f = Fixture::new();
    f.record("drive-2011", "Drive", 2011);
    f.article(
        "night-drives",
        "Night drives",
        "published = \"2026-03-01T10:00:00Z\"\nlist = \"ranked\"",
        "Intro.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n",
    );
    f
}

fn relaxed() -> SiteConfig {
    SiteConfig { comment_interval: 0, comment_min_seconds: 0, ..SiteConfig::default() }
}

async fn post(b: &Browser<'_>, text: &str) -> common::Page {
    b.comment(LIST, &[("author", "Ana"), ("email", "ana@example.com"), ("comment", text)]).await
}

/// `chattr +i` or `-i` on each file; false when the file system or user
/// does not allow it.
fn chattr(flag: &str, files: &[&Path]) -> bool {
    files.iter().all(|f| {
        std::process::Command::new("chattr")
            .arg(flag)
            .arg(f)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Makes the files writable again when the test ends, even by a panic.
struct Immutable<'a>(Vec<&'a Path>);

impl Drop for Immutable<'_> {
    fn drop(&mut self) {
        chattr("-i", &self.0);
    }
}

fn is_styled_unavailable(page: &common::Page) -> bool {
    page.status == 503
        && page.body.contains("Briefly unavailable")
        && page.body.contains("rel=\"stylesheet\"")
        && page.header("retry-after").is_some()
}

#[actix_web::test]
async fn posting_works_again_after_the_sqlite_storage_failed_and_came_back() {
    let f = fixture();
    let app = TestApp::with_config(Backend::Sqlite, relaxed()).await;
    app.import(f.path()).await.unwrap();
    let db_file = app.database_url.trim_start_matches("sqlite://").to_owned();
    let wal_file = format!("{db_file}-wal");
    let files = [Path::new(&db_file), Path::new(&wal_file)];
    let b = Browser::new(&app);
    assert_eq!(post(&b, "Before the fault").await.status, 303);

    if !chattr("+i", &files) {
        chattr("-i", &files);
        assert!(std::env::var_os("CI").is_none(), "CI needs `chattr +i` on the test folder's file system");
        eprintln!("note: `chattr +i` is not available here; the storage fault test is skipped");
        app.finish().await;
        return;
    }
    let guard = Immutable(files.to_vec());
    // More failed posts than the pool has connections, so every connection
    // has had a write fail under it. The form was opened before the fault:
    // pages may be unavailable too once the pool has to open connections
    // (it refuses read-only ones and answers 503).
    let visitor = Remote::new(&app.base);
    let form = visitor.get(LIST).await;
    for i in 0..9 {
        let text = format!("During the fault {i}");
        let page = visitor
            .submit(&form, "form.comment-form", &[("author", "Ana"), ("email", "ana@example.com"), ("comment", &text)])
            .await;
        assert!(is_styled_unavailable(&page), "post {i}: {} {}", page.status, page.body);
    }
    let page = visitor.get(LIST).await;
    assert!(page.status == 200 || is_styled_unavailable(&page), "{} {}", page.status, page.body);
    drop(guard);

    // Writable again: every post succeeds, none meets a connection left
    // inside the failed transaction ("non-zero transaction depth").
    for i in 0..24 {
        let page = post(&b, &format!("After the fault {i}")).await;
        assert_eq!(page.status, 303, "post {i} after the fault: {}", page.body);
    }
    let stored: i64 = sqlx::query_scalar("select count(*) from comments").fetch_one(&app.db.pool).await.unwrap();
    assert_eq!(stored, 25, "the comment before the fault and the 24 after it");
    app.finish().await;
}

/// The same poisoning without the file system: a trigger makes SQLite end
/// the whole transaction itself (`raise(rollback)`), as it does after an
/// I/O error, so the rollback sqlx queues on drop finds nothing to roll back.
#[actix_web::test]
async fn a_transaction_sqlite_ended_itself_does_not_break_later_writes() {
    let f = fixture();
    let app = TestApp::with_config(Backend::Sqlite, relaxed()).await;
    app.import(f.path()).await.unwrap();
    sqlx::query(
        "create trigger inject_failure before insert on comments when new.body like '%fail me%' \
         begin select raise(rollback, 'injected failure'); end",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    let b = Browser::new(&app);
    for i in 0..12 {
        let page = post(&b, &format!("Please fail me {i}")).await;
        assert_eq!(page.status, 500, "{}", page.body);
    }
    for i in 0..24 {
        let page = post(&b, &format!("A fine comment {i}")).await;
        assert_eq!(page.status, 303, "post {i} after the failures: {}", page.body);
    }
    app.finish().await;
}

/// A TCP proxy to PostgreSQL that the test can cut (every open connection
/// closed, new ones dropped at once) and restore.
struct Proxy {
    addr: std::net::SocketAddr,
    cut: Arc<AtomicBool>,
    /// Bumped on every cut: connections of an older generation close.
    generation: Arc<std::sync::atomic::AtomicUsize>,
}

impl Proxy {
    async fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let cut = Arc::new(AtomicBool::new(false));
        let generation = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (c, g) = (cut.clone(), generation.clone());
        actix_web::rt::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if c.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                let (target, g) = (target.clone(), g.clone());
                let born = g.load(Ordering::SeqCst);
                actix_web::rt::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&target).await else { return };
                    let copy = tokio::io::copy_bidirectional(&mut client, &mut server);
                    let watch = async {
                        while g.load(Ordering::SeqCst) == born {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                        }
                    };
                    tokio::select! { _ = copy => {}, _ = watch => {} }
                });
            }
        });
        Proxy { addr, cut, generation }
    }

    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

#[actix_web::test]
async fn a_node_answers_503_while_postgresql_is_cut_off_and_recovers_by_itself() {
    if !backends().await.contains(&Backend::Postgres) {
        return;
    }
    let f = fixture();
    // The harness makes (and later drops) the database; a second server
    // reaches the same database through the proxy.
    let app = TestApp::with_config(Backend::Postgres, relaxed()).await;
    app.import(f.path()).await.unwrap();
    let url = url::Url::parse(&app.database_url).unwrap();
    let target = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap_or(5432));
    let proxy = Proxy::start(target).await;
    let mut proxied = url.clone();
    proxied.set_host(Some("127.0.0.1")).unwrap();
    proxied.set_port(Some(proxy.addr.port())).unwrap();
    let db = Db::connect(proxied.as_str()).await.unwrap();
    let state = cuesheet::web::AppState::new(db.clone(), relaxed()).await.unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = cuesheet::web::server(state, listener, Some(1)).unwrap();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    let node = Remote::new(&base);
    let get = |path: &'static str| node.get(path);

    assert_eq!(get("/healthz").await.status, 200);
    assert_eq!(get("/").await.status, 200);
    assert_eq!(get(LIST).await.status, 200);

    proxy.cut();
    // Let the proxy close the connections it holds.
    tokio::time::sleep(Duration::from_millis(200)).await;
    for path in ["/healthz", "/", LIST, "/soundtracks/drive-2011", "/search?q=drive"] {
        let start = Instant::now();
        let page = get(path).await;
        let took = start.elapsed();
        if path == "/healthz" {
            assert_eq!(page.status, 503, "{path}");
            assert_eq!(page.header("cache-control").as_deref(), Some("no-store"));
        } else if path == "/" || path == LIST {
            // Rendered before the cut: the render cache keeps serving them.
            assert_eq!(page.status, 200, "{path}");
            assert_eq!(page.header("x-cache").as_deref(), Some("hit"), "{path}");
        } else {
            assert!(is_styled_unavailable(&page), "{path}: {} {}", page.status, page.body);
        }
        // Within the pool's acquire timeout (3 s) and then some.
        assert!(took < Duration::from_secs(5), "{path} took {took:?} while the database was cut off");
    }

    proxy.restore();
    let start = Instant::now();
    loop {
        if get("/healthz").await.status == 200 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(15), "the node did not recover");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(get("/").await.status, 200);
    assert_eq!(get(LIST).await.status, 200);
    // Writes heal too: a comment through the healed node.
    let visitor = Remote::new(&base);
    let page =
        visitor.comment(LIST, &[("author", "Ana"), ("email", "ana@example.com"), ("comment", "Back again")]).await;
    assert_eq!(page.status, 303, "{}", page.body);

    handle.stop(false).await;
    db.pool.close().await;
    app.finish().await;
}

#[actix_web::test]
async fn healthz_answers_200_uncached_on_both_backends() {
    for backend in backends().await {
        let app = TestApp::empty(backend).await;
        let page = app.get("/healthz").await;
        assert_eq!(page.status, 200);
        assert_eq!(page.body, "ok\n");
        assert_eq!(page.header("cache-control").as_deref(), Some("no-store"));
        assert!(page.header("etag").is_none());
        app.finish().await;
    }
}

#[actix_web::test]
async fn a_node_killed_mid_stream_has_stored_every_comment_it_acknowledged() {
    for backend in backends().await {
        let f = fixture();
        let app = TestApp::empty(backend).await;
        app.import(f.path()).await.unwrap();
        let args = ["--workers", "2", "--comment-interval", "0", "--comment-min-seconds", "0"];
        let mut node = Node::spawn(&app.database_url, &args, &[]);
        let base = node.base.clone();
        let client = awc::Client::builder().timeout(Duration::from_secs(30)).disable_redirects().finish();
        let acknowledged = std::cell::RefCell::new(Vec::<i64>::new());
        let dead = std::cell::Cell::new(false);
        // Posts until the node is gone; a 303 names the stored comment.
        let poster = |worker: usize| {
            let (client, base, acknowledged, dead) = (&client, &base, &acknowledged, &dead);
            async move {
                for n in 0.. {
                    if dead.get() {
                        break;
                    }
                    let body =
                        format!("author=Ana+{worker}&email=ana{worker}%40example.com&comment=Comment+{worker}-{n}");
                    let sent = client
                        .post(format!("{base}{LIST}/comments"))
                        .insert_header(("content-type", "application/x-www-form-urlencoded"))
                        .insert_header(("sec-fetch-site", "same-origin"))
                        .send_body(body)
                        .await;
                    let Ok(res) = sent else { break };
                    if res.status() == 303 {
                        let location = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default();
                        let id = location.rsplit("#comment-").next().and_then(|id| id.parse().ok()).unwrap();
                        acknowledged.borrow_mut().push(id);
                    }
                }
            }
        };
        let killer = async {
            // Killed mid-stream: once a good number is acknowledged, with
            // posts still in flight and batches being committed.
            let start = Instant::now();
            while acknowledged.borrow().len() < 150 && start.elapsed() < Duration::from_secs(30) {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            node.kill();
            dead.set(true);
        };
        futures_util::future::join(futures_util::future::join_all((0..24).map(poster)), killer).await;
        let acknowledged = acknowledged.into_inner();
        assert!(acknowledged.len() >= 150, "{backend:?}: only {} acknowledged", acknowledged.len());
        let stored: std::collections::HashSet<i64> =
            sqlx::query_scalar("select id from comments").fetch_all(&app.db.pool).await.unwrap().into_iter().collect();
        let lost: Vec<&i64> = acknowledged.iter().filter(|id| !stored.contains(id)).collect();
        assert!(lost.is_empty(), "{backend:?}: acknowledged but not stored: {lost:?}");
        app.finish().await;
    }
}
