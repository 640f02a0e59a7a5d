//! Runtime speed against the canned local server (127.0.0.1, no faults):
//! one `command` round trip (plan, cached token, pooled connection,
//! decode), and 256 commands at concurrency 32 through one shared harness.

#[path = "../tests/support/mod.rs"]
mod support;

use support::canned;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use falcon_harness::{catalog, Harness};
use serde_json::json;

fn bench(c: &mut Criterion) {
    let server = canned::start(0, 2, canned::Faults::default()).expect("canned server");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let h = Harness::builder()
        .client_credentials("bench-id", "bench-secret")
        .base_url(server.url())
        .build()
        .expect("harness");
    let op = catalog::operation("QueryIncidents").expect("op");
    let args = json!({"filter": "status:20", "limit": 2});
    rt.block_on(h.request(op).args(&args).send())
        .expect("warm up");

    c.bench_function("command QueryIncidents (round trip)", |b| {
        b.iter(|| {
            rt.block_on(h.request(op).args(&args).send())
                .expect("reply")
        })
    });

    let mut g = c.benchmark_group("concurrent");
    g.throughput(Throughput::Elements(256));
    g.bench_function("256 commands, 32 in flight", |b| {
        b.iter(|| {
            rt.block_on(async {
                let tasks: Vec<_> = (0..32)
                    .map(|_| {
                        let h = h.clone();
                        let args = args.clone();
                        tokio::spawn(async move {
                            for _ in 0..8 {
                                h.request(op).args(&args).send().await.expect("reply");
                            }
                        })
                    })
                    .collect();
                for t in tasks {
                    t.await.expect("task");
                }
            })
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
