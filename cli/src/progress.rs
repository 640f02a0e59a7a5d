//! Progress on stderr, drawn with indicatif and only when stderr is a
//! terminal: a batch's lines done (of the total, when stdin is a file),
//! the lines not ok, the rate and the time left; `--all`'s items and
//! pages and the rate. Nothing is drawn into a pipe or a file. A caller
//! can add its own figures after the counts (a batch: rate limiting and
//! CIDs, see [`Progress::with_note`]).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::fs::File;
use std::io::{self, IsTerminal, Read, Seek, SeekFrom};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A caller's figures after the counts, asked for at every update.
pub type Note = Arc<dyn Fn() -> String + Send + Sync>;

/// A progress line; hidden when stderr is not a terminal.
#[derive(Clone)]
pub struct Progress {
    bar: ProgressBar,
    note: Option<Note>,
    failed: Arc<AtomicU64>,
    done: Arc<AtomicU64>,
    /// The bar draws nothing (asked once: a batch asks for every line).
    hidden: bool,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("bar", &self.bar)
            .field("note", &self.note.is_some())
            .finish()
    }
}

const BATCH_OF: &str = "batch: {pos}/{len} lines, {msg}, {rate}, {eta} left";
const BATCH: &str = "batch: {pos} lines, {msg}, {rate}, {elapsed}";
const PAGES: &str = "--all: {pos} items, {msg}, {rate}, {elapsed}";

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .expect("the templates are valid")
        .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.1}/s", s.per_sec());
        })
}

fn target(shown: bool) -> ProgressDrawTarget {
    if shown {
        ProgressDrawTarget::stderr_with_hz(10)
    } else {
        ProgressDrawTarget::hidden()
    }
}

/// Whether progress may be drawn: stderr is a terminal.
pub fn on_terminal() -> bool {
    io::stderr().is_terminal()
}

impl Progress {
    /// A progress line that is never drawn.
    pub fn hidden() -> Progress {
        Progress::of(ProgressBar::hidden())
    }

    fn of(bar: ProgressBar) -> Progress {
        Progress {
            hidden: bar.is_hidden(),
            bar,
            note: None,
            failed: Arc::default(),
            done: Arc::default(),
        }
    }

    /// Adds the caller's figures after the counts.
    pub fn with_note(mut self, note: Note) -> Progress {
        self.note = Some(note);
        self.bar.set_message(self.message(0));
        self
    }

    /// The text after the counts: lines not ok, and the note.
    fn message(&self, failed: u64) -> String {
        match &self.note {
            Some(note) => format!("{failed} not ok{}", note()),
            None => format!("{failed} not ok"),
        }
    }

    /// Asks the note again (for figures that change while no line is
    /// done, such as waiting for a rate limit).
    pub fn refresh(&self) {
        if self.note.is_some() {
            self.bar
                .set_message(self.message(self.failed.load(Ordering::Relaxed)));
        }
    }

    /// The progress of a batch of `total` lines (`None`: unknown), drawn
    /// when `shown`.
    pub fn batch(total: Option<u64>, shown: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(total, target(shown))
            .with_style(style(if total.is_some() { BATCH_OF } else { BATCH }))
            .with_message("0 not ok");
        Progress::of(bar)
    }

    /// The progress of a batch read from stdin: drawn on a terminal, with
    /// the total when stdin is a regular file.
    pub fn batch_on_stderr() -> Progress {
        let shown = on_terminal();
        let total = if shown { stdin_lines() } else { None };
        Progress::batch(total, shown)
    }

    /// The progress of `--all` (items and pages), drawn when `shown`.
    pub fn pages(shown: bool) -> Progress {
        let bar = ProgressBar::with_draw_target(None, target(shown))
            .with_style(style(PAGES))
            .with_message("0 pages");
        if shown {
            bar.enable_steady_tick(Duration::from_millis(250));
        }
        Progress::of(bar)
    }

    /// A batch line was written: `done` lines so far, `failed` not ok.
    pub fn lines(&self, done: u64, failed: u64) {
        self.done.store(done, Ordering::Relaxed);
        let changed = self.failed.swap(failed, Ordering::Relaxed) != failed;
        if changed || (self.note.is_some() && !self.hidden && done % 16 == 0) {
            self.bar.set_message(self.message(failed));
        }
        // A hidden bar is not told every line (it would take its lock and
        // the clock each time); the count is kept here.
        if !self.hidden {
            self.bar.set_position(done);
        }
    }

    /// `--all` received page number `pages` with `items` resources.
    pub fn page(&self, pages: u64, items: u64) {
        self.bar
            .set_message(format!("{pages} page{}", if pages == 1 { "" } else { "s" }));
        self.bar.inc(items);
    }

    /// Extra text after the counts (a caller's own figures).
    pub fn note(&self, text: impl Into<std::borrow::Cow<'static, str>>) {
        self.bar.set_message(text);
    }

    /// Leaves the final state on the line.
    pub fn finish(&self) {
        self.bar.abandon();
    }

    /// Lines done (batch) or items received (`--all`).
    pub fn position(&self) -> u64 {
        // A hidden batch bar keeps its count in `done`.
        self.bar.position().max(self.done.load(Ordering::Relaxed))
    }

    /// The total, when known.
    pub fn total(&self) -> Option<u64> {
        self.bar.length()
    }

    /// Whether nothing is drawn.
    pub fn is_hidden(&self) -> bool {
        self.bar.is_hidden()
    }
}

/// The non-blank lines left in stdin when it is a regular file (read
/// once, then the position is put back); `None` for a pipe or a
/// terminal.
fn stdin_lines() -> Option<u64> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let fd = io::stdin().as_fd().try_clone_to_owned().ok()?;
        let mut file = File::from(fd);
        if !file.metadata().ok()?.is_file() {
            return None;
        }
        lines_left(&mut file).ok()
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Counts the non-blank lines from the file's position to its end, and
/// goes back to that position.
pub fn lines_left(file: &mut File) -> io::Result<u64> {
    let start = file.stream_position()?;
    let mut buf = vec![0u8; 64 * 1024];
    let (mut lines, mut blank) = (0u64, true);
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        for &b in &buf[..n] {
            if b == b'\n' {
                lines += u64::from(!blank);
                blank = true;
            } else if !b.is_ascii_whitespace() {
                blank = false;
            }
        }
    }
    lines += u64::from(!blank);
    file.seek(SeekFrom::Start(start))?;
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn counts_the_lines_left_and_keeps_the_position() {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(b"{\"op\":\"a\"}\n\n  \r\n{\"op\":\"b\"}\n{\"op\":\"c\"}")
            .unwrap();
        f.seek(SeekFrom::Start(0)).unwrap();
        assert_eq!(lines_left(&mut f).unwrap(), 3);
        assert_eq!(f.stream_position().unwrap(), 0);
        f.seek(SeekFrom::Start(11)).unwrap();
        assert_eq!(lines_left(&mut f).unwrap(), 2);
        assert_eq!(f.stream_position().unwrap(), 11);
    }

    #[test]
    fn batch_progress_counts_lines_of_a_total() {
        let p = Progress::batch(Some(10), false);
        assert!(p.is_hidden());
        assert_eq!(p.total(), Some(10));
        p.lines(3, 1);
        assert_eq!(p.position(), 3);
        assert_eq!(p.bar.message(), "1 not ok");
        assert_eq!(Progress::batch(None, false).total(), None);
    }

    #[test]
    fn a_note_follows_the_counts() {
        let n = Arc::new(AtomicU64::new(0));
        let seen = n.clone();
        let p = Progress::batch(Some(10), false).with_note(Arc::new(move || {
            format!(" | waiting {}", seen.load(Ordering::Relaxed))
        }));
        assert_eq!(p.bar.message(), "0 not ok | waiting 0");
        n.store(2, Ordering::Relaxed);
        p.lines(1, 1);
        assert_eq!(p.bar.message(), "1 not ok | waiting 2");
        n.store(3, Ordering::Relaxed);
        p.refresh();
        assert_eq!(p.bar.message(), "1 not ok | waiting 3");
        assert_eq!(p.position(), 1);
    }

    #[test]
    fn pages_progress_counts_items_and_pages() {
        let p = Progress::pages(false);
        p.page(1, 500);
        p.page(2, 20);
        assert_eq!(p.position(), 520);
        assert_eq!(p.bar.message(), "2 pages");
    }

    #[test]
    fn templates_are_valid() {
        for t in [BATCH_OF, BATCH, PAGES] {
            let _ = style(t);
        }
    }
}
