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
