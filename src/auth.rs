//! OAuth2 authentication: credentials (never shown), the token request,
//! the cached token with its renew window and single-flight refresh, and
//! revocation.

use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
use base64::Engine;
use reqwest::header::HeaderValue;
use serde_json::Value;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use url::Url;

/// A secret string (client secret or token). Its `Debug` never shows it
/// and it has no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How the harness authenticates.
#[derive(Debug, Clone)]
pub(crate) enum Credentials {
    /// OAuth2 client credentials, optionally for an MSSP child CID.
    Client {
        client_id: String,
        client_secret: Secret,
        member_cid: Option<String>,
    },
    /// A bearer token obtained elsewhere; it cannot be renewed.
    Bearer(Secret),
}

/// The longest token lifetime believed from a token reply: one day.
const MAX_TOKEN_LIFETIME_SECS: u64 = 86_400;

/// A bearer token and when to stop using it.
#[derive(Debug)]
pub(crate) struct Token {
    value: Secret,
    /// `Authorization: Bearer <token>`, built once (marked sensitive);
    /// `None` when the token is not a valid header value.
    header: Option<HeaderValue>,
    /// `None`: a token given by the caller, used until refused.
    expires_at: Option<Instant>,
    /// When it was received (the renew window is at most half its life).
    issued: Instant,
    /// Some reply to a request with it was not 401: it was good once.
    proven: AtomicBool,
}

impl Token {
    fn new(value: Secret, expires_at: Option<Instant>) -> Token {
        let header = HeaderValue::try_from(format!("Bearer {}", value.expose()))
            .ok()
            .map(|mut v| {
                v.set_sensitive(true);
                v
            });
        Token {
            value,
            header,
            expires_at,
            issued: Instant::now(),
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
            let window = renew_window.min(at.saturating_duration_since(self.issued) / 2);
            now.checked_add(window).is_some_and(|t| t < at)
        })
    }
}

/// A token reply: the token and the region it names.
pub(crate) struct Grant {
    pub token: Token,
    pub region: Option<String>,
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

/// A failed token fetch, shared with the callers that waited for it.
struct Failure {
    /// The value of `completed` after it.
    completed: u64,
    status: Option<u16>,
    message: String,
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

    fn fresh(&self) -> Option<Arc<Token>> {
        self.cached()
            .filter(|t| t.fresh(Instant::now(), self.renew_window))
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
        if let Some(t) = self.fresh() {
            return Ok(t);
        }
        let seen = self.completed.load(Ordering::Acquire);
        let mut last_failure = self.refresh.lock().await;
        if let Some(t) = self.fresh() {
            return Ok(t);
        }
        if let Some(f) = last_failure.as_ref().filter(|f| f.completed > seen) {
            return Err(Error::Auth {
                status: f.status,
                message: f.message.clone(),
            });
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
                let (status, message) = match &e {
                    Error::Auth { status, message } => (*status, message.clone()),
                    other => (None, format!("token request failed: {other}")),
                };
                *last_failure = Some(Failure {
                    completed,
                    status,
                    message,
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

/// The endpoint-relative URL of an OAuth2 call.
fn oauth_url(base: &Url, leaf: &str) -> Result<Url> {
    let s = format!("{}/oauth2/{leaf}", base.as_str().trim_end_matches('/'));
    Url::parse(&s).map_err(|e| Error::Config(format!("bad OAuth2 URL: {e}")))
}

fn auth_error(status: Option<u16>, body: &[u8], what: &str) -> Error {
    let messages: Vec<String> = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| {
            Some(
                v.get("errors")?
                    .as_array()?
                    .iter()
                    .filter_map(|e| e.get("message")?.as_str().map(str::to_string))
                    .collect(),
            )
        })
        .unwrap_or_default();
    let message = if messages.is_empty() {
        format!("{what} refused")
    } else {
        format!("{what} refused: {}", messages.join("; "))
    };
    Error::Auth { status, message }
}

/// A refusal's text may echo the form that was sent: the secret (as
/// given or form-encoded) is replaced in it.
fn hide_secret(e: Error, secret: &str) -> Error {
    match e {
        Error::Auth { status, message } if !secret.is_empty() => {
            let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
            let message = message
                .replace(secret, "<redacted>")
                .replace(&encoded, "<redacted>");
            Error::Auth { status, message }
        }
        other => other,
    }
}

fn transport_error(what: &str, e: reqwest::Error) -> Error {
    Error::Transport {
        operation: what.to_string(),
        source: e.without_url(),
    }
}

/// Requests a token: `POST /oauth2/token` with the client credentials as a
/// form. Retries 429 and connection failures under `policy`.
pub(crate) async fn request_token(
    client: &reqwest::Client,
    base: &Url,
    creds: &Credentials,
    policy: &RetryPolicy,
) -> Result<Grant> {
    let Credentials::Client {
        client_id,
        client_secret,
        member_cid,
    } = creds
    else {
        return Err(Error::Auth {
            status: None,
            message: "the bearer token was refused and cannot be renewed".into(),
        });
    };
    let url = oauth_url(base, "token")?;
    let mut form: Vec<(&str, &str)> = vec![
        ("client_id", client_id.as_str()),
        ("client_secret", client_secret.expose()),
    ];
    if let Some(cid) = member_cid {
        form.push(("member_cid", cid.as_str()));
    }
    let started = Instant::now();
    let mut retry = 0;
    let reply = loop {
        let sent = client
            .post(url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await;
        match sent {
            // A token request is safe to repeat: retry server faults too.
            Ok(r) if r.status().is_server_error() && retry < policy.retries() => {
                tokio::time::sleep(policy.backoff_delay(retry)).await;
            }
            Ok(r) if r.status().as_u16() == 429 && retry < policy.retries() => {
                let wait = policy.rate_limit_delay(r.headers(), retry);
                tracing::warn!(
                    wait_ms = wait.as_millis() as u64,
                    "token request rate limited; waiting"
                );
                tokio::time::sleep(wait).await;
            }
            Ok(r) => break r,
            Err(e) if e.is_connect() && retry < policy.retries() => {
                tokio::time::sleep(policy.backoff_delay(retry)).await;
            }
            Err(e) => return Err(transport_error("oauth2/token", e)),
        }
        retry += 1;
    };
    let status = reply.status().as_u16();
    let region = reply
        .headers()
        .get("x-cs-region")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_ascii_lowercase());
    let body = reply
        .bytes()
        .await
        .map_err(|e| transport_error("oauth2/token", e))?;
    tracing::info!(
        status,
        region = region.as_deref().unwrap_or(""),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "token request"
    );
    if !(200..300).contains(&status) {
        let e = auth_error(Some(status), &body, "token request");
        return Err(hide_secret(e, client_secret.expose()));
    }
    let unusable = |what: &str| Error::Auth {
        status: Some(status),
        message: format!("token reply unusable: {what}"),
    };
    let v: Value = serde_json::from_slice(&body).map_err(|_| unusable("not JSON"))?;
    let token = v
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| unusable("no access_token"))?;
    // Bounded: a reply naming an absurd lifetime cannot overflow the clock
    // (the API's tokens live 30 minutes).
    let expires_in = v
        .get("expires_in")
        .and_then(Value::as_u64)
        .unwrap_or(1799)
        .min(MAX_TOKEN_LIFETIME_SECS);
    Ok(Grant {
        token: Token::new(
            Secret::new(token),
            started.checked_add(Duration::from_secs(expires_in)),
        ),
        region,
    })
}

/// Revokes a token: `POST /oauth2/revoke` with the client credentials as
/// Basic authentication and the token in the form.
pub(crate) async fn revoke_token(
    client: &reqwest::Client,
    base: &Url,
    creds: &Credentials,
    token: &Token,
) -> Result<()> {
    let Credentials::Client {
        client_id,
        client_secret,
        ..
    } = creds
    else {
        return Err(Error::Config(
            "revoke needs client credentials, not a bearer token".into(),
        ));
    };
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{client_id}:{}", client_secret.expose()));
    let reply = client
        .post(oauth_url(base, "revoke")?)
        .header(reqwest::header::AUTHORIZATION, format!("Basic {basic}"))
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&[("token", token.value())])
        .send()
        .await
        .map_err(|e| transport_error("oauth2/revoke", e))?;
    let status = reply.status().as_u16();
    let body = reply
        .bytes()
        .await
        .map_err(|e| transport_error("oauth2/revoke", e))?;
    tracing::info!(status, "token revoked");
    if !(200..300).contains(&status) {
        return Err(auth_error(Some(status), &body, "token revocation"));
    }
    Ok(())
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
    fn secrets_are_redacted() {
        let c = Credentials::Client {
            client_id: "id".into(),
            client_secret: Secret::new("hunter2"),
            member_cid: None,
        };
        let shown = format!("{c:?} {:?}", token("tok123", 5));
        assert!(
            !shown.contains("hunter2") && !shown.contains("tok123"),
            "{shown}"
        );
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
                t.issued = Instant::now()
                    .checked_sub(Duration::from_secs(600))
                    .unwrap_or(t.issued);
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
    async fn bearer_tokens_never_expire() {
        let cache = TokenCache::new(Duration::from_secs(3600), Some(Secret::new("given")));
        let t = cache
            .get(|| async { Err(Error::Config("must not fetch".into())) })
            .await
            .unwrap();
        assert_eq!(t.value(), "given");
    }
}
