//! Places and extents a press report names as where an outage was felt: countries, large
//! cities and lowercase scope phrases ("worldwide", "across the globe"), from
//! `data/places.toml`. Cloud regions are [`super::region`]'s; this is the rest of the
//! vocabulary news copy uses. Pure lookups, no I/O.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::Deserialize;

const BUILTIN_TOML: &str = include_str!("../../data/places.toml");

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlacesFile {
    countries: Vec<String>,
    cities: Vec<String>,
    states: Vec<String>,
    scopes: Vec<String>,
}

/// One place or extent found in a text, as written there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceMention {
    pub text: String,
    pub start: usize,
    pub end: usize,
    /// A lowercase extent ("worldwide"), not a named place.
    pub scope: bool,
}

struct Matcher {
    names: AhoCorasick,
    name_count: usize,
    scopes: AhoCorasick,
}

static MATCHER: LazyLock<Option<Matcher>> = LazyLock::new(|| {
    // The file ships inside the binary and a unit test reads it: a parse failure is a bug in
    // this crate, and then no place is found rather than a panic on a user's input.
    let file: PlacesFile = toml::from_str(BUILTIN_TOML).ok()?;
    let names: Vec<&String> = file
        .countries
        .iter()
        .chain(file.cities.iter())
        .chain(file.states.iter())
        .collect();
    let build = |patterns: &[&String], fold: bool| {
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(fold)
            .build(patterns)
            .ok()
    };
    let scopes: Vec<&String> = file.scopes.iter().collect();
    Some(Matcher {
        names: build(&names, false)?,
        name_count: names.len(),
        scopes: build(&scopes, true)?,
    })
});

fn whole_word(text: &str, start: usize, end: usize) -> bool {
    let before = text.get(..start).and_then(|s| s.chars().next_back());
    let after = text.get(end..).and_then(|s| s.chars().next());
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// Countries, cities, states and scope phrases in `text`, in text order.
pub fn find_places(text: &str) -> Vec<PlaceMention> {
    let Some(m) = MATCHER.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for hit in m.names.find_iter(text) {
        if hit.pattern().as_usize() >= m.name_count || !whole_word(text, hit.start(), hit.end()) {
            continue;
        }
        // "the New York Times", "London Stock Exchange": a name, not the place.
        let next = text.get(hit.end()..).unwrap_or("");
        if next.starts_with(' ')
            && next
                .trim_start()
                .chars()
                .next()
                .is_some_and(char::is_uppercase)
        {
            continue;
        }
        out.push(PlaceMention {
            text: text.get(hit.range()).unwrap_or("").to_string(),
            start: hit.start(),
            end: hit.end(),
            scope: false,
        });
    }
    for hit in m.scopes.find_iter(text) {
        let written = text.get(hit.range()).unwrap_or("");
        if !whole_word(text, hit.start(), hit.end()) {
            continue;
        }
        out.push(PlaceMention {
            text: written.to_string(),
            start: hit.start(),
            end: hit.end(),
            scope: true,
        });
    }
    out.sort_by_key(|p| p.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        find_places(s).into_iter().map(|p| p.text).collect()
    }

    #[test]
    fn the_vocabulary_file_parses() {
        assert!(toml::from_str::<PlacesFile>(BUILTIN_TOML).is_ok());
        assert!(MATCHER.is_some());
    }

    #[test]
    fn places_and_extents_as_written() {
        assert_eq!(
            texts("Users in India and Japan, and around the world, could not log in."),
            vec!["India", "Japan", "around the world"]
        );
        assert_eq!(
            texts("Outages in Texas and Ontario hit users worldwide."),
            vec!["Texas", "Ontario", "worldwide"]
        );
        assert_eq!(
            texts("Sites such as the New York Times failed in London."),
            vec!["London"]
        );
        // Capitalisation decides for names: "china" the dishes, "Ukraine" the country.
        assert!(texts("the china cabinet").is_empty());
    }
}
