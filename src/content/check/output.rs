//! The command: check a tree, print each finding like a compiler (location,
//! severity, message, the source line with a caret) or as JSON for tools,
//! end with a summary line, and exit 0 (clean or warnings only), 1 (errors)
//! or 2 (could not check). A progress bar is drawn on standard error for
//! large trees when it is a terminal.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};

use super::{Report, check_file, check_tree_with};

/// Trees with more files than this get a progress bar.
const PROGRESS_MIN_FILES: usize = 200;

/// How `cuesheet check` prints its findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// `path:line:column: severity: message`, the line, a caret; a summary.
    #[default]
    Text,
    /// A JSON array of findings on standard output; the summary on standard error.
    Json,
}

/// Runs `cuesheet check DIR` (or `check FILE`: one file, against its tree).
pub fn run(dir: &Path, format: Format) -> ExitCode {
    let terminal = std::io::stderr().is_terminal();
    let mut bar: Option<ProgressBar> = None;
    let mut progress = |done: usize, total: usize| {
        if terminal && total > PROGRESS_MIN_FILES {
            let bar = bar.get_or_insert_with(|| {
                let style = ProgressStyle::with_template("checking {bar:40} {pos}/{len} files")
                    .unwrap_or_else(|_| ProgressStyle::default_bar());
                ProgressBar::new(total as u64).with_style(style)
            });
            bar.set_position(done as u64);
        }
    };
    let result = if dir.is_file() { check_file(dir) } else { check_tree_with(dir, &mut progress) };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let report = match result {
        Ok(report) => report,
        Err(e) => {
            eprintln!("cuesheet check: {e}");
            return ExitCode::from(2);
        }
    };
    let mut stdout = std::io::stdout().lock();
    let written = match format {
        Format::Text => write!(stdout, "{}", text(&report)),
        Format::Json => match serde_json::to_string_pretty(&report.problems) {
            Ok(json) => {
                eprintln!("{}", report.summary());
                writeln!(stdout, "{json}")
            }
            Err(e) => {
                eprintln!("cuesheet check: cannot write JSON: {e}");
                return ExitCode::from(2);
            }
        },
    };
    if written.is_err() {
        return ExitCode::from(2);
    }
    if report.errors() > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// Every finding with its excerpt, then the summary line.
pub fn text(report: &Report) -> String {
    let mut out = String::new();
    for p in &report.problems {
        out.push_str(&p.to_string());
        out.push('\n');
        let snippet = p.snippet();
        if !snippet.is_empty() {
            out.push_str(&snippet);
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str(&report.summary());
    out.push('\n');
    out
}
