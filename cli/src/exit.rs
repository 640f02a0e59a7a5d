//! Exit codes, and the mapping from errors and statuses to them.

use falcon_harness::error::{Error, ErrorKind};
use std::fmt;

/// The process exit code of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Exit {
    /// 0: a 2xx result, or nothing needed sending.
    Ok = 0,
    /// 1: the API answered with an error status (the result is printed).
    Api = 1,
    /// 2: usage or argument error; nothing was sent.
    Usage = 2,
    /// 3: transport, time-out, reply-too-large or authentication failure.
    Failure = 3,
    /// 4: `--all` printed what it got, but not everything: a later page
    /// failed, the server repeated a page token or offset, or the API has
    /// more than paging can reach (the offset window of 10,500, or the
    /// page cap).
    Incomplete = 4,
}

impl Exit {
    /// The numeric code.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// The exit for an HTTP status: 2xx and 304 (Not Modified, the answer
    /// to a conditional request) are [`Exit::Ok`], anything else
    /// [`Exit::Api`].
    pub fn for_status(status: u16) -> Exit {
        if (200..300).contains(&status) || status == 304 {
            Exit::Ok
        } else {
            Exit::Api
        }
    }

    /// The exit for a library error: usage errors (unknown operation,
    /// bad argument, configuration) are 2; an error status is 1;
    /// authentication, transport, time-out, decoding and I/O failures
    /// are 3.
    pub fn for_error(e: &Error) -> Exit {
        match e.kind() {
            k if k.is_usage() => Exit::Usage,
            ErrorKind::Status => Exit::Api,
            _ => Exit::Failure,
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e.code())
    }
}

/// A failure of the command line itself, with the exit it leads to and a
/// message for stderr.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub exit: Exit,
    /// What went wrong.
    pub message: String,
}

impl Failure {
    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            exit: Exit::Usage,
            message: message.into(),
        }
    }

    /// A failure to send or to write (exit 3).
    pub fn broken(message: impl Into<String>) -> Failure {
        Failure {
            exit: Exit::Failure,
            message: message.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure {
            exit: Exit::for_error(&e),
            message: e.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use falcon_harness::error::{ArgumentError, UnknownOperation};
    use std::time::Duration;

    #[test]
    fn statuses() {
        assert_eq!(Exit::for_status(200), Exit::Ok);
        assert_eq!(Exit::for_status(204), Exit::Ok);
        assert_eq!(Exit::for_status(302), Exit::Api);
        assert_eq!(Exit::for_status(404), Exit::Api);
        assert_eq!(Exit::for_status(500), Exit::Api);
    }

    #[test]
    fn errors() {
        let unknown = Error::UnknownOperation(UnknownOperation {
            name: "Nope".into(),
            retired: false,
            suggestions: vec![],
        });
        assert_eq!(Exit::for_error(&unknown), Exit::Usage);
        let arg = Error::Argument(ArgumentError {
            operation: "QueryIncidents".into(),
            argument: "limit".into(),
            expected: "an integer".into(),
        });
        assert_eq!(Exit::for_error(&arg), Exit::Usage);
        assert_eq!(Exit::for_error(&Error::Config("x".into())), Exit::Usage);
        let auth = Error::Auth {
            status: Some(401),
            message: "denied".into(),
        };
        assert_eq!(Exit::for_error(&auth), Exit::Failure);
        let timeout = Error::Timeout {
            operation: "QueryIncidents".into(),
            after: Duration::from_secs(1),
            limit: falcon_harness::TimeLimit::Request,
            attempts: 1,
        };
        assert_eq!(Exit::for_error(&timeout), Exit::Failure);
        let status = Error::Status {
            operation: "QueryIncidents".into(),
            status: 403,
            message: "forbidden".into(),
        };
        assert_eq!(Exit::for_error(&status), Exit::Api);
        assert_eq!(Exit::Failure.code(), 3);
        assert!(Exit::Failure > Exit::Usage && Exit::Usage > Exit::Api);
    }
}
