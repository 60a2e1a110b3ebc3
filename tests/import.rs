//! Importing content/: bad files are reported with file and line and change
//! nothing; imports are idempotent; web edits are never silently overwritten.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;

use common::{Fixture, REAL_CONTENT, TestApp, backends};
use cuesheet::db::import::ImportError;

const PUBLISHED: &str = "published = \"2026-01-05T10:00:00Z\"\nlist = \"ranked\"";

fn good_fixture() -> Fixture {
    let f = Fixture::new();
    f.record("jaws-1975", "Jaws", 1975).record("psycho-1960", "Psycho", 1960);
    f.article(
        "shark-and-shower",
        "Shark and shower",
        PUBLISHED,
        "Two scores.\n\n## Jaws {soundtrack=jaws-1975}\n\nTwo notes.\n\n## Psycho {soundtrack=psycho-1960}\n\nStrings. See [Jaws](soundtrack:jaws-1975).\n\n## Coda\n\nThe end.\n",
    );
    f
}

/// The import's error, as text.
async fn import_error(app: &TestApp, f: &Fixture) -> String {
    match app.import(f.path()).await {
        Err(ImportError::Content(e)) => e.to_string(),
        other => panic!("expected a content error, got {other:?}"),
    }
}

#[actix_web::test]
async fn importing_twice_changes_nothing() {
    for backend in backends().await {
        let app = TestApp::start(backend, Path::new(REAL_CONTENT)).await;
        let version = app.db.content_version().await.unwrap();
        let before = app.get("/articles/best-movie-soundtracks-of-all-time").await.stable();
        let report = app.import(Path::new(REAL_CONTENT)).await.unwrap();
        assert!(!report.changed(), "{report}");
        assert_eq!(report.records.unchanged, 39);
        assert_eq!(report.articles.unchanged, 3);
        assert_eq!(app.db.content_version().await.unwrap(), version);
        assert_eq!(app.get("/articles/best-movie-soundtracks-of-all-time").await.stable(), before);
        app.finish().await;
    }
}

#[actix_web::test]
async fn bad_content_is_reported_by_file_and_line_and_changes_nothing() {
    for backend in backends().await {
        let f = good_fixture();
        let app = TestApp::start(backend, f.path()).await;
        let version = app.db.content_version().await.unwrap();
        let live = app.get("/articles/shark-and-shower").await.stable();
        assert!(live.contains("Two notes."));

        // Each defect on its own; in each case the good edit next to it must
        // not land either.
        f.article(
            "shark-and-shower",
            "Shark and shower, revised",
            PUBLISHED,
            "## Jaws {soundtrack=jaws-1975}\n\nRevised.\n",
        );
        let cases: [(&str, &str, &str); 4] = [
            (
                "articles/broken.md",
                "+++\ntitle = \"Broken\"\nlist = ranked\n+++\n## Jaws {soundtrack=jaws-1975}\n\nText.\n",
                "articles/broken.md:3:8: error: invalid front matter",
            ),
            (
                "articles/broken.md",
                "+++\ntitle = \"Broken\"\n+++\nIntro.\n\n## Jaws {soundtrack=jaws-1975}\n\nSee [Alien](soundtrack:alien-1979).\n",
                "articles/broken.md:8:5: error: link to unknown soundtrack record `alien-1979`",
            ),
            (
                "articles/broken.md",
                "+++\ntitle = \"Broken\"\nlist = \"unranked\"\n+++\n## Jaws {soundtrack=jaws-1975}\n\nA.\n\n## Stigmata\n\nB.\n\n## Psycho {soundtrack=psycho-1960}\n\nC.\n",
                "articles/broken.md:9:1: error: entry without record: heading `Stigmata`",
            ),
            (
                "articles/broken.md",
                "+++\ntitle = \"Broken\"\nlist = \"ranked\"\n+++\n## {soundtrack=jaws-1975}\n\nA body that lost its heading.\n",
                "articles/broken.md:5:1: error: entry for `jaws-1975` has an empty heading",
            ),
        ];
        for (file, text, expected) in cases {
            f.write(file, text);
            let err = import_error(&app, &f).await;
            assert!(err.contains(expected), "{backend:?}: expected {expected:?} in:\n{err}");
            assert!(err.contains(&f.path().display().to_string()), "the path is named: {err}");
            assert_eq!(app.db.content_version().await.unwrap(), version, "nothing changed");
            assert_eq!(app.get("/articles/shark-and-shower").await.stable(), live, "previous content stays live");
            assert_eq!(app.get("/articles/broken").await.status, 404);
        }
        f.remove("articles/broken.md");

        // A broken record is refused the same way.
        f.write(
            "soundtracks/psycho-1960.toml",
            "title = \"Psycho\"\nkind = \"score\"\n[film]\ntitle = \"Psycho\"\nyear = \"1960\"\n",
        );
        let err = import_error(&app, &f).await;
        assert!(err.contains("psycho-1960.toml:5:8: error: invalid record"), "{err}");
        assert_eq!(app.get("/articles/shark-and-shower").await.stable(), live);

        // Fixed: the good edit lands.
        f.record("psycho-1960", "Psycho", 1960);
        let report = app.import(f.path()).await.unwrap();
        assert_eq!(report.articles.updated, 1, "{report}");
        assert!(app.get("/articles/shark-and-shower").await.body.contains("Revised."));
        assert!(app.db.content_version().await.unwrap() > version);
        app.finish().await;
    }
}

#[actix_web::test]
async fn web_edits_are_kept_and_reported_unless_forced() {
    for backend in backends().await {
        let f = good_fixture();
        let app = TestApp::start(backend, f.path()).await;
        // An editor changes the title through the web (the editor desk will
        // write exactly these columns).
        sqlx::query("update articles set title = $1, edited_at = $2 where slug = $3")
            .bind("Edited on the web")
            .bind(cuesheet::db::now())
            .bind("shark-and-shower")
            .execute(&app.db.pool)
            .await
            .unwrap();

        // The file did not change: nothing to report, the web version stays.
        let report = app.import(f.path()).await.unwrap();
        assert!(report.kept.is_empty() && !report.changed(), "{report}");

        // The file changed too: the web version stays, and the import says so.
        f.article("shark-and-shower", "Changed in the file", PUBLISHED, "## Jaws {soundtrack=jaws-1975}\n\nFile.\n");
        let report = app.import(f.path()).await.unwrap();
        assert_eq!(report.kept.len(), 1, "{report}");
        assert!(report.kept[0].contains("shark-and-shower.md") && report.kept[0].contains("edited through the web"));
        let page = app.get("/articles/shark-and-shower").await;
        assert_eq!(page.texts("h1"), vec!["Edited on the web"]);

        // Deleting the file does not delete the web-edited article either.
        f.remove("articles/shark-and-shower.md");
        let report = app.import(f.path()).await.unwrap();
        assert_eq!(report.articles.removed, 0);
        assert_eq!(app.get("/articles/shark-and-shower").await.status, 200);

        // Forced, the file wins.
        f.article("shark-and-shower", "Changed in the file", PUBLISHED, "## Jaws {soundtrack=jaws-1975}\n\nFile.\n");
        let report = app.import_with(f.path(), true).await.unwrap();
        assert_eq!(report.articles.updated, 1, "{report}");
        assert_eq!(app.get("/articles/shark-and-shower").await.texts("h1"), vec!["Changed in the file"]);
        app.finish().await;
    }
}

#[actix_web::test]
async fn removed_files_unpublish_and_unused_records_go() {
    for backend in backends().await {
        let f = good_fixture();
        f.record("alien-1979", "Alien", 1979);
        let app = TestApp::start(backend, f.path()).await;
        assert_eq!(app.get("/soundtracks/alien-1979").await.status, 200);
        assert_eq!(app.get("/people/composer-of-alien").await.status, 200);

        // A record an article still lists cannot disappear.
        f.remove("soundtracks/psycho-1960.toml");
        let err = import_error(&app, &f).await;
        assert!(err.contains("unknown soundtrack record `psycho-1960`"), "{err}");
        f.record("psycho-1960", "Psycho", 1960);

        f.remove("soundtracks/alien-1979.toml").remove("articles/shark-and-shower.md");
        let report = app.import(f.path()).await.unwrap();
        assert_eq!((report.records.removed, report.articles.removed), (1, 1), "{report}");
        assert_eq!(app.get("/soundtracks/alien-1979").await.status, 404);
        assert_eq!(app.get("/people/composer-of-alien").await.status, 404, "people without credits go too");
        assert_eq!(app.get("/articles/shark-and-shower").await.status, 404);
        assert_eq!(app.get("/soundtracks/jaws-1975").await.status, 200);
        app.finish().await;
    }
}

#[actix_web::test]
async fn countdown_lists_number_down_to_one() {
    let f = Fixture::new();
    f.record("jaws-1975", "Jaws", 1975).record("psycho-1960", "Psycho", 1960).record("alien-1979", "Alien", 1979);
    f.article(
        "countdown",
        "Countdown",
        "published = \"2026-01-05T10:00:00Z\"\nlist = \"ranked\"\norder = \"countdown\"",
        "## Alien {soundtrack=alien-1979}\n\nA.\n\n## Psycho {soundtrack=psycho-1960}\n\nB.\n\n## Jaws {soundtrack=jaws-1975}\n\nC.\n",
    );
    for backend in backends().await {
        let app = TestApp::start(backend, f.path()).await;
        let page = app.get("/articles/countdown").await;
        assert_eq!(page.texts(".entry .rank"), vec!["3", "2", "1"]);
        let jaws = app.get("/soundtracks/jaws-1975").await;
        assert_eq!(jaws.texts(".appearances .placement"), vec!["No. 1"]);
        app.finish().await;
    }
}

#[actix_web::test]
async fn entries_numbered_by_markdown_lists_are_refused() {
    // The source article numbered each entry "1." as its own Markdown list.
    let f = Fixture::new();
    f.record("jaws-1975", "Jaws", 1975).record("psycho-1960", "Psycho", 1960);
    f.article(
        "restarts",
        "Restarts",
        PUBLISHED,
        "1. ## Jaws {soundtrack=jaws-1975}\n\nA.\n\n1. ## Psycho {soundtrack=psycho-1960}\n\nB.\n",
    );
    for backend in backends().await {
        let app = TestApp::empty(backend).await;
        let err = import_error(&app, &f).await;
        assert!(err.contains("restarts.md:6:1: error: entry heading inside a Markdown list"), "{err}");
        assert!(err.contains("restarts.md:10:1: error: entry heading inside a Markdown list"), "{err}");
        app.finish().await;
    }
}

#[test]
fn the_import_command_exits_1_and_names_the_problem() {
    let f = good_fixture();
    f.write("articles/broken.md", "+++\ntitle = \"Broken\"\n+++\nSee [Alien](soundtrack:alien-1979).\n");
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/cli.db", dir.path().display());
    let out = Command::new(env!("CARGO_BIN_EXE_cuesheet"))
        .args(["import", "--content"])
        .arg(f.path())
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("broken.md:4:5: error: link to unknown soundtrack record `alien-1979`"), "{stderr}");
    assert!(stderr.contains("previous content stays live"), "{stderr}");

    f.remove("articles/broken.md");
    let out = Command::new(env!("CARGO_BIN_EXE_cuesheet"))
        .args(["import", "--content"])
        .arg(f.path())
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("records: 2 added") && stdout.contains("articles: 1 added"), "{stdout}");
}
