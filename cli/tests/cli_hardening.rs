//! Hostile servers, files and input against the built binary (issue 11):
//! each test names the item it covers.

mod common;
use common::{run, Run};
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::json;
use std::os::unix::fs::FileTypeExt;
use std::path::Path;

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
