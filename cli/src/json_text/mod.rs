//! Parsing JSON text given by the user (ARGS, `--batch` lines) with a
//! check that serde_json's own parser does not make: a key given twice
//! in one object (`{"limit": 1, "limit": 2}`), which would silently keep
//! the last value.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::cell::RefCell;
use std::fmt;

mod line;
pub use line::{parse_line, Line, Text, Top};

/// Parses `text` as JSON and returns the value with the paths of the keys
/// that were given more than once (`limit`, `body.ids` ...), in the order
/// they were met. The last value of a repeated key is the one kept.
pub fn parse(text: &str) -> serde_json::Result<(Value, Vec<String>)> {
    let repeated = RefCell::new(Vec::new());
    let mut de = serde_json::Deserializer::from_str(text);
    let value = Seed {
        repeated: &repeated,
        path: None,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok((value, repeated.into_inner()))
}

/// The message for a repeated key, for errors and warnings.
pub fn repeated_message(from: &str, path: &str) -> String {
    format!("{from}: the key {path:?} is given more than once")
}

/// The key under which serde_json (with `arbitrary_precision`, on in
/// this workspace so that numbers keep their exact digits) passes a
/// number's text to a visitor.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

/// Where a value is: its key or index under its parent's place. Written
/// out (`body.x.0.a`) only for a repeated key, so parsing allocates no
/// path.
#[derive(Clone, Copy)]
struct Place<'p> {
    parent: Option<&'p Place<'p>>,
    step: Step<'p>,
}

#[derive(Clone, Copy)]
enum Step<'p> {
    Key(&'p str),
    Index(usize),
}

impl Place<'_> {
    fn path(&self) -> String {
        let mut steps = Vec::new();
        let mut at = Some(self);
        while let Some(p) = at {
            steps.push(match p.step {
                Step::Key(k) => k.to_string(),
                Step::Index(i) => i.to_string(),
            });
            at = p.parent;
        }
        steps.reverse();
        steps.join(".")
    }
}

struct Seed<'r, 'p> {
    repeated: &'r RefCell<Vec<String>>,
    path: Option<&'p Place<'p>>,
}

impl<'de> DeserializeSeed<'de> for Seed<'_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut v = Vec::new();
        loop {
            let here = Place {
                parent: self.path,
                step: Step::Index(v.len()),
            };
            let seed = Seed {
                repeated: self.repeated,
                path: Some(&here),
            };
            match seq.next_element_seed(seed)? {
                Some(item) => v.push(item),
                None => break,
            }
        }
        Ok(Value::Array(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut m = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            // serde_json's `arbitrary_precision` hands a number over as a
            // one-entry map holding its exact text.
            if m.is_empty() && key == NUMBER_TOKEN {
                let text: String = map.next_value()?;
                return text
                    .parse::<Number>()
                    .map(Value::Number)
                    .map_err(serde::de::Error::custom);
            }
            let here = Place {
                parent: self.path,
                step: Step::Key(&key),
            };
            let value = map.next_value_seed(Seed {
                repeated: self.repeated,
                path: Some(&here),
            })?;
            let path_if_repeated = m.contains_key(&key).then(|| here.path());
            m.insert(key, value);
            if let Some(path) = path_if_repeated {
                self.repeated.borrow_mut().push(path);
            }
        }
        Ok(Value::Object(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn same_value_as_serde_json() {
        for text in [
            r#"{"a": 1, "b": [1, -2, 3.5, "x", null, true], "c": {"d": {}}, "e": []}"#,
            r#""\u00e9\n""#,
            "18446744073709551615",
            "-9223372036854775808",
            "1e300",
            "[]",
            // exact digits, as the rest of the workspace keeps them
            "18446744073709551616",
            "0.10000000000000000001",
            r#"{"n": 1e400}"#,
        ] {
            let (v, rep) = parse(text).unwrap();
            assert_eq!(v, serde_json::from_str::<Value>(text).unwrap(), "{text}");
            let exact = serde_json::to_string(&serde_json::from_str::<Value>(text).unwrap());
            assert_eq!(serde_json::to_string(&v).unwrap(), exact.unwrap(), "{text}");
            assert!(rep.is_empty());
        }
        assert!(parse("{} x").is_err());
        assert!(parse("{").is_err());
    }

    #[test]
    fn finds_repeated_keys_at_any_depth() {
        let (v, rep) = parse(
            r#"{"limit": 1, "limit": 2, "body": {"ids": [1], "x": [{"a":1,"a":2}], "ids": [2]}}"#,
        )
        .unwrap();
        assert_eq!(rep, ["limit", "body.x.0.a", "body.ids"]);
        assert_eq!(v["limit"], json!(2));
        assert_eq!(v["body"]["ids"], json!([2]));
    }
}
