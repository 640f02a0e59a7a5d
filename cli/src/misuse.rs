//! Parsing the command line, with clap's answer to a misused flag
//! rewritten to say what to do: an operation's parameter given as a flag
//! (`QueryDevicesByFilter --limit 5`) is shown as ARGS instead of clap's
//! tip of a similar flag: as JSON, and as a key=value pair when the ARGS
//! reader turns that pair into the same JSON. Suggested words are quoted
//! for a POSIX shell.

use super::args::Args;
use super::pairs;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{CommandFactory, FromArgMatches};
use falcon_harness::catalog;
use serde_json::Value;
use std::ffi::OsString;

/// Parses the process's arguments; on an error, prints it and exits
/// (2 for a usage error, 0 for `--help` and `--version`).
pub fn parse() -> Args {
    parse_from(std::env::args_os()).unwrap_or_else(|e| e.exit())
}

/// Parses `argv` (the program name first), rewriting an unknown flag
/// that names a parameter of the operation given.
pub fn parse_from<I, T>(argv: I) -> Result<Args, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let argv: Vec<OsString> = argv.into_iter().map(Into::into).collect();
    let mut cmd = Args::command();
    cmd.try_get_matches_from_mut(argv.iter().cloned())
        .and_then(|m| Args::from_arg_matches(&m))
        .map_err(|e| rewrite(&e, &argv).unwrap_or_else(|| e.format(&mut cmd)))
}

/// The message for an unknown flag that is a parameter of the operation
/// on the command line; `None` to keep clap's.
fn rewrite(e: &clap::Error, argv: &[OsString]) -> Option<clap::Error> {
    if e.kind() != ErrorKind::UnknownArgument {
        return None;
    }
    let Some(ContextValue::String(flag)) = e.get(ContextKind::InvalidArg) else {
        return None;
    };
    let text: Vec<&str> = argv.iter().skip(1).filter_map(|a| a.to_str()).collect();
    let message = advice(flag, &text)?;
    Some(clap::Error::raw(
        ErrorKind::UnknownArgument,
        format!("{message}\n"),
    ))
}

/// What to say about `flag` given the other words of the command line:
/// when one of them is an operation with a parameter or body field of the
/// flag's name
/// (dashes or underscores), the same call with it in ARGS.
pub fn advice(flag: &str, words: &[&str]) -> Option<String> {
    let (name, inline) = match flag.trim_start_matches('-').split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (flag.trim_start_matches('-'), None),
    };
    let op = words
        .iter()
        .filter(|w| !w.starts_with('-'))
        .find_map(|w| catalog::resolve(w).ok())?
        .operation;
    let param = [name.to_string(), name.replace('-', "_")]
        .into_iter()
        .find_map(|n| {
            op.param(&n)
                .map(|p| p.name())
                .or_else(|| op.body()?.field(&n).map(|f| f.name()))
        })?;
    let at = words
        .iter()
        .position(|w| *w == flag || w.split_once('=').is_some_and(|(f, _)| f == flag));
    let value = inline.map(str::to_string).or_else(|| {
        let at = at?;
        match words[at].split_once('=') {
            Some((_, v)) => Some(v.to_string()),
            None => words
                .get(at + 1)
                .filter(|w| !w.starts_with('-'))
                .map(|w| w.to_string()),
        }
    });
    let value = value.unwrap_or_else(|| "VALUE".into());
    let json_value = match serde_json::from_str::<Value>(&value) {
        Ok(v) if !v.is_string() => v,
        _ => Value::String(value.clone()),
    };
    let json = serde_json::json!({ param: json_value });
    let id = op.id();
    let mut forms = vec![format!("falcon-harness {id} {}", quote(&json.to_string()))];
    let pair = format!("{param}={value}");
    if reads_as(op, &pair, &json) {
        forms.push(format!("falcon-harness {id} {}", quote(&pair)));
    }
    let how = if forms.len() > 1 {
        "JSON or key=value"
    } else {
        "a JSON object"
    };
    Some(format!(
        "{flag} is not a flag: {param} is an argument of {id}; arguments are {how} \
         after the operation:\n  {}\n(see falcon-harness --describe {id}, or --help)",
        forms.join("\n  ")
    ))
}

/// Whether the ARGS word `word` reads as `expected` for `op`: the
/// suggestion is only made in a form the command line accepts.
fn reads_as(op: &'static falcon_harness::Operation, word: &str, expected: &Value) -> bool {
    pairs::read_words(Some(op), &[word], std::io::empty(), &Default::default())
        .is_ok_and(|(v, _)| &v == expected)
}

/// `word` as one word for a POSIX shell: as it is when it has no
/// special characters, else in single quotes.
pub fn quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-.,:/@%+=".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(v: &[&str]) -> String {
        let argv = std::iter::once("falcon-harness").chain(v.iter().copied());
        parse_from(argv).unwrap_err().to_string()
    }

    #[test]
    fn a_parameter_given_as_a_flag_is_shown_as_args() {
        let e = err(&["--dry-run", "QueryIncidents", "--limit", "5"]);
        assert!(
            e.contains("falcon-harness QueryIncidents '{\"limit\":5}'"),
            "{e}"
        );
        // key=value is offered only when ARGS reads it as the same JSON
        // key=value pairs are read by the declared type: limit=5 is 5
        assert!(e.contains("falcon-harness QueryIncidents limit=5"), "{e}");
        assert!(e.contains("JSON or key=value"), "{e}");
        assert!(!e.contains("--list"), "{e}");
        let e = err(&["query_devices_by_filter", "--filter=platform_name:'Linux'"]);
        assert!(
            e.contains(r#"QueryDevicesByFilter '{"filter":"platform_name:'\''Linux'\''"}'"#),
            "{e}"
        );
        let e = err(&["GetQueriesAlertsV2", "--include-hidden"]);
        assert!(e.contains(r#"'{"include_hidden":"VALUE"}'"#), "{e}");
        // a body field
        let e = err(&["PostDeviceDetailsV2", "--ids", "abc"]);
        assert!(e.contains(r#"'{"ids":"abc"}'"#), "{e}");
    }

    #[test]
    fn suggestions_are_quoted_for_the_shell() {
        assert_eq!(quote("limit=5"), "limit=5");
        assert_eq!(quote(r#"{"limit":5}"#), r#"'{"limit":5}'"#);
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        // what bash reads back is the word itself
        for word in ["it's", r#"{"a":"b c"}"#, "x;y", "$HOME"] {
            let out = std::process::Command::new("bash")
                .arg("-c")
                .arg(format!("printf %s {}", quote(word)))
                .output()
                .expect("bash runs");
            assert_eq!(String::from_utf8_lossy(&out.stdout), word);
        }
    }

    #[test]
    fn other_unknown_flags_keep_clap_s_message() {
        let e = err(&["QueryIncidents", "--lenent"]);
        assert!(e.contains("--lenient"), "{e}");
        let e = err(&["--limit", "5"]);
        assert!(!e.contains("is not a flag"), "{e}");
        assert!(advice("--nope", &["QueryIncidents", "--nope"]).is_none());
    }

    #[test]
    fn good_command_lines_parse() {
        let argv = ["falcon-harness", "--dry-run", "QueryIncidents", "{}"];
        assert_eq!(
            parse_from(argv).unwrap().op.as_deref(),
            Some("QueryIncidents")
        );
    }
}
