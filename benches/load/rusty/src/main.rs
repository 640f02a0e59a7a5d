//! rusty_falcon 0.7.1 running the load loop: the typed SDK beside raw
//! reqwest and the harness in `benches/load/instructions.sh`.
//!
//! ```text
//! cargo run --release --manifest-path benches/load/rusty/Cargo.toml -- URL OP CONCURRENCY COMMANDS
//!   OP: QueryIncidents | GetIncidents (anything else is QueryIncidents)
//! ```
//! Prints one JSON line like the raw crate (op, concurrency, commands, ok,
//! req_s) and exits 0 when every command succeeded; otherwise it says how
//! many failed (and the first error) on stderr and exits 1.
//!
//! # What runs
//!
//! rusty_falcon's `FalconHandle` always talks to a Falcon cloud, so this
//! builds the `Configuration` it would build (`Configuration::default()`:
//! rusty_falcon's own client and user agent) with `base_path` set to `URL`,
//! fetches one token with `oauth2_api::oauth2_access_token` and stores it
//! as `FalconHandle::authenticate` does. Not timed. The timed loop is the
//! one of `benches/load/raw/src/raw_loop.rs` and `examples/load.rs`:
//! `COMMANDS` calls spread over `CONCURRENCY` tasks (each its share, the
//! remainder over the first tasks), each call one of rusty_falcon's
//! generated functions with the harness's arguments (`examples/load.rs`,
//! `args_for`):
//!
//! - QueryIncidents: `incidents_api::query_incidents` with filter
//!   `status:20` and limit 5;
//! - GetIncidents: `incidents_api::get_incidents` with the two ids of
//!   `IDS` (the caller's `MsaIdsRequest` cloned per call, as the function
//!   takes it by value).
//!
//! Each function sends the request, reads the reply and decodes it into
//! rusty_falcon's model (`meta`, `errors` and `resources`); it returns an
//! error for a 4xx or 5xx status or a reply its model rejects. A call
//! counts when it returned the decoded reply with at least one resource.

use rusty_falcon::apis::configuration::Configuration;
use rusty_falcon::apis::{incidents_api, oauth2_api};
use rusty_falcon::models::MsaIdsRequest;
use std::sync::Arc;
use std::time::Instant;

// `IDS`, the GetIncidents body of the raw loop (its macros are for the raw
// crate and `examples/load.rs`).
#[path = "../../raw/src/raw_loop.rs"]
#[allow(unused_macros)]
mod raw_loop;

/// One command through rusty_falcon (GetIncidents when `ids` is given,
/// else QueryIncidents): `Ok` when it returned a decoded reply with at
/// least one resource, else what went wrong.
async fn one(cfg: &Configuration, ids: Option<&MsaIdsRequest>) -> Result<(), String> {
    let resources = match ids {
        Some(ids) => incidents_api::get_incidents(cfg, ids.clone())
            .await
            .map(|r| r.resources.len())
            .map_err(|e| e.to_string())?,
        None => incidents_api::query_incidents(cfg, None, Some("status:20"), None, Some(5))
            .await
            .map(|r| r.resources.len())
            .map_err(|e| e.to_string())?,
    };
    if resources == 0 {
        return Err("no resources in the reply".into());
    }
    Ok(())
}

#[tokio::main]
async fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    if a.len() != 4 {
        eprintln!("usage: falcon-bench-rusty URL QueryIncidents|GetIncidents CONCURRENCY COMMANDS");
        std::process::exit(2);
    }
    let url = a[0].trim_end_matches('/');
    let op = a[1].as_str();
    let concurrency: usize = a[2].parse().unwrap_or(1).max(1);
    let commands: usize = a[3].parse().unwrap_or(1000);

    let mut cfg = Configuration {
        base_path: url.to_string(),
        ..Configuration::default()
    };
    let token = oauth2_api::oauth2_access_token(&cfg, "bench", "bench", None)
        .await
        .unwrap_or_else(|e| {
            eprintln!("falcon-bench-rusty: token: {e}");
            std::process::exit(1);
        });
    cfg.oauth_access_token = Some(token.access_token.unwrap_or_default());
    let ids: Option<Arc<MsaIdsRequest>> = (op == "GetIncidents")
        .then(|| Arc::new(serde_json::from_str(raw_loop::IDS).expect("IDS is an ids request")));
    let cfg = Arc::new(cfg);

    let start = Instant::now();
    let mut tasks = Vec::with_capacity(concurrency);
    for t in 0..concurrency {
        let share = commands / concurrency + usize::from(t < commands % concurrency);
        let (cfg, ids) = (cfg.clone(), ids.clone());
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut first_error) = (0usize, None);
            for _ in 0..share {
                match one(&cfg, ids.as_deref()).await {
                    Ok(()) => ok += 1,
                    Err(e) => first_error = first_error.or(Some(e)),
                }
            }
            (ok, first_error)
        }));
    }
    let (mut ok, mut first_error) = (0, None);
    for t in tasks {
        let (n, e) = t.await.unwrap_or((0, Some("task panicked".into())));
        ok += n;
        first_error = first_error.or(e);
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{{\"client\":\"rusty_falcon 0.7.1\",\"op\":\"{op}\",\"concurrency\":{concurrency},\"commands\":{commands},\"ok\":{ok},\"req_s\":{}}}",
        (commands as f64 / secs).round()
    );
    if ok != commands {
        eprintln!(
            "falcon-bench-rusty: {} of {commands} {op} commands failed; the first: {}",
            commands - ok,
            first_error.unwrap_or_default()
        );
        std::process::exit(1);
    }
}
