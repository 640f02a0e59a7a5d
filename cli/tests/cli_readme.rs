//! The README's shell examples, run as a reader would run them: the
//! set-up command (with the built binary for `cargo run ...`), then every
//! `sh` block of the "Command line" section in one bash session, in order, with
//! `falcon-harness` on PATH, a local mock API as `FALCON_BASE_URL` and a
//! scratch HOME and working directory. A command that fails fails the
//! test unless the README itself handles the failure (`|| echo "exit $?"`).
//! The outputs the README shows (the dry run's plan, the batch error line)
//! are compared with what the commands print, and the exit-code idiom is
//! run against an error reply. The examples pipe to `jq`: without it on
//! PATH the tests that run them print a notice and stop.

mod support;
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use support::{run_command, Run};

const README: &str = include_str!("../../README.md");
const PDF: &[u8] = b"%PDF-1.4 not really a PDF \x00\x01\xff";

/// A fenced block of the README: the `##` section and the `##`/`###`
/// heading it is under, its language and its text.
struct Block {
    section: String,
    heading: String,
    lang: String,
    text: String,
}

fn blocks() -> Vec<Block> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut heading = String::new();
    let mut open: Option<Block> = None;
    for line in README.lines() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(lang)) => {
                open = Some(Block {
                    section: section.clone(),
                    heading: heading.clone(),
                    lang: lang.to_string(),
                    text: String::new(),
                })
            }
            (Some(_), Some("")) => out.push(open.take().unwrap()),
            (Some(b), _) => {
                b.text.push_str(line);
                b.text.push('\n');
            }
            (None, None) if line.starts_with("## ") || line.starts_with("### ") => {
                heading = line.trim_start_matches('#').trim().to_string();
                if line.starts_with("## ") {
                    section = heading.clone();
                }
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "an unclosed code block in the README");
    out
}

/// The `sh` blocks of the "Command line" section.
fn command_line_blocks() -> Vec<Block> {
    let blocks: Vec<Block> = blocks()
        .into_iter()
        .filter(|b| b.section == "Command line" && b.lang == "sh")
        .collect();
    assert!(blocks.len() > 5, "the Command line section's examples");
    blocks
}

/// A scratch directory with `bin/falcon-harness` (the built binary) and
/// `home/`.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("bin")).unwrap();
    std::fs::create_dir(dir.path().join("home")).unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_falcon-harness"),
        dir.path().join("bin/falcon-harness"),
    )
    .unwrap();
    dir
}

/// Runs `script` in bash in `dir` with the binary on PATH and the mock
/// API (when given) as the base URL. Failing commands are reported on
/// stderr as "README command failed" and make the exit code 1.
fn bash(dir: &Path, server: Option<&ServerGuard>, script: &str) -> Run {
    let program = format!(
        "set -o pipefail\n\
         failed=0\n\
         trap 'echo \"README command failed ($?): $BASH_COMMAND\" >&2; failed=1' ERR\n\
         {script}\n\
         exit $failed\n"
    );
    let path = format!(
        "{}:{}",
        dir.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.arg("--norc")
        .arg("--noprofile")
        .arg("-c")
        .arg(program)
        .current_dir(dir)
        .env("PATH", path)
        .env("HOME", dir.join("home"))
        .env("FALCON_CLIENT_ID", "cid")
        .env("FALCON_CLIENT_SECRET", "secret");
    if let Some(server) = server {
        cmd.env("FALCON_BASE_URL", server.url());
    }
    run_command(cmd, b"")
}

/// Whether `jq` runs; a notice when not.
fn have_jq(what: &str) -> bool {
    let ok = Command::new("jq")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("notice: jq is not on PATH; {what} skipped");
    }
    ok
}

fn json_mock(
    server: &mut ServerGuard,
    method: &str,
    path: &str,
    status: usize,
    body: Value,
) -> Mock {
    server
        .mock(method, path)
        .match_query(Matcher::Any)
        .with_status(status)
        .with_header("content-type", "application/json")
        .with_body(body.to_string())
        .create()
}

/// The mock API the examples call: hosts, host details, a case
/// attachment to download and to upload.
fn falcon(server: &mut ServerGuard) -> Vec<Mock> {
    let hosts = json!({
        "meta": {"pagination": {"offset": 0, "limit": 5, "total": 2}},
        "resources": ["h1", "h2"],
        "errors": []
    });
    vec![
        json_mock(
            server,
            "POST",
            "/oauth2/token",
            201,
            json!({"access_token": "tok", "expires_in": 1799, "token_type": "bearer"}),
        ),
        json_mock(server, "GET", "/devices/queries/devices/v1", 200, hosts),
        json_mock(
            server,
            "GET",
            "/devices/entities/devices/v2",
            200,
            json!({"resources": [{"device_id": "h1"}], "errors": []}),
        ),
        server
            .mock("GET", "/message-center/entities/case-attachment/v1")
            .match_query(Matcher::Any)
            .with_header("content-type", "application/octet-stream")
            .with_body(PDF)
            .create(),
        // the upload sends the file the download wrote
        server
            .mock("POST", "/message-center/entities/case-attachment/v1")
            .match_body(Matcher::Regex("not really a PDF".into()))
            .with_header("content-type", "application/json")
            .with_body(json!({"resources": [{"id": "att1"}], "errors": []}).to_string())
            .expect(1)
            .create(),
    ]
}

#[test]
fn the_set_up_command_runs_from_the_repo_root() {
    let all = blocks();
    let set_up: Vec<&Block> = all
        .iter()
        .filter(|b| b.heading == "Set up" && b.lang == "sh")
        .collect();
    let main_job = set_up
        .iter()
        .find(|b| b.text.contains("cargo run"))
        .expect("the main job's command");
    let script = main_job.text.replace(
        "cargo run --release --bin falcon-harness --",
        "falcon-harness",
    );
    let dir = scratch();
    let r = bash(dir.path(), None, &script);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let plan = r.json();
    assert_eq!(plan["operation"], "QueryDevicesByFilter");
    assert_eq!(plan["method"], "GET");
    // the headline operation is not deprecated: no note
    assert_eq!(r.stderr, "");
    assert!(
        set_up.iter().any(|b| b.text.trim() == "cargo test"),
        "the README's test command"
    );
}

#[test]
fn every_command_line_example_runs() {
    if !have_jq("the README's command-line examples") {
        return;
    }
    let mut server = Server::new();
    let mocks = falcon(&mut server);
    let dir = scratch();
    let script: Vec<String> = command_line_blocks()
        .into_iter()
        .map(|b| format!("# --- {}\n{}", b.heading, b.text))
        .collect();
    // zsh's $fpath (1-based) for the zsh completion line
    let prelude = "fpath=(\"\" \"$HOME/zfunc\"); mkdir -p \"$HOME/zfunc\"\n";
    let r = bash(
        dir.path(),
        Some(&server),
        &format!("{prelude}{}", script.join("\n")),
    );
    assert_eq!(
        r.code,
        0,
        "stderr:\n{}\nstdout:\n{}",
        r.stderr,
        r.stdout_str()
    );
    mocks.last().unwrap().assert();
    let d = dir.path();
    let read = |p: &str| std::fs::read(d.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));

    // --output and > both write the attachment's bytes
    assert_eq!(read("report.pdf"), PDF);
    // --all: one array of every resource
    let ids: Value = serde_json::from_slice(&read("host_ids.json")).unwrap();
    assert_eq!(ids, json!(["h1", "h2"]));
    // the batch: one line per input line; line c as the README shows it
    let results = String::from_utf8(read("results.jsonl")).unwrap();
    let lines: Vec<&str> = results.lines().collect();
    assert_eq!(lines.len(), 3, "{results}");
    assert!(README.contains(lines[2]), "README lacks {}", lines[2]);
    assert_eq!(
        r.stdout_str().matches("exit 2\n").count(),
        2,
        "both batches exit 2 for line c: {}",
        r.stdout_str()
    );
    let plans = String::from_utf8(read("plans.jsonl")).unwrap();
    assert_eq!(plans.lines().count(), 3, "{plans}");
    // completion scripts where the README puts them
    for p in [
        "home/.local/share/bash-completion/completions/falcon-harness",
        "home/.config/fish/completions/falcon-harness.fish",
        "home/zfunc/_falcon-harness",
    ] {
        assert!(read(p).len() > 1000, "{p}");
    }
}

#[test]
fn the_dry_run_prints_the_plan_the_readme_shows() {
    let all = blocks();
    let at = all
        .iter()
        .position(|b| b.heading == "Dry run" && b.lang == "sh")
        .expect("a Dry run example");
    let shown: Value = serde_json::from_str(&all[at + 1].text).expect("the plan shown is JSON");
    let dir = scratch();
    let r = bash(dir.path(), None, &all[at].text);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json(), shown);
}

#[test]
fn the_exit_code_idiom_reports_the_code() {
    if !have_jq("the README's exit-code example") {
        return;
    }
    let idiom = command_line_blocks()
        .into_iter()
        .find(|b| b.text.contains("failed with exit"))
        .expect("the exit-code example");
    let dir = scratch();

    let mut failing = Server::new();
    json_mock(
        &mut failing,
        "POST",
        "/oauth2/token",
        201,
        json!({"access_token": "tok", "expires_in": 1799}),
    );
    json_mock(
        &mut failing,
        "GET",
        "/devices/queries/devices/v1",
        500,
        json!({"errors": [{"code": 500, "message": "down"}]}),
    );
    let r = bash(dir.path(), Some(&failing), &idiom.text);
    assert!(r.stderr.contains("failed with exit 1\n"), "{}", r.stderr);

    let mut server = Server::new();
    let _mocks = falcon(&mut server);
    let r = bash(dir.path(), Some(&server), &idiom.text);
    assert_eq!((r.code, r.stdout_str()), (0, "h1\nh2\n"), "{}", r.stderr);
}
