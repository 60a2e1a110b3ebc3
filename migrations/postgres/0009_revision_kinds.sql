-- Revisions of two kinds: `save` (every save through the desk, numbered
-- 1, 2, 3... per article) and `autosave` (the text as it was being typed,
-- one per editor and article, replaced as they type and dropped when they
-- save; never published by itself, and without a number).
-- Kept in step with migrations/sqlite/0009_revision_kinds.sql.
alter table revisions add column kind text not null default 'save' check (kind in ('save', 'autosave'));
alter table revisions add column number bigint;
update revisions set number =
    (select count(*) from revisions r where r.article_id = revisions.article_id and r.id <= revisions.id);
create unique index revisions_number on revisions (article_id, number);
create index revisions_autosave on revisions (article_id, editor_id, kind);
