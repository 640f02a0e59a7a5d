//! Region names of `_clouds.json` and the rules derived from them: the
//! spelling-insensitive key a user may type (`US1`, `usgov1`, `eu-1`), the
//! Rust variant name the library's `Cloud` gets, and which regions are
//! government clouds. The names themselves are data; only these rules are
//! code.

/// The cloud name that means "start at the `auto` host and follow the
/// region the token reply names". No region may be called so.
pub const AUTO: &str = "auto";

/// The key a name is matched by: lower case, without `-` and `_`
/// (`US-GOV-1`, `usgov1` and `us_gov_1` all give `usgov1`).
///
/// ```
/// assert_eq!(falcon_harness_spec::region::key("US-Gov_1"), "usgov1");
/// ```
pub fn key(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a region is a US government cloud: one of its `-` separated
/// labels is `gov` (`us-gov-1`). Those are never switched to or from by
/// autodiscovery.
///
/// ```
/// use falcon_harness_spec::region::is_gov;
/// assert!(is_gov("us-gov-2") && !is_gov("eu-1") && !is_gov("govx-1"));
/// ```
pub fn is_gov(name: &str) -> bool {
    name.split('-').any(|label| label == "gov")
}

/// The Rust variant name of a region: its labels capitalised and joined
/// (`us-gov-1` -> `UsGov1`).
///
/// ```
/// assert_eq!(falcon_harness_spec::region::variant("us-gov-1"), "UsGov1");
/// ```
pub fn variant(name: &str) -> String {
    name.split('-')
        .map(|label| {
            let mut c = label.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Checks a region name: lower-case ASCII letters and digits in
/// `-`-separated labels, starting with a letter, and not `auto`.
pub fn check_name(name: &str) -> Result<(), String> {
    let labels_ok = name.split('-').all(|l| {
        !l.is_empty()
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if !labels_ok || !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(format!(
            "region name {name:?}: expected lower-case letters and digits in '-'-separated labels, starting with a letter"
        ));
    }
    if key(name) == AUTO {
        return Err(format!("region name {name:?} is reserved"));
    }
    Ok(())
}
