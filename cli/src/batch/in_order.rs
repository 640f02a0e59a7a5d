//! The async engine of `--batch`: lines are read here and handed, as
//! their raw bytes, to the workers of a [`Pool`], which parse them, call
//! the handler and build the output lines; the engine writes the output
//! lines in input order, so it only reads and writes.

use super::pool::{Done, Pool, Work};
use super::{kept, output_line, write_line, Parsed, Reply, Request, Summary};
use crate::input::Rules;
use crate::lines::{AsyncLines, Line};
use crate::notes;
use crate::progress::Progress;
use crate::shard::Shard;
use std::future::{poll_fn, Future};
use std::io::{self, Write};
use std::task::Poll;
use tokio::io::AsyncBufRead;

/// What every line's work needs.
struct Job<F> {
    rules: Rules,
    shard: Option<Shard>,
    handle: F,
}

impl<F, Fut> Work for Job<F>
where
    F: Fn(Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Reply> + Send + 'static,
{
    /// One line, from its bytes to its output line.
    async fn run(&self, line: usize, read: Line) -> Done {
        match kept(line, &read, &self.rules, self.shard)? {
            Parsed::Blank => None,
            Parsed::Bad(id, member, reply) => {
                Some((output_line(line, id, member, reply), Vec::new()))
            }
            Parsed::Request(mut req) => {
                // The handler needs neither the id nor the warnings.
                let warnings = std::mem::take(&mut req.warnings);
                let (id, member) = (std::mem::take(&mut req.id), req.member_cid.clone());
                let reply = (self.handle)(req).await;
                Some((output_line(line, id, member, reply), warnings))
            }
        }
    }
}

/// Runs a batch with up to `concurrency` lines in flight at once, on up
/// to `concurrency` workers (so `handle` is called on any thread of the
/// runtime). Output is in input order; memory stays bounded (at most
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
    let job = Job {
        rules: *rules,
        shard,
        handle,
    };
    let pool = Pool::new(job, concurrency);
    let mut lines = AsyncLines::new(input, rules.max_bytes);
    let mut summary = Summary::new();
    let mut done = Vec::new();
    let (mut line, mut ended) = (0usize, false);
    poll_fn(|cx| loop {
        pool.poll_done(cx, &mut done);
        let mut moved = !done.is_empty();
        for (result, warnings) in done.drain(..).flatten() {
            notes::warn(&warnings);
            write_line(out, result, &mut summary, progress)?;
        }
        while !ended && pool.has_room() {
            match lines.poll_line(cx) {
                Poll::Pending => break,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(None)) => ended = true,
                Poll::Ready(Ok(Some(read))) => {
                    line += 1;
                    pool.push(line, read);
                }
            }
            moved = true;
        }
        if ended && pool.is_empty() {
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
