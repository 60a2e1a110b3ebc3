//! Article page throughput over HTTP, against the same bytes served as a
//! static file, in one run, so the number that matters is the ratio.
//!
//! `cargo bench --bench article`; `BENCH_CONNECTIONS` (default 32) and
//! `BENCH_SECONDS` (default 5, per measured run) tune it.
//!
//! The servers (cuesheet on one worker, an actix-files server on one worker,
//! and, when it is on PATH, nginx as a single process) run on their own
//! threads; the load generator is a single-threaded tokio runtime on the main
//! thread speaking HTTP/1.1 keep-alive over raw TCP. It sends no
//! `Accept-Encoding`, so every server answers with the identity encoding.
//! Runs alternate between the servers; each reports its best of two.

use std::error::Error;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::rt::task::JoinHandle;
use actix_web::{App, HttpServer};
use cuesheet::db::Db;
use cuesheet::db::import::import_dir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

type BoxError = Box<dyn Error>;

const PAGES: [&str; 2] =
    ["/articles/best-movie-soundtracks-of-all-time", "/articles/soundtracks-that-hit-harder-than-the-plot"];
const WARMUP: Duration = Duration::from_secs(1);
const ROUNDS: usize = 2;
/// A response head or chunk-size line longer than this is an error.
const MAX_HEAD: usize = 64 * 1024;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("article bench failed: {e}");
            ExitCode::FAILURE
        }
    }
}

struct Settings {
    connections: usize,
    measure: Duration,
}

impl Settings {
    fn from_env() -> Result<Self, BoxError> {
        let connections = match std::env::var("BENCH_CONNECTIONS") {
            Ok(v) => v.trim().parse::<usize>().map_err(|e| format!("BENCH_CONNECTIONS={v:?}: {e}"))?,
            Err(_) => 32,
        };
        let seconds = match std::env::var("BENCH_SECONDS") {
            Ok(v) => v.trim().parse::<f64>().map_err(|e| format!("BENCH_SECONDS={v:?}: {e}"))?,
            Err(_) => 5.0,
        };
        if connections == 0 {
            return Err("BENCH_CONNECTIONS must be at least 1".into());
        }
        if !(seconds.is_finite() && seconds > 0.0) {
            return Err("BENCH_SECONDS must be a positive number".into());
        }
        Ok(Settings { connections, measure: Duration::from_secs_f64(seconds) })
    }
}

fn run() -> Result<(), BoxError> {
    let began = Instant::now();
    let settings = Settings::from_env()?;
    let tmp = tempfile::tempdir()?;
    let static_dir = tmp.path().join("static");
    std::fs::create_dir(&static_dir)?;
    let (servers, thread) = start_servers(tmp.path().to_owned(), static_dir)?;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let result = rt.block_on(bench(&settings, &servers, tmp.path()));
    for handle in &servers.handles {
        rt.block_on(handle.stop(true));
    }
    thread.join().map_err(|_| "the server thread panicked")?;
    result?;
    println!("total {:.0} s", began.elapsed().as_secs_f64());
    Ok(())
}

// ---------------------------------------------------------------- servers

/// What the server thread hands back once both servers listen.
struct Servers {
    cuesheet: SocketAddr,
    static_files: SocketAddr,
    imported: String,
    handles: Vec<ServerHandle>,
}

/// Starts an actix `System` on its own thread running cuesheet (fresh SQLite
/// database with the real `content/` imported) and a static file server
/// over `static_dir`; the thread ends once both servers are stopped.
fn start_servers(tmp: PathBuf, static_dir: PathBuf) -> Result<(Servers, std::thread::JoinHandle<()>), BoxError> {
    let (tx, rx) = mpsc::channel::<Result<Servers, String>>();
    let thread = std::thread::Builder::new().name("servers".into()).spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            match serve(&tmp, static_dir).await {
                Ok((servers, running)) => {
                    let _ = tx.send(Ok(servers));
                    for server in running {
                        match server.await {
                            Ok(Ok(())) => {}
                            Ok(Err(e)) => eprintln!("a server failed: {e}"),
                            Err(e) => eprintln!("a server task failed: {e}"),
                        }
                    }
                }
                Err(e) => {
                    let _ = tx.send(Err(e.to_string()));
                }
            }
        });
    })?;
    match rx.recv() {
        Ok(Ok(servers)) => Ok((servers, thread)),
        Ok(Err(e)) => {
            let _ = thread.join();
            Err(e.into())
        }
        Err(_) => Err("the server thread ended before the servers started".into()),
    }
}

type Running = Vec<JoinHandle<std::io::Result<()>>>;

async fn serve(tmp: &Path, static_dir: PathBuf) -> Result<(Servers, Running), BoxError> {
    let url = format!("sqlite://{}", tmp.join("bench.db").display());
    let db = Db::connect(&url).await.map_err(|e| format!("{url}: {e}"))?;
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let media_url = tmp.join("media").display().to_string();
    let store = cuesheet::media::Store::open(&media_url)?;
    let report =
        import_dir(&db, &store, &content, false).await.map_err(|e| format!("import {}: {e}", content.display()))?;

    let listener = TcpListener::bind("127.0.0.1:0")?;
    let cuesheet = listener.local_addr()?;
    let config = cuesheet::config::SiteConfig { media_url, ..Default::default() };
    let state = cuesheet::web::AppState::new(db, config).await?;
    let cuesheet_server = cuesheet::web::server(state, listener, Some(1))?;

    let listener = TcpListener::bind("127.0.0.1:0")?;
    let static_files = listener.local_addr()?;
    // Files below the threshold are read in the worker, so the head and body
    // leave in one write. In the default mode the body comes a thread hop
    // after the head and, without TCP_NODELAY, Nagle plus delayed ACKs held
    // each response for ~20 ms: a baseline 20 times too slow.
    let static_server = HttpServer::new(move || {
        App::new().service(actix_files::Files::new("/", static_dir.clone()).read_mode_threshold(1 << 20))
    })
    .workers(1)
    .listen(listener)?
    .run();

    let handles = vec![cuesheet_server.handle(), static_server.handle()];
    let running = vec![actix_web::rt::spawn(cuesheet_server), actix_web::rt::spawn(static_server)];
    Ok((Servers { cuesheet, static_files, imported: report.to_string(), handles }, running))
}

/// nginx on the same static folder, when it is on PATH; killed on drop.
struct Nginx {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file())
}

/// Starts nginx, or says why not.
async fn start_nginx(tmp: &Path, static_dir: &Path) -> Result<Nginx, String> {
    let bin = find_on_path("nginx").ok_or("not on PATH")?;
    let prefix = tmp.join("nginx");
    std::fs::create_dir_all(prefix.join("logs")).map_err(|e| e.to_string())?;
    // A free port: bind, note it, let go (nginx binds it a moment later).
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let p = prefix.display();
    let conf = format!(
        "daemon off;\nmaster_process off;\npid {p}/nginx.pid;\nerror_log {p}/logs/error.log;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n  access_log off;\n  sendfile on;\n  keepalive_requests 100000000;\n\
         client_body_temp_path {p}/client_body; proxy_temp_path {p}/proxy;\n\
         fastcgi_temp_path {p}/fastcgi; uwsgi_temp_path {p}/uwsgi; scgi_temp_path {p}/scgi;\n\
         types {{ text/html html; }}\n\
         server {{ listen {addr}; root {}; }}\n}}\n",
        static_dir.display()
    );
    // Started as root, nginx serves from an unprivileged worker: let it in.
    #[cfg(unix)]
    for dir in [tmp, static_dir] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).map_err(|e| e.to_string())?;
    }
    let conf_path = prefix.join("nginx.conf");
    std::fs::write(&conf_path, conf).map_err(|e| e.to_string())?;
    let child = Command::new(&bin)
        .arg("-p")
        .arg(&prefix)
        .arg("-c")
        .arg(&conf_path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    let mut nginx = Nginx { child, addr };
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        if let Ok(Some(status)) = nginx.child.try_wait() {
            return Err(format!("exited at start ({status}); see {p}/logs/error.log"));
        }
        if TcpStream::connect(addr).await.is_ok() {
            return Ok(nginx);
        }
        if Instant::now() > deadline {
            let _ = nginx.child.kill();
            return Err(format!("not listening on {addr} after 3 s"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

// ---------------------------------------------------------------- the benchmark

struct Target {
    name: &'static str,
    addr: SocketAddr,
    path: String,
    /// The server's process when not this one (its CPU time is read there).
    pid: Option<u32>,
}

async fn bench(settings: &Settings, servers: &Servers, tmp: &Path) -> Result<(), BoxError> {
    let static_dir = tmp.join("static");
    // The exact bytes cuesheet serves, saved for the static servers.
    let mut pages = Vec::new();
    for path in PAGES {
        let body = fetch(servers.cuesheet, path).await.map_err(|e| format!("cuesheet {path}: {e}"))?;
        let name = format!("{}.html", path.rsplit('/').next().unwrap_or("page"));
        std::fs::write(static_dir.join(&name), &body)?;
        let static_path = format!("/{name}");
        let copy = fetch(servers.static_files, &static_path).await.map_err(|e| format!("static {static_path}: {e}"))?;
        if copy != body {
            return Err(format!("the static server answered {static_path} with different bytes").into());
        }
        pages.push((path, static_path, body));
    }
    let nginx = match start_nginx(tmp, &static_dir).await {
        Ok(nginx) => {
            for (_, static_path, body) in &pages {
                let copy = fetch(nginx.addr, static_path).await.map_err(|e| format!("nginx {static_path}: {e}"))?;
                if &copy != body {
                    return Err(format!("nginx answered {static_path} with different bytes").into());
                }
            }
            Some(nginx)
        }
        Err(why) => {
            println!("nginx: {why}; skipped");
            None
        }
    };

    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    println!(
        "article page benchmark: {} connections, {} s per run, server on 1 worker",
        settings.connections,
        settings.measure.as_secs_f64()
    );
    println!(
        "  {cores} cores: one for the server under test (1 actix worker; cuesheet's SQLite queries run on \
         sqlx's connection threads), one for the load generator (1 thread)"
    );
    println!(
        "  runs interleaved {}, best of {ROUNDS} reported; {} s warm-up before each server's first run",
        if nginx.is_some() { "cuesheet, static, nginx" } else { "cuesheet, static" },
        WARMUP.as_secs_f64()
    );
    println!("  content: {}", servers.imported);

    for (page, (path, static_path, body)) in pages.iter().enumerate() {
        let mut targets = vec![
            Target { name: "cuesheet", addr: servers.cuesheet, path: (*path).to_owned(), pid: None },
            Target { name: "static", addr: servers.static_files, path: static_path.clone(), pid: None },
        ];
        if let Some(nginx) = &nginx {
            targets.push(Target {
                name: "nginx",
                addr: nginx.addr,
                path: static_path.clone(),
                pid: Some(nginx.child.id()),
            });
        }
        let mut runs: Vec<Vec<Run>> = targets.iter().map(|_| Vec::new()).collect();
        for round in 0..ROUNDS {
            // Later pages find the server process, its code and the SQLite cache hot.
            let warmup = if page == 0 && round == 0 { WARMUP } else { Duration::ZERO };
            for (target, runs) in targets.iter().zip(&mut runs) {
                let run = load(target, body.len(), settings, warmup)
                    .await
                    .map_err(|e| format!("{} {}: {e}", target.name, target.path))?;
                runs.push(run);
            }
        }

        println!("{path} ({} bytes)", body.len());
        let mut best_rates = Vec::new();
        for (target, runs) in targets.iter().zip(&runs) {
            let best = runs.iter().max_by(|a, b| a.rate().total_cmp(&b.rate()));
            let Some(best) = best else { continue };
            let all: Vec<String> = runs.iter().map(|r| format!("{:.0}", r.rate())).collect();
            let cpu = match (best.cpu.server, best.cpu.client) {
                (Some(server), Some(client)) => format!("   cpu: server {server:.0} %, client {client:.0} %"),
                (None, Some(client)) => format!("   cpu: client {client:.0} %"),
                _ => String::new(),
            };
            println!(
                "  {:<9}{:>7.0} req/s   {:.2} ms mean   (runs: {}){cpu}",
                target.name,
                best.rate(),
                best.mean_latency_ms(),
                all.join(", ")
            );
            best_rates.push(best.rate());
            let errors: u64 = runs.iter().map(|r| r.errors).sum();
            if errors > 0 {
                let first = runs.iter().find_map(|r| r.first_error.clone()).unwrap_or_default();
                println!("  {:<9}{errors} errors, first: {first}", "");
            }
        }
        if let [cuesheet, baselines @ ..] = best_rates.as_slice() {
            for (target, baseline) in targets.iter().skip(1).zip(baselines) {
                println!("  ratio    {:>7.1} % of {}", 100.0 * cuesheet / baseline, target.name);
            }
        }
    }
    drop(nginx);
    Ok(())
}

/// One GET on a fresh connection: the body of a 200 in the identity encoding.
async fn fetch(addr: SocketAddr, path: &str) -> Result<Vec<u8>, BoxError> {
    let mut conn = Conn::open(addr).await?;
    let mut body = Vec::new();
    let response = conn.exchange(request_for(path).as_bytes(), Some(&mut body)).await?;
    if response.status != 200 {
        return Err(format!("status {}", response.status).into());
    }
    if response.encoded {
        return Err("the response is content-encoded although no Accept-Encoding was sent".into());
    }
    Ok(body)
}

fn request_for(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
}

// ---------------------------------------------------------------- load generator

/// One measured run.
struct Run {
    responses: u64,
    latency: Duration,
    errors: u64,
    first_error: Option<String>,
    measure: Duration,
    cpu: CpuShare,
}

/// CPU used during a measured run, in % of one core (Linux only).
#[derive(Clone, Copy, Default)]
struct CpuShare {
    /// The server's process (for the in-process servers: this process
    /// minus the load generator).
    server: Option<f64>,
    client: Option<f64>,
}

impl Run {
    fn rate(&self) -> f64 {
        self.responses as f64 / self.measure.as_secs_f64()
    }

    fn mean_latency_ms(&self) -> f64 {
        if self.responses == 0 { 0.0 } else { 1e3 * self.latency.as_secs_f64() / self.responses as f64 }
    }
}

/// What one connection saw.
#[derive(Default)]
struct Tally {
    responses: u64,
    latency: Duration,
    errors: u64,
    first_error: Option<String>,
}

impl Tally {
    fn error(&mut self, e: impl std::fmt::Display) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(e.to_string());
        }
    }
}

/// `settings.connections` keep-alive connections, each sending the next
/// request as soon as the previous response is read, for `warmup` then
/// `settings.measure`.
/// Responses completing within the measured window count; errors count
/// throughout.
async fn load(target: &Target, expect_len: usize, settings: &Settings, warmup: Duration) -> Result<Run, BoxError> {
    let (addr, measure) = (target.addr, settings.measure);
    let server_stat = target.pid.map_or_else(|| "/proc/self/stat".to_owned(), |pid| format!("/proc/{pid}/stat"));
    let in_process = target.pid.is_none();
    let request: Arc<[u8]> = request_for(&target.path).into_bytes().into();
    let mut conns = Vec::with_capacity(settings.connections);
    for _ in 0..settings.connections {
        conns.push(Conn::open(addr).await?);
    }
    let from = Instant::now() + warmup;
    let until = from + measure;
    let cpu = tokio::spawn(async move {
        tokio::time::sleep_until(from.into()).await;
        let before = (cpu_ticks(&server_stat), cpu_ticks("/proc/thread-self/stat"));
        tokio::time::sleep_until(until.into()).await;
        let after = (cpu_ticks(&server_stat), cpu_ticks("/proc/thread-self/stat"));
        let share = |ticks: u64| 100.0 * ticks as f64 / CLOCK_TICKS_PER_S / measure.as_secs_f64();
        let client = after.1.zip(before.1).map(|(a, b)| a.saturating_sub(b));
        let process = after.0.zip(before.0).map(|(a, b)| a.saturating_sub(b));
        // In this process, the servers' share is the process's minus the generator's.
        let server = if in_process { process.zip(client).map(|(p, c)| p.saturating_sub(c)) } else { process };
        CpuShare { server: server.map(share), client: client.map(share) }
    });
    let tasks: Vec<_> = conns
        .into_iter()
        .map(|conn| tokio::spawn(drive(conn, addr, request.clone(), expect_len, from, until)))
        .collect();
    let mut run =
        Run { responses: 0, latency: Duration::ZERO, errors: 0, first_error: None, measure, cpu: CpuShare::default() };
    for task in tasks {
        let tally = task.await?;
        run.responses += tally.responses;
        run.latency += tally.latency;
        run.errors += tally.errors;
        if run.first_error.is_none() {
            run.first_error = tally.first_error;
        }
    }
    run.cpu = cpu.await?;
    Ok(run)
}

async fn drive(
    mut conn: Conn,
    addr: SocketAddr,
    request: Arc<[u8]>,
    expect_len: usize,
    from: Instant,
    until: Instant,
) -> Tally {
    let mut tally = Tally::default();
    loop {
        let sent = Instant::now();
        if sent >= until {
            break;
        }
        let outcome = conn.exchange(&request, None).await;
        let done = Instant::now();
        let reconnect = match outcome {
            Ok(response) => {
                if response.status != 200 {
                    tally.error(format!("status {}", response.status));
                } else if response.body_len != expect_len || response.encoded {
                    tally.error(format!("{} body bytes (encoded: {})", response.body_len, response.encoded));
                } else if done >= from && done <= until {
                    tally.responses += 1;
                    tally.latency += done - sent;
                }
                response.close
            }
            Err(e) => {
                tally.error(e);
                true
            }
        };
        if reconnect && done < until {
            match Conn::open(addr).await {
                Ok(fresh) => conn = fresh,
                Err(e) => {
                    tally.error(format!("reconnect: {e}"));
                    break;
                }
            }
        }
    }
    tally
}

/// `USER_HZ`, the unit of the times in `/proc/*/stat`: 100 on every Linux port.
const CLOCK_TICKS_PER_S: f64 = 100.0;

/// User plus system CPU time in a `/proc/.../stat` file, in clock ticks.
fn cpu_ticks(path: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(path).ok()?;
    // After the `(comm)` field: state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// The parts of a response the generator checks.
struct Response {
    status: u16,
    body_len: usize,
    close: bool,
    encoded: bool,
}

/// An HTTP/1.1 client connection; `buf[..len]` is read but not yet consumed.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    len: usize,
}

fn invalid(msg: impl Into<String>) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.into())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

impl Conn {
    async fn open(addr: SocketAddr) -> std::io::Result<Conn> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Conn { stream, buf: vec![0; 64 * 1024], len: 0 })
    }

    /// Sends `request` and reads the whole response, its body appended to
    /// `body` when given.
    async fn exchange(&mut self, request: &[u8], body: Option<&mut Vec<u8>>) -> std::io::Result<Response> {
        self.stream.write_all(request).await?;

        let head_end = self.find_from(0, b"\r\n\r\n").await? + 4;
        let head = std::str::from_utf8(&self.buf[..head_end]).map_err(|_| invalid("response head is not UTF-8"))?;
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())
            .ok_or_else(|| invalid(format!("bad status line {status_line:?}")))?;
        let (mut length, mut chunked, mut close, mut encoded) = (None, false, false, false);
        for line in lines {
            let Some((name, value)) = line.split_once(':') else { continue };
            let (name, value) = (name.trim(), value.trim());
            if name.eq_ignore_ascii_case("content-length") {
                length = Some(value.parse::<usize>().map_err(|_| invalid(format!("Content-Length {value:?}")))?);
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.split(',').any(|v| v.trim().eq_ignore_ascii_case("chunked"));
            } else if name.eq_ignore_ascii_case("connection") {
                close = value.split(',').any(|v| v.trim().eq_ignore_ascii_case("close"));
            } else if name.eq_ignore_ascii_case("content-encoding") {
                encoded = !value.eq_ignore_ascii_case("identity");
            }
        }

        let (end, body_len) = if chunked {
            self.read_chunked(head_end, body).await?
        } else if let Some(n) = length {
            self.need(head_end + n).await?;
            if let Some(body) = body {
                body.extend_from_slice(&self.buf[head_end..head_end + n]);
            }
            (head_end + n, n)
        } else if status == 204 || status == 304 || (100..200).contains(&status) {
            (head_end, 0)
        } else {
            return Err(invalid("response with neither Content-Length nor chunked encoding"));
        };
        self.consume(end);
        Ok(Response { status, body_len, close, encoded })
    }

    /// Reads a chunked body starting at `p`; returns where it ends and its length.
    async fn read_chunked(&mut self, mut p: usize, mut body: Option<&mut Vec<u8>>) -> std::io::Result<(usize, usize)> {
        let mut total = 0;
        loop {
            let line_end = self.find_from(p, b"\r\n").await?;
            let line = std::str::from_utf8(&self.buf[p..line_end]).map_err(|_| invalid("chunk size is not UTF-8"))?;
            let hex = line.split(';').next().unwrap_or_default().trim();
            let size = usize::from_str_radix(hex, 16).map_err(|_| invalid(format!("chunk size {line:?}")))?;
            p = line_end + 2;
            if size == 0 {
                // Trailers, up to an empty line.
                loop {
                    let e = self.find_from(p, b"\r\n").await?;
                    let empty = e == p;
                    p = e + 2;
                    if empty {
                        return Ok((p, total));
                    }
                }
            }
            self.need(p + size + 2).await?;
            if let Some(body) = body.as_deref_mut() {
                body.extend_from_slice(&self.buf[p..p + size]);
            }
            if &self.buf[p + size..p + size + 2] != b"\r\n" {
                return Err(invalid("chunk not followed by CRLF"));
            }
            p += size + 2;
            total += size;
        }
    }

    /// The index of `needle` at or after `p`, reading more as needed.
    async fn find_from(&mut self, p: usize, needle: &[u8]) -> std::io::Result<usize> {
        let mut scanned = p;
        loop {
            if let Some(i) = find(&self.buf[scanned..self.len], needle) {
                return Ok(scanned + i);
            }
            if self.len - p > MAX_HEAD {
                return Err(invalid("response head or chunk line too long"));
            }
            scanned = self.len.saturating_sub(needle.len() - 1).max(p);
            self.fill().await?;
        }
    }

    /// Reads until at least `n` bytes are buffered.
    async fn need(&mut self, n: usize) -> std::io::Result<()> {
        if self.buf.len() < n {
            self.buf.resize(n.max(2 * self.buf.len()), 0);
        }
        while self.len < n {
            self.fill().await?;
        }
        Ok(())
    }

    async fn fill(&mut self) -> std::io::Result<()> {
        if self.len == self.buf.len() {
            self.buf.resize(2 * self.buf.len(), 0);
        }
        let n = self.stream.read(&mut self.buf[self.len..]).await?;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "connection closed mid-response"));
        }
        self.len += n;
        Ok(())
    }

    fn consume(&mut self, n: usize) {
        self.buf.copy_within(n..self.len, 0);
        self.len -= n;
    }
}
