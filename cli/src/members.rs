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
        escape::write_str(&mut self.0, key);
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
    /// the whitespace between its tokens (see [`escape::compact_json`]).
    pub fn compact(&mut self, key: &str, json: &[u8]) -> &mut Members {
        self.key(key);
        escape::compact_json(json, &mut self.0);
        self
    }

    /// Adds `"key": ` and the JSON text `write` appends (which must be
    /// one JSON value, control characters in strings escaped).
    pub fn raw(&mut self, key: &str, write: impl FnOnce(&mut Vec<u8>)) -> &mut Members {
        self.key(key);
        write(&mut self.0);
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
    fn controls_in_keys_and_values_are_escaped() {
        let mut m = Members::default();
        m.field("h", "x\u{85}y")
            .compact("k\u{200f}\"", "\"a\u{7f}\"".as_bytes())
            .raw("s", |out| out.extend_from_slice(b"204"));
        assert_eq!(
            m.as_bytes(),
            br#""h":"x\u0085y","k\u200f\"":"a\u007f","s":204"#
        );
    }
}
