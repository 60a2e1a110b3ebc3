-- The table of contents as the writer chose it: 1 show, 0 hide, null
-- "for long articles" (`toc` keeps what the page does, worked out when the
-- article is written). The desk and `cuesheet export` give back the choice,
-- so an article left on automatic stays automatic.
-- Kept in step with migrations/postgres/0011_toc_choice.sql.
alter table articles add column toc_choice integer;
