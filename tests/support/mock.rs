//! A mockito Falcon: the token endpoint, resource replies, a harness
//! builder pointed at the server and hand-built request plans.

use falcon_harness::{HarnessBuilder, Host, Method, PlannedBody, RequestPlan, RetryPolicy};
use mockito::{Matcher, Mock, ServerGuard};
use std::time::Duration;

pub const CLIENT_ID: &str = "test-client-id";
pub const CLIENT_SECRET: &str = "Sup3r-S3cret-Value-0123456789";

/// A token reply body.
pub fn token_body(token: &str, expires_in: u64) -> String {
    format!(r#"{{"access_token":"{token}","token_type":"bearer","expires_in":{expires_in}}}"#)
}

/// `POST /oauth2/token` answering `token`, expected `hits` times.
pub async fn token_mock(
    server: &mut ServerGuard,
    token: &str,
    expires_in: u64,
    hits: usize,
) -> Mock {
    server
        .mock("POST", "/oauth2/token")
        .match_header("content-type", "application/x-www-form-urlencoded")
        .match_body(Matcher::AllOf(vec![
            Matcher::UrlEncoded("client_id".into(), CLIENT_ID.into()),
            Matcher::UrlEncoded("client_secret".into(), CLIENT_SECRET.into()),
        ]))
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body(token_body(token, expires_in))
        .expect(hits)
        .create_async()
        .await
}

/// Retries that wait at most a few milliseconds.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .max_rate_limit_wait(Duration::from_millis(20))
}

/// A builder with the test credentials pointed at the server.
pub fn builder(server: &ServerGuard) -> HarnessBuilder {
    HarnessBuilder::new()
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .base_url(server.url())
        .retry(fast_retry())
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
}

/// A hand-built plan.
pub fn plan(
    operation: &'static str,
    method: Method,
    path: &str,
    query: &[(&str, &str)],
    body: PlannedBody,
) -> RequestPlan {
    RequestPlan {
        operation,
        method,
        host: Host::Api,
        path: path.to_string().into(),
        query: query
            .iter()
            .map(|(k, v)| (k.to_string().into(), v.to_string()))
            .collect(),
        headers: vec![],
        body,
        warnings: vec![],
    }
}

/// `GET /incidents/queries/incidents/v1` (QueryIncidents), no arguments.
pub fn query_incidents() -> RequestPlan {
    plan(
        "QueryIncidents",
        Method::Get,
        "/incidents/queries/incidents/v1",
        &[],
        PlannedBody::Empty,
    )
}

/// A JSON reply body with these resources.
pub fn resources_body(resources: &[&str]) -> String {
    serde_json::json!({"meta": {"query_time": 0.01}, "resources": resources, "errors": []})
        .to_string()
}

/// Mocks `GET /incidents/queries/incidents/v1` with a bearer token.
pub async fn incidents_mock(
    server: &mut ServerGuard,
    token: &str,
    status: usize,
    hits: usize,
) -> Mock {
    server
        .mock("GET", "/incidents/queries/incidents/v1")
        .match_header("authorization", format!("Bearer {token}").as_str())
        .with_status(status)
        .with_header("content-type", "application/json")
        .with_header("x-ratelimit-limit", "6000")
        .with_header("x-ratelimit-remaining", "5999")
        .with_body(resources_body(&["inc-1"]))
        .expect(hits)
        .create_async()
        .await
}
