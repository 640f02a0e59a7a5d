//! Notes and warnings on stderr: a deprecated operation or a legacy
//! name gets one short note per run (however many times a batch uses
//! it); `--quiet` silences notes and warnings alike. Errors are never
//! silenced.

use falcon_harness::catalog::Resolved;
use falcon_harness::escape;
use falcon_harness::Operation;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

static QUIET: AtomicBool = AtomicBool::new(false);
static NOTED: Mutex<Noted> = Mutex::new(Noted(Vec::new()));

/// The operations noted so far.
#[derive(Debug, Default)]
pub struct Noted(Vec<&'static Operation>);

impl Noted {
    /// The note for a resolved name, the first time this set meets its
    /// operation; `None` when there is nothing to say or it was said.
    pub fn first(&mut self, resolved: &Resolved) -> Option<String> {
        // Asked for every batch line: the few operations noted are
        // compared by address, and the note is made only once.
        let op = resolved.operation;
        if self.0.iter().any(|n| std::ptr::eq(*n, op)) {
            return None;
        }
        let note = resolved.deprecation_note()?;
        self.0.push(op);
        Some(note)
    }
}

/// `--quiet`: from now on, notes and warnings are not printed.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether notes and warnings are silenced.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Prints the deprecation note of a resolved name once per operation
/// per run (unless `--quiet`).
pub fn deprecation(resolved: &Resolved) {
    if quiet() {
        return;
    }
    let note = NOTED
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .first(resolved);
    if let Some(note) = note {
        let note = escape::controls(&note);
        let _ = writeln!(std::io::stderr(), "falcon-harness: note: {note}");
    }
}

/// Prints warnings (lenient mode's dropped keys, an incomplete `--all`)
/// unless `--quiet`, control characters escaped (the text may come from
/// a server or from input).
pub fn warn(warnings: &[String]) {
    if quiet() {
        return;
    }
    let mut err = std::io::stderr().lock();
    for w in warnings {
        let _ = writeln!(err, "falcon-harness: warning: {}", escape::controls(w));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deprecated_operation_is_noted_once() {
        let mut noted = Noted::default();
        let r = falcon_harness::catalog::resolve("QueryIncidents").unwrap();
        assert!(r.operation.deprecated());
        let first = noted.first(&r).expect("a note the first time");
        assert!(first.contains("QueryIncidents"), "{first}");
        assert_eq!(noted.first(&r), None);
        let current = falcon_harness::catalog::resolve("QueryDevicesByFilter").unwrap();
        assert_eq!(noted.first(&current), None);
    }
}
