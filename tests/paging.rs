//! Numbered pages (`?page=N`) on every unbounded list, through the real HTTP
//! stack: the home listing, the topics, a tag, a record's and a person's appearances,
//! the A–Z index and search results. Page 2 exists and differs from page 1,
//! the pages link each other with `rel=prev`/`rel=next` (in the page and in
//! `<head>`), a page past the last one and a `page` that is not a page
//! number are 404. And every query behind such a list is answered from
//! indexes: its plan on SQLite scans no table, and on PostgreSQL (told to
//! avoid sequential scans, as it would not on tables this small) it has no
//! sequential scan. One test function per backend, so one cannot hide the
//! other.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{Backend, Fixture, Page, REAL_CONTENT, TestApp, backends};
use sqlx::{Executor, Row};

/// Lists (all tagged `sea`, all listing one record), and records for the A–Z index.
const LISTS: usize = 25;
const RECORDS: usize = 105;
/// Topics: `sea` and five of each list's own.
const TOPICS: usize = 1 + 5 * LISTS;

fn fixture() -> Fixture {
    let f = Fixture::new();
    for i in 0..RECORDS {
        f.record(&format!("film-{i:03}-1990"), &format!("Film {i:03}"), 1990);
    }
    for i in 0..LISTS {
        f.article(
            &format!("list-{i:02}"),
            &format!("Seaside list {i:02}"),
            &format!(
                "published = \"2026-02-{:02}T10:00:00Z\"\ntags = [\"sea\", {}]\nlist = \"ranked\"",
                i + 1,
                (0..5).map(|t| format!("\"Shore {i:02}{t}\"")).collect::<Vec<_>>().join(", ")
            ),
            &format!(
                "## Film 000 {{soundtrack=film-000-1990}}\n\nWaves.\n\n## Film {:03} {{soundtrack=film-{:03}-1990}}\n\nMore waves.\n",
                i + 1,
                i + 1
            ),
        );
    }
    f
}

/// The `href` of the page's `rel` links: `(in the page, in <head>)`.
fn links(page: &Page, rel: &str) -> (Vec<String>, Vec<String>) {
    (page.attrs(&format!("a[rel={rel}]"), "href"), page.attrs(&format!("head link[rel={rel}]"), "href"))
}

/// Follows `rel=next` from `first` to the end: every page's items (by
/// `item` selector), checking each link both ways on the way.
async fn walk(app: &TestApp, first: &str, item: &str) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut url = first.to_owned();
    let mut previous: Option<String> = None;
    // Head links are absolute, from the site's base URL: the canonical
    // address of the first page shows it.
    let mut base = String::new();
    loop {
        let page = app.get(&url).await;
        assert_eq!(page.status, 200, "{url}");
        let canonical = page.attrs("link[rel=canonical]", "href");
        if previous.is_none() {
            base = canonical[0].strip_suffix(first).unwrap().to_owned();
        }
        assert_eq!(canonical, vec![format!("{base}{url}")], "{url}");
        let (prev, head_prev) = links(&page, "prev");
        match &previous {
            None => assert!(prev.is_empty() && head_prev.is_empty(), "{url}: {prev:?}"),
            Some(p) => {
                assert_eq!(prev, vec![p.clone()], "{url}");
                assert_eq!(head_prev, vec![format!("{base}{p}")], "{url}");
            }
        }
        pages.push(page.texts(item));
        let (next, head_next) = links(&page, "next");
        let Some(next) = next.first().cloned() else {
            assert!(head_next.is_empty(), "{url}");
            return pages;
        };
        assert_eq!(head_next, vec![format!("{base}{next}")], "{url}");
        assert!(pages.len() < 10, "{url}: too many pages");
        previous = Some(url);
        url = next;
    }
}

async fn paging(backend: Backend) {
    let f = fixture();
    let app = TestApp::start(backend, f.path()).await;
    // (first page, item selector, page size, items in all, first page past the end)
    let cases = [
        ("/", ".summary h2", 10, LISTS, "/?page=4"),
        ("/tags/sea", ".summary h2", 10, LISTS, "/tags/sea?page=4"),
        ("/soundtracks/film-000-1990", ".appearances li", 20, LISTS, "/soundtracks/film-000-1990?page=3"),
        ("/people/composer-of-film-000", "#in-lists + ul li", 20, LISTS, "/people/composer-of-film-000?page=3"),
        ("/soundtracks", "ul.index li", 100, RECORDS, "/soundtracks?page=3"),
        ("/tags", "ul.index li", 100, TOPICS, "/tags?page=3"),
        ("/search?q=seaside", ".result h2", 10, LISTS, "/search?q=seaside&page=4"),
    ];
    for (first, item, size, total, beyond) in cases {
        let pages = walk(&app, first, item).await;
        let counts: Vec<usize> = pages.iter().map(Vec::len).collect();
        let mut expected = vec![size; total / size];
        if total % size > 0 {
            expected.push(total % size);
        }
        assert_eq!(counts, expected, "{backend:?} {first}");
        let all: Vec<&String> = pages.iter().flatten().collect();
        let mut distinct = all.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), all.len(), "{backend:?} {first}: an item on two pages");

        // Page 2 exists and has its number in the title.
        let second = app.get(&common_href(first, 2)).await;
        assert_eq!(second.status, 200, "{backend:?} {first}");
        assert!(second.texts("title")[0].contains("Page 2"), "{backend:?} {first}");
        // Beyond the last page, and numbers that are no page: 404.
        assert_eq!(app.get(beyond).await.status, 404, "{backend:?} {beyond}");
        for bad in ["0", "-1", "x", "1.5", "99999999999999999999"] {
            let url = common_href(first, 2).replace("page=2", &format!("page={bad}"));
            assert_eq!(app.get(&url).await.status, 404, "{backend:?} {url}");
        }
    }
    // Newest first across pages: page 3 of the home ends with the oldest list.
    let third = app.get("/?page=3").await;
    assert_eq!(third.texts(".summary h2").last().map(String::as_str), Some("Seaside list 00"));
    // An empty list still has its first page.
    f.record("lonely-2001", "Lonely", 2001);
    app.import(f.path()).await.unwrap();
    let lonely = app.get("/soundtracks/lonely-2001").await;
    assert_eq!(lonely.status, 200, "{backend:?}");
    assert!(links(&lonely, "next").0.is_empty() && lonely.texts("nav.pager").is_empty());
    assert_eq!(app.get("/soundtracks/lonely-2001?page=2").await.status, 404, "{backend:?}");
    app.finish().await;
}

/// Page `n` of the list at `first`.
fn common_href(first: &str, n: i64) -> String {
    cuesheet::web::paging::href(first, n)
}

#[actix_web::test]
async fn pages_link_each_other_and_end_in_404_on_sqlite() {
    paging(Backend::Sqlite).await;
}

#[actix_web::test]
async fn pages_link_each_other_and_end_in_404_on_postgres() {
    if backends().await.contains(&Backend::Postgres) {
        paging(Backend::Postgres).await;
    }
}

/// The plan of every listing query: `(name, lines)` that read a whole table.
async fn table_scans(app: &TestApp) -> Vec<(&'static str, Vec<String>)> {
    let backend = app.db.backend;
    let sqlite = backend == cuesheet::db::Backend::Sqlite;
    let mut conn = app.db.pool.acquire().await.unwrap();
    if !sqlite {
        conn.execute("set enable_seqscan = off").await.unwrap();
    }
    let mut found = Vec::new();
    for l in cuesheet::db::paging::listings(backend) {
        let prefix = if sqlite { "explain query plan " } else { "explain " };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(format!("{prefix}{}", l.sql)));
        if let Some(text) = l.text {
            query = query.bind(text);
        }
        for &a in l.args {
            query = query.bind(a);
        }
        let rows = query.fetch_all(&mut *conn).await.unwrap();
        let lines: Vec<String> =
            rows.iter().map(|r| r.try_get::<String, _>(if sqlite { 3 } else { 0 }).unwrap()).collect();
        // SQLite: `SCAN x` without an index reads all of x, unless x is a
        // subquery's few rows, materialised first.
        let subqueries: Vec<String> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("MATERIALIZE ").or_else(|| l.strip_prefix("CO-ROUTINE ")))
            .map(|n| format!("SCAN {n}"))
            .collect();
        let scans: Vec<String> = lines
            .iter()
            .filter(|l| match sqlite {
                true => {
                    let l = l.trim_start_matches(['|', '`', '-', ' ']);
                    l.starts_with("SCAN ")
                        && !l.contains(" USING ")
                        && !l.contains("VIRTUAL TABLE")
                        && !subqueries.iter().any(|s| s == l)
                }
                false => l.contains("Seq Scan"),
            })
            .cloned()
            .collect();
        if !scans.is_empty() {
            found.push((l.name, lines));
        }
    }
    if !sqlite {
        conn.execute("reset enable_seqscan").await.unwrap();
    }
    found
}

#[actix_web::test]
async fn every_listing_query_is_answered_from_indexes_on_sqlite() {
    let app = TestApp::start(Backend::Sqlite, Path::new(REAL_CONTENT)).await;
    assert_eq!(table_scans(&app).await, vec![]);
    app.finish().await;
}

#[actix_web::test]
async fn every_listing_query_is_answered_from_indexes_on_postgres() {
    if backends().await.contains(&Backend::Postgres) {
        let app = TestApp::start(Backend::Postgres, Path::new(REAL_CONTENT)).await;
        assert_eq!(table_scans(&app).await, vec![]);
        app.finish().await;
    }
}
