//! A spawned `cuesheet serve`: the real binary on a loopback port of its
//! own, over a test's database. Its log is drained for its whole life (so it
//! never blocks on a full pipe) and kept for the test to read. Killed when
//! dropped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::remote::Remote;

pub struct Node {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
}

impl Node {
    /// `cuesheet serve --no-import` on `database_url`, with `args` and the
    /// environment `env` added; returns once it says where it listens.
    pub fn spawn(database_url: &str, args: &[&str], env: &[(&str, &str)]) -> Node {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cuesheet"))
            .args(["serve", "--bind", "127.0.0.1:0", "--no-import"])
            .args(args)
            .env("DATABASE_URL", database_url)
            .env("CUESHEET_LOG", "info")
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (output, lines) = (child.stderr.take().unwrap(), log.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(output).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("serving on http://").nth(1) {
                    let addr: String = rest.chars().take_while(|c| !c.is_whitespace() && *c != '\x1b').collect();
                    let _ = tx.send(addr);
                }
                lines.lock().unwrap().push(line);
            }
        });
        let addr = rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("the node did not start: {:?}", log.lock().unwrap())
        });
        Node { base: format!("http://{addr}"), child, log }
    }

    /// `127.0.0.1:PORT`.
    pub fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    /// How many request lines for `path` this node has logged.
    pub fn served(&self, path: &str) -> usize {
        let needle = format!("method=GET path={path} ");
        self.log.lock().unwrap().iter().filter(|l| l.contains(&needle)).count()
    }

    /// Waits until it answers `/healthz`.
    pub async fn ready(&self) {
        let page = Remote::new(&self.base).poll("/healthz", Duration::from_secs(10), |p| p.status == 200).await;
        assert_eq!(page.status, 200, "node {} not healthy", self.base);
    }

    /// Kills it at once (`SIGKILL`, as a crash would) and waits until it is gone.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
