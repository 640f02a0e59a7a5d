//! Hostile servers, files and input against the built binary (issue 11):
//! each test names the item it covers.

mod support;
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::json;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use support::{run, Run};

const SECRET: &str = "s3cr3t-value-xyz";

fn token(server: &mut ServerGuard) -> Mock {
    server
        .mock("POST", "/oauth2/token")
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body(json!({"access_token": "tok", "expires_in": 1799}).to_string())
        .create()
}

fn call_at(url: &str, args: &[&str], stdin: &[u8]) -> Run {
    run(
        args,
        stdin,
        &[
            ("FALCON_CLIENT_ID", "cid"),
            ("FALCON_CLIENT_SECRET", SECRET),
            ("FALCON_BASE_URL", url),
        ],
    )
}

fn call(server: &ServerGuard, args: &[&str], stdin: &[u8]) -> Run {
    call_at(&server.url(), args, stdin)
}

fn download_mock(server: &mut ServerGuard, body: &'static [u8]) -> Mock {
    server
        .mock("GET", "/message-center/entities/case-attachment/v1")
        .match_query(Matcher::Any)
        .with_status(200)
        .with_header("content-type", "application/pdf")
        .with_body(body)
        .create()
}

fn download(server: &ServerGuard, to: &Path) -> Run {
    call(
        server,
        &[
            "CaseDownloadAttachment",
            r#"{"id": "att-1"}"#,
            "-o",
            to.to_str().unwrap(),
        ],
        b"",
    )
}

/// Item 3: a link planted at the old partial name is neither followed
/// nor deleted; a link at the target is refused before anything is sent.
#[test]
fn output_never_follows_planted_links() {
    let mut server = Server::new();
    token(&mut server);
    download_mock(&mut server, b"%PDF-new");
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    std::fs::write(&victim, b"keep").unwrap();
    let out = dir.path().join("a.pdf");
    std::os::unix::fs::symlink(&victim, dir.path().join("a.pdf.part")).unwrap();
    let r = download(&server, &out);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), b"%PDF-new");
    assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
    assert!(std::fs::symlink_metadata(dir.path().join("a.pdf.part")).is_ok());

    let link = dir.path().join("link.pdf");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    let r = download(&server, &link);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("symbolic link"), "{}", r.stderr);
    assert_eq!(std::fs::read(&victim).unwrap(), b"keep");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
}

/// Item 3: a FIFO and /dev/stdout are written into, never replaced.
#[test]
fn output_writes_into_a_fifo_and_dev_stdout() {
    let mut server = Server::new();
    token(&mut server);
    download_mock(&mut server, b"%PDF-fifo");
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(&fifo).unwrap())
    };
    let r = download(&server, &fifo);
    if !reader.is_finished() {
        // The binary never opened it: open the writing end so the reader
        // ends (with nothing) instead of waiting for ever.
        drop(std::fs::OpenOptions::new().write(true).open(&fifo));
    }
    let got = reader.join().unwrap();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(got, b"%PDF-fifo");
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());

    // stdout is a pipe: the body goes into it, then the summary.
    let r = download(&server, Path::new("/dev/stdout"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with(b"%PDF-fifo{"),
        "{}",
        String::from_utf8_lossy(&r.stdout)
    );
}

/// Item 7: ARGS from an endless file or stdin, and an overlong batch
/// line, end at the input limit with an error that names it.
#[test]
fn input_is_read_up_to_a_limit() {
    let r = run(&["--dry-run", "QueryIncidents", "@/dev/zero"], b"", &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("ARGS from /dev/zero: larger than the input limit of 67108864 bytes"),
        "{}",
        r.stderr
    );
    let big = vec![b' '; 3 << 20];
    let r = run(
        &[
            "--dry-run",
            "--max-input-bytes",
            "1048576",
            "QueryIncidents",
            "-",
        ],
        &big,
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("ARGS from stdin: larger than the input limit of 1048576 bytes"),
        "{}",
        r.stderr
    );
    let mut lines = b"{\"op\": \"QueryIncidents\", \"args\": {\"filter\": \"".to_vec();
    lines.extend(vec![b'x'; 3 << 20]);
    lines.extend(b"\"}}\n{\"id\": 2, \"op\": \"QueryIncidents\"}\n");
    let r = run(
        &["--dry-run", "--batch", "--max-input-bytes", "4096"],
        &lines,
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let out = r.json_lines();
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["error"]["kind"], "parse");
    assert_eq!(
        out[0]["error"]["message"],
        "line 1: larger than the input limit of 4096 bytes (see --max-input-bytes)"
    );
    assert_eq!(out[1]["id"], 2);
    assert!(out[1]["plan"]["url"].is_string());
}

/// Item 12: a key given twice is an argument error (exit 2) in strict
/// mode, in ARGS and in a batch line; a warning in lenient mode.
#[test]
fn a_key_given_twice_is_refused_or_warned() {
    let r = run(
        &["--dry-run", "QueryIncidents", r#"{"limit": 1, "limit": 2}"#],
        b"",
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(r#"ARGS: the key "limit" is given more than once"#),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());
    let r = run(
        &[
            "--dry-run",
            "--lenient",
            "QueryIncidents",
            r#"{"limit": 1, "limit": 2}"#,
        ],
        b"",
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "warning: ARGS: the key \"limit\" is given more than once; the last value is used"
        ),
        "{}",
        r.stderr
    );
    assert_eq!(r.json()["query"], json!([["limit", "2"]]));

    let line = b"{\"id\": 1, \"op\": \"QueryIncidents\", \"args\": {\"limit\": 1, \"limit\": 2}}\n";
    let r = run(&["--dry-run", "--batch"], line, &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    let out = r.json_lines();
    assert_eq!(out[0]["id"], 1);
    assert_eq!(
        out[0]["error"]["message"],
        "line 1: the key \"args.limit\" is given more than once"
    );
    let r = run(&["--dry-run", "--batch", "--lenient"], line, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("line 1: the key \"args.limit\""),
        "{}",
        r.stderr
    );
    assert_eq!(r.json_lines()[0]["plan"]["query"], json!([["limit", "2"]]));
}

/// Item 13: a missing upload file is a usage error while planning: the
/// dry run reports it and a real call sends nothing (not even the token
/// request).
#[test]
fn a_missing_upload_file_is_found_while_planning() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.txt");
    let args =
        json!({"case_id": "c1", "user_uuid": "u1", "file": format!("@{}", missing.display())})
            .to_string();
    let r = run(&["--dry-run", "CaseAddAttachment", &args], b"", &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("cannot upload {}", missing.display())),
        "{}",
        r.stderr
    );
    let mut server = Server::new();
    let tok = token(&mut server).expect(0);
    let r = call(&server, &["CaseAddAttachment", &args], b"");
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cannot upload"), "{}", r.stderr);
    tok.assert();
}

/// Item 5: a file whose size is not what its metadata says
/// (/proc/self/status is 0 bytes by stat and holds more) is an error,
/// not a cut-off body reported as sent.
#[test]
fn an_upload_whose_size_changes_is_an_error() {
    let mut server = Server::new();
    token(&mut server);
    server
        .mock("POST", "/message-center/entities/case-attachment/v1")
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(r#"{"resources": []}"#)
        .create();
    let args =
        json!({"case_id": "c1", "user_uuid": "u1", "file": "@/proc/self/status"}).to_string();
    let r = call(&server, &["CaseAddAttachment", &args], b"");
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr
            .contains("/proc/self/status changed size while being sent"),
        "{}",
        r.stderr
    );
}

/// Item 10: server text with escape sequences, or echoing the submitted
/// form, reaches the terminal escaped and without the secret.
#[test]
fn server_text_is_escaped_and_the_secret_hidden() {
    let mut server = Server::new();
    let evil = format!("denied\u{1b}[2K\rclient_secret={SECRET}\u{9b}31m");
    server
        .mock("POST", "/oauth2/token")
        .with_status(401)
        .with_header("content-type", "application/json")
        .with_body(json!({"errors": [{"code": 401, "message": evil}]}).to_string())
        .create();
    let r = call(&server, &["QueryIncidents"], b"");
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        !r.stderr.contains('\u{1b}') && !r.stderr.contains('\u{9b}'),
        "{:?}",
        r.stderr
    );
    assert!(!r.stderr.contains('\r'), "{:?}", r.stderr);
    assert!(
        r.stderr
            .contains(r"denied\u{1b}[2K\rclient_secret=<redacted>\u{9b}31m"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains(SECRET), "{}", r.stderr);

    // A reply body on stdout: valid JSON with no raw control character.
    let mut server = Server::new();
    token(&mut server);
    server
        .mock("GET", "/incidents/queries/incidents/v1")
        .with_status(403)
        .with_header("content-type", "application/json")
        .with_body(
            json!({"errors": [{"message": "x\u{1b}]0;title\u{7}\u{9b}2J\u{202e}"}]}).to_string(),
        )
        .create();
    let r = call(&server, &["QueryIncidents"], b"");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        !r.stdout_str().chars().any(|c| c.is_control() && c != '\n'),
        "{}",
        r.stdout_str()
    );
    assert!(!r.stdout_str().contains('\u{202e}'));
    assert_eq!(
        r.json()["body"]["errors"][0]["message"],
        "x\u{1b}]0;title\u{7}\u{9b}2J\u{202e}"
    );
}

/// Item 9: the dry run takes the real run's URL policy and redaction: no
/// password shown, a base URL a call refuses is refused (exit 2) with
/// the same message.
#[test]
fn dry_run_uses_the_real_url_policy() {
    let r = run(
        &[
            "--dry-run",
            "--base-url",
            "http://u:hunter2@127.0.0.1:1",
            "QueryIncidents",
        ],
        b"",
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout_str().contains("hunter2") && !r.stderr.contains("hunter2"));
    assert_eq!(
        r.json()["url"],
        "http://***@127.0.0.1:1/incidents/queries/incidents/v1"
    );
    let r = run(
        &[
            "--dry-run",
            "--batch",
            "--base-url",
            "http://u:hunter2@127.0.0.1:1",
        ],
        b"{\"op\": \"QueryIncidents\"}\n",
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout_str().contains("hunter2"));
    for url in ["http://127.0.0.1:1?q=1", "http://u:hunter2@127.0.0.1:1#f"] {
        let dry = run(
            &["--dry-run", "--base-url", url, "QueryIncidents"],
            b"",
            &[],
        );
        assert_eq!(dry.code, 2, "{url}: {}", dry.stderr);
        assert!(dry.stdout.is_empty());
        assert!(
            dry.stderr.contains("no query or fragment"),
            "{}",
            dry.stderr
        );
        assert!(!dry.stderr.contains("hunter2"), "{}", dry.stderr);
        let real = call_at(url, &["QueryIncidents"], b"");
        assert_eq!(real.code, 2, "{url}: {}", real.stderr);
        assert_eq!(real.stderr, dry.stderr);
    }
}

const INCIDENTS: &str = "/incidents/queries/incidents/v1";
const ASSESS: &str = "/configuration-assessment/combined/assessments/v1";

fn page(
    server: &mut ServerGuard,
    path: &str,
    query: &str,
    status: usize,
    body: serde_json::Value,
) -> Mock {
    server
        .mock("GET", path)
        .match_query(Matcher::Exact(query.into()))
        .with_status(status)
        .with_header("content-type", "application/json")
        .with_body(body.to_string())
        .expect(1)
        .create()
}

/// Item 11: a failing page keeps the pages before it (exit 4); a
/// repeated `after` token ends paging with a warning (exit 4) and no
/// page twice; an operation that does not page is refused before
/// anything is sent (exit 2).
#[test]
fn all_keeps_pages_and_stops_on_repeats() {
    let mut server = Server::new();
    token(&mut server);
    let pages = [
        page(
            &mut server,
            INCIDENTS,
            "limit=2",
            200,
            json!({"meta": {"pagination": {"offset": 0, "limit": 2, "total": 9}}, "resources": ["a", "b"]}),
        ),
        page(
            &mut server,
            INCIDENTS,
            "limit=2&offset=2",
            200,
            json!({"meta": {"pagination": {"offset": 2, "limit": 2, "total": 9}}, "resources": ["c", "d"]}),
        ),
        page(
            &mut server,
            INCIDENTS,
            "limit=2&offset=4",
            403,
            json!({"errors": [{"code": 403, "message": "no more for you"}]}),
        ),
    ];
    let r = call(
        &server,
        &["QueryIncidents", r#"{"limit": 2}"#, "--all"],
        b"",
    );
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_eq!(r.json(), json!(["a", "b", "c", "d"]));
    assert!(
        r.stderr.contains("--all is incomplete: page 3 failed"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("no more for you"), "{}", r.stderr);
    for p in &pages {
        p.assert();
    }

    let mut server = Server::new();
    token(&mut server);
    let pages = [
        page(
            &mut server,
            ASSESS,
            "limit=2&filter=x",
            200,
            json!({"meta": {"pagination": {"after": "t1", "limit": 2, "total": 9}}, "resources": ["a", "b"]}),
        ),
        page(
            &mut server,
            ASSESS,
            "limit=2&filter=x&after=t1",
            200,
            json!({"meta": {"pagination": {"after": "t1", "limit": 2, "total": 9}}, "resources": ["c", "d"]}),
        ),
    ];
    let r = call(
        &server,
        &[
            "getCombinedAssessmentsQuery",
            r#"{"limit": 2, "filter": "x"}"#,
            "--all",
        ],
        b"",
    );
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_eq!(r.json(), json!(["a", "b", "c", "d"]));
    assert!(r.stderr.contains("the `after` it was sent"), "{}", r.stderr);
    for p in &pages {
        p.assert();
    }

    let mut server = Server::new();
    let tok = token(&mut server).expect(0);
    let r = call(
        &server,
        &["GetIncidents", r#"{"ids": ["x"]}"#, "--all"],
        b"",
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("does not page"), "{}", r.stderr);
    tok.assert();
}

/// Item 4: message-framing headers are refused as arguments (exit 2,
/// nothing sent) and dropped with a warning in lenient mode, so the body
/// goes out whole and a GET does not hang.
#[test]
fn framing_headers_are_refused_or_dropped() {
    let body = json!({"ids": ["inc:1", "inc:2"]});
    for h in [
        "Content-Length",
        "transfer-encoding",
        "Host",
        "Connection",
        "Proxy-Authorization",
    ] {
        let args = json!({"body": body, "headers": {h: "5"}}).to_string();
        let mut server = Server::new();
        let tok = token(&mut server).expect(0);
        let r = call(&server, &["GetIncidents", &args], b"");
        assert_eq!(r.code, 2, "{h}: {}", r.stderr);
        assert!(r.stderr.contains("frames the message"), "{}", r.stderr);
        tok.assert();
    }
    let mut server = Server::new();
    token(&mut server);
    let whole = server
        .mock("POST", "/incidents/entities/incidents/GET/v1")
        .match_body(Matcher::Json(body.clone()))
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(r#"{"resources": []}"#)
        .expect(1)
        .create();
    let get = server
        .mock("GET", "/incidents/queries/incidents/v1")
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(r#"{"resources": []}"#)
        .expect(1)
        .create();
    let args = json!({"body": body, "headers": {"Content-Length": "5"}}).to_string();
    let r = call(&server, &["--lenient", "GetIncidents", &args], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("dropped the header \"Content-Length\""),
        "{}",
        r.stderr
    );
    let r = call(
        &server,
        &[
            "--lenient",
            "--timeout",
            "20",
            "QueryIncidents",
            r#"{"headers": {"Content-Length": "2"}}"#,
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    whole.assert();
    get.assert();
}
