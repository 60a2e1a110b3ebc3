//! Addresses that last: renaming a published list through the desk keeps
//! every old address answering `301` to the new one, on both backends;
//! feeds and the sitemap name only the new address.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::backends;
use common::desk::{fixture, logged_in, submit, with_editor};

#[actix_web::test]
async fn an_old_slug_answers_301_to_the_new_one() {
    for backend in backends().await {
        let f = fixture();
        let app = with_editor(backend, f.path()).await;
        let b = logged_in(&app).await;
        let edit = "/editor/articles/1";
        let saved = submit(&b, edit, &[("slug", "night-rides")], "save").await;
        assert_eq!(saved.status, 303, "{}", saved.body);

        let moved = app.get("/articles/night-drives").await;
        assert_eq!(moved.status, 301);
        assert_eq!(moved.header("location").unwrap(), "/articles/night-rides");
        assert_eq!(app.get("/articles/night-rides").await.texts("h1"), vec!["Night drives"]);
        // Sub-pages and the query move along.
        let feed = app.get("/articles/night-drives/comments.xml").await;
        assert_eq!(
            (feed.status, feed.header("location").unwrap().as_str()),
            (301, "/articles/night-rides/comments.xml")
        );
        // The share card too, as sites that stored the old `og:image` ask for it.
        let card = app.get("/articles/night-drives/card.png").await;
        assert_eq!((card.status, card.header("location").unwrap().as_str()), (301, "/articles/night-rides/card.png"));
        assert_eq!(app.get("/articles/no-such-list/card.png").await.status, 404);
        let reply = app.get("/articles/night-drives?entry=drive").await;
        assert_eq!(reply.header("location").unwrap(), "/articles/night-rides?entry=drive");
        // Asked again (from the render cache's side of things): still moved.
        assert_eq!(app.get("/articles/night-drives").await.status, 301);
        // Feeds and the sitemap (its part listing the lists) name only the new address.
        for path in ["/feed.xml", "/sitemaps/lists-1.xml"] {
            let body = app.get(path).await.body;
            assert!(body.contains("/articles/night-rides"), "{path}: {body}");
            assert!(!body.contains("/articles/night-drives"), "{path}: {body}");
        }
        // Addresses that never were are still 404.
        assert_eq!(app.get("/articles/night-walks").await.status, 404);

        // A second rename: every old address leads straight to the newest.
        assert_eq!(submit(&b, edit, &[("slug", "after-dark")], "save").await.status, 303);
        for old in ["/articles/night-drives", "/articles/night-rides"] {
            let page = app.get(old).await;
            assert_eq!(
                (page.status, page.header("location").unwrap().as_str()),
                (301, "/articles/after-dark"),
                "{old}"
            );
        }
        // Back to the first name: it is live again, and the others lead to it.
        assert_eq!(submit(&b, edit, &[("slug", "night-drives")], "save").await.status, 303);
        assert_eq!(app.get("/articles/night-drives").await.status, 200);
        for old in ["/articles/night-rides", "/articles/after-dark"] {
            let page = app.get(old).await;
            assert_eq!(page.header("location").unwrap(), "/articles/night-drives", "{old}");
        }

        // Its file, imported again under the name it had, is the renamed
        // article: kept and reported, not a second copy at the old address.
        assert_eq!(submit(&b, edit, &[("slug", "night-rides")], "save").await.status, 303);
        let report = app.import(f.path()).await.unwrap();
        assert!(report.kept.iter().any(|k| k.contains("renamed to `night-rides`")), "{report}");
        assert_eq!(app.get("/articles/night-drives").await.status, 301);

        // A draft was never public: renaming it leaves nothing behind.
        let fields =
            [("title", "Draft list"), ("list", "ranked"), ("body", "## Psycho {soundtrack=psycho-1960}\n\nStrings.\n")];
        let draft = submit(&b, "/editor/articles/new", &fields, "save").await;
        let draft = draft.header("location").unwrap().split('?').next().unwrap().to_owned();
        assert_eq!(submit(&b, &draft, &[("slug", "draft-list-2")], "save").await.status, 303);
        assert_eq!(app.get("/articles/draft-list").await.status, 404);
        app.finish().await;
    }
}
