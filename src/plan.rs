//! The request plan: everything needed to send one request, produced by
//! the pure planner in [`crate::router`] and consumed by the transport.

use crate::operation::{Host, Method};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::borrow::Cow;
use std::path::PathBuf;

mod json_body;
pub use json_body::JsonBody;

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
    /// The path, route placeholders filled and percent-encoded (the
    /// route itself, not a copy, when it has no placeholders).
    pub path: Cow<'static, str>,
    /// Query pairs in order, not yet percent-encoded (a declared
    /// parameter's name is its table entry, not a copy).
    pub query: Vec<(Cow<'static, str>, String)>,
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
    /// A JSON body, written when planned.
    Json(JsonBody),
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

impl PlannedBody {
    /// Whether sending it opens files (a raw file body or a multipart
    /// file part).
    pub(crate) fn opens_files(&self) -> bool {
        match self {
            PlannedBody::RawFile { .. } => true,
            PlannedBody::Multipart(parts) => {
                parts.iter().any(|p| matches!(p.value, PartValue::File(_)))
            }
            _ => false,
        }
    }
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
        let mut out = String::with_capacity(self.path.len() + 1 + q.len());
        out.push_str(&self.path);
        if !q.is_empty() {
            out.push('?');
            out.push_str(&q);
        }
        out
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
        serde_json::to_value(self.view(base_url)).unwrap_or_default()
    }

    /// The same description as [`to_json`](Self::to_json), as a value that
    /// serializes without building a JSON tree first (the CLI's batch dry
    /// run writes it straight to its output).
    ///
    /// ```
    /// use falcon_harness::{catalog, router, PlanOptions};
    /// let op = catalog::operation("QueryIncidents").unwrap();
    /// let plan = router::plan(op, &serde_json::json!({"limit": 5}), &PlanOptions::default()).unwrap();
    /// let text = serde_json::to_string(&plan.view("http://127.0.0.1:1")).unwrap();
    /// assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), plan.to_json("http://127.0.0.1:1"));
    /// ```
    pub fn view<'a>(&'a self, base_url: &'a str) -> PlanView<'a> {
        PlanView {
            plan: self,
            base_url,
        }
    }
}

/// A serializable description of a [`RequestPlan`]; see
/// [`RequestPlan::view`].
#[derive(Debug, Clone, Copy)]
pub struct PlanView<'a> {
    plan: &'a RequestPlan,
    base_url: &'a str,
}

impl Serialize for PlanView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.plan;
        let (base, path) = (self.base_url.trim_end_matches('/'), p.path_and_query());
        let mut url = String::with_capacity(base.len() + path.len());
        url.push_str(base);
        url.push_str(&path);
        let mut m = s.serialize_map(Some(10))?;
        m.serialize_entry("operation", p.operation)?;
        m.serialize_entry("method", p.method.as_str())?;
        m.serialize_entry("url", &url)?;
        m.serialize_entry("path", &p.path)?;
        m.serialize_entry("query", &p.query)?;
        m.serialize_entry("headers", &Pairs(&p.headers))?;
        m.serialize_entry("content_type", &p.content_type())?;
        match &p.body {
            PlannedBody::Empty => {
                m.serialize_entry("body", &())?;
                m.serialize_entry("form", &())?;
            }
            PlannedBody::Json(body) => {
                match body.to_value() {
                    Some(v) => m.serialize_entry("body", &RedactedJson(&v))?,
                    // Too deep to read back: its size, as for raw bytes.
                    None => {
                        m.serialize_entry("body", &Size("json_bytes", body.as_bytes().len()))?
                    }
                }
                m.serialize_entry("form", &())?;
            }
            PlannedBody::Raw { bytes, .. } => {
                m.serialize_entry("body", &Size("raw_bytes", bytes.len()))?;
                m.serialize_entry("form", &())?;
            }
            PlannedBody::RawFile { file, .. } => {
                m.serialize_entry("body", &serde_json::json!({"raw_file": file_json(file)}))?;
                m.serialize_entry("form", &())?;
            }
            PlannedBody::Form(pairs) => {
                m.serialize_entry("body", &())?;
                let fields: Vec<Part<'_>> = pairs.iter().map(|(k, v)| Part::Text(k, v)).collect();
                m.serialize_entry("form", &fields)?;
            }
            PlannedBody::Multipart(parts) => {
                m.serialize_entry("body", &())?;
                let fields: Vec<Part<'_>> = parts
                    .iter()
                    .map(|part| match &part.value {
                        PartValue::Text(v) => Part::Text(&part.name, v),
                        PartValue::File(f) => Part::File(&part.name, f),
                    })
                    .collect();
                m.serialize_entry("form", &fields)?;
            }
        }
        m.serialize_entry("warnings", &p.warnings)?;
        m.end()
    }
}

/// Name/value pairs as a JSON object.
struct Pairs<'a>(&'a [(String, String)]);

impl Serialize for Pairs<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// A JSON body with the top-level secret fields shown as `<redacted>`.
struct RedactedJson<'a>(&'a serde_json::Value);

impl Serialize for RedactedJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            serde_json::Value::Object(obj) => {
                let mut m = s.serialize_map(Some(obj.len()))?;
                for (k, v) in obj {
                    if is_secret_name(k) && !v.is_null() {
                        m.serialize_entry(k, REDACTED)?;
                    } else {
                        m.serialize_entry(k, v)?;
                    }
                }
                m.end()
            }
            other => other.serialize(s),
        }
    }
}

/// `{"raw_bytes": N}` or `{"json_bytes": N}`: a body shown by its size.
struct Size(&'static str, usize);

impl Serialize for Size {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(self.0, &self.1)?;
        m.end()
    }
}

/// One form field of the description.
enum Part<'a> {
    Text(&'a str, &'a str),
    File(&'a str, &'a FileRef),
}

impl Serialize for Part<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        match self {
            Part::Text(name, value) => {
                m.serialize_entry("name", name)?;
                let shown = if is_secret_name(name) {
                    REDACTED
                } else {
                    value
                };
                m.serialize_entry("value", shown)?;
            }
            Part::File(name, f) => {
                m.serialize_entry("name", name)?;
                m.serialize_entry("file", &file_json(f))?;
            }
        }
        m.end()
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
