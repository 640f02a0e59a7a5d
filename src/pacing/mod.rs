//! Rate-limit pacing: one [`Pacer`] per CID, shared by every clone of a
//! [`Harness`](crate::Harness) and every task, makes requests wait instead
//! of sending ones the server would refuse with 429.
//!
//! The Falcon API allows each CID a budget of requests per minute and says
//! on every reply how much is left (`X-RateLimit-Limit`,
//! `X-RateLimit-Remaining`); a 429 names when to try again
//! (`X-RateLimit-RetryAfter`, epoch seconds). The pacer follows those
//! figures ([`state::PaceState`] is the pure part), so it stays right when
//! other processes spend the same CID's budget, and it assumes no limit of
//! its own: a server that sends no such headers is not paced.
//!
//! ```
//! # async fn run() {
//! use falcon_harness::pacing::Pacer;
//! let pacer = Pacer::new();
//! let permit = pacer.acquire().await; // the first request goes at once
//! let mut headers = reqwest::header::HeaderMap::new();
//! headers.insert("x-ratelimit-limit", "120".parse().unwrap());
//! headers.insert("x-ratelimit-remaining", "0".parse().unwrap());
//! permit.observe(200, &headers);
//! assert_eq!(pacer.stats().waiting(), 0);
//! # }
//! ```

mod inflight;
pub mod state;

use reqwest::header::HeaderMap;
use state::{Decision, Observation, PaceState, Ticket};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// Counters of pacing, shared by the pacers of one harness (every CID).
#[derive(Debug, Default)]
pub struct PaceStats {
    waiting: AtomicU64,
    waited: AtomicU64,
    refused: AtomicU64,
}

impl PaceStats {
    /// Requests waiting for the rate limit now.
    pub fn waiting(&self) -> u64 {
        self.waiting.load(Ordering::Relaxed)
    }
    /// Requests that had to wait before they were sent (each would have
    /// been refused with 429): 429s avoided.
    pub fn waited(&self) -> u64 {
        self.waited.load(Ordering::Relaxed)
    }
    /// 429 replies received.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

/// The pacer of one CID (or of one origin's token requests).
#[derive(Debug)]
pub struct Pacer {
    /// The longest a 429 blocks the CID.
    max_block: Duration,
    state: Mutex<PaceState>,
    notify: tokio::sync::Notify,
    stats: Arc<PaceStats>,
}

/// The longest a task waits for a probe's reply before it asks again.
const PROBE_POLL: Duration = Duration::from_millis(250);

impl Pacer {
    /// A pacer with counters of its own. A 429 blocks the CID for at most
    /// a minute.
    pub fn new() -> Pacer {
        Pacer::with_stats(Arc::default(), Duration::from_secs(60))
    }

    /// A pacer that adds to shared counters; a 429 blocks the CID for at
    /// most `max_block` (the retry policy's
    /// [`rate_limit_cap`](crate::RetryPolicy::rate_limit_cap)).
    pub fn with_stats(stats: Arc<PaceStats>, max_block: Duration) -> Pacer {
        Pacer {
            max_block,
            state: Mutex::new(PaceState::new(Instant::now())),
            notify: tokio::sync::Notify::new(),
            stats,
        }
    }

    /// Its counters.
    pub fn stats(&self) -> &Arc<PaceStats> {
        &self.stats
    }

    fn decide(&self, now: Instant) -> Decision {
        match self.state.lock() {
            Ok(mut s) => s.admit(now),
            // A panic elsewhere poisoned the state: do not pace.
            Err(_) => Decision::Go(Ticket::MAX),
        }
    }

    /// Leave to send a request at once, without pacing (pacing is off):
    /// its reply still counts a 429, and teaches the pacer nothing.
    pub fn unpaced(&self) -> Permit<'_> {
        Permit {
            pacer: self,
            ticket: None,
            waited: Duration::ZERO,
        }
    }

    /// Waits until a request may be sent; report its reply through the
    /// permit ([`Permit::observe`]). A dropped permit counts as "no
    /// reply".
    pub async fn acquire(&self) -> Permit<'_> {
        self.acquire_at(Instant::now()).await
    }

    /// [`acquire`](Self::acquire), asked at `now` (a clock reading the
    /// caller has already made).
    pub(crate) async fn acquire_at(&self, now: Instant) -> Permit<'_> {
        // Most requests may go at once: no waiter to register for that.
        if let Decision::Go(ticket) = self.decide(now) {
            return Permit {
                pacer: self,
                ticket: Some(ticket),
                waited: Duration::ZERO,
            };
        }
        let mut waited_since: Option<Instant> = None;
        let ticket = loop {
            // Registered before deciding again: a reply between the two
            // still wakes this waiter.
            let notified = self.notify.notified();
            let wait = match self.decide(Instant::now()) {
                Decision::Go(t) => break t,
                Decision::Wait(d) => d,
                Decision::AwaitReply => PROBE_POLL,
            };
            if waited_since.is_none() {
                waited_since = Some(Instant::now());
                let wait_ms = wait.as_millis() as u64;
                // `-v` shows when waiting starts; each waiter is debug.
                if self.stats.waiting.fetch_add(1, Ordering::Relaxed) == 0 {
                    tracing::info!(wait_ms, "waiting for rate limit");
                } else {
                    tracing::debug!(wait_ms, "waiting for rate limit");
                }
            }
            // A reply (or an abandoned probe) wakes waiters early.
            let _ = tokio::time::timeout(wait, notified).await;
        };
        let mut waited = Duration::ZERO;
        if let Some(since) = waited_since {
            waited = since.elapsed();
            self.stats.waiting.fetch_sub(1, Ordering::Relaxed);
            self.stats.waited.fetch_add(1, Ordering::Relaxed);
            tracing::trace!(
                waited_ms = waited.as_millis() as u64,
                "rate limit wait over"
            );
        }
        Permit {
            pacer: self,
            ticket: Some(ticket),
            waited,
        }
    }
}

/// Leave to send one request; see [`Pacer::acquire`].
#[derive(Debug)]
#[must_use = "report the reply with observe()"]
pub struct Permit<'a> {
    pacer: &'a Pacer,
    ticket: Option<Ticket>,
    waited: Duration,
}

impl Default for Pacer {
    fn default() -> Pacer {
        Pacer::new()
    }
}

impl Permit<'_> {
    /// How long [`Pacer::acquire`] waited for this permit (zero when it
    /// was given at once, or without pacing).
    pub fn waited(&self) -> Duration {
        self.waited
    }

    /// Reports the reply's status and headers.
    pub fn observe(mut self, status: u16, headers: &HeaderMap) {
        if status == 429 {
            self.pacer.stats.refused.fetch_add(1, Ordering::Relaxed);
        }
        let Some(ticket) = self.ticket.take() else {
            return;
        };
        // The clock is read for a refusal's wait only.
        let now = if status == 429 {
            SystemTime::now()
        } else {
            SystemTime::UNIX_EPOCH
        };
        let mut seen = observation(status, headers, now);
        seen.retry_after = seen.retry_after.map(|d| d.min(self.pacer.max_block));
        if seen.refused {
            tracing::info!(
                retry_after_ms = seen.retry_after.map_or(0, |d| d.as_millis() as u64),
                "429: pausing every request of this CID"
            );
        }
        if let Ok(mut s) = self.pacer.state.lock() {
            s.observe(ticket, Instant::now(), seen);
        }
        self.pacer.notify.notify_waiters();
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            if let Ok(mut s) = self.pacer.state.lock() {
                s.abandon(ticket);
            }
            self.pacer.notify.notify_waiters();
        }
    }
}

/// The rate-limit figures of a reply; `now` is read only for a 429's wait.
pub fn observation(status: u16, headers: &HeaderMap, now: SystemTime) -> Observation {
    let refused = status == 429;
    let (limit, remaining) = crate::rate_limit::limit_and_remaining(headers);
    Observation {
        limit,
        remaining,
        refused,
        retry_after: if refused {
            crate::retry::rate_limit_wait(headers, now)
        } else {
            None
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn reads_the_figures() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        let h = headers(&[
            ("x-ratelimit-limit", "6000"),
            ("x-ratelimit-remaining", " 12 "),
            ("x-ratelimit-retryafter", "1003"),
        ]);
        let o = observation(200, &h, now);
        assert_eq!(
            (o.limit, o.remaining, o.refused),
            (Some(6000), Some(12), false)
        );
        assert_eq!(o.retry_after, None);
        let o = observation(429, &h, now);
        assert_eq!(o.retry_after, Some(Duration::from_secs(3)));
        assert_eq!(
            observation(200, &HeaderMap::new(), now),
            Observation::default()
        );
    }

    #[tokio::test]
    async fn waiters_wake_when_the_probe_is_answered() {
        let pacer = Arc::new(Pacer::new());
        let probe = pacer.acquire().await;
        let other = {
            let pacer = pacer.clone();
            tokio::spawn(async move {
                let p = pacer.acquire().await;
                p.observe(200, &HeaderMap::new());
            })
        };
        // The second request waits for the probe's reply.
        tokio::task::yield_now().await;
        probe.observe(
            200,
            &headers(&[
                ("x-ratelimit-limit", "600"),
                ("x-ratelimit-remaining", "500"),
            ]),
        );
        tokio::time::timeout(Duration::from_secs(5), other)
            .await
            .expect("the waiter woke")
            .unwrap();
    }

    #[tokio::test]
    async fn unpaced_permits_never_wait_and_count_429s() {
        let pacer = Pacer::new();
        let h = headers(&[("x-ratelimit-limit", "60"), ("x-ratelimit-remaining", "0")]);
        for _ in 0..100 {
            pacer.unpaced().observe(429, &h);
        }
        assert_eq!(pacer.stats().refused(), 100);
        assert_eq!(pacer.stats().waited(), 0);
    }
}
