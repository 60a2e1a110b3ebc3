-- The search index's text now keeps a space between the standfirst and the
-- body and between blocks ("frontier. Every", not "frontier.Every"). Emptied
-- here, it is rebuilt from the articles and records when the site starts
-- (db::search::ensure_complete).
-- Kept in step with migrations/sqlite/0012_search_text_spacing.sql.
delete from search_docs;
