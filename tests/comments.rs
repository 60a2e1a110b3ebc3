//! Reader comments through the real HTTP stack and database: posting,
//! threading, the spam rules, CSRF, limits, and never losing a word.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Backend, Browser, Fixture, TestApp, backends};
use cuesheet::config::SiteConfig;

const LIST: &str = "/articles/night-drives";
const OTHER: &str = "/articles/other-list";

fn fixture() -> Fixture {
    let f = Fixture::new();
    f.record("drive-2011", "Drive", 2011).record("jaws-1975", "Jaws", 1975);
    f.article(
        "night-drives",
        "Night drives",
        "published = \"2026-03-01T10:00:00Z\"\nlist = \"ranked\"",
        "Intro.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n\n## Jaws {soundtrack=jaws-1975}\n\nTwo notes.\n",
    );
    f.article("other-list", "Other list", "published = \"2026-02-01T10:00:00Z\"", "Just prose.\n");
    f
}

/// Settings that let a test post freely: no flood interval, no fill time.
fn relaxed() -> SiteConfig {
    SiteConfig { comment_interval: 0, comment_min_seconds: 0, ..SiteConfig::default() }
}

async fn start(backend: Backend, config: SiteConfig) -> (TestApp, Fixture) {
    let f = fixture();
    let app = TestApp::with_config(backend, config).await;
    app.import(f.path()).await.unwrap();
    (app, f)
}

fn comment_id(page: &common::Page) -> i64 {
    assert_eq!(page.status, 303, "{}", page.body);
    let location = page.header("location").unwrap();
    let (path, anchor) = location.split_once("#comment-").unwrap_or_else(|| panic!("{location}"));
    assert_eq!(path, LIST);
    anchor.parse().unwrap()
}

fn ana(text: &str) -> Vec<(&str, &str)> {
    vec![("author", "Ana"), ("email", "ana.secret@example.com"), ("comment", text)]
}

async fn count_comments(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from comments").fetch_one(&app.db.pool).await.unwrap()
}

#[actix_web::test]
async fn replies_nest_inside_the_comment_they_answer() {
    for backend in backends().await {
        let (app, _f) = start(backend, relaxed()).await;
        let ana_b = Browser::new(&app);
        let ben_b = Browser::new(&app);
        let a = comment_id(&ana_b.comment(LIST, &ana("First!")).await);
        // Reply through the no-JavaScript link: the page with ?replytocom.
        let reply_link = ben_b.get(LIST).await.attrs(&format!("#comment-{a} .reply"), "href")[0].clone();
        let page = ben_b.get(&reply_link).await;
        assert_eq!(page.texts("#reply-title"), vec!["Reply to Ana"]);
        assert_eq!(page.attrs("input[name=comment_parent]", "value"), vec![a.to_string()]);
        let b = comment_id(
            &ben_b
                .comment(&reply_link, &[("author", "Ben"), ("email", "ben@example.com"), ("comment", "Reply to Ana")])
                .await,
        );
        let reply2 = format!("{LIST}?replytocom={b}");
        let c = comment_id(&ana_b.comment(&reply2, &ana("Reply to Ben")).await);
        let d = comment_id(&ana_b.comment(LIST, &ana("Another top-level one")).await);

        let page = Browser::new(&app).get(LIST).await;
        // b inside a, c inside b, d at the top.
        assert_eq!(page.attrs(&format!("#comment-{a} > ol.replies > li"), "id"), vec![format!("comment-{b}")]);
        assert_eq!(page.attrs(&format!("#comment-{b} > ol.replies > li"), "id"), vec![format!("comment-{c}")]);
        let top: Vec<String> = page.attrs("ol.comment-list > li", "id");
        assert_eq!(top, vec![format!("comment-{a}"), format!("comment-{d}")]);
        assert_eq!(page.texts("#comments-title"), vec!["4 comments"]);
        // Author, permalink, body.
        assert_eq!(page.attrs(&format!("#comment-{b} .comment-date"), "href")[0], format!("#comment-{b}"));
        assert_eq!(page.texts(&format!("#comment-{c} > .comment-body .comment-text"))[0], "Reply to Ben");
        // The home page counts them.
        let home = Browser::new(&app).get("/").await;
        assert!(home.texts(".summary .meta")[0].contains("4 comments"), "{:?}", home.texts(".summary .meta"));
        // A parent from another article, or none at all, is refused with the text kept.
        for (parent, message) in [(a.to_string(), "not on this article"), ("99999".to_string(), "does not exist")] {
            let fields = vec![
                ("author", "Cy"),
                ("email", "cy@example.com"),
                ("comment", "Orphan text"),
                ("comment_parent", parent.as_str()),
            ];
            let page = Browser::new(&app).comment(OTHER, &fields).await;
            assert_eq!(page.status, 422, "{message}");
            assert!(page.texts("#comment-error")[0].contains(message));
            assert_eq!(page.texts("textarea#comment"), vec!["Orphan text"]);
        }
        app.finish().await;
    }
}

#[actix_web::test]
async fn a_comment_can_be_about_one_entry() {
    for backend in backends().await {
        let (app, _f) = start(backend, relaxed()).await;
        let b = Browser::new(&app);
        let page = b.get(LIST).await;
        let discuss = page.attrs(".entry .discuss a", "href");
        assert_eq!(discuss.len(), 2);
        let page = b.get(&discuss[1]).await;
        assert_eq!(page.attrs("select#entry option[selected]", "value"), vec!["jaws"]);
        let id = comment_id(&b.comment(&discuss[1], &ana("Those two notes")).await);
        let page = Browser::new(&app).get(LIST).await;
        assert_eq!(page.texts(&format!("#comment-{id} .comment-entry")), vec!["on Jaws"]);
        assert_eq!(page.attrs(&format!("#comment-{id} .comment-entry a"), "href"), vec!["#jaws"]);
        let bad =
            b.comment(LIST, &[("author", "A"), ("email", "a@example.com"), ("comment", "x"), ("entry", "nope")]).await;
        assert_eq!(bad.status, 422);
        app.finish().await;
    }
}

#[actix_web::test]
async fn the_email_is_never_shown_and_markup_is_inert() {
    for backend in backends().await {
        let (app, _f) = start(backend, relaxed()).await;
        let b = Browser::new(&app);
        let evil = "<script>alert('body')</script>\n\n[click](javascript:alert(1)) and [also](JaVaScRiPt:alert(1))\n\n\
                    text <img src=x onerror=alert(2)> and <a href=\"http://x.example\" onclick=\"alert(3)\">x</a>\n\n\
                    ![pic](https://img.example/a.png) [ok](https://ok.example)";
        let id = comment_id(
            &b.comment(
                LIST,
                &[
                    ("author", "<b onmouseover=alert(4)>Mallory</b>"),
                    ("email", "mallory.secret@example.com"),
                    ("url", "https://m.example/\"><script>alert(5)</script>"),
                    ("comment", evil),
                ],
            )
            .await,
        );
        for path in [LIST, "/", "/comments.xml", &format!("{LIST}/comments.xml"), "/soundtracks/drive-2011"] {
            let page = Browser::new(&app).get(path).await;
            assert_eq!(page.status, 200, "{path}");
            assert!(!page.body.contains("mallory.secret"), "email leaked on {path}");
        }
        // The commenter's own view does not echo the email either.
        assert!(!b.get(LIST).await.body.contains("mallory.secret"));

        // Several links hold it for moderation: its author still sees it.
        let page = b.get(LIST).await;
        let c = format!("#comment-{id}");
        assert_eq!(page.attrs(&c, "id").len(), 1);
        assert!(page.attrs(&format!("{c} script"), "src").is_empty() && page.texts(&format!("{c} script")).is_empty());
        assert!(page.attrs(&format!("{c} [onerror], {c} [onclick], {c} [onmouseover]"), "id").is_empty());
        assert!(page.texts(&format!("{c} img, {c} b")).is_empty());
        let hrefs = page.attrs(&format!("{c} a[href]"), "href");
        assert!(hrefs.iter().all(|h| !h.to_lowercase().starts_with("javascript")), "{hrefs:?}");
        assert!(hrefs.contains(&"https://ok.example".to_string()), "{hrefs:?}");
        for rel in page.attrs(&format!("{c} .comment-text a, {c} .comment-author a"), "rel") {
            assert_eq!(rel, "nofollow ugc noopener");
        }
        let site = page.attrs(&format!("{c} .comment-author a"), "href");
        assert_eq!(site.len(), 1);
        assert!(site[0].starts_with("https://m.example/") && !site[0].contains('"') && !site[0].contains('<'));
        assert_eq!(page.texts(&format!("{c} .comment-author")), vec!["<b onmouseover=alert(4)>Mallory</b>"]);
        // A website that is not http(s) is refused.
        let bad = b
            .comment(
                LIST,
                &[("author", "M"), ("email", "m@example.com"), ("url", "javascript:alert(1)"), ("comment", "x")],
            )
            .await;
        assert_eq!(bad.status, 422);
        assert!(bad.texts("#url-error")[0].contains("http"));
        app.finish().await;
    }
}

#[actix_web::test]
async fn posts_without_a_valid_csrf_token_are_refused_with_the_text_kept() {
    for backend in backends().await {
        let (app, _f) = start(backend, relaxed()).await;
        let b = Browser::new(&app);
        let form = b.get(LIST).await;
        let started = form.attrs("input[name=started]", "value")[0].clone();
        let action = format!("{LIST}/comments");
        let base =
            [("author", "Ana"), ("email", "ana@example.com"), ("comment", "My careful words"), ("started", &started)];
        // No token; a wrong token; the right token from a browser without the cookie.
        let token = form.attrs("input[name=csrf]", "value")[0].clone();
        let attempts: [(&Browser, Option<&str>); 3] =
            [(&b, None), (&b, Some("00ff")), (&Browser::new(&app), Some(token.as_str()))];
        for (browser, csrf) in attempts {
            let mut fields = base.to_vec();
            if let Some(t) = csrf {
                fields.push(("csrf", t));
            }
            let page = browser.post(&action, &fields).await;
            assert_eq!(page.status, 403);
            assert!(page.texts("h1")[0].contains("could not be accepted"));
            assert!(page.body.contains("security token"));
            assert_eq!(page.texts("textarea#kept"), vec!["My careful words"]);
        }
        assert_eq!(count_comments(&app).await, 0);
        app.finish().await;
    }
}

#[actix_web::test]
async fn flood_and_duplicates_are_refused_with_the_input_kept() {
    for backend in backends().await {
        let (app, _f) = start(backend, SiteConfig { comment_min_seconds: 0, ..SiteConfig::default() }).await;
        let b = Browser::new(&app);
        comment_id(&b.comment(LIST, &ana("One")).await);
        let page = b
            .comment(
                LIST,
                &[
                    ("author", "Ana"),
                    ("email", "ana@example.com"),
                    ("url", "https://ana.example"),
                    ("comment", "Two, too soon"),
                ],
            )
            .await;
        assert_eq!(page.status, 429);
        assert!(page.texts(".form-error")[0].contains("too quickly"));
        assert_eq!(page.texts("textarea#comment"), vec!["Two, too soon"]);
        assert_eq!(page.attrs("input#author", "value"), vec!["Ana"]);
        assert_eq!(page.attrs("input#email", "value"), vec!["ana@example.com"]);
        assert_eq!(page.attrs("input#url", "value"), vec!["https://ana.example"]);
        assert_eq!(count_comments(&app).await, 1);
        app.finish().await;

        let (app, _f) = start(backend, relaxed()).await;
        let b = Browser::new(&app);
        comment_id(&b.comment(LIST, &ana("Same words")).await);
        let page =
            b.comment(LIST, &[("author", "ana "), ("email", "other@example.com"), ("comment", "Same   words")]).await;
        assert_eq!(page.status, 409);
        assert!(page.texts(".form-error")[0].contains("already"));
        assert_eq!(page.raw_texts("textarea#comment"), vec!["Same   words"]);
        assert_eq!(count_comments(&app).await, 1);
        // Someone else may say the same thing.
        comment_id(
            &b.comment(LIST, &[("author", "Ben"), ("email", "ben@example.com"), ("comment", "Same words")]).await,
        );
        app.finish().await;
    }
}

#[actix_web::test]
async fn behind_a_trusted_proxy_flood_control_counts_the_client_address() {
    for backend in backends().await {
        let config = SiteConfig {
            comment_min_seconds: 0,
            trusted_proxy_header: Some("X-Forwarded-For".into()),
            ..SiteConfig::default()
        };
        let (app, _f) = start(backend, config).await;
        let b = Browser::new(&app);
        let form = b.get(LIST).await;
        let csrf = form.attrs("input[name=csrf]", "value")[0].clone();
        let started = form.attrs("input[name=started]", "value")[0].clone();
        let post = |text: &str, from: &str| {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs([
                    ("csrf", csrf.as_str()),
                    ("started", started.as_str()),
                    ("author", "Ana"),
                    ("email", "a@example.com"),
                    ("comment", text),
                ])
                .finish();
            let forwarded = format!("198.51.100.9, {from}");
            let b = &b;
            async move {
                b.post_bytes_with(
                    &format!("{LIST}/comments"),
                    body.into_bytes(),
                    &[("x-forwarded-for", forwarded.as_str())],
                )
                .await
                .status
            }
        };
        // Two readers behind the same proxy are two clients; the same one twice is flooding.
        assert_eq!(post("From the first reader", "203.0.113.1").await, 303);
        assert_eq!(post("From the second reader", "203.0.113.2").await, 303);
        assert_eq!(post("The first reader again", "203.0.113.1").await, 429);
        let ips: Vec<String> =
            sqlx::query_scalar("select ip from comments order by id").fetch_all(&app.db.pool).await.unwrap();
        assert_eq!(ips, vec!["203.0.113.1", "203.0.113.2"]);
        app.finish().await;
    }
}

#[actix_web::test]
async fn ten_identical_posts_at_once_leave_one_comment() {
    for backend in backends().await {
        for config in [relaxed(), SiteConfig { comment_min_seconds: 0, ..SiteConfig::default() }] {
            let (app, _f) = start(backend, config).await;
            let b = Browser::new(&app);
            let form = b.get(LIST).await;
            let csrf = form.attrs("input[name=csrf]", "value")[0].clone();
            let started = form.attrs("input[name=started]", "value")[0].clone();
            let fields = [
                ("csrf", csrf.as_str()),
                ("started", started.as_str()),
                ("author", "Ana"),
                ("email", "a@example.com"),
                ("comment", "Echo"),
            ];
            let action = format!("{LIST}/comments");
            let posts = (0..10).map(|_| b.post(&action, &fields));
            let statuses: Vec<u16> = futures_util::future::join_all(posts).await.iter().map(|p| p.status).collect();
            assert_eq!(statuses.iter().filter(|&&s| s == 303).count(), 1, "{backend:?} {statuses:?}");
            assert!(statuses.iter().all(|s| [303, 409, 429].contains(s)), "{statuses:?}");
            assert_eq!(count_comments(&app).await, 1);
            app.finish().await;
        }
    }
}

#[actix_web::test]
async fn spam_and_held_comments_are_not_public() {
    for backend in backends().await {
        let (app, _f) = start(backend, relaxed()).await;
        let bot = Browser::new(&app);
        let reader = Browser::new(&app);
        // The honeypot: answered as if fine, stored as spam.
        let p = bot
            .comment(
                LIST,
                &[
                    ("author", "Bot"),
                    ("email", "bot@example.com"),
                    ("comment", "Buy now"),
                    ("homepage", "http://spam.example"),
                ],
            )
            .await;
        assert_eq!(p.status, 303);
        // A piracy-site token: spam.
        let p = bot
            .comment(
                LIST,
                &[("author", "Bot2"), ("email", "bot2@example.com"), ("comment", "Watch it free on LK21 today")],
            )
            .await;
        assert_eq!(p.status, 303);
        // Two links: held, shown only to its author.
        let author = Browser::new(&app);
        let held = comment_id(
            &author
                .comment(
                    LIST,
                    &[
                        ("author", "Linker"),
                        ("email", "l@example.com"),
                        ("comment", "[a](https://a.example) and [b](https://b.example)"),
                    ],
                )
                .await,
        );
        let statuses: Vec<(String, String)> =
            sqlx::query_as("select author, status from comments order by id").fetch_all(&app.db.pool).await.unwrap();
        assert_eq!(
            statuses,
            vec![("Bot".into(), "spam".into()), ("Bot2".into(), "spam".into()), ("Linker".into(), "pending".into())]
        );
        let public = reader.get(LIST).await;
        assert!(public.texts(".comment").is_empty(), "{:?}", public.texts(".comment"));
        assert!(!public.body.contains("Buy now") && !public.body.contains("LK21"));
        assert_eq!(public.texts("#comments-title"), vec!["No comments yet"]);
        let own = author.get(LIST).await;
        assert!(own.texts(&format!("#comment-{held} .awaiting"))[0].contains("awaiting moderation"));
        for feed in ["/comments.xml", "/articles/night-drives/comments.xml"] {
            let xml = reader.get(feed).await.body;
            assert!(!xml.contains("Linker") && !xml.contains("Buy now"), "{feed}");
        }
        app.finish().await;

        // Too fast for a person: spam.
        let (app, _f) = start(backend, SiteConfig { comment_interval: 0, ..SiteConfig::default() }).await;
        assert_eq!(Browser::new(&app).comment(LIST, &ana("Instant")).await.status, 303);
        let status: String = sqlx::query_scalar("select status from comments").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(status, "spam");
        app.finish().await;

        // Holding first-time commenters.
        let (app, _f) = start(backend, SiteConfig { hold_first_comment: true, ..relaxed() }).await;
        let b = Browser::new(&app);
        let first = comment_id(&b.comment(LIST, &ana("Hello")).await);
        assert!(Browser::new(&app).get(LIST).await.texts(".comment").is_empty());
        sqlx::query("update comments set status = 'approved' where id = $1")
            .bind(first)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let second = comment_id(&b.comment(LIST, &ana("Known now")).await);
        assert_eq!(
            Browser::new(&app).get(LIST).await.attrs(".comment", "id"),
            vec![format!("comment-{first}"), format!("comment-{second}")]
        );
        app.finish().await;
    }
}

#[actix_web::test]
async fn commenters_edit_and_delete_within_fifteen_minutes() {
    for backend in backends().await {
        let (app, _f) = start(backend, relaxed()).await;
        let b = Browser::new(&app);
        let id = comment_id(&b.comment(LIST, &ana("Frist")).await);
        let edit = format!("/comments/{id}/edit");
        let form = b.get(&edit).await;
        assert_eq!(form.status, 200);
        assert_eq!(form.texts("textarea#comment"), vec!["Frist"]);
        let csrf = form.attrs("input[name=csrf]", "value")[0].clone();
        let saved = b.post(&edit, &[("csrf", &csrf), ("comment", "First, *fixed*")]).await;
        assert_eq!(saved.status, 303);
        let page = Browser::new(&app).get(LIST).await;
        assert_eq!(page.texts(&format!("#comment-{id} .comment-text")), vec!["First, fixed"]);
        assert_eq!(page.texts(&format!("#comment-{id} .comment-edited")), vec!["(edited)"]);
        // Another browser cannot.
        let other = Browser::new(&app);
        assert_eq!(other.get(&edit).await.status, 403);
        let other_form = other.get(LIST).await;
        let other_csrf = other_form.attrs("input[name=csrf]", "value")[0].clone();
        assert_eq!(other.post(&edit, &[("csrf", &other_csrf), ("comment", "hijack")]).await.status, 403);
        assert_eq!(other.post(&format!("/comments/{id}/delete"), &[("csrf", &other_csrf)]).await.status, 403);
        // After the window, neither can the author.
        sqlx::query("update comments set created_at = created_at - 901 where id = $1")
            .bind(id)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let late = b.get(&edit).await;
        assert_eq!(late.status, 403);
        assert!(late.body.contains("15 minutes"));
        assert_eq!(b.post(&edit, &[("csrf", &csrf), ("comment", "too late")]).await.status, 403);
        assert!(b.get(LIST).await.attrs(&format!("#comment-{id} a[href='{edit}']"), "href").is_empty());
        // A fresh one can be deleted.
        let id2 = comment_id(&b.comment(LIST, &ana("Regret")).await);
        let gone = b.post(&format!("/comments/{id2}/delete"), &[("csrf", &csrf)]).await;
        assert_eq!(gone.status, 303);
        assert!(Browser::new(&app).get(LIST).await.attrs(&format!("#comment-{id2}"), "id").is_empty());
        // Trashed like any moderation, so a moderator's restore puts it back as it was.
        let (status, from): (String, Option<String>) =
            sqlx::query_as("select status, trashed_from from comments where id = $1")
                .bind(id2)
                .fetch_one(&app.db.pool)
                .await
                .unwrap();
        assert_eq!((status.as_str(), from.as_deref()), ("trash", Some("approved")));
        app.finish().await;
    }
}

#[actix_web::test]
async fn invalid_input_comes_back_with_every_character_kept() {
    for backend in backends().await {
        let (app, _f) = start(backend, relaxed()).await;
        let b = Browser::new(&app);
        // A refused form comes back scrolled to the form, without JavaScript.
        let form = b.get(LIST).await;
        assert_eq!(form.attrs("form.comment-form", "action"), vec![format!("{LIST}/comments#respond")]);
        let typed = "Björk’s “All Is Full of Love” — 🎵 مرحبا שלום";
        let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
            (vec![("author", ""), ("email", "a@example.com"), ("comment", typed)], "#author-error"),
            (vec![("author", "Ana"), ("email", "not-an-email"), ("comment", typed)], "#email-error"),
            (vec![("author", "Ana"), ("email", "a@example.com"), ("comment", "   ")], "#comment-error"),
            (vec![("author", "Ana"), ("email", ""), ("comment", typed)], "#email-error"),
        ];
        for (fields, error) in cases {
            let page = b.comment(LIST, &fields).await;
            assert_eq!(page.status, 422, "{fields:?}");
            assert_eq!(page.texts(error).len(), 1, "{error}");
            let field = error.trim_start_matches('#').trim_end_matches("-error");
            assert_eq!(page.attrs(&format!("#{field}"), "aria-invalid"), vec!["true"]);
            for (k, v) in &fields {
                match *k {
                    "comment" => assert_eq!(page.texts("textarea#comment"), vec![v.trim()]),
                    _ => assert_eq!(page.attrs(&format!("input#{k}"), "value"), vec![*v]),
                }
            }
        }
        // Over the limits.
        let long = "x".repeat(246);
        let page = b.comment(LIST, &[("author", long.as_str()), ("email", "a@example.com"), ("comment", typed)]).await;
        assert_eq!(page.status, 422);
        assert!(page.texts("#author-error")[0].contains("245"));
        assert_eq!(page.texts("textarea#comment"), vec![typed]);
        // A NUL byte, the same way on every backend.
        let page = b.comment(LIST, &[("author", "Ana"), ("email", "a@example.com"), ("comment", "nul\0here")]).await;
        assert_eq!(page.status, 422);
        assert!(page.texts("#comment-error")[0].contains("NUL"));
        // Invalid UTF-8 in one field: that field is flagged, the others kept.
        let form = b.get(LIST).await;
        let csrf = form.attrs("input[name=csrf]", "value")[0].clone();
        let started = form.attrs("input[name=started]", "value")[0].clone();
        let mut raw =
            format!("csrf={csrf}&started={started}&author=Bj%C3%B6rk&email=b%40example.com&comment=").into_bytes();
        raw.extend_from_slice(b"ok%FF%FEthen");
        let page = b.post_bytes(&format!("{LIST}/comments"), raw).await;
        assert_eq!(page.status, 422);
        assert!(page.texts("#comment-error")[0].contains("UTF-8"));
        assert_eq!(page.attrs("input#author", "value"), vec!["Björk"]);
        // A body over 64 KiB: 413, as a page.
        let huge = "y".repeat(70 * 1024);
        let page = b.comment(LIST, &[("author", "Ana"), ("email", "a@example.com"), ("comment", huge.as_str())]).await;
        assert_eq!(page.status, 413);
        assert!(page.texts("h1")[0].contains("Too large"));
        // A comment just under the field limit but within the body limit is fine.
        let big = "z".repeat(60_000);
        assert_eq!(
            b.comment(LIST, &[("author", "Ana"), ("email", "a@example.com"), ("comment", big.as_str())]).await.status,
            303
        );
        assert_eq!(count_comments(&app).await, 1);
        app.finish().await;
    }
}

#[actix_web::test]
async fn unicode_survives_and_remember_me_is_opt_in() {
    for backend in backends().await {
        let (app, _f) = start(backend, relaxed()).await;
        let b = Browser::new(&app);
        let text = "Émilie’s 🎧 take — “Nightcall” ⇒ עברית and العربية, naïve café";
        let name = "Zoë Ångström 🎻";
        let id =
            comment_id(&b.comment(LIST, &[("author", name), ("email", "zoe@example.com"), ("comment", text)]).await);
        assert!(!b.cookies.borrow().contains_key("cuesheet_commenter"));
        let page = Browser::new(&app).get(LIST).await;
        assert_eq!(page.texts(&format!("#comment-{id} .comment-text")), vec![text]);
        assert_eq!(page.texts(&format!("#comment-{id} .comment-author")), vec![name]);
        let stored: (String, String) =
            sqlx::query_as("select author, body from comments").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(stored, (name.to_string(), text.to_string()));
        assert_eq!(b.get(LIST).await.attrs("input#author", "value"), vec![""]);

        // Ticking "remember me" fills the next form, in this browser only.
        comment_id(
            &b.comment(
                LIST,
                &[
                    ("author", name),
                    ("email", "zoe@example.com"),
                    ("url", "https://zoe.example"),
                    ("comment", "again"),
                    ("remember", "1"),
                ],
            )
            .await,
        );
        let next = b.get(LIST).await;
        assert_eq!(next.attrs("input#author", "value"), vec![name]);
        assert_eq!(next.attrs("input#email", "value"), vec!["zoe@example.com"]);
        assert_eq!(next.attrs("input#remember[checked]", "value").len(), 1);
        assert_eq!(Browser::new(&app).get(LIST).await.attrs("input#author", "value"), vec![""]);
        // Unticking forgets.
        comment_id(
            &b.comment(LIST, &[("author", name), ("email", "zoe@example.com"), ("comment", "third"), ("remember", "")])
                .await,
        );
        assert_eq!(b.get(LIST).await.attrs("input#author", "value"), vec![""]);
        app.finish().await;
    }
}

#[actix_web::test]
async fn comment_feeds_are_atom_with_approved_comments_only() {
    for backend in backends().await {
        let (app, _f) = start(backend, relaxed()).await;
        let b = Browser::new(&app);
        comment_id(&b.comment(LIST, &ana("Visible & fine")).await);
        comment_id(
            &b.comment(
                LIST,
                &[
                    ("author", "Held"),
                    ("email", "h@example.com"),
                    ("comment", "[a](https://a.example) [b](https://b.example)"),
                ],
            )
            .await,
        );
        for path in ["/comments.xml", "/articles/night-drives/comments.xml"] {
            let page = b.get(path).await;
            assert_eq!(page.status, 200);
            assert!(page.header("content-type").unwrap().starts_with("application/atom+xml"));
            let feed: atom_syndication::Feed = page.body.parse().unwrap_or_else(|e| panic!("{path}: {e}"));
            assert_eq!(feed.entries().len(), 1, "{path}");
            let entry = &feed.entries()[0];
            assert_eq!(entry.authors()[0].name(), "Ana");
            assert!(entry.authors()[0].email().is_none());
            assert!(entry.content().and_then(|c| c.value()).unwrap().contains("Visible &amp; fine"));
            assert!(!page.body.contains("ana.secret"));
        }
        assert_eq!(b.get("/articles/nope/comments.xml").await.status, 404);
        app.finish().await;
    }
}

#[actix_web::test]
async fn a_deeply_nested_comment_is_refused_before_rendering_with_its_text_kept() {
    for backend in backends().await {
        let (app, _f) = start(backend, relaxed()).await;
        let b = Browser::new(&app);
        // 50 KB of lists in lists on one line: 20,000 levels, which the HTML
        // sanitiser would take seconds over if it were ever rendered.
        let deep = format!("{}end", "1. - ".repeat(10_000));
        let started = std::time::Instant::now();
        let page = b.comment(LIST, &ana(&deep)).await;
        let took = started.elapsed();
        assert_eq!(page.status, 422, "{}", page.body);
        let error = page.texts("#comment-error");
        assert!(error[0].contains("16 levels"), "{error:?}");
        assert_eq!(page.texts("textarea#comment"), vec![deep.as_str()]);
        assert_eq!(count_comments(&app).await, 0);
        // Generous: a refusal is a parse and a page, well under a second even unoptimised.
        assert!(took.as_secs_f64() < 5.0, "{took:?}");
        // Sixteen levels, as deep as any writer goes, are fine.
        let fine = format!("{}fine", "> ".repeat(16));
        assert!(comment_id(&b.comment(LIST, &ana(&fine)).await) > 0);
        app.finish().await;
    }
}
