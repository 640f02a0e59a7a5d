//! Printing results: the `{"status_code", "headers", "body"}` view (or
//! only the body with `--body`), binary bodies raw to a file or to a
//! stdout that is not a terminal.

use super::exit::{Exit, Failure};
use super::members::Members;
use falcon_harness::escape;
use falcon_harness::response::{Response, ResponseBody};
use serde_json::{json, Value};
use std::io::{self, IsTerminal, Write};
use std::path::Path;

/// Writes `text` to stdout; a reader that went away (`| head`) is not
/// an error.
pub fn print(text: &[u8]) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    match out.write_all(text).and_then(|_| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|e| Failure::broken(format!("cannot write to stdout: {e}"))),
    }
}

/// Pretty-prints a JSON value and a line break to stdout, control
/// characters in strings escaped ([`escape::write_json`]).
pub fn print_json(v: &Value) -> Result<(), Failure> {
    let mut text = Vec::new();
    escape::write_json(&mut text, v, true).expect("a Value always serializes");
    text.push(b'\n');
    print(&text)
}

/// The printed view of a reply: the Python SDK's
/// `{"status_code", "headers", "body"}`, or only the body.
pub fn view(resp: Response, body_only: bool) -> Value {
    let mut uber = resp.into_uber();
    if body_only {
        uber["body"].take()
    } else {
        uber
    }
}

/// The fields of a batch line for a reply: `status_code`, `headers` and
/// `body` (only `body` when `body_only`). A JSON body is passed on as the
/// server sent it, without the whitespace between tokens, instead of
/// being decoded and encoded again.
pub fn reply_members(resp: Response, body_only: bool, m: &mut Members) {
    if let Some(text) = resp.json_text() {
        if !body_only {
            m.field("status_code", &resp.status())
                .raw("headers", |out| resp.uber_headers().write_json(out));
        }
        m.compact("body", text);
        return;
    }
    match view(resp, body_only) {
        Value::Object(fields) if !body_only => {
            for (k, v) in &fields {
                m.field(k, v);
            }
        }
        body => {
            m.field("body", &body);
        }
    }
}

/// Prints a reply. A binary body goes raw to stdout when stdout is not a
/// terminal; on a terminal only its size and type are shown.
pub fn print_response(resp: Response, body_only: bool) -> Result<Exit, Failure> {
    let exit = Exit::for_status(resp.status());
    if let ResponseBody::Bytes(bytes) = resp.body() {
        if !io::stdout().is_terminal() {
            print(bytes)?;
            return Ok(exit);
        }
        let _ = writeln!(
            io::stderr(),
            "falcon-harness: a binary body of {} bytes is not shown on a terminal; \
             use --output FILE or redirect stdout",
            bytes.len()
        );
        let shown = json!({
            "bytes": bytes.len(),
            "content_type": resp.header("content-type"),
        });
        let mut v = view(resp, false);
        v["body"] = shown;
        let v = if body_only { v["body"].take() } else { v };
        print_json(&v)?;
        return Ok(exit);
    }
    print_json(&view(resp, body_only))?;
    Ok(exit)
}

/// Prints the reply of a download to `path` (`body` names the file and
/// the bytes written).
pub fn print_download(resp: Response, path: &Path, body_only: bool) -> Result<Exit, Failure> {
    let exit = Exit::for_status(resp.status());
    let written = match resp.body() {
        ResponseBody::Streamed(n) => Some(*n),
        _ => None,
    };
    let mut v = view(resp, false);
    if let Some(n) = written {
        v["body"] = json!({"file": path.display().to_string(), "bytes_written": n});
    }
    let v = if body_only { v["body"].take() } else { v };
    print_json(&v)?;
    Ok(exit)
}
