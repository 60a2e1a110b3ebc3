//! What the desk checks an article against: the same knowledge of other
//! records that `cuesheet check` has of its tree (every record's titles and
//! makers), so a warning such as "this paragraph names another record's
//! director" shows in the desk exactly as it does on the command line.
//!
//! Every record's titles and makers come in one query; on a large archive
//! that is tens of thousands of rows, so they are kept, built into a
//! [`Context`], until the content version moves (every write of a record
//! bumps it in its own transaction). A check then costs one small query for
//! the version and a few for what the article itself links.

use std::collections::BTreeMap;
use std::path::Path as FsPath;
use std::sync::{Arc, RwLock};

use crate::content::check::Context;
use crate::content::markdown::Html;
use crate::db;
use crate::error::Result;
use crate::web::AppState;

/// Every record's titles and makers as a [`Context`], for one content version.
#[derive(Debug, Default)]
pub struct RecordTitles {
    kept: RwLock<Option<(i64, Arc<Context>)>>,
}

impl RecordTitles {
    /// The context of every record as of now: kept when the content version
    /// has not moved, read again (one query) when it has.
    pub async fn get(&self, db: &db::Db) -> Result<Arc<Context>> {
        // Read the version before the records: a write landing in between
        // is then seen as a newer version on the next check, never missed.
        let version = db.content_version().await?;
        if let Ok(kept) = self.kept.read()
            && let Some((v, ctx)) = kept.as_ref()
            && *v == version
        {
            return Ok(Arc::clone(ctx));
        }
        let mut ctx = Context::default();
        for t in db::soundtracks::titles(db).await? {
            ctx.add_record_titles(&t.slug, &t.title, &t.film_title, &t.makers);
        }
        // The pictures there are: a `media:` name or feature with none is an
        // error here as in an import (an upload moves the version).
        ctx.set_media(db::media::hashes(db).await?.into_keys().collect());
        let ctx = Arc::new(ctx);
        if let Ok(mut kept) = self.kept.write()
            && kept.as_ref().is_none_or(|(v, _)| *v <= version)
        {
            *kept = Some((version, Arc::clone(&ctx)));
        }
        Ok(ctx)
    }
}

/// What the check of one article needs of what exists around it, in a
/// fixed number of queries however large the archive: every record's titles
/// and makers (a heading naming a film without its record, a paragraph
/// about another record's film or director, are flagged), the whole of the
/// records it uses or links, and which of the people, articles and tags it
/// links exist. Other articles are `except` the one being edited.
pub async fn context(state: &AppState, except: Option<i64>, path: &FsPath, text: &str) -> Result<Context> {
    let db = &state.db;
    let mut ctx = Context::clone(&*state.record_titles.get(db).await?);
    // Only what it links is read here: its HTML is made for its shape only.
    let Some(article) = crate::content::article::parse_with(path, text, Html::Shape).0 else {
        return Ok(ctx);
    };
    let mut wanted: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for r in article.rendered.references.iter().filter(|r| !r.slug.is_empty()) {
        wanted.entry("soundtracks").or_default().push(r.slug.clone());
    }
    for link in &article.rendered.links {
        let dest = link.dest.trim();
        if let Some(slug) = dest.strip_prefix("person:") {
            wanted.entry("people").or_default().push(slug.to_owned());
        } else if let Some(path) = dest.strip_prefix('/').filter(|p| !p.starts_with('/')) {
            let mut parts = path.split(['?', '#']).next().unwrap_or_default().split('/');
            if let (Some(kind), Some(slug)) = (parts.next(), parts.next().filter(|s| !s.is_empty())) {
                wanted.entry(kind).or_default().push(slug.to_owned());
            }
        }
    }
    for list in wanted.values_mut() {
        list.sort_unstable();
        list.dedup();
    }
    let want = |kind: &str| wanted.get(kind).map_or(&[][..], Vec::as_slice);
    for r in db::export::records_by_slugs(db, want("soundtracks")).await? {
        ctx.add_record(&r);
    }
    for slug in db::people::existing_slugs(db, want("people")).await? {
        ctx.add_person(&slug);
    }
    for slug in db::articles::existing_slugs(db, except, want("articles")).await? {
        ctx.add_article(&slug, &[]);
    }
    for slug in db::tags::used_slugs(db, except, want("tags")).await? {
        ctx.add_tag(&slug);
    }
    Ok(ctx)
}
