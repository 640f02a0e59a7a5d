//! The planner proper: walks the arguments once, routes each key to its
//! place, then checks required parameters and assembles the plan.

use super::convert::{self, describe};
use super::nested::{self, Found};
use super::place::{self, Place};
use super::{body, encode, files, headers};
use crate::error::Error;
use crate::operation::{BodyRoot, Location, Operation, Param, ParamType};
use crate::plan::{FileRef, FormPart, PartValue, PlannedBody, RequestPlan};
use serde_json::{Map, Value};

/// Arguments being placed for one operation.
pub(crate) struct Planner<'a> {
    op: &'static Operation,
    lenient: bool,
    /// Bit `i`: declared parameter `i` was given.
    seen: u64,
    path: Vec<(usize, String)>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    fields: Vec<(&'static str, Value)>,
    /// Nested body fields given flat: (key, place, value).
    nested: Vec<(String, nested::Chain, Value)>,
    whole: Option<&'a Value>,
    raw: Option<&'a Value>,
    form: Vec<FormPart>,
    content_type: Option<&'a str>,
    warnings: Vec<String>,
}

impl<'a> Planner<'a> {
    pub(crate) fn new(op: &'static Operation, lenient: bool) -> Self {
        Planner {
            op,
            lenient,
            seen: 0,
            path: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            fields: Vec::new(),
            nested: Vec::new(),
            whole: None,
            raw: None,
            form: Vec::new(),
            content_type: None,
            warnings: Vec::new(),
        }
    }

    fn id(&self) -> &'static str {
        self.op.id()
    }

    fn mark(&mut self, i: usize, key: &str) -> Result<(), Error> {
        let bit = 1u64 << (i % 64);
        if self.seen & bit != 0 {
            return Err(Error::argument(
                self.id(),
                key,
                format!(
                    "{:?} is given more than once (by name, alias, \"parameters\" or \"data\")",
                    self.op.params()[i].name()
                ),
            ));
        }
        self.seen |= bit;
        Ok(())
    }

    fn drop_or_fail(&mut self, err: Error, warning: String) -> Result<(), Error> {
        if self.lenient {
            self.warnings.push(warning);
            Ok(())
        } else {
            Err(err)
        }
    }

    /// Places one argument.
    pub(crate) fn arg(&mut self, key: &'a str, v: &'a Value) -> Result<(), Error> {
        if v.is_null() {
            return Ok(());
        }
        match place::classify(self.op, key, v) {
            Place::Param(i, p) => self.param(i, p, key, v),
            Place::Field(f) => {
                let v = convert::field_value(self.id(), key, f.ty(), f.items(), v, self.lenient)?;
                self.fields.push((f.name(), v));
                Ok(())
            }
            Place::BodyIds => {
                let v = convert::field_value(
                    self.id(),
                    key,
                    ParamType::Array,
                    Some(ParamType::String),
                    v,
                    self.lenient,
                )?;
                self.fields.push(("ids", v));
                Ok(())
            }
            Place::WholeBody => {
                if self.op.body().is_none() {
                    let e = Error::argument(
                        self.id(),
                        key,
                        "the operation takes no JSON body; give its arguments by name",
                    );
                    let w = format!(
                        "{}: dropped \"body\": the operation takes no body",
                        self.id()
                    );
                    return self.drop_or_fail(e, w);
                }
                self.whole = Some(v);
                Ok(())
            }
            Place::QueryObject => self.query_object(v),
            Place::Headers => self.extra_headers(v),
            Place::ContentType => self.set_content_type(key, v),
            Place::Data => self.data(v),
            Place::RawData => {
                if !v.is_string() {
                    return Err(Error::argument(
                        self.id(),
                        key,
                        format!("expected a string (a raw body), got {}", describe(v)),
                    ));
                }
                self.raw = Some(v);
                Ok(())
            }
            Place::Files => {
                if !place::has_form(self.op) {
                    let e = Error::argument(self.id(), key, "the operation takes no form or files");
                    let w = format!(
                        "{}: dropped \"files\": the operation takes no files",
                        self.id()
                    );
                    return self.drop_or_fail(e, w);
                }
                for (name, file) in files::files_arg(self.id(), v)? {
                    self.attach(name, file)?;
                }
                Ok(())
            }
            Place::Authorization => Err(place::authorization(self.op, key)),
            Place::Unknown => match nested::find(self.op, key) {
                Found::One(chain) => {
                    let v = nested::value(self.id(), key, &chain, v, self.lenient)?;
                    self.nested.push((key.to_string(), chain, v));
                    Ok(())
                }
                Found::Many(paths) => Err(nested::ambiguous(self.id(), key, &paths)),
                Found::None => {
                    let e = place::unknown(self.op, key);
                    let w = place::dropped(self.op, key);
                    self.drop_or_fail(e, w)
                }
            },
        }
    }

    fn param(&mut self, i: usize, p: &'static Param, key: &str, v: &Value) -> Result<(), Error> {
        let id = self.id();
        match p.location() {
            Location::Path => {
                let text = convert::scalar(id, key, p.ty(), p.enum_values(), v, self.lenient)?;
                encode::check_segment(id, key, &text)?;
                self.mark(i, key)?;
                self.path.push((i, text));
            }
            Location::Query => {
                let texts = convert::param_texts(id, p, key, v, self.lenient)?;
                if !texts.is_empty() {
                    self.mark(i, key)?;
                }
                let array = p.ty() == ParamType::Array;
                convert::push_collection(
                    &mut self.query,
                    p.name(),
                    p.collection_format(),
                    array,
                    texts,
                );
            }
            Location::Header => {
                let text = convert::scalar(id, key, p.ty(), p.enum_values(), v, self.lenient)?;
                self.mark(i, key)?;
                self.push_header(key, p.name(), text)?;
            }
            Location::FormData if p.ty() == ParamType::File => {
                let file = files::file_ref(id, key, v)?;
                self.mark(i, key)?;
                self.form.push(FormPart {
                    name: p.name().to_string(),
                    value: PartValue::File(file),
                });
            }
            Location::FormData => {
                let texts = convert::param_texts(id, p, key, v, self.lenient)?;
                if !texts.is_empty() {
                    self.mark(i, key)?;
                }
                let mut pairs = Vec::new();
                let array = p.ty() == ParamType::Array;
                convert::push_collection(&mut pairs, p.name(), p.collection_format(), array, texts);
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

    fn push_header(&mut self, key: &str, name: &str, value: String) -> Result<(), Error> {
        headers::check_name(self.id(), key, name)?;
        headers::check_value(self.id(), key, &value)?;
        if self
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            return Err(Error::argument(
                self.id(),
                key,
                format!("the header {name:?} is given more than once"),
            ));
        }
        self.headers.push((name.to_string(), value));
        Ok(())
    }

    fn query_object(&mut self, v: &Value) -> Result<(), Error> {
        let Value::Object(m) = v else {
            return Err(Error::argument(
                self.id(),
                "parameters",
                format!(
                    "expected an object of query parameters, got {}",
                    describe(v)
                ),
            ));
        };
        for (k, v) in m {
            if v.is_null() {
                continue;
            }
            let declared = place::declared(self.op, k).or_else(|| {
                self.op
                    .params()
                    .iter()
                    .enumerate()
                    .find(|(_, p)| p.aliases().contains(&k.as_str()))
            });
            match declared {
                Some((i, p)) if p.location() == Location::Query => {
                    let texts = convert::param_texts(self.id(), p, k, v, self.lenient)?;
                    if !texts.is_empty() {
                        self.mark(i, k)?;
                    }
                    let array = p.ty() == ParamType::Array;
                    convert::push_collection(&mut self.query, p.name(), p.collection_format(), array, texts);
                }
                _ if self.lenient => {
                    let texts = passthrough_texts(self.id(), k, v)?;
                    self.warnings.push(format!(
                        "{}: passed {k:?} to the query string, but it is not a declared query parameter",
                        self.id()
                    ));
                    convert::push_collection(&mut self.query, k, crate::CollectionFormat::Multi, true, texts);
                }
                Some((_, p)) => {
                    return Err(Error::argument(
                        self.id(),
                        k,
                        format!(
                            "a {} parameter cannot be given in \"parameters\" (the query string); give it as a flat argument",
                            p.location()
                        ),
                    ))
                }
                None => {
                    let names: Vec<&str> = self
                        .op
                        .params()
                        .iter()
                        .filter(|p| p.location() == Location::Query)
                        .map(|p| p.name())
                        .collect();
                    let mut names = names;
                    names.sort_unstable();
                    return Err(Error::argument(
                        self.id(),
                        k,
                        format!("in \"parameters\": {}", place::unknown_text(k, &names)),
                    ));
                }
            }
        }
        Ok(())
    }

    fn extra_headers(&mut self, v: &'a Value) -> Result<(), Error> {
        let Value::Object(m) = v else {
            return Err(Error::argument(
                self.id(),
                "headers",
                format!(
                    "expected an object of header names and values, got {}",
                    describe(v)
                ),
            ));
        };
        for (name, value) in m {
            if value.is_null() {
                continue;
            }
            if name.eq_ignore_ascii_case("content-type") {
                self.set_content_type("headers", value)?;
                continue;
            }
            if name.eq_ignore_ascii_case("authorization") {
                return Err(place::authorization(self.op, "headers"));
            }
            // A declared header parameter given here counts as given.
            if let Some(i) = place::declared_header(self.op, name) {
                self.mark(i, "headers")?;
            }
            let Some(text) = convert::scalar_text(value) else {
                return Err(Error::argument(
                    self.id(),
                    "headers",
                    format!(
                        "header {name:?}: expected a string, got {}",
                        describe(value)
                    ),
                ));
            };
            self.push_header("headers", name, text)?;
        }
        Ok(())
    }

    fn set_content_type(&mut self, key: &str, v: &'a Value) -> Result<(), Error> {
        let Value::String(ct) = v else {
            return Err(Error::argument(
                self.id(),
                key,
                format!("expected a media type string, got {}", describe(v)),
            ));
        };
        headers::check_value(self.id(), key, ct)?;
        match self.content_type {
            Some(old) if !old.eq_ignore_ascii_case(ct) => Err(Error::argument(
                self.id(),
                key,
                format!("the content type is given twice ({old:?} and {ct:?})"),
            )),
            _ => {
                self.content_type = Some(ct);
                Ok(())
            }
        }
    }

    fn data(&mut self, v: &'a Value) -> Result<(), Error> {
        if !place::has_form(self.op) {
            let e = Error::argument(self.id(), "data", "the operation takes no form or raw body");
            let w = format!(
                "{}: dropped \"data\": the operation takes no form",
                self.id()
            );
            return self.drop_or_fail(e, w);
        }
        match v {
            Value::String(_) => {
                self.raw = Some(v);
                Ok(())
            }
            Value::Object(m) => {
                for (k, v) in m {
                    if v.is_null() {
                        continue;
                    }
                    match place::declared(self.op, k) {
                        Some((i, p)) if p.location() == Location::FormData => {
                            self.param(i, p, k, v)?
                        }
                        _ if self.lenient => {
                            for t in passthrough_texts(self.id(), k, v)? {
                                self.form.push(FormPart {
                                    name: k.clone(),
                                    value: PartValue::Text(t),
                                });
                            }
                        }
                        _ => {
                            let names = self.form_names(false);
                            return Err(Error::argument(
                                self.id(),
                                k,
                                format!("in \"data\": {}", place::unknown_text(k, &names)),
                            ));
                        }
                    }
                }
                Ok(())
            }
            other => Err(Error::argument(
                self.id(),
                "data",
                format!(
                    "expected an object of form fields or a string, got {}",
                    describe(other)
                ),
            )),
        }
    }

    fn form_names(&self, files_only: bool) -> Vec<&'static str> {
        let mut names: Vec<&'static str> = self
            .op
            .params()
            .iter()
            .filter(|p| p.location() == Location::FormData)
            .filter(|p| !files_only || p.ty() == ParamType::File)
            .map(|p| p.name())
            .collect();
        names.sort_unstable();
        names
    }

    /// Attaches a file to the form field `name`.
    pub(crate) fn attach(&mut self, name: String, file: FileRef) -> Result<(), Error> {
        match place::declared(self.op, &name) {
            Some((i, p)) if p.location() == Location::FormData && p.ty() == ParamType::File => {
                self.mark(i, &name)?;
            }
            _ if !place::has_form(self.op) => {
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
                let names = self.form_names(true);
                let text = place::unknown_text(&name, &names)
                    .replace("unknown argument", "not a file field");
                return Err(Error::argument(self.id(), name, text));
            }
        }
        self.form.push(FormPart {
            name,
            value: PartValue::File(file),
        });
        Ok(())
    }

    fn body_given(&self) -> bool {
        self.whole.is_some()
            || !self.fields.is_empty()
            || !self.nested.is_empty()
            || self.raw.is_some()
    }

    fn check_required(&self) -> Result<(), Error> {
        for (i, p) in self.op.params().iter().enumerate() {
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

    fn planned_body(&mut self) -> Result<PlannedBody, Error> {
        let id = self.id();
        if let Some(raw) = self.raw {
            if self.whole.is_some()
                || !self.fields.is_empty()
                || !self.nested.is_empty()
                || !self.form.is_empty()
            {
                return Err(Error::argument(
                    id,
                    "data",
                    "a raw \"data\" payload cannot be combined with a body or form fields",
                ));
            }
            let default = if place::has_form(self.op) {
                "application/x-www-form-urlencoded"
            } else {
                raw_type(self.op)
            };
            let bytes = body::raw_bytes(raw)
                .and_then(Result::ok)
                .unwrap_or_default();
            return Ok(PlannedBody::Raw {
                bytes,
                content_type: default.to_string(),
            });
        }
        if let Some(shape) = self.op.body() {
            if shape.root() == BodyRoot::Binary && self.fields.is_empty() {
                if let Some(whole) = self.whole {
                    if let Some(bytes) = body::raw_bytes(whole) {
                        let bytes = bytes.map_err(|e| Error::argument(id, "body", e))?;
                        return Ok(PlannedBody::Raw {
                            bytes,
                            content_type: raw_type(self.op).to_string(),
                        });
                    }
                }
            }
            let fields = std::mem::take(&mut self.fields);
            let json = body::assemble(id, shape, self.whole, fields, self.lenient)?;
            let nested = std::mem::take(&mut self.nested);
            if !nested.is_empty() {
                let v = nested::fill_body(id, shape.root(), json, nested)?;
                return Ok(PlannedBody::Json(v));
            }
            return Ok(match json {
                Some(v) => PlannedBody::Json(v),
                None => PlannedBody::Empty,
            });
        }
        if self.form.is_empty() {
            return Ok(PlannedBody::Empty);
        }
        let parts = std::mem::take(&mut self.form);
        if self.op.is_multipart() {
            Ok(PlannedBody::Multipart(parts))
        } else {
            urlencoded(id, parts)
        }
    }

    /// Checks what is missing and builds the plan.
    pub(crate) fn finish(mut self) -> Result<RequestPlan, Error> {
        self.check_required()?;
        let op = self.op;
        let path = if self.path.is_empty() {
            op.route().to_string()
        } else {
            let values = &self.path;
            encode::fill_route(op.route(), |name| {
                values
                    .iter()
                    .find(|(i, _)| op.params()[*i].name() == name)
                    .map(|(_, t)| t.as_str())
                    .ok_or_else(|| Error::argument(op.id(), name, "missing path parameter"))
            })?
        };
        let mut planned = self.planned_body()?;
        if let Some(ct) = self.content_type {
            planned = body::apply_content_type(op.id(), planned, ct, &mut self.warnings)?;
        }
        Ok(RequestPlan {
            operation: op.id(),
            method: op.method(),
            host: op.host(),
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

/// Texts of a value with no declared parameter (lenient pass-through):
/// scalars as text, lists element by element.
pub(crate) fn passthrough_texts(op: &str, key: &str, v: &Value) -> Result<Vec<String>, Error> {
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

/// The arguments as an object (`null` is no arguments).
pub(crate) fn args_object<'v>(
    op: &str,
    args: &'v Value,
) -> Result<Option<&'v Map<String, Value>>, Error> {
    match args {
        Value::Object(m) => Ok(Some(m)),
        Value::Null => Ok(None),
        other => Err(Error::argument(
            op,
            "<args>",
            format!(
                "expected a JSON object of arguments (or null), got {}",
                describe(other)
            ),
        )),
    }
}
