//! Fault injection: 5,000 commands through the canned local server while it
//! drops connections, stalls past the time-out, answers 500 and 429 storms,
//! truncates bodies and expires the token every 200 commands.
//!
//! Every command must end in a success or a typed error within its time
//! bound, nothing may panic, and each token expiry must cause exactly one
//! token request.

mod support;

use support::canned;

use falcon_harness::{catalog, Error, Harness, RetryPolicy};
use serde_json::json;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const COMMANDS: usize = 5_000;
const CONCURRENCY: usize = 64;
const TOKEN_LIFETIME: u64 = 200;
const TIMEOUT: Duration = Duration::from_millis(400);
const RETRIES: u32 = 4;
const BACKOFF_CAP: Duration = Duration::from_millis(20);
const RATE_LIMIT_CAP: Duration = Duration::from_millis(20);

#[derive(Debug, Default)]
struct Tally {
    ok_2xx: usize,
    api_error_status: usize,
    transport: usize,
    timeout: usize,
    decode: usize,
    slowest: Duration,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_commands_through_faults() {
    let faults = canned::Faults {
        drop_per_mille: 20,
        stall_per_mille: 8,
        stall: Duration::from_secs(2),
        error_500_per_mille: 40,
        rate_limit_per_mille: 40,
        truncate_per_mille: 20,
        token_lifetime_requests: TOKEN_LIFETIME,
    };
    let server = canned::start(0, 2, faults).expect("canned server");
    let h = Harness::builder()
        .client_credentials("fault-id", "fault-secret")
        .base_url(server.url())
        .attempt_timeout(TIMEOUT)
        .retry(
            RetryPolicy::default()
                .max_retries(RETRIES)
                .backoff(Duration::from_millis(1), BACKOFF_CAP)
                .max_rate_limit_wait(RATE_LIMIT_CAP),
        )
        .build()
        .expect("harness");
    let query = catalog::operation("QueryIncidents").unwrap();
    let get = catalog::operation("GetIncidents").unwrap();
    // A command makes at most RETRIES + 1 attempts plus one re-authenticated
    // retry per 401; each attempt is bounded by TIMEOUT and each wait by the
    // caps. Generous slack for a loaded 2-core machine.
    let bound = (TIMEOUT + BACKOFF_CAP + RATE_LIMIT_CAP) * (RETRIES + 3) + Duration::from_secs(2);

    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..CONCURRENCY {
        let h = h.clone();
        tasks.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            for i in (worker..COMMANDS).step_by(CONCURRENCY) {
                let t = Instant::now();
                // Alternate an idempotent GET and a POST (never retried on 5xx).
                let r = if i % 2 == 0 {
                    h.request(query)
                        .args(json!({"filter": "status:20", "limit": 2}))
                        .send()
                        .await
                } else {
                    h.request(get)
                        .args(json!({"ids": ["inc:1", "inc:2"]}))
                        .send()
                        .await
                };
                let took = t.elapsed();
                assert!(took < bound, "command {i} took {took:?}, bound {bound:?}");
                tally.slowest = tally.slowest.max(took);
                match r {
                    Ok(resp) if resp.is_success() => tally.ok_2xx += 1,
                    Ok(resp) => {
                        // 401: the token churned out again before the one
                        // re-authenticated retry (lifetime 200, 64 in flight).
                        assert!(
                            matches!(resp.status(), 401 | 429 | 500),
                            "command {i}: unexpected status {}",
                            resp.status()
                        );
                        tally.api_error_status += 1;
                    }
                    Err(e @ Error::Transport { .. }) => {
                        assert!(e.is_transport());
                        tally.transport += 1
                    }
                    Err(Error::Timeout { .. }) => tally.timeout += 1,
                    Err(Error::Decode { .. }) => tally.decode += 1,
                    Err(other) => panic!("command {i}: untyped or unexpected error: {other:?}"),
                }
            }
            tally
        }));
    }
    let mut total = Tally::default();
    for t in tasks {
        let t = tokio::time::timeout(Duration::from_secs(120), t)
            .await
            .expect("the run ends")
            .expect("no task panicked");
        total.ok_2xx += t.ok_2xx;
        total.api_error_status += t.api_error_status;
        total.transport += t.transport;
        total.timeout += t.timeout;
        total.decode += t.decode;
        total.slowest = total.slowest.max(t.slowest);
    }
    let stats = &server.stats;
    let tokens = stats.token_requests.load(Ordering::SeqCst);
    let expiries = stats.expiries.load(Ordering::SeqCst);
    let faults = stats.faults.load(Ordering::SeqCst);
    eprintln!(
        "faults: {COMMANDS} commands in {:?}: {total:?}; {} requests, {faults} faults injected, \
         {expiries} token expiries, {tokens} token requests",
        started.elapsed(),
        stats.requests.load(Ordering::SeqCst),
    );
    let ended =
        total.ok_2xx + total.api_error_status + total.transport + total.timeout + total.decode;
    assert_eq!(ended, COMMANDS, "every command ended");
    assert!(faults >= 500, "faults were injected: {faults}");
    assert!(expiries >= 10, "tokens expired: {expiries}");
    // Every token after the first answers exactly one expiry.
    assert_eq!(tokens, expiries + 1, "one token request per expiry");
    // GETs are retried through the faults; most commands succeed.
    assert!(total.ok_2xx > COMMANDS * 9 / 10, "{total:?}");
}
