//! Readers' votes through the real HTTP stack and database: verdicts on
//! ranks, readers' rankings (Borda count) and helpful marks, each sent as a
//! plain form (no JavaScript) and as `static/votes.js` sends it (asking for
//! JSON); one vote per reader, the limits per browser and per address, the
//! thread orders, and the desk's counts and reset.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Backend, Browser, Fixture, Page, TestApp, backends, desk};
use cuesheet::config::{SiteConfig, VoteConfig};

const LIST: &str = "/articles/night-drives";
const JSON: &[(&str, &str)] = &[("accept", "application/json")];

fn fixture() -> Fixture {
    let f = Fixture::new();
    f.record("drive-2011", "Drive", 2011).record("jaws-1975", "Jaws", 1975).record("psycho-1960", "Psycho", 1960);
    f.article(
        "night-drives",
        "Night drives",
        "published = \"2026-03-01T10:00:00Z\"\nlist = \"ranked\"",
        "Intro.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n\n## Jaws {soundtrack=jaws-1975}\n\nTwo notes.\n\n\
         ## Psycho {soundtrack=psycho-1960}\n\nStrings.\n",
    );
    f
}

/// No limits, and totals and the readers' ranking shown after `after` votes.
fn config(after: i64, per_minute: i64) -> SiteConfig {
    SiteConfig {
        comment_interval: 0,
        comment_min_seconds: 0,
        votes: VoteConfig { votes_per_minute: per_minute, vote_totals_after: after, readers_ranking_after: after },
        ..SiteConfig::default()
    }
}

async fn start(backend: Backend, config: SiteConfig) -> (TestApp, Fixture) {
    let f = fixture();
    let app = TestApp::with_config(backend, config).await;
    app.import(f.path()).await.unwrap();
    (app, f)
}

fn json(page: &Page) -> serde_json::Value {
    assert!(page.header("content-type").unwrap_or_default().starts_with("application/json"), "{}", page.body);
    serde_json::from_str(&page.body).unwrap_or_else(|e| panic!("{e}: {}", page.body))
}

fn private(page: &Page) {
    assert_eq!(page.header("cache-control").as_deref(), Some("private, no-store"), "{}", page.body);
}

async fn scalar(app: &TestApp, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.db.pool).await.unwrap()
}

async fn content_version(app: &TestApp) -> i64 {
    scalar(app, "select value from site_state where name = 'content_version'").await
}

async fn vote(b: &Browser<'_>, record: &str, verdict: &str) -> Page {
    b.post(&format!("{LIST}/votes/{record}"), &[("verdict", verdict)]).await
}

#[actix_web::test]
async fn rank_votes_without_javascript_count_once_per_reader() {
    for backend in backends().await {
        let (app, _f) = start(backend, config(2, 0)).await;
        let version = content_version(&app).await;
        let ana = Browser::new(&app);
        let page = vote(&ana, "drive-2011", "too_high").await;
        assert_eq!(page.status, 200, "{}", page.body);
        private(&page);
        assert!(page.body.contains("You said No. 1, Drive, is ranked too high."), "{}", page.body);
        assert!(page.body.contains("show once 2 readers"), "{}", page.body);
        assert_eq!(page.attrs("a[href=\"/articles/night-drives#drive\"]", "href").len(), 1, "{}", page.body);
        // The voter's cookie: set by this answer, HttpOnly, Lax, not the owner cookie.
        let cookie = page.header("set-cookie").unwrap();
        assert!(cookie.starts_with("cuesheet_voter="), "{cookie}");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        let token = ana.cookies.borrow()["cuesheet_voter"].clone();

        // Changing one's mind moves the vote; it is not a second one.
        let page = vote(&ana, "drive-2011", "right").await;
        assert_eq!(page.status, 200);
        assert!(page.header("set-cookie").is_none(), "a known voter keeps their cookie");
        assert!(page.body.contains("show once 2 readers"), "one reader is not yet two: {}", page.body);
        assert_eq!(scalar(&app, "select count(*) from rank_votes").await, 1);
        assert_eq!(scalar(&app, "select too_high from entry_votes").await, 0);
        assert_eq!(scalar(&app, "select just_right from entry_votes").await, 1);
        // Only a keyed hash of the reader's id is stored.
        let stored: String = sqlx::query_scalar("select voter from rank_votes").fetch_one(&app.db.pool).await.unwrap();
        assert_ne!(stored, token);
        assert!(!stored.contains(&token));

        let ben = Browser::new(&app);
        let page = vote(&ben, "drive-2011", "too_low").await;
        assert!(page.body.contains("0 too high · 1 right · 1 too low"), "{}", page.body);

        // The shared page: a form per ranked entry, the totals once there are
        // enough, no cookie, public; votes never move the content clock.
        assert_eq!(content_version(&app).await, version);
        let page = app.get(LIST).await;
        assert_eq!(page.status, 200);
        assert!(page.header("set-cookie").is_none());
        assert!(page.header("cache-control").unwrap().starts_with("public"));
        assert_eq!(page.attrs("form.rank-vote", "action").len(), 3);
        let totals = page.texts("form.rank-vote[data-record=drive-2011] .vote-totals");
        assert_eq!(totals, ["Readers: 0 too high · 1 right · 1 too low"]);
        assert_eq!(page.texts("form.rank-vote[data-record=jaws-1975] .vote-totals"), [""]);
        let buttons = page.texts("form.rank-vote[data-record=jaws-1975] button");
        assert_eq!(buttons[0], "Too high: Jaws at No. 2");

        // Wrong verdicts and entries.
        assert_eq!(vote(&ana, "drive-2011", "meh").await.status, 422);
        assert_eq!(vote(&ana, "nope-2000", "right").await.status, 404);
        assert_eq!(ana.post("/articles/nope/votes/drive-2011", &[("verdict", "right")]).await.status, 404);
        // Another site's page cannot vote for a reader.
        let page = ana
            .post_with(
                &format!("{LIST}/votes/drive-2011"),
                &[("verdict", "too_high")],
                &[("sec-fetch-site", "cross-site")],
            )
            .await;
        assert_eq!(page.status, 403);
        assert_eq!(scalar(&app, "select too_high from entry_votes").await, 0);
        app.finish().await;
    }
}

#[actix_web::test]
async fn rank_votes_with_javascript_answer_json_and_show_the_readers_own() {
    for backend in backends().await {
        let (app, _f) = start(backend, config(2, 0)).await;
        let ana = Browser::new(&app);
        // Before voting: nothing of theirs, and no cookie for asking.
        let mine = ana.get(&format!("{LIST}/my-votes")).await;
        assert_eq!(mine.status, 200);
        private(&mine);
        assert!(mine.header("set-cookie").is_none());
        assert_eq!(json(&mine)["verdicts"], serde_json::json!({}));

        let page = ana.post_with(&format!("{LIST}/votes/jaws-1975"), &[("verdict", "too_low")], JSON).await;
        assert_eq!(page.status, 200, "{}", page.body);
        private(&page);
        let v = json(&page);
        assert_eq!(v["verdict"], "too_low");
        assert_eq!((v["too_low"].as_i64(), v["votes"].as_i64(), v["shown"].as_bool()), (Some(1), Some(1), Some(false)));
        assert!(page.header("set-cookie").unwrap().starts_with("cuesheet_voter="));
        let again = ana.post_with(&format!("{LIST}/votes/jaws-1975"), &[("verdict", "too_low")], JSON).await;
        assert_eq!(json(&again)["votes"], 1, "the same vote twice counts once");

        let ben = Browser::new(&app);
        let v = json(&ben.post_with(&format!("{LIST}/votes/jaws-1975"), &[("verdict", "right")], JSON).await);
        assert_eq!((v["votes"].as_i64(), v["shown"].as_bool()), (Some(2), Some(true)));
        assert_eq!(v["text"], "0 too high · 1 right · 1 too low");

        // Each reader's own votes, for their buttons.
        let mine = json(&ana.get(&format!("{LIST}/my-votes")).await);
        assert_eq!(mine["verdicts"], serde_json::json!({ "jaws-1975": "too_low" }));
        let mine = json(&ben.get(&format!("{LIST}/my-votes")).await);
        assert_eq!(mine["verdicts"], serde_json::json!({ "jaws-1975": "right" }));
        assert_eq!(scalar(&app, "select count(*) from rank_votes").await, 2);
        app.finish().await;
    }
}

async fn rank(b: &Browser<'_>, drive: &str, jaws: &str, psycho: &str, headers: &[(&str, &str)]) -> Page {
    b.post_with(
        &format!("{LIST}/ranking"),
        &[("place-drive-2011", drive), ("place-jaws-1975", jaws), ("place-psycho-1960", psycho)],
        headers,
    )
    .await
}

fn readers_ranks(page: &Page) -> Vec<String> {
    page.texts(".entry-head .readers-rank")
}

#[actix_web::test]
async fn rankings_make_the_readers_ranking_by_borda_count() {
    for backend in backends().await {
        let (app, _f) = start(backend, config(3, 0)).await;
        // The form without JavaScript: a number per entry, the editors' order.
        let page = app.get("/articles/night-drives?order=oldest").await;
        assert_eq!(page.attrs("form.ballot-form input[type=number]", "value"), ["1", "2", "3"]);
        assert!(readers_ranks(&page).is_empty());

        // Psycho first twice, Drive first once: Borda scores Psycho 2500,
        // Drive 1500, Jaws 500.
        let (a, b, c) = (Browser::new(&app), Browser::new(&app), Browser::new(&app));
        let page = rank(&a, "2", "3", "1", &[]).await;
        assert_eq!(page.status, 200, "{}", page.body);
        private(&page);
        assert!(page.body.contains("1 of the 3 rankings"), "{}", page.body);
        let v = json(&rank(&b, "3", "2", "1", JSON).await);
        assert_eq!((v["ballots"].as_i64(), v["shown"].as_bool()), (Some(2), Some(false)));
        let v = json(&rank(&c, "1", "3", "2", JSON).await);
        assert_eq!((v["ballots"].as_i64(), v["shown"].as_bool()), (Some(3), Some(true)));

        let page = app.get(LIST).await;
        assert_eq!(readers_ranks(&page), ["Readers’ No. 2", "Readers’ No. 3", "Readers’ No. 1"]);
        assert!(page.texts(".ballot-note")[0].contains("from 3 rankings (a Borda count)"), "{}", page.body);

        // C changes their mind: their old points are taken back, the count
        // stays. Psycho 2000, Jaws 1500, Drive 1000.
        let v = json(&rank(&c, "2", "1", "3", JSON).await);
        assert_eq!(v["ballots"], 3);
        assert_eq!(scalar(&app, "select count(*) from ballots").await, 3);
        assert_eq!(scalar(&app, "select min(placed) from entry_votes").await, 3);
        assert_eq!(scalar(&app, "select max(placed) from entry_votes").await, 3);
        let page = app.get("/articles/night-drives?order=newest").await;
        assert_eq!(readers_ranks(&page), ["Readers’ No. 3", "Readers’ No. 2", "Readers’ No. 1"]);
        let mine = json(&c.get(&format!("{LIST}/my-votes")).await);
        assert_eq!(mine["ranking"], serde_json::json!(["jaws-1975", "drive-2011", "psycho-1960"]));

        // A place outside 1..3, or no places at all, is refused.
        assert_eq!(rank(&a, "9", "1", "2", &[]).await.status, 422);
        assert_eq!(a.post(&format!("{LIST}/ranking"), &[("place-x", "1")]).await.status, 422);
        assert_eq!(scalar(&app, "select count(*) from ballots").await, 3);
        app.finish().await;
    }
}

fn top_level(page: &Page) -> Vec<String> {
    page.attrs("ol.comment-list > li.comment", "id")
}

#[actix_web::test]
async fn helpful_marks_count_once_and_order_the_thread() {
    for backend in backends().await {
        let (app, _f) = start(backend, config(2, 0)).await;
        let writer = Browser::new(&app);
        let mut ids = Vec::new();
        for text in ["First thoughts.", "Second thoughts.", "Third thoughts."] {
            let page =
                writer.comment(LIST, &[("author", "Wes"), ("email", "wes@example.com"), ("comment", text)]).await;
            assert_eq!(page.status, 303, "{}", page.body);
            ids.push(page.header("location").unwrap().rsplit_once("#comment-").unwrap().1.to_owned());
        }
        let reply = writer
            .comment(
                &format!("{LIST}?replytocom={}", ids[0]),
                &[("author", "Wes"), ("email", "wes@example.com"), ("comment", "A reply.")],
            )
            .await;
        assert_eq!(reply.status, 303, "{}", reply.body);

        // Ana marks the second twice (once counted), Ben the second and the third.
        let (ana, ben) = (Browser::new(&app), Browser::new(&app));
        let helpful = |id: &str| format!("/comments/{id}/helpful");
        let page = ana.post(&helpful(&ids[1]), &[("helpful", "1")]).await;
        assert_eq!(page.status, 200, "{}", page.body);
        private(&page);
        assert!(page.body.contains("1 reader found this helpful."), "{}", page.body);
        ana.post(&helpful(&ids[1]), &[("helpful", "1")]).await;
        let v = json(&ben.post_with(&helpful(&ids[1]), &[("helpful", "1")], JSON).await);
        assert_eq!((v["helpful"].as_bool(), v["count"].as_i64()), (Some(true), Some(2)));
        let v = json(&ben.post_with(&helpful(&ids[2]), &[("helpful", "1")], JSON).await);
        assert_eq!(v["count"], 1);
        // Taking a mark back, twice, takes one.
        let v = json(&ben.post_with(&helpful(&ids[2]), &[("helpful", "0")], JSON).await);
        assert_eq!(v["count"], 0);
        let v = json(&ben.post_with(&helpful(&ids[2]), &[("helpful", "0")], JSON).await);
        assert_eq!(v["count"], 0);
        ben.post_with(&helpful(&ids[2]), &[("helpful", "1")], JSON).await;
        assert_eq!(scalar(&app, "select count(*) from comment_votes").await, 3);
        let mine = json(&ben.get(&format!("{LIST}/my-votes")).await);
        let want: Vec<i64> = vec![ids[1].parse().unwrap(), ids[2].parse().unwrap()];
        assert_eq!(mine["helpful"], serde_json::json!(want));
        assert_eq!(ana.post("/comments/999999/helpful", &[("helpful", "1")]).await.status, 404);

        let c = |i: usize| format!("comment-{}", ids[i]);
        let oldest = app.get(LIST).await;
        assert_eq!(top_level(&oldest), [c(0), c(1), c(2)]);
        assert_eq!(oldest.attrs(".comment-order a[aria-current]", "href"), ["/articles/night-drives#comments"]);
        assert!(oldest.texts(&format!("#{} .helpful-count", c(1)))[0].contains("2 readers found this helpful"));
        let newest = app.get(&format!("{LIST}?order=newest")).await;
        assert_eq!(top_level(&newest), [c(2), c(1), c(0)]);
        // Replies stay under their comment, whatever the order.
        let replies = newest.attrs(&format!("#{} ol.replies > li.comment", c(0)), "id");
        assert_eq!(replies.len(), 1);
        let best = app.get(&format!("{LIST}?order=helpful")).await;
        assert_eq!(top_level(&best), [c(1), c(2), c(0)]);
        assert_eq!(
            best.attrs(".comment-order a[aria-current]", "href"),
            ["/articles/night-drives?order=helpful#comments"]
        );
        assert_eq!(app.get(&format!("{LIST}?order=loudest")).await.status, 400);
        app.finish().await;
    }
}

#[actix_web::test]
async fn votes_are_limited_per_browser_and_per_address() {
    for backend in backends().await {
        let (app, _f) = start(backend, config(2, 3)).await;
        let ana = Browser::new(&app);
        for verdict in ["too_high", "right", "too_low"] {
            assert_eq!(vote(&ana, "drive-2011", verdict).await.status, 200);
        }
        let page = vote(&ana, "drive-2011", "right").await;
        assert_eq!(page.status, 429, "{}", page.body);
        assert_eq!(page.header("retry-after").as_deref(), Some("60"));
        // A new browser at the same address is still the same address.
        let ben = Browser::new(&app);
        let page = ben.post_with(&format!("{LIST}/votes/jaws-1975"), &[("verdict", "right")], JSON).await;
        assert_eq!(page.status, 429);
        assert!(json(&page)["error"].as_str().unwrap().contains("wait a minute"));
        assert_eq!(scalar(&app, "select count(*) from rank_votes").await, 1);
        assert_eq!(scalar(&app, "select too_low from entry_votes").await, 1);
        app.finish().await;
    }
}

#[actix_web::test]
async fn the_desk_shows_counts_and_resets_an_entry() {
    for backend in backends().await {
        let f = fixture();
        let app = desk::with_editor(backend, f.path()).await;
        let id = scalar(&app, "select id from articles where slug = 'night-drives'").await;
        for verdict in ["too_high", "too_high", "right"] {
            assert_eq!(vote(&Browser::new(&app), "jaws-1975", verdict).await.status, 200);
        }
        rank(&Browser::new(&app), "1", "2", "3", &[]).await;
        let eda = desk::logged_in(&app).await;
        let votes = format!("/editor/articles/{id}/votes");
        let edit = eda.get(&format!("/editor/articles/{id}")).await;
        assert_eq!(edit.attrs("a.votes-link", "href"), std::slice::from_ref(&votes));
        let page = eda.get(&votes).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.texts(".votes-summary")[0].starts_with("1 reader has sent a ranking"));
        let jaws_row: Vec<String> = page.texts(".votes-table tbody tr:nth-child(2) td");
        assert_eq!(jaws_row[..6], ["2", "Jaws", "2", "1", "0", "1"]);

        // A reset without the desk's token is refused; with it, the votes go.
        assert_eq!(Browser::new(&app).post(&votes, &[("record", "jaws-1975")]).await.status, 303);
        assert_eq!(eda.post(&votes, &[("record", "jaws-1975")]).await.status, 403);
        let page = desk::post_from(&eda, &votes, &votes, &[("record", "jaws-1975")]).await;
        assert_eq!(page.status, 303, "{}", page.body);
        assert_eq!(scalar(&app, "select count(*) from rank_votes").await, 0);
        assert_eq!(scalar(&app, "select max(too_high + just_right + too_low) from entry_votes").await, 0);
        let page = eda.get(&page.header("location").unwrap()).await;
        assert!(page.texts(".notice")[0].contains("The votes on Jaws were reset."));
        assert_eq!(scalar(&app, "select count(*) from ballots").await, 1, "rankings stay");
        app.finish().await;
    }
}
