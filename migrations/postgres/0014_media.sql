-- Pictures. The bytes live in the media store, named by content hash
-- (originals/<hash>.<ext>, variants/<hash>-<width>.<ext>); a row says what
-- a page needs to show one without touching the store. Editors name a
-- picture by its file name (content/media/<name>), so rows are per name and
-- several names may share one hash (stored once).
-- Kept in step with migrations/sqlite/0014_media.sql.
create table media (
    name text primary key,
    hash text not null,
    -- the original's format, sniffed from its bytes: jpeg, png, webp, gif
    format text not null check (format in ('jpeg', 'png', 'webp', 'gif')),
    -- after orientation
    width bigint not null,
    height bigint not null,
    -- the served widths, smallest first: '320,640,1024'
    widths text not null,
    -- the fallback beside WebP: 'jpg' or 'png'
    fallback text not null check (fallback in ('jpg', 'png')),
    -- the library's description, offered when the picture is inserted
    alt text not null default '',
    -- the original's size and all its variants' together
    bytes bigint not null,
    variant_bytes bigint not null,
    origin text not null default 'file' check (origin in ('file', 'web')),
    created_at bigint not null
);
create index media_hash on media (hash);

-- A record's cover and an article's feature picture, by media name.
alter table soundtracks add column cover text;
alter table soundtracks add column cover_alt text;
alter table articles add column feature text;
alter table articles add column feature_alt text;
