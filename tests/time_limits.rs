//! Time limits (issue 11 item 6): the request's limit bounds everything
//! (token, attempts, waits, reading or streaming the reply); the
//! per-attempt limit is separate; a time-out anywhere, the token request
//! included, is `Error::Timeout` saying which limit and how many attempts.
//! Waits are bounded generously; no assertion is about speed.

mod support;

use falcon_harness::{Error, Harness, HarnessBuilder, RetryPolicy, TimeLimit};
use mockito::Server;
use std::time::{Duration, Instant};
use support::mock::*;
use support::raw;

/// Far above any limit set here: a test that waits this long has failed.
const GENEROUS: Duration = Duration::from_secs(30);

fn timeout_of(e: &Error) -> (&str, Duration, TimeLimit, u32) {
    match e {
        Error::Timeout {
            operation,
            after,
            limit,
            attempts,
        } => (operation.as_str(), *after, *limit, *attempts),
        other => panic!("not a time-out: {other:?}"),
    }
}

fn silent_bearer() -> HarnessBuilder {
    Harness::builder()
        .bearer_token("tok")
        .base_url(raw::silent())
        .retry(fast_retry())
}

#[tokio::test]
async fn the_request_limit_bounds_every_attempt_and_wait() {
    let h = silent_bearer()
        .timeout(Duration::from_secs(1))
        .attempt_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let e = h.execute(query_incidents()).await.unwrap_err();
    assert!(started.elapsed() < GENEROUS);
    let (op, after, limit, attempts) = timeout_of(&e);
    assert_eq!(
        (op, after, limit),
        ("QueryIncidents", Duration::from_secs(1), TimeLimit::Request)
    );
    // Attempts of 300 ms fit about three times into one second.
    assert!((2..=4).contains(&attempts), "{e}");
    assert_eq!(e.kind().as_str(), "timeout");
    assert!(e.to_string().contains("attempts made"), "{e}");
}

#[tokio::test]
async fn attempts_that_run_out_one_by_one_say_so() {
    let h = silent_bearer()
        .retry(fast_retry().max_retries(2))
        .timeout(GENEROUS)
        .attempt_timeout(Duration::from_millis(150))
        .build()
        .unwrap();
    let e = h.execute(query_incidents()).await.unwrap_err();
    assert_eq!(
        timeout_of(&e),
        (
            "QueryIncidents",
            Duration::from_millis(150),
            TimeLimit::Attempt,
            3
        )
    );
}

#[tokio::test]
async fn a_silent_token_endpoint_is_a_time_out() {
    // The request's limit runs out while the token is fetched.
    let h = Harness::builder()
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .base_url(raw::silent())
        .retry(fast_retry())
        .timeout(Duration::from_millis(800))
        .build()
        .unwrap();
    let e = h.execute(query_incidents()).await.unwrap_err();
    let (op, after, limit, _) = timeout_of(&e);
    assert_eq!(
        (op, after, limit),
        (
            "oauth2/token",
            Duration::from_millis(800),
            TimeLimit::Request
        )
    );
    // Each token attempt runs out on its own, without retries.
    let h = Harness::builder()
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .base_url(raw::silent())
        .retry(RetryPolicy::none())
        .attempt_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let e = h.authenticate().await.unwrap_err();
    assert_eq!(
        timeout_of(&e),
        (
            "oauth2/token",
            Duration::from_millis(200),
            TimeLimit::Attempt,
            1
        )
    );
    assert!(!e.to_string().contains(CLIENT_SECRET));
}

#[tokio::test]
async fn a_rate_limit_wait_past_the_limit_is_not_waited() {
    let mut server = Server::new_async().await;
    let limited = server
        .mock("GET", "/incidents/queries/incidents/v1")
        .with_status(429)
        .with_header("retry-after", "60")
        .expect(1)
        .create_async()
        .await;
    let h = Harness::builder()
        .bearer_token("tok")
        .base_url(server.url())
        .retry(RetryPolicy::default().max_rate_limit_wait(Duration::from_secs(60)))
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let started = Instant::now();
    // The 429 is the answer: its 60 s wait would pass the 2 s limit.
    let r = h.execute(query_incidents()).await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(started.elapsed() < GENEROUS);
    limited.assert_async().await;
}

/// A reply that promises 100 bytes, sends 3 and stalls.
fn stalling_body(stream: std::net::TcpStream) {
    raw::head_then_hold(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ncontent-length: 100\r\n\r\n",
        b"abc",
    );
}

/// A harness on a server whose replies stall, with a request limit of
/// 500 ms and a generous attempt limit.
fn stalling_server_harness() -> Harness {
    Harness::builder()
        .bearer_token("tok")
        .base_url(format!("http://{}", raw::each_connection(stalling_body)))
        .retry(RetryPolicy::none())
        .timeout(Duration::from_millis(500))
        .attempt_timeout(GENEROUS)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_stalled_download_is_bounded_by_the_request_limit() {
    let h = stalling_server_harness();
    let mut out = Vec::new();
    let e = h
        .request(query_incidents())
        .download(&mut out)
        .await
        .unwrap_err();
    assert_eq!(
        timeout_of(&e),
        (
            "QueryIncidents",
            Duration::from_millis(500),
            TimeLimit::Request,
            1
        )
    );
    assert_eq!(out, b"abc");
}

#[tokio::test]
async fn a_stalled_reply_is_bounded_by_the_request_limit() {
    // The attempt's own time-out is cut to what is left of the request's
    // limit, and covers reading the body: one timer, the request's figure.
    let h = stalling_server_harness();
    let started = Instant::now();
    let e = h.execute(query_incidents()).await.unwrap_err();
    assert!(started.elapsed() < GENEROUS);
    assert_eq!(
        timeout_of(&e),
        (
            "QueryIncidents",
            Duration::from_millis(500),
            TimeLimit::Request,
            1
        )
    );
}

/// How long the token endpoint of [`slow_token_then_silence`] takes.
const TOKEN_DELAY: Duration = Duration::from_millis(1500);

/// Answers a token request after [`TOKEN_DELAY`]; holds any other
/// request without answering.
fn slow_token_then_silence(mut stream: std::net::TcpStream) {
    use std::io::{Read, Write};
    let head = raw::read_head(&mut stream);
    if !head.starts_with(b"POST /oauth2/token") {
        std::thread::sleep(GENEROUS);
        return;
    }
    // The form is read, so closing the connection does not reset it.
    let length = String::from_utf8_lossy(&head)
        .to_ascii_lowercase()
        .lines()
        .find_map(|l| l.strip_prefix("content-length:")?.trim().parse().ok())
        .unwrap_or(0usize);
    let _ = stream.read_exact(&mut vec![0; length.min(64 * 1024)]);
    std::thread::sleep(TOKEN_DELAY);
    let body = token_body("tok", 1799);
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

#[tokio::test]
async fn an_attempt_after_a_slow_token_gets_what_is_left() {
    // The token takes 1.5 s of a 2 s limit; the API never answers. The
    // attempt's time-out is what is left after the token (0.5 s), not
    // what was left when the attempt began (2 s), so the command ends
    // at its limit, not 1.5 s past it.
    let h = Harness::builder()
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .base_url(format!(
            "http://{}",
            raw::each_connection(slow_token_then_silence)
        ))
        .retry(RetryPolicy::none())
        .timeout(Duration::from_secs(2))
        .attempt_timeout(GENEROUS)
        .build()
        .unwrap();
    let started = Instant::now();
    let e = h.execute(query_incidents()).await.unwrap_err();
    let took = started.elapsed();
    assert_eq!(
        timeout_of(&e),
        (
            "QueryIncidents",
            Duration::from_secs(2),
            TimeLimit::Request,
            1
        )
    );
    // The limit's own bound, with a second to spare for a busy machine
    // (the attempt's time-out reckoned before the token would end at
    // 3.5 s).
    assert!(took < Duration::from_secs(3), "{took:?}");
}
