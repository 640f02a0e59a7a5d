//! The body part of `--describe`: the body's shape and its fields, the
//! nested ones by dotted path with the key that reaches them flat.
//!
//! Body fields the API description marks required are shown under API
//! REQUIRED: the planner does not enforce them (the description marks
//! server-set fields required too, such as `created_at` in
//! EntitiesKnowledgeBasesUpdateV1); the server decides.

use super::{table, type_text, BODY_CHECKS};
use falcon_harness::operation::{BodyRoot, Field, Operation, ParamType};
use falcon_harness::router;
use serde_json::{json, Value};
use std::fmt::Write as _;

/// Every body field, top level first, then each nested one after its
/// parent: `(dotted path, field, key that reaches it)`.
fn rows(op: &'static Operation) -> Vec<(String, &'static Field, String)> {
    let Some(body) = op.body() else {
        return Vec::new();
    };
    let nested = body.nested_fields();
    let mut out = Vec::new();
    for f in body.fields() {
        out.push((f.name().to_string(), f, f.name().to_string()));
        for chain in nested.iter().filter(|c| std::ptr::eq(c[0], f)) {
            let path: Vec<&str> = chain.iter().map(|f| f.name()).collect();
            let leaf = chain[chain.len() - 1];
            out.push((path.join("."), leaf, router::nested_key(op, chain)));
        }
    }
    out
}

/// `body` of `--describe --json`: root, items and every field with its
/// `path`, `key`, type and `api_required` (the API's mark, not checked).
pub fn body_json(op: &'static Operation) -> Option<Value> {
    let b = op.body()?;
    let fields: Vec<Value> = rows(op)
        .into_iter()
        .map(|(path, f, key)| {
            json!({
                "name": f.name(),
                "path": path,
                "key": key,
                "type": f.ty().as_str(),
                "items": f.items().map(ParamType::as_str),
                "api_required": f.required(),
            })
        })
        .collect();
    Some(json!({
        "root": b.root().as_str(),
        "items": b.items().map(ParamType::as_str),
        "fields": fields,
    }))
}

/// The body section of `--describe`.
pub fn body_text(op: &'static Operation) -> String {
    let mut out = String::new();
    let Some(body) = op.body() else {
        return out;
    };
    let what = match body.root() {
        BodyRoot::Object => "a JSON object".to_string(),
        BodyRoot::Array => format!(
            "a JSON array of {}",
            body.items().map(ParamType::as_str).unwrap_or("values")
        ),
        BodyRoot::Opaque => "any JSON (shape not known)".to_string(),
        BodyRoot::Binary => {
            "raw bytes: a string, \"@path\", {\"content_base64\": ...} or a list of byte values"
                .to_string()
        }
    };
    let _ = writeln!(out, "Body: {what}");
    let rows = rows(op);
    if rows.is_empty() {
        return out;
    }
    out.push_str(BODY_CHECKS);
    if rows.iter().any(|(path, ..)| path.contains('.')) {
        out.push_str(
            "Nested fields are given by dotted path, or flat by their FLAT KEY where they have one.\n",
        );
    }
    let cells: Vec<[String; 4]> = rows
        .iter()
        .map(|(path, f, key)| {
            let key = if key == path {
                String::new()
            } else {
                key.clone()
            };
            let required = if f.required() { "yes" } else { "no" };
            [
                path.clone(),
                type_text(f.ty(), f.items()),
                key,
                required.to_string(),
            ]
        })
        .collect();
    out.push_str(&table(
        ["FIELD", "TYPE", "FLAT KEY", "API REQUIRED"],
        &cells,
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use falcon_harness::catalog::operation;

    #[test]
    fn nested_fields_show_their_path_and_flat_key() {
        let t = body_text(operation("PerformIncidentAction").unwrap());
        let line = |start: &str| {
            t.lines()
                .find(|l| l.starts_with(start))
                .unwrap_or_else(|| panic!("{start}: {t}"))
                .split_whitespace()
                .collect::<Vec<_>>()
        };
        assert_eq!(
            line("action_parameters.value "),
            ["action_parameters.value", "string", "value", "yes"]
        );
        assert_eq!(line("ids "), ["ids", "array", "of", "string", "yes"]);
        assert!(t.contains(BODY_CHECKS), "{t}");
        // A name found in two places has no flat key.
        let j = body_json(operation("UpdateCase").unwrap()).unwrap();
        let url = j["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == "detections.url")
            .unwrap();
        assert_eq!(url["key"], "detections.url");
        assert!(url.get("required").is_none());
        assert!(url["api_required"].is_boolean(), "{url}");
    }
}
