//! Several nodes on one database, as in production: two real `cuesheet
//! serve` processes (the binary, on ports of their own) share comments,
//! sessions, flood control and published articles through PostgreSQL, and
//! nginx, started from `tests/nginx/cuesheet.conf.template`, balances
//! between them and passes the client address the nodes trust. Also the
//! HTTPS headers a node sends behind such a proxy.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::node::Node;
use common::remote::Remote;
use common::{Backend, Fixture, TestApp, backends};
use cuesheet::config::SiteConfig;

const LIST: &str = "/articles/night-drives";
const EMAIL: &str = "eda@example.com";
const PASSWORD: &str = "a long and secret passphrase";
/// Another node may serve a render cached for up to a second: changes are
/// looked for during this long, not on the first request.
const VISIBLE_WITHIN: Duration = Duration::from_secs(2);

fn fixture() -> Fixture {
    let f = Fixture::new();
    f.record("drive-2011", "Drive", 2011).record("jaws-1975", "Jaws", 1975);
    f.article(
        "night-drives",
        "Night drives",
        "published = \"2026-03-01T10:00:00Z\"\nlist = \"ranked\"",
        "Intro.\n\n## Drive {soundtrack=drive-2011}\n\nSynths.\n",
    );
    f
}

/// One node of the pair: a worker, no minimum time to fill a form.
fn node(database_url: &str, args: &[&str]) -> Node {
    let args: Vec<&str> = ["--workers", "1", "--comment-min-seconds", "0"].iter().chain(args).copied().collect();
    Node::spawn(database_url, &args, &[])
}

/// The shared database with content and an editor, and two nodes on it.
async fn two_nodes(backend: Backend, args: &[&str]) -> (TestApp, Node, Node) {
    let f = fixture();
    let app = TestApp::empty(backend).await;
    app.import(f.path()).await.unwrap();
    let hash = cuesheet::auth::hash_password(PASSWORD).unwrap();
    cuesheet::db::editors::create(
        &app.db,
        EMAIL,
        "Eda Editor",
        &hash,
        cuesheet::auth::Role::Editor,
        cuesheet::db::now(),
    )
    .await
    .unwrap()
    .unwrap();
    let (a, b) = (node(&app.database_url, args), node(&app.database_url, args));
    a.ready().await;
    b.ready().await;
    (app, a, b)
}

#[actix_web::test]
async fn two_nodes_on_one_postgresql_share_comments_sessions_flood_control_and_articles() {
    if !backends().await.contains(&Backend::Postgres) {
        return;
    }
    let (app, a, b) = two_nodes(Backend::Postgres, &[]).await;
    assert_ne!(a.base, b.base);
    let (on_a, on_b) = (Remote::new(&a.base), Remote::new(&b.base));

    // A comment posted through A is on B's page.
    let text = "Posted through the first node";
    let page = on_a.comment(LIST, &[("author", "Ana"), ("email", "ana@example.com"), ("comment", text)]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let seen = on_b.poll(LIST, VISIBLE_WITHIN, |p| p.body.contains(text)).await;
    assert!(seen.body.contains(text), "B does not show the comment made on A");

    // Flood control is the database's: the same address is refused on B.
    let page = on_b.comment(LIST, &[("author", "Ana"), ("email", "ana@example.com"), ("comment", "And again")]).await;
    assert_eq!(page.status, 429, "{}", page.body);

    // A session made on A works on B, and logging out on B ends it on A.
    let desk = Remote::new(&a.base);
    let login = desk.get("/editor/login").await;
    let page = desk.submit(&login, "form[action='/editor/login']", &[("email", EMAIL), ("password", PASSWORD)]).await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(page.header("location").as_deref(), Some("/editor"));
    let desk_b = desk.at(&b.base);
    let dashboard = desk_b.get("/editor").await;
    assert_eq!(dashboard.status, 200, "the session made on A is not known on B");
    assert!(dashboard.body.contains("Night drives"));

    // An article published on A is served by B.
    let new = desk.get("/editor/articles/new").await;
    assert_eq!(new.status, 200);
    let body = "Big brass.\n\n## Jaws {soundtrack=jaws-1975}\n\nTwo notes.\n";
    let fields = [
        ("title", "Sea monsters in brass"),
        ("description", "Scores with teeth."),
        ("list", "ranked"),
        ("body", body),
        ("action", "publish"),
    ];
    let published = desk.submit(&new, "form.desk-form", &fields).await;
    assert_eq!(published.status, 303, "{}", published.body);
    let path = "/articles/sea-monsters-in-brass";
    let page = on_b.poll(path, VISIBLE_WITHIN, |p| p.status == 200).await;
    assert_eq!(page.status, 200, "B does not serve the article published on A");
    assert_eq!(page.texts(".entry h2"), vec!["1. Jaws"]);

    drop((a, b));
    app.finish().await;
}

/// nginx from `tests/nginx/`, on a free port in front of `nodes`.
struct Nginx {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Nginx {
    fn start(a: &Node, b: &Node) -> Option<Nginx> {
        let ok = Command::new("nginx").arg("-v").stderr(Stdio::null()).status().is_ok_and(|s| s.success());
        if !ok {
            assert!(std::env::var_os("CI").is_none(), "CI needs nginx (.ci/run installs it)");
            eprintln!("note: nginx is not installed; the reverse-proxy test is skipped");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let listen = format!("127.0.0.1:{port}");
        let template = include_str!("nginx/cuesheet.conf.template");
        let site =
            template.replace("{{listen}}", &listen).replace("{{node_a}}", a.addr()).replace("{{node_b}}", b.addr());
        let prefix = dir.path().display().to_string();
        std::fs::write(dir.path().join("cuesheet.conf"), site).unwrap();
        // What a system nginx.conf would give: a pid file, temporary
        // folders and logs, all inside the test's folder.
        let main = format!(
            "worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log warn;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  access_log {prefix}/access.log;\n  client_body_temp_path {prefix}/body;\n  \
             proxy_temp_path {prefix}/proxy;\n  fastcgi_temp_path {prefix}/fastcgi;\n  uwsgi_temp_path {prefix}/uwsgi;\n  \
             scgi_temp_path {prefix}/scgi;\n  include {prefix}/cuesheet.conf;\n}}\n"
        );
        std::fs::write(dir.path().join("nginx.conf"), main).unwrap();
        let child = Command::new("nginx")
            .args(["-p", &prefix, "-c", &format!("{prefix}/nginx.conf"), "-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let start = std::time::Instant::now();
        while std::net::TcpStream::connect(&listen).is_err() {
            assert!(start.elapsed() < Duration::from_secs(10), "nginx did not start listening on {listen}");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(Nginx { child, base: format!("http://{listen}"), _dir: dir })
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[actix_web::test]
async fn nginx_balances_two_nodes_and_passes_the_client_address_they_trust() {
    for backend in backends().await {
        let (app, a, b) = two_nodes(backend, &["--trusted-proxy-header", "X-Forwarded-For"]).await;
        let Some(nginx) = Nginx::start(&a, &b) else {
            app.finish().await;
            return;
        };
        // The client comes from another loopback address than nginx, so the
        // address a node records tells which one it trusted.
        let client = Remote::from_address(&nginx.base, "127.0.0.2".parse().unwrap());
        let page = client.poll("/healthz", Duration::from_secs(10), |p| p.status == 200).await;
        assert_eq!(page.status, 200, "nginx did not answer");
        for _ in 0..4 {
            let page = client.get(LIST).await;
            assert_eq!(page.status, 200);
            assert!(page.header("server").is_some_and(|s| s.starts_with("nginx")));
            assert!(page.body.contains("Night drives"));
        }
        assert!(a.served(LIST) > 0 && b.served(LIST) > 0, "nginx used one node only");

        let page =
            client.comment(LIST, &[("author", "Ana"), ("email", "ana@example.com"), ("comment", "Via nginx")]).await;
        assert_eq!(page.status, 303, "{}", page.body);
        let ip: String = sqlx::query_scalar("select ip from comments").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(ip, "127.0.0.2");
        // nginx says the request came over plain HTTP: no HSTS.
        assert!(page.header("strict-transport-security").is_none());

        drop(nginx);
        drop((a, b));
        app.finish().await;
    }
}

#[actix_web::test]
async fn hsts_only_over_https_and_permissions_policy_always() {
    for backend in backends().await {
        let proxied = SiteConfig { trusted_proxy_header: Some("X-Forwarded-For".into()), ..SiteConfig::default() };
        let cases: [(SiteConfig, Option<&str>, bool); 5] = [
            (SiteConfig::default(), None, false),
            // Without a trusted proxy, anyone could send the header.
            (SiteConfig::default(), Some("https"), false),
            (proxied.clone(), Some("https"), true),
            (proxied, Some("http"), false),
            (SiteConfig { base_url: Some("https://cuesheet.example".into()), ..SiteConfig::default() }, None, true),
        ];
        for (config, proto, hsts) in cases {
            let app = TestApp::with_config(backend, config).await;
            let remote = Remote::new(&app.base);
            let headers: Vec<(&str, &str)> = proto.map(|p| ("x-forwarded-proto", p)).into_iter().collect();
            for path in ["/", "/no-such-page", "/healthz"] {
                let page = remote.get_with(path, &headers).await;
                assert_eq!(
                    page.header("strict-transport-security").as_deref(),
                    hsts.then_some("max-age=31536000"),
                    "{path} {proto:?}"
                );
                let policy = page.header("permissions-policy").unwrap();
                assert!(policy.contains("camera=()") && policy.contains("geolocation=()"), "{policy}");
            }
            app.finish().await;
        }
    }
}
