//! A `--batch` line's top level, read straight into its few members:
//! the keys are compared without being copied, and `op`, `override` and
//! `member_cid` are borrowed from the line when they hold no escapes.
//! Everything below the top level goes through [`Seed`], so a key given
//! twice is found anywhere in the line, the top level included.

use super::{Place, Seed, Step, NUMBER_TOKEN};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Number, Value};
use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;

/// A line's top level.
#[derive(Debug, Clone, PartialEq)]
pub enum Top {
    /// An object (its members are read into place).
    Object,
    /// Any other value.
    Other(Value),
}

/// A line object's members (a key given twice keeps its last value).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Line<'a> {
    /// `id`.
    pub id: Option<Value>,
    /// `op`.
    pub op: Option<Text<'a>>,
    /// `args`.
    pub args: Option<Value>,
    /// `override`.
    pub route: Option<Text<'a>>,
    /// `member_cid`.
    pub member_cid: Option<Text<'a>>,
    /// The first key that is none of these.
    pub unknown: Option<String>,
}

/// A member meant to be a string: the string, or the value given instead.
#[derive(Debug, Clone, PartialEq)]
pub enum Text<'a> {
    /// A string.
    Str(Cow<'a, str>),
    /// Any other value.
    Other(Value),
}

/// Parses a line's JSON text: an object's members go into `members`
/// (in place: a line is parsed once and its members moved once);
/// returns the top level's kind and the paths of the keys given more
/// than once (as [`parse`](super::parse) does).
pub fn parse_line<'a>(
    text: &'a str,
    members: &mut Line<'a>,
) -> serde_json::Result<(Top, Vec<String>)> {
    let repeated = RefCell::new(Vec::new());
    let mut de = serde_json::Deserializer::from_str(text);
    let seed = Seed {
        repeated: &repeated,
        path: None,
    };
    let top = de.deserialize_any(TopVisitor(seed, members))?;
    de.end()?;
    Ok((top, repeated.into_inner()))
}

/// A top-level key.
enum Key {
    Id,
    Op,
    Args,
    Override,
    MemberCid,
    Other(String),
}

impl Key {
    fn name(&self) -> &str {
        match self {
            Key::Id => "id",
            Key::Op => "op",
            Key::Args => "args",
            Key::Override => "override",
            Key::MemberCid => "member_cid",
            Key::Other(k) => k,
        }
    }
}

struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E>(self, v: &str) -> Result<Key, E> {
        Ok(match v {
            "id" => Key::Id,
            "op" => Key::Op,
            "args" => Key::Args,
            "override" => Key::Override,
            "member_cid" => Key::MemberCid,
            other => Key::Other(other.to_string()),
        })
    }
}

/// Reads a member meant to be a string; anything else as [`Seed`] does.
struct TextSeed<'r, 'p>(Seed<'r, 'p>);

impl<'de> DeserializeSeed<'de> for TextSeed<'_, '_> {
    type Value = Text<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Text<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

/// The visits that [`Seed`] makes, wrapped.
macro_rules! like_seed {
    ($wrap:path => $($name:ident($($arg:ident: $ty:ty)?)),* $(,)?) => {$(
        fn $name<E: serde::de::Error>(self $(, $arg: $ty)?) -> Result<Self::Value, E> {
            self.0.$name($($arg)?).map($wrap)
        }
    )*};
}

impl<'de> Visitor<'de> for TextSeed<'_, '_> {
    type Value = Text<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Text<'de>, E> {
        Ok(Text::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Text<'de>, E> {
        Ok(Text::Str(Cow::Owned(v.to_string())))
    }

    fn visit_string<E>(self, v: String) -> Result<Text<'de>, E> {
        Ok(Text::Str(Cow::Owned(v)))
    }

    like_seed!(Text::Other =>
        visit_bool(v: bool),
        visit_i64(v: i64),
        visit_u64(v: u64),
        visit_f64(v: f64),
        visit_unit(),
        visit_none(),
    );

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Text<'de>, A::Error> {
        self.0.visit_seq(seq).map(Text::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Text<'de>, A::Error> {
        self.0.visit_map(map).map(Text::Other)
    }
}

/// Reads the top level: an object into a [`Line`], anything else as
/// [`Seed`] does.
struct TopVisitor<'r, 'p, 'l, 'de>(Seed<'r, 'p>, &'l mut Line<'de>);

impl<'de> Visitor<'de> for TopVisitor<'_, '_, '_, 'de> {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    like_seed!(Top::Other =>
        visit_bool(v: bool),
        visit_i64(v: i64),
        visit_u64(v: u64),
        visit_f64(v: f64),
        visit_str(v: &str),
        visit_string(v: String),
        visit_unit(),
        visit_none(),
    );

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Top, A::Error> {
        self.0.visit_seq(seq).map(Top::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let (repeated, line) = (self.0.repeated, self.1);
        let mut first = true;
        let mut others: Vec<String> = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            // serde_json's `arbitrary_precision` hands a number over as a
            // one-entry map holding its exact text.
            if std::mem::take(&mut first) && key.name() == NUMBER_TOKEN {
                let text: String = map.next_value()?;
                return text
                    .parse::<Number>()
                    .map(|n| Top::Other(Value::Number(n)))
                    .map_err(serde::de::Error::custom);
            }
            let here = Place {
                parent: None,
                step: Step::Key(key.name()),
            };
            let seed = Seed {
                repeated,
                path: Some(&here),
            };
            let again = match &key {
                Key::Id => line.id.replace(map.next_value_seed(seed)?).is_some(),
                Key::Args => line.args.replace(map.next_value_seed(seed)?).is_some(),
                Key::Op => line
                    .op
                    .replace(map.next_value_seed(TextSeed(seed))?)
                    .is_some(),
                Key::Override => {
                    let text = map.next_value_seed(TextSeed(seed))?;
                    line.route.replace(text).is_some()
                }
                Key::MemberCid => {
                    let text = map.next_value_seed(TextSeed(seed))?;
                    line.member_cid.replace(text).is_some()
                }
                Key::Other(k) => {
                    map.next_value_seed(seed)?;
                    others.iter().any(|o| o == k)
                }
            };
            if again {
                repeated.borrow_mut().push(here.path());
            } else if let Key::Other(k) = key {
                others.push(k);
            }
        }
        line.unknown = others.into_iter().next();
        Ok(Top::Object)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(s: &str) -> Option<Text<'_>> {
        Some(Text::Str(Cow::Borrowed(s)))
    }

    /// A line's members, or its top level when it is no object.
    fn parse(text: &str) -> serde_json::Result<(Result<Line<'_>, Value>, Vec<String>)> {
        let mut l = Line::default();
        let (top, rep) = parse_line(text, &mut l)?;
        match top {
            Top::Object => Ok((Ok(l), rep)),
            Top::Other(v) => Ok((Err(v), rep)),
        }
    }

    #[test]
    fn the_members_of_a_line() {
        let line = r#"{"op": 1, "args": {"x": 1, "x": 2}, "op": "QueryIncidents", "member_cid": null, "id": [1]}"#;
        let (Ok(l), rep) = parse(line).unwrap() else {
            panic!("an object")
        };
        assert_eq!(rep, ["args.x", "op"]);
        assert_eq!(l.op, text("QueryIncidents"));
        assert!(matches!(l.op, Some(Text::Str(Cow::Borrowed(_)))));
        assert_eq!(l.args, Some(json!({"x": 2})));
        assert_eq!(l.member_cid, Some(Text::Other(Value::Null)));
        assert_eq!((l.id, l.route, l.unknown), (Some(json!([1])), None, None));

        let (Ok(l), rep) = parse(
            r#"{"b": {"y": [{"z": 1, "z": 2}]}, "override": "GET,/x\u0041", "a": 1, "b": 2}"#,
        )
        .unwrap() else {
            panic!("an object")
        };
        assert_eq!(rep, ["b.y.0.z", "b"]);
        assert_eq!(l.unknown.as_deref(), Some("b"));
        assert_eq!(l.route, Some(Text::Str(Cow::Owned("GET,/xA".into()))));
        assert_eq!(l.op, None);

        for (line, want) in [
            ("[1, {}]", json!([1, {}])),
            ("12", json!(12)),
            ("\"s\"", json!("s")),
            ("18446744073709551616", json!(18446744073709551616u128)),
        ] {
            assert_eq!(parse(line).unwrap().0, Err(want), "{line}");
        }
        assert!(parse("{} x").is_err());
        assert!(parse(r#"{"op": "#).is_err());
    }
}
