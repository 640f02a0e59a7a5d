//! The request plan: everything needed to send one request, produced by
//! the pure planner in [`crate::router`] and consumed by the transport.

use crate::operation::{Host, Method};
use std::path::PathBuf;

/// Options of the planner.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// Lenient mode (the Python SDK's behaviour): unknown keys are dropped
    /// and reported as warnings, and scalar strings pass type checks.
    pub lenient: bool,
}

/// A planned HTTP request. Nothing in it is sent yet.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestPlan {
    /// The operation ID (`"override"` for a manual `override` request).
    pub operation: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Which host of the region serves it.
    pub host: Host,
    /// The path, route placeholders filled and percent-encoded.
    pub path: String,
    /// Query pairs in order, not yet percent-encoded.
    pub query: Vec<(String, String)>,
    /// Extra request headers (validated names and values).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: PlannedBody,
    /// Notes for the caller (lenient mode: the keys that were dropped).
    pub warnings: Vec<String>,
}

/// The body of a planned request.
#[derive(Debug, Clone, PartialEq)]
pub enum PlannedBody {
    /// No body (and no Content-Type).
    Empty,
    /// A JSON body.
    Json(serde_json::Value),
    /// An `application/x-www-form-urlencoded` form.
    Form(Vec<(String, String)>),
    /// A `multipart/form-data` form.
    Multipart(Vec<FormPart>),
    /// Raw bytes with their content type.
    Raw {
        /// The bytes.
        bytes: bytes::Bytes,
        /// Their media type.
        content_type: String,
    },
    /// A raw body streamed from a file when sent (a raw-body operation
    /// given `"@path"`); the file is opened by the transport, not here.
    RawFile {
        /// The file.
        file: FileRef,
        /// The media type it is sent with.
        content_type: String,
    },
}

/// One part of a multipart form.
#[derive(Debug, Clone, PartialEq)]
pub struct FormPart {
    /// The field name.
    pub name: String,
    /// Its value.
    pub value: PartValue,
}

/// The value of a form part.
#[derive(Debug, Clone, PartialEq)]
pub enum PartValue {
    /// A text field.
    Text(String),
    /// A file.
    File(FileRef),
}

/// A file to upload.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRef {
    /// Where the bytes come from.
    pub source: FileSource,
    /// The file name sent with the part.
    pub filename: Option<String>,
    /// The part's media type (default `application/octet-stream`).
    pub content_type: Option<String>,
}

/// Where an uploaded file's bytes come from.
#[derive(Debug, Clone, PartialEq)]
pub enum FileSource {
    /// A file on disk, streamed when sent.
    Path(PathBuf),
    /// Bytes in memory.
    Bytes(bytes::Bytes),
}

impl RequestPlan {
    /// The query string, percent-encoded, without the leading `?`.
    ///
    /// ```
    /// use falcon_harness::{catalog, router, PlanOptions};
    /// let op = catalog::operation("QueryIncidents").unwrap();
    /// let args = serde_json::json!({"filter": "name:'a b'&c"});
    /// let plan = router::plan(op, &args, &PlanOptions::default()).unwrap();
    /// assert_eq!(plan.query_string(), "filter=name%3A%27a%20b%27%26c");
    /// ```
    pub fn query_string(&self) -> String {
        crate::router::query_string(&self.query)
    }

    /// The path followed by `?` and the query string (no `?` when there
    /// is no query).
    pub fn path_and_query(&self) -> String {
        let q = self.query_string();
        if q.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{q}", self.path)
        }
    }

    /// The media type the body is sent with, `None` for no body.
    pub fn content_type(&self) -> Option<&str> {
        match &self.body {
            PlannedBody::Empty => None,
            PlannedBody::Json(_) => Some("application/json"),
            PlannedBody::Form(_) => Some("application/x-www-form-urlencoded"),
            PlannedBody::Multipart(_) => Some("multipart/form-data"),
            PlannedBody::Raw { content_type, .. } | PlannedBody::RawFile { content_type, .. } => {
                Some(content_type)
            }
        }
    }

    /// A JSON description of the plan (the CLI's `--dry-run` output):
    /// `operation`, `method`, `url` (`base_url` without its trailing `/`,
    /// then the path and query), `path`, `query` (pairs, unencoded),
    /// `headers`, `content_type`, `body`, `form` and `warnings`.
    ///
    /// ```
    /// use falcon_harness::{catalog, router, PlanOptions};
    /// let op = catalog::operation("QueryIncidents").unwrap();
    /// let plan = router::plan(op, &serde_json::json!({"limit": 5}), &PlanOptions::default()).unwrap();
    /// let j = plan.to_json("https://api.crowdstrike.com/");
    /// assert_eq!(j["url"], "https://api.crowdstrike.com/incidents/queries/incidents/v1?limit=5");
    /// assert_eq!(j["query"], serde_json::json!([["limit", "5"]]));
    /// assert!(j["body"].is_null());
    /// ```
    ///
    /// Form fields and top-level JSON body fields that carry a secret
    /// (`client_secret`, `password`, `token`, `access_token`, `api_key`,
    /// `secret`) show as `<redacted>`; they are sent as given.
    pub fn to_json(&self, base_url: &str) -> serde_json::Value {
        use serde_json::{json, Map, Value};
        let url = format!(
            "{}{}",
            base_url.trim_end_matches('/'),
            self.path_and_query()
        );
        let query: Vec<Value> = self.query.iter().map(|(k, v)| json!([k, v])).collect();
        let headers: Map<String, Value> = self
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        let text = |name: &str, value: &str| {
            let value = if is_secret_name(name) {
                REDACTED
            } else {
                value
            };
            json!({"name": name, "value": value})
        };
        let (body, form) = match &self.body {
            PlannedBody::Empty => (Value::Null, Value::Null),
            PlannedBody::Json(v) => {
                let mut v = v.clone();
                if let Value::Object(m) = &mut v {
                    for (k, field) in m.iter_mut() {
                        if is_secret_name(k) && !field.is_null() {
                            *field = Value::String(REDACTED.into());
                        }
                    }
                }
                (v, Value::Null)
            }
            PlannedBody::Raw { bytes, .. } => (json!({"raw_bytes": bytes.len()}), Value::Null),
            PlannedBody::RawFile { file, .. } => {
                (json!({"raw_file": file_json(file)}), Value::Null)
            }
            PlannedBody::Form(pairs) => (
                Value::Null,
                Value::Array(pairs.iter().map(|(k, v)| text(k, v)).collect()),
            ),
            PlannedBody::Multipart(parts) => (
                Value::Null,
                Value::Array(
                    parts
                        .iter()
                        .map(|p| match &p.value {
                            PartValue::Text(v) => text(&p.name, v),
                            PartValue::File(f) => json!({"name": p.name, "file": file_json(f)}),
                        })
                        .collect(),
                ),
            ),
        };
        json!({
            "operation": self.operation,
            "method": self.method.as_str(),
            "url": url,
            "path": self.path,
            "query": query,
            "headers": headers,
            "content_type": self.content_type(),
            "body": body,
            "form": form,
            "warnings": self.warnings,
        })
    }
}

const REDACTED: &str = "<redacted>";

/// Field names whose values the dry-run view does not show.
fn is_secret_name(name: &str) -> bool {
    const SECRET: &[&str] = &[
        "client_secret",
        "password",
        "token",
        "access_token",
        "refresh_token",
        "api_key",
        "secret",
    ];
    SECRET.iter().any(|s| name.eq_ignore_ascii_case(s))
}

/// A file reference in the dry run: its path (or byte count), file name
/// and media type.
fn file_json(f: &FileRef) -> serde_json::Value {
    let (path, len) = match &f.source {
        FileSource::Path(p) => (
            serde_json::Value::String(p.to_string_lossy().into_owned()),
            serde_json::Value::Null,
        ),
        FileSource::Bytes(b) => (serde_json::Value::Null, serde_json::json!(b.len())),
    };
    serde_json::json!({
        "path": path,
        "bytes": len,
        "filename": f.filename,
        "content_type": f.content_type,
    })
}
