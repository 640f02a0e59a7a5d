//! The Python SDK's result view of a reply (`status_code`, `headers`,
//! `body`) and the API's error messages of a JSON body.

use super::ResponseBody;
use crate::escape;
use base64::Engine;
use reqwest::header::{HeaderMap, HeaderName};
use serde_json::{json, Map, Value};
use std::borrow::Cow;

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

impl<'a> UberHeaders<'a> {
    /// Each header name once, in the map's order, with its values joined
    /// by ", " (the values of one name come one after the other).
    fn entries(&self) -> impl Iterator<Item = (&'a str, Cow<'a, [u8]>)> {
        let mut headers = self.0.iter().peekable();
        std::iter::from_fn(move || {
            let (name, first) = headers.next()?;
            let mut joined = Cow::Borrowed(first.as_bytes());
            while let Some((_, more)) = headers.next_if(|(next, _)| *next == name) {
                let text = joined.to_mut();
                text.extend_from_slice(b", ");
                text.extend_from_slice(more.as_bytes());
            }
            Some((name.as_str(), joined))
        })
    }

    /// Appends the headers as a compact JSON object to `out`: the text of
    /// [`escape::write`]`(out, self, false)`, written directly (for the
    /// output of many replies).
    ///
    /// ```
    /// let mut headers = reqwest::header::HeaderMap::new();
    /// headers.insert("content-type", "application/json".parse().unwrap());
    /// headers.append("vary", "a".parse().unwrap());
    /// headers.append("vary", "b".parse().unwrap());
    /// let r = falcon_harness::Response::from_parts("Op", 200, headers, "{}".into()).unwrap();
    /// let mut out = Vec::new();
    /// r.uber_headers().write_json(&mut out);
    /// assert_eq!(out, br#"{"content-type":"application/json","vary":"a, b"}"#);
    /// ```
    pub fn write_json(&self, out: &mut Vec<u8>) {
        // One pass over the values: a value of the same name as the one
        // before continues its string. Escaping is character by
        // character, so escaping the joined text and joining the escaped
        // values give the same text.
        out.push(b'{');
        let mut last: Option<&HeaderName> = None;
        for (name, value) in self.0.iter() {
            if last == Some(name) {
                out.extend_from_slice(b", ");
            } else {
                if last.is_some() {
                    out.extend_from_slice(b"\",");
                }
                // A header name is a lowercase token (`http` checks it):
                // nothing in it to escape.
                debug_assert!(crate::swar::plain_json_text(name.as_str().as_bytes()));
                out.push(b'"');
                out.extend_from_slice(name.as_str().as_bytes());
                out.extend_from_slice(b"\":\"");
                last = Some(name);
            }
            escape::write_lossy_content(out, value.as_bytes());
        }
        if last.is_some() {
            out.push(b'"');
        }
        out.push(b'}');
    }
}

impl serde::Serialize for UberHeaders<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.keys_len()))?;
        for (name, value) in self.entries() {
            m.serialize_entry(name, &String::from_utf8_lossy(&value))?;
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

#[cfg(test)]
mod tests;
