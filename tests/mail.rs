//! Mail against a real SMTP server (`tests/smtp/sink.py`, aiosmtpd) on both
//! backends: double opt-in, reply notifications and one-click unsubscribe,
//! the moderators' digest, password resets, the SMTP server down for a
//! while, and a node killed between writing a mail and sending it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::mail::{SmtpSink, free_port, outbox_settled};
use common::node::Node;
use common::{Backend, Browser, TestApp, backends, desk};
use cuesheet::auth::Role;
use cuesheet::config::{MailConfig, SiteConfig};

const LIST: &str = "/articles/night-drives";
const WAIT: Duration = Duration::from_secs(30);

fn config(smtp: &str, digest_minutes: i64) -> SiteConfig {
    SiteConfig {
        comment_interval: 0,
        comment_min_seconds: 0,
        mail: MailConfig {
            smtp_url: Some(smtp.to_owned()),
            mail_from: Some("Cuesheet <desk@cuesheet.example>".into()),
            digest_minutes,
            ..MailConfig::default()
        },
        ..SiteConfig::default()
    }
}

async fn site(backend: Backend, smtp: &str, digest_minutes: i64) -> (TestApp, common::Fixture) {
    let f = desk::fixture();
    let app = TestApp::with_config(backend, config(smtp, digest_minutes)).await;
    app.import(f.path()).await.unwrap();
    (app, f)
}

/// The id a comment post redirected to.
fn posted_id(page: &common::Page) -> i64 {
    assert_eq!(page.status, 303, "{}", page.body);
    page.header("location").unwrap().rsplit("#comment-").next().unwrap().parse().unwrap()
}

/// The path and query of an absolute link.
fn path_of(link: &str) -> String {
    let after_scheme = link.split_once("://").map_or(link, |(_, rest)| rest);
    after_scheme.find('/').map_or("/".into(), |i| after_scheme[i..].to_owned())
}

#[actix_web::test]
async fn a_reply_is_mailed_after_double_opt_in_until_one_click_unsubscribe() {
    for backend in backends().await {
        // A server of its own per backend, so each run reads only its mail.
        let Some(sink) = SmtpSink::start() else { return };
        let (app, _f) = site(backend, &sink.url(), 30).await;
        let ana = Browser::new(&app);
        let bo = Browser::new(&app);
        // The box is offered, unticked.
        let page = ana.get(LIST).await;
        assert_eq!(page.attrs("input#notify", "type"), ["checkbox"]);
        assert!(page.attrs("input#notify[checked]", "type").is_empty());

        let fields = [("author", "Ana"), ("email", "Ana@Example.com"), ("comment", "Drive first."), ("notify", "1")];
        let first = posted_id(&ana.comment(LIST, &fields).await);
        let confirm = sink.wait_for("ana@example.com", 1, WAIT).await.remove(0);
        assert!(confirm.subject().contains("Confirm"), "{confirm:?}");
        assert!(!confirm.headers.contains_key("list-unsubscribe"));
        assert!(confirm.headers.get("from").unwrap().contains("desk@cuesheet.example"));
        // Asking again before confirming sends no second confirmation.
        let again = [("author", "Ana"), ("email", "ana@example.com"), ("comment", "Jaws too."), ("notify", "1")];
        posted_id(&ana.comment(LIST, &again).await);

        // Before confirming, a reply sends nothing.
        let first_s = first.to_string();
        let early = [
            ("author", "Bo"),
            ("email", "bo@example.com"),
            ("comment", "Too early to hear of."),
            ("comment_parent", first_s.as_str()),
        ];
        posted_id(&bo.comment(LIST, &early).await);

        // Confirming: the link shows a button, the button confirms.
        let link = confirm.link("/mail/confirm?").expect("a confirm link");
        let shown = ana.get(&link.clone()).await;
        assert_eq!(shown.status, 200, "{link}: {}", shown.texts("main").join(" "));
        assert!(shown.header("set-cookie").is_none());
        let action = shown.attrs("main form, form[method=post]", "action").pop().unwrap().replace("&amp;", "&");
        let done = ana.post(&action, &[]).await;
        assert_eq!(done.status, 200, "{}", done.body);
        assert!(done.body.contains("Replies by email: on"));
        // A forged link is refused.
        let forged = ana.get("/mail/confirm?email=eve%40example.com&sig=00").await;
        assert_eq!(forged.status, 404);

        // Bo's reply now: one mail, with the reply, a link to it, and a signed unsubscribe.
        let text = "Agreed, **the synths** carry it.";
        let reply_fields =
            [("author", "Bo"), ("email", "bo@example.com"), ("comment", text), ("comment_parent", first_s.as_str())];
        let reply_id = posted_id(&bo.comment(LIST, &reply_fields).await);
        let mails = sink.wait_for("ana@example.com", 2, WAIT).await;
        let note = &mails[1];
        assert!(note.subject().contains("Bo replied to you"), "{note:?}");
        assert!(note.text.contains("the synths"));
        assert!(note.html.contains("<strong>the synths</strong>"), "{}", note.html);
        assert!(note.text.contains(&format!("/articles/night-drives#comment-{reply_id}")));
        assert!(!note.text.contains("bo@example.com") && !note.html.contains("bo@example.com"));
        let unsubscribe = note.headers.get("list-unsubscribe").unwrap().trim_matches(['<', '>']).to_owned();
        assert_eq!(note.headers.get("list-unsubscribe-post").unwrap(), "List-Unsubscribe=One-Click");
        assert!(note.text.contains(&unsubscribe));

        // Replying to yourself sends nothing.
        let own = [
            ("author", "Ana"),
            ("email", "ana@example.com"),
            ("comment", "Thanks, Bo!"),
            ("comment_parent", first_s.as_str()),
        ];
        posted_id(&ana.comment(LIST, &own).await);

        // One click, as a mail client sends it: no browser headers, no cookie.
        let res = app
            .client
            .post(format!("{}{}", app.base, path_of(&unsubscribe)))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .send_body("List-Unsubscribe=One-Click")
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        // On another node too (the same link, signed by the shared secret).
        let other = app.second_node().await;
        let there = Browser::new(&other).get(&path_of(&unsubscribe)).await;
        assert_eq!(there.status, 200, "{}", there.body);
        other.finish().await;

        // The next reply sends nothing.
        let later = [
            ("author", "Bo"),
            ("email", "bo@example.com"),
            ("comment", "One more thing."),
            ("comment_parent", first_s.as_str()),
        ];
        posted_id(&bo.comment(LIST, &later).await);
        outbox_settled(&app.db, WAIT).await;
        let all = sink.to("ana@example.com");
        assert_eq!(all.len(), 2, "{backend:?}: {all:#?}");
        let replies: i64 = sqlx::query_scalar("select count(*) from outbox where kind = 'reply'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(replies, 1, "{backend:?}");
        app.finish().await;
    }
}

#[actix_web::test]
async fn moderators_get_one_digest_of_held_comments_per_interval() {
    for backend in backends().await {
        // A server of its own per backend, so each run reads only its mail.
        let Some(sink) = SmtpSink::start() else { return };
        let (app, _f) = site(backend, &sink.url(), 60).await;
        desk::add_account(&app, desk::EMAIL, "Eda Editor", desk::PASSWORD, Role::Editor).await;
        desk::add_account(&app, "cy@example.com", "Cy", desk::PASSWORD, Role::Contributor).await;
        let b = Browser::new(&app);
        let held = "See [one](https://a.example) and [two](https://b.example).";
        let id =
            posted_id(&b.comment(LIST, &[("author", "Dee"), ("email", "dee@example.com"), ("comment", held)]).await);
        let digest = sink.wait_for(desk::EMAIL, 1, WAIT).await.remove(0);
        assert!(digest.subject().contains("1 comment waiting"), "{digest:?}");
        assert!(digest.text.contains("Dee on “Night drives”"), "{}", digest.text);
        let link = digest.link("/editor/comments").unwrap();
        assert!(link.ends_with(&format!("#mod-{id}")), "{link}");
        // The link leads to the desk, through the login.
        let anonymous = b.get(&link.clone()).await;
        assert_eq!(anonymous.status, 303);
        let eda = desk::logged_in(&app).await;
        let desk_page = eda.get(&link.clone()).await;
        assert_eq!(desk_page.status, 200);
        assert!(desk_page.body.contains(&format!("id=\"mod-{id}\"")));

        outbox_settled(&app.db, WAIT).await;
        // Another held comment within the interval: no second digest now,
        // one is due an interval after the first.
        let held2 = "More [one](https://c.example) and [two](https://d.example).";
        posted_id(&b.comment(LIST, &[("author", "Dee"), ("email", "dee@example.com"), ("comment", held2)]).await);
        let (sent, next_at): (i64, i64) = sqlx::query_as(
            "select (select max(sent_at) from outbox where kind = 'digest'), next_at from outbox where kind = 'digest' and sent_at is null",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(next_at, sent + 3600, "{backend:?}");
        // An approved comment causes no digest; contributors get none.
        posted_id(&b.comment(LIST, &[("author", "Dee"), ("email", "dee@example.com"), ("comment", "Plain.")]).await);
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(sink.to(desk::EMAIL).len(), 1);
        assert!(sink.to("cy@example.com").is_empty());
        app.finish().await;
    }
}

#[actix_web::test]
async fn a_forgotten_password_is_reset_once_by_a_link_valid_for_an_hour() {
    for backend in backends().await {
        // A server of its own per backend, so each run reads only its mail.
        let Some(sink) = SmtpSink::start() else { return };
        let (app, _f) = site(backend, &sink.url(), 30).await;
        desk::add_account(&app, desk::EMAIL, "Eda Editor", desk::PASSWORD, Role::Editor).await;
        let b = Browser::new(&app);
        let login = b.get("/editor/login").await;
        assert!(login.attrs("a[href='/editor/forgot']", "href").len() == 1);
        // The same answer for an address with and without an account.
        let ask = |email: &'static str| {
            let b = &b;
            async move {
                let form = b.get("/editor/forgot").await;
                let csrf = form.attrs("input[name=csrf]", "value")[0].clone();
                b.post("/editor/forgot", &[("csrf", &csrf), ("email", email)]).await
            }
        };
        let known = ask("EDA@example.com").await;
        let unknown = ask("nobody@example.com").await;
        assert_eq!((known.status, unknown.status), (200, 200));
        assert_eq!(
            known.texts(".notice")[0].replace("eda@example.com", "X"),
            unknown.texts(".notice")[0].replace("nobody@example.com", "X")
        );
        let mail = sink.wait_for(desk::EMAIL, 1, WAIT).await.remove(0);
        let link = mail.link("/editor/reset?token=").unwrap();
        let token = link.rsplit('=').next().unwrap().to_owned();
        // Only the token's hash is stored.
        let stored: Vec<String> =
            sqlx::query_scalar("select token_hash from password_resets").fetch_all(&app.db.pool).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_ne!(stored[0], token);
        outbox_settled(&app.db, WAIT).await;
        let texts: i64 = sqlx::query_scalar("select count(*) from outbox where body_text is not null")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(texts, 0, "a sent mail's text is dropped");

        let form = b.get(&link.clone()).await;
        assert_eq!(form.status, 200);
        let csrf = form.attrs("input[name=csrf]", "value")[0].clone();
        let new = "an even longer secret passphrase";
        let short = b
            .post(
                "/editor/reset",
                &[("csrf", &csrf), ("token", &token), ("password", "short"), ("password_again", "short")],
            )
            .await;
        assert_eq!(short.status, 422);
        let done = b
            .post("/editor/reset", &[("csrf", &csrf), ("token", &token), ("password", new), ("password_again", new)])
            .await;
        assert_eq!(done.status, 200, "{}", done.body);
        // Once only.
        let again = b
            .post("/editor/reset", &[("csrf", &csrf), ("token", &token), ("password", new), ("password_again", new)])
            .await;
        assert_eq!(again.status, 404);
        assert_eq!(b.get(&link.clone()).await.status, 404);
        assert_eq!(desk::login(&Browser::new(&app), desk::EMAIL, desk::PASSWORD).await.status, 401);

        // An admin mails one from the desk; an expired link is refused.
        let admin = desk::logged_in_as(&app, desk::EMAIL, new).await;
        let ed = desk::add_account(&app, "ed@example.com", "Ed", desk::PASSWORD, Role::Editor).await;
        let page = admin.get("/editor/people").await;
        let csrf = page.attrs("form.person-actions input[name=csrf]", "value")[0].clone();
        let sent = admin.post(&format!("/editor/people/{ed}"), &[("csrf", &csrf), ("action", "send-reset-link")]).await;
        assert_eq!(sent.status, 303, "{}", sent.body);
        let mail = sink.wait_for("ed@example.com", 1, WAIT).await.remove(0);
        let link = mail.link("/editor/reset?token=").unwrap();
        sqlx::query("update password_resets set expires_at = created_at - 1").execute(&app.db.pool).await.unwrap();
        assert_eq!(b.get(&link.clone()).await.status, 404);
        app.finish().await;
    }
}

#[actix_web::test]
async fn mail_waits_while_the_smtp_server_is_down_and_goes_out_when_it_returns() {
    if !SmtpSink::available() {
        return;
    }
    for backend in backends().await {
        let mut sink = SmtpSink::stopped(free_port());
        let (app, _f) = site(backend, &sink.url(), 30).await;
        let b = Browser::new(&app);
        let fields = [("author", "Ana"), ("email", "ana@example.com"), ("comment", "Drive first."), ("notify", "1")];
        posted_id(&b.comment(LIST, &fields).await);
        // The sender tries, fails, and keeps the mail with its error.
        let start = std::time::Instant::now();
        loop {
            let tried: Option<String> = sqlx::query_scalar("select last_error from outbox where kind = 'confirm'")
                .fetch_one(&app.db.pool)
                .await
                .unwrap();
            if tried.is_some() {
                break;
            }
            assert!(start.elapsed() < WAIT, "{backend:?}: the sender never tried");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(sink.up());
        let mails = sink.wait_for("ana@example.com", 1, Duration::from_secs(60)).await;
        assert!(mails[0].subject().contains("Confirm"));
        outbox_settled(&app.db, WAIT).await;
        assert_eq!(sink.to("ana@example.com").len(), 1);
        app.finish().await;
    }
}

/// A `cuesheet serve` process mailing through `smtp`.
fn spawn_node(database_url: &str, smtp: &str) -> Node {
    let args = ["--workers", "1", "--comment-interval", "0", "--comment-min-seconds", "0"];
    Node::spawn(database_url, &args, &[("CUESHEET_SMTP_URL", smtp)])
}

#[actix_web::test]
async fn a_mail_written_before_a_crash_goes_out_once_after_the_restart() {
    if !SmtpSink::available() {
        return;
    }
    for backend in backends().await {
        let f = desk::fixture();
        let app = TestApp::empty(backend).await;
        app.import(f.path()).await.unwrap();
        let mut sink = SmtpSink::stopped(free_port());
        // The SMTP server is down: the mail is written and not sent.
        let mut node = spawn_node(&app.database_url, &sink.url());
        let reader = common::remote::Remote::new(&node.base);
        let fields = [("author", "Ana"), ("email", "ana@example.com"), ("comment", "Drive first."), ("notify", "1")];
        let page = reader.comment(LIST, &fields).await;
        assert_eq!(page.status, 303, "{}", page.body);
        let queued: i64 = sqlx::query_scalar("select count(*) from outbox where sent_at is null")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(queued, 1, "{backend:?}");
        // Killed once its first attempt failed: the mail is committed, not sent.
        let start = std::time::Instant::now();
        loop {
            let failed: i64 = sqlx::query_scalar(
                "select count(*) from outbox where attempts >= 1 and locked_until = 0 and sent_at is null",
            )
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
            if failed == 1 {
                break;
            }
            assert!(start.elapsed() < WAIT, "{backend:?}: the node never tried to send");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        node.kill();

        assert!(sink.up());
        let mut node = spawn_node(&app.database_url, &sink.url());
        // Generous: were it killed mid-attempt, the mail waits out its lease.
        let mails = sink.wait_for("ana@example.com", 1, Duration::from_secs(180)).await;
        assert!(mails[0].subject().contains("Confirm"));
        outbox_settled(&app.db, WAIT).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_eq!(sink.to("ana@example.com").len(), 1, "{backend:?}");
        node.kill();
        app.finish().await;
    }
}

#[actix_web::test]
async fn an_address_past_its_hourly_share_waits_for_its_next_mail() {
    for backend in backends().await {
        let Some(sink) = SmtpSink::start() else { return };
        let mut config = config(&sink.url(), 30);
        config.mail.mail_per_address_hour = 1;
        let f = desk::fixture();
        let app = TestApp::with_config(backend, config).await;
        app.import(f.path()).await.unwrap();
        desk::add_account(&app, desk::EMAIL, "Eda Editor", desk::PASSWORD, Role::Editor).await;
        let b = Browser::new(&app);
        for _ in 0..2 {
            let form = b.get("/editor/forgot").await;
            let csrf = form.attrs("input[name=csrf]", "value")[0].clone();
            assert_eq!(b.post("/editor/forgot", &[("csrf", &csrf), ("email", desk::EMAIL)]).await.status, 200);
        }
        sink.wait_for(desk::EMAIL, 1, WAIT).await;
        // The second is postponed, not dropped: due again minutes from now.
        let start = std::time::Instant::now();
        loop {
            let later: i64 = sqlx::query_scalar(
                "select count(*) from outbox where sent_at is null and failed_at is null and next_at > $1",
            )
            .bind(cuesheet::db::now() + 120)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
            if later == 1 {
                break;
            }
            assert!(start.elapsed() < WAIT, "{backend:?}: the second mail was not postponed");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(sink.to(desk::EMAIL).len(), 1, "{backend:?}");
        app.finish().await;
    }
}
