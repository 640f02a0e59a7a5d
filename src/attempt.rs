//! The one attempt loop, for API requests and token requests alike: send,
//! ask the retry policy what the outcome means ([`RetryPolicy::classify`]),
//! wait and repeat, or hand back the reply (buffered, or still streaming).

use crate::error::{Error, Result};
use crate::retry::{Attempt, FailureClass, Outcome, Retry, RetryPolicy};
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

/// How to run the loop.
pub(crate) struct Driver<'a> {
    pub policy: &'a RetryPolicy,
    /// Whether the request may be repeated after it may have been received.
    pub idempotent: bool,
}

impl Driver<'_> {
    /// Runs attempts until one is kept, reading its body (a failed read is
    /// an outcome like a failed send). `attempt` gets the retries made so
    /// far; `map_err` turns a transport failure that is kept into the
    /// crate's error. Returns the reply and the number of attempts.
    pub async fn buffered<F, Fut>(
        &self,
        attempt: F,
        map_err: impl Fn(reqwest::Error) -> Error,
    ) -> Result<(Buffered, u32)>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<Attempted>>,
    {
        match self.run(true, attempt, map_err).await? {
            (Sent::Buffered(b), n) => Ok((b, n)),
            (Sent::Streaming(_), _) => unreachable!("run(true) reads the body"),
        }
    }

    /// Like [`buffered`](Self::buffered), but hands back the kept reply
    /// before reading its body.
    pub async fn streaming<F, Fut>(
        &self,
        attempt: F,
        map_err: impl Fn(reqwest::Error) -> Error,
    ) -> Result<(reqwest::Response, u32)>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<Attempted>>,
    {
        match self.run(false, attempt, map_err).await? {
            (Sent::Streaming(r), n) => Ok((r, n)),
            (Sent::Buffered(_), _) => unreachable!("run(false) does not read the body"),
        }
    }

    async fn run<F, Fut>(
        &self,
        buffer: bool,
        mut attempt: F,
        map_err: impl Fn(reqwest::Error) -> Error,
    ) -> Result<(Sent, u32)>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<Attempted>>,
    {
        let started = Instant::now();
        let mut attempts = 0u32;
        let mut retries = 0u32;
        loop {
            attempts += 1;
            tracing::debug!(attempt = attempts, "sending");
            let state = |retries| Attempt {
                idempotent: self.idempotent,
                retries,
                elapsed: started.elapsed(),
            };
            let failed = match attempt(retries).await? {
                Attempted::Again { counted } => {
                    retries += u32::from(counted);
                    continue;
                }
                Attempted::Reply(reply) => {
                    let status = reply.status().as_u16();
                    let outcome = Outcome::Reply {
                        status,
                        headers: reply.headers(),
                    };
                    match self.policy.classify(outcome, state(retries)) {
                        Retry::After { wait, reason } => {
                            drain(reply).await;
                            log_retry(reason.as_str(), status, wait, retries);
                            tokio::time::sleep(wait).await;
                            retries += 1;
                            continue;
                        }
                        Retry::Stop(why) => {
                            tracing::trace!(status, why = why.as_str(), "kept");
                        }
                    }
                    if !buffer {
                        return Ok((Sent::Streaming(reply), attempts));
                    }
                    // Taken, not copied: reading the body needs only the body.
                    let mut reply = reply;
                    let headers = std::mem::take(reply.headers_mut());
                    match reply.bytes().await {
                        Ok(body) => {
                            let sent = Sent::Buffered(Buffered {
                                status,
                                headers,
                                body,
                            });
                            return Ok((sent, attempts));
                        }
                        Err(e) => e,
                    }
                }
                Attempted::Failed(e) => e,
            };
            let outcome = Outcome::Failed(FailureClass::of(&failed));
            match self.policy.classify(outcome, state(retries)) {
                Retry::After { wait, reason } => {
                    log_retry(reason.as_str(), 0, wait, retries);
                    tokio::time::sleep(wait).await;
                    retries += 1;
                }
                Retry::Stop(_) => return Err(map_err(failed)),
            }
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
