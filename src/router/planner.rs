//! The planner: walks the arguments once and sends each key to its place
//! (declared parameters and `parameters` in `params`, headers and the
//! content type in `headers`, `data` and files in `form`, body fields
//! here); `finish` checks what is missing and assembles the plan. A
//! table operation and a manual route go through the same code.

use super::check::Check;
use super::convert::describe;
use super::files;
use super::nested::{self, Found};
use super::place::{self, Place};
use super::target::Target;
use crate::error::Error;
use crate::operation::{Operation, ParamType};
use crate::plan::{FileRef, FormPart};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// Arguments being placed for one target.
pub(crate) struct Planner<'a> {
    pub(super) target: Target,
    pub(super) lenient: bool,
    /// Bit `i`: declared parameter `i` was given.
    pub(super) seen: u64,
    pub(super) path: Vec<(usize, String)>,
    pub(super) query: Vec<(Cow<'static, str>, String)>,
    pub(super) headers: Vec<(String, String)>,
    /// Body fields given flat, lent where they need no change.
    pub(super) fields: Vec<(&'static str, Cow<'a, Value>)>,
    /// Nested body fields given flat: (key, place, value).
    pub(super) nested: Vec<(String, nested::Chain, Value)>,
    pub(super) whole: Option<&'a Value>,
    pub(super) raw: Option<&'a Value>,
    /// A raw body attached as a file from Rust (`body`).
    pub(super) body_file: Option<FileRef>,
    pub(super) form: Vec<FormPart>,
    pub(super) content_type: Option<&'a str>,
    pub(super) warnings: Vec<String>,
}

impl<'a> Planner<'a> {
    pub(crate) fn new(mut target: Target, lenient: bool) -> Self {
        // A manual route's own `?query` comes first.
        let query = match &mut target {
            Target::Route(r) => std::mem::take(&mut r.query),
            Target::Op(_) => Vec::new(),
        };
        Planner {
            target,
            lenient,
            seen: 0,
            path: Vec::new(),
            query,
            headers: Vec::new(),
            fields: Vec::new(),
            nested: Vec::new(),
            whole: None,
            raw: None,
            body_file: None,
            form: Vec::new(),
            content_type: None,
            warnings: Vec::new(),
        }
    }

    /// The name errors carry (the operation ID or the manual route).
    pub(super) fn id(&self) -> &str {
        self.target.name()
    }

    /// The table operation (`None` for a manual route).
    pub(super) fn op(&self) -> Option<&'static Operation> {
        self.target.op()
    }

    /// Whether the target takes form fields (a manual route may).
    pub(super) fn takes_form(&self) -> bool {
        self.op().map_or(true, place::has_form)
    }

    pub(super) fn mark(&mut self, i: usize, key: &str) -> Result<(), Error> {
        let bit = 1u64 << (i % 64);
        if self.seen & bit != 0 {
            let name = self.op().map_or("", |op| op.params()[i].name());
            return Err(Error::argument(
                self.id(),
                key,
                format!(
                    "{name:?} is given more than once (by name, alias, \"parameters\" or \"data\")"
                ),
            ));
        }
        self.seen |= bit;
        Ok(())
    }

    /// The error for a value of the wrong kind: "expected `what`, got ...".
    pub(super) fn expected(&self, key: &str, what: &str, got: &Value) -> Error {
        Error::argument(
            self.id(),
            key,
            format!("expected {what}, got {}", describe(got)),
        )
    }

    /// Checks one argument's value (see `check`); lenient mode's notes
    /// join the plan's warnings.
    pub(super) fn check<T>(
        &mut self,
        key: &str,
        f: impl FnOnce(&mut Check<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut check = Check::new(self.target.name(), key, self.lenient);
        let out = f(&mut check);
        // Notes only come in lenient mode: most checks have none to move.
        if !check.notes.is_empty() {
            self.warnings.append(&mut check.notes);
        }
        out
    }

    pub(super) fn drop_or_fail(&mut self, err: Error, warning: String) -> Result<(), Error> {
        if self.lenient {
            self.warnings.push(warning);
            Ok(())
        } else {
            Err(err)
        }
    }

    /// Drops (lenient) or refuses (strict) a key `what` the target does
    /// not take, with the reason `why`.
    fn not_taken(&mut self, key: &str, why: &str, what: &str) -> Result<(), Error> {
        let e = Error::argument(self.id(), key, why);
        let w = format!(
            "{}: dropped {key:?}: the operation takes no {what}",
            self.id()
        );
        self.drop_or_fail(e, w)
    }

    /// Places one argument.
    pub(crate) fn arg(&mut self, key: &'a str, v: &'a Value) -> Result<(), Error> {
        if v.is_null() {
            return Ok(());
        }
        let place = match &self.target {
            Target::Op(op) => place::classify(op, key, v),
            Target::Route(_) => place::classify_manual(key),
        };
        match place {
            Place::Param(i, p) => self.param(i, p, key, v),
            Place::Field(f) => {
                let v = self.check(key, |c| c.field_value(f.ty(), f.items(), v))?;
                self.fields.push((f.name(), v));
                Ok(())
            }
            Place::BodyIds => {
                let v = self.check(key, |c| {
                    c.field_value(ParamType::Array, Some(ParamType::String), v)
                })?;
                self.fields.push(("ids", v));
                Ok(())
            }
            Place::WholeBody => {
                if self.op().is_some_and(|op| op.body().is_none()) {
                    return self.not_taken(
                        key,
                        "the operation takes no JSON body; give its arguments by name",
                        "body",
                    );
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
                    return Err(self.expected(key, "a string (a raw body)", v));
                }
                self.raw = Some(v);
                Ok(())
            }
            Place::Files => {
                if !self.takes_form() {
                    return self.not_taken(key, "the operation takes no form or files", "files");
                }
                for (name, file) in files::files_arg(self.id(), v)? {
                    self.attach(name, file)?;
                }
                Ok(())
            }
            Place::Authorization => Err(place::authorization(self.id(), key)),
            Place::Route => self.same_route(v),
            Place::Unknown => self.unknown(key, v),
        }
    }

    /// `override` among a manual route's arguments: the route itself
    /// (as `plan` finds it), or an error when it names another one.
    fn same_route(&self, v: &Value) -> Result<(), Error> {
        match &self.target {
            Target::Route(r) if v.as_str().map(str::trim) != Some(r.spec.trim()) => {
                Err(Error::argument(
                    self.id(),
                    "override",
                    format!(
                        "names another route than the request's ({:?}); give the route once",
                        r.spec
                    ),
                ))
            }
            _ => Ok(()),
        }
    }

    fn unknown(&mut self, key: &str, v: &Value) -> Result<(), Error> {
        if let Some(op) = self.op() {
            match nested::find(op, key) {
                Found::One(chain) => {
                    let leaf = chain[chain.len() - 1];
                    let v = self.check(key, |c| c.field_value(leaf.ty(), leaf.items(), v))?;
                    self.nested.push((key.to_string(), chain, v.into_owned()));
                    return Ok(());
                }
                Found::Many(paths) => return Err(nested::ambiguous(self.id(), key, &paths)),
                Found::None => {}
            }
        }
        let (e, w) = match self.op() {
            Some(op) => (place::unknown(op, key), place::dropped(op, key)),
            None => {
                let hint = place::did_you_mean(key, place::MANUAL_KEYS)
                    .map(|s| format!("did you mean {s:?}? "))
                    .unwrap_or_default();
                (
                    Error::argument(
                        self.id(),
                        key,
                        format!(
                            "unknown argument; {hint}with \"override\", give query arguments in \"parameters\", \
                             the JSON body in \"body\", headers in \"headers\" and a form in \"data\" / \"files\""
                        ),
                    ),
                    format!("{}: dropped unknown argument {key:?}", self.id()),
                )
            }
        };
        self.drop_or_fail(e, w)
    }
}

/// The value of `key` in an argument object. Argument objects are small:
/// up to 8 keys a look at each beats hashing the key.
pub(crate) fn member<'m>(m: &'m Map<String, Value>, key: &str) -> Option<&'m Value> {
    if m.len() <= 8 {
        m.iter().find_map(|(k, v)| (k == key).then_some(v))
    } else {
        m.get(key)
    }
}

/// The arguments as an object (`null` is no arguments); `name` names the
/// target in the error.
pub(crate) fn args_object<'v>(
    name: &str,
    args: &'v Value,
) -> Result<Option<&'v Map<String, Value>>, Error> {
    match args {
        Value::Object(m) => Ok(Some(m)),
        Value::Null => Ok(None),
        other => Err(Error::argument(
            name,
            "<args>",
            format!(
                "expected a JSON object of arguments (or null), got {}",
                describe(other)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_found_in_small_and_large_objects() {
        for size in [0, 1, 8, 9, 40] {
            let mut m = Map::new();
            for i in 0..size {
                m.insert(format!("k{i}"), Value::from(i));
            }
            for i in 0..size {
                assert_eq!(
                    member(&m, &format!("k{i}")),
                    Some(&Value::from(i)),
                    "{size}"
                );
            }
            assert_eq!(member(&m, "override"), None, "{size}");
            assert_eq!(member(&m, "k"), None, "{size}");
        }
    }
}
