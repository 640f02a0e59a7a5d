//! The one attempt loop, for API requests and token requests alike: wait
//! for the rate-limit pacer ([`crate::pacing`]), send, tell the pacer what
//! the reply said, ask the retry policy what the outcome means
//! ([`RetryPolicy::classify`]), wait and repeat, or hand back the reply
//! (buffered, or still streaming), all within the request's time limit
//! (time spent waiting for the rate limit does not count) and reading at
//! most the reply-size limit.
//!
//! One timer per attempt: each attempt runs under the attempt limit or
//! what is left of the request's, whichever ends first
//! ([`Limits::for_attempt`]; the client's own time-out is the attempt
//! limit, and a request carries a shorter one of its own), and the HTTP
//! client's timer covers connecting, sending and reading the whole reply. An attempt adds a timer
//! of its own only around what the client's does not cover (waiting for a
//! token, opening files).

use crate::body_limit::{self, ReadError};
use crate::config::Settings;
use crate::error::{Error, Result, TimeLimit};
use crate::pacing::{Pacer, Permit};
use crate::retry::{Attempt, FailureClass, Outcome, Retry, RetryPolicy, Stop};
use bytes::Bytes;
use reqwest::header::HeaderMap;
use std::future::Future;
use std::time::{Duration, Instant};

/// What one attempt produced.
pub(crate) enum Attempted {
    /// A reply (its body not read yet).
    Reply(reqwest::Response),
    /// No reply.
    Failed(reqwest::Error),
    /// Try again at once (a refused token was renewed); `counted`: the
    /// repeat uses up one retry.
    Again { counted: bool },
}

/// A kept reply with its body read.
pub(crate) struct Buffered {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// The reply the loop keeps.
enum Sent {
    Buffered(Buffered),
    Streaming(reqwest::Response),
}

/// The limits of one request: when it must be done, how long an attempt
/// and a connection may take, and how large a reply body may be.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// When the request started.
    pub started: Instant,
    /// When the current attempt's time is counted from: the clock is
    /// read once for it. The first attempt, sent without a wait, starts
    /// when the request does; a request made on behalf of another (a
    /// token request, within the limits of the command that needs the
    /// token), and an attempt that waited for something on its way
    /// (a token, a file), count from a reading made then
    /// ([`attempt_at`](Self::attempt_at)).
    pub attempt_started: Instant,
    /// The time limit of the whole request.
    pub timeout: Duration,
    /// When it runs out (`None`: a limit too large to count).
    pub deadline: Option<Instant>,
    pub attempt_timeout: Duration,
    pub connect_timeout: Duration,
    pub max_reply_bytes: u64,
}

impl Limits {
    /// The limits of a request that starts now.
    pub fn starting_now(s: &Settings) -> Limits {
        let started = Instant::now();
        Limits {
            started,
            attempt_started: started,
            timeout: s.timeout,
            deadline: started.checked_add(s.timeout),
            attempt_timeout: s.attempt_timeout,
            connect_timeout: s.connect_timeout,
            max_reply_bytes: s.max_reply_bytes,
        }
    }

    /// These limits with the current attempt's time counted from `now`
    /// (a clock reading the caller made): for a request made on behalf
    /// of the one they were made for (the deadline stays that
    /// request's), or for an attempt that has waited on its way.
    pub fn attempt_at(self, now: Instant) -> Limits {
        Limits {
            attempt_started: now,
            ..self
        }
    }

    /// Runs `fut` until the deadline; past it, the time-out of `what`
    /// after `attempts` attempts. A plain function returning a future (not
    /// an `async fn`), so `fut` is stored once, not twice, in the caller's
    /// state.
    pub fn within<'a, T: 'a, F>(
        &self,
        what: &'a str,
        attempts: u32,
        fut: F,
    ) -> impl Future<Output = Result<T>> + 'a
    where
        F: Future<Output = T> + 'a,
    {
        use futures_util::future::{Either, FutureExt};
        let Some(deadline) = self.deadline else {
            return Either::Left(fut.map(Ok));
        };
        let after = self.timeout;
        Either::Right(tokio::time::timeout_at(deadline.into(), fut).map(move |r| {
            r.map_err(|_| Error::Timeout {
                operation: what.to_string(),
                after,
                limit: TimeLimit::Request,
                attempts,
            })
        }))
    }

    /// Moves the deadline `by` later (time spent waiting for the rate
    /// limit).
    fn postpone(&mut self, by: Duration) {
        if !by.is_zero() {
            self.deadline = self.deadline.and_then(|d| d.checked_add(by));
        }
    }

    /// What is left of the time limit now (`None`: no deadline).
    fn time_left(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// The time-out of the current attempt: the attempt limit, or what
    /// was left of the request's limit when the attempt started, when
    /// that ends first (zero when it had run out).
    pub fn for_attempt(&self) -> Duration {
        let left = match self.deadline {
            None => return self.attempt_timeout,
            // The first attempt, sent at once: the whole limit is left
            // (no clock arithmetic).
            Some(_) if self.attempt_started == self.started => self.timeout,
            Some(d) => d.saturating_duration_since(self.attempt_started),
        };
        left.min(self.attempt_timeout)
    }

    /// Whether the request's time limit has run out.
    fn ran_out(&self) -> bool {
        self.time_left().is_some_and(|left| left.is_zero())
    }

    /// The error for a transport failure of `what` that is kept: a
    /// time-out of the request (its limit has run out: the attempt's timer
    /// was cut to it), of an attempt or of a connection, or a transport
    /// error in words.
    pub fn failure(&self, what: &str, e: reqwest::Error, attempts: u32) -> Error {
        if e.is_timeout() {
            let (limit, after) = if self.ran_out() {
                (TimeLimit::Request, self.timeout)
            } else if e.is_connect() {
                (TimeLimit::Connect, self.connect_timeout)
            } else {
                (TimeLimit::Attempt, self.attempt_timeout)
            };
            return Error::Timeout {
                operation: what.to_string(),
                after,
                limit,
                attempts,
            };
        }
        Error::transport(what, e)
    }

    /// Reads a reply body up to the size limit, within the deadline.
    pub async fn read(&self, what: &str, reply: reqwest::Response, attempts: u32) -> Result<Bytes> {
        match self
            .within(
                what,
                attempts,
                body_limit::read(reply, self.max_reply_bytes),
            )
            .await?
        {
            Ok(body) => Ok(body),
            Err(ReadError::TooLarge) => Err(self.too_large(what)),
            Err(ReadError::Client(e)) => Err(self.failure(what, e, attempts)),
        }
    }

    fn too_large(&self, what: &str) -> Error {
        Error::TooLarge {
            operation: what.to_string(),
            limit: self.max_reply_bytes,
        }
    }
}

/// How to run the loop.
pub(crate) struct Driver<'a> {
    pub policy: &'a RetryPolicy,
    /// Whether the request may be repeated after it may have been received.
    pub idempotent: bool,
    /// What is sent, for errors: an operation ID or `oauth2/token`.
    pub what: &'a str,
    pub limits: Limits,
    /// The pacer every attempt reports its reply to, and whether an
    /// attempt waits for it first (pacing on).
    pub pacer: &'a Pacer,
    pub paced: bool,
}

impl Driver<'_> {
    /// Runs attempts until one is kept, reading its body (a failed read is
    /// an outcome like a failed send; a body past the size limit ends the
    /// request). `attempt` gets the retries made so far and the limits as
    /// they stand (the deadline moves past pacing waits); it sends its
    /// request with [`Limits::for_attempt`] as its time-out. Returns the
    /// reply and the number of attempts.
    pub async fn buffered<F, Fut>(&self, attempt: F) -> Result<(Buffered, u32)>
    where
        F: FnMut(u32, Limits) -> Fut,
        Fut: Future<Output = Result<Attempted>>,
    {
        match self.run(true, attempt).await? {
            (Sent::Buffered(b), n) => Ok((b, n)),
            (Sent::Streaming(_), _) => unreachable!("run(true) reads the body"),
        }
    }

    /// Like [`buffered`](Self::buffered), but hands back the kept reply
    /// before reading its body.
    pub async fn streaming<F, Fut>(&self, attempt: F) -> Result<(reqwest::Response, u32)>
    where
        F: FnMut(u32, Limits) -> Fut,
        Fut: Future<Output = Result<Attempted>>,
    {
        match self.run(false, attempt).await? {
            (Sent::Streaming(r), n) => Ok((r, n)),
            (Sent::Buffered(_), _) => unreachable!("run(false) does not read the body"),
        }
    }

    async fn run<F, Fut>(&self, buffer: bool, mut attempt: F) -> Result<(Sent, u32)>
    where
        F: FnMut(u32, Limits) -> Fut,
        Fut: Future<Output = Result<Attempted>>,
    {
        let mut limits = self.limits;
        let limits = &mut limits;
        let mut attempts = 0u32;
        let mut retries = 0u32;
        'attempts: loop {
            attempts += 1;
            // One clock reading for the pacer and the attempt, unless the
            // pacer made it wait; the first attempt's was made with the
            // limits (see `attempt_started`).
            let asked = if attempts == 1 {
                limits.attempt_started
            } else {
                Instant::now()
            };
            let permit = self.permit(asked).await;
            limits.postpone(permit.waited());
            limits.attempt_started = if permit.waited().is_zero() {
                asked
            } else {
                Instant::now()
            };
            let state = |limits: &Limits, retries| Attempt {
                idempotent: self.idempotent,
                retries,
                time_left: limits.time_left(),
            };
            // The attempt runs under its own time-out (see the
            // module docs): no timer here. What it gave is taken apart
            // in a block of its own: a local that held it would keep
            // room of its own in this future across every later await.
            let failed = 'reply: {
                let mut reply = {
                    let attempted = attempt(retries, *limits).await?;
                    match attempted {
                        Attempted::Again { counted } => {
                            retries += u32::from(counted);
                            continue 'attempts;
                        }
                        Attempted::Reply(reply) => reply,
                        Attempted::Failed(e) => {
                            // No reply: the pacer hears of it before the wait.
                            drop(permit);
                            break 'reply e;
                        }
                    }
                };
                let status = reply.status().as_u16();
                permit.observe(status, reply.headers());
                let outcome = Outcome::Reply {
                    status,
                    headers: reply.headers(),
                };
                match self
                    .policy
                    .classify(outcome, self.idempotent, || state(limits, retries))
                {
                    Retry::After { wait, reason } => {
                        // Dropped at the deadline: the wait is checked
                        // against it, the drain is not.
                        // Boxed, like the wait: retries are rare, and
                        // inline they would enlarge every request's
                        // future (moved at each await).
                        let _ = Box::pin(limits.within(self.what, attempts, drain(reply))).await;
                        log_retry(reason.as_str(), status, wait, retries);
                        Box::pin(tokio::time::sleep(wait)).await;
                        retries += 1;
                        continue 'attempts;
                    }
                    Retry::Stop(Stop::TimeLimit) => {
                        tracing::debug!(status, "no retry: its wait would pass the time limit");
                    }
                    Retry::Stop(why) => {
                        tracing::trace!(status, why = why.as_str(), "kept");
                    }
                }
                if !buffer {
                    return Ok((Sent::Streaming(reply), attempts));
                }
                // Taken, not copied: reading the body needs only the body.
                let headers = std::mem::take(reply.headers_mut());
                // Within the attempt's time-out, which covers the body.
                match body_limit::read(reply, limits.max_reply_bytes).await {
                    Ok(body) => {
                        let sent = Sent::Buffered(Buffered {
                            status,
                            headers,
                            body,
                        });
                        return Ok((sent, attempts));
                    }
                    Err(ReadError::TooLarge) => return Err(limits.too_large(self.what)),
                    Err(ReadError::Client(e)) => e,
                }
            };
            let outcome = Outcome::Failed(FailureClass::of(&failed));
            match self
                .policy
                .classify(outcome, self.idempotent, || state(limits, retries))
            {
                Retry::After { wait, reason } => {
                    log_retry(reason.as_str(), 0, wait, retries);
                    Box::pin(tokio::time::sleep(wait)).await;
                    retries += 1;
                }
                Retry::Stop(_) => return Err(limits.failure(self.what, failed, attempts)),
            }
        }
    }
}

impl Driver<'_> {
    /// Leave to send one attempt asked for at `now`: at once without
    /// pacing, else when the pacer allows. An attempt that gets no reply
    /// drops its permit.
    async fn permit(&self, now: Instant) -> Permit<'_> {
        if self.paced {
            self.pacer.acquire_at(now).await
        } else {
            self.pacer.unpaced()
        }
    }
}

fn log_retry(reason: &str, status: u16, wait: Duration, retries: u32) {
    tracing::warn!(
        reason,
        status,
        wait_ms = wait.as_millis() as u64,
        retry = retries + 1,
        "retrying"
    );
}

/// Reads a small discarded reply to the end, so its connection can be
/// reused; a large or slow one is dropped (closing the connection).
pub(crate) async fn drain(mut reply: reqwest::Response) {
    const MAX: u64 = 64 * 1024;
    if reply.content_length().is_some_and(|n| n > MAX) {
        return;
    }
    let mut read = 0u64;
    while let Ok(Ok(Some(chunk))) =
        tokio::time::timeout(Duration::from_secs(1), reply.chunk()).await
    {
        read += chunk.len() as u64;
        if read > MAX {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An attempt's time-out: the attempt limit, or what was left of the
    /// request's limit when the attempt started, the shorter.
    #[test]
    fn an_attempt_gets_what_was_left_when_it_started() {
        let settings = Settings {
            timeout: Duration::from_secs(300),
            attempt_timeout: Duration::from_secs(120),
            ..Settings::default()
        };
        let mut limits = Limits::starting_now(&settings);
        // The first attempt, sent at once.
        assert_eq!(limits.for_attempt(), Duration::from_secs(120));
        // Late in the request: what is left.
        limits.attempt_started = limits.started + Duration::from_secs(250);
        assert_eq!(limits.for_attempt(), Duration::from_secs(50));
        // Past the deadline: nothing.
        limits.attempt_started = limits.started + Duration::from_secs(301);
        assert_eq!(limits.for_attempt(), Duration::ZERO);
        // A wait for the rate limit moves the deadline.
        limits.postpone(Duration::from_secs(10));
        assert_eq!(limits.for_attempt(), Duration::from_secs(9));
        // A request made on behalf of another (a token request) late in
        // that one's life: what is left of that one's limit.
        let fresh = Limits::starting_now(&settings);
        let on_behalf = fresh.attempt_at(fresh.started + Duration::from_secs(250));
        assert_eq!(on_behalf.for_attempt(), Duration::from_secs(50));
        // A request limit shorter than an attempt's, from the start.
        let short = Settings {
            timeout: Duration::from_secs(5),
            ..settings
        };
        assert_eq!(
            Limits::starting_now(&short).for_attempt(),
            Duration::from_secs(5)
        );
    }
}
