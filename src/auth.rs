//! Editor roles (what each may do on the desk), passwords (Argon2id with
//! the OWASP parameters, the `argon2` crate's defaults) and session tokens. Each check takes 19 MiB for a moment, so
//! only a few run at once (`check_password`): forty simultaneous failed
//! logins must not take the server's memory with them.

use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

crate::text_enum! {
    /// What an editor may do on the desk, checked on the server for every
    /// action.
    pub enum Role("role") {
        /// Everything, managing people included.
        Admin = "admin",
        /// Writes and publishes any article, keeps records, moderates.
        Editor = "editor",
        /// Writes drafts and submits them for review; cannot publish.
        Contributor = "contributor",
    }
}

impl Role {
    /// Publishing, scheduling and unpublishing, and changing what is live.
    pub fn can_publish(self) -> bool {
        matches!(self, Role::Admin | Role::Editor)
    }

    /// Creating, editing and deleting records.
    pub fn can_edit_records(self) -> bool {
        self.can_publish()
    }

    /// Moderating and answering comments.
    pub fn can_moderate(self) -> bool {
        self.can_publish()
    }

    /// Adding, disabling and removing editors, resetting their passwords.
    pub fn can_manage_people(self) -> bool {
        self == Role::Admin
    }

    /// How the desk names the role.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Editor => "Editor",
            Role::Contributor => "Contributor",
        }
    }
}

/// Sessions last two weeks.
pub const SESSION_SECONDS: i64 = 14 * 24 * 3600;
/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 10;
/// Password checks running at once, on any number of requests.
pub const HASHING_AT_ONCE: usize = 2;
/// How long a login waits for its turn before it is refused (429).
pub const HASHING_WAIT: Duration = Duration::from_secs(5);

static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(HASHING_AT_ONCE);

/// A turn to check a password, held while it runs.
pub struct Turn(#[allow(dead_code)] tokio::sync::SemaphorePermit<'static>);

/// Waits up to `HASHING_WAIT` for a turn to check a password; `None` when
/// too many logins are waiting already (refuse it and ask for a retry).
pub async fn turn() -> Option<Turn> {
    tokio::time::timeout(HASHING_WAIT, HASHING.acquire()).await.ok()?.ok().map(Turn)
}

/// Checks `password` against `stored` off the request threads, or burns the
/// same time when there is no such account. Takes the caller's turn, so no
/// more than `HASHING_AT_ONCE` checks ever run together.
pub async fn check_password(_turn: Turn, password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || match stored {
        Some(hash) => verify_password(&password, &hash),
        None => {
            burn_time(&password);
            false
        }
    })
    .await
    .unwrap_or(false)
}

/// Hashes a new password off the request threads, in the caller's turn
/// (the desk's password forms share the login's bound on Argon2 at once).
pub async fn hash_in_turn(_turn: Turn, password: String) -> Result<String, PasswordError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .unwrap_or_else(|e| Err(PasswordError::Hash(e.to_string())))
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("the password must be at least {MIN_PASSWORD} characters")]
    TooShort,
    #[error("could not hash the password: {0}")]
    Hash(String),
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(PasswordError::TooShort);
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Whether `password` matches a stored PHC string.
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Compares against a fixed hash, so an unknown email costs as much time as a
/// wrong password.
pub fn burn_time(password: &str) {
    static DUMMY: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| hash_password("not a real password at all").unwrap_or_default());
    let _ = verify_password(password, &DUMMY);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_with_argon2id_owasp_parameters() {
        let h = hash_password("correct horse battery").unwrap_or_default();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(matches!(hash_password("short"), Err(PasswordError::TooShort)));
    }
}
