//! Time-bounded fuzzing of the planner and of response parsing, with
//! proptest's generators driven until a deadline instead of a case count.
//!
//! `FALCON_FUZZ_SECONDS` sets the time per target (default 5; CI uses 30;
//! run longer by hand: `FALCON_FUZZ_SECONDS=600 cargo test --release --test fuzz`).
//! `FALCON_FUZZ_SEED` replays a run; each run prints its seed, and a failure
//! prints the input that caused it.

mod support;

use support::arb;

use falcon_harness::{catalog, paginate, router, Error, PlanOptions, Response, ResponseBody};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

fn budget() -> Duration {
    let secs = std::env::var("FALCON_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(5);
    Duration::from_secs(secs)
}

fn runner(target: &str) -> TestRunner {
    let seed: u64 = std::env::var("FALCON_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1)
        });
    eprintln!("fuzz {target}: seed {seed} (FALCON_FUZZ_SEED={seed} replays it)");
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &bytes),
    )
}

/// Draws inputs from `strategy` until the budget is spent, checking each.
fn fuzz<S: Strategy>(target: &str, strategy: S, check: impl Fn(&S::Value) -> Result<(), String>)
where
    S::Value: std::fmt::Debug,
{
    let mut runner = runner(target);
    let deadline = Instant::now() + budget();
    let mut cases = 0u64;
    while Instant::now() < deadline {
        let input = strategy.new_tree(&mut runner).expect("generate").current();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&input)));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(why)) => panic!("fuzz {target}: {why}\ninput: {input:?}"),
            Err(_) => panic!("fuzz {target}: panicked on input: {input:?}"),
        }
        cases += 1;
    }
    eprintln!("fuzz {target}: {cases} cases in {:?}", budget());
    assert!(cases > 0);
}

#[test]
fn fuzz_planner() {
    let strategy = (arb::op_and_args(), any::<bool>());
    fuzz("planner", strategy, |((i, args), lenient)| {
        let op = catalog::operations().nth(*i).ok_or("operation index")?;
        match router::plan(op, args, &PlanOptions { lenient: *lenient }) {
            Ok(plan) => {
                if !plan.path.starts_with('/') {
                    return Err(format!("path {:?}", plan.path));
                }
                let url = format!("https://api.example{}", plan.path_and_query());
                let parsed = url::Url::parse(&url).map_err(|e| format!("{url}: {e}"))?;
                if parsed.host_str() != Some("api.example") {
                    return Err(format!("left the host: {url}"));
                }
                for (name, value) in &plan.headers {
                    if !arb::http_token(name) || value.bytes().any(|b| b == b'\r' || b == b'\n') {
                        return Err(format!("bad header {name:?}: {value:?}"));
                    }
                }
                let _ = plan.to_json("https://api.example");
                Ok(())
            }
            // An `override` key makes it a manual request: errors about
            // the route text name "override", the others the route
            // ("GET /x").
            Err(Error::Argument(a))
                if a.operation == op.id()
                    || a.operation == "override"
                    || a.operation
                        .split_once(" /")
                        .is_some_and(|(m, _)| falcon_harness::Method::parse(m).is_some()) =>
            {
                Ok(())
            }
            Err(e) => Err(format!("not an argument error naming {}: {e:?}", op.id())),
        }
    });
}

fn arb_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        // Arbitrary bytes.
        prop::collection::vec(any::<u8>(), 0..256),
        // Valid JSON, sometimes shaped like a Falcon reply.
        arb::arb_json().prop_map(|v| v.to_string().into_bytes()),
        (arb::arb_json(), arb::arb_json(), any::<u64>(), any::<u64>(), ".{0,8}").prop_map(
            |(res, err, offset, total, after)| json!({
                "meta": {"pagination": {"offset": offset % 20_000, "limit": 100, "total": total % 50_000, "after": after}},
                "resources": res, "errors": err
            })
            .to_string()
            .into_bytes()
        ),
        // Well-formed texts a JSON value cannot hold, and near misses.
        (
            prop::sample::select(vec![
                r#"{"n":1e400}"#, r#"[-1e309]"#, r#"1e308"#, r#"["\ud800"]"#,
                r#"["\udc00\ud800"]"#, r#"["\ud83d\ude00"]"#, r#"{"a":01}"#, r#"[1.]"#,
            ]),
            0usize..300,
        )
            .prop_map(|(text, depth)| {
                format!("{}{text}{}", "[".repeat(depth), "]".repeat(depth)).into_bytes()
            }),
        // Truncated JSON.
        arb::arb_json().prop_map(|v| {
            let s = v.to_string();
            s.as_bytes()[..s.len() / 2].to_vec()
        }),
    ]
}

#[test]
fn fuzz_response_parsing() {
    let content_types = prop::sample::select(vec![
        "application/json",
        "application/json; charset=utf-8",
        "application/vnd.api+json",
        "text/plain",
        "text/csv; charset=latin1",
        "application/octet-stream",
        "application/zip",
        "",
        "APPLICATION/JSON",
    ]);
    let strategy = (
        arb_body(),
        content_types,
        100u16..600,
        0..catalog::len(),
        arb::arb_json(),
    );
    fuzz("response", strategy, |(body, ct, status, i, args)| {
        let op = catalog::operations().nth(*i).ok_or("operation index")?;
        let mut headers = HeaderMap::new();
        if !ct.is_empty() {
            headers.insert("content-type", HeaderValue::from_static(ct));
        }
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("12"));
        let reply = Response::from_parts(op.id(), *status, headers, body.clone().into());
        // A JSON reply is checked on arrival and decoded on first use: it
        // is refused exactly when the full parser refuses it, and decodes
        // to the full parser's value (or, for the few well-formed texts a
        // value cannot hold, to text).
        let lower = ct.to_ascii_lowercase();
        if lower.starts_with("application/") && lower.contains("json") && !body.is_empty() {
            let full = serde_json::from_slice::<Value>(body);
            match (&reply, &full) {
                (Ok(r), Ok(v)) if r.json() == Some(v) => {}
                (Ok(r), Err(e))
                    if matches!(r.body(), ResponseBody::Text(_))
                        && [
                            "number out of range",
                            "hex escape",
                            "surrogate",
                            "unicode code point",
                            "recursion limit",
                        ]
                        .iter()
                        .any(|why| e.to_string().contains(why)) => {}
                (Err(_), Err(_)) => {}
                (r, full) => {
                    return Err(format!("check and full parse disagree: {r:?} / {full:?}"))
                }
            }
        }
        match reply {
            Ok(r) => {
                let uber = r.to_uber();
                if uber["status_code"] != json!(status) {
                    return Err(format!("uber status {}", uber["status_code"]));
                }
                let _ = r.error_messages();
                let _ = r.resources();
                if r.rate_limit_remaining() != Some(12) {
                    return Err("rate-limit header lost".into());
                }
                if let Some(v) = r.json() {
                    if let Some(next) = paginate::next_args(op, args, v) {
                        let offset = next.get("offset").and_then(Value::as_u64).unwrap_or(0);
                        let limit = next.get("limit").and_then(Value::as_u64).unwrap_or(0);
                        if next.get("offset").is_some_and(Value::is_u64) && offset + limit > 10_500
                        {
                            return Err(format!("paged past 10,500: {next}"));
                        }
                    }
                }
                // Only 4xx and 5xx become errors.
                let error_status = *status >= 400;
                match r.error_for_status() {
                    Ok(_) if !error_status => Ok(()),
                    Err(e) if error_status && e.status() == Some(*status) => Ok(()),
                    other => Err(format!("error_for_status of {status}: {other:?}")),
                }
            }
            Err(Error::Decode { operation, .. }) if operation == op.id() => Ok(()),
            Err(e) => Err(format!("unexpected error {e:?}")),
        }
    });
}
