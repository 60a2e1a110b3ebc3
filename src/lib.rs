//! Cuesheet: a server-rendered editorial website about music in film.
//!
//! The binary (`src/main.rs`) only parses the command line and dispatches;
//! everything it runs lives here so tests and benchmarks use the real thing.

/// Editor roles, passwords (Argon2id) and session tokens.
pub mod auth;
/// Spam tokens and hold phrases, shared by the comment rules and the check.
pub mod blocklist;
/// Reader comments: the form, its validation, the moderation rules, Markdown.
pub mod comments;
/// Command line and settings: one clap struct, flags with environment overrides.
pub mod config;
/// The editors' interface: front matter, soundtrack records, the Markdown
/// pipeline that finds a list's entries, and loading a `content/` tree.
pub mod content;
/// The database: pool and migrations per backend, the import, and the
/// queries behind each page.
pub mod db;
/// The web error type and its rendered error pages.
pub mod error;
/// Mail: what the site sends, its signed links, and the sender.
pub mod mail;
/// Pictures: uploads and content pictures sniffed, bounded, resized and
/// re-encoded once, stored by content hash in a directory or an
/// S3-compatible store; generated record sleeves and share cards.
pub mod media;
/// Enums stored and posted as text, parsed once where they are read.
pub mod text_enum;
/// Readers' votes: verdicts on ranks, and the Borda count of their rankings.
pub mod votes;
/// The HTTP server: route table, middleware and one module per area.
pub mod web;
