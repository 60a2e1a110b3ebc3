//! Pictures the site draws: share cards (`og:image`) for lists and records,
//! and records' generated sleeves, through the HTTP stack on both backends.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::{Backend, Fixture, Page, TestApp, backends};

const RANKED: &str = "published = \"2026-03-01T10:00:00Z\"\nlist = \"ranked\"";
const BODY: &str =
    "Intro.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n\n## Jaws {soundtrack=jaws-1975}\n\nTwo notes.\n";

fn fixture() -> Fixture {
    let f = Fixture::new();
    f.record("drive-2011", "Drive", 2011).record("jaws-1975", "Jaws", 1975);
    f.article("night-drives", "Night drives", RANKED, BODY);
    f.article("sea-scores", "Sea scores", RANKED, BODY);
    f
}

async fn start(backend: Backend, f: &Fixture) -> TestApp {
    let app = TestApp::empty(backend).await;
    app.import(f.path()).await.unwrap();
    app
}

/// A GET with the body as bytes.
async fn bytes(app: &TestApp, path: &str) -> (Page, Vec<u8>) {
    let mut res = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
    let body = res.body().limit(8 << 20).await.unwrap().to_vec();
    let page = Page { status: res.status().as_u16(), headers: res.headers().clone(), body: String::new() };
    (page, body)
}

/// Width and height from a PNG's signature and IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.len() > 24, "too short for a PNG");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |i: usize| u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]);
    (be(16), be(20))
}

fn meta(page: &Page, key: &str) -> String {
    let by_property = page.attrs(&format!("meta[property=\"{key}\"]"), "content");
    let by_name = page.attrs(&format!("meta[name=\"{key}\"]"), "content");
    by_property.into_iter().chain(by_name).next().unwrap_or_else(|| panic!("no {key} meta"))
}

/// Polls until the card at `path` answers with another tag than `before`.
async fn changed_tag(app: &TestApp, path: &str, before: &str) -> String {
    let start = Instant::now();
    loop {
        let (page, _) = bytes(app, path).await;
        let tag = page.header("etag").unwrap();
        if tag != before {
            return tag;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "{path} did not change");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

#[actix_web::test]
async fn pages_share_a_1200_by_630_png_card() {
    let f = fixture();
    for backend in backends().await {
        let app = start(backend, &f).await;
        for page_path in ["/articles/night-drives", "/soundtracks/drive-2011"] {
            let page = app.get(page_path).await;
            assert_eq!(page.status, 200);
            let image = meta(&page, "og:image");
            // Absolute, from the site's public base URL.
            assert!(image.starts_with("http") && image.ends_with(&format!("{page_path}/card.png")), "{image}");
            assert_eq!(meta(&page, "og:image:width"), "1200");
            assert_eq!(meta(&page, "og:image:height"), "630");
            assert!(!meta(&page, "og:image:alt").is_empty());
            assert_eq!(meta(&page, "twitter:card"), "summary_large_image");
            assert_eq!(meta(&page, "twitter:image"), image);

            let (card, png) = bytes(&app, &format!("{page_path}/card.png")).await;
            assert_eq!(card.status, 200, "{image}");
            assert_eq!(card.header("content-type").as_deref(), Some("image/png"));
            assert!(card.header("set-cookie").is_none());
            assert!(card.header("cache-control").unwrap().starts_with("public"));
            assert!(card.header("content-encoding").is_none(), "a PNG is sent as it is");
            assert_eq!(png_size(&png), (1200, 630));
        }
        // Pages without a card of their own keep the small summary.
        assert_eq!(meta(&app.get("/").await, "twitter:card"), "summary");
        assert_eq!(bytes(&app, "/articles/nope/card.png").await.0.status, 404);
        assert_eq!(bytes(&app, "/soundtracks/nope/card.png").await.0.status, 404);
        assert_eq!(bytes(&app, "/soundtracks/nope/sleeve.svg").await.0.status, 404);
        app.finish().await;
    }
}

#[actix_web::test]
async fn a_card_is_made_once_and_changes_with_its_title_and_entries() {
    for backend in backends().await {
        let f = fixture();
        let app = start(backend, &f).await;
        let path = "/articles/night-drives/card.png";
        let (first, png) = bytes(&app, path).await;
        assert_eq!(first.header("x-cache").as_deref(), Some("miss"));
        let tag = first.header("etag").unwrap();
        let (again, same) = bytes(&app, path).await;
        assert_eq!(again.header("x-cache").as_deref(), Some("hit"));
        assert_eq!(again.header("etag").as_deref(), Some(tag.as_str()));
        assert_eq!(same, png);
        // A conditional request is answered without the image.
        let res = app.client.get(format!("{}{path}", app.base)).insert_header(("If-None-Match", tag.as_str()));
        assert_eq!(app.request(res).await.status, 304);

        // Another list's change is a new content version: the card is the same.
        f.article("sea-scores", "Sea scores, revised", RANKED, BODY);
        cuesheet::db::import::import_dir(&app.db, &app.media, f.path(), false).await.unwrap();
        let start = Instant::now();
        while !app.get("/").await.body.contains("Sea scores, revised") {
            assert!(start.elapsed() < Duration::from_secs(5));
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        let (after, _) = bytes(&app, path).await;
        assert_eq!(after.header("etag").as_deref(), Some(tag.as_str()), "unchanged card, same bytes");

        // Its own title changes the card.
        f.article("night-drives", "Night drives, revised", RANKED, BODY);
        cuesheet::db::import::import_dir(&app.db, &app.media, f.path(), false).await.unwrap();
        let retitled = changed_tag(&app, path, &tag).await;
        // So does the order of its entries.
        let swapped =
            "Intro.\n\n## Jaws {soundtrack=jaws-1975}\n\nTwo notes.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n";
        f.article("night-drives", "Night drives, revised", RANKED, swapped);
        cuesheet::db::import::import_dir(&app.db, &app.media, f.path(), false).await.unwrap();
        let reordered = changed_tag(&app, path, &retitled).await;
        assert_ne!(reordered, tag);
        app.finish().await;
    }
}

#[actix_web::test]
async fn every_record_has_its_own_stable_sleeve() {
    let f = fixture();
    for backend in backends().await {
        let app = start(backend, &f).await;
        let (drive, drive_svg) = bytes(&app, "/soundtracks/drive-2011/sleeve.svg").await;
        assert_eq!(drive.status, 200);
        assert_eq!(drive.header("content-type").as_deref(), Some("image/svg+xml"));
        assert_eq!(drive.header("x-content-type-options").as_deref(), Some("nosniff"));
        let policy = drive.header("content-security-policy").unwrap();
        assert!(policy.contains("default-src 'none'") && policy.contains("sandbox"), "{policy}");
        let svg = String::from_utf8(drive_svg.clone()).unwrap();
        assert!(svg.starts_with("<svg") && !svg.contains("<text"), "text is drawn as outlines");

        let (_, jaws_svg) = bytes(&app, "/soundtracks/jaws-1975/sleeve.svg").await;
        assert_ne!(drive_svg, jaws_svg, "two records, two sleeves");
        let (cached, again) = bytes(&app, "/soundtracks/drive-2011/sleeve.svg").await;
        assert_eq!(again, drive_svg);
        assert_eq!(cached.header("content-security-policy").as_deref(), Some(policy.as_str()), "kept when cached");
        app.finish().await;
        // Another database, the same record: the same sleeve.
        let other = start(backend, &f).await;
        assert_eq!(bytes(&other, "/soundtracks/drive-2011/sleeve.svg").await.1, drive_svg);
        other.finish().await;
    }
}

#[actix_web::test]
async fn sleeves_show_on_record_pages_and_entry_cards() {
    let f = fixture();
    for backend in backends().await {
        let app = start(backend, &f).await;
        let record = app.get("/soundtracks/drive-2011").await;
        let img = "img.sleeve";
        assert_eq!(record.attrs(img, "src"), ["/soundtracks/drive-2011/sleeve.svg"]);
        assert_eq!(record.attrs(img, "width"), ["400"]);
        assert_eq!(record.attrs(img, "height"), ["400"]);
        assert!(record.attrs(img, "alt")[0].contains("Drive"));
        assert!(record.attrs(img, "loading").is_empty(), "atop the page: loaded at once");

        let article = app.get("/articles/night-drives").await;
        assert_eq!(
            article.attrs(img, "src"),
            ["/soundtracks/drive-2011/sleeve.svg", "/soundtracks/jaws-1975/sleeve.svg"]
        );
        assert_eq!(article.attrs(img, "loading"), ["lazy", "lazy"]);
        assert!(article.attrs(img, "alt").iter().all(|a| !a.is_empty()));
        app.finish().await;
    }
}

#[actix_web::test]
async fn hostile_titles_are_drawn_as_text() {
    let hostile =
        format!("</text><script>alert(1)</script>&amp; \u{202e}שלום עולם مرحبا 🎬🎻 雨 {}", "Ω long ".repeat(250));
    let f = Fixture::new();
    f.write(
        "soundtracks/hostile-1999.toml",
        &format!(
            "title = \"{hostile}\"\nkind = \"compilation\"\nartists = [\"Someone\"]\n\n[film]\ntitle = \"{hostile}\"\nyear = 1999\ndirector = \"Somebody\"\n\n[[tracks]]\ntitle = \"A track\"\n"
        ),
    );
    f.write(
        "articles/hostile.md",
        &format!(
            "+++\ntitle = \"{hostile}\"\n{RANKED}\n+++\nIntro.\n\n## {hostile} {{soundtrack=hostile-1999}}\n\nText.\n"
        ),
    );
    for backend in backends().await {
        let app = start(backend, &f).await;
        for path in ["/articles/hostile/card.png", "/soundtracks/hostile-1999/card.png"] {
            let started = Instant::now();
            let (card, png) = bytes(&app, path).await;
            assert_eq!(card.status, 200, "{path}");
            assert_eq!(png_size(&png), (1200, 630));
            assert!(started.elapsed() < Duration::from_secs(20), "{path} took {:?}", started.elapsed());
        }
        let (sleeve, svg) = bytes(&app, "/soundtracks/hostile-1999/sleeve.svg").await;
        assert_eq!(sleeve.status, 200);
        let svg = String::from_utf8(svg).unwrap();
        assert!(!svg.contains("<script") && !svg.contains("alert"), "{svg}");
        let page = app.get("/soundtracks/hostile-1999").await;
        assert!(!page.body.contains("<script>alert"));
        assert!(meta(&page, "og:image:alt").contains("</text><script>"), "escaped, not markup");
        app.finish().await;
    }
}

#[actix_web::test]
async fn titles_in_scripts_the_font_lacks_still_make_a_card() {
    let f = Fixture::new();
    let record = |title: &str, year: i64| {
        format!(
            "title = \"{title}\"\nkind = \"score\"\ncomposers = [\"久石譲\"]\n\n[film]\ntitle = \"{title}\"\nyear = {year}\ndirector = \"宮崎駿\"\n\n[[tracks]]\ntitle = \"A track\"\n"
        )
    };
    f.write("soundtracks/mononoke-1997.toml", &record("Mononoke 🎵 もののけ姫", 1997));
    f.write("soundtracks/mononoke-hime-1997.toml", &record("🎵 もののけ姫", 1997));
    f.article(
        "ghibli",
        "🎵 ジブリ",
        RANKED,
        "Intro.\n\n## もののけ姫 {soundtrack=mononoke-hime-1997}\n\nText.\n\n## Mononoke 🎵 {soundtrack=mononoke-1997}\n\nText.\n",
    );
    for backend in backends().await {
        let app = start(backend, &f).await;
        for path in [
            "/soundtracks/mononoke-1997/card.png",
            "/soundtracks/mononoke-hime-1997/card.png",
            "/articles/ghibli/card.png",
        ] {
            let (card, png) = bytes(&app, path).await;
            assert_eq!(card.status, 200, "{path}");
            assert_eq!(card.header("content-type").unwrap(), "image/png", "{path}");
            assert_eq!(png_size(&png), (1200, 630), "{path}");
            assert!(image::load_from_memory(&png).is_ok(), "{path}");
        }
        let (sleeve, _) = bytes(&app, "/soundtracks/mononoke-hime-1997/sleeve.svg").await;
        assert_eq!(sleeve.status, 200);
        app.finish().await;
    }
}

/// The pixel at `(x, y)` of a PNG, as RGB.
fn pixel(png: &[u8], x: u32, y: u32) -> [u8; 3] {
    let img = image::load_from_memory(png).unwrap().to_rgb8();
    img.get_pixel(x, y).0
}

#[actix_web::test]
async fn a_record_card_shows_its_uploaded_cover_instead_of_its_sleeve() {
    let f = fixture();
    std::fs::create_dir_all(f.file("media")).unwrap();
    let red = image::RgbImage::from_pixel(500, 500, image::Rgb([220, 20, 30]));
    let mut png = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(red).write_to(&mut png, image::ImageFormat::Png).unwrap();
    std::fs::write(f.file("media/red.png"), png.into_inner()).unwrap();
    let drive = std::fs::read_to_string(f.file("soundtracks/drive-2011.toml")).unwrap();
    f.write(
        "soundtracks/drive-2011.toml",
        &drive.replace("kind = \"score\"\n", "kind = \"score\"\ncover = \"red.png\"\n"),
    );
    for backend in backends().await {
        let app = start(backend, &f).await;
        // The middle of the sleeve's square: the cover's red on Drive's
        // card, the generated sleeve on Jaws's.
        let (x, y) = (736 + 200, 115 + 200);
        let (page, covered) = bytes(&app, "/soundtracks/drive-2011/card.png").await;
        assert_eq!(page.status, 200);
        assert_eq!(png_size(&covered), (1200, 630));
        let [r, g, b] = pixel(&covered, x, y);
        assert!(r > 200 && g < 40 && b < 50, "{:?}", [r, g, b]);
        let (_, sleeve) = bytes(&app, "/soundtracks/jaws-1975/card.png").await;
        assert_ne!(pixel(&sleeve, x, y), [r, g, b]);
        app.finish().await;
    }
}
