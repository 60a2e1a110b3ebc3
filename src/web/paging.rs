//! `?page=N` on every page that lists an unbounded number of things, as
//! WordPress and Ghost do: page 1 is the bare address, the others add
//! `page=N`; each page links the ones beside it with `rel=prev` and
//! `rel=next` (in the page and in `<head>`), names its number in its title
//! and canonical URL, and a page past the last one is a 404, as is a
//! `page` that is not a page number.

use serde::Deserialize;

use super::view::Meta;
use crate::db::paging::{Page, Window};
use crate::error::{Error, Result};

/// No list goes deeper than this; larger numbers are not pages.
const MAX_PAGE: i64 = 1_000_000;

/// The `page` parameter.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    pub page: Option<String>,
}

impl PageQuery {
    /// The page asked for, of `size` rows: absent is 1; anything but a
    /// number from 1 up is no page at all.
    pub fn window(&self, size: i64) -> Result<Window> {
        Ok(Window::new(number(self.page.as_deref())?, size))
    }
}

/// A page number as sent: absent is 1.
pub fn number(page: Option<&str>) -> Result<i64> {
    match page {
        None => Ok(1),
        Some(p) => match p.parse::<i64>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) && !p.starts_with('+') => Ok(n),
            _ => Err(Error::NotFound),
        },
    }
}

/// The links of one page to its neighbours.
#[derive(Debug, Clone)]
pub struct Pager {
    pub number: i64,
    /// Site-relative addresses.
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    /// The pager of `page` of the list at `path` (which may carry a query
    /// already, as search's does); a page past the last one is not found.
    pub fn new<T>(path: &str, page: &Page<T>) -> Result<Pager> {
        if page.beyond_last() {
            return Err(Error::NotFound);
        }
        Ok(Pager {
            number: page.number,
            prev: (page.number > 1).then(|| href(path, page.number - 1)),
            next: page.more.then(|| href(path, page.number + 1)),
        })
    }

    /// Whether there is more than this one page.
    pub fn shown(&self) -> bool {
        self.prev.is_some() || self.next.is_some()
    }
}

/// The address of page `n` of the list at `path`.
pub fn href(path: &str, n: i64) -> String {
    match (n, path.contains('?')) {
        (1, _) => path.to_owned(),
        (n, false) => format!("{path}?page={n}"),
        (n, true) => format!("{path}&page={n}"),
    }
}

impl Meta {
    /// The head of page `pager` of the list at `path`: its own canonical
    /// address, its number in the title, and `<link rel=prev/next>`.
    pub fn paged(mut self, base: &str, path: &str, pager: &Pager) -> Self {
        self = self.at(base, &href(path, pager.number));
        if pager.number > 1 {
            self.title = format!("{} · Page {} · Cuesheet", self.name, pager.number);
        }
        self.prev = pager.prev.as_ref().map(|p| format!("{base}{p}"));
        self.next = pager.next.as_ref().map(|p| format!("{base}{p}"));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_are_positive_integers_and_nothing_else() {
        assert_eq!(number(None).ok(), Some(1));
        assert_eq!(number(Some("7")).ok(), Some(7));
        for bad in ["0", "-1", "+2", "1.5", "", "x", "99999999999999999999", "1000001"] {
            assert!(number(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn pagers_link_their_neighbours_and_refuse_pages_past_the_end() {
        let page = |number, items: Vec<i32>, more| Page { items, number, more };
        let p = Pager::new("/tags/x", &page(1, vec![1], true)).ok().map(|p| (p.prev, p.next));
        assert_eq!(p, Some((None, Some("/tags/x?page=2".to_owned()))));
        let p = Pager::new("/search?q=a", &page(3, vec![1], false)).ok().map(|p| (p.prev, p.next));
        assert_eq!(p, Some((Some("/search?q=a&page=2".to_owned()), None)));
        assert_eq!(href("/", 2), "/?page=2");
        assert_eq!(href("/?x=1", 1), "/?x=1");
        assert!(Pager::new("/", &page(2, vec![], false)).is_err());
        assert!(Pager::new("/", &page(1, vec![], false)).is_ok_and(|p| !p.shown()));
    }
}
