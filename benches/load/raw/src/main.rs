//! Raw reqwest, one prepared request cloned per send, on reqwest 0.12 or
//! 0.13: the baseline of `benches/load/instructions.sh`. The loop is
//! `src/raw_loop.rs`, which the `raw` mode of `examples/load.rs` runs too
//! (client settings of the harness: rustls, its user agent, gzip,
//! `TCP_NODELAY`, time-outs, pool).
//!
//! ```text
//! cargo run --release --manifest-path benches/load/raw/Cargo.toml -- URL 0.12|0.13 OP CONCURRENCY COMMANDS
//! ```
//! Prints one JSON line like `load`: version, op, commands, ok, req_s.

use std::time::Instant;

#[macro_use]
mod raw_loop;

/// The harness's `User-Agent` (`falcon_harness::USER_AGENT`, which this
/// crate does not depend on).
const USER_AGENT: &str = "falcon-harness/0.1.0";

/// The loop for one reqwest crate: `(ok, seconds)`.
macro_rules! timed {
    ($reqwest:ident, $url:expr, $op:expr, $concurrency:expr, $commands:expr) => {{
        let (client, req) = raw_prepare!($reqwest, USER_AGENT, $url, $op);
        let start = Instant::now();
        let ok = raw_run!(client, req, $concurrency, $commands);
        (ok, start.elapsed().as_secs_f64())
    }};
}

#[tokio::main]
async fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    if a.len() != 5 {
        eprintln!("usage: raw URL 0.12|0.13 QueryIncidents|GetIncidents CONCURRENCY COMMANDS");
        std::process::exit(2);
    }
    let url = a[0].trim_end_matches('/');
    let concurrency: usize = a[3].parse().unwrap_or(1).max(1);
    let commands: usize = a[4].parse().unwrap_or(1000);
    let (ok, secs) = match a[1].as_str() {
        "0.12" => timed!(reqwest012, url, &a[2], concurrency, commands),
        "0.13" => {
            // 0.13 without its default provider: ring, as 0.12 uses.
            let _ = rustls::crypto::ring::default_provider().install_default();
            timed!(reqwest013, url, &a[2], concurrency, commands)
        }
        other => {
            eprintln!("unknown reqwest version {other:?}");
            std::process::exit(2);
        }
    };
    println!(
        "{{\"version\":\"{}\",\"op\":\"{}\",\"concurrency\":{concurrency},\"commands\":{commands},\"ok\":{ok},\"req_s\":{}}}",
        a[1],
        a[2],
        (commands as f64 / secs).round()
    );
}
