//! The editor desk's test helpers: a site with accounts, logging in, and
//! submitting the desk's forms as a browser would.

use std::path::Path;

use cuesheet::auth::Role;
use cuesheet::config::SiteConfig;

use super::{Backend, Browser, Fixture, Page, TestApp, submit_on};

pub const EMAIL: &str = "eda@example.com";
pub const PASSWORD: &str = "a long and secret passphrase";

/// A site with `content` imported and one account, Eda, its admin (the
/// first account of a site is).
pub async fn with_editor(backend: Backend, content: &Path) -> TestApp {
    let config = SiteConfig { comment_interval: 0, comment_min_seconds: 0, ..SiteConfig::default() };
    let app = TestApp::with_config(backend, config).await;
    app.import(content).await.unwrap();
    add_account(&app, EMAIL, "Eda Editor", PASSWORD, Role::Editor).await;
    app
}

/// Adds an account straight into the database; returns its id.
pub async fn add_account(app: &TestApp, email: &str, name: &str, password: &str, role: Role) -> i64 {
    let hash = cuesheet::auth::hash_password(password).unwrap();
    cuesheet::db::editors::create(&app.db, email, name, &hash, role, cuesheet::db::now()).await.unwrap().unwrap().id
}

/// Logs Eda in and returns the browser.
pub async fn logged_in(app: &TestApp) -> Browser<'_> {
    logged_in_as(app, EMAIL, PASSWORD).await
}

/// Logs an account in and returns the browser.
pub async fn logged_in_as<'a>(app: &'a TestApp, email: &str, password: &str) -> Browser<'a> {
    let b = Browser::new(app);
    let page = login(&b, email, password).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(page.header("location").unwrap(), "/editor");
    b
}

pub async fn login(b: &Browser<'_>, email: &str, password: &str) -> Page {
    let form = b.get("/editor/login").await;
    let csrf = form.attrs("input[name=csrf]", "value")[0].clone();
    b.post("/editor/login", &[("csrf", &csrf), ("email", email), ("password", password)]).await
}

/// Submits the form found at `page_path` (first `form.desk-form`) with
/// `fields` changed and the button `action` pressed.
pub async fn submit(b: &Browser<'_>, page_path: &str, fields: &[(&str, &str)], action: &str) -> Page {
    let page = b.get(page_path).await;
    assert_eq!(page.status, 200, "{page_path}");
    submit_on(b, &page, fields, action).await
}

/// Posts `fields` with the CSRF token of the page at `page_path`.
pub async fn post_from(b: &Browser<'_>, page_path: &str, target: &str, fields: &[(&str, &str)]) -> Page {
    let page = b.get(page_path).await;
    assert_eq!(page.status, 200, "{page_path}");
    let csrf = page.attrs("form.logout input[name=csrf]", "value")[0].clone();
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    b.post(target, &all).await
}

/// Three records and one published ranked list of two of them.
pub fn fixture() -> Fixture {
    let f = Fixture::new();
    f.record("drive-2011", "Drive", 2011).record("jaws-1975", "Jaws", 1975).record("psycho-1960", "Psycho", 1960);
    f.article(
        "night-drives",
        "Night drives",
        "published = \"2026-03-01T10:00:00Z\"\nlist = \"ranked\"",
        "Intro.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n\n## Jaws {soundtrack=jaws-1975}\n\nTwo notes.\n",
    );
    f
}

/// The desk form's hidden fields and its fields as `(name, value)` pairs,
/// with `changes` applied: what a script posting the form sends.
pub fn form_fields(page: &Page, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for name in
        ["csrf", "version", "title", "slug", "description", "author", "tags", "published", "feature", "feature_alt"]
    {
        let value = page.attrs(&format!("form.desk-form input[name={name}]"), "value").into_iter().next();
        fields.push((name.into(), value.unwrap_or_default()));
    }
    fields.push(("list".into(), page.attrs("select#f-list option[selected]", "value")[0].clone()));
    fields.push(("body".into(), page.raw_texts("textarea#f-body")[0].trim_start_matches('\n').to_owned()));
    for (k, v) in changes {
        fields.retain(|(name, _)| name != k);
        fields.push(((*k).into(), (*v).into()));
    }
    fields
}
