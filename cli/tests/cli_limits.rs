//! Hostile servers against the built binary (issue 11 items 1, 2, 6, 8):
//! a gzip bomb (peak memory measured), a server that never answers, a
//! port where nothing listens, a token endpoint that redirects, and what
//! `-vv` logs of each attempt.

#[path = "../../tests/support/bomb.rs"]
mod bomb;
mod support;

use mockito::Server;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::falcon::{call_at, env, token, SECRET};
use support::run;

const MIB: u64 = 1 << 20;

/// The peak resident memory (VmHWM) of a live process, in bytes.
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc status");
    kib * 1024
}

/// Runs one `--batch` line and measures the binary's peak memory once
/// the line's answer is out: stdin stays open, so the process is still
/// there (waiting for the next line) when its status is read.
fn batch_line_peak(url: &str, extra: &[&str], line: &str) -> (Value, u64, i32) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_falcon-harness"));
    cmd.arg("--batch")
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, _) in std::env::vars() {
        if k.starts_with("FALCON_") {
            cmd.env_remove(k);
        }
    }
    for (k, v) in env(url) {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn falcon-harness");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(line.as_bytes()).unwrap();
    stdin.write_all(b"\n").unwrap();
    stdin.flush().unwrap();
    // A reader thread, so that a stuck child cannot hang the test.
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut first = String::new();
        let _ = BufReader::new(stdout).read_line(&mut first);
        let _ = tx.send(first);
    });
    let Ok(first) = rx.recv_timeout(Duration::from_secs(60)) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("no answer within a minute");
    };
    let peak = peak_rss(child.id());
    drop(stdin);
    let code = child.wait().unwrap().code().unwrap();
    let v = serde_json::from_str(&first).unwrap_or_else(|e| panic!("{e}: {first:?}"));
    (v, peak, code)
}

/// Item 2: a 1 MiB gzip reply that expands to 1 GiB stops at the limit
/// with a typed error, and the process's peak memory stays under the
/// limit plus a small constant (the same process answering a tiny reply
/// is the baseline of that constant).
#[test]
fn a_gzip_bomb_costs_at_most_the_limit() {
    let mut server = Server::new();
    token(&mut server);
    let bomb = bomb::gzip_zeros(1024);
    assert!(bomb.len() < 2 * MIB as usize);
    server
        .mock("GET", "/incidents/queries/incidents/v1")
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_header("content-encoding", "gzip")
        .with_body(bomb)
        .create();
    server
        .mock("GET", "/incidents/combined/crowdscores/v1")
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(r#"{"resources": []}"#)
        .create();
    let limit = 64 * MIB;
    let flag = ["--max-reply-bytes", &limit.to_string()].map(String::from);
    let flag: Vec<&str> = flag.iter().map(String::as_str).collect();
    let (small, baseline, code) =
        batch_line_peak(&server.url(), &flag, r#"{"id": 0, "op": "CrowdScore"}"#);
    assert_eq!(code, 0, "{small}");
    let (v, peak, code) =
        batch_line_peak(&server.url(), &flag, r#"{"id": 1, "op": "QueryIncidents"}"#);
    assert_eq!(v["error"]["kind"], "too_large", "{v}");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains(&limit.to_string()), "{message}");
    assert_eq!(code, 3);
    eprintln!(
        "gzip bomb (1 GiB): peak RSS {} MiB with a {} MiB limit; baseline {} MiB",
        peak / MIB,
        limit / MIB,
        baseline / MIB
    );
    // The constant: the baseline and 32 MiB for the allocator and the
    // HTTP client's buffers.
    assert!(
        peak < baseline + limit + 32 * MIB,
        "peak {peak} bytes, baseline {baseline}, limit {limit}"
    );
}

/// Item 6: `--timeout` bounds the whole command, retries included; the
/// error is a time-out (exit 3, kind "timeout") that says how many
/// attempts were made.
#[test]
fn timeout_bounds_the_whole_command() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let held: Vec<_> = listener.incoming().take(16).collect();
        std::thread::sleep(Duration::from_secs(60));
        drop(held);
    });
    let started = Instant::now();
    // The per-attempt limit is 120 s by default: the command's runs out
    // first.
    let r = call_at(&url, &["QueryIncidents", "--timeout", "2"], b"");
    let wall = started.elapsed();
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("timed out after 2s (the time limit of the whole request; "),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("1 attempt made"), "{}", r.stderr);
    eprintln!("never-answering server, --timeout 2: {wall:?}");
    assert!(wall < Duration::from_secs(30), "{wall:?}");
    // A batch line says "timeout".
    let env = env(&url);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = run(
        &["--batch", "--timeout", "1"],
        br#"{"id": 1, "op": "QueryIncidents"}"#,
        &env,
    );
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(r.json_lines()[0]["error"]["kind"], "timeout");
}

/// Item 8: nothing listening is said in words, with the address.
#[test]
fn transport_errors_say_what_happened() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let at = listener.local_addr().unwrap().to_string();
    drop(listener);
    let r = call_at(&format!("http://{at}"), &["QueryIncidents", "-vv"], b"");
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "oauth2/token: transport error: connection to {at} refused"
        )),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains(SECRET));
}

/// Item 8: `-vv` logs the method and URL of every attempt, with the
/// base URL's password hidden.
#[test]
fn verbose_logs_each_attempt() {
    let mut server = Server::new();
    token(&mut server);
    let failing = server
        .mock("GET", "/incidents/queries/incidents/v1")
        .match_query(mockito::Matcher::Any)
        .with_status(503)
        .expect_at_least(2)
        .create();
    let url = server.url().replace("http://", "http://user:hunter2@");
    let r = call_at(&url, &["QueryIncidents", r#"{"limit": 1}"#, "-vv"], b"");
    assert_eq!(r.code, 1, "{}", r.stderr);
    failing.assert();
    let sends: Vec<&str> = r.stderr.lines().filter(|l| l.contains("sending")).collect();
    let api = "/incidents/queries/incidents/v1?limit=1";
    assert!(
        sends
            .iter()
            .any(|l| l.contains("POST") && l.contains("/oauth2/token")),
        "{}",
        r.stderr
    );
    // A 503 to a GET is retried: one line per attempt.
    assert!(
        sends
            .iter()
            .filter(|l| l.contains("GET") && l.contains(api))
            .count()
            >= 2,
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("hunter2"), "{}", r.stderr);
    assert!(!r.stderr.contains(SECRET));
}

/// Item 1: a token endpoint redirecting elsewhere gets no secret; the
/// error names where it pointed.
#[test]
fn a_redirected_token_request_is_refused() {
    let mut origin = Server::new();
    let mut elsewhere = Server::new();
    let stolen = elsewhere
        .mock("POST", mockito::Matcher::Any)
        .expect(0)
        .create();
    origin
        .mock("POST", "/oauth2/token")
        .with_status(307)
        .with_header("location", &format!("{}/oauth2/token", elsewhere.url()))
        .create();
    let r = call_at(&origin.url(), &["QueryIncidents"], b"");
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains(&elsewhere.host_with_port()),
        "{}",
        r.stderr
    );
    stolen.assert();
}
