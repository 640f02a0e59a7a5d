//! Load benchmark against a local server: raw reqwest sending one prepared
//! request in a loop (the client stack's physical limit) beside
//! `Harness::command`, at a given concurrency. Run by hand, through
//! `benches/load/run.sh`, not in CI.
//!
//! ```text
//! cargo run --release --example load -- URL MODE OP CONCURRENCY COMMANDS
//!   MODE: raw | harness | harness-json (the harness, and each reply's
//!         `resources()` read as JSON values) | harness-typed (the
//!         harness, and `resources_as` into typed structs: ids as
//!         `String`, incidents as `Incident` below)
//!   OP:   QueryIncidents | GetIncidents
//! ```
//! Prints one JSON line: mode, op, concurrency, commands, ok, seconds,
//! req_s, cpu_us_per_cmd (user + system CPU time of this process over the
//! timed loop, per command) and peak_rss_kb (VmHWM of this process).
//!
//! # A fair baseline
//!
//! The raw mode runs the loop of `benches/load/raw/src/raw_loop.rs`, the
//! file the raw reqwest 0.12 / 0.13 crate (`benches/load/raw`) runs too.
//! Its client is built with the harness's client settings (see
//! `transport::build_client`): rustls, the harness's `User-Agent`, gzip
//! (`Accept-Encoding` and a decoding layer), `TCP_NODELAY`, the 10 s
//! connect and 120 s per-request time-outs (a timer per request) and the
//! 90 s pool idle time-out. It sends the same request (same URL, headers
//! and body) built once and cloned per send, and reads the whole reply
//! without decoding it. The harness modes lend the same arguments to
//! every command (`.args(&args)`, no copy per command, as the raw loop
//! prepares its request once). Everything else the harness does per
//! command (planning the arguments, the token cache, building the request, retry
//! bookkeeping, logging, checking that the JSON reply is well-formed) is
//! the overhead the ratio measures. The harness decodes a JSON body only
//! when it is read; `harness-json` reads it (`resources()`), so its
//! figure adds building the `Value` tree a caller using the data pays for.

use falcon_harness::Harness;
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

// The raw loop, shared with `benches/load/raw` (reqwest 0.12 and 0.13).
#[path = "../benches/load/raw/src/raw_loop.rs"]
#[macro_use]
mod raw_loop;

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// User + system CPU time of this process so far, in microseconds
/// (`/proc/self/stat` fields 14 and 15, in clock ticks of 10 ms).
fn cpu_us() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The command name (field 2) may hold spaces; count from its ')'.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // After ')': state is index 0, so utime (field 14) is index 11.
    (ticks(11) + ticks(12)) * 10_000.0
}

/// The incident model a typed caller decodes `GetIncidents` into (the
/// fields of the canned reply).
#[derive(serde::Deserialize)]
#[allow(dead_code)] // read by nothing: decoding is what is measured
struct Incident {
    incident_id: String,
    cid: String,
    host_ids: Vec<String>,
    status: u32,
    state: String,
    tags: Vec<String>,
    fine_score: u32,
    created: String,
    start: String,
    end: String,
}

/// What the harness modes read of each reply.
#[derive(Clone, Copy)]
enum Read {
    Status,
    Values,
    Typed,
}

fn args_for(op: &str) -> serde_json::Value {
    match op {
        "GetIncidents" => serde_json::from_str(raw_loop::IDS).expect("IDS is JSON"),
        _ => json!({"filter": "status:20", "limit": 5}),
    }
}

/// Runs `commands` commands of `op` with `args` over `concurrency`
/// tasks, reading each reply as `read` says; returns how many succeeded.
/// Like the raw loop, each task takes its own handle to the harness and
/// the arguments once, not one per command.
async fn drive(
    harness: Harness,
    op: &'static falcon_harness::Operation,
    args: serde_json::Value,
    read: Read,
    concurrency: usize,
    commands: usize,
) -> usize {
    let args = Arc::new(args);
    let mut tasks = Vec::with_capacity(concurrency);
    for t in 0..concurrency {
        let share = commands / concurrency + usize::from(t < commands % concurrency);
        let (harness, args) = (harness.clone(), args.clone());
        tasks.push(tokio::spawn(async move {
            let mut ok = 0;
            for _ in 0..share {
                let good = match harness.request(op).args(&*args).send().await {
                    Ok(r) => r.is_success() && read.accepts(&r),
                    Err(_) => false,
                };
                ok += usize::from(good);
            }
            ok
        }));
    }
    let mut ok = 0;
    for t in tasks {
        ok += t.await.unwrap_or(0);
    }
    ok
}

impl Read {
    /// Reads what this mode reads of a successful reply; whether it held
    /// what the operation returns.
    fn accepts(self, r: &falcon_harness::Response) -> bool {
        match self {
            Read::Status => true,
            Read::Values => r.resources().is_some(),
            Read::Typed => match r.operation() {
                "GetIncidents" => r.resources_as::<Incident>().is_ok_and(|v| !v.is_empty()),
                _ => r.resources_as::<String>().is_ok_and(|v| !v.is_empty()),
            },
        }
    }
}

#[tokio::main]
async fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    if a.len() != 5 {
        eprintln!(
            "usage: load URL raw|harness|harness-json|harness-typed QueryIncidents|GetIncidents CONCURRENCY COMMANDS"
        );
        std::process::exit(2);
    }
    let (url, mode, op) = (
        a[0].trim_end_matches('/').to_string(),
        a[1].clone(),
        a[2].clone(),
    );
    let concurrency: usize = a[3].parse().unwrap_or(1).max(1);
    let commands: usize = a[4].parse().unwrap_or(1000);

    let start;
    let cpu_start;
    let ok = match mode.as_str() {
        "raw" => {
            // The same request the harness sends, prepared once, on a
            // client configured like the harness's (see the module docs).
            let (client, req) = raw_prepare!(reqwest, falcon_harness::USER_AGENT, &url, &op);
            start = Instant::now();
            cpu_start = cpu_us();
            raw_run!(client, req, concurrency, commands)
        }
        "harness" | "harness-json" | "harness-typed" => {
            // `harness-json` also reads each reply's `resources` (decoding
            // the body into a `Value`), as a caller using the data does;
            // `harness-typed` decodes them into typed structs instead.
            let read = match mode.as_str() {
                "harness-json" => Read::Values,
                "harness-typed" => Read::Typed,
                _ => Read::Status,
            };
            let harness = Harness::builder()
                .client_credentials("bench", "bench")
                .base_url(url.clone())
                .build()
                .expect("harness");
            harness.authenticate().await.expect("token");
            let op_ref = falcon_harness::catalog::resolve(&op)
                .expect("operation")
                .operation;
            let args = args_for(&op);
            start = Instant::now();
            cpu_start = cpu_us();
            drive(harness, op_ref, args, read, concurrency, commands).await
        }
        other => {
            eprintln!("unknown mode {other:?}");
            std::process::exit(2);
        }
    };
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_us() - cpu_start;
    println!(
        "{}",
        json!({
            "mode": mode, "op": op, "concurrency": concurrency, "commands": commands, "ok": ok,
            "seconds": (secs * 1000.0).round() / 1000.0,
            "req_s": (commands as f64 / secs).round(),
            "cpu_us_per_cmd": (cpu / commands as f64 * 100.0).round() / 100.0,
            "peak_rss_kb": peak_rss_kb(),
        })
    );
}
