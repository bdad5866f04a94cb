//! "Did you mean ...?" suggestions.

/// The candidate closest to `wrong`, if one is close enough to be a likely typo.
///
/// Ties go to the alphabetically first candidate, so messages are deterministic.
pub fn did_you_mean<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        // A third of the longer name: a short misspelling of a longer name (`takof` for
        // `takeoff`) is still close.
        let limit = (wrong.chars().count().max(c.chars().count()) / 3).clamp(1, 4);
        let d = strsim::damerau_levenshtein(wrong, c);
        let better = match best {
            None => true,
            Some((bd, bc)) => d < bd || (d == bd && c < bc),
        };
        if d <= limit && better {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_the_closest_name() {
        let names = ["cidr_block", "enable_dns_support", "tags"];
        assert_eq!(did_you_mean("cidr_blok", names), Some("cidr_block"));
        assert_eq!(did_you_mean("tagz", names), Some("tags"));
        assert_eq!(did_you_mean("takof", ["takeoff", "cvd", "ai-prism"]), Some("takeoff"));
    }

    #[test]
    fn stays_quiet_when_nothing_is_close() {
        assert_eq!(did_you_mean("instance_class", ["cidr_block", "tags"]), None);
    }
}
