-- Search that forgives: each search document also keeps the names it
-- carries (a record's credited people, an article's tags), as written and
-- folded, and a trigram index over the folded title and names finds the
-- words near a mistyped one ("dafte" → "daft"). Emptied here, the index is
-- rebuilt with the names when the site starts (db::search::ensure_complete).
-- Kept in step with migrations/postgres/0015_search_names.sql, where the
-- trigram index is pg_trgm's instead of FTS5's.
delete from search_docs;
alter table search_docs add column names text not null default '';
alter table search_docs add column folded_names text not null default '';

create virtual table search_trigrams using fts5(
    folded_title, folded_names,
    content = 'search_docs', content_rowid = 'id',
    tokenize = 'trigram'
);

create trigger search_trigrams_insert after insert on search_docs begin
    insert into search_trigrams (rowid, folded_title, folded_names) values (new.id, new.folded_title, new.folded_names);
end;
create trigger search_trigrams_delete after delete on search_docs begin
    insert into search_trigrams (search_trigrams, rowid, folded_title, folded_names)
    values ('delete', old.id, old.folded_title, old.folded_names);
end;
create trigger search_trigrams_update after update on search_docs begin
    insert into search_trigrams (search_trigrams, rowid, folded_title, folded_names)
    values ('delete', old.id, old.folded_title, old.folded_names);
    insert into search_trigrams (rowid, folded_title, folded_names) values (new.id, new.folded_title, new.folded_names);
end;
