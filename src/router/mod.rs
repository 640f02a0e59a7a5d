//! The router: a pure planner that turns an operation and untyped JSON
//! arguments into a [`RequestPlan`], or a typed error. It performs no
//! I/O (a file given as `"@path"` is recorded, not opened) and nothing
//! is sent when it fails.
//!
//! ```
//! use falcon_harness::{catalog, router, PlanOptions};
//! use serde_json::json;
//!
//! let op = catalog::operation("QueryIncidents").unwrap();
//! let plan = router::plan(op, &json!({"filter": "status:20", "limit": 5}), &PlanOptions::default())
//!     .unwrap();
//! assert_eq!(plan.path_and_query(), "/incidents/queries/incidents/v1?filter=status%3A20&limit=5");
//!
//! let err = router::plan(op, &json!({"limt": 5}), &PlanOptions::default()).unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "QueryIncidents: argument \"limt\": unknown argument; did you mean \"limit\"? \
//!      valid: filter, limit, offset, sort"
//! );
//! ```
//!
//! # Where each key goes
//!
//! Each key of the argument object is routed by the operation's table
//! entry:
//!
//! - **query** parameters go to the query string: strings as given,
//!   integers and numbers in decimal with their exact digits (serde_json's
//!   `arbitrary_precision`: `18446744073709551616` is sent as written,
//!   never rounded), booleans `true` / `false`, `null` omitted; lists by
//!   the collection format (`multi`: the key repeated; `csv`:
//!   comma-joined). A comma-separated string given for a list parameter
//!   is split (pieces trimmed); an empty piece or element (`"a,,b"`,
//!   `"a,"`, `""`, `["a", ""]`) is an error in strict mode and sent as
//!   written in lenient mode (`ids=`). Keys and values are
//!   percent-encoded as UTF-8, everything but `A-Z a-z 0-9 - . _ ~`.
//! - **path** parameters fill their `{placeholder}` as one encoded
//!   segment (`a/b` becomes `a%2Fb`); an empty value, `.` or `..` is an
//!   error, as is a missing one. The Python SDK's names for them (such as
//!   `id` for `ID`) are accepted too.
//! - **header** parameters become headers; CR, LF, other control bytes
//!   and non-ASCII text are errors.
//! - **formData** parameters make a `multipart/form-data` form when the
//!   operation consumes it, else an urlencoded form. A `file` parameter
//!   takes a file reference: `"@path"`, `{"path": ..., "filename"?,
//!   "content_type"?}` or `{"content_base64": ..., "filename": ...}`;
//!   [`plan_with_attachments`] attaches bytes or paths from Rust. Paths
//!   are streamed by the transport, never read here.
//! - **body fields**: a key that is a top-level field of the JSON body
//!   goes into the body object (for an array-root body such as
//!   AggregateCases', into its one element). A comma-separated string for
//!   a list-of-strings field is split. Values are checked against the
//!   field's type: an object field takes an object, a list field a list
//!   (or one scalar, or a comma-separated string for strings).
//! - **nested body fields** (see below): a key that names a field one or
//!   two levels below the top, by its own name or its dotted path.
//! - **raw bodies**: an operation whose body accepts no JSON media type
//!   (ArchiveUploadV1) takes `body` as a string (its UTF-8 bytes),
//!   `"@path"` or `{"path": ...}` (streamed from disk when sent),
//!   `{"content_base64": ...}` or a list of byte values, or a file
//!   attached as `body` from Rust; it is sent with the operation's raw
//!   media type unless `content_type` (or the file reference) names one.
//!
//! A name that is both a declared parameter and a body field goes to the
//! parameter; `body` and `parameters` force a place.
//!
//! # Reserved keys (the Python SDK's Uber class)
//!
//! - `body`: the whole body as given; flat body-field arguments fill the
//!   keys it lacks (the same key in both is an error). Where the body has
//!   a field named `body` (CreateCase, CreateCaseV2, UpdateCase,
//!   CaseAddActivity), a *string* `body` fills that field and `content`
//!   is its alias; an object is still the whole body. On the raw-body
//!   operations (PutObject ...) a string `body` or
//!   `{"content_base64": ...}` is sent as bytes.
//! - `parameters`: an object of query parameters, merged with the flat
//!   ones (the same parameter in both is an error). On operations with a
//!   body field `parameters` and no query parameters, it is that field.
//! - `headers`: extra headers (a `Content-Type` among them acts as
//!   `content_type`).
//! - `data`: a raw form payload: an object of form fields, or a string
//!   sent as is. On operations with a body field `data` it is that field.
//! - `files`: `{"field": file reference | [references]}` or a list of
//!   `[field, reference]` pairs. On operations with a body field `files`
//!   it is that field.
//! - `content_type`: the body's media type (for raw bodies, or to choose
//!   between multipart and urlencoded forms).
//! - `ids`: a list or comma string, sent wherever the operation takes ids:
//!   its `ids` parameter (repeated or comma-joined query key, or form
//!   field) or the body's `ids` list.
//! - `override`: `"METHOD,/route"` for a manual request; see
//!   [`plan_override`]. It wins over the operation named (as in the
//!   Python SDK), and [`crate::Harness::command`] with a name that is no
//!   operation follows it. On operations with a body field `override`
//!   (RunIntegrationTask ...), a non-route value is that field.
//!
//! # Nested body fields from flat keys
//!
//! The table records body fields two levels below the top, with their
//! types and whether each parent is an object or a list of objects. A
//! key that is no parameter, top-level field or reserved key, and names
//! exactly one nested field, goes into its parent: into the object, or
//! into a list of one object, created when absent and merged with a
//! parent the caller gave (`{"action_parameters": [{"name": "n"}],
//! "value": "v"}`); the same field given flat and inside its parent is an
//! error. A dotted path (`action_parameters.value`) names the place
//! exactly. A name found in several places is an argument error listing
//! the dotted paths, in both modes (nothing is guessed); a top-level field
//! or parameter of the same name always wins (reach the nested one by its
//! path). Nested values are type-checked like top-level ones.
//!
//! Over the whole table (counted by a unit test of `nested.rs`), as
//! (operation, name) pairs:
//!
//! | levels below the top | plan from a flat key | refused as ambiguous | a top-level name wins | operations |
//! |---|---|---|---|---|
//! | one | 1,395 | 526 | 1,052 | 244 |
//! | one or two | 2,069 | 684 | 1,071 | 244 |
//!
//! # Strict and lenient
//!
//! By default unknown keys are errors that name the key, the operation,
//! the valid names and the closest one (`limt` -> `limit`, nested paths
//! included), and values are type-checked: an object or list for a
//! scalar parameter, a non-integer for an integer, a value outside an
//! enum, an empty list element, a missing required parameter. With
//! [`PlanOptions::lenient`] (the Python SDK's behaviour) unknown keys are
//! dropped and reported in [`RequestPlan::warnings`], and a value strict
//! mode would refuse or rewrite is sent exactly as given (`"True"` stays
//! `True`, `"abc"` for an integer stays `abc`) with a warning that it was
//! not checked; lists and objects for a scalar are errors in both modes.
//! Missing required parameters are left to the server in lenient mode (a
//! missing path parameter is still an error). Required *body fields* are
//! not enforced in either mode: the API description marks server-set
//! fields required too (`created_at` in EntitiesKnowledgeBasesUpdateV1),
//! so `--describe` calls them "marked required (not checked)"; a
//! required body must be given in strict mode. Minimum and maximum
//! bounds are not enforced (the server's limits are authoritative).
//!
//! # Where we deliberately differ from the Python SDK
//!
//! - A request that takes no body is sent with no body and no JSON
//!   `Content-Type` (the Python SDK can send an empty JSON body).
//! - Header and form parameters given as flat keys go to headers and the
//!   form, never to the query string.
//! - Every route placeholder is filled from its declared parameter,
//!   percent-encoded; a value cannot add or climb path segments.
//! - Booleans are `true` / `false` everywhere, inside lists and forms too
//!   (never Python's `True` / `False`).
//! - A space is `%20`, never `+`, and every reserved character is encoded.
//! - Unknown keys, values of the wrong type and empty list elements are
//!   errors unless lenient mode is asked for; a key given twice (flat and
//!   in `body`, `parameters` or `data`, or by name and alias, or a nested
//!   field flat and inside its parent) is an error rather than one
//!   silently winning.
//! - A comma-separated string for a list parameter is split into its
//!   elements and sent by the collection format (the Python SDK sends the
//!   string as one value).
//! - A nested body field may be given flat (as PSFalcon allows); the
//!   Python SDK does not look below the top level of the body.
//! - A raw-body operation takes its bytes in several forms (string,
//!   file, base64, byte list); the Python SDK leaves the encoding to the
//!   caller.
//! - `override` together with files attached from Rust is refused for a
//!   manual route ([`crate::Target::override_route`]): give them in the
//!   arguments' `files`, where their field names are explicit.

mod body;
pub(crate) mod check;
pub(crate) mod convert;
pub(crate) mod encode;
mod files;
mod finish;
mod form;
mod headers;
pub(crate) use headers::is_framing;
mod nested;
mod params;
pub(crate) mod place;
mod planner;
mod raw;
mod target;

use crate::error::Error;
use crate::operation::Operation;
use crate::plan::{FileRef, PlanOptions, RequestPlan};
use serde_json::{Map, Value};
use target::{Route, Target};

pub(crate) use encode::{form_encodes_alike, query_string};

/// Plans a request for `op` from JSON arguments (an object, or `null`
/// for none).
///
/// ```
/// use falcon_harness::{catalog, router, PlanOptions, PlannedBody};
/// use serde_json::json;
///
/// let op = catalog::operation("GetIncidents").unwrap();
/// let plan = router::plan(op, &json!({"ids": "inc:1,inc:2"}), &PlanOptions::default()).unwrap();
/// assert_eq!(plan.body, PlannedBody::Json(json!({"ids": ["inc:1", "inc:2"]}).into()));
/// ```
pub fn plan(
    op: &'static Operation,
    args: &Value,
    opts: &PlanOptions,
) -> Result<RequestPlan, Error> {
    plan_with_attachments(op, args, opts, Vec::new())
}

/// Like [`plan`], with files attached to form fields from Rust (bytes in
/// memory, or paths streamed when sent).
///
/// ```
/// use falcon_harness::{catalog, router, FileRef, FileSource, PlanOptions, PlannedBody};
/// use serde_json::json;
///
/// let op = catalog::operation("CaseAddAttachment").unwrap();
/// let file = FileRef {
///     source: FileSource::Bytes(bytes::Bytes::from_static(b"hello")),
///     filename: Some("hello.txt".into()),
///     content_type: Some("text/plain".into()),
/// };
/// let plan = router::plan_with_attachments(
///     op,
///     &json!({"case_id": "c1", "user_uuid": "u1"}),
///     &PlanOptions::default(),
///     vec![("file".to_string(), file)],
/// )
/// .unwrap();
/// assert!(matches!(plan.body, PlannedBody::Multipart(ref parts) if parts.len() == 3));
/// ```
pub fn plan_with_attachments(
    op: &'static Operation,
    args: &Value,
    opts: &PlanOptions,
    attachments: Vec<(String, FileRef)>,
) -> Result<RequestPlan, Error> {
    let map = planner::args_object(op.id(), args)?;
    if let Some(v) = map.and_then(|m| planner::member(m, "override")) {
        if target::looks_like_route(v) {
            let route = Route::parse(v.as_str().unwrap_or_default())?;
            return run(Target::Route(route), map, opts, attachments);
        }
        let has_own = place::declared(op, "override").is_some()
            || op.body().is_some_and(|b| b.field("override").is_some());
        if !has_own && !v.is_null() {
            return Err(Error::argument(
                op.id(),
                "override",
                format!(
                    "expected \"METHOD,/route\" (e.g. \"GET,/incidents/queries/incidents/v1\"), got {}",
                    convert::describe(v)
                ),
            ));
        }
    }
    run(Target::Op(op), map, opts, attachments)
}

/// Places every argument and attachment for `target`, then builds the
/// plan: the one pipeline of table operations and manual routes.
fn run(
    target: Target,
    map: Option<&Map<String, Value>>,
    opts: &PlanOptions,
    attachments: Vec<(String, FileRef)>,
) -> Result<RequestPlan, Error> {
    let mut planner = planner::Planner::new(target, opts.lenient);
    for (k, v) in map.into_iter().flatten() {
        planner.arg(k, v)?;
    }
    for (name, file) in attachments {
        planner.attach(name, file)?;
    }
    planner.finish()
}

/// The declared type of the argument `key` of `op`, and a list's
/// element type, as the planner places the key: a parameter (or its
/// alias), a top-level body field, `ids`, or a nested body field named by
/// its dotted path or by its own name where that names one place. `None`
/// for the reserved keys (`body`, `parameters` ...) and unknown keys.
/// The CLI converts `key=value` text by it.
///
/// ```
/// use falcon_harness::{catalog, router, ParamType};
/// let op = catalog::operation("PerformIncidentAction").unwrap();
/// assert_eq!(router::argument_type(op, "update_detects"), Some((ParamType::Boolean, None)));
/// assert_eq!(router::argument_type(op, "ids"), Some((ParamType::Array, Some(ParamType::String))));
/// assert_eq!(router::argument_type(op, "value"), Some((ParamType::String, None)));
/// assert_eq!(router::argument_type(op, "action_parameters.name"), Some((ParamType::String, None)));
/// assert_eq!(router::argument_type(op, "body"), None);
/// ```
pub fn argument_type(
    op: &'static Operation,
    key: &str,
) -> Option<(
    crate::operation::ParamType,
    Option<crate::operation::ParamType>,
)> {
    use crate::operation::ParamType;
    match place::classify(op, key, &Value::Null) {
        place::Place::Param(_, p) => Some((p.ty(), p.items())),
        place::Place::Field(f) => Some((f.ty(), f.items())),
        place::Place::BodyIds => Some((ParamType::Array, Some(ParamType::String))),
        place::Place::Unknown => match nested::find(op, key) {
            nested::Found::One(chain) => chain.last().map(|f| (f.ty(), f.items())),
            _ => None,
        },
        _ => None,
    }
}

/// The shortest key that reaches a nested body field (a chain from
/// [`Body::nested_fields`](crate::operation::Body::nested_fields)): its
/// own name where that names it alone, else its dotted path.
///
/// ```
/// use falcon_harness::{catalog, router};
/// let op = catalog::operation("PerformIncidentAction").unwrap();
/// let chains = op.body().unwrap().nested_fields();
/// assert_eq!(router::nested_key(op, &chains[1]), "value");
/// let op = catalog::operation("UpdateCase").unwrap();
/// let url = &op.body().unwrap().nested_paths("url")[0];
/// assert_eq!(router::nested_key(op, url), "detections.url");
/// ```
pub fn nested_key(op: &'static Operation, chain: &[&'static crate::operation::Field]) -> String {
    match chain.last() {
        Some(leaf) if chain.len() > 1 && nested::flat(op, leaf.name()) => leaf.name().to_string(),
        _ => nested::dotted(chain),
    }
}

/// The `override` route the arguments carry (`{"override": "METHOD,/route"}`),
/// if any: a string that starts with a method and a comma.
///
/// ```
/// use falcon_harness::router::override_route;
/// use serde_json::json;
/// assert_eq!(override_route(&json!({"override": "GET,/x/v1"})), Some("GET,/x/v1"));
/// assert_eq!(override_route(&json!({"override": true})), None);
/// ```
pub fn override_route(args: &Value) -> Option<&str> {
    args.as_object()
        .and_then(|m| planner::member(m, "override"))
        .filter(|v| target::looks_like_route(v))
        .and_then(Value::as_str)
}

/// What a call by name reaches: an operation of the table, or the manual
/// route its arguments carry (see [`resolve_call`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Call<'a> {
    /// The operation the name resolves to ([`catalog::resolve`](crate::catalog::resolve)).
    Operation(crate::catalog::Resolved),
    /// The arguments' `override` route ([`override_route`]): the name is
    /// no operation.
    Override(&'a str),
}

/// Resolves what a call by `name` with `args` reaches: the operation the
/// name resolves to; or, when it names none and the arguments carry an
/// `override` route, that route (falconpy ignores the name then); or the
/// unknown name's error, with suggestions. The one rule for every way in
/// (`command`, the request builder, the command line and its batches).
///
/// ```
/// use falcon_harness::router::{resolve_call, Call};
/// use serde_json::json;
///
/// let Ok(Call::Operation(r)) = resolve_call("query_incidents", &json!({})) else { panic!() };
/// assert_eq!(r.operation.id(), "QueryIncidents");
/// let args = json!({"override": "GET,/x/v1"});
/// assert_eq!(resolve_call("anything", &args), Ok(Call::Override("GET,/x/v1")));
/// // An operation's name wins over the route.
/// assert!(matches!(resolve_call("QueryIncidents", &args), Ok(Call::Operation(_))));
/// assert!(resolve_call("QueryIncident", &json!({})).is_err());
/// ```
pub fn resolve_call<'a>(
    name: &str,
    args: &'a Value,
) -> std::result::Result<Call<'a>, crate::error::UnknownOperation> {
    match crate::catalog::resolve(name) {
        Ok(r) => Ok(Call::Operation(r)),
        Err(unknown) => override_route(args).map(Call::Override).ok_or(unknown),
    }
}

/// Plans a manual request for a route the table does not describe:
/// `spec` is `"METHOD,/route"` (the route may carry a `?query`). In
/// `args`, `parameters` go to the query string, `body` is the JSON body,
/// `headers` are extra headers, `data` / `files` make a form and
/// `content_type` sets the body's media type. These keys are placed and
/// checked by the same code as an operation's (header names and values,
/// no `Authorization`, one content type, no empty names, one body kind);
/// only the table's declared parameters are missing. The plan's
/// operation is `"override"` and its host the region's API host; its
/// errors name the route:
///
/// ```
/// use falcon_harness::{router, PlanOptions};
/// use serde_json::json;
///
/// let err = router::plan_override("GET,/custom/route", &json!({"limit": 1}), &PlanOptions::default())
///     .unwrap_err();
/// assert!(err.to_string().starts_with("GET /custom/route: argument \"limit\": unknown argument"));
/// ```
///
/// ```
/// use falcon_harness::{router, PlanOptions};
/// use serde_json::json;
///
/// let plan = router::plan_override(
///     "GET,/incidents/queries/incidents/v1",
///     &json!({"parameters": {"limit": 1}}),
///     &PlanOptions::default(),
/// )
/// .unwrap();
/// assert_eq!(plan.operation, "override");
/// assert_eq!(plan.path_and_query(), "/incidents/queries/incidents/v1?limit=1");
/// ```
pub fn plan_override(spec: &str, args: &Value, opts: &PlanOptions) -> Result<RequestPlan, Error> {
    let route = Route::parse(spec)?;
    let map = planner::args_object(&route.name, args)?;
    run(Target::Route(route), map, opts, Vec::new())
}
