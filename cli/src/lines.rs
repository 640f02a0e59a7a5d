//! Reading input lines with a size limit: a line longer than the limit
//! is skipped to its end without being held in memory, so `--batch`
//! holds at most (lines in flight) × (limit) bytes of input.

use std::io::{self, BufRead};
use std::pin::Pin;
use std::task::{ready, Context, Poll};
use tokio::io::AsyncBufRead;

/// The largest line buffer kept for a later line (see [`reusable`]).
const RECYCLED: usize = 16 * 1024;

/// A line's buffer once the line is parsed, when small enough to read a
/// later line into (a long line's is freed).
pub fn reusable(read: Line) -> Option<Vec<u8>> {
    match read {
        Line::Text(buf) if buf.capacity() <= RECYCLED => Some(buf),
        _ => None,
    }
}

/// One line read: its bytes (with the line break, if any), or the fact
/// that it was longer than the limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// The line.
    Text(Vec<u8>),
    /// The line had more than the limit's bytes; they were skipped.
    TooLong,
}

/// Splits buffered input into lines of at most `limit` bytes (the line
/// break `\n` not counted).
#[derive(Debug)]
struct Splitter {
    limit: usize,
    buf: Vec<u8>,
    over: bool,
    seen: bool,
}

impl Splitter {
    fn new(limit: u64) -> Splitter {
        Splitter {
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
            buf: Vec::new(),
            over: false,
            seen: false,
        }
    }

    /// Takes bytes of `avail` up to the first line break; returns how
    /// many were taken and whether the line ended.
    fn feed(&mut self, avail: &[u8]) -> (usize, bool) {
        let (take, ended) = match memchr::memchr(b'\n', avail) {
            Some(i) => (i + 1, true),
            None => (avail.len(), false),
        };
        self.seen |= take > 0;
        if !self.over {
            // The line break is not counted; the buffer holds none yet.
            let text = if ended { take - 1 } else { take };
            if self.buf.len() + text > self.limit {
                self.over = true;
                self.buf = Vec::new();
            } else {
                self.buf.extend_from_slice(&avail[..take]);
            }
        }
        (take, ended)
    }

    /// The line gathered so far, `None` at the end of input.
    fn finish(&mut self) -> Option<Line> {
        if !std::mem::take(&mut self.seen) {
            return None;
        }
        if std::mem::take(&mut self.over) {
            return Some(Line::TooLong);
        }
        Some(Line::Text(std::mem::take(&mut self.buf)))
    }

    /// One step of reading a line from `avail`, the reader's buffer
    /// (empty at the end of input): how many bytes to consume, and, once
    /// the line is complete, what [`read_line`] returns.
    fn step(&mut self, avail: &[u8]) -> (usize, Option<Option<Line>>) {
        if avail.is_empty() {
            return (0, Some(self.finish()));
        }
        let (taken, ended) = self.feed(avail);
        (taken, ended.then(|| self.finish()))
    }
}

/// Reads the next line of `input`; `None` at the end of input.
pub fn read_line(input: &mut impl BufRead, limit: u64) -> io::Result<Option<Line>> {
    let mut s = Splitter::new(limit);
    loop {
        let (taken, line) = s.step(input.fill_buf()?);
        input.consume(taken);
        if let Some(line) = line {
            return Ok(line);
        }
    }
}

/// [`read_line`] for async input, by polling: a line read in part is
/// kept between polls, so the reader can wait for input beside other
/// work (the `--batch` engine waits for input and for replies at once).
#[derive(Debug)]
pub struct AsyncLines<R> {
    input: R,
    splitter: Splitter,
}

impl<R: AsyncBufRead + Unpin> AsyncLines<R> {
    /// Lines of `input` of at most `limit` bytes each.
    pub fn new(input: R, limit: u64) -> AsyncLines<R> {
        AsyncLines {
            input,
            splitter: Splitter::new(limit),
        }
    }

    /// The next line, `None` at the end of input.
    pub fn poll_line(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<Line>>> {
        loop {
            let avail = ready!(Pin::new(&mut self.input).poll_fill_buf(cx))?;
            let (taken, line) = self.splitter.step(avail);
            Pin::new(&mut self.input).consume(taken);
            if let Some(line) = line {
                return Poll::Ready(Ok(line));
            }
        }
    }

    /// Gives back the buffer of a line done with, for a later line (only
    /// a small one is kept).
    pub fn recycle(&mut self, mut buf: Vec<u8>) {
        if self.splitter.buf.capacity() == 0 && buf.capacity() <= RECYCLED {
            buf.clear();
            self.splitter.buf = buf;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufReader, Read};

    fn all(input: &[u8], limit: u64, capacity: usize) -> Vec<Line> {
        let mut r = BufReader::with_capacity(capacity, input);
        let mut out = Vec::new();
        while let Some(l) = read_line(&mut r, limit).unwrap() {
            out.push(l);
        }
        out
    }

    fn text(s: &str) -> Line {
        Line::Text(s.as_bytes().to_vec())
    }

    #[test]
    fn splits_and_bounds_lines_whatever_the_buffer_size() {
        let input = b"abc\n0123456789\n\r\nabc\r\nlast";
        for capacity in [1, 2, 3, 5, 64] {
            assert_eq!(
                all(input, 4, capacity),
                [
                    text("abc\n"),
                    Line::TooLong,
                    text("\r\n"),
                    text("abc\r\n"),
                    text("last")
                ],
                "{capacity}"
            );
        }
        assert!(all(b"", 4, 8).is_empty());
        assert_eq!(all(b"\n", 4, 8), [text("\n")]);
    }

    #[test]
    fn an_endless_line_is_skipped_in_bounded_memory() {
        let endless = std::io::repeat(b'x').take(50_000_000).chain(&b"\n{}\n"[..]);
        let mut r = BufReader::new(endless);
        assert_eq!(read_line(&mut r, 1024).unwrap(), Some(Line::TooLong));
        assert_eq!(read_line(&mut r, 1024).unwrap(), Some(text("{}\n")));
        assert_eq!(read_line(&mut r, 1024).unwrap(), None);
    }

    #[tokio::test]
    async fn async_reads_the_same() {
        let r = tokio::io::BufReader::with_capacity(3, &b"ab\n0123456789\nz"[..]);
        let mut r = AsyncLines::new(r, 4);
        let mut got = Vec::new();
        while let Some(l) = std::future::poll_fn(|cx| r.poll_line(cx)).await.unwrap() {
            got.push(l);
        }
        assert_eq!(got, [text("ab\n"), Line::TooLong, text("z")]);
    }
}
