//! The crate's error type: one enum with predicates, in the manner of
//! reqwest. Secrets never appear in any message.

use std::fmt;
use std::time::Duration;

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An operation name that is not an ID, alias or snake_case name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownOperation {
    /// The name as given.
    pub name: String,
    /// The name is a retired ID with no successor.
    pub retired: bool,
    /// The closest known names.
    pub suggestions: Vec<&'static str>,
}

impl fmt::Display for UnknownOperation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.retired {
            write!(
                f,
                "operation {:?} was retired by the API and has no successor",
                self.name
            )?;
        } else {
            write!(f, "unknown operation {:?}", self.name)?;
        }
        if !self.suggestions.is_empty() {
            write!(f, "; did you mean {}?", self.suggestions.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownOperation {}

/// A bad argument: names the operation, the argument and what was
/// expected. Nothing is sent when one occurs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgumentError {
    /// The operation ID.
    pub operation: String,
    /// The argument's name (or `<args>` for the argument object itself).
    pub argument: String,
    /// What was expected, and what was given.
    pub expected: String,
}

impl fmt::Display for ArgumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: argument {:?}: {}",
            self.operation, self.argument, self.expected
        )
    }
}

impl std::error::Error for ArgumentError {}

/// Everything that can go wrong in this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The operation name is not known.
    #[error(transparent)]
    UnknownOperation(#[from] UnknownOperation),
    /// An argument is missing, unknown or of the wrong type.
    #[error(transparent)]
    Argument(#[from] ArgumentError),
    /// The harness was configured wrongly (bad cloud, missing credentials,
    /// plain HTTP to a remote host ...).
    #[error("configuration: {0}")]
    Config(String),
    /// Authentication failed (token request refused or unusable).
    #[error("authentication failed{}: {message}", status.map(|s| format!(" (HTTP {s})")).unwrap_or_default())]
    Auth {
        /// HTTP status of the token reply, when there was one.
        status: Option<u16>,
        /// What went wrong (never the secret or the token).
        message: String,
    },
    /// The request could not be sent or its reply not read.
    #[error("{operation}: transport error: {source}")]
    Transport {
        /// The operation ID.
        operation: String,
        /// The underlying error (boxed, so that no other crate's error
        /// type is part of this API; downcast it if you need to).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The request did not complete in time: the time limit of the
    /// whole request (retries and waits included) ran out, or every
    /// attempt ran out of its own.
    #[error("{operation}: timed out after {after:?} ({limit}; {})", attempts_made(*attempts))]
    Timeout {
        /// The operation ID (`oauth2/token` for the token request).
        operation: String,
        /// The time limit that ran out.
        after: Duration,
        /// Which limit it was.
        limit: TimeLimit,
        /// Attempts made (started) before it ran out.
        attempts: u32,
    },
    /// A reply body grew past the size limit (counted after decoding, so
    /// a small compressed reply that expands is caught too). Reading
    /// stopped there.
    #[error("{operation}: the reply is larger than the limit of {limit} bytes (after decoding); reading stopped")]
    TooLarge {
        /// The operation ID (`oauth2/token` for the token request).
        operation: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The API answered with an error status and the caller asked for
    /// statuses to be errors (`error_for_status`).
    #[error("{operation}: HTTP {status}: {message}")]
    Status {
        /// The operation ID.
        operation: String,
        /// The HTTP status.
        status: u16,
        /// The API's error messages, or a preview of the body.
        message: String,
    },
    /// A reply could not be decoded (malformed JSON where JSON was
    /// promised).
    #[error("{operation}: cannot decode the reply: {message}")]
    Decode {
        /// The operation ID.
        operation: String,
        /// What was wrong.
        message: String,
    },
    /// A local file could not be read or written.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, with the path.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// Which time limit an [`Error::Timeout`] ran out of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeLimit {
    /// The limit of the whole request: token, attempts, retry waits and
    /// reading the reply.
    Request,
    /// The limit of one attempt (each attempt ran out of it, until the
    /// retries were used up).
    Attempt,
    /// The limit for opening a connection.
    Connect,
}

impl fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeLimit::Request => "the time limit of the whole request",
            TimeLimit::Attempt => "the time limit of each attempt",
            TimeLimit::Connect => "the time limit for connecting",
        })
    }
}

fn attempts_made(n: u32) -> String {
    match n {
        1 => "1 attempt made".to_string(),
        n => format!("{n} attempts made"),
    }
}

/// What kind of failure an [`Error`] is: a `Copy` summary to branch on
/// (the enum itself is `#[non_exhaustive]`) and to report.
///
/// ```
/// use falcon_harness::{Error, ErrorKind};
/// let e = Error::Config("no credentials".into());
/// assert_eq!(e.kind(), ErrorKind::Config);
/// assert_eq!(e.kind().as_str(), "config");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// [`Error::UnknownOperation`].
    UnknownOperation,
    /// [`Error::Argument`].
    Argument,
    /// [`Error::Config`].
    Config,
    /// [`Error::Auth`].
    Auth,
    /// [`Error::Transport`].
    Transport,
    /// [`Error::Timeout`].
    Timeout,
    /// [`Error::Status`].
    Status,
    /// [`Error::Decode`].
    Decode,
    /// [`Error::Io`].
    Io,
    /// [`Error::TooLarge`].
    TooLarge,
}

impl ErrorKind {
    /// The kind's name in snake_case (`"unknown_operation"`, `"argument"`,
    /// `"config"`, `"auth"`, `"transport"`, `"timeout"`, `"status"`,
    /// `"decode"`, `"io"`, `"too_large"`): the CLI's error lines use it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::UnknownOperation => "unknown_operation",
            ErrorKind::Argument => "argument",
            ErrorKind::Config => "config",
            ErrorKind::Auth => "auth",
            ErrorKind::Transport => "transport",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Status => "status",
            ErrorKind::Decode => "decode",
            ErrorKind::Io => "io",
            ErrorKind::TooLarge => "too_large",
        }
    }

    /// A usage error the caller can fix (unknown operation, bad argument,
    /// configuration): nothing was sent.
    pub fn is_usage(self) -> bool {
        matches!(
            self,
            ErrorKind::UnknownOperation | ErrorKind::Argument | ErrorKind::Config
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::UnknownOperation(_) => ErrorKind::UnknownOperation,
            Error::Argument(_) => ErrorKind::Argument,
            Error::Config(_) => ErrorKind::Config,
            Error::Auth { .. } => ErrorKind::Auth,
            Error::Transport { .. } => ErrorKind::Transport,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Status { .. } => ErrorKind::Status,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::Io { .. } => ErrorKind::Io,
            Error::TooLarge { .. } => ErrorKind::TooLarge,
        }
    }

    /// An unknown operation name.
    pub fn is_unknown_operation(&self) -> bool {
        matches!(self, Error::UnknownOperation(_))
    }
    /// A bad argument (nothing was sent).
    pub fn is_argument(&self) -> bool {
        matches!(self, Error::Argument(_))
    }
    /// A configuration problem.
    pub fn is_config(&self) -> bool {
        matches!(self, Error::Config(_))
    }
    /// An authentication failure.
    pub fn is_auth(&self) -> bool {
        matches!(self, Error::Auth { .. })
    }
    /// A transport failure (connect, TLS, reset, body read).
    pub fn is_transport(&self) -> bool {
        matches!(self, Error::Transport { .. })
    }
    /// A time-out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }
    /// An API error status turned into an error.
    pub fn is_status(&self) -> bool {
        matches!(self, Error::Status { .. })
    }
    /// The HTTP status, for [`Error::Status`] and [`Error::Auth`].
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Status { status, .. } => Some(*status),
            Error::Auth { status, .. } => *status,
            _ => None,
        }
    }
    /// A usage error the caller can fix: unknown operation, bad argument
    /// or configuration. Nothing was sent.
    pub fn is_usage(&self) -> bool {
        self.kind().is_usage()
    }

    /// A transport failure of `what` (an operation ID or `oauth2/token`),
    /// explained in words ([`Cause`](crate::cause::Cause)), without the
    /// URL (it may carry a query with secrets).
    pub(crate) fn transport(what: impl Into<String>, e: reqwest::Error) -> Error {
        Error::Transport {
            operation: what.into(),
            source: Box::new(crate::cause::Cause::of(e)),
        }
    }

    pub(crate) fn argument(
        operation: impl Into<String>,
        argument: impl Into<String>,
        expected: impl Into<String>,
    ) -> Error {
        Error::Argument(ArgumentError {
            operation: operation.into(),
            argument: argument.into(),
            expected: expected.into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn kinds_name_the_cli_error_lines() {
        let io = Error::Io {
            context: "reading x".into(),
            source: std::io::Error::other("gone"),
        };
        let transport = Error::Transport {
            operation: "QueryIncidents".into(),
            source: "connection reset".into(),
        };
        let cases = [
            (Error::Config("x".into()), "config", true),
            (
                Error::argument("Op", "limit", "an integer"),
                "argument",
                true,
            ),
            (
                Error::UnknownOperation(UnknownOperation {
                    name: "Nope".into(),
                    retired: false,
                    suggestions: vec![],
                }),
                "unknown_operation",
                true,
            ),
            (
                Error::Auth {
                    status: Some(401),
                    message: "no".into(),
                },
                "auth",
                false,
            ),
            (
                Error::Timeout {
                    operation: "Op".into(),
                    after: Duration::from_secs(1),
                    limit: TimeLimit::Request,
                    attempts: 2,
                },
                "timeout",
                false,
            ),
            (
                Error::TooLarge {
                    operation: "Op".into(),
                    limit: 10,
                },
                "too_large",
                false,
            ),
            (
                Error::Status {
                    operation: "Op".into(),
                    status: 404,
                    message: "gone".into(),
                },
                "status",
                false,
            ),
            (
                Error::Decode {
                    operation: "Op".into(),
                    message: "bad".into(),
                },
                "decode",
                false,
            ),
            (io, "io", false),
            (transport, "transport", false),
        ];
        for (e, kind, usage) in cases {
            assert_eq!(e.kind().as_str(), kind, "{e}");
            assert_eq!(e.kind().to_string(), kind);
            assert_eq!(e.is_usage(), usage, "{e}");
        }
    }

    #[test]
    fn timeouts_say_which_limit_and_how_many_attempts() {
        let e = Error::Timeout {
            operation: "oauth2/token".into(),
            after: Duration::from_secs(3),
            limit: TimeLimit::Request,
            attempts: 2,
        };
        assert_eq!(
            e.to_string(),
            "oauth2/token: timed out after 3s (the time limit of the whole request; 2 attempts made)"
        );
        let e = Error::Timeout {
            operation: "Op".into(),
            after: Duration::from_millis(1500),
            limit: TimeLimit::Attempt,
            attempts: 1,
        };
        assert!(e
            .to_string()
            .ends_with("(the time limit of each attempt; 1 attempt made)"));
    }

    #[test]
    fn transport_source_is_reachable_through_source() {
        let e = Error::Transport {
            operation: "QueryIncidents".into(),
            source: "connection reset".into(),
        };
        assert_eq!(e.source().unwrap().to_string(), "connection reset");
        assert_eq!(
            e.to_string(),
            "QueryIncidents: transport error: connection reset"
        );
    }
}
