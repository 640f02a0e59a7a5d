//! The reply to a command: status, headers, and a body classified by its
//! content type, with the Python SDK's result view and rate-limit headers.
//!
//! A JSON body is checked for well-formedness when the reply arrives, so
//! malformed JSON is an [`Error::Decode`] from the command itself, but it
//! is decoded into a [`Value`] only when first asked for: a caller that
//! needs only the status, the headers or the raw bytes never pays for
//! building the tree. The check accepts exactly the well-formed JSON texts; a
//! well-formed body that a `Value` cannot hold (a number beyond `f64`, a
//! lone UTF-16 surrogate escape such as `"\ud800"`, nesting deeper than
//! 128 levels) becomes [`ResponseBody::Text`] when it is decoded.

use crate::error::{Error, Result};
use crate::rate_limit;
use bytes::Bytes;
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::sync::OnceLock;

/// The body of a [`Response`].
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseBody {
    /// No body.
    Empty,
    /// A JSON body (`application/json` or `+json`), decoded on first use
    /// (see the [module docs](self) for the rare well-formed body that
    /// stays text).
    Json(Value),
    /// A text body (`text/*`).
    Text(String),
    /// Any other body (files, installers ...).
    Bytes(Bytes),
    /// The body was streamed to a writer (see `Harness::download`); this
    /// many bytes were written.
    Streamed(u64),
}

/// A reply from the API. Error statuses (4xx, 5xx) are replies too; use
/// [`Response::error_for_status`] to turn them into [`Error::Status`].
#[derive(Debug, Clone)]
pub struct Response {
    operation: &'static str,
    status: u16,
    headers: HeaderMap,
    /// The classified body; empty until first use for a JSON body, which
    /// is then decoded from `raw` (checked well-formed on arrival).
    body: OnceLock<ResponseBody>,
    /// `resources` decoded from its own bytes, when asked for before the
    /// body (see [`member`]).
    resources: OnceLock<Option<Vec<Value>>>,
    raw: Bytes,
    /// Whether `raw` is a JSON body (checked well-formed on arrival).
    json: bool,
    warnings: Vec<String>,
    attempts: u32,
}

impl Response {
    /// Builds a response from its parts (a reply read elsewhere, recorded
    /// or replayed), classifying the body by the `Content-Type` header.
    /// Malformed JSON is an [`Error::Decode`] naming the operation; well-formed
    /// JSON is decoded when first asked for.
    ///
    /// ```
    /// use falcon_harness::Response;
    /// let mut headers = reqwest::header::HeaderMap::new();
    /// headers.insert("content-type", "application/json".parse().unwrap());
    /// let r = Response::from_parts("QueryIncidents", 200, headers, r#"{"resources":["a"]}"#.into()).unwrap();
    /// assert_eq!(r.resources().unwrap().len(), 1);
    /// ```
    pub fn from_parts(
        operation: &'static str,
        status: u16,
        headers: HeaderMap,
        raw: Bytes,
    ) -> Result<Response> {
        let classified = classify(operation, &headers, &raw)?;
        let json = classified.is_none();
        let body = match classified {
            Some(body) => OnceLock::from(body),
            None => OnceLock::new(),
        };
        Ok(Response {
            operation,
            status,
            headers,
            body,
            resources: OnceLock::new(),
            raw,
            json,
            warnings: Vec::new(),
            attempts: 1,
        })
    }

    /// A response whose body went to a writer.
    pub(crate) fn streamed(
        operation: &'static str,
        status: u16,
        headers: HeaderMap,
        written: u64,
    ) -> Response {
        Response {
            operation,
            status,
            headers,
            body: OnceLock::from(ResponseBody::Streamed(written)),
            resources: OnceLock::new(),
            raw: Bytes::new(),
            json: false,
            warnings: Vec::new(),
            attempts: 1,
        }
    }

    pub(crate) fn with_meta(mut self, warnings: Vec<String>, attempts: u32) -> Response {
        self.warnings = warnings;
        self.attempts = attempts;
        self
    }

    /// The operation ID that was called.
    pub fn operation(&self) -> &'static str {
        self.operation
    }
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }
    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
    /// The reply headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
    /// A header as text, when present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }
    /// The body (a JSON body is decoded on the first call).
    pub fn body(&self) -> &ResponseBody {
        self.body
            .get_or_init(|| decode_checked_json(self.operation, &self.raw))
    }
    /// Takes the body.
    pub fn into_body(self) -> ResponseBody {
        let Response {
            operation,
            body,
            raw,
            ..
        } = self;
        body.into_inner()
            .unwrap_or_else(|| decode_checked_json(operation, &raw))
    }
    /// The JSON body, when it is JSON.
    pub fn json(&self) -> Option<&Value> {
        match self.body() {
            ResponseBody::Json(v) => Some(v),
            _ => None,
        }
    }
    /// The body's bytes as received (empty for a streamed body).
    pub fn bytes(&self) -> &Bytes {
        &self.raw
    }
    /// `resources` of a JSON body, when present (an array). Asked for
    /// before the rest of the body, it is decoded from its own bytes, not
    /// with `meta` and `errors`; the value is the same.
    pub fn resources(&self) -> Option<&Vec<Value>> {
        if let Some(alone) = self.resources.get() {
            return alone.as_ref();
        }
        if self.body.get().is_none() {
            if let Some(span) = member::top_level(self.json_text()?, b"resources") {
                let alone =
                    self.resources
                        .get_or_init(|| match serde_json::from_slice(&self.raw[span]) {
                            Ok(Value::Array(items)) => Some(items),
                            _ => None,
                        });
                return alone.as_ref();
            }
        }
        self.json()?.get("resources")?.as_array()
    }
    /// The planner's notes (lenient mode: the arguments that were dropped).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
    /// How many times the request was sent (1 when not retried).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// `X-RateLimit-Limit`: requests allowed per minute.
    pub fn rate_limit_limit(&self) -> Option<u64> {
        rate_limit::number(&self.headers, &rate_limit::LIMIT)
    }
    /// `X-RateLimit-Remaining`: requests left in the current minute.
    pub fn rate_limit_remaining(&self) -> Option<u64> {
        rate_limit::number(&self.headers, &rate_limit::REMAINING)
    }
    /// `X-RateLimit-RetryAfter`: when (epoch seconds) to try again after a 429.
    pub fn rate_limit_retry_after(&self) -> Option<u64> {
        rate_limit::number(&self.headers, &rate_limit::RETRY_AFTER)
    }

    /// The API's error messages (`errors[].message`) of a JSON body.
    pub fn error_messages(&self) -> Vec<String> {
        self.json().map(error_messages).unwrap_or_default()
    }

    /// `Err(Error::Status)` for a 4xx or 5xx reply, with the API's error
    /// messages (or a preview of the body); the response itself otherwise.
    pub fn error_for_status(self) -> Result<Response> {
        if self.status < 400 {
            return Ok(self);
        }
        let mut messages = self.error_messages();
        if messages.is_empty() {
            let preview = preview(&self.raw, 200);
            messages.push(if preview.is_empty() {
                "no details".to_string()
            } else {
                preview
            });
        }
        Err(Error::Status {
            operation: self.operation.to_string(),
            status: self.status,
            message: messages.join("; "),
        })
    }

    /// The Python SDK's result shape: `{"status_code", "headers", "body"}`.
    /// A JSON body is kept as is, text becomes a string, bytes become a
    /// base64 string, no body becomes `{}`, and a streamed body
    /// `{"bytes_written": n}`.
    ///
    /// ```
    /// # fn show(r: &falcon_harness::Response) {
    /// let uber = r.to_uber();
    /// println!("{}", uber["status_code"]);
    /// # }
    /// ```
    pub fn to_uber(&self) -> Value {
        uber(
            self.status,
            uber_headers(&self.headers),
            self.body().clone(),
        )
    }

    /// The `headers` object of [`to_uber`](Self::to_uber), as a value
    /// that serializes without building a JSON tree.
    pub fn uber_headers(&self) -> UberHeaders<'_> {
        UberHeaders(&self.headers)
    }

    /// The body's JSON text as received (checked well-formed on arrival),
    /// when the body is JSON: for passing it on without decoding it.
    /// `None` for other bodies.
    pub fn json_text(&self) -> Option<&[u8]> {
        self.json.then_some(&self.raw[..])
    }

    /// [`to_uber`](Self::to_uber), consuming the response: the body is
    /// moved into the view instead of copied.
    pub fn into_uber(self) -> Value {
        let (status, headers) = (self.status, uber_headers(&self.headers));
        uber(status, headers, self.into_body())
    }
}

mod classify;
mod member;
mod typed;
mod uber;
mod wellformed;

use classify::{classify, decode_checked_json, preview};
pub(crate) use uber::error_messages;
pub use uber::UberHeaders;
use uber::{uber, uber_headers};

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;
    use reqwest::header::CONTENT_TYPE;
    use serde_json::json;

    fn headers(ct: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
        h
    }

    #[test]
    fn classifies_by_content_type() {
        let r = Response::from_parts(
            "Op",
            200,
            headers("application/json; charset=utf-8"),
            Bytes::from_static(b"{\"a\":1}"),
        )
        .unwrap();
        assert_eq!(r.json(), Some(&json!({"a": 1})));
        let r = Response::from_parts(
            "Op",
            200,
            headers("application/vnd.api+json"),
            Bytes::from_static(b"[]"),
        )
        .unwrap();
        assert_eq!(r.json(), Some(&json!([])));
        let r = Response::from_parts("Op", 200, headers("text/plain"), Bytes::from_static(b"hi"))
            .unwrap();
        assert_eq!(r.body(), &ResponseBody::Text("hi".into()));
        let r = Response::from_parts(
            "Op",
            200,
            headers("application/zip"),
            Bytes::from_static(b"PK"),
        )
        .unwrap();
        assert_eq!(r.body(), &ResponseBody::Bytes(Bytes::from_static(b"PK")));
        let r = Response::from_parts("Op", 204, HeaderMap::new(), Bytes::new()).unwrap();
        assert_eq!(r.body(), &ResponseBody::Empty);
        let e = Response::from_parts(
            "Op",
            200,
            headers("application/json"),
            Bytes::from_static(b"{"),
        )
        .unwrap_err();
        assert!(matches!(&e, Error::Decode { operation, .. } if operation == "Op"));
        let r = Response::from_parts(
            "Op",
            200,
            headers("application/json"),
            Bytes::from("{\"name\":\"caf\u{e9} \\u00e9\\ud83d\\ude00\"}"),
        )
        .unwrap();
        assert_eq!(
            r.json(),
            Some(&json!({"name": "caf\u{e9} \u{e9}\u{1f600}"}))
        );
        let e = Response::from_parts(
            "Op",
            200,
            headers("application/json"),
            Bytes::from_static(b"{\"name\":\"caf\xe9\"}"),
        )
        .unwrap_err();
        assert!(
            matches!(&e, Error::Decode { message, .. } if message.contains("invalid unicode code point")),
            "{e}"
        );
    }

    fn json_reply(body: &'static str) -> Result<Response> {
        Response::from_parts(
            "Op",
            200,
            headers("application/json"),
            Bytes::from_static(body.as_bytes()),
        )
    }

    #[test]
    fn json_is_checked_on_arrival_and_decoded_on_first_use() {
        let r = json_reply(r#"{"resources":[1,2],"errors":[]}"#).unwrap();
        assert!(r.body.get().is_none(), "not decoded before use");
        assert_eq!(r.resources().map(Vec::len), Some(2));
        // `resources` alone was decoded, and is kept.
        assert!(r.body.get().is_none() && r.resources.get().is_some());
        assert_eq!(r.json().unwrap()["errors"], json!([]));
        assert!(r.body.get().is_some(), "decoded once, then kept");
        assert_eq!(r.resources(), Some(&vec![json!(1), json!(2)]));
        // Asked for after the body, it is the body's.
        let r = json_reply(r#"{"resources":["a"],"meta":{}}"#).unwrap();
        assert!(r.json().is_some());
        assert_eq!(r.resources(), Some(&vec![json!("a")]));
        assert!(r.resources.get().is_none());
        // Not an array, or not to be read alone: as from the whole body.
        assert_eq!(
            json_reply(r#"{"resources":{"a":1}}"#).unwrap().resources(),
            None
        );
        let r = json_reply(r#"{"resources":["é"],"resources":["b"]}"#).unwrap();
        assert_eq!(r.resources(), Some(&vec![json!("b")]));
        // A clone taken before the first use decodes on its own.
        let r = json_reply(r#"[{"a":true}]"#).unwrap();
        let copy = r.clone();
        assert_eq!(r.into_body(), ResponseBody::Json(json!([{"a": true}])));
        assert_eq!(copy.json(), Some(&json!([{"a": true}])));

        // Everything the full parser refuses as JSON is refused on arrival.
        for bad in [
            "{",
            "[1,]",
            "{\"a\":1}x",
            "01",
            "1.",
            "-",
            "\"\\x\"",
            "\"\u{1}\"",
            "{'a':1}",
            "nul",
            "[1 2]",
            "{\"a\" 1}",
        ] {
            assert!(
                serde_json::from_str::<Value>(bad).is_err(),
                "the full parser refuses {bad:?}"
            );
            let e = json_reply(bad).unwrap_err();
            assert!(
                matches!(&e, Error::Decode { operation, .. } if operation == "Op"),
                "{bad:?}: {e}"
            );
        }
    }

    #[test]
    fn well_formed_json_a_value_cannot_hold_stays_text() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let deep: &'static str = Box::leak(deep.into_boxed_str());
        for body in [r#"["\ud800"]"#, deep] {
            let r = json_reply(body).unwrap();
            assert_eq!(r.body(), &ResponseBody::Text(body.to_string()), "{body}");
            assert_eq!(r.json(), None);
            assert_eq!(r.to_uber()["body"], body);
        }
    }

    #[test]
    fn numbers_keep_their_exact_text() {
        let body = r#"{"n":1e400,"big":18446744073709551616,"d":0.10000000000000000001}"#;
        let r = json_reply(body).unwrap();
        assert_eq!(
            serde_json::to_string(r.json().unwrap()).unwrap(),
            r#"{"n":1e+400,"big":18446744073709551616,"d":0.10000000000000000001}"#
        );
    }

    #[test]
    fn into_uber_moves_what_to_uber_copies() {
        for (ct, body) in [
            (
                "application/json",
                &b"{\"resources\":[\"a\"],\"errors\":[]}"[..],
            ),
            ("text/plain", b"hi"),
            ("application/zip", b"\x01\x02"),
            ("application/json", b""),
        ] {
            let mut h = headers(ct);
            h.append("x-seen", HeaderValue::from_static("1"));
            h.append("x-seen", HeaderValue::from_static("2"));
            let r = Response::from_parts("Op", 201, h, Bytes::from_static(body)).unwrap();
            let copied = r.to_uber();
            assert_eq!(copied["headers"]["x-seen"], "1, 2");
            assert_eq!(r.into_uber(), copied, "{ct}");
        }
    }

    #[test]
    fn error_messages_read_errors_list() {
        let body =
            json!({"errors": [{"message": "a"}, {"code": 1}, {"message": 5}], "resources": []});
        assert_eq!(error_messages(&body), ["a", "5"]);
        assert!(error_messages(&json!({"errors": null})).is_empty());
        assert!(error_messages(&json!([1])).is_empty());
    }

    #[test]
    fn uber_view_and_status_errors() {
        let mut h = headers("application/json");
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("5999"));
        h.insert("x-ratelimit-limit", HeaderValue::from_static("6000"));
        let body = br#"{"errors":[{"code":403,"message":"access denied"}],"resources":[]}"#;
        let r = Response::from_parts("Op", 403, h, Bytes::from_static(body)).unwrap();
        assert_eq!(r.rate_limit_remaining(), Some(5999));
        assert_eq!(r.rate_limit_limit(), Some(6000));
        let uber = r.to_uber();
        assert_eq!(uber["status_code"], 403);
        assert_eq!(uber["headers"]["x-ratelimit-limit"], "6000");
        assert_eq!(uber["body"]["errors"][0]["message"], "access denied");
        let e = r.error_for_status().unwrap_err();
        assert_eq!(e.status(), Some(403));
        assert!(e.to_string().contains("access denied"));

        let r = Response::from_parts(
            "Op",
            502,
            headers("text/html"),
            Bytes::from_static(b"bad gw"),
        )
        .unwrap();
        assert!(r
            .error_for_status()
            .unwrap_err()
            .to_string()
            .contains("bad gw"));
        let r = Response::from_parts(
            "Op",
            200,
            headers("application/octet-stream"),
            Bytes::from_static(b"\x01\x02"),
        )
        .unwrap();
        assert_eq!(r.to_uber()["body"], "AQI=");
        assert!(r.error_for_status().is_ok());
    }
}
