//! `cuesheet demo-data` through the real HTTP stack: the generated archive is
//! served like imported content, survives an import of `content/`, is
//! searchable, and leaves the database usable for ordinary writes.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{REAL_CONTENT, TestApp, backends};
use cuesheet::db::demo::{Options, generate};

const OPTIONS: Options = Options { articles: 40, comments: 600, records: 30, seed: 7 };

#[actix_web::test]
async fn demo_archive_is_served_like_imported_content() {
    for backend in backends().await {
        let app = TestApp::start(backend, Path::new(REAL_CONTENT)).await;
        let pool = &app.db.pool;
        let version: i64 = app.db.content_version().await.unwrap();
        let mut reported = 0;
        let summary = generate(&app.db, &OPTIONS, &mut |n| reported += n).await.unwrap();
        assert_eq!(reported, OPTIONS.units(), "{backend:?}");
        assert_eq!((summary.articles, summary.records, summary.comments), (40, 30, 600), "{backend:?}");
        assert!(app.db.content_version().await.unwrap() > version, "{backend:?}");

        let count = |sql: &'static str| async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap() };
        assert_eq!(count("select count(*) from comments").await, 600, "{backend:?}");
        assert_eq!(count("select count(*) from articles").await, 43, "{backend:?}");
        // Every article and record is in the search index.
        assert_eq!(
            count("select count(*) from search_docs").await,
            43 + count("select count(*) from soundtracks").await
        );
        // Threads: every reply's path extends its parent's.
        assert_eq!(
            count(
                "select count(*) from comments c join comments p on p.id = c.parent_id
                 where c.path <> p.path || '/' || substr(c.path, length(c.path) - 11) or c.depth <> p.depth + 1"
            )
            .await,
            0,
            "{backend:?}"
        );
        assert!(count("select count(*) from comments where parent_id is not null").await > 100, "{backend:?}");

        // The newest generated list renders with every entry and its card.
        let (slug, entries, approved): (String, i64, i64) = sqlx::query_as(
            "select a.slug, (select count(*) from entries e where e.article_id = a.id),
                    (select count(*) from comments c where c.article_id = a.id and c.status = 'approved')
             from articles a where a.origin = 'web' and a.published_at is not null
             order by a.published_at desc, a.id desc limit 1",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        let page = app.get(&format!("/articles/{slug}")).await;
        assert_eq!(page.status, 200, "{backend:?}");
        assert_eq!(page.texts(".entry .card").len() as i64, entries, "{backend:?} {slug}");
        assert!((5..=30).contains(&entries));
        assert_eq!(page.attrs("li.comment:not(.removed)", "id").len() as i64, approved, "{backend:?} {slug}");
        let home = app.get("/").await;
        assert!(home.attrs(".summary h2 a", "href").contains(&format!("/articles/{slug}")), "{backend:?}");

        // A generated record: its page lists the lists it is in, and search finds it.
        let (record, film): (String, String) = sqlx::query_as(
            "select s.slug, s.film_title from soundtracks s join entries e on e.soundtrack_id = s.id
             where s.origin = 'web' group by s.id, s.slug, s.film_title order by count(*) desc, s.id limit 1",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        let page = app.get(&format!("/soundtracks/{record}")).await;
        assert_eq!(page.status, 200, "{backend:?}");
        assert!(page.body.contains("/articles/"), "{backend:?}");
        let q = film.split_whitespace().last().unwrap();
        let page = app.get(&format!("/search?q={q}")).await;
        assert!(page.body.contains(&format!("/soundtracks/{record}")), "{backend:?} {q}");

        // Importing content/ again keeps the generated rows.
        let report = app.import(Path::new(REAL_CONTENT)).await.unwrap();
        assert_eq!((report.articles.removed, report.records.removed), (0, 0), "{backend:?}");
        assert_eq!(count("select count(*) from articles").await, 43, "{backend:?}");

        // Ids written by the generator do not collide with ordinary writes
        // (PostgreSQL identity sequences were moved past them).
        let id: i64 =
            sqlx::query_scalar("insert into tags (slug, name) values ('after-demo', 'after demo') returning id")
                .fetch_one(pool)
                .await
                .unwrap();
        assert!(id > count("select max(id) from tags where slug <> 'after-demo'").await, "{backend:?}");
        app.finish().await;
    }
}
