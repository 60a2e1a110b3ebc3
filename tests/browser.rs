//! The site in a real browser: Debian's Chromium, driven headless over
//! WebDriver (chromedriver) by `thirtyfour`, against a real `cuesheet serve`
//! started as a child process on a free loopback port, over its own SQLite
//! file, with an editor account made by `cuesheet editor add`.
//!
//! - readers browse, comment, reply (with and without JavaScript) and edit;
//! - an editor writes, previews and publishes a ranked list and moderates;
//! - every page type passes axe-core (WCAG 2.1 A and AA) in the light and the
//!   dark colour scheme, plus checks of our own: labels, landmarks, heading
//!   order, `lang`, a visible keyboard focus and a working skip link;
//! - screenshots at phone and desktop widths go to `target/screenshots/`
//!   (records' sleeves and the share cards to `target/screenshots/cards/`);
//! - the raw HTML of every page type goes to `target/html/` for the Nu HTML
//!   Checker (`.ci/browser/validate.sh`); that test needs no browser.
//!
//! Without `chromedriver` and `chromium` the browser tests are skipped with a
//! note, unless `CI` is set: then they fail. `CUESHEET_BROWSER_TESTS=0` skips
//! them on purpose. `CHROMEDRIVER`, `CHROME_PATH` and `AXE_CORE` override the
//! paths (axe-core comes from `.ci/browser/node_modules`, `npm ci` there).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs::File;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use thirtyfour::prelude::*;

/// The SMTP server of the mail tests, for the password reset journey.
#[allow(dead_code)]
#[path = "common/mail.rs"]
mod mail_sink;

const REPO: &str = env!("CARGO_MANIFEST_DIR");
const BIN: &str = env!("CARGO_BIN_EXE_cuesheet");

const EDITOR_EMAIL: &str = "eda@example.com";
const EDITOR_NAME: &str = "Eda Editor";
const EDITOR_PASSWORD: &str = "a long and secret passphrase";

const RANKED: &str = "/articles/soundtracks-that-hit-harder-than-the-plot";
const UNRANKED: &str = "/articles/soundtracks-better-than-the-movies";
const GUIDE: &str = "/articles/best-movie-soundtracks-of-all-time";
const RECORD: &str = "/soundtracks/blade-runner-1982";
const PERSON: &str = "/people/vangelis";

/// The flags every Chromium here starts with (no sandbox as root; nothing
/// that phones home, since the machine has no network beyond loopback).
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
];

fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| Path::new(REPO).join("target"), PathBuf::from)
}

/// `name` on `PATH`, or the file an environment variable names.
fn find_program(var: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(var) {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    names.iter().flat_map(|n| std::env::split_paths(&path).map(move |d| d.join(n))).find(|p| p.is_file())
}

/// The browser and its driver.
struct Tools {
    chromedriver: PathBuf,
    chromium: PathBuf,
}

/// The tools, or `None` (with a note) when the suite is to be skipped.
/// Missing tools fail the test in CI.
fn tools() -> Option<Tools> {
    if let Ok(v) = std::env::var("CUESHEET_BROWSER_TESTS")
        && matches!(v.as_str(), "0" | "off" | "false" | "no")
    {
        eprintln!("note: CUESHEET_BROWSER_TESTS={v}: browser test skipped");
        return None;
    }
    let chromedriver = find_program("CHROMEDRIVER", &["chromedriver"]);
    let chromium = find_program("CHROME_PATH", &["chromium", "chromium-browser", "google-chrome"]);
    match (chromedriver, chromium) {
        (Some(chromedriver), Some(chromium)) => Some(Tools { chromedriver, chromium }),
        (d, c) => {
            let missing = [d.is_none().then_some("chromedriver"), c.is_none().then_some("chromium")]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" and ");
            assert!(!in_ci(), "{missing} not found: the browser suite is required in CI (bash .ci/browser/install.sh)");
            eprintln!(
                "note: {missing} not found: browser test skipped (apt-get install chromium chromium-driver to run it)"
            );
            None
        }
    }
}

/// axe-core's browser bundle, or `None` (with a note) outside CI.
fn axe_source() -> Option<String> {
    let path = std::env::var_os("AXE_CORE")
        .map_or_else(|| Path::new(REPO).join(".ci/browser/node_modules/axe-core/axe.min.js"), PathBuf::from);
    match std::fs::read_to_string(&path) {
        Ok(s) => Some(s),
        Err(e) => {
            assert!(!in_ci(), "{}: {e}: run `npm ci` in .ci/browser (bash .ci/browser/install.sh)", path.display());
            eprintln!("note: {}: {e}: axe-core checks skipped (npm ci in .ci/browser)", path.display());
            None
        }
    }
}

/// One browser at a time: the machine has two cores, and Chromium wants both.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A loopback port nobody is listening on (bound, read, released).
fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// The status line of a plain `GET` to `addr`, if anything answers.
fn http_status(addr: &str, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect_timeout(&addr.parse().ok()?, Duration::from_secs(1)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").ok()?;
    let mut head = [0u8; 12];
    s.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// The last lines of a log file, for a failure message.
fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// `cuesheet serve` as a child process over its own SQLite file. Killed
/// when dropped, even when the test panics.
struct Site {
    child: Child,
    base: String,
    log: PathBuf,
    _dir: tempfile::TempDir,
    _content: Option<tempfile::TempDir>,
}

/// A copy of `content/` with pictures made here: a feature picture on the
/// ranked list and covers on three of its four records.
fn content_with_pictures() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(REPO).join("content");
    for sub in ["articles", "soundtracks"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for f in std::fs::read_dir(from.join(sub)).unwrap().flatten() {
            std::fs::copy(f.path(), dir.path().join(sub).join(f.file_name())).unwrap();
        }
    }
    std::fs::create_dir_all(dir.path().join("media")).unwrap();
    let save = |name: &str, w: u32, h: u32, tint: [u8; 3]| {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            let t = |c: u8, v: u32, n: u32| (u32::from(c) * (n - v / 2) / n) as u8;
            image::Rgb([t(tint[0], x, w), t(tint[1], y, h), t(tint[2], (x + y) / 2, (w + h) / 2)])
        });
        img.save(dir.path().join("media").join(name)).unwrap();
    };
    save("rain-at-night.jpg", 1600, 900, [40, 90, 200]);
    save("blade-runner-cover.jpg", 600, 600, [230, 120, 40]);
    save("drive-cover.png", 600, 600, [240, 60, 160]);
    save("the-crow-cover.jpg", 600, 600, [120, 120, 130]);
    let edit = |rel: &str, from: &str, to: &str| {
        let path = dir.path().join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    edit(
        "articles/soundtracks-that-hit-harder-than-the-plot.md",
        "title = ",
        "feature = \"rain-at-night.jpg\"\nfeature_alt = \"A city street in blue rain at night\"\ntitle = ",
    );
    for (record, cover) in [
        ("blade-runner-1982", "blade-runner-cover.jpg"),
        ("drive-2011", "drive-cover.png"),
        ("the-crow-1994", "the-crow-cover.jpg"),
    ] {
        edit(&format!("soundtracks/{record}.toml"), "title = ", &format!("cover = \"{cover}\"\ntitle = "));
    }
    dir
}

impl Site {
    fn start() -> Site {
        Self::serve(Path::new(REPO).join("content"), None, &[])
    }

    /// [`Site::start`] with settings for `serve` (environment variables).
    fn start_with(settings: &[(&str, String)]) -> Site {
        Self::serve(Path::new(REPO).join("content"), None, settings)
    }

    /// A site over its own content tree (kept as long as the site).
    fn start_in(content: tempfile::TempDir) -> Site {
        Self::serve(content.path().to_path_buf(), Some(content), &[])
    }

    fn serve(content: PathBuf, keep: Option<tempfile::TempDir>, settings: &[(&str, String)]) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let database_url = format!("sqlite://{}/db.sqlite", dir.path().display());
        let cuesheet = || {
            let mut c = Command::new(BIN);
            // Only this test's settings: none inherited from the shell.
            for (k, _) in std::env::vars_os() {
                if k.to_string_lossy().starts_with("CUESHEET_") {
                    c.env_remove(k);
                }
            }
            c.env("DATABASE_URL", &database_url).current_dir(dir.path());
            c
        };
        let mut add = cuesheet()
            .args(["editor", "add", EDITOR_EMAIL, "--name", EDITOR_NAME, "--password-stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        writeln!(add.stdin.take().unwrap(), "{EDITOR_PASSWORD}").unwrap();
        let out = add.wait_with_output().unwrap();
        assert!(out.status.success(), "cuesheet editor add: {}", String::from_utf8_lossy(&out.stderr));

        let addr = format!("127.0.0.1:{}", free_port());
        let log = dir.path().join("server.log");
        let file = File::create(&log).unwrap();
        let child = cuesheet()
            .args(["serve", "--bind", &addr, "--workers", "2"])
            .arg("--content")
            .arg(&content)
            .args(["--comment-interval", "0", "--comment-min-seconds", "0"])
            .envs(settings.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap();
        let mut site = Site { child, base: format!("http://{addr}"), log, _dir: dir, _content: keep };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = site.child.try_wait().unwrap() {
                panic!("cuesheet serve exited with {status}:\n{}", tail(&site.log, 40));
            }
            if http_status(&addr, "/") == Some(200) {
                return site;
            }
            assert!(Instant::now() < deadline, "cuesheet serve did not answer in 60 s:\n{}", tail(&site.log, 40));
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- cuesheet serve log (last lines) ---\n{}", tail(&self.log, 30));
        }
    }
}

/// chromedriver in a process group of its own, so that dropping this kills
/// it and every Chromium process it started, even when the test panics.
struct Driver {
    child: Child,
    url: String,
    profile: tempfile::TempDir,
}

impl Driver {
    fn start(tools: &Tools) -> Driver {
        let profile = tempfile::tempdir().unwrap();
        let port = free_port();
        let log = File::create(profile.path().join("chromedriver.log")).unwrap();
        let child = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .arg("--log-level=WARNING")
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut driver = Driver { child, url: format!("http://127.0.0.1:{port}"), profile };
        let addr = format!("127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while http_status(&addr, "/status") != Some(200) {
            if let Some(status) = driver.child.try_wait().unwrap() {
                panic!("chromedriver exited with {status}");
            }
            assert!(Instant::now() < deadline, "chromedriver did not answer in 30 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // The whole group: chromedriver and the browser it launched.
        let pgid = self.child.id();
        let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pgid}")]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a browser session is started with.
#[derive(Clone, Copy)]
struct Options {
    javascript: bool,
    /// Serve a copy of `content/` with pictures: a feature picture on the
    /// ranked list and covers on its records.
    pictures: bool,
}

/// A site, a browser and a WebDriver session on it. Fields drop in order:
/// the session, then the driver and its browsers, then the server.
struct Ctx {
    driver: WebDriver,
    _chrome: Driver,
    site: Site,
}

impl Ctx {
    async fn start(tools: &Tools, options: Options) -> Ctx {
        let site = if options.pictures { Site::start_in(content_with_pictures()) } else { Site::start() };
        Ctx::on(tools, options, site).await
    }

    /// A browser on a site already started.
    async fn on(tools: &Tools, options: Options, site: Site) -> Ctx {
        let chrome = Driver::start(tools);
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary(&tools.chromium.to_string_lossy()).unwrap();
        for flag in CHROMIUM_FLAGS {
            caps.add_arg(flag).unwrap();
        }
        caps.add_arg(&format!("--user-data-dir={}", chrome.profile.path().join("profile").display())).unwrap();
        if !options.javascript {
            caps.add_experimental_option("prefs", json!({ "profile.managed_default_content_settings.javascript": 2 }))
                .unwrap();
        }
        let driver = WebDriver::new(&chrome.url, caps).await.unwrap();
        driver.set_script_timeout(Duration::from_secs(60)).await.unwrap();
        driver.set_page_load_timeout(Duration::from_secs(30)).await.unwrap();
        Ctx { driver, _chrome: chrome, site }
    }

    /// Ends the session cleanly; the guards then stop the processes.
    async fn finish(self) {
        let Ctx { driver, .. } = self;
        driver.quit().await.unwrap();
    }

    async fn goto(&self, path: &str) {
        self.driver.goto(self.site.url(path)).await.unwrap();
    }

    async fn find(&self, css: &str) -> WebElement {
        self.driver.find(By::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"))
    }

    /// Waits (up to the driver's default) for an element.
    async fn wait_for(&self, css: &str) -> WebElement {
        self.driver.query(By::Css(css)).first().await.unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
    }

    async fn count(&self, css: &str) -> usize {
        self.driver.find_all(By::Css(css)).await.unwrap().len()
    }

    /// Trimmed texts of every element matching `css`, read in one script so
    /// that a script replacing the elements meanwhile (the live preview does)
    /// cannot leave the test holding a stale reference.
    async fn texts(&self, css: &str) -> Vec<String> {
        let texts = self
            .js("return Array.from(document.querySelectorAll(arguments[0]), e => e.innerText);", vec![json!(css)])
            .await;
        texts
            .as_array()
            .unwrap_or_else(|| panic!("texts of {css}: {texts}"))
            .iter()
            .map(|t| t.as_str().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" "))
            .collect()
    }

    async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.driver.execute(script, args).await.unwrap_or_else(|e| panic!("script failed: {e}")).json().clone()
    }

    /// Path, query and fragment of the current page.
    async fn location(&self) -> String {
        let url = self.driver.current_url().await.unwrap();
        let mut s = url.path().to_owned();
        if let Some(q) = url.query() {
            s.push('?');
            s.push_str(q);
        }
        if let Some(f) = url.fragment() {
            s.push('#');
            s.push_str(f);
        }
        s
    }

    /// Waits until the location satisfies `ok`; returns it.
    async fn wait_location(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let here = self.location().await;
            if ok(&here) {
                return here;
            }
            assert!(Instant::now() < deadline, "still at {here}, waiting for {what}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The HTTP status of the document on show (Navigation Timing).
    async fn status(&self) -> u64 {
        let v = self.js("return performance.getEntriesByType('navigation')[0].responseStatus;", vec![]).await;
        v.as_u64().unwrap_or_else(|| panic!("no response status: {v}"))
    }

    /// Types into the field `css` after clearing it.
    async fn fill(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    /// Logs in at /editor/login through the form.
    async fn log_in(&self) {
        self.goto("/editor/login").await;
        self.fill("#email", EDITOR_EMAIL).await;
        self.fill("#password", EDITOR_PASSWORD).await;
        self.find("form[action='/editor/login'] button[type=submit]").await.click().await.unwrap();
        self.wait_location("the dashboard", |l| l == "/editor").await;
        assert_eq!(self.texts("h1").await, vec!["Dashboard"]);
    }

    /// Fills the comment form on the current page and posts it; returns
    /// the new location.
    async fn post_comment(&self, text: &str, author: &str, email: &str) {
        self.fill("#comment", text).await;
        self.fill("#author", author).await;
        self.fill("#email", email).await;
        self.find(".comment-form button[type=submit]").await.click().await.unwrap();
    }

    /// Posts a comment and waits for the redirect to it; returns its id.
    async fn comment(&self, text: &str, author: &str) -> i64 {
        let before = self.location().await;
        self.post_comment(text, author, "reader@example.com").await;
        let here = self.wait_location("the new comment", |l| l != before && l.contains("#comment-")).await;
        let id: i64 = here.rsplit("#comment-").next().unwrap().parse().unwrap();
        assert!(
            self.texts(&format!("#comment-{id} > .comment-body .comment-text")).await[0].contains(text),
            "comment {id} shows its text"
        );
        id
    }

    async fn set_dark(&self, dark: bool) {
        let value = if dark { "dark" } else { "light" };
        self.driver
            .cdp()
            .send_raw(
                "Emulation.setEmulatedMedia",
                json!({ "features": [{ "name": "prefers-color-scheme", "value": value }] }),
            )
            .await
            .unwrap();
    }

    async fn background(&self) -> String {
        self.js("return getComputedStyle(document.body).backgroundColor;", vec![]).await.as_str().unwrap().to_owned()
    }
}

/// Runs a browser test: skipped (with a note) when the tools are missing.
/// Its own runtime, so that the lock is held outside of any future.
macro_rules! browser_test {
    ($name:ident, $options:expr, |$ctx:ident| $body:block) => {
        #[test]
        fn $name() {
            let Some(tools) = tools() else { return };
            let _serial = one_at_a_time();
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            runtime.block_on(async {
                let $ctx = Ctx::start(&tools, $options).await;
                $body
                $ctx.finish().await;
            });
        }
    };
}

const JS: Options = Options { javascript: true, pictures: false };
const NO_JS: Options = Options { javascript: false, pictures: false };
const PICTURES: Options = Options { javascript: true, pictures: true };

browser_test!(a_reader_follows_a_list_its_contents_a_record_and_a_person, JS, |ctx| {
    ctx.goto("/").await;
    assert_eq!(ctx.texts("h1").await, vec!["Latest lists"]);
    assert_eq!(ctx.count(".summary h2 a").await, 3, "the three published lists");
    ctx.find(&format!(".summary h2 a[href='{GUIDE}']")).await.click().await.unwrap();
    ctx.wait_location("the guide", |l| l == GUIDE).await;
    assert_eq!(ctx.texts("h1").await, vec!["The best movie soundtracks of all time"]);

    // The table of contents: jump to an entry (a nested item), which is
    // then on screen.
    let toc_entries = ctx.driver.find_all(By::Css("nav.toc ol ol a")).await.unwrap();
    assert!(toc_entries.len() >= 3, "the guide's contents list its entries");
    let link = &toc_entries[2];
    let href = link.attr("href").await.unwrap().unwrap();
    let anchor = href.trim_start_matches('#').to_owned();
    link.click().await.unwrap();
    ctx.wait_location("the entry", |l| l.ends_with(&href)).await;
    let on_screen = ctx
        .js(
            "const r = document.getElementById(arguments[0]).getBoundingClientRect(); \
             return r.top >= 0 && r.top < innerHeight;",
            vec![json!(anchor)],
        )
        .await;
    assert_eq!(on_screen, json!(true), "#{anchor} scrolled into view");

    // Its record card leads to the record, and the record to a person.
    let section = format!("section.entry[aria-labelledby='{anchor}']");
    let card_link = ctx.find(&format!("{section} .card-title a")).await;
    let record = card_link.attr("href").await.unwrap().unwrap();
    card_link.click().await.unwrap();
    ctx.wait_location("the record", |l| l == record).await;
    assert!(ctx.texts("h1").await[0].ends_with("the soundtrack"));
    let appearances = ctx.driver.find_all(By::Css(".appearances a")).await.unwrap();
    let mut back = Vec::new();
    for a in appearances {
        back.push(a.attr("href").await.unwrap().unwrap());
    }
    assert!(back.contains(&format!("{GUIDE}#{anchor}")), "the record links back to the entry: {back:?}");

    let person = ctx.find(".card dd a[href^='/people/']").await;
    let name = person.text().await.unwrap();
    let person_href = person.attr("href").await.unwrap().unwrap();
    person.click().await.unwrap();
    ctx.wait_location("the person", |l| l == person_href).await;
    assert_eq!(ctx.texts("h1").await, vec![name]);
    assert!(ctx.count(&format!(".index a[href='{record}']")).await == 1, "the person's records include {record}");
});

browser_test!(a_reader_comments_replies_and_edits_with_javascript, JS, |ctx| {
    ctx.goto(UNRANKED).await;
    let a = ctx.comment("The score is the best thing about this list.", "Ada Reader").await;

    // "Reply" moves the form under the comment (static/comments.js): no
    // page load, the parent is set and the text box has the focus.
    ctx.find(&format!("#comment-{a} a.reply")).await.click().await.unwrap();
    ctx.wait_for(&format!("#comment-{a} #respond")).await;
    assert_eq!(ctx.location().await, format!("{UNRANKED}#comment-{a}"), "no navigation");
    assert_eq!(ctx.find("#comment_parent").await.prop("value").await.unwrap(), Some(a.to_string()));
    assert_eq!(ctx.texts("#reply-title").await, vec!["Reply to Ada Reader"]);
    assert_eq!(ctx.js("return document.activeElement.id;", vec![]).await, json!("comment"));
    let b = ctx.comment("Agreed, and the theme is better still.", "Bo Replier").await;
    assert_eq!(ctx.count(&format!("#comment-{a} .replies #comment-{b}")).await, 1, "the reply is nested");

    // Edit the reply within the window.
    ctx.find(&format!("#comment-{b} .comment-actions a[href='/comments/{b}/edit']")).await.click().await.unwrap();
    ctx.wait_location("the edit form", |l| l == format!("/comments/{b}/edit")).await;
    assert_eq!(
        ctx.find("#comment").await.prop("value").await.unwrap().unwrap().trim(),
        "Agreed, and the theme is better still."
    );
    ctx.fill("#comment", "Agreed: the theme outlives the film.").await;
    ctx.find("form.comment-form button[type=submit]").await.click().await.unwrap();
    ctx.wait_location("the edited comment", |l| l.ends_with(&format!("#comment-{b}"))).await;
    assert!(ctx.texts(&format!("#comment-{b} .comment-text")).await[0].contains("the theme outlives the film"));
    assert_eq!(ctx.texts(&format!("#comment-{b} .comment-edited")).await, vec!["(edited)"]);

    // A bad submission (an address the browser accepts and the site does
    // not) comes back as 422 with everything still typed.
    ctx.goto(UNRANKED).await;
    let typed = "Kept: “Tubular Bells” ✓ 42 <b>not html</b>";
    ctx.post_comment(typed, "Cy Typist", "cy@localhost").await;
    ctx.wait_for("#email-error").await;
    assert_eq!(ctx.status().await, 422);
    assert_eq!(ctx.find("#comment").await.prop("value").await.unwrap().unwrap().trim(), typed);
    assert_eq!(ctx.find("#author").await.prop("value").await.unwrap(), Some("Cy Typist".into()));
    assert_eq!(ctx.find("#email").await.attr("aria-invalid").await.unwrap(), Some("true".into()));
});

browser_test!(a_reader_comments_and_replies_without_javascript, NO_JS, |ctx| {
    ctx.goto(RANKED).await;
    let a = ctx.comment("Without scripts, this still works.", "Noor Noscript").await;

    // "Reply" is a plain link: the page loads again with the form set.
    ctx.find(&format!("#comment-{a} a.reply")).await.click().await.unwrap();
    let here = ctx.wait_location("the reply form", |l| l.contains("replytocom")).await;
    assert_eq!(here, format!("{RANKED}?replytocom={a}#respond"), "the link was followed: no script ran");
    assert_eq!(ctx.texts("#reply-title").await, vec!["Reply to Noor Noscript"]);
    assert_eq!(ctx.find("#comment_parent").await.attr("value").await.unwrap(), Some(a.to_string()));
    assert_eq!(ctx.count(".cancel-reply a").await, 1);
    let b = ctx.comment("A reply, sent the old way.", "Olu Oldway").await;
    assert_eq!(ctx.count(&format!("#comment-{a} .replies #comment-{b}")).await, 1, "the reply is nested");

    ctx.find(&format!("#comment-{b} .comment-actions a[href='/comments/{b}/edit']")).await.click().await.unwrap();
    ctx.wait_location("the edit form", |l| l == format!("/comments/{b}/edit")).await;
    ctx.fill("#comment", "A reply, edited the old way.").await;
    ctx.find("form.comment-form button[type=submit]").await.click().await.unwrap();
    ctx.wait_location("the edited comment", |l| l.ends_with(&format!("#comment-{b}"))).await;
    assert!(ctx.texts(&format!("#comment-{b} .comment-text")).await[0].contains("edited the old way"));
});

browser_test!(an_editor_writes_publishes_and_moderates, JS, |ctx| {
    ctx.log_in().await;
    ctx.find("nav.desk-nav a[href='/editor/articles/new']").await.click().await.unwrap();
    ctx.wait_location("the new list form", |l| l == "/editor/articles/new").await;
    ctx.fill("#f-title", "Night drives and open water").await;
    ctx.fill("#f-description", "Two scores for after dark.").await;
    ctx.find("#f-list option[value=ranked]").await.click().await.unwrap();
    let body = "Two scores for after dark.\n\n\
                ## Drive {soundtrack=drive-2011}\n\nSynths under sodium lights.\n\n\
                ## Jaws {soundtrack=jaws-1975}\n\nTwo notes, and the water is never safe again.\n";
    ctx.fill("#f-body", body).await;

    // Preview keeps the draft first and says so; the page that comes back
    // shows the text as readers will see it.
    ctx.find("button[value=preview]").await.click().await.unwrap();
    ctx.wait_for(".notice").await;
    assert_eq!(ctx.texts(".preview .entry .rank").await, vec!["1", "2"]);
    assert_eq!(ctx.find("#f-body").await.prop("value").await.unwrap().unwrap().trim(), body.trim(), "text kept");

    ctx.find("button[value=publish]").await.click().await.unwrap();
    ctx.wait_location("the saved list", |l| l.starts_with("/editor/articles/") && l.contains("saved=")).await;
    // The badge is set in capitals by the stylesheet; its text is the status.
    let status: Vec<String> = ctx.texts("h1 .status").await.iter().map(|s| s.to_lowercase()).collect();
    assert_eq!(status, vec!["published"]);
    let public = ctx.find(".publish-panel a.public-link").await.attr("href").await.unwrap().unwrap();
    ctx.goto(&public).await;
    assert_eq!(ctx.status().await, 200);
    assert_eq!(ctx.texts("h1").await, vec!["Night drives and open water"]);
    assert_eq!(ctx.texts(".entry .rank").await, vec!["1", "2"]);
    assert_eq!(ctx.texts(".entry h2").await, vec!["1. Drive", "2. Jaws"]);
    let cards: Vec<String> = {
        let mut v = Vec::new();
        for a in ctx.driver.find_all(By::Css(".entry .card-title a")).await.unwrap() {
            v.push(a.attr("href").await.unwrap().unwrap());
        }
        v
    };
    assert_eq!(cards, vec!["/soundtracks/drive-2011", "/soundtracks/jaws-1975"]);

    // A reader's comment with two links is held...
    ctx.driver.delete_all_cookies().await.unwrap();
    ctx.goto(&public).await;
    ctx.post_comment(
        "Both at once: [Drive](https://example.com/drive) and [Jaws](https://example.com/jaws).",
        "Lin Linker",
        "lin@example.com",
    )
    .await;
    let here = ctx.wait_location("the held comment", |l| l.contains("#comment-")).await;
    let id: i64 = here.rsplit("#comment-").next().unwrap().parse().unwrap();
    assert_eq!(ctx.count(&format!("#comment-{id}.pending .awaiting")).await, 1, "held, shown only to its author");
    ctx.driver.delete_all_cookies().await.unwrap();
    ctx.goto(&public).await;
    assert_eq!(ctx.count(&format!("#comment-{id}")).await, 0, "not public while held");

    // ...until an editor approves it.
    ctx.log_in().await;
    ctx.goto("/editor/comments").await;
    ctx.find(&format!("#mod-{id} button[value='approve:{id}']")).await.click().await.unwrap();
    ctx.wait_location("the moderation page", |l| l.contains("done=")).await;
    assert_eq!(ctx.count(&format!("#mod-{id}")).await, 0, "gone from the pending tab");
    ctx.driver.delete_all_cookies().await.unwrap();
    ctx.goto(&public).await;
    assert_eq!(ctx.count(&format!("#comment-{id}:not(.pending)")).await, 1, "public once approved");
    assert_eq!(ctx.texts(&format!("#comment-{id} .comment-text a")).await, vec!["Drive", "Jaws"]);
});

/// Our own checks, beside axe: `lang`, landmarks, one `h1` and no skipped
/// heading level, a label on every field, a skip link to `main`, unique ids.
const OWN_CHECKS: &str = r#"
const problems = [];
const lang = document.documentElement.getAttribute('lang');
if (!lang) problems.push('<html> has no lang');
const one = (sel, what) => { const n = document.querySelectorAll(sel).length; if (n !== 1) problems.push(n + ' ' + what + ' landmarks'); };
one('body > header, [role=banner]', 'banner');
one('main', 'main');
one('body > footer, [role=contentinfo]', 'contentinfo');
if (!document.querySelector('nav[aria-label], nav[aria-labelledby]')) problems.push('no labelled navigation landmark');
for (const el of document.querySelectorAll('body > *:not(header, main, footer, a.skip-link, script)'))
  problems.push('content outside the landmarks: <' + el.tagName.toLowerCase() + ' class="' + el.className + '">');
const heads = Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'));
const h1s = heads.filter(h => h.tagName === 'H1').length;
if (h1s !== 1) problems.push(h1s + ' h1 elements');
if (heads.length && heads[0].tagName !== 'H1') problems.push('the first heading is ' + heads[0].tagName);
let level = 1;
for (const h of heads) {
  const l = Number(h.tagName[1]);
  if (l > level + 1) problems.push('heading level skipped: h' + level + ' then h' + l + ' "' + h.textContent.trim().slice(0, 40) + '"');
  level = l;
}
for (const f of document.querySelectorAll('input:not([type=hidden]):not([hidden]), select, textarea')) {
  const named = f.getAttribute('aria-label') || f.getAttribute('aria-labelledby')
    || Array.from(f.labels || []).some(l => l.textContent.trim() !== '');
  if (!named) problems.push('field without a label: ' + (f.id || f.name));
}
const skip = document.querySelector('a.skip-link');
if (!skip || skip !== document.querySelector('body a') || !document.getElementById((skip.getAttribute('href') || '#').slice(1)))
  problems.push('no working skip link first in the page');
const ids = new Map();
for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) || 0) + 1);
for (const [id, n] of ids) if (n > 1) problems.push('id "' + id + '" used ' + n + ' times');
return problems;
"#;

/// axe-core at WCAG 2.0/2.1 A and AA; the violations, one line each.
const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })
  .then(r => done(r.violations.flatMap(v => v.nodes.map(n =>
    v.id + ' (' + v.impact + '): ' + v.help + ' at ' + n.target.join(' ') + ' | ' + (n.failureSummary || '').replace(/\s+/g, ' ')))))
  .catch(e => done(['axe failed: ' + e]));
"#;

/// Light and dark body backgrounds from static/style.css.
const LIGHT_BG: &str = "rgb(255, 250, 243)";
const DARK_BG: &str = "rgb(22, 19, 17)";

impl Ctx {
    /// Runs axe and our own checks on the page on show, in the light and
    /// the dark scheme; adds what fails to `failures`.
    async fn audit(&self, name: &str, axe: &str, failures: &mut Vec<String>) {
        if self.js("return typeof window.axe;", vec![]).await != json!("object") {
            self.js(axe, vec![]).await;
            assert_eq!(self.js("return typeof window.axe;", vec![]).await, json!("object"), "axe-core injected");
        }
        let own: Vec<String> = serde_json::from_value(self.js(OWN_CHECKS, vec![]).await).unwrap();
        failures.extend(own.into_iter().map(|p| format!("{name}: {p}")));
        for dark in [false, true] {
            self.set_dark(dark).await;
            let scheme = if dark { "dark" } else { "light" };
            let bg = self.background().await;
            assert_eq!(bg, if dark { DARK_BG } else { LIGHT_BG }, "{name}: the {scheme} stylesheet applies");
            let ret = self.driver.execute_async(AXE_RUN, vec![]).await.unwrap();
            let violations: Vec<String> = serde_json::from_value(ret.json().clone()).unwrap();
            failures.extend(violations.into_iter().map(|v| format!("{name} ({scheme}): {v}")));
        }
        self.set_dark(false).await;
    }

    /// Opens `path`, checks its status and audits it.
    async fn audit_page(&self, name: &str, path: &str, status: u64, axe: &str, failures: &mut Vec<String>) {
        self.goto(path).await;
        assert_eq!(self.status().await, status, "{name}: {path}");
        self.audit(name, axe, failures).await;
    }
}

browser_test!(every_page_type_passes_axe_in_light_and_dark, JS, |ctx| {
    let Some(axe) = axe_source() else {
        ctx.finish().await;
        return;
    };
    let axe = axe.as_str();
    let mut failures = Vec::new();
    let mut audited = 0;

    // A thread with a reply, and a held comment its author sees.
    ctx.goto(RANKED).await;
    let a = ctx.comment("A comment, so the thread has markup.", "Ada Reader").await;
    ctx.goto(&format!("{RANKED}?replytocom={a}")).await;
    ctx.comment("And a reply to it.", "Bo Replier").await;
    ctx.goto(RANKED).await;
    ctx.post_comment("Held: [one](https://example.com/1) [two](https://example.com/2)", "Lin", "lin@example.com").await;
    ctx.wait_location("the held comment", |l| l.contains("#comment-")).await;

    ctx.goto("/tags").await;
    let tag = ctx.find(".index a[href^='/tags/']").await.attr("href").await.unwrap().unwrap();
    for (name, path, status) in [
        ("home", "/", 200),
        ("ranked list", RANKED, 200),
        ("unranked list", UNRANKED, 200),
        ("guide", GUIDE, 200),
        ("reply form", &format!("{RANKED}?replytocom={a}"), 200),
        ("record", RECORD, 200),
        ("person", PERSON, 200),
        ("tag", &tag, 200),
        ("tags", "/tags", 200),
        ("soundtracks", "/soundtracks", 200),
        ("not found", "/no/such/page", 404),
        ("comment edit", &format!("/comments/{a}/edit"), 200),
    ] {
        ctx.audit_page(name, path, status, axe, &mut failures).await;
        audited += 1;
    }
    // Search is new: audited whatever it answers, and its status reported.
    ctx.goto("/search?q=drive").await;
    let search_status = ctx.status().await;
    if search_status != 200 {
        eprintln!("note: /search?q=drive answered {search_status}");
    }
    ctx.audit("search", axe, &mut failures).await;
    audited += 1;

    // A comment the site refuses (422), and a desk form sent without its
    // token (403; public forms carry none).
    ctx.goto(UNRANKED).await;
    ctx.post_comment("Typed, and kept.", "Cy Typist", "cy@localhost").await;
    ctx.wait_for("#email-error").await;
    assert_eq!(ctx.status().await, 422);
    ctx.audit("comment refused (422)", axe, &mut failures).await;
    ctx.goto("/editor/login").await;
    ctx.driver.delete_cookie("cuesheet_csrf").await.unwrap();
    ctx.fill("#email", EDITOR_EMAIL).await;
    ctx.fill("#password", EDITOR_PASSWORD).await;
    ctx.find("form[action='/editor/login'] button[type=submit]").await.click().await.unwrap();
    ctx.wait_for(".error-page").await;
    assert_eq!(ctx.status().await, 403);
    ctx.audit("form refused (403)", axe, &mut failures).await;
    audited += 2;

    // The editor desk.
    ctx.audit_page("editor login", "/editor/login", 200, axe, &mut failures).await;
    ctx.fill("#email", EDITOR_EMAIL).await;
    ctx.fill("#password", "not the password").await;
    ctx.find("form[action='/editor/login'] button[type=submit]").await.click().await.unwrap();
    ctx.wait_for(".form-error").await;
    assert_eq!(ctx.status().await, 401);
    ctx.audit("editor login refused (401)", axe, &mut failures).await;
    audited += 1;
    ctx.log_in().await;
    for (name, path) in [
        ("editor dashboard", "/editor"),
        ("editor new list", "/editor/articles/new"),
        ("editor list", "/editor/articles/1"),
        ("editor records", "/editor/records"),
        ("editor new record", "/editor/records/new"),
        ("editor record", "/editor/records/blade-runner-1982"),
        ("editor moderation (pending)", "/editor/comments"),
        ("editor moderation (approved)", "/editor/comments?status=approved"),
        ("editor moderation (spam)", "/editor/comments?status=spam"),
        ("editor people", "/editor/people"),
        ("editor account", "/editor/account"),
        ("editor media", "/editor/media"),
    ] {
        ctx.audit_page(name, path, 200, axe, &mut failures).await;
        audited += 1;
    }
    ctx.goto("/editor/articles/new").await;
    ctx.fill("#f-title", "A preview").await;
    ctx.fill(
        "#f-body",
        "Intro.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n\n## Jaws {soundtrack=jaws-1975}\n\nSea.\n",
    )
    .await;
    ctx.find("button[value=preview]").await.click().await.unwrap();
    ctx.wait_for(".notice").await;
    ctx.audit("editor preview", axe, &mut failures).await;
    ctx.find("button[value=save]").await.click().await.unwrap();
    ctx.wait_location("the saved draft", |l| l.contains("saved=")).await;
    ctx.audit("editor list with revisions", axe, &mut failures).await;
    ctx.find(".revisions a").await.click().await.unwrap();
    ctx.wait_location("a revision", |l| l.contains("/revisions/")).await;
    ctx.audit("editor revision", axe, &mut failures).await;
    audited += 4;

    // The writing view with the check's findings, refreshed by the script
    // as the text changes, and sent back without it (Preview).
    ctx.goto("/editor/articles/new").await;
    ctx.fill("#f-title", "Findings").await;
    ctx.find("#f-body")
        .await
        .send_keys("Intro isnâ€™t clean.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n")
        .await
        .unwrap();
    ctx.wait_for("#live-problems a[data-line]").await;
    ctx.wait_for("#live-preview .entry").await;
    ctx.audit("editor findings (live)", axe, &mut failures).await;
    ctx.find("button[value=preview]").await.click().await.unwrap();
    ctx.wait_for(".notice").await;
    assert_eq!(ctx.count(".problems .problem-error").await, 1);
    ctx.audit("editor findings (preview)", axe, &mut failures).await;
    audited += 2;

    // A control: the same checks do catch a low-contrast text and a field
    // without a label, so an empty report above means something.
    ctx.goto("/").await;
    ctx.js(
        "const p = document.createElement('p'); p.textContent = 'Faint'; p.style.color = '#f4efe8'; \
         const i = document.createElement('input'); i.type = 'text'; \
         document.querySelector('main').append(p, i);",
        vec![],
    )
    .await;
    let mut control = Vec::new();
    ctx.audit("control", axe, &mut control).await;
    for expected in ["color-contrast", "label", "field without a label"] {
        assert!(control.iter().any(|c| c.contains(expected)), "the checks miss {expected}: {control:?}");
    }

    eprintln!("audited {audited} pages in the light and dark schemes");
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
});

browser_test!(keyboard_focus_is_visible_and_the_skip_link_works, JS, |ctx| {
    for (path, dark) in
        [("/", false), (RANKED, false), (RANKED, true), ("/editor/login", false), ("/editor/login", true)]
    {
        ctx.goto(path).await;
        ctx.set_dark(dark).await;
        let focus = if dark { "rgb(140, 184, 255)" } else { "rgb(29, 95, 191)" };
        // The first Tab lands on the skip link, which shows itself with the
        // focus outline.
        ctx.driver.action_chain().send_keys(Key::Tab).perform().await.unwrap();
        let state = ctx
            .js(
                "const a = document.activeElement, s = getComputedStyle(a), r = a.getBoundingClientRect(); \
                 return { cls: a.className, visible: a.matches(':focus-visible'), style: s.outlineStyle, \
                          width: s.outlineWidth, color: s.outlineColor, top: r.top, bottom: r.bottom };",
                vec![],
            )
            .await;
        assert_eq!(state["cls"], json!("skip-link"), "{path}: {state}");
        assert_eq!(state["visible"], json!(true), "{path}: {state}");
        assert_eq!(state["style"], json!("solid"), "{path}: {state}");
        assert_eq!(state["width"], json!("3px"), "{path}: {state}");
        assert_eq!(state["color"], json!(focus), "{path}: {state}");
        assert!(state["top"].as_f64().unwrap() >= 0.0 && state["bottom"].as_f64().unwrap() > 0.0, "{path}: {state}");
        // Enter follows it; the next Tab is inside main.
        ctx.driver.action_chain().send_keys(Key::Enter).perform().await.unwrap();
        ctx.wait_location("#main", |l| l.ends_with("#main")).await;
        ctx.driver.action_chain().send_keys(Key::Tab).perform().await.unwrap();
        let inside = ctx
            .js(
                "const a = document.activeElement; \
                 return document.querySelector('main').contains(a) && getComputedStyle(a).outlineStyle === 'solid';",
                vec![],
            )
            .await;
        assert_eq!(inside, json!(true), "{path}: the Tab after the skip link is in main, outlined");
        ctx.set_dark(false).await;
    }
});

/// Screenshots of the page on show at `width`: `NAME-WIDTH.png`, the whole
/// page (as tall as it is, up to 7000 px), and `NAME-WIDTH-fold.png`, the
/// first screen; with `sections`, also one screen from each of those
/// elements down (`NAME-WIDTH-SECTION.png`). Fails if the page scrolls
/// sideways.
async fn shoot(ctx: &Ctx, name: &str, width: u32, sections: &[(&str, &str)], dir: &Path) {
    let mobile = width < 600;
    let screen = if mobile { 844 } else { 900 };
    let metrics = |height: u64| json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile });
    let cdp = ctx.driver.cdp();
    cdp.send_raw("Emulation.setDeviceMetricsOverride", metrics(screen)).await.unwrap();
    ctx.driver.refresh().await.unwrap();
    let overflow =
        ctx.js("return document.documentElement.scrollWidth - document.documentElement.clientWidth;", vec![]).await;
    assert_eq!(overflow, json!(0), "{name} at {width}px scrolls sideways");
    let gap = ctx
        .js(
            "return document.querySelector('main').firstElementChild.getBoundingClientRect().top \
                  - document.querySelector('body > header').getBoundingClientRect().bottom;",
            vec![],
        )
        .await;
    assert!(gap.as_f64().unwrap() >= 16.0, "{name} at {width}px: the page starts {gap}px under the header");
    let save = |file: PathBuf| async move {
        ctx.driver.screenshot(&file).await.unwrap();
        let png = std::fs::read(&file).unwrap();
        assert!(png.starts_with(b"\x89PNG") && png.len() > 5_000, "{} is a real screenshot", file.display());
    };
    save(dir.join(format!("{name}-{width}-fold.png"))).await;
    for (section, css) in sections {
        ctx.js("document.querySelector(arguments[0]).scrollIntoView();", vec![json!(css)]).await;
        save(dir.join(format!("{name}-{width}-{section}.png"))).await;
    }
    let height = ctx.js("return document.documentElement.scrollHeight;", vec![]).await.as_u64().unwrap();
    cdp.send_raw("Emulation.setDeviceMetricsOverride", metrics(height.min(7000))).await.unwrap();
    ctx.js("window.scrollTo(0, 0);", vec![]).await;
    save(dir.join(format!("{name}-{width}.png"))).await;
    cdp.send_raw("Emulation.clearDeviceMetricsOverride", json!({})).await.unwrap();
}

browser_test!(pictures_load_without_moving_the_page, PICTURES, |ctx| {
    // Their own folder: the other screenshot tests empty theirs.
    let dir = target_dir().join("screenshots").join("pictures");
    std::fs::create_dir_all(&dir).unwrap();
    ctx.goto(RANKED).await;
    // Every picture loads (from its srcset, at the width the layout asks),
    // and the feature is as wide as the text column.
    let loaded =
        "return [...document.querySelectorAll('picture img')].map(i => { i.loading = 'eager'; return i.currentSrc; });";
    ctx.js(loaded, vec![]).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let done = ctx
            .js(
                "return [...document.querySelectorAll('picture img')].every(i => i.complete && i.naturalWidth > 0);",
                vec![],
            )
            .await;
        if done == json!(true) {
            break;
        }
        assert!(Instant::now() < deadline, "the pictures did not load");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(ctx.count("picture img").await, 4, "the feature and three covers");
    let sources = ctx.js("return [...document.querySelectorAll('picture img')].map(i => i.currentSrc);", vec![]).await;
    for src in sources.as_array().unwrap() {
        assert!(src.as_str().unwrap().contains("/media/") && src.as_str().unwrap().ends_with(".webp"), "{src}");
    }
    for (name, width) in [("article-pictures", 390), ("article-pictures", 1280)] {
        shoot(&ctx, name, width, &[("entry", "section.entry")], &dir).await;
    }
    eprintln!("screenshots in {}", dir.display());
});

browser_test!(screenshots_at_phone_and_desktop_widths, JS, |ctx| {
    let dir = target_dir().join("screenshots");
    // The desk's are in desk/, made by their own test.
    for file in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        if file.path().extension().is_some_and(|e| e == "png") {
            let _ = std::fs::remove_file(file.path());
        }
    }
    std::fs::create_dir_all(&dir).unwrap();
    let article_sections = [("entry", "section.entry"), ("comments", "#comments")];
    for (name, path, sections) in
        [("home", "/", &[][..]), ("article", RANKED, &article_sections[..]), ("record", RECORD, &[][..])]
    {
        ctx.goto(path).await;
        shoot(&ctx, name, 390, sections, &dir).await;
        shoot(&ctx, name, 1280, sections, &dir).await;
    }
    ctx.goto(RANKED).await;
    ctx.set_dark(true).await;
    shoot(&ctx, "article-dark", 390, &article_sections, &dir).await;
    shoot(&ctx, "article-dark", 1280, &[], &dir).await;
    eprintln!("screenshots in {}", dir.display());
});

impl Ctx {
    /// The natural width of the image `css` once it has loaded (0 if it
    /// cannot be decoded), waiting up to ten seconds.
    async fn loaded_width(&self, css: &str) -> u64 {
        let start = Instant::now();
        loop {
            let width = self
                .js(
                    "const i = document.querySelector(arguments[0]); return i.complete ? i.naturalWidth : -1;",
                    vec![json!(css)],
                )
                .await;
            if let Some(w) = width.as_u64() {
                return w;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "{css} never loaded");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

browser_test!(sleeves_and_share_cards_as_a_browser_shows_them, JS, |ctx| {
    let dir = target_dir().join("screenshots").join("cards");
    std::fs::create_dir_all(&dir).unwrap();
    // The record page's sleeve: an SVG the browser decodes, at its size.
    ctx.goto(RECORD).await;
    assert_eq!(ctx.loaded_width(".record .card img.sleeve").await, 400);
    shoot(&ctx, "record-sleeve", 390, &[], &dir).await;
    shoot(&ctx, "record-sleeve", 1280, &[], &dir).await;
    // A list's sleeves are lazy: they load once scrolled to.
    ctx.goto(RANKED).await;
    ctx.js("document.querySelector('section.entry .card').scrollIntoView();", vec![]).await;
    assert_eq!(ctx.loaded_width("section.entry .card img.sleeve").await, 400);
    shoot(&ctx, "article-sleeves", 1280, &[("entry", "section.entry")], &dir).await;
    // The share cards, shown alone at their own size as a feed would.
    let cdp = ctx.driver.cdp();
    let size = json!({ "width": 1200, "height": 630, "deviceScaleFactor": 1, "mobile": false });
    for (name, page) in [("card-list", RANKED), ("card-record", RECORD)] {
        ctx.goto(page).await;
        let image = ctx.js("return document.querySelector('meta[property=\"og:image\"]').content;", vec![]).await;
        assert!(image.as_str().unwrap().ends_with(&format!("{page}/card.png")), "{image}");
        cdp.send_raw("Emulation.setDeviceMetricsOverride", size.clone()).await.unwrap();
        ctx.goto(&format!("{page}/card.png")).await;
        assert_eq!(ctx.loaded_width("img").await, 1200);
        let file = dir.join(format!("{name}.png"));
        ctx.driver.screenshot(&file).await.unwrap();
        assert!(std::fs::read(&file).unwrap().starts_with(b"\x89PNG"));
        cdp.send_raw("Emulation.clearDeviceMetricsOverride", json!({})).await.unwrap();
    }
    eprintln!("screenshots in {}", dir.display());
});

impl Ctx {
    /// The `href` of the dashboard's link to the list titled `title`.
    async fn desk_link(&self, title: &str) -> String {
        self.goto("/editor").await;
        let href = self
            .js(
                "const a = Array.from(document.querySelectorAll('.desk-table a'))\
                   .find(a => a.textContent.trim() === arguments[0]); return a && a.getAttribute('href');",
                vec![json!(title)],
            )
            .await;
        href.as_str().unwrap_or_else(|| panic!("no list {title} on the dashboard")).to_owned()
    }

    /// Waits until the text of the element `css` satisfies `ok`; returns it.
    async fn wait_text(&self, css: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let text = self.texts(css).await.concat();
            if ok(&text) {
                return text;
            }
            assert!(Instant::now() < deadline, "{css} still says {text:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The writing view as laid out now: where the text and the preview are,
    /// the text's face and how many characters fit on one of its lines.
    async fn writing_layout(&self) -> Value {
        self.js(
            "const t = document.getElementById('f-body').getBoundingClientRect(), \
                   p = document.getElementById('preview').getBoundingClientRect(), \
                   body = document.getElementById('f-body'), s = getComputedStyle(body), \
                   probe = document.createElement('span'); \
             probe.textContent = '0'.repeat(100); probe.style.font = s.font; probe.style.position = 'absolute'; \
             document.body.append(probe); const ch = probe.getBoundingClientRect().width / 100; probe.remove(); \
             const inner = body.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight); \
             return { textLeft: t.left, textRight: t.right, textBottom: t.bottom, textWidth: t.width, \
                      previewLeft: p.left, previewTop: p.top, font: s.fontFamily, perLine: Math.floor(inner / ch), \
                      navDisplay: getComputedStyle(document.querySelector('.desk-nav ul')).display, \
                      navBullets: getComputedStyle(document.querySelector('.desk-nav li')).listStyleType };",
            vec![],
        )
        .await
    }
}

browser_test!(the_desk_at_phone_and_desktop_widths_in_light_and_dark, JS, |ctx| {
    let dir = target_dir().join("screenshots").join("desk");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // A held comment, so that moderation has something to show.
    ctx.goto(RANKED).await;
    ctx.post_comment("Held: [one](https://example.com/1) [two](https://example.com/2)", "Lin", "lin@example.com").await;
    ctx.wait_location("the held comment", |l| l.contains("#comment-")).await;

    ctx.goto("/editor/login").await;
    for dark in [false, true] {
        ctx.set_dark(dark).await;
        let name = if dark { "login-dark" } else { "login" };
        shoot(&ctx, name, 390, &[], &dir).await;
        shoot(&ctx, name, 1280, &[], &dir).await;
    }
    ctx.set_dark(false).await;
    ctx.log_in().await;

    // The writing view of a real list, light and dark. The text and its
    // preview sit side by side on a wide screen, one under the other on a
    // phone; the text is monospace at a comfortable length of line.
    let list = ctx.desk_link("Soundtracks that hit harder than the plot").await;
    ctx.goto(&list).await;
    for dark in [false, true] {
        ctx.set_dark(dark).await;
        let name = if dark { "writing-dark" } else { "writing-light" };
        let sections = [("entries", ".desk-entries"), ("preview", "#preview")];
        shoot(&ctx, name, 390, &sections, &dir).await;
        shoot(&ctx, name, 1280, &[], &dir).await;
    }
    ctx.set_dark(false).await;
    for (width, height) in [(1280, 900), (390, 844)] {
        let cdp = ctx.driver.cdp();
        let metrics = json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600 });
        cdp.send_raw("Emulation.setDeviceMetricsOverride", metrics).await.unwrap();
        let l = ctx.writing_layout().await;
        cdp.send_raw("Emulation.clearDeviceMetricsOverride", json!({})).await.unwrap();
        let f = |k: &str| l[k].as_f64().unwrap();
        assert!(l["font"].as_str().unwrap().contains("monospace"), "{width}px: {l}");
        assert_eq!((l["navDisplay"].as_str(), l["navBullets"].as_str()), (Some("flex"), Some("none")), "{l}");
        if width > 1000 {
            assert!(f("previewLeft") >= f("textRight"), "{width}px: the preview is beside the text: {l}");
            assert!((55.0..=90.0).contains(&f("perLine")), "{width}px: characters a line: {l}");
        } else {
            assert!(f("previewTop") >= f("textBottom"), "{width}px: the preview is under the text: {l}");
            assert!(f("textWidth") >= 340.0, "{width}px: the text takes the width: {l}");
        }
    }

    // A draft with findings: each listed under the text with its line.
    ctx.goto("/editor/articles/new").await;
    ctx.fill("#f-title", "Scores for the small hours").await;
    ctx.find("#f-body")
        .await
        .send_keys(
            "Late-night listening, isnâ€™t it.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n\n\
             ## Jaws {soundtrack=jaws-1975}\n\nTwo notes.\n\n### Heat (1995)\n\nNo record here.\n",
        )
        .await
        .unwrap();
    ctx.find("button[value=save]").await.click().await.unwrap();
    ctx.wait_location("the saved draft", |l| l.contains("saved=")).await;
    assert!(ctx.count(".problems .problem").await >= 1);
    shoot(&ctx, "writing-findings", 1280, &[], &dir).await;
    shoot(&ctx, "writing-findings", 390, &[("findings", ".problems")], &dir).await;
    ctx.find(".revisions a").await.click().await.unwrap();
    ctx.wait_location("a revision", |l| l.contains("/revisions/")).await;
    shoot(&ctx, "revision", 390, &[], &dir).await;
    shoot(&ctx, "revision", 1280, &[], &dir).await;

    for (name, path) in [
        ("dashboard", "/editor"),
        ("records", "/editor/records"),
        ("record", "/editor/records/blade-runner-1982"),
        ("moderation", "/editor/comments"),
        ("people", "/editor/people"),
        ("account", "/editor/account"),
        ("media", "/editor/media"),
    ] {
        ctx.goto(path).await;
        shoot(&ctx, name, 390, &[], &dir).await;
        shoot(&ctx, name, 1280, &[], &dir).await;
    }
    ctx.goto("/editor").await;
    ctx.set_dark(true).await;
    shoot(&ctx, "dashboard-dark", 390, &[], &dir).await;
    shoot(&ctx, "dashboard-dark", 1280, &[], &dir).await;
    eprintln!("screenshots in {}", dir.display());
});

/// Records every `fetch` the page makes from now on: its address and
/// whether it is to outlive the page (`keepalive`).
const RECORD_FETCHES: &str = "window.__fetches = []; const f = window.fetch; \
    window.fetch = function (url, options) { \
      window.__fetches.push([String(url), !!(options && options.keepalive)]); return f.apply(this, arguments); };";

/// Dispatches a `beforeunload` as leaving the page would; true when the
/// page asks first.
const LEAVE: &str = "const e = new Event('beforeunload', { cancelable: true }); \
    window.dispatchEvent(e); return e.defaultPrevented;";

browser_test!(typing_is_autosaved_and_previewed_as_it_goes, JS, |ctx| {
    ctx.log_in().await;
    ctx.goto("/editor/articles/new").await;
    ctx.js("window.__samePage = true;", vec![]).await;
    ctx.fill("#f-title", "Typed, and never lost").await;
    let body = ctx.find("#f-body").await;
    body.send_keys("The intro.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n").await.unwrap();

    // The preview follows the text, from the server, without a page load.
    ctx.wait_for("#live-preview .entry .rank").await;
    body.send_keys("\n## Jaws {soundtrack=jaws-1975}\n\nTwo notes.\n").await.unwrap();
    ctx.wait_text("#live-preview .entry .rank", |t| t == "12").await;
    let cards = ctx
        .js(
            "return Array.from(document.querySelectorAll('#live-preview .card-title a'), a => a.getAttribute('href'));",
            vec![],
        )
        .await;
    assert_eq!(cards, json!(["/soundtracks/drive-2011", "/soundtracks/jaws-1975"]));

    // The autosave reaches the server: the new list is kept as a draft, and
    // the address bar names it.
    let draft = ctx
        .wait_location("the draft's address", |l| l.starts_with("/editor/articles/") && l != "/editor/articles/new")
        .await;
    assert_eq!(ctx.js("return window.__samePage === true;", vec![]).await, json!(true), "no page load");
    ctx.wait_text("#save-state", |t| t.starts_with("Kept as a draft")).await;

    // More typing is kept as the editor's autosave; nothing is left to
    // lose, so leaving does not ask.
    body.send_keys("A line kept while typing.\n").await.unwrap();
    ctx.wait_text("#save-state", |t| t.starts_with("Autosaved at")).await;
    assert_eq!(ctx.js(LEAVE, vec![]).await, json!(false), "nothing unsaved: leaving does not ask");

    // Typing and leaving at once: the page asks first, and sends the text
    // on its way out in a request that outlives the page.
    ctx.js(RECORD_FETCHES, vec![]).await;
    body.send_keys("A line typed just before leaving.\n").await.unwrap();
    assert_eq!(ctx.js(LEAVE, vec![]).await, json!(true), "unsaved text: leaving asks first");
    let fetches = ctx.js("return window.__fetches;", vec![]).await;
    let autosave = format!("{draft}/autosave");
    assert!(
        fetches.as_array().unwrap().iter().any(|f| f[0].as_str().unwrap().ends_with(&autosave) && f[1] == json!(true)),
        "an autosave outliving the page: {fetches}"
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    while ctx.js(LEAVE, vec![]).await != json!(false) {
        assert!(
            Instant::now() < deadline,
            "the last lines never reached the server: {:?}",
            ctx.texts("#save-state").await
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // Coming back: the list offers its autosave, and loading it brings back
    // every line typed.
    ctx.driver.refresh().await.unwrap();
    assert_eq!(ctx.location().await, draft);
    ctx.find(".autosave-offer a").await.click().await.unwrap();
    ctx.wait_location("the autosave loaded", |l| l.contains("restore=")).await;
    let text = ctx.find("#f-body").await.prop("value").await.unwrap().unwrap();
    for line in ["## Jaws {soundtrack=jaws-1975}", "A line kept while typing.", "A line typed just before leaving."] {
        assert!(text.contains(line), "{line:?} is back: {text:?}");
    }

    // A finding's line puts the cursor on that line.
    // (Typing into a field without the focus goes at its end.)
    ctx.find("#f-body").await.send_keys("\nThe score isnâ€™t subtle.\n").await.unwrap();
    let jump = ctx.wait_for("#live-problems a[data-line]").await;
    let line = jump.attr("data-line").await.unwrap().unwrap();
    jump.click().await.unwrap();
    let caret = ctx
        .js(
            "const b = document.activeElement; \
             return [b.id, b.value.slice(0, b.selectionStart).split('\\n').length];",
            vec![],
        )
        .await;
    assert_eq!(caret, json!(["f-body", line.parse::<u64>().unwrap()]), "the cursor is on line {line}");
});

/// Holds the autosave of a list not saved yet until `window.__release()`.
const HOLD_NEW_AUTOSAVE: &str = "window.__release = null; const f = window.fetch; \
    window.fetch = function (url, options) { \
      if (String(url).endsWith('/editor/articles/autosave')) \
        return new Promise(done => { window.__release = () => done(f.call(window, url, options)); }); \
      return f.apply(this, arguments); };";

browser_test!(a_button_pressed_while_a_new_list_is_being_kept_waits_for_it, JS, |ctx| {
    ctx.log_in().await;
    ctx.goto("/editor/articles/new").await;
    ctx.js(HOLD_NEW_AUTOSAVE, vec![]).await;
    ctx.fill("#f-title", "Saved once, not twice").await;
    ctx.find("#f-body").await.send_keys("The intro.\n").await.unwrap();
    // The autosave is on its way (held here) when Save is pressed.
    let deadline = Instant::now() + Duration::from_secs(15);
    while ctx.js("return window.__release !== null;", vec![]).await != json!(true) {
        assert!(Instant::now() < deadline, "no autosave was sent");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    ctx.find("button[value=save]").await.click().await.unwrap();
    assert_eq!(ctx.location().await, "/editor/articles/new", "Save waits for the draft");
    ctx.js("window.__release();", vec![]).await;
    let saved = ctx.wait_location("the saved list", |l| l.contains("saved=")).await;
    assert!(saved.starts_with("/editor/articles/") && !saved.starts_with("/editor/articles?"), "{saved}");
    ctx.goto("/editor").await;
    let titles = ctx.texts(".desk-table tbody td:first-child").await;
    assert_eq!(titles.iter().filter(|t| *t == "Saved once, not twice").count(), 1, "{titles:?}");
});

browser_test!(the_writing_view_works_without_javascript, NO_JS, |ctx| {
    ctx.log_in().await;
    ctx.goto("/editor/articles/new").await;
    ctx.fill("#f-title", "Written without scripts").await;
    ctx.fill("#f-body", "The intro.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n").await;
    assert_eq!(ctx.texts("#save-state").await, vec![""], "nothing autosaves");

    // Preview keeps the draft first and shows it as readers will.
    ctx.find("button[value=preview]").await.click().await.unwrap();
    ctx.wait_for(".notice").await;
    assert!(ctx.texts(".notice").await[0].contains("Saved as a draft"), "{:?}", ctx.texts(".notice").await);
    assert_eq!(ctx.texts("#live-preview .entry .rank").await, vec!["1"]);

    // Find records, then add one as a whole entry at a line boundary.
    ctx.fill("#f-find", "jaws").await;
    ctx.find("button[value=find]").await.click().await.unwrap();
    ctx.wait_for(".found button").await;
    ctx.find(".found button[value='add:jaws-1975']").await.click().await.unwrap();
    ctx.wait_for(".desk-entries").await;
    let text = ctx.find("#f-body").await.prop("value").await.unwrap().unwrap();
    assert!(text.contains("\n\n## Jaws {soundtrack=jaws-1975}\n"), "{text:?}");
    assert_eq!(ctx.texts("#live-preview .entry .rank").await, vec!["1", "2"]);
    assert_eq!(ctx.texts(".desk-entries li code").await, vec!["drive-2011", "jaws-1975"]);
});

/// A plain HTTP client with a cookie jar: raw pages, as the server sends
/// them, for the Nu HTML Checker.
struct Http {
    client: reqwest::Client,
    base: String,
}

/// What a request got back.
struct Got {
    status: u16,
    location: String,
    body: String,
}

/// The value of `attr` on the first element matching `css`.
fn attr_of(html: &str, css: &str, attr: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(css).unwrap();
    doc.select(&sel).next().and_then(|e| e.value().attr(attr)).map(str::to_owned)
}

impl Http {
    fn new(site: &Site) -> Http {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        Http { client, base: site.base.clone() }
    }

    async fn read(res: reqwest::Response) -> Got {
        let status = res.status().as_u16();
        let location = res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        Got { status, location, body: res.text().await.unwrap() }
    }

    async fn get(&self, path: &str) -> Got {
        Self::read(self.client.get(format!("{}{path}", self.base)).send().await.unwrap()).await
    }

    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Got {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let req = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        Self::read(req.send().await.unwrap()).await
    }

    /// Posts the comment form of `page` with the hidden fields it carries
    /// and `fields`.
    async fn comment(&self, page: &str, fields: &[(&str, &str)]) -> Got {
        let form = self.get(page).await;
        assert_eq!(form.status, 200, "{page}");
        let hidden = |name: &str| attr_of(&form.body, &format!("form.comment-form input[name={name}]"), "value");
        let mut all: Vec<(&str, String)> =
            ["csrf", "started", "comment_parent"].iter().map(|n| (*n, hidden(n).unwrap_or_default())).collect();
        for (k, v) in fields {
            all.retain(|(n, _)| n != k);
            all.push((k, (*v).to_owned()));
        }
        let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
        self.post(&format!("{}/comments", page.split('?').next().unwrap()), &pairs).await
    }
}

/// The id in a `…#comment-ID` redirect.
fn comment_id(got: &Got) -> String {
    assert_eq!(got.status, 303, "{}", got.body);
    got.location.rsplit("#comment-").next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_type_is_saved_for_the_html_checker() {
    let site = Site::start();
    let http = Http::new(&site);
    let out = target_dir().join("html");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let mut saved = 0;
    let mut save = |name: &str, got: &Got, status: u16| {
        assert_eq!(got.status, status, "{name}");
        assert!(got.body.starts_with("<!doctype html>"), "{name} is a page");
        std::fs::write(out.join(format!("{name}.html")), &got.body).unwrap();
        saved += 1;
    };

    // A thread: a comment, a reply, and a held one its author sees.
    let mine = [("author", "Ada Reader"), ("email", "ada@example.com")];
    let a = comment_id(&http.comment(RANKED, &[&mine[..], &[("comment", "A comment to validate.")]].concat()).await);
    let reply = [("comment", "A reply to validate."), ("comment_parent", a.as_str())];
    comment_id(&http.comment(RANKED, &[&mine[..], &reply].concat()).await);
    let held = [("comment", "Held: [one](https://example.com/1) and [two](https://example.com/2).")];
    comment_id(&http.comment(UNRANKED, &[&mine[..], &held].concat()).await);

    let tags = http.get("/tags").await;
    let tag = attr_of(&tags.body, ".index a[href^='/tags/']", "href").expect("a tag");
    for (name, path, status) in [
        ("home", "/", 200),
        ("article-ranked", RANKED, 200),
        ("article-unranked", UNRANKED, 200),
        ("article-guide", GUIDE, 200),
        ("article-reply-form", &format!("{RANKED}?replytocom={a}"), 200),
        ("record", RECORD, 200),
        ("person", PERSON, 200),
        ("tag", &tag, 200),
        ("tags", "/tags", 200),
        ("soundtracks", "/soundtracks", 200),
        ("chart", "/chart", 200),
        ("not-found", "/no/such/page", 404),
        ("comment-edit", &format!("/comments/{a}/edit"), 200),
    ] {
        save(name, &http.get(path).await, status);
    }
    let search = http.get("/search?q=drive").await;
    if search.status != 200 {
        eprintln!("note: /search?q=drive answered {}", search.status);
    }
    let status = search.status;
    save("search", &search, status);

    // Refused comments: a bad address (422, keeping what was typed) and a
    // post from another site (403, refused before its body is read).
    let bad = [("comment", "Typed and kept."), ("author", "Cy"), ("email", "cy@localhost")];
    let refused = http.comment(UNRANKED, &bad).await;
    assert!(refused.body.contains("Typed and kept."));
    save("comment-refused-422", &refused, 422);
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(bad).finish();
    let cross_site = http
        .client
        .post(format!("{}{UNRANKED}/comments", http.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(body);
    let cross_site = Http::read(cross_site.send().await.unwrap()).await;
    save("form-refused-403", &cross_site, 403);

    // The editor desk.
    let login = http.get("/editor/login").await;
    let csrf = attr_of(&login.body, "input[name=csrf]", "value").unwrap();
    save("editor-login", &login, 200);
    let wrong = [("csrf", csrf.as_str()), ("email", EDITOR_EMAIL), ("password", "not the password")];
    save("editor-login-refused", &http.post("/editor/login", &wrong).await, 401);
    let right = [("csrf", csrf.as_str()), ("email", EDITOR_EMAIL), ("password", EDITOR_PASSWORD)];
    let logged_in = http.post("/editor/login", &right).await;
    assert_eq!((logged_in.status, logged_in.location.as_str()), (303, "/editor"));
    for (name, path) in [
        ("editor-dashboard", "/editor"),
        ("editor-article-new", "/editor/articles/new"),
        ("editor-article-edit", "/editor/articles/1"),
        ("editor-records", "/editor/records"),
        ("editor-record-new", "/editor/records/new"),
        ("editor-record-edit", "/editor/records/blade-runner-1982"),
        ("editor-moderation-pending", "/editor/comments"),
        ("editor-moderation-approved", "/editor/comments?status=approved"),
        ("editor-moderation-spam", "/editor/comments?status=spam"),
        ("editor-people", "/editor/people"),
        ("editor-account", "/editor/account"),
        ("editor-media", "/editor/media"),
    ] {
        save(name, &http.get(path).await, 200);
    }
    let desk = http.get("/editor/articles/new").await;
    let csrf = attr_of(&desk.body, "form.desk-form input[name=csrf]", "value").unwrap();
    let body = "Intro.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n\n## Jaws {soundtrack=jaws-1975}\n\nSea.\n";
    let form = [("csrf", csrf.as_str()), ("title", "A list to validate"), ("list", "ranked"), ("body", body)];
    let with = |extra: &[(&'static str, &'static str)]| [&form[..], extra].concat();
    let preview = http.post("/editor/articles", &with(&[("action", "preview")])).await;
    assert!(preview.body.contains("class=\"preview\""));
    save("editor-article-preview", &preview, 200);
    let found = http.post("/editor/articles", &with(&[("action", "find"), ("find", "drive")])).await;
    assert!(found.body.contains("drive-2011"));
    save("editor-article-find", &found, 200);
    let stored = http.post("/editor/articles", &with(&[("action", "save")])).await;
    assert_eq!(stored.status, 303, "{}", stored.body);
    let edit = http.get(&stored.location).await;
    save("editor-article-saved", &edit, 200);
    let revision = attr_of(&edit.body, ".revisions a", "href").expect("a revision");
    save("editor-revision", &http.get(&revision).await, 200);
    // The writing view with the check's findings, each with its line.
    let troubled =
        "Intro isnâ€™t clean.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n\n### Heat (1995)\n\nNo record.\n";
    let form = [("csrf", csrf.as_str()), ("title", "Findings to validate"), ("list", "ranked"), ("body", troubled)];
    let findings = http.post("/editor/articles", &[&form[..], &[("action", "preview")]].concat()).await;
    assert!(findings.body.contains("data-line="), "{}", findings.body);
    save("editor-article-findings", &findings, 200);

    eprintln!("saved {saved} pages in {}", out.display());
    assert!(saved >= 33, "{saved} pages");
}

/// Forgot the password: the login page's link, the address, the mail (from
/// a real SMTP server), its link, a new password, and logging in with it.
#[test]
fn an_editor_who_forgot_the_password_resets_it_by_mail() {
    let Some(tools) = tools() else { return };
    let _serial = one_at_a_time();
    let Some(sink) = mail_sink::SmtpSink::start() else { return };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let site = Site::start_with(&[("CUESHEET_SMTP_URL", sink.url())]);
        let ctx = Ctx::on(&tools, JS, site).await;
        ctx.goto("/editor/login").await;
        ctx.find("a[href='/editor/forgot']").await.click().await.unwrap();
        ctx.wait_location("the forgot page", |l| l == "/editor/forgot").await;
        ctx.fill("#email", EDITOR_EMAIL).await;
        ctx.find("form[action='/editor/forgot'] button[type=submit]").await.click().await.unwrap();
        let said = ctx.wait_for(".notice").await.text().await.unwrap();
        assert!(said.contains("on its way"), "{said}");

        let mail = sink.wait_for(EDITOR_EMAIL, 1, Duration::from_secs(30)).await.remove(0);
        assert!(mail.html.contains("/editor/reset?token="), "the HTML part has the link too");
        let link = mail.link("/editor/reset?token=").expect("a reset link");
        ctx.goto(&link).await;
        assert_eq!(ctx.texts("h1").await, vec!["Choose a new password"]);
        let new = "a brand new and longer passphrase";
        ctx.fill("#password", new).await;
        ctx.fill("#password_again", new).await;
        ctx.find("form[action='/editor/reset'] button[type=submit]").await.click().await.unwrap();
        ctx.wait_for(".notice a[href='/editor/login']").await.click().await.unwrap();
        ctx.wait_location("the login page", |l| l == "/editor/login").await;
        ctx.fill("#email", EDITOR_EMAIL).await;
        ctx.fill("#password", new).await;
        ctx.find("form[action='/editor/login'] button[type=submit]").await.click().await.unwrap();
        ctx.wait_location("the dashboard", |l| l == "/editor").await;
        assert_eq!(ctx.texts("h1").await, vec!["Dashboard"]);

        // The link worked once.
        ctx.goto(&link).await;
        assert_eq!(ctx.status().await, 404);
        ctx.finish().await;
    });
}

/// Readers' votes in the browser: verdicts and rankings cast by a few
/// readers over HTTP, then a reader with JavaScript says "Too low" without
/// a page load, sees it pressed and the totals change, and the ranked
/// entry is saved with its votes and the readers' rank at both widths
/// (`target/screenshots/votes/`).
#[test]
fn a_reader_votes_on_a_rank_without_reloading_the_page() {
    let Some(tools) = tools() else { return };
    let _serial = one_at_a_time();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let site = Site::start_with(&[
            ("CUESHEET_VOTE_TOTALS_AFTER", "3".into()),
            ("CUESHEET_READERS_RANKING_AFTER", "3".into()),
            ("CUESHEET_VOTES_PER_MINUTE", "0".into()),
        ]);
        // Another address of the page than the one the browser opens, so
        // that one is first made after the votes.
        let page = Http::new(&site).get(&format!("{RANKED}?order=newest")).await;
        let doc = scraper::Html::parse_document(&page.body);
        let sel = scraper::Selector::parse("form.ballot-form input[type=number]").unwrap();
        let places: Vec<String> = doc.select(&sel).filter_map(|e| e.value().attr("name").map(str::to_owned)).collect();
        assert!(places.len() >= 3, "a ranking box per entry");
        let first = places[0].trim_start_matches("place-").to_owned();
        for verdict in ["too_high", "right", "too_high"] {
            let got = Http::new(&site).post(&format!("{RANKED}/votes/{first}"), &[("verdict", verdict)]).await;
            assert_eq!(got.status, 200, "{}", got.body);
        }
        // Three readers rank the list upside down.
        let n = places.len();
        for _ in 0..3 {
            let reversed: Vec<(String, String)> =
                places.iter().enumerate().map(|(i, p)| (p.clone(), (n - i).to_string())).collect();
            let fields: Vec<(&str, &str)> = reversed.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let got = Http::new(&site).post(&format!("{RANKED}/ranking"), &fields).await;
            assert_eq!(got.status, 200, "{}", got.body);
        }

        let ctx = Ctx::on(&tools, JS, site).await;
        ctx.goto(RANKED).await;
        let totals = ctx.texts(&format!("form.rank-vote[data-record='{first}'] .vote-totals")).await;
        assert_eq!(totals, vec!["Readers: 2 too high · 1 right · 0 too low"]);
        let readers = ctx.texts(".entry-head .readers-rank").await;
        assert_eq!(readers.first().map(String::as_str), Some(&*format!("Readers’ No. {n}")));
        let before = ctx.location().await;
        let button = format!("form.rank-vote[data-record='{first}'] button[value=too_low]");
        ctx.find(&button).await.click().await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while ctx.find(&button).await.attr("aria-pressed").await.unwrap().as_deref() != Some("true") {
            assert!(Instant::now() < deadline, "the reader's vote was not pressed");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let totals = ctx.texts(&format!("form.rank-vote[data-record='{first}'] .vote-totals")).await;
        assert_eq!(totals, vec!["Readers: 2 too high · 1 right · 1 too low"]);
        assert_eq!(ctx.location().await, before, "no page load");

        let dir = target_dir().join("screenshots").join("votes");
        std::fs::create_dir_all(&dir).unwrap();
        for width in [390, 1280] {
            shoot(&ctx, "article-votes", width, &[("entry", "section.entry"), ("ranking", "#ranking")], &dir).await;
        }
        // After the reload the shoot does, the reader's own vote is pressed again.
        let pressed = ctx.find(&button).await.attr("aria-pressed").await.unwrap();
        assert_eq!(pressed.as_deref(), Some("true"));
        eprintln!("screenshots in {}", dir.display());
        ctx.finish().await;
    });
}
