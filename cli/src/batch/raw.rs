//! An input line's JSON read in one pass into its fields, without a JSON
//! tree for the line itself (its `id`, `op`, `args` and `member_cid` are
//! values; other keys are skipped and the first one named).

use falcon_harness::json_kind;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;

/// An input line's top level.
#[derive(Debug)]
// Made once per line and taken apart at once: boxing the fields would
// only add an allocation.
#[allow(clippy::large_enum_variant)]
pub(super) enum RawLine {
    /// An object, by field.
    Object(Fields),
    /// Not an object: its kind, as [`json_kind::name`] says it.
    Other(&'static str),
}

/// The fields of a line object (the last of a repeated key counts).
#[derive(Debug, Default)]
pub(super) struct Fields {
    pub id: Option<Value>,
    pub op: Option<Value>,
    pub args: Option<Value>,
    pub member_cid: Option<Value>,
    /// The first key that is none of those.
    pub unknown: Option<String>,
}

impl RawLine {
    /// Parses one line's text.
    pub fn parse(text: &str) -> serde_json::Result<RawLine> {
        serde_json::from_str(text)
    }
}

enum Key {
    Id,
    Op,
    Args,
    MemberCid,
    Other(String),
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, k: &str) -> Result<Key, E> {
                Ok(match k {
                    "id" => Key::Id,
                    "op" => Key::Op,
                    "args" => Key::Args,
                    "member_cid" => Key::MemberCid,
                    other => Key::Other(other.to_string()),
                })
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for RawLine {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RawLine, D::Error> {
        d.deserialize_any(LineVisitor)
    }
}

struct LineVisitor;

/// The kind of a value that is not an object.
fn other<E>(v: Value) -> Result<RawLine, E> {
    Ok(RawLine::Other(json_kind::name(&v)))
}

impl<'de> Visitor<'de> for LineVisitor {
    type Value = RawLine;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawLine, A::Error> {
        let mut f = Fields::default();
        while let Some(key) = map.next_key::<Key>()? {
            match key {
                Key::Id => f.id = Some(map.next_value()?),
                Key::Op => f.op = Some(map.next_value()?),
                Key::Args => f.args = Some(map.next_value()?),
                Key::MemberCid => f.member_cid = Some(map.next_value()?),
                Key::Other(k) => {
                    map.next_value::<IgnoredAny>()?;
                    f.unknown.get_or_insert(k);
                }
            }
        }
        Ok(RawLine::Object(f))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawLine, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        other(Value::Array(Vec::new()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<RawLine, E> {
        other(Value::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawLine, E> {
        other(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawLine, E> {
        other(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawLine, E> {
        other(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawLine, E> {
        other(Value::from(v))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<RawLine, E> {
        other(Value::String(String::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_kinds() {
        let RawLine::Object(f) = RawLine::parse(
            r#"{"x": [1, {"y": 2}], "op": "A", "id": 3, "z": 1, "op": "B", "args": {}}"#,
        )
        .unwrap() else {
            panic!("an object")
        };
        assert_eq!(f.op, Some(Value::from("B")), "the last of a repeated key");
        assert_eq!(f.id, Some(Value::from(3)));
        assert_eq!(f.args, Some(serde_json::json!({})));
        assert_eq!(f.member_cid, None);
        assert_eq!(f.unknown.as_deref(), Some("x"));
        for (text, kind) in [
            ("[1, [2], {}]", "a list"),
            ("null", "null"),
            ("true", "a boolean"),
            ("-1", "a number"),
            ("1.5", "a number"),
            ("\"s\\n\"", "a string"),
        ] {
            assert!(
                matches!(RawLine::parse(text).unwrap(), RawLine::Other(k) if k == kind),
                "{text}"
            );
        }
        assert!(RawLine::parse("{\"op\": 1} x").is_err());
        assert!(RawLine::parse("{\"op\": }").is_err());
    }
}
