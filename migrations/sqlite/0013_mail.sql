-- Mail: the outbox a background sender delivers from, commenters who asked
-- to hear about replies, and password reset links.
-- Kept in step with migrations/postgres/0013_mail.sql.

-- Every mail is written here in the same transaction as the event that
-- causes it; a sender on some node claims it (`locked_until`), sends it and
-- marks it sent, or puts it back for later (`next_at`) with the error.
create table outbox (
    id integer primary key,
    -- `confirm`, `reply`, `digest`, `reset`
    kind text not null,
    recipient text not null,
    -- the comment a reply notification is about
    comment_id integer references comments (id) on delete cascade,
    -- a mail made when it was asked for (a reset link); the others are made
    -- when sent, from what the database holds then. Emptied once sent.
    subject text,
    body_text text,
    body_html text,
    -- at most one unsent mail per key (a moderator's next digest)
    dedupe text unique,
    created_at integer not null,
    next_at integer not null,
    locked_until integer not null default 0,
    attempts integer not null default 0,
    last_error text,
    sent_at integer,
    -- given up on: a permanent refusal, or too many attempts
    failed_at integer
);
create index outbox_due on outbox (next_at) where sent_at is null and failed_at is null;
create index outbox_sent on outbox (recipient, sent_at);

-- An address that asked to hear about replies: it counts once confirmed
-- (double opt-in) and until it unsubscribes.
create table mail_subscribers (
    email text primary key,
    asked_at integer not null,
    confirmed_at integer
);

-- The commenter ticked "Email me when someone replies".
alter table comments add column notify integer not null default 0;

-- A reset link's token lives only in the mail; its hash is here.
create table password_resets (
    token_hash text primary key,
    editor_id integer not null references editors (id) on delete cascade,
    created_at integer not null,
    expires_at integer not null,
    used_at integer
);
create index password_resets_editor on password_resets (editor_id, created_at);
