//! The retry policy: how often and how long to wait before repeating a
//! request that was rate limited (429), met a server fault (5xx) or lost
//! its connection.

mod outcome;

pub(crate) use outcome::{Attempt, FailureClass, Outcome, Retry, RetryReason, Stop};

use rand::Rng;
use reqwest::header::{HeaderMap, HeaderName};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// When and how requests are retried.
///
/// * 429 (rate limited) is retried for every method, after the wait the
///   `X-RateLimit-RetryAfter` (epoch seconds) or `Retry-After` (seconds)
///   header names, at most [`max_rate_limit_wait`](Self::max_rate_limit_wait).
/// * 5xx replies, time-outs and broken connections are retried only for
///   idempotent methods (GET, HEAD, PUT, DELETE), after an exponential
///   backoff with full jitter. A connection that could not be opened is
///   retried for any method: nothing was sent.
/// * Every request is tried at most `1 + max_retries` times, and no retry
///   is made whose wait would end past the request's time limit
///   ([`HarnessBuilder::timeout`](crate::HarnessBuilder::timeout)): the
///   last reply or error is kept. That limit is the one rule for how long
///   a request may take, retries included.
///
/// The same rules serve API requests and token requests (a token request
/// is safe to repeat, so it counts as idempotent).
///
/// ```
/// use falcon_harness::RetryPolicy;
/// use std::time::Duration;
/// let p = RetryPolicy::default()
///     .max_retries(5)
///     .backoff(Duration::from_millis(100), Duration::from_secs(2))
///     .max_rate_limit_wait(Duration::from_secs(30));
/// assert_eq!(p.retries(), 5);
/// assert_eq!(RetryPolicy::none().retries(), 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    backoff_base: Duration,
    backoff_cap: Duration,
    max_rate_limit_wait: Duration,
}

impl Default for RetryPolicy {
    /// 3 retries, backoff from 250 ms up to 8 s, rate-limit waits up to 60 s.
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            backoff_base: Duration::from_millis(250),
            backoff_cap: Duration::from_secs(8),
            max_rate_limit_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// Retries after the first try (default 3).
    pub fn max_retries(mut self, n: u32) -> RetryPolicy {
        self.max_retries = n;
        self
    }

    /// Backoff: retry `n` (from 0) waits a random time up to
    /// `min(cap, base * 2^n)` (default 250 ms, 8 s).
    pub fn backoff(mut self, base: Duration, cap: Duration) -> RetryPolicy {
        self.backoff_base = base;
        self.backoff_cap = cap.max(base);
        self
    }

    /// The longest wait a 429 reply may ask for (default 60 s); longer
    /// requests are cut to this.
    pub fn max_rate_limit_wait(mut self, cap: Duration) -> RetryPolicy {
        self.max_rate_limit_wait = cap;
        self
    }

    /// The number of retries allowed.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The longest wait a 429 reply may ask for.
    pub fn rate_limit_cap(&self) -> Duration {
        self.max_rate_limit_wait
    }

    /// What to do after one attempt: retry after a wait, or stop (and
    /// why). Pure but for the clock and the backoff's jitter; see
    /// [`decide`](Self::decide). An outcome that is kept whatever the
    /// attempt's state (a success, most errors) reads neither, nor asks
    /// for the `attempt` (which may read the clock too).
    pub(crate) fn classify(
        &self,
        outcome: Outcome<'_>,
        idempotent: bool,
        attempt: impl FnOnce() -> Attempt,
    ) -> Retry {
        if let Err(stop) = retry_reason(&outcome, idempotent) {
            return Retry::Stop(stop);
        }
        self.decide(
            outcome,
            attempt(),
            SystemTime::now(),
            rand::thread_rng().gen_range(0.0..=1.0),
        )
    }

    /// [`classify`](Self::classify) at wall-clock time `now` (for
    /// `X-RateLimit-RetryAfter`), with `jitter` in `0..=1` as the share of
    /// the backoff bound to wait.
    pub(crate) fn decide(
        &self,
        outcome: Outcome<'_>,
        attempt: Attempt,
        now: SystemTime,
        jitter: f64,
    ) -> Retry {
        let reason = match retry_reason(&outcome, attempt.idempotent) {
            Ok(reason) => reason,
            Err(stop) => return Retry::Stop(stop),
        };
        if attempt.retries >= self.max_retries {
            return Retry::Stop(Stop::AttemptCap);
        }
        let wait = match outcome {
            Outcome::Reply { headers, .. } if reason == RetryReason::RateLimited => {
                self.rate_limit_delay_at(headers, attempt.retries, now)
            }
            _ => self
                .backoff_ceiling(attempt.retries)
                .mul_f64(jitter.clamp(0.0, 1.0)),
        };
        if attempt.time_left.is_some_and(|left| wait >= left) {
            return Retry::Stop(Stop::TimeLimit);
        }
        Retry::After { wait, reason }
    }

    /// The exponential backoff bound before retry number `retry`.
    fn backoff_ceiling(&self, retry: u32) -> Duration {
        self.backoff_base
            .saturating_mul(2u32.saturating_pow(retry.min(20)))
            .min(self.backoff_cap)
    }

    /// The wait before retrying a 429 reply: what its headers ask for, but
    /// never less than the backoff bound for this retry (the epoch header
    /// has one-second resolution, so "now" would otherwise mean no wait at
    /// all and a burst of refused retries); at most the rate-limit cap.
    fn rate_limit_delay_at(&self, headers: &HeaderMap, retry: u32, now: SystemTime) -> Duration {
        rate_limit_wait(headers, now)
            .unwrap_or_default()
            .max(self.backoff_ceiling(retry))
            .min(self.max_rate_limit_wait)
    }
}

/// Why an outcome may be retried, or why it is kept whatever the
/// attempt's state; `idempotent`: the method may be repeated.
fn retry_reason(outcome: &Outcome<'_>, idempotent: bool) -> Result<RetryReason, Stop> {
    match *outcome {
        Outcome::Reply { status: 429, .. } => Ok(RetryReason::RateLimited),
        Outcome::Reply {
            status: status @ (500 | 502 | 503 | 504),
            ..
        } if idempotent => Ok(RetryReason::ServerError(status)),
        Outcome::Reply {
            status: 500 | 502 | 503 | 504,
            ..
        } => Err(Stop::NotIdempotent),
        Outcome::Reply { .. } => Err(Stop::Final),
        // Nothing was sent: safe for any method.
        Outcome::Failed(FailureClass::Connect) => Ok(RetryReason::Connect),
        Outcome::Failed(FailureClass::Timeout | FailureClass::Interrupted) if idempotent => {
            Ok(RetryReason::Transport)
        }
        Outcome::Failed(FailureClass::Timeout | FailureClass::Interrupted) => {
            Err(Stop::NotIdempotent)
        }
        Outcome::Failed(FailureClass::Other) => Err(Stop::Final),
    }
}

/// The wait named by `X-RateLimit-RetryAfter` (epoch seconds) and
/// `Retry-After` (seconds), measured from `now`: the longer of the two.
pub(crate) fn rate_limit_wait(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let num = |name: &HeaderName| -> Option<f64> {
        headers
            .get(name)?
            .to_str()
            .ok()?
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
    };
    let until_epoch = num(&crate::rate_limit::RETRY_AFTER).map(|epoch| {
        let now = now.duration_since(UNIX_EPOCH).unwrap_or_default();
        Duration::from_secs_f64(epoch.min(1e12)).saturating_sub(now)
    });
    let after = num(&reqwest::header::RETRY_AFTER).map(|s| Duration::from_secs_f64(s.min(1e9)));
    match (until_epoch, after) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn rate_limit_waits_are_exact_and_bounded() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let h = |pairs: &[(&'static str, &str)]| {
            let mut m = HeaderMap::new();
            for (k, v) in pairs {
                m.insert(*k, HeaderValue::from_str(v).unwrap());
            }
            m
        };
        let p = RetryPolicy::default()
            .backoff(Duration::from_millis(100), Duration::from_secs(1))
            .max_rate_limit_wait(Duration::from_secs(30));
        // The epoch header, five seconds ahead.
        let five = h(&[("x-ratelimit-retryafter", "1700000005")]);
        assert_eq!(p.rate_limit_delay_at(&five, 0, now), Duration::from_secs(5));
        // Both headers: the longer wait.
        let both = h(&[
            ("x-ratelimit-retryafter", "1700000000"),
            ("retry-after", "2"),
        ]);
        assert_eq!(p.rate_limit_delay_at(&both, 0, now), Duration::from_secs(2));
        // "Now" (or the past) still waits the backoff bound, growing.
        let past = h(&[("x-ratelimit-retryafter", "1699999990")]);
        assert_eq!(
            p.rate_limit_delay_at(&past, 0, now),
            Duration::from_millis(100)
        );
        assert_eq!(
            p.rate_limit_delay_at(&past, 2, now),
            Duration::from_millis(400)
        );
        assert_eq!(
            p.rate_limit_delay_at(&HeaderMap::new(), 9, now),
            Duration::from_secs(1)
        );
        // Capped.
        let far = h(&[("x-ratelimit-retryafter", "1700009999")]);
        assert_eq!(p.rate_limit_delay_at(&far, 0, now), Duration::from_secs(30));
    }

    /// An attempt with no time limit.
    fn at(idempotent: bool, retries: u32) -> Attempt {
        Attempt {
            idempotent,
            retries,
            time_left: None,
        }
    }

    fn reply(status: u16, headers: &HeaderMap) -> Outcome<'_> {
        Outcome::Reply { status, headers }
    }

    const NOW: SystemTime = UNIX_EPOCH;

    fn policy() -> RetryPolicy {
        RetryPolicy::default()
            .max_retries(3)
            .backoff(Duration::from_millis(100), Duration::from_secs(1))
            .max_rate_limit_wait(Duration::from_secs(30))
    }

    #[test]
    fn rate_limits_wait_what_the_header_asks_for_any_method() {
        let p = policy();
        let mut h = HeaderMap::new();
        h.insert("x-ratelimit-retryafter", HeaderValue::from_static("7"));
        for idempotent in [true, false] {
            assert_eq!(
                p.decide(reply(429, &h), at(idempotent, 0), NOW, 0.5),
                Retry::After {
                    wait: Duration::from_secs(7),
                    reason: RetryReason::RateLimited
                }
            );
        }
    }

    #[test]
    fn server_errors_are_retried_only_when_idempotent() {
        let p = policy();
        let h = HeaderMap::new();
        for status in [500, 502, 503, 504] {
            assert_eq!(
                p.decide(reply(status, &h), at(true, 1), NOW, 1.0),
                Retry::After {
                    wait: Duration::from_millis(200),
                    reason: RetryReason::ServerError(status)
                }
            );
            assert_eq!(
                p.decide(reply(status, &h), at(false, 0), NOW, 1.0),
                Retry::Stop(Stop::NotIdempotent)
            );
        }
        for status in [200, 401, 404, 501] {
            assert_eq!(
                p.decide(reply(status, &h), at(true, 0), NOW, 1.0),
                Retry::Stop(Stop::Final),
                "{status}"
            );
        }
    }

    #[test]
    fn transport_failures() {
        let p = policy();
        let connect = Outcome::Failed(FailureClass::Connect);
        // Nothing was sent: any method, with the jittered backoff.
        assert_eq!(
            p.decide(connect, at(false, 0), NOW, 0.5),
            Retry::After {
                wait: Duration::from_millis(50),
                reason: RetryReason::Connect
            }
        );
        for class in [FailureClass::Timeout, FailureClass::Interrupted] {
            let o = Outcome::Failed(class);
            assert!(matches!(
                p.decide(o, at(true, 0), NOW, 0.0),
                Retry::After {
                    reason: RetryReason::Transport,
                    ..
                }
            ));
            assert_eq!(
                p.decide(o, at(false, 0), NOW, 0.0),
                Retry::Stop(Stop::NotIdempotent)
            );
        }
        assert_eq!(
            p.decide(Outcome::Failed(FailureClass::Other), at(true, 0), NOW, 0.0),
            Retry::Stop(Stop::Final)
        );
    }

    #[test]
    fn attempt_cap_and_time_limit() {
        let p = policy();
        let h = HeaderMap::new();
        assert!(matches!(
            p.decide(reply(503, &h), at(true, 2), NOW, 1.0),
            Retry::After { .. }
        ));
        assert_eq!(
            p.decide(reply(503, &h), at(true, 3), NOW, 1.0),
            Retry::Stop(Stop::AttemptCap)
        );
        assert_eq!(
            RetryPolicy::none().decide(reply(429, &h), at(true, 0), NOW, 1.0),
            Retry::Stop(Stop::AttemptCap)
        );
        // 150 ms of the time limit left: a 100 ms wait fits; 200 ms does
        // not, nor does a wait that would end just at the limit.
        let left = |retries| Attempt {
            time_left: Some(Duration::from_millis(150)),
            ..at(true, retries)
        };
        assert!(matches!(
            p.decide(reply(503, &h), left(0), NOW, 1.0),
            Retry::After { .. }
        ));
        assert_eq!(
            p.decide(reply(503, &h), left(1), NOW, 1.0),
            Retry::Stop(Stop::TimeLimit)
        );
        assert_eq!(
            policy()
                .backoff(Duration::from_millis(150), Duration::from_secs(1))
                .decide(reply(503, &h), left(0), NOW, 1.0),
            Retry::Stop(Stop::TimeLimit)
        );
    }

    #[test]
    fn kept_outcomes_ask_for_no_state() {
        let h = HeaderMap::new();
        let p = RetryPolicy::default();
        let unasked = || -> Attempt { panic!("the attempt's state was asked for") };
        assert_eq!(
            p.classify(reply(200, &h), true, unasked),
            Retry::Stop(Stop::Final)
        );
        assert_eq!(
            p.classify(reply(503, &h), false, unasked),
            Retry::Stop(Stop::NotIdempotent)
        );
        let other = Outcome::Failed(FailureClass::Other);
        assert_eq!(p.classify(other, true, unasked), Retry::Stop(Stop::Final));
        // One that may be retried asks.
        assert!(matches!(
            p.classify(reply(503, &h), true, || at(true, 0)),
            Retry::After { .. }
        ));
    }

    #[test]
    fn backoff_is_bounded() {
        let p =
            RetryPolicy::default().backoff(Duration::from_millis(10), Duration::from_millis(50));
        let connect = Outcome::Failed(FailureClass::Connect);
        for n in 0..40 {
            let p = p.clone().max_retries(100);
            match p.classify(connect, true, || at(true, n)) {
                Retry::After { wait, .. } => assert!(wait <= Duration::from_millis(50)),
                other => panic!("{other:?}"),
            }
        }
        match p.classify(connect, true, || at(true, 0)) {
            Retry::After { wait, .. } => assert!(wait <= Duration::from_millis(10)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rate_limit_headers() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut h = HeaderMap::new();
        assert_eq!(rate_limit_wait(&h, now), None);
        h.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(rate_limit_wait(&h, now), Some(Duration::from_secs(3)));
        h.insert(
            "x-ratelimit-retryafter",
            HeaderValue::from_static("1000005"),
        );
        assert_eq!(rate_limit_wait(&h, now), Some(Duration::from_secs(5)));
        h.insert("x-ratelimit-retryafter", HeaderValue::from_static("999990"));
        // A past epoch: Retry-After still asks for 3 s.
        assert_eq!(
            rate_limit_wait(&h, now),
            Some(Duration::from_secs(3)),
            "past"
        );
        h.remove("retry-after");
        assert_eq!(rate_limit_wait(&h, now), Some(Duration::ZERO), "past");
        let p = RetryPolicy::default().max_rate_limit_wait(Duration::from_millis(20));
        h.insert(
            "x-ratelimit-retryafter",
            HeaderValue::from_static("99999999999"),
        );
        assert_eq!(
            p.rate_limit_delay_at(&h, 0, SystemTime::now()),
            Duration::from_millis(20)
        );
    }
}
