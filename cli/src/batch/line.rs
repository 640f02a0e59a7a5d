//! One batch line: parsing an input line into a [`Request`] (or an error
//! line), and building the output line from a handler's [`Reply`].

use crate::exit::Exit;
use crate::input::{self, Rules};
use crate::json_text::{self, Text, Top};
use crate::members::Members;
use crate::request::Target;
use falcon_harness::error::Error;
use falcon_harness::router::{self, Call};
use serde_json::{json, Map, Value};

/// One well-formed input line.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// 1-based line number in the input.
    pub line: usize,
    /// The line's `id`, `null` when it has none.
    pub id: Value,
    /// The resolved operation, or the override route.
    pub target: Target,
    /// The arguments (`{}` when absent).
    pub args: Value,
    /// Notes on the line (lenient mode's repeated keys).
    pub warnings: Vec<String>,
    /// The child CID the line acts for.
    pub member_cid: Option<String>,
}

/// What a handler returns for one line: the fields to print after `id`,
/// `line` and `member_cid` (as JSON text, built where the reply is), and
/// the exit code the line stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// Fields of the output line.
    pub fields: Members,
    /// The line's outcome as an exit code.
    pub exit: Exit,
}

impl Reply {
    /// A reply with these fields.
    pub fn new(fields: Map<String, Value>, exit: Exit) -> Reply {
        let mut m = Members::default();
        for (k, v) in &fields {
            m.field(k, v);
        }
        Reply { fields: m, exit }
    }

    /// A reply with fields written already.
    pub fn with_members(fields: Members, exit: Exit) -> Reply {
        Reply { fields, exit }
    }

    /// An error line: `{"error": {"kind": .., "message": ..}}`.
    pub fn error(kind: &str, message: impl Into<String>, exit: Exit) -> Reply {
        let mut m = Members::default();
        m.field("error", &json!({"kind": kind, "message": message.into()}));
        Reply { fields: m, exit }
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
    /// A bad line: its `id` and `member_cid` (when they could be read) and
    /// the error reply.
    Bad(Value, Option<String>, Reply),
    /// A blank line (skipped).
    Blank,
}

pub(super) fn bad(id: Value, message: String) -> Parsed {
    Parsed::Bad(id, None, Reply::error("parse", message, Exit::Usage))
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
    let mut members = json_text::Line::default();
    let repeated = match json_text::parse_line(text, &mut members) {
        Ok((Top::Object, repeated)) => repeated,
        Ok((Top::Other(value), _)) => {
            return bad(
                Value::Null,
                format!(
                    "line {line}: expected an object {{\"id\"?: .., \"op\": .., \"args\"?: {{..}}, \"member_cid\"?: \"..\"}}, got {}",
                    falcon_harness::json_kind::name(&value)
                ),
            )
        }
        Err(e) => return bad(Value::Null, format!("line {line}: not valid JSON: {e}")),
    };
    let json_text::Line {
        id,
        op,
        args,
        route,
        member_cid,
        unknown,
    } = members;
    let id = id.unwrap_or(Value::Null);
    let warnings = if repeated.is_empty() {
        Vec::new()
    } else {
        match input::repeated_keys(&format!("line {line}"), repeated, rules) {
            Ok(w) => w,
            Err(f) => return bad(id, f.message),
        }
    };
    if let Some(k) = unknown {
        return bad(
            id,
            format!(
                "line {line}: unknown key {k:?}; a line has \"id\", \"op\" (or \"override\"), \"args\" and \"member_cid\""
            ),
        );
    }
    let member_cid = match member_cid {
        None => None,
        Some(Text::Str(s)) => Some(s.into_owned()),
        Some(Text::Other(other)) => {
            return bad(
                id,
                format!(
                    "line {line}: \"member_cid\" must be a string, got {}",
                    falcon_harness::json_kind::name(&other)
                ),
            )
        }
    };
    // Past here an error line carries the line's member_cid.
    let bad = |id, message| {
        Parsed::Bad(
            id,
            member_cid.clone(),
            Reply::error("parse", message, Exit::Usage),
        )
    };
    let route = match route {
        None | Some(Text::Other(Value::Null)) => None,
        Some(Text::Str(s)) => Some(s.into_owned()),
        Some(Text::Other(other)) => {
            return bad(
                id,
                format!(
                    "line {line}: \"override\" must be a string \"METHOD,/route\", got {}",
                    falcon_harness::json_kind::name(&other)
                ),
            )
        }
    };
    let name = match op {
        // With an override, the operation name is not needed (as in
        // falconpy, where it is ignored).
        _ if route.is_some() => Default::default(),
        Some(Text::Str(s)) => s,
        Some(Text::Other(other)) => {
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
    let args = match args {
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
    if let Some(route) = route {
        return Parsed::Request(Request {
            line,
            id,
            target: Target::Override(route),
            args,
            warnings,
            member_cid,
        });
    }
    // A name that is no operation, with an override route in the
    // arguments, calls that route (the library's one rule).
    let target = match router::resolve_call(&name, &args) {
        Ok(Call::Operation(r)) => {
            crate::notes::deprecation(&r);
            Target::Op(r.operation)
        }
        Ok(Call::Override(route)) => Target::Override(route.to_string()),
        Err(e) => {
            return Parsed::Bad(
                id,
                member_cid,
                Reply::from_error(&Error::UnknownOperation(e)),
            )
        }
    };
    Parsed::Request(Request {
        line,
        id,
        target,
        args,
        warnings,
        member_cid,
    })
}

/// The output line for a reply: `id`, `line`, `member_cid` (when the line
/// has one), then the reply's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputLine {
    line: usize,
    id: Value,
    member_cid: Option<String>,
    reply: Reply,
}

/// The output line for a reply.
pub fn output_line(line: usize, id: Value, member_cid: Option<String>, reply: Reply) -> OutputLine {
    OutputLine {
        line,
        id,
        member_cid,
        reply,
    }
}

impl OutputLine {
    /// The exit code the line stands for.
    pub fn exit(&self) -> Exit {
        self.reply.exit
    }

    /// Writes the line's JSON text (without the line break) straight to
    /// `out`: the fields are JSON text already. Control characters in
    /// strings are escaped (see `falcon_harness::escape`).
    pub fn write_to<W: std::io::Write + ?Sized>(&self, out: &mut W) -> std::io::Result<()> {
        out.write_all(b"{\"id\":")?;
        falcon_harness::escape::write(&mut *out, &self.id, false)?;
        out.write_all(b",\"line\":")?;
        out.write_all(itoa::Buffer::new().format(self.line).as_bytes())?;
        if let Some(cid) = &self.member_cid {
            out.write_all(b",\"member_cid\":")?;
            falcon_harness::escape::write(&mut *out, cid, false)?;
        }
        let fields = self.reply.fields.as_bytes();
        if !fields.is_empty() {
            out.write_all(b",")?;
            out.write_all(fields)?;
        }
        out.write_all(b"}")
    }
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
        assert_eq!(r.fields.to_map()["error"]["kind"], "auth");
        let r = Reply::from_error(&Error::Config("x".into()));
        assert_eq!(r.fields.to_map()["error"]["kind"], "config");
        assert_eq!(r.exit, Exit::Usage);
    }
}
