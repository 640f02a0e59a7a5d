//! Where each argument key goes: a declared parameter, a top-level body
//! field, or one of the reserved keys of the Python SDK's Uber class.

use crate::error::Error;
use crate::operation::{Field, Location, Operation, Param};
use serde_json::Value;

/// The destination of one argument key.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Place {
    /// A declared parameter (by name or alias), with its index.
    Param(usize, &'static Param),
    /// A top-level field of the JSON body (or of each element of an
    /// array-root body).
    Field(&'static Field),
    /// `ids` for an operation whose untyped body takes an `ids` list.
    BodyIds,
    /// `body`: the whole body as given.
    WholeBody,
    /// `parameters`: an object of query parameters.
    QueryObject,
    /// `headers`: extra headers.
    Headers,
    /// `data`: a raw form payload (object of fields, or a string).
    Data,
    /// `data` on an operation with a body: a raw body string.
    RawData,
    /// `files`: file references for the form.
    Files,
    /// `content_type`: the body's media type.
    ContentType,
    /// `Authorization`: always sent by the harness, never an argument.
    Authorization,
    /// `override` of a manual route: the route itself.
    Route,
    /// Not known to the operation.
    Unknown,
}

/// The index and description of the declared (non-body) parameter that
/// has this exact name.
pub(crate) fn declared(op: &'static Operation, name: &str) -> Option<(usize, &'static Param)> {
    op.params()
        .iter()
        .enumerate()
        .find(|(_, p)| p.name() == name && p.location() != Location::Body && !p.is_authorization())
}

/// The declared header parameter of this name, compared case-insensitively
/// as HTTP header names are.
pub(crate) fn declared_header(op: &'static Operation, name: &str) -> Option<usize> {
    op.params().iter().position(|p| {
        p.location() == Location::Header
            && !p.is_authorization()
            && p.name().eq_ignore_ascii_case(name)
    })
}

/// The declared (non-body) parameter that has `name` among its aliases.
pub(crate) fn aliased(op: &'static Operation, name: &str) -> Option<(usize, &'static Param)> {
    op.params()
        .iter()
        .enumerate()
        .find(|(_, p)| p.location() != Location::Body && p.aliases().contains(&name))
}

/// Whether a key or header name is `Authorization` (in any case).
pub(crate) fn is_authorization(name: &str) -> bool {
    name.eq_ignore_ascii_case("authorization")
}

/// The error for an `Authorization` header given as an argument to the
/// operation or route `name`.
pub(crate) fn authorization(name: &str, key: &str) -> Error {
    Error::argument(
        name,
        key,
        "the harness sends the Authorization header itself, from its credentials or bearer \
         token; do not give it as an argument",
    )
}

fn field(op: &'static Operation, name: &str) -> Option<&'static Field> {
    op.body()?.fields().iter().find(|f| f.name() == name)
}

/// Whether the operation takes form fields.
pub(crate) fn has_form(op: &'static Operation) -> bool {
    op.params()
        .iter()
        .any(|p| p.location() == Location::FormData)
}

fn has_query(op: &'static Operation) -> bool {
    op.params().iter().any(|p| p.location() == Location::Query)
}

/// Classifies one key. A declared parameter (or a path parameter's
/// alias) wins over a body field of the same name; the reserved keys are described in the module docs.
pub(crate) fn classify(op: &'static Operation, key: &str, v: &Value) -> Place {
    match key {
        "body" => {
            return match field(op, "body") {
                Some(f) if v.is_string() => Place::Field(f),
                _ => Place::WholeBody,
            }
        }
        "content" => {
            if let (Some(f), None, None) = (field(op, "body"), declared(op, key), field(op, key)) {
                return Place::Field(f);
            }
        }
        "parameters" => {
            return match field(op, key) {
                Some(f) if !has_query(op) || !v.is_object() => Place::Field(f),
                _ => Place::QueryObject,
            }
        }
        "headers" => return Place::Headers,
        _ if is_authorization(key) => return Place::Authorization,
        "content_type" => return Place::ContentType,
        "data" | "files" => {
            if has_form(op) {
                return if key == "data" {
                    Place::Data
                } else {
                    Place::Files
                };
            }
            if let Some(f) = field(op, key) {
                return Place::Field(f);
            }
            return match (key, op.body()) {
                ("data", Some(_)) => Place::RawData,
                ("data", None) => Place::Data,
                _ => Place::Files,
            };
        }
        "ids" => {
            if let Some((i, p)) = declared(op, key) {
                return Place::Param(i, p);
            }
            if let Some(f) = field(op, key) {
                return Place::Field(f);
            }
            return if op.ids_in_body() {
                Place::BodyIds
            } else {
                Place::Unknown
            };
        }
        _ => {}
    }
    if let Some((i, p)) = declared(op, key) {
        return Place::Param(i, p);
    }
    // The Python SDK's name for a path placeholder fills the placeholder
    // even where the body has a field of that name (RetrieveRelayInstances'
    // `id`); that field is given inside `body`.
    if let Some((i, p)) = aliased(op, key) {
        return Place::Param(i, p);
    }
    if let Some(f) = field(op, key) {
        return Place::Field(f);
    }
    Place::Unknown
}

/// The keys a manual route's arguments may hold.
pub(crate) const MANUAL_KEYS: &[&str] = &[
    "body",
    "parameters",
    "headers",
    "content_type",
    "data",
    "files",
    "override",
];

/// Classifies one key of a manual route's arguments: only the reserved
/// keys have a place (there is no table to declare others).
pub(crate) fn classify_manual(key: &str) -> Place {
    match key {
        "body" => Place::WholeBody,
        "parameters" => Place::QueryObject,
        "headers" => Place::Headers,
        "content_type" => Place::ContentType,
        "data" => Place::Data,
        "files" => Place::Files,
        "override" => Place::Route,
        _ if is_authorization(key) => Place::Authorization,
        _ => Place::Unknown,
    }
}

/// The argument names the operation knows, sorted: declared parameters
/// (and their aliases), body fields, `body` and `ids` where they apply.
pub(crate) fn valid_names(op: &'static Operation) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = Vec::new();
    for p in op.params() {
        if p.location() == Location::Body {
            names.push("body");
        } else if p.is_authorization() {
            continue;
        } else {
            names.push(p.name());
            names.extend_from_slice(p.aliases());
        }
    }
    if let Some(b) = op.body() {
        names.extend(b.fields().iter().map(|f| f.name()));
        if op.ids_in_body() {
            names.push("ids");
        }
    }
    names.sort_unstable();
    names.dedup();
    names
}

/// The candidate closest to `key` (case-insensitive edit distance), if
/// close enough to be a likely typo.
pub(crate) fn did_you_mean<'c>(key: &str, candidates: &[&'c str]) -> Option<&'c str> {
    crate::suggest::closest(key, candidates.iter().copied())
        .first()
        .copied()
}

/// The text after "unknown argument": the suggestion and the valid names.
pub(crate) fn unknown_text(key: &str, candidates: &[&str]) -> String {
    unknown_text_with(key, candidates, None)
}

/// [`unknown_text`] with a suggestion found among more names than the
/// valid names listed (`more`: nested body fields).
fn unknown_text_with(key: &str, candidates: &[&str], closest: Option<String>) -> String {
    let mut text = String::from("unknown argument");
    let suggested = closest.or_else(|| did_you_mean(key, candidates).map(str::to_string));
    if let Some(s) = &suggested {
        text.push_str(&format!("; did you mean {s:?}?"));
    }
    let sep = if suggested.is_some() { " " } else { "; " };
    if candidates.is_empty() {
        text.push_str("; the operation takes no arguments");
    } else {
        text.push_str(sep);
        text.push_str("valid: ");
        text.push_str(&candidates.join(", "));
    }
    text
}

/// The closest name to `key` among the valid names and the nested body
/// fields (dotted paths, and own names that name one place).
fn closest_name(op: &'static Operation, key: &str, names: &[&'static str]) -> Option<String> {
    let nested = super::nested::names(op);
    let mut all: Vec<&str> = names.to_vec();
    all.extend(nested.iter().map(String::as_str));
    did_you_mean(key, &all).map(str::to_string)
}

/// The error for an unknown key.
pub(crate) fn unknown(op: &'static Operation, key: &str) -> Error {
    let names = valid_names(op);
    let closest = closest_name(op, key, &names);
    Error::argument(op.id(), key, unknown_text_with(key, &names, closest))
}

/// The lenient-mode warning for a dropped key.
pub(crate) fn dropped(op: &'static Operation, key: &str) -> String {
    let names = valid_names(op);
    match closest_name(op, key, &names) {
        Some(s) => format!(
            "{}: dropped unknown argument {key:?} (did you mean {s:?}?)",
            op.id()
        ),
        None => format!("{}: dropped unknown argument {key:?}", op.id()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::operation;
    use serde_json::json;

    fn op(id: &str) -> &'static Operation {
        operation(id).unwrap()
    }

    #[test]
    fn declared_params_win_over_body_fields() {
        let o = op("SearchIndicators");
        let p = classify(o, "filter", &json!("x"));
        assert!(matches!(p, Place::Param(_, p) if p.location() == Location::Query));
    }

    #[test]
    fn reserved_keys_that_are_fields() {
        assert!(matches!(
            classify(op("CreateCase"), "body", &json!("text")),
            Place::Field(f) if f.name() == "body"
        ));
        assert!(matches!(
            classify(op("CreateCase"), "body", &json!({})),
            Place::WholeBody
        ));
        assert!(matches!(
            classify(op("CreateCase"), "content", &json!("text")),
            Place::Field(f) if f.name() == "body"
        ));
        assert!(matches!(
            classify(
                op("WorkflowSystemDefinitionsPromote"),
                "parameters",
                &json!({})
            ),
            Place::Field(_)
        ));
        assert!(matches!(
            classify(op("CreateSavedSearchesExecuteV1"), "parameters", &json!({})),
            Place::QueryObject
        ));
        assert!(matches!(
            classify(op("RunIntegrationTask"), "data", &json!("x")),
            Place::Field(_)
        ));
        assert!(matches!(
            classify(op("CaseAddAttachment"), "data", &json!({})),
            Place::Data
        ));
        assert!(matches!(
            classify(op("PutObject"), "data", &json!("x")),
            Place::RawData
        ));
        assert!(matches!(
            classify(op("ExtractionCreateV1"), "files", &json!([])),
            Place::Field(_)
        ));
    }

    #[test]
    fn ids_land_where_the_operation_takes_them() {
        assert!(matches!(
            classify(op("GetIncidents"), "ids", &json!("a")),
            Place::Field(_)
        ));
        assert!(matches!(
            classify(op("GetEventsEntities"), "ids", &json!("a")),
            Place::BodyIds
        ));
        assert!(matches!(
            classify(op("QueryIncidents"), "ids", &json!("a")),
            Place::Unknown
        ));
        assert!(matches!(
            classify(op("GetIntegrationTasks"), "ids", &json!(1)),
            Place::Param(_, p) if p.location() == Location::Query
        ));
    }

    #[test]
    fn path_aliases() {
        let o = op("entities_vertices_get");
        assert!(matches!(
            classify(o, "vertex_type", &json!("x")),
            Place::Param(_, p) if p.name() == "vertex-type"
        ));
    }

    #[test]
    fn unknown_keys_suggest() {
        let e = unknown(op("QueryIncidents"), "limt").to_string();
        assert_eq!(
            e,
            "QueryIncidents: argument \"limt\": unknown argument; did you mean \"limit\"? \
             valid: filter, limit, offset, sort"
        );
        assert_eq!(did_you_mean("LIMIT", &["limit", "offset"]), Some("limit"));
        assert_eq!(did_you_mean("zzzzzz", &["limit", "offset"]), None);
    }
}
