//! What a request calls ([`Target`]), and the ways to give a file
//! ([`FileRef`] from bytes or a path).

use crate::operation::Operation;
use crate::plan::{FileRef, FileSource, RequestPlan};
use std::path::PathBuf;

/// What a request calls: an operation by name, an operation looked up
/// beforehand, a manual `"METHOD,/route"`, or a plan made beforehand.
/// Built by `From` (names and operations) or the constructors.
///
/// ```
/// use falcon_harness::{catalog, Target};
/// let by_name: Target = "QueryIncidents".into();
/// let by_op: Target = catalog::operation("QueryIncidents").unwrap().into();
/// let manual = Target::override_route("GET,/incidents/queries/incidents/v1");
/// # let _ = (by_name, by_op, manual);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Target {
    /// An operation ID, alias or snake_case name; a name that is none
    /// with `"override": "METHOD,/route"` in the arguments calls that route.
    Name(String),
    /// An operation looked up with [`catalog::operation`](crate::catalog::operation) or
    /// [`catalog::resolve`](crate::catalog::resolve) (no lookup per call).
    Operation(&'static Operation),
    /// A manual request for a route the table does not describe:
    /// `"METHOD,/route"` (see [`router::plan_override`](crate::router::plan_override)).
    Override(String),
    /// A plan made beforehand (arguments and files are already in it).
    Plan(Box<RequestPlan>),
}

impl Target {
    /// A manual request: `spec` is `"METHOD,/route"`.
    pub fn override_route(spec: impl Into<String>) -> Target {
        Target::Override(spec.into())
    }
}

impl From<&str> for Target {
    fn from(name: &str) -> Target {
        Target::Name(name.to_string())
    }
}

impl From<String> for Target {
    fn from(name: String) -> Target {
        Target::Name(name)
    }
}

impl From<&'static Operation> for Target {
    fn from(op: &'static Operation) -> Target {
        Target::Operation(op)
    }
}

impl From<RequestPlan> for Target {
    fn from(plan: RequestPlan) -> Target {
        Target::Plan(Box::new(plan))
    }
}

impl From<bytes::Bytes> for FileRef {
    /// Bytes in memory, with no file name or media type.
    fn from(bytes: bytes::Bytes) -> FileRef {
        FileRef {
            source: FileSource::Bytes(bytes),
            filename: None,
            content_type: None,
        }
    }
}

impl From<Vec<u8>> for FileRef {
    /// Bytes in memory, with no file name or media type.
    fn from(bytes: Vec<u8>) -> FileRef {
        FileRef::from(bytes::Bytes::from(bytes))
    }
}

impl From<PathBuf> for FileRef {
    /// A file on disk, streamed when sent; its name is sent as the part's
    /// file name.
    fn from(path: PathBuf) -> FileRef {
        FileRef {
            filename: path.file_name().map(|n| n.to_string_lossy().into_owned()),
            source: FileSource::Path(path),
            content_type: None,
        }
    }
}
