//! `cuesheet`: serve the site (default), import `content/`, or check it.

use std::net::TcpListener;
use std::process::ExitCode;

use clap::Parser;
use cuesheet::auth;
use cuesheet::config::{Cli, Command, DemoArgs, EditorCommand, Settings};
use cuesheet::content::check;
use cuesheet::db::Db;
use cuesheet::db::export::export_dir;
use cuesheet::db::import::{ImportError, import_dir, import_loaded};
use cuesheet::db::{self};
use cuesheet::web::AppState;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    return_large_blocks_to_the_system();
    // Log lines are written by a background thread: a request never waits
    // for standard error. The guard flushes what is left on exit.
    let cli = Cli::parse();
    // The demo's multi-row inserts are slow statements by design; sqlx would
    // print each one whole over the progress bar.
    let default = match cli.command {
        Some(Command::DemoData(_)) => "info,sqlx::query=error",
        _ => "info",
    };
    let (writer, _flush_on_exit) = tracing_appender::non_blocking(std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("CUESHEET_LOG").unwrap_or_else(|_| EnvFilter::new(default)))
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(writer)
        .init();
    match actix_web::rt::System::new().block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            tracing::error!("{e:#}");
            ExitCode::from(2)
        }
    }
}

/// Each password check takes a 19 MiB block (Argon2id). glibc hands blocks
/// that large to the system when freed, but after the first one it raises
/// its threshold and keeps later ones in its heaps: forty failed logins left
/// the server at 424 MiB. A fixed threshold keeps large blocks going back.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks_to_the_system() {
    // SAFETY: `mallopt` only tunes the allocator; it is called once, first
    // thing in `main`, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_to_the_system() {}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = cli.settings;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&settings).await,
        Command::Import(args) => {
            let db = Db::connect(&settings.database_url).await?;
            let store = cuesheet::media::Store::open(&settings.site.media_url)?;
            let imported = import_dir(&db, &store, &settings.content, args.force).await;
            close(db).await;
            match imported {
                Ok(report) => {
                    println!("imported {}: {report}", settings.content.display());
                    Ok(ExitCode::SUCCESS)
                }
                Err(ImportError::Content(e)) => {
                    eprintln!("{e}\nnothing was imported; the previous content stays live");
                    Ok(ExitCode::from(1))
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Check(args) => Ok(check::run(args.dir.as_deref().unwrap_or(&settings.content), args.format)),
        Command::Export(args) => {
            let db = Db::connect(&settings.database_url).await?;
            let store = cuesheet::media::Store::open(&settings.site.media_url)?;
            let exported = export_dir(&db, &store, &args.out).await;
            close(db).await;
            let (records, articles, pictures) = exported?;
            println!(
                "exported {records} records, {articles} articles and {pictures} pictures to {}",
                args.out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Editor(cmd) => editor(&settings, cmd).await,
        Command::Backup(args) => {
            let db = Db::connect(&settings.database_url).await?;
            let copied = db::backup::to_file(&db, &args.out).await;
            close(db).await;
            match copied {
                Ok(bytes) => {
                    println!("backed up the database to {} ({bytes} bytes)", args.out.display());
                    Ok(ExitCode::SUCCESS)
                }
                Err(e @ (db::backup::BackupError::Postgres | db::backup::BackupError::Exists(_))) => {
                    eprintln!("{e}");
                    Ok(ExitCode::from(2))
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::DemoData(args) => demo_data(&settings, &args).await,
    }
}

/// `cuesheet demo-data`: generates the archive with a progress bar on a terminal.
async fn demo_data(settings: &Settings, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    use std::io::IsTerminal;
    let db = Db::connect(&settings.database_url).await?;
    let opts = db::demo::Options {
        articles: args.articles,
        comments: args.comments,
        records: args.records.unwrap_or((args.articles / 5).max(50)),
        seed: args.seed,
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let style =
            indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:40}] {pos}/{len} rows ({per_sec})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        indicatif::ProgressBar::new(opts.units()).with_style(style)
    });
    let started = std::time::Instant::now();
    let summary = db::demo::generate(&db, &opts, &mut |n| {
        if let Some(bar) = &bar {
            bar.inc(n);
        }
    })
    .await;
    close(db).await;
    let summary = summary?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    println!(
        "generated {} records, {} people, {} tags, {} articles with {} entries, {} comments in {:.1} s",
        summary.records,
        summary.people,
        summary.tags,
        summary.articles,
        summary.entries,
        summary.comments,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// Closes the pool before a command exits, so SQLite checkpoints its
/// write-ahead log into the database file and removes it.
async fn close(db: Db) {
    db.pool.close().await;
}

async fn editor(settings: &Settings, cmd: EditorCommand) -> anyhow::Result<ExitCode> {
    let db = Db::connect(&settings.database_url).await?;
    let done = editor_command(&db, cmd).await;
    close(db).await;
    done
}

async fn editor_command(db: &Db, cmd: EditorCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        EditorCommand::Add { email, name, role, password_stdin } => {
            if !cuesheet::comments::form::valid_email(email.trim()) {
                eprintln!("`{email}` is not an email address");
                return Ok(ExitCode::from(2));
            }
            let Some(password) = read_new_password(password_stdin)? else {
                eprintln!("the passwords differ; nothing was changed");
                return Ok(ExitCode::from(1));
            };
            let hash = match tokio::task::spawn_blocking(move || auth::hash_password(&password)).await? {
                Ok(h) => h,
                Err(e) => {
                    eprintln!("{e}; nothing was changed");
                    return Ok(ExitCode::from(1));
                }
            };
            match db::editors::create(db, &email, &name, &hash, role, db::now()).await? {
                Some(created) => {
                    let first = if created.role != role { " (the first account is the admin)" } else { "" };
                    println!("added {} {} <{}>{first}", created.role, name.trim(), email.trim().to_lowercase());
                    Ok(ExitCode::SUCCESS)
                }
                None => {
                    eprintln!("an editor with the email {email} exists already");
                    Ok(ExitCode::from(1))
                }
            }
        }
        EditorCommand::List => {
            for e in db::editors::list(db).await? {
                let disabled = if e.disabled_at.is_some() { "\tdisabled" } else { "" };
                println!("{}\t{}\t{}{disabled}", e.email, e.name, e.role);
            }
            Ok(ExitCode::SUCCESS)
        }
        EditorCommand::Remove { email } => {
            let Some(editor) = db::editors::by_email(db, &email).await? else {
                eprintln!("no editor has the email {email}");
                return Ok(ExitCode::from(1));
            };
            match db::editors::remove(db, editor.id).await? {
                db::editors::Change::Done => {
                    println!("removed {email}");
                    Ok(ExitCode::SUCCESS)
                }
                db::editors::Change::Missing => {
                    eprintln!("no editor has the email {email}");
                    Ok(ExitCode::from(1))
                }
                db::editors::Change::LastAdmin => {
                    eprintln!("{email} is the only active admin; make another admin first");
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

/// A new password: asked twice on a terminal (`None` when the two differ),
/// or the first line of standard input when asked to or when standard input
/// is not a terminal (a script, a pipe, a container without a TTY).
fn read_new_password(from_stdin: bool) -> anyhow::Result<Option<String>> {
    use std::io::IsTerminal;
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        return Ok(Some(line.trim_end_matches(['\n', '\r']).to_owned()));
    }
    let first = rpassword::prompt_password("Password: ")?;
    Ok((rpassword::prompt_password("Again: ")? == first).then_some(first))
}

async fn serve(settings: &Settings) -> anyhow::Result<ExitCode> {
    let db = Db::connect(&settings.database_url).await?;
    let store = cuesheet::media::Store::open(&settings.site.media_url)?;
    if !settings.no_import {
        // A database that has content already is served at once and the
        // import of `content/` runs beside it (it reads every row's hash,
        // which takes longer the larger the archive): its changes appear when
        // it commits, as any write's do. A database with nothing published
        // yet would only serve empty pages, so it waits for the import.
        let import = {
            let (db, content, store) = (db.clone(), settings.content.clone(), store.clone());
            async move {
                // Loading and checking the tree is CPU work: on a blocking
                // thread, so the server starts meanwhile.
                let dir = content.clone();
                let loaded = tokio::task::spawn_blocking(move || cuesheet::content::load(&dir)).await;
                let result = match loaded {
                    Ok(Ok(site)) => import_loaded(&db, &store, &content, &site, false).await,
                    Ok(Err(e)) => Err(e.into()),
                    Err(e) => {
                        tracing::error!("import stopped: {e}; serving the previous content");
                        return;
                    }
                };
                match result {
                    Ok(report) => tracing::info!("imported {}: {report}", content.display()),
                    Err(e) => tracing::error!("{e}\nimport failed; serving the previous content"),
                }
            }
        };
        if db::articles::any_published(&db, db::now()).await? {
            actix_web::rt::spawn(import);
        } else {
            import.await;
        }
    }
    let listener =
        TcpListener::bind(&settings.bind).map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.bind))?;
    tracing::info!("serving on http://{}", listener.local_addr()?);
    let mut site = settings.site.clone();
    site.base_url.get_or_insert_with(|| {
        format!("http://{}", listener.local_addr().map_or(settings.bind.clone(), |a| a.to_string()))
    });
    let state = AppState::new(db, site).await?;
    cuesheet::web::server(state, listener, settings.workers)?.await?;
    Ok(ExitCode::SUCCESS)
}
