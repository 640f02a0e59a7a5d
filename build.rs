//! Compiles `endpoints/*.json` into static lookup tables.
//!
//! Reading and validation live in the `falcon-harness-spec` package
//! (`spec/`, a build-dependency); this file only emits Rust. A bad entry fails the build with a
//! message naming its file and operation.

use falcon_harness_spec as spec;
use falcon_harness_spec::format::{BodySpec, FieldSpec, OperationSpec, ParamSpec};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    if let Err(e) = run() {
        eprintln!("error: falcon-harness endpoint table: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let dir = manifest.join("endpoints");
    println!("cargo:rerun-if-changed={}", dir.display());
    for f in spec::json_files(&dir).map_err(|e| e.to_string())? {
        println!("cargo:rerun-if-changed={}", f.display());
    }
    // Recovery path: an empty table lets `falcon-import` build and
    // regenerate a missing or broken `endpoints/`.
    println!("cargo:rerun-if-env-changed=FALCON_HARNESS_EMPTY_TABLE");
    let table = if std::env::var_os("FALCON_HARNESS_EMPTY_TABLE").is_some() {
        println!("cargo:warning=FALCON_HARNESS_EMPTY_TABLE is set: the operation table is empty");
        spec::Table {
            collections: Vec::new(),
            aliases: Default::default(),
            clouds: Default::default(),
        }
    } else {
        spec::load_dir(&dir).map_err(|e| e.to_string())?
    };
    let code = generate(&table)?;
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    write_if_changed(&out.join("table.rs"), &code)
}

fn write_if_changed(path: &Path, code: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).ok().as_deref() == Some(code) {
        return Ok(());
    }
    std::fs::write(path, code).map_err(|e| format!("{}: {e}", path.display()))
}

fn ty(t: &str) -> &'static str {
    match t {
        "string" => "ParamType::String",
        "integer" => "ParamType::Integer",
        "number" => "ParamType::Number",
        "boolean" => "ParamType::Boolean",
        "array" => "ParamType::Array",
        "file" => "ParamType::File",
        _ => "ParamType::Object",
    }
}

fn opt_ty(t: &Option<String>) -> String {
    match t {
        Some(t) => format!("Some({})", ty(t)),
        None => "None".into(),
    }
}

fn opt_f64(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => format!("Some({v:?}_f64)"),
        _ => "None".into(),
    }
}

fn strs(list: &[String]) -> String {
    let mut s = String::from("&[");
    for x in list {
        let _ = write!(s, "{x:?},");
    }
    s.push(']');
    s
}

/// An enum value as it is written in a query string.
fn enum_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn param(file: &str, op: &str, p: &ParamSpec) -> Result<String, String> {
    let location = match p.location.as_str() {
        "query" => "Location::Query",
        "path" => "Location::Path",
        "header" => "Location::Header",
        "formData" => "Location::FormData",
        "body" => "Location::Body",
        other => {
            return Err(format!(
                "{file}: operation {op}: unknown location {other:?}"
            ))
        }
    };
    let cf = match p.collection_format.as_deref() {
        None => "CollectionFormat::None",
        Some("csv") => "CollectionFormat::Csv",
        Some("multi") => "CollectionFormat::Multi",
        Some("ssv") => "CollectionFormat::Ssv",
        Some("tsv") => "CollectionFormat::Tsv",
        Some("pipes") => "CollectionFormat::Pipes",
        Some(other) => {
            return Err(format!(
                "{file}: operation {op}: unknown collection format {other:?}"
            ))
        }
    };
    let enums: Vec<String> = p.enum_values.iter().map(enum_text).collect();
    let default = match &p.default {
        Some(v) => format!("Some({:?})", v.to_string()),
        None => "None".into(),
    };
    Ok(format!(
        "Param {{ name: {:?}, location: {location}, ty: {}, items: {}, collection_format: {cf}, required: {}, enum_values: {}, default: {default}, minimum: {}, maximum: {}, aliases: {} }}",
        p.name,
        ty(&p.ty),
        opt_ty(&p.items),
        p.required,
        strs(&enums),
        opt_f64(p.minimum),
        opt_f64(p.maximum),
        strs(&p.aliases),
    ))
}

fn body(b: &BodySpec) -> String {
    let root = match b.root.as_str() {
        "array" => "BodyRoot::Array",
        "opaque" => "BodyRoot::Opaque",
        "binary" => "BodyRoot::Binary",
        _ => "BodyRoot::Object",
    };
    let fields = field_list(&b.fields);
    format!(
        "Some(Body {{ root: {root}, items: {}, fields: {fields} }})",
        opt_ty(&b.items)
    )
}

/// A slice of body fields, each with the fields nested below it.
fn field_list(list: &[FieldSpec]) -> String {
    let mut out = String::from("&[");
    for f in list {
        let _ = write!(
            out,
            "Field {{ name: {:?}, ty: {}, items: {}, required: {}, fields: {} }},",
            f.name,
            ty(&f.ty),
            opt_ty(&f.items),
            f.required,
            field_list(&f.fields)
        );
    }
    out.push(']');
    out
}

fn operation(file: &str, o: &OperationSpec) -> Result<String, String> {
    let method = match o.method.as_str() {
        "GET" => "Method::Get",
        "POST" => "Method::Post",
        "PUT" => "Method::Put",
        "PATCH" => "Method::Patch",
        "DELETE" => "Method::Delete",
        "HEAD" => "Method::Head",
        other => {
            return Err(format!(
                "{file}: operation {}: unknown method {other:?}",
                o.id
            ))
        }
    };
    let host = if o.host == "container_registry" {
        "Host::ContainerRegistry"
    } else {
        "Host::Api"
    };
    let mut params = String::from("&[");
    for p in &o.params {
        params.push_str(&param(file, &o.id, p)?);
        params.push(',');
    }
    params.push(']');
    Ok(format!(
        "Operation {{ id: {:?}, collections: {}, method: {method}, route: {:?}, host: {host}, consumes: {}, produces: {}, deprecated: {}, ids_in_body: {}, params: {params}, body: {} }}",
        o.id,
        strs(&o.collections),
        o.route,
        strs(&o.consumes),
        strs(&o.produces),
        o.deprecated,
        o.ids_in_body,
        o.body.as_ref().map(body).unwrap_or_else(|| "None".into()),
    ))
}

fn generate(table: &spec::Table) -> Result<String, String> {
    // Every operation, sorted by ID; maps hold indices into this array.
    let mut ops: Vec<(&str, &OperationSpec)> = Vec::new();
    for (file, cf) in &table.collections {
        for o in &cf.operations {
            ops.push((file.as_str(), o));
        }
    }
    ops.sort_by(|a, b| a.1.id.cmp(&b.1.id));
    let index: BTreeMap<&str, usize> = ops
        .iter()
        .enumerate()
        .map(|(i, (_, o))| (o.id.as_str(), i))
        .collect();

    let mut code = String::new();
    code.push_str("// @generated by build.rs from endpoints/. Do not edit.\n");
    let _ = writeln!(
        code,
        "pub(crate) static OPERATIONS: [Operation; {}] = [",
        ops.len()
    );
    for (file, o) in &ops {
        code.push_str(&operation(file, o)?);
        code.push_str(",\n");
    }
    code.push_str("];\n");

    // By ID. Duplicates were rejected by validation; check again so that
    // phf_codegen never sees one.
    let mut by_id = phf_codegen::Map::<&str>::new();
    let mut seen = BTreeSet::new();
    for (i, (file, o)) in ops.iter().enumerate() {
        if !seen.insert(o.id.as_str()) {
            return Err(format!(
                "{file}: operation {}: duplicate operation ID",
                o.id
            ));
        }
        by_id.entry(o.id.as_str(), &i.to_string());
    }
    let _ = writeln!(
        code,
        "pub(crate) static BY_ID: phf::Map<&'static str, u16> = {};",
        by_id.build()
    );

    // Aliases: alias -> (index, legacy?). An alias that is also an
    // operation ID is left to the operation.
    let mut aliases = phf_codegen::Map::<&str>::new();
    for (legacy, map) in [
        (false, &table.aliases.same_route),
        (true, &table.aliases.legacy),
    ] {
        for (alias, target) in map {
            if index.contains_key(alias.as_str()) {
                continue;
            }
            let i = index
                .get(target.as_str())
                .ok_or_else(|| format!("alias {alias}: unknown operation {target}"))?;
            aliases.entry(alias.as_str(), &format!("({i}, {legacy})"));
        }
    }
    let _ = writeln!(
        code,
        "pub(crate) static ALIASES: phf::Map<&'static str, (u16, bool)> = {};",
        aliases.build()
    );

    // snake_case names; a name two operations share is left out.
    let mut snake: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, (_, o)) in ops.iter().enumerate() {
        snake
            .entry(spec::validate::snake_case(&o.id))
            .or_default()
            .push(i);
    }
    let mut snake_map = phf_codegen::Map::<&str>::new();
    let mut ambiguous = Vec::new();
    for (name, idx) in &snake {
        if idx.len() == 1 {
            snake_map.entry(name.as_str(), &idx[0].to_string());
        } else {
            ambiguous.push(name.clone());
        }
    }
    let _ = writeln!(
        code,
        "pub(crate) static SNAKE: phf::Map<&'static str, u16> = {};",
        snake_map.build()
    );
    let _ = writeln!(
        code,
        "#[allow(dead_code)]\npub(crate) static AMBIGUOUS_SNAKE: &[&str] = {};",
        strs(&ambiguous)
    );
    let _ = writeln!(
        code,
        "pub(crate) static RETIRED: &[&str] = {};",
        strs(&table.aliases.retired)
    );

    // Collections -> member indices (an operation listed in several
    // collections is in each), sorted by name.
    let mut collections: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, (_, o)) in ops.iter().enumerate() {
        for c in &o.collections {
            collections.entry(c.as_str()).or_default().push(i);
        }
    }
    code.push_str("pub(crate) static COLLECTIONS: &[(&str, &[u16])] = &[\n");
    for (name, idx) in &collections {
        let list: Vec<String> = idx.iter().map(|i| i.to_string()).collect();
        let _ = writeln!(code, "({name:?}, &[{}]),", list.join(","));
    }
    code.push_str("];\n");

    code.push_str("pub(crate) static REGIONS: &[(&str, &str, &str)] = &[\n");
    for (name, r) in &table.clouds.regions {
        let _ = writeln!(code, "({name:?}, {:?}, {:?}),", r.api, r.container_registry);
    }
    code.push_str("];\n");
    let _ = writeln!(
        code,
        "pub(crate) static AUTO_HOST: &str = {:?};",
        table.clouds.auto
    );
    Ok(code)
}
