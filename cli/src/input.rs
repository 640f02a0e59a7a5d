//! The ARGS of one call: a JSON object given literally, as `@FILE`, or
//! as `-` for stdin.

use super::exit::Failure;
use super::json_text;
use serde_json::{Map, Value};
use std::io::Read;
use std::path::Path;

/// Where the arguments come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source<'a> {
    /// Not given: `{}`.
    None,
    /// The JSON text itself.
    Literal(&'a str),
    /// `@FILE`: a file holding the JSON text.
    File(&'a Path),
    /// `-`: stdin.
    Stdin,
}

impl<'a> Source<'a> {
    /// Classifies the ARGS word.
    pub fn parse(word: Option<&'a str>) -> Source<'a> {
        match word {
            None => Source::None,
            Some("-") => Source::Stdin,
            Some(w) => match w.strip_prefix('@') {
                Some(path) => Source::File(Path::new(path)),
                None => Source::Literal(w),
            },
        }
    }
}

/// The size limit of one input (ARGS, `@FILE`, stdin, a `--batch`
/// line) unless `--max-input-bytes` says otherwise: 64 MiB.
pub const DEFAULT_MAX_INPUT: u64 = 64 * 1024 * 1024;

/// How user input is read and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    /// The most bytes one input may have.
    pub max_bytes: u64,
    /// Lenient mode: a key given twice is a warning, not an error.
    pub lenient: bool,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            max_bytes: DEFAULT_MAX_INPUT,
            lenient: false,
        }
    }
}

/// The error for an input past the limit.
pub fn too_large(from: &str, limit: u64) -> String {
    format!("{from}: larger than the input limit of {limit} bytes (see --max-input-bytes)")
}

/// Reads `r` to its end, but no more than `limit` bytes.
fn read_bounded(r: impl Read, limit: u64, from: &str) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    r.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::usage(format!("{from}: cannot read: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(Failure::usage(too_large(from, limit)));
    }
    Ok(bytes)
}

/// Reads and parses the arguments; `stdin` is read only for `-`.
/// Anything but a JSON object is a usage error. Returns the arguments
/// and warnings (lenient mode's repeated keys).
pub fn read_args(
    source: &Source<'_>,
    stdin: impl Read,
    rules: &Rules,
) -> Result<(Value, Vec<String>), Failure> {
    let (bytes, from) = match source {
        Source::None => return Ok((Value::Object(Map::new()), Vec::new())),
        Source::Literal(s) => {
            let from = "ARGS".to_string();
            if s.len() as u64 > rules.max_bytes {
                return Err(Failure::usage(too_large(&from, rules.max_bytes)));
            }
            (s.as_bytes().to_vec(), from)
        }
        Source::File(path) => {
            if path.as_os_str().is_empty() {
                return Err(Failure::usage("ARGS: '@' must be followed by a file name"));
            }
            let from = format!("ARGS from {}", path.display());
            let file = std::fs::File::open(path).map_err(|e| {
                Failure::usage(format!("ARGS: cannot read {}: {e}", path.display()))
            })?;
            (read_bounded(file, rules.max_bytes, &from)?, from)
        }
        Source::Stdin => {
            let from = "ARGS from stdin".to_string();
            (read_bounded(stdin, rules.max_bytes, &from)?, from)
        }
    };
    let text =
        String::from_utf8(bytes).map_err(|_| Failure::usage(format!("{from}: not UTF-8 text")))?;
    parse_object(&text, &from, rules)
}

/// Parses `text` as a JSON object; `from` names where it came from in
/// error messages. A key given twice is an error, or in lenient mode a
/// warning.
pub fn parse_object(
    text: &str,
    from: &str,
    rules: &Rules,
) -> Result<(Value, Vec<String>), Failure> {
    if text.trim().is_empty() {
        return Err(Failure::usage(format!(
            "{from}: empty; expected a JSON object such as {{\"limit\": 5}}"
        )));
    }
    let (value, repeated) = json_text::parse(text)
        .map_err(|e| Failure::usage(format!("{from}: not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(Failure::usage(format!(
            "{from}: expected a JSON object such as {{\"limit\": 5}}, got {}",
            falcon_harness::json_kind::name(&value)
        )));
    }
    let warnings = repeated_keys(from, repeated, rules)?;
    Ok((value, warnings))
}

/// Repeated keys: an error in strict mode; warnings (the last value is
/// kept) in lenient mode.
pub fn repeated_keys(
    from: &str,
    repeated: Vec<String>,
    rules: &Rules,
) -> Result<Vec<String>, Failure> {
    let mut messages = repeated
        .iter()
        .map(|path| json_text::repeated_message(from, path));
    if rules.lenient {
        Ok(messages
            .map(|m| format!("{m}; the last value is used"))
            .collect())
    } else if let Some(first) = messages.next() {
        Err(Failure::usage(first))
    } else {
        Ok(Vec::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::io::Write;

    fn read(source: &Source<'_>, stdin: impl Read) -> Result<Value, Failure> {
        read_args(source, stdin, &Rules::default()).map(|(v, _)| v)
    }

    #[test]
    fn classifies_the_word() {
        assert_eq!(Source::parse(None), Source::None);
        assert_eq!(Source::parse(Some("-")), Source::Stdin);
        assert_eq!(
            Source::parse(Some("@a.json")),
            Source::File(Path::new("a.json"))
        );
        assert_eq!(Source::parse(Some("{}")), Source::Literal("{}"));
    }

    #[test]
    fn reads_literal_stdin_and_file() {
        let none = std::io::empty();
        assert_eq!(read(&Source::None, none).unwrap(), json!({}));
        assert_eq!(
            read(&Source::Literal(r#"{"limit": 5}"#), std::io::empty()).unwrap(),
            json!({"limit": 5})
        );
        let stdin = &b"{\"filter\": \"status:20\"}\n"[..];
        assert_eq!(
            read(&Source::Stdin, stdin).unwrap(),
            json!({"filter": "status:20"})
        );
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(br#"{"ids": ["a"]}"#).unwrap();
        assert_eq!(
            read(&Source::File(f.path()), std::io::empty()).unwrap(),
            json!({"ids": ["a"]})
        );
    }

    #[test]
    fn refuses_what_is_not_an_object() {
        let e = read(&Source::Literal("[1]"), std::io::empty()).unwrap_err();
        assert_eq!(e.exit, super::super::exit::Exit::Usage);
        assert!(e.message.contains("got a list"), "{}", e.message);
        let e = read(&Source::Literal("{limit: 5}"), std::io::empty()).unwrap_err();
        assert!(e.message.contains("not valid JSON"), "{}", e.message);
        let e = read(&Source::Stdin, &b"  \n"[..]).unwrap_err();
        assert!(e.message.contains("stdin: empty"), "{}", e.message);
        let e = read(
            &Source::File(Path::new("/nonexistent/args.json")),
            std::io::empty(),
        )
        .unwrap_err();
        assert!(
            e.message.contains("cannot read /nonexistent/args.json"),
            "{}",
            e.message
        );
    }

    #[test]
    fn inputs_past_the_limit_are_refused_without_reading_on() {
        let rules = Rules {
            max_bytes: 16,
            lenient: false,
        };
        // An endless stdin (like /dev/zero) ends at the limit.
        let endless = std::io::repeat(b' ');
        let e = read_args(&Source::Stdin, endless, &rules).unwrap_err();
        assert_eq!(e.exit, super::super::exit::Exit::Usage);
        assert!(
            e.message
                .contains("ARGS from stdin: larger than the input limit of 16 bytes"),
            "{}",
            e.message
        );
        let e = read_args(
            &Source::File(Path::new("/dev/zero")),
            std::io::empty(),
            &rules,
        )
        .unwrap_err();
        assert!(e.message.contains("limit of 16 bytes"), "{}", e.message);
        let e = read_args(
            &Source::Literal(r#"{"filter": "0123456789"}"#),
            std::io::empty(),
            &rules,
        )
        .unwrap_err();
        assert!(e.message.contains("ARGS: larger than"), "{}", e.message);
        let (v, _) = read_args(
            &Source::Literal(r#"{"limit": 5}"#),
            std::io::empty(),
            &rules,
        )
        .unwrap();
        assert_eq!(v, json!({"limit": 5}));
    }

    #[test]
    fn a_repeated_key_is_an_error_or_a_warning() {
        let text = r#"{"limit": 1, "limit": 2}"#;
        let e = read_args(&Source::Literal(text), std::io::empty(), &Rules::default()).unwrap_err();
        assert_eq!(e.exit, super::super::exit::Exit::Usage);
        assert_eq!(
            e.message,
            r#"ARGS: the key "limit" is given more than once"#
        );
        let lenient = Rules {
            lenient: true,
            ..Rules::default()
        };
        let (v, w) = read_args(&Source::Literal(text), std::io::empty(), &lenient).unwrap();
        assert_eq!(v, json!({"limit": 2}));
        assert_eq!(
            w,
            [r#"ARGS: the key "limit" is given more than once; the last value is used"#]
        );
    }
}
