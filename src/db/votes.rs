//! Readers' votes: verdicts on ranks, ballots (readers' own rankings) and
//! helpful marks on comments. One row per vote; the totals pages show
//! (`entry_votes`, `ballot_counts`, `comments.helpful`) move in the same
//! transaction as the vote, a changed vote taking its old contribution
//! back, so no page ever counts votes. Votes never move the content clock:
//! pages show totals as of their one-minute time slot.
//!
//! Each vote also takes a turn from the `throttle` table for the voter and
//! for the client address, so the limits hold across every app node.

use std::collections::HashMap;

use sqlx::{Any, Transaction};

use super::{Db, Result};
use crate::votes::{self, Verdict};

/// An entry of a list as a vote names it: by its record, which outlives
/// the entry rows an article's save rewrites.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntryRef {
    pub soundtrack_id: i64,
    pub slug: String,
    pub rank: Option<i64>,
    pub section: Option<String>,
    pub anchor: String,
    pub heading: String,
}

const ENTRIES: &str = "
select e.soundtrack_id, s.slug, e.rank, e.section, e.anchor, e.heading
from entries e join soundtracks s on s.id = e.soundtrack_id
where e.article_id = $1 order by e.position";

/// Every entry of an article, in document order.
pub async fn entries(db: &Db, article_id: i64) -> Result<Vec<EntryRef>> {
    sqlx::query_as(ENTRIES).bind(article_id).fetch_all(&db.pool).await
}

/// An entry's totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Totals {
    pub soundtrack_id: i64,
    pub too_high: i64,
    pub just_right: i64,
    pub too_low: i64,
    pub points: i64,
    pub placed: i64,
}

impl Totals {
    pub fn votes(&self) -> i64 {
        self.too_high + self.just_right + self.too_low
    }
}

const TOTALS: &str = "
select soundtrack_id, too_high, just_right, too_low, points, placed from entry_votes where article_id = $1";
const BALLOT_COUNT: &str = "select ballots from ballot_counts where article_id = $1";

/// The totals of every entry of an article that has any, by record id.
pub async fn totals(db: &Db, article_id: i64) -> Result<HashMap<i64, Totals>> {
    let rows: Vec<Totals> = sqlx::query_as(TOTALS).bind(article_id).fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(|t| (t.soundtrack_id, t)).collect())
}

/// How many readers have ranked an article.
pub async fn ballot_count(db: &Db, article_id: i64) -> Result<i64> {
    let n = sqlx::query_scalar(BALLOT_COUNT).bind(article_id).fetch_optional(&db.pool).await?;
    Ok(n.unwrap_or(0))
}

/// How often one voter and one address may vote: `per_minute` votes, in a
/// burst or spread out (a token bucket refilled continuously).
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub per_minute: i64,
}

/// A generic cell rate: `until` (milliseconds here) is when the bucket is
/// empty again; each vote pushes it on by one vote's share of a minute, and
/// a vote that would push it more than a minute past now is refused.
const TURN: &str = "
insert into throttle (key, until) values ($1, $2 + $3)
on conflict (key) do update
    set until = (case when throttle.until < $2 then $2 else throttle.until end) + $3
    where (case when throttle.until < $2 then $2 else throttle.until end) + $3 <= $2 + 60000
returning until";

/// Takes one turn for every key, or none: `false` when any key has used its
/// minute's votes (the caller then drops the transaction).
async fn take_turns(tx: &mut Transaction<'static, Any>, keys: &[String], limit: Limit, now_ms: i64) -> Result<bool> {
    if limit.per_minute <= 0 {
        return Ok(true);
    }
    let cost = (60_000 / limit.per_minute).max(1);
    for key in keys {
        let row: Option<i64> =
            sqlx::query_scalar(TURN).bind(key).bind(now_ms).bind(cost).fetch_optional(&mut **tx).await?;
        if row.is_none() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Who votes: the keyed hash of their cookie's id, and the throttle keys of
/// them and their address.
#[derive(Debug, Clone)]
pub struct Voter {
    pub hash: String,
    pub turns: Vec<String>,
    pub limit: Limit,
    /// Unix seconds.
    pub now: i64,
    pub now_ms: i64,
}

/// A vote refused for being one too many.
pub struct Throttled;

const ENSURE_ENTRY: &str = "insert into entry_votes (article_id, soundtrack_id) values ($1, $2) on conflict (article_id, soundtrack_id) do nothing";
// A write that changes nothing, for its row lock: votes on one entry take
// turns (SQLite's single writer does this by itself).
const LOCK_ENTRY: &str = "update entry_votes set points = points where article_id = $1 and soundtrack_id = $2";
const OLD_VERDICT: &str = "select verdict from rank_votes where article_id = $1 and soundtrack_id = $2 and voter = $3";
const PUT_VERDICT: &str = "
insert into rank_votes (article_id, soundtrack_id, voter, verdict, voted_at) values ($1, $2, $3, $4, $5)
on conflict (article_id, soundtrack_id, voter) do update set verdict = excluded.verdict, voted_at = excluded.voted_at";
const ADD_VERDICTS: &str = "
update entry_votes set too_high = too_high + $3, just_right = just_right + $4, too_low = too_low + $5
where article_id = $1 and soundtrack_id = $2";
const ONE_TOTAL: &str = "
select soundtrack_id, too_high, just_right, too_low, points, placed from entry_votes
where article_id = $1 and soundtrack_id = $2";

fn deltas(v: Verdict, by: i64) -> [i64; 3] {
    match v {
        Verdict::TooHigh => [by, 0, 0],
        Verdict::Right => [0, by, 0],
        Verdict::TooLow => [0, 0, by],
    }
}

/// Records (or changes) a voter's verdict on an entry's rank, and answers
/// the entry's totals after it.
pub async fn vote_rank(
    db: &Db,
    voter: &Voter,
    article_id: i64,
    soundtrack_id: i64,
    verdict: Verdict,
) -> Result<Result<Totals, Throttled>> {
    let mut tx = db.begin_write().await?;
    if !take_turns(&mut tx, &voter.turns, voter.limit, voter.now_ms).await? {
        return Ok(Err(Throttled));
    }
    sqlx::query(ENSURE_ENTRY).bind(article_id).bind(soundtrack_id).execute(&mut *tx).await?;
    sqlx::query(LOCK_ENTRY).bind(article_id).bind(soundtrack_id).execute(&mut *tx).await?;
    let old: Option<String> = sqlx::query_scalar(OLD_VERDICT)
        .bind(article_id)
        .bind(soundtrack_id)
        .bind(&voter.hash)
        .fetch_optional(&mut *tx)
        .await?;
    let old = old.and_then(|o| o.parse::<Verdict>().ok());
    if old != Some(verdict) {
        sqlx::query(PUT_VERDICT)
            .bind(article_id)
            .bind(soundtrack_id)
            .bind(&voter.hash)
            .bind(verdict.as_str())
            .bind(voter.now)
            .execute(&mut *tx)
            .await?;
        let mut d = deltas(verdict, 1);
        if let Some(o) = old {
            for (x, y) in d.iter_mut().zip(deltas(o, -1)) {
                *x += y;
            }
        }
        sqlx::query(ADD_VERDICTS)
            .bind(article_id)
            .bind(soundtrack_id)
            .bind(d[0])
            .bind(d[1])
            .bind(d[2])
            .execute(&mut *tx)
            .await?;
    }
    let totals = sqlx::query_as(ONE_TOTAL).bind(article_id).bind(soundtrack_id).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(Ok(totals))
}

const ENSURE_COUNT: &str =
    "insert into ballot_counts (article_id, ballots) values ($1, 0) on conflict (article_id) do nothing";
const LOCK_COUNT: &str = "update ballot_counts set ballots = ballots where article_id = $1";
const OLD_BALLOT: &str = "select points from ballots where article_id = $1 and voter = $2";
const PUT_BALLOT: &str = "
insert into ballots (article_id, voter, points, cast_at) values ($1, $2, $3, $4)
on conflict (article_id, voter) do update set points = excluded.points, cast_at = excluded.cast_at";
const ADD_POINTS: &str = "
update entry_votes set points = points + $3, placed = placed + $4 where article_id = $1 and soundtrack_id = $2";
const COUNT_BALLOT: &str = "update ballot_counts set ballots = ballots + 1 where article_id = $1 returning ballots";
const BALLOTS: &str = "select ballots from ballot_counts where article_id = $1";

/// Records (or replaces) a voter's ranking of an article: `points` from
/// [`votes::borda`] for each group. Answers how many readers have ranked it.
pub async fn cast_ballot(
    db: &Db,
    voter: &Voter,
    article_id: i64,
    points: &[(i64, i64)],
) -> Result<Result<i64, Throttled>> {
    let mut tx = db.begin_write().await?;
    if !take_turns(&mut tx, &voter.turns, voter.limit, voter.now_ms).await? {
        return Ok(Err(Throttled));
    }
    sqlx::query(ENSURE_COUNT).bind(article_id).execute(&mut *tx).await?;
    sqlx::query(LOCK_COUNT).bind(article_id).execute(&mut *tx).await?;
    let old: Option<String> =
        sqlx::query_scalar(OLD_BALLOT).bind(article_id).bind(&voter.hash).fetch_optional(&mut *tx).await?;
    if let Some(old) = &old {
        for (id, p) in votes::decode(old) {
            sqlx::query(ADD_POINTS).bind(article_id).bind(id).bind(-p).bind(-1_i64).execute(&mut *tx).await?;
        }
    }
    for &(id, p) in points {
        sqlx::query(ENSURE_ENTRY).bind(article_id).bind(id).execute(&mut *tx).await?;
        sqlx::query(ADD_POINTS).bind(article_id).bind(id).bind(p).bind(1_i64).execute(&mut *tx).await?;
    }
    sqlx::query(PUT_BALLOT)
        .bind(article_id)
        .bind(&voter.hash)
        .bind(votes::encode(points))
        .bind(voter.now)
        .execute(&mut *tx)
        .await?;
    let ballots: i64 = if old.is_none() {
        sqlx::query_scalar(COUNT_BALLOT).bind(article_id).fetch_one(&mut *tx).await?
    } else {
        sqlx::query_scalar(BALLOTS).bind(article_id).fetch_one(&mut *tx).await?
    };
    tx.commit().await?;
    Ok(Ok(ballots))
}

const MARK: &str = "
insert into comment_votes (comment_id, voter, voted_at) values ($1, $2, $3)
on conflict (comment_id, voter) do nothing";
const UNMARK: &str = "delete from comment_votes where comment_id = $1 and voter = $2";
const ADD_HELPFUL: &str = "update comments set helpful = helpful + $2 where id = $1";
const HELPFUL: &str = "select helpful from comments where id = $1";

/// Marks a comment helpful (or takes the mark back); answers its count.
/// The insert or delete of the voter's row decides whether the count moves,
/// so a mark twice counts once.
pub async fn mark_helpful(db: &Db, voter: &Voter, comment_id: i64, helpful: bool) -> Result<Result<i64, Throttled>> {
    let mut tx = db.begin_write().await?;
    if !take_turns(&mut tx, &voter.turns, voter.limit, voter.now_ms).await? {
        return Ok(Err(Throttled));
    }
    let changed = if helpful {
        sqlx::query(MARK).bind(comment_id).bind(&voter.hash).bind(voter.now).execute(&mut *tx).await?
    } else {
        sqlx::query(UNMARK).bind(comment_id).bind(&voter.hash).execute(&mut *tx).await?
    }
    .rows_affected();
    if changed > 0 {
        let by: i64 = if helpful { 1 } else { -1 };
        sqlx::query(ADD_HELPFUL).bind(comment_id).bind(by).execute(&mut *tx).await?;
    }
    let count = sqlx::query_scalar(HELPFUL).bind(comment_id).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    Ok(Ok(count))
}

/// What one voter has said on one article.
#[derive(Debug, Clone, Default)]
pub struct Mine {
    /// `(record slug, verdict)`.
    pub verdicts: Vec<(String, String)>,
    /// Record ids with the points their ballot gave.
    pub ballot: Vec<(i64, i64)>,
    /// Comments they marked helpful.
    pub helpful: Vec<i64>,
}

const MY_VERDICTS: &str = "
select s.slug, v.verdict from rank_votes v join soundtracks s on s.id = v.soundtrack_id
where v.article_id = $1 and v.voter = $2";
const MY_HELPFUL: &str = "
select v.comment_id from comment_votes v join comments c on c.id = v.comment_id
where c.article_id = $1 and v.voter = $2 order by v.comment_id";

pub async fn mine(db: &Db, voter: &str, article_id: i64) -> Result<Mine> {
    let verdicts = sqlx::query_as(MY_VERDICTS).bind(article_id).bind(voter).fetch_all(&db.pool).await?;
    let ballot: Option<String> =
        sqlx::query_scalar(OLD_BALLOT).bind(article_id).bind(voter).fetch_optional(&db.pool).await?;
    let helpful = sqlx::query_scalar(MY_HELPFUL).bind(article_id).bind(voter).fetch_all(&db.pool).await?;
    Ok(Mine { verdicts, ballot: ballot.as_deref().map(votes::decode).unwrap_or_default(), helpful })
}

const RESET_VOTES: &str = "delete from rank_votes where article_id = $1 and soundtrack_id = $2";
const RESET_TOTALS: &str =
    "update entry_votes set too_high = 0, just_right = 0, too_low = 0 where article_id = $1 and soundtrack_id = $2";

/// The desk's reset: an entry's verdicts go, with their totals. Ballots
/// stay: each ranks the whole list, and taking one entry out of them would
/// leave the rest inconsistent.
pub async fn reset_entry(db: &Db, article_id: i64, soundtrack_id: i64) -> Result<u64> {
    let mut tx = db.begin_write().await?;
    let gone = sqlx::query(RESET_VOTES).bind(article_id).bind(soundtrack_id).execute(&mut *tx).await?.rows_affected();
    sqlx::query(RESET_TOTALS).bind(article_id).bind(soundtrack_id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(gone)
}

const TITLE: &str = "select title, slug from articles where id = $1";

/// An article's title and slug, for the desk's votes page.
pub async fn title(db: &Db, article_id: i64) -> Result<Option<(String, String)>> {
    sqlx::query_as(TITLE).bind(article_id).fetch_optional(&db.pool).await
}
