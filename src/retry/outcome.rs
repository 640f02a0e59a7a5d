//! What the retry decision reads and returns: an attempt's outcome, the
//! request's state, and the decision with its reason.

use reqwest::header::HeaderMap;
use std::time::Duration;

/// How one attempt ended, as the retry decision sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Outcome<'a> {
    /// A reply (its body not read yet).
    Reply { status: u16, headers: &'a HeaderMap },
    /// No reply: the transport failed.
    Failed(FailureClass),
}

/// The kinds of transport failure the retry rules tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailureClass {
    /// No connection could be opened: nothing was sent.
    Connect,
    /// The attempt ran out of time.
    Timeout,
    /// The connection broke while sending or reading.
    Interrupted,
    /// Anything else (not worth repeating).
    Other,
}

impl FailureClass {
    /// The class of a `reqwest` error.
    pub fn of(e: &reqwest::Error) -> FailureClass {
        if e.is_connect() {
            FailureClass::Connect
        } else if e.is_timeout() {
            FailureClass::Timeout
        } else if e.is_request() || e.is_body() || e.is_decode() {
            FailureClass::Interrupted
        } else {
            FailureClass::Other
        }
    }
}

/// Where a request stands when its attempt ended.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempt {
    /// The method may be repeated (GET, HEAD, PUT, DELETE, token requests).
    pub idempotent: bool,
    /// Retries made so far.
    pub retries: u32,
    /// What is left of the request's time limit (`None`: no limit to
    /// count); no retry is made whose wait would use it up.
    pub time_left: Option<Duration>,
}

/// The decision after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Try again after `wait`.
    After { wait: Duration, reason: RetryReason },
    /// Keep this outcome.
    Stop(Stop),
}

/// Why an outcome is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stop {
    /// A reply or failure that is not retried (success, 4xx ...).
    Final,
    /// Retryable only for an idempotent method.
    NotIdempotent,
    /// The retries are used up.
    AttemptCap,
    /// The wait would end past the request's time limit.
    TimeLimit,
}

impl Stop {
    /// For logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Stop::Final => "final",
            Stop::NotIdempotent => "not idempotent",
            Stop::AttemptCap => "retries used up",
            Stop::TimeLimit => "time limit",
        }
    }
}

/// Why a request is repeated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryReason {
    RateLimited,
    ServerError(u16),
    Connect,
    Transport,
}

impl RetryReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RetryReason::RateLimited => "rate limited",
            RetryReason::ServerError(_) => "server error",
            RetryReason::Connect => "connect failed",
            RetryReason::Transport => "transport error",
        }
    }
}
