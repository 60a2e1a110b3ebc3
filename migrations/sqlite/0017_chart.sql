-- The chart: every record ranked by its places across all published ranked
-- lists. An entry at rank r of a ranking of n entries earns (n - r + 1) / n
-- points (first 1, last 1/n), kept here in millionths, rounded, so sums
-- compare exactly on both backends. A row holds a record's sum, how many
-- lists it is in and its best place, written in the same transaction as
-- every write that changes a published ranked list (db::chart); the order
-- index gives /chart its pages and a record its position by range counts.
-- Kept in step with migrations/postgres/0016_chart.sql.
create table chart (
    soundtrack_id integer primary key references soundtracks (id) on delete cascade,
    points integer not null,
    lists integer not null,
    best integer not null,
    -- the record's title, the last tie-break, kept here so the order is one index
    title text not null
);
create index chart_order on chart (points desc, lists desc, best, title, soundtrack_id);

-- The publish time up to which every due list is counted: a scheduled list
-- that falls due later is counted by the first read after (db::chart::catch_up).
-- 0 here, so the first read fills the chart from the lists already published.
insert into site_state (name, value) values ('chart_until', 0);
