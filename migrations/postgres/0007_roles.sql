-- Roles and disabled accounts on the editor desk.
-- Kept in step with migrations/sqlite/0007_roles.sql.

-- `admin`: everything, people included; `editor`: write and publish any
-- article, records, moderation; `contributor`: drafts and review requests only.
alter table editors add column role text not null default 'editor'
    check (role in ('admin', 'editor', 'contributor'));
-- Set when an admin disables the account: it can neither log in nor keep a session.
alter table editors add column disabled_at bigint;
-- A site that has editors already: the first account becomes its admin.
update editors set role = 'admin' where id = (select min(id) from editors);

-- When a contributor submitted the draft for review (cleared when it is
-- published), so editors find it on the dashboard.
alter table articles add column submitted_at bigint;
