//! The media store's S3 backend against a real S3-compatible server (upload,
//! serving from two nodes, and a delete that empties the bucket of the
//! picture's objects only with its last name): moto's
//! (`moto_server` from PyPI, started here on a free port). Outside CI a
//! missing `moto_server` skips the test with a note; in CI (`CI` set) it
//! fails. In a test binary of its own: it sets the `AWS_*` variables the
//! store reads, and nothing else runs in this process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::desk::{EMAIL, PASSWORD, add_account, logged_in, post_from};
use common::pictures::{get_bytes, picture, upload};
use common::{Fixture, TestApp, backends};
use cuesheet::config::SiteConfig;
use image::ImageFormat;

/// The server, stopped when dropped.
struct Moto(Child);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts moto on a free port; `None` (with a note) when it is not installed.
async fn moto() -> Option<(Moto, String)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let child = match child {
        Ok(c) => Moto(c),
        Err(e) if std::env::var_os("CI").is_some() => panic!("moto_server is required in CI: {e}"),
        Err(e) => {
            eprintln!("note: moto_server not available ({e}); the S3 media store test is skipped");
            return None;
        }
    };
    let endpoint = format!("http://127.0.0.1:{port}");
    let client = awc::Client::default();
    let start = Instant::now();
    loop {
        // A bucket is made by a PUT of its name (moto takes it unsigned).
        if let Ok(res) = client.put(format!("{endpoint}/cuesheet-media")).send().await
            && res.status().is_success()
        {
            return Some((child, endpoint));
        }
        assert!(start.elapsed() < Duration::from_secs(30), "moto_server did not start");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[actix_web::test]
async fn pictures_live_in_an_s3_compatible_store() {
    let Some((_moto, endpoint)) = moto().await else { return };
    // SAFETY: this test is the only one in its process, and sets these
    // before any thread of its own reads the environment.
    unsafe {
        std::env::set_var("AWS_ENDPOINT", &endpoint);
        std::env::set_var("AWS_ALLOW_HTTP", "true");
        std::env::set_var("AWS_ACCESS_KEY_ID", "test");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "test");
        std::env::set_var("AWS_REGION", "us-east-1");
    }
    for backend in backends().await {
        let prefix = format!("s3://cuesheet-media/site-{backend:?}");
        let store = cuesheet::media::Store::open(&prefix).unwrap();
        store.put("probe/a.txt", b"hello".to_vec()).await.unwrap();
        assert_eq!(store.get("probe/a.txt").await.unwrap().unwrap().as_ref(), b"hello");
        assert!(store.get("probe/none.txt").await.unwrap().is_none());

        let f = Fixture::new();
        std::fs::create_dir_all(f.file("media")).unwrap();
        std::fs::write(f.file("media/still.jpg"), picture(900, 600, ImageFormat::Jpeg)).unwrap();
        let config = SiteConfig { media_url: prefix.clone(), ..SiteConfig::default() };
        let app = TestApp::with_config(backend, config).await;
        app.import(f.path()).await.unwrap();
        add_account(&app, EMAIL, "Eda Editor", PASSWORD, cuesheet::auth::Role::Editor).await;
        let b = logged_in(&app).await;
        assert_eq!(upload(&b, "up.png", "image/png", &picture(100, 50, ImageFormat::Png), "Up").await.status, 303);
        let hashes: Vec<(String, String)> =
            sqlx::query_as("select name, hash from media order by name").fetch_all(&app.db.pool).await.unwrap();
        assert_eq!(hashes.len(), 2);
        for (name, hash) in &hashes {
            let file = if name == "up.png" { format!("{hash}-100.jpg") } else { format!("{hash}-640.jpg") };
            let (status, _, body) = get_bytes(&app, &format!("/media/{file}")).await;
            assert_eq!(status, 200, "{name}");
            assert!(image::load_from_memory(&body).is_ok());
            // The bytes are in the bucket, not on this node.
            assert!(store.get(&format!("variants/{file}")).await.unwrap().is_some());
        }
        // A second node reads the same store.
        let node = app.second_node().await;
        let (status, _, _) = get_bytes(&node, &format!("/media/{}-320.webp", hashes[0].1)).await;
        assert_eq!(status, 200);
        node.finish().await;

        deleting_the_last_name_empties_the_bucket(&app, &b, &store, &endpoint, &format!("site-{backend:?}")).await;
        app.finish().await;
    }
}

/// The keys under `prefix` in the bucket, as S3 lists them (moto answers
/// an unsigned listing).
async fn bucket_keys(endpoint: &str, prefix: &str) -> Vec<String> {
    let url = format!("{endpoint}/cuesheet-media?list-type=2&max-keys=1000&prefix={prefix}/");
    let mut res = awc::Client::default().get(url).send().await.unwrap();
    assert!(res.status().is_success(), "listing: {}", res.status());
    let xml = String::from_utf8(res.body().limit(8 << 20).await.unwrap().to_vec()).unwrap();
    assert!(!xml.contains("<IsTruncated>true</IsTruncated>"), "{xml}");
    xml.split("<Key>").skip(1).filter_map(|k| k.split_once("</Key>")).map(|(k, _)| k.to_owned()).collect()
}

/// Two names for the same bytes: deleting one keeps the objects (its twin
/// still shows them); deleting the last removes every one of them from the
/// bucket, and the site answers 404 for them.
async fn deleting_the_last_name_empties_the_bucket(
    app: &TestApp,
    b: &common::Browser<'_>,
    store: &cuesheet::media::Store,
    endpoint: &str,
    prefix: &str,
) {
    let png = picture(700, 300, ImageFormat::Png);
    for name in ["first.png", "twin.png"] {
        assert_eq!(upload(b, name, "image/png", &png, "Twins").await.status, 303, "{name}");
    }
    let (hash, widths, fallback): (String, String, String) =
        sqlx::query_as("select hash, widths, fallback from media where name = 'twin.png'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    let mut keys = vec![format!("originals/{hash}.png")];
    for w in widths.split(',') {
        for ext in ["webp", fallback.as_str()] {
            keys.push(format!("variants/{hash}-{w}.{ext}"));
        }
    }
    assert_eq!(keys.len(), 1 + 2 * 3, "{keys:?}");
    let mut listed: Vec<String> =
        bucket_keys(endpoint, prefix).await.into_iter().filter(|k| k.contains(&hash)).collect();
    listed.sort();
    let mut expect: Vec<String> = keys.iter().map(|k| format!("{prefix}/{k}")).collect();
    expect.sort();
    assert_eq!(listed, expect);
    let variant = format!("/media/{hash}-{}.webp", widths.split(',').next().unwrap());
    let delete = |name: &'static str| async move {
        post_from(b, "/editor/media", "/editor/media/delete", &[("name", name)]).await
    };

    // One of two names: the bytes stay for the other.
    assert_eq!(delete("first.png").await.status, 303);
    for k in &keys {
        assert!(store.has(k).await.unwrap(), "{k} went with the first name");
    }
    assert_eq!(bucket_keys(endpoint, prefix).await.iter().filter(|k| k.contains(&hash)).count(), keys.len());
    assert_eq!(get_bytes(app, &variant).await.0, 200);

    // The last name: every object of the picture leaves the bucket.
    assert_eq!(delete("twin.png").await.status, 303);
    for k in &keys {
        assert!(!store.has(k).await.unwrap(), "{k} stayed");
        assert!(store.get(k).await.unwrap().is_none(), "{k} stayed");
    }
    let left: Vec<String> = bucket_keys(endpoint, prefix).await.into_iter().filter(|k| k.contains(&hash)).collect();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(get_bytes(app, &variant).await.0, 404);
    // The other pictures of the site are still there.
    assert!(bucket_keys(endpoint, prefix).await.iter().any(|k| k.starts_with(&format!("{prefix}/variants/"))));
}
