//! The end of planning: required parameters are checked, the body is
//! assembled from what was placed, and the plan is built.

use super::form::urlencoded;
use super::planner::Planner;
use super::target::Target;
use super::{body, encode, nested, place, raw};
use crate::error::Error;
use crate::operation::{BodyRoot, Host, Location, Operation, ParamType};
use crate::plan::{JsonBody, PartValue, PlannedBody, RequestPlan};

impl Planner<'_> {
    fn body_given(&self) -> bool {
        self.whole.is_some()
            || self.body_file.is_some()
            || !self.fields.is_empty()
            || !self.nested.is_empty()
            || self.raw.is_some()
    }

    /// The first required parameter of the operation that was not given
    /// (a manual route declares none).
    fn check_required(&self) -> Result<(), Error> {
        let Some(op) = self.op() else {
            return Ok(());
        };
        for (i, p) in op.params().iter().enumerate() {
            if !p.required() || p.is_authorization() || (i < 64 && self.seen & (1u64 << i) != 0) {
                continue;
            }
            let what = match p.location() {
                Location::Path => "missing path parameter",
                _ if self.lenient => continue,
                Location::Body if self.body_given() => continue,
                // A raw form payload may hold any field.
                Location::FormData if self.raw.is_some() => continue,
                Location::Body => "missing required argument: give the request body as \"body\" (or its fields by name)",
                Location::FormData if p.ty() == ParamType::File => {
                    "missing required file: give a file reference (\"@path\", {\"path\": ...} or {\"content_base64\": ..., \"filename\": ...})"
                }
                _ => "missing required argument",
            };
            return Err(Error::argument(self.id(), p.name(), what));
        }
        Ok(())
    }

    /// The body from a raw payload, the JSON body (and its fields) or the
    /// form; at most one of them.
    fn planned_body(&mut self) -> Result<PlannedBody, Error> {
        let fields = std::mem::take(&mut self.fields);
        let nested = std::mem::take(&mut self.nested);
        let form = std::mem::take(&mut self.form);
        let body_file = self.body_file.take();
        let id = self.id();
        if let Some(raw) = self.raw {
            if self.whole.is_some()
                || body_file.is_some()
                || !fields.is_empty()
                || !nested.is_empty()
                || !form.is_empty()
            {
                return Err(Error::argument(
                    id,
                    "data",
                    "a raw \"data\" payload cannot be combined with a body or form fields",
                ));
            }
            let default = match self.op() {
                Some(op) if !place::has_form(op) => raw_type(op),
                _ => "application/x-www-form-urlencoded",
            };
            let bytes = body::raw_bytes(raw)
                .and_then(Result::ok)
                .unwrap_or_default();
            return Ok(PlannedBody::Raw {
                bytes,
                content_type: default.to_string(),
            });
        }
        if self.whole.is_some() && !form.is_empty() {
            return Err(Error::argument(
                id,
                "body",
                "a JSON \"body\" cannot be combined with form fields or files",
            ));
        }
        match self.op() {
            Some(op) => {
                if let Some(shape) = op.body() {
                    if shape.root() == BodyRoot::Binary && raw::only_raw(op) {
                        let file = match (self.whole, body_file) {
                            (Some(_), Some(_)) => return Err(Error::argument(
                                id,
                                "body",
                                "given both as an argument and as an attached file; give it once",
                            )),
                            (Some(v), None) => raw::body_ref(id, v)?,
                            (None, Some(f)) => f,
                            (None, None) => return Ok(PlannedBody::Empty),
                        };
                        return Ok(raw::planned(file, raw_type(op)));
                    }
                    if shape.root() == BodyRoot::Binary && fields.is_empty() {
                        if let Some(bytes) = self.whole.and_then(body::raw_bytes) {
                            let bytes = bytes.map_err(|e| Error::argument(id, "body", e))?;
                            return Ok(PlannedBody::Raw {
                                bytes,
                                content_type: raw_type(op).to_string(),
                            });
                        }
                    }
                    if !nested.is_empty() {
                        let assembled =
                            body::assemble(id, shape, self.whole, fields, self.lenient)?;
                        let assembled = assembled.map(std::borrow::Cow::into_owned);
                        let v = nested::fill_body(id, shape.root(), assembled, nested)?;
                        return Ok(PlannedBody::Json(JsonBody::new(&v)));
                    }
                    let written = body::written(id, shape, self.whole, fields, self.lenient)?;
                    return Ok(written.map_or(PlannedBody::Empty, PlannedBody::Json));
                }
            }
            None => {
                if let Some(whole) = self.whole {
                    return Ok(PlannedBody::Json(JsonBody::new(whole)));
                }
            }
        }
        if form.is_empty() {
            return Ok(PlannedBody::Empty);
        }
        let multipart = match self.op() {
            Some(op) => op.is_multipart(),
            None => form.iter().any(|p| matches!(p.value, PartValue::File(_))),
        };
        if multipart {
            Ok(PlannedBody::Multipart(form))
        } else {
            urlencoded(id, form)
        }
    }

    /// Checks what is missing and builds the plan.
    pub(crate) fn finish(mut self) -> Result<RequestPlan, Error> {
        self.check_required()?;
        let mut planned = self.planned_body()?;
        if let Some(ct) = self.content_type {
            planned =
                body::apply_content_type(self.target.name(), planned, ct, &mut self.warnings)?;
        }
        let (operation, method, host, path) = match self.target {
            Target::Op(op) if self.path.is_empty() => {
                (op.id(), op.method(), op.host(), op.route().into())
            }
            Target::Op(op) => {
                let values = &self.path;
                let path = encode::fill_route(op.route(), |name| {
                    values
                        .iter()
                        .find(|(i, _)| op.params()[*i].name() == name)
                        .map(|(_, t)| t.as_str())
                        .ok_or_else(|| Error::argument(op.id(), name, "missing path parameter"))
                })?;
                (op.id(), op.method(), op.host(), path.into())
            }
            Target::Route(r) => ("override", r.method, Host::Api, r.path.into()),
        };
        Ok(RequestPlan {
            operation,
            method,
            host,
            path,
            query: self.query,
            headers: self.headers,
            body: planned,
            warnings: self.warnings,
        })
    }
}

/// The default media type of a raw body: `application/octet-stream`
/// where the operation takes it, else its first media type.
fn raw_type(op: &'static Operation) -> &'static str {
    let consumes = op.consumes();
    if consumes.contains(&"application/octet-stream") {
        "application/octet-stream"
    } else {
        consumes
            .first()
            .copied()
            .unwrap_or("application/octet-stream")
    }
}
