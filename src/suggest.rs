//! Did-you-mean: the known names closest to a mistyped one. Every
//! suggestion in the crate (operations, arguments, collections) uses this
//! one rule: case-insensitive edit distance, at most a third of the
//! name's length (and at least 2).

/// The candidates close enough to `name` to be a likely typo, closest
/// first (ties in the candidates' order).
///
/// ```
/// use falcon_harness::suggest::closest;
/// assert_eq!(closest("LIMT", ["limit", "offset"]), vec!["limit"]);
/// assert!(closest("zzzzzz", ["limit"]).is_empty());
/// ```
pub fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Vec<&'c str> {
    let lower = name.to_ascii_lowercase();
    let limit = (lower.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, usize, &'c str)> = candidates
        .into_iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let d = strsim::levenshtein(&lower, &c.to_ascii_lowercase());
            (d <= limit).then_some((d, i, c))
        })
        .collect();
    scored.sort_unstable();
    scored.into_iter().map(|(_, _, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn closest_first_and_bounded() {
        assert_eq!(
            closest("ofset", ["limit", "offset", "offsets"]),
            ["offset", "offsets"]
        );
        assert_eq!(closest("ab", ["xy", "ab"]), ["ab", "xy"]);
        assert!(closest("QueryIncidents", ["GetObject"]).is_empty());
    }
}
