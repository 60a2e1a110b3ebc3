//! Discovery: search, cross-links, feeds, sitemap, structured data and HTTP
//! caching, through the real HTTP stack on both backends.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{Browser, Fixture, Page, REAL_CONTENT, TestApp, backends};
use cuesheet::config::SiteConfig;

const HARDER: &str = "/articles/soundtracks-that-hit-harder-than-the-plot";
const GUIDE: &str = "/articles/best-movie-soundtracks-of-all-time";
const BETTER: &str = "/articles/soundtracks-better-than-the-movies";

fn result_links(page: &Page) -> Vec<String> {
    page.attrs(".result h2 a", "href")
}

/// The JSON-LD of a page, parsed.
fn json_ld(page: &Page) -> serde_json::Value {
    let blocks = page.raw_texts("script[type='application/ld+json']");
    assert_eq!(blocks.len(), 1, "one JSON-LD block");
    serde_json::from_str(&blocks[0]).unwrap_or_else(|e| panic!("JSON-LD does not parse: {e}\n{}", blocks[0]))
}

fn graph_item<'a>(ld: &'a serde_json::Value, kind: &str) -> Option<&'a serde_json::Value> {
    ld["@graph"].as_array().unwrap().iter().find(|i| i["@type"] == kind)
}

#[actix_web::test]
async fn search_finds_records_and_articles_whatever_the_accents_and_case() {
    for backend in backends().await {
        let app = TestApp::start(backend, Path::new(REAL_CONTENT)).await;
        // A record by one of its track titles, highlighted.
        let page = app.get("/search?q=nightcall").await;
        assert_eq!(page.status, 200);
        assert!(result_links(&page).contains(&"/soundtracks/drive-2011".to_string()), "{:?}", result_links(&page));
        let marks = page.texts(".snippet mark");
        assert!(
            marks
                .iter()
                .all(|m| m.to_lowercase().trim_start_matches(|c: char| !c.is_alphanumeric()).starts_with("nightcall")),
            "{marks:?}"
        );
        assert!(!page.texts(".snippet mark").is_empty());
        // An article by an entry heading.
        let page = app.get("/search?q=tron+legacy").await;
        assert!(result_links(&page).contains(&HARDER.to_string()), "{:?}", result_links(&page));
        // Accents and case do not matter, either way round.
        for q in ["bjork", "BJÖRK", "Björk"] {
            let links = result_links(&app.get(&format!("/search?q={}", urlencode(q))).await);
            assert!(links.contains(&"/soundtracks/stigmata-1999".to_string()), "{q}: {links:?}");
        }
        let links = result_links(&app.get("/search?q=SIGUR+ROS").await);
        assert!(links.contains(&"/soundtracks/vanilla-sky-2001".to_string()), "{links:?}");
        // Records rank by relevance: a title match comes first.
        assert_eq!(result_links(&app.get("/search?q=purple+rain").await)[0], "/soundtracks/purple-rain-1984");
        // Paginated.
        let first = app.get("/search?q=the").await;
        assert_eq!(result_links(&first).len(), 10);
        let next = first.attrs("a[rel=next]", "href");
        assert_eq!(next.len(), 1);
        let second = app.get(&next[0]).await;
        assert!(!result_links(&second).is_empty());
        assert!(result_links(&second).iter().all(|l| !result_links(&first).contains(l)));
        // Nothing found, odd input, no query: still pages.
        assert!(app.get("/search?q=zzzzzqqq").await.texts("[role=status]")[0].contains("Nothing matches"));
        for q in ["%22%3Cscript%3E", "AND+OR+NOT", "*", "%F0%9F%8E%B5", ""] {
            let page = app.get(&format!("/search?q={q}")).await;
            assert_eq!(page.status, 200, "{q}");
            assert!(page.texts("main script").is_empty());
        }
        // The search box is in every page's header.
        assert_eq!(app.get(HARDER).await.attrs("header form[role=search]", "action"), vec!["/search"]);
        app.finish().await;
    }
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[actix_web::test]
async fn the_index_follows_imports_and_hides_drafts() {
    let f = Fixture::new();
    f.record("jaws-1975", "Jaws", 1975);
    f.article(
        "sharks",
        "Sharks",
        "published = \"2026-01-05T10:00:00Z\"\nlist = \"ranked\"",
        "## Jaws {soundtrack=jaws-1975}\n\nThe xylophone cue.\n",
    );
    f.article("secret", "Secret", "list = \"none\"", "A hidden marimba.\n");
    for backend in backends().await {
        let app = TestApp::start(backend, f.path()).await;
        assert_eq!(result_links(&app.get("/search?q=xylophone").await), vec!["/articles/sharks"]);
        assert!(result_links(&app.get("/search?q=marimba").await).is_empty(), "drafts are not searchable");
        f.article(
            "sharks",
            "Sharks",
            "published = \"2026-01-05T10:00:00Z\"\nlist = \"ranked\"",
            "## Jaws {soundtrack=jaws-1975}\n\nThe celesta cue.\n",
        );
        app.import(f.path()).await.unwrap();
        assert!(result_links(&app.get("/search?q=xylophone").await).is_empty());
        assert_eq!(result_links(&app.get("/search?q=celesta").await), vec!["/articles/sharks"]);
        f.remove("articles/sharks.md");
        app.import(f.path()).await.unwrap();
        assert!(result_links(&app.get("/search?q=celesta").await).is_empty());
        // Back as it was, for the next backend.
        f.article(
            "sharks",
            "Sharks",
            "published = \"2026-01-05T10:00:00Z\"\nlist = \"ranked\"",
            "## Jaws {soundtrack=jaws-1975}\n\nThe xylophone cue.\n",
        );
        app.finish().await;
    }
}

#[actix_web::test]
async fn lists_link_to_each_other() {
    for backend in backends().await {
        let app = TestApp::start(backend, Path::new(REAL_CONTENT)).await;
        let guide = app.get(GUIDE).await;
        // Purple Rain is also in the "better than the movies" list.
        let also = guide.attrs("#purple-rain + .card .also-in a, .entry .card .also-in a", "href");
        assert!(also.iter().any(|h| h.starts_with(&format!("{BETTER}#"))), "{also:?}");
        let purple = guide.texts(".entry .card .also-in");
        assert!(purple.iter().any(|t| t.starts_with("Also in 1 other list")), "{purple:?}");
        // Related lists share records or tags.
        let related = guide.attrs(".related a", "href");
        assert!(related.contains(&BETTER.to_string()), "{related:?}");
        assert!(!related.contains(&GUIDE.to_string()));
        app.finish().await;
    }
}

#[actix_web::test]
async fn feeds_sitemap_and_robots_parse_and_list_everything() {
    for backend in backends().await {
        let config = SiteConfig { base_url: Some("https://cuesheet.example/".into()), ..SiteConfig::default() };
        let app = TestApp::with_config(backend, config).await;
        app.import(Path::new(REAL_CONTENT)).await.unwrap();
        let feed = app.get("/feed.xml").await;
        assert!(feed.header("content-type").unwrap().starts_with("application/atom+xml"));
        let parsed: atom_syndication::Feed = feed.body.parse().unwrap();
        let ids: Vec<&str> = parsed.entries().iter().map(|e| e.id()).collect();
        assert_eq!(
            ids,
            vec![
                "https://cuesheet.example/articles/best-movie-soundtracks-of-all-time",
                "https://cuesheet.example/articles/soundtracks-better-than-the-movies",
                "https://cuesheet.example/articles/soundtracks-that-hit-harder-than-the-plot",
            ]
        );
        let content = parsed.entries()[2].content().and_then(|c| c.value()).unwrap();
        assert!(content.contains("1. Blade Runner") && content.contains("4. Tron"), "full content with ranks");
        assert!(
            app.get("/")
                .await
                .attrs("link[rel=alternate][type='application/atom+xml']", "href")
                .contains(&"/feed.xml".to_string())
        );

        let doc = sitemap(&app).await;
        assert!(
            doc.contains(&"https://cuesheet.example/articles/soundtracks-that-hit-harder-than-the-plot".to_string())
        );
        assert!(doc.contains(&"https://cuesheet.example/".to_string()));
        assert!(doc.contains(&"https://cuesheet.example/soundtracks/blade-runner-1982".to_string()));
        assert!(doc.contains(&"https://cuesheet.example/people/cameron-crowe".to_string()));
        assert!(doc.iter().any(|u| u.starts_with("https://cuesheet.example/tags/")));
        assert_eq!(doc.iter().filter(|u| u.contains("/soundtracks/")).count(), 39);
        let robots = app.get("/robots.txt").await;
        assert!(robots.body.contains("Sitemap: https://cuesheet.example/sitemap.xml"));
        assert!(robots.body.contains("Disallow: /editor"));
        app.finish().await;
    }
}

/// Every address of the sitemap: the `<loc>`s of each part its index
/// names, each part answering XML with a `<lastmod>` for every address.
async fn sitemap(app: &TestApp) -> Vec<String> {
    let index = app.get("/sitemap.xml").await;
    assert_eq!(index.status, 200);
    assert!(index.body.contains("<sitemapindex"), "{}", index.body);
    let mut locs = Vec::new();
    for part in roxmltree_like(&index.body) {
        let path = part.strip_prefix("https://cuesheet.example").unwrap();
        let part = app.get(path).await;
        assert_eq!(part.status, 200, "{path}");
        assert!(part.header("content-type").unwrap().starts_with("application/xml"));
        let urls = roxmltree_like(&part.body);
        assert!(!urls.is_empty() && urls.len() <= 2001, "{path}: {}", urls.len());
        assert_eq!(part.body.matches("<lastmod>").count(), urls.len(), "{path}");
        locs.extend(urls);
    }
    locs
}

/// A sitemap part holds at most 2,000 addresses: a larger archive has more
/// parts, all named in the index; a part past the last, or of no section, is
/// not found.
#[actix_web::test]
async fn the_sitemap_comes_in_parts_of_at_most_2000() {
    for backend in backends().await {
        let config = SiteConfig { base_url: Some("https://cuesheet.example/".into()), ..SiteConfig::default() };
        let app = TestApp::with_config(backend, config).await;
        app.import(Path::new(REAL_CONTENT)).await.unwrap();
        let options = cuesheet::db::demo::Options { articles: 3, comments: 0, records: 2_100, seed: 3 };
        cuesheet::db::demo::generate(&app.db, &options, &mut |_| {}).await.unwrap();
        let index = roxmltree_like(&app.get("/sitemap.xml").await.body);
        let parts: Vec<&str> =
            index.iter().filter_map(|u| u.strip_prefix("https://cuesheet.example/sitemaps/")).collect();
        assert_eq!(parts, ["lists-1.xml", "soundtracks-1.xml", "soundtracks-2.xml", "people-1.xml", "topics-1.xml"]);
        let doc = sitemap(&app).await;
        let records: Vec<&String> = doc.iter().filter(|u| u.contains("/soundtracks/")).collect();
        let distinct: std::collections::HashSet<&&String> = records.iter().collect();
        assert_eq!((records.len(), distinct.len()), (2_139, 2_139), "{backend:?}");
        for missing in
            ["/sitemaps/soundtracks-3.xml", "/sitemaps/soundtracks-0.xml", "/sitemaps/films-1.xml", "/sitemaps/x.xml"]
        {
            assert_eq!(app.get(missing).await.status, 404, "{missing}");
        }
        app.finish().await;
    }
}

/// The `<loc>`s of a sitemap, read with an XML parser (quick-xml).
fn roxmltree_like(xml: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut locs = Vec::new();
    let mut in_loc = false;
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Start(e) if e.name().as_ref() == b"loc" => in_loc = true,
            quick_xml::events::Event::End(e) if e.name().as_ref() == b"loc" => in_loc = false,
            quick_xml::events::Event::Text(t) if in_loc => locs.push(String::from_utf8(t.to_vec()).unwrap()),
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    locs
}

#[actix_web::test]
async fn structured_data_describes_lists_films_and_albums() {
    for backend in backends().await {
        let config = SiteConfig { base_url: Some("https://cuesheet.example".into()), ..SiteConfig::default() };
        let app = TestApp::with_config(backend, config).await;
        app.import(Path::new(REAL_CONTENT)).await.unwrap();
        let page = app.get(HARDER).await;
        assert_eq!(page.attrs("link[rel=canonical]", "href"), vec![format!("https://cuesheet.example{HARDER}")]);
        assert_eq!(page.attrs("meta[property='og:type']", "content"), vec!["article"]);
        assert_eq!(
            page.attrs("meta[property='og:title']", "content"),
            vec!["Soundtracks that hit harder than the plot"]
        );
        assert_eq!(page.attrs("meta[name='twitter:card']", "content"), vec!["summary_large_image"]);
        assert_eq!(
            page.attrs("meta[property='og:image']", "content"),
            vec![format!("https://cuesheet.example{HARDER}/card.png")]
        );
        assert!(!page.attrs("meta[name=description]", "content")[0].is_empty());
        let ld = json_ld(&page);
        let article = graph_item(&ld, "Article").unwrap();
        assert_eq!(article["author"]["@type"], "Person");
        assert_eq!(article["datePublished"], "2026-09-14T09:00:00Z");
        let list = graph_item(&ld, "ItemList").unwrap();
        let items = list["itemListElement"].as_array().unwrap();
        let names: Vec<&str> = items.iter().map(|i| i["item"]["name"].as_str().unwrap()).collect();
        assert_eq!(names, vec!["Blade Runner", "Drive", "The Crow", "Tron: Legacy"]);
        let positions: Vec<i64> = items.iter().map(|i| i["position"].as_i64().unwrap()).collect();
        assert_eq!(positions, vec![1, 2, 3, 4]);
        assert_eq!(items[0]["url"], format!("https://cuesheet.example{HARDER}#blade-runner"));
        assert_eq!(items[0]["item"]["@type"], "Movie");
        assert_eq!(items[0]["item"]["musicBy"][0]["name"], "Vangelis");
        assert!(graph_item(&ld, "FAQPage").is_none());
        // The guide has a real FAQ.
        let guide = json_ld(&app.get(GUIDE).await);
        let faq = graph_item(&guide, "FAQPage").unwrap();
        let questions = faq["mainEntity"].as_array().unwrap();
        assert!(questions.len() >= 4);
        assert!(
            questions
                .iter()
                .all(|q| q["@type"] == "Question" && !q["acceptedAnswer"]["text"].as_str().unwrap().is_empty())
        );
        // A record: the album and its film.
        let record = json_ld(&app.get("/soundtracks/blade-runner-1982").await);
        let album = graph_item(&record, "MusicAlbum").unwrap();
        assert_eq!(album["albumProductionType"], "https://schema.org/SoundtrackAlbum");
        assert!(!album["track"]["itemListElement"].as_array().unwrap().is_empty());
        assert_eq!(graph_item(&record, "Movie").unwrap()["director"][0]["name"], "Ridley Scott");
        app.finish().await;
    }

    // Quotes, </script> and non-ASCII in titles stay valid JSON and inert.
    let f = Fixture::new();
    f.record("jaws-1975", "Jaws </script><script>alert(1)</script>", 1975);
    f.article(
        "tricky",
        "He said \\\"</script><script>alert(2)</script>\\\" — Björk & Sigur Rós",
        "published = \"2026-01-05T10:00:00Z\"\nlist = \"ranked\"\ndescription = \"<!-- & -->\"",
        "## Jaws `</script>` “quoted” {soundtrack=jaws-1975}\n\nText.\n",
    );
    for backend in backends().await {
        let app = TestApp::start(backend, f.path()).await;
        let page = app.get("/articles/tricky").await;
        let ld = json_ld(&page);
        let article = graph_item(&ld, "Article").unwrap();
        assert_eq!(article["headline"], "He said \"</script><script>alert(2)</script>\" — Björk & Sigur Rós");
        assert_eq!(article["description"], "<!-- & -->");
        let list = graph_item(&ld, "ItemList").unwrap();
        assert_eq!(list["itemListElement"][0]["name"], "Jaws </script> “quoted”");
        assert_eq!(
            page.html().select(&scraper::Selector::parse("script").unwrap()).count(),
            3,
            "JSON-LD, comments.js and votes.js only"
        );
        assert!(!page.body.contains("<script>alert"));
        let record = json_ld(&app.get("/soundtracks/jaws-1975").await);
        assert_eq!(graph_item(&record, "MusicAlbum").unwrap()["name"], "Jaws </script><script>alert(1)</script>");
        app.finish().await;
    }
}

#[actix_web::test]
async fn pages_revalidate_and_change_their_etag_when_content_changes() {
    for backend in backends().await {
        let config = SiteConfig { comment_interval: 0, comment_min_seconds: 0, ..SiteConfig::default() };
        let app = TestApp::with_config(backend, config).await;
        app.import(Path::new(REAL_CONTENT)).await.unwrap();
        // Public pages: ETag, Last-Modified, shared cache for a short time.
        for path in [
            "/",
            "/soundtracks/drive-2011",
            "/people/vangelis",
            "/tags",
            "/feed.xml",
            "/sitemap.xml",
            "/search?q=drive",
        ] {
            let page = app.get(path).await;
            let etag = page.header("etag").unwrap_or_else(|| panic!("no ETag on {path}"));
            assert!(page.header("last-modified").is_some(), "{path}");
            assert!(page.header("cache-control").unwrap().contains("s-maxage"), "{path}");
            let again = app
                .request(app.client.get(format!("{}{path}", app.base)).insert_header(("if-none-match", etag.as_str())))
                .await;
            assert_eq!(again.status, 304, "{path}");
            assert!(again.body.is_empty());
            let stale = app
                .request(app.client.get(format!("{}{path}", app.base)).insert_header(("if-none-match", "W/\"nope\"")))
                .await;
            assert_eq!(stale.status, 200);
        }
        let lm = app.get("/tags").await.header("last-modified").unwrap();
        let since = app
            .request(app.client.get(format!("{}/tags", app.base)).insert_header(("if-modified-since", lm.as_str())))
            .await;
        assert_eq!(since.status, 304);

        // The article page is the same for every reader: public, revalidated.
        let reader = Browser::new(&app);
        reader.get(HARDER).await;
        let page = reader.get(HARDER).await;
        assert!(page.header("cache-control").unwrap().starts_with("public"));
        let article_etag = page.header("etag").unwrap();
        let home_etag = app.get("/").await.header("etag").unwrap();
        let feed_etag = app.get("/comments.xml").await.header("etag").unwrap();
        // A new approved comment changes every page it shows on.
        let res = reader
            .comment(HARDER, &[("author", "Ana"), ("email", "ana@example.com"), ("comment", "Vangelis forever")])
            .await;
        assert_eq!(res.status, 303);
        assert_ne!(reader.get(HARDER).await.header("etag").unwrap(), article_etag);
        assert_ne!(app.get("/").await.header("etag").unwrap(), home_etag);
        assert_ne!(app.get("/comments.xml").await.header("etag").unwrap(), feed_etag);
        let after = app.get("/tags").await.header("last-modified").unwrap();
        let since = app
            .request(app.client.get(format!("{}/tags", app.base)).insert_header(("if-modified-since", lm.as_str())))
            .await;
        assert!(after != lm || since.status == 304);

        // Static assets for a year; the desk never.
        let css = app.get("/").await.attrs("link[rel=stylesheet]", "href")[0].clone();
        assert!(app.get(&css).await.header("cache-control").unwrap().contains("immutable"));
        assert!(app.get("/editor/login").await.header("cache-control").unwrap().contains("no-store"));
        app.finish().await;
    }
}

#[actix_web::test]
async fn responses_are_compressed_when_the_client_accepts_it() {
    for backend in backends().await {
        let app = TestApp::start(backend, Path::new(REAL_CONTENT)).await;
        for (accept, expect) in [("gzip", "gzip"), ("br", "br"), ("br, gzip", "br")] {
            let res = app
                .client
                .get(format!("{}{GUIDE}", app.base))
                .insert_header(("accept-encoding", accept))
                .no_decompress()
                .send()
                .await
                .unwrap();
            assert_eq!(res.headers().get("content-encoding").unwrap(), expect, "{accept}");
        }
        let res = app
            .client
            .get(format!("{}{GUIDE}", app.base))
            .insert_header(("accept-encoding", "identity"))
            .no_decompress()
            .send()
            .await
            .unwrap();
        assert!(res.headers().get("content-encoding").is_none());
        app.finish().await;
    }
}
