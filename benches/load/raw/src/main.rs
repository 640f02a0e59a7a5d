//! Raw reqwest, one prepared request cloned per send, on reqwest 0.12 or
//! 0.13: the baseline of `benches/load/instructions.sh`. The same loop
//! as the `raw` mode of `examples/load.rs` (client settings of the
//! harness: rustls, its user agent, gzip, `TCP_NODELAY`, time-outs, pool).
//!
//! ```text
//! cargo run --release --manifest-path benches/load/raw/Cargo.toml -- URL 0.12|0.13 OP CONCURRENCY COMMANDS
//! ```
//! Prints one JSON line like `load`: version, op, commands, ok, req_s.

use std::sync::Arc;
use std::time::{Duration, Instant};

const USER_AGENT: &str = "falcon-harness/0.1.0";
const IDS: &str = r#"{"ids":["inc:0123456789abcdef0123456789abcdef:00000000000000000000000000000001","inc:0123456789abcdef0123456789abcdef:00000000000000000000000000000002"]}"#;

/// The loop for one reqwest crate (the two versions share the API used).
macro_rules! raw_loop {
    ($reqwest:ident, $url:expr, $op:expr, $concurrency:expr, $commands:expr) => {{
        use $reqwest as reqwest;
        let (url, op, concurrency, commands): (&str, &str, usize, usize) =
            ($url, $op, $concurrency, $commands);
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .user_agent(USER_AGENT)
            .gzip(true)
            .tcp_nodelay(true)
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .pool_idle_timeout(Duration::from_secs(90))
            .build()
            .expect("client");
        let token: serde_json::Value = client
            .post(format!("{url}/oauth2/token"))
            .form(&[("client_id", "bench"), ("client_secret", "bench")])
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .expect("token")
            .json()
            .await
            .expect("token JSON");
        let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap_or(""));
        let req = if op == "GetIncidents" {
            client
                .post(format!("{url}/incidents/entities/incidents/GET/v1"))
                .header("authorization", bearer)
                .header("content-type", "application/json")
                .body(IDS)
                .build()
        } else {
            client
                .get(format!(
                    "{url}/incidents/queries/incidents/v1?filter=status%3A20&limit=5"
                ))
                .header("authorization", bearer)
                .build()
        }
        .expect("request");
        let req = Arc::new(req);
        let start = Instant::now();
        let mut tasks = Vec::with_capacity(concurrency);
        for t in 0..concurrency {
            let share = commands / concurrency + usize::from(t < commands % concurrency);
            let (client, req) = (client.clone(), req.clone());
            tasks.push(tokio::spawn(async move {
                let mut ok = 0usize;
                for _ in 0..share {
                    let r = req.try_clone().expect("clonable request");
                    if let Ok(resp) = client.execute(r).await {
                        let good = resp.status().is_success();
                        ok += usize::from(resp.bytes().await.is_ok() && good);
                    }
                }
                ok
            }));
        }
        let mut ok = 0;
        for t in tasks {
            ok += t.await.unwrap_or(0);
        }
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
        "0.12" => raw_loop!(reqwest012, url, &a[2], concurrency, commands),
        "0.13" => {
            // 0.13 without its default provider: ring, as 0.12 uses.
            let _ = rustls::crypto::ring::default_provider().install_default();
            raw_loop!(reqwest013, url, &a[2], concurrency, commands)
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
