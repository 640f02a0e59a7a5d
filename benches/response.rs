//! A 1 MB JSON reply: checking it on arrival (classification by content
//! type, well-formedness), decoding it on first use, and the
//! Python-SDK-shaped view.
//!
//! `cargo bench --bench response`

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use falcon_harness::Response;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::json;

/// About 1 MB of incident entities, shaped like a GetIncidents reply.
fn one_megabyte() -> bytes::Bytes {
    let mut resources = Vec::new();
    let mut i = 0u64;
    loop {
        resources.push(json!({
            "incident_id": format!("inc:0123456789abcdef0123456789abcdef:{i:032x}"),
            "cid": "0123456789abcdef0123456789abcdef",
            "host_ids": [format!("{:032x}", i * 7919)],
            "status": 20, "state": "open", "fine_score": 38 + (i % 60),
            "tags": ["bench", "canned"],
            "start": "2026-11-20T10:00:00Z", "end": "2026-11-20T10:05:00Z",
            "objectives": ["Falcon Detection Method", "Keep Access"],
            "users": [format!("user{i}@example.invalid")],
        }));
        i += 1;
        if i % 64 == 0 && serde_json::to_vec(&resources).unwrap().len() >= 1 << 20 {
            break;
        }
    }
    let body = json!({"meta": {"query_time": 0.01, "powered_by": "incident-api", "trace_id": "t"}, "resources": resources, "errors": []});
    serde_json::to_vec(&body).unwrap().into()
}

fn parse(c: &mut Criterion) {
    let raw = one_megabyte();
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    let mut g = c.benchmark_group("response");
    g.throughput(Throughput::Bytes(raw.len() as u64));
    // On arrival: classification and the well-formedness check.
    g.bench_function("check 1 MB JSON on arrival", |b| {
        b.iter(|| {
            Response::from_parts("GetIncidents", 200, headers.clone(), black_box(raw.clone()))
                .unwrap()
        })
    });
    // Arrival and the first use of the body: the decoded `Value` tree.
    g.bench_function("check and decode 1 MB JSON", |b| {
        b.iter(|| {
            let r =
                Response::from_parts("GetIncidents", 200, headers.clone(), black_box(raw.clone()))
                    .unwrap();
            r.json().map(|v| v.as_object().map(|o| o.len()))
        })
    });
    let r = Response::from_parts("GetIncidents", 200, headers.clone(), raw.clone()).unwrap();
    r.json();
    g.bench_function("uber view of 1 MB", |b| b.iter(|| black_box(&r).to_uber()));
    g.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
