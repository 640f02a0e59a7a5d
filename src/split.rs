//! Long id lists: a planned request whose query list is longer than the
//! operation accepts becomes several requests ([`split`]), and their
//! replies one reply in the usual shape ([`merge`]).
//!
//! A list is too long when it has more elements than the operation's
//! `maxItems` ([`Param::max_items`](crate::Param::max_items)), or when the
//! query string would pass [`QUERY_BUDGET`] bytes (where the API
//! description gives no limit, proxies and servers refuse long URLs).
//!
//! ```
//! use falcon_harness::{catalog, router, split, PlanOptions};
//! let op = catalog::operation("GetDeviceDetailsV2").unwrap(); // ids: at most 100
//! let ids: Vec<String> = (0..250).map(|i| format!("{i:032x}")).collect();
//! let plan = router::plan(op, &serde_json::json!({"ids": ids}), &PlanOptions::default()).unwrap();
//! let plans = split::split(plan.clone(), true).unwrap();
//! assert_eq!(plans.len(), 3);
//! assert!(split::split(plan, false).unwrap_err().is_argument());
//! ```

use crate::catalog;
use crate::error::{Error, Result};
use crate::operation::{CollectionFormat, Location, Operation, Param, ParamType};
use crate::plan::RequestPlan;
use crate::response::Response;
use crate::router::encode::push_encoded;
use bytes::Bytes;
use serde_json::{json, Map, Value};
use std::borrow::Cow;

/// The longest query string (percent-encoded, in bytes) a request is
/// planned with when the operation names no `maxItems`.
pub const QUERY_BUDGET: usize = 8 * 1024;

fn encoded_len(s: &str) -> usize {
    let mut out = String::new();
    push_encoded(&mut out, s);
    out.len()
}

/// One query list of a plan: its parameter and elements.
struct List {
    param: &'static Param,
    /// Indices of its pairs in the plan's query.
    pairs: Vec<usize>,
    elements: Vec<String>,
    sep: Option<char>,
}

impl List {
    fn of(plan: &RequestPlan, param: &'static Param) -> Option<List> {
        let pairs: Vec<usize> = (0..plan.query.len())
            .filter(|&i| plan.query[i].0 == param.name())
            .collect();
        if pairs.is_empty() {
            return None;
        }
        let sep = match param.collection_format() {
            CollectionFormat::Multi => None,
            f => Some(f.separator().unwrap_or(',')),
        };
        let elements = pairs
            .iter()
            .flat_map(|&i| {
                let v = plan.query[i].1.as_str();
                match sep {
                    Some(c) => v.split(c).map(str::to_string).collect::<Vec<_>>(),
                    None => vec![v.to_string()],
                }
            })
            .collect();
        Some(List {
            param,
            pairs,
            elements,
            sep,
        })
    }

    fn too_many(&self) -> bool {
        self.param
            .max_items()
            .is_some_and(|m| self.elements.len() > m)
    }

    /// Pairs for a run of elements.
    fn pairs_for(&self, chunk: &[String]) -> Vec<(Cow<'static, str>, String)> {
        let name = Cow::Borrowed(self.param.name());
        match self.sep {
            Some(c) => vec![(name, chunk.join(&c.to_string()))],
            None => chunk.iter().map(|v| (name.clone(), v.clone())).collect(),
        }
    }
}

/// The requests that carry `plan`: `plan` itself when its lists fit,
/// otherwise one request per run of the longest list's elements, each
/// within the operation's `maxItems` and [`QUERY_BUDGET`] (an element that
/// does not fit alone still goes, alone). With `enabled` false, a list
/// that does not fit is an argument error. More than one list over its
/// `maxItems` is an argument error too (the requests would multiply).
pub fn split(plan: RequestPlan, enabled: bool) -> Result<Vec<RequestPlan>> {
    parts(plan, enabled).map(Parts::into_vec)
}

/// What [`split`] makes of a plan, without a list for the one plan that
/// needs no splitting (the common case).
pub(crate) enum Parts {
    /// The plan itself.
    One(RequestPlan),
    /// More than one request.
    Several(Vec<RequestPlan>),
}

impl Parts {
    /// The requests as a list (of one, or several).
    pub(crate) fn into_vec(self) -> Vec<RequestPlan> {
        match self {
            Parts::One(plan) => vec![plan],
            Parts::Several(plans) => plans,
        }
    }
}

/// [`split`], the one plan kept as it is.
pub(crate) fn parts(plan: RequestPlan, enabled: bool) -> Result<Parts> {
    // Lists are in the query: without one there is nothing to look up.
    if plan.query.is_empty() {
        return Ok(Parts::One(plan));
    }
    match catalog::operation(plan.operation) {
        Some(op) => parts_of(op, plan, enabled),
        None => Ok(Parts::One(plan)),
    }
}

/// Whether a plan of `op` has no query list, so it is sent as it is
/// whether or not splitting is on (a plan with one goes through
/// [`parts_of`]). Looks at the plan without taking it.
pub(crate) fn has_no_list(op: &'static Operation, plan: &RequestPlan) -> bool {
    plan.query.is_empty() || !op.params().iter().any(|p| is_list(p) && given(plan, p))
}

/// A query parameter that takes a list.
fn is_list(p: &Param) -> bool {
    p.location() == Location::Query && p.ty() == ParamType::Array
}

/// Whether the plan's query has a pair of `p`.
fn given(plan: &RequestPlan, p: &Param) -> bool {
    plan.query.iter().any(|(k, _)| k == p.name())
}

/// [`parts`] of a plan of `op`, known beforehand (not looked up again).
pub(crate) fn parts_of(op: &'static Operation, plan: RequestPlan, enabled: bool) -> Result<Parts> {
    if has_no_list(op, &plan) {
        return Ok(Parts::One(plan));
    }
    let lists: Vec<List> = op
        .params()
        .iter()
        .filter(|p| is_list(p))
        .filter_map(|p| List::of(&plan, p))
        .collect();
    let over: Vec<&List> = lists.iter().filter(|l| l.too_many()).collect();
    let query_len = plan.query_string().len();
    if over.is_empty() && query_len <= QUERY_BUDGET {
        return Ok(Parts::One(plan));
    }
    let describe = |l: &List| match l.param.max_items() {
        Some(m) if l.too_many() => format!(
            "at most {m} elements (got {}; splitting long lists is off)",
            l.elements.len()
        ),
        _ => format!(
            "a list whose query string fits in {QUERY_BUDGET} bytes (got {query_len}; \
             splitting long lists is off)"
        ),
    };
    let longest = || {
        lists
            .iter()
            .max_by_key(|l| l.elements.iter().map(|e| e.len()).sum::<usize>())
    };
    let target = match over.as_slice() {
        [one] => *one,
        // A list is given (`has_no_list` said so): there is a longest.
        [] => match longest() {
            Some(l) => l,
            None => return Ok(Parts::One(plan)),
        },
        [a, b, ..] => {
            return Err(Error::argument(
                plan.operation,
                a.param.name(),
                format!(
                    "at most {} elements, with {:?} over its limit too: only one list can be split",
                    a.param.max_items().unwrap_or(0),
                    b.param.name()
                ),
            ))
        }
    };
    if !enabled {
        return Err(Error::argument(
            plan.operation,
            target.param.name(),
            describe(target),
        ));
    }
    let max = target.param.max_items().unwrap_or(usize::MAX).max(1);
    // The query without the list, then each element's share.
    let rest: usize = plan
        .query
        .iter()
        .enumerate()
        .filter(|(i, _)| !target.pairs.contains(i))
        .map(|(_, (k, v))| encoded_len(k) + encoded_len(v) + 1)
        .sum();
    let name_len = encoded_len(target.param.name()) + 2;
    let (head, per_sep) = match target.sep {
        Some(c) => (name_len, encoded_len(&c.to_string())),
        None => (0, name_len),
    };
    let mut chunks: Vec<&[String]> = Vec::new();
    let mut start = 0;
    let mut size = rest + head;
    for (i, e) in target.elements.iter().enumerate() {
        let cost = encoded_len(e) + per_sep;
        let count = i - start;
        if count > 0 && (count >= max || size + cost > QUERY_BUDGET) {
            chunks.push(&target.elements[start..i]);
            start = i;
            size = rest + head;
        }
        size += cost;
    }
    chunks.push(&target.elements[start..]);
    let first = target.pairs[0];
    Ok(Parts::Several(
        chunks
            .into_iter()
            .map(|chunk| {
                let mut query = Vec::with_capacity(plan.query.len());
                for (i, pair) in plan.query.iter().enumerate() {
                    if i == first {
                        query.extend(target.pairs_for(chunk));
                    } else if !target.pairs.contains(&i) {
                        query.push(pair.clone());
                    }
                }
                RequestPlan {
                    query,
                    ..plan.clone()
                }
            })
            .collect(),
    ))
}

/// One reply for the replies to the requests of a split, in their order:
/// `resources` and `errors` concatenated, the worst (highest) status and
/// its headers, and the first reply's `meta` with `requests`, the number
/// of requests made. A single reply is returned as it is; when a reply's
/// body is not a JSON object the worst reply is returned as it is.
pub fn merge(replies: Vec<Response>) -> Result<Response> {
    let n = replies.len();
    let worst = (0..n)
        .max_by_key(|&i| replies[i].status())
        .ok_or_else(|| Error::Config("merge: no replies".into()))?;
    if n == 1
        || replies
            .iter()
            .any(|r| !r.json().is_some_and(Value::is_object))
    {
        return Ok(replies.into_iter().nth(worst).expect("worst < n"));
    }
    let mut resources = Vec::new();
    let mut errors = Vec::new();
    let mut meta = Map::new();
    let mut attempts = 0;
    for (i, r) in replies.iter().enumerate() {
        attempts += r.attempts();
        let Some(body) = r.json() else { continue };
        if i == 0 {
            if let Some(Value::Object(m)) = body.get("meta") {
                meta = m.clone();
            }
        }
        if let Some(Value::Array(a)) = body.get("resources") {
            resources.extend(a.iter().cloned());
        }
        if let Some(Value::Array(a)) = body.get("errors") {
            errors.extend(a.iter().cloned());
        }
    }
    meta.insert("requests".into(), json!(n));
    let body = json!({"meta": meta, "resources": resources, "errors": errors});
    let first = &replies[0];
    let (operation, warnings) = (first.operation(), first.warnings().to_vec());
    let w = &replies[worst];
    let raw = Bytes::from(serde_json::to_vec(&body).unwrap_or_default());
    Ok(
        Response::from_parts(operation, w.status(), w.headers().clone(), raw)?
            .with_meta(warnings, attempts),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::PlanOptions;
    use crate::router;
    use reqwest::header::HeaderMap;

    fn plan(op: &str, args: Value) -> RequestPlan {
        router::plan(
            catalog::operation(op).unwrap(),
            &args,
            &PlanOptions::default(),
        )
        .unwrap()
    }

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{i:032x}")).collect()
    }

    #[test]
    fn splits_at_max_items_in_order() {
        let p = plan("GetDeviceDetailsV2", json!({"ids": ids(250)}));
        let parts = split(p, true).unwrap();
        let counts: Vec<usize> = parts
            .iter()
            .map(|p| p.query.iter().filter(|(k, _)| k == "ids").count())
            .collect();
        assert_eq!(counts, [100, 100, 50]);
        let all: Vec<String> = parts
            .iter()
            .flat_map(|p| p.query.iter().map(|(_, v)| v.clone()))
            .collect();
        assert_eq!(all, ids(250));
    }

    #[test]
    fn splits_by_query_size_and_keeps_other_arguments() {
        // GetAzureTenantConfig names no maxItems, but 1,000 ids do not
        // fit in 8 KiB.
        let p = plan(
            "GetAzureTenantConfig",
            json!({"ids": ids(1000), "limit": 5}),
        );
        let parts = split(p, true).unwrap();
        assert!(parts.len() > 1);
        let mut seen = Vec::new();
        for part in &parts {
            assert!(part.query_string().len() <= QUERY_BUDGET);
            assert!(part.query.iter().any(|(k, v)| k == "limit" && v == "5"));
            seen.extend(
                part.query
                    .iter()
                    .filter(|(k, _)| k == "ids")
                    .flat_map(|(_, v)| v.split(',').map(str::to_string)),
            );
        }
        assert!(seen == ids(1000), "every id once, in order");
    }

    #[test]
    fn short_lists_and_other_operations_are_one_request() {
        let p = plan("GetDeviceDetailsV2", json!({"ids": ids(100)}));
        assert_eq!(split(p.clone(), false).unwrap(), vec![p]);
        let p = plan("QueryIncidents", json!({"limit": 5}));
        assert_eq!(split(p, true).unwrap().len(), 1);
    }

    #[test]
    fn off_means_an_argument_error() {
        let p = plan("GetDeviceDetailsV2", json!({"ids": ids(101)}));
        let e = split(p, false).unwrap_err();
        assert!(e.is_argument());
        assert!(e.to_string().contains("at most 100"), "{e}");
    }

    fn reply(status: u16, body: Value) -> Response {
        let mut h = HeaderMap::new();
        h.insert("content-type", "application/json".parse().unwrap());
        Response::from_parts("GetDeviceDetailsV2", status, h, body.to_string().into()).unwrap()
    }

    #[test]
    fn merges_in_order_with_the_worst_status() {
        let merged = merge(vec![
            reply(
                200,
                json!({"meta": {"trace_id": "t"}, "resources": [1, 2], "errors": []}),
            ),
            reply(
                404,
                json!({"meta": {}, "resources": [3], "errors": [{"code": 404}]}),
            ),
            reply(200, json!({"meta": {}, "resources": [4], "errors": null})),
        ])
        .unwrap();
        assert_eq!(merged.status(), 404);
        let body = merged.json().unwrap();
        assert_eq!(body["resources"], json!([1, 2, 3, 4]));
        assert_eq!(body["errors"], json!([{"code": 404}]));
        assert_eq!(body["meta"], json!({"trace_id": "t", "requests": 3}));
        assert_eq!(merged.attempts(), 3);
    }
}
