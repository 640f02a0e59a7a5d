//! A local Falcon look-alike that enforces a rate-limit budget per CID the
//! way the API does: `limit` requests per minute, replenished
//! continuously; `X-RateLimit-Limit` and `X-RateLimit-Remaining` on every
//! reply; 429 with `X-RateLimit-RetryAfter` (epoch seconds) when spent.
//! The token endpoint hands out one token per `member_cid` (the parent's
//! when none), so each command's CID is known from its bearer token.
#![allow(dead_code)]

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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
    /// Commands refused after the first reply this CID got (a pacer has
    /// seen the budget by then).
    pub refused_after_first_reply: u64,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

struct State {
    limit: u64,
    buckets: HashMap<String, Bucket>,
    stats: HashMap<String, CidStats>,
    /// Commands without a token the server handed out.
    pub unknown_tokens: u64,
}

/// A running server.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What it saw, per CID.
    pub fn stats(&self) -> HashMap<String, CidStats> {
        self.state.lock().unwrap().stats.clone()
    }

    /// Commands that carried no token it handed out.
    pub fn unknown_tokens(&self) -> u64 {
        self.state.lock().unwrap().unknown_tokens
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
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
        s.stats.entry(cid.clone()).or_default().tokens += 1;
        return Ok(reply(
            StatusCode::CREATED,
            format!(r#"{{"access_token":"tok-{cid}","token_type":"bearer","expires_in":1799}}"#),
        ));
    }
    let Some(cid) = auth
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer tok-"))
        .map(str::to_string)
    else {
        state.lock().unwrap().unknown_tokens += 1;
        return Ok(reply(
            StatusCode::UNAUTHORIZED,
            r#"{"meta":{},"errors":[{"code":401,"message":"access denied"}]}"#.into(),
        ));
    };
    let now = Instant::now();
    let mut s = state.lock().unwrap();
    let limit = s.limit as f64;
    let rate = limit / 60.0;
    let bucket = s.buckets.entry(cid.clone()).or_insert(Bucket {
        tokens: limit,
        at: now,
    });
    bucket.tokens = (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate).min(limit);
    bucket.at = now;
    let (status, remaining, retry_at) = if bucket.tokens >= 1.0 {
        bucket.tokens -= 1.0;
        (StatusCode::OK, bucket.tokens.floor() as u64, None)
    } else {
        let wait = (1.0 - bucket.tokens) / rate;
        let epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs_f64();
        (
            StatusCode::TOO_MANY_REQUESTS,
            0,
            Some((epoch + wait).ceil() as u64),
        )
    };
    let stats = s.stats.entry(cid.clone()).or_default();
    let body = if status == StatusCode::OK {
        stats.ok += 1;
        format!(r#"{{"meta":{{"query_time":0.001}},"resources":["{cid}"],"errors":[]}}"#)
    } else {
        if stats.ok + stats.refused > 0 {
            stats.refused_after_first_reply += 1;
        }
        stats.refused += 1;
        r#"{"meta":{},"resources":[],"errors":[{"code":429,"message":"API rate limit exceeded."}]}"#
            .into()
    };
    let limit = s.limit;
    drop(s);
    let mut r = reply(status, body);
    let h = r.headers_mut();
    h.insert("x-ratelimit-limit", limit.into());
    h.insert("x-ratelimit-remaining", remaining.into());
    if let Some(at) = retry_at {
        h.insert("x-ratelimit-retryafter", at.into());
    }
    Ok(r)
}

/// Starts a server on 127.0.0.1 allowing each CID `limit` requests per
/// minute (the budget starts full).
pub fn start(limit: u64) -> std::io::Result<Server> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let state = Arc::new(Mutex::new(State {
        limit: limit.max(1),
        buckets: HashMap::new(),
        stats: HashMap::new(),
        unknown_tokens: 0,
    }));
    let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
    let shared = state.clone();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("server runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            loop {
                tokio::select! {
                    _ = &mut rx => break,
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let _ = stream.set_nodelay(true);
                        let state = shared.clone();
                        tokio::spawn(async move {
                            let svc = hyper::service::service_fn(move |req| handle(state.clone(), req));
                            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                                .http1_only()
                                .serve_connection(TokioIo::new(stream), svc)
                                .await;
                        });
                    }
                }
            }
        });
        rt.shutdown_timeout(Duration::from_secs(1));
    });
    Ok(Server {
        addr,
        state,
        shutdown: Some(tx),
        thread: Some(thread),
    })
}
