//! The batch progress line on stderr (a terminal only): lines done (of
//! the total when the input is a file), rate, ETA, and the caller's extra
//! text (pacing, CIDs).

use super::Summary;
use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::time::{Duration, Instant};

/// Extra text of the progress line (pacing and CIDs), asked for at
/// every redraw.
pub type ProgressExtra = Box<dyn Fn() -> String + Send>;

/// A one-line progress display on stderr, drawn only when stderr is a
/// terminal, at most ten times a second: lines done (of the total when it
/// is known), rate, ETA, and the caller's extra text.
pub struct Progress {
    enabled: bool,
    started: Instant,
    last: Option<Instant>,
    total: Option<usize>,
    extra: Option<ProgressExtra>,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("enabled", &self.enabled)
            .field("total", &self.total)
            .finish()
    }
}

impl Progress {
    /// Progress on stderr when stderr is a terminal.
    pub fn stderr() -> Progress {
        Progress::new(io::stderr().is_terminal())
    }

    /// Progress on stderr when stderr is a terminal, with the number of
    /// input lines when stdin is a file.
    pub fn for_stdin() -> Progress {
        let p = Progress::stderr();
        let total = if p.enabled {
            count_lines(std::path::Path::new("/dev/stdin"))
        } else {
            None
        };
        p.with_total(total)
    }

    /// Progress that draws only when `enabled`.
    pub fn new(enabled: bool) -> Progress {
        Progress {
            enabled,
            started: Instant::now(),
            last: None,
            total: None,
            extra: None,
        }
    }

    /// Whether it draws at all.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The number of input lines, when known (the input is a file).
    pub fn with_total(mut self, total: Option<usize>) -> Progress {
        self.total = total;
        self
    }

    /// Text appended to the line at every redraw.
    pub fn with_extra(mut self, extra: ProgressExtra) -> Progress {
        self.extra = Some(extra);
        self
    }

    pub(crate) fn tick(&mut self, s: &Summary) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        if self
            .last
            .is_some_and(|t| now.duration_since(t) < Duration::from_millis(100))
        {
            return;
        }
        self.last = Some(now);
        self.draw(s);
    }

    fn line(&self, s: &Summary) -> String {
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let rate = s.lines as f64 / secs;
        let mut text = match self.total {
            Some(total) => {
                let left = total.saturating_sub(s.lines) as f64;
                let eta = if rate > 0.0 { left / rate } else { 0.0 };
                format!(
                    "batch: {}/{} lines, {} not ok, {rate:.0} lines/s, ETA {eta:.0} s",
                    s.lines, total, s.failed
                )
            }
            None => format!(
                "batch: {} lines, {} not ok, {rate:.0} lines/s",
                s.lines, s.failed
            ),
        };
        if let Some(extra) = &self.extra {
            text.push_str(&extra());
        }
        text
    }

    fn draw(&self, s: &Summary) {
        let _ = write!(io::stderr(), "\r\x1b[2K{}", self.line(s));
    }

    pub(crate) fn finish(&mut self, s: &Summary) {
        if self.enabled {
            self.draw(s);
            let _ = writeln!(io::stderr());
        }
    }
}

/// The number of lines of a regular file read from its start (stdin
/// redirected from a file), for the progress line; `None` otherwise.
pub fn count_lines(path: &std::path::Path) -> Option<usize> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let mut f = BufReader::with_capacity(256 * 1024, std::fs::File::open(path).ok()?);
    let mut n = 0usize;
    let mut last = b'\n';
    loop {
        let buf = f.fill_buf().ok()?;
        if buf.is_empty() {
            break;
        }
        n += buf.iter().filter(|&&b| b == b'\n').count();
        last = buf[buf.len() - 1];
        let len = buf.len();
        f.consume(len);
    }
    Some(n + usize::from(last != b'\n'))
}
