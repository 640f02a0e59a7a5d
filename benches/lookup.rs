//! Lookup of operations by ID, by alias and by snake_case name.
//!
//! `cargo bench --bench lookup`

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use falcon_harness::catalog;

fn lookups(c: &mut Criterion) {
    let mut g = c.benchmark_group("lookup");
    g.bench_function("by_id/QueryIncidents", |b| {
        b.iter(|| catalog::resolve(black_box("QueryIncidents")).unwrap())
    });
    g.bench_function("exact_id/QueryIncidents", |b| {
        b.iter(|| catalog::operation(black_box("QueryIncidents")).unwrap())
    });
    g.bench_function("by_alias/RTR-ListSessions", |b| {
        b.iter(|| catalog::resolve(black_box("RTR-ListSessions")).unwrap())
    });
    g.bench_function("by_snake/query_incidents", |b| {
        b.iter(|| catalog::resolve(black_box("query_incidents")).unwrap())
    });
    g.bench_function("unknown_with_suggestions/QueryIncident", |b| {
        b.iter(|| catalog::resolve(black_box("QueryIncident")).unwrap_err())
    });
    g.finish();
}

criterion_group!(benches, lookups);
criterion_main!(benches);
