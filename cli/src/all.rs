//! `--all`: follows pagination and writes each page's resources as the
//! page arrives, as one JSON array or (`--jsonl`) one resource per line,
//! so a pipe sees items while later pages are still on their way. A
//! progress line (items, pages, rate) is drawn on a terminal.

use super::exit::{Exit, Failure};
use super::notes;
use super::output;
use super::progress::{self, Progress};
use falcon_harness::escape;
use falcon_harness::operation::Operation;
use falcon_harness::paginate::Incomplete;
use falcon_harness::Harness;
use futures_util::StreamExt;
use serde_json::Value;
use std::io::{self, Write};

/// How `--all` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One pretty-printed JSON array of every resource.
    Array,
    /// One compact JSON value per line (JSON Lines).
    Lines,
}

/// Writes resources as they come, in one of the [`Format`]s.
#[derive(Debug)]
pub struct Sink<W: Write> {
    out: W,
    format: Format,
    written: u64,
}

impl<W: Write> Sink<W> {
    /// A sink writing to `out`.
    pub fn new(out: W, format: Format) -> Sink<W> {
        Sink {
            out,
            format,
            written: 0,
        }
    }

    /// Writes one page's resources and flushes them. Control characters
    /// in strings are escaped ([`escape::write_json`]): the text comes
    /// from a server and may reach a terminal.
    pub fn page(&mut self, resources: &[Value]) -> io::Result<()> {
        for r in resources {
            match self.format {
                Format::Lines => {
                    escape::write_json(&mut self.out, r, false)?;
                    self.out.write_all(b"\n")?;
                }
                Format::Array => {
                    self.out
                        .write_all(if self.written == 0 { b"[\n" } else { b",\n" })?;
                    let mut text = Vec::new();
                    escape::write_json(&mut text, r, true)?;
                    // A pretty line break is never inside a JSON string.
                    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
                        if i > 0 {
                            self.out.write_all(b"\n")?;
                        }
                        self.out.write_all(b"  ")?;
                        self.out.write_all(line)?;
                    }
                }
            }
            self.written += 1;
        }
        self.out.flush()
    }

    /// Ends the output (closes the array).
    pub fn close(mut self) -> io::Result<()> {
        if self.format == Format::Array {
            self.out
                .write_all(if self.written == 0 { b"[]\n" } else { b"\n]\n" })?;
        }
        self.out.flush()
    }

    /// Resources written so far.
    pub fn written(&self) -> u64 {
        self.written
    }
}

/// Follows the pages of `op` with `args` (up to the harness's page cap)
/// and prints their resources in `format`.
///
/// An error status on the first page is printed as a reply (exit 1). A
/// failure after resources were printed ends the output where it is
/// (the array closed) with a message on stderr and exit 4, as does a
/// result that paging cannot reach to the end.
pub async fn all(
    harness: &Harness,
    op: &'static Operation,
    args: Value,
    format: Format,
) -> Result<Exit, Failure> {
    let progress = Progress::pages(progress::on_terminal());
    let mut sink = Sink::new(io::stdout().lock(), format);
    let mut pages = harness.request(op).args(args).pages();
    let mut seen = 0u64;
    let stopped = loop {
        let Some(page) = pages.next().await else {
            break None;
        };
        let page = match page {
            Ok(page) if page.is_success() => page,
            Ok(page) if seen == 0 => {
                progress.finish();
                drop(sink);
                return output::print_response(page, false);
            }
            Ok(page) => break Some(refused(seen + 1, &page)),
            Err(e) if seen == 0 => {
                progress.finish();
                return Err(e.into());
            }
            Err(e) => break Some(e.to_string()),
        };
        let Some(resources) = page.resources() else {
            progress.finish();
            return Err(Failure::broken(format!(
                "{}: --all: the reply has no \"resources\" list to concatenate",
                op.id()
            )));
        };
        seen += 1;
        progress.page(seen, resources.len() as u64);
        match sink.page(resources) {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                progress.finish();
                return Ok(Exit::Ok);
            }
            r => r.map_err(write_failure)?,
        }
    };
    progress.finish();
    let printed = sink.written();
    match sink.close() {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(Exit::Ok),
        r => r.map_err(write_failure)?,
    }
    let why = stopped
        .map(|why| format!("stopped after {seen} pages ({printed} resources printed): {why}"))
        .or_else(|| {
            pages.incomplete().map(|why| match why {
                Incomplete::PageCap { .. } => format!("{why}; --max-pages raises the cap"),
                _ => why.to_string(),
            })
        });
    match why {
        Some(why) => {
            notes::warn(&[format!("{}: --all is incomplete: {why}", op.id())]);
            Ok(Exit::Incomplete)
        }
        None => Ok(Exit::Ok),
    }
}

/// Why paging stopped at a page with an error status: the status and
/// the API's messages (escaped when printed).
fn refused(number: u64, page: &falcon_harness::Response) -> String {
    let messages = page.error_messages();
    if messages.is_empty() {
        format!("page {number} answered {}", page.status())
    } else {
        format!(
            "page {number} answered {}: {}",
            page.status(),
            messages.join("; ")
        )
    }
}

fn write_failure(e: io::Error) -> Failure {
    Failure::broken(format!("cannot write to stdout: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pages(format: Format, pages: &[Vec<Value>]) -> String {
        let mut out = Vec::new();
        let mut sink = Sink::new(&mut out, format);
        for p in pages {
            sink.page(p).unwrap();
        }
        sink.close().unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn array_output_is_one_json_array_across_pages() {
        let text = pages(
            Format::Array,
            &[
                vec![json!("a"), json!({"k": [1, 2]})],
                vec![],
                vec![json!(3)],
            ],
        );
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v, json!(["a", {"k": [1, 2]}, 3]));
        assert_eq!(
            text,
            serde_json::to_string_pretty(&v).unwrap() + "\n",
            "the same text as printing the whole array at once"
        );
        assert_eq!(pages(Format::Array, &[vec![]]), "[]\n");
    }

    #[test]
    fn server_text_is_escaped_in_both_formats() {
        let evil = json!({"name": "x\u{1b}]0;t\u{7}\u{9b}2J\u{202e}"});
        for format in [Format::Array, Format::Lines] {
            let text = pages(format, &[vec![evil.clone()]]);
            assert!(
                !text
                    .chars()
                    .any(|c| c != '\n' && falcon_harness::escape::is_control(c)),
                "{text:?}"
            );
            let back: Value = match format {
                Format::Array => serde_json::from_str::<Value>(&text).unwrap()[0].clone(),
                Format::Lines => serde_json::from_str(text.trim_end()).unwrap(),
            };
            assert_eq!(back, evil);
        }
    }

    #[test]
    fn lines_output_is_one_resource_per_line() {
        let text = pages(
            Format::Lines,
            &[vec![json!("a"), json!({"k": 1})], vec![json!(3)]],
        );
        assert_eq!(text, "\"a\"\n{\"k\":1}\n3\n");
        assert_eq!(pages(Format::Lines, &[vec![]]), "");
    }
}
