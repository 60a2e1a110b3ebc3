-- Search that forgives: each search document also keeps the names it
-- carries (a record's credited people, an article's tags), as written and
-- folded, and a trigram index over the folded title and names finds the
-- words near a mistyped one ("dafte" → "daft"). Emptied here, the index is
-- rebuilt with the names when the site starts (db::search::ensure_complete).
-- Kept in step with migrations/sqlite/0015_search_names.sql, where the
-- trigram index is FTS5's instead of pg_trgm's.
create extension if not exists pg_trgm;
delete from search_docs;
alter table search_docs add column names text not null default '';
alter table search_docs add column folded_names text not null default '';
create index search_docs_trigrams on search_docs using gin ((folded_title || ' ' || folded_names) gin_trgm_ops);
