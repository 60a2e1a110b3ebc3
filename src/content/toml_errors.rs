//! Reading TOML with every error of a file found in one go, each at its own
//! place: an editor who fixes the first error should not have to run the
//! check again to meet the second.
//!
//! The `toml` crate does both halves. Its parser recovers from a syntax
//! error and goes on ([`DeTable::parse_recoverable`]), so every malformed
//! line is reported. Deserializing stops at the first unknown key, wrong
//! type or missing key; so the entry that error points at (by its span) is
//! taken out of the parsed tree and the rest is deserialized again, until it
//! reads or nothing more can be taken out. An entry taken out is not then
//! reported missing too: that would be the same mistake twice.

use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::de::{DeArray, DeTable, DeValue, Deserializer, Error};

/// How many value errors one file reports at most: each costs one more
/// reading of the parsed tree, and past this many nobody reads them.
const MAX_VALUE_ERRORS: usize = 32;

/// One error: where it is (byte offsets in the parsed text) and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TomlError {
    pub span: Range<usize>,
    pub message: String,
}

impl TomlError {
    fn of(e: &Error) -> Self {
        TomlError { span: e.span().unwrap_or(0..0), message: e.message().trim().to_owned() }
    }
}

/// Parses `text` as a `T`, with every error found. The value comes back only
/// when there is no error; the errors come in the order of the text.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, Vec<TomlError>> {
    let (mut root, syntax) = DeTable::parse_recoverable(text);
    let mut errors: Vec<TomlError> = syntax.iter().map(TomlError::of).collect();
    // Entries taken out so far: the span of the table they were in, and their key.
    let mut removed: Vec<(Range<usize>, String)> = Vec::new();
    let mut value_errors = 0;
    loop {
        let e = match T::deserialize(Deserializer::from(root.clone())) {
            Ok(value) if errors.is_empty() => return Ok(value),
            Ok(_) => break,
            Err(e) => e,
        };
        let span = e.span().unwrap_or(0..0);
        let restated =
            missing_field(e.message()).is_some_and(|key| removed.iter().any(|(table, k)| *table == span && k == key));
        if !restated {
            errors.push(TomlError::of(&e));
            value_errors += 1;
        }
        let root_span = root.span();
        let taken = take_entry(root_span, root.get_mut(), &span);
        match taken {
            Some(entry) if value_errors < MAX_VALUE_ERRORS => removed.push(entry),
            _ => break,
        }
    }
    errors.sort_by_key(|e| (e.span.start, e.span.end));
    errors.dedup();
    Err(errors)
}

/// `missing field `title`` → `title`.
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

/// Takes out of `table` (spanning `table_span`) the innermost entry whose key
/// or value holds `span`, looking inside nested tables and arrays; returns
/// the span of the table it was in and its key. A `[table]` header's span is
/// the header line alone, so every nested value is searched, not only those
/// whose span holds the error; and an array of tables has the span of its
/// first item's header, so the search goes in before it takes a whole entry.
fn take_entry(
    table_span: Range<usize>,
    table: &mut DeTable<'_>,
    span: &Range<usize>,
) -> Option<(Range<usize>, String)> {
    let keys: Vec<_> = table.keys().cloned().collect();
    for key in keys {
        let Some(value) = table.get_mut(&key) else { continue };
        let value_span = value.span();
        let whole = holds(&key.span(), span) || value_span == *span;
        if !holds(&key.span(), span)
            && let Some(taken) = inside(value_span.clone(), value.get_mut(), span)
        {
            return Some(taken);
        }
        if whole || holds(&value_span, span) {
            table.remove(&key);
            return Some((table_span, key.get_ref().to_string()));
        }
    }
    None
}

/// [`take_entry`] in a value: a table, or an array, where the item the
/// error is about is taken out whole (and no key goes missing).
fn inside(value_span: Range<usize>, value: &mut DeValue<'_>, span: &Range<usize>) -> Option<(Range<usize>, String)> {
    match value {
        DeValue::Table(t) => take_entry(value_span, t, span),
        DeValue::Array(items) => {
            let mut found = None;
            for (i, item) in items.as_mut().iter_mut().enumerate() {
                let item_span = item.span();
                if item_span != *span
                    && let Some(taken) = inside(item_span.clone(), item.get_mut(), span)
                {
                    return Some(taken);
                }
                if item_span == *span || holds(&item_span, span) {
                    found = Some(i);
                    break;
                }
            }
            let i = found?;
            let kept: DeArray<'_> = std::mem::replace(items, DeArray::new())
                .into_iter()
                .enumerate()
                .filter_map(|(j, item)| (j != i).then_some(item))
                .collect();
            *items = kept;
            Some((value_span, String::new()))
        }
        _ => None,
    }
}

/// Whether `outer` holds `span` (an empty span at 0 holds nothing: it is
/// what a spanless error and the root table get).
fn holds(outer: &Range<usize>, span: &Range<usize>) -> bool {
    *outer != (0..0) && outer.start <= span.start && span.end <= outer.end
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        title: String,
        #[serde(default)]
        count: u32,
        #[serde(default)]
        inner: Option<Inner>,
        #[serde(default)]
        items: Vec<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        name: String,
    }

    fn errors(text: &str) -> Vec<(String, String)> {
        match parse::<Doc>(text) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|e| (text[e.span].to_owned(), e.message)).collect(),
        }
    }

    #[test]
    fn every_error_is_found_at_its_own_place() {
        let found = errors("title = \"A\"\ncount = \"many\"\ncolour = 1\nbad line\n");
        let at: Vec<&str> = found.iter().map(|(at, _)| at.as_str()).collect();
        assert_eq!(at.len(), 3, "{found:?}");
        assert_eq!(at[0], "\"many\"");
        assert_eq!(at[1], "colour");
        assert!(at[2].starts_with("bad") || at[2].is_empty() || at[2] == "\n", "{found:?}");
    }

    #[test]
    fn nested_errors_and_missing_keys_are_found_together() {
        let text = "count = -1\n[inner]\nnam = \"x\"\n[[items]]\nname = 1\n[[items]]\nname = \"ok\"\nextra = 2\n";
        let found = errors(text);
        let messages: Vec<&str> = found.iter().map(|(_, m)| m.as_str()).collect();
        assert!(messages.iter().any(|m| m.contains("missing field `title`")), "{found:?}");
        assert!(found.iter().any(|(at, _)| at == "-1"), "{found:?}");
        assert!(found.iter().any(|(at, _)| at == "nam"), "{found:?}");
        assert!(found.iter().any(|(at, _)| at == "1"), "{found:?}");
        assert!(found.iter().any(|(at, _)| at == "extra"), "{found:?}");
    }

    #[test]
    fn a_removed_entry_is_not_reported_missing_too() {
        let found = errors("title = 5\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "5");
        assert!(parse::<Doc>("title = \"A\"\n").is_ok());
    }
}
