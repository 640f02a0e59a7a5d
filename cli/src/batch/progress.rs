//! The `--batch` progress line on stderr.

use super::Summary;
use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

/// A one-line progress display on stderr, drawn only when stderr is a
/// terminal, at most ten times a second.
#[derive(Debug)]
pub struct Progress {
    enabled: bool,
    started: Instant,
    last: Option<Instant>,
}

impl Progress {
    /// Progress on stderr when stderr is a terminal.
    pub fn stderr() -> Progress {
        Progress::new(io::stderr().is_terminal())
    }

    /// Progress that draws only when `enabled`.
    pub fn new(enabled: bool) -> Progress {
        Progress {
            enabled,
            started: Instant::now(),
            last: None,
        }
    }

    pub(super) fn tick(&mut self, s: &Summary) {
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

    fn draw(&self, s: &Summary) {
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let _ = write!(
            io::stderr(),
            "\r\x1b[2Kbatch: {} lines, {} not ok, {:.0} lines/s",
            s.lines,
            s.failed,
            s.lines as f64 / secs
        );
    }

    pub(super) fn finish(&mut self, s: &Summary) {
        if self.enabled {
            self.draw(s);
            let _ = writeln!(io::stderr());
        }
    }
}
