-- Reader comments, flood control and the site's signing secret.
-- Kept in step with migrations/postgres/0002_comments.sql.

-- Threads are stored with a materialised path (the zero-padded ids from
-- the root down, `000000000012/000000000034`), so one query ordered by path
-- returns a whole article's tree in reading order.
create table comments (
    id integer primary key,
    article_id integer not null references articles (id) on delete cascade,
    parent_id integer references comments (id) on delete cascade,
    path text not null default '',
    depth integer not null default 0,
    -- the anchor of the entry the comment is about, if any
    entry_anchor text,
    author text not null,
    -- never shown publicly
    email text not null,
    url text,
    body text not null,
    body_html text not null,
    status text not null check (status in ('approved', 'pending', 'spam', 'trash')),
    -- why the rules chose that status, for moderators
    reason text,
    ip text not null,
    user_agent text,
    -- sha-256 of the commenter's edit token (the token itself is only in
    -- their cookie)
    token_hash text not null,
    -- sha-256 of the article, the author's name and the text: the same
    -- comment twice is refused (see the unique index)
    fingerprint text not null,
    created_at integer not null,
    edited_at integer
);
create index comments_thread on comments (article_id, path);
create index comments_recent on comments (status, created_at);
create index comments_email on comments (email, status);
create unique index comments_no_duplicates on comments (fingerprint) where status <> 'trash';

-- Rate limits shared by every app node: a key (`comment:203.0.113.7`) may
-- act again once `until` has passed.
create table throttle (
    key text primary key,
    until integer not null
);

-- Secrets generated once and shared by every node (form token signing).
create table secrets (
    name text primary key,
    value text not null
);
