//! The render cache: shared pages made once per content version, served in
//! the encoding the client takes, revalidated with `304`, rendered once
//! under concurrent misses, and changed on every node within a second of a
//! write made through any of them.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Read;
use std::time::{Duration, Instant};

use common::{Backend, Browser, Fixture, Page, TestApp, backends};
use cuesheet::config::SiteConfig;

fn fixture() -> Fixture {
    let f = Fixture::new();
    f.record("drive-2011", "Drive", 2011).record("jaws-1975", "Jaws", 1975);
    for (slug, title) in [("night-drives", "Night drives"), ("sea-scores", "Sea scores")] {
        f.article(
            slug,
            title,
            "published = \"2026-03-01T10:00:00Z\"\nlist = \"ranked\"",
            "Intro.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n\n## Jaws {soundtrack=jaws-1975}\n\nTwo notes.\n",
        );
    }
    f
}

async fn start(backend: Backend) -> (TestApp, Fixture) {
    let f = fixture();
    let config = SiteConfig { comment_interval: 0, comment_min_seconds: 0, ..SiteConfig::default() };
    let app = TestApp::with_config(backend, config).await;
    app.import(f.path()).await.unwrap();
    (app, f)
}

async fn get_with(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> (Page, Vec<u8>) {
    let mut req = app.client.get(format!("{}{path}", app.base));
    for (k, v) in headers {
        req = req.insert_header((*k, *v));
    }
    // awc would decode the body itself: ask for the bytes as sent.
    let mut res = req.no_decompress().send().await.unwrap();
    let body = res.body().limit(4 << 20).await.unwrap().to_vec();
    let page = Page {
        status: res.status().as_u16(),
        headers: res.headers().clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    (page, body)
}

/// Polls `path` on `app` until `done` holds, for at most `limit`.
async fn eventually(app: &TestApp, path: &str, limit: Duration, done: impl Fn(&Page) -> bool) -> Duration {
    let start = Instant::now();
    loop {
        let page = app.get(path).await;
        if done(&page) {
            return start.elapsed();
        }
        assert!(start.elapsed() < limit, "{path} did not change within {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[actix_web::test]
async fn shared_pages_are_made_once_and_sent_as_the_client_takes_them() {
    for backend in backends().await {
        let (app, _f) = start(backend).await;
        for path in ["/", "/soundtracks/drive-2011", "/tags", "/feed.xml", "/search?q=drive"] {
            let (first, identity) = get_with(&app, path, &[]).await;
            assert_eq!(first.status, 200, "{path}");
            assert_eq!(first.header("x-cache").as_deref(), Some("miss"), "{path}");
            assert!(first.header("set-cookie").is_none(), "{path}");
            assert!(first.header("cache-control").unwrap().starts_with("public"), "{path}");
            let etag = first.header("etag").unwrap();

            let (again, same) = get_with(&app, path, &[]).await;
            assert_eq!(again.header("x-cache").as_deref(), Some("hit"), "{path}");
            assert_eq!(again.header("etag").as_deref(), Some(etag.as_str()));
            assert_eq!(same, identity, "{path}: byte-identical for every reader");

            let (br, bytes) = get_with(&app, path, &[("accept-encoding", "gzip, br")]).await;
            assert_eq!(br.header("content-encoding").as_deref(), Some("br"), "{path}");
            assert_eq!(br.header("etag").as_deref(), Some(etag.as_str()));
            let mut decoded = Vec::new();
            brotli::BrotliDecompress(&mut &bytes[..], &mut decoded).unwrap();
            assert_eq!(decoded, identity, "{path}");

            let (gz, bytes) = get_with(&app, path, &[("accept-encoding", "gzip")]).await;
            assert_eq!(gz.header("content-encoding").as_deref(), Some("gzip"), "{path}");
            let mut decoded = Vec::new();
            flate2::read::GzDecoder::new(&bytes[..]).read_to_end(&mut decoded).unwrap();
            assert_eq!(decoded, identity, "{path}");

            let (current, body) = get_with(&app, path, &[("if-none-match", &etag)]).await;
            assert_eq!(current.status, 304, "{path}");
            assert!(body.is_empty());
        }
        app.finish().await;
    }
}

#[actix_web::test]
async fn concurrent_misses_render_a_page_once() {
    for backend in backends().await {
        let (app, _f) = start(backend).await;
        let requests = (0..16).map(|_| get_with(&app, "/soundtracks/jaws-1975", &[]));
        let pages = futures_util::future::join_all(requests).await;
        let misses = pages.iter().filter(|(p, _)| p.header("x-cache").as_deref() == Some("miss")).count();
        assert_eq!(misses, 1, "one render for sixteen concurrent readers");
        assert!(pages.iter().all(|(p, body)| p.status == 200 && *body == pages[0].1));
        app.finish().await;
    }
}

#[actix_web::test]
async fn a_write_made_elsewhere_shows_within_a_second() {
    for backend in backends().await {
        let (app, f) = start(backend).await;
        assert!(app.get("/").await.body.contains("Night drives"));
        // An import by another process (the CLI, another node) writes the
        // database behind this node's back.
        f.article(
            "night-drives",
            "Night drives, revised",
            "published = \"2026-03-01T10:00:00Z\"\nlist = \"ranked\"",
            "Intro.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n\n## Jaws {soundtrack=jaws-1975}\n\nTwo notes.\n",
        );
        cuesheet::db::import::import_dir(&app.db, &app.media, f.path(), false).await.unwrap();
        let took = eventually(&app, "/", Duration::from_secs(1), |p| p.body.contains("Night drives, revised")).await;
        eprintln!("{backend:?}: the home page changed {took:?} after the import");
        app.finish().await;
    }
}
#[actix_web::test]
async fn a_comment_through_one_node_shows_on_the_other_and_only_where_it_belongs() {
    for backend in backends().await {
        let (one, _f) = start(backend).await;
        let two = one.second_node().await;
        let other_before = two.get("/articles/sea-scores").await;
        let home_before = two.get("/").await;
        assert_eq!(other_before.status, 200);

        let b = Browser::new(&one);
        let posted = b
            .comment(
                "/articles/night-drives",
                &[("author", "Ana"), ("email", "ana@example.com"), ("comment", "Seen on every node")],
            )
            .await;
        assert_eq!(posted.status, 303, "{}", posted.body);

        let took = eventually(&two, "/articles/night-drives", Duration::from_secs(1), |p| {
            p.body.contains("Seen on every node")
        })
        .await;
        eprintln!("{backend:?}: the comment reached the other node in {took:?}");
        // The listing counts comments: it changed too.
        eventually(&two, "/", Duration::from_secs(1), |p| p.header("etag") != home_before.header("etag")).await;
        // Another article's page did not change and is still the cached one.
        let other_after = two.get("/articles/sea-scores").await;
        assert_eq!(other_after.header("etag"), other_before.header("etag"));
        assert_eq!(other_after.body, other_before.body);
        two.finish().await;
        one.finish().await;
    }
}
