//! The router on the seed operations (and one operation for each rule
//! the seeds do not exercise), with several argument shapes each.

use falcon_harness::router::{plan_override, plan_with_attachments};
use falcon_harness::{
    catalog, router, ArgumentError, Error, FileRef, FileSource, FormPart, Method, PartValue,
    PlanOptions, PlannedBody, RequestPlan,
};
use serde_json::{json, Value};
use std::borrow::Cow;

const AWKWARD: &str = "a b&c=d+e/f#g%h?i;j'k\"l é🦅";

fn strict() -> PlanOptions {
    PlanOptions::default()
}

fn lenient() -> PlanOptions {
    PlanOptions { lenient: true }
}

fn plan(id: &str, args: Value) -> RequestPlan {
    let op = catalog::operation(id).unwrap();
    router::plan(op, &args, &strict()).unwrap_or_else(|e| panic!("{id} {args}: {e}"))
}

fn plan_l(id: &str, args: Value) -> RequestPlan {
    let op = catalog::operation(id).unwrap();
    router::plan(op, &args, &lenient()).unwrap_or_else(|e| panic!("{id} {args}: {e}"))
}

fn err_with(id: &str, args: Value, opts: PlanOptions) -> ArgumentError {
    let op = catalog::operation(id).unwrap();
    match router::plan(op, &args, &opts) {
        Err(Error::Argument(e)) => e,
        other => panic!("{id} {args}: expected an argument error, got {other:?}"),
    }
}

fn err(id: &str, args: Value) -> ArgumentError {
    err_with(id, args, strict())
}

/// Query pairs (or form pairs: the key is any owned text).
fn q<K: From<String>>(pairs: &[(&str, &str)]) -> Vec<(K, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string().into(), v.to_string()))
        .collect()
}

fn decoded_query(p: &RequestPlan) -> Vec<(Cow<'static, str>, String)> {
    let url = url::Url::parse(&format!("https://api.example{}", p.path_and_query())).unwrap();
    url.query_pairs()
        .map(|(k, v)| (k.into_owned().into(), v.into_owned()))
        .collect()
}

mod incidents;
mod message_center;
mod rules;
