//! The fake's decoder is the router's inverse: for every operation,
//! arguments in the decoder's canonical form (see
//! `falcon_harness::testing::decode`) are planned and decoded back to
//! the same arguments; and arbitrary arguments that plan decode to
//! arguments that plan the same request; and the same over HTTP, through
//! the real transport to the fake Falcon API.

mod support;

use support::arb;

use falcon_harness::testing::{decode_plan, route, FakeFalcon};
use falcon_harness::{
    catalog, router, BodyRoot, Location, Operation, Param, ParamType, PartValue, PlanOptions,
    PlannedBody, RequestPlan,
};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};

fn text(rng: &mut StdRng, alphabet: &[char], min: usize, max: usize) -> String {
    let n = rng.gen_range(min..=max);
    (0..n)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())])
        .collect()
}

const PLAIN: &[char] = &[
    'a', 'b', 'z', 'A', 'Z', '0', '9', '-', '.', '_', '~', ':', '\'', '+', '*', '!', '(', '=',
];
const WIDE: &[char] = &[
    'a', ' ', ',', '&', '=', '?', '/', '%', '#', '+', 'é', '🦅', '"', '\\', '[', '{', ';',
];

/// A scalar of a parameter type (or one of its enum values).
fn scalar(rng: &mut StdRng, ty: ParamType, enums: &[&str], no: Option<char>) -> Value {
    if !enums.is_empty() {
        let e = enums[rng.gen_range(0..enums.len())];
        return match ty {
            ParamType::Integer | ParamType::Number => {
                serde_json::from_str(e).unwrap_or_else(|_| json!(e))
            }
            ParamType::Boolean => json!(e == "true"),
            _ => json!(e),
        };
    }
    match ty {
        ParamType::Integer => json!(rng.gen_range(-1_000_000i64..1_000_000)),
        ParamType::Number => json!(rng.gen_range(-1e6f64..1e6)),
        ParamType::Boolean => json!(rng.gen_bool(0.5)),
        _ => {
            let alphabet = if rng.gen_bool(0.5) { PLAIN } else { WIDE };
            let mut s = text(rng, alphabet, 1, 10);
            if let Some(sep) = no {
                s = s.replace(sep, "x");
            }
            json!(s)
        }
    }
}

fn param_value(rng: &mut StdRng, p: &Param) -> Value {
    match (p.location(), p.ty()) {
        (Location::Path, ty) => {
            let v = scalar(rng, ty, p.enum_values(), None);
            match v.as_str() {
                Some("." | "..") => json!("dot"),
                _ => v,
            }
        }
        (Location::Header, _) => json!(text(rng, PLAIN, 1, 10)),
        (_, ParamType::File) => json!({
            "content_base64": "AAEC/w==",
            "filename": text(rng, PLAIN, 1, 8),
        }),
        (_, ParamType::Array) => {
            let sep = p.collection_format().separator().or(Some(','));
            let item = p.items().unwrap_or(ParamType::String);
            let n = rng.gen_range(1..=3);
            Value::Array(
                (0..n)
                    .map(|_| scalar(rng, item, p.enum_values(), sep))
                    .collect(),
            )
        }
        (_, ty) => scalar(rng, ty, p.enum_values(), None),
    }
}

fn field_value(rng: &mut StdRng, ty: ParamType, items: Option<ParamType>) -> Value {
    match ty {
        ParamType::Array => {
            let item = items.unwrap_or(ParamType::String);
            let n = rng.gen_range(0..=3);
            Value::Array((0..n).map(|_| field_value(rng, item, None)).collect())
        }
        ParamType::Object => json!({"k": text(rng, PLAIN, 0, 4), "n": [1, null]}),
        ty => scalar(rng, ty, &[], None),
    }
}

/// Canonical arguments for `op`: every required parameter, some
/// optional ones, and a body (flat fields or whole) when it takes one.
fn canonical_args(op: &'static Operation, rng: &mut StdRng) -> Value {
    let mut args = Map::new();
    for p in op.params() {
        if p.is_authorization() || p.location() == Location::Body {
            continue;
        }
        if p.required() || p.location() == Location::Path || rng.gen_bool(0.5) {
            args.insert(p.name().to_string(), param_value(rng, p));
        }
    }
    if let Some(body) = op.body() {
        let mut flat = Map::new();
        for f in body.fields() {
            if rng.gen_bool(0.6) {
                let v = field_value(rng, f.ty(), f.items());
                let ok = router::plan(
                    op,
                    &json!({ f.name(): v.clone() }),
                    &PlanOptions { lenient: true },
                )
                .ok()
                .is_some_and(|plan| {
                    let sent = match &plan.body {
                        PlannedBody::Json(b) => b.to_value(),
                        _ => None,
                    };
                    match (sent, body.root()) {
                        (Some(Value::Object(m)), _) => m.get(f.name()) == Some(&v),
                        (Some(Value::Array(a)), BodyRoot::Array) => a[0].get(f.name()) == Some(&v),
                        _ => false,
                    }
                });
                if ok && !args.contains_key(f.name()) {
                    flat.insert(f.name().to_string(), v);
                }
            }
        }
        if body.root() == BodyRoot::Binary {
            args.insert("body".into(), json!(text(rng, WIDE, 1, 12)));
        } else if !flat.is_empty() && rng.gen_bool(0.7) {
            args.extend(flat);
        } else {
            let mut whole = flat;
            whole.insert("zz_not_a_field".into(), json!([text(rng, WIDE, 0, 6)]));
            let whole = Value::Object(whole);
            let whole = if body.root() == BodyRoot::Array {
                json!([whole, {"second": 2}])
            } else {
                whole
            };
            args.insert("body".into(), whole);
        }
    }
    Value::Object(args)
}

/// Plans canonical arguments and decodes them back; `Err` names what
/// differs.
fn round_trip(op: &'static Operation, args: &Value) -> Result<(), String> {
    let plan = router::plan(op, args, &PlanOptions::default()).map_err(|e| format!("plan: {e}"))?;
    let (id, back) = decode_plan(&plan).map_err(|e| format!("decode: {e}"))?;
    if id != op.id() {
        return Err(format!("decoded as {id}"));
    }
    if &back != args {
        return Err(format!("decoded {back}\n  given {args}"));
    }
    Ok(())
}

/// Cases per operation in the sweep.
const SWEEP_CASES: u64 = 6;

#[test]
fn every_operation_round_trips() {
    let mut failures = Vec::new();
    let mut cases = 0;
    for op in catalog::operations() {
        for seed in 0..SWEEP_CASES {
            let mut rng = StdRng::seed_from_u64(seed);
            let args = canonical_args(op, &mut rng);
            cases += 1;
            if let Err(e) = round_trip(op, &args) {
                failures.push(format!("{} (seed {seed}): {e}", op.id()));
            }
        }
    }
    assert_eq!(cases, catalog::len() as u64 * SWEEP_CASES);
    assert!(
        failures.is_empty(),
        "{} of {cases} cases failed:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}

/// Cases per operation sent over HTTP.
const HTTP_CASES: u64 = 2;

/// The round trip through the real transport: for every operation,
/// canonical arguments are planned, sent to the fake, and what the fake
/// decoded from the wire ([`FakeFalcon::calls`]) is the arguments given.
#[test]
fn every_operation_round_trips_over_http() {
    let fake = FakeFalcon::start();
    let h = fake.harness_blocking();
    let (mut sent, mut skipped) = (0, 0);
    let mut wrong = Vec::new();
    for op in catalog::operations() {
        // The token endpoints are the fake's own.
        if op.route().starts_with("/oauth2/") {
            skipped += 1;
            continue;
        }
        fake.on(op.id()).reply(200, json!({"resources": [op.id()]}));
        for seed in 0..HTTP_CASES {
            let args = canonical_args(op, &mut StdRng::seed_from_u64(seed));
            let plan = router::plan(op, &args, &PlanOptions::default())
                .unwrap_or_else(|e| panic!("{}: {e}", op.id()));
            let r = h.execute(plan).unwrap();
            sent += 1;
            let got = fake.calls(op.id()).pop();
            // A reply to HEAD has no body.
            let answered = match op.method().as_str() {
                "HEAD" => r.status() == 200,
                _ => r.resources() == Some(&vec![json!(op.id())]),
            };
            if !answered || got.as_ref() != Some(&args) {
                wrong.push(format!(
                    "{} (seed {seed}, status {}): got {got:?}\n  given {args}",
                    op.id(),
                    r.status()
                ));
            }
        }
    }
    assert_eq!(sent, (catalog::len() - skipped) as u64 * HTTP_CASES);
    assert!(skipped < 5, "{skipped} operations skipped");
    assert!(
        wrong.is_empty(),
        "{} of {sent}:\n{}",
        wrong.len(),
        wrong[..wrong.len().min(20)].join("\n")
    );
    fake.verify();
}

/// The parts of a plan that reach the wire and the decoder, in an order
/// that does not depend on argument order.
fn wire(op: &'static Operation, plan: &RequestPlan) -> Value {
    let mut query = plan.query.clone();
    query.sort();
    let headers: Vec<&(String, String)> = plan
        .headers
        .iter()
        .filter(|(k, _)| {
            op.params()
                .iter()
                .any(|p| p.location() == Location::Header && p.name().eq_ignore_ascii_case(k))
        })
        .collect();
    let body = match &plan.body {
        PlannedBody::Form(pairs) => {
            let mut pairs = pairs.clone();
            pairs.sort();
            json!({"form": pairs})
        }
        PlannedBody::Multipart(parts) => {
            let mut parts: Vec<Value> = parts
                .iter()
                .map(|p| match &p.value {
                    PartValue::Text(t) => json!([p.name, t]),
                    PartValue::File(f) => json!([
                        p.name,
                        format!("{:?}", f.source),
                        f.filename,
                        f.content_type
                            .as_deref()
                            .filter(|c| *c != "application/octet-stream")
                    ]),
                })
                .collect();
            parts.sort_by_key(|v| v.to_string());
            json!({"multipart": parts})
        }
        other => json!({"other": format!("{other:?}")}),
    };
    json!({
        "method": plan.method.as_str(),
        "path": plan.path,
        "query": query,
        "headers": headers,
        "body": body,
        "content_type": plan.content_type(),
    })
}

fn has_path_file(plan: &RequestPlan) -> bool {
    matches!(&plan.body, PlannedBody::Multipart(parts) if parts.iter().any(|p| {
        matches!(&p.value, PartValue::File(f) if matches!(f.source, falcon_harness::FileSource::Path(_)))
    }))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Canonical arguments of any operation round-trip exactly.
    #[test]
    fn canonical_arguments_round_trip(i in 0..catalog::len(), seed in any::<u64>()) {
        let op = catalog::operations().nth(i).unwrap();
        let args = canonical_args(op, &mut StdRng::seed_from_u64(seed));
        if let Err(e) = round_trip(op, &args) {
            prop_assert!(false, "{}: {e}", op.id());
        }
    }

    /// Any arguments that plan (in either mode) decode to arguments that
    /// plan the same request.
    #[test]
    fn decoded_arguments_plan_the_same_request((i, args) in arb::op_and_args(), lenient in any::<bool>()) {
        let op = catalog::operations().nth(i).unwrap();
        let opts = PlanOptions { lenient };
        let Ok(plan) = router::plan(op, &args, &opts) else { return Ok(()) };
        prop_assume!(!has_path_file(&plan));
        let (id, back) = decode_plan(&plan).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(id, op.id());
        let again = router::plan(op, &back, &opts)
            .map_err(|e| TestCaseError::fail(format!("{}: {e}\n  decoded {back}\n  from {args}", op.id())))?;
        prop_assert_eq!(wire(op, &again), wire(op, &plan), "decoded {}\n  from {}", back, args);
    }
}

#[test]
fn routes_pick_the_most_literal_match() {
    let (op, vars) = route("GET", "/incidents/queries/incidents/v1").unwrap();
    assert_eq!(op.id(), "QueryIncidents");
    assert!(vars.is_empty());
    let (op, vars) = route("PUT", "/customobjects/v1/collections/c%2Fd/objects/k").unwrap();
    assert_eq!(op.id(), "PutObject");
    assert_eq!(
        vars,
        [
            ("collection_name", "c/d".to_string()),
            ("object_key", "k".to_string())
        ]
    );
}
