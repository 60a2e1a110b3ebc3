-- Page caching per article. A comment changes its own article's page and
-- the listings that count comments, not every page of the site: comment
-- writes bump `comments_version` (not `content_version`) and stamp the
-- article with it, so a node can tell which article pages went stale from
-- one indexed query over the articles that changed since it last looked.
alter table articles add column comments_version integer not null default 0;
create index articles_comments_version on articles (comments_version);
insert into site_state (name, value) values ('comments_version', 0);
