-- Optimistic concurrency on the desk: every write of an article adds one
-- to its version. The desk's form carries the version it was opened at, and
-- a save over a newer one is refused with both texts shown, never a silent
-- overwrite.
-- Kept in step with migrations/postgres/0010_article_versions.sql.
alter table articles add column version integer not null default 1;
