//! People and roles on the editor desk, through the real HTTP stack: an
//! admin adds, disables, removes editors and resets their passwords; every
//! editor changes their own; a contributor writes drafts and is refused,
//! on the server, whatever would publish.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::desk::{
    EMAIL, PASSWORD, add_account, fixture, logged_in, logged_in_as, login, post_from, submit, with_editor,
};
use common::{Browser, backends, submit_on};
use cuesheet::auth::Role;

const CORA: &str = "cora@example.com";
const CORA_PASSWORD: &str = "contributor's own passphrase";

#[actix_web::test]
async fn an_admin_adds_editors_and_resets_a_password() {
    for backend in backends().await {
        let f = fixture();
        let app = with_editor(backend, f.path()).await;
        let admin = logged_in(&app).await;
        let people = admin.get("/editor/people").await;
        assert_eq!(people.status, 200);
        assert_eq!(people.texts(".people .role"), vec!["Admin"], "the first account is the admin");

        // Adding: a bad form comes back as typed, with the reason.
        let fields = [("email", "not an email"), ("name", "Cora"), ("role", "contributor")];
        let short = [("password", "short"), ("password_again", "short")];
        let refused = post_from(&admin, "/editor/people", "/editor/people", &[&fields[..], &short[..]].concat()).await;
        assert_eq!(refused.status, 422);
        assert_eq!(refused.attrs("input#p-email", "value"), vec!["not an email"]);
        let fields = [
            ("email", CORA),
            ("name", "Cora Contributor"),
            ("role", "contributor"),
            ("password", "first password, long"),
            ("password_again", "first password, long"),
        ];
        let added = post_from(&admin, "/editor/people", "/editor/people", &fields).await;
        assert_eq!(added.status, 303, "{}", added.body);
        let people = admin.get(&added.header("location").unwrap()).await;
        assert!(people.texts(".notice")[0].contains("Added Cora Contributor"), "{:?}", people.texts(".notice"));
        assert_eq!(people.texts(".people .role"), vec!["Contributor", "Admin"]);
        let taken = post_from(&admin, "/editor/people", "/editor/people", &fields).await;
        assert_eq!(taken.status, 409);

        // Cora logs in; the admin resets her password: her session ends,
        // the old password fails and the new one works.
        let cora = logged_in_as(&app, CORA, "first password, long").await;
        assert_eq!(cora.get("/editor").await.status, 200);
        let id = people.attrs("tr[id^=person-]", "id")[0].trim_start_matches("person-").to_owned();
        let target = format!("/editor/people/{id}");
        let mismatch = [("action", "reset-password"), ("password", CORA_PASSWORD), ("password_again", "other")];
        assert_eq!(post_from(&admin, "/editor/people", &target, &mismatch).await.status, 422);
        let reset = [("action", "reset-password"), ("password", CORA_PASSWORD), ("password_again", CORA_PASSWORD)];
        let done = post_from(&admin, "/editor/people", &target, &reset).await;
        assert_eq!(done.status, 303, "{}", done.body);
        assert!(admin.get(&done.header("location").unwrap()).await.texts(".notice")[0].contains("new password"));
        assert_eq!(cora.get("/editor").await.status, 303, "her session ended");
        assert_eq!(login(&Browser::new(&app), CORA, "first password, long").await.status, 401);
        let cora = logged_in_as(&app, CORA, CORA_PASSWORD).await;

        // Disabled: logged out, and no login; enabled again: back.
        let disabled = post_from(&admin, "/editor/people", &target, &[("action", "disable")]).await;
        assert_eq!(disabled.status, 303);
        assert_eq!(cora.get("/editor").await.status, 303);
        assert_eq!(login(&Browser::new(&app), CORA, CORA_PASSWORD).await.status, 401);
        assert_eq!(admin.get("/editor/people").await.texts(".account-status"), vec!["disabled", "active"]);
        assert_eq!(post_from(&admin, "/editor/people", &target, &[("action", "enable")]).await.status, 303);
        logged_in_as(&app, CORA, CORA_PASSWORD).await;

        // A role change, then removal.
        let role = [("action", "set-role"), ("role", "editor")];
        assert_eq!(post_from(&admin, "/editor/people", &target, &role).await.status, 303);
        assert_eq!(admin.get("/editor/people").await.texts(".people .role"), vec!["Editor", "Admin"]);
        assert_eq!(post_from(&admin, "/editor/people", &target, &[("action", "remove")]).await.status, 303);
        assert_eq!(admin.get("/editor/people").await.texts(".people .role"), vec!["Admin"]);
        assert_eq!(login(&Browser::new(&app), CORA, CORA_PASSWORD).await.status, 401);
        assert_eq!(post_from(&admin, "/editor/people", &target, &[("action", "remove")]).await.status, 404);

        // An admin does not lock themselves out.
        let own = format!("/editor/people/{}", admin_id(&app).await);
        let refused = post_from(&admin, "/editor/people", &own, &[("action", "disable")]).await;
        assert_eq!(refused.status, 422);
        assert_eq!(admin.get("/editor").await.status, 200);
        app.finish().await;
    }
}

async fn admin_id(app: &common::TestApp) -> i64 {
    cuesheet::db::editors::by_email(&app.db, EMAIL).await.unwrap().unwrap().id
}

#[actix_web::test]
async fn every_editor_changes_their_own_password() {
    for backend in backends().await {
        let f = fixture();
        let app = with_editor(backend, f.path()).await;
        add_account(&app, CORA, "Cora Contributor", CORA_PASSWORD, Role::Contributor).await;
        let cora = logged_in_as(&app, CORA, CORA_PASSWORD).await;
        let elsewhere = logged_in_as(&app, CORA, CORA_PASSWORD).await;
        let account = cora.get("/editor/account").await;
        assert_eq!(account.status, 200);
        assert!(account.texts("dl.account dd").contains(&"Contributor".to_string()));
        let wrong =
            [("current", "not my password"), ("password", "a new passphrase"), ("password_again", "a new passphrase")];
        let refused = post_from(&cora, "/editor/account", "/editor/account", &wrong).await;
        assert_eq!(refused.status, 422);
        assert!(refused.texts(".field-error")[0].contains("current password"));
        let right =
            [("current", CORA_PASSWORD), ("password", "a new passphrase"), ("password_again", "a new passphrase")];
        let changed = post_from(&cora, "/editor/account", "/editor/account", &right).await;
        assert_eq!(changed.status, 303, "{}", changed.body);
        assert_eq!(cora.get("/editor").await.status, 200, "this session stays");
        assert_eq!(elsewhere.get("/editor").await.status, 303, "the others end");
        assert_eq!(login(&Browser::new(&app), CORA, CORA_PASSWORD).await.status, 401);
        logged_in_as(&app, CORA, "a new passphrase").await;
        // Only admins manage people.
        assert_eq!(cora.get("/editor/people").await.status, 403);
        let _ = PASSWORD;
        app.finish().await;
    }
}

#[actix_web::test]
async fn a_contributor_writes_drafts_and_is_refused_at_publish() {
    for backend in backends().await {
        let f = fixture();
        let app = with_editor(backend, f.path()).await;
        add_account(&app, CORA, "Cora Contributor", CORA_PASSWORD, Role::Contributor).await;
        let cora = logged_in_as(&app, CORA, CORA_PASSWORD).await;
        let body = "## Psycho {soundtrack=psycho-1960}\n\nStrings.\n";
        let fields = [("title", "Strings attached"), ("list", "ranked"), ("body", body)];

        // Publishing is refused on the server (the button is not even
        // shown), with the text kept on the page.
        let new = cora.get("/editor/articles/new").await;
        assert!(new.attrs("button[name=action]", "value").iter().all(|v| v != "publish"));
        let refused = submit_on(&cora, &new, &fields, "publish").await;
        assert_eq!(refused.status, 403);
        assert!(refused.texts(".notice")[0].contains("Contributors"), "{:?}", refused.texts(".notice"));
        assert_eq!(refused.raw_texts("textarea#f-body"), vec![body]);
        // So is scheduling through the publish time.
        let scheduled =
            submit_on(&cora, &new, &[&fields[..], &[("published", "2030-01-01T09:00")]].concat(), "save").await;
        assert_eq!(scheduled.status, 403);
        assert_eq!(app.get("/articles/strings-attached").await.status, 404);

        // A draft, then submitted for review: editors see it on the dashboard.
        let saved = submit_on(&cora, &new, &fields, "save").await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let edit = saved.header("location").unwrap().split('?').next().unwrap().to_owned();
        let submitted = submit(&cora, &edit, &[], "submit").await;
        assert_eq!(submitted.status, 303);
        assert!(cora.get(&submitted.header("location").unwrap()).await.texts(".notice")[0].contains("review"));
        let admin = logged_in(&app).await;
        let dash = admin.get("/editor").await;
        let row = dash.texts(".desk-table tbody tr").into_iter().find(|r| r.contains("Strings attached")).unwrap();
        assert!(row.contains("in review"), "{row}");
        // Publishing it through the contributor's own page is still refused.
        assert_eq!(submit(&cora, &edit, &[], "publish").await.status, 403);
        assert_eq!(app.get("/articles/strings-attached").await.status, 404);
        // An editor publishes it.
        assert_eq!(submit(&admin, &edit, &[], "publish").await.status, 303);
        assert_eq!(app.get("/articles/strings-attached").await.status, 200);

        // What is live is not the contributor's to change.
        let live = submit(&cora, &edit, &[("title", "Strings detached")], "save").await;
        assert_eq!(live.status, 403);
        assert_eq!(app.get("/articles/strings-attached").await.texts("h1"), vec!["Strings attached"]);
        // Records, moderation and people are refused too, reading or writing.
        for path in [
            "/editor/records",
            "/editor/records/new",
            "/editor/records/jaws-1975",
            "/editor/comments",
            "/editor/people",
        ] {
            assert_eq!(cora.get(path).await.status, 403, "{path}");
        }
        let record = [("title", "Heat"), ("film_title", "Heat"), ("film_year", "1995"), ("action", "save")];
        assert_eq!(post_from(&cora, "/editor", "/editor/records", &record).await.status, 403);
        assert_eq!(app.get("/soundtracks/heat-1995").await.status, 404);
        let nav = cora.get("/editor").await.attrs("nav.desk-nav a, .desk-me a.me", "href");
        // Contributors add pictures to what they write.
        assert_eq!(nav, vec!["/editor", "/editor/articles/new", "/editor/media", "/editor/account"]);
        app.finish().await;
    }
}
