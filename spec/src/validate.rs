//! Checks on the endpoint table, shared by `build.rs` and the tests.
//!
//! Every error names the file and, where there is one, the operation, so a
//! bad entry can be found at once.

use super::format::{
    AliasFile, CloudFile, CollectionFile, FieldSpec, OperationSpec, ParamSpec, NESTED_LEVELS,
};
use super::vocab::{BodyRoot, Location, ParamType};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A problem found in the endpoint table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The file the problem is in (`endpoints/incidents.json`).
    pub file: String,
    /// The operation, where the problem belongs to one.
    pub operation: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.operation {
            Some(op) => write!(f, "{}: operation {}: {}", self.file, op, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for SpecError {}

fn err(file: &str, op: Option<&str>, message: impl Into<String>) -> SpecError {
    SpecError {
        file: file.to_string(),
        operation: op.map(str::to_string),
        message: message.into(),
    }
}

/// Parses one collection file's text. Malformed JSON names the file; a
/// value the format does not allow (an unknown location, type, method ...)
/// names the file and the operation.
pub fn parse_collection(file: &str, text: &str) -> Result<CollectionFile, SpecError> {
    serde_json::from_str(text).map_err(|e| match locate_bad_operation(file, text) {
        Some(located) => located,
        None => err(file, None, format!("malformed JSON: {e}")),
    })
}

/// Finds the first operation of a collection file that does not
/// deserialize, for an error naming it.
fn locate_bad_operation(file: &str, text: &str) -> Option<SpecError> {
    let doc: Value = serde_json::from_str(text).ok()?;
    doc.get("operations")?.as_array()?.iter().find_map(|op| {
        let e = OperationSpec::deserialize(op).err()?;
        let id = op.get("id").and_then(Value::as_str).unwrap_or("?");
        Some(err(file, Some(id), e.to_string()))
    })
}

/// Parses `aliases.json`.
pub fn parse_aliases(file: &str, text: &str) -> Result<AliasFile, SpecError> {
    serde_json::from_str(text).map_err(|e| err(file, None, format!("malformed JSON: {e}")))
}

/// Parses `clouds.json`.
pub fn parse_clouds(file: &str, text: &str) -> Result<CloudFile, SpecError> {
    serde_json::from_str(text).map_err(|e| err(file, None, format!("malformed JSON: {e}")))
}

/// Extracts the `{placeholder}` names of a route, or says what is malformed.
pub fn route_placeholders(route: &str) -> Result<Vec<&str>, String> {
    if !route.starts_with('/') {
        return Err(format!("route {route:?} does not start with '/'"));
    }
    let mut out = Vec::new();
    let mut rest = route;
    while let Some(open) = rest.find(['{', '}']) {
        if rest.as_bytes()[open] == b'}' {
            return Err(format!("route {route:?} has an unmatched '}}'"));
        }
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("route {route:?} has an unclosed '{{'"))?;
        let name = &after[..close];
        if name.is_empty() || name.contains('{') {
            return Err(format!(
                "route {route:?} has an empty or nested placeholder"
            ));
        }
        out.push(name);
        rest = &after[close + 1..];
    }
    Ok(out)
}

/// The element type of an array (given exactly for arrays, and never
/// `array` or `file`), or what is wrong with it.
fn check_items(what: &str, ty: ParamType, items: Option<ParamType>) -> Result<(), String> {
    match (ty, items) {
        (ParamType::Array, None) => Err(format!("{what}: array without an items type")),
        (ParamType::Array, Some(it)) if !it.is_item() => {
            Err(format!("{what}: items type {it} is not allowed"))
        }
        (ParamType::Array, _) | (_, None) => Ok(()),
        (_, Some(_)) => Err(format!("{what}: items given for a non-array")),
    }
}

fn check_param(file: &str, op: &str, p: &ParamSpec) -> Result<(), SpecError> {
    let e = |m: String| err(file, Some(op), m);
    if p.name.is_empty() {
        return Err(e("a parameter has an empty name".into()));
    }
    check_items(&format!("parameter {:?}", p.name), p.ty, p.items).map_err(e)?;
    if !p.collection_format.is_none() && p.ty != ParamType::Array {
        return Err(e(format!(
            "parameter {:?}: collection format given for a non-array",
            p.name
        )));
    }
    if p.ty == ParamType::File && p.location != Location::FormData {
        return Err(e(format!(
            "parameter {:?}: a file parameter must be in formData",
            p.name
        )));
    }
    if p.location == Location::Path && !p.required {
        return Err(e(format!("path parameter {:?} must be required", p.name)));
    }
    Ok(())
}

fn check_operation(file: &str, o: &OperationSpec) -> Result<(), SpecError> {
    let id = o.id.as_str();
    let e = |m: String| err(file, Some(id), m);
    if o.collections.is_empty() {
        return Err(e("lists no collection".into()));
    }
    let placeholders = route_placeholders(&o.route).map_err(e)?;
    let mut seen = BTreeSet::new();
    let mut bodies = 0;
    for p in &o.params {
        check_param(file, id, p)?;
        if !seen.insert((p.location, p.name.as_str())) {
            return Err(e(format!(
                "parameter {:?} is declared twice in {}",
                p.name, p.location
            )));
        }
        if p.location == Location::Body {
            bodies += 1;
        }
        if p.location == Location::Path && !placeholders.contains(&p.name.as_str()) {
            return Err(e(format!(
                "path parameter {:?} has no {{{}}} placeholder in route {}",
                p.name, p.name, o.route
            )));
        }
    }
    for ph in &placeholders {
        if !o
            .params
            .iter()
            .any(|p| p.location == Location::Path && p.name == *ph)
        {
            return Err(e(format!(
                "route placeholder {{{ph}}} has no path parameter"
            )));
        }
    }
    if bodies > 1 {
        return Err(e("declares more than one body parameter".into()));
    }
    match (&o.body, bodies) {
        (Some(_), 0) => return Err(e("has a body shape but no body parameter".into())),
        (None, 1) => return Err(e("has a body parameter but no body shape".into())),
        _ => {}
    }
    if let Some(b) = &o.body {
        let root_ty = match b.root {
            BodyRoot::Array => ParamType::Array,
            _ => ParamType::Object,
        };
        check_items("body", root_ty, b.items).map_err(e)?;
        check_fields(&b.fields, "", 0).map_err(e)?;
    }
    Ok(())
}

/// Checks a list of body fields and, recursively, the fields below them
/// (`prefix` is the parent's dotted path, empty at the top).
fn check_fields(fields: &[FieldSpec], prefix: &str, depth: usize) -> Result<(), String> {
    let mut names = BTreeSet::new();
    for f in fields {
        let path = format!("{prefix}{}", f.name);
        if !names.insert(f.name.as_str()) {
            return Err(format!("body field {path:?} is declared twice"));
        }
        if f.ty == ParamType::File {
            return Err(format!(
                "body field {path:?}: type file is only for form parameters"
            ));
        }
        check_items(&format!("body field {path:?}"), f.ty, f.items)?;
        if f.fields.is_empty() {
            continue;
        }
        let holds = f.ty == ParamType::Object || f.items == Some(ParamType::Object);
        if !holds || depth >= NESTED_LEVELS {
            return Err(format!(
                "body field {path:?}: only an object or a list of objects within {NESTED_LEVELS} levels has nested fields"
            ));
        }
        check_fields(&f.fields, &format!("{path}."), depth + 1)?;
    }
    Ok(())
}

/// Validates a whole table: the collection files (with their file names),
/// the aliases and the clouds. Returns the first problem found.
pub fn validate(
    collections: &[(String, CollectionFile)],
    aliases_file: &str,
    aliases: &AliasFile,
    clouds_file: &str,
    clouds: &CloudFile,
) -> Result<(), SpecError> {
    let mut ids: BTreeMap<&str, &str> = BTreeMap::new();
    let mut collection_names = BTreeSet::new();
    for (file, cf) in collections {
        if cf.collection.is_empty() {
            return Err(err(file, None, "empty collection name"));
        }
        if !collection_names.insert(cf.collection.as_str()) {
            return Err(err(
                file,
                None,
                format!("collection {:?} appears in two files", cf.collection),
            ));
        }
        for o in &cf.operations {
            if o.id.is_empty() {
                return Err(err(file, None, "an operation has an empty id"));
            }
            if let Some(prev) = ids.insert(o.id.as_str(), file.as_str()) {
                return Err(err(
                    file,
                    Some(&o.id),
                    format!("duplicate operation ID (also in {prev})"),
                ));
            }
            if o.collections.first() != Some(&cf.collection) {
                return Err(err(
                    file,
                    Some(&o.id),
                    format!(
                        "first collection {:?} is not the file's collection {:?}",
                        o.collections.first(),
                        cf.collection
                    ),
                ));
            }
            check_operation(file, o)?;
        }
    }
    for (kind, map) in [
        ("same_route", &aliases.same_route),
        ("legacy", &aliases.legacy),
    ] {
        for (alias, target) in map {
            if alias.is_empty() {
                return Err(err(aliases_file, None, format!("{kind}: empty alias")));
            }
            if !ids.contains_key(target.as_str()) {
                return Err(err(
                    aliases_file,
                    Some(alias),
                    format!("{kind} alias names unknown operation {target:?}"),
                ));
            }
        }
    }
    for alias in aliases.same_route.keys() {
        if aliases.legacy.contains_key(alias) {
            return Err(err(
                aliases_file,
                Some(alias),
                "listed both as same_route and legacy",
            ));
        }
    }
    for r in &aliases.retired {
        if aliases.same_route.contains_key(r) || aliases.legacy.contains_key(r) {
            return Err(err(
                aliases_file,
                Some(r),
                "retired ID also has a successor",
            ));
        }
    }
    if clouds.regions.is_empty() {
        return Err(err(clouds_file, None, "no regions"));
    }
    if clouds.auto.is_empty() {
        return Err(err(clouds_file, None, "no auto host"));
    }
    let mut keys = BTreeMap::new();
    for (name, r) in &clouds.regions {
        crate::region::check_name(name).map_err(|m| err(clouds_file, None, m))?;
        if let Some(other) = keys.insert(crate::region::key(name), name) {
            return Err(err(
                clouds_file,
                None,
                format!("regions {other:?} and {name:?} are the same name spelled twice"),
            ));
        }
        if r.api.is_empty() || r.container_registry.is_empty() {
            return Err(err(clouds_file, None, format!("region {name}: empty host")));
        }
    }
    Ok(())
}

/// The PEP 8 (snake_case) name of an operation ID: `QueryIncidents` ->
/// `query_incidents`, `GetCaseEntitiesByIDs` -> `get_case_entities_by_ids`,
/// `RTR-ListSessions` -> `rtr_list_sessions`.
pub fn snake_case(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let mut out = String::with_capacity(id.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        if c == '-' || c == '.' || c == '_' || c == ' ' {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            continue;
        }
        if c.is_uppercase() {
            let prev = if i > 0 { chars[i - 1] } else { '_' };
            let next = chars.get(i + 1).copied().unwrap_or('_');
            let boundary = prev.is_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_uppercase() && next.is_lowercase() && !is_plural_s(&chars, i));
            if boundary && !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// `IDs`, `URLs`: an upper-case run followed by a lone final `s` is one word.
fn is_plural_s(chars: &[char], i: usize) -> bool {
    chars.get(i + 1) == Some(&'s')
        && !chars.get(i + 2).is_some_and(|c| c.is_lowercase())
        && i > 0
        && chars[i - 1].is_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_names() {
        assert_eq!(snake_case("QueryIncidents"), "query_incidents");
        assert_eq!(
            snake_case("GetCaseEntitiesByIDs"),
            "get_case_entities_by_ids"
        );
        assert_eq!(snake_case("CreateCaseV2"), "create_case_v2");
        assert_eq!(snake_case("RTR-ListSessions"), "rtr_list_sessions");
        assert_eq!(snake_case("RTR_ListSessions"), "rtr_list_sessions");
        assert_eq!(snake_case("CrowdScore"), "crowd_score");
        assert_eq!(snake_case("queries.cases.get.v1"), "queries_cases_get_v1");
        assert_eq!(snake_case("GetURLsForX"), "get_urls_for_x");
    }

    #[test]
    fn placeholders() {
        assert_eq!(
            route_placeholders("/a/{x}/b/{y-z}").unwrap(),
            vec!["x", "y-z"]
        );
        assert!(route_placeholders("a/b").is_err());
        assert!(route_placeholders("/a/{x").is_err());
        assert!(route_placeholders("/a/x}").is_err());
        assert!(route_placeholders("/a/{}").is_err());
    }
}
