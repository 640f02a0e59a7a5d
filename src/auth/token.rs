//! The bearer token and its cache: the renew window, and single-flight
//! renewal that shares one fetch (or its failure) among concurrent callers.

use crate::error::{Error, Result};
use crate::secret::Secret;
use reqwest::header::HeaderValue;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// The longest token lifetime believed from a token reply: one day.
pub(crate) const MAX_TOKEN_LIFETIME_SECS: u64 = 86_400;

/// A bearer token and when to stop using it.
#[derive(Debug)]
pub(crate) struct Token {
    value: Secret,
    /// `Authorization: Bearer <token>`, built once (marked sensitive);
    /// `None` when the token is not a valid header value.
    header: Option<HeaderValue>,
    /// `None`: a token given by the caller, used until refused.
    expires_at: Option<Instant>,
    /// Half its life from when it was received: the renew window is at
    /// most this long (worked out once, not at every use).
    half_life: Duration,
    /// Some reply to a request with it was not 401: it was good once.
    proven: AtomicBool,
}

impl Token {
    pub(crate) fn new(value: Secret, expires_at: Option<Instant>) -> Token {
        let header = HeaderValue::try_from(format!("Bearer {}", value.expose()))
            .ok()
            .map(|mut v| {
                v.set_sensitive(true);
                v
            });
        let issued = Instant::now();
        Token {
            value,
            header,
            expires_at,
            half_life: expires_at.map_or(Duration::ZERO, |at| {
                at.saturating_duration_since(issued) / 2
            }),
            proven: AtomicBool::new(false),
        }
    }
    pub fn value(&self) -> &str {
        self.value.expose()
    }
    /// The `Authorization` header value for it (cheap to clone).
    pub fn header(&self) -> Result<HeaderValue> {
        self.header.clone().ok_or_else(|| Error::Auth {
            status: None,
            message: "the token is not a valid header value".into(),
        })
    }
    /// Records that the API accepted it.
    pub fn mark_proven(&self) {
        if !self.proven.load(Ordering::Relaxed) {
            self.proven.store(true, Ordering::Relaxed);
        }
    }
    /// Whether the API accepted it before (a 401 then means it expired or
    /// was revoked, not that the credentials are bad).
    pub fn proven(&self) -> bool {
        self.proven.load(Ordering::Relaxed)
    }
    /// Usable without renewal: before the renew window, which is at most
    /// half the token's life (so a short-lived token is not renewed by
    /// every caller that sees it).
    fn fresh(&self, now: Instant, renew_window: Duration) -> bool {
        self.expires_at.map_or(true, |at| {
            let window = renew_window.min(self.half_life);
            now.checked_add(window).is_some_and(|t| t < at)
        })
    }
}

/// The token cache with single-flight renewal.
pub(crate) struct TokenCache {
    current: RwLock<Option<Arc<Token>>>,
    /// Held while fetching; remembers the last failed fetch.
    refresh: tokio::sync::Mutex<Option<Failure>>,
    renew_window: Duration,
    fetches: AtomicU64,
    completed: AtomicU64,
}

/// How long a refused token request (the token endpoint answered 4xx) is
/// the answer for every caller, including ones that arrive after it: the
/// same credentials would be refused again, and a burst of callers must
/// not become a burst of token requests.
const REFUSAL_HOLD: Duration = Duration::from_secs(1);

/// A failed token fetch, shared with the callers that waited for it (and,
/// for a refusal, with those that come within [`REFUSAL_HOLD`]).
struct Failure {
    /// The value of `completed` after it.
    completed: u64,
    /// When it failed.
    at: Instant,
    /// The error, for the callers that share it.
    error: Shared,
}

/// A token fetch's error as it is shared: a time-out stays a time-out,
/// anything else is an authentication failure with the error's words.
#[derive(Debug, Clone)]
enum Shared {
    Auth {
        status: Option<u16>,
        message: String,
    },
    Timeout {
        operation: String,
        after: Duration,
        limit: crate::error::TimeLimit,
        attempts: u32,
    },
}

impl Shared {
    fn of(e: &Error) -> Shared {
        match e {
            Error::Auth { status, message } => Shared::Auth {
                status: *status,
                message: message.clone(),
            },
            Error::Timeout {
                operation,
                after,
                limit,
                attempts,
            } => Shared::Timeout {
                operation: operation.clone(),
                after: *after,
                limit: *limit,
                attempts: *attempts,
            },
            other => Shared::Auth {
                status: None,
                message: format!("token request failed: {other}"),
            },
        }
    }

    fn status(&self) -> Option<u16> {
        match self {
            Shared::Auth { status, .. } => *status,
            Shared::Timeout { .. } => None,
        }
    }

    fn error(&self) -> Error {
        match self.clone() {
            Shared::Auth { status, message } => Error::Auth { status, message },
            Shared::Timeout {
                operation,
                after,
                limit,
                attempts,
            } => Error::Timeout {
                operation,
                after,
                limit,
                attempts,
            },
        }
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self.current.read().map(|c| c.is_some()).unwrap_or(false);
        f.debug_struct("TokenCache")
            .field("cached", &cached)
            .field("renew_window", &self.renew_window)
            .field("fetches", &self.fetches.load(Ordering::Relaxed))
            .finish()
    }
}

impl TokenCache {
    pub fn new(renew_window: Duration, initial: Option<Secret>) -> TokenCache {
        TokenCache {
            current: RwLock::new(initial.map(|value| Arc::new(Token::new(value, None)))),
            refresh: tokio::sync::Mutex::new(None),
            renew_window,
            fetches: AtomicU64::new(0),
            completed: AtomicU64::new(0),
        }
    }

    fn cached(&self) -> Option<Arc<Token>> {
        self.current.read().ok().and_then(|c| c.clone())
    }

    pub(crate) fn fresh(&self) -> Option<Arc<Token>> {
        self.fresh_at(Instant::now())
    }

    /// [`fresh`](Self::fresh) at `now` (a clock reading the caller has
    /// already made).
    pub(crate) fn fresh_at(&self, now: Instant) -> Option<Arc<Token>> {
        self.cached().filter(|t| t.fresh(now, self.renew_window))
    }

    /// The current token, fetching a new one through `fetch` when there is
    /// none or it is inside the renew window. Concurrent callers share one
    /// fetch: the others wait and then use its token, or share its
    /// failure (so a refused secret costs one token request, not one per
    /// caller).
    pub async fn get<F, Fut>(&self, fetch: F) -> Result<Arc<Token>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Token>>,
    {
        // Taken before looking at the cache: a fetch that ends after this
        // point (even before this caller waits for the lock) is one this
        // caller shares.
        let seen = self.completed.load(Ordering::Acquire);
        if let Some(t) = self.fresh() {
            return Ok(t);
        }
        let mut last_failure = self.refresh.lock().await;
        if let Some(t) = self.fresh() {
            return Ok(t);
        }
        let shared = |f: &&Failure| {
            let refused = f.error.status().is_some_and(|s| (400..500).contains(&s));
            f.completed > seen || (refused && f.at.elapsed() < REFUSAL_HOLD)
        };
        if let Some(f) = last_failure.as_ref().filter(shared) {
            return Err(f.error.error());
        }
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let result = fetch().await;
        let completed = self.completed.fetch_add(1, Ordering::AcqRel) + 1;
        match result {
            Ok(token) => {
                *last_failure = None;
                let token = Arc::new(token);
                if let Ok(mut c) = self.current.write() {
                    *c = Some(token.clone());
                }
                Ok(token)
            }
            Err(e) => {
                *last_failure = Some(Failure {
                    completed,
                    at: Instant::now(),
                    error: Shared::of(&e),
                });
                Err(e)
            }
        }
    }

    /// Drops the cached token if it is still `stale` (so that many
    /// commands refused with the same token cause one renewal).
    pub fn invalidate(&self, stale: &Arc<Token>) {
        if let Ok(mut c) = self.current.write() {
            if c.as_ref().is_some_and(|t| Arc::ptr_eq(t, stale)) {
                *c = None;
            }
        }
    }

    /// Takes the cached token out of the cache.
    pub fn take(&self) -> Option<Arc<Token>> {
        self.current.write().ok().and_then(|mut c| c.take())
    }

    /// Token requests made so far.
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(s: &str, secs: u64) -> Token {
        Token::new(
            Secret::new(s),
            Some(Instant::now() + Duration::from_secs(secs)),
        )
    }

    #[test]
    fn short_lived_tokens_and_huge_windows() {
        // A 100 s token with the default 120 s window stays fresh for its
        // first half, so concurrent callers share it.
        let t = token("short", 100);
        assert!(t.fresh(Instant::now(), Duration::from_secs(120)));
        assert!(!t.fresh(
            Instant::now() + Duration::from_secs(60),
            Duration::from_secs(120)
        ));
        // No overflow, whatever the window.
        assert!(t.fresh(Instant::now(), Duration::MAX));
        let t = Token::new(
            Secret::new("x"),
            Instant::now().checked_add(Duration::from_secs(MAX_TOKEN_LIFETIME_SECS)),
        );
        assert!(t.fresh(Instant::now(), Duration::MAX));
    }

    #[test]
    fn tokens_are_redacted() {
        assert!(!format!("{:?}", token("tok123", 5)).contains("tok123"));
    }

    #[test]
    fn authorization_header_is_built_once_and_sensitive() {
        let t = token("tok123", 5);
        let h = t.header().unwrap();
        assert_eq!(h.as_bytes(), b"Bearer tok123");
        assert!(h.is_sensitive());
        assert!(!format!("{h:?}").contains("tok123"));
        let bad = token("line\nbreak", 5);
        let e = bad.header().unwrap_err();
        assert!(e.is_auth() && !e.to_string().contains("break"), "{e}");
    }

    #[tokio::test]
    async fn caches_renews_and_invalidates() {
        let cache = TokenCache::new(Duration::from_secs(60), None);
        let a = cache.get(|| async { Ok(token("a", 600)) }).await.unwrap();
        let again = cache
            .get(|| async { Err(Error::Config("must not fetch".into())) })
            .await
            .unwrap();
        assert!(Arc::ptr_eq(&a, &again));
        assert_eq!(cache.fetches(), 1);
        cache.invalidate(&a);
        // A token received ten minutes ago with 30 s left: inside the renew
        // window, so the next call renews it.
        let b = cache
            .get(|| async {
                let mut t = token("b", 30);
                t.half_life = Duration::from_secs(315);
                Ok(t)
            })
            .await
            .unwrap();
        assert_eq!(b.value(), "b");
        cache.invalidate(&a); // stale: no effect
        let c = cache.get(|| async { Ok(token("c", 600)) }).await.unwrap();
        assert_eq!(c.value(), "c");
        assert_eq!(cache.fetches(), 3);
    }

    #[tokio::test]
    async fn failed_fetch_leaves_no_token() {
        let cache = TokenCache::new(Duration::from_secs(0), None);
        let e = cache
            .get(|| async {
                Err::<Token, _>(Error::Auth {
                    status: Some(401),
                    message: "no".into(),
                })
            })
            .await
            .unwrap_err();
        assert!(e.is_auth());
        assert!(cache.take().is_none());
    }

    #[tokio::test]
    async fn a_refusal_answers_late_callers_a_transport_failure_does_not() {
        let cache = TokenCache::new(Duration::from_secs(0), None);
        let refuse = || async {
            Err::<Token, _>(Error::Auth {
                status: Some(403),
                message: "refused".into(),
            })
        };
        assert!(cache.get(refuse).await.is_err());
        // A caller that arrives after the refusal shares it: no new fetch.
        let e = cache
            .get(|| async { Ok(token("must-not-fetch", 600)) })
            .await
            .unwrap_err();
        assert!(e.is_auth() && e.status() == Some(403), "{e}");
        assert_eq!(cache.fetches(), 1);
        let cache = TokenCache::new(Duration::from_secs(0), None);
        let broken = || async { Err::<Token, _>(Error::Config("unreachable".into())) };
        assert!(cache.get(broken).await.is_err());
        let t = cache.get(|| async { Ok(token("next", 600)) }).await;
        assert_eq!(t.unwrap().value(), "next");
        assert_eq!(cache.fetches(), 2);
    }

    #[tokio::test]
    async fn bearer_tokens_never_expire() {
        let cache = TokenCache::new(Duration::from_secs(3600), Some(Secret::new("given")));
        let t = cache
            .get(|| async { Err(Error::Config("must not fetch".into())) })
            .await
            .unwrap();
        assert_eq!(t.value(), "given");
    }
}
