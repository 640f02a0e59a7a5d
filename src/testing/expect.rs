//! Expectations: which requests the fake answers, how, and how often;
//! argument matching and the replies (fixed, paged, faults).

use super::decode::{decode_plan, is_flat_field};
use crate::error::Error;
use crate::operation::{Location, Operation};
use crate::plan::PlanOptions;
use bytes::Bytes;
use serde_json::{json, Map, Value};
use std::time::Duration;

/// How many requests an expectation must answer for
/// [`verify`](super::FakeFalcon::verify).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Times {
    /// One or more (the default).
    AtLeastOnce,
    /// Exactly this many; it stops matching after that.
    Exactly(usize),
    /// Any number, none included.
    Any,
}

/// What the fake does with a matched request.
#[derive(Debug, Clone)]
pub(crate) enum Reply {
    /// A status with a body.
    Body {
        status: u16,
        content_type: &'static str,
        body: Bytes,
    },
    /// A 429 whose `X-RateLimit-RetryAfter` is this far ahead.
    RateLimited(Duration),
    /// Pages for `paginate`, picked by the request's `offset` or `after`.
    Pages(Vec<Value>),
    /// Close the connection without answering.
    Drop,
}

/// One registered expectation.
#[derive(Debug, Clone)]
pub(crate) struct Expectation {
    pub op: &'static Operation,
    /// The arguments as given (for messages).
    pub given: Value,
    /// The same, in the decoder's canonical form.
    pub want: Map<String, Value>,
    pub times: Times,
    pub hits: usize,
    pub headers: Vec<(String, String)>,
    pub delay: Option<Duration>,
    pub reply: Reply,
}

impl Expectation {
    /// Whether it still takes requests.
    pub fn open(&self) -> bool {
        match self.times {
            Times::Exactly(n) => self.hits < n,
            _ => true,
        }
    }

    /// Whether it was matched as often as it must be.
    pub fn met(&self) -> bool {
        match self.times {
            Times::AtLeastOnce => self.hits >= 1,
            Times::Exactly(n) => self.hits == n,
            Times::Any => true,
        }
    }

    /// `QueryIncidents {"limit":5}`
    pub fn describe(&self) -> String {
        format!("{} {}", self.op.id(), self.given)
    }
}

/// Value used for path parameters an expectation leaves out, so that a
/// partial expectation can be planned.
const UNSET: &str = "\u{1}falcon-harness-fake-unset";

/// Checks an expectation's arguments as `command` would (unknown names
/// and bad values are errors with did-you-mean; missing required ones
/// are fine, as only the given keys are matched) and returns them in the
/// decoder's canonical form.
pub(crate) fn canonical(op: &'static Operation, args: &Value) -> Result<Map<String, Value>, Error> {
    match crate::router::plan(op, args, &PlanOptions::default()) {
        Ok(_) => {}
        Err(Error::Argument(a)) if a.expected.starts_with("missing ") => {}
        Err(e) => return Err(e),
    }
    let mut filled = args.as_object().cloned().unwrap_or_default();
    let mut unset = Vec::new();
    for p in op
        .params()
        .iter()
        .filter(|p| p.location() == Location::Path)
    {
        let given = std::iter::once(p.name())
            .chain(p.aliases().iter().copied())
            .any(|n| filled.get(n).is_some_and(|v| !v.is_null()));
        if !given {
            filled.insert(p.name().to_string(), Value::String(UNSET.into()));
            unset.push(p.name());
        }
    }
    let plan = crate::router::plan(op, &Value::Object(filled), &PlanOptions { lenient: true })?;
    let (_, decoded) =
        decode_plan(&plan).map_err(|e| Error::argument(op.id(), "<args>", e.to_string()))?;
    let mut m = match decoded {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    for name in unset {
        m.remove(name);
    }
    Ok(m)
}

/// The value of argument `key` in decoded arguments, looking inside a
/// whole `body` for a body field.
fn lookup<'a>(op: &'static Operation, got: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    if let Some(v) = got.get(key) {
        return Some(v);
    }
    let body = got.get("body")?;
    let inner = match body {
        Value::Array(a) if a.len() == 1 => &a[0],
        other => other,
    };
    let v = inner.get(key)?;
    is_flat_field(op, key, v).then_some(v)
}

/// Whether `want` is part of `got`: objects key by key (recursively),
/// numbers by value, everything else equal.
fn part_of(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => w
            .iter()
            .all(|(k, v)| g.get(k).is_some_and(|gv| part_of(v, gv))),
        (Value::Number(a), Value::Number(b)) => a == b || a.as_f64() == b.as_f64(),
        _ => want == got,
    }
}

/// The keys of `want` that `got` does not match, as `key: expected X, got Y`.
pub(crate) fn mismatches(
    op: &'static Operation,
    want: &Map<String, Value>,
    got: &Map<String, Value>,
) -> Vec<String> {
    want.iter()
        .filter_map(|(k, w)| match lookup(op, got, k) {
            Some(g) if part_of(w, g) => None,
            Some(g) => Some(format!("{k}: expected {w}, got {g}")),
            None => Some(format!("{k}: expected {w}, not given")),
        })
        .collect()
}

/// A reply body in Falcon's shape for an error status.
pub(crate) fn error_body(status: u16, message: &str) -> Bytes {
    let v = json!({
        "meta": {"query_time": 0.0, "powered_by": "falcon-harness-fake", "trace_id": "fake"},
        "resources": [],
        "errors": [{"code": status, "message": message}],
    });
    Bytes::from(v.to_string())
}

fn as_u64(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| v.as_str()?.parse().ok())
}

/// The page answering `args`: by `after` token (`fake-after-N`) on
/// operations that take one, else by `offset`. A page given as a list is
/// the `resources` of a Falcon reply; `meta.pagination` is filled in.
pub(crate) fn page(
    op: &'static Operation,
    pages: &[Value],
    args: &Map<String, Value>,
) -> Result<Value, String> {
    let after_style = op.param("after").is_some();
    let lens: Vec<u64> = pages
        .iter()
        .map(|p| resources(p).map_or(0, |r| r.len() as u64))
        .collect();
    let total: u64 = lens.iter().sum();
    let index = if after_style {
        match args.get("after").and_then(Value::as_str) {
            None | Some("") => 0,
            Some(t) => t
                .strip_prefix("fake-after-")
                .and_then(|n| n.parse::<usize>().ok())
                .filter(|&n| n < pages.len())
                .ok_or_else(|| format!("unknown after token {t:?}"))?,
        }
    } else {
        let offset = args.get("offset").and_then(as_u64).unwrap_or(0);
        let mut start = 0;
        let mut found = None;
        for (i, len) in lens.iter().enumerate() {
            if start == offset {
                found = Some(i);
                break;
            }
            start += len;
        }
        found.ok_or_else(|| format!("no page starts at offset {offset}"))?
    };
    let mut body = match &pages[index] {
        Value::Array(a) => json!({
            "meta": {"query_time": 0.0, "powered_by": "falcon-harness-fake", "trace_id": "fake"},
            "resources": a,
            "errors": [],
        }),
        other => other.clone(),
    };
    let offset: u64 = lens[..index].iter().sum();
    let pagination = if after_style {
        let next = if index + 1 < pages.len() {
            format!("fake-after-{}", index + 1)
        } else {
            String::new()
        };
        json!({"total": total, "limit": lens[index], "after": next})
    } else {
        json!({"offset": offset, "limit": lens[index], "total": total})
    };
    if let Some(m) = body.as_object_mut() {
        let meta = m.entry("meta").or_insert_with(|| json!({}));
        if let Some(meta) = meta.as_object_mut() {
            meta.insert("pagination".into(), pagination);
        }
    }
    Ok(body)
}

fn resources(page: &Value) -> Option<&Vec<Value>> {
    match page {
        Value::Array(a) => Some(a),
        other => other.get("resources")?.as_array(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::operation;

    #[test]
    fn canonical_forms_and_set_up_errors() {
        let op = operation("GetIncidents").unwrap();
        assert_eq!(
            Value::Object(canonical(op, &json!({"ids": "a,b"})).unwrap()),
            json!({"ids": ["a", "b"]})
        );
        let e = canonical(operation("QueryIncidents").unwrap(), &json!({"limt": 5})).unwrap_err();
        assert!(e.to_string().contains("did you mean \"limit\""), "{e}");
        // A path parameter left out is not an argument to match.
        let op = operation("PutObject").unwrap();
        let m = canonical(op, &json!({"collection_name": "c"})).unwrap();
        assert_eq!(Value::Object(m), json!({"collection_name": "c"}));
    }

    #[test]
    fn partial_matching() {
        let op = operation("PerformIncidentAction").unwrap();
        let want = canonical(op, &json!({"ids": ["a"]})).unwrap();
        let got = json!({"ids": ["a"], "action_parameters": []});
        assert!(mismatches(op, &want, got.as_object().unwrap()).is_empty());
        let got = json!({"body": {"ids": ["a"], "other": 1}});
        assert!(mismatches(op, &want, got.as_object().unwrap()).is_empty());
        let got = json!({"ids": ["b"]});
        assert_eq!(
            mismatches(op, &want, got.as_object().unwrap()),
            ["ids: expected [\"a\"], got [\"b\"]"]
        );
    }

    #[test]
    fn pages_by_offset_and_after() {
        let op = operation("QueryIncidents").unwrap();
        let pages = vec![json!(["a", "b"]), json!(["c"])];
        let p = page(op, &pages, &Map::new()).unwrap();
        assert_eq!(
            p["meta"]["pagination"],
            json!({"offset": 0, "limit": 2, "total": 3})
        );
        let args = json!({"offset": 2});
        let p = page(op, &pages, args.as_object().unwrap()).unwrap();
        assert_eq!(p["resources"], json!(["c"]));
        assert!(page(op, &pages, json!({"offset": 1}).as_object().unwrap()).is_err());
        let op = operation("cloud_security_assets_combined_compliance_by_account").unwrap();
        let p = page(op, &pages, &Map::new()).unwrap();
        assert_eq!(p["meta"]["pagination"]["after"], "fake-after-1");
        let args = json!({"after": "fake-after-1"});
        let p = page(op, &pages, args.as_object().unwrap()).unwrap();
        assert_eq!(p["meta"]["pagination"]["after"], "");
    }
}
