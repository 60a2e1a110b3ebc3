//! Settings, by flag or environment variable, with defaults that serve the
//! site from a fresh clone: `cargo run --release` needs none of them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// The SQLite database used when no `DATABASE_URL` is given.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/cuesheet.db";

#[derive(Debug, Parser)]
#[command(name = "cuesheet", version, about = "Cuesheet: lists about music in film")]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,

    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Settings shared by every subcommand.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Database: `sqlite://path/to/file.db` or `postgres://user@host/db`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,

    /// The content tree: `articles/*.md` and `soundtracks/*.toml`.
    #[arg(long, env = "CUESHEET_CONTENT", default_value = "content", global = true)]
    pub content: PathBuf,

    /// Address `serve` listens on.
    #[arg(long, env = "CUESHEET_BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: String,

    /// Worker threads for `serve`; one per core when omitted.
    #[arg(long, env = "CUESHEET_WORKERS", global = true)]
    pub workers: Option<usize>,

    /// `serve` the database as it is, without importing `content/` first.
    #[arg(long, env = "CUESHEET_NO_IMPORT", global = true)]
    pub no_import: bool,

    #[command(flatten)]
    pub site: SiteConfig,
}

/// Settings the running site reads (through `web::AppState`).
#[derive(Debug, Clone, Args)]
pub struct SiteConfig {
    /// Hold every first-time commenter's comment for moderation.
    #[arg(long, env = "CUESHEET_HOLD_FIRST_COMMENT", global = true)]
    pub hold_first_comment: bool,

    /// Seconds a client address must wait between two comments.
    #[arg(long, env = "CUESHEET_COMMENT_INTERVAL", default_value_t = 15, global = true)]
    pub comment_interval: i64,

    /// A comment sent sooner than this many seconds after its form was shown
    /// is taken for a bot's.
    #[arg(long, env = "CUESHEET_COMMENT_MIN_SECONDS", default_value_t = 3, global = true)]
    pub comment_min_seconds: i64,

    /// Behind a reverse proxy: the header it puts the client address in
    /// (`X-Forwarded-For`, `X-Real-IP`); its last address is used.
    #[arg(long, env = "CUESHEET_TRUSTED_PROXY_HEADER", global = true)]
    pub trusted_proxy_header: Option<String>,

    /// The site's public address, for canonical links, feeds and the sitemap
    /// (`https://cuesheet.example`); `http://` and the bind address when omitted.
    #[arg(long, env = "CUESHEET_BASE_URL", global = true)]
    pub base_url: Option<String>,

    /// Secret that signs form tokens, shared by every app node. By default
    /// one is generated once and kept in the database.
    #[arg(long, env = "CUESHEET_SECRET", hide_env_values = true, global = true)]
    pub secret: Option<String>,

    /// Memory for finished public pages (all their compressed forms
    /// counted), in MiB; least recently used pages go first.
    #[arg(long, env = "CUESHEET_PAGE_CACHE_MB", default_value_t = 16, global = true)]
    pub page_cache_mb: u64,

    /// Where pictures are stored: a folder, or `s3://bucket/prefix` for an
    /// S3-compatible store shared by several nodes (credentials, region and
    /// endpoint from the usual `AWS_*` variables).
    #[arg(long, env = "CUESHEET_MEDIA_URL", default_value = crate::media::store::DEFAULT_URL, global = true)]
    pub media_url: String,

    #[command(flatten)]
    pub votes: VoteConfig,

    #[command(flatten)]
    pub mail: MailConfig,
}

/// Readers' votes: how often one may vote, and when totals show.
#[derive(Debug, Clone, Args)]
pub struct VoteConfig {
    /// Votes (rank verdicts, rankings, helpful marks) one browser, and one
    /// client address, may cast per minute; 0 for no limit.
    #[arg(long, env = "CUESHEET_VOTES_PER_MINUTE", default_value_t = 30, global = true)]
    pub votes_per_minute: i64,

    /// An entry's "too high / right / too low" totals show once it has this many votes.
    #[arg(long, env = "CUESHEET_VOTE_TOTALS_AFTER", default_value_t = 5, global = true)]
    pub vote_totals_after: i64,

    /// The readers' ranking of a list shows once this many readers have ranked it.
    #[arg(long, env = "CUESHEET_READERS_RANKING_AFTER", default_value_t = 5, global = true)]
    pub readers_ranking_after: i64,
}

impl Default for VoteConfig {
    fn default() -> Self {
        Self { votes_per_minute: 30, vote_totals_after: 5, readers_ranking_after: 5 }
    }
}

/// Mail: reply notifications, moderators' digests, password resets. All
/// off without `--smtp-url`.
#[derive(Debug, Clone, Args)]
pub struct MailConfig {
    /// The SMTP server: `smtp://user:pass@host:port` (STARTTLS when the
    /// server offers it; `?tls=required` insists), or `smtps://...`.
    #[arg(long, env = "CUESHEET_SMTP_URL", hide_env_values = true, global = true)]
    pub smtp_url: Option<String>,

    /// The sender of every mail, `Name <address>`; `Cuesheet <noreply@`
    /// the base URL's host `>` when omitted.
    #[arg(long, env = "CUESHEET_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,

    /// Moderators get at most one digest of held comments per this many minutes.
    #[arg(long, env = "CUESHEET_DIGEST_MINUTES", default_value_t = 30, global = true)]
    pub digest_minutes: i64,

    /// Mails one address may be sent per hour; more wait their turn.
    #[arg(long, env = "CUESHEET_MAIL_PER_ADDRESS_HOUR", default_value_t = 10, global = true)]
    pub mail_per_address_hour: i64,

    /// Mails the whole site may send per minute; more wait their turn.
    #[arg(long, env = "CUESHEET_MAIL_PER_MINUTE", default_value_t = 60, global = true)]
    pub mail_per_minute: i64,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self { smtp_url: None, mail_from: None, digest_minutes: 30, mail_per_address_hour: 10, mail_per_minute: 60 }
    }
}

impl Default for SiteConfig {
    fn default() -> Self {
        Self {
            hold_first_comment: false,
            comment_interval: 15,
            comment_min_seconds: 3,
            trusted_proxy_header: None,
            base_url: None,
            secret: None,
            page_cache_mb: 16,
            media_url: crate::media::store::DEFAULT_URL.to_owned(),
            votes: VoteConfig::default(),
            mail: MailConfig::default(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import `content/`, then serve the site (the default).
    Serve,
    /// Import `content/` into the database and report what changed.
    Import(ImportArgs),
    /// Check a content tree (`content/` by default) without importing it:
    /// exit 0 when clean or warnings only, 1 on errors, 2 if it cannot run.
    Check(CheckArgs),
    /// Write every article and record in the `content/` format.
    Export(ExportArgs),
    /// Manage the editors who can log in to `/editor`.
    #[command(subcommand)]
    Editor(EditorCommand),
    /// Copy the SQLite database to a file while the site keeps serving
    /// (for PostgreSQL use `pg_dump`).
    Backup(BackupArgs),
    /// Write a large generated archive into the database (load tests).
    DemoData(DemoArgs),
}

#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// The file to write; it must not exist yet.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// How many lists to generate.
    #[arg(long, default_value_t = 1000)]
    pub articles: usize,
    /// How many comments, spread over the published lists.
    #[arg(long, default_value_t = 20_000)]
    pub comments: usize,
    /// How many soundtrack records; a fifth of `--articles` (at least 50) when omitted.
    #[arg(long)]
    pub records: Option<usize>,
    /// The same seed gives the same archive.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// The folder to write `articles/` and `soundtracks/` into.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Clone, Subcommand)]
pub enum EditorCommand {
    /// Create an editor; the first account of a site is its admin. The
    /// password is prompted for on a terminal, and read from the first line
    /// of standard input with `--password-stdin` or when standard input is
    /// not a terminal.
    Add {
        email: String,
        #[arg(long)]
        name: String,
        /// `admin`, `editor` or `contributor` (the first account is an admin).
        #[arg(long, default_value = "editor", value_parser = parse_role)]
        role: crate::auth::Role,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the editors: email, name, role, and `disabled` for a disabled account.
    List,
    /// Remove an editor (and end their sessions).
    Remove { email: String },
}

fn parse_role(s: &str) -> Result<crate::auth::Role, String> {
    s.parse().map_err(|_| format!("`{s}` is not a role: use admin, editor or contributor"))
}

#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// Overwrite records and articles that were edited through the web since
    /// their file was last imported (by default they are kept and reported).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// The tree to check; the `--content` setting when omitted.
    pub dir: Option<PathBuf>,

    /// `text` for people, `json` (an array of findings) for tools.
    #[arg(long, value_enum, default_value_t)]
    pub format: crate::content::check::Format,
}
