//! The ARGS of one call: a JSON object given literally, as `@FILE`, or
//! as `-` for stdin.

use super::exit::Failure;
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

/// Reads and parses the arguments; `stdin` is read only for `-`.
/// Anything but a JSON object is a usage error.
pub fn read_args(source: &Source<'_>, stdin: impl Read) -> Result<Value, Failure> {
    let (text, from) = match source {
        Source::None => return Ok(Value::Object(Map::new())),
        Source::Literal(s) => (s.to_string(), "ARGS".to_string()),
        Source::File(path) => {
            if path.as_os_str().is_empty() {
                return Err(Failure::usage("ARGS: '@' must be followed by a file name"));
            }
            let text = std::fs::read_to_string(path).map_err(|e| {
                Failure::usage(format!("ARGS: cannot read {}: {e}", path.display()))
            })?;
            (text, format!("ARGS from {}", path.display()))
        }
        Source::Stdin => {
            let mut text = String::new();
            let mut stdin = stdin;
            stdin
                .read_to_string(&mut text)
                .map_err(|e| Failure::usage(format!("ARGS: cannot read stdin: {e}")))?;
            (text, "ARGS from stdin".to_string())
        }
    };
    parse_object(&text, &from)
}

/// Parses `text` as a JSON object; `from` names where it came from in
/// error messages.
pub fn parse_object(text: &str, from: &str) -> Result<Value, Failure> {
    if text.trim().is_empty() {
        return Err(Failure::usage(format!(
            "{from}: empty; expected a JSON object such as {{\"limit\": 5}}"
        )));
    }
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Failure::usage(format!("{from}: not valid JSON: {e}")))?;
    if !value.is_object() {
        return Err(Failure::usage(format!(
            "{from}: expected a JSON object such as {{\"limit\": 5}}, got {}",
            falcon_harness::json_kind::name(&value)
        )));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::io::Write;

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
        assert_eq!(read_args(&Source::None, none).unwrap(), json!({}));
        assert_eq!(
            read_args(&Source::Literal(r#"{"limit": 5}"#), std::io::empty()).unwrap(),
            json!({"limit": 5})
        );
        let stdin = &b"{\"filter\": \"status:20\"}\n"[..];
        assert_eq!(
            read_args(&Source::Stdin, stdin).unwrap(),
            json!({"filter": "status:20"})
        );
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(br#"{"ids": ["a"]}"#).unwrap();
        assert_eq!(
            read_args(&Source::File(f.path()), std::io::empty()).unwrap(),
            json!({"ids": ["a"]})
        );
    }

    #[test]
    fn refuses_what_is_not_an_object() {
        let e = read_args(&Source::Literal("[1]"), std::io::empty()).unwrap_err();
        assert_eq!(e.exit, super::super::exit::Exit::Usage);
        assert!(e.message.contains("got a list"), "{}", e.message);
        let e = read_args(&Source::Literal("{limit: 5}"), std::io::empty()).unwrap_err();
        assert!(e.message.contains("not valid JSON"), "{}", e.message);
        let e = read_args(&Source::Stdin, &b"  \n"[..]).unwrap_err();
        assert!(e.message.contains("stdin: empty"), "{}", e.message);
        let e = read_args(
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
}
