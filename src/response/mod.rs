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
use serde::Deserialize;
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
    /// body (see [`wellformed`]).
    resources: OnceLock<Option<Vec<Value>>>,
    /// Where the value of `resources` starts in `raw`, when the arrival
    /// check noted it.
    resources_at: Option<usize>,
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
        let (body, json, resources_at) = match classify(operation, &headers, &raw)? {
            Classified::Other(body) => (OnceLock::from(body), false, None),
            Classified::Json { resources } => (OnceLock::new(), true, resources),
        };
        Ok(Response {
            operation,
            status,
            headers,
            body,
            resources: OnceLock::new(),
            resources_at,
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
            resources_at: None,
            raw: Bytes::new(),
            json: false,
            warnings: Vec::new(),
            attempts: 1,
        }
    }

    /// The reply with the plan's warnings and its count of attempts.
    /// Inlined: a call copies the reply (over 300 bytes) once more on its
    /// way out of a command.
    #[inline(always)]
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
            if let Some(text) = self.resources_text() {
                let alone = self.resources.get_or_init(|| {
                    let value = tree::first(text).or_else(|| {
                        let mut de = serde_json::Deserializer::from_str(text);
                        Value::deserialize(&mut de).ok()
                    });
                    match value {
                        Some(Value::Array(items)) => Some(items),
                        _ => None,
                    }
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

    /// The text from where the value of `resources` starts to the end,
    /// when that value may be decoded alone (see [`wellformed`]); a
    /// reader takes one value from its start. Valid UTF-8 as a whole (as
    /// checked on arrival), so the reader need not check each string.
    fn resources_text(&self) -> Option<&str> {
        let at = self.resources_at?;
        std::str::from_utf8(self.json_text()?.get(at..)?).ok()
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
mod shapes;
mod tree;
mod typed;
mod uber;
mod wellformed;

use classify::{classify, decode_checked_json, preview, Classified};
pub(crate) use uber::error_messages;
pub use uber::UberHeaders;
use uber::{uber, uber_headers};

#[cfg(test)]
mod tests;
