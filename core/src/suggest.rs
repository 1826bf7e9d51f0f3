//! "Did you mean": the known name most like a name that is not known, for the errors of
//! every front end (schemas, deployments, the command line).

/// Levenshtein distance between two short names, in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

/// The candidate most like `name`, if one is like it: the same last dotted component in
/// another namespace (`Pricing` for `storefront.Pricing`), or a last component within a
/// typo's distance of `name`'s (a third of its length, 1 to 3 edits), case aside. The
/// nearest wins; among equals, the first in sorted order. `name` itself is never suggested.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let last = |n: &str| n.rsplit('.').next().unwrap_or(n).to_lowercase();
    let wanted = last(name);
    let budget = (wanted.chars().count() / 3).clamp(1, 3);
    candidates
        .into_iter()
        .filter(|&candidate| candidate != name)
        .filter_map(|candidate| {
            let distance = edit_distance(&wanted, &last(candidate));
            (distance <= budget).then_some((distance, candidate))
        })
        .min()
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("Mony", "Money"), 1);
        assert_eq!(edit_distance("Monster", "Monster"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn the_nearest_name_is_suggested_across_namespaces_and_case() {
        let known = ["storefront.Catalog", "storefront.Pricing", "hello.Greeter"];
        assert_eq!(
            closest("storefront.Pricng", known),
            Some("storefront.Pricing")
        );
        assert_eq!(closest("Pricing", known), Some("storefront.Pricing"));
        assert_eq!(closest("hello.Greetr", known), Some("hello.Greeter"));
        assert_eq!(
            closest("STOREFRONT.PRICING", known),
            Some("storefront.Pricing")
        );
        assert_eq!(closest("shipping.Tracker", known), None);
        assert_eq!(closest("storefront.Pricing", known), None);
    }
}
