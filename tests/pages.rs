//! Reader pages through the real HTTP stack, over the shipped content.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{Browser, Fixture, REAL_CONTENT, TestApp, backends};

const HARDER: &str = "/articles/soundtracks-that-hit-harder-than-the-plot";
const BETTER: &str = "/articles/soundtracks-better-than-the-movies";
const GUIDE: &str = "/articles/best-movie-soundtracks-of-all-time";

#[actix_web::test]
async fn home_lists_published_articles_newest_first() {
    for backend in backends().await {
        let app = TestApp::start(backend, Path::new(REAL_CONTENT)).await;
        let page = app.get("/").await;
        assert_eq!(page.status, 200, "{backend:?}");
        let links = page.attrs(".summary h2 a", "href");
        assert_eq!(links, vec![GUIDE, BETTER, HARDER], "{backend:?}");
        let meta = page.texts(".summary .meta");
        assert!(meta[1].contains("18 entries") && meta[2].contains("4 entries"), "{meta:?}");
        assert!(meta[2].contains("14 September 2026"), "{meta:?}");
        assert_eq!(page.texts(".summary .standfirst").len(), 3);
        assert!(page.header("content-type").unwrap().starts_with("text/html"));
        app.finish().await;
    }
}

#[actix_web::test]
async fn ranked_article_numbers_entries_from_structure() {
    for backend in backends().await {
        let app = TestApp::start(backend, Path::new(REAL_CONTENT)).await;
        let page = app.get(HARDER).await;
        assert_eq!(page.status, 200);
        assert_eq!(page.texts(".entry .rank"), vec!["1", "2", "3", "4"], "{backend:?}");
        let headings = page.texts(".entry h2");
        assert_eq!(headings.len(), 4);
        for (h, (rank, film)) in headings.iter().zip([(1, "Blade Runner"), (2, "Drive"), (3, "The Crow"), (4, "Tron")])
        {
            assert!(h.starts_with(&format!("{rank}. {film}")), "{h}");
        }
        // The closing section is a section: a heading, not an entry, no number.
        let sections = page.texts(".article-body > h2");
        assert_eq!(sections.len(), 1, "{sections:?}");
        assert!(!sections[0].starts_with(char::is_numeric));
        // Every entry has a card linking to its record, and its people.
        let cards = page.attrs(".entry .card-title a", "href");
        assert_eq!(
            cards,
            vec![
                "/soundtracks/blade-runner-1982",
                "/soundtracks/drive-2011",
                "/soundtracks/the-crow-1994",
                "/soundtracks/tron-legacy-2010"
            ]
        );
        let people = page.attrs(".entry .card dd a", "href");
        assert!(people.contains(&"/people/vangelis".to_string()) && people.contains(&"/people/daft-punk".to_string()));
        // Entry headings are permalink anchors.
        assert_eq!(page.attrs(".entry .permalink", "href")[0], "#blade-runner");
        assert!(!page.body.contains("lk21"));
        app.finish().await;
    }
}

#[actix_web::test]
async fn unranked_article_has_all_eighteen_entries_without_numbers() {
    for backend in backends().await {
        let app = TestApp::start(backend, Path::new(REAL_CONTENT)).await;
        let page = app.get(BETTER).await;
        assert_eq!(page.status, 200);
        let headings = page.texts(".entry h2");
        assert_eq!(headings.len(), 18, "{headings:?}");
        assert!(page.texts(".rank").is_empty());
        for lost in ["Stigmata", "Godzilla", "Twilight", "Singles", "Spawn"] {
            assert!(headings.iter().any(|h| h.contains(lost)), "{lost} has no heading: {headings:?}");
        }
        assert_eq!(page.texts(".entry .card").len(), 18);
        app.finish().await;
    }
}

#[actix_web::test]
async fn guide_has_contents_and_ranks_each_section_from_one() {
    for backend in backends().await {
        let app = TestApp::start(backend, Path::new(REAL_CONTENT)).await;
        let page = app.get(GUIDE).await;
        assert_eq!(page.status, 200);
        // Table of contents links to every section and the FAQ.
        let toc = page.attrs("nav.toc a", "href");
        assert!(toc.len() >= 8, "{toc:?}");
        for href in &toc {
            let id = href.trim_start_matches('#');
            assert_eq!(page.attrs(&format!("[id=\"{id}\"]"), "id").len(), 1, "anchor {id} missing or doubled");
        }
        assert!(page.texts("nav.toc a").iter().any(|t| t.contains("Frequently asked questions")));
        // Two ranked sections, each counting from 1.
        let ranks: Vec<u32> = page.texts(".entry .rank").iter().map(|r| r.parse().unwrap()).collect();
        let restarts = ranks.iter().filter(|&&r| r == 1).count();
        assert_eq!(restarts, 2, "{ranks:?}");
        assert!(ranks.windows(2).all(|w| w[1] == w[0] + 1 || w[1] == 1), "{ranks:?}");
        // The FAQ questions are ordinary headings.
        let faq = page.texts("h3").into_iter().filter(|h| h.ends_with('?')).collect::<Vec<_>>();
        assert!(faq.len() >= 4, "{faq:?}");
        assert!(faq.iter().any(|q| q.to_lowercase().contains("soundtrack") || q.to_lowercase().contains("score")));
        app.finish().await;
    }
}

#[actix_web::test]
async fn record_page_shows_card_and_every_list_with_rank() {
    for backend in backends().await {
        let app = TestApp::start(backend, Path::new(REAL_CONTENT)).await;
        let page = app.get("/soundtracks/purple-rain-1984").await;
        assert_eq!(page.status, 200);
        assert!(page.texts("h1")[0].contains("Purple Rain"));
        assert!(
            page.attrs(".card a", "href").contains(&"/people/prince-and-the-revolution".to_string()),
            "{:?}",
            page.attrs(".card a", "href")
        );
        let lists = page.attrs(".appearances a", "href");
        assert!(lists.iter().any(|l| l.starts_with(BETTER)), "{lists:?}");
        assert!(lists.iter().any(|l| l.starts_with(GUIDE)), "{lists:?}");
        let places = page.texts(".appearances .placement");
        assert_eq!(places.len(), 1, "only the guide ranks it: {places:?}");
        assert!(places[0].starts_with("No. "), "{places:?}");
        // The anchor it links to exists on the article.
        let link = lists.iter().find(|l| l.starts_with(GUIDE)).unwrap();
        let (path, anchor) = link.split_once('#').unwrap();
        assert_eq!(app.get(path).await.attrs(&format!("[id=\"{anchor}\"]"), "id").len(), 1);

        assert_eq!(app.get("/soundtracks").await.texts(".index li").len(), 39);
        assert_eq!(app.get("/soundtracks/no-such-record").await.status, 404);
        app.finish().await;
    }
}

#[actix_web::test]
async fn person_pages_gather_their_soundtracks_and_lists() {
    for backend in backends().await {
        let app = TestApp::start(backend, Path::new(REAL_CONTENT)).await;
        let crowe = app.get("/people/cameron-crowe").await;
        assert_eq!(crowe.status, 200);
        let works = crowe.attrs(".index a", "href");
        assert!(
            works.contains(&"/soundtracks/vanilla-sky-2001".into())
                && works.contains(&"/soundtracks/singles-1992".into())
        );
        assert_eq!(crowe.texts("section ul li a").iter().filter(|t| t.contains("better than the movies")).count(), 2);

        let reznor = app.get("/people/trent-reznor").await;
        let works = reznor.attrs(".index a", "href");
        assert!(works.contains(&"/soundtracks/natural-born-killers-1994".into()), "{works:?}");
        assert!(works.contains(&"/soundtracks/the-social-network-2010".into()), "{works:?}");
        assert_eq!(app.get("/people/nobody-at-all").await.status, 404);
        app.finish().await;
    }
}

#[actix_web::test]
async fn tags_index_and_pages() {
    for backend in backends().await {
        let app = TestApp::start(backend, Path::new(REAL_CONTENT)).await;
        let tags = app.get("/tags").await;
        assert_eq!(tags.status, 200);
        let links = tags.attrs(".index a", "href");
        assert!(!links.is_empty());
        for link in links.iter().take(3) {
            let page = app.get(link).await;
            assert_eq!(page.status, 200, "{link}");
            assert!(!page.attrs(".summary h2 a", "href").is_empty(), "{link}");
        }
        let article = app.get(HARDER).await;
        let article_tags = article.attrs(".tags a", "href");
        assert!(!article_tags.is_empty() && article_tags.iter().all(|t| links.contains(t)));
        assert_eq!(app.get("/tags/no-such-topic").await.status, 404);
        app.finish().await;
    }
}

#[actix_web::test]
async fn unknown_pages_are_styled_404s_and_assets_are_cached() {
    for backend in backends().await {
        let app = TestApp::start(backend, Path::new(REAL_CONTENT)).await;
        for path in ["/nope", "/articles/nope", "/articles/", "/static/nope.css", "/?page=garbage", "/?page=2"] {
            let page = app.get(path).await;
            assert_eq!(page.status, 404, "{path}");
            assert!(page.texts("h1")[0].contains("not found"), "{path}");
            assert_eq!(page.attrs("link[rel=stylesheet]", "href").len(), 1);
        }
        // A trailing slash reaches the page.
        assert_eq!(app.get(&format!("{HARDER}/")).await.status, 200);

        let home = app.get("/").await;
        let css = &home.attrs("link[rel=stylesheet]", "href")[0];
        assert!(css.starts_with("/static/style.") && css.ends_with(".css") && css != "/static/style.css");
        let sheet = app.get(css).await;
        assert_eq!(sheet.status, 200);
        assert!(sheet.header("cache-control").unwrap().contains("immutable"));
        assert!(sheet.header("content-type").unwrap().starts_with("text/css"));
        let csp = home.header("content-security-policy").unwrap();
        assert!(csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"));
        // No inline script or style anywhere.
        assert!(!home.body.contains("<script") && !home.body.contains("style="));
        app.finish().await;
    }
}

#[actix_web::test]
async fn drafts_and_scheduled_articles_stay_hidden_and_home_pages() {
    let f = Fixture::new();
    f.record("jaws-1975", "Jaws", 1975);
    for i in 0..12 {
        f.article(
            &format!("list-{i:02}"),
            &format!("List {i:02}"),
            &format!("published = \"2026-0{}-1{}T10:00:00Z\"\nlist = \"unranked\"", 1 + i / 10, i % 10),
            "## Jaws {soundtrack=jaws-1975}\n\nTwo notes.\n",
        );
    }
    f.article("a-draft", "A draft", "list = \"none\"", "Not ready.\n");
    f.article("scheduled", "Scheduled", "published = \"2999-01-01T00:00:00Z\"", "Later.\n");
    for backend in backends().await {
        let app = TestApp::start(backend, f.path()).await;
        let first = app.get("/").await;
        let titles = first.texts(".summary h2");
        assert_eq!(titles.len(), 10);
        assert_eq!(titles[0], "List 11");
        assert!(!first.body.contains("A draft") && !first.body.contains("Scheduled"));
        let next = first.attrs("a[rel=next]", "href");
        assert_eq!(next.len(), 1);
        let second = app.get(&next[0]).await;
        assert_eq!(second.texts(".summary h2"), vec!["List 01", "List 00"]);
        assert!(second.attrs("a[rel=next]", "href").is_empty());
        assert_eq!(app.get("/articles/a-draft").await.status, 404);
        assert_eq!(app.get("/articles/scheduled").await.status, 404);
        assert_eq!(app.get("/articles/list-03").await.status, 200);
        app.finish().await;
    }
}

#[actix_web::test]
async fn an_article_is_one_shared_page_for_every_visitor() {
    for backend in backends().await {
        let app = TestApp::start(backend, Path::new(REAL_CONTENT)).await;
        let fetch = || async { Browser::new(&app).get(HARDER).await };
        let (mut a, mut b) = (fetch().await, fetch().await);
        if a.body != b.body {
            // The two fetches straddled a minute's time slot: the next two cannot.
            (a, b) = (b, fetch().await);
        }
        assert_eq!(a.status, 200);
        assert_eq!(a.body, b.body, "two anonymous visitors get the same bytes");
        for page in [&a, &b] {
            assert!(page.header("set-cookie").is_none());
            assert!(page.header("cache-control").unwrap().starts_with("public"), "{:?}", page.header("cache-control"));
            assert!(page.header("etag").is_some());
            assert!(!page.body.contains("csrf"));
        }
        assert_eq!(a.header("etag"), b.header("etag"));
        // The form's time stamp is the start of the current minute.
        let stamp = a.attrs("form.comment-form input[name=started]", "value")[0].clone();
        let slot: i64 = stamp.split('.').next().unwrap().parse().unwrap();
        assert_eq!(slot % 60, 0);
        assert!((cuesheet::db::now() - slot) < 120);
        // A revalidation with that ETag is answered with 304.
        let etag = a.header("etag").unwrap();
        let again = app
            .request(app.client.get(format!("{}{HARDER}", app.base)).insert_header(("if-none-match", etag.as_str())));
        let again = again.await;
        assert!(again.status == 304 || again.status == 200 && again.body != a.body, "{}", again.status);
        app.finish().await;
    }
}
