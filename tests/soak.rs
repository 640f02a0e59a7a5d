//! A fault soak against the canned local Falcon server: dropped
//! connections, stalls past the time-out, 500 and 429 replies, truncated
//! bodies and expiring tokens, under concurrency. Every idempotent command
//! must end in a success, with few token requests.

#[path = "support/canned.rs"]
mod canned;

use falcon_harness::{Harness, Host, Method, PlannedBody, RequestPlan, RetryPolicy};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const COMMANDS: usize = 1_000;
const CONCURRENCY: usize = 50;
const TOKEN_LIFETIME: u64 = 200;

fn query() -> RequestPlan {
    RequestPlan {
        operation: "QueryIncidents",
        method: Method::Get,
        host: Host::Api,
        path: "/incidents/queries/incidents/v1".into(),
        query: vec![("limit".into(), "2".into())],
        headers: vec![],
        body: PlannedBody::Empty,
        warnings: vec![],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotent_commands_survive_injected_faults() {
    let faults = canned::Faults {
        drop_per_mille: 20,
        stall_per_mille: 10,
        stall: Duration::from_secs(3),
        error_500_per_mille: 30,
        rate_limit_per_mille: 30,
        truncate_per_mille: 20,
        token_lifetime_requests: TOKEN_LIFETIME,
    };
    let server = canned::start(0, 2, faults).unwrap();
    let h = Harness::builder()
        .client_credentials("soak-id", "soak-secret")
        .base_url(server.url())
        .timeout(Duration::from_millis(500))
        .retry(
            RetryPolicy::default()
                .max_retries(6)
                .backoff(Duration::from_millis(1), Duration::from_millis(20))
                .max_rate_limit_wait(Duration::from_millis(20)),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..CONCURRENCY {
        let h = h.clone();
        tasks.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for _ in (worker..COMMANDS).step_by(CONCURRENCY) {
                let r = h.execute(query()).await;
                statuses.push(r.map(|r| r.status()).map_err(|e| e.to_string()));
            }
            statuses
        }));
    }
    let mut ok = 0;
    for t in tasks {
        for s in tokio::time::timeout(Duration::from_secs(120), t)
            .await
            .expect("the soak ends")
            .unwrap()
        {
            assert_eq!(s, Ok(200));
            ok += 1;
        }
    }
    let elapsed = started.elapsed();
    let stats = &server.stats;
    let requests = stats.requests.load(Ordering::Relaxed);
    let tokens = stats.token_requests.load(Ordering::Relaxed);
    let faults = stats.faults.load(Ordering::Relaxed);
    let expired = stats.expired_rejections.load(Ordering::Relaxed);
    eprintln!(
        "soak: {ok} commands in {elapsed:?}; {requests} requests, {faults} faults, \
         {expired} expired-token 401s, {tokens} token requests"
    );
    assert_eq!(ok, COMMANDS);
    assert!(faults > 50, "faults were injected: {faults}");
    // Each token serves TOKEN_LIFETIME commands; renewal is single flight.
    let commands_sent = requests - tokens;
    assert!(
        tokens <= commands_sent / TOKEN_LIFETIME + 2,
        "{tokens} token requests for {commands_sent} command requests"
    );
}
