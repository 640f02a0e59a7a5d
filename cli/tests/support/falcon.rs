//! A mock Falcon API for the binary's tests: the token endpoint, a call
//! of the binary with credentials and the base URL of a mock (or of the
//! fake Falcon API), JSON replies.

use super::{run, Run};
use falcon_harness::testing::FakeFalcon;
use mockito::{Matcher, Mock, ServerGuard};
use serde_json::json;

pub const SECRET: &str = "s3cr3t-value-xyz";
pub const TOKEN: &str = "tok-4a7e1c";

pub fn token(server: &mut ServerGuard) -> Mock {
    server
        .mock("POST", "/oauth2/token")
        .match_body(Matcher::AllOf(vec![
            Matcher::UrlEncoded("client_id".into(), "cid".into()),
            Matcher::UrlEncoded("client_secret".into(), SECRET.into()),
        ]))
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body(
            json!({"access_token": TOKEN, "expires_in": 1799, "token_type": "bearer"}).to_string(),
        )
        .create()
}

pub fn call(server: &ServerGuard, args: &[&str], stdin: &[u8]) -> Run {
    call_at(&server.url(), args, stdin)
}

/// Runs the binary against the fake Falcon API.
pub fn call_fake(fake: &FakeFalcon, args: &[&str], stdin: &[u8]) -> Run {
    call_at(&fake.url(), args, stdin)
}

/// The environment of a run with test credentials and `url` as the
/// base URL.
pub fn env(url: &str) -> [(&'static str, String); 3] {
    [
        ("FALCON_CLIENT_ID", "cid".into()),
        ("FALCON_CLIENT_SECRET", SECRET.into()),
        ("FALCON_BASE_URL", url.into()),
    ]
}

/// Runs the binary with test credentials and `url` as the base URL.
pub fn call_at(url: &str, args: &[&str], stdin: &[u8]) -> Run {
    let env = env(url);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    run(args, stdin, &env)
}

pub fn json_reply(m: Mock, status: usize, body: serde_json::Value) -> Mock {
    m.with_status(status)
        .with_header("content-type", "application/json")
        .with_body(body.to_string())
}
