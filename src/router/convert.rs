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
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "true" } else { "false" }.to_string()),
        _ => None,
    }
}

/// A number that is a whole number, as decimal text. An integer literal
/// keeps its exact text, however long (serde_json's
/// `arbitrary_precision`); `3.0` or `1e3` is written as an integer when
/// it is one exactly.
pub(crate) fn integer_text(v: &Value) -> Option<String> {
    let Value::Number(n) = v else { return None };
    let text = n.to_string();
    let digits = text.strip_prefix('-').unwrap_or(&text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Some(text);
    }
    let f = n.as_f64()?;
    (f.fract() == 0.0 && f.abs() < 9.0e15).then(|| format!("{}", f as i64))
}

/// Appends `name` with its texts to `pairs` by the collection format:
/// repeated for `multi`, joined otherwise (Swagger's default is `csv`).
pub(crate) fn push_collection(
    pairs: &mut Vec<(String, String)>,
    name: &str,
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
            pairs.push((name.to_string(), joined));
        }
        _ => pairs.extend(texts.into_iter().map(|t| (name.to_string(), t))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collections_join_by_format() {
        let mut pairs = Vec::new();
        let t = || vec!["a".to_string(), "b".to_string()];
        push_collection(&mut pairs, "ids", CollectionFormat::Multi, true, t());
        push_collection(&mut pairs, "c", CollectionFormat::Csv, true, t());
        push_collection(&mut pairs, "n", CollectionFormat::None, true, t());
        push_collection(&mut pairs, "e", CollectionFormat::Csv, true, Vec::new());
        let want: Vec<(String, String)> = [("ids", "a"), ("ids", "b"), ("c", "a,b"), ("n", "a,b")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(pairs, want);
    }
}
