//! The Python SDK's result view of a reply (`status_code`, `headers`,
//! `body`) and the API's error messages of a JSON body.

use super::ResponseBody;
use base64::Engine;
use reqwest::header::HeaderMap;
use serde_json::{json, Map, Value};

/// Headers as a JSON object; repeated headers are joined with ", ".
pub(super) fn uber_headers(headers: &HeaderMap) -> Map<String, Value> {
    match serde_json::to_value(UberHeaders(headers)) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

/// The headers of a reply as the `headers` object of the Python SDK's
/// result shape (repeated headers joined with ", "), serializable without
/// building a JSON tree; see [`Response::uber_headers`](super::Response::uber_headers).
#[derive(Debug, Clone, Copy)]
pub struct UberHeaders<'a>(pub(super) &'a HeaderMap);

impl serde::Serialize for UberHeaders<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.keys_len()))?;
        for name in self.0.keys() {
            let mut values = self.0.get_all(name).iter();
            let mut joined = values
                .next()
                .map(|v| String::from_utf8_lossy(v.as_bytes()))
                .unwrap_or_default();
            for v in values {
                let text = joined.to_mut();
                text.push_str(", ");
                text.push_str(&String::from_utf8_lossy(v.as_bytes()));
            }
            m.serialize_entry(name.as_str(), &joined)?;
        }
        m.end()
    }
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
