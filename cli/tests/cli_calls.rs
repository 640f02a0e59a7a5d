//! Real calls of the built binary against a mockito server or the fake
//! Falcon API (`falcon_harness::testing`, where a test needs no exact
//! wire bytes or odd replies): a single
//! call, ARGS from stdin and @file, `--body`, exit codes, a binary
//! download to a file and to stdout, an upload, `--all` across pages, and
//! `--verbose` without secrets.

mod support;
use falcon_harness::testing::FakeFalcon;
use mockito::{Matcher, Server};
use serde_json::json;
use support::falcon::{call, call_fake, json_reply, token, SECRET, TOKEN};
use support::run;

#[test]
fn single_call_prints_status_headers_and_body() {
    let mut server = Server::new();
    let tok = token(&mut server).expect(1).create();
    let body = json!({"meta": {}, "resources": ["inc:1", "inc:2"], "errors": []});
    let api = json_reply(
        server
            .mock("GET", "/incidents/queries/incidents/v1")
            .match_query(Matcher::Exact("filter=status%3A20&limit=5".into()))
            .match_header("authorization", format!("Bearer {TOKEN}").as_str()),
        200,
        body.clone(),
    )
    .with_header("x-ratelimit-remaining", "5999")
    .expect(1)
    .create();
    let r = call(
        &server,
        &["QueryIncidents", r#"{"filter":"status:20","limit":5}"#],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = r.json();
    assert_eq!(out["status_code"], 200);
    assert_eq!(out["body"], body);
    assert_eq!(out["headers"]["content-type"], "application/json");
    assert_eq!(out["headers"]["x-ratelimit-remaining"], "5999");
    tok.assert();
    api.assert();

    // --body: only the body
    let r = call(
        &server,
        &[
            "query_incidents",
            r#"{"filter":"status:20","limit":5}"#,
            "--body",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json(), body);
}

#[test]
fn args_from_stdin_and_from_file() {
    let fake = FakeFalcon::start();
    fake.on("GetIncidents")
        .args(json!({"ids": ["inc:1", "inc:2"]}))
        .times(2)
        .reply(
            200,
            json!({"resources": [{"incident_id": "inc:1"}, {"incident_id": "inc:2"}]}),
        );
    let r = call_fake(
        &fake,
        &["GetIncidents", "-", "--body"],
        br#"{"ids": ["inc:1", "inc:2"]}"#,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["resources"][1]["incident_id"], "inc:2");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ids.json");
    std::fs::write(&file, r#"{"ids": "inc:1,inc:2"}"#).unwrap();
    let at = format!("@{}", file.display());
    let r = call_fake(&fake, &["GetIncidents", &at, "--body"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["resources"][0]["incident_id"], "inc:1");
    fake.verify();
}

#[test]
fn exit_codes() {
    let mut server = Server::new();
    token(&mut server).create();
    // 1: an API error status; the result is still printed
    json_reply(
        server.mock("GET", "/message-center/queries/cases/v1"),
        403,
        json!({"errors": [{"code": 403, "message": "access denied"}], "resources": []}),
    )
    .create();
    let r = call(&server, &["QueryCasesIdsByFilter"], b"");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.json()["status_code"], 403);
    assert_eq!(r.json()["body"]["errors"][0]["message"], "access denied");

    // 2: a bad argument; nothing is sent
    let nothing = server.mock("GET", Matcher::Any).expect(0).create();
    let r = call(
        &server,
        &["QueryCasesIdsByFilter", r#"{"limit": "ten"}"#],
        b"",
    );
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("QueryCasesIdsByFilter"), "{}", r.stderr);
    let r = call(&server, &["QueryCasesIdsByFiltr"], b"");
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("did you mean QueryCasesIdsByFilter"),
        "{}",
        r.stderr
    );
    // 2: no credentials
    let url = server.url();
    let r = run(
        &["QueryCasesIdsByFilter"],
        b"",
        &[("FALCON_BASE_URL", url.as_str())],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no credentials"), "{}", r.stderr);
    nothing.assert();
}

#[test]
fn exit_3_for_auth_and_transport_failures() {
    let mut server = Server::new();
    server
        .mock("POST", "/oauth2/token")
        .with_status(401)
        .with_header("content-type", "application/json")
        .with_body(
            r#"{"errors": [{"code": 401, "message": "access denied, invalid credentials"}]}"#,
        )
        .create();
    let api = server.mock("GET", Matcher::Any).expect(0).create();
    let r = call(&server, &["QueryIncidents"], b"");
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("authentication failed"), "{}", r.stderr);
    assert!(!r.stderr.contains(SECRET));
    api.assert();

    // a port nothing listens on
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let r = run(
        &["QueryIncidents", "--base-url", &base, "--timeout", "5"],
        b"",
        &[
            ("FALCON_CLIENT_ID", "cid"),
            ("FALCON_CLIENT_SECRET", SECRET),
        ],
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn binary_download_to_a_file_and_to_stdout() {
    let mut server = Server::new();
    token(&mut server).create();
    let pdf: Vec<u8> = b"%PDF-1.7\n"
        .iter()
        .copied()
        .chain((0..=255u8).cycle().take(70_000))
        .collect();
    let dl = server
        .mock("GET", "/message-center/entities/case-attachment/v1")
        .match_query(Matcher::UrlEncoded("id".into(), "att-1".into()))
        .with_status(200)
        .with_header("content-type", "application/pdf")
        .with_body(&pdf)
        .expect(2)
        .create();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("attachment.pdf");
    let file_s = file.display().to_string();
    let r = call(
        &server,
        &[
            "CaseDownloadAttachment",
            r#"{"id": "att-1"}"#,
            "--output",
            &file_s,
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read(&file).unwrap(), pdf);
    assert!(!dir.path().join("attachment.pdf.part").exists());
    let out = r.json();
    assert_eq!(out["status_code"], 200);
    assert_eq!(
        out["body"],
        json!({"file": file_s, "bytes_written": pdf.len()})
    );

    // stdout is a pipe here (not a terminal): the bytes go there raw
    let r = call(
        &server,
        &["CaseDownloadAttachment", r#"{"id": "att-1"}"#],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, pdf);
    dl.assert();

    // an error reply leaves no file and exits 1
    json_reply(
        server
            .mock("GET", "/message-center/entities/case-attachment/v1")
            .match_query(Matcher::UrlEncoded("id".into(), "missing".into())),
        404,
        json!({"errors": [{"code": 404, "message": "not found"}]}),
    )
    .create();
    let missing = dir.path().join("missing.pdf");
    let missing_s = missing.display().to_string();
    let r = call(
        &server,
        &[
            "CaseDownloadAttachment",
            r#"{"id": "missing"}"#,
            "-o",
            &missing_s,
        ],
        b"",
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.json()["status_code"], 404);
    assert!(!missing.exists());
    assert!(!dir.path().join("missing.pdf.part").exists());
}

#[test]
fn multipart_upload_sends_the_file() {
    let fake = FakeFalcon::start();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "attachment-content-1234").unwrap();
    // "YXR0YWNobWVudC1jb250ZW50LTEyMzQ=" is the file's text in base64.
    fake.on("CaseAddAttachment")
        .args(json!({
            "case_id": "c1",
            "file": {"content_base64": "YXR0YWNobWVudC1jb250ZW50LTEyMzQ=", "filename": "notes.txt"},
        }))
        .times(1)
        .reply(200, json!({"resources": [{"id": "att-9"}]}));
    let args = json!({"case_id": "c1", "user_uuid": "u1", "file": format!("@{}", file.display())});
    let r = call_fake(
        &fake,
        &["CaseAddAttachment", &args.to_string(), "--body"],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["resources"][0]["id"], "att-9");
    fake.verify();
}

#[test]
fn all_follows_pages_and_concatenates_resources() {
    let fake = FakeFalcon::start();
    fake.on("QueryIncidents")
        .args(json!({"limit": 2}))
        .pages(vec![json!(["a", "b"]), json!(["c", "d"]), json!(["e"])]);
    let r = call_fake(&fake, &["QueryIncidents", r#"{"limit": 2}"#, "--all"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json(), json!(["a", "b", "c", "d", "e"]));
    assert_eq!(
        fake.calls("QueryIncidents"),
        [
            json!({"limit": 2}),
            json!({"limit": 2, "offset": 2}),
            json!({"limit": 2, "offset": 4})
        ]
    );
    fake.verify();
}

#[test]
fn verbose_logs_to_stderr_without_secrets() {
    let mut server = Server::new();
    token(&mut server).create();
    json_reply(
        server.mock("GET", "/incidents/queries/incidents/v1"),
        200,
        json!({"resources": []}),
    )
    .create();
    let r = call(&server, &["QueryIncidents", "--verbose", "--verbose"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    // a log line at debug or trace level that names the operation
    assert!(
        r.stderr
            .lines()
            .any(|l| (l.contains("DEBUG") || l.contains("TRACE")) && l.contains("QueryIncidents")),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains(SECRET), "{}", r.stderr);
    assert!(!r.stderr.contains(TOKEN), "{}", r.stderr);
    assert!(!r.stdout_str().contains(TOKEN));
}

#[test]
fn all_says_when_the_offset_window_cuts_it_short() {
    let mut server = Server::new();
    token(&mut server).create();
    // A page at offset 10,000 of 50,000: the next would start at 10,500,
    // where offset paging ends.
    let page = json_reply(
        server
            .mock("GET", "/incidents/queries/incidents/v1")
            .match_query(Matcher::Exact("limit=500&offset=10000".into())),
        200,
        json!({"meta": {"pagination": {"offset": 10000, "limit": 500, "total": 50000}},
               "resources": vec!["x"; 500], "errors": []}),
    )
    .expect(1)
    .create();
    let r = call(
        &server,
        &[
            "QueryIncidents",
            r#"{"limit": 500, "offset": 10000}"#,
            "--all",
        ],
        b"",
    );
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_eq!(r.json().as_array().unwrap().len(), 500);
    assert!(r.stderr.contains("--all is incomplete"), "{}", r.stderr);
    assert!(r.stderr.contains("of 50000"), "{}", r.stderr);
    page.assert();
}

#[test]
fn not_modified_is_success_and_empty_variables_count_as_unset() {
    let mut server = Server::new();
    token(&mut server).create();
    let api = server
        .mock("GET", "/incidents/queries/incidents/v1")
        .with_status(304)
        .expect(1)
        .create();
    let url = server.url();
    let r = run(
        &["QueryIncidents"],
        b"",
        &[
            ("FALCON_CLIENT_ID", "cid"),
            ("FALCON_CLIENT_SECRET", SECRET),
            ("FALCON_BASE_URL", url.as_str()),
            ("FALCON_MEMBER_CID", ""),
            ("FALCON_CLOUD", ""),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    api.assert();
    // Blank credentials are no credentials: a usage error, nothing sent.
    let r = run(
        &["QueryIncidents"],
        b"",
        &[
            ("FALCON_CLIENT_ID", ""),
            ("FALCON_CLIENT_SECRET", " "),
            ("FALCON_BASE_URL", url.as_str()),
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no credentials"), "{}", r.stderr);
}
