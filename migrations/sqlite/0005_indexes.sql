-- Indexes for every listing and lookup, checked with the query plans of an
-- archive of 100,000 lists, 20,000 records and 2,000,000 comments
-- (`cuesheet demo-data`). Kept in step with migrations/postgres/0005_indexes.sql.

-- Comment counts per article and status (home, tag pages, the desk) and an
-- article's comment feed (newest approved first): all from the index.
create index comments_article_status on comments (article_id, status, created_at);

-- The newest comments in a status (moderation tabs, the site's comment
-- feed), ties broken by id as the queries order them.
drop index comments_recent;
create index comments_recent on comments (status, created_at, id);

-- Replies of a comment: moving them up when it is deleted for good, and the
-- parent foreign key's cascade.
create index comments_parent on comments (parent_id);

-- "Has this email an approved comment?" compares emails in any case; the
-- old index on the raw column could not serve it.
drop index comments_email;
create index comments_email on comments (lower(email), status);

-- Deleting an editor sets their replies' editor to null.
create index comments_editor on comments (editor_id) where editor_id is not null;

-- Lists filed under a tag, and tags shared with a list (related lists),
-- answered from the index without visiting the table.
drop index article_tags_tag;
create index article_tags_tag on article_tags (tag_id, article_id);

-- The lists a record appears in (record pages, "also in", related lists).
drop index entries_soundtrack;
create index entries_soundtrack on entries (soundtrack_id, article_id);

-- The desk: every article, most recently changed first.
create index articles_modified on articles (modified_at, id);

-- Expired sessions are purged by time.
create index sessions_expiry on sessions (expires_at);
