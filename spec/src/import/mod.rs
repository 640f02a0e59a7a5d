//! Converts a Swagger 2.0 document (plus the optional alias and cloud facts)
//! into the files of `endpoints/`.
//!
//! Takes either the curated `falcon-api/swagger.json` or the official
//! swagger file a Falcon customer downloads: tags are normalised to
//! snake_case collections, path-level and `#/parameters` references are
//! resolved, missing media types fall back to the document's or to JSON.
//! Same input, byte-identical output.

mod aliases;
mod facts;
mod operation;
mod schema;

use crate::format::{AliasFile, CloudFile, CollectionFile, OperationSpec};
use crate::vocab::Method;
use crate::{ALIASES_FILE, CLOUDS_FILE};
use aliases::Aliases;
use facts::CloudFacts;
use operation::Site;
use schema::Ctx;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The generated table: file name (relative to `endpoints/`) -> contents.
pub type Rendered = BTreeMap<String, String>;

/// What the importer produced, before rendering.
#[derive(Debug, Clone, Default)]
pub struct Imported {
    /// One entry per collection, sorted by name.
    pub collections: Vec<CollectionFile>,
    /// Aliases and retired IDs.
    pub aliases: AliasFile,
    /// Region hosts (empty when no clouds document was given).
    pub clouds: CloudFile,
}

/// An import failure, naming the operation (or route) at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError(pub String);

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ImportError {}

fn ierr<T>(msg: impl Into<String>) -> Result<T, ImportError> {
    Err(ImportError(msg.into()))
}

fn str_list(v: Option<&Value>) -> Option<Vec<String>> {
    v.and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    })
}

/// Imports a Swagger 2.0 document. `aliases` is the content of
/// `aliases.json` and `clouds` of `clouds.json`, when available.
pub fn import(
    swagger: &Value,
    aliases: Option<&Value>,
    clouds: Option<&Value>,
) -> Result<Imported, ImportError> {
    if swagger.get("swagger").and_then(Value::as_str) != Some("2.0") {
        return ierr("not a Swagger 2.0 document (no \"swagger\": \"2.0\")");
    }
    let paths = swagger
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| ImportError("no \"paths\" object".into()))?;
    let facts = CloudFacts::read(clouds);
    let mut ops = operations(swagger, paths, &facts)?;
    let ids: BTreeSet<String> = ops.iter().map(|o| o.id.clone()).collect();
    let aliases = Aliases::read(swagger, aliases)?;
    mark_ids_in_body(&mut ops, &ids, &aliases, &facts);
    Ok(Imported {
        collections: by_collection(ops),
        aliases: aliases.file(&ids)?,
        clouds: facts::cloud_file(clouds),
    })
}

/// Every operation of every path, in document order.
fn operations(
    swagger: &Value,
    paths: &Map<String, Value>,
    facts: &CloudFacts,
) -> Result<Vec<OperationSpec>, ImportError> {
    let ctx = Ctx { doc: swagger };
    let doc_consumes = str_list(swagger.get("consumes"));
    let doc_produces = str_list(swagger.get("produces"));
    let mut ops = Vec::new();
    for (route, item) in paths {
        let item = item
            .as_object()
            .ok_or_else(|| ImportError(format!("path {route}: not an object")))?;
        let shared_params = item
            .get("parameters")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for (key, op) in item {
            if key == "parameters" || key == "$ref" || key.starts_with("x-") {
                continue;
            }
            let method = Method::parse(key).ok_or_else(|| {
                ImportError(format!(
                    "path {route}: method {key:?} is not supported (expected one of {})",
                    Method::expected()
                ))
            })?;
            let site = Site {
                route,
                method,
                shared_params,
                doc_consumes: doc_consumes.as_deref(),
                doc_produces: doc_produces.as_deref(),
            };
            ops.push(operation::operation(&ctx, facts, &site, op)?);
        }
    }
    Ok(ops)
}

/// Sets `ids_in_body` on the operations the facts name (directly or
/// through an alias).
fn mark_ids_in_body(
    ops: &mut [OperationSpec],
    ids: &BTreeSet<String>,
    aliases: &Aliases,
    facts: &CloudFacts,
) {
    let marked: BTreeSet<String> = facts
        .ids_in_body
        .iter()
        .filter_map(|name| aliases.resolve(ids, name).ok())
        .collect();
    for o in ops {
        o.ids_in_body = marked.contains(&o.id);
    }
}

/// Groups operations by home collection, each sorted by ID.
fn by_collection(ops: Vec<OperationSpec>) -> Vec<CollectionFile> {
    let mut groups: BTreeMap<String, Vec<OperationSpec>> = BTreeMap::new();
    for o in ops {
        groups.entry(o.collections[0].clone()).or_default().push(o);
    }
    groups
        .into_iter()
        .map(|(collection, mut operations)| {
            operations.sort_by(|a, b| a.id.cmp(&b.id));
            CollectionFile {
                collection,
                operations,
            }
        })
        .collect()
}

/// Renders an import as the files of `endpoints/` (pretty JSON, one
/// trailing newline). `_clouds.json` is written only when regions are known.
pub fn render(imported: &Imported) -> Result<Rendered, ImportError> {
    let mut out = BTreeMap::new();
    let pretty = |v: &dyn erased::Ser| -> Result<String, ImportError> {
        v.to_pretty()
            .map_err(|e| ImportError(format!("serialise: {e}")))
    };
    for c in &imported.collections {
        out.insert(format!("{}.json", c.collection), pretty(c)?);
    }
    out.insert(ALIASES_FILE.to_string(), pretty(&imported.aliases)?);
    if !imported.clouds.regions.is_empty() {
        out.insert(CLOUDS_FILE.to_string(), pretty(&imported.clouds)?);
    }
    Ok(out)
}

mod erased {
    pub trait Ser {
        fn to_pretty(&self) -> serde_json::Result<String>;
    }
    impl<T: serde::Serialize> Ser for T {
        fn to_pretty(&self) -> serde_json::Result<String> {
            let mut s = serde_json::to_string_pretty(self)?;
            s.push('\n');
            Ok(s)
        }
    }
}
