-- Full-text search over published articles and soundtrack records.
-- The PostgreSQL twin (migrations/postgres/0004_search.sql) keeps the same
-- `search_docs` table; only the index differs: FTS5 here, a generated
-- tsvector with a GIN index there. Text is folded (accents removed, lower
-- case) by the application, so both backends match alike.

create table search_docs (
    id integer primary key,
    kind text not null check (kind in ('article', 'record')),
    -- the article's or record's id
    ref_id integer not null,
    slug text not null,
    title text not null,
    -- the text as written, for snippets
    body text not null,
    folded_title text not null,
    folded_body text not null,
    -- articles: null for a draft; records: 0
    published_at integer,
    unique (kind, ref_id)
);

create virtual table search_fts using fts5(
    folded_title, folded_body,
    content = 'search_docs', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

create trigger search_docs_insert after insert on search_docs begin
    insert into search_fts (rowid, folded_title, folded_body) values (new.id, new.folded_title, new.folded_body);
end;
create trigger search_docs_delete after delete on search_docs begin
    insert into search_fts (search_fts, rowid, folded_title, folded_body)
    values ('delete', old.id, old.folded_title, old.folded_body);
end;
create trigger search_docs_update after update on search_docs begin
    insert into search_fts (search_fts, rowid, folded_title, folded_body)
    values ('delete', old.id, old.folded_title, old.folded_body);
    insert into search_fts (rowid, folded_title, folded_body) values (new.id, new.folded_title, new.folded_body);
end;

-- When anything a public page shows last changed (Last-Modified).
insert into site_state (name, value) values ('content_modified_at', 0);
