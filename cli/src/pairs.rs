//! ARGS given the way people type them, like HTTPie: `key=value` (text,
//! converted by the argument's declared type) and `key:=json` (a raw
//! JSON value). A key given more than once collects its values in a list.
//!
//! ```
//! use falcon_harness_cli::pairs::parse_pairs;
//! use serde_json::json;
//!
//! let op = falcon_harness::catalog::operation("QueryIncidents");
//! let (v, _) = parse_pairs(op, &["limit=5", "filter=status:20"], &Default::default()).unwrap();
//! assert_eq!(v, json!({"limit": 5, "filter": "status:20"}));
//! ```

use super::exit::Failure;
use super::input::{read_args, repeated_keys, Rules, Source};
use super::json_text;
use falcon_harness::{Operation, ParamType};
use serde_json::{Map, Value};
use std::io::Read;

/// Reads the ARGS words of one call: none (`{}`), one JSON object,
/// `@FILE` or `-` (stdin, read only then), or `key=value` / `key:=json`
/// pairs; with the input rules' warnings (lenient mode's repeated JSON
/// keys).
pub fn read_words(
    op: Option<&'static Operation>,
    words: &[&str],
    stdin: impl Read,
    rules: &Rules,
) -> Result<(Value, Vec<String>), Failure> {
    match words {
        [] => Ok((Value::Object(Map::new()), Vec::new())),
        [one] if !is_pair(one) => read_args(&Source::parse(Some(one)), stdin, rules),
        _ => parse_pairs(op, words, rules),
    }
}

/// Whether a word is ARGS (a pair, a JSON object, `@FILE` or `-`) rather
/// than an operation name.
pub fn is_args_word(word: &str) -> bool {
    word == "-" || word.starts_with(['{', '@']) || is_pair(word)
}

/// Whether a word of ARGS is a `key=value` or `key:=json` pair (rather
/// than a JSON object, `@FILE` or `-`).
pub fn is_pair(word: &str) -> bool {
    !word.starts_with(['{', '@']) && split(word).is_some()
}

/// `(key, value, raw_json)` of a pair word.
fn split(word: &str) -> Option<(&str, &str, bool)> {
    let eq = word.find('=')?;
    let (key, raw) = match word[..eq].strip_suffix(':') {
        Some(k) => (k, true),
        None => (&word[..eq], false),
    };
    (!key.is_empty()).then_some((key, &word[eq + 1..], raw))
}

/// The JSON value of `key=text` for the declared type: integers,
/// numbers and booleans are converted when the text is one (keeping its
/// exact digits); anything else stays text, for the planner to accept
/// (a comma-separated list) or refuse with a typed error.
fn typed(ty: Option<ParamType>, text: &str) -> Value {
    let number = || match serde_json::from_str::<Value>(text) {
        Ok(v @ Value::Number(_)) => Some(v),
        _ => None,
    };
    let converted = match ty {
        Some(ParamType::Integer) => number().filter(|v| {
            v.as_number().is_some_and(|n| {
                let t = n.to_string();
                let digits = t.strip_prefix('-').unwrap_or(&t);
                !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
            })
        }),
        Some(ParamType::Number) => number(),
        Some(ParamType::Boolean) => match text {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        _ => None,
    };
    converted.unwrap_or_else(|| Value::String(text.to_string()))
}

/// Parses `key=value` / `key:=json` words into an argument object,
/// converting text by the declared types of `op` (none for an override
/// request: every value stays text).
pub fn parse_pairs(
    op: Option<&'static Operation>,
    words: &[&str],
    rules: &Rules,
) -> Result<(Value, Vec<String>), Failure> {
    let mut out = Map::new();
    let mut warnings = Vec::new();
    for word in words {
        let Some((key, text, raw)) = split(word).filter(|_| is_pair(word)) else {
            return Err(Failure::usage(format!(
                "ARGS: {word:?}: expected key=value or key:=json (or one JSON object, @FILE or -)"
            )));
        };
        let value = if raw {
            let from = format!("ARGS {key}:=");
            let (v, repeated) = json_text::parse(text)
                .map_err(|e| Failure::usage(format!("{from} is not valid JSON: {e}")))?;
            warnings.extend(repeated_keys(&from, repeated, rules)?);
            v
        } else {
            let ty = op.and_then(|o| falcon_harness::router::argument_type(o, key));
            typed(ty.map(|t| t.0), text)
        };
        match out.get_mut(key) {
            None => {
                out.insert(key.to_string(), value);
            }
            Some(Value::Array(list)) if !raw => list.push(value),
            Some(prev) => {
                let first = prev.take();
                *prev = Value::Array(vec![first, value]);
            }
        }
    }
    Ok((Value::Object(out), warnings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(id: &str) -> Option<&'static Operation> {
        falcon_harness::catalog::operation(id)
    }

    fn pairs(op: Option<&'static Operation>, words: &[&str]) -> Result<Value, Failure> {
        parse_pairs(op, words, &Rules::default()).map(|(v, _)| v)
    }

    #[test]
    fn repeated_keys_inside_raw_json_follow_the_input_rules() {
        let word = [r#"body:={"a": 1, "a": 2}"#];
        let e = parse_pairs(None, &word, &Rules::default()).unwrap_err();
        assert!(e.message.starts_with("ARGS body:="), "{}", e.message);
        let lenient = Rules {
            lenient: true,
            ..Rules::default()
        };
        let (v, warnings) = parse_pairs(None, &word, &lenient).unwrap();
        assert_eq!(v["body"]["a"], 2);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
    }

    #[test]
    fn words_are_told_apart() {
        assert!(is_pair("limit=5"));
        assert!(is_pair("ids:=[\"a\"]"));
        assert!(is_pair("filter=a=b"));
        assert!(!is_pair("{\"a\": 1}"));
        assert!(!is_pair("@args.json"));
        assert!(!is_pair("-"));
        assert!(!is_pair("=5"));
        assert!(!is_pair("limit"));
    }

    #[test]
    fn text_is_converted_by_the_declared_type() {
        let v = pairs(
            op("QueryIncidents"),
            &[
                "limit=18446744073709551616",
                "filter=status:20+a=b",
                "sort=x",
            ],
        )
        .unwrap();
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"limit":18446744073709551616,"filter":"status:20+a=b","sort":"x"}"#
        );
        // Not an integer: stays text for the planner to refuse by name.
        let v = pairs(op("QueryIncidents"), &["limit=five"]).unwrap();
        assert_eq!(v, json!({"limit": "five"}));
        // Strings stay strings even when they look like numbers.
        let v = pairs(op("GetIncidents"), &["ids=123"]).unwrap();
        assert_eq!(v, json!({"ids": "123"}));
        // A nested body field gets its own type.
        let v = pairs(op("PerformIncidentAction"), &["value=20"]).unwrap();
        assert_eq!(v, json!({"value": "20"}));
        // So does one named by its dotted path.
        let v = pairs(
            op("entities_slas_post_v1"),
            &["goals.duration_seconds=60", "duration_seconds=5"],
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"goals.duration_seconds": 60, "duration_seconds": 5})
        );
    }

    #[test]
    fn raw_json_and_repeated_keys() {
        let v = pairs(
            op("GetIncidents"),
            &["ids:=[\"a\",\"b\"]", "x:=null", "tag=a", "tag=b", "tag=c"],
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"ids": ["a", "b"], "x": null, "tag": ["a", "b", "c"]})
        );
        let e = pairs(op("GetIncidents"), &["ids:=[a]"]).unwrap_err();
        assert!(
            e.message.starts_with("ARGS ids:= is not valid JSON"),
            "{}",
            e.message
        );
        let e = pairs(None, &["limit5"]).unwrap_err();
        assert!(
            e.message.contains("expected key=value or key:=json"),
            "{}",
            e.message
        );
    }
}
