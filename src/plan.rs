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
