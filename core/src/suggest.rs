//! "Did you mean" suggestions for misspelt keys, fields and ids.

/// The candidate closest to `input`, if it is close enough to be what the
/// user meant. Ties go to the candidate listed first.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for cand in candidates {
        if cand == input {
            continue;
        }
        let score = strsim::jaro_winkler(input, cand);
        if score >= 0.85 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, cand));
        }
    }
    best.map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn transposed_letters_are_suggested() {
        assert_eq!(
            closest("tilte", ["title", "owner"]).as_deref(),
            Some("title")
        );
    }

    #[test]
    fn unrelated_words_get_no_suggestion() {
        assert_eq!(closest("zebra", ["title", "owner"]), None);
    }
}
