//! Pictures: uploads in the desk, sniffing by bytes, a decompression bomb
//! refused cheaply, metadata gone and orientation applied in what is
//! served, `<picture>` with srcset, sizes, width and height, content files
//! with pictures through the check, the import and the export.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::desk::{fixture, logged_in, with_editor};
use common::pictures::{SECRET, get_bytes, jpeg_with_exif, picture, png_bomb, upload, upload_with};
use common::{Fixture, TestApp, backends};
use image::ImageFormat;

/// The `<img>` and `<source>` of every picture on a page.
fn pictures(page: &common::Page) -> (Vec<String>, Vec<String>) {
    (page.attrs("picture img", "srcset"), page.attrs("picture source[type='image/webp']", "srcset"))
}

#[actix_web::test]
async fn uploads_are_sniffed_by_their_bytes() {
    for backend in backends().await {
        let app = with_editor(backend, fixture().path()).await;
        let b = logged_in(&app).await;

        // A PNG named .jpg and sent as JPEG is a PNG.
        let png = picture(700, 350, ImageFormat::Png);
        let page = upload(&b, "Night Poster.jpg", "image/jpeg", &png, "A neon poster").await;
        assert_eq!(page.status, 303, "{}", page.body);
        assert_eq!(page.header("location").unwrap(), "/editor/media?added=night-poster.png");
        let library = b.get("/editor/media?added=night-poster.png").await;
        assert!(library.body.contains("![A neon poster](media:night-poster.png)"), "{}", library.body);
        let rows: Vec<(String, i64, i64, String)> =
            sqlx::query_as("select format, width, height, widths from media where name = 'night-poster.png'")
                .fetch_all(&app.db.pool)
                .await
                .unwrap();
        assert_eq!(rows, [("png".to_owned(), 700, 350, "320,640,700".to_owned())]);

        // SVG and HTML are refused whatever they are called or claim to be.
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        let html = b"<!doctype html><title>x</title><script>alert(1)</script>";
        for (name, bytes) in [("logo.png", &svg[..]), ("page.png", &html[..]), ("logo.svg", &svg[..])] {
            let page = upload(&b, name, "image/png", bytes, "Something").await;
            assert_eq!(page.status, 422, "{name}");
            assert!(page.texts("#upload-error")[0].contains("not a JPEG, PNG, WebP or GIF"), "{}", page.body);
            // What was typed stays.
            assert_eq!(page.attrs("#m-alt", "value"), ["Something"]);
        }
        // Alt text is required.
        let page = upload(&b, "x.jpg", "image/jpeg", &picture(10, 10, ImageFormat::Jpeg), "").await;
        assert_eq!(page.status, 422);
        assert!(page.texts("#upload-error")[0].contains("alt text"));
        // Too large: a clear message, 413.
        let big = vec![0xffu8; cuesheet::media::process::MAX_BYTES + 10];
        let page = upload(&b, "big.jpg", "image/jpeg", &big, "Big").await;
        assert_eq!(page.status, 413);
        assert!(page.texts("#upload-error")[0].contains("at most 20 MB"), "{}", page.body);
        let n: i64 = sqlx::query_scalar("select count(*) from media").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(n, 1);

        // The writing view's script gets JSON: the Markdown to put at the cursor, or why not.
        let json = [("accept", "application/json")];
        let gif = picture(64, 64, ImageFormat::Gif);
        let page = upload_with(&b, "Still.gif", "image/gif", &gif, "A still", &json).await;
        assert_eq!(page.status, 201, "{}", page.body);
        let answer: serde_json::Value = serde_json::from_str(&page.body).unwrap();
        assert_eq!(answer["markdown"], "![A still](media:still.gif)");
        let page = upload_with(&b, "x.png", "image/png", svg, "An SVG", &json).await;
        assert_eq!(page.status, 422);
        let answer: serde_json::Value = serde_json::from_str(&page.body).unwrap();
        assert!(answer["error"].as_str().unwrap().contains("not a JPEG"), "{answer}");
        sqlx::query("delete from media where name = 'still.gif'").execute(&app.db.pool).await.unwrap();

        // The same bytes again under another name: one more name, stored once.
        let page = upload(&b, "again.png", "image/png", &png, "Again").await;
        assert_eq!(page.status, 303);
        let hashes: i64 =
            sqlx::query_scalar("select count(distinct hash) from media").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(hashes, 1);
        app.finish().await;
    }
}

#[actix_web::test]
async fn a_decompression_bomb_is_refused_within_a_second() {
    let bomb = png_bomb(60_000, 60_000);
    assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
    let start = Instant::now();
    let refused = cuesheet::media::process::process(&bomb).unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(1), "{:?}", start.elapsed());
    assert_eq!(refused, cuesheet::media::Refused::TooManyPixels(60_000, 60_000));

    for backend in backends().await {
        let app = with_editor(backend, fixture().path()).await;
        let b = logged_in(&app).await;
        // Through the whole stack (the form's page fetched first), on a busy machine: generous.
        let start = Instant::now();
        let page = upload(&b, "bomb.png", "image/png", &bomb, "A bomb").await;
        assert!(start.elapsed() < Duration::from_secs(5), "{:?}", start.elapsed());
        assert_eq!(page.status, 422);
        assert!(page.texts("#upload-error")[0].contains("60000 × 60000 pixels"), "{}", page.body);
        app.finish().await;
    }
}

#[actix_web::test]
async fn served_variants_lose_exif_and_keep_orientation() {
    for backend in backends().await {
        let app = with_editor(backend, fixture().path()).await;
        let b = logged_in(&app).await;
        // Stored 400×200 with "turn 90° clockwise": shown 200×400.
        let jpeg = jpeg_with_exif(400, 200);
        assert!(jpeg.windows(SECRET.len()).any(|w| w == SECRET));
        assert_eq!(upload(&b, "turned.jpg", "image/jpeg", &jpeg, "A turned picture").await.status, 303);
        let (w, h, widths, hash): (i64, i64, String, String) =
            sqlx::query_as("select width, height, widths, hash from media where name = 'turned.jpg'")
                .fetch_one(&app.db.pool)
                .await
                .unwrap();
        assert_eq!((w, h, widths.as_str()), (200, 400, "200"));
        for (ext, mime) in [("jpg", "image/jpeg"), ("webp", "image/webp")] {
            let (status, headers, body) = get_bytes(&app, &format!("/media/{hash}-200.{ext}")).await;
            assert_eq!(status, 200);
            assert_eq!(headers.get("content-type").unwrap(), mime);
            assert_eq!(headers.get("cache-control").unwrap(), "public, max-age=31536000, immutable");
            assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");
            assert!(!body.windows(SECRET.len()).any(|w| w == SECRET), "{ext} keeps the marker");
            assert!(!body.windows(4).any(|w| w == b"Exif"), "{ext} keeps EXIF");
            let img = image::load_from_memory(&body).unwrap();
            assert_eq!((img.width(), img.height()), (200, 400), "{ext}");
        }
        // Neither the original nor anything unrecorded is served.
        assert_eq!(get_bytes(&app, &format!("/media/{hash}-640.jpg")).await.0, 404);
        assert_eq!(get_bytes(&app, &format!("/media/{hash}.jpg")).await.0, 404);
        assert_eq!(get_bytes(&app, &format!("/media/{}-200.jpg", "0".repeat(64))).await.0, 404);
        app.finish().await;
    }
}

/// A tree with pictures: a record cover, a feature picture, one in the text.
fn tree_with_pictures() -> Fixture {
    let f = Fixture::new();
    std::fs::create_dir_all(f.file("media")).unwrap();
    std::fs::write(f.file("media/night.jpg"), picture(1800, 900, ImageFormat::Jpeg)).unwrap();
    std::fs::write(f.file("media/drive-cover.png"), picture(500, 500, ImageFormat::Png)).unwrap();
    f.record("jaws-1975", "Jaws", 1975).record("drive-2011", "Drive", 2011);
    let drive = std::fs::read_to_string(f.file("soundtracks/drive-2011.toml")).unwrap();
    f.write(
        "soundtracks/drive-2011.toml",
        &drive.replace("kind = \"score\"\n", "kind = \"score\"\ncover = \"drive-cover.png\"\n"),
    );
    f.article(
        "night-drives",
        "Night drives",
        "published = \"2026-03-01T10:00:00Z\"\nlist = \"ranked\"\nfeature = \"night.jpg\"\nfeature_alt = \"A road at night\"",
        "Intro.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n\n![The car in the rain](media:night.jpg)\n\n## Jaws {soundtrack=jaws-1975}\n\nTwo notes.\n",
    );
    f
}

#[actix_web::test]
async fn pages_show_pictures_with_srcset_sizes_and_dimensions() {
    for backend in backends().await {
        let f = tree_with_pictures();
        let app = TestApp::start(backend, f.path()).await;
        let page = app.get("/articles/night-drives").await;
        assert_eq!(page.status, 200);
        let (fallbacks, webps) = pictures(&page);
        assert_eq!(fallbacks.len(), 3, "feature, cover, text picture: {}", page.body);
        let night: String = sqlx::query_scalar("select hash from media where name = 'night.jpg'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let srcset = |ext: &str| [320, 640, 1024, 1600].map(|w| format!("/media/{night}-{w}.{ext} {w}w")).join(", ");
        assert_eq!(webps[0], srcset("webp"));
        assert_eq!(fallbacks[0], srcset("jpg"));
        // The feature comes first and loads at once; the rest are lazy.
        let loading = page.html();
        let imgs: Vec<_> =
            loading.select(&scraper::Selector::parse("picture img").unwrap()).map(|e| e.value().clone()).collect();
        assert_eq!(imgs[0].attr("loading"), None);
        assert_eq!(imgs[0].attr("alt"), Some("A road at night"));
        assert_eq!((imgs[0].attr("width"), imgs[0].attr("height")), (Some("1600"), Some("800")));
        assert_eq!(imgs[0].attr("sizes"), Some("(min-width: 48rem) 45.5rem, calc(100vw - 2.5rem)"));
        // The cover on Drive's card: its own widths, its own sizes, lazy.
        let cover = imgs.iter().find(|i| i.attr("sizes") == Some("6rem")).unwrap();
        assert_eq!(cover.attr("alt"), Some("Cover of Drive"));
        assert_eq!(cover.attr("loading"), Some("lazy"));
        assert_eq!((cover.attr("width"), cover.attr("height")), (Some("500"), Some("500")));
        // A PNG without transparency falls back to JPEG.
        assert!(cover.attr("srcset").unwrap().ends_with("-500.jpg 500w"), "{cover:?}");
        let text = imgs.iter().find(|i| i.attr("alt") == Some("The car in the rain")).unwrap();
        assert_eq!(text.attr("loading"), Some("lazy"));
        // Every address answers with its picture.
        for url in webps.iter().chain(&fallbacks).flat_map(|s| s.split(", ")).map(|s| s.split(' ').next().unwrap()) {
            let (status, _, body) = get_bytes(&app, url).await;
            assert_eq!(status, 200, "{url}");
            let w: u32 = url.rsplit_once('-').unwrap().1.split('.').next().unwrap().parse().unwrap();
            assert_eq!(image::load_from_memory(&body).unwrap().width(), w, "{url}");
        }
        // The record page shows the cover too; the policy allows only the site's pictures.
        let record = app.get("/soundtracks/drive-2011").await;
        assert_eq!(record.attrs("picture img", "alt"), ["Cover of Drive"]);
        let csp = record.header("content-security-policy").unwrap();
        let img_src = csp.split(';').find(|d| d.trim().starts_with("img-src")).unwrap();
        assert_eq!(img_src.trim(), "img-src 'self'", "{csp}");
        app.finish().await;
    }
}

#[actix_web::test]
async fn an_upload_moves_the_content_version() {
    for backend in backends().await {
        let app = with_editor(backend, fixture().path()).await;
        let b = logged_in(&app).await;
        app.get("/articles/night-drives").await;
        assert_eq!(app.get("/articles/night-drives").await.header("x-cache").unwrap(), "hit");
        // The desk's check knows the pictures there are, as an import does.
        let draft = [("title", "Posters"), ("list", "none"), ("body", "Look:\n\n![The poster](media:poster.png)\n")];
        let page = common::desk::submit(&b, "/editor/articles/new", &draft, "preview").await;
        assert!(page.body.contains("no picture `poster.png` in media/"), "{}", page.body);
        let version = app.db.content_version().await.unwrap();
        assert_eq!(upload(&b, "poster.png", "image/png", &picture(300, 400, ImageFormat::Png), "P").await.status, 303);
        assert!(app.db.content_version().await.unwrap() > version);
        assert_eq!(app.get("/articles/night-drives").await.header("x-cache").unwrap(), "miss");
        app.finish().await;
    }
}

#[actix_web::test]
async fn export_and_import_round_trip_with_pictures() {
    for backend in backends().await {
        let f = tree_with_pictures();
        let app = TestApp::start(backend, f.path()).await;
        let first = tempfile::tempdir().unwrap();
        let counts = cuesheet::db::export::export_dir(&app.db, &app.media, first.path()).await.unwrap();
        assert_eq!(counts, (2, 1, 2));
        for name in ["night.jpg", "drive-cover.png"] {
            assert_eq!(
                std::fs::read(first.path().join("media").join(name)).unwrap(),
                std::fs::read(f.file("media").join(name)).unwrap(),
                "{name}"
            );
        }
        let other = TestApp::start(backend, first.path()).await;
        let second = tempfile::tempdir().unwrap();
        cuesheet::db::export::export_dir(&other.db, &other.media, second.path()).await.unwrap();
        for rel in [
            "media/night.jpg",
            "media/drive-cover.png",
            "soundtracks/drive-2011.toml",
            "soundtracks/jaws-1975.toml",
            "articles/night-drives.md",
        ] {
            assert_eq!(
                std::fs::read(first.path().join(rel)).unwrap(),
                std::fs::read(second.path().join(rel)).unwrap(),
                "{rel}"
            );
        }
        let text = std::fs::read_to_string(second.path().join("articles/night-drives.md")).unwrap();
        assert!(text.contains("feature = \"night.jpg\"") && text.contains("feature_alt = \"A road at night\""));
        assert!(
            std::fs::read_to_string(second.path().join("soundtracks/drive-2011.toml"))
                .unwrap()
                .contains("cover = \"drive-cover.png\"")
        );
        // Both sites serve the same page.
        assert_eq!(
            app.get("/articles/night-drives").await.stable(),
            other.get("/articles/night-drives").await.stable()
        );
        // Importing again changes nothing.
        let report = other.import(first.path()).await.unwrap();
        assert_eq!(report.media.unchanged, 2);
        assert!(!report.changed(), "{report}");
        other.finish().await;
        app.finish().await;
    }
}

#[test]
fn the_check_reports_pictures_at_their_line() {
    let f = tree_with_pictures();
    std::fs::write(f.file("media/notes.png"), b"<svg xmlns='http://www.w3.org/2000/svg'/>").unwrap();
    std::fs::write(f.file("media/huge.png"), png_bomb(20_000, 20_000)).unwrap();
    f.article(
        "broken",
        "Broken",
        "feature = \"gone.jpg\"",
        "Text.\n\n![](media:night.jpg)\n\n![A map](media:missing.png)\n\n![A hotlink](https://example.com/x.jpg)\n",
    );
    let report = cuesheet::content::check::check_tree(f.path()).unwrap();
    let found: Vec<(String, usize, &str, cuesheet::content::Severity)> = report
        .problems
        .iter()
        .map(|p| (p.path.file_name().unwrap().to_string_lossy().into_owned(), p.line, p.code, p.severity))
        .collect();
    use cuesheet::content::Severity::{Error, Warning};
    let expect = [
        ("broken.md".to_owned(), 3, "media-alt", Error),
        ("broken.md".to_owned(), 3, "missing-media", Error),
        ("broken.md".to_owned(), 7, "media-alt", Error),
        ("broken.md".to_owned(), 9, "missing-media", Error),
        ("broken.md".to_owned(), 11, "external-image", Warning),
        // A picture's own problems are the whole file's (line 0).
        ("huge.png".to_owned(), 0, "media-file", Error),
        ("notes.png".to_owned(), 0, "media-file", Error),
    ];
    for e in &expect {
        assert!(found.contains(e), "{e:?} not in {found:#?}");
    }
    assert_eq!(found.iter().filter(|p| p.3 == Error).count(), 6, "{found:#?}");
}

/// The store keys of a picture's original and variants.
async fn stored_keys(app: &TestApp, name: &str) -> Vec<String> {
    let (hash, format, widths, fallback): (String, String, String, String) =
        sqlx::query_as("select hash, format, widths, fallback from media where name = $1")
            .bind(name)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    let ext = if format == "jpeg" { "jpg".to_owned() } else { format };
    let mut keys = vec![format!("originals/{hash}.{ext}")];
    for w in widths.split(',') {
        for ext in ["webp", fallback.as_str()] {
            keys.push(format!("variants/{hash}-{w}.{ext}"));
        }
    }
    keys
}

async fn all_stored(app: &TestApp, keys: &[String]) -> Vec<bool> {
    let mut out = Vec::new();
    for k in keys {
        out.push(app.media.has(k).await.unwrap());
    }
    out
}

#[actix_web::test]
async fn a_picture_is_deleted_only_when_nothing_shows_it() {
    for backend in backends().await {
        let f = tree_with_pictures();
        let app = with_editor(backend, f.path()).await;
        let b = logged_in(&app).await;

        // In use: the list's feature picture and its text, a record's cover.
        for (name, shown_by) in [("night.jpg", "night-drives"), ("drive-cover.png", "drive-2011")] {
            let page = delete(&b, name).await;
            assert_eq!(page.status, 409, "{name}: {}", page.body);
            assert!(page.texts("#upload-error")[0].contains(shown_by), "{:?}", page.texts("#upload-error"));
        }
        let n: i64 = sqlx::query_scalar("select count(*) from media").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(n, 2);

        // Two names for the same bytes: the bytes stay until the last goes.
        let png = picture(400, 200, ImageFormat::Png);
        for name in ["spare.png", "twin.png"] {
            assert_eq!(upload(&b, name, "image/png", &png, "Spare").await.status, 303);
        }
        let keys = stored_keys(&app, "spare.png").await;
        assert_eq!(keys.len(), 1 + 2 * 2, "{keys:?}");
        let variant = keys[1].trim_start_matches("variants/").to_owned();
        let page = delete(&b, "spare.png").await;
        assert_eq!(page.status, 303, "{}", page.body);
        assert_eq!(page.header("location").unwrap(), "/editor/media?deleted=spare.png");
        let library = b.get("/editor/media?deleted=spare.png").await;
        assert!(library.texts(".notice")[0].contains("Deleted spare.png"), "{:?}", library.texts(".notice"));
        assert_eq!(library.attrs("input[name=name]", "value").len(), 3);
        assert_eq!(all_stored(&app, &keys).await, vec![true; keys.len()]);
        assert_eq!(get_bytes(&app, &format!("/media/{variant}")).await.0, 200);

        assert_eq!(delete(&b, "twin.png").await.status, 303);
        assert_eq!(all_stored(&app, &keys).await, vec![false; keys.len()]);
        assert_eq!(get_bytes(&app, &format!("/media/{variant}")).await.0, 404);
        // Gone already: not found.
        assert_eq!(delete(&b, "twin.png").await.status, 404);

        // A contributor may upload but not delete.
        common::desk::add_account(
            &app,
            "cora@example.org",
            "Cora",
            "a long password 123",
            cuesheet::auth::Role::Contributor,
        )
        .await;
        let cora = common::desk::logged_in_as(&app, "cora@example.org", "a long password 123").await;
        assert_eq!(upload(&cora, "cora.png", "image/png", &png, "Cora's").await.status, 303);
        let page = delete(&cora, "cora.png").await;
        assert_eq!(page.status, 403, "{}", page.body);
        assert!(cora.get("/editor/media").await.attrs("input[name=name]", "value").is_empty());
        app.finish().await;
    }
}

/// The media library's Delete for `name`, pressed by `b`.
async fn delete(b: &common::Browser<'_>, name: &str) -> common::Page {
    common::desk::post_from(b, "/editor/media", "/editor/media/delete", &[("name", name)]).await
}

/// What the desk's script sends as an editor types: the list's form at
/// `edit` with `changes`, posted as the editor's autosave.
async fn autosave(b: &common::Browser<'_>, edit: &str, changes: &[(&str, &str)]) -> common::Page {
    let page = b.get(edit).await;
    assert_eq!(page.status, 200, "{edit}");
    let fields = common::desk::form_fields(&page, changes);
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post(&format!("{edit}/autosave"), &pairs).await
}

#[actix_web::test]
async fn a_picture_only_an_autosave_names_is_in_use() {
    for backend in backends().await {
        let f = tree_with_pictures();
        let app = with_editor(backend, f.path()).await;
        let b = logged_in(&app).await;
        let png = picture(300, 200, ImageFormat::Png);
        assert_eq!(upload(&b, "x.png", "image/png", &png, "X").await.status, 303);
        assert_eq!(upload(&b, "y.png", "image/png", &picture(200, 300, ImageFormat::Png), "Y").await.status, 303);
        let id: i64 = sqlx::query_scalar("select id from articles where slug = 'night-drives'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let edit = format!("/editor/articles/{id}");
        let before = b.get(&edit).await;

        // Typed, not saved: x.png in the text, y.png as the feature picture.
        let body = format!("{}\n\n![X](media:x.png)\n", before.raw_texts("textarea#f-body")[0].trim());
        let kept = autosave(&b, &edit, &[("body", &body), ("feature", "y.png")]).await;
        assert_eq!(kept.status, 200, "{}", kept.body);
        assert!(!app.get("/articles/night-drives").await.body.contains("x.png"), "an autosave is not published");
        for name in ["x.png", "y.png"] {
            let page = delete(&b, name).await;
            assert_eq!(page.status, 409, "{name}: {}", page.body);
            let said = page.texts("#upload-error")[0].clone();
            assert!(said.contains("the draft “Night drives” (night-drives)"), "{name}: {said}");
        }
        // night.jpg is the saved list's: listed once, as the list.
        let page = delete(&b, "night.jpg").await;
        assert_eq!(page.status, 409);
        let said = page.texts("#upload-error")[0].clone();
        assert!(said.contains("the list “Night drives”") && !said.contains("draft"), "{said}");
        let n: i64 = sqlx::query_scalar("select count(*) from media").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(n, 4);

        // Saving the list as it was ends the autosave: nothing names them now.
        assert_eq!(common::submit_on(&b, &before, &[], "save").await.status, 303);
        let autosaves: i64 = sqlx::query_scalar("select count(*) from revisions where kind = 'autosave'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(autosaves, 0);
        for name in ["x.png", "y.png"] {
            let page = delete(&b, name).await;
            assert_eq!(page.status, 303, "{name}: {}", page.body);
        }
        let names: Vec<String> =
            sqlx::query_scalar("select name from media order by name").fetch_all(&app.db.pool).await.unwrap();
        assert_eq!(names, ["drive-cover.png", "night.jpg"]);
        app.finish().await;
    }
}

#[actix_web::test]
async fn an_import_drops_pictures_whose_files_are_gone() {
    for backend in backends().await {
        let f = tree_with_pictures();
        std::fs::write(f.file("media/unused.png"), picture(300, 300, ImageFormat::Png)).unwrap();
        let app = with_editor(backend, f.path()).await;
        let b = logged_in(&app).await;
        // An upload through the desk is no file of `media/`: an import keeps it.
        assert_eq!(upload(&b, "desk.png", "image/png", &picture(200, 100, ImageFormat::Png), "Desk").await.status, 303);
        let keys = stored_keys(&app, "unused.png").await;
        assert_eq!(all_stored(&app, &keys).await, vec![true; keys.len()]);

        f.remove("media/unused.png");
        let report = app.import(f.path()).await.unwrap();
        assert_eq!(report.media.removed, 1, "{report}");
        assert_eq!(report.media.unchanged, 2, "{report}");
        let names: Vec<String> =
            sqlx::query_scalar("select name from media order by name").fetch_all(&app.db.pool).await.unwrap();
        assert_eq!(names, ["desk.png", "drive-cover.png", "night.jpg"]);
        assert_eq!(all_stored(&app, &keys).await, vec![false; keys.len()]);
        // Nothing more to do the second time.
        let report = app.import(f.path()).await.unwrap();
        assert!(!report.changed(), "{report}");
        app.finish().await;
    }
}
