//! Rendering JSON values as text for the query string, headers, path
//! segments and form fields (the checks are in `check`), and joining a
//! list's texts by its collection format.
//!
//! Strings are sent as given, integers and numbers in decimal (an
//! integer keeps its exact digits, however many), booleans as `true` /
//! `false`.

use crate::operation::{CollectionFormat, ParamType};
use serde_json::Value;

/// What the caller gave, for error messages: the JSON text, shortened.
pub(crate) fn describe(v: &Value) -> String {
    let kind = crate::json_kind::name(v);
    if matches!(v, Value::Null | Value::Array(_) | Value::Object(_)) {
        return kind.to_string();
    }
    let mut text = v.to_string();
    if text.len() > 60 {
        let mut cut = 57;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("...");
    }
    format!("{kind} ({text})")
}

pub(crate) fn article(ty: ParamType) -> &'static str {
    match ty {
        ParamType::String => "a string",
        ParamType::Integer => "an integer",
        ParamType::Number => "a number",
        ParamType::Boolean => "a boolean (true or false)",
        ParamType::Array => "a list",
        ParamType::File => "a file reference",
        ParamType::Object => "an object",
    }
}

/// The text of a scalar value, or `None` for null, lists and objects.
pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.as_str().to_string()),
        Value::Bool(b) => Some(if *b { "true" } else { "false" }.to_string()),
        _ => None,
    }
}

/// A number that is a whole number, as decimal text, computed exactly
/// from the number's own text (serde_json's `arbitrary_precision`): an
/// integer literal keeps its digits however many; `3.0`, `1e3` or
/// `2.50e1` are written as the integer they are; `1.5` or
/// `1.0000000000000000001` are not integers (nothing is rounded).
pub(crate) fn integer_text(v: &Value) -> Option<String> {
    let Value::Number(n) = v else { return None };
    let text = n.as_str();
    // The common case: an integer literal already in its shortest form
    // is its own text.
    if canonical_integer(text) {
        return Some(text.to_string());
    }
    exact_integer(text)
}

/// Whether `text` is `0` or an optional `-` and digits without a leading
/// zero: an integer written as [`exact_integer`] writes it.
fn canonical_integer(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text).as_bytes();
    match digits {
        [] => false,
        [b'0'] => digits.len() == text.len(),
        [first, ..] => *first != b'0' && digits.iter().all(u8::is_ascii_digit),
    }
}

/// The longest integer written out from an exponent (`1e1000`).
const MAX_DIGITS: i64 = 1000;

/// The integer a JSON number's text denotes exactly, if it is one.
fn exact_integer(text: &str) -> Option<String> {
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exp) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], text[at + 1..].parse::<i64>().ok()?),
        None => (text, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: String = [int, frac].concat();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Where the decimal point falls in `digits` once the exponent applies.
    let point = (int.len() as i64).checked_add(exp)?;
    if point > MAX_DIGITS {
        return None;
    }
    let (whole, rest) = if point <= 0 {
        (String::new(), digits.as_str())
    } else if point as usize >= digits.len() {
        let zeros = "0".repeat(point as usize - digits.len());
        (format!("{digits}{zeros}"), "")
    } else {
        let (w, r) = digits.split_at(point as usize);
        (w.to_string(), r)
    };
    if !rest.bytes().all(|b| b == b'0') {
        return None;
    }
    let whole = whole.trim_start_matches('0');
    Some(match (whole.is_empty(), negative) {
        (true, _) => "0".to_string(),
        (false, true) => format!("-{whole}"),
        (false, false) => whole.to_string(),
    })
}

/// Appends `name` with its texts to `pairs` by the collection format:
/// repeated for `multi`, joined otherwise (Swagger's default is `csv`).
pub(crate) fn push_collection<K: Clone>(
    pairs: &mut Vec<(K, String)>,
    name: K,
    format: CollectionFormat,
    is_array: bool,
    texts: Vec<String>,
) {
    if texts.is_empty() {
        return;
    }
    let sep = match format {
        CollectionFormat::Multi => None,
        CollectionFormat::None if !is_array => None,
        f => Some(f.separator().unwrap_or(',')),
    };
    match sep {
        Some(sep) if texts.len() > 1 => {
            let mut joined = String::new();
            for (i, t) in texts.iter().enumerate() {
                if i > 0 {
                    joined.push(sep);
                }
                joined.push_str(t);
            }
            pairs.push((name, joined));
        }
        _ => pairs.extend(texts.into_iter().map(|t| (name.clone(), t))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_exact() {
        let int = |t: &str| integer_text(&serde_json::from_str(t).unwrap());
        for (text, want) in [
            ("18446744073709551616", Some("18446744073709551616")),
            ("-12", Some("-12")),
            ("3.0", Some("3")),
            ("1e3", Some("1000")),
            ("2.50e1", Some("25")),
            ("-0.0", Some("0")),
            ("120e-1", Some("12")),
            ("1.5", None),
            ("1.0000000000000000001", None),
            ("1e-3", None),
            ("1e5000", None),
            ("0", Some("0")),
            ("-0", Some("0")),
            ("7", Some("7")),
            ("-9223372036854775809", Some("-9223372036854775809")),
        ] {
            assert_eq!(int(text).as_deref(), want, "{text}");
        }
    }

    proptest::proptest! {
        #![proptest_config(crate::proptest_config::kept_beside(512))]
        /// The shortcut for integer literals says what the exact path says.
        #[test]
        fn canonical_integers_are_their_own_text(text in "-?[0-9]{0,25}") {
            if canonical_integer(&text) {
                proptest::prop_assert_eq!(exact_integer(&text), Some(text.clone()));
            }
            if let Ok(v) = serde_json::from_str::<Value>(&text) {
                proptest::prop_assert_eq!(integer_text(&v), exact_integer(&text));
            }
        }
    }

    #[test]
    fn collections_join_by_format() {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        let t = || vec!["a".to_string(), "b".to_string()];
        push_collection(&mut pairs, "ids", CollectionFormat::Multi, true, t());
        push_collection(&mut pairs, "c", CollectionFormat::Csv, true, t());
        push_collection(&mut pairs, "n", CollectionFormat::None, true, t());
        push_collection(&mut pairs, "e", CollectionFormat::Csv, true, Vec::new());
        let want: Vec<(&str, String)> = [("ids", "a"), ("ids", "b"), ("c", "a,b"), ("n", "a,b")]
            .iter()
            .map(|(k, v)| (*k, v.to_string()))
            .collect();
        assert_eq!(pairs, want);
    }
}
