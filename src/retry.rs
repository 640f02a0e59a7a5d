//! The retry policy: how often and how long to wait before repeating a
//! request that was rate limited (429), met a server fault (5xx) or lost
//! its connection.

use crate::operation::Method;
use rand::Rng;
use reqwest::header::HeaderMap;
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
/// * Every request is tried at most `1 + max_retries` times.
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

    /// Whether a reply status is worth another try with this method.
    pub(crate) fn retry_status(&self, method: Method, status: u16) -> Option<RetryReason> {
        match status {
            429 => Some(RetryReason::RateLimited),
            500 | 502 | 503 | 504 if method.is_idempotent() => {
                Some(RetryReason::ServerError(status))
            }
            _ => None,
        }
    }

    /// Whether a transport failure is worth another try with this method.
    pub(crate) fn retry_error(&self, method: Method, err: &reqwest::Error) -> Option<RetryReason> {
        if err.is_connect() {
            Some(RetryReason::Connect)
        } else if method.is_idempotent()
            && (err.is_timeout() || err.is_request() || err.is_body() || err.is_decode())
        {
            Some(RetryReason::Transport)
        } else {
            None
        }
    }

    /// The backoff before retry number `retry` (0 for the first retry),
    /// with full jitter.
    pub(crate) fn backoff_delay(&self, retry: u32) -> Duration {
        let ceiling = self.backoff_ceiling(retry);
        if ceiling.is_zero() {
            return ceiling;
        }
        let ms = ceiling.as_millis().min(u64::MAX as u128) as u64;
        Duration::from_millis(rand::thread_rng().gen_range(0..=ms))
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
    pub(crate) fn rate_limit_delay(&self, headers: &HeaderMap, retry: u32) -> Duration {
        self.rate_limit_delay_at(headers, retry, SystemTime::now())
    }

    fn rate_limit_delay_at(&self, headers: &HeaderMap, retry: u32, now: SystemTime) -> Duration {
        rate_limit_wait(headers, now)
            .unwrap_or_default()
            .max(self.backoff_ceiling(retry))
            .min(self.max_rate_limit_wait)
    }
}

/// The wait named by `X-RateLimit-RetryAfter` (epoch seconds) and
/// `Retry-After` (seconds), measured from `now`: the longer of the two.
pub(crate) fn rate_limit_wait(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let num = |name: &str| -> Option<f64> {
        headers
            .get(name)?
            .to_str()
            .ok()?
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
    };
    let until_epoch = num("x-ratelimit-retryafter").map(|epoch| {
        let now = now.duration_since(UNIX_EPOCH).unwrap_or_default();
        Duration::from_secs_f64(epoch.min(1e12)).saturating_sub(now)
    });
    let after = num("retry-after").map(|s| Duration::from_secs_f64(s.min(1e9)));
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

    #[test]
    fn idempotency_rule() {
        let p = RetryPolicy::default();
        assert!(p.retry_status(Method::Get, 503).is_some());
        assert!(p.retry_status(Method::Delete, 500).is_some());
        assert!(p.retry_status(Method::Post, 503).is_none());
        assert!(p.retry_status(Method::Patch, 502).is_none());
        assert_eq!(
            p.retry_status(Method::Post, 429),
            Some(RetryReason::RateLimited)
        );
        assert!(p.retry_status(Method::Get, 404).is_none());
        assert!(p.retry_status(Method::Get, 501).is_none());
    }

    #[test]
    fn backoff_is_bounded() {
        let p =
            RetryPolicy::default().backoff(Duration::from_millis(10), Duration::from_millis(50));
        for n in 0..40 {
            assert!(p.backoff_delay(n) <= Duration::from_millis(50));
        }
        assert!(p.backoff_delay(0) <= Duration::from_millis(10));
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
        assert_eq!(p.rate_limit_delay(&h, 0), Duration::from_millis(20));
    }
}
