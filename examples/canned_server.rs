//! A local Falcon look-alike for load benchmarks (wrk, the Python SDK, the
//! harness): `cargo run --release --example canned_server -- [PORT] [WORKERS]`.
//! Prints `listening on http://127.0.0.1:PORT` and serves until killed.

#[path = "../tests/support/mod.rs"]
mod support;

use support::canned;

fn main() {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let workers: usize = args.next().and_then(|w| w.parse().ok()).unwrap_or(1);
    let server = match canned::start(port, workers, canned::Faults::default()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("canned_server: cannot listen: {e}");
            std::process::exit(1);
        }
    };
    println!("listening on {}", server.url());
    loop {
        std::thread::park();
    }
}
