//! The editors' interface: `content/articles/<slug>.md` (TOML front matter,
//! then Markdown whose `{soundtrack=slug}` headings are the list's entries)
//! and `content/soundtracks/<slug>.toml` (one structured record each).
//!
//! Loading is pure: it reads files and reports every problem with its file,
//! line and reason; nothing touches the database until the whole tree is
//! clean (see [`crate::db::import`]).

pub mod article;
pub mod markdown;
pub mod record;

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use article::Article;
pub use record::Record;

/// Bumped whenever the renderer's output changes, so an import re-renders
/// files whose bytes did not change.
pub const RENDER_VERSION: &str = "1";

/// One thing wrong with one file, located like a compiler error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    /// 1-based; 0 when the problem concerns the whole file.
    pub line: usize,
    pub message: String,
}

impl Problem {
    pub fn new(path: &Path, line: usize, message: impl Into<String>) -> Self {
        Self { path: path.to_path_buf(), line, message: message.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.path.display(), self.line, self.message)
        } else {
            write!(f, "{}: {}", self.path.display(), self.message)
        }
    }
}

/// Why a content tree could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}", Problems(.0))]
    Invalid(Vec<Problem>),
}

struct Problems<'a>(&'a [Problem]);

impl fmt::Display for Problems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "{n} problem{} in content:", if n == 1 { "" } else { "s" })?;
        for p in self.0 {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

/// A whole content tree, parsed and rendered, every file valid on its own.
#[derive(Debug, Default)]
pub struct Site {
    pub records: Vec<Record>,
    pub articles: Vec<Article>,
}

impl Site {
    /// Reports references to records that neither this tree nor `known`
    /// (records that live only in the database) provides.
    pub fn check_references(&self, known: &BTreeSet<String>) -> Vec<Problem> {
        let here: BTreeSet<&str> = self.records.iter().map(|r| r.slug.as_str()).collect();
        let exists = |slug: &str| here.contains(slug) || known.contains(slug);
        let mut problems = Vec::new();
        for article in &self.articles {
            for r in &article.rendered.references {
                if !exists(&r.slug) {
                    let what = if r.entry { "entry links" } else { "link to" };
                    problems.push(Problem::new(
                        &article.path,
                        r.line,
                        format!("{what} unknown soundtrack record `{}` (no soundtracks/{}.toml)", r.slug, r.slug),
                    ));
                }
            }
        }
        problems
    }
}

/// Reads and renders every article and record under `dir`, reporting the
/// problems of all files together. References between files are checked by
/// [`Site::check_references`], since records may also live in the database.
pub fn load(dir: &Path) -> Result<Site, LoadError> {
    // A missing tree must not read as an empty one: that would unpublish everything.
    if !dir.is_dir() {
        let source = std::io::Error::new(std::io::ErrorKind::NotFound, "no such folder");
        return Err(LoadError::Io { path: dir.to_path_buf(), source });
    }
    let mut site = Site::default();
    let mut problems = Vec::new();

    for (path, text) in read_dir_files(&dir.join("soundtracks"), "toml")? {
        match record::parse(&path, &text) {
            Ok(r) => site.records.push(r),
            Err(mut p) => problems.append(&mut p),
        }
    }
    for (path, text) in read_dir_files(&dir.join("articles"), "md")? {
        match article::parse(&path, &text) {
            Ok(a) => site.articles.push(a),
            Err(mut p) => problems.append(&mut p),
        }
    }
    if problems.is_empty() { Ok(site) } else { Err(LoadError::Invalid(problems)) }
}

/// The `*.ext` files of a folder, sorted by name; a missing folder is empty.
fn read_dir_files(dir: &Path, ext: &str) -> Result<Vec<(PathBuf, String)>, LoadError> {
    let io = |source| LoadError::Io { path: dir.to_path_buf(), source };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(e)),
    };
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(io)?.path();
        if path.extension().is_some_and(|e| e == ext) && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let bytes = std::fs::read(&path).map_err(|source| LoadError::Io { path: path.clone(), source })?;
        match String::from_utf8(bytes) {
            Ok(text) => files.push((path, text)),
            Err(e) => {
                let line = e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
                return Err(LoadError::Invalid(vec![Problem::new(&path, line, "not valid UTF-8")]));
            }
        }
    }
    Ok(files)
}

/// The slug a file's name gives it, if it is a valid slug.
fn file_slug(path: &Path) -> Result<String, Problem> {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    if is_slug(stem) {
        Ok(stem.to_owned())
    } else {
        Err(Problem::new(path, 0, "file name must be a slug: lowercase letters, digits and single hyphens"))
    }
}

/// `blade-runner-1982`: lowercase ASCII letters and digits, single hyphens.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The slug of a name or heading: `Sigur Rós` → `sigur-ros`.
pub fn slugify(text: &str) -> String {
    slug::slugify(text)
}

/// A content hash that also covers the renderer's version.
fn content_hash(text: &str) -> String {
    let mut h = Sha256::new();
    h.update(RENDER_VERSION.as_bytes());
    h.update([0]);
    h.update(text.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// 1-based line of a byte offset in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}
