//! Readers' votes: `POST /articles/{slug}/votes/{record}` (is this rank too
//! high, right or too low), `POST /articles/{slug}/ranking` (the reader's
//! own order of the list), `POST /comments/{id}/helpful`, and
//! `GET /articles/{slug}/my-votes` (the reader's own votes, private JSON,
//! for `static/votes.js` to press their buttons).
//!
//! Every form works without JavaScript: the answer is a small private page
//! with the reader's vote and the totals, and a link back. With
//! `Accept: application/json` (what the script sends) the answer is JSON
//! and the page updates in place. A reader is a random id in the
//! `cuesheet_voter` cookie, set only by these answers; the database keeps
//! only its keyed hash. Votes never move the content clock: the shared
//! page shows totals as of its one-minute slot.

use std::collections::{BTreeMap, HashMap};

use actix_web::cookie::{Cookie, time::Duration};
use actix_web::http::StatusCode;
use actix_web::http::header::{ACCEPT, CACHE_CONTROL, RETRY_AFTER};
use actix_web::web::{Data, Path, Payload};
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use serde_json::json;

use super::AppState;
use super::articles;
use super::forms;
use super::view::{Meta, html_response};
use crate::comments::{Status, random_token};
use crate::db::{self, votes::EntryRef, votes::Limit, votes::Throttled, votes::Totals, votes::Voter};
use crate::error::{Error, Result};
use crate::votes::{self as borda, Standing, Verdict};

/// The voter's cookie. Not named like the owner cookie, which makes every
/// page personal: a voter gets the shared page like anyone.
pub const VOTER_COOKIE: &str = "cuesheet_voter";
/// A vote's form is a few fields; a ranking one per entry.
const MAX_BODY: usize = 16 * 1024;
const TOO_MANY: &str = "You are voting faster than anyone reads. Please wait a minute and vote again.";

/// The voter behind this request, and the cookie to set when they are new.
fn voter(req: &HttpRequest, state: &AppState) -> Result<(Voter, Option<Cookie<'static>>)> {
    let name = forms::cookie_name(req, VOTER_COOKIE);
    let known = req
        .cookie(&name)
        .map(|c| c.value().to_owned())
        .filter(|v| (32..=128).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_hexdigit()));
    let (token, cookie) = match known {
        Some(t) => (t, None),
        None => {
            let t = random_token().map_err(|e| Error::Internal(e.to_string()))?;
            let c = forms::cookie(req, VOTER_COOKIE, t.clone(), Some(Duration::days(365)));
            (t, Some(c))
        }
    };
    let hash = forms::sign(&state.secret, "voter", &token);
    let ip = forms::client_ip(req, &state.config);
    let now_ms = i64::try_from(
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_millis(),
    )
    .unwrap_or(i64::MAX);
    let voter = Voter {
        turns: vec![format!("vote:{hash}"), format!("vote-ip:{ip}")],
        hash,
        limit: Limit { per_minute: state.config.votes.votes_per_minute },
        now: db::now(),
        now_ms,
    };
    Ok((voter, cookie))
}

/// The voter's hash, when the request carries their cookie.
fn known_voter(req: &HttpRequest, state: &AppState) -> Option<String> {
    let c = req.cookie(&forms::cookie_name(req, VOTER_COOKIE))?;
    Some(forms::sign(&state.secret, "voter", c.value()))
}

fn wants_json(req: &HttpRequest) -> bool {
    req.headers().get(ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("application/json"))
}

/// A JSON answer: private, never stored.
fn json_response(status: StatusCode, value: &serde_json::Value, cookie: Option<Cookie<'static>>) -> HttpResponse {
    let mut res = HttpResponse::build(status);
    res.insert_header((CACHE_CONTROL, "private, no-store"));
    if let Some(c) = cookie {
        res.cookie(c);
    }
    res.json(value)
}

/// The answer to a vote, for a script or for a person.
fn answer(
    req: &HttpRequest,
    page: &VotedPage,
    value: serde_json::Value,
    cookie: Option<Cookie<'static>>,
) -> Result<HttpResponse> {
    if wants_json(req) {
        return Ok(json_response(StatusCode::OK, &value, cookie));
    }
    let mut res = html_response(StatusCode::OK, page, cookie)?;
    res.headers_mut().insert(CACHE_CONTROL, actix_web::http::header::HeaderValue::from_static("private, no-store"));
    Ok(res)
}

/// A vote refused as one too many: `429` with `Retry-After`.
fn too_many(req: &HttpRequest) -> Result<HttpResponse> {
    let mut res = if wants_json(req) {
        json_response(StatusCode::TOO_MANY_REQUESTS, &json!({ "error": TOO_MANY }), None)
    } else {
        let page = VotedPage {
            meta: Meta::new("Too many votes", TOO_MANY).noindex(),
            heading: "Too many votes".into(),
            said: TOO_MANY.into(),
            totals: String::new(),
            back: "/".into(),
            back_label: "Back to the home page".into(),
            helpful: None,
            marked: false,
        };
        let mut res = html_response(StatusCode::TOO_MANY_REQUESTS, &page, [])?;
        res.headers_mut().insert(CACHE_CONTROL, actix_web::http::header::HeaderValue::from_static("no-store"));
        res
    };
    res.headers_mut().insert(RETRY_AFTER, actix_web::http::header::HeaderValue::from_static("60"));
    Ok(res)
}

/// The page a vote sent without JavaScript answers with.
#[derive(Template)]
#[template(path = "votes/voted.html")]
pub struct VotedPage {
    pub meta: Meta,
    pub heading: String,
    /// What the reader said.
    pub said: String,
    /// The totals now, or when they will show.
    pub totals: String,
    pub back: String,
    pub back_label: String,
    /// For a helpful mark: the comment, to offer the opposite.
    pub helpful: Option<i64>,
    /// The mark stands.
    pub marked: bool,
}

/// "3 too high · 5 right · 1 too low".
pub fn totals_text(t: &Totals) -> String {
    format!("{} too high · {} right · {} too low", t.too_high, t.just_right, t.too_low)
}

/// The totals line as an entry shows it: empty until it has enough votes.
pub fn shown_totals(t: &Totals, after: i64) -> Option<String> {
    (t.votes() > 0 && t.votes() >= after).then(|| totals_text(t))
}

/// The ranked entries in their ranking groups (the list, or each section of
/// a guide), each group by the editors' rank.
pub fn groups(entries: &[EntryRef]) -> Vec<Vec<&EntryRef>> {
    let mut groups: Vec<Vec<&EntryRef>> = Vec::new();
    let mut last: Option<&Option<String>> = None;
    for e in entries.iter().filter(|e| e.rank.is_some()) {
        match groups.last_mut() {
            Some(g) if last == Some(&e.section) => g.push(e),
            _ => groups.push(vec![e]),
        }
        last = Some(&e.section);
    }
    for g in &mut groups {
        g.sort_by_key(|e| e.rank);
    }
    groups
}

/// The readers' rank of every ranked entry that ballots placed, by record slug.
pub fn readers_ranks(entries: &[EntryRef], totals: &HashMap<i64, Totals>) -> HashMap<String, u32> {
    let mut out = HashMap::new();
    for group in groups(entries) {
        let standings: Vec<Standing> = group
            .iter()
            .map(|e| {
                totals
                    .get(&e.soundtrack_id)
                    .map_or_else(Standing::default, |t| Standing { points: t.points, placed: t.placed })
            })
            .collect();
        for (e, rank) in group.iter().zip(borda::readers_ranks(&standings)) {
            if let Some(r) = rank {
                out.insert(e.slug.clone(), r);
            }
        }
    }
    out
}

/// Is this rank too high, right or too low?
pub async fn rank(
    req: HttpRequest,
    state: Data<AppState>,
    path: Path<(String, String)>,
    payload: Payload,
) -> Result<HttpResponse> {
    let (slug, record) = path.into_inner();
    let article = articles::published_ref(&state, &slug).await?;
    let mut posted = forms::read_form(&req, payload, MAX_BODY, None).await?;
    let verdict: Verdict = posted
        .take("verdict")
        .parse()
        .map_err(|_| Error::Unprocessable("Choose “Too high”, “Right” or “Too low”.".into(), String::new()))?;
    let entries = db::votes::entries(&state.db, article.id).await?;
    let entry = entries.iter().find(|e| e.slug == record && e.rank.is_some()).ok_or(Error::NotFound)?;
    let (voter, cookie) = voter(&req, &state)?;
    let totals = match db::votes::vote_rank(&state.db, &voter, article.id, entry.soundtrack_id, verdict).await? {
        Ok(t) => t,
        Err(Throttled) => return too_many(&req),
    };
    let after = state.config.votes.vote_totals_after;
    let shown = shown_totals(&totals, after);
    let rank = entry.rank.unwrap_or_default();
    let said = format!("You said No. {rank}, {}, is ranked {}.", entry.heading, verdict.label().to_lowercase());
    let page = VotedPage {
        meta: Meta::new("Your vote", &said).noindex(),
        heading: "Your vote".into(),
        said,
        totals: shown
            .clone()
            .unwrap_or_else(|| format!("Readers’ totals show once {after} readers have voted on an entry.")),
        back: format!("/articles/{}#{}", article.slug, entry.anchor),
        back_label: format!("Back to No. {rank}, {}", entry.heading),
        helpful: None,
        marked: false,
    };
    let value = json!({
        "verdict": verdict.as_str(),
        "too_high": totals.too_high,
        "right": totals.just_right,
        "too_low": totals.too_low,
        "votes": totals.votes(),
        "shown": shown.is_some(),
        "text": shown.unwrap_or_default(),
    });
    answer(&req, &page, value, cookie)
}

/// The reader's own order of a ranked list: `place-{record}` numbers, one
/// per entry (a script fills them in as entries are dragged). Within each
/// ranking group, entries are ordered by their number, equal numbers by
/// the editors' rank; an entry left out (one added since the page was
/// loaded) is simply not placed.
pub async fn ballot(
    req: HttpRequest,
    state: Data<AppState>,
    slug: Path<String>,
    payload: Payload,
) -> Result<HttpResponse> {
    let article = articles::published_ref(&state, &slug).await?;
    let posted = forms::read_form(&req, payload, MAX_BODY, None).await?;
    let entries = db::votes::entries(&state.db, article.id).await?;
    let places: BTreeMap<&str, &str> =
        posted.fields.iter().filter_map(|(k, v)| Some((k.strip_prefix("place-")?, v.as_str()))).collect();
    let mut points = Vec::new();
    for group in groups(&entries) {
        let n = group.len();
        let mut placed: Vec<(usize, i64, i64)> = Vec::new();
        for e in &group {
            let Some(text) = places.get(e.slug.as_str()) else { continue };
            let place = text.trim().parse::<usize>().ok().filter(|p| (1..=n).contains(p)).ok_or_else(|| {
                Error::Unprocessable(format!("Give “{}” a place from 1 to {n}.", e.heading), String::new())
            })?;
            placed.push((place, e.rank.unwrap_or_default(), e.soundtrack_id));
        }
        placed.sort_unstable();
        let order: Vec<i64> = placed.into_iter().map(|(_, _, id)| id).collect();
        points.extend(borda::borda(&order));
    }
    if points.is_empty() {
        return Err(Error::Unprocessable("Number the entries in the order you would rank them.".into(), String::new()));
    }
    let (voter, cookie) = voter(&req, &state)?;
    let ballots = match db::votes::cast_ballot(&state.db, &voter, article.id, &points).await? {
        Ok(n) => n,
        Err(Throttled) => return too_many(&req),
    };
    let after = state.config.votes.readers_ranking_after;
    let shown = ballots >= after;
    let totals = if shown {
        format!(
            "{ballots} readers have ranked this list; the readers’ ranking shows beside each entry within a minute."
        )
    } else {
        format!("{ballots} of the {after} rankings the readers’ ranking needs so far.")
    };
    let page = VotedPage {
        meta: Meta::new("Your ranking", "Your ranking of the list was counted.").noindex(),
        heading: "Your ranking".into(),
        said: "Your ranking of the list was counted. Send it again to change it.".into(),
        totals: totals.clone(),
        back: format!("/articles/{}#ranking", article.slug),
        back_label: "Back to the list".into(),
        helpful: None,
        marked: false,
    };
    answer(&req, &page, json!({ "ballots": ballots, "shown": shown, "text": totals }), cookie)
}

/// A "helpful" mark on a comment (`helpful=1`), or taking it back (`0`).
pub async fn helpful(req: HttpRequest, state: Data<AppState>, id: Path<i64>, payload: Payload) -> Result<HttpResponse> {
    let mut posted = forms::read_form(&req, payload, MAX_BODY, None).await?;
    let mark = posted.take("helpful") != "0";
    let comment = db::comments::by_id(&state.db, *id).await?.filter(|c| c.status == Status::Approved);
    let comment = comment.ok_or(Error::NotFound)?;
    let slug = articles::slug_of(&state, comment.article_id).await?;
    articles::published_ref(&state, &slug).await?;
    let (voter, cookie) = voter(&req, &state)?;
    let count = match db::votes::mark_helpful(&state.db, &voter, comment.id, mark).await? {
        Ok(n) => n,
        Err(Throttled) => return too_many(&req),
    };
    let said = if mark {
        format!("You marked {}’s comment helpful.", comment.author)
    } else {
        format!("You took back your helpful mark on {}’s comment.", comment.author)
    };
    let page = VotedPage {
        meta: Meta::new("Helpful", &said).noindex(),
        heading: "Helpful".into(),
        said,
        totals: helpful_text(count),
        back: format!("/articles/{slug}#comment-{}", comment.id),
        back_label: "Back to the comment".into(),
        helpful: Some(comment.id),
        marked: mark,
    };
    answer(&req, &page, json!({ "helpful": mark, "count": count, "text": helpful_text(count) }), cookie)
}

/// "1 reader found this helpful".
pub fn helpful_text(n: i64) -> String {
    match n {
        0 => "No reader has marked this helpful yet.".into(),
        1 => "1 reader found this helpful.".into(),
        n => format!("{n} readers found this helpful."),
    }
}

/// The reader's own votes on an article, for the script: never cached, and
/// empty (without a cookie set) for someone who never voted.
pub async fn mine(req: HttpRequest, state: Data<AppState>, slug: Path<String>) -> Result<HttpResponse> {
    let article = articles::published_ref(&state, &slug).await?;
    let Some(hash) = known_voter(&req, &state) else {
        return Ok(json_response(StatusCode::OK, &json!({ "verdicts": {}, "ranking": [], "helpful": [] }), None));
    };
    let (mine, entries) =
        tokio::join!(db::votes::mine(&state.db, &hash, article.id), db::votes::entries(&state.db, article.id));
    let (mine, entries) = (mine?, entries?);
    let verdicts: serde_json::Map<String, serde_json::Value> =
        mine.verdicts.into_iter().map(|(slug, v)| (slug, serde_json::Value::String(v))).collect();
    // The ballot's order, best first, as record slugs.
    let mut ranking = mine.ballot;
    ranking.sort_by_key(|&(_, p)| std::cmp::Reverse(p));
    let ranking: Vec<&str> = ranking
        .iter()
        .filter_map(|(id, _)| entries.iter().find(|e| e.soundtrack_id == *id).map(|e| e.slug.as_str()))
        .collect();
    Ok(json_response(
        StatusCode::OK,
        &json!({ "verdicts": verdicts, "ranking": ranking, "helpful": mine.helpful }),
        None,
    ))
}
