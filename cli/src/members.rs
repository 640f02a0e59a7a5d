//! JSON object members written as text one after the other
//! (`"k":v,"k2":v2`): the fields of a batch output line, built where the
//! reply is (on a worker thread) without a JSON tree in between. Control
//! characters in strings are written as escapes, as
//! `falcon_harness::escape` does for every JSON the CLI prints.

use falcon_harness::escape;
use serde::Serialize;
use serde_json::{Map, Value};

/// Members of a JSON object, as compact JSON text without the braces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Members(Vec<u8>);

impl Members {
    /// Empty, with room for `n` bytes.
    pub fn with_capacity(n: usize) -> Members {
        Members(Vec::with_capacity(n))
    }

    fn key(&mut self, key: &str) {
        if !self.0.is_empty() {
            self.0.push(b',');
        }
        // A string always serializes.
        let _ = escape::write(&mut self.0, key, false);
        self.0.push(b':');
    }

    /// Adds `"key": value`.
    pub fn field(&mut self, key: &str, value: &(impl Serialize + ?Sized)) -> &mut Members {
        self.key(key);
        if escape::write(&mut self.0, value, false).is_err() {
            // Only a map with non-string keys fails; none is written here.
            self.0.extend_from_slice(b"null");
        }
        self
    }

    /// Adds `"key": json`, where `json` is well-formed JSON text, without
    /// the whitespace between its tokens (see [`compact_json`]).
    pub fn compact(&mut self, key: &str, json: &[u8]) -> &mut Members {
        self.key(key);
        compact_json(json, &mut self.0);
        self
    }

    /// Adds every member of `other`.
    pub fn extend(&mut self, other: &Members) -> &mut Members {
        if !other.0.is_empty() {
            if !self.0.is_empty() {
                self.0.push(b',');
            }
            self.0.extend_from_slice(&other.0);
        }
        self
    }

    /// The text.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The object: `{` members `}`.
    pub fn into_object(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.0.len() + 2);
        out.push(b'{');
        out.extend_from_slice(&self.0);
        out.push(b'}');
        out
    }

    /// The members parsed back (for tests and inspection).
    pub fn to_map(&self) -> Map<String, Value> {
        match serde_json::from_slice(&self.clone().into_object()) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        }
    }
}

/// Appends `json` (well-formed JSON text, so UTF-8) to `out` without the
/// whitespace between its tokens: one line, whatever the server's layout.
/// Inside strings, the control characters serde_json would leave raw
/// (DEL, C1 controls, the marks that reorder or end lines: see
/// `falcon_harness::escape::is_control`) become `\uXXXX` escapes; the
/// text is the same JSON value.
pub fn compact_json(json: &[u8], out: &mut Vec<u8>) {
    out.reserve(json.len());
    let n = json.len();
    let mut i = 0;
    while i < n {
        // Outside strings: runs of bytes to keep, whitespace dropped.
        let start = i;
        while i < n && !matches!(json[i], b' ' | b'\t' | b'\n' | b'\r' | b'"') {
            i += 1;
        }
        out.extend_from_slice(&json[start..i]);
        if i == n {
            break;
        }
        i += 1;
        if json[i - 1] != b'"' {
            continue;
        }
        // A string, through its closing quote.
        out.push(b'"');
        while i < n {
            let start = i;
            while i < n && json[i] < 0x7f && !matches!(json[i], b'"' | b'\\') {
                i += 1;
            }
            out.extend_from_slice(&json[start..i]);
            if i == n {
                break;
            }
            match json[i] {
                b'"' => {
                    out.push(b'"');
                    i += 1;
                    break;
                }
                b'\\' => {
                    // An escape: the next byte is part of it.
                    let end = (i + 2).min(n);
                    out.extend_from_slice(&json[i..end]);
                    i = end;
                }
                lead => {
                    // A whole character: the text is UTF-8.
                    let end = (i + utf8_len(lead)).min(n);
                    match std::str::from_utf8(&json[i..end])
                        .ok()
                        .and_then(|s| s.chars().next())
                    {
                        Some(c) if escape::is_control(c) => {
                            // Every control character is in the basic plane.
                            let _ =
                                std::io::Write::write_fmt(out, format_args!("\\u{:04x}", c as u32));
                        }
                        _ => out.extend_from_slice(&json[i..end]),
                    }
                    i = end;
                }
            }
        }
    }
}

/// The length of the UTF-8 sequence that starts with byte `b` (1 for a
/// byte that starts none).
fn utf8_len(b: u8) -> usize {
    match b {
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_make_an_object() {
        let mut m = Members::default();
        m.field("id", &json!(null)).field("line", &3);
        let mut more = Members::default();
        more.compact("body", b"{\"a\": [1,\n 2]}");
        m.extend(&more).extend(&Members::default());
        assert_eq!(
            m.clone().into_object(),
            br#"{"id":null,"line":3,"body":{"a":[1,2]}}"#
        );
        assert_eq!(m.to_map()["body"], json!({"a": [1, 2]}));
        assert_eq!(Members::default().into_object(), b"{}");
    }

    #[test]
    fn compaction_equals_compact_serialization() {
        let values = [
            json!({"a": [1, 2.5, -3e-7, null, true], "b\"c": {"d\\": " x\ty ", "e": []}}),
            json!(["\\\"", "é 🦅 ∑", "\u{1}", {"": {}}, [[], [{}]]]),
            json!("just a string"),
            json!(12345),
        ];
        for v in values {
            let mut out = Vec::new();
            compact_json(
                serde_json::to_string_pretty(&v).unwrap().as_bytes(),
                &mut out,
            );
            assert_eq!(String::from_utf8(out).unwrap(), v.to_string());
        }
    }

    #[test]
    fn controls_in_strings_are_escaped() {
        let text = "{\"m\": \"a\u{7f}b\u{9b}2J\u{202e}c é 🦅\", \"k\u{200f}\": 1}";
        let mut out = Vec::new();
        compact_json(text.as_bytes(), &mut out);
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            r#"{"m":"a\u007fb\u009b2J\u202ec é 🦅","k\u200f":1}"#
        );
        let parsed: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(parsed, serde_json::from_str::<Value>(text).unwrap());
        let mut m = Members::default();
        m.field("h", "x\u{85}y");
        assert_eq!(m.as_bytes(), br#""h":"x\u0085y""#);
    }

    #[test]
    fn compaction_keeps_strings_whole() {
        let text = b"{\n  \"a b\": [1, 2],\r\n\t\"q\\\" x\": \" \\\\ \"\n}\n";
        let mut out = Vec::new();
        compact_json(text, &mut out);
        assert_eq!(out, br#"{"a b":[1,2],"q\" x":" \\ "}"#);
        let parsed: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(parsed, serde_json::from_slice::<Value>(text).unwrap());
    }
}
