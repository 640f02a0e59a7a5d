//! The rate-limit headers of a Falcon reply, named once: the pacer, the
//! retry policy and [`Response`](crate::Response) read them from here.
//! Prebuilt names make a lookup a hash of the name, not a parse of it.

use reqwest::header::{HeaderMap, HeaderName};

/// `X-RateLimit-Limit`: requests allowed per minute for the CID.
pub const LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
/// `X-RateLimit-Remaining`: requests left of that budget.
pub const REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
/// `X-RateLimit-RetryAfter`: when (epoch seconds) a refused request may
/// be tried again.
pub const RETRY_AFTER: HeaderName = HeaderName::from_static("x-ratelimit-retryafter");

/// A header's value as a whole number (surrounding blanks allowed);
/// `None` when missing or not a number.
///
/// ```
/// use falcon_harness::rate_limit;
/// let mut h = reqwest::header::HeaderMap::new();
/// h.insert(rate_limit::REMAINING, " 12 ".parse().unwrap());
/// assert_eq!(rate_limit::number(&h, &rate_limit::REMAINING), Some(12));
/// assert_eq!(rate_limit::number(&h, &rate_limit::LIMIT), None);
/// ```
pub fn number(headers: &HeaderMap, name: &HeaderName) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}
