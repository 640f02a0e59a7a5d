//! A secret string (client secret or token): never shown.

use std::fmt;

/// A secret string, such as a client secret or a token. Its `Debug` shows
/// `<redacted>` and it has no `Display`, so it cannot reach a log or an
/// error message by accident; [`expose`](Self::expose) is the one way to
/// the text.
///
/// ```
/// let s = falcon_harness::Secret::new("hunter2");
/// assert_eq!(format!("{s:?}"), "<redacted>");
/// assert_eq!(s.expose(), "hunter2");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Secret {
        Secret(s)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}
