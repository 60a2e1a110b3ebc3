//! Comment Markdown: pulldown-cmark, raw HTML shown as text, then a strict
//! ammonia policy: no images or headings, links only to http, https and
//! mailto with `rel="nofollow ugc noopener"`.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::content::markdown::nesting;

static POLICY: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> =
        ["a", "p", "br", "em", "strong", "del", "code", "pre", "blockquote", "ul", "ol", "li", "hr"]
            .into_iter()
            .collect();
    let mut b = ammonia::Builder::empty();
    b.tags(tags)
        .add_tag_attributes("a", ["href"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::Deny)
        .link_rel(Some("nofollow ugc noopener"));
    b
});

/// The parser's events for a comment, raw HTML already made text, with
/// their byte ranges: what [`render`] renders and [`nesting_error`] judges.
fn events(text: &str) -> impl Iterator<Item = (Event<'_>, Range<usize>)> {
    Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH).into_offset_iter().map(|(e, range)| {
        let e = match e {
            // Raw HTML is shown as the text it is.
            Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
            e => e,
        };
        (e, range)
    })
}

/// Renders and sanitises a comment body. Anything nested past the limits
/// of [`nesting`] is flattened first, so that no text, validated or not,
/// takes more than linear time or makes more than a few times its size.
pub fn render(text: &str) -> String {
    let events = nesting::flatten(events(text), text.len()).map(|(e, _)| match e {
        // Images become their alt text.
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => Event::Text("".into()),
        // Headings become paragraphs.
        Event::Start(Tag::Heading { .. }) => Event::Start(Tag::Paragraph),
        Event::End(TagEnd::Heading(_)) => Event::End(TagEnd::Paragraph),
        e => e,
    });
    let mut html = String::new();
    // Long text in pieces: the sanitiser is quadratic on it otherwise (see
    // `nesting`). Comments show raw HTML as text, so every mark is a comment
    // node the sanitiser drops.
    pulldown_cmark::html::push_html(&mut html, nesting::pieces(events).into_iter());
    POLICY.clean(&html).to_string()
}

/// Why a comment nests too deeply to be accepted, for the form: the comment
/// validation calls this before anything is rendered.
pub fn nesting_error(text: &str) -> Option<String> {
    let excess = nesting::scan_events(text, events(text)).excess?;
    Some(format!(
        "This nests {} more than {} levels deep (line {}). Please keep it shallower.",
        excess.kind.what(),
        excess.kind.limit(),
        excess.line
    ))
}

/// How many links a comment holds (two or more hold it for moderation).
pub fn link_count(html: &str) -> usize {
    html.matches("<a ").count()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn renders_markdown_and_makes_html_inert() {
        assert_eq!(render("*Nightcall* rules"), "<p><em>Nightcall</em> rules</p>\n");
        let html = render("<script>alert(1)</script>");
        assert_eq!(html, "&lt;script&gt;alert(1)&lt;/script&gt;");
        let html = render("a [x](javascript:alert(1)) b <img src=x onerror=alert(1)>");
        assert!(!html.contains("href=\"javascript") && !html.contains("<img"), "{html}");
        let html = render("[site](https://example.com) ![pic](https://example.com/a.png)");
        assert!(html.contains(r#"<a href="https://example.com" rel="nofollow ugc noopener">site</a>"#), "{html}");
        assert!(!html.contains("<img"));
        assert!(render("[x](/relative)").contains("<a rel="));
    }
}
