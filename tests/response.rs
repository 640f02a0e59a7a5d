//! Replies: classification by content type, malformed JSON, rate-limit
//! headers, the Python SDK view, error statuses, streamed downloads.

mod support;

use falcon_harness::{Harness, Method, PlannedBody, ResponseBody};
use mockito::Server;
use serde_json::json;
use support::mock::*;

fn bearer(server: &mockito::ServerGuard) -> Harness {
    Harness::builder()
        .bearer_token("tok")
        .base_url(server.url())
        .retry(fast_retry())
        .build()
        .unwrap()
}

fn download_plan() -> falcon_harness::RequestPlan {
    plan(
        "CaseDownloadAttachment",
        Method::Get,
        "/message-center/entities/case-attachment/v1",
        &[("id", "att-1")],
        PlannedBody::Empty,
    )
}

/// The error a QueryIncidents reply with `body` as its JSON gives (sent
/// once): a decode error naming the operation.
async fn decode_error(body: &[u8]) -> falcon_harness::Error {
    let mut server = Server::new_async().await;
    let m = server
        .mock("GET", "/incidents/queries/incidents/v1")
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(body)
        .expect(1)
        .create_async()
        .await;
    let e = bearer(&server)
        .execute(query_incidents())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, falcon_harness::Error::Decode { operation, .. } if operation == "QueryIncidents"),
        "{e}"
    );
    m.assert_async().await;
    e
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_naming_the_operation() {
    let e = decode_error(br#"{"resources": ["inc-1", "#).await;
    assert!(e.to_string().contains("malformed JSON"));
}

#[tokio::test]
async fn a_json_body_that_is_not_utf8_is_a_decode_error_in_serde_jsons_words() {
    // Well-formed but for one byte in a string: the check on arrival
    // settles UTF-8 itself and leaves the wording to `serde_json`.
    let body: &[u8] = b"{\"resources\": [\"inc-\xff\"]}";
    let expected = serde_json::from_slice::<serde_json::Value>(body)
        .unwrap_err()
        .to_string();
    let e = decode_error(body).await;
    assert!(
        e.to_string()
            .contains(&format!("malformed JSON ({expected})")),
        "{e}"
    );
}

#[tokio::test]
async fn bodies_are_classified_and_viewed_like_the_python_sdk() {
    let mut server = Server::new_async().await;
    server
        .mock("GET", "/json")
        .with_status(200)
        .with_header("content-type", "application/json; charset=utf-8")
        .with_header("x-ratelimit-limit", "6000")
        .with_header("x-ratelimit-remaining", "5998")
        .with_body(r#"{"meta":{},"resources":["a"],"errors":[]}"#)
        .create_async()
        .await;
    server
        .mock("GET", "/text")
        .with_status(200)
        .with_header("content-type", "text/plain")
        .with_body("plain words")
        .create_async()
        .await;
    server
        .mock("GET", "/empty")
        .with_status(204)
        .create_async()
        .await;
    let h = bearer(&server);
    let get = |path: &str| plan("Op", Method::Get, path, &[], PlannedBody::Empty);

    let r = h.execute(get("/json")).await.unwrap();
    assert_eq!(r.rate_limit_limit(), Some(6000));
    assert_eq!(r.rate_limit_remaining(), Some(5998));
    let uber = r.to_uber();
    assert_eq!(uber["status_code"], 200);
    assert_eq!(uber["headers"]["x-ratelimit-remaining"], "5998");
    assert_eq!(
        uber["body"],
        json!({"meta":{},"resources":["a"],"errors":[]})
    );

    let r = h.execute(get("/text")).await.unwrap();
    assert_eq!(r.body(), &ResponseBody::Text("plain words".into()));
    assert_eq!(r.to_uber()["body"], "plain words");

    let r = h.execute(get("/empty")).await.unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(r.body(), &ResponseBody::Empty);
}

#[tokio::test]
async fn error_statuses_are_responses_unless_asked() {
    let mut server = Server::new_async().await;
    server
        .mock("GET", "/incidents/queries/incidents/v1")
        .with_status(400)
        .with_header("content-type", "application/json")
        .with_body(
            r#"{"meta":{},"resources":[],"errors":[{"code":400,"message":"Invalid filter"}]}"#,
        )
        .create_async()
        .await;
    let r = bearer(&server).execute(query_incidents()).await.unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.error_messages(), vec!["Invalid filter".to_string()]);
    let e = r.error_for_status().unwrap_err();
    assert_eq!(e.status(), Some(400));
    assert_eq!(e.to_string(), "QueryIncidents: HTTP 400: Invalid filter");
}

#[tokio::test]
async fn binary_download_is_streamed_to_a_file() {
    let payload: Vec<u8> = (0..(1usize << 20)).map(|i| (i * 7 % 251) as u8).collect();
    let mut server = Server::new_async().await;
    let m = server
        .mock("GET", "/message-center/entities/case-attachment/v1")
        .match_query(mockito::Matcher::UrlEncoded("id".into(), "att-1".into()))
        .with_status(200)
        .with_header("content-type", "application/pdf")
        .with_body(&payload)
        .expect(1)
        .create_async()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("attachment.pdf");
    let mut file = tokio::fs::File::create(&path).await.unwrap();
    let r = bearer(&server)
        .request(download_plan())
        .download(&mut file)
        .await
        .unwrap();
    drop(file);
    assert_eq!(r.status(), 200);
    assert_eq!(r.body(), &ResponseBody::Streamed(payload.len() as u64));
    assert!(r.bytes().is_empty(), "nothing held in memory");
    assert_eq!(std::fs::read(&path).unwrap(), payload);
    m.assert_async().await;
}

#[tokio::test]
async fn a_failed_download_writes_nothing() {
    let mut server = Server::new_async().await;
    server
        .mock("GET", "/message-center/entities/case-attachment/v1")
        .match_query(mockito::Matcher::Any)
        .with_status(404)
        .with_header("content-type", "application/json")
        .with_body(r#"{"errors":[{"code":404,"message":"attachment not found"}]}"#)
        .create_async()
        .await;
    let mut sink: Vec<u8> = Vec::new();
    let r = bearer(&server)
        .request(download_plan())
        .download(&mut sink)
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(sink.is_empty());
    assert_eq!(r.error_messages(), vec!["attachment not found".to_string()]);
}

#[tokio::test]
async fn binary_bodies_are_bytes_when_buffered() {
    let mut server = Server::new_async().await;
    server
        .mock("GET", "/message-center/entities/case-attachment/v1")
        .match_query(mockito::Matcher::Any)
        .with_status(200)
        .with_header("content-type", "application/zip")
        .with_body([0x50u8, 0x4b, 0x03, 0x04])
        .create_async()
        .await;
    let r = bearer(&server).execute(download_plan()).await.unwrap();
    assert_eq!(
        r.body(),
        &ResponseBody::Bytes(bytes::Bytes::from_static(&[0x50, 0x4b, 3, 4]))
    );
    assert_eq!(r.to_uber()["body"], "UEsDBA==");
}
