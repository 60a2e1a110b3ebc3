//! The chart (`/chart`) through the real HTTP stack, on both backends: a
//! fixture of lists with known places gives a known order and known scores
//! (points by place, normalised by the ranking's length; ties by lists, then
//! best place, then title), a record's page says where it stands, and
//! changing a published list, unpublishing one or a scheduled one falling
//! due changes the chart.
#![allow(clippy::unwrap_used)]

mod common;

use common::desk::{logged_in, submit, with_editor};
use common::{Fixture, Page, TestApp, backends};

/// Entries of a ranked list, one per slug, in order.
fn entries(slugs: &[&str], level: &str) -> String {
    slugs.iter().map(|s| format!("{level} {} {{soundtrack={s}}}\n\nWhy it is here.\n\n", title(s))).collect()
}

/// `alpha-1980` is the record of the film "Alpha".
fn title(slug: &str) -> String {
    let name = slug.split('-').next().unwrap();
    name[..1].to_uppercase() + &name[1..]
}

const RANKED: &str = "list = \"ranked\"\npublished = \"2026-01-0DT10:00:00Z\"";

fn ranked(day: u32) -> String {
    RANKED.replace('D', &day.to_string())
}

/// Eight records in six lists:
///
/// | list | kind | places |
/// | --- | --- | --- |
/// | first | ranked, 4 | alpha 1, bravo 2, charlie 3, delta 4 |
/// | second | ranked, 2 | charlie 1, alpha 2 |
/// | guide | two ranked sections of 2 | bravo 1, echo 2; foxtrot 1, golf 2 |
/// | loose | unranked | delta, echo |
/// | draft | ranked, unpublished | echo 1, delta 2 |
/// | sixth | ranked, 2 | hotel 1, golf 2 |
///
/// and India, in no list.
fn fixture() -> Fixture {
    let f = Fixture::new();
    for s in ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"] {
        f.record(&format!("{s}-1980"), &title(s), 1980);
    }
    f.article(
        "first",
        "First list",
        &ranked(1),
        &entries(&["alpha-1980", "bravo-1980", "charlie-1980", "delta-1980"], "##"),
    );
    f.article("second", "Second list", &ranked(2), &entries(&["charlie-1980", "alpha-1980"], "##"));
    f.article(
        "guide",
        "The guide",
        &ranked(3),
        &format!(
            "## Eighties\n\n{}## Nineties\n\n{}",
            entries(&["bravo-1980", "echo-1980"], "###"),
            entries(&["foxtrot-1980", "golf-1980"], "###")
        ),
    );
    f.article(
        "loose",
        "Loose list",
        "list = \"unranked\"\npublished = \"2026-01-04T10:00:00Z\"",
        &entries(&["delta-1980", "echo-1980"], "##"),
    );
    f.article("draft", "Draft list", "list = \"ranked\"", &entries(&["echo-1980", "delta-1980"], "##"));
    f.article("sixth", "Sixth list", &ranked(6), &entries(&["hotel-1980", "golf-1980"], "##"));
    f
}

/// `(film, score line)` of every record on `/chart`, in order.
fn chart(page: &Page) -> Vec<(String, String)> {
    assert_eq!(page.status, 200);
    page.texts(".chart > li .record").into_iter().zip(page.texts(".chart > li .score")).collect()
}

fn rows(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

/// What a record's page says of its place on the chart.
async fn standing(app: &TestApp, slug: &str) -> (Vec<String>, Vec<String>) {
    let page = app.get(&format!("/soundtracks/{slug}")).await;
    assert_eq!(page.status, 200);
    (page.texts(".standing"), page.attrs(".standing a", "href"))
}

#[actix_web::test]
async fn records_are_ranked_by_their_places_across_ranked_lists() {
    for backend in backends().await {
        let f = fixture();
        let app = TestApp::start(backend, f.path()).await;
        let page = app.get("/chart").await;
        // Bravo 3/4 + 1; Alpha 1 + 1/2 and Charlie 1/2 + 1 tie on points,
        // lists and best place: the title decides. Golf (1/2 + 1/2) is in
        // two lists, so ahead of Foxtrot and Hotel (1 each, from one).
        // Echo's 1/2 counts only the guide's ranking (its other lists are
        // unranked and a draft); Delta's 1/4 only the first list.
        assert_eq!(
            chart(&page),
            rows(&[
                ("Bravo", "1.75 points from 2 lists"),
                ("Alpha", "1.50 points from 2 lists"),
                ("Charlie", "1.50 points from 2 lists"),
                ("Golf", "1.00 points from 2 lists"),
                ("Foxtrot", "1.00 points from 1 list"),
                ("Hotel", "1.00 points from 1 list"),
                ("Echo", "0.50 points from 1 list"),
                ("Delta", "0.25 points from 1 list"),
            ])
        );
        assert_eq!(page.texts(".chart .position"), ["1", "2", "3", "4", "5", "6", "7", "8"]);
        // The lists behind a record, best place first, linking the entry;
        // a guide's place is in its section.
        let alpha = page.html();
        let sel = scraper::Selector::parse("#alpha-1980 .places a").unwrap();
        let links: Vec<_> = alpha.select(&sel).map(|a| a.value().attr("href").unwrap().to_owned()).collect();
        assert_eq!(links, ["/articles/first#alpha", "/articles/second#alpha"]);
        assert_eq!(page.texts("#alpha-1980 .places li"), ["First list No. 1", "Second list No. 2"]);
        assert_eq!(page.texts("#echo-1980 .places li"), ["The guide No. 2 in “Eighties”"]);
        assert!(page.texts("nav a").contains(&"Chart".to_owned()), "linked from the site's navigation");

        // A record's page says where it stands and links to its row.
        assert_eq!(
            standing(&app, "charlie-1980").await,
            (vec!["No. 3 on the Cuesheet chart, from 2 lists".to_owned()], vec!["/chart#charlie-1980".to_owned()])
        );
        assert_eq!(standing(&app, "hotel-1980").await.0, ["No. 6 on the Cuesheet chart, from 1 list"]);
        assert_eq!(standing(&app, "india-1980").await, (vec![], vec![]), "in no list, so not on the chart");
        assert_eq!(app.get("/chart?page=2").await.status, 404);
        app.finish().await;
    }
}

#[actix_web::test]
async fn publishing_changing_and_unpublishing_a_list_moves_the_chart() {
    for backend in backends().await {
        let f = fixture();
        let app = with_editor(backend, f.path()).await;
        let b = logged_in(&app).await;
        assert_eq!(chart(&app.get("/chart").await)[0].0, "Bravo");

        // The second list changes its order: Alpha 1 + 1, Charlie 1/2 + 1/2.
        let second = cuesheet::db::articles::id_by_slug(&app.db, "second").await.unwrap().unwrap();
        let edit = format!("/editor/articles/{second}");
        let body = entries(&["alpha-1980", "charlie-1980"], "##");
        assert_eq!(submit(&b, &edit, &[("body", &body)], "save").await.status, 303);
        assert_eq!(
            chart(&app.get("/chart").await),
            rows(&[
                ("Alpha", "2.00 points from 2 lists"),
                ("Bravo", "1.75 points from 2 lists"),
                ("Charlie", "1.00 points from 2 lists"),
                ("Golf", "1.00 points from 2 lists"),
                ("Foxtrot", "1.00 points from 1 list"),
                ("Hotel", "1.00 points from 1 list"),
                ("Echo", "0.50 points from 1 list"),
                ("Delta", "0.25 points from 1 list"),
            ])
        );
        assert_eq!(standing(&app, "alpha-1980").await.0, ["No. 1 on the Cuesheet chart, from 2 lists"]);

        // The first list goes off the site: its places no longer count, and
        // Delta, in no other published ranked list, leaves the chart.
        let first = cuesheet::db::articles::id_by_slug(&app.db, "first").await.unwrap().unwrap();
        assert_eq!(submit(&b, &format!("/editor/articles/{first}"), &[], "unpublish").await.status, 303);
        assert_eq!(
            chart(&app.get("/chart").await),
            rows(&[
                ("Golf", "1.00 points from 2 lists"),
                ("Alpha", "1.00 points from 1 list"),
                ("Bravo", "1.00 points from 1 list"),
                ("Foxtrot", "1.00 points from 1 list"),
                ("Hotel", "1.00 points from 1 list"),
                ("Charlie", "0.50 points from 1 list"),
                ("Echo", "0.50 points from 1 list"),
            ])
        );
        assert_eq!(standing(&app, "delta-1980").await, (vec![], vec![]));

        // The draft is published: Echo 1/2 + 1, Delta back with 1/2.
        let draft = cuesheet::db::articles::id_by_slug(&app.db, "draft").await.unwrap().unwrap();
        let published = [("published", "2026-01-05T10:00")];
        assert_eq!(submit(&b, &format!("/editor/articles/{draft}"), &published, "publish").await.status, 303);
        let now = chart(&app.get("/chart").await);
        assert_eq!(now[0], ("Echo".to_owned(), "1.50 points from 2 lists".to_owned()));
        assert_eq!(now.last().unwrap(), &("Delta".to_owned(), "0.50 points from 1 list".to_owned()));
        app.finish().await;
    }
}

#[actix_web::test]
async fn a_scheduled_list_counts_once_it_falls_due() {
    for backend in backends().await {
        let f = fixture();
        let app = TestApp::start(backend, f.path()).await;
        assert_eq!(chart(&app.get("/chart").await).len(), 8);
        // The draft is scheduled two seconds ahead (as the desk would, to the
        // minute): nothing changes until then, and nothing needs writing after.
        let at = cuesheet::db::now() + 2;
        sqlx::query("update articles set published_at = $1 where slug = 'draft'")
            .bind(at)
            .execute(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(chart(&app.get("/chart").await).last().unwrap().1, "0.25 points from 1 list");
        tokio::time::sleep(std::time::Duration::from_millis(3000)).await;
        // Echo 1/2 + 1 joins Alpha and Charlie (three ties broken by title);
        // Delta 1/4 + 1/2.
        let now = chart(&app.get("/chart").await);
        let films: Vec<&str> = now.iter().map(|(film, _)| film.as_str()).collect();
        assert_eq!(films, ["Bravo", "Alpha", "Charlie", "Echo", "Golf", "Foxtrot", "Hotel", "Delta"]);
        assert_eq!(now[3].1, "1.50 points from 2 lists");
        assert_eq!(now[7].1, "0.75 points from 2 lists");
        app.finish().await;
    }
}
