//! Hostile files and input against the built binary (issue 11 items 3,
//! 5, 7, 12, 13): each test names the item it covers. Hostile replies are
//! in cli_hardening_replies.rs, hostile servers in cli_limits.rs.

mod support;
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::json;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use support::falcon::{call, token};
use support::{run, Run};

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
