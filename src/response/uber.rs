//! The Python SDK's result view of a reply (`status_code`, `headers`,
//! `body`) and the API's error messages of a JSON body.

use super::ResponseBody;
use base64::Engine;
use reqwest::header::HeaderMap;
use serde_json::{json, Map, Value};

/// Headers as a JSON object; repeated headers are joined with ", ".
pub(super) fn uber_headers(headers: &HeaderMap) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match out.get_mut(name.as_str()) {
            Some(Value::String(prev)) => {
                prev.push_str(", ");
                prev.push_str(&value);
            }
            _ => {
                out.insert(name.as_str().to_string(), Value::String(value));
            }
        }
    }
    out
}

/// The Python SDK's result shape (see [`Response::to_uber`]).
pub(super) fn uber(status: u16, headers: Map<String, Value>, body: ResponseBody) -> Value {
    let body = match body {
        ResponseBody::Empty => json!({}),
        ResponseBody::Json(v) => v,
        ResponseBody::Text(s) => Value::String(s),
        ResponseBody::Bytes(b) => {
            Value::String(base64::engine::general_purpose::STANDARD.encode(b))
        }
        ResponseBody::Streamed(n) => json!({ "bytes_written": n }),
    };
    json!({ "status_code": status, "headers": headers, "body": body })
}

/// The API's error messages of a reply body: each `errors[].message`
/// (a message that is not a string as its JSON text), in order; none
/// when the body has no `errors` list.
pub(crate) fn error_messages(body: &Value) -> Vec<String> {
    let Some(errors) = body.get("errors").and_then(Value::as_array) else {
        return Vec::new();
    };
    errors
        .iter()
        .filter_map(|e| match e.get("message") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => Some(other.to_string()),
            None => None,
        })
        .collect()
}
