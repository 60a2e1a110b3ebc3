//! `cuesheet backup --out FILE`: a consistent copy of the SQLite database,
//! taken while the site keeps serving. `VACUUM INTO` reads one snapshot (in
//! WAL mode writers go on meanwhile) and writes a compact, self-contained
//! database file. The copy is written beside the target under a temporary
//! name and linked into place, so `FILE` is either absent or complete.
//! PostgreSQL has its own tools (`pg_dump`).

use std::path::{Path, PathBuf};

use super::{Backend, Db};

const VACUUM_INTO: &str = "vacuum into $1";

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("`cuesheet backup` copies a SQLite database; for PostgreSQL use `pg_dump` (see the README)")]
    Postgres,
    #[error("{0} exists already; choose a new file name")]
    Exists(PathBuf),
    #[error("the backup path {0} is not valid UTF-8")]
    Path(PathBuf),
    #[error("cannot write the backup: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot copy the database: {0}")]
    Db(#[from] sqlx::Error),
}

/// Writes the copy to `out` and returns its size in bytes.
pub async fn to_file(db: &Db, out: &Path) -> Result<u64, BackupError> {
    if db.backend == Backend::Postgres {
        return Err(BackupError::Postgres);
    }
    if out.exists() {
        return Err(BackupError::Exists(out.to_owned()));
    }
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut partial = out.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    // Left by a backup that was interrupted: `VACUUM INTO` needs a new file.
    if partial.exists() {
        std::fs::remove_file(&partial)?;
    }
    let target = partial.to_str().ok_or_else(|| BackupError::Path(partial.clone()))?;
    if let Err(e) = sqlx::query(VACUUM_INTO).bind(target).execute(&db.pool).await {
        let _ = std::fs::remove_file(&partial);
        return Err(e.into());
    }
    // A hard link, unlike a rename, never replaces a file made meanwhile.
    let linked = std::fs::hard_link(&partial, out);
    std::fs::remove_file(&partial)?;
    linked.map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => BackupError::Exists(out.to_owned()),
        _ => e.into(),
    })?;
    Ok(std::fs::metadata(out)?.len())
}
