//! One Swagger operation to one [`OperationSpec`]: its collections, media
//! types, merged parameters and body shape.

use super::facts::CloudFacts;
use super::schema::Ctx;
use super::{str_list, ImportError};
use crate::format::{BodySpec, OperationSpec, ParamSpec};
use crate::validate::snake_case;
use crate::vocab::{BodyRoot, CollectionFormat, Host, Location, Method, ParamType};
use serde_json::Value;

/// The collection of operations without a tag.
const UNCATEGORIZED: &str = "uncategorized";

/// Where an operation is in the document, for messages and the result.
pub(super) struct Site<'a> {
    pub route: &'a str,
    pub method: Method,
    /// The path item's own `parameters`.
    pub shared_params: &'a [Value],
    /// The document's default media types.
    pub doc_consumes: Option<&'a [String]>,
    pub doc_produces: Option<&'a [String]>,
}

/// Converts one operation object. Errors name the operation.
pub(super) fn operation(
    ctx: &Ctx<'_>,
    facts: &CloudFacts,
    site: &Site<'_>,
    op: &Value,
) -> Result<OperationSpec, ImportError> {
    let id = op
        .get("operationId")
        .and_then(Value::as_str)
        .ok_or_else(|| ImportError(format!("{} {}: no operationId", site.method, site.route)))?
        .to_string();
    let at = |e: ImportError| ImportError(format!("operation {id}: {}", e.0));
    let own = op
        .get("parameters")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let raw_params = merged_params(ctx, site.shared_params, own).map_err(at)?;
    let uber = facts
        .uber_paths
        .get(&id)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut params = Vec::new();
    let mut body = None;
    for rp in raw_params {
        let (p, shape) = param(ctx, rp, uber).map_err(at)?;
        if shape.is_some() {
            body = shape;
        }
        params.push(p);
    }
    // The fallback media type looks at the operation's own parameters.
    let has_form = own.iter().any(|p| {
        ctx.deref(p)
            .ok()
            .and_then(|p| p.get("in"))
            .and_then(Value::as_str)
            == Some(Location::FormData.as_str())
    });
    let consumes = media_types(op.get("consumes"), site.doc_consumes, || {
        if has_form {
            "multipart/form-data"
        } else {
            "application/json"
        }
    });
    // A body that accepts no JSON media type is sent raw, whatever its
    // schema says (ArchiveUploadV1's "array of integers" is the bytes).
    if body.is_some() && !consumes.iter().any(|c| crate::media::is_json(c)) {
        body = Some(BodySpec {
            root: BodyRoot::Binary,
            items: None,
            fields: Vec::new(),
        });
        for p in params.iter_mut().filter(|p| p.location == Location::Body) {
            p.ty = ParamType::String;
            p.items = None;
        }
    }
    Ok(OperationSpec {
        host: if facts.registry_ops.contains(&id) {
            Host::ContainerRegistry
        } else {
            Host::Api
        },
        deprecated: op
            .get("deprecated")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        ids_in_body: false,
        collections: collections(op),
        method: site.method,
        route: site.route.to_string(),
        consumes,
        produces: media_types(op.get("produces"), site.doc_produces, || "application/json"),
        params,
        body,
        id,
    })
}

/// The snake_case collections of an operation's tags, in order, or
/// `uncategorized`.
fn collections(op: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in str_list(op.get("tags")).unwrap_or_default() {
        let c = snake_case(t.trim());
        let c = if c.is_empty() {
            UNCATEGORIZED.into()
        } else {
            c
        };
        if !out.contains(&c) {
            out.push(c);
        }
    }
    if out.is_empty() {
        out.push(UNCATEGORIZED.into());
    }
    out
}

/// The operation's media types, else the document's, else `fallback`.
fn media_types(
    own: Option<&Value>,
    doc: Option<&[String]>,
    fallback: impl FnOnce() -> &'static str,
) -> Vec<String> {
    str_list(own)
        .or_else(|| doc.map(<[String]>::to_vec))
        .unwrap_or_else(|| vec![fallback().to_string()])
}

/// Path-level parameters not overridden by the operation's own (same
/// name and place), then the operation's own.
fn merged_params<'a>(
    ctx: &Ctx<'a>,
    shared: &'a [Value],
    own: &'a [Value],
) -> Result<Vec<&'a Value>, ImportError> {
    let key = |p: &'a Value| -> Result<(&'a str, &'a str), ImportError> {
        let p = ctx.deref(p)?;
        let text = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("");
        Ok((text("name"), text("in")))
    };
    let own_keys = own.iter().map(key).collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::new();
    for sp in shared {
        if !own_keys.contains(&key(sp)?) {
            out.push(sp);
        }
    }
    out.extend(own);
    Ok(out)
}

/// One parameter, and the body shape when it is the body parameter.
fn param(
    ctx: &Ctx<'_>,
    raw: &Value,
    uber: &[String],
) -> Result<(ParamSpec, Option<BodySpec>), ImportError> {
    let p = ctx.deref(raw)?;
    let name = p
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| ImportError("a parameter has no name".into()))?
        .to_string();
    let location = match p.get("in").and_then(Value::as_str) {
        None => return Err(ImportError(format!("parameter {name:?} has no \"in\""))),
        Some(l) => Location::from_name(l)
            .ok_or_else(|| ImportError(format!("parameter {name:?}: unknown location {l:?}")))?,
    };
    let (ty, items, body) = if location == Location::Body {
        let (shape, ty, items) = ctx.body_spec(p.get("schema").filter(|s| !s.is_null()))?;
        (ty, items, Some(shape))
    } else {
        let ty = match p.get("type").and_then(Value::as_str) {
            None => ParamType::String,
            Some(t) => ParamType::from_name(t)
                .ok_or_else(|| ImportError(format!("parameter {name:?}: unknown type {t:?}")))?,
        };
        let items = match ty {
            ParamType::Array => Some(ctx.param_items_type(p.get("items"))?),
            _ => None,
        };
        (ty, items, None)
    };
    let collection_format = collection_format(p, ty, location)
        .map_err(|e| ImportError(format!("parameter {name:?}: {}", e.0)))?;
    let aliases = if location == Location::Path {
        path_aliases(&name, uber)
    } else {
        Vec::new()
    };
    let spec = ParamSpec {
        required: p.get("required").and_then(Value::as_bool).unwrap_or(false)
            || location == Location::Path,
        enum_values: p
            .get("enum")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        default: p.get("default").cloned(),
        minimum: p.get("minimum").and_then(Value::as_f64),
        maximum: p.get("maximum").and_then(Value::as_f64),
        max_items: p.get("maxItems").and_then(Value::as_u64),
        name,
        location,
        ty,
        items,
        collection_format,
        aliases,
    };
    Ok((spec, body))
}

/// An array parameter's collection format (`csv` when not given).
fn collection_format(
    p: &Value,
    ty: ParamType,
    location: Location,
) -> Result<CollectionFormat, ImportError> {
    if ty != ParamType::Array || location == Location::Body {
        return Ok(CollectionFormat::None);
    }
    match p.get("collectionFormat").and_then(Value::as_str) {
        None => Ok(CollectionFormat::Csv),
        Some(f) => CollectionFormat::from_name(f)
            .ok_or_else(|| ImportError(format!("unknown collection format {f:?}"))),
    }
}

/// The Uber-class argument names that stand for a path parameter: the
/// same name in another spelling, or one ending in `_<name>`.
fn path_aliases(name: &str, uber: &[String]) -> Vec<String> {
    let norm = |s: &str| s.to_ascii_lowercase().replace('-', "_");
    let target = norm(name);
    uber.iter()
        .filter(|u| {
            let n = norm(u);
            *u != name && (n == target || n.ends_with(&format!("_{target}")))
        })
        .cloned()
        .collect()
}
