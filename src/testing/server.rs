//! The fake's HTTP side: a hyper server on 127.0.0.1 that answers the
//! token endpoint, decodes every other request and answers it from the
//! expectations.

use super::decode::decode;
use super::expect::{error_body, mismatches, page, Expectation, Reply};
use super::Call;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{json, Map, Value};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The most request body bytes the fake reads.
const BODY_LIMIT: usize = 64 * 1024 * 1024;

/// Status of a reply to a request no expectation matched (not retried by
/// the harness, and plainly not Falcon's).
pub(crate) const UNMATCHED: u16 = 599;

/// A callback told of every request.
pub(crate) type Observer = Arc<dyn Fn(&Call) + Send + Sync>;

/// What the server and the test share.
pub(crate) struct State {
    inner: Mutex<Inner>,
    tokens: AtomicU64,
    observer: Option<Observer>,
}

/// The most calls and failures kept (the oldest go first), so that a
/// long-running fake (the CLI's) stays bounded.
pub(crate) const KEEP: usize = 100_000;

#[derive(Default)]
pub(crate) struct Inner {
    pub expectations: Vec<Expectation>,
    pub calls: VecDeque<Call>,
    pub failures: VecDeque<String>,
    /// Failures ever recorded, and how many of them a test has read.
    failed: usize,
    reported: usize,
}

impl Inner {
    fn record(&mut self, call: Call) {
        if let Some(f) = &call.failure {
            if self.failures.len() == KEEP {
                self.failures.pop_front();
            }
            self.failures.push_back(f.clone());
            self.failed += 1;
        }
        if self.calls.len() == KEEP {
            self.calls.pop_front();
        }
        self.calls.push_back(call);
    }

    /// Marks every failure so far as seen by the test.
    pub fn reported(&mut self) {
        self.reported = self.failed;
    }

    /// The kept failures that the test has not read.
    pub fn unreported(&self) -> Vec<String> {
        let n = (self.failed - self.reported).min(self.failures.len());
        self.failures
            .iter()
            .skip(self.failures.len() - n)
            .cloned()
            .collect()
    }
}

impl State {
    pub fn new(observer: Option<Observer>) -> State {
        State {
            inner: Mutex::new(Inner::default()),
            tokens: AtomicU64::new(0),
            observer,
        }
    }

    /// The shared data (a panic in another thread does not hide it).
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Tokens handed out so far.
    pub fn tokens(&self) -> u64 {
        self.tokens.load(Ordering::Relaxed)
    }
}

type Body = Full<Bytes>;

/// What to do with one request.
enum Action {
    Answer(Response<Body>),
    Drop,
}

fn answer(
    status: u16,
    content_type: &str,
    body: Bytes,
    extra: &[(String, String)],
) -> Response<Body> {
    let mut b = Response::builder()
        .status(status)
        .header("content-type", content_type)
        .header(crate::rate_limit::LIMIT, "6000")
        .header(crate::rate_limit::REMAINING, "5999");
    for (k, v) in extra {
        if let Some(h) = b.headers_mut() {
            if let (Ok(k), Ok(v)) = (
                hyper::header::HeaderName::try_from(k.as_str()),
                hyper::header::HeaderValue::try_from(v.as_str()),
            ) {
                h.insert(k, v);
            }
        }
    }
    b.body(Full::new(body))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn json_answer(status: u16, body: Bytes) -> Response<Body> {
    answer(status, "application/json", body, &[])
}

/// Serves one request.
pub(crate) async fn handle(
    state: Arc<State>,
    req: Request<Incoming>,
) -> Result<Response<Body>, std::io::Error> {
    let method = req.method().as_str().to_string();
    let target = req
        .uri()
        .path_and_query()
        .map_or("/".to_string(), |p| p.as_str().to_string());
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = match Limited::new(req.into_body(), BODY_LIMIT).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            return Ok(json_answer(
                413,
                error_body(413, &format!("request body: {e}")),
            ))
        }
    };
    let path = target.split('?').next().unwrap_or("");
    if path == "/oauth2/token" && method == "POST" {
        return Ok(token(&state, &body));
    }
    if path == "/oauth2/revoke" && method == "POST" {
        return Ok(json_answer(
            200,
            Bytes::from_static(b"{\"meta\":{},\"resources\":[],\"errors\":[]}"),
        ));
    }
    let authorized = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("authorization") && v.starts_with("Bearer fake-token-")
    });
    let (call, action, delay) = if !authorized {
        let message = format!("{method} {target}: no bearer token from the fake's /oauth2/token");
        let call = Call::failed(&method, &target, None, Value::Null, 401, message.clone());
        (
            call,
            Action::Answer(json_answer(401, error_body(401, &message))),
            None,
        )
    } else {
        match decode(&method, &target, &headers, &body) {
            Err(e) => {
                let message = format!("{method} {target}: cannot decode the request: {e}");
                let call = Call::failed(
                    &method,
                    &target,
                    None,
                    Value::Null,
                    UNMATCHED,
                    message.clone(),
                );
                (
                    call,
                    Action::Answer(json_answer(UNMATCHED, error_body(UNMATCHED, &message))),
                    None,
                )
            }
            Ok((op, args)) => respond(&state, &method, &target, op, args),
        }
    };
    {
        state.lock().record(call.clone());
    }
    if let Some(observer) = &state.observer {
        observer(&call);
    }
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    match action {
        Action::Answer(r) => Ok(r),
        Action::Drop => Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "the fake drops this connection",
        )),
    }
}

fn token(state: &State, body: &[u8]) -> Response<Body> {
    let form: Map<String, Value> = url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect();
    if !form.contains_key("client_id") || !form.contains_key("client_secret") {
        return json_answer(
            400,
            error_body(400, "client_id and client_secret are required"),
        );
    }
    let n = state.tokens.fetch_add(1, Ordering::Relaxed) + 1;
    let reply = json!({"access_token": format!("fake-token-{n}"), "token_type": "bearer", "expires_in": 1799});
    json_answer(201, Bytes::from(reply.to_string()))
}

/// Matches a decoded request against the expectations and builds the reply.
fn respond(
    state: &State,
    method: &str,
    target: &str,
    op: &'static str,
    args: Value,
) -> (Call, Action, Option<Duration>) {
    let mut inner = state.lock();
    let got = args.as_object().cloned().unwrap_or_default();
    let found = inner
        .expectations
        .iter()
        .position(|e| e.op.id() == op && e.open() && mismatches(e.op, &e.want, &got).is_empty());
    let Some(i) = found else {
        let message = format!(
            "unmatched request: {op} {args} ({method} {target}); {}",
            closest(&inner.expectations, op, &got)
        );
        drop(inner);
        let call = Call::failed(method, target, Some(op), args, UNMATCHED, message.clone());
        return (
            call,
            Action::Answer(json_answer(UNMATCHED, error_body(UNMATCHED, &message))),
            None,
        );
    };
    let e = &mut inner.expectations[i];
    e.hits += 1;
    let (delay, headers) = (e.delay, e.headers.clone());
    let (status, action) = match &e.reply {
        Reply::Drop => (0, Action::Drop),
        Reply::Body {
            status,
            content_type,
            body,
        } => (
            *status,
            Action::Answer(answer(*status, content_type, body.clone(), &headers)),
        ),
        Reply::RateLimited(wait) => {
            let at = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                + *wait;
            let mut h = vec![
                (
                    crate::rate_limit::RETRY_AFTER.to_string(),
                    at.as_secs().to_string(),
                ),
                (crate::rate_limit::REMAINING.to_string(), "0".to_string()),
            ];
            h.extend(headers);
            let body = error_body(429, "API rate limit exceeded.");
            (
                429,
                Action::Answer(answer(429, "application/json", body, &h)),
            )
        }
        Reply::Pages(pages) => match page(e.op, pages, &got) {
            Ok(p) => (
                200,
                Action::Answer(answer(
                    200,
                    "application/json",
                    Bytes::from(p.to_string()),
                    &headers,
                )),
            ),
            Err(why) => (400, Action::Answer(json_answer(400, error_body(400, &why)))),
        },
    };
    drop(inner);
    let call = Call {
        method: method.to_string(),
        target: target.to_string(),
        operation: Some(op),
        args,
        status,
        failure: None,
    };
    (call, action, delay)
}

/// Names the expectation closest to an unmatched request.
fn closest(expectations: &[Expectation], op: &str, got: &Map<String, Value>) -> String {
    let same: Vec<&Expectation> = expectations.iter().filter(|e| e.op.id() == op).collect();
    if let Some(e) = same
        .iter()
        .min_by_key(|e| (mismatches(e.op, &e.want, got).len(), !e.open()))
    {
        let diff = mismatches(e.op, &e.want, got);
        return if diff.is_empty() {
            format!(
                "closest expectation: {} (already matched {} times)",
                e.describe(),
                e.hits
            )
        } else {
            format!(
                "closest expectation: {} ({})",
                e.describe(),
                diff.join("; ")
            )
        };
    }
    let ids: Vec<&'static str> = expectations.iter().map(|e| e.op.id()).collect();
    match crate::suggest::closest(op, ids.iter().copied()).first() {
        Some(near) => format!("no expectation for {op}; did you mean {near}?"),
        None if ids.is_empty() => "no expectations are set".to_string(),
        None => format!("no expectation for {op}"),
    }
}

/// Accepts connections until `shutdown` fires.
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<State>,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    loop {
        let stream = tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of descriptors or similar: wait instead of spinning.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let state = state.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| handle(state.clone(), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
