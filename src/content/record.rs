//! Soundtrack records: `content/soundtracks/<slug>.toml`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Problem, Severity, Source, content_hash, file_slug, slugify};

crate::text_enum! {
    /// Score, compilation of existing songs, or original songs (the record's
    /// `kind`, the `soundtracks.kind` column).
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Kind("record kind") {
        Score = "score",
        Compilation = "compilation",
        Songs = "songs",
    }
}

impl Kind {
    /// How a reader sees it on a card.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Score => "Original score",
            Kind::Compilation => "Compilation",
            Kind::Songs => "Original songs",
        }
    }
}

crate::text_enum! {
    /// What a person did on a record (the `credits.role` column).
    pub enum Role("credit role") {
        Director = "director",
        Composer = "composer",
        MusicSupervisor = "music_supervisor",
        Artist = "artist",
        /// Credited on a track only.
        Performer = "performer",
    }
}

impl Role {
    /// How a reader sees it: "music supervisor".
    pub fn label(self) -> &'static str {
        match self {
            Role::Director => "director",
            Role::Composer => "composer",
            Role::MusicSupervisor => "music supervisor",
            Role::Artist => "artist",
            Role::Performer => "performer",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Film {
    pub title: String,
    pub year: i64,
    pub director: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Track {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artist: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One soundtrack album, as written in its TOML file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// From the file name, not the file.
    #[serde(skip)]
    pub slug: String,
    #[serde(skip)]
    pub path: PathBuf,
    #[serde(skip)]
    pub hash: String,

    pub title: String,
    pub kind: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The cover picture: a file of `content/media/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover: Option<String>,
    /// What the cover shows; "Cover of <title>" when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover_alt: Option<String>,
    #[serde(default)]
    pub composers: Vec<String>,
    #[serde(default)]
    pub music_supervisors: Vec<String>,
    #[serde(default)]
    pub artists: Vec<String>,
    #[serde(default)]
    pub facts: Vec<String>,
    pub film: Film,
    #[serde(default)]
    pub tracks: Vec<Track>,
}

impl Record {
    /// Every credit as `(role, name)`, in the record's own order; track
    /// artists are credited as performers once each.
    pub fn credits(&self) -> Vec<(Role, &str)> {
        let mut out: Vec<(Role, &str)> = vec![(Role::Director, self.film.director.as_str())];
        out.extend(self.composers.iter().map(|n| (Role::Composer, n.as_str())));
        out.extend(self.music_supervisors.iter().map(|n| (Role::MusicSupervisor, n.as_str())));
        out.extend(self.artists.iter().map(|n| (Role::Artist, n.as_str())));
        for t in &self.tracks {
            if let Some(a) = t.artist.as_deref()
                && !out.iter().any(|(_, n)| slugify(n) == slugify(a))
            {
                out.push((Role::Performer, a));
            }
        }
        out
    }
}

/// Parses and validates one record file. The record comes back whenever its
/// TOML could be read, with every problem of its values.
pub fn parse(path: &Path, text: &str) -> (Option<Record>, Vec<Problem>) {
    let src = Source::new(path, text);
    let slug = match file_slug(&src) {
        Ok(slug) => slug,
        Err(p) => return (None, p),
    };
    let mut record: Record = match super::toml_errors::parse(text) {
        Ok(r) => r,
        Err(errors) => {
            let problems = errors
                .into_iter()
                .map(|e| src.error(e.span.start, "invalid-record", format!("invalid record: {}", e.message)));
            return (None, problems.collect());
        }
    };
    record.slug = slug;
    record.path = path.to_path_buf();
    record.hash = content_hash(text);

    let mut problems = Vec::new();
    let mut need = |ok: bool, key: &str, what: &str| {
        if !ok {
            problems.push(match key_line(text, key) {
                0 => src.whole(Severity::Error, "invalid-record", what),
                line => src.error(src.line_offset(line), "invalid-record", what),
            });
        }
    };
    need(!record.title.trim().is_empty(), "title", "`title` (the album's title) must not be empty");
    need(!record.film.title.trim().is_empty(), "title", "`film.title` must not be empty");
    need((1888..=2100).contains(&record.film.year), "year", "`film.year` must be a year such as 1982");
    need(has_slug(&record.film.director), "director", "`film.director` must name the director");
    need(
        record.released.as_deref().is_none_or(valid_release_date),
        "released",
        "`released` must be a date: YYYY, YYYY-MM or YYYY-MM-DD",
    );
    for name in record.composers.iter().chain(&record.music_supervisors).chain(&record.artists) {
        need(has_slug(name), "", &format!("a name in composers, music_supervisors or artists is empty: {name:?}"));
    }
    for t in &record.tracks {
        need(!t.title.trim().is_empty(), "tracks", "every track needs a `title`");
    }
    (Some(record), problems)
}

fn has_slug(name: &str) -> bool {
    !slugify(name).is_empty()
}

fn valid_release_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2) && ("01"..="12").contains(m),
        [y, m, d] => chrono::NaiveDate::parse_from_str(&format!("{y}-{m}-{d}"), "%Y-%m-%d").is_ok() && digits(y, 4),
        _ => false,
    }
}

/// The line where `key =` is first written, for pointing at a bad value.
pub(crate) fn key_line(text: &str, key: &str) -> usize {
    if key.is_empty() {
        return 0;
    }
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('='))
                || l.starts_with(&format!("[[{key}]]"))
        })
        .map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
title = "Blade Runner"
kind = "score"
released = "1994-06"
composers = ["Vangelis"]
[film]
title = "Blade Runner"
year = 1982
director = "Ridley Scott"
[[tracks]]
title = "Love Theme"
artist = "Vangelis"
"#;

    #[test]
    fn parses_a_record_and_its_credits() {
        let (r, problems) = parse(Path::new("soundtracks/blade-runner-1982.toml"), GOOD);
        assert_eq!(problems, vec![]);
        assert_eq!(r.as_ref().map(|r| r.slug.as_str()), Some("blade-runner-1982"));
        let credits = r.as_ref().map(Record::credits).unwrap_or_default();
        // Vangelis is composer and track artist: credited once.
        assert_eq!(credits, vec![(Role::Director, "Ridley Scott"), (Role::Composer, "Vangelis")]);
    }

    #[test]
    fn reports_unknown_keys_and_bad_values_with_lines() {
        let bad = GOOD.replace("kind = \"score\"", "kind = \"scroe\"");
        let (r, p) = parse(Path::new("soundtracks/x.toml"), &bad);
        assert!(r.is_none());
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].line, p[0].column, p[0].code), (3, 8, "invalid-record"));
        assert!(p[0].message.contains("scroe"), "{}", p[0].message);

        let bad = GOOD.replace("1994-06", "June 1994");
        let (_, p) = parse(Path::new("soundtracks/x.toml"), &bad);
        assert_eq!((p.len(), p.first().map(|p| (p.line, p.column))), (1, Some((4, 1))));

        let (_, p) = parse(Path::new("soundtracks/Bad Name.toml"), GOOD);
        assert!(p[0].message.contains("slug"));
    }
}
