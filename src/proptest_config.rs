//! The proptest settings of the library's unit tests, in one place: how
//! many cases, and failing cases kept beside the test's own file (as
//! `<file>.regressions`, so a failure found once is tried first on every
//! later run) instead of in a folder at the top of the repository.

use proptest::test_runner::{Config, FileFailurePersistence};

/// `cases` cases a run, failures kept beside the test file.
pub(crate) fn kept_beside(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("regressions"))),
        ..Config::default()
    }
}
