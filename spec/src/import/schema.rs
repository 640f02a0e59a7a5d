//! Swagger schemas to the table's types: `$ref` resolution, the type of a
//! schema, the fields of an object and the shape of a body.

use super::{ierr, ImportError};
use crate::format::{BodySpec, FieldSpec, NESTED_LEVELS};
use crate::vocab::{BodyRoot, ParamType};
use serde_json::Value;
use std::collections::BTreeSet;

/// The document schemas and parameters are resolved in.
pub(super) struct Ctx<'a> {
    pub doc: &'a Value,
}

/// A nested array element is described as any JSON (`object`); the
/// elements are sent as given.
fn flatten_item(t: ParamType) -> ParamType {
    if t == ParamType::Array {
        ParamType::Object
    } else {
        t
    }
}

impl<'a> Ctx<'a> {
    /// Follows a `$ref` (`#/definitions/X`, `#/parameters/X`) inside the document.
    pub fn deref(&self, v: &'a Value) -> Result<&'a Value, ImportError> {
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

    /// The JSON type of a schema, resolving references. A `file` schema is
    /// a string; an untyped one (`properties`, `allOf` or nothing) accepts
    /// any JSON and is an object.
    pub fn schema_type(&self, s: &'a Value) -> Result<ParamType, ImportError> {
        let s = self.deref(s)?;
        match s.get("type").and_then(Value::as_str) {
            None => Ok(ParamType::Object),
            Some("file") => Ok(ParamType::String),
            Some(t) => ParamType::from_name(t)
                .ok_or_else(|| ImportError(format!("unknown schema type {t:?}"))),
        }
    }

    /// The element type of an array schema (any JSON when not given).
    fn items_type(&self, s: &'a Value) -> Result<ParamType, ImportError> {
        let s = self.deref(s)?;
        match s.get("items") {
            Some(items) => Ok(flatten_item(self.schema_type(items)?)),
            None => Ok(ParamType::Object),
        }
    }

    /// The element type of an array parameter's `items` (strings when not
    /// given; nested arrays are sent as strings).
    pub fn param_items_type(&self, items: Option<&'a Value>) -> Result<ParamType, ImportError> {
        match items {
            None => Ok(ParamType::String),
            Some(it) => Ok(match self.schema_type(it)? {
                ParamType::Array => ParamType::String,
                t => t,
            }),
        }
    }

    /// Top-level properties of an object schema, following `allOf`, with
    /// their nested fields down to [`NESTED_LEVELS`] levels.
    fn fields(&self, s: &'a Value, out: &mut Vec<FieldSpec>) -> Result<(), ImportError> {
        self.fields_to(s, out, NESTED_LEVELS)
    }

    /// The fields below a property of type `ty`: the object's properties,
    /// or those of each element of an array of objects; none at depth 0.
    fn nested(
        &self,
        p: &'a Value,
        ty: ParamType,
        depth: usize,
    ) -> Result<Vec<FieldSpec>, ImportError> {
        let mut out = Vec::new();
        if depth == 0 {
            return Ok(out);
        }
        let p = self.deref(p)?;
        let object = match ty {
            ParamType::Object => Some(p),
            ParamType::Array => p
                .get("items")
                .filter(|i| self.schema_type(i).is_ok_and(|t| t == ParamType::Object)),
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
                let items = match ty {
                    ParamType::Array => Some(self.items_type(p)?),
                    _ => None,
                };
                let field = FieldSpec {
                    name: name.clone(),
                    fields: self.nested(p, ty, depth)?,
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

    /// The body shape of a body parameter's schema (`None`: any JSON),
    /// with the parameter's type and element type.
    pub fn body_spec(
        &self,
        schema: Option<&'a Value>,
    ) -> Result<(BodySpec, ParamType, Option<ParamType>), ImportError> {
        let shape = |root, items, fields| BodySpec {
            root,
            items,
            fields,
        };
        let Some(raw) = schema else {
            return Ok((
                shape(BodyRoot::Opaque, None, vec![]),
                ParamType::Object,
                None,
            ));
        };
        let s = self.deref(raw)?;
        match s.get("type").and_then(Value::as_str) {
            Some("string" | "file") => Ok((
                shape(BodyRoot::Binary, None, vec![]),
                ParamType::String,
                None,
            )),
            Some("array") => {
                let items = s.get("items").filter(|i| !i.is_null());
                let it = match items {
                    Some(items) => flatten_item(self.schema_type(items)?),
                    None => ParamType::Object,
                };
                let mut fields = Vec::new();
                if let (ParamType::Object, Some(items)) = (it, items) {
                    self.fields(items, &mut fields)?;
                }
                Ok((
                    shape(BodyRoot::Array, Some(it), fields),
                    ParamType::Array,
                    Some(it),
                ))
            }
            _ => {
                let mut fields = Vec::new();
                self.fields(raw, &mut fields)?;
                let declared = s.get("allOf").is_some() || s.get("properties").is_some();
                let root = if fields.is_empty() && !declared {
                    BodyRoot::Opaque
                } else {
                    BodyRoot::Object
                };
                Ok((shape(root, None, fields), ParamType::Object, None))
            }
        }
    }
}
