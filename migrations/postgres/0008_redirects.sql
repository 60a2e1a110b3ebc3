-- Addresses that last: when a published article gets a new slug, its old
-- address answers 301 to the new one (the kind leaves room for records,
-- whose slugs the desk does not change yet). Written in the same
-- transaction as the rename; public pages look here only when nothing
-- lives at the address asked for.
-- Kept in step with migrations/sqlite/0008_redirects.sql.
create table redirects (
    kind text not null check (kind in ('article', 'record')),
    old_slug text not null,
    new_slug text not null,
    created_at bigint not null,
    primary key (kind, old_slug)
);
-- A rename flattens every address that led to the old slug.
create index redirects_target on redirects (kind, new_slug);
