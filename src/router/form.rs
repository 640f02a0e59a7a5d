//! Form fields: the `data` argument (an object of fields, or a raw
//! string), attached files, and urlencoding a form without files.

use super::params::passthrough_texts;
use super::place;
use super::planner::Planner;
use crate::error::Error;
use crate::operation::{Location, Operation, ParamType};
use crate::plan::{FileRef, FormPart, PartValue, PlannedBody};
use serde_json::Value;

impl<'a> Planner<'a> {
    /// `data`: an object of form fields, or a string sent as is.
    pub(super) fn data(&mut self, v: &'a Value) -> Result<(), Error> {
        if !self.takes_form() {
            let e = Error::argument(self.id(), "data", "the operation takes no form or raw body");
            let w = format!(
                "{}: dropped \"data\": the operation takes no form",
                self.id()
            );
            return self.drop_or_fail(e, w);
        }
        let m = match v {
            Value::String(_) => {
                self.raw = Some(v);
                return Ok(());
            }
            Value::Object(m) => m,
            other => {
                return Err(self.expected("data", "an object of form fields or a string", other))
            }
        };
        for (k, v) in m {
            if v.is_null() {
                continue;
            }
            let declared = self.op().and_then(|op| place::declared(op, k));
            match (declared, self.op()) {
                (Some((i, p)), _) if p.location() == Location::FormData => {
                    self.param(i, p, k, v)?
                }
                (_, None) => self.text_fields(k, v)?,
                _ if self.lenient => self.text_fields(k, v)?,
                (_, Some(op)) => {
                    return Err(Error::argument(
                        self.id(),
                        k,
                        format!(
                            "in \"data\": {}",
                            place::unknown_text(k, &form_names(op, false))
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Form fields that no parameter declares, as text.
    fn text_fields(&mut self, name: &str, v: &Value) -> Result<(), Error> {
        for t in passthrough_texts(self.id(), name, v)? {
            self.form.push(FormPart {
                name: name.to_string(),
                value: PartValue::Text(t),
            });
        }
        Ok(())
    }

    /// Attaches a file to the form field `name` (of an operation: a
    /// declared file field, unless lenient).
    pub(crate) fn attach(&mut self, name: String, file: FileRef) -> Result<(), Error> {
        if name.is_empty() {
            return Err(Error::argument(
                self.id(),
                name,
                "a file needs a form field name; the empty name cannot be sent",
            ));
        }
        if let Some(op) = self.op() {
            if name == "body" && super::raw::only_raw(op) && self.body_file.is_none() {
                self.body_file = Some(file);
                return Ok(());
            }
            match place::declared(op, &name) {
                Some((i, p)) if p.location() == Location::FormData && p.ty() == ParamType::File => {
                    self.mark(i, &name)?;
                }
                _ if !place::has_form(op) => {
                    return Err(Error::argument(
                        self.id(),
                        name,
                        "the operation takes no form or files",
                    ))
                }
                _ if self.lenient => self.warnings.push(format!(
                    "{}: attached a file to {name:?}, which is not a declared file field",
                    self.id()
                )),
                _ => {
                    let text = place::unknown_text(&name, &form_names(op, true))
                        .replace("unknown argument", "not a file field");
                    return Err(Error::argument(self.id(), name, text));
                }
            }
        }
        self.form.push(FormPart {
            name,
            value: PartValue::File(file),
        });
        Ok(())
    }
}

/// The operation's form field names (only its file fields with
/// `files_only`), sorted.
fn form_names(op: &'static Operation, files_only: bool) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = op
        .params()
        .iter()
        .filter(|p| p.location() == Location::FormData)
        .filter(|p| !files_only || p.ty() == ParamType::File)
        .map(|p| p.name())
        .collect();
    names.sort_unstable();
    names
}

/// A form of text parts as urlencoded pairs; a file is an error.
pub(crate) fn urlencoded(op: &str, parts: Vec<FormPart>) -> Result<PlannedBody, Error> {
    let mut pairs = Vec::with_capacity(parts.len());
    for part in parts {
        match part.value {
            PartValue::Text(t) => pairs.push((part.name, t)),
            PartValue::File(_) => {
                return Err(Error::argument(
                    op,
                    part.name,
                    "files need a multipart/form-data request, which the operation does not take",
                ))
            }
        }
    }
    Ok(PlannedBody::Form(pairs))
}
