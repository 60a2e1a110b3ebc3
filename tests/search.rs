//! Search that forgives: mistyped words corrected ("Showing results for",
//! "Did you mean"), people and topics beside the results, through the real
//! HTTP stack on both backends.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{Fixture, Page, REAL_CONTENT, TestApp, backends};

fn result_links(page: &Page) -> Vec<String> {
    page.attrs(".result h2 a", "href")
}

fn status(page: &Page) -> String {
    page.texts("[role=status]").join(" ")
}

#[actix_web::test]
async fn mistyped_names_find_what_was_meant() {
    for backend in backends().await {
        let app = TestApp::start(backend, Path::new(REAL_CONTENT)).await;
        for (typed, meant, record, person) in [
            ("dafte punk", "daft punk", "/soundtracks/tron-legacy-2010", "/people/daft-punk"),
            ("Vangellis", "vangelis", "/soundtracks/blade-runner-1982", "/people/vangelis"),
            ("morriconne", "morricone", "/soundtracks/the-good-the-bad-and-the-ugly-1966", "/people/ennio-morricone"),
        ] {
            let page = app.get(&format!("/search?q={}", typed.replace(' ', "+"))).await;
            assert_eq!(page.status, 200, "{typed}");
            let said = status(&page);
            assert!(said.contains(&format!("Showing results for {meant}")), "{typed}: {said}");
            assert!(said.contains(&format!("search instead for {typed}")), "{typed}: {said}");
            assert!(result_links(&page).contains(&record.to_string()), "{typed}: {:?}", result_links(&page));
            assert!(page.attrs("#found-people + ul a", "href").contains(&person.to_string()), "{typed}");
            // The query as typed, searched without correcting: nothing.
            let instead = page.attrs("[role=status] a", "href");
            assert!(instead[1].ends_with("&exact=1"), "{instead:?}");
            let exact = app.get(&instead[1]).await;
            assert!(status(&exact).contains("Nothing matches"), "{typed}: {}", status(&exact));
            assert!(page.header("set-cookie").is_none());
        }
        app.finish().await;
    }
}

#[actix_web::test]
async fn real_words_are_never_corrected_and_gibberish_finds_nothing() {
    for backend in backends().await {
        let app = TestApp::start(backend, Path::new(REAL_CONTENT)).await;
        for q in ["vangelis", "daft+punk", "morricone", "synthesizers", "orchestra"] {
            let page = app.get(&format!("/search?q={q}")).await;
            assert!(!result_links(&page).is_empty(), "{q}");
            assert!(!status(&page).contains("Showing results for"), "{q}: {}", status(&page));
            assert!(page.texts(".correction").is_empty(), "{q}: {:?}", page.texts(".correction"));
        }
        // Every person of a record by name, not only the first.
        let page = app.get("/search?q=joseph+kosinski").await;
        assert_eq!(page.attrs("#found-people + ul a", "href"), vec!["/people/joseph-kosinski"]);
        assert_eq!(page.texts("#found-people + ul a"), vec!["Joseph Kosinski"]);
        for q in ["zzzzzqqq", "xkcdqwv", "qqqq+wwww"] {
            let page = app.get(&format!("/search?q={q}")).await;
            assert!(status(&page).contains("Nothing matches"), "{q}: {}", status(&page));
            assert!(page.texts(".correction").is_empty() && result_links(&page).is_empty(), "{q}");
        }
        // Hostile input: long, query syntax of either backend, LIKE wildcards.
        let long = "dafte".repeat(400);
        for q in [
            long.as_str(),
            "%22daf%22+OR+%22aft%22",
            "daf%25+_aft",
            "NEAR(dafte+punk)",
            "dafte%27%3B+drop+table+search_docs%3B--",
            "%5E*%3A%28%29%7B%7D",
            "d%C3%A0ft%C3%A9+p%C3%BCnk",
        ] {
            let page = app.get(&format!("/search?q={q}")).await;
            assert_eq!(page.status, 200, "{q}");
            assert!(page.texts("main script").is_empty());
        }
        assert!(!result_links(&app.get("/search?q=tron").await).is_empty(), "the index survived");
        app.finish().await;
    }
}

#[actix_web::test]
async fn did_you_mean_when_the_word_as_typed_finds_less() {
    let f = Fixture::new();
    for (slug, title, year) in
        [("the-mission-1986", "The Mission", 1986), ("cinema-paradiso-1988", "Cinema Paradiso", 1988)]
    {
        f.write(
            &format!("soundtracks/{slug}.toml"),
            &format!(
                "title = \"{title} Theme\"\nkind = \"score\"\ncomposers = [\"Ennio Morricone\"]\n\n[film]\ntitle = \"{title}\"\nyear = {year}\ndirector = \"Someone\"\n\n[[tracks]]\ntitle = \"Theme\"\n"
            ),
        );
    }
    f.article(
        "misspelt",
        "Misspelt",
        "published = \"2026-01-05T10:00:00Z\"\ntags = [\"Spaghetti westerns\"]",
        "A note on Morriconne, as a reader spelt it, and his themes.\n",
    );
    for backend in backends().await {
        let app = TestApp::start(backend, f.path()).await;
        let page = app.get("/search?q=morriconne").await;
        assert_eq!(result_links(&page), vec!["/articles/misspelt"]);
        assert!(!status(&page).contains("Showing results for"));
        assert_eq!(page.texts(".correction a"), vec!["morricone"]);
        assert_eq!(page.attrs(".correction a", "href"), vec!["/search?q=morricone"]);
        assert_eq!(result_links(&app.get("/search?q=morricone").await).len(), 2);
        // A longer form of a word is not a typo of it: "themes" finds the
        // article alone and is not offered as "theme" (the records' titles),
        // which finds more.
        let page = app.get("/search?q=themes").await;
        assert_eq!(result_links(&page), vec!["/articles/misspelt"]);
        assert!(page.texts(".correction").is_empty(), "{:?}", page.texts(".correction"));
        // Topics by name, forgiving too; people by any word of their name.
        let page = app.get("/search?q=spagetti").await;
        assert_eq!(page.attrs("#found-topics + ul a", "href"), vec!["/tags/spaghetti-westerns"]);
        assert!(status(&page).contains("Showing results for spaghetti"), "{}", status(&page));
        let page = app.get("/search?q=ennio").await;
        assert_eq!(page.attrs("#found-people + ul a", "href"), vec!["/people/ennio-morricone"]);
        assert_eq!(page.texts("#found-people + ul a"), vec!["Ennio Morricone"]);
        app.finish().await;
    }
}

#[actix_web::test]
async fn a_database_from_before_gets_its_names_on_start() {
    for backend in backends().await {
        let app = TestApp::start(backend, Path::new(REAL_CONTENT)).await;
        // What migration 0015 leaves: an empty index, rebuilt on start.
        sqlx::query("delete from search_docs").execute(&app.db.pool).await.unwrap();
        let node = app.second_node().await;
        let page = node.get("/search?q=dafte+punk").await;
        assert!(status(&page).contains("Showing results for daft punk"), "{}", status(&page));
        assert!(page.attrs("#found-people + ul a", "href").contains(&"/people/daft-punk".to_string()));
        node.finish().await;
        app.finish().await;
    }
}
