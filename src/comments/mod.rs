//! Reader comments: the form as posted (parsed without losing a byte the
//! commenter typed), its validation, the moderation rules, and the comment
//! Markdown renderer. Storage is in `db::comments`, pages in `web::comments`.

pub mod form;
pub mod markdown;
pub mod rules;

use sha2::{Digest, Sha256};

/// How long a commenter may edit or delete their own comment.
pub const EDIT_WINDOW_SECONDS: i64 = 15 * 60;

/// Thread levels, as WordPress's default: a reply to a comment at the
/// deepest level joins that level instead of nesting further.
pub const MAX_THREAD_DEPTH: i64 = 5;

/// Characters XML 1.0 forbids (C0 controls other than tab, newline and
/// carriage return, and U+FFFE, U+FFFF): one of them in a comment would make
/// every Atom feed that carries it unreadable, so they are refused at input
/// and stripped from feeds.
pub fn forbidden_in_xml(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

crate::text_enum! {
    /// Moderation states, as `comments.status` holds them (read into this
    /// type at the row, so code compares variants, never strings).
    pub enum Status("comment status") {
        Pending = "pending",
        Approved = "approved",
        Spam = "spam",
        Trash = "trash",
    }
}

/// Hex SHA-256.
pub fn sha256_hex(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The same author saying the same thing on the same article.
pub fn fingerprint(article_id: i64, author: &str, body: &str) -> String {
    let author = author.trim().to_lowercase();
    let body: Vec<&str> = body.split_whitespace().collect();
    sha256_hex(&[&article_id.to_string(), &author, &body.join(" ")])
}

/// A fresh unguessable token, hex.
pub fn random_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
