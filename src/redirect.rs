//! Which redirects the harness follows: a request follows a redirect only
//! within its own origin (scheme, host and port), so the bearer token and
//! the body never go anywhere else; a request to the OAuth2 endpoints
//! (it carries the client secret) follows none.
//!
//! A refused redirect ends the request with an
//! [`Error::Transport`](crate::Error::Transport) whose source chain holds a
//! [`RedirectRefused`] naming where the server pointed; nothing is sent
//! there.
//!
//! ```
//! use falcon_harness::redirect::RedirectRefused;
//! use std::error::Error as _;
//!
//! /// The refused redirect behind an error, if that is what it is.
//! fn refused_redirect(e: &falcon_harness::Error) -> Option<&RedirectRefused> {
//!     let mut cause = e.source();
//!     while let Some(c) = cause {
//!         if let Some(r) = c.downcast_ref::<RedirectRefused>() {
//!             return Some(r);
//!         }
//!         cause = c.source();
//!     }
//!     None
//! }
//! # assert!(refused_redirect(&falcon_harness::Error::Config("x".into())).is_none());
//! ```

use reqwest::header::{HeaderMap, LOCATION};
use std::fmt;
use url::Url;

/// The most redirects one request follows.
pub const MAX_REDIRECTS: usize = 10;

/// A redirect that was not followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectRefused {
    /// The HTTP status of the redirect.
    pub status: u16,
    /// Where it pointed: `scheme://host:port` (no path or query, which
    /// could carry anything).
    pub target: String,
    /// Why it was not followed.
    pub reason: RefusedBecause,
}

/// Why a redirect was not followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusedBecause {
    /// It pointed to another origin.
    OtherOrigin,
    /// The request had been redirected [`MAX_REDIRECTS`] times already.
    TooMany,
}

impl fmt::Display for RedirectRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason {
            RefusedBecause::OtherOrigin => write!(
                f,
                "the server redirected (HTTP {}) to another origin, {}; only redirects \
                 within the API's own origin are followed, so nothing was sent there",
                self.status, self.target
            ),
            RefusedBecause::TooMany => write!(
                f,
                "more than {MAX_REDIRECTS} redirects (the last, HTTP {}, to {})",
                self.status, self.target
            ),
        }
    }
}

impl std::error::Error for RedirectRefused {}

/// `scheme://host:port` of a URL.
pub(crate) fn origin(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or("?"),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// Where a redirect reply to a request for `url` points (its `Location`
/// resolved against `url`), as `scheme://host:port`; `None` without a
/// usable `Location`.
pub(crate) fn target(url: &Url, headers: &HeaderMap) -> Option<String> {
    let location = headers.get(LOCATION)?.to_str().ok()?;
    url.join(location).ok().map(|u| origin(&u))
}

/// The client's redirect policy (see the module docs).
pub(crate) fn policy() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let Some(first) = attempt.previous().first() else {
            return attempt.stop();
        };
        if crate::auth::is_oauth_url(first) {
            // Handed back as it is: the token request explains it.
            return attempt.stop();
        }
        let reason = if !crate::config::same_origin(first, attempt.url()) {
            RefusedBecause::OtherOrigin
        } else if attempt.previous().len() > MAX_REDIRECTS {
            RefusedBecause::TooMany
        } else {
            tracing::debug!(
                status = attempt.status().as_u16(),
                url = %crate::config::redact_url(attempt.url().as_str()),
                "following a redirect within the origin"
            );
            return attempt.follow();
        };
        let refused = RedirectRefused {
            status: attempt.status().as_u16(),
            target: origin(attempt.url()),
            reason,
        };
        attempt.error(refused)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn targets_are_origins() {
        let url = Url::parse("https://api.example/a/b?x=1").unwrap();
        let mut h = HeaderMap::new();
        assert_eq!(target(&url, &h), None);
        h.insert(LOCATION, HeaderValue::from_static("/c?secret=1"));
        assert_eq!(target(&url, &h).unwrap(), "https://api.example:443");
        h.insert(
            LOCATION,
            HeaderValue::from_static("http://u:p@evil.example:8080/x"),
        );
        assert_eq!(target(&url, &h).unwrap(), "http://evil.example:8080");
    }

    #[test]
    fn refusals_name_the_target() {
        let e = RedirectRefused {
            status: 307,
            target: "http://127.0.0.1:9".into(),
            reason: RefusedBecause::OtherOrigin,
        };
        assert!(e.to_string().contains("HTTP 307"));
        assert!(e.to_string().contains("http://127.0.0.1:9"));
    }
}
