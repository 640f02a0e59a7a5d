//! The async engine of `--batch`: every line kept is read here and
//! handed, as its raw bytes, to a task of its own, which parses it, calls
//! the handler and builds the output line; the engine writes the output
//! lines in input order.
//!
//! The tasks in flight wait in a queue in input order, at most
//! `concurrency` of them (so at most that many lines are read ahead).
//! Only the oldest is polled here: the engine is woken when the next
//! output line is done (or input arrives), not for every line that
//! finishes early, and it takes every line done by then in one go.

use super::{kept, output_line, write_line, OutputLine, Parsed, Reply, Request, Summary};
use crate::exit::Exit;
use crate::input::Rules;
use crate::lines::{AsyncLines, Line};
use crate::notes;
use crate::progress::Progress;
use crate::shard::Shard;
use serde_json::Value;
use std::collections::VecDeque;
use std::future::{poll_fn, Future};
use std::io::{self, Write};
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use tokio::io::AsyncBufRead;
use tokio::task::JoinHandle;

/// What a line's task gives back: its output line and the warnings to
/// print beside it (printed by the engine, so in input order), or
/// nothing for a blank line or another shard's line.
type Done = Option<(OutputLine, Vec<String>)>;

/// What every line's task needs.
struct Job<F> {
    rules: Rules,
    shard: Option<Shard>,
    handle: F,
}

impl<F, Fut> Job<F>
where
    F: Fn(Request) -> Fut,
    Fut: Future<Output = Reply>,
{
    /// One line, from its bytes to its output line.
    async fn run(self: Arc<Self>, line: usize, read: Line) -> Done {
        match kept(line, &read, &self.rules, self.shard)? {
            Parsed::Blank => None,
            Parsed::Bad(id, member, reply) => Some((output_line(line, id, member, reply), Vec::new())),
            Parsed::Request(mut req) => {
                let warnings = std::mem::take(&mut req.warnings);
                let (id, member) = (req.id.clone(), req.member_cid.clone());
                // Boxed: the task moved into the runtime stays small.
                let reply = Box::pin((self.handle)(req)).await;
                Some((output_line(line, id, member, reply), warnings))
            }
        }
    }
}

/// Runs a batch with up to `concurrency` lines in flight at once, each
/// line on a task of its own (so `handle` is called on any thread of
/// the runtime). Output is in input order; memory stays bounded (at most
/// `concurrency` lines are read ahead). Output is flushed whenever the
/// next line is not ready yet.
pub async fn run_async<R, W, F, Fut>(
    input: R,
    out: &mut W,
    concurrency: usize,
    rules: &Rules,
    shard: Option<Shard>,
    handle: F,
    progress: &mut Progress,
) -> io::Result<Summary>
where
    R: AsyncBufRead + Unpin,
    W: Write,
    F: Fn(Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Reply> + Send + 'static,
{
    let concurrency = concurrency.max(1);
    let job = Arc::new(Job {
        rules: *rules,
        shard,
        handle,
    });
    let mut lines = AsyncLines::new(input, rules.max_bytes);
    let mut in_flight: VecDeque<(usize, JoinHandle<Done>)> = VecDeque::with_capacity(concurrency);
    let mut summary = Summary::new();
    let (mut line, mut ended) = (0usize, false);
    poll_fn(|cx| loop {
        let mut moved = false;
        while let Some((at, task)) = in_flight.front_mut() {
            let Poll::Ready(done) = Pin::new(task).poll(cx) else {
                break;
            };
            let at = *at;
            in_flight.pop_front();
            moved = true;
            let done = done.unwrap_or_else(|_| Some((stopped(at), Vec::new())));
            if let Some((result, warnings)) = done {
                notes::warn(&warnings);
                write_line(out, result, &mut summary, progress)?;
            }
        }
        while !ended && in_flight.len() < concurrency {
            match lines.poll_line(cx) {
                Poll::Pending => break,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(None)) => ended = true,
                Poll::Ready(Ok(Some(read))) => {
                    line += 1;
                    let task = tokio::spawn(job.clone().run(line, read));
                    in_flight.push_back((line, task));
                }
            }
            moved = true;
        }
        if ended && in_flight.is_empty() {
            return Poll::Ready(Ok(()));
        }
        if !moved {
            out.flush()?;
            return Poll::Pending;
        }
    })
    .await?;
    out.flush()?;
    progress.finish();
    Ok(summary)
}

/// The output line of a line whose task ended without an answer (a bug).
fn stopped(line: usize) -> OutputLine {
    let reply = Reply::error("internal", "a batch worker stopped", Exit::Failure);
    output_line(line, Value::Null, None, reply)
}
