-- Readers' votes: agreement with an entry's rank, readers' own rankings
-- (ballots) and "helpful" marks on comments. Anonymous: a voter is a keyed
-- hash of the random id in their cookie. One row per vote; beside them,
-- totals kept up to date in the same transaction as each vote, so a page
-- reads one row per entry and never counts.
-- Rank votes and ballots are keyed by article and record, never by entry:
-- entry rows are rewritten on every save of an article.
-- Kept in step with migrations/sqlite/0016_votes.sql.

create table rank_votes (
    article_id bigint not null references articles (id) on delete cascade,
    soundtrack_id bigint not null references soundtracks (id) on delete cascade,
    voter text not null,
    verdict text not null check (verdict in ('too_high', 'right', 'too_low')),
    voted_at bigint not null,
    primary key (article_id, soundtrack_id, voter)
);

-- Per entry: the rank votes, and the Borda sums of the ballots that placed
-- it (`points`: each ballot's 0..1000 score for it; `placed`: how many).
create table entry_votes (
    article_id bigint not null references articles (id) on delete cascade,
    soundtrack_id bigint not null references soundtracks (id) on delete cascade,
    too_high bigint not null default 0,
    just_right bigint not null default 0,
    too_low bigint not null default 0,
    points bigint not null default 0,
    placed bigint not null default 0,
    primary key (article_id, soundtrack_id)
);

-- A reader's ranking of a list: its scores as `soundtrack_id:points`
-- pairs, kept so a new ballot can take the old one's points back.
create table ballots (
    article_id bigint not null references articles (id) on delete cascade,
    voter text not null,
    points text not null,
    cast_at bigint not null,
    primary key (article_id, voter)
);

create table ballot_counts (
    article_id bigint primary key references articles (id) on delete cascade,
    ballots bigint not null default 0
);

create table comment_votes (
    comment_id bigint not null references comments (id) on delete cascade,
    voter text not null,
    voted_at bigint not null,
    primary key (comment_id, voter)
);

alter table comments add column helpful bigint not null default 0;
