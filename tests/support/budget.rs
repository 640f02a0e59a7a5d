//! A local Falcon look-alike that enforces a rate-limit budget per CID the
//! way the API does: `limit` requests per minute, replenished
//! continuously; `X-RateLimit-Limit` and `X-RateLimit-Remaining` on every
//! reply; 429 with `X-RateLimit-RetryAfter` (epoch seconds) when spent.
//! The token endpoint hands out a new token per request, naming the
//! `member_cid` (the parent's when none), so each command's CID, and which
//! token holder (process) sent it, is known from its bearer token. Token
//! requests have a budget of their own (per client address, as Falcon's),
//! with the same headers.
#![allow(dead_code)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::serve::{serve, Running};

/// The CID of token requests without `member_cid`.
pub const PARENT: &str = "parent";

/// What the server saw of one CID.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CidStats {
    /// Token requests for it.
    pub tokens: u64,
    /// Commands answered 200.
    pub ok: u64,
    /// Commands answered 429.
    pub refused: u64,
    /// Commands refused after the first reply to the same token (its
    /// holder's pacer has seen the budget by then).
    pub refused_after_first_reply: u64,
}

/// What the server saw of token requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenStats {
    /// Token requests answered 201.
    pub granted: u64,
    /// Token requests answered 429.
    pub refused: u64,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

struct State {
    limit: u64,
    buckets: HashMap<String, Bucket>,
    stats: HashMap<String, CidStats>,
    /// Tokens whose holder has had a command reply.
    answered: std::collections::HashSet<String>,
    token_limit: u64,
    token_bucket: Bucket,
    token_stats: TokenStats,
    /// When the first and the last command arrived.
    commands: Option<(Instant, Instant)>,
    /// Commands without a token the server handed out.
    pub unknown_tokens: u64,
}

/// A running server.
pub struct Server {
    state: Arc<Mutex<State>>,
    /// Where it listens, and the thread that serves.
    running: Running,
}

impl Server {
    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        self.running.url()
    }

    /// What it saw, per CID.
    pub fn stats(&self) -> HashMap<String, CidStats> {
        self.state.lock().unwrap().stats.clone()
    }

    /// Commands that carried no token it handed out.
    pub fn unknown_tokens(&self) -> u64 {
        self.state.lock().unwrap().unknown_tokens
    }

    /// The time from the first command to the last.
    pub fn command_span(&self) -> Duration {
        self.state
            .lock()
            .unwrap()
            .commands
            .map_or(Duration::ZERO, |(first, last)| last - first)
    }

    /// What it saw of token requests.
    pub fn token_stats(&self) -> TokenStats {
        self.state.lock().unwrap().token_stats
    }
}

fn reply(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .expect("static response parts are valid")
}

fn form_value(body: &[u8], key: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

async fn handle(
    state: Arc<Mutex<State>>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path().to_string();
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    if path == "/oauth2/token" {
        let cid = form_value(&body, "member_cid").unwrap_or_else(|| PARENT.to_string());
        let mut s = state.lock().unwrap();
        let limit = s.token_limit;
        let (ok, remaining, retry_at) = spend(&mut s.token_bucket, limit);
        if !ok {
            s.token_stats.refused += 1;
            let r = reply(
                StatusCode::TOO_MANY_REQUESTS,
                r#"{"errors":[{"code":429,"message":"API rate limit exceeded."}]}"#.into(),
            );
            return Ok(with_rate_headers(r, limit, remaining, retry_at));
        }
        s.token_stats.granted += 1;
        let stats = s.stats.entry(cid.clone()).or_default();
        stats.tokens += 1;
        let serial = stats.tokens;
        drop(s);
        let r = reply(
            StatusCode::CREATED,
            format!(
                r#"{{"access_token":"tok-{cid}.{serial}","token_type":"bearer","expires_in":1799}}"#
            ),
        );
        return Ok(with_rate_headers(r, limit, remaining, None));
    }
    let Some((cid, token)) = auth
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer tok-"))
        .and_then(|t| Some((t.split_once('.')?.0.to_string(), t.to_string())))
    else {
        state.lock().unwrap().unknown_tokens += 1;
        return Ok(reply(
            StatusCode::UNAUTHORIZED,
            r#"{"meta":{},"errors":[{"code":401,"message":"access denied"}]}"#.into(),
        ));
    };
    let mut s = state.lock().unwrap();
    let now = Instant::now();
    s.commands = Some(s.commands.map_or((now, now), |(first, _)| (first, now)));
    let limit = s.limit;
    let bucket = s.buckets.entry(cid.clone()).or_insert(Bucket {
        tokens: limit as f64,
        at: Instant::now(),
    });
    let (ok, remaining, retry_at) = spend(bucket, limit);
    let seen = !s.answered.insert(token);
    let stats = s.stats.entry(cid.clone()).or_default();
    let (status, body) = if ok {
        stats.ok += 1;
        (
            StatusCode::OK,
            format!(r#"{{"meta":{{"query_time":0.001}},"resources":["{cid}"],"errors":[]}}"#),
        )
    } else {
        if seen {
            stats.refused_after_first_reply += 1;
        }
        stats.refused += 1;
        (
            StatusCode::TOO_MANY_REQUESTS,
            r#"{"meta":{},"resources":[],"errors":[{"code":429,"message":"API rate limit exceeded."}]}"#
                .into(),
        )
    };
    drop(s);
    Ok(with_rate_headers(
        reply(status, body),
        limit,
        remaining,
        retry_at,
    ))
}

/// Spends one request of a budget of `limit` per minute, replenished
/// continuously: whether it was allowed, what is left, and (refused) the
/// epoch second to retry at.
fn spend(bucket: &mut Bucket, limit: u64) -> (bool, u64, Option<u64>) {
    let now = Instant::now();
    let rate = limit as f64 / 60.0;
    bucket.tokens =
        (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate).min(limit as f64);
    bucket.at = now;
    if bucket.tokens >= 1.0 {
        bucket.tokens -= 1.0;
        return (true, bucket.tokens.floor() as u64, None);
    }
    let wait = (1.0 - bucket.tokens) / rate;
    let epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    (false, 0, Some((epoch + wait).ceil() as u64))
}

fn with_rate_headers(
    mut r: Response<Full<Bytes>>,
    limit: u64,
    remaining: u64,
    retry_at: Option<u64>,
) -> Response<Full<Bytes>> {
    let h = r.headers_mut();
    h.insert("x-ratelimit-limit", limit.into());
    h.insert("x-ratelimit-remaining", remaining.into());
    if let Some(at) = retry_at {
        h.insert("x-ratelimit-retryafter", at.into());
    }
    r
}

/// Starts a server on 127.0.0.1 allowing each CID `limit` requests per
/// minute, and 300 token requests per minute in all (the budgets start
/// full).
pub fn start(limit: u64) -> std::io::Result<Server> {
    start_with(limit, 300)
}

/// [`start`] with `token_limit` token requests per minute.
pub fn start_with(limit: u64, token_limit: u64) -> std::io::Result<Server> {
    let state = Arc::new(Mutex::new(State {
        limit: limit.max(1),
        buckets: HashMap::new(),
        stats: HashMap::new(),
        answered: Default::default(),
        token_limit: token_limit.max(1),
        token_bucket: Bucket {
            tokens: token_limit.max(1) as f64,
            at: Instant::now(),
        },
        token_stats: TokenStats::default(),
        commands: None,
        unknown_tokens: 0,
    }));
    let shared = state.clone();
    let running = serve(0, 2, || {}, move |req| handle(shared.clone(), req))?;
    Ok(Server { state, running })
}
