//! `cuesheet`: serve the site (default), import `content/`, or check it.

use std::net::TcpListener;
use std::process::ExitCode;

use clap::Parser;
use cuesheet::config::{Cli, Command, Settings};
use cuesheet::content::check;
use cuesheet::db::Db;
use cuesheet::db::import::{ImportError, import_dir};
use cuesheet::web::AppState;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("CUESHEET_LOG").unwrap_or_else(|_| EnvFilter::new("info")))
        .with_target(false)
        .init();
    let cli = Cli::parse();
    match actix_web::rt::System::new().block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            tracing::error!("{e:#}");
            ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let settings = cli.settings;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&settings).await,
        Command::Import(args) => {
            let db = Db::connect(&settings.database_url).await?;
            match import_dir(&db, &settings.content, args.force).await {
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
    }
}

async fn serve(settings: &Settings) -> anyhow::Result<ExitCode> {
    let db = Db::connect(&settings.database_url).await?;
    if !settings.no_import {
        match import_dir(&db, &settings.content, false).await {
            Ok(report) => tracing::info!("imported {}: {report}", settings.content.display()),
            Err(e) => tracing::error!("{e}\nimport failed; serving the previous content"),
        }
    }
    let listener =
        TcpListener::bind(&settings.bind).map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.bind))?;
    tracing::info!("serving on http://{}", listener.local_addr()?);
    let state = AppState::new(db, settings.site.clone()).await?;
    cuesheet::web::server(state, listener, settings.workers)?.await?;
    Ok(ExitCode::SUCCESS)
}
