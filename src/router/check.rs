//! Checking one argument's value against its declared type: the text of
//! a path, query, header or form parameter, or the JSON of a body field.
//!
//! Strict mode refuses a value of the wrong type, outside the enum, or a
//! list with an empty element, with an error naming the operation, the
//! argument and what it takes. Lenient mode (the Python SDK's behaviour)
//! sends such a value exactly as the caller gave it (`"True"` stays
//! `True`, `"abc"` stays `abc`, `"a,,b"` keeps its empty element) and
//! leaves a note saying it was not checked; lists and objects for a
//! scalar are errors in both modes.

use super::convert::{article, describe, integer_text, scalar_text};
use crate::error::Error;
use crate::operation::{Param, ParamType};
use serde_json::Value;
use std::borrow::Cow;

/// One argument being checked: the operation (or route) and the key for
/// messages, the mode, and the lenient-mode notes for the plan's
/// warnings.
pub(crate) struct Check<'a> {
    op: &'a str,
    name: &'a str,
    lenient: bool,
    /// What lenient mode sent unchecked.
    pub(crate) notes: Vec<String>,
}

/// `a list of strings (or a comma-separated string)`, `a list of
/// integers` ...: what a list of `items` takes.
fn list_article(items: Option<ParamType>) -> &'static str {
    match items {
        None | Some(ParamType::String) => "a list of strings (or a comma-separated string)",
        Some(ParamType::Integer) => "a list of integers",
        Some(ParamType::Number) => "a list of numbers",
        Some(ParamType::Boolean) => "a list of booleans (true or false)",
        Some(ParamType::Object) => "a list of objects",
        Some(_) => "a list",
    }
}

/// The text strict mode sends for `v` as a `ty`, or `None` when `v` is
/// not one: integers and numbers keep their exact digits, booleans are
/// `true` / `false` whatever the case given.
fn typed_text(ty: ParamType, v: &Value) -> Option<String> {
    match (ty, v) {
        (_, Value::Array(_) | Value::Object(_) | Value::Null) | (ParamType::File, _) => None,
        (ParamType::Integer, Value::Number(_)) => integer_text(v),
        (ParamType::Integer, Value::String(s)) => {
            let digits = s.strip_prefix('-').unwrap_or(s);
            (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| s.clone())
        }
        (ParamType::Number, Value::String(s)) => s
            .parse::<f64>()
            .is_ok_and(f64::is_finite)
            .then(|| s.clone()),
        (ParamType::Boolean, Value::String(s)) => ["true", "false"]
            .into_iter()
            .find(|b| s.eq_ignore_ascii_case(b))
            .map(str::to_string),
        (ParamType::Integer | ParamType::Number, Value::Bool(_))
        | (ParamType::Boolean, Value::Number(_)) => None,
        _ => scalar_text(v),
    }
}

/// Whether a JSON value is of a body field's scalar type.
fn is_json_type(ty: ParamType, v: &Value) -> bool {
    match (ty, v) {
        (ParamType::String, Value::String(_))
        | (ParamType::Boolean, Value::Bool(_))
        | (ParamType::Number, Value::Number(_))
        | (ParamType::Object, Value::Object(_))
        | (ParamType::Array, Value::Array(_)) => true,
        (ParamType::Integer, Value::Number(_)) => integer_text(v).is_some(),
        _ => false,
    }
}

fn quoted_list(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    quoted.join(", ")
}

/// An empty list element: `""` (a comma-separated piece is trimmed
/// first; a list element given as JSON is taken as given).
fn is_empty_text(v: &Value) -> bool {
    v.as_str().is_some_and(str::is_empty)
}

impl<'a> Check<'a> {
    pub(crate) fn new(op: &'a str, name: &'a str, lenient: bool) -> Check<'a> {
        Check {
            op,
            name,
            lenient,
            notes: Vec::new(),
        }
    }

    fn error(&self, why: String) -> Error {
        Error::argument(self.op, self.name, why)
    }

    /// Strict: the error `why`. Lenient: a note (one per argument), and
    /// the caller sends the value as given.
    fn refuse(&mut self, why: String) -> Result<(), Error> {
        if !self.lenient {
            return Err(self.error(why));
        }
        self.note(format!("sent as given, not checked: {why}"));
        Ok(())
    }

    fn note(&mut self, text: String) {
        if self.notes.is_empty() {
            self.notes
                .push(format!("{}: argument {:?}: {text}", self.op, self.name));
        }
    }

    fn mismatch(&mut self, expected: &str, v: &Value) -> Result<(), Error> {
        self.refuse(format!("expected {expected}, got {}", describe(v)))
    }

    /// Element `n` (1-based) of `v` is empty: an error in strict mode,
    /// sent as given in lenient mode.
    fn empty_element(&mut self, n: usize, v: &Value) -> Result<(), Error> {
        let shown = match v {
            Value::String(s) => format!("{s:?}"),
            _ => "the list".to_string(),
        };
        let what = format!("element {n} of {shown} is empty");
        if self.lenient {
            self.note(format!("sent as given: {what}"));
            return Ok(());
        }
        Err(self.error(format!(
            "{what}; remove it (an empty element is sent only in lenient mode)"
        )))
    }

    /// One scalar value's text for a parameter of type `ty` (and enum).
    /// Lists and objects are errors in both modes.
    pub(crate) fn scalar(
        &mut self,
        ty: ParamType,
        enum_values: &[&str],
        v: &Value,
    ) -> Result<String, Error> {
        if matches!(v, Value::Array(_) | Value::Object(_) | Value::Null) || ty == ParamType::File {
            return Err(self.error(format!("expected {}, got {}", article(ty), describe(v))));
        }
        // The caller's own text, made only where it is used.
        let given = || scalar_text(v).unwrap_or_default();
        let text = match typed_text(ty, v) {
            Some(t) if !self.lenient || !v.is_string() => t,
            // Lenient: the caller's own text.
            Some(t) => {
                let given = given();
                if t != given {
                    self.note(format!(
                        "sent as given, not checked: strict mode sends {given:?} as {t:?}"
                    ));
                }
                given
            }
            None => {
                self.mismatch(article(ty), v)?;
                given()
            }
        };
        if !enum_values.is_empty() && !enum_values.contains(&text.as_str()) {
            self.refuse(format!(
                "expected one of {}, got {}",
                quoted_list(enum_values),
                describe(v)
            ))?;
        }
        Ok(text)
    }

    /// The texts of a parameter's value, one per element for an array
    /// parameter (a list, a comma-separated string or a single scalar).
    /// A list given to a scalar parameter is an error in strict mode
    /// (except `ids`, joined with commas); lenient mode repeats the key.
    pub(crate) fn param_texts(&mut self, p: &Param, v: &Value) -> Result<Vec<String>, Error> {
        let is_array = p.ty() == ParamType::Array;
        let ty = if is_array {
            p.items().unwrap_or(ParamType::String)
        } else {
            p.ty()
        };
        let enums = p.enum_values();
        // The caller's elements borrowed, not copied; a comma-separated
        // string's pieces made.
        let elements: Vec<Cow<'_, Value>> = match v {
            Value::Array(items) => {
                if !is_array && p.name() != "ids" {
                    self.mismatch(article(p.ty()), v)?;
                }
                items
                    .iter()
                    .filter(|i| !i.is_null())
                    .map(Cow::Borrowed)
                    .collect()
            }
            Value::String(s) if is_array => s
                .split(',')
                .map(|piece| Cow::Owned(Value::String(piece.trim().to_string())))
                .collect(),
            _ => return Ok(vec![self.scalar(ty, enums, v)?]),
        };
        let mut out = Vec::with_capacity(elements.len());
        for (i, item) in elements.iter().enumerate() {
            if is_empty_text(item) {
                self.empty_element(i + 1, v)?;
                out.push(item.as_str().unwrap_or_default().to_string());
                continue;
            }
            let text = self.scalar(ty, enums, item).map_err(|e| match e {
                Error::Argument(a) if matches!(v, Value::Array(_)) => {
                    self.error(format!("element {}: {}", i + 1, a.expected))
                }
                e => e,
            })?;
            out.push(text);
        }
        if !is_array && p.name() == "ids" && !out.is_empty() {
            return Ok(vec![out.join(",")]);
        }
        Ok(out)
    }

    /// Checks a value for a body field of type `ty` (`items`: a list's
    /// element type) and normalises it: a comma-separated string or a
    /// single scalar for a list of scalars becomes a list. Elements of a
    /// list of objects are not looked into.
    /// The value is lent back as it is where it needs no change.
    pub(crate) fn field_value<'v>(
        &mut self,
        ty: ParamType,
        items: Option<ParamType>,
        v: &'v Value,
    ) -> Result<Cow<'v, Value>, Error> {
        let scalar_items = items.filter(|t| *t != ParamType::Object);
        match (ty, v) {
            (ParamType::Array, Value::Array(elems)) => {
                if let Some(it) = scalar_items {
                    for (i, e) in elems.iter().enumerate() {
                        if it == ParamType::String && is_empty_text(e) {
                            self.empty_element(i + 1, v)?;
                        } else if !is_json_type(it, e) {
                            self.refuse(format!(
                                "expected {}; element {} is {}",
                                list_article(items),
                                i + 1,
                                describe(e)
                            ))?;
                        }
                    }
                }
                Ok(Cow::Borrowed(v))
            }
            (ParamType::Array, Value::String(s))
                if matches!(items, None | Some(ParamType::String)) =>
            {
                let mut list = Vec::new();
                for (i, piece) in s.split(',').map(str::trim).enumerate() {
                    if piece.is_empty() {
                        self.empty_element(i + 1, v)?;
                    }
                    list.push(Value::String(piece.to_string()));
                }
                Ok(Cow::Owned(Value::Array(list)))
            }
            (ParamType::Array, Value::Number(_) | Value::Bool(_)) if scalar_items.is_some() => {
                let it = scalar_items.unwrap_or(ParamType::String);
                if !is_json_type(it, v) {
                    self.mismatch(list_article(items), v)?;
                    return Ok(Cow::Borrowed(v));
                }
                Ok(Cow::Owned(Value::Array(vec![v.clone()])))
            }
            (ParamType::Array, _) => {
                self.mismatch(list_article(items), v)?;
                Ok(Cow::Borrowed(v))
            }
            _ => {
                if !is_json_type(ty, v) {
                    self.mismatch(article(ty), v)?;
                }
                Ok(Cow::Borrowed(v))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::operation;
    use serde_json::json;

    fn strict(ty: ParamType, v: Value) -> Result<String, Error> {
        Check::new("Op", "x", false).scalar(ty, &[], &v)
    }

    /// The text lenient mode sends, and its notes.
    fn lenient(ty: ParamType, v: Value) -> (String, Vec<String>) {
        let mut c = Check::new("Op", "x", true);
        let t = c.scalar(ty, &[], &v).unwrap();
        (t, c.notes)
    }

    #[test]
    fn scalars_render_in_decimal_and_lowercase() {
        let s = |ty, v: Value| strict(ty, v).unwrap();
        assert_eq!(s(ParamType::String, json!("a b")), "a b");
        assert_eq!(s(ParamType::String, json!(5)), "5");
        assert_eq!(s(ParamType::String, json!(true)), "true");
        assert_eq!(s(ParamType::Integer, json!(-12)), "-12");
        assert_eq!(s(ParamType::Integer, json!(3.0)), "3");
        assert_eq!(
            s(ParamType::Integer, json!(18446744073709551615u64)),
            "18446744073709551615"
        );
        assert_eq!(
            s(ParamType::Integer, json!("18446744073709551616")),
            "18446744073709551616"
        );
        assert_eq!(s(ParamType::Number, json!(0.1)), "0.1");
        assert_eq!(s(ParamType::Number, json!(1e300)), "1e+300");
        assert_eq!(s(ParamType::Boolean, json!(false)), "false");
        assert_eq!(s(ParamType::Boolean, json!("TRUE")), "true");
        assert_eq!(s(ParamType::Integer, json!("42")), "42");
    }

    #[test]
    fn strict_refuses_what_lenient_sends_as_given_with_a_note() {
        for (ty, v, sent) in [
            (ParamType::Integer, json!("abc"), "abc"),
            (ParamType::Integer, json!(1.5), "1.5"),
            (ParamType::Integer, json!(true), "true"),
            (ParamType::Number, json!("x1"), "x1"),
            (ParamType::Boolean, json!("yes"), "yes"),
            (ParamType::Boolean, json!("True"), "True"),
            (ParamType::Boolean, json!(1), "1"),
        ] {
            let (text, notes) = lenient(ty, v.clone());
            assert_eq!(text, sent, "{v}");
            assert_eq!(notes.len(), 1, "{v}: {notes:?}");
            assert!(notes[0].starts_with("Op: argument \"x\": "), "{notes:?}");
            assert!(notes[0].contains("sent as given"), "{notes:?}");
            if v != json!("True") {
                let e = strict(ty, v).unwrap_err().to_string();
                assert!(e.starts_with("Op: argument \"x\": expected"), "{e}");
            }
        }
        // What strict accepts unchanged needs no note.
        assert_eq!(
            lenient(ParamType::Integer, json!("5")),
            ("5".into(), vec![])
        );
        for v in [json!({"a": 1}), json!([1])] {
            assert!(strict(ParamType::String, v.clone()).is_err());
            assert!(Check::new("Op", "x", true)
                .scalar(ParamType::String, &[], &v)
                .is_err());
        }
    }

    #[test]
    fn enum_values_are_checked_in_strict_mode() {
        let mut c = Check::new("Op", "sort", false);
        let e = c
            .scalar(ParamType::String, &["a.asc", "a.desc"], &json!("b"))
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("expected one of \"a.asc\", \"a.desc\""),
            "{e}"
        );
        let mut c = Check::new("Op", "sort", true);
        assert_eq!(
            c.scalar(ParamType::String, &["a.asc"], &json!("b"))
                .unwrap(),
            "b"
        );
        assert_eq!(c.notes.len(), 1);
        let mut c = Check::new("Op", "impact", false);
        assert_eq!(
            c.scalar(ParamType::Integer, &["1", "2"], &json!(2))
                .unwrap(),
            "2"
        );
    }

    #[test]
    fn empty_elements_are_refused_or_kept() {
        let ids = operation("GetDeviceDetailsV1")
            .unwrap()
            .param("ids")
            .unwrap();
        for v in [json!("a,,b"), json!("a,"), json!(""), json!(["a", ""])] {
            let e = Check::new("Op", "ids", false)
                .param_texts(ids, &v)
                .unwrap_err()
                .to_string();
            assert!(e.contains("is empty; remove it"), "{v}: {e}");
        }
        let mut c = Check::new("Op", "ids", true);
        assert_eq!(
            c.param_texts(ids, &json!("a,,b,")).unwrap(),
            ["a", "", "b", ""]
        );
        assert_eq!(
            c.notes,
            ["Op: argument \"ids\": sent as given: element 2 of \"a,,b,\" is empty"]
        );
        let mut c = Check::new("Op", "ids", true);
        assert_eq!(c.param_texts(ids, &json!("")).unwrap(), [""]);
        assert_eq!(c.notes.len(), 1);
        let e = Check::new("Op", "ids", false)
            .field_value(ParamType::Array, Some(ParamType::String), &json!(["a", ""]))
            .unwrap_err();
        assert!(
            e.to_string().contains("element 2 of the list is empty"),
            "{e}"
        );
    }

    #[test]
    fn body_field_values_are_normalised_and_checked() {
        let f = |ty, items, v: Value| {
            Check::new("Op", "f", false)
                .field_value(ty, items, &v)
                .map(Cow::into_owned)
        };
        let strings = Some(ParamType::String);
        assert_eq!(
            f(ParamType::Array, strings, json!("a,b")).unwrap(),
            json!(["a", "b"])
        );
        assert_eq!(
            f(ParamType::Array, Some(ParamType::Integer), json!(7)).unwrap(),
            json!([7])
        );
        let e = f(ParamType::Array, Some(ParamType::Integer), json!(["x"])).unwrap_err();
        assert!(
            e.to_string()
                .ends_with("expected a list of integers; element 1 is a string (\"x\")"),
            "{e}"
        );
        let e = f(ParamType::Array, strings, json!(5)).unwrap_err();
        assert!(
            e.to_string().ends_with(
                "expected a list of strings (or a comma-separated string), got a number (5)"
            ),
            "{e}"
        );
        assert!(f(ParamType::Integer, None, json!("5")).is_err());
        // Object fields take objects only.
        let e = f(ParamType::Object, None, json!("x")).unwrap_err();
        assert!(
            e.to_string()
                .ends_with("expected an object, got a string (\"x\")"),
            "{e}"
        );
        assert!(f(ParamType::Object, None, json!([1])).is_err());
        assert_eq!(
            f(ParamType::Object, None, json!({"a": 1})).unwrap(),
            json!({"a": 1})
        );
        // Lenient: as given, with a note.
        let mut c = Check::new("Op", "f", true);
        assert_eq!(
            c.field_value(ParamType::Object, None, &json!("x"))
                .unwrap()
                .into_owned(),
            json!("x")
        );
        assert_eq!(c.notes.len(), 1);
        let mut c = Check::new("Op", "f", true);
        assert_eq!(
            c.field_value(ParamType::Integer, None, &json!("5"))
                .unwrap()
                .into_owned(),
            json!("5")
        );
        assert_eq!(c.notes.len(), 1);
    }
}
