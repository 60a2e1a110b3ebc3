//! The writing view's preview and findings, on both backends: always on the
//! page beside the text, and refreshed for scripts by
//! `POST /editor/articles/{id}/preview` (and `/editor/articles/preview` for
//! a list not saved yet), which renders the text as sent and keeps nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::backends;
use common::desk::{fixture, logged_in, with_editor};

/// A ranked list whose line 6 holds mojibake at column 8.
const BODY: &str = "Intro.\n\n## Jaws {soundtrack=jaws-1975}\n\nTwo notes.\nThe isnâ€™t line.\n\n\
                    ## Psycho {soundtrack=psycho-1960}\n\nStrings.\n";

#[actix_web::test]
async fn the_preview_is_beside_the_text_and_refreshes_without_keeping_anything() {
    for backend in backends().await {
        let f = fixture();
        let app = with_editor(backend, f.path()).await;
        let b = logged_in(&app).await;

        // The edit page shows the stored text as readers see it, without
        // pressing Preview.
        let page = b.get("/editor/articles/1").await;
        assert_eq!(page.status, 200);
        assert_eq!(page.texts("#live-preview .entry .rank"), vec!["1", "2"]);
        assert_eq!(page.texts("#live-preview .preview-title"), vec!["Night drives"]);
        let csrf = page.attrs("form.desk-form input[name=csrf]", "value")[0].clone();
        let form = |csrf: &str| {
            vec![
                ("csrf", csrf.to_owned()),
                ("title", "Night drives, redrawn".to_owned()),
                ("list", "ranked".to_owned()),
                ("order", "countdown".to_owned()),
                ("body", BODY.to_owned()),
            ]
        };
        let post = |path: &'static str, fields: Vec<(&'static str, String)>| {
            let b = &b;
            async move {
                let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                b.post(path, &pairs).await
            }
        };

        // An existing list: the text as sent, counted down, with its
        // findings by line and column.
        let live = post("/editor/articles/1/preview", form(&csrf)).await;
        assert_eq!(live.status, 200, "{}", live.body);
        assert!(live.header("content-type").unwrap().starts_with("text/html"));
        assert_eq!(live.header("cache-control").as_deref(), Some("no-store"));
        assert_eq!(live.texts("#live-preview .preview-title"), vec!["Night drives, redrawn"]);
        assert_eq!(live.texts("#live-preview .entry .rank"), vec!["2", "1"]);
        assert_eq!(live.texts("#live-preview .card-title a"), vec!["Jaws", "Psycho"]);
        let lines = live.attrs("#live-problems a[data-line]", "data-line");
        let columns = live.attrs("#live-problems a[data-line]", "data-column");
        assert_eq!((lines, columns), (vec!["6".to_owned()], vec!["8".to_owned()]), "{}", live.body);
        assert!(live.texts("#live-problems li")[0].contains("mojibake"));
        assert!(!live.body.contains("<html"), "a fragment, not a page");

        // Nothing was kept: not the article, not a revision, not an autosave.
        let public = app.get("/articles/night-drives").await;
        assert_eq!(public.texts("h1"), vec!["Night drives"]);
        let again = b.get("/editor/articles/1").await;
        assert_eq!(again.texts("#live-preview .entry .rank"), vec!["1", "2"]);
        assert!(again.texts(".autosave-offer").is_empty());
        assert_eq!(again.texts(".revisions li").len(), 0);

        // A list not saved yet is previewed alike, and still not saved.
        let fresh = post("/editor/articles/preview", form(&csrf)).await;
        assert_eq!(fresh.status, 200, "{}", fresh.body);
        assert_eq!(fresh.texts("#live-preview .entry .rank"), vec!["2", "1"]);
        assert_eq!(b.get("/editor").await.texts(".desk-table tbody tr td:first-child"), vec!["Night drives"]);

        // Refused: no such list (404), no token (403), nobody logged in (303).
        assert_eq!(post("/editor/articles/99/preview", form(&csrf)).await.status, 404);
        assert_eq!(post("/editor/articles/1/preview", form("not the token")).await.status, 403);
        let anonymous = common::Browser::new(&app);
        let pairs = [("csrf", csrf.as_str()), ("title", "x"), ("body", "x")];
        let refused = anonymous.post("/editor/articles/1/preview", &pairs).await;
        assert!([303, 403].contains(&refused.status), "{}", refused.status);
        app.finish().await;
    }
}
