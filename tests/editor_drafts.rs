//! Nothing typed on the desk is lost, on both backends: two editors on one
//! list (the second save is refused with both versions shown), autosave, and
//! the actions that leave the page saving the draft first without
//! JavaScript.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::desk::{add_account, fixture, logged_in, logged_in_as, with_editor};
use common::{backends, submit_on};
use cuesheet::auth::Role;

const BEN: &str = "ben@example.com";
const BEN_PASSWORD: &str = "ben's long passphrase";
const BODY: &str =
    "Intro.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n\n## Jaws {soundtrack=jaws-1975}\n\nTwo notes.\n";

#[actix_web::test]
async fn a_save_over_a_newer_version_is_refused_with_both_versions() {
    for backend in backends().await {
        let f = fixture();
        let app = with_editor(backend, f.path()).await;
        add_account(&app, BEN, "Ben Editor", BEN_PASSWORD, Role::Editor).await;
        let eda = logged_in(&app).await;
        let ben = logged_in_as(&app, BEN, BEN_PASSWORD).await;
        let edit = "/editor/articles/1";
        let eda_page = eda.get(edit).await;
        let ben_page = ben.get(edit).await;
        let version = eda_page.attrs("input[name=version]", "value");
        assert_eq!(version, ben_page.attrs("input[name=version]", "value"));
        assert!(!version[0].is_empty());

        // Eda saves first.
        let eda_body = BODY.replace("Synths.", "Synths under sodium lights.");
        let eda_fields = [("title", "Night drives, Eda's cut"), ("body", eda_body.as_str())];
        assert_eq!(submit_on(&eda, &eda_page, &eda_fields, "save").await.status, 303);

        // Ben saves over the version he opened: refused, both versions shown,
        // his text kept as typed.
        let ben_body = BODY.replace("Two notes.", "Two notes, then silence.");
        let ben_fields = [("title", "Night drives, Ben's cut"), ("body", ben_body.as_str())];
        let refused = submit_on(&ben, &ben_page, &ben_fields, "save").await;
        assert_eq!(refused.status, 409);
        let notice = refused.texts(".notice")[0].clone();
        assert!(
            notice.starts_with("Not saved") && notice.contains("Eda Editor") && notice.contains(" UTC"),
            "{notice}"
        );
        assert_eq!(refused.attrs("input#f-title", "value"), vec!["Night drives, Ben's cut"]);
        assert_eq!(refused.raw_texts("textarea#f-body"), vec![ben_body.clone()]);
        assert_eq!(refused.texts(".conflict h3"), vec!["Night drives, Eda's cut"]);
        assert_eq!(refused.raw_texts(".conflict pre.theirs"), vec![eda_body.clone()]);
        let (del, ins) = (refused.texts(".conflict del").join("|"), refused.texts(".conflict ins").join("|"));
        assert!(del.contains("sodium") && ins.contains("silence"), "theirs {del:?}, yours {ins:?}");
        assert_eq!(app.get("/articles/night-drives").await.texts("h1"), vec!["Night drives, Eda's cut"]);
        // Unpublishing from the stale page is refused the same way.
        assert_eq!(submit_on(&ben, &ben_page, &[], "unpublish").await.status, 409);
        assert_eq!(app.get("/articles/night-drives").await.status, 200);

        // Saving again from the refusal replaces theirs, knowingly.
        let saved = submit_on(&ben, &refused, &[], "save").await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let public = app.get("/articles/night-drives").await;
        assert_eq!(public.texts("h1"), vec!["Night drives, Ben's cut"]);
        assert!(public.body.contains("then silence"));
        // Now Eda's page is the stale one.
        assert_eq!(submit_on(&eda, &eda_page, &[("title", "Again")], "save").await.status, 409);

        // A change from an import is named as such.
        let page = eda.get(edit).await;
        f.article(
            "night-drives",
            "Night drives, from the file",
            "published = \"2026-03-01T10:00:00Z\"\nlist = \"ranked\"",
            BODY,
        );
        app.import_with(f.path(), true).await.unwrap();
        let refused = submit_on(&eda, &page, &[("title", "Mine")], "save").await;
        assert_eq!(refused.status, 409);
        assert!(refused.texts(".notice")[0].contains("An import of its file"), "{:?}", refused.texts(".notice"));
        app.finish().await;
    }
}

async fn post_fields(b: &common::Browser<'_>, path: &str, fields: &[(String, String)]) -> common::Page {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post(path, &pairs).await
}

fn json(page: &common::Page) -> serde_json::Value {
    assert!(page.header("content-type").unwrap().starts_with("application/json"), "{}", page.body);
    serde_json::from_str(&page.body).unwrap()
}

#[actix_web::test]
async fn autosave_round_trip_never_publishes() {
    for backend in backends().await {
        let f = fixture();
        let app = with_editor(backend, f.path()).await;
        add_account(&app, BEN, "Ben Editor", BEN_PASSWORD, Role::Editor).await;
        let b = logged_in(&app).await;
        let edit = "/editor/articles/1";
        let page = b.get(edit).await;
        let typed = BODY.replace("Two notes.", "Two notes, typed and not yet saved.");
        let fields = common::desk::form_fields(&page, &[("title", "Night drives, typing"), ("body", &typed)]);

        // Kept: a small JSON answer.
        let saved = post_fields(&b, "/editor/articles/1/autosave", &fields).await;
        assert_eq!(saved.status, 200, "{}", saved.body);
        let answer = json(&saved);
        assert_eq!(answer["stale"], false);
        assert!(answer["saved"].as_str().unwrap().ends_with(" UTC"), "{answer}");
        let revision = answer["revision"].as_i64().unwrap();
        // Never published by itself: readers see the saved list.
        let public = app.get("/articles/night-drives").await;
        assert_eq!((public.status, public.texts("h1")), (200, vec!["Night drives".to_string()]));
        assert!(!public.body.contains("typed and not yet saved"));
        // A second autosave replaces the first: one per editor and list.
        let saved = post_fields(&b, "/editor/articles/1/autosave", &fields).await;
        assert_eq!(json(&saved)["revision"].as_i64().unwrap(), revision, "the same autosave, rewritten");
        let page = b.get(edit).await;
        assert_eq!(page.texts(".revisions a"), vec!["Autosave"]);
        // Offered back on the editor page (to its author only), and loaded.
        let offer = page.attrs(".autosave-offer a", "href");
        assert_eq!(offer, vec![format!("{edit}?restore={revision}")]);
        let ben = logged_in_as(&app, BEN, BEN_PASSWORD).await;
        assert!(ben.get(edit).await.attrs(".autosave-offer a", "href").is_empty());
        let loaded = b.get(&offer[0]).await;
        assert!(loaded.texts(".notice")[0].starts_with("Restored autosave"), "{:?}", loaded.texts(".notice"));
        assert_eq!(loaded.attrs("input#f-title", "value"), vec!["Night drives, typing"]);
        assert_eq!(loaded.raw_texts("textarea#f-body")[0].trim_start_matches('\n'), typed);
        // Saving makes it the list's; the autosave is done with.
        assert_eq!(submit_on(&b, &loaded, &[], "save").await.status, 303);
        let public = app.get("/articles/night-drives").await;
        assert_eq!((public.status, public.texts("h1")), (200, vec!["Night drives, typing".to_string()]));
        let page = b.get(edit).await;
        assert_eq!(page.texts(".revisions a"), vec!["Revision 1"]);
        assert!(page.attrs(".autosave-offer a", "href").is_empty());

        // An autosave from a form opened before that save says it is stale
        // (its save would be refused) and is kept all the same.
        let stale = post_fields(&b, "/editor/articles/1/autosave", &fields).await;
        assert_eq!(json(&stale)["stale"], true);
        // Without the form's token: refused.
        let no_token: Vec<(String, String)> = fields.iter().filter(|(k, _)| k != "csrf").cloned().collect();
        assert_eq!(post_fields(&b, "/editor/articles/1/autosave", &no_token).await.status, 403);
        assert_eq!(post_fields(&b, "/editor/articles/999/autosave", &fields).await.status, 404);

        // A list not saved yet becomes a draft, whatever its publish time.
        let new = b.get("/editor/articles/new").await;
        let untitled = common::desk::form_fields(&new, &[("body", "Notes.")]);
        let refused = post_fields(&b, "/editor/articles/autosave", &untitled).await;
        assert_eq!(refused.status, 422);
        assert!(json(&refused)["error"].as_str().unwrap().contains("title"));
        let fresh = common::desk::form_fields(
            &new,
            &[
                ("title", "Typed in one go"),
                ("published", "2020-01-01T09:00"),
                ("body", "## Psycho {soundtrack=psycho-1960}\n\nStrings.\n"),
            ],
        );
        let created = post_fields(&b, "/editor/articles/autosave", &fresh).await;
        assert_eq!(created.status, 201, "{}", created.body);
        let answer = json(&created);
        let edit_new = answer["edit"].as_str().unwrap().to_owned();
        assert_eq!(answer["slug"], "typed-in-one-go");
        assert_eq!(app.get("/articles/typed-in-one-go").await.status, 404);
        let page = b.get(&edit_new).await;
        assert_eq!(page.texts("h1 .status"), vec!["draft"]);
        assert_eq!(page.attrs("input[name=version]", "value"), vec![answer["version"].to_string()]);
        app.finish().await;
    }
}

#[actix_web::test]
async fn leaving_the_page_without_javascript_keeps_the_draft() {
    for backend in backends().await {
        let f = fixture();
        let app = with_editor(backend, f.path()).await;
        let b = logged_in(&app).await;

        // A new list: Preview saves it as a draft first (never published,
        // whatever time the form has) and the page goes on as that article.
        let new = b.get("/editor/articles/new").await;
        let fields = [
            ("title", "Kept by preview"),
            ("list", "ranked"),
            ("published", "2020-01-01T09:00"),
            ("body", "## Psycho {soundtrack=psycho-1960}\n\nStrings.\n"),
        ];
        let preview = submit_on(&b, &new, &fields, "preview").await;
        assert_eq!(preview.status, 200);
        assert!(preview.texts(".notice")[0].contains("Saved as a draft"), "{:?}", preview.texts(".notice"));
        assert_eq!(preview.texts(".preview .entry .rank"), vec!["1"]);
        let action = preview.attrs("form.desk-form", "action")[0].clone();
        assert!(action.starts_with("/editor/articles/") && action != "/editor/articles", "{action}");
        assert_eq!(app.get("/articles/kept-by-preview").await.status, 404);
        assert_eq!(b.get(&action).await.texts("h1 .status"), vec!["draft"]);
        assert_eq!(
            preview.attrs("input#f-published", "value"),
            vec!["2020-01-01T09:00"],
            "the form keeps what was typed"
        );

        // A published list: Find records keeps the text as an autosave;
        // readers see nothing of it until a save.
        let edit = "/editor/articles/1";
        let page = b.get(edit).await;
        let typed = BODY.replace("Synths.", "Synths, typed before a search.");
        let found = submit_on(&b, &page, &[("body", typed.as_str()), ("find", "psy")], "find").await;
        assert_eq!(found.status, 200);
        assert!(found.texts(".notice")[0].contains("autosave"), "{:?}", found.texts(".notice"));
        assert_eq!(found.attrs(".found button", "value"), vec!["add:psycho-1960"]);
        assert!(!app.get("/articles/night-drives").await.body.contains("typed before a search"));
        assert_eq!(b.get(edit).await.texts(".revisions a")[0], "Autosave");

        // Create a record: the text is kept, the record form leads back to it.
        let typed = BODY.replace("Synths.", "Synths, and a record to come.");
        let off = submit_on(&b, &found, &[("body", typed.as_str())], "create-record").await;
        assert_eq!(off.status, 303, "{}", off.body);
        let to = off.header("location").unwrap();
        assert!(to.starts_with("/editor/records/new?back=%2Feditor%2Farticles%2F1%3Frestore%3D"), "{to}");
        let record_form = b.get(&to).await;
        let back = record_form.attrs(".back-to-list a", "href")[0].clone();
        assert!(back.starts_with("/editor/articles/1?restore="), "{back}");
        let record = [
            ("title", "Alien"),
            ("film_title", "Alien"),
            ("film_year", "1979"),
            ("director", "Ridley Scott"),
            ("composers", "Jerry Goldsmith"),
            ("track-0-title", "Main Title"),
        ];
        let created = submit_on(&b, &record_form, &record, "save").await;
        assert_eq!(created.status, 303, "{}", created.body);
        let record_page = b.get(&created.header("location").unwrap()).await;
        assert_eq!(record_page.attrs(".back-to-list a", "href"), vec![back.clone()]);
        let again = b.get(&back).await;
        assert_eq!(again.raw_texts("textarea#f-body")[0].trim_start_matches('\n'), typed);
        assert!(again.texts(".notice")[0].starts_with("Restored autosave"));
        // Only desk article pages are ever a way back.
        let elsewhere = b.get("/editor/records/new?back=https%3A%2F%2Fevil.example%2F").await;
        assert!(elsewhere.attrs(".back-to-list a", "href").is_empty());

        // A new list without a title cannot be kept: the record form waits.
        let new = b.get("/editor/articles/new").await;
        let refused = submit_on(&b, &new, &[("body", "Notes to keep.")], "create-record").await;
        assert_eq!(refused.status, 422);
        assert_eq!(refused.raw_texts("textarea#f-body")[0].trim_start_matches('\n'), "Notes to keep.");
        app.finish().await;
    }
}
