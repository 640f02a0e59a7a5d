//! A small local Falcon look-alike for benchmarks and fault tests: answers
//! `/oauth2/token` and canned JSON for everything else over HTTP/1.1 on
//! 127.0.0.1. Faults (dropped connections, stalls, 500 and 429 storms,
//! truncated bodies, token expiry) are injected by a deterministic schedule.

use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response, StatusCode};
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::serve::{serve, Running};

/// Which faults to inject, each on a share of command requests (per mille).
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Close the connection without answering.
    pub drop_per_mille: u64,
    /// Answer after `stall` (longer than the client's timeout).
    pub stall_per_mille: u64,
    /// How long a stall lasts.
    pub stall: Duration,
    /// Answer 500.
    pub error_500_per_mille: u64,
    /// Answer 429 with `X-RateLimit-RetryAfter` of now (retry at once).
    pub rate_limit_per_mille: u64,
    /// Promise a longer body than is sent, then close.
    pub truncate_per_mille: u64,
    /// Every token stops working after this many command requests with it
    /// (0: never): such requests get 401 until a new token is fetched.
    pub token_lifetime_requests: u64,
}

/// Counters the tests read.
#[derive(Debug, Default)]
pub struct Stats {
    /// All requests.
    pub requests: AtomicU64,
    /// Requests to `/oauth2/token`.
    pub token_requests: AtomicU64,
    /// Command requests answered 401 because the token expired.
    pub expired_rejections: AtomicU64,
    /// Tokens that reached their lifetime (each should cause exactly one
    /// token request).
    pub expiries: AtomicU64,
    /// Faults injected.
    pub faults: AtomicU64,
    /// TCP connections accepted.
    pub connections: AtomicU64,
}

struct State {
    faults: Faults,
    stats: Arc<Stats>,
    /// Current token generation and how many commands used it.
    generation: AtomicU64,
    uses: AtomicU64,
    seq: AtomicU64,
}

/// A running server.
pub struct Server {
    /// Its counters.
    pub stats: Arc<Stats>,
    /// Where it listens, and the thread that serves.
    running: Running,
}

impl Server {
    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        self.running.url()
    }
}

const QUERY_BODY: &str = r#"{"meta":{"query_time":0.0012,"pagination":{"offset":0,"limit":2,"total":2},"powered_by":"incident-api","trace_id":"00000000-0000-0000-0000-000000000000"},"resources":["inc:0123456789abcdef0123456789abcdef:00000000000000000000000000000001","inc:0123456789abcdef0123456789abcdef:00000000000000000000000000000002"],"errors":[]}"#;
const ENTITY_BODY: &str = r#"{"meta":{"query_time":0.0021,"powered_by":"incident-api","trace_id":"00000000-0000-0000-0000-000000000001"},"resources":[{"incident_id":"inc:0123456789abcdef0123456789abcdef:00000000000000000000000000000001","cid":"0123456789abcdef0123456789abcdef","host_ids":["0123456789abcdef0123456789abcdef"],"status":20,"state":"open","tags":["canned"],"fine_score":38,"created":"2026-11-20T10:00:00Z","start":"2026-11-20T10:00:00Z","end":"2026-11-20T10:05:00Z"}],"errors":[]}"#;
const TOKEN_BODY_PREFIX: &str = r#"{"access_token":"canned-token-"#;

fn full(status: StatusCode, body: impl Into<Bytes>) -> Response<BoxBody<Bytes, std::io::Error>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("x-ratelimit-limit", "6000")
        .header("x-ratelimit-remaining", "5999")
        .body(
            Full::new(body.into())
                .map_err(|e: Infallible| match e {})
                .boxed(),
        )
        .expect("static response parts are valid")
}

async fn handle(
    state: Arc<State>,
    req: Request<Incoming>,
) -> Result<Response<BoxBody<Bytes, std::io::Error>>, std::io::Error> {
    let stats = &state.stats;
    stats.requests.fetch_add(1, Ordering::Relaxed);
    let path = req.uri().path().to_string();
    let auth = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    // Read the whole request body so keep-alive works.
    let _ = req.into_body().collect().await;

    if path == "/oauth2/token" {
        stats.token_requests.fetch_add(1, Ordering::Relaxed);
        let g = state.generation.fetch_add(1, Ordering::SeqCst) + 1;
        state.uses.store(0, Ordering::SeqCst);
        let body = format!(r#"{TOKEN_BODY_PREFIX}{g}","token_type":"bearer","expires_in":1799}}"#);
        let mut r = full(StatusCode::CREATED, body);
        *r.status_mut() = StatusCode::CREATED;
        return Ok(r);
    }
    if path == "/oauth2/revoke" {
        return Ok(full(
            StatusCode::OK,
            r#"{"meta":{},"resources":[],"errors":[]}"#,
        ));
    }

    let f = &state.faults;
    if f.token_lifetime_requests > 0 {
        let current = format!(
            "Bearer canned-token-{}",
            state.generation.load(Ordering::SeqCst)
        );
        let expired = auth.as_deref() != Some(current.as_str()) || {
            let used = state.uses.fetch_add(1, Ordering::SeqCst);
            if used == f.token_lifetime_requests {
                stats.expiries.fetch_add(1, Ordering::SeqCst);
            }
            used >= f.token_lifetime_requests
        };
        if expired {
            stats.expired_rejections.fetch_add(1, Ordering::Relaxed);
            return Ok(full(
                StatusCode::UNAUTHORIZED,
                r#"{"meta":{},"errors":[{"code":401,"message":"access denied, invalid bearer token"}]}"#,
            ));
        }
    }
    let n = state.seq.fetch_add(1, Ordering::Relaxed);
    // A fixed permutation of 0..1000 spreads the faults evenly.
    let slot = (n.wrapping_mul(7919)) % 1000;
    let mut edge = 0;
    let mut hit = |share: u64| {
        let lo = edge;
        edge += share;
        slot >= lo && slot < edge
    };
    if hit(f.drop_per_mille) {
        stats.faults.fetch_add(1, Ordering::Relaxed);
        return Err(std::io::Error::other("injected: drop"));
    }
    if hit(f.stall_per_mille) {
        stats.faults.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(f.stall).await;
    }
    if hit(f.error_500_per_mille) {
        stats.faults.fetch_add(1, Ordering::Relaxed);
        return Ok(full(
            StatusCode::INTERNAL_SERVER_ERROR,
            r#"{"meta":{},"errors":[{"code":500,"message":"injected"}]}"#,
        ));
    }
    if hit(f.rate_limit_per_mille) {
        stats.faults.fetch_add(1, Ordering::Relaxed);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let mut r = full(
            StatusCode::TOO_MANY_REQUESTS,
            r#"{"meta":{},"errors":[{"code":429,"message":"API rate limit exceeded."}]}"#,
        );
        r.headers_mut().insert(
            "x-ratelimit-retryafter",
            now.to_string().parse().expect("digits"),
        );
        r.headers_mut()
            .insert("x-ratelimit-remaining", "0".parse().expect("digits"));
        return Ok(r);
    }
    let body = if path.contains("/entities/") {
        ENTITY_BODY
    } else {
        QUERY_BODY
    };
    if hit(f.truncate_per_mille) {
        stats.faults.fetch_add(1, Ordering::Relaxed);
        let half = Bytes::from_static(&body.as_bytes()[..body.len() / 2]);
        let frames: Vec<Result<Frame<Bytes>, std::io::Error>> = vec![
            Ok(Frame::data(half)),
            Err(std::io::Error::other("injected: truncated")),
        ];
        let stream = futures_util::stream::iter(frames);
        let r = Response::builder()
            .status(StatusCode::OK)
            .header("content-type", "application/json")
            .header("content-length", body.len().to_string())
            .body(BodyExt::boxed(StreamBody::new(stream)))
            .expect("static response parts are valid");
        return Ok(r);
    }
    Ok(full(StatusCode::OK, body))
}

/// Starts a server on 127.0.0.1 (port 0 for any free port) in a thread of
/// its own with its own runtime of `workers` threads.
pub fn start(port: u16, workers: usize, faults: Faults) -> std::io::Result<Server> {
    let stats = Arc::new(Stats::default());
    let state = Arc::new(State {
        faults,
        stats: stats.clone(),
        generation: AtomicU64::new(0),
        uses: AtomicU64::new(0),
        seq: AtomicU64::new(0),
    });
    let counted = stats.clone();
    let running = serve(
        port,
        workers,
        move || {
            counted.connections.fetch_add(1, Ordering::Relaxed);
        },
        move |req| handle(state.clone(), req),
    )?;
    Ok(Server { stats, running })
}
