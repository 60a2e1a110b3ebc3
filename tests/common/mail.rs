//! A real SMTP server for the mail tests: `tests/smtp/sink.py` (aiosmtpd)
//! on a loopback port, writing every message it accepts to a folder as
//! JSON. Outside CI a machine without Python's aiosmtpd skips the mail
//! tests with a note; in CI (`CI` set) that is a failure.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SINK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/smtp/sink.py");

/// A delivered message.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Delivered {
    pub rcpt_tos: Vec<String>,
    pub headers: BTreeMap<String, String>,
    pub text: String,
    pub html: String,
}

impl Delivered {
    pub fn to(&self) -> &str {
        self.rcpt_tos.first().map_or("", String::as_str)
    }

    pub fn subject(&self) -> &str {
        self.headers.get("subject").map_or("", String::as_str)
    }

    /// The path and query of the first link in the text part whose path
    /// starts with `path` (the test server's base URL is not the one the
    /// site was told, so links are followed by path).
    pub fn link(&self, path: &str) -> Option<String> {
        self.text
            .split_whitespace()
            .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
            .find_map(|w| w.find(path).filter(|&i| w[..i].matches('/').count() == 2).map(|i| w[i..].to_owned()))
            .map(|w| w.trim_end_matches(['.', ',', ')']).to_owned())
    }
}

pub struct SmtpSink {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

/// A loopback port nothing listens on (just now).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl SmtpSink {
    /// A sink on a free port, started; `None` (with a note) when aiosmtpd
    /// cannot run here outside CI.
    pub fn start() -> Option<SmtpSink> {
        let mut sink = SmtpSink::stopped(free_port());
        sink.up().then_some(sink)
    }

    /// A sink that will listen on `port` once [`SmtpSink::up`] is called.
    pub fn stopped(port: u16) -> SmtpSink {
        SmtpSink { port, dir: tempfile::tempdir().unwrap(), child: None }
    }

    /// Whether aiosmtpd is there at all (panics in CI when it is not).
    pub fn available() -> bool {
        let ok = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            if std::env::var_os("CI").is_some() {
                panic!("the mail tests need Python's aiosmtpd in CI (python3 -m pip install aiosmtpd)");
            }
            eprintln!("note: python3 with aiosmtpd is not available; mail tests skipped");
        }
        ok
    }

    /// Starts the server and waits until it accepts connections; `false`
    /// when it cannot run here (outside CI).
    pub fn up(&mut self) -> bool {
        if !Self::available() {
            return false;
        }
        let child = Command::new("python3")
            .arg(SINK)
            .arg(self.port.to_string())
            .arg(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(start.elapsed() < Duration::from_secs(20), "the SMTP sink did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        true
    }

    /// Stops the server (the messages it took stay readable).
    pub fn down(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message delivered so far, oldest first.
    pub fn messages(&self) -> Vec<Delivered> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        files.iter().map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()).collect()
    }

    /// The messages to `to`.
    pub fn to(&self, to: &str) -> Vec<Delivered> {
        self.messages().into_iter().filter(|m| m.to() == to).collect()
    }

    /// Waits (up to `limit`) until `to` has had `n` messages; returns them.
    pub async fn wait_for(&self, to: &str, n: usize, limit: Duration) -> Vec<Delivered> {
        let start = Instant::now();
        loop {
            let got = self.to(to);
            if got.len() >= n {
                return got;
            }
            assert!(start.elapsed() < limit, "{to} got {} of {n} mails within {limit:?}: {got:#?}", got.len());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.down();
    }
}

/// Waits (up to `limit`) until the outbox has nothing left to send: every
/// row sent or given up on.
pub async fn outbox_settled(db: &cuesheet::db::Db, limit: Duration) {
    let start = Instant::now();
    loop {
        let unsent: i64 = sqlx::query_scalar("select count(*) from outbox where sent_at is null and failed_at is null")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        if unsent == 0 {
            return;
        }
        assert!(start.elapsed() < limit, "{unsent} mails still unsent after {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
