//! `falcon-harness fake`: a script's flow against the built binary —
//! start the fake from fixtures, call it with `falcon-harness OP ARGS`
//! and FALCON_BASE_URL (directly and from a shell script), read the
//! request log, stop it with SIGTERM or SIGINT.

mod support;

use serde_json::json;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

/// A running `falcon-harness fake`, killed if the test fails.
struct Fake {
    child: Child,
    url: String,
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(fixtures: &std::path::Path) -> Fake {
    let mut child = Command::new(env!("CARGO_BIN_EXE_falcon-harness"))
        .args(["fake", "--port", "0", "--fixtures"])
        .arg(fixtures)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn falcon-harness fake");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = rx
        .recv_timeout(LIMIT)
        .expect("the fake names its address on stderr");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    Fake { child, url }
}

/// Waits (at most a minute) for `child` to exit and returns its exit
/// code and stdout (small: it fits the pipe, so the child never blocked).
fn finish(child: &mut Child) -> (Option<i32>, String) {
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(started.elapsed() < LIMIT, "the process did not stop");
        std::thread::sleep(Duration::from_millis(10));
    };
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    (status.code(), out)
}

/// Sends `signal` (`TERM`, `INT`) and returns the exit code and stdout.
fn stop(mut fake: Fake, signal: &str) -> (Option<i32>, String) {
    let pid = fake.child.id().to_string();
    let killed = Command::new("kill")
        .args([&format!("-{signal}"), &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    finish(&mut fake.child)
}

#[test]
fn scripts_call_the_fake_by_operation_id() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("QueryIncidents.json"),
        r#"{"resources": ["inc:1", "inc:2"], "meta": {}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("GetIncidents.jsonl"),
        "{\"args\": {\"ids\": [\"inc:1\"]}, \"body\": {\"resources\": [{\"incident_id\": \"inc:1\"}]}}\n\
         {\"status\": 404, \"body\": {\"errors\": [{\"code\": 404, \"message\": \"not found\"}]}}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("GetSampleV3.json"),
        r#"{"status": 200, "body_base64": "AAFiaW5hcnk="}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
    let fake = start(dir.path());
    let env = [
        ("FALCON_BASE_URL", fake.url.as_str()),
        ("FALCON_CLIENT_ID", "script-id"),
        ("FALCON_CLIENT_SECRET", "script-secret"),
    ];
    let r = support::run(
        &[
            "QueryIncidents",
            r#"{"filter": "status:20", "limit": 2}"#,
            "--body",
        ],
        b"",
        &env,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["resources"], json!(["inc:1", "inc:2"]));
    let r = support::run(
        &["GetIncidents", r#"{"ids": "inc:1"}"#, "--body"],
        b"",
        &env,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["resources"][0]["incident_id"], "inc:1");
    let r = support::run(&["GetIncidents", r#"{"ids": ["inc:9"]}"#], b"", &env);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let r = support::run(&["GetDeviceDetailsV2", r#"{"ids": ["d"]}"#], b"", &env);
    assert_eq!(r.code, 1);
    let sample = dir.path().join("sample.bin");
    let r = support::run(
        &[
            "GetSampleV3",
            r#"{"ids": "sha"}"#,
            "-o",
            sample.to_str().unwrap(),
        ],
        b"",
        &env,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read(&sample).unwrap(), b"\x00\x01binary");

    let (code, log) = stop(fake, "TERM");
    assert_eq!(code, Some(0));
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let seen: Vec<_> = lines
        .iter()
        .map(|l| (l["op"].clone(), l["args"].clone(), l["status"].clone()))
        .collect();
    assert_eq!(
        seen,
        [
            (
                json!("QueryIncidents"),
                json!({"filter": "status:20", "limit": 2}),
                json!(200)
            ),
            (json!("GetIncidents"), json!({"ids": ["inc:1"]}), json!(200)),
            (json!("GetIncidents"), json!({"ids": ["inc:9"]}), json!(404)),
            (
                json!("GetDeviceDetailsV2"),
                json!({"ids": ["d"]}),
                json!(599)
            ),
            (json!("GetSampleV3"), json!({"ids": "sha"}), json!(200)),
        ]
    );
    let error = lines[3]["error"].as_str().unwrap();
    assert!(
        error.contains("no expectation for GetDeviceDetailsV2"),
        "{error}"
    );
}

#[test]
fn bad_fixtures_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("GetIncidents.jsonl"),
        "{\"args\": {\"ids\": [\"a\"]}}\n{\"args\": {\"idz\": [\"a\"]}}\n",
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let r = support::run(&["fake", "--fixtures", d], b"", &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("GetIncidents.jsonl:2: GetIncidents: argument \"idz\""),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("did you mean \"ids\""), "{}", r.stderr);

    std::fs::remove_file(dir.path().join("GetIncidents.jsonl")).unwrap();
    std::fs::write(dir.path().join("QueryIncident.json"), "{}").unwrap();
    let r = support::run(&["fake", "--fixtures", d], b"", &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("QueryIncident.json: "), "{}", r.stderr);
    assert!(r.stderr.contains("QueryIncidents"), "{}", r.stderr);

    let r = support::run(&["fake", "--port", "x"], b"", &[]);
    assert_eq!(r.code, 2);
}

/// The README's shell flow: a script that only knows `FALCON_BASE_URL`
/// and the credentials calls the fake; SIGINT stops it cleanly and its
/// log holds the call decoded.
#[test]
fn a_shell_script_points_falcon_base_url_at_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("QueryIncidents.json"),
        r#"{"status": 200, "body": {"resources": ["inc:7"]}}"#,
    )
    .unwrap();
    let fake = start(dir.path());
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_falcon-harness"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut script = Command::new("sh")
        .args([
            "-c",
            r#"set -e; ids=$(falcon-harness QueryIncidents '{"limit": 5}' --body); echo "got $ids""#,
        ])
        .env("PATH", path)
        .env("FALCON_BASE_URL", &fake.url)
        .env("FALCON_CLIENT_ID", "test")
        .env("FALCON_CLIENT_SECRET", "test")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn sh");
    let (code, out) = finish(&mut script);
    assert_eq!(code, Some(0), "{out}");
    let got: serde_json::Value =
        serde_json::from_str(out.trim().strip_prefix("got ").unwrap()).unwrap();
    assert_eq!(got["resources"], json!(["inc:7"]));

    let (code, log) = stop(fake, "INT");
    assert_eq!(code, Some(0));
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{log}");
    assert_eq!(
        (&lines[0]["op"], &lines[0]["args"], &lines[0]["status"]),
        (&json!("QueryIncidents"), &json!({"limit": 5}), &json!(200))
    );
    assert!(lines[0].get("error").is_none(), "{log}");
}
