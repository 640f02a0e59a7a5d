//! The router's inverse: an HTTP request back into the operation ID and
//! the arguments that plan it.
//!
//! The arguments come back in one canonical form (the planner accepts
//! several spellings of the same request):
//!
//! - path, query, header and form values are typed by the parameter:
//!   integers and numbers as JSON numbers, booleans as `true`/`false`,
//!   the rest as strings; an array parameter always comes back as a list
//!   (split on its collection format's separator, or from repeated keys);
//! - path parameters under their declared name (not an alias);
//! - a JSON body comes back as flat body-field arguments when every key
//!   is a body field that the planner would put back there unchanged,
//!   otherwise whole as `body`; a body that is not JSON as `body` on
//!   raw-body operations and as `data` elsewhere: text, or
//!   `{"content_base64": ...}` for bytes that are not UTF-8;
//! - files as `{"content_base64", "filename", "content_type"?}` (no
//!   `content_type` for `application/octet-stream`, the transport's
//!   default);
//! - query keys that are not declared query parameters under
//!   `parameters`, unknown form fields under `data`;
//! - `content_type` only when the body's media type differs from the one
//!   the planner would choose for the rest of the arguments.
//!
//! Headers that are not declared header parameters (`User-Agent`,
//! `Authorization`, extra `headers` given by the caller) are not
//! arguments, nor are the ones the transport sends on every request
//! (`Accept: */*`, `Accept-Encoding: gzip`), even where an operation
//! declares them.

use super::multipart;
use super::routes::route;
use crate::media;
use crate::operation::{CollectionFormat, Location, Operation, Param, ParamType};
use crate::plan::{PlanOptions, PlannedBody, RequestPlan};
use crate::router::check::Check;
use crate::router::place::{self, Place};
use base64::Engine as _;
use serde_json::{Map, Value};
use std::fmt;

/// Why a request could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub(crate) String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

pub(crate) fn err(text: impl Into<String>) -> DecodeError {
    DecodeError(text.into())
}

/// Decodes a request into its operation ID and arguments.
///
/// `path_and_query` is the request target as sent (`/path?query`), and
/// `headers` the request headers (the `Content-Type` among them).
///
/// ```
/// use falcon_harness::testing::decode;
/// use serde_json::json;
///
/// let (op, args) = decode("GET", "/incidents/queries/incidents/v1?limit=5&filter=status%3A20", &[], b"")
///     .unwrap();
/// assert_eq!(op, "QueryIncidents");
/// assert_eq!(args, json!({"limit": 5, "filter": "status:20"}));
/// ```
pub fn decode(
    method: &str,
    path_and_query: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<(&'static str, Value), DecodeError> {
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, q),
        None => (path_and_query, ""),
    };
    let (op, vars) = route(method, path)?;
    let mut args = Map::new();
    for (name, text) in vars {
        let ty = op.param(name).map_or(ParamType::String, Param::ty);
        args.insert(name.to_string(), typed(ty, &text));
    }
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let extra = collect(op, Location::Query, pairs, &mut args);
    if !extra.is_empty() {
        args.insert("parameters".into(), Value::Object(extra));
    }
    for p in op.params() {
        if p.location() != Location::Header || p.is_authorization() {
            continue;
        }
        let value = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(p.name()));
        if let Some((_, v)) = value.filter(|(k, v)| !transport_default(k, v)) {
            args.insert(p.name().to_string(), typed(p.ty(), v));
        }
    }
    let content_type = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.as_str());
    // An empty body with a media type is still a body where the
    // operation takes one (an empty raw upload); elsewhere it is none.
    let takes_body = op.body().is_some() || place::has_form(op);
    if !body.is_empty() || (content_type.is_some() && takes_body) {
        decode_body(op, content_type.unwrap_or(""), body, &mut args)?;
        if let Some(ct) = content_type {
            reconcile_content_type(op, ct, &mut args);
        }
    }
    Ok((op.id(), Value::Object(args)))
}

/// Whether a header is one the transport sends by itself on every
/// request (a declared parameter given that same value sends the same
/// request, so it is not an argument).
fn transport_default(name: &str, value: &str) -> bool {
    (name.eq_ignore_ascii_case("accept") && value == "*/*")
        || (name.eq_ignore_ascii_case("accept-encoding") && value == "gzip")
}

/// Decodes a planned request as the fake would see it on the wire (a
/// request that was never sent): the same as [`decode`] of its method,
/// target, headers and body. Files on disk are not read; they come back
/// as empty files.
///
/// ```
/// use falcon_harness::{catalog, router, testing, PlanOptions};
/// use serde_json::json;
///
/// let op = catalog::operation("GetIncidents").unwrap();
/// let plan = router::plan(op, &json!({"ids": "inc:1,inc:2"}), &PlanOptions::default()).unwrap();
/// let (_, args) = testing::decode_plan(&plan).unwrap();
/// assert_eq!(args, json!({"ids": ["inc:1", "inc:2"]}));
/// ```
pub fn decode_plan(plan: &RequestPlan) -> Result<(&'static str, Value), DecodeError> {
    let mut headers = plan.headers.clone();
    let body: Vec<u8> = match &plan.body {
        PlannedBody::Empty => Vec::new(),
        PlannedBody::Json(body) => body.as_bytes().to_vec(),
        PlannedBody::Form(pairs) => url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish()
            .into_bytes(),
        PlannedBody::Raw { bytes, .. } => bytes.to_vec(),
        PlannedBody::RawFile { .. } => Vec::new(),
        PlannedBody::Multipart(parts) => {
            let (ct, bytes) = multipart::encode(parts);
            headers.push(("content-type".into(), ct));
            bytes
        }
    };
    if !matches!(plan.body, PlannedBody::Multipart(_)) {
        if let Some(ct) = plan.content_type() {
            headers.push(("content-type".into(), ct.to_string()));
        }
    }
    decode(
        plan.method.as_str(),
        &plan.path_and_query(),
        &headers,
        &body,
    )
}

/// A parameter's text as the JSON value the planner would write it from.
pub(crate) fn typed(ty: ParamType, text: &str) -> Value {
    match ty {
        // Any number of digits, kept exact (as the planner sends them).
        ParamType::Integer => serde_json::from_str::<serde_json::Number>(text)
            .ok()
            .filter(|_| {
                let digits = text.strip_prefix('-').unwrap_or(text);
                !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
            })
            .map_or_else(|| Value::String(text.to_string()), Value::Number),
        ParamType::Number => serde_json::from_str::<serde_json::Number>(text)
            .map(Value::Number)
            .unwrap_or_else(|_| Value::String(text.to_string())),
        ParamType::Boolean => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text.to_string()),
        },
        _ => Value::String(text.to_string()),
    }
}

/// Puts name/value pairs of one location (query or form) into `args` by
/// their declared parameters; returns the pairs that have none.
fn collect(
    op: &'static Operation,
    location: Location,
    pairs: Vec<(String, String)>,
    args: &mut Map<String, Value>,
) -> Map<String, Value> {
    let mut extra = Map::new();
    for (k, v) in pairs {
        let declared = op
            .params()
            .iter()
            .find(|p| p.name() == k && p.location() == location);
        let Some(p) = declared else {
            push_value(&mut extra, k, Value::String(v));
            continue;
        };
        if p.ty() == ParamType::Array {
            let item = p.items().unwrap_or(ParamType::String);
            let sep = match p.collection_format() {
                CollectionFormat::Multi => None,
                f => Some(f.separator().unwrap_or(',')),
            };
            let list = args.entry(k).or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(list) = list {
                match sep {
                    Some(sep) => list.extend(v.split(sep).map(|piece| typed(item, piece))),
                    None => list.push(typed(item, &v)),
                }
            }
        } else {
            push_value(args, k, typed(p.ty(), &v));
        }
    }
    extra
}

/// Inserts `v` under `k`, making a list when `k` repeats.
fn push_value(m: &mut Map<String, Value>, k: String, v: Value) {
    match m.get_mut(&k) {
        Some(Value::Array(list)) => list.push(v),
        Some(old) => {
            let first = old.take();
            *old = Value::Array(vec![first, v]);
        }
        None => {
            m.insert(k, v);
        }
    }
}

fn decode_body(
    op: &'static Operation,
    content_type: &str,
    body: &[u8],
    args: &mut Map<String, Value>,
) -> Result<(), DecodeError> {
    let form = place::has_form(op);
    if form && media::is(content_type, "multipart/form-data") {
        let parts = multipart::parse(content_type, body)?;
        let mut texts = Vec::new();
        let mut files: Vec<(String, Value)> = Vec::new();
        for part in parts {
            match part.filename {
                Some(filename) => {
                    let mut r = Map::new();
                    r.insert("content_base64".into(), Value::String(b64(&part.data)));
                    r.insert("filename".into(), Value::String(filename));
                    if let Some(ct) = part.content_type.filter(|c| c != OCTET_STREAM) {
                        r.insert("content_type".into(), Value::String(ct));
                    }
                    files.push((part.name, Value::Object(r)));
                }
                None => texts.push((part.name, String::from_utf8_lossy(&part.data).into_owned())),
            }
        }
        let extra = collect(op, Location::FormData, texts, args);
        if !extra.is_empty() {
            args.insert("data".into(), Value::Object(extra));
        }
        let single_file = |name: &str| {
            files.iter().filter(|(n, _)| n == name).count() == 1
                && op.param(name).is_some_and(|p| {
                    p.location() == Location::FormData && p.ty() == ParamType::File
                })
        };
        let mut rest = Vec::new();
        for (name, r) in files.iter() {
            if single_file(name) {
                args.insert(name.clone(), r.clone());
            } else {
                rest.push(Value::Array(vec![Value::String(name.clone()), r.clone()]));
            }
        }
        if !rest.is_empty() {
            args.insert("files".into(), Value::Array(rest));
        }
        return Ok(());
    }
    if form && media::is(content_type, "application/x-www-form-urlencoded") {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
        let extra = collect(op, Location::FormData, pairs, args);
        if !extra.is_empty() {
            args.insert("data".into(), Value::Object(extra));
        }
        return Ok(());
    }
    if form {
        args.insert("data".into(), raw_value(body));
        return Ok(());
    }
    if op.body().is_none() {
        return Err(err(format!(
            "{} takes no body, but the request has one ({} bytes)",
            op.id(),
            body.len()
        )));
    }
    if media::is_json(content_type) {
        if let Ok(v) = serde_json::from_slice::<Value>(body) {
            json_body(op, v, args);
            return Ok(());
        }
    }
    // Raw bytes: `body` on raw-body operations, else a raw `data` string
    // (unless `data` is a body field there).
    let binary = op
        .body()
        .is_some_and(|b| b.root() == crate::operation::BodyRoot::Binary);
    let data_is_field = op.body().is_some_and(|b| b.field("data").is_some());
    let key = if binary || data_is_field {
        "body"
    } else {
        "data"
    };
    args.insert(key.into(), raw_value(body));
    Ok(())
}

const OCTET_STREAM: &str = "application/octet-stream";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Raw bytes as an argument: the text, or `{"content_base64": ...}`.
fn raw_value(body: &[u8]) -> Value {
    match std::str::from_utf8(body) {
        Ok(s) => Value::String(s.to_string()),
        Err(_) => serde_json::json!({ "content_base64": b64(body) }),
    }
}

/// A JSON body as flat body-field arguments when the planner would put
/// each back unchanged, else whole as `body`.
fn json_body(op: &'static Operation, v: Value, args: &mut Map<String, Value>) {
    let array_root = op
        .body()
        .is_some_and(|b| b.root() == crate::operation::BodyRoot::Array);
    let fields = match (&v, array_root) {
        (Value::Object(m), false) => Some(m),
        (Value::Array(a), true) if a.len() == 1 => a[0].as_object(),
        _ => None,
    };
    if let Some(m) = fields.filter(|m| !m.is_empty()) {
        if m.iter()
            .all(|(k, v)| !args.contains_key(k) && is_flat_field(op, k, v))
        {
            for (k, v) in m {
                args.insert(k.clone(), v.clone());
            }
            return;
        }
    }
    args.insert("body".into(), v);
}

/// Whether `key: v` given as a flat argument lands in the body as is.
pub(crate) fn is_flat_field(op: &'static Operation, key: &str, v: &Value) -> bool {
    let (ty, items) = match place::classify(op, key, v) {
        Place::Field(f) if f.name() == key => (f.ty(), f.items()),
        Place::BodyIds => (ParamType::Array, Some(ParamType::String)),
        _ => return false,
    };
    !v.is_null()
        && Check::new(op.id(), key, false)
            .field_value(ty, items, v)
            .is_ok_and(|n| *n == *v)
}

/// Adds `content_type` when the request's media type is not the one the
/// planner would choose for the decoded arguments.
fn reconcile_content_type(op: &'static Operation, ct: &str, args: &mut Map<String, Value>) {
    let replan = crate::router::plan(
        op,
        &Value::Object(args.clone()),
        &PlanOptions { lenient: true },
    );
    let planned = match &replan {
        Ok(plan) => plan.content_type().map(str::to_string),
        Err(_) => return,
    };
    let same = match planned.as_deref() {
        Some(p) if media::is(p, "multipart/form-data") => media::is(ct, "multipart/form-data"),
        Some(p) => p == ct,
        None => false,
    };
    if !same {
        args.insert("content_type".into(), Value::String(ct.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_and_multi_lists() {
        let (op, args) = decode(
            "GET",
            "/policy/entities/prevention/v1?ids=a&ids=b",
            &[],
            b"",
        )
        .unwrap();
        assert_eq!(op, "getPreventionPolicies");
        assert_eq!(args, json!({"ids": ["a", "b"]}));
    }

    #[test]
    fn bodies_flat_or_whole() {
        let h = vec![("Content-Type".to_string(), "application/json".to_string())];
        let (_, args) = decode(
            "POST",
            "/incidents/entities/incidents/GET/v1",
            &h,
            br#"{"ids":["a"]}"#,
        )
        .unwrap();
        assert_eq!(args, json!({"ids": ["a"]}));
        let (_, args) = decode(
            "POST",
            "/incidents/entities/incidents/GET/v1",
            &h,
            br#"{"ids":["a"],"extra":1}"#,
        )
        .unwrap();
        assert_eq!(args, json!({"body": {"ids": ["a"], "extra": 1}}));
    }
}
