//! The async engine of `--batch`: lines are read here and handed, as
//! their raw bytes, to the workers of a [`Pool`], which parse them, call
//! the handler and build the output lines; the engine writes the output
//! lines in input order, so it only reads and writes.

use super::pool::{Done, Pool, Work};
use super::{kept, output_line, write_line, Parsed, Reply, Request, Summary};
use crate::input::Rules;
use crate::lines::{self, AsyncLines, Line};
use crate::notes;
use crate::progress::Progress;
use crate::shard::Shard;
use std::future::{poll_fn, Future};
use std::io::{self, Write};
use std::task::Poll;
use tokio::io::AsyncBufRead;

/// How many lines the engine writes in one go before it lets the other
/// tasks of its thread run (as tokio's own budget does).
const BUDGET: usize = 256;

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
    async fn run(&self, line: usize, read: Line, spare: &mut Option<Vec<u8>>) -> Done {
        let parsed = kept(line, &read, &self.rules, self.shard);
        // The line's text is not needed past here.
        *spare = lines::reusable(read);
        match parsed? {
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
    let mut pool = Pool::new(job, concurrency);
    let mut lines = AsyncLines::new(input, rules.max_bytes);
    let mut summary = Summary::new();
    let mut done = Vec::new();
    let (mut line, mut ended) = (0usize, false);
    poll_fn(|cx| {
        let mut budget = BUDGET;
        loop {
            pool.poll_done(cx, &mut done);
            let mut moved = !done.is_empty();
            budget = budget.saturating_sub(done.len());
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
                        if let Some(buf) = pool.push(line, read) {
                            lines.recycle(buf);
                        }
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
            if budget == 0 {
                // Lines keep coming: let the thread's other tasks run too.
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
        }
    })
    .await?;
    out.flush()?;
    progress.finish();
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::Exit;
    use serde_json::{json, Map, Value};
    use std::sync::mpsc;
    use std::time::Duration;
    use tokio::io::AsyncWriteExt;

    fn reply(req: &Request) -> Reply {
        let mut m = Map::new();
        m.insert("args".into(), req.args.clone());
        Reply::new(m, Exit::Ok)
    }

    fn lines(out: &[u8]) -> Vec<Value> {
        out.split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_slice(l).unwrap())
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_line_whose_handler_panics_is_an_error_line_and_the_rest_go_on() {
        let input: String = (0..40)
            .map(|i| {
                format!("{{\"id\": {i}, \"op\": \"QueryIncidents\", \"args\": {{\"n\": {i}}}}}\n")
            })
            .collect();
        let mut out = Vec::new();
        let summary = run_async(
            input.as_bytes(),
            &mut out,
            4,
            &Rules::default(),
            None,
            |req: Request| async move {
                if req.args["n"] == json!(7) {
                    panic!("a bug on line 8");
                }
                reply(&req)
            },
            &mut Progress::hidden(),
        )
        .await
        .unwrap();
        assert_eq!((summary.lines, summary.failed), (40, 1));
        assert_eq!(summary.exit, Exit::Failure);
        let got = lines(&out);
        for (i, v) in got.iter().enumerate() {
            assert_eq!(v["line"], json!(i + 1));
            if i == 7 {
                assert_eq!(v["error"]["kind"], "internal", "{v}");
                assert_eq!(v["id"], Value::Null);
            } else {
                assert_eq!((&v["id"], &v["args"]["n"]), (&json!(i), &json!(i)));
            }
        }
    }

    /// Writes go to a channel at each flush.
    struct Flushed(Vec<u8>, mpsc::Sender<Vec<u8>>);

    impl Write for Flushed {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            if !self.0.is_empty() {
                let _ = self.1.send(std::mem::take(&mut self.0));
            }
            Ok(())
        }
    }

    #[tokio::test]
    async fn an_answer_is_out_before_the_next_line_arrives() {
        let (mut writer, reader) = tokio::io::duplex(1024);
        let (tx, rx) = mpsc::channel();
        let mut out = Flushed(Vec::new(), tx);
        let (mut progress, rules) = (Progress::hidden(), Rules::default());
        let engine = run_async(
            tokio::io::BufReader::new(reader),
            &mut out,
            8,
            &rules,
            None,
            |req: Request| async move { reply(&req) },
            &mut progress,
        );
        let feed = async move {
            writer
                .write_all(b"{\"op\": \"QueryIncidents\", \"args\": {\"n\": 1}}\n")
                .await
                .unwrap();
            // The first answer comes while the input stays open.
            let mut first = None;
            for _ in 0..500 {
                if let Ok(flushed) = rx.try_recv() {
                    first = Some(flushed);
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            writer
                .write_all(b"{\"op\": \"QueryIncidents\", \"args\": {\"n\": 2}}\n")
                .await
                .unwrap();
            drop(writer);
            (first, rx)
        };
        let (summary, (first, rx)) = tokio::join!(engine, feed);
        assert_eq!(summary.unwrap().lines, 2);
        let first = first.expect("the first answer flushed before the second line");
        assert_eq!(
            lines(&first),
            [json!({"id": null, "line": 1, "args": {"n": 1}})]
        );
        let rest: Vec<u8> = rx.try_iter().flatten().collect();
        assert_eq!(
            lines(&rest),
            [json!({"id": null, "line": 2, "args": {"n": 2}})]
        );
    }
}
