//! Rendering JSON values as text for the query string, headers, path
//! segments and form fields, with the type checks of strict mode.
//!
//! Strings are sent as given, integers and numbers in decimal (floats in
//! their shortest round-tripping form), booleans as `true` / `false`.

use crate::error::Error;
use crate::operation::{CollectionFormat, Param, ParamType};
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

fn article(ty: ParamType) -> &'static str {
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

/// A number that is a whole number, as decimal text.
fn integer_text(v: &Value) -> Option<String> {
    let Value::Number(n) = v else { return None };
    if n.is_i64() || n.is_u64() {
        return Some(n.to_string());
    }
    let f = n.as_f64()?;
    (f.fract() == 0.0 && f.abs() < 9.0e15).then(|| format!("{}", f as i64))
}

/// Checks one scalar value against a type (and enum), returning its text.
///
/// Lists and objects are errors in both modes; in lenient mode a scalar
/// of the wrong type (or outside the enum) passes through as text.
pub(crate) fn scalar(
    op: &str,
    name: &str,
    ty: ParamType,
    enum_values: &[&str],
    v: &Value,
    lenient: bool,
) -> Result<String, Error> {
    let mismatch = || {
        Error::argument(
            op,
            name,
            format!("expected {}, got {}", article(ty), describe(v)),
        )
    };
    let text = match (ty, v) {
        (_, Value::Array(_) | Value::Object(_) | Value::Null) => return Err(mismatch()),
        (ParamType::Integer, Value::Number(_)) => match integer_text(v) {
            Some(t) => t,
            None if lenient => v.to_string(),
            None => return Err(mismatch()),
        },
        (ParamType::Integer, Value::String(s)) => {
            if !lenient && s.parse::<i64>().is_err() && s.parse::<u64>().is_err() {
                return Err(mismatch());
            }
            s.clone()
        }
        (ParamType::Number, Value::String(s)) => {
            if !lenient && !s.parse::<f64>().is_ok_and(f64::is_finite) {
                return Err(mismatch());
            }
            s.clone()
        }
        (ParamType::Boolean, Value::String(s)) => {
            if s.eq_ignore_ascii_case("true") {
                "true".to_string()
            } else if s.eq_ignore_ascii_case("false") {
                "false".to_string()
            } else if lenient {
                s.clone()
            } else {
                return Err(mismatch());
            }
        }
        (ParamType::Integer | ParamType::Number, Value::Bool(_))
        | (ParamType::Boolean, Value::Number(_)) => {
            if !lenient {
                return Err(mismatch());
            }
            scalar_text(v).unwrap_or_default()
        }
        (ParamType::File, _) => return Err(mismatch()),
        _ => scalar_text(v).unwrap_or_default(),
    };
    if !enum_values.is_empty() && !enum_values.contains(&text.as_str()) && !lenient {
        return Err(Error::argument(
            op,
            name,
            format!(
                "expected one of {}; got {}",
                quoted_list(enum_values),
                describe(v)
            ),
        ));
    }
    Ok(text)
}

fn quoted_list(values: &[&str]) -> String {
    let mut out = String::new();
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push('"');
        out.push_str(v);
        out.push('"');
    }
    out
}

/// Splits a comma-separated string into its trimmed, non-empty pieces.
pub(crate) fn split_commas(s: &str) -> impl Iterator<Item = &str> {
    s.split(',').map(str::trim).filter(|p| !p.is_empty())
}

/// The texts of a parameter's value, one per element for an array
/// parameter (a list, a comma-separated string or a single scalar).
/// A list given to a scalar parameter is an error in strict mode (except
/// `ids`, which is joined with commas); lenient mode repeats the key.
pub(crate) fn param_texts(
    op: &str,
    p: &Param,
    name: &str,
    v: &Value,
    lenient: bool,
) -> Result<Vec<String>, Error> {
    let is_array = p.ty() == ParamType::Array;
    let ty = if is_array {
        p.items().unwrap_or(ParamType::String)
    } else {
        p.ty()
    };
    let enums = p.enum_values();
    match v {
        Value::Array(items) => {
            if !is_array && !lenient && p.name() != "ids" {
                return Err(Error::argument(
                    op,
                    name,
                    format!("expected {}, got {}", article(p.ty()), describe(v)),
                ));
            }
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                if item.is_null() {
                    continue;
                }
                out.push(scalar(op, name, ty, enums, item, lenient)?);
            }
            if !is_array && p.name() == "ids" && !out.is_empty() {
                return Ok(vec![out.join(",")]);
            }
            Ok(out)
        }
        Value::String(s) if is_array => split_commas(s)
            .map(|piece| {
                scalar(
                    op,
                    name,
                    ty,
                    enums,
                    &Value::String(piece.to_string()),
                    lenient,
                )
            })
            .collect(),
        _ => Ok(vec![scalar(op, name, ty, enums, v, lenient)?]),
    }
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

/// Checks (strict mode) and normalises a flat value for a body field:
/// a comma-separated string or a single scalar for a list of scalars
/// becomes a list. Lenient mode passes values through unchanged.
pub(crate) fn field_value(
    op: &str,
    name: &str,
    ty: ParamType,
    items: Option<ParamType>,
    v: &Value,
    lenient: bool,
) -> Result<Value, Error> {
    let mismatch = || {
        Error::argument(
            op,
            name,
            format!("expected {}, got {}", article(ty), describe(v)),
        )
    };
    let ok = match (ty, v) {
        (ParamType::Object, _) => true,
        (ParamType::String, Value::String(_)) => true,
        (ParamType::Boolean, Value::Bool(_)) => true,
        (ParamType::Number, Value::Number(_)) => true,
        (ParamType::Integer, Value::Number(_)) => integer_text(v).is_some(),
        (ParamType::Array, Value::Array(elems)) => {
            if let Some(it) = items.filter(|t| *t != ParamType::Object) {
                for e in elems {
                    field_value(op, name, it, None, e, lenient)?;
                }
            }
            true
        }
        (ParamType::Array, Value::String(s))
            if items == Some(ParamType::String) || items.is_none() =>
        {
            return Ok(Value::Array(
                split_commas(s)
                    .map(|p| Value::String(p.to_string()))
                    .collect(),
            ));
        }
        (ParamType::Array, Value::Number(_) | Value::Bool(_))
            if items.is_some_and(|t| t != ParamType::Object) =>
        {
            let it = items.unwrap_or(ParamType::String);
            field_value(op, name, it, None, v, lenient)?;
            return Ok(Value::Array(vec![v.clone()]));
        }
        _ => false,
    };
    if ok || lenient {
        Ok(v.clone())
    } else {
        Err(mismatch())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_render_in_decimal_and_lowercase() {
        let s = |ty, v: Value| scalar("Op", "x", ty, &[], &v, false);
        assert_eq!(s(ParamType::String, json!("a b")).unwrap(), "a b");
        assert_eq!(s(ParamType::String, json!(5)).unwrap(), "5");
        assert_eq!(s(ParamType::String, json!(true)).unwrap(), "true");
        assert_eq!(s(ParamType::Integer, json!(-12)).unwrap(), "-12");
        assert_eq!(s(ParamType::Integer, json!(3.0)).unwrap(), "3");
        assert_eq!(
            s(ParamType::Integer, json!(18446744073709551615u64)).unwrap(),
            "18446744073709551615"
        );
        assert_eq!(s(ParamType::Number, json!(0.1)).unwrap(), "0.1");
        assert_eq!(s(ParamType::Number, json!(1e300)).unwrap(), "1e+300");
        assert_eq!(s(ParamType::Boolean, json!(false)).unwrap(), "false");
        assert_eq!(s(ParamType::Boolean, json!("TRUE")).unwrap(), "true");
        assert_eq!(s(ParamType::Integer, json!("42")).unwrap(), "42");
    }

    #[test]
    fn strict_type_errors_and_lenient_pass_through() {
        let strict = |ty, v: Value| scalar("Op", "x", ty, &[], &v, false);
        let lenient = |ty, v: Value| scalar("Op", "x", ty, &[], &v, true);
        for (ty, v) in [
            (ParamType::Integer, json!("abc")),
            (ParamType::Integer, json!(1.5)),
            (ParamType::Integer, json!(true)),
            (ParamType::Number, json!("x1")),
            (ParamType::Boolean, json!("yes")),
            (ParamType::Boolean, json!(1)),
        ] {
            let e = strict(ty, v.clone()).unwrap_err().to_string();
            assert!(e.starts_with("Op: argument \"x\": expected"), "{e}");
            assert!(lenient(ty, v).is_ok());
        }
        for v in [json!({"a": 1}), json!([1])] {
            assert!(strict(ParamType::String, v.clone()).is_err());
            assert!(lenient(ParamType::String, v).is_err());
        }
    }

    #[test]
    fn enum_values_are_checked_in_strict_mode() {
        let e = scalar(
            "Op",
            "sort",
            ParamType::String,
            &["a.asc", "a.desc"],
            &json!("b"),
            false,
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("expected one of \"a.asc\", \"a.desc\""),
            "{e}"
        );
        assert_eq!(
            scalar(
                "Op",
                "sort",
                ParamType::String,
                &["a.asc"],
                &json!("b"),
                true
            )
            .unwrap(),
            "b"
        );
        assert_eq!(
            scalar(
                "Op",
                "impact",
                ParamType::Integer,
                &["1", "2"],
                &json!(2),
                false
            )
            .unwrap(),
            "2"
        );
    }

    #[test]
    fn comma_strings_split_and_collections_join() {
        let pieces: Vec<_> = split_commas(" a, b,,c ").collect();
        assert_eq!(pieces, ["a", "b", "c"]);
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

    #[test]
    fn body_field_values_are_normalised() {
        let f = |ty, items, v: Value| field_value("Op", "f", ty, items, &v, false);
        assert_eq!(
            f(ParamType::Array, Some(ParamType::String), json!("a,b")).unwrap(),
            json!(["a", "b"])
        );
        assert_eq!(
            f(ParamType::Array, Some(ParamType::Integer), json!(7)).unwrap(),
            json!([7])
        );
        assert!(f(ParamType::Array, Some(ParamType::Integer), json!(["x"])).is_err());
        assert!(f(ParamType::Integer, None, json!("5")).is_err());
        assert!(field_value("Op", "f", ParamType::Integer, None, &json!("5"), true).is_ok());
        assert_eq!(f(ParamType::Object, None, json!([1])).unwrap(), json!([1]));
    }
}
