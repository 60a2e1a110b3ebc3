//! Markdown nested past the renderer's limits (`nesting`): quotes and lists
//! more than 16 deep, emphasis and links more than 32, raw HTML more than
//! 32. The renderer flattens such text to stay fast, so the page would not
//! show what was written: an error, so the file is never imported or
//! published as it stands.

use crate::content::markdown::Body;
use crate::content::markdown::nesting;
use crate::content::{Article, Problem, Source};

/// The first place the body nests too deeply, if any, read from the body's
/// one parse (the same options, so the same events).
pub(super) fn check(a: &Article, body: &Body<'_>, src: &Source<'_>) -> Option<Problem> {
    let excess = nesting::scan_events(&a.body, body.events.iter().cloned()).excess?;
    let message = format!(
        "nesting: {} nest more than {} levels deep; the page would flatten them: keep them shallower",
        excess.kind.what(),
        excess.kind.limit()
    );
    Some(src.error(a.body_offset + excess.offset, "nesting", message))
}
