//! `falcon-harness fake --port N --fixtures DIR`: the fake Falcon API of
//! `falcon_harness::testing` for scripts. Replies come from fixture
//! files, every request is logged decoded (operation ID and arguments)
//! as one JSON line on stdout, and SIGINT or SIGTERM stop it cleanly.
//!
//! Fixtures, one operation per file, named by its operation ID:
//! - `DIR/<OperationId>.json`: the reply body (status 200), or
//!   `{"status": .., "headers"?: {..}, "body"?: ..}` (an object whose
//!   keys are only these and `body_base64`, with an integer `status`);
//! - `DIR/<OperationId>.jsonl`: JSON Lines of
//!   `{"args"?: {..}, "status"?: .., "headers"?: {..}, "body"?: ..}`,
//!   tried in order; `args` match partially, as in Rust tests.
//!
//! `"body_base64"` instead of `"body"` answers with those bytes
//! (`application/octet-stream`, for downloads).
//!
//! Other files are ignored. A request no fixture matches is answered 599
//! with the reason, which the log line carries as `error`.

use crate::exit::{Exit, Failure};
use base64::Engine as _;
use clap::Parser;
use falcon_harness::testing::FakeFalcon;
use serde_json::{Map, Value};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The arguments of `falcon-harness fake`.
#[derive(Debug, Parser)]
#[command(
    name = "falcon-harness fake",
    about = "Serve a fake Falcon API on 127.0.0.1 from fixture files, logging each request decoded as JSON Lines",
    after_help = "Fixtures: DIR/<OperationId>.json (a reply body, or {\"status\", \"headers\", \"body\"}) \
                  or DIR/<OperationId>.jsonl (lines of {\"args\", \"status\", \"headers\", \"body\"}).\n\
                  Point a script at it with FALCON_BASE_URL=http://127.0.0.1:PORT and any \
                  FALCON_CLIENT_ID / FALCON_CLIENT_SECRET."
)]
pub struct FakeArgs {
    /// Port on 127.0.0.1 (0: any free port, named on stderr).
    #[arg(long, default_value_t = 0)]
    pub port: u16,

    /// Directory of fixture files.
    #[arg(long, value_name = "DIR")]
    pub fixtures: Option<PathBuf>,
}

/// One canned reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Fixture {
    /// Where it was read (`file` or `file:line`), for messages.
    pub source: String,
    /// The operation, as the file names it.
    pub op: String,
    /// The arguments a request must carry.
    pub args: Value,
    /// Reply status.
    pub status: u16,
    /// Reply headers.
    pub headers: Vec<(String, String)>,
    /// Reply body.
    pub body: Value,
    /// Reply bytes (`body_base64`), sent instead of `body`.
    pub bytes: Option<Vec<u8>>,
}

/// Whether `argv` (without the program name) asks for the fake.
pub fn wanted(argv: &[OsString]) -> bool {
    argv.first().is_some_and(|a| a == "fake")
}

/// Runs `falcon-harness fake ...`; `argv` starts at `fake`.
pub fn main(argv: &[OsString]) -> Exit {
    let args = match FakeArgs::try_parse_from(argv) {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Ok
            };
        }
    };
    match run(&args) {
        Ok(()) => Exit::Ok,
        Err(f) => {
            let _ = writeln!(std::io::stderr(), "falcon-harness fake: {}", f.message);
            f.exit
        }
    }
}

fn run(args: &FakeArgs) -> Result<(), Failure> {
    let fixtures = match &args.fixtures {
        Some(dir) => load_dir(dir)?,
        None => Vec::new(),
    };
    let fake = FakeFalcon::builder()
        .port(args.port)
        .no_drop_check()
        .on_request(|call| {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", call.to_json());
            let _ = out.flush();
        })
        .start()
        .map_err(|e| Failure::broken(format!("cannot listen on 127.0.0.1:{}: {e}", args.port)))?;
    for f in &fixtures {
        let mut on = fake.on(&f.op).args(f.args.clone()).any_times();
        for (k, v) in &f.headers {
            on = on.header(k, v);
        }
        let on = on
            .check()
            .map_err(|e| Failure::usage(format!("{}: {e}", f.source)))?;
        match &f.bytes {
            Some(b) => on.reply_bytes(f.status, b.clone()),
            None => on.reply(f.status, f.body.clone()),
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "falcon-harness fake: listening on {} ({} fixtures)",
        fake.url(),
        fixtures.len()
    );
    wait_for_signal()?;
    drop(fake);
    Ok(())
}

/// Blocks until SIGINT or SIGTERM.
fn wait_for_signal() -> Result<(), Failure> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::broken(format!("runtime: {e}")))?;
    rt.block_on(async {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let mut term = signal(SignalKind::terminate())
                .map_err(|e| Failure::broken(format!("signals: {e}")))?;
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        Ok(())
    })
}

/// Reads every fixture file of `dir`, in name order.
pub fn load_dir(dir: &Path) -> Result<Vec<Fixture>, Failure> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Failure::usage(format!("fixtures {}: {e}", dir.display())))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext != "json" && ext != "jsonl" {
            continue;
        }
        let op = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("")
            .to_string();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Failure::usage(format!("{}: {e}", path.display())))?;
        if ext == "json" {
            out.push(parse_json(&path, op, &text)?);
        } else {
            out.extend(parse_jsonl(&path, &op, &text)?);
        }
    }
    Ok(out)
}

fn bad(source: &str, what: impl std::fmt::Display) -> Failure {
    Failure::usage(format!("{source}: {what}"))
}

/// The keys of a reply in a fixture.
const REPLY_KEYS: &[&str] = &["status", "headers", "body", "body_base64"];

/// `DIR/Op.json`: a body, or a `{"status", "headers", "body"}` envelope.
pub fn parse_json(path: &Path, op: String, text: &str) -> Result<Fixture, Failure> {
    let file = path.display().to_string();
    let v: Value = serde_json::from_str(text).map_err(|e| {
        bad(
            &format!("{file}:{}", e.line()),
            format!("not JSON: {e} (column {})", e.column()),
        )
    })?;
    let envelope = v.as_object().is_some_and(|m| {
        m.get("status").is_some_and(Value::is_u64)
            && m.keys().all(|k| REPLY_KEYS.contains(&k.as_str()))
    });
    if envelope {
        return reply(
            &file,
            op,
            Value::Null,
            v.as_object().cloned().unwrap_or_default(),
        );
    }
    let mut m = Map::new();
    m.insert("body".into(), v);
    reply(&file, op, Value::Null, m)
}

/// `DIR/Op.jsonl`: one `{"args", "status", "headers", "body"}` per line.
pub fn parse_jsonl(path: &Path, op: &str, text: &str) -> Result<Vec<Fixture>, Failure> {
    let file = path.display().to_string();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let source = format!("{file}:{}", i + 1);
        let v: Value =
            serde_json::from_str(line).map_err(|e| bad(&source, format!("not JSON: {e}")))?;
        let Value::Object(mut m) = v else {
            return Err(bad(
                &source,
                "expected an object {\"args\", \"status\", \"headers\", \"body\"}",
            ));
        };
        if let Some(k) = m
            .keys()
            .find(|k| k.as_str() != "args" && !REPLY_KEYS.contains(&k.as_str()))
        {
            return Err(bad(
                &source,
                format!("unknown key {k:?} (expected args, status, headers, body or body_base64)"),
            ));
        }
        let args = m.remove("args").unwrap_or(Value::Null);
        out.push(reply(&source, op.to_string(), args, m)?);
    }
    Ok(out)
}

fn reply(source: &str, op: String, args: Value, m: Map<String, Value>) -> Result<Fixture, Failure> {
    let status = match m.get("status") {
        None => 200,
        Some(s) => s
            .as_u64()
            .and_then(|s| u16::try_from(s).ok())
            .filter(|s| (100..=599).contains(s))
            .ok_or_else(|| {
                bad(
                    source,
                    format!("\"status\" must be an HTTP status, got {s}"),
                )
            })?,
    };
    let mut headers = Vec::new();
    match m.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(h)) => {
            for (k, v) in h {
                let Some(v) = v.as_str() else {
                    return Err(bad(source, format!("header {k:?} must be a string")));
                };
                headers.push((k.clone(), v.to_string()));
            }
        }
        Some(_) => return Err(bad(source, "\"headers\" must be an object")),
    }
    let bytes = match m.get("body_base64") {
        None | Some(Value::Null) => None,
        Some(Value::String(b)) => Some(
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .map_err(|e| bad(source, format!("\"body_base64\" is not base64: {e}")))?,
        ),
        Some(_) => return Err(bad(source, "\"body_base64\" must be a string")),
    };
    Ok(Fixture {
        bytes,
        source: source.to_string(),
        op,
        args: if args.is_null() {
            Value::Object(Map::new())
        } else {
            args
        },
        status,
        headers,
        body: m.get("body").cloned().unwrap_or(Value::Object(Map::new())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_fixtures_are_bodies_or_envelopes() {
        let p = Path::new("d/QueryIncidents.json");
        let f = parse_json(p, "QueryIncidents".into(), r#"{"resources": ["a"]}"#).unwrap();
        assert_eq!((f.status, f.body), (200, json!({"resources": ["a"]})));
        let f = parse_json(
            p,
            "QueryIncidents".into(),
            r#"{"status": 429, "headers": {"X-RateLimit-RetryAfter": "0"}}"#,
        )
        .unwrap();
        assert_eq!(f.status, 429);
        assert_eq!(
            f.headers,
            [("X-RateLimit-RetryAfter".to_string(), "0".to_string())]
        );
        // A body that happens to have a "status" beside other keys is a body.
        let f = parse_json(p, "Q".into(), r#"{"status": 1, "resources": []}"#).unwrap();
        assert_eq!(f.status, 200);
        let e = parse_json(p, "Q".into(), "{\n  \"a\": }").unwrap_err();
        assert!(
            e.message.starts_with("d/QueryIncidents.json:2: not JSON"),
            "{}",
            e.message
        );
    }

    #[test]
    fn jsonl_errors_name_the_line() {
        let p = Path::new("d/GetIncidents.jsonl");
        let text =
            "{\"args\": {\"ids\": [\"a\"]}, \"body\": {}}\n\n{\"status\": 404}\n{\"stauts\": 1}\n";
        let e = parse_jsonl(p, "GetIncidents", text).unwrap_err();
        assert_eq!(
            e.message,
            "d/GetIncidents.jsonl:4: unknown key \"stauts\" (expected args, status, headers, body or body_base64)"
        );
        let ok = parse_jsonl(p, "GetIncidents", "{\"status\": 404}\n").unwrap();
        assert_eq!(ok[0].status, 404);
        let e = parse_jsonl(p, "GetIncidents", "[1]\n").unwrap_err();
        assert!(e
            .message
            .starts_with("d/GetIncidents.jsonl:1: expected an object"));
        let f = parse_json(p, "G".into(), r#"{"status": 200, "body_base64": "AP8="}"#).unwrap();
        assert_eq!(f.bytes, Some(vec![0, 255]));
        let e = parse_json(p, "G".into(), r#"{"status": 200, "body_base64": "!"}"#).unwrap_err();
        assert!(e.message.contains("not base64"), "{}", e.message);
        let e = parse_jsonl(p, "GetIncidents", "{\"status\": 1000}").unwrap_err();
        assert!(
            e.message.contains("must be an HTTP status"),
            "{}",
            e.message
        );
    }
}
