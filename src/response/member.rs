//! Where one member of a reply's top-level object lies (its value's
//! bytes), so reading `resources` decodes those bytes alone instead of the
//! whole body (`meta`, `errors` and every other member).
//!
//! It answers only where that gives exactly what decoding the whole body
//! and taking the member gives; otherwise `None`, and the caller decodes
//! the whole body:
//! - the text has no backslash at all: no key is written with escapes
//!   (a key is what it looks like) and no `\u` escape makes a string a
//!   JSON value cannot hold (a lone surrogate), wherever it is;
//! - the top level is an object, and the member is in it exactly once
//!   (a repeated key is read one way by a map and refused by a struct);
//! - nothing in it nests deeper than [`MAX_DEPTH`], far inside the JSON
//!   parser's own limit (deeper text is kept as text when decoded whole).
//!
//! The text must be one well-formed JSON text (checked on arrival), so
//! the walk only tracks strings and brackets.

use crate::swar;
use std::ops::Range;

/// How deep a member's value may nest for its bytes to be decoded alone.
const MAX_DEPTH: usize = 100;

/// The bytes of the value of the top-level member `name` of the
/// well-formed JSON text `text` (see the module docs for when `None`).
pub(super) fn top_level(text: &[u8], name: &[u8]) -> Option<Range<usize>> {
    let mut i = blanks(text, 0);
    if text.get(i) != Some(&b'{') {
        return None;
    }
    i = blanks(text, i + 1);
    if text.get(i) == Some(&b'}') {
        return None;
    }
    let mut found = None;
    loop {
        // A key (no escapes: it ends at the next quote), its colon.
        if text.get(i) != Some(&b'"') {
            return None;
        }
        let key_end = closing_quote(text, i + 1)?;
        let key = &text[i + 1..key_end];
        i = blanks(text, key_end + 1);
        if text.get(i) != Some(&b':') {
            return None;
        }
        let start = blanks(text, i + 1);
        let (end, next) = value_end(text, start)?;
        if key == name {
            if found.is_some() {
                return None;
            }
            found = Some(start..end);
        }
        // `next` is at the comma or the object's closing brace.
        match text.get(next)? {
            b',' => i = blanks(text, next + 1),
            _ => return found,
        }
    }
}

/// The end of the value starting at `i` (before any blanks after it),
/// and where the comma or closing brace after it is.
fn value_end(text: &[u8], mut i: usize) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    loop {
        i = swar::skip(text, i, structural);
        match *text.get(i)? {
            b'"' => i = closing_quote(text, i + 1)? + 1,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return None;
                }
                i += 1;
            }
            b'}' | b']' if depth > 0 => {
                depth -= 1;
                i += 1;
            }
            b',' | b'}' if depth == 0 => {
                let mut end = i;
                while end > 0 && matches!(text[end - 1], b' ' | b'\t' | b'\n' | b'\r') {
                    end -= 1;
                }
                return Some((end, i));
            }
            b',' => i += 1,
            // A byte the word test flags that is none of the above (it
            // cannot stand outside a string in a well-formed text), or
            // one of the last seven bytes, looked at one by one.
            _ => i += 1,
        }
    }
}

/// Flags the bytes that matter outside strings: `"`, `,`, and the
/// brackets (`[` and `]` are `{` and `}` without bit 5). Other bytes it
/// flags (`0x02`, `0x0c`) cannot stand outside a string in well-formed
/// JSON; the caller steps over them.
#[inline]
fn structural(x: u64) -> u64 {
    let y = x | (u64::MAX / 255 * 0x20);
    swar::equal(y, b'"') | swar::equal(y, b',') | swar::equal(y, b'{') | swar::equal(y, b'}')
}

/// The closing quote of the string whose inside starts at `i`; `None`
/// at a backslash (the walk declines texts with escapes). A backslash
/// can only stand inside a string in a well-formed text, and the walk
/// passes every string up to the object's end (only blanks follow), so
/// a text it answers for has none.
#[inline]
fn closing_quote(text: &[u8], i: usize) -> Option<usize> {
    let i = swar::skip(text, i, |x| swar::equal(x, b'"') | swar::equal(x, b'\\'));
    let at = i + text
        .get(i..)?
        .iter()
        .position(|&b| b == b'"' || b == b'\\')?;
    (text[at] == b'"').then_some(at)
}

/// The index of the first byte at or after `i` that is not a blank.
fn blanks(text: &[u8], i: usize) -> usize {
    let rest = text
        .get(i..)
        .map_or(&[][..], super::wellformed::skip_blanks);
    text.len() - rest.len()
}

#[cfg(test)]
mod tests {
    use super::top_level;
    use crate::test_values::arb_value;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    /// What decoding the whole text and taking the member gives, when the
    /// walk answers.
    fn agrees(text: &str) -> Result<(), TestCaseError> {
        if let Some(span) = top_level(text.as_bytes(), b"resources") {
            let whole: Value = serde_json::from_str(text).unwrap();
            let alone: Value = serde_json::from_str(&text[span]).unwrap();
            prop_assert_eq!(Some(&alone), whole.get("resources"), "{}", text);
        }
        Ok(())
    }

    #[test]
    fn finds_the_member_or_declines() {
        let text = r#" { "meta" : {"a": [1, {"b": "x,}]"}]}, "resources":[ "a", {"c": []} ] , "errors": [] } "#;
        let span = top_level(text.as_bytes(), b"resources").unwrap();
        assert_eq!(&text[span], r#"[ "a", {"c": []} ]"#);
        let last = r#"{"meta":{},"resources":7}"#;
        assert_eq!(
            &last[top_level(last.as_bytes(), b"resources").unwrap()],
            "7"
        );
        for declined in [
            r#"{"resources": [1], "resources": [2]}"#,
            r#"{"resourc\u0065s": [1]}"#,
            r#"{"resources": ["\ud800"]}"#,
            r#"{"meta": "a\"b", "resources": [1]}"#,
            r#"{"meta": {}}"#,
            r#"{}"#,
            r#"[{"resources": [1]}]"#,
            r#""resources""#,
        ] {
            assert_eq!(
                top_level(declined.as_bytes(), b"resources"),
                None,
                "{declined}"
            );
        }
        let deep = format!(
            r#"{{"resources": {}1{}}}"#,
            "[".repeat(101),
            "]".repeat(101)
        );
        assert_eq!(top_level(deep.as_bytes(), b"resources"), None);
        let fits = format!(
            r#"{{"resources": {}1{}}}"#,
            "[".repeat(100),
            "]".repeat(100)
        );
        assert!(top_level(fits.as_bytes(), b"resources").is_some());
    }

    proptest! {
        #![proptest_config(crate::proptest_config::kept_beside(512))]

        #[test]
        fn the_member_alone_is_the_member_of_the_whole(
            meta in arb_value(),
            resources in arb_value(),
            more in arb_value(),
            order in 0usize..3,
            pretty in any::<bool>(),
        ) {
            let members = [("meta", meta), ("resources", resources), ("errors", more)];
            let mut map = serde_json::Map::new();
            for k in 0..3 {
                let (name, v) = &members[(order + k) % 3];
                map.insert(name.to_string(), v.clone());
            }
            let whole = Value::Object(map);
            let text = if pretty {
                serde_json::to_string_pretty(&whole).unwrap()
            } else {
                serde_json::to_string(&whole).unwrap()
            };
            agrees(&text)?;
            // Texts of values without escapes are always answered.
            if !text.contains('\\') {
                prop_assert!(top_level(text.as_bytes(), b"resources").is_some(), "{}", text);
            }
        }

        #[test]
        fn any_value_at_the_top_is_read_alike(v in arb_value()) {
            agrees(&serde_json::to_string(&v).unwrap())?;
            agrees(&serde_json::to_string(&json!({"resources": v})).unwrap())?;
        }
    }
}
