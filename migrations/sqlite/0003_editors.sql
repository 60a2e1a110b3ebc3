-- Editors, their sessions, login throttling and article revisions.
-- Kept in step with migrations/postgres/0003_editors.sql.

create table editors (
    id integer primary key,
    -- stored lowercase
    email text not null unique,
    name text not null,
    -- Argon2id PHC string
    password_hash text not null,
    created_at integer not null
);

-- A session is a random token in an HttpOnly cookie; only its hash is here,
-- so every app node can check it and logout ends it everywhere.
create table sessions (
    token_hash text primary key,
    editor_id integer not null references editors (id) on delete cascade,
    created_at integer not null,
    expires_at integer not null
);
create index sessions_editor on sessions (editor_id);

-- Failed logins per account (`email:...`) and per address (`ip:...`):
-- slowed after a few, refused for a while after more.
create table login_failures (
    key text primary key,
    failures integer not null,
    first_at integer not null,
    locked_until integer not null
);

-- Every save of an article through the desk keeps a revision.
create table revisions (
    id integer primary key,
    article_id integer not null references articles (id) on delete cascade,
    editor_id integer references editors (id) on delete set null,
    editor_name text not null,
    created_at integer not null,
    title text not null,
    -- the front matter as TOML, as `content/` holds it
    front text not null,
    body text not null
);
create index revisions_article on revisions (article_id, id);

-- Replies written by editors are marked as staff on the public page.
alter table comments add column editor_id integer references editors (id) on delete set null;
-- The status a comment had before it was trashed, for "restore".
alter table comments add column trashed_from text;
