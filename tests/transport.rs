//! The transport: request shapes (query, JSON, form, multipart streamed
//! from disk, raw), user agent and time-outs (redirects: tests/redirects.rs).

mod support;

use bytes::Bytes;
use falcon_harness::{
    FileRef, FileSource, FormPart, Harness, Method, PartValue, PlannedBody, RetryPolicy, TimeLimit,
};
use mockito::{Matcher, Server};
use serde_json::json;
use std::io::Write;
use std::time::Duration;
use support::mock::*;

fn bearer(server: &mockito::ServerGuard) -> Harness {
    Harness::builder()
        .bearer_token("tok")
        .base_url(server.url())
        .retry(fast_retry())
        .user_agent_suffix("my-automation/2.0")
        .build()
        .unwrap()
}

#[tokio::test]
async fn query_pairs_are_encoded_and_headers_sent() {
    let mut server = Server::new_async().await;
    let m = server
        .mock("GET", "/incidents/queries/incidents/v1")
        .match_query(Matcher::AllOf(vec![
            Matcher::UrlEncoded("filter".into(), "status:'20'+name:'a b&c'".into()),
            Matcher::UrlEncoded("limit".into(), "2".into()),
        ]))
        .match_header("authorization", "Bearer tok")
        .match_header(
            "user-agent",
            Matcher::Regex(r"^falcon-harness/\S+ my-automation/2\.0$".into()),
        )
        .match_header("x-cs-username", "analyst")
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(resources_body(&[]))
        .expect(1)
        .create_async()
        .await;
    let mut p = plan(
        "QueryIncidents",
        Method::Get,
        "/incidents/queries/incidents/v1",
        &[("filter", "status:'20'+name:'a b&c'"), ("limit", "2")],
        PlannedBody::Empty,
    );
    p.headers.push(("X-CS-USERNAME".into(), "analyst".into()));
    let r = bearer(&server).execute(p).await.unwrap();
    assert_eq!(r.status(), 200);
    m.assert_async().await;
}

#[tokio::test]
async fn json_form_and_raw_bodies() {
    let mut server = Server::new_async().await;
    let json_mock = server
        .mock("POST", "/incidents/entities/incidents/GET/v1")
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(json!({"ids": ["a", "b"]})))
        .with_status(200)
        .expect(1)
        .create_async()
        .await;
    let form_mock = server
        .mock("POST", "/form/v1")
        .match_header("content-type", "application/x-www-form-urlencoded")
        .match_body(Matcher::AllOf(vec![
            Matcher::UrlEncoded("a".into(), "1 2".into()),
            Matcher::UrlEncoded("b".into(), "x&y".into()),
        ]))
        .with_status(200)
        .expect(1)
        .create_async()
        .await;
    let raw_mock = server
        .mock("POST", "/raw/v1")
        .match_header("content-type", "application/octet-stream")
        .match_body(Matcher::from(vec![0u8, 1, 2, 255]))
        .with_status(200)
        .expect(1)
        .create_async()
        .await;
    let h = bearer(&server);
    h.execute(plan(
        "GetIncidents",
        Method::Post,
        "/incidents/entities/incidents/GET/v1",
        &[],
        PlannedBody::Json(json!({"ids": ["a", "b"]}).into()),
    ))
    .await
    .unwrap();
    h.execute(plan(
        "Form",
        Method::Post,
        "/form/v1",
        &[],
        PlannedBody::Form(vec![("a".into(), "1 2".into()), ("b".into(), "x&y".into())]),
    ))
    .await
    .unwrap();
    h.execute(plan(
        "Raw",
        Method::Post,
        "/raw/v1",
        &[],
        PlannedBody::Raw {
            bytes: Bytes::from_static(&[0, 1, 2, 255]),
            content_type: "application/octet-stream".into(),
        },
    ))
    .await
    .unwrap();
    json_mock.assert_async().await;
    form_mock.assert_async().await;
    raw_mock.assert_async().await;
}

#[tokio::test]
async fn multipart_files_are_streamed_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evidence.txt");
    let content = "line of evidence\n".repeat(4096); // 68 KiB
    std::fs::File::create(&path)
        .unwrap()
        .write_all(content.as_bytes())
        .unwrap();
    let mut server = Server::new_async().await;
    let m = server
        .mock("POST", "/message-center/entities/case-attachment/v1")
        .match_header(
            "content-type",
            Matcher::Regex("^multipart/form-data; boundary=".into()),
        )
        .match_body(Matcher::AllOf(vec![
            Matcher::Regex(r#"name="case_id"\r\n\r\ncase-1\r\n"#.into()),
            Matcher::Regex(
                r#"name="file"; filename="evidence.txt"\r\nContent-Type: text/plain"#.into(),
            ),
        ]))
        .match_request(|req| {
            req.utf8_lossy_body()
                .is_ok_and(|b| b.matches("line of evidence\n").count() == 4096)
        })
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(resources_body(&["att-1"]))
        .expect(1)
        .create_async()
        .await;
    let body = PlannedBody::Multipart(vec![
        FormPart {
            name: "case_id".into(),
            value: PartValue::Text("case-1".into()),
        },
        FormPart {
            name: "file".into(),
            value: PartValue::File(FileRef {
                source: FileSource::Path(path),
                filename: None,
                content_type: Some("text/plain".into()),
            }),
        },
    ]);
    let p = plan(
        "CaseAddAttachment",
        Method::Post,
        "/message-center/entities/case-attachment/v1",
        &[],
        body,
    );
    let r = bearer(&server).execute(p).await.unwrap();
    assert_eq!(r.resources().unwrap(), &vec![json!("att-1")]);
    m.assert_async().await;
}

#[tokio::test]
async fn a_missing_upload_file_is_an_io_error_and_nothing_is_sent() {
    let mut server = Server::new_async().await;
    let m = server
        .mock("POST", Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let body = PlannedBody::Multipart(vec![FormPart {
        name: "file".into(),
        value: PartValue::File(FileRef {
            source: FileSource::Path("/nonexistent/dir/file.bin".into()),
            filename: None,
            content_type: None,
        }),
    }]);
    let p = plan("CaseAddAttachment", Method::Post, "/upload", &[], body);
    let e = bearer(&server).execute(p).await.unwrap_err();
    assert!(matches!(e, falcon_harness::Error::Io { .. }), "{e}");
    assert!(e.to_string().contains("/nonexistent/dir/file.bin"));
    m.assert_async().await;
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let h = Harness::builder()
        .bearer_token("tok")
        .base_url(support::raw::silent())
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let e = h.execute(query_incidents()).await.unwrap_err();
    assert!(e.is_timeout(), "{e}");
    assert!(
        matches!(&e, falcon_harness::Error::Timeout { operation, after, limit: TimeLimit::Request, attempts: 1 }
        if operation == "QueryIncidents" && *after == Duration::from_millis(200)),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_silent_server_times_out_after_bounded_retries() {
    let h = Harness::builder()
        .bearer_token("tok")
        .base_url(support::raw::silent())
        .timeout(Duration::from_millis(100))
        .retry(fast_retry().max_retries(2))
        .build()
        .unwrap();
    let e = h.execute(query_incidents()).await.unwrap_err();
    assert!(e.is_timeout(), "{e}");
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let e = Harness::builder()
        .bearer_token("tok")
        .base_url("http://api.crowdstrike.com")
        .build()
        .unwrap_err();
    assert!(e.is_config() && e.to_string().contains("http"), "{e}");
    assert!(Harness::builder()
        .bearer_token("tok")
        .base_url("http://localhost:8080")
        .build()
        .is_ok());
}

#[tokio::test]
async fn requests_go_through_the_configured_proxy() {
    let mut proxy = Server::new_async().await;
    // The API host does not exist; only the proxy can answer.
    let m = proxy
        .mock("GET", "/incidents/queries/incidents/v1")
        .match_header("host", "falcon.invalid")
        .match_header("authorization", "Bearer tok")
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(resources_body(&["via-proxy"]))
        .expect(1)
        .create_async()
        .await;
    let h = Harness::builder()
        .bearer_token("tok")
        .base_url("http://falcon.invalid")
        .allow_insecure_http(true)
        .proxy(proxy.url())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let r = h.execute(query_incidents()).await.unwrap();
    assert_eq!(r.resources().unwrap()[0], "via-proxy");
    m.assert_async().await;
}

#[test]
fn turning_tls_verification_off_logs_a_warning() {
    let logs = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || SharedBuf(sink.clone()))
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        Harness::builder()
            .bearer_token("tok")
            .verify_tls(false)
            .build()
            .unwrap();
    });
    let text = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("WARN") && text.contains("TLS certificate verification is OFF"),
        "{text}"
    );

    let quiet = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
    let sink = quiet.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || SharedBuf(sink.clone()))
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        Harness::builder().bearer_token("tok").build().unwrap();
    });
    assert!(quiet.lock().unwrap().is_empty());
}

struct SharedBuf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Issue 13: a raw-body operation given `"@path"` streams the file as the
/// body, with its length and the operation's raw media type.
#[tokio::test]
async fn raw_bodies_stream_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sample.zip");
    let content: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &content).unwrap();
    let mut server = Server::new_async().await;
    let m = server
        .mock("POST", "/archives/entities/archives/v1")
        .match_query(Matcher::UrlEncoded("name".into(), "sample.zip".into()))
        .match_header("content-type", "application/octet-stream")
        .match_header("content-length", "70000")
        .match_body(Matcher::from(content.clone()))
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(resources_body(&["arch-1"]))
        .expect(1)
        .create_async()
        .await;
    let args = json!({"name": "sample.zip", "body": format!("@{}", path.display())});
    let r = bearer(&server)
        .request("ArchiveUploadV1")
        .args(args)
        .send()
        .await
        .unwrap();
    assert_eq!(r.resources().unwrap(), &vec![json!("arch-1")]);
    m.assert_async().await;
}

/// Issue 13: an integer beyond 64 bits keeps its digits in the JSON body
/// on the wire and in the JSON reply (the query string: router_args).
#[tokio::test]
async fn big_integers_reach_the_wire_unchanged() {
    let mut server = Server::new_async().await;
    let m = server
        .mock("POST", "/message-center/aggregates/cases/GET/v1")
        .match_body(Matcher::Regex(r#""size":18446744073709551616\b"#.into()))
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(r#"{"resources":[],"big":123456789012345678901234567890}"#)
        .expect(1)
        .create_async()
        .await;
    let args: serde_json::Value =
        serde_json::from_str(r#"{"field": "status", "name": "n", "size": 18446744073709551616}"#)
            .unwrap();
    let r = bearer(&server)
        .request("AggregateCases")
        .args(args)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.json().unwrap()["big"].to_string(),
        "123456789012345678901234567890"
    );
    m.assert_async().await;
}
