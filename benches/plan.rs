//! Planning speed: a query operation, a body-ids operation and a
//! path-parameter operation. Target: under a microsecond each.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use falcon_harness::{catalog, router, PlanOptions};
use serde_json::json;

fn bench(c: &mut Criterion) {
    let opts = PlanOptions::default();
    let cases = [
        (
            "QueryIncidents",
            json!({"filter": "status:20+state:'open'", "limit": 100, "sort": "start.desc"}),
        ),
        (
            "GetIncidents",
            json!({"ids": ["inc:0123456789abcdef:1", "inc:0123456789abcdef:2", "inc:0123456789abcdef:3"]}),
        ),
        (
            "GetSearchStatusV1",
            json!({"repository": "search-all", "id": "P1-a/b c"}),
        ),
    ];
    for (id, args) in cases {
        let op = catalog::operation(id).unwrap();
        router::plan(op, &args, &opts).expect(id);
        c.bench_function(&format!("plan {id}"), |b| {
            b.iter(|| router::plan(black_box(op), black_box(&args), &opts))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
