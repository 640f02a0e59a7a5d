//! Logs on stderr: `-v` shows one line per request (operation, status,
//! attempts, elapsed time) and the token's life, `-vv` adds each attempt,
//! `-vvv` everything. Colour only when stderr is a terminal and
//! `NO_COLOR` is unset or empty (<https://no-color.org>).

use std::io::IsTerminal;

/// The library's level for a `-v` count; `None` logs nothing.
pub fn level(verbose: u8) -> Option<&'static str> {
    match verbose {
        0 => None,
        1 => Some("info"),
        2 => Some("debug"),
        _ => Some("trace"),
    }
}

/// Whether log lines get colour: stderr is a terminal and `NO_COLOR`
/// (any non-empty value) is not set.
pub fn colour(stderr_is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    stderr_is_terminal && no_color.map_or(true, |v| v.is_empty())
}

/// Starts logging to stderr for the library only (so no HTTP library
/// dumps headers); the harness never logs secrets.
pub fn init(verbose: u8) {
    let Some(level) = level(verbose) else {
        return;
    };
    let ansi = colour(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    let filter = tracing_subscriber::EnvFilter::new(format!("falcon_harness={level}"));
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn colour_needs_a_terminal_and_no_no_color() {
        assert!(colour(true, None));
        assert!(colour(true, Some(OsStr::new(""))));
        assert!(!colour(true, Some(OsStr::new("1"))));
        assert!(!colour(false, None));
    }

    #[test]
    fn one_v_is_one_line_per_request() {
        assert_eq!(level(0), None);
        assert_eq!(level(1), Some("info"));
        assert_eq!(level(2), Some("debug"));
        assert_eq!(level(9), Some("trace"));
    }
}
