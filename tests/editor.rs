//! The editor desk through the real HTTP stack: sessions, CSRF, lock-out,
//! writing and publishing lists, revisions, records, moderation, and the
//! export round trip.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::desk::{EMAIL, PASSWORD, fixture, logged_in, login, submit, with_editor};
use common::{Browser, Page, REAL_CONTENT, TestApp, backends, submit_on};

#[actix_web::test]
async fn anonymous_visitors_are_sent_to_the_login_page() {
    for backend in backends().await {
        let f = fixture();
        let app = with_editor(backend, f.path()).await;
        let b = Browser::new(&app);
        for path in [
            "/editor",
            "/editor/articles/new",
            "/editor/articles/1",
            "/editor/records",
            "/editor/records/drive-2011",
            "/editor/comments",
            "/editor/articles/1/revisions/1",
        ] {
            let page = b.get(path).await;
            assert_eq!(page.status, 303, "{path}");
            assert_eq!(page.header("location").unwrap(), "/editor/login", "{path}");
            assert_eq!(page.header("cache-control").unwrap(), "no-store");
        }
        let token = b.get("/editor/login").await.attrs("input[name=csrf]", "value")[0].clone();
        for path in [
            "/editor/articles",
            "/editor/articles/1",
            "/editor/records",
            "/editor/records/drive-2011/delete",
            "/editor/comments",
            "/editor/logout",
        ] {
            let page = b.post(path, &[("csrf", &token), ("title", "x"), ("action", "save")]).await;
            assert_eq!(page.status, 303, "POST {path}");
            assert_eq!(page.header("location").unwrap(), "/editor/login");
        }
        assert_eq!(app.get("/articles/night-drives").await.texts("h1"), vec!["Night drives"], "nothing changed");
        app.finish().await;
    }
}

#[actix_web::test]
async fn login_logout_csrf_and_lock_out() {
    for backend in backends().await {
        let f = fixture();
        let app = with_editor(backend, f.path()).await;
        // CSRF on the login form itself.
        let b = Browser::new(&app);
        b.get("/editor/login").await;
        let page = b.post("/editor/login", &[("email", EMAIL), ("password", PASSWORD)]).await;
        assert_eq!(page.status, 403);

        let b = logged_in(&app).await;
        let session = b.cookies.borrow().get("cuesheet_session").cloned().unwrap();
        let dash = b.get("/editor").await;
        assert_eq!(dash.status, 200);
        assert_eq!(dash.texts(".desk-table tbody tr td:first-child"), vec!["Night drives"]);
        assert!(dash.texts(".status").contains(&"published".to_string()));
        // The session cookie is HttpOnly and SameSite=Lax.
        let again = Browser::new(&app);
        let res = login(&again, EMAIL, PASSWORD).await;
        let set = res.header("set-cookie").unwrap();
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Max-Age"), "{set}");
        // A POST without the token is refused even with a session.
        assert_eq!(b.post("/editor/articles", &[("title", "x"), ("action", "save")]).await.status, 403);
        // Logout ends the session everywhere.
        let csrf = dash.attrs("form.logout input[name=csrf]", "value")[0].clone();
        assert_eq!(b.post("/editor/logout", &[("csrf", &csrf)]).await.status, 303);
        assert_eq!(b.get("/editor").await.status, 303);
        let stolen = Browser::new(&app);
        stolen.cookies.borrow_mut().insert("cuesheet_session".into(), session);
        assert_eq!(stolen.get("/editor").await.status, 303);

        // Failures: wrong password, then refused for a while even when right.
        let c = Browser::new(&app);
        for i in 0..5 {
            let page = login(&c, EMAIL, "wrong password!").await;
            assert!(page.status == 401 || (i == 4 && page.status == 429), "attempt {i}: {}", page.status);
            assert_eq!(page.attrs("input#email", "value"), vec![EMAIL]);
        }
        let page = login(&c, EMAIL, PASSWORD).await;
        assert_eq!(page.status, 429);
        assert!(page.texts(".form-error")[0].contains("refused"));
        // Unknown accounts fail the same way.
        assert_eq!(login(&c, "nobody@example.com", PASSWORD).await.status, 401);
        app.finish().await;
    }
}

#[actix_web::test]
async fn write_preview_publish_and_schedule_a_ranked_list() {
    for backend in backends().await {
        let f = fixture();
        let app = with_editor(backend, f.path()).await;
        let b = logged_in(&app).await;
        let body = "Two great scores.\n\n## Psycho {soundtrack=psycho-1960}\n\nStrings.\n\n## Jaws {soundtrack=jaws-1975}\n\nTwo notes.\n";
        let fields = [
            ("title", "Scores that bite"),
            ("description", "Teeth and strings."),
            ("tags", "horror, scores"),
            ("list", "ranked"),
            ("body", body),
        ];
        // Preview: the public renderer, numbered 1 and 2, nothing saved.
        let preview = submit(&b, "/editor/articles/new", &fields, "preview").await;
        assert_eq!(preview.status, 200);
        assert_eq!(preview.texts(".preview .entry .rank"), vec!["1", "2"]);
        assert_eq!(
            preview.attrs(".preview .card-title a", "href"),
            vec!["/soundtracks/psycho-1960", "/soundtracks/jaws-1975"]
        );
        assert_eq!(preview.raw_texts("textarea#f-body"), vec![body]);
        // Save as a draft: not public.
        let saved = submit_on(&b, &preview, &[], "save").await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let edit = saved.header("location").unwrap();
        assert!(edit.starts_with("/editor/articles/") && edit.ends_with("?saved=saved"));
        assert_eq!(app.get("/articles/scores-that-bite").await.status, 404);
        let page = b.get(&edit).await;
        assert_eq!(page.texts("h1 .status"), vec!["draft"]);
        assert_eq!(page.attrs("input#f-slug", "value"), vec!["scores-that-bite"]);
        // Publish: public, numbered 1 and 2, on the home page and the records.
        let published = submit_on(&b, &page, &[], "publish").await;
        assert_eq!(published.status, 303);
        let public = app.get("/articles/scores-that-bite").await;
        assert_eq!(public.status, 200);
        assert_eq!(public.texts(".entry .rank"), vec!["1", "2"]);
        assert_eq!(public.texts(".entry h2"), vec!["1. Psycho", "2. Jaws"]);
        assert_eq!(app.get("/").await.attrs(".summary h2 a", "href")[0], "/articles/scores-that-bite");
        assert_eq!(app.get("/soundtracks/psycho-1960").await.texts(".appearances .placement"), vec!["No. 1"]);
        assert_eq!(app.get("/tags/horror").await.status, 200);

        // Scheduled: a time just ahead; the page appears by itself.
        let when = chrono::Utc::now() + chrono::Duration::seconds(4);
        let when = when.format("%Y-%m-%dT%H:%M:%S").to_string();
        let fields = [
            ("title", "Coming soon"),
            ("list", "ranked"),
            ("published", when.as_str()),
            ("body", "## Drive {soundtrack=drive-2011}\n\nSoon.\n"),
        ];
        let saved = submit(&b, "/editor/articles/new", &fields, "save").await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        assert_eq!(b.get(&saved.header("location").unwrap()).await.texts("h1 .status"), vec!["scheduled"]);
        assert_eq!(app.get("/articles/coming-soon").await.status, 404);
        tokio::time::sleep(std::time::Duration::from_millis(5000)).await;
        assert_eq!(app.get("/articles/coming-soon").await.status, 200);
        app.finish().await;
    }
}

#[actix_web::test]
async fn every_action_says_what_it_did() {
    for backend in backends().await {
        let f = fixture();
        let app = with_editor(backend, f.path()).await;
        let b = logged_in(&app).await;
        let notice = |page: Page| page.texts(".notice").join(" ");
        let after = |saved: Page| {
            let b = &b;
            async move {
                assert_eq!(saved.status, 303, "{}", saved.body);
                b.get(&saved.header("location").unwrap()).await
            }
        };
        let fields = [
            ("title", "Loud and clear"),
            ("list", "ranked"),
            ("body", "## Jaws {soundtrack=jaws-1975}\n\nTwo notes.\n"),
        ];
        let draft = after(submit(&b, "/editor/articles/new", &fields, "save").await).await;
        assert_eq!(notice(draft), "Saved as a draft.");
        let edit = "/editor/articles/2";
        assert_eq!(
            notice(after(submit(&b, edit, &[], "publish").await).await),
            "Published: it is live at /articles/loud-and-clear."
        );
        assert_eq!(
            notice(after(submit(&b, edit, &[("title", "Louder")], "save").await).await),
            "Saved: the changes are live."
        );
        let unpublished = after(submit(&b, edit, &[], "unpublish").await).await;
        assert_eq!(notice(unpublished), "Unpublished: it is a draft again, and its page is off the site.");
        assert_eq!(app.get("/articles/loud-and-clear").await.status, 404);
        // Scheduled: the day, the time of day and the zone.
        let when = chrono::Utc::now() + chrono::Duration::days(3);
        let typed = when.format("%Y-%m-%dT%H:%M").to_string();
        let scheduled = after(submit(&b, edit, &[("published", typed.as_str())], "save").await).await;
        let expected = format!("Scheduled for {}: it appears by itself then.", when.format("%-d %B %Y, %H:%M UTC"));
        assert_eq!(notice(scheduled), expected);
        assert_eq!(b.get(edit).await.texts("h1 .status"), vec!["scheduled"]);
        // Publish times are shown to the minute, with the zone.
        let minute = when.format("%-d %B %Y, %H:%M UTC").to_string();
        assert_eq!(b.get(edit).await.texts(".when"), vec![format!("Scheduled for {minute}.")]);
        let live = b.get("/editor/articles/1").await.texts(".when");
        assert_eq!(live, vec!["Published 1 March 2026, 10:00 UTC. View the public page · Readers’ votes"]);
        let dashboard = b.get("/editor").await.texts(".desk-table tbody tr");
        assert!(dashboard.iter().any(|r| r.contains(&format!("scheduled for {minute}"))), "{dashboard:?}");
        assert!(dashboard.iter().any(|r| r.contains("published 1 March 2026, 10:00 UTC")), "{dashboard:?}");
        assert!(b.get(edit).await.texts("#f-published-help")[0].contains(" UTC now"));

        // "Add as an entry" puts a whole entry between blocks: at the end
        // without a cursor, after the paragraph the cursor is in with one
        // (never glued onto the intro's first word).
        let body = "Intro line one,\nline two.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n";
        let page = b.get("/editor/articles/new").await;
        let fields = [("title", "Cursor"), ("list", "ranked"), ("body", body)];
        let added = submit_on(&b, &page, &fields, "add:psycho-1960").await;
        let entry = "## Psycho {soundtrack=psycho-1960}\n\nWhy Psycho belongs here.\n";
        assert_eq!(added.raw_texts("textarea#f-body"), vec![format!("{body}\n{entry}")]);
        assert!(notice(added).starts_with("Added an entry for Psycho"));
        let at_start = submit_on(&b, &page, &[&fields[..], &[("cursor", "0")]].concat(), "add:psycho-1960").await;
        let expected = body.replacen("line two.\n\n", &format!("line two.\n\n{entry}\n"), 1);
        assert_eq!(at_start.raw_texts("textarea#f-body"), vec![expected]);
        app.finish().await;
    }
}

#[actix_web::test]
async fn problems_are_listed_and_block_publishing_but_not_drafts() {
    for backend in backends().await {
        let f = fixture();
        let app = with_editor(backend, f.path()).await;
        let b = logged_in(&app).await;
        let body = "Intro.\n\n## Alien {soundtrack=alien-1979}\n\nNo such record.\n\n## {soundtrack=jaws-1975}\n\nLost heading. Itâ€™s broken.\n";
        let fields = [("title", "Broken list"), ("list", "ranked"), ("body", body)];
        let refused = submit(&b, "/editor/articles/new", &fields, "publish").await;
        assert_eq!(refused.status, 422);
        let problems = refused.texts(".problems li");
        assert!(problems.iter().any(|p| p.contains("line 3") && p.contains("alien-1979")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("line 7") && p.contains("heading")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("mojibake") || p.contains("double-encoded")), "{problems:?}");
        assert!(refused.texts(".notice")[0].contains("Not published"));
        assert_eq!(refused.raw_texts("textarea#f-body"), vec![body], "the text comes back as typed");
        assert_eq!(app.get("/articles/broken-list").await.status, 404);
        // A draft with problems can be kept.
        let saved = submit_on(&b, &refused, &[("published", "")], "save").await;
        assert_eq!(saved.status, 303);
        let page = b.get(&saved.header("location").unwrap()).await;
        assert_eq!(page.texts("h1 .status"), vec!["draft"]);
        assert!(!page.texts(".problems li").is_empty());
        app.finish().await;
    }
}

#[actix_web::test]
async fn the_desk_warns_of_another_records_director_as_the_check_does() {
    // A record the article does not use: only its director and composer tie
    // the stray paragraph to it.
    let f = fixture();
    f.write(
        "soundtracks/alien-1979.toml",
        "title = \"Alien\"\nkind = \"score\"\ncomposers = [\"Jerry Goldsmith\"]\n\n[film]\ntitle = \"Alien\"\nyear = 1979\n\
         director = \"Ridley Scott\"\n\n[[tracks]]\ntitle = \"Main Title\"\n",
    );
    let body = "## Drive {soundtrack=drive-2011}\n\nSynths at night.\n\n\
                Ridley Scott had the studio cut the score to pieces and laid temp music over it.\n\n\
                ## Jaws {soundtrack=jaws-1975}\n\nTwo notes.\n";
    f.article("stray", "Stray", "list = \"ranked\"", body);
    let tree = cuesheet::content::check::check_tree(f.path()).unwrap();
    let stray = |message: &str| message.contains("opens on `Ridley Scott` of record `alien-1979`");
    assert!(tree.problems.iter().any(|p| p.code == "entry-without-heading" && stray(&p.message)), "{tree:#?}");
    f.remove("articles/stray.md");

    for backend in backends().await {
        let app = with_editor(backend, f.path()).await;
        let b = logged_in(&app).await;
        let fields = [("title", "Stray"), ("list", "ranked"), ("body", body)];
        let saved = submit(&b, "/editor/articles/new", &fields, "save").await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let page = b.get(&saved.header("location").unwrap()).await;
        let problems = page.texts(".problems li");
        let warning = problems.iter().find(|p| stray(p));
        let warning = warning.unwrap_or_else(|| panic!("no warning of the stray paragraph: {problems:?}"));
        assert!(warning.starts_with("warning") && warning.contains("line 5, column 1"), "{warning}");

        // A record written since is known to the next check: the context is
        // kept per content version, not for good.
        f.write(
            "soundtracks/heat-1995.toml",
            "title = \"Heat\"\nkind = \"score\"\ncomposers = [\"Elliot Goldenthal\"]\n\n[film]\ntitle = \"Heat\"\n\
             year = 1995\ndirector = \"Michael Mann\"\n\n[[tracks]]\ntitle = \"Coffee Shop\"\n",
        );
        app.import(f.path()).await.unwrap();
        let edit = saved.header("location").unwrap();
        let later = body.replace("Ridley Scott", "Michael Mann");
        let saved = submit(&b, &edit, &[("body", &later)], "save").await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let problems = b.get(&saved.header("location").unwrap()).await.texts(".problems li");
        let named = |p: &String| p.contains("opens on `Michael Mann` of record `heat-1995`");
        assert!(problems.iter().any(named), "{problems:?}");
        app.finish().await;
    }
}

#[actix_web::test]
async fn entries_move_and_records_are_picked() {
    for backend in backends().await {
        let f = fixture();
        let app = with_editor(backend, f.path()).await;
        let b = logged_in(&app).await;
        let edit = "/editor/articles/1";
        let page = b.get(edit).await;
        assert_eq!(page.texts(".desk-entries li code"), vec!["drive-2011", "jaws-1975"]);
        // A button the form does not have is refused, not taken for Save.
        for action in ["launch", "up:x", "add:Not A Slug"] {
            assert_eq!(submit_on(&b, &page, &[("title", "Changed")], action).await.status, 400, "{action}");
        }
        assert_eq!(app.get("/articles/night-drives").await.texts("h1"), vec!["Night drives"]);
        // Move Jaws up: the text changes, nothing is saved yet.
        let moved = submit_on(&b, &page, &[], "up:1").await;
        assert_eq!(moved.status, 200);
        assert_eq!(moved.texts(".desk-entries li code"), vec!["jaws-1975", "drive-2011"]);
        assert_eq!(app.get("/articles/night-drives").await.texts(".entry h2")[0], "1. Drive");
        // The picker finds records by film title and adds one as an entry.
        let found = submit_on(&b, &moved, &[("find", "psy")], "find").await;
        assert_eq!(found.attrs(".found button", "value"), vec!["add:psycho-1960"]);
        let added = submit_on(&b, &found, &[], "add:psycho-1960").await;
        assert!(added.raw_texts("textarea#f-body")[0].contains("## Psycho {soundtrack=psycho-1960}"));
        assert_eq!(added.texts(".desk-entries li code"), vec!["jaws-1975", "drive-2011", "psycho-1960"]);
        let saved = submit_on(&b, &added, &[], "save").await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let public = app.get("/articles/night-drives").await;
        assert_eq!(public.texts(".entry h2"), vec!["1. Jaws", "2. Drive", "3. Psycho"]);
        // Saving an imported article protects it from a changed file.
        f.article(
            "night-drives",
            "Night drives, file",
            "published = \"2026-03-01T10:00:00Z\"\nlist = \"ranked\"",
            "## Drive {soundtrack=drive-2011}\n\nFile.\n",
        );
        let report = app.import(f.path()).await.unwrap();
        assert_eq!(report.kept.len(), 1, "{report}");
        assert_eq!(app.get("/articles/night-drives").await.texts(".entry h2")[0], "1. Jaws");
        app.finish().await;
    }
}

#[actix_web::test]
async fn revisions_show_a_word_diff_and_restore_keeps_the_publish_state() {
    for backend in backends().await {
        let f = fixture();
        let app = with_editor(backend, f.path()).await;
        let b = logged_in(&app).await;
        let edit = "/editor/articles/1";
        let body = "Intro.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n\n## Jaws {soundtrack=jaws-1975}\n\nTwo notes of dread.\n";
        assert_eq!(submit(&b, edit, &[("title", "Night drives, take two")], "save").await.status, 303);
        assert_eq!(
            submit(&b, edit, &[("title", "Night drives, take three"), ("body", body)], "save").await.status,
            303
        );
        let page = b.get(edit).await;
        assert_eq!(page.texts(".revisions a"), vec!["Revision 2", "Revision 1"]);
        let rows = page.texts(".revisions li");
        assert!(
            rows.iter().all(|r| r.contains("Eda Editor") && r.contains(" UTC")),
            "who and when, with the time: {rows:?}"
        );
        let revisions = page.attrs(".revisions a", "href");

        // The older one against the current text: the words that changed.
        let old = b.get(&revisions[1]).await;
        assert_eq!(old.status, 200);
        let (ins, del) = (old.texts(".diff ins").join("|"), old.texts(".diff del").join("|"));
        assert!(ins.contains("of dread") && !del.contains("dread"), "ins {ins:?}, del {del:?}");
        assert!(!ins.contains("Synths") && !del.contains("Synths"), "unchanged words are not marked");
        assert_eq!(old.texts(".settings-diff td"), vec!["Night drives, take two", "Night drives, take three"]);
        assert!(old.texts("h1")[0].starts_with("Revision 1"));
        assert!(b.get(&revisions[0]).await.texts(".revision-diff .empty")[0].contains("same"));

        // Restore loads it into the editor; readers see nothing until a save.
        let restore = format!("{edit}?restore={}", revisions[1].rsplit('/').next().unwrap());
        assert_eq!(old.attrs("form.restore", "action"), vec![edit]);
        let loaded = b.get(&restore).await;
        assert_eq!(loaded.status, 200);
        assert!(loaded.texts(".notice")[0].starts_with("Restored revision 1"), "{:?}", loaded.texts(".notice"));
        assert!(loaded.texts(".notice")[0].contains("stays published"));
        assert_eq!(loaded.attrs("input#f-title", "value"), vec!["Night drives, take two"]);
        assert!(loaded.raw_texts("textarea#f-body")[0].contains("Two notes.\n"));
        assert!(!loaded.attrs("input#f-published", "value")[0].is_empty(), "the publish time is the article's own");
        assert_eq!(app.get("/articles/night-drives").await.texts("h1"), vec!["Night drives, take three"]);
        let saved = submit_on(&b, &loaded, &[], "save").await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let public = app.get("/articles/night-drives").await;
        assert_eq!(public.status, 200, "still published");
        assert_eq!(public.texts("h1"), vec!["Night drives, take two"]);
        assert!(!public.body.contains("of dread"));
        assert_eq!(b.get(edit).await.attrs(".revisions a", "href").len(), 3);

        // A draft stays a draft.
        assert_eq!(submit(&b, edit, &[], "unpublish").await.status, 303);
        let loaded = b.get(&format!("{edit}?restore={}", revisions[0].rsplit('/').next().unwrap())).await;
        assert!(loaded.texts(".notice")[0].contains("stays a draft"));
        assert_eq!(loaded.attrs("input#f-published", "value"), vec![""]);
        assert_eq!(submit_on(&b, &loaded, &[], "save").await.status, 303);
        assert_eq!(app.get("/articles/night-drives").await.status, 404);
        assert_eq!(b.get(edit).await.texts("h1 .status"), vec!["draft"]);

        assert_eq!(b.get("/editor/articles/1/revisions/999").await.status, 404);
        assert_eq!(b.get("/editor/articles/1?restore=999").await.status, 404);
        app.finish().await;
    }
}

#[actix_web::test]
async fn records_are_created_edited_and_kept_while_used() {
    for backend in backends().await {
        let f = fixture();
        let app = with_editor(backend, f.path()).await;
        let b = logged_in(&app).await;
        // New record; "Add a track" works without JavaScript.
        let fields = [
            ("title", "Alien (Original Score)"),
            ("kind", "score"),
            ("film_title", "Alien"),
            ("film_year", "1979"),
            ("director", "Ridley Scott"),
            ("composers", "Jerry Goldsmith"),
            ("label", "Silva Screen"),
            ("released", "1979"),
            ("facts", "Recorded with the National Philharmonic Orchestra"),
            ("track-0-title", "Main Title"),
            ("track-0-artist", "Jerry Goldsmith"),
        ];
        let more = submit(&b, "/editor/records/new", &fields, "add-track").await;
        assert_eq!(more.attrs("input[name='track-1-title']", "value"), vec![""]);
        // Enter in a field presses the form's first submit button: Save.
        let buttons = more.attrs("form.desk-form button[type=submit]", "value");
        assert_eq!(buttons.first().map(String::as_str), Some("save"), "{buttons:?}");
        let saved = submit_on(&b, &more, &[("track-1-title", "The Landing"), ("track-1-note", "Brass")], "save").await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        assert_eq!(saved.header("location").unwrap(), "/editor/records/alien-1979?saved=1");
        let public = app.get("/soundtracks/alien-1979").await;
        assert_eq!(public.texts(".tracks cite"), vec!["Main Title", "The Landing"]);
        assert_eq!(app.get("/people/jerry-goldsmith").await.status, 200);
        // Edit: remove the first track, change the label.
        let edit = b.get("/editor/records/alien-1979").await;
        let saved = submit_on(&b, &edit, &[("track-0-remove", "1"), ("label", "Intrada")], "save").await;
        assert_eq!(saved.status, 303);
        let public = app.get("/soundtracks/alien-1979").await;
        assert_eq!(public.texts(".tracks cite"), vec!["The Landing"]);
        assert!(public.texts(".card dd").contains(&"Intrada".to_string()));
        // Bad input comes back with the form as typed.
        let bad = submit(&b, "/editor/records/alien-1979", &[("film_year", "nineteen")], "save").await;
        assert_eq!(bad.status, 422);
        assert_eq!(bad.attrs("input#r-film-year", "value"), vec!["nineteen"]);
        // Used records cannot be deleted; unused ones can.
        let used = b.get("/editor/records/jaws-1975").await;
        assert_eq!(used.texts("section ul li a"), vec!["Night drives"]);
        let csrf = used.attrs("form.desk-form input[name=csrf]", "value")[0].clone();
        let refused = b.post("/editor/records/jaws-1975/delete", &[("csrf", &csrf)]).await;
        assert_eq!(refused.status, 409);
        assert_eq!(app.get("/soundtracks/jaws-1975").await.status, 200);
        let gone = b.post("/editor/records/alien-1979/delete", &[("csrf", &csrf)]).await;
        assert_eq!(gone.status, 303);
        assert_eq!(app.get("/soundtracks/alien-1979").await.status, 404);
        assert_eq!(app.get("/people/jerry-goldsmith").await.status, 404);
        app.finish().await;
    }
}

#[actix_web::test]
async fn moderation_actions_change_the_public_page() {
    for backend in backends().await {
        let f = fixture();
        let app = with_editor(backend, f.path()).await;
        let reader = Browser::new(&app);
        let post = |text: &'static str| {
            let reader = &reader;
            async move {
                let page = reader
                    .comment(
                        "/articles/night-drives",
                        &[("author", "Rae"), ("email", "rae@example.com"), ("comment", text)],
                    )
                    .await;
                assert_eq!(page.status, 303);
                page.header("location").unwrap().rsplit_once("-").unwrap().1.parse::<i64>().unwrap()
            }
        };
        let held = post("[one](https://a.example) [two](https://b.example)").await;
        let fine = post("A fine comment").await;
        let reply = reader
            .comment(
                &format!("/articles/night-drives?replytocom={fine}"),
                &[("author", "Sam"), ("email", "sam@example.com"), ("comment", "A reply")],
            )
            .await;
        assert_eq!(reply.status, 303);
        let visible = || async { app.get("/articles/night-drives").await.attrs(".comment", "id") };
        assert_eq!(visible().await.len(), 2);

        let b = logged_in(&app).await;
        let tab = b.get("/editor/comments").await;
        assert_eq!(tab.texts(".tabs a[aria-current] .count"), vec!["(1)"]);
        assert!(tab.texts(".mod-meta dd").contains(&"rae@example.com".to_string()), "editors see the email");
        assert!(tab.texts(".mod-meta dd").iter().any(|d| d.contains("127.0.0.1")));
        let act = |action: String| {
            let b = &b;
            async move {
                let page = b.get("/editor/comments?status=approved").await;
                let csrf = page
                    .attrs("form.moderation input[name=csrf]", "value")
                    .first()
                    .cloned()
                    .unwrap_or_else(|| page.attrs("form.logout input[name=csrf]", "value")[0].clone());
                let res = b
                    .post(
                        "/editor/comments",
                        &[("csrf", csrf.as_str()), ("tab", "pending"), ("action", action.as_str())],
                    )
                    .await;
                assert_eq!(res.status, 303, "{action}");
            }
        };
        act(format!("approve:{held}")).await;
        assert_eq!(visible().await.len(), 3);
        act(format!("unapprove:{held}")).await;
        assert_eq!(visible().await.len(), 2);
        act(format!("spam:{fine}")).await;
        // The reply keeps its place under a placeholder.
        let page = app.get("/articles/night-drives").await;
        assert_eq!(page.texts(".comment-removed").len(), 1);
        assert!(!page.body.contains("A fine comment"));
        act(format!("restore:{fine}")).await;
        assert!(app.get("/articles/night-drives").await.body.contains("A fine comment"));
        act(format!("trash:{fine}")).await;
        assert!(!app.get("/articles/night-drives").await.body.contains("A fine comment"));
        act(format!("restore:{fine}")).await;
        assert!(app.get("/articles/night-drives").await.body.contains("A fine comment"));
        // Delete for good: the reply moves up and stays.
        act(format!("delete:{fine}")).await;
        let page = app.get("/articles/night-drives").await;
        assert!(!page.body.contains("A fine comment"));
        assert_eq!(page.texts("ol.comment-list > li .comment-text"), vec!["A reply"]);
        // Bulk: select several.
        let p2 = post("Second fine one").await;
        let tab = b.get("/editor/comments?status=approved").await;
        let csrf = tab.attrs("form.moderation input[name=csrf]", "value")[0].clone();
        let pick_a = format!("pick-{p2}");
        let res = b
            .post(
                "/editor/comments",
                &[
                    ("csrf", csrf.as_str()),
                    ("tab", "approved"),
                    (pick_a.as_str(), "1"),
                    ("pick-999999", "1"),
                    ("action", "trash:selected"),
                ],
            )
            .await;
        assert_eq!(res.status, 303);
        assert!(!app.get("/articles/night-drives").await.body.contains("Second fine one"));
        // Reply as the editor: public, marked staff.
        let tab = b.get("/editor/comments?status=approved").await;
        let target = tab.attrs("form[id^=reply-]", "action")[0].clone();
        let csrf = tab.attrs("form[id^=reply-] input[name=csrf]", "value")[0].clone();
        let res = b.post(&target, &[("csrf", csrf.as_str()), ("comment", "Thanks from the desk")]).await;
        assert_eq!(res.status, 303);
        let page = app.get("/articles/night-drives").await;
        assert_eq!(page.texts(".staff"), vec!["Staff"]);
        assert!(!page.body.contains(EMAIL));
        app.finish().await;
    }
}

#[actix_web::test]
async fn export_import_export_is_a_fixed_point() {
    for backend in backends().await {
        let app = with_editor(backend, Path::new(REAL_CONTENT)).await;
        let first = tempfile::tempdir().unwrap();
        let second = tempfile::tempdir().unwrap();
        let (records, articles, _) = cuesheet::db::export::export_dir(&app.db, &app.media, first.path()).await.unwrap();
        assert_eq!((records, articles), (39, 3));
        let copy = TestApp::empty(backend).await;
        copy.import(first.path()).await.unwrap();
        cuesheet::db::export::export_dir(&copy.db, &copy.media, second.path()).await.unwrap();
        for dir in ["articles", "soundtracks"] {
            let mut names: Vec<_> =
                std::fs::read_dir(first.path().join(dir)).unwrap().map(|e| e.unwrap().file_name()).collect();
            names.sort();
            assert_eq!(names.len(), if dir == "articles" { 3 } else { 39 });
            for name in names {
                let a = std::fs::read_to_string(first.path().join(dir).join(&name)).unwrap();
                let b = std::fs::read_to_string(second.path().join(dir).join(&name)).unwrap();
                assert_eq!(a, b, "{dir}/{name:?}");
                if dir == "articles" {
                    // The table of contents as written: only where the source chose it.
                    let source = std::fs::read_to_string(Path::new(REAL_CONTENT).join(dir).join(&name)).unwrap();
                    let chosen = |t: &str| t.lines().find(|l| l.starts_with("toc =")).map(str::to_owned);
                    assert_eq!(chosen(&a), chosen(&source), "{name:?}");
                }
            }
        }
        // An article left on "For long articles" stays on it in the desk.
        let b = logged_in(&app).await;
        for (choice, title) in [("auto", "Automatic"), ("hide", "Hidden"), ("show", "Shown")] {
            let page = b.get("/editor/articles/new").await;
            let fields = [("title", title), ("list", "none"), ("toc", choice), ("body", "A few words on scores.\n")];
            let saved = submit_on(&b, &page, &fields, "save").await;
            assert_eq!(saved.status, 303, "{}", saved.body);
            let saved = b.get(&saved.header("location").unwrap()).await;
            assert_eq!(saved.attrs("select#f-toc option[selected]", "value"), vec![choice], "{title}");
        }
        // The public pages of both databases are the same.
        let strip = |p: Page| p.stable();
        for path in [
            "/",
            "/articles/best-movie-soundtracks-of-all-time",
            "/articles/soundtracks-that-hit-harder-than-the-plot",
            "/soundtracks/purple-rain-1984",
            "/people/trent-reznor",
            "/tags",
            "/soundtracks",
        ] {
            assert_eq!(strip(app.get(path).await), strip(copy.get(path).await), "{path}");
        }
        copy.finish().await;
        app.finish().await;
    }
}

#[test]
fn the_editor_command_adds_lists_and_removes_editors() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/cli.db", dir.path().display());
    let run = |args: &[&str], stdin: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cuesheet"))
            .args(args)
            .env("DATABASE_URL", &url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // The first account is the admin, whatever role is asked for.
    let (code, out, err) = run(
        &["editor", "add", "Ed@Example.com", "--name", "Ed", "--role", "contributor", "--password-stdin"],
        "correct horse battery\n",
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("admin") && out.contains("ed@example.com"), "{out}");
    assert_eq!(
        run(&["editor", "add", "ed@example.com", "--name", "Ed", "--password-stdin"], "another long one\n").0,
        Some(1)
    );
    assert_eq!(run(&["editor", "add", "x@example.com", "--name", "X", "--password-stdin"], "short\n").0, Some(1));
    // Without a terminal the password is read from standard input, no flag
    // needed (it used to fail with "No such device or address").
    let (code, out, err) =
        run(&["editor", "add", "cy@example.com", "--name", "Cy", "--role", "contributor"], "a password from a pipe\n");
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("contributor"), "{out}");
    let (code, _, err) = run(&["editor", "add", "zed@example.com", "--name", "Zed", "--role", "owner"], "");
    assert_eq!(code, Some(2), "an unknown role is a usage error");
    assert!(err.contains("not a role"), "{err}");
    let (_, list, _) = run(&["editor", "list"], "");
    assert_eq!(list, "cy@example.com\tCy\tcontributor\ned@example.com\tEd\tadmin\n");
    // The only admin stays until there is another.
    let (code, _, err) = run(&["editor", "remove", "ed@example.com"], "");
    assert_eq!(code, Some(1));
    assert!(err.contains("only active admin"), "{err}");
    assert_eq!(run(&["editor", "remove", "cy@example.com"], "").0, Some(0));
    assert_eq!(run(&["editor", "remove", "cy@example.com"], "").0, Some(1));
    assert_eq!(run(&["editor", "list"], "").1, "ed@example.com\tEd\tadmin\n");
}

#[actix_web::test]
async fn a_burst_of_failed_logins_is_bounded_and_every_429_says_when() {
    for backend in backends().await {
        let f = fixture();
        let app = with_editor(backend, f.path()).await;
        let rss = || {
            let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
            let field = |name: &str| {
                status.lines().find(|l| l.starts_with(name)).map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            };
            format!("{:?} {:?}", field("VmRSS"), field("VmHWM"))
        };
        let before = rss();
        let browsers: Vec<Browser> = (0..40).map(|_| Browser::new(&app)).collect();
        let emails: Vec<String> = (0..40).map(|i| format!("nobody{i}@example.com")).collect();
        let attempts = browsers.iter().zip(&emails).map(|(b, email)| login(b, email, "wrong password, sorry"));
        let pages = futures_util::future::join_all(attempts).await;
        eprintln!("{backend:?}: memory before {before}, after {}", rss());
        for page in &pages {
            assert!([401, 429].contains(&page.status), "{}", page.status);
            if page.status == 429 {
                let wait: i64 = page.header("retry-after").unwrap().parse().unwrap();
                assert!(wait >= 1);
            }
        }
        // The address is locked after twenty failures (a few more may be in
        // flight when it is): the rest are refused without hashing.
        assert!(
            pages.iter().filter(|p| p.status == 429).count() >= 15,
            "{:?}",
            pages.iter().map(|p| p.status).collect::<Vec<_>>()
        );
        assert!(pages.iter().filter(|p| p.status == 401).count() >= 1);
        app.finish().await;
    }
}

/// How many times `name` shows as text on the page, after asserting that
/// each is inside a `<bdi>` (the text of an `<option>` or `<textarea>` is a
/// form's value, not prose, and none holds a name here).
fn isolated_names(page: &Page, name: &str) -> usize {
    let html = page.html();
    let mut shown = 0;
    for node in html.tree.nodes() {
        let Some(text) = node.value().as_text() else { continue };
        if !text.contains(name) {
            continue;
        }
        let path: Vec<String> =
            node.ancestors().filter_map(|a| a.value().as_element().map(|e| e.name().to_owned())).collect();
        assert!(path.iter().any(|n| n == "bdi"), "`{name}` shown outside <bdi>, under {path:?}");
        shown += 1;
    }
    shown
}

#[actix_web::test]
async fn a_commenters_name_is_isolated_wherever_it_is_shown() {
    // A right-to-left override would turn the words after it around.
    const NAME: &str = "\u{202e}Eve the reverser";
    for backend in backends().await {
        let f = fixture();
        let app = with_editor(backend, f.path()).await;
        let reader = Browser::new(&app);
        // Two links hold it for moderation: it shows in the desk's queue.
        let fields = [
            ("author", NAME),
            ("email", "eve@example.com"),
            ("comment", "[a](https://a.example) [b](https://b.example)"),
        ];
        let posted = reader.comment("/articles/night-drives", &fields).await;
        assert_eq!(posted.status, 303);

        let b = logged_in(&app).await;
        let queue = b.get("/editor/comments").await;
        assert_eq!(queue.texts(".mod-item").len(), 1);
        // The checkbox's label and the author line.
        assert_eq!(isolated_names(&queue, NAME), 2, "{}", queue.body);

        let csrf = queue.attrs("form.moderation input[name=csrf]", "value")[0].clone();
        let id = queue.attrs(".mod-item", "id")[0].trim_start_matches("mod-").to_owned();
        let action = format!("approve:{id}");
        let res = b.post("/editor/comments", &[("csrf", &csrf), ("tab", "pending"), ("action", &action)]).await;
        assert_eq!(res.status, 303);
        let approved = b.get("/editor/comments?status=approved").await;
        assert_eq!(isolated_names(&approved, NAME), 2);

        // The public thread: the byline and the reply and helpful buttons'
        // hidden text; the comment's accessible name isolates it with
        // U+2068..U+2069.
        let page = app.get("/articles/night-drives").await;
        assert_eq!(isolated_names(&page, NAME), 3);
        assert_eq!(page.attrs(".comment-body", "aria-label"), vec![format!("Comment by \u{2068}{NAME}\u{2069}")]);
        let reply = app.get(&format!("/articles/night-drives?replytocom={id}")).await;
        assert_eq!(isolated_names(&reply, NAME), 4, "and the form's title: Reply to ...");

        // The feeds are plain text: the same isolating characters.
        for feed in ["/comments.xml", "/articles/night-drives/comments.xml"] {
            let xml = app.get(feed).await.body;
            assert!(xml.contains(&format!("<title>\u{2068}{NAME}\u{2069} on “Night drives”</title>")), "{xml}");
        }
        app.finish().await;
    }
}

/// The desk's lists of articles and records come a page at a time, as the
/// public listings do: an archive of any size opens as fast as a small one.
#[actix_web::test]
async fn the_desks_lists_come_a_page_at_a_time() {
    for backend in backends().await {
        let f = fixture();
        for i in 0..100 {
            f.record(&format!("film-{i:03}-2000"), &format!("Film {i:03}"), 2000);
        }
        for i in 0..50 {
            f.article(&format!("list-{i:02}"), &format!("List {i:02}"), "list = \"none\"", "Notes on film scores.\n");
        }
        let app = with_editor(backend, f.path()).await;
        let b = logged_in(&app).await;
        let first = b.get("/editor").await;
        assert_eq!(first.texts(".desk-table tbody tr").len(), 50);
        assert_eq!(first.attrs(".pager a[rel=next]", "href"), vec!["/editor?page=2"]);
        let second = b.get("/editor?page=2").await;
        assert_eq!(second.texts(".desk-table tbody tr").len(), 1, "51 articles in all");
        assert_eq!(second.attrs(".pager a[rel=prev]", "href"), vec!["/editor"]);
        assert_eq!(b.get("/editor?page=3").await.status, 404);

        let records = b.get("/editor/records").await;
        assert_eq!(records.texts(".desk-table tbody tr").len(), 100);
        assert_eq!(records.texts(".desk-table tbody tr td:first-child")[0], "Drive (2011)");
        let rest = b.get("/editor/records?page=2").await.texts(".desk-table tbody tr td:first-child");
        assert_eq!(rest, vec!["Film 099 (2000)", "Jaws (1975)", "Psycho (1960)"], "103 records, by film");
        assert_eq!(b.get("/editor/records?page=x").await.status, 404);
        app.finish().await;
    }
}
