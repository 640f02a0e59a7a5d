//! Placing declared parameters (path, query, header, form) and the
//! `parameters` object of query arguments; what no parameter declares
//! passes through as text (a manual route, or lenient mode).

use super::convert::{self, describe};
use super::planner::Planner;
use super::{encode, files, place};
use crate::error::Error;
use crate::operation::{CollectionFormat, Location, Operation, Param, ParamType};
use crate::plan::{FormPart, PartValue};
use serde_json::Value;
use std::borrow::Cow;

impl Planner<'_> {
    /// Places a value for declared parameter `i`.
    pub(super) fn param(
        &mut self,
        i: usize,
        p: &'static Param,
        key: &str,
        v: &Value,
    ) -> Result<(), Error> {
        match p.location() {
            Location::Path => {
                let text = self.check(key, |c| c.scalar(p.ty(), p.enum_values(), v))?;
                encode::check_segment(self.id(), key, &text)?;
                self.mark(i, key)?;
                self.path.push((i, text));
            }
            // One text for a scalar parameter: no list to make.
            Location::Query if p.ty() != ParamType::Array && !v.is_array() => {
                let text = self.check(key, |c| c.scalar(p.ty(), p.enum_values(), v))?;
                self.mark(i, key)?;
                self.query.push((Cow::Borrowed(p.name()), text));
            }
            Location::Query => {
                let texts = self.check(key, |c| c.param_texts(p, v))?;
                if !texts.is_empty() {
                    self.mark(i, key)?;
                }
                let array = p.ty() == ParamType::Array;
                convert::push_collection(
                    &mut self.query,
                    Cow::Borrowed(p.name()),
                    p.collection_format(),
                    array,
                    texts,
                );
            }
            Location::Header => {
                let text = self.check(key, |c| c.scalar(p.ty(), p.enum_values(), v))?;
                self.mark(i, key)?;
                self.push_header(key, p.name(), text)?;
            }
            Location::FormData if p.ty() == ParamType::File => {
                let file = files::file_ref(self.id(), key, v)?;
                self.mark(i, key)?;
                self.form.push(FormPart {
                    name: p.name().to_string(),
                    value: PartValue::File(file),
                });
            }
            Location::FormData => {
                let texts = self.check(key, |c| c.param_texts(p, v))?;
                if !texts.is_empty() {
                    self.mark(i, key)?;
                }
                let mut pairs = Vec::new();
                let array = p.ty() == ParamType::Array;
                convert::push_collection(
                    &mut pairs,
                    p.name().to_string(),
                    p.collection_format(),
                    array,
                    texts,
                );
                self.form
                    .extend(pairs.into_iter().map(|(name, t)| FormPart {
                        name,
                        value: PartValue::Text(t),
                    }));
            }
            // Body parameters are never classified as `Place::Param`
            // (the key `body` is reserved).
            Location::Body => {}
        }
        Ok(())
    }

    /// `parameters`: an object of query arguments.
    pub(super) fn query_object(&mut self, v: &Value) -> Result<(), Error> {
        let Value::Object(m) = v else {
            return Err(self.expected("parameters", "an object of query parameters", v));
        };
        for (k, v) in m {
            if v.is_null() {
                continue;
            }
            let declared = self
                .op()
                .and_then(|op| place::declared(op, k).or_else(|| place::aliased(op, k)));
            match (declared, self.op()) {
                (Some((i, p)), _) if p.location() == Location::Query => {
                    let texts = self.check(k, |c| c.param_texts(p, v))?;
                    if !texts.is_empty() {
                        self.mark(i, k)?;
                    }
                    let array = p.ty() == ParamType::Array;
                    convert::push_collection(&mut self.query, Cow::Borrowed(p.name()), p.collection_format(), array, texts);
                }
                (_, None) => {
                    let texts = passthrough_texts(self.id(), k, v)?;
                    convert::push_collection(&mut self.query, Cow::Owned(k.clone()), CollectionFormat::Multi, true, texts);
                }
                (_, Some(_)) if self.lenient => {
                    let texts = passthrough_texts(self.id(), k, v)?;
                    self.warnings.push(format!(
                        "{}: passed {k:?} to the query string, but it is not a declared query parameter",
                        self.id()
                    ));
                    convert::push_collection(&mut self.query, Cow::Owned(k.clone()), CollectionFormat::Multi, true, texts);
                }
                (Some((_, p)), Some(_)) => {
                    return Err(Error::argument(
                        self.id(),
                        k,
                        format!(
                            "a {} parameter cannot be given in \"parameters\" (the query string); give it as a flat argument",
                            p.location()
                        ),
                    ))
                }
                (None, Some(op)) => {
                    return Err(Error::argument(
                        self.id(),
                        k,
                        format!("in \"parameters\": {}", place::unknown_text(k, &query_names(op))),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The operation's query parameter names, sorted.
fn query_names(op: &'static Operation) -> Vec<&'static str> {
    let mut names: Vec<&str> = op
        .params()
        .iter()
        .filter(|p| p.location() == Location::Query)
        .map(|p| p.name())
        .collect();
    names.sort_unstable();
    names
}

/// Texts of a value with no declared parameter (a manual route, or
/// lenient pass-through): scalars as text, lists element by element. The
/// name must not be empty.
pub(super) fn passthrough_texts(op: &str, key: &str, v: &Value) -> Result<Vec<String>, Error> {
    if key.is_empty() {
        return Err(Error::argument(
            op,
            key,
            "a query parameter or form field needs a name; the empty name cannot be sent",
        ));
    }
    let bad = |v: &Value| {
        Error::argument(
            op,
            key,
            format!(
                "expected a string, number, boolean or list of them, got {}",
                describe(v)
            ),
        )
    };
    match v {
        Value::Array(items) => items
            .iter()
            .filter(|i| !i.is_null())
            .map(|i| convert::scalar_text(i).ok_or_else(|| bad(i)))
            .collect(),
        _ => Ok(vec![convert::scalar_text(v).ok_or_else(|| bad(v))?]),
    }
}
