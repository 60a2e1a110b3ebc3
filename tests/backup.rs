//! `cuesheet backup --out FILE`: the real binary copies the SQLite database
//! while the server goes on writing; the copy opens, passes SQLite's
//! integrity check and holds the data. On PostgreSQL it points to `pg_dump`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Command, Output};

use common::{Backend, Browser, REAL_CONTENT, TestApp, backends};
use cuesheet::config::SiteConfig;
use sqlx::{AnyConnection, Connection};

fn backup(database_url: &str, out: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cuesheet"))
        .args(["backup", "--out"])
        .arg(out)
        .env("DATABASE_URL", database_url)
        .env("CUESHEET_LOG", "warn")
        .output()
        .unwrap()
}

async fn post(b: &Browser<'_>, article: &str, i: usize) -> common::Page {
    let text = format!("Comment number {i} while the backup runs");
    b.comment(article, &[("author", "Ana"), ("email", "ana@example.com"), ("comment", &text)]).await
}

async fn count(conn: &mut AnyConnection, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("select count(*) from {table}"))).fetch_one(conn).await.unwrap()
}

#[actix_web::test]
async fn backup_copies_sqlite_while_the_site_writes_and_points_postgresql_to_pg_dump() {
    for backend in backends().await {
        let config = SiteConfig { comment_interval: 0, comment_min_seconds: 0, ..SiteConfig::default() };
        let app = TestApp::with_config(backend, config).await;
        app.import(std::path::Path::new(REAL_CONTENT)).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("copies/cuesheet-backup.db");

        if backend == Backend::Postgres {
            let done = backup(&app.database_url, &out);
            assert_eq!(done.status.code(), Some(2));
            assert!(String::from_utf8_lossy(&done.stderr).contains("pg_dump"));
            assert!(!out.exists());
            app.finish().await;
            continue;
        }

        let b = Browser::new(&app);
        let article = app.get("/").await.attrs(".summary h2 a", "href")[0].clone();
        for i in 0..5 {
            assert_eq!(post(&b, &article, i).await.status, 303);
        }
        // The backup runs in its own process while this one keeps posting.
        let (url, target) = (app.database_url.clone(), out.clone());
        let running = std::thread::spawn(move || backup(&url, &target));
        let mut posted = 5;
        while !running.is_finished() {
            assert_eq!(post(&b, &article, posted).await.status, 303);
            posted += 1;
        }
        let done = running.join().unwrap();
        eprintln!("comments posted while the backup ran: {}", posted - 5);
        assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
        assert!(String::from_utf8_lossy(&done.stdout).contains("backed up the database"));
        // And afterwards, writes go on.
        assert_eq!(post(&b, &article, posted).await.status, 303);
        posted += 1;

        let mut copy = AnyConnection::connect(&format!("sqlite://{}?mode=ro", out.display())).await.unwrap();
        let check: Vec<String> = sqlx::query_scalar("pragma integrity_check").fetch_all(&mut copy).await.unwrap();
        assert_eq!(check, vec!["ok"]);
        let mut live = app.db.pool.acquire().await.unwrap();
        for table in ["articles", "soundtracks", "people", "tags"] {
            assert_eq!(count(&mut copy, table).await, count(&mut live, table).await, "{table}");
        }
        let copied = count(&mut copy, "comments").await;
        assert!((5..=posted as i64).contains(&copied), "{copied} comments copied of {posted}");
        // A consistent snapshot: every copied comment is whole.
        let bodies: Vec<String> =
            sqlx::query_scalar("select body from comments order by id").fetch_all(&mut copy).await.unwrap();
        for (i, body) in bodies.iter().enumerate() {
            assert_eq!(body, &format!("Comment number {i} while the backup runs"));
        }
        copy.close().await.unwrap();
        drop(live);

        // Never over an existing file.
        let again = backup(&app.database_url, &out);
        assert_eq!(again.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
        app.finish().await;
    }
}
