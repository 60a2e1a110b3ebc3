//! Comment Markdown: pulldown-cmark, raw HTML shown as text, then a strict
//! ammonia policy: no images or headings, links only to http, https and
//! mailto with `rel="nofollow ugc noopener"`.

use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

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

/// Block quotes and lists nested deeper than this are flattened: no reader
/// needs more, and sanitising deeply nested markup takes time quadratic in
/// the depth (50 KB of `>` took minutes).
const MAX_NESTING: usize = 16;

/// Renders and sanitises a comment body.
pub fn render(text: &str) -> String {
    let options = Options::ENABLE_STRIKETHROUGH;
    // For each open container, whether it was kept; and how many were.
    let (mut open, mut kept) = (Vec::<bool>::new(), 0usize);
    let events = Parser::new_ext(text, options).filter(move |e| match e {
        Event::Start(Tag::BlockQuote(_) | Tag::List(_) | Tag::Item) => {
            let keep = kept < MAX_NESTING;
            kept += usize::from(keep);
            open.push(keep);
            keep
        }
        Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item) => {
            let keep = open.pop().unwrap_or(false);
            kept -= usize::from(keep);
            keep
        }
        _ => true,
    });
    let events = events.map(|e| match e {
        // Raw HTML is shown as the text it is.
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        // Images become their alt text.
        Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => Event::Text("".into()),
        // Headings become paragraphs.
        Event::Start(Tag::Heading { .. }) => Event::Start(Tag::Paragraph),
        Event::End(TagEnd::Heading(_)) => Event::End(TagEnd::Paragraph),
        e => e,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    POLICY.clean(&html).to_string()
}

/// How many links a comment holds (two or more hold it for moderation).
pub fn link_count(html: &str) -> usize {
    html.matches("<a ").count()
}

#[cfg(test)]
mod tests {
    use super::{MAX_NESTING, render};

    #[test]
    fn deep_nesting_is_flattened_quickly() {
        let start = std::time::Instant::now();
        for text in [">".repeat(50 * 1024), "- ".repeat(25 * 1024), "> - ".repeat(12 * 1024)] {
            let html = render(&format!("{text} deep"));
            let opened =
                html.matches("<blockquote>").count() + html.matches("<ul>").count() + html.matches("<li>").count();
            assert!(opened <= MAX_NESTING, "{opened} containers");
            assert!(html.contains("deep"), "{html}");
        }
        assert!(start.elapsed() < std::time::Duration::from_secs(5), "{:?}", start.elapsed());
        // Shallow nesting is kept as written.
        assert_eq!(render("> > quoted"), "<blockquote>\n<blockquote>\n<p>quoted</p>\n</blockquote>\n</blockquote>\n");
    }

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
