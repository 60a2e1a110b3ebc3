//! An article body parsed once: the events with their byte ranges, and the
//! reference links that name no definition. The renderer ([`super::render_body`])
//! and every check walk this one list instead of parsing again, so a body
//! costs one parse however many passes (or FAQ sections, or headings) it has.

use std::ops::Range;

use pulldown_cmark::{Event, Parser};

pub struct Body<'a> {
    pub text: &'a str,
    pub events: Vec<(Event<'a>, Range<usize>)>,
    /// `[text][label]` and `[label]` links whose label is defined nowhere
    /// (shown as brackets), by the range of their source.
    pub broken: Vec<(Range<usize>, String)>,
}

impl<'a> Body<'a> {
    /// Parses `text` with the site's options. Noting broken links changes
    /// no event: the list is what [`super::render`] would parse itself.
    pub fn parse(text: &'a str) -> Self {
        let mut broken = Vec::new();
        let events = {
            let callback = |link: pulldown_cmark::BrokenLink<'_>| {
                broken.push((link.span.clone(), link.reference.to_string()));
                None
            };
            let parser = Parser::new_with_broken_link_callback(text, super::options(), Some(callback));
            parser.into_offset_iter().collect()
        };
        Self { text, events, broken }
    }

    /// Its text as search indexes it, after `lead` (see [`super::plain_text_of`]).
    pub fn plain_text(&self, lead: &str) -> String {
        super::plain_text_of(lead, self.events.iter().map(|(e, _)| e))
    }
}
