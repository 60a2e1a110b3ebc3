//! `cuesheet demo-data`: a large, realistic archive written straight into the
//! database, for load tests and for seeing how pages behave at scale.
//!
//! Everything is generated from a seed, so the same options give the same
//! archive on either backend: soundtrack records with credits, tracks and
//! facts; people shared between records; lists of 5 to 30 entries written as
//! Markdown and rendered by the real article pipeline (so their pages are
//! exactly what an import of the same files would serve); tags; threaded
//! comments stored with their materialised paths; and the search index.
//!
//! Rows are written in batches (multi-row inserts, one transaction per
//! batch) with ids chosen here, since a comment's thread path needs its id
//! before it is written. Articles are generated on a second thread while the
//! previous batch is written. The content version is bumped once at the end.
//! Generated rows are marked as made through the web, so importing
//! `content/` afterwards keeps them.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::bulk::{Rows, Table};
use super::{Backend, Db, Result, bump_content_version, search};
use crate::comments::{self, fingerprint, sha256_hex};
use crate::content::record::{Film, Kind, Track};
use crate::content::{Article, Record, article, slugify};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub articles: usize,
    pub comments: usize,
    pub records: usize,
    pub seed: u64,
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub records: usize,
    pub people: usize,
    pub tags: usize,
    pub articles: usize,
    pub entries: usize,
    pub comments: usize,
}

/// Progress, in generated rows of records, articles and comments; the total
/// is [`Options::units`].
pub type Progress<'a> = &'a mut dyn FnMut(u64);

impl Options {
    /// How many units of progress a run reports.
    pub fn units(&self) -> u64 {
        (self.records + self.articles + self.comments) as u64
    }
}

/// SplitMix64: small, fast and the same everywhere, which is all a demo
/// archive needs from its randomness.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Self {
        Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `(0, 1]`.
    fn unit(&mut self) -> f64 {
        ((self.next() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() <= p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const FIRST: [&str; 50] = [
    "Ada", "Bruno", "Clara", "Dmitri", "Elena", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Kira", "Leon", "Maren",
    "Nikolai", "Olga", "Pavel", "Quinn", "Rosa", "Stefan", "Tamsin", "Ulrich", "Vera", "Walter", "Xenia", "Yusuf",
    "Zora", "Amara", "Basil", "Celeste", "Dorian", "Edith", "Florian", "Gideon", "Hana", "Ivo", "Juno", "Kasimir",
    "Lena", "Milo", "Nadia", "Otto", "Petra", "Rufus", "Selma", "Theo", "Uma", "Viggo", "Wanda", "Yara", "Ziggy",
];
const LAST: [&str; 80] = [
    "Morrow",
    "Lindqvist",
    "Okafor",
    "Brandt",
    "Castellano",
    "Dufresne",
    "Ekberg",
    "Falk",
    "Gallagher",
    "Holm",
    "Ishikawa",
    "Jansen",
    "Kowalski",
    "Lanza",
    "Moreau",
    "Nakamura",
    "Oyelaran",
    "Petrov",
    "Quiroga",
    "Rasmussen",
    "Sorensen",
    "Tanaka",
    "Ueda",
    "Varga",
    "Whitlock",
    "Yilmaz",
    "Zeller",
    "Albrecht",
    "Bellamy",
    "Carver",
    "Delacroix",
    "Esposito",
    "Fontaine",
    "Grimaldi",
    "Hawthorne",
    "Iversen",
    "Jarvis",
    "Kessler",
    "Lindgren",
    "Marchetti",
    "Novak",
    "Oliveira",
    "Pellegrini",
    "Renner",
    "Salazar",
    "Thorne",
    "Ulvaeus",
    "Vance",
    "Winther",
    "Abernathy",
    "Bergstrom",
    "Crane",
    "Drummond",
    "Eastwood",
    "Faraday",
    "Gould",
    "Hartmann",
    "Ingram",
    "Kovacs",
    "Lockwood",
    "Mancini",
    "Nightingale",
    "Orlov",
    "Prescott",
    "Reyes",
    "Sinclair",
    "Tremaine",
    "Valdez",
    "Wexler",
    "Ashdown",
    "Blackwood",
    "Corrigan",
    "Dunmore",
    "Everly",
    "Fairbanks",
    "Greaves",
    "Halloway",
    "Kingsley",
    "Marlowe",
    "Pemberton",
];
const INITIALS: &str = "ABCDEFGHJKLMNOPRSTVW";

const FILM_ADJECTIVES: [&str; 40] = [
    "Midnight",
    "Silent",
    "Crimson",
    "Electric",
    "Hollow",
    "Golden",
    "Burning",
    "Distant",
    "Frozen",
    "Velvet",
    "Broken",
    "Endless",
    "Hidden",
    "Restless",
    "Wild",
    "Quiet",
    "Neon",
    "Lonely",
    "Savage",
    "Gentle",
    "Iron",
    "Paper",
    "Glass",
    "Scarlet",
    "Silver",
    "Northern",
    "Southern",
    "Last",
    "Lost",
    "Bitter",
    "Sweet",
    "Dark",
    "Bright",
    "Falling",
    "Rising",
    "Secret",
    "Sleeping",
    "Wandering",
    "Drowned",
    "Shining",
];
const FILM_NOUNS: [&str; 48] = [
    "Harbour",
    "Highway",
    "Garden",
    "Signal",
    "Mirror",
    "Orchard",
    "Frontier",
    "Lighthouse",
    "Carnival",
    "Station",
    "River",
    "Empire",
    "Summer",
    "Winter",
    "Machine",
    "Kingdom",
    "Horizon",
    "Desert",
    "Circuit",
    "Voyage",
    "Island",
    "Citadel",
    "Parade",
    "Reverie",
    "Requiem",
    "Serenade",
    "Tide",
    "Echo",
    "Canyon",
    "Meridian",
    "Comet",
    "Ballroom",
    "Observatory",
    "Monsoon",
    "Labyrinth",
    "Outpost",
    "Boulevard",
    "Aviary",
    "Tempest",
    "Galaxy",
    "Cathedral",
    "Marathon",
    "Harvest",
    "Frequency",
    "Avalanche",
    "Paradise",
    "Overture",
    "Nocturne",
];
const LABELS: [&str; 12] = [
    "Varèse Sarabande",
    "Milan",
    "Lakeshore",
    "Silva Screen",
    "Sony Classical",
    "Decca",
    "Invada",
    "Mondo",
    "La-La Land",
    "Intrada",
    "Waxwork",
    "Sacred Bones",
];
const TAGS: [&str; 40] = [
    "synth",
    "cult films",
    "horror",
    "science fiction",
    "westerns",
    "noir",
    "animation",
    "documentaries",
    "coming of age",
    "road movies",
    "thrillers",
    "romance",
    "war films",
    "musicals",
    "jazz",
    "orchestral",
    "electronic",
    "minimalism",
    "needle drops",
    "eighties",
    "nineties",
    "seventies",
    "sixties",
    "silent era",
    "world cinema",
    "french cinema",
    "italian cinema",
    "japanese cinema",
    "debut scores",
    "remakes",
    "sequels",
    "television",
    "video games",
    "choral",
    "ambient",
    "rock",
    "hip hop",
    "folk",
    "strings",
    "piano",
];
const THEMES: [&str; 16] = [
    "late-night",
    "road-trip",
    "rainy-day",
    "heist",
    "haunted",
    "big-city",
    "small-town",
    "seaside",
    "winter",
    "summer",
    "space",
    "desert",
    "jungle",
    "carnival",
    "courtroom",
    "underdog",
];
const EDITORS: [&str; 8] = [
    "Cuesheet editors",
    "Maren Holm",
    "Felix Okafor",
    "Ines Castellano",
    "Theo Marlowe",
    "Vera Lindqvist",
    "Hugo Ishikawa",
    "Selma Grimaldi",
];
const PRAISE: [&str; 12] = [
    "builds its whole mood from a single repeated figure",
    "is the reason people still talk about the film",
    "never tells you what to feel, and you feel it anyway",
    "trades big themes for texture, and wins",
    "sounds nothing like the era it was made in",
    "turns a modest budget into an enormous sound",
    "puts the percussion front and centre",
    "hides its best melody in the end credits",
    "borrows from church music and gets away with it",
    "is all analogue hiss and warm pads",
    "lets the songs carry the story",
    "was recorded in a week and sounds like it took a year",
];
const REMARKS: [&str; 10] = [
    "Listen to it on headphones, late, with the lights off.",
    "The album sequence differs from the film, and is better for it.",
    "The reissue adds twenty minutes of cues that were cut.",
    "Few scores of its decade have aged this well.",
    "It is the rare soundtrack that works as an album from start to finish.",
    "The main theme returns in four different keys before the end.",
    "A small ensemble does the work of an orchestra here.",
    "It is the track you will hum on the way home.",
    "The quiet passages are where it really shines.",
    "Critics missed it on release; listeners did not.",
];
const COMMENT_LINES: [&str; 32] = [
    "Great pick, I had completely forgotten about this one.",
    "I would have ranked it higher, but fair enough.",
    "The *vinyl* reissue sounds much better than the CD.",
    "Saw this in a cinema as a kid and the music stayed with me.",
    "How is this not in the top five?",
    "Adding half of these to my playlist right now.",
    "The main theme is **still** my ringtone.",
    "I disagree about the ending track, but the rest is spot on.",
    "Whoever wrote this clearly loves the film.",
    "The deluxe edition has a few cues that are even better.",
    "My dad played this album constantly on road trips.",
    "Underrated composer, glad to see the name here.",
    "This list introduced me to three new scores, thank you.",
    "The film was average; the soundtrack is a masterpiece.",
    "Anyone know if the complete score was ever released?",
    "I listen to this while working, it is perfect focus music.",
    "The synth work on this one still sounds modern.",
    "Such a strange and beautiful record.",
    "Would love a follow-up list on television scores.",
    "That second track gives me chills every time.",
    "It works even better without the pictures.",
    "I bought the album before I ever saw the film.",
    "The strings in the finale are unbelievable.",
    "Not my favourite, but I see why it is here.",
    "Seconding this one, it deserves more attention.",
    "The needle drops in this film are perfect.",
    "A friend recommended this list and I am glad she did.",
    "Every time I think I have heard it all, I notice something new.",
    "The composer interview about this score is worth finding.",
    "Played this at my wedding, no regrets.",
    "Honestly the best thing about the whole film.",
    "Thanks for including the less obvious choices.",
];

const SOUNDTRACKS: Table = Table {
    name: "soundtracks",
    columns: &[
        "id",
        "slug",
        "title",
        "kind",
        "film_title",
        "film_year",
        "released",
        "label",
        "catalogue_number",
        "summary",
        "origin",
        "edited_at",
        "modified_at",
    ],
    suffix: "",
};
const PEOPLE: Table = Table { name: "people", columns: &["id", "slug", "name"], suffix: "" };
const CREDITS: Table =
    Table { name: "credits", columns: &["soundtrack_id", "role", "position", "person_id"], suffix: "" };
const TRACKS: Table =
    Table { name: "tracks", columns: &["soundtrack_id", "position", "title", "artist", "note"], suffix: "" };
const FACTS: Table = Table { name: "facts", columns: &["soundtrack_id", "position", "body"], suffix: "" };
const TAG_ROWS: Table = Table { name: "tags", columns: &["id", "slug", "name"], suffix: "" };
const ARTICLES: Table = Table {
    name: "articles",
    columns: &[
        "id",
        "slug",
        "title",
        "description",
        "author",
        "published_at",
        "updated_at",
        "list_style",
        "list_order",
        "toc",
        "body",
        "rendered",
        "origin",
        "edited_at",
        "modified_at",
    ],
    suffix: "",
};
const ENTRIES: Table = Table {
    name: "entries",
    columns: &["article_id", "position", "soundtrack_id", "rank", "section", "anchor", "heading"],
    suffix: "",
};
const ARTICLE_TAGS: Table = Table { name: "article_tags", columns: &["article_id", "tag_id"], suffix: "" };
const COMMENTS: Table = Table {
    name: "comments",
    columns: &[
        "id",
        "article_id",
        "parent_id",
        "path",
        "depth",
        "entry_anchor",
        "author",
        "email",
        "url",
        "body",
        "body_html",
        "status",
        "reason",
        "ip",
        "user_agent",
        "token_hash",
        "fingerprint",
        "created_at",
        "trashed_from",
    ],
    suffix: "",
};

const MAX_ID: [&str; 5] = [
    "select coalesce(max(id), 0) from soundtracks",
    "select coalesce(max(id), 0) from people",
    "select coalesce(max(id), 0) from tags",
    "select coalesce(max(id), 0) from articles",
    "select coalesce(max(id), 0) from comments",
];
const PEOPLE_IDS: &str = "select slug, id from people";
const TAG_IDS: &str = "select slug, id from tags";
/// PostgreSQL identity columns do not see ids written explicitly: move each
/// sequence past them. The one place the backends differ here.
const PG_RESYNC: [&str; 5] = [
    "select setval(pg_get_serial_sequence('soundtracks', 'id'), (select max(id) from soundtracks))",
    "select setval(pg_get_serial_sequence('people', 'id'), (select max(id) from people))",
    "select setval(pg_get_serial_sequence('tags', 'id'), (select max(id) from tags))",
    "select setval(pg_get_serial_sequence('articles', 'id'), (select max(id) from articles))",
    "select setval(pg_get_serial_sequence('comments', 'id'), (select greatest(max(id), 1) from comments))",
];

/// Articles per transaction (their entries, tags, search rows and comments go with them).
const ARTICLE_BATCH: usize = 500;
/// Records per transaction.
const RECORD_BATCH: usize = 1000;

/// The name of person `i` (distinct for every `i` below 80,000).
fn person_name(i: usize) -> String {
    let f = FIRST[i % FIRST.len()];
    let rest = i / FIRST.len();
    let initial = INITIALS.as_bytes()[rest % INITIALS.len()] as char;
    let l = LAST[(rest / INITIALS.len()) % LAST.len()];
    format!("{f} {initial}. {l}")
}

fn film_title(rng: &mut Rng) -> String {
    let a = rng.pick(&FILM_ADJECTIVES);
    let n = rng.pick(&FILM_NOUNS);
    match rng.below(4) {
        0 => format!("The {a} {n}"),
        1 => format!("{n} of the {}", rng.pick(&FILM_NOUNS)),
        _ => format!("{a} {n}"),
    }
}

/// Record `i`: a whole record as its file would hold it.
fn record(rng: &mut Rng, i: usize, id: i64, people: &[String]) -> Record {
    let title = film_title(rng);
    let year = 1950 + rng.below(75) as i64;
    let kind = match rng.below(10) {
        0..=6 => Kind::Score,
        7 | 8 => Kind::Compilation,
        _ => Kind::Songs,
    };
    let slug = format!("{}-{year}-{id}", slugify(&title));
    let person = |rng: &mut Rng| people[rng.below(people.len())].clone();
    let director = person(rng);
    let composers: Vec<String> =
        if kind == Kind::Score { (0..rng.between(1, 2)).map(|_| person(rng)).collect() } else { Vec::new() };
    let music_supervisors: Vec<String> = if kind == Kind::Score { Vec::new() } else { vec![person(rng)] };
    let artists: Vec<String> =
        if kind == Kind::Compilation { (0..rng.between(1, 3)).map(|_| person(rng)).collect() } else { Vec::new() };
    let tracks = (0..rng.between(3, 8))
        .map(|t| Track {
            title: format!("{} {}", rng.pick(&FILM_ADJECTIVES), rng.pick(&FILM_NOUNS)),
            artist: (kind != Kind::Score).then(|| person(rng)),
            note: (t == 0 && rng.chance(0.3)).then(|| "The main theme.".to_owned()),
        })
        .collect();
    let facts =
        (0..rng.below(3)).map(|f| format!("Charted in {} countries ({})", 3 + f + rng.below(20), year + 1)).collect();
    let album = match kind {
        Kind::Score => format!("{title} (Original Motion Picture Score)"),
        _ => format!("{title} (Original Motion Picture Soundtrack)"),
    };
    let released = year + i64::from(rng.chance(0.3));
    Record {
        path: PathBuf::from(format!("soundtracks/{slug}.toml")),
        slug,
        hash: String::new(),
        title: album,
        kind,
        released: Some(if rng.chance(0.5) {
            released.to_string()
        } else {
            format!("{released}-{:02}", 1 + rng.below(12))
        }),
        label: Some((*rng.pick(&LABELS)).to_owned()),
        catalogue_number: rng.chance(0.6).then(|| format!("DEMO-{}", 1000 + i)),
        summary: Some(format!("The music for {title}, which {}.", rng.pick(&PRAISE))),
        cover: None,
        cover_alt: None,
        composers,
        music_supervisors,
        artists,
        facts,
        film: Film { title, year, director },
        tracks,
    }
}

/// What articles are drawn from: the records of this run and the tags.
struct Pool {
    records: Vec<Record>,
    record_ids: HashMap<String, i64>,
    tag_ids: HashMap<String, i64>,
    seed: u64,
}

/// Unix times of the archive: lists published between these.
const FIRST_PUBLISHED: i64 = 1_325_376_000; // 2012-01-01
const LAST_PUBLISHED: i64 = 1_780_272_000; // 2026-06-01

/// The Markdown file of article `i` (its front matter and body), and the
/// slug it lives at.
fn article_file(rng: &mut Rng, i: usize, n: usize, id: i64, pool: &Pool) -> (String, String) {
    let entries = rng.between(5, 30);
    let theme = rng.pick(&THEMES);
    let title = match rng.below(4) {
        0 => format!("The {entries} best {theme} soundtracks"),
        1 => format!("{entries} {theme} scores that outlived their films"),
        2 => format!("Soundtracks for {theme} moods: {entries} picks"),
        _ => format!("{entries} {theme} albums worth owning"),
    };
    let slug = format!("{}-{id}", slugify(&title));
    let (list, countdown) = match rng.below(10) {
        0..=5 => ("ranked", false),
        6 => ("ranked", true),
        _ => ("unranked", false),
    };
    let span = (LAST_PUBLISHED - FIRST_PUBLISHED) as f64;
    let at = FIRST_PUBLISHED + (span * i as f64 / n.max(1) as f64) as i64 + rng.below(3600) as i64;
    let draft = is_draft(pool.seed, i);
    let mut tags: Vec<&str> = (0..rng.between(1, 3)).map(|_| *rng.pick(&TAGS)).collect();
    tags.sort_unstable();
    tags.dedup();
    let mut front = format!(
        "title = \"{title}\"\ndescription = \"{entries} soundtracks for {theme} listening, chosen by the editors.\"\nauthor = \"{}\"\n",
        rng.pick(&EDITORS)
    );
    if !draft {
        front.push_str(&format!("published = \"{}\"\n", super::export::rfc3339(at)));
        if rng.chance(0.1) {
            front.push_str(&format!(
                "updated = \"{}\"\n",
                super::export::rfc3339(at + 86_400 * rng.between(1, 300) as i64)
            ));
        }
    }
    let quoted: Vec<String> = tags.iter().map(|t| format!("\"{t}\"")).collect();
    front.push_str(&format!("tags = [{}]\nlist = \"{list}\"\n", quoted.join(", ")));
    if countdown {
        front.push_str("order = \"countdown\"\n");
    }

    let mut body = format!("These are the {theme} soundtracks we return to most. {}\n", rng.pick(&REMARKS));
    let mut chosen: Vec<usize> = Vec::with_capacity(entries);
    while chosen.len() < entries.min(pool.records.len()) {
        // A few records are popular and turn up in many lists.
        let r =
            if rng.chance(0.2) { rng.below(pool.records.len().div_ceil(100)) } else { rng.below(pool.records.len()) };
        if !chosen.contains(&r) {
            chosen.push(r);
        }
    }
    for &r in &chosen {
        let rec = &pool.records[r];
        body.push_str(&format!("\n## {} {{soundtrack={}}}\n\n", rec.film.title, rec.slug));
        let credit = rec.composers.first().or(rec.music_supervisors.first()).unwrap_or(&rec.film.director);
        body.push_str(&format!(
            "[{credit}](person:{})'s music for *{}* ({}) {}. {}",
            slugify(credit),
            rec.film.title,
            rec.film.year,
            rng.pick(&PRAISE),
            rng.pick(&REMARKS)
        ));
        if rng.chance(0.2) {
            let other = &pool.records[rng.below(pool.records.len())];
            body.push_str(&format!(" Pair it with [{}](soundtrack:{}).", other.film.title, other.slug));
        }
        body.push('\n');
    }
    (slug, format!("+++\n{front}+++\n{body}"))
}

/// Comment bodies: lines rendered once by the real comment pipeline. A
/// comment is one to three lines as paragraphs; its HTML is theirs joined.
struct CommentText {
    html: Vec<String>,
}

impl CommentText {
    fn new() -> Self {
        CommentText { html: COMMENT_LINES.iter().map(|l| comments::markdown::render(l)).collect() }
    }

    /// Comment `k` of an article: distinct for every `k` below 32,768, so
    /// no two comments of one article share a fingerprint.
    fn nth(&self, k: usize) -> (String, String) {
        let n = COMMENT_LINES.len();
        let mut lines = vec![k % n];
        if k >= n {
            lines.push((k / n) % n);
        }
        if k >= n * n {
            lines.push((k / (n * n)) % n);
        }
        let body = lines.iter().map(|&l| COMMENT_LINES[l]).collect::<Vec<_>>().join("\n\n");
        let html = lines.iter().map(|&l| self.html[l].as_str()).collect::<String>();
        (body, html)
    }
}

/// A generated batch of articles with everything that hangs off them.
struct Batch {
    articles: Rows<'static>,
    entries: Rows<'static>,
    tags: Rows<'static>,
    search: Rows<'static>,
    comments: Rows<'static>,
    counts: (usize, usize, usize),
}

/// Article batch generation: what the second thread runs.
struct Generator {
    opts: Options,
    pool: Pool,
    first_article: i64,
    first_comment: i64,
    /// How many comments article `i` gets, cumulative: `[i]..[i + 1]`.
    comment_bounds: Vec<usize>,
    text: CommentText,
    stamp: i64,
}

impl Generator {
    fn batch(&self, range: std::ops::Range<usize>) -> std::result::Result<Batch, String> {
        let mut b = Batch {
            articles: Rows::new(&ARTICLES),
            entries: Rows::new(&ENTRIES),
            tags: Rows::new(&ARTICLE_TAGS),
            search: Rows::new(&search::DOCS),
            comments: Rows::new(&COMMENTS),
            counts: (0, 0, 0),
        };
        for i in range {
            let mut rng = Rng::new(self.opts.seed, 1_000_000_000 + i as u64);
            let id = self.first_article + i as i64;
            let (slug, text) = article_file(&mut rng, i, self.opts.articles, id, &self.pool);
            let path = format!("articles/{slug}.md");
            let (parsed, problems) = article::parse(Path::new(&path), &text);
            let a = match parsed {
                Some(a) if !problems.iter().any(|p| p.is_error()) => a,
                _ => return Err(format!("generated article {slug} does not check: {problems:?}")),
            };
            self.article_rows(&mut b, id, &a)?;
            let (from, to) = (self.comment_bounds[i], self.comment_bounds[i + 1]);
            if let Some(published) = a.published.map(|t| t.timestamp()) {
                self.comment_rows(&mut b, &mut rng, id, published, &a, from, to - from);
            }
            b.counts.0 += 1;
            b.counts.1 += a.rendered.entries.len();
            b.counts.2 += to - from;
        }
        Ok(b)
    }

    /// The rows `articles::write` would write for `a`, marked as made in the web.
    fn article_rows(&self, b: &mut Batch, id: i64, a: &Article) -> std::result::Result<(), String> {
        let rendered = serde_json::to_string(&a.rendered.document).map_err(|e| e.to_string())?;
        let published = a.published.map(|t| t.timestamp());
        let title = a.front.title.trim();
        b.articles.push([
            id.into(),
            a.slug.clone().into(),
            title.to_owned().into(),
            a.front.description.trim().to_owned().into(),
            a.front.author.trim().to_owned().into(),
            published.into(),
            a.updated.map(|t| t.timestamp()).into(),
            a.front.list.as_str().into(),
            a.front.order.as_str().into(),
            i64::from(a.front.toc.unwrap_or(a.rendered.long)).into(),
            a.body.clone().into(),
            rendered.into(),
            "web".into(),
            Some(self.stamp).into(),
            self.stamp.into(),
        ]);
        for (position, e) in (0_i64..).zip(&a.rendered.entries) {
            let soundtrack = *self.pool.record_ids.get(&e.soundtrack).ok_or("an entry names no generated record")?;
            b.entries.push([
                id.into(),
                position.into(),
                soundtrack.into(),
                e.rank.map(i64::from).into(),
                e.section.clone().into(),
                e.anchor.clone().into(),
                e.heading.clone().into(),
            ]);
        }
        for name in &a.front.tags {
            let tag = *self.pool.tag_ids.get(&slugify(name)).ok_or("a tag was not created")?;
            b.tags.push([id.into(), tag.into()]);
        }
        b.search.push(search::row(
            search::DocKind::Article,
            id,
            a.slug.clone().into(),
            search::Text::of_article(a),
            published,
        ));
        Ok(())
    }

    /// `count` comments of one article, threaded: about half are replies.
    #[allow(clippy::too_many_arguments)]
    fn comment_rows(
        &self,
        b: &mut Batch,
        rng: &mut Rng,
        article: i64,
        published: i64,
        a: &Article,
        first: usize,
        count: usize,
    ) {
        // (id, path, depth) of the comments so far, to reply to.
        let mut thread: Vec<(i64, String, i64)> = Vec::with_capacity(count);
        let gap = (180 * 86_400 / count.max(1) as i64).max(1);
        for k in 0..count {
            let id = self.first_comment + (first + k) as i64;
            let parent = (!thread.is_empty() && rng.chance(0.45)).then(|| {
                let p = thread.len() - 1 - rng.below(thread.len().min(12));
                thread[p].clone()
            });
            let parent = parent.filter(|p| p.2 < 6);
            let (path, depth) = match &parent {
                Some((_, path, depth)) => (format!("{path}/{id:012}"), depth + 1),
                None => (format!("{id:012}"), 0),
            };
            let anchor = (parent.is_none() && rng.chance(0.25) && !a.rendered.entries.is_empty())
                .then(|| a.rendered.entries[rng.below(a.rendered.entries.len())].anchor.clone());
            let who = rng.below(20_000);
            let author = person_name(who);
            let (body, html) = self.text.nth(k);
            let fingerprint = fingerprint(article, &author, &body);
            let (status, reason, trashed_from) = match rng.below(100) {
                0..=93 => ("approved", None, None),
                94..=96 => ("pending", Some("two or more links"), None),
                97 | 98 => ("spam", Some("spam token"), None),
                _ => ("trash", None, Some("approved")),
            };
            let email = format!("{}-{who}@example.net", slugify(&author));
            let url = rng.chance(0.1).then(|| format!("https://example.net/{}", slugify(&author)));
            b.comments.push([
                id.into(),
                article.into(),
                parent.as_ref().map(|p| p.0).into(),
                path.clone().into(),
                depth.into(),
                anchor.into(),
                author.into(),
                email.into(),
                url.into(),
                body.into(),
                html.into(),
                status.into(),
                reason.into(),
                format!("203.0.113.{}", 1 + who % 254).into(),
                Some(USER_AGENT).into(),
                sha256_hex(&["demo comment token", &id.to_string()]).into(),
                fingerprint.into(),
                (published + 600 + gap * k as i64 + rng.below(gap as usize) as i64).into(),
                trashed_from.into(),
            ]);
            thread.push((id, path, depth));
        }
    }
}

/// What every generated comment says it was sent with.
const USER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0";

/// Generates the archive into `db`.
pub async fn generate(db: &Db, opts: &Options, progress: Progress<'_>) -> Result<Summary> {
    let stamp = super::now();
    let mut max = [0_i64; 5];
    for (m, sql) in max.iter_mut().zip(MAX_ID) {
        *m = sqlx::query_scalar(sql).fetch_one(&db.pool).await?;
    }
    let [max_record, max_person, max_tag, max_article, max_comment] = max;
    let mut summary = Summary::default();

    // People and tags: reuse those that exist, add the rest.
    let mut people_ids: HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>(PEOPLE_IDS).fetch_all(&db.pool).await?.into_iter().collect();
    let people: Vec<String> = (0..(opts.records / 2).clamp(50, 80_000)).map(person_name).collect();
    let mut rows = Rows::new(&PEOPLE);
    let mut next = max_person;
    // Commenters are people too, but only credited people get rows.
    for name in &people {
        let slug = slugify(name);
        if !people_ids.contains_key(&slug) {
            next += 1;
            people_ids.insert(slug.clone(), next);
            rows.push([next.into(), slug.into(), name.as_str().into()]);
        }
    }
    summary.people = rows.len();
    let mut tag_ids: HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>(TAG_IDS).fetch_all(&db.pool).await?.into_iter().collect();
    let mut tag_rows = Rows::new(&TAG_ROWS);
    let mut next = max_tag;
    for name in TAGS {
        let slug = slugify(name);
        if !tag_ids.contains_key(&slug) {
            next += 1;
            tag_ids.insert(slug.clone(), next);
            tag_rows.push([next.into(), slug.into(), name.into()]);
        }
    }
    summary.tags = tag_rows.len();
    // One connection writes everything, with a page cache big enough for
    // the comment indexes' random keys (SQLite's default is 2 MB; 256 MB
    // took a quarter off 10,000 lists with 200,000 comments).
    let mut conn = db.pool.acquire().await?;
    if db.backend == Backend::Sqlite {
        sqlx::query("pragma cache_size = -262144").execute(&mut *conn).await?;
    }
    let mut tx = db.begin_write_on(&mut conn).await?;
    rows.execute(&mut tx).await?;
    tag_rows.execute(&mut tx).await?;
    tx.commit().await?;

    // Records, with credits, tracks, facts and search rows.
    let mut records = Vec::with_capacity(opts.records);
    let mut record_ids = HashMap::with_capacity(opts.records);
    for start in (0..opts.records).step_by(RECORD_BATCH) {
        let end = (start + RECORD_BATCH).min(opts.records);
        let (mut s, mut c, mut t, mut f, mut d) = (
            Rows::new(&SOUNDTRACKS),
            Rows::new(&CREDITS),
            Rows::new(&TRACKS),
            Rows::new(&FACTS),
            Rows::new(&search::DOCS),
        );
        for i in start..end {
            let id = max_record + 1 + i as i64;
            let r = record(&mut Rng::new(opts.seed, i as u64), i, id, &people);
            s.push([
                id.into(),
                r.slug.clone().into(),
                r.title.clone().into(),
                r.kind.as_str().into(),
                r.film.title.clone().into(),
                r.film.year.into(),
                r.released.clone().into(),
                r.label.clone().into(),
                r.catalogue_number.clone().into(),
                r.summary.clone().into(),
                "web".into(),
                Some(stamp).into(),
                stamp.into(),
            ]);
            let mut positions: HashMap<crate::content::record::Role, i64> = HashMap::new();
            for (role, name) in r.credits() {
                let Some(&person) = people_ids.get(&slugify(name)) else { continue };
                let position = positions.entry(role).or_default();
                c.push([id.into(), role.as_str().into(), (*position).into(), person.into()]);
                *position += 1;
            }
            for (p, track) in (0_i64..).zip(&r.tracks) {
                t.push([
                    id.into(),
                    p.into(),
                    track.title.clone().into(),
                    track.artist.clone().into(),
                    track.note.clone().into(),
                ]);
            }
            for (p, fact) in (0_i64..).zip(&r.facts) {
                f.push([id.into(), p.into(), fact.clone().into()]);
            }
            d.push(search::row(
                search::DocKind::Record,
                id,
                r.slug.clone().into(),
                search::Text::of_record(&r),
                Some(0),
            ));
            record_ids.insert(r.slug.clone(), id);
            records.push(r);
        }
        let mut tx = db.begin_write_on(&mut conn).await?;
        for rows in [s, c, t, f, d] {
            rows.execute(&mut tx).await?;
        }
        tx.commit().await?;
        summary.records += end - start;
        progress((end - start) as u64);
    }

    // Articles and comments: generated on a second thread, a batch ahead.
    let comment_bounds = comment_bounds(opts);
    let generator = Arc::new(Generator {
        opts: *opts,
        pool: Pool { records, record_ids, tag_ids, seed: opts.seed },
        first_article: max_article + 1,
        first_comment: max_comment + 1,
        comment_bounds,
        text: CommentText::new(),
        stamp,
    });
    let (send, mut receive) = tokio::sync::mpsc::channel::<std::result::Result<Batch, String>>(2);
    let worker = {
        let generator = Arc::clone(&generator);
        let articles = opts.articles;
        std::thread::spawn(move || {
            for start in (0..articles).step_by(ARTICLE_BATCH) {
                let batch = generator.batch(start..(start + ARTICLE_BATCH).min(articles));
                let failed = batch.is_err();
                if send.blocking_send(batch).is_err() || failed {
                    return;
                }
            }
        })
    };
    while let Some(batch) = receive.recv().await {
        let b = batch.map_err(sqlx::Error::Protocol)?;
        let mut tx = db.begin_write_on(&mut conn).await?;
        for rows in [b.articles, b.entries, b.tags, b.search, b.comments] {
            rows.execute(&mut tx).await?;
        }
        tx.commit().await?;
        summary.articles += b.counts.0;
        summary.entries += b.counts.1;
        summary.comments += b.counts.2;
        progress((b.counts.0 + b.counts.2) as u64);
    }
    worker.join().map_err(|_| sqlx::Error::Protocol("the article generator stopped".into()))?;

    let mut tx = db.begin_write_on(&mut conn).await?;
    if db.backend == Backend::Postgres {
        for sql in PG_RESYNC {
            sqlx::query(sql).execute(&mut *tx).await?;
        }
    }
    super::chart::rebuild(&mut tx, super::now()).await?;
    bump_content_version(&mut tx).await?;
    tx.commit().await?;
    if db.backend == Backend::Sqlite {
        // Back to the default before the connection returns to the pool.
        sqlx::query("pragma cache_size = -2000").execute(&mut *conn).await?;
    }
    Ok(summary)
}

/// Cumulative comment counts per article, summing to exactly
/// `opts.comments`: a long tail, as real sites have (most lists get a few,
/// some get hundreds). Drafts get none.
fn comment_bounds(opts: &Options) -> Vec<usize> {
    let mut weights = Vec::with_capacity(opts.articles);
    for i in 0..opts.articles {
        let mut rng = Rng::new(opts.seed, 2_000_000_000 + i as u64);
        weights.push(rng.unit().powf(-0.7).min(500.0));
    }
    let drafts: Vec<bool> = (0..opts.articles).map(|i| is_draft(opts.seed, i)).collect();
    let total: f64 = weights.iter().zip(&drafts).filter(|(_, d)| !**d).map(|(w, _)| w).sum();
    let mut bounds = Vec::with_capacity(opts.articles + 1);
    bounds.push(0);
    let mut cumulative = 0.0;
    for (w, draft) in weights.iter().zip(&drafts) {
        if !draft {
            cumulative += w;
        }
        let at = if total > 0.0 { (opts.comments as f64 * cumulative / total).round() as usize } else { 0 };
        bounds.push(at.min(opts.comments));
    }
    bounds
}

/// Whether article `i` is a draft (about one in a hundred), from a stream
/// of its own so the comment plan can know it before the article is made.
fn is_draft(seed: u64, i: usize) -> bool {
    Rng::new(seed, 3_000_000_000 + i as u64).chance(0.01)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::check::{Context, check_article};

    fn pool(seed: u64) -> Pool {
        let people: Vec<String> = (0..50).map(person_name).collect();
        let records: Vec<Record> =
            (0..40).map(|i| record(&mut Rng::new(seed, i as u64), i, 100 + i as i64, &people)).collect();
        let record_ids = records.iter().enumerate().map(|(i, r)| (r.slug.clone(), i as i64)).collect();
        Pool { records, record_ids, tag_ids: HashMap::new(), seed }
    }

    #[test]
    fn generated_articles_pass_the_content_check() {
        let pool = pool(3);
        let mut ctx = Context::default();
        for r in &pool.records {
            ctx.add_record(r);
        }
        for i in 0..60 {
            let (slug, text) = article_file(&mut Rng::new(3, i as u64), i, 60, 1000 + i as i64, &pool);
            let (article, problems) = check_article(Path::new(&format!("articles/{slug}.md")), &text, &ctx);
            let errors: Vec<_> = problems.iter().filter(|p| p.is_error()).collect();
            assert!(errors.is_empty(), "{text}\n{errors:?}");
            let entries = article.map(|a| a.rendered.entries.len()).unwrap_or_default();
            assert!((5..=30).contains(&entries), "{entries}");
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_archive() {
        let (a, b, c) = (pool(5), pool(5), pool(6));
        let slugs = |p: &Pool| p.records.iter().map(|r| r.slug.clone()).collect::<Vec<_>>();
        assert_eq!(slugs(&a), slugs(&b));
        assert_ne!(slugs(&a), slugs(&c));
        let file = |p: &Pool| article_file(&mut Rng::new(5, 9), 9, 10, 77, p);
        assert_eq!(file(&a), file(&b));
    }

    #[test]
    fn comment_plan_sums_to_the_total_and_skips_drafts() {
        let opts = Options { articles: 500, comments: 12_345, records: 100, seed: 1 };
        let bounds = comment_bounds(&opts);
        assert_eq!((bounds.len(), bounds[0], bounds[500]), (501, 0, 12_345));
        for i in (0..500).filter(|&i| is_draft(1, i)) {
            assert_eq!(bounds[i], bounds[i + 1]);
        }
        assert!(bounds.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn comment_bodies_are_distinct_and_render_as_their_lines() {
        let text = CommentText::new();
        let (body, html) = text.nth(40);
        assert_eq!(html, comments::markdown::render(&body));
        let (body, html) = text.nth(32 * 32 + 5);
        assert_eq!(html, comments::markdown::render(&body));
        let bodies: std::collections::HashSet<String> = (0..5000).map(|k| text.nth(k).0).collect();
        assert_eq!(bodies.len(), 5000);
    }
}
