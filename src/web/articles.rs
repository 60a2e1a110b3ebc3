//! `/` (latest lists) and `/articles/{slug}` (one list, its comments and the
//! reply form).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::web::{Data, Path, Query};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use askama_web::WebTemplate;
use serde::Deserialize;

use super::AppState;
use super::comments::{self, CommentView, FormView, OwnedHashes, ThreadOrder, Viewer, thread};
use super::paging::{PageQuery, Pager};
use super::structured;
use super::view::{CardView, Date, Meta, count, html_response};
use super::{caching, forms, votes};
use crate::content::markdown::{Block, Document, ListOrder, ListStyle, TocItem};
use crate::db;
use crate::db::redirects::Kind;
use crate::error::{Error, Result};
use crate::media;

/// An article in a listing.
pub struct SummaryView {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub author: String,
    pub date: Date,
    pub entries: String,
    pub comments: String,
}

impl From<db::articles::Summary> for SummaryView {
    fn from(s: db::articles::Summary) -> Self {
        let entries = match s.list_style {
            ListStyle::None => String::new(),
            _ => count(s.entry_count, "entry", "entries"),
        };
        SummaryView {
            slug: s.slug,
            title: s.title,
            description: s.description,
            author: s.author,
            date: Date::from_unix(s.published_at),
            entries,
            comments: count(s.comment_count, "comment", "comments"),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "articles/index.html")]
pub struct HomePage {
    pub meta: Meta,
    pub articles: Vec<SummaryView>,
    pub pager: Pager,
}

pub async fn home(state: Data<AppState>, query: Query<PageQuery>) -> Result<HomePage> {
    let window = query.window(db::articles::PAGE_SIZE)?;
    let page = db::articles::latest(&state.db, db::now(), None, window).await?;
    let pager = Pager::new("/", &page)?;
    Ok(HomePage {
        meta: Meta::new(
            "Lists about music in film",
            "Soundtrack lists and guides: the scores and songs that carry their films.",
        )
        .paged(state.base(), "/", &pager),
        articles: page.items.into_iter().map(SummaryView::from).collect(),
        pager,
    })
}

/// A block of the article, joined to its record card.
pub enum Part {
    Prose {
        html: String,
    },
    Section {
        level: u8,
        id: String,
        html: String,
    },
    Entry {
        level: u8,
        id: String,
        html: String,
        body: String,
        rank: Option<u32>,
        card: Option<Box<CardView>>,
        /// The record's slug.
        record: String,
        /// A ranked entry's votes, on the public page.
        votes: Option<Box<EntryVotes>>,
    },
}

/// What a ranked entry shows of its readers' votes.
pub struct EntryVotes {
    /// The entry's heading as text, for the buttons' labels.
    pub title: String,
    /// "3 too high · 5 right · 1 too low", once it has enough votes.
    pub totals: Option<String>,
    /// Its place in the readers' ranking, once the list has enough ballots.
    pub readers_rank: Option<u32>,
}

/// The form a reader ranks the list with: one number per entry, by group.
pub struct BallotView {
    pub groups: Vec<BallotGroup>,
    /// Readers who have ranked the list.
    pub ballots: i64,
    /// The readers' ranking shows.
    pub shown: bool,
}

pub struct BallotGroup {
    /// The section's name in a guide.
    pub section: Option<String>,
    /// `(record slug, heading, editors' rank)`, by rank.
    pub entries: Vec<(String, String, i64)>,
}

pub struct TagLink {
    pub slug: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "articles/show.html")]
pub struct ArticlePage {
    pub meta: Meta,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub author: String,
    pub published: Date,
    pub updated: Option<Date>,
    pub ranked: bool,
    pub entry_count: usize,
    pub toc: Vec<TocItem>,
    /// The feature picture's `<picture>`, above the text.
    pub feature: Option<String>,
    pub parts: Vec<Part>,
    pub tags: Vec<TagLink>,
    /// `(anchor, heading)` of each entry, for the form's "about" choice.
    pub entries: Vec<(String, String)>,
    pub comments: Vec<CommentView>,
    pub comment_count: usize,
    pub form: FormView,
    /// Entries link to the comment form.
    pub discuss: bool,
    /// The reader's choice of comment order.
    pub order: ThreadOrder,
    /// The ranking form, on a ranked list.
    pub ballot: Option<BallotView>,
    /// `(url, title, standfirst)` of lists sharing records or tags.
    pub related: Vec<(String, String, String)>,
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    /// Reply to this comment (WordPress's name for it).
    pub replytocom: Option<String>,
    /// Discuss this entry.
    pub entry: Option<String>,
    /// The comments' order: `oldest` (the default), `newest` or `helpful`.
    pub order: Option<String>,
}

/// A published article; a renamed one's old address moves (301) to its
/// new one; anything else is a 404.
pub async fn load(req: &HttpRequest, state: &AppState, slug: &str) -> Result<db::articles::Article> {
    match db::articles::published(&state.db, slug, db::now()).await? {
        Some(article) => Ok(article),
        None => Err(super::redirects::miss(req, state, Kind::Article, slug).await?),
    }
}

/// A published article's id and slug, 404 when there is none: what a write
/// to it needs, without its rendered body.
pub async fn published_ref(state: &AppState, slug: &str) -> Result<db::articles::ArticleRef> {
    db::articles::published_ref(&state.db, slug, db::now()).await?.ok_or(Error::NotFound)
}

/// The slug of an article by id.
pub async fn slug_of(state: &AppState, id: i64) -> Result<String> {
    db::articles::slug(&state.db, id).await?.ok_or(Error::NotFound)
}

/// An article page. Everybody gets the same bytes within a minute's time
/// slot (no token, no cookie, `public` with an ETag), except a commenter
/// whose comment here is held or still editable: they get their own view,
/// `private, no-cache`.
pub async fn show(
    req: HttpRequest,
    state: Data<AppState>,
    slug: Path<String>,
    query: Query<ShowQuery>,
) -> Result<HttpResponse> {
    let order = match query.order.as_deref().filter(|o| !o.is_empty()) {
        None => ThreadOrder::default(),
        Some(o) => o.parse().map_err(|e: crate::text_enum::UnknownValue| Error::BadRequest(e.to_string()))?,
    };
    let article = load(&req, &state, &slug).await?;
    let mut form = FormView::fresh(forms::slot_stamp(&state.secret, db::now()), state.db.mail_on());
    form.parent = query.replytocom.clone().unwrap_or_default();
    form.entry = query.entry.clone().unwrap_or_default();
    match comments::personal_view(&req, &state, article.id).await? {
        Viewer::Owner(owned) => {
            let page = build(&state, &owned, article, form, order).await?;
            html_response(StatusCode::OK, &page, []).map(caching::private)
        }
        Viewer::Expired => {
            let page = build(&state, &OwnedHashes::new(), article, form, order).await?;
            html_response(StatusCode::OK, &page, [forms::forget_owner(&req)])
        }
        Viewer::Shared => {
            let page = build(&state, &OwnedHashes::new(), article, form, order).await?;
            html_response(StatusCode::OK, &page, [])
        }
    }
}

/// The blocks of a rendered article joined to their record cards and its
/// `media:` pictures, and the number of entries. The public page and the
/// desk's preview both use it.
pub fn parts(
    blocks: Vec<Block>,
    cards: &HashMap<&str, &db::soundtracks::Card>,
    pictures: &media::Pictures,
) -> (Vec<Part>, usize) {
    let mut entry_count = 0;
    let parts = blocks
        .into_iter()
        .map(|b| match b {
            Block::Prose { html } => Part::Prose { html: media::expand(&html, pictures) },
            Block::Section { level, id, html } => Part::Section { level, id, html },
            Block::Entry { level, id, html, body, soundtrack, rank, .. } => {
                entry_count += 1;
                let card = cards.get(soundtrack.as_str()).map(|c| Box::new(CardView::from(*c)));
                let body = media::expand(&body, pictures);
                Part::Entry { level, id, html, body, rank, card, record: soundtrack, votes: None }
            }
        })
        .collect();
    (parts, entry_count)
}

/// The pictures an article shows: those its text names, and its feature
/// picture (one query).
pub async fn pictures_of(state: &AppState, blocks: &[Block], feature: Option<&str>) -> Result<media::Pictures> {
    let mut names: Vec<String> = feature.map(str::to_owned).into_iter().collect();
    for b in blocks {
        match b {
            Block::Prose { html } | Block::Entry { body: html, .. } => media::names_in(html, &mut names),
            Block::Section { .. } => {}
        }
    }
    if names.is_empty() {
        return Ok(media::Pictures::new());
    }
    names.sort();
    names.dedup();
    Ok(db::media::by_names(&state.db, &names).await?)
}

/// The feature picture's element: first on the page, so never lazy.
pub fn feature_html(pictures: &media::Pictures, name: Option<&str>, alt: Option<&str>) -> Option<String> {
    let picture = pictures.get(name?)?;
    Some(picture.html(alt.unwrap_or_default(), media::Slot::Column, false))
}

/// The article page with this form in it, showing the held and editable
/// comments of `owned` (empty: the page every visitor shares).
pub async fn build(
    state: &AppState,
    owned: &OwnedHashes,
    article: db::articles::Article,
    mut form: FormView,
    order: ThreadOrder,
) -> Result<ArticlePage> {
    let db = &state.db;
    let document: Document = serde_json::from_str(&article.rendered)?;
    let now = db::now();
    let (cards, tags, entries, rows, also_in, related) = tokio::join!(
        db::soundtracks::cards_of_article(db, article.id),
        db::tags::of_article(db, article.id),
        db::articles::entries(db, article.id),
        db::comments::thread(db, article.id),
        db::articles::also_in(db, article.id, now),
        db::articles::related(db, article.id, now),
    );
    let (cards, tags, entries, rows, also_in, related) = (cards?, tags?, entries?, rows?, also_in?, related?);
    let rows = comments::ordered(rows, order);
    let ranked = article.list_style == ListStyle::Ranked;
    let (vote_entries, vote_totals, ballots) = if ranked {
        let (e, t, b) = tokio::join!(
            db::votes::entries(db, article.id),
            db::votes::totals(db, article.id),
            db::votes::ballot_count(db, article.id),
        );
        (e?, t?, b?)
    } else {
        Default::default()
    };
    let faq = structured::faq(&document.blocks);
    let cards: HashMap<&str, &db::soundtracks::Card> =
        cards.values().map(|c| (c.soundtrack.slug.as_str(), c)).collect();
    let comments = thread(owned, &rows, &entries, now);
    let comment_count = comments.iter().filter(|c| !c.removed && !c.pending).count();
    // A reply form names whom it answers; an unknown parent is dropped.
    let parent = form.parent.trim().parse::<i64>().ok();
    form.replying_to = parent.and_then(|p| comments.iter().find(|c| c.id == p && !c.removed)).map(|c| c.author.clone());
    if form.replying_to.is_none() && form.errors.is_empty() && form.notice.is_none() {
        form.parent.clear();
    }
    if !entries.iter().any(|(a, _)| *a == form.entry) {
        form.entry.clear();
    }
    let pictures = pictures_of(state, &document.blocks, article.feature.as_deref()).await?;
    let feature = feature_html(&pictures, article.feature.as_deref(), article.feature_alt.as_deref());
    let (mut parts, entry_count) = parts(document.blocks, &cards, &pictures);
    let shown = ballots > 0 && ballots >= state.config.votes.readers_ranking_after;
    let readers = if shown { votes::readers_ranks(&vote_entries, &vote_totals) } else { HashMap::new() };
    for part in &mut parts {
        if let Part::Entry { card: Some(card), .. } = part {
            card.also_in = also_in
                .iter()
                .filter(|a| a.soundtrack_slug == card.slug)
                .map(|a| (format!("/articles/{}#{}", a.article_slug, a.anchor), a.article_title.clone()))
                .collect();
        }
        if let Part::Entry { rank: Some(_), record, votes: slot, .. } = part
            && let Some(e) = vote_entries.iter().find(|e| e.slug == *record)
        {
            let totals = vote_totals.get(&e.soundtrack_id).copied().unwrap_or_default();
            *slot = Some(Box::new(EntryVotes {
                title: e.heading.clone(),
                totals: votes::shown_totals(&totals, state.config.votes.vote_totals_after),
                readers_rank: readers.get(record.as_str()).copied(),
            }));
        }
    }
    let ballot = ranked.then(|| BallotView {
        groups: votes::groups(&vote_entries)
            .into_iter()
            .map(|g| BallotGroup {
                section: g.first().and_then(|e| e.section.clone()),
                entries: g.iter().map(|e| (e.slug.clone(), e.heading.clone(), e.rank.unwrap_or_default())).collect(),
            })
            .collect(),
        ballots,
        shown,
    });
    let list_entries = parts
        .iter()
        .filter_map(|p| match p {
            Part::Entry { id, card, .. } => Some(structured::ListEntry {
                anchor: id,
                heading: entries.iter().find(|(a, _)| a == id).map_or("", |(_, h)| h.as_str()),
                card: card.as_deref(),
            }),
            _ => None,
        })
        .collect();
    let ld = structured::article(
        state.base(),
        &structured::ArticleData {
            slug: &article.slug,
            title: &article.title,
            description: &article.description,
            author: &article.author,
            published: article.published_at,
            modified: article.updated_at.unwrap_or(article.published_at),
            list_style: article.list_style,
            countdown: article.list_order == ListOrder::Countdown,
            entries: list_entries,
            faq,
        },
    );
    let meta = Meta::new(&article.title, &article.description)
        .at(state.base(), &format!("/articles/{}", article.slug))
        .article()
        .image(
            super::cards::article_card_url(state.base(), &article.slug),
            match article.list_style {
                ListStyle::Ranked => format!("{}: the list's top entries, with their sleeves", article.title),
                ListStyle::Unranked => format!("{}: the list's first entries, with their sleeves", article.title),
                ListStyle::None => article.title.clone(),
            },
        )
        .json_ld(&ld);
    Ok(ArticlePage {
        meta,
        slug: article.slug,
        title: article.title,
        description: article.description,
        author: article.author,
        published: Date::from_unix(article.published_at),
        updated: article.updated_at.filter(|&u| u > article.published_at).map(Date::from_unix),
        ranked,
        entry_count,
        toc: if article.toc == 1 { document.toc } else { Vec::new() },
        feature,
        parts,
        tags: tags.into_iter().map(|t| TagLink { slug: t.slug, name: t.name }).collect(),
        entries,
        comments,
        comment_count,
        form,
        discuss: true,
        order,
        ballot: ballot.filter(|b| b.groups.iter().any(|g| g.entries.len() > 1)),
        related: related.into_iter().map(|r| (format!("/articles/{}", r.slug), r.title, r.description)).collect(),
    })
}
