//! `--list [COLLECTION]` and `--describe OP`: tables for people, JSON
//! (`--json`) for programs.

mod body;

use super::exit::Failure;
use falcon_harness::catalog;
use falcon_harness::operation::{CollectionFormat, Host, Operation, Param, ParamType};
use serde_json::{json, Value};
use std::fmt::Write as _;

/// The operations to list: all of them, or those of one collection.
pub fn operations_of(collection: Option<&str>) -> Result<Vec<&'static Operation>, Failure> {
    match collection {
        None => Ok(catalog::operations().collect()),
        Some(name) => match catalog::collection(name) {
            Some(ops) => Ok(ops.collect()),
            None => {
                let mut msg = format!("unknown collection {name:?}");
                let close = close_collections(name);
                if !close.is_empty() {
                    let _ = write!(msg, "; did you mean {}?", close.join(", "));
                }
                msg.push_str(" (--list --json lists every operation with its collection)");
                Err(Failure::usage(msg))
            }
        },
    }
}

fn close_collections(name: &str) -> Vec<&'static str> {
    let lower = name.to_ascii_lowercase().replace('-', "_");
    let mut close = falcon_harness::suggest::closest(&lower, catalog::collections());
    close.extend(catalog::collections().filter(|c| c.contains(lower.as_str())));
    let mut seen = Vec::new();
    close.retain(|c| {
        !seen.contains(c) && {
            seen.push(*c);
            true
        }
    });
    close.truncate(3);
    close
}

/// `--list --json`: one object per operation.
pub fn list_json(ops: &[&'static Operation]) -> Value {
    Value::Array(
        ops.iter()
            .map(|op| {
                json!({
                    "operation": op.id(),
                    "method": op.method().as_str(),
                    "route": op.route(),
                    "collection": op.collection(),
                    "deprecated": op.deprecated(),
                })
            })
            .collect(),
    )
}

/// `--list`: a table of ID, method, route and collection.
pub fn list_table(ops: &[&'static Operation]) -> String {
    let rows: Vec<[String; 4]> = ops
        .iter()
        .map(|op| {
            let mut id = op.id().to_string();
            if op.deprecated() {
                id.push_str(" (deprecated)");
            }
            [
                id,
                op.method().as_str().to_string(),
                op.route().to_string(),
                op.collection().to_string(),
            ]
        })
        .collect();
    let mut out = table(["OPERATION", "METHOD", "ROUTE", "COLLECTION"], &rows);
    let _ = writeln!(out, "{} operations", ops.len());
    out
}

fn aliases_of(op: &'static Operation) -> Vec<(&'static str, bool)> {
    let mut v: Vec<(&'static str, bool)> = catalog::aliases()
        .filter(|(_, target, _)| std::ptr::eq(*target, op))
        .map(|(name, _, legacy)| (name, legacy))
        .collect();
    v.sort();
    v
}

fn param_json(p: &Param) -> Value {
    let default = p
        .default_json()
        .map(|d| serde_json::from_str::<Value>(d).unwrap_or_else(|_| Value::String(d.into())));
    json!({
        "name": p.name(),
        "in": p.location().as_str(),
        "type": p.ty().as_str(),
        "items": p.items().map(ParamType::as_str),
        "collection_format": collection_format_name(p),
        // An Authorization header is sent by the harness, never given.
        "required": p.required() && !p.is_authorization(),
        "sent_by_harness": p.is_authorization(),
        "enum": p.enum_values(),
        "default": default,
        "minimum": p.minimum(),
        "maximum": p.maximum(),
        "aliases": p.aliases(),
    })
}

/// The collection format's name; `None` for a non-array.
fn collection_format_name(p: &Param) -> Option<&'static str> {
    Some(p.collection_format())
        .filter(|f| !f.is_none())
        .map(CollectionFormat::as_str)
}

/// `--describe OP --json`.
pub fn describe_json(op: &'static Operation) -> Value {
    let body = body::body_json(op);
    json!({
        "operation": op.id(),
        "method": op.method().as_str(),
        "route": op.route(),
        "host": op.host().as_str(),
        "collection": op.collection(),
        "collections": op.collections(),
        "consumes": op.consumes(),
        "produces": op.produces(),
        "deprecated": op.deprecated(),
        "snake_case": catalog::snake_name(op),
        "aliases": aliases_of(op).iter()
            .map(|(name, legacy)| json!({"name": name, "legacy": legacy}))
            .collect::<Vec<_>>(),
        "parameters": op.params().iter().map(param_json).collect::<Vec<_>>(),
        "body": body,
    })
}

pub(super) fn type_text(ty: ParamType, items: Option<ParamType>) -> String {
    match (ty, items) {
        (ParamType::Array, Some(i)) => format!("array of {i}"),
        _ => ty.to_string(),
    }
}

fn details(p: &Param) -> String {
    let mut d = Vec::new();
    if !p.enum_values().is_empty() {
        d.push(format!("one of: {}", p.enum_values().join(", ")));
    }
    if let Some(v) = p.default_json() {
        d.push(format!("default {v}"));
    }
    match (p.minimum(), p.maximum()) {
        (Some(a), Some(b)) => d.push(format!("{a} to {b}")),
        (Some(a), None) => d.push(format!("at least {a}")),
        (None, Some(b)) => d.push(format!("at most {b}")),
        (None, None) => {}
    }
    if let Some(f) = collection_format_name(p) {
        d.push(format!("sent as {f}"));
    }
    if !p.aliases().is_empty() {
        d.push(format!("also accepted as {}", p.aliases().join(", ")));
    }
    d.join("; ")
}

/// What the planner checks of body fields (the router's rule, see
/// `falcon_harness::router`): shown above the field table.
pub(super) const BODY_CHECKS: &str = "\
Fields given by name are checked (name and type); a whole \"body\" is sent as
given. API REQUIRED is the API's mark: the server checks it, a dry run does not.
";

/// `--describe OP`: a summary and tables of parameters and body fields.
pub fn describe_text(op: &'static Operation) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}  {} {}", op.id(), op.method(), op.route());
    let mut colls = op.collection().to_string();
    if op.collections().len() > 1 {
        let _ = write!(colls, " (also {})", op.collections()[1..].join(", "));
    }
    let _ = writeln!(out, "collection: {colls}");
    if op.host() != Host::Api {
        let _ = writeln!(out, "host: {}", op.host().as_str());
    }
    let _ = writeln!(
        out,
        "consumes: {}; produces: {}",
        list_or_dash(op.consumes()),
        list_or_dash(op.produces())
    );
    if let Some(s) = catalog::snake_name(op) {
        let _ = writeln!(out, "snake_case: {s}");
    }
    let aliases = aliases_of(op);
    if !aliases.is_empty() {
        let names: Vec<String> = aliases
            .iter()
            .map(|(n, legacy)| {
                if *legacy {
                    format!("{n} (legacy)")
                } else {
                    n.to_string()
                }
            })
            .collect();
        let _ = writeln!(out, "aliases: {}", names.join(", "));
    }
    if op.deprecated() {
        let _ = writeln!(out, "deprecated: yes");
    }
    out.push('\n');
    if op.params().is_empty() {
        out.push_str("No parameters.\n");
    } else {
        let rows: Vec<[String; 5]> = op
            .params()
            .iter()
            .map(|p| {
                [
                    p.name().to_string(),
                    p.location().to_string(),
                    type_text(p.ty(), p.items()),
                    if p.is_authorization() {
                        "sent by the harness"
                    } else if p.required() {
                        "yes"
                    } else {
                        "no"
                    }
                    .to_string(),
                    details(p),
                ]
            })
            .collect();
        out.push_str(&table(
            ["PARAMETER", "IN", "TYPE", "REQUIRED", "DETAILS"],
            &rows,
        ));
    }
    if op.body().is_some() {
        out.push('\n');
        out.push_str(&body::body_text(op));
    }
    out
}

fn list_or_dash(v: &[&str]) -> String {
    if v.is_empty() {
        "-".into()
    } else {
        v.join(", ")
    }
}

/// Left-aligned columns separated by two spaces; the last column is not
/// padded.
pub(super) fn table<const N: usize>(head: [&str; N], rows: &[[String; N]]) -> String {
    let mut width = head.map(str::len);
    for row in rows {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut s = String::new();
        for (i, cell) in cells.enumerate() {
            if i + 1 == N {
                s.push_str(cell);
            } else {
                let _ = write!(s, "{cell:<w$}  ", w = width[i]);
            }
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(&mut head.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(id: &str) -> &'static Operation {
        catalog::operation(id).unwrap()
    }

    #[test]
    fn describe_json_names_locations_types_and_fields() {
        let d = describe_json(op("QueryIncidents"));
        assert_eq!(d["operation"], "QueryIncidents");
        assert_eq!(d["method"], "GET");
        assert_eq!(d["route"], "/incidents/queries/incidents/v1");
        assert_eq!(d["collection"], "incidents");
        let params = d["parameters"].as_array().unwrap();
        let filter = params.iter().find(|p| p["name"] == "filter").unwrap();
        assert_eq!(filter["in"], "query");
        assert_eq!(filter["type"], "string");
        assert_eq!(filter["required"], false);
        let limit = params.iter().find(|p| p["name"] == "limit").unwrap();
        assert_eq!(limit["type"], "integer");
        assert!(d["body"].is_null());

        let d = describe_json(op("GetIncidents"));
        let body = &d["body"];
        assert_eq!(body["root"], "object");
        let ids = body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "ids")
            .unwrap();
        assert_eq!(ids["type"], "array");
        assert_eq!(ids["items"], "string");
        assert_eq!(ids["api_required"], true);
    }

    #[test]
    fn describe_json_lists_enums_and_form_fields() {
        let op = op("CaseAddAttachment");
        let d = describe_json(op);
        let form: Vec<&Value> = d["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["in"] == "formData")
            .collect();
        assert!(!form.is_empty());
        assert!(form.iter().any(|p| p["type"] == "file"));
        let with_enum = catalog::operations()
            .flat_map(|o| o.params().iter())
            .find(|p| !p.enum_values().is_empty())
            .unwrap();
        let j = param_json(with_enum);
        assert_eq!(
            j["enum"].as_array().unwrap().len(),
            with_enum.enum_values().len()
        );
    }

    #[test]
    fn describe_text_has_a_parameter_table() {
        let t = describe_text(op("QueryIncidents"));
        assert!(t.starts_with("QueryIncidents  GET /incidents/queries/incidents/v1\n"));
        let header = t.lines().find(|l| l.starts_with("PARAMETER")).unwrap();
        assert!(header.contains("IN") && header.contains("REQUIRED"));
        let filter = t.lines().find(|l| l.starts_with("filter ")).unwrap();
        assert!(filter.contains("query") && filter.contains("string"));
        let t = describe_text(op("GetIncidents"));
        assert!(t.contains("Body: a JSON object"));
        assert!(t
            .lines()
            .any(|l| l.starts_with("ids ") && l.contains("array of string")));
        // which body checks a call makes, and whose mark REQUIRED is
        assert!(t.contains(BODY_CHECKS), "{t}");
        assert!(t
            .lines()
            .any(|l| l.starts_with("FIELD") && l.ends_with("API REQUIRED")));
    }

    #[test]
    fn list_all_and_by_collection() {
        let all = operations_of(None).unwrap();
        assert_eq!(all.len(), catalog::len());
        let inc = operations_of(Some("incidents")).unwrap();
        assert!(inc.iter().any(|o| o.id() == "QueryIncidents"));
        assert!(inc.iter().all(|o| o.collections().contains(&"incidents")));
        let j = list_json(&inc);
        assert_eq!(j.as_array().unwrap().len(), inc.len());
        let t = list_table(&inc);
        assert!(t.starts_with("OPERATION"));
        assert!(t.ends_with(&format!("{} operations\n", inc.len())));
        assert!(t
            .lines()
            .any(|l| l.starts_with("QueryIncidents ") && l.contains("GET")));
        let e = operations_of(Some("incident")).unwrap_err();
        assert_eq!(e.exit, super::super::exit::Exit::Usage);
        assert!(
            e.message.contains("did you mean incidents"),
            "{}",
            e.message
        );
    }
}
