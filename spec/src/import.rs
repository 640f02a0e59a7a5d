//! Converts a Swagger 2.0 document (plus the optional alias and cloud facts)
//! into the files of `endpoints/`.
//!
//! Takes either the curated `falcon-api/swagger.json` or the official
//! swagger file a Falcon customer downloads: tags are normalised to
//! snake_case collections, path-level and `#/parameters` references are
//! resolved, missing media types fall back to the document's or to JSON.
//! Same input, byte-identical output.

use super::format::{
    AliasFile, BodySpec, CloudFile, CollectionFile, FieldSpec, OperationSpec, ParamSpec,
    RegionHosts, NESTED_LEVELS,
};
use super::validate::snake_case;
use super::{ALIASES_FILE, CLOUDS_FILE};
use serde_json::Value;
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

const HTTP_METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

struct Ctx<'a> {
    doc: &'a Value,
}

impl<'a> Ctx<'a> {
    /// Follows a `$ref` (`#/definitions/X`, `#/parameters/X`) inside the document.
    fn deref(&self, v: &'a Value) -> Result<&'a Value, ImportError> {
        let mut cur = v;
        for _ in 0..32 {
            match cur.get("$ref").and_then(Value::as_str) {
                Some(r) => {
                    let ptr = r
                        .strip_prefix('#')
                        .ok_or_else(|| ImportError(format!("external $ref {r:?}")))?;
                    cur = self
                        .doc
                        .pointer(ptr)
                        .ok_or_else(|| ImportError(format!("dangling $ref {r:?}")))?;
                }
                None => return Ok(cur),
            }
        }
        ierr("$ref chain too deep")
    }

    /// The JSON type of a schema, resolving references and `allOf`.
    fn schema_type(&self, s: &'a Value) -> Result<String, ImportError> {
        let s = self.deref(s)?;
        if let Some(t) = s.get("type").and_then(Value::as_str) {
            return Ok(match t {
                "string" | "integer" | "number" | "boolean" | "array" | "object" => t.to_string(),
                "file" => "string".to_string(),
                other => return ierr(format!("unknown schema type {other:?}")),
            });
        }
        if s.get("properties").is_some() || s.get("allOf").is_some() {
            return Ok("object".to_string());
        }
        // An untyped schema accepts any JSON; treat it as an object.
        Ok("object".to_string())
    }

    fn items_type(&self, s: &'a Value) -> Result<Option<String>, ImportError> {
        let s = self.deref(s)?;
        match s.get("items") {
            Some(items) => {
                let t = self.schema_type(items)?;
                // Arrays of arrays are sent as given; describe their elements
                // as objects (any JSON).
                Ok(Some(if t == "array" { "object".into() } else { t }))
            }
            None => Ok(Some("object".into())),
        }
    }

    /// Top-level properties of an object schema, following `allOf`, with
    /// their nested fields down to [`NESTED_LEVELS`] levels.
    fn fields(&self, s: &'a Value, out: &mut Vec<FieldSpec>) -> Result<(), ImportError> {
        self.fields_to(s, out, NESTED_LEVELS)
    }

    /// The fields below a property of type `ty`: the object's properties,
    /// or those of each element of an array of objects; none at depth 0.
    fn nested(&self, p: &'a Value, ty: &str, depth: usize) -> Result<Vec<FieldSpec>, ImportError> {
        let mut out = Vec::new();
        if depth == 0 {
            return Ok(out);
        }
        let p = self.deref(p)?;
        let object = match ty {
            "object" => Some(p),
            "array" => p
                .get("items")
                .filter(|i| self.schema_type(i).is_ok_and(|t| t == "object")),
            _ => None,
        };
        if let Some(o) = object {
            self.fields_to(o, &mut out, depth - 1)?;
        }
        Ok(out)
    }

    /// Properties of an object schema, following `allOf`; `depth` more
    /// levels of nested fields are recorded below them.
    fn fields_to(
        &self,
        s: &'a Value,
        out: &mut Vec<FieldSpec>,
        depth: usize,
    ) -> Result<(), ImportError> {
        let s = self.deref(s)?;
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            for part in all {
                self.fields_to(part, out, depth)?;
            }
        }
        let required: BTreeSet<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(props) = s.get("properties").and_then(Value::as_object) {
            for (name, p) in props {
                let ty = self.schema_type(p)?;
                let items = if ty == "array" {
                    self.items_type(p)?
                } else {
                    None
                };
                let field = FieldSpec {
                    name: name.clone(),
                    fields: self.nested(p, &ty, depth)?,
                    ty,
                    items,
                    required: required.contains(name.as_str()),
                };
                match out.iter_mut().find(|f| f.name == *name) {
                    Some(existing) => *existing = field,
                    None => out.push(field),
                }
            }
        }
        Ok(())
    }

    fn body_spec(
        &self,
        schema: &'a Value,
    ) -> Result<(BodySpec, String, Option<String>), ImportError> {
        let raw = schema;
        let s = self.deref(schema)?;
        let ty = s.get("type").and_then(Value::as_str);
        if ty == Some("string") || ty == Some("file") {
            let spec = BodySpec {
                root: "binary".into(),
                items: None,
                fields: vec![],
            };
            return Ok((spec, "string".into(), None));
        }
        if ty == Some("array") {
            let items = s.get("items").unwrap_or(&Value::Null);
            let it = if items.is_null() {
                "object".to_string()
            } else {
                self.schema_type(items)?
            };
            let it = if it == "array" {
                "object".to_string()
            } else {
                it
            };
            let mut fields = Vec::new();
            if it == "object" && !items.is_null() {
                self.fields(items, &mut fields)?;
            }
            let spec = BodySpec {
                root: "array".into(),
                items: Some(it.clone()),
                fields,
            };
            return Ok((spec, "array".into(), Some(it)));
        }
        let mut fields = Vec::new();
        self.fields(raw, &mut fields)?;
        let root = if fields.is_empty() && s.get("allOf").is_none() && s.get("properties").is_none()
        {
            "opaque"
        } else {
            "object"
        };
        Ok((
            BodySpec {
                root: root.into(),
                items: None,
                fields,
            },
            "object".into(),
            None,
        ))
    }
}

fn normalise_collection(tag: &str) -> String {
    let s = snake_case(tag.trim());
    if s.is_empty() {
        "uncategorized".to_string()
    } else {
        s
    }
}

fn str_list(v: Option<&Value>) -> Option<Vec<String>> {
    v.and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    })
}

fn norm_arg(s: &str) -> String {
    s.to_ascii_lowercase().replace('-', "_")
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
    let ctx = Ctx { doc: swagger };
    let paths = swagger
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| ImportError("no \"paths\" object".into()))?;
    let doc_consumes = str_list(swagger.get("consumes"));
    let doc_produces = str_list(swagger.get("produces"));

    let cloud_list = |key: &str| -> BTreeSet<String> {
        clouds
            .and_then(|c| c.get(key))
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let registry_ops = cloud_list("container_registry_operations");
    let ids_in_body_raw = cloud_list("ids_in_body_operations");
    let uber_paths: BTreeMap<String, Vec<String>> = clouds
        .and_then(|c| c.get("uber_path_arguments"))
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), str_list(Some(v)).unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();

    let mut ops: Vec<OperationSpec> = Vec::new();
    for (route, item) in paths {
        let item = item
            .as_object()
            .ok_or_else(|| ImportError(format!("path {route}: not an object")))?;
        let shared_params: Vec<&Value> = item
            .get("parameters")
            .and_then(Value::as_array)
            .map(|a| a.iter().collect())
            .unwrap_or_default();
        for (method, op) in item {
            if !HTTP_METHODS.contains(&method.as_str()) {
                continue;
            }
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    ImportError(format!("{} {route}: no operationId", method.to_uppercase()))
                })?
                .to_string();
            let at = |m: String| ImportError(format!("operation {id}: {m}"));
            let tags = str_list(op.get("tags")).unwrap_or_default();
            let mut collections: Vec<String> = Vec::new();
            for t in &tags {
                let c = normalise_collection(t);
                if !collections.contains(&c) {
                    collections.push(c);
                }
            }
            if collections.is_empty() {
                collections.push("uncategorized".into());
            }
            let has_form = op
                .get("parameters")
                .and_then(Value::as_array)
                .is_some_and(|a| {
                    a.iter().any(|p| {
                        ctx.deref(p)
                            .ok()
                            .and_then(|p| p.get("in"))
                            .and_then(Value::as_str)
                            == Some("formData")
                    })
                });
            let consumes = str_list(op.get("consumes"))
                .or_else(|| doc_consumes.clone())
                .unwrap_or_else(|| {
                    vec![if has_form {
                        "multipart/form-data"
                    } else {
                        "application/json"
                    }
                    .into()]
                });
            let produces = str_list(op.get("produces"))
                .or_else(|| doc_produces.clone())
                .unwrap_or_else(|| vec!["application/json".into()]);

            // Operation parameters override path-level ones of the same name and place.
            let mut raw_params: Vec<&Value> = Vec::new();
            let own: Vec<&Value> = op
                .get("parameters")
                .and_then(Value::as_array)
                .map(|a| a.iter().collect())
                .unwrap_or_default();
            let key = |p: &Value| -> Result<(String, String), ImportError> {
                let p = ctx.deref(p)?;
                Ok((
                    p.get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    p.get("in")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                ))
            };
            for sp in &shared_params {
                let k = key(sp).map_err(|e| at(e.0))?;
                let mut overridden = false;
                for o in &own {
                    if key(o).map_err(|e| at(e.0))? == k {
                        overridden = true;
                    }
                }
                if !overridden {
                    raw_params.push(sp);
                }
            }
            raw_params.extend(own);

            let uber = uber_paths.get(&id);
            let mut params = Vec::new();
            let mut body = None;
            for rp in raw_params {
                let p = ctx.deref(rp).map_err(|e| at(e.0))?;
                let name = p
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| at("a parameter has no name".into()))?
                    .to_string();
                let location = p
                    .get("in")
                    .and_then(Value::as_str)
                    .ok_or_else(|| at(format!("parameter {name:?} has no \"in\"")))?
                    .to_string();
                let (ty, items) = if location == "body" {
                    let schema = p.get("schema").unwrap_or(&Value::Null);
                    let (spec, ty, items) = if schema.is_null() {
                        (
                            BodySpec {
                                root: "opaque".into(),
                                items: None,
                                fields: vec![],
                            },
                            "object".to_string(),
                            None,
                        )
                    } else {
                        ctx.body_spec(schema).map_err(|e| at(e.0))?
                    };
                    body = Some(spec);
                    (ty, items)
                } else {
                    let ty = p
                        .get("type")
                        .and_then(Value::as_str)
                        .unwrap_or("string")
                        .to_string();
                    let items = if ty == "array" {
                        Some(match p.get("items") {
                            Some(it) => {
                                let t = ctx.schema_type(it).map_err(|e| at(e.0))?;
                                if t == "array" {
                                    "string".into()
                                } else {
                                    t
                                }
                            }
                            None => "string".into(),
                        })
                    } else {
                        None
                    };
                    (ty, items)
                };
                let collection_format = if ty == "array" && location != "body" {
                    Some(
                        p.get("collectionFormat")
                            .and_then(Value::as_str)
                            .unwrap_or("csv")
                            .to_string(),
                    )
                } else {
                    None
                };
                let mut aliases = Vec::new();
                if location == "path" {
                    if let Some(names) = uber {
                        let target = norm_arg(&name);
                        for u in names {
                            let n = norm_arg(u);
                            if u != &name && (n == target || n.ends_with(&format!("_{target}"))) {
                                aliases.push(u.clone());
                            }
                        }
                    }
                }
                params.push(ParamSpec {
                    required: p.get("required").and_then(Value::as_bool).unwrap_or(false)
                        || location == "path",
                    enum_values: p
                        .get("enum")
                        .and_then(Value::as_array)
                        .cloned()
                        .unwrap_or_default(),
                    default: p.get("default").cloned(),
                    minimum: p.get("minimum").and_then(Value::as_f64),
                    maximum: p.get("maximum").and_then(Value::as_f64),
                    name,
                    location,
                    ty,
                    items,
                    collection_format,
                    aliases,
                });
            }
            ops.push(OperationSpec {
                host: if registry_ops.contains(&id) {
                    "container_registry".into()
                } else {
                    "api".into()
                },
                deprecated: op
                    .get("deprecated")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                ids_in_body: false,
                id,
                collections,
                method: method.to_uppercase(),
                route: route.clone(),
                consumes,
                produces,
                params,
                body,
            });
        }
    }

    // Aliases: x-operation-aliases name the same route; aliases.json adds
    // legacy IDs. An ID that is an operation of its own stays one.
    let op_ids: BTreeSet<String> = ops.iter().map(|o| o.id.clone()).collect();
    let same_route_raw: BTreeMap<String, String> = swagger
        .get("x-operation-aliases")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let mut legacy_raw: BTreeMap<String, String> = BTreeMap::new();
    let mut retired: BTreeSet<String> = BTreeSet::new();
    if let Some(a) = aliases.and_then(Value::as_object) {
        for (k, v) in a {
            match (k.as_str(), v) {
                ("retired", Value::Array(list)) => {
                    retired.extend(list.iter().filter_map(Value::as_str).map(str::to_string))
                }
                (_, Value::String(t)) => {
                    legacy_raw.insert(k.clone(), t.clone());
                }
                _ => {
                    return ierr(format!(
                        "aliases: entry {k:?} is neither a string nor the retired list"
                    ))
                }
            }
        }
    }
    let resolve = |start: &str| -> Result<String, ImportError> {
        let mut cur = start.to_string();
        for _ in 0..16 {
            if op_ids.contains(&cur) {
                return Ok(cur);
            }
            match same_route_raw.get(&cur).or_else(|| legacy_raw.get(&cur)) {
                Some(next) => cur = next.clone(),
                None => return ierr(format!("alias {start:?} names unknown operation {cur:?}")),
            }
        }
        ierr(format!("alias {start:?}: chain too long"))
    };
    let mut alias_file = AliasFile::default();
    for (k, _) in same_route_raw.iter() {
        if !op_ids.contains(k) {
            alias_file.same_route.insert(k.clone(), resolve(k)?);
        }
    }
    for (k, _) in legacy_raw.iter() {
        if !op_ids.contains(k) && !same_route_raw.contains_key(k) {
            alias_file.legacy.insert(k.clone(), resolve(k)?);
        }
    }
    alias_file.retired = retired
        .into_iter()
        .filter(|r| !alias_file.same_route.contains_key(r) && !alias_file.legacy.contains_key(r))
        .collect();

    // ids-in-body flags may name an alias; apply them to the operation.
    let mut ids_in_body = BTreeSet::new();
    for name in &ids_in_body_raw {
        if op_ids.contains(name) {
            ids_in_body.insert(name.clone());
        } else if let Ok(t) = resolve(name) {
            ids_in_body.insert(t);
        }
    }
    for o in &mut ops {
        o.ids_in_body = ids_in_body.contains(&o.id);
    }

    // Group by home collection, operations sorted by ID.
    let mut by_collection: BTreeMap<String, Vec<OperationSpec>> = BTreeMap::new();
    for o in ops {
        by_collection
            .entry(o.collections[0].clone())
            .or_default()
            .push(o);
    }
    let collections = by_collection
        .into_iter()
        .map(|(collection, mut operations)| {
            operations.sort_by(|a, b| a.id.cmp(&b.id));
            CollectionFile {
                collection,
                operations,
            }
        })
        .collect();

    let mut cloud_file = CloudFile::default();
    if let Some(c) = clouds {
        if let Some(regions) = c.get("regions").and_then(Value::as_object) {
            for (name, r) in regions {
                let host = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                cloud_file.regions.insert(
                    name.clone(),
                    RegionHosts {
                        api: host("api"),
                        container_registry: host("container_registry"),
                    },
                );
            }
        }
        cloud_file.auto = c
            .pointer("/auto/api")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
    }
    Ok(Imported {
        collections,
        aliases: alias_file,
        clouds: cloud_file,
    })
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
