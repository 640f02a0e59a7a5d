//! The `--batch` engine: JSON Lines in (`{"id"?: .., "op": .., "args"?: {..},
//! "member_cid"?: ".."}`, or `{"id"?: .., "override": "METHOD,/route",
//! "args"?: {..}}`), one JSON line out per line in, in input order (with
//! `--shard K/N`, per line of the shard).
//!
//! The engine is generic over the function that handles one parsed line, so
//! the same code runs dry runs (synchronously, [`run_sync`]) and real calls
//! (with bounded concurrency, [`run_async`]). A line that cannot be parsed,
//! or names an unknown operation, yields an error line and the rest go on.
//! Every output line starts with the input's `id` (`null` when it has none)
//! and its 1-based `line` number; then come the handler's fields
//! (`status_code`/`headers`/`body`, `plan`, or `error: {kind, message}`).
//! Blank input lines are skipped.

mod in_order;
mod line;
mod pool;
mod sender;

pub use super::members::Members;
pub use in_order::run_async;
pub use line::{output_line, parse_line, OutputLine, Parsed, Reply, Request};
pub use sender::Sender;

use super::exit::Exit;
use super::input::{self, Rules};
use super::lines::{self, Line};
use super::notes;
use super::progress::Progress;
use super::shard::Shard;
use serde_json::Value;
use std::io::{self, BufReader, Read, Write};

/// What a batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Output lines written.
    pub lines: usize,
    /// Lines whose outcome was not [`Exit::Ok`].
    pub failed: usize,
    /// The highest exit code of any line ([`Exit::Ok`] for none).
    pub exit: Exit,
}

impl Default for Summary {
    fn default() -> Summary {
        Summary::new()
    }
}

impl Summary {
    fn new() -> Summary {
        Summary {
            lines: 0,
            failed: 0,
            exit: Exit::Ok,
        }
    }
}

fn write_line<W: Write>(
    out: &mut W,
    result: OutputLine,
    summary: &mut Summary,
    progress: &mut Progress,
) -> io::Result<()> {
    result.write_to(out)?;
    out.write_all(b"\n")?;
    let exit = result.exit();
    summary.lines += 1;
    if exit != Exit::Ok {
        summary.failed += 1;
    }
    summary.exit = summary.exit.max(exit);
    progress.lines(summary.lines as u64, summary.failed as u64);
    Ok(())
}

/// Runs a batch synchronously, one line at a time (dry runs: planning is
/// pure and needs no runtime). Output is flushed whenever the next line
/// has to be read from the OS.
pub fn run_sync<R: Read, W: Write>(
    input: &mut BufReader<R>,
    out: &mut W,
    rules: &Rules,
    shard: Option<Shard>,
    mut handle: impl FnMut(Request) -> Reply,
    progress: &mut Progress,
) -> io::Result<Summary> {
    let mut summary = Summary::new();
    let mut line = 0;
    loop {
        if input.buffer().is_empty() {
            out.flush()?;
        }
        let Some(read) = lines::read_line(input, rules.max_bytes)? else {
            break;
        };
        line += 1;
        let result = match kept(line, &read, rules, shard) {
            None | Some(Parsed::Blank) => continue,
            Some(Parsed::Bad(id, member, reply)) => output_line(line, id, member, reply),
            Some(Parsed::Request(req)) => {
                notes::warn(&req.warnings);
                let (id, member) = (req.id.clone(), req.member_cid.clone());
                output_line(line, id, member, handle(req))
            }
        };
        write_line(out, result, &mut summary, progress)?;
    }
    out.flush()?;
    progress.finish();
    Ok(summary)
}

/// Parses a line as read (one past the size limit is an error line) and
/// keeps it only when it belongs to `shard` (`None` for other shards'
/// lines). The warnings of a good line are the caller's to print.
fn kept(line: usize, read: &Line, rules: &Rules, shard: Option<Shard>) -> Option<Parsed> {
    let parsed = match read {
        Line::TooLong => line::bad(
            Value::Null,
            input::too_large(&format!("line {line}"), rules.max_bytes),
        ),
        Line::Text(bytes) => parse_line(line, strip_eol(bytes), rules),
    };
    let member = match &parsed {
        Parsed::Blank => return Some(parsed),
        Parsed::Request(r) => r.member_cid.as_deref(),
        Parsed::Bad(_, m, _) => m.as_deref(),
    };
    if shard.is_some_and(|s| !s.keeps(line, member)) {
        return None;
    }
    Some(parsed)
}

fn strip_eol(buf: &[u8]) -> &[u8] {
    let buf = buf.strip_suffix(b"\n").unwrap_or(buf);
    buf.strip_suffix(b"\r").unwrap_or(buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Map};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    fn ok_reply(req: &Request) -> Reply {
        let mut m = Map::new();
        m.insert("op".into(), json!(req.target.name()));
        m.insert("args".into(), req.args.clone());
        Reply::new(m, Exit::Ok)
    }

    fn parse_line_default(line: usize, bytes: &[u8]) -> Parsed {
        parse_line(line, bytes, &Rules::default())
    }

    fn lines(out: &[u8]) -> Vec<Value> {
        out.split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect()
    }

    #[test]
    fn parses_good_and_bad_lines() {
        let Parsed::Request(r) = parse_line_default(
            3,
            br#"{"id": "a", "op": "query_incidents", "args": {"limit": 1}}"#,
        ) else {
            panic!()
        };
        assert_eq!(
            (r.line, r.id.clone(), r.target.name()),
            (3, json!("a"), "QueryIncidents")
        );
        assert_eq!(r.args, json!({"limit": 1}));
        let Parsed::Request(r) = parse_line_default(1, br#"{"op": "CrowdScore"}"#) else {
            panic!()
        };
        assert_eq!((r.id, r.args), (Value::Null, json!({})));
        assert_eq!(parse_line_default(1, b"   "), Parsed::Blank);

        let kind = |p: Parsed| match p {
            Parsed::Bad(id, _, r) => (id, r.fields.to_map()["error"]["kind"].clone(), r.exit),
            other => panic!("{other:?}"),
        };
        let usage = |id: Value, k: &str| (id, json!(k), Exit::Usage);
        assert_eq!(
            kind(parse_line_default(1, b"{nope")),
            usage(Value::Null, "parse")
        );
        assert_eq!(
            kind(parse_line_default(1, b"[1]")),
            usage(Value::Null, "parse")
        );
        assert_eq!(
            kind(parse_line_default(1, b"\xff{}")),
            usage(Value::Null, "parse")
        );
        assert_eq!(
            kind(parse_line_default(1, br#"{"id": 7}"#)),
            usage(json!(7), "parse")
        );
        assert_eq!(
            kind(parse_line_default(
                1,
                br#"{"id": 7, "op": "QueryIncidents", "arg": {}}"#
            )),
            usage(json!(7), "parse")
        );
        assert_eq!(
            kind(parse_line_default(
                1,
                br#"{"id": 7, "op": "QueryIncidents", "args": [1]}"#
            )),
            usage(json!(7), "parse")
        );
        assert_eq!(
            kind(parse_line_default(
                1,
                br#"{"id": "x", "op": "QueryIncident"}"#
            )),
            usage(json!("x"), "unknown_operation")
        );
    }

    #[test]
    fn sync_batch_keeps_order_and_goes_on_after_bad_lines() {
        let input = "{\"id\":1,\"op\":\"QueryIncidents\"}\r\n\nnot json\n{\"op\":\"CrowdScore\",\"args\":{\"limit\":2}}";
        let mut out = Vec::new();
        let s = run_sync(
            &mut BufReader::new(input.as_bytes()),
            &mut out,
            &Rules::default(),
            None,
            |r| ok_reply(&r),
            &mut Progress::hidden(),
        )
        .unwrap();
        assert_eq!(
            s,
            Summary {
                lines: 3,
                failed: 1,
                exit: Exit::Usage
            }
        );
        let got = lines(&out);
        assert_eq!(
            got[0],
            json!({"id": 1, "line": 1, "op": "QueryIncidents", "args": {}})
        );
        assert_eq!(got[1]["line"], 3);
        assert_eq!(got[1]["error"]["kind"], "parse");
        assert_eq!(
            got[2],
            json!({"id": null, "line": 4, "op": "CrowdScore", "args": {"limit": 2}})
        );
    }

    #[tokio::test]
    async fn async_batch_is_ordered_and_bounded() {
        const N: usize = 500;
        const CONCURRENCY: usize = 7;
        let mut input = String::new();
        for i in 0..N {
            if i == 123 {
                input.push_str("{\"id\": 123, \"op\": \"NoSuchOperation\"}\n");
            } else {
                input.push_str(&format!(
                    "{{\"id\": {i}, \"op\": \"QueryIncidents\", \"args\": {{\"offset\": {i}}}}}\n"
                ));
            }
        }
        let in_flight = Arc::new(AtomicUsize::new(0));
        let max = Arc::new(AtomicUsize::new(0));
        let mut out = Vec::new();
        let (in_flight_for_handler, max_for_handler) = (in_flight.clone(), max.clone());
        let summary = run_async(
            input.as_bytes(),
            &mut out,
            CONCURRENCY,
            &Rules::default(),
            None,
            move |req| {
                let in_flight = in_flight_for_handler.clone();
                let max = max_for_handler.clone();
                async move {
                    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    max.fetch_max(now, Ordering::SeqCst);
                    // later lines often finish first
                    let ms = (req.line * 7919 % 5) as u64;
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    ok_reply(&req)
                }
            },
            &mut Progress::hidden(),
        )
        .await
        .unwrap();
        assert_eq!(summary.lines, N);
        assert_eq!(summary.failed, 1);
        assert_eq!(summary.exit, Exit::Usage);
        assert_eq!(max.load(Ordering::SeqCst), CONCURRENCY);
        let got = lines(&out);
        assert_eq!(got.len(), N);
        for (i, v) in got.iter().enumerate() {
            assert_eq!(v["id"], json!(i));
            assert_eq!(v["line"], json!(i + 1));
            if i == 123 {
                assert_eq!(v["error"]["kind"], "unknown_operation");
            } else {
                assert_eq!(v["args"]["offset"], json!(i));
            }
        }
    }
}
