//! Runs the built `falcon-harness` binary with a time limit.
#![allow(dead_code)]

pub mod falcon;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// What a run of the binary produced.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Run {
    pub fn stdout_str(&self) -> &str {
        std::str::from_utf8(&self.stdout).expect("stdout is UTF-8")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}): {}\nstderr: {}",
                String::from_utf8_lossy(&self.stdout),
                self.stderr
            )
        })
    }

    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout_str()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }
}

const LIMIT: Duration = Duration::from_secs(60);

/// Runs the binary with `args`, `stdin` and extra environment (all
/// `FALCON_*` variables of the test process are removed first). Kills it
/// and panics when it runs longer than a minute.
pub fn run(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_falcon-harness"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    run_command(cmd, stdin)
}

/// Runs `cmd` (its `FALCON_*` environment inherited from the test
/// process removed, what `cmd` sets kept) with `stdin`, under the same
/// time limit as [`run`].
pub fn run_command(mut cmd: Command, stdin: &[u8]) -> Run {
    let set: Vec<std::ffi::OsString> = cmd.get_envs().map(|(k, _)| k.to_owned()).collect();
    for (k, _) in std::env::vars() {
        if k.starts_with("FALCON_") && !set.iter().any(|s| s == k.as_str()) {
            cmd.env_remove(k);
        }
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn falcon-harness");
    let mut input = child.stdin.take().unwrap();
    let stdin = stdin.to_vec();
    let writer = thread::spawn(move || {
        // The binary may exit without reading stdin; ignore broken pipes.
        let _ = input.write_all(&stdin);
    });
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_reader = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_reader = thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        String::from_utf8_lossy(&v).into_owned()
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} ran longer than {LIMIT:?}");
        }
        thread::sleep(Duration::from_millis(5));
    };
    writer.join().unwrap();
    Run {
        code: status.code().expect("exited normally"),
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    }
}
