//! Rate limits and faults: 429 waits and retries, 5xx retried only for
//! idempotent methods, bounded retries, broken connections.

mod support;

use falcon_harness::{Harness, Method, PlannedBody, RetryPolicy};
use mockito::Server;
use serde_json::json;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use support::mock::*;

fn create_case_plan() -> falcon_harness::RequestPlan {
    plan(
        "CreateCaseV2",
        Method::Post,
        "/message-center/entities/case/v2",
        &[],
        PlannedBody::Json(json!({"title": "t", "body": "b", "type": "fc:incident"}).into()),
    )
}

async fn bearer(server: &mockito::ServerGuard) -> Harness {
    Harness::builder()
        .bearer_token("tok")
        .base_url(server.url())
        .retry(fast_retry())
        .build()
        .unwrap()
}

#[tokio::test]
async fn rate_limited_request_waits_and_retries() {
    let mut server = Server::new_async().await;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let limited = server
        .mock("GET", "/incidents/queries/incidents/v1")
        .with_status(429)
        .with_header("x-ratelimit-limit", "6000")
        .with_header("x-ratelimit-remaining", "0")
        .with_header("x-ratelimit-retryafter", &now.to_string())
        .expect(1)
        .create_async()
        .await;
    let limited_again = server
        .mock("GET", "/incidents/queries/incidents/v1")
        .with_status(429)
        .with_header("retry-after", "0")
        .expect(1)
        .create_async()
        .await;
    let ok = incidents_mock(&mut server, "tok", 200, 1).await;
    let r = bearer(&server)
        .await
        .execute(query_incidents())
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.attempts(), 3);
    assert_eq!(r.rate_limit_remaining(), Some(5999));
    assert_eq!(r.rate_limit_limit(), Some(6000));
    for m in [limited, limited_again, ok] {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn rate_limit_wait_is_capped() {
    let mut server = Server::new_async().await;
    // An hour away: the policy cuts the wait to 20 ms.
    let later = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let limited = server
        .mock("GET", "/incidents/queries/incidents/v1")
        .with_status(429)
        .with_header("x-ratelimit-retryafter", &later.to_string())
        .expect(1)
        .create_async()
        .await;
    let ok = incidents_mock(&mut server, "tok", 200, 1).await;
    let h = bearer(&server).await;
    let r = tokio::time::timeout(Duration::from_secs(30), h.execute(query_incidents()))
        .await
        .expect("the capped wait ends")
        .unwrap();
    assert_eq!(r.status(), 200);
    limited.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn rate_limited_post_is_retried() {
    let mut server = Server::new_async().await;
    let limited = server
        .mock("POST", "/message-center/entities/case/v2")
        .with_status(429)
        .with_header("retry-after", "0")
        .expect(1)
        .create_async()
        .await;
    let ok = server
        .mock("POST", "/message-center/entities/case/v2")
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body(resources_body(&["case-1"]))
        .expect(1)
        .create_async()
        .await;
    let r = bearer(&server)
        .await
        .execute(create_case_plan())
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    limited.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn server_errors_are_retried_on_get() {
    let mut server = Server::new_async().await;
    let failing = server
        .mock("GET", "/incidents/queries/incidents/v1")
        .with_status(503)
        .expect(2)
        .create_async()
        .await;
    let ok = incidents_mock(&mut server, "tok", 200, 1).await;
    let r = bearer(&server)
        .await
        .execute(query_incidents())
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.attempts(), 3);
    failing.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn server_errors_are_not_retried_on_post() {
    let mut server = Server::new_async().await;
    let failing = server
        .mock("POST", "/message-center/entities/case/v2")
        .with_status(503)
        .with_header("content-type", "application/json")
        .with_body(r#"{"errors":[{"code":503,"message":"unavailable"}]}"#)
        .expect(1)
        .create_async()
        .await;
    let r = bearer(&server)
        .await
        .execute(create_case_plan())
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.attempts(), 1);
    let e = r.error_for_status().unwrap_err();
    assert!(e.is_status() && e.to_string().contains("unavailable"));
    failing.assert_async().await;
}

#[tokio::test]
async fn retries_are_bounded() {
    let mut server = Server::new_async().await;
    let failing = server
        .mock("GET", "/incidents/queries/incidents/v1")
        .with_status(500)
        .expect(3)
        .create_async()
        .await;
    let h = Harness::builder()
        .bearer_token("tok")
        .base_url(server.url())
        .retry(fast_retry().max_retries(2))
        .build()
        .unwrap();
    let r = h.execute(query_incidents()).await.unwrap();
    assert_eq!(r.status(), 500);
    assert_eq!(r.attempts(), 3);
    failing.assert_async().await;

    server.reset();
    let once = server
        .mock("GET", "/incidents/queries/incidents/v1")
        .with_status(502)
        .expect(1)
        .create_async()
        .await;
    let h = Harness::builder()
        .bearer_token("tok")
        .base_url(server.url())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    assert_eq!(h.execute(query_incidents()).await.unwrap().status(), 502);
    once.assert_async().await;
}

#[tokio::test]
async fn refused_connections_are_retried_then_reported() {
    // A port with nothing listening.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let h = Harness::builder()
        .bearer_token("tok")
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry(fast_retry().max_retries(2))
        .build()
        .unwrap();
    let e = h.execute(query_incidents()).await.unwrap_err();
    assert!(e.is_transport(), "{e}");
    assert!(e.to_string().contains("QueryIncidents"));
}

/// Token requests go through the same retry driver as commands: a 503
/// and a 429 from the token endpoint are waited out.
#[tokio::test]
async fn token_requests_are_retried_by_the_same_rules() {
    let mut server = Server::new_async().await;
    let unavailable = server
        .mock("POST", "/oauth2/token")
        .with_status(503)
        .expect(1)
        .create_async()
        .await;
    let limited = server
        .mock("POST", "/oauth2/token")
        .with_status(429)
        .with_header("retry-after", "0")
        .expect(1)
        .create_async()
        .await;
    let token = token_mock(&mut server, "tok-r", 1799, 1).await;
    let cmd = incidents_mock(&mut server, "tok-r", 200, 1).await;
    let h = builder(&server).build().unwrap();
    let r = h.execute(query_incidents()).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(h.token_requests(), 1, "one fetch, three attempts");
    unavailable.assert_async().await;
    limited.assert_async().await;
    token.assert_async().await;
    cmd.assert_async().await;
    // Without retries, the first refusal is the answer.
    let mut server = Server::new_async().await;
    let once = server
        .mock("POST", "/oauth2/token")
        .with_status(503)
        .expect(1)
        .create_async()
        .await;
    let h = builder(&server).retry(RetryPolicy::none()).build().unwrap();
    let e = h.authenticate().await.unwrap_err();
    assert!(e.is_auth() && e.status() == Some(503), "{e}");
    once.assert_async().await;
}
