//! A JSON value as the compact bytes of a request body: exactly what
//! `serde_json::to_vec` writes, but a string with nothing to escape
//! (most ids, filters and names) is copied whole after an eight-bytes-
//! at-a-time look ([`crate::swar`]), where the serializer looks up every
//! byte in its escape table.

use serde_json::Value;
use std::borrow::Cow;

/// `value` as compact JSON bytes, as `serde_json::to_vec` gives them.
pub(crate) fn to_vec(value: &Value) -> Vec<u8> {
    let mut out = Vec::with_capacity(size(value));
    write(&mut out, value);
    out
}

/// The object of `members`, in their order, as compact JSON bytes (in a
/// one-element list when `in_list`): what [`to_vec`] writes for that
/// object, with no map made of it. The names must differ.
pub(crate) fn members_to_vec(members: &[(&str, Cow<'_, Value>)], in_list: bool) -> Vec<u8> {
    let members = || members.iter().map(|(k, v)| (*k, &**v));
    // Two more for the list's brackets.
    let mut out = Vec::with_capacity(object_size(members()) + 2);
    if in_list {
        out.push(b'[');
    }
    object(&mut out, members());
    if in_list {
        out.push(b']');
    }
    out
}

/// About the length of `value` written (exact when nothing is escaped
/// and numbers are short): room reserved once instead of growing.
fn size(value: &Value) -> usize {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) => 8,
        Value::String(s) => s.len() + 2,
        Value::Array(items) => items.iter().map(|v| size(v) + 1).sum::<usize>() + 2,
        Value::Object(map) => object_size(map.iter().map(|(k, v)| (k.as_str(), v))),
    }
}

/// [`size`] of an object of `members`.
fn object_size<'a>(members: impl Iterator<Item = (&'a str, &'a Value)>) -> usize {
    members.map(|(k, v)| k.len() + 4 + size(v)).sum::<usize>() + 2
}

fn write(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::String(s) => string(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => object(out, map.iter().map(|(k, v)| (k.as_str(), v))),
        // The serializer's own text of a number; writing to a vector
        // cannot fail.
        Value::Number(_) => {
            let _ = serde_json::to_writer(&mut *out, value);
        }
    }
}

/// An object of `members`, in their order.
fn object<'a>(out: &mut Vec<u8>, members: impl Iterator<Item = (&'a str, &'a Value)>) {
    out.push(b'{');
    for (i, (key, item)) in members.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(out, key);
        out.push(b':');
        write(out, item);
    }
    out.push(b'}');
}

/// A string: copied between quotes when no byte needs an escape, else
/// written by the serializer.
fn string(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    let from = crate::swar::skip(b, 0, crate::swar::json_escaped);
    if b[from..]
        .iter()
        .any(|&c| c < 0x20 || c == b'"' || c == b'\\')
    {
        let _ = serde_json::to_writer(&mut *out, s);
    } else {
        out.reserve(b.len() + 2);
        out.push(b'"');
        out.extend_from_slice(b);
        out.push(b'"');
    }
}

#[cfg(test)]
mod tests {
    use super::{members_to_vec, to_vec};
    use crate::test_values::arb_value;
    use proptest::prelude::*;
    use serde_json::{json, Map, Value};
    use std::borrow::Cow;

    #[test]
    fn writes_what_the_serializer_writes() {
        for v in [
            json!(null),
            json!({"ids": ["inc:0123456789abcdef0123456789abcdef:1", "a\"b", "tab\there", "\u{1f}", "é😀\u{7f}"]}),
            json!({"a": {"b": [1, -2.5, 1e300, true, false, null, [], {}]}, "": ""}),
            json!("a long string of plain text without any byte to escape, and \\ one"),
            serde_json::from_str(r#"{"big": 123456789012345678901234567890, "x": 1.0}"#).unwrap(),
        ] {
            assert_eq!(to_vec(&v), serde_json::to_vec(&v).unwrap(), "{v}");
        }
    }

    proptest! {
        #![proptest_config(crate::proptest_config::kept_beside(512))]

        #[test]
        fn any_value_is_written_as_the_serializer_writes_it(v in arb_value()) {
            prop_assert_eq!(to_vec(&v), serde_json::to_vec(&v).unwrap());
        }

        #[test]
        fn members_are_written_as_their_object_is(
            values in prop::collection::vec(arb_value(), 0..4),
            in_list in any::<bool>(),
        ) {
            const NAMES: [&str; 4] = ["ids", "a\"b", "é", ""];
            let members: Vec<(&str, Cow<'_, Value>)> =
                NAMES.iter().zip(&values).map(|(k, v)| (*k, Cow::Borrowed(v))).collect();
            let object: Map<String, Value> =
                NAMES.iter().zip(&values).map(|(k, v)| (k.to_string(), v.clone())).collect();
            let value = if in_list {
                json!([object])
            } else {
                Value::Object(object)
            };
            prop_assert_eq!(members_to_vec(&members, in_list), serde_json::to_vec(&value).unwrap());
        }
    }
}
