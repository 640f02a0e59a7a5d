//! OAuth2 authentication: credentials (never shown), the token request
//! and revocation. The token and its cache are in [`token`].

mod token;

pub(crate) use token::{Token, TokenCache};

use crate::attempt::{Attempted, Buffered, Driver, Limits};
use crate::error::{Error, Result};
use crate::pacing::Pacer;
use crate::response::error_messages;
use crate::retry::RetryPolicy;
use crate::secret::Secret;
use base64::Engine;
use serde_json::Value;
use std::time::{Duration, Instant};
use token::MAX_TOKEN_LIFETIME_SECS;
use url::Url;

/// What a token request is called in errors and logs.
pub(crate) const TOKEN_REQUEST: &str = "oauth2/token";

/// How the harness authenticates.
#[derive(Debug, Clone)]
pub(crate) enum Credentials {
    /// OAuth2 client credentials (the child CID a token is for is the
    /// caller's: see `crate::tenant`).
    Client {
        client_id: String,
        client_secret: Secret,
    },
    /// A bearer token obtained elsewhere; it cannot be renewed.
    Bearer(Secret),
}

/// A token reply: the token and the region it names.
pub(crate) struct Grant {
    pub token: Token,
    pub region: Option<String>,
}

/// The OAuth2 calls: both carry the client secret.
const OAUTH_LEAVES: [&str; 2] = ["token", "revoke"];

/// The endpoint-relative URL of an OAuth2 call.
fn oauth_url(base: &Url, leaf: &str) -> Result<Url> {
    let s = format!("{}/oauth2/{leaf}", base.as_str().trim_end_matches('/'));
    Url::parse(&s).map_err(|e| Error::Config(format!("bad OAuth2 URL: {e}")))
}

/// Whether `url` is an OAuth2 call's (made by the harness, or by a
/// command for the `oauth2/token` or `oauth2/revoke` route): such a
/// request carries the client secret and follows no redirect.
pub(crate) fn is_oauth_url(url: &Url) -> bool {
    let path = url.path().trim_end_matches('/');
    OAUTH_LEAVES.iter().any(|leaf| {
        path.strip_suffix(leaf)
            .is_some_and(|p| p.ends_with("/oauth2/"))
    })
}

/// The error for a redirect reply to an OAuth2 call (never followed).
fn redirected(what: &str, status: u16, url: &Url, headers: &reqwest::header::HeaderMap) -> Error {
    let to = crate::redirect::target(url, headers).unwrap_or_else(|| "nowhere usable".into());
    Error::Auth {
        status: Some(status),
        message: format!(
            "{what}: the server redirected to {to}; an OAuth2 request follows no redirect \
             (it carries the client secret), so nothing was sent there; check the base URL or cloud"
        ),
    }
}

fn auth_error(status: Option<u16>, body: &[u8], what: &str) -> Error {
    let messages = serde_json::from_slice::<Value>(body)
        .map(|v| error_messages(&v))
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

/// Where and how a token request goes: the client, the origin, the
/// retry policy, the limits of the request that needs the token, and the
/// pacer of token requests (waited for when `paced`).
pub(crate) struct TokenEndpoint<'a> {
    pub client: &'a reqwest::Client,
    pub base: &'a Url,
    pub policy: &'a RetryPolicy,
    pub limits: &'a Limits,
    pub pacer: &'a Pacer,
    pub paced: bool,
}

/// Requests a token: `POST /oauth2/token` with the client credentials as a
/// form, for the child CID `member_cid` when given. Retries 429 and
/// connection failures under the policy, paced like any request.
pub(crate) async fn request_token(
    at: TokenEndpoint<'_>,
    creds: &Credentials,
    member_cid: Option<&str>,
) -> Result<Grant> {
    let TokenEndpoint {
        client,
        base,
        policy,
        limits,
        pacer,
        paced,
    } = at;
    let Credentials::Client {
        client_id,
        client_secret,
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
        form.push(("member_cid", cid));
    }
    let started = Instant::now();
    // A token request is safe to repeat: it counts as idempotent.
    let driver = Driver {
        policy,
        idempotent: true,
        what: TOKEN_REQUEST,
        limits: limits.attempt_at(started),
        pacer,
        paced,
    };
    let (url, form) = (&url, &form);
    let attempt = |retries, limits: Limits| async move {
        tracing::debug!(
            method = "POST",
            url = %crate::config::redact_url(url.as_str()),
            retry = retries,
            "sending"
        );
        let sent = client
            .post(url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .form(form)
            .timeout(limits.for_attempt())
            .send()
            .await;
        Ok(match sent {
            Ok(reply) => Attempted::Reply(reply),
            Err(e) => Attempted::Failed(e),
        })
    };
    let (reply, _) = driver.buffered(attempt).await?;
    let Buffered { status, body, .. } = &reply;
    let status = *status;
    let region = reply
        .headers
        .get("x-cs-region")
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().to_ascii_lowercase());
    tracing::info!(
        status,
        region = region.as_deref().unwrap_or(""),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "token request"
    );
    if (300..400).contains(&status) {
        return Err(redirected("token request", status, url, &reply.headers));
    }
    if !(200..300).contains(&status) {
        let e = auth_error(Some(status), body, "token request");
        return Err(hide_secret(e, client_secret.expose()));
    }
    let unusable = |what: &str| Error::Auth {
        status: Some(status),
        message: format!("token reply unusable: {what}"),
    };
    let v: Value = serde_json::from_slice(body).map_err(|_| unusable("not JSON"))?;
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
    limits: &Limits,
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
    let what = "oauth2/revoke";
    let url = oauth_url(base, "revoke")?;
    tracing::debug!(method = "POST", url = %crate::config::redact_url(url.as_str()), "sending");
    let sent = client
        .post(url.clone())
        .header(reqwest::header::AUTHORIZATION, format!("Basic {basic}"))
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&[("token", token.value())])
        .send();
    let reply = limits
        .within(what, 1, sent)
        .await?
        .map_err(|e| limits.failure(what, e, 1))?;
    let status = reply.status().as_u16();
    let headers = reply.headers().clone();
    let body = limits.read(what, reply, 1).await?;
    tracing::info!(status, "token revoked");
    if (300..400).contains(&status) {
        return Err(redirected("token revocation", status, &url, &headers));
    }
    if !(200..300).contains(&status) {
        return Err(auth_error(Some(status), &body, "token revocation"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_redacted() {
        let c = Credentials::Client {
            client_id: "id".into(),
            client_secret: Secret::new("hunter2"),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
        assert!(!format!("{:?}", Credentials::Bearer(Secret::new("tok123"))).contains("tok123"));
    }

    #[test]
    fn oauth_urls_are_known() {
        let base = Url::parse("http://127.0.0.1:9/prefix/").unwrap();
        for leaf in OAUTH_LEAVES {
            assert!(is_oauth_url(&oauth_url(&base, leaf).unwrap()));
        }
        for other in [
            "http://h/oauth2/tokens",
            "http://h/oauth2token",
            "http://h/x/token",
            "http://h/",
        ] {
            assert!(!is_oauth_url(&Url::parse(other).unwrap()), "{other}");
        }
        assert!(is_oauth_url(&Url::parse("http://h/oauth2/token/").unwrap()));
    }

    #[test]
    fn refusals_carry_the_api_messages() {
        let e = auth_error(
            Some(401),
            br#"{"errors":[{"code":401,"message":"access denied"}]}"#,
            "token request",
        );
        assert_eq!(
            e.to_string(),
            "authentication failed (HTTP 401): token request refused: access denied"
        );
        let e = auth_error(Some(500), b"<html>", "token request");
        assert_eq!(
            e.to_string(),
            "authentication failed (HTTP 500): token request refused"
        );
    }
}
