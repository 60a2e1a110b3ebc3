-- Content model: soundtrack records, the people credited on them, and the
-- articles (lists) whose entries point at records.
-- Kept in step with migrations/postgres/0001_content.sql: same tables, same
-- columns, same meaning; only the id and integer column types differ.
-- Times are unix seconds (integers) so both backends read them the same way.

-- One row per soundtrack album.
create table soundtracks (
    id integer primary key,
    slug text not null unique,
    title text not null,
    kind text not null check (kind in ('score', 'compilation', 'songs')),
    film_title text not null,
    film_year integer not null,
    released text,
    label text,
    catalogue_number text,
    summary text,
    -- where the row came from: 'file' (content/ import) or 'web' (editor desk)
    origin text not null default 'file' check (origin in ('file', 'web')),
    -- hash of the file as last imported; import skips unchanged files
    origin_hash text,
    -- set when the row is changed through the web; import then refuses to
    -- overwrite it from a file that changed too, and reports the conflict
    edited_at integer,
    modified_at integer not null
);
create index soundtracks_film on soundtracks (film_title, film_year);

-- Composers, directors, music supervisors, artists: anyone credited.
create table people (
    id integer primary key,
    slug text not null unique,
    name text not null
);

-- Who did what on a record, in the record's own order.
create table credits (
    soundtrack_id integer not null references soundtracks (id) on delete cascade,
    role text not null check (role in ('director', 'composer', 'music_supervisor', 'artist', 'performer')),
    position integer not null,
    person_id integer not null references people (id) on delete cascade,
    primary key (soundtrack_id, role, position)
);
create index credits_person on credits (person_id);

-- Notable tracks of a record.
create table tracks (
    soundtrack_id integer not null references soundtracks (id) on delete cascade,
    position integer not null,
    title text not null,
    artist text,
    note text,
    primary key (soundtrack_id, position)
);

-- Chart and sales facts, short strings.
create table facts (
    soundtrack_id integer not null references soundtracks (id) on delete cascade,
    position integer not null,
    body text not null,
    primary key (soundtrack_id, position)
);

-- Articles: lists and guides. `body` is the editor's Markdown; `rendered`
-- is the sanitised, structured render of it (JSON), made once on write.
create table articles (
    id integer primary key,
    slug text not null unique,
    title text not null,
    description text not null,
    author text not null,
    -- null: draft. In the future: scheduled (shown once the time has come).
    published_at integer,
    updated_at integer,
    list_style text not null check (list_style in ('ranked', 'unranked', 'none')),
    list_order text not null check (list_order in ('ascending', 'countdown')),
    -- 1 when the page shows a table of contents
    toc integer not null default 0,
    body text not null,
    rendered text not null,
    origin text not null default 'file' check (origin in ('file', 'web')),
    origin_hash text,
    edited_at integer,
    modified_at integer not null
);
create index articles_published on articles (published_at, id);

create table tags (
    id integer primary key,
    slug text not null unique,
    name text not null
);

create table article_tags (
    article_id integer not null references articles (id) on delete cascade,
    tag_id integer not null references tags (id) on delete cascade,
    primary key (article_id, tag_id)
);
create index article_tags_tag on article_tags (tag_id);

-- The entries of a list, in document order. `rank` is computed from the
-- list's structure on write (never from Markdown numbering); null when the
-- list is unranked. `section` names the part of a guide that ranks it.
create table entries (
    article_id integer not null references articles (id) on delete cascade,
    position integer not null,
    soundtrack_id integer not null references soundtracks (id),
    rank integer,
    section text,
    anchor text not null,
    heading text not null,
    primary key (article_id, position)
);
create index entries_soundtrack on entries (soundtrack_id);

-- Small site-wide counters. `content_version` changes on every write that
-- can change a public page, so whole pages can be cached against it.
create table site_state (
    name text primary key,
    value integer not null
);
insert into site_state (name, value) values ('content_version', 1);
