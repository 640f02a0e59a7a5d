//! A mockito Falcon for the hardening tests: a token endpoint, and runs
//! of the binary with test credentials pointed at a server.

use super::{run, Run};
use mockito::{Mock, ServerGuard};

/// The client secret the runs use; it must never show.
pub const SECRET: &str = "s3cr3t-value-xyz";

/// `POST /oauth2/token` answering a token, whatever the form.
pub fn token(server: &mut ServerGuard) -> Mock {
    server
        .mock("POST", "/oauth2/token")
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body(serde_json::json!({"access_token": "tok", "expires_in": 1799}).to_string())
        .create()
}

/// The environment of a run against `url`.
pub fn env(url: &str) -> [(&'static str, String); 3] {
    [
        ("FALCON_CLIENT_ID", "cid".into()),
        ("FALCON_CLIENT_SECRET", SECRET.into()),
        ("FALCON_BASE_URL", url.into()),
    ]
}

/// Runs the binary against `url`.
pub fn call_at(url: &str, args: &[&str], stdin: &[u8]) -> Run {
    let env = env(url);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    run(args, stdin, &env)
}

/// Runs the binary against `server`.
pub fn call(server: &ServerGuard, args: &[&str], stdin: &[u8]) -> Run {
    call_at(&server.url(), args, stdin)
}
