//! Numbered pages of an unbounded list (listings, tag pages, a record's or
//! a person's appearances, the A–Z index): a fixed size, numbered from 1.
//!
//! A page is fetched with `limit size + 1 offset (n - 1) * size`: the extra
//! row says whether a next page exists, so no page needs a count. The
//! queries keep the offset cheap: it walks an index that gives the rows in
//! their order (the skipped rows are index entries, never joined or
//! counted), so page 1,000 costs about what page 1 does.

/// Which page of a list, and how long pages are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// From 1.
    pub number: i64,
    pub size: i64,
}

impl Window {
    pub fn new(number: i64, size: i64) -> Self {
        Window { number: number.max(1), size: size.max(1) }
    }

    /// Rows to ask for: one more than a page, to know whether there is another.
    pub fn limit(self) -> i64 {
        self.size + 1
    }

    /// Rows before this page.
    pub fn offset(self) -> i64 {
        (self.number - 1).saturating_mul(self.size)
    }

    /// The page made of `rows` (fetched with [`Window::limit`] and [`Window::offset`]).
    pub fn page<T>(self, mut rows: Vec<T>) -> Page<T> {
        let more = rows.len() as i64 > self.size;
        rows.truncate(usize::try_from(self.size).unwrap_or(usize::MAX));
        Page { items: rows, number: self.number, more }
    }
}

/// One page of a list.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// From 1.
    pub number: i64,
    /// Whether a next page exists.
    pub more: bool,
}

impl<T> Page<T> {
    /// A page past the end of its list: nothing on it, and not the first
    /// (an empty list still has its first page).
    pub fn beyond_last(&self) -> bool {
        self.number > 1 && self.items.is_empty()
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), number: self.number, more: self.more }
    }
}

/// A query behind a public list, with arguments to plan it with: `text`
/// (search's match expression) first when there is one, then integers.
#[derive(Debug, Clone, Copy)]
pub struct Listing {
    pub name: &'static str,
    pub sql: &'static str,
    pub text: Option<&'static str>,
    pub args: &'static [i64],
}

const NOW: i64 = 4_102_444_800;

/// Every query behind a public list, for checking that each is answered
/// from indexes (`tests/paging.rs` reads their plans on both backends).
pub fn listings(backend: super::Backend) -> Vec<Listing> {
    use super::{articles, chart, people, search, sitemap, soundtracks, tags};
    let (search, count, words) = match backend {
        super::Backend::Sqlite => (search::SQLITE_SEARCH, search::SQLITE_COUNT, "\"synth\"* AND \"score\"*"),
        super::Backend::Postgres => (search::POSTGRES_SEARCH, search::POSTGRES_COUNT, "synth:* & score:*"),
    };
    let (candidates, grams) = match backend {
        super::Backend::Sqlite => (search::SQLITE_CANDIDATES, "\"daf\" OR \"aft\" OR \"fte\""),
        super::Backend::Postgres => (search::POSTGRES_CANDIDATES, "daf|aft|fte"),
    };
    vec![
        Listing { name: "latest lists", sql: articles::LATEST, text: None, args: &[NOW, 11, 9990] },
        Listing { name: "lists of a tag", sql: articles::BY_TAG, text: None, args: &[NOW, 11, 9990, 1] },
        Listing {
            name: "appearances of a record",
            sql: articles::APPEARANCES_OF_RECORD,
            text: None,
            args: &[1, NOW, 21, 20],
        },
        Listing {
            name: "appearances of a person",
            sql: articles::APPEARANCES_OF_PERSON,
            text: None,
            args: &[1, NOW, 21, 20],
        },
        Listing { name: "also in (record cards)", sql: articles::ALSO_IN, text: None, args: &[1, NOW, 5] },
        Listing { name: "works of a person", sql: people::WORKS, text: None, args: &[1] },
        Listing { name: "A–Z index", sql: soundtracks::INDEX_PAGE, text: None, args: &[101, 1000] },
        Listing { name: "chart", sql: chart::PAGE, text: None, args: &[26, 2500] },
        Listing { name: "a record's chart position", sql: chart::STANDING, text: None, args: &[1] },
        Listing { name: "chart: lists fallen due", sql: chart::PENDING, text: None, args: &[NOW] },
        Listing { name: "topics", sql: tags::INDEX_PAGE, text: None, args: &[NOW, 101, 100] },
        Listing { name: "search results", sql: search, text: Some(words), args: &[NOW, 10, 0] },
        Listing { name: "search count", sql: count, text: Some(words), args: &[NOW] },
        Listing { name: "search: words near a mistyped one", sql: candidates, text: Some(grams), args: &[1000] },
        Listing { name: "sitemap: lists", sql: sitemap::LISTS, text: None, args: &[NOW, 2000, 2000] },
        Listing { name: "sitemap: soundtracks", sql: sitemap::SOUNDTRACKS, text: None, args: &[2000, 2000] },
        Listing { name: "sitemap: people", sql: sitemap::PEOPLE, text: None, args: &[2000, 2000] },
        Listing { name: "sitemap: topics", sql: sitemap::TOPICS, text: None, args: &[NOW, 2000, 2000] },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_keeps_its_size_and_knows_whether_another_follows() {
        let w = Window::new(3, 10);
        assert_eq!((w.limit(), w.offset()), (11, 20));
        let p = w.page((0..11).collect::<Vec<_>>());
        assert_eq!((p.items.len(), p.more, p.beyond_last()), (10, true, false));
        let p = w.page((0..4).collect::<Vec<_>>());
        assert_eq!((p.items.len(), p.more), (4, false));
        assert!(w.page(Vec::<i32>::new()).beyond_last());
        assert!(!Window::new(1, 10).page(Vec::<i32>::new()).beyond_last());
        assert_eq!(Window::new(0, 10).number, 1);
    }
}
