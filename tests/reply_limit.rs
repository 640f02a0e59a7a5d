//! The reply-size limit (issue 11 item 2): every reply read into memory
//! (API replies, error replies of downloads, token replies) stops at the
//! limit, counted after decoding, with `Error::TooLarge`; a download
//! streamed into a writer is not limited. (Peak memory of a gzip bomb is
//! measured on the binary: cli/tests/cli_limits.rs.)

mod support;

use falcon_harness::{Error, Harness, HarnessBuilder, ResponseBody};
use mockito::{Server, ServerGuard};
use support::bomb::gzip_zeros;
use support::mock::*;

const MIB: u64 = 1 << 20;

fn bearer(server: &ServerGuard, limit: u64) -> Harness {
    HarnessBuilder::new()
        .bearer_token("tok")
        .base_url(server.url())
        .retry(fast_retry())
        .max_reply_bytes(limit)
        .build()
        .unwrap()
}

fn too_large(e: &Error, operation: &str, limit: u64) {
    assert!(
        matches!(e, Error::TooLarge { operation: o, limit: l } if o == operation && *l == limit),
        "{e:?}"
    );
    assert_eq!(e.kind().as_str(), "too_large");
}

#[tokio::test]
async fn a_gzip_bomb_stops_at_the_limit() {
    let mut server = Server::new_async().await;
    let bomb = gzip_zeros(64);
    assert!(bomb.len() < 128 * 1024, "{} bytes", bomb.len());
    server
        .mock("GET", "/incidents/queries/incidents/v1")
        .with_status(200)
        .with_header("content-type", "application/octet-stream")
        .with_header("content-encoding", "gzip")
        .with_body(bomb)
        .expect(2)
        .create_async()
        .await;
    // Past the limit: an error, not 64 MiB.
    let e = bearer(&server, 8 * MIB)
        .execute(query_incidents())
        .await
        .unwrap_err();
    too_large(&e, "QueryIncidents", 8 * MIB);
    // Under it, the body is the decoded zeros (the bomb is well formed).
    let r = bearer(&server, 65 * MIB)
        .execute(query_incidents())
        .await
        .unwrap();
    let ResponseBody::Bytes(bytes) = r.body() else {
        panic!("{:?}", r.header("content-type"))
    };
    assert_eq!(bytes.len() as u64, 64 * MIB);
    assert!(bytes.iter().all(|b| *b == 0));
}

#[tokio::test]
async fn an_announced_length_past_the_limit_is_refused() {
    let mut server = Server::new_async().await;
    server
        .mock("GET", "/incidents/queries/incidents/v1")
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(vec![b' '; 2 * MIB as usize])
        .create_async()
        .await;
    let e = bearer(&server, MIB)
        .execute(query_incidents())
        .await
        .unwrap_err();
    too_large(&e, "QueryIncidents", MIB);
}

#[tokio::test]
async fn a_token_reply_past_the_limit_is_refused() {
    let mut server = Server::new_async().await;
    let padding = " ".repeat(2 * MIB as usize);
    server
        .mock("POST", "/oauth2/token")
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body(format!(
            r#"{{"access_token":"tok","expires_in":1799{padding}}}"#
        ))
        .create_async()
        .await;
    let h = builder(&server).max_reply_bytes(MIB).build().unwrap();
    let e = h.authenticate().await.unwrap_err();
    too_large(&e, "oauth2/token", MIB);
}

#[tokio::test]
async fn downloads_stream_past_the_limit_but_error_replies_do_not() {
    let mut server = Server::new_async().await;
    server
        .mock("GET", "/ok")
        .with_status(200)
        .with_header("content-type", "application/octet-stream")
        .with_body(vec![7u8; 3 * MIB as usize])
        .create_async()
        .await;
    server
        .mock("GET", "/refused")
        .with_status(500)
        .with_header("content-type", "text/plain")
        .with_header("content-encoding", "gzip")
        .with_body(gzip_zeros(16))
        .create_async()
        .await;
    let h = HarnessBuilder::new()
        .bearer_token("tok")
        .base_url(server.url())
        .retry(falcon_harness::RetryPolicy::none())
        .max_reply_bytes(MIB)
        .build()
        .unwrap();
    let get = |path: &str| {
        plan(
            "CaseDownloadAttachment",
            falcon_harness::Method::Get,
            path,
            &[],
            falcon_harness::PlannedBody::Empty,
        )
    };
    let mut out = Vec::new();
    let r = h.request(get("/ok")).download(&mut out).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(out.len() as u64, 3 * MIB);
    let mut out = Vec::new();
    let e = h
        .request(get("/refused"))
        .download(&mut out)
        .await
        .unwrap_err();
    too_large(&e, "CaseDownloadAttachment", MIB);
    assert!(out.is_empty());
}
