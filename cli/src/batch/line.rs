//! One batch line: parsing an input line into a [`Request`] (or an error
//! line), and building the output line from a handler's [`Reply`].

use crate::exit::Exit;
use crate::input::{self, Rules};
use crate::json_text;
use falcon_harness::catalog;
use falcon_harness::error::Error;
use falcon_harness::operation::Operation;
use serde_json::{json, Map, Value};

/// One well-formed input line.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// 1-based line number in the input.
    pub line: usize,
    /// The line's `id`, `null` when it has none.
    pub id: Value,
    /// The resolved operation.
    pub op: &'static Operation,
    /// The arguments (`{}` when absent).
    pub args: Value,
    /// Notes on the line (lenient mode's repeated keys).
    pub warnings: Vec<String>,
}

/// What a handler returns for one line: the fields to print after `id`
/// and `line`, and the exit code the line stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// Fields of the output line.
    pub fields: Map<String, Value>,
    /// The line's outcome as an exit code.
    pub exit: Exit,
}

impl Reply {
    /// A reply with these fields.
    pub fn new(fields: Map<String, Value>, exit: Exit) -> Reply {
        Reply { fields, exit }
    }

    /// An error line: `{"error": {"kind": .., "message": ..}}`.
    pub fn error(kind: &str, message: impl Into<String>, exit: Exit) -> Reply {
        let mut fields = Map::new();
        fields.insert(
            "error".into(),
            json!({"kind": kind, "message": message.into()}),
        );
        Reply { fields, exit }
    }

    /// The error line for a library error.
    pub fn from_error(e: &Error) -> Reply {
        Reply::error(e.kind().as_str(), e.to_string(), Exit::for_error(e))
    }
}

/// An input line after parsing.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// A well-formed line.
    Request(Request),
    /// A bad line: its `id` (when one could be read) and the error reply.
    Bad(Value, Reply),
    /// A blank line (skipped).
    Blank,
}

pub(super) fn bad(id: Value, message: String) -> Parsed {
    Parsed::Bad(id, Reply::error("parse", message, Exit::Usage))
}

/// Parses one input line (without its line break). A key given twice
/// anywhere in the line is an error, or in lenient mode a warning.
pub fn parse_line(line: usize, bytes: &[u8], rules: &Rules) -> Parsed {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return bad(Value::Null, format!("line {line}: not UTF-8"));
    };
    let text = text.trim();
    if text.is_empty() {
        return Parsed::Blank;
    }
    let (value, repeated) = match json_text::parse(text) {
        Ok(v) => v,
        Err(e) => return bad(Value::Null, format!("line {line}: not valid JSON: {e}")),
    };
    let Value::Object(mut obj) = value else {
        return bad(
            Value::Null,
            format!(
                "line {line}: expected an object {{\"id\"?: .., \"op\": .., \"args\"?: {{..}}}}, got {}",
                falcon_harness::json_kind::name(&value)
            ),
        );
    };
    let id = obj.remove("id").unwrap_or(Value::Null);
    let warnings = match input::repeated_keys(&format!("line {line}"), repeated, rules) {
        Ok(w) => w,
        Err(f) => return bad(id, f.message),
    };
    if let Some(k) = obj.keys().find(|k| !matches!(k.as_str(), "op" | "args")) {
        return bad(
            id,
            format!("line {line}: unknown key {k:?}; a line has \"id\", \"op\" and \"args\""),
        );
    }
    let name = match obj.remove("op") {
        Some(Value::String(s)) => s,
        Some(other) => {
            return bad(
                id,
                format!(
                    "line {line}: \"op\" must be a string, got {}",
                    falcon_harness::json_kind::name(&other)
                ),
            )
        }
        None => return bad(id, format!("line {line}: \"op\" is missing")),
    };
    let args = match obj.remove("args") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(v @ Value::Object(_)) => v,
        Some(other) => {
            return bad(
                id,
                format!(
                    "line {line}: \"args\" must be an object, got {}",
                    falcon_harness::json_kind::name(&other)
                ),
            )
        }
    };
    match catalog::resolve(&name) {
        Ok(r) => {
            crate::notes::deprecation(&r);
            Parsed::Request(Request {
                line,
                id,
                op: r.operation,
                args,
                warnings,
            })
        }
        Err(e) => Parsed::Bad(id, Reply::from_error(&Error::UnknownOperation(e))),
    }
}

/// The output line for a reply.
pub fn output_line(line: usize, id: Value, reply: Reply) -> (Value, Exit) {
    let mut m = Map::with_capacity(reply.fields.len() + 2);
    m.insert("id".into(), id);
    m.insert("line".into(), json!(line));
    m.extend(reply.fields);
    (Value::Object(m), reply.exit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_kinds() {
        let e = Error::Auth {
            status: Some(401),
            message: "no".into(),
        };
        let r = Reply::from_error(&e);
        assert_eq!(r.exit, Exit::Failure);
        assert_eq!(r.fields["error"]["kind"], "auth");
        let r = Reply::from_error(&Error::Config("x".into()));
        assert_eq!(r.fields["error"]["kind"], "config");
        assert_eq!(r.exit, Exit::Usage);
    }
}
