//! Assembling the request body: the whole `body` as given, filled with
//! the flat body-field arguments; raw bodies; and the `content_type`.

use crate::error::Error;
use crate::json_bytes;
use crate::operation::{Body, BodyRoot};
use crate::plan::{JsonBody, PlannedBody};
use base64::Engine as _;
use serde_json::map::Entry;
use serde_json::{Map, Value};
use std::borrow::Cow;

fn fill(
    op: &str,
    m: &mut Map<String, Value>,
    fields: Vec<(&'static str, Cow<'_, Value>)>,
) -> Result<(), Error> {
    for (name, v) in fields {
        // One look-up: the key is hashed once.
        match m.entry(name) {
            Entry::Occupied(_) => return Err(given_twice(op, name)),
            Entry::Vacant(slot) => {
                slot.insert(v.into_owned());
            }
        }
    }
    Ok(())
}

fn given_twice(op: &str, name: &str) -> Error {
    Error::argument(
        op,
        name,
        "given both as an argument and inside \"body\"; give it once",
    )
}

/// The JSON body, written: [`assemble`]'s value, except that flat fields
/// alone are written straight from the arguments, with no `Value` made
/// of them, and a `body` given alone is written without a copy.
pub(crate) fn written(
    op: &str,
    shape: &Body,
    whole: Option<&Value>,
    fields: Vec<(&'static str, Cow<'_, Value>)>,
    lenient: bool,
) -> Result<Option<JsonBody>, Error> {
    if whole.is_none() && !fields.is_empty() {
        if let Some(i) = (1..fields.len()).find(|&i| fields[..i].iter().any(|f| f.0 == fields[i].0))
        {
            return Err(given_twice(op, fields[i].0));
        }
        let in_list = shape.root() == BodyRoot::Array;
        return Ok(Some(JsonBody::written(json_bytes::members_to_vec(
            &fields, in_list,
        ))));
    }
    Ok(assemble(op, shape, whole, fields, lenient)?.map(|v| JsonBody::new(&v)))
}

/// The JSON body from `body` (as given) and the flat field arguments.
/// An array-root body gets the flat fields as its one element.
pub(crate) fn assemble<'v>(
    op: &str,
    shape: &Body,
    whole: Option<&'v Value>,
    fields: Vec<(&'static str, Cow<'_, Value>)>,
    lenient: bool,
) -> Result<Option<Cow<'v, Value>>, Error> {
    let array_root = shape.root() == BodyRoot::Array;
    let Some(whole) = whole else {
        if fields.is_empty() {
            return Ok(None);
        }
        let mut m = Map::with_capacity(fields.len());
        fill(op, &mut m, fields)?;
        return Ok(Some(Cow::Owned(if array_root {
            Value::Array(vec![Value::Object(m)])
        } else {
            Value::Object(m)
        })));
    };
    let expected = match (shape.root(), whole) {
        (BodyRoot::Object, Value::Object(_)) | (BodyRoot::Array, Value::Array(_)) => None,
        (BodyRoot::Object, _) => Some("expected a JSON object"),
        (BodyRoot::Array, _) => Some("expected a JSON list"),
        (BodyRoot::Opaque | BodyRoot::Binary, _) => None,
    };
    if let (Some(what), false) = (expected, lenient) {
        return Err(Error::argument(
            op,
            "body",
            format!("{what}, got {}", super::convert::describe(whole)),
        ));
    }
    if fields.is_empty() {
        return Ok(Some(Cow::Borrowed(whole)));
    }
    let mut whole = whole.clone();
    let target = match &mut whole {
        Value::Object(m) => Some(m),
        Value::Array(a) if a.len() == 1 => a[0].as_object_mut(),
        _ => None,
    };
    let Some(target) = target else {
        return Err(Error::argument(
            op,
            fields[0].0,
            "cannot be merged into the given \"body\" (it is not one object); put it inside \"body\"",
        ));
    };
    fill(op, target, fields)?;
    Ok(Some(Cow::Owned(whole)))
}

/// Bytes given for a raw body: a string (its UTF-8 bytes) or
/// `{"content_base64": ...}`.
pub(crate) fn raw_bytes(v: &Value) -> Option<Result<bytes::Bytes, String>> {
    match v {
        Value::String(s) => Some(Ok(bytes::Bytes::copy_from_slice(s.as_bytes()))),
        Value::Object(m) if m.len() == 1 => {
            let b64 = m.get("content_base64")?.as_str()?;
            Some(
                base64::engine::general_purpose::STANDARD
                    .decode(b64.trim())
                    .map(bytes::Bytes::from)
                    .map_err(|e| format!("\"content_base64\" is not base64: {e}")),
            )
        }
        _ => None,
    }
}

/// Applies an explicit `content_type` to a planned body. A JSON body
/// with a JSON media type other than plain `application/json` is sent
/// as raw JSON text; a string body with a non-JSON type is sent raw.
pub(crate) fn apply_content_type(
    op: &str,
    body: PlannedBody,
    ct: &str,
    warnings: &mut Vec<String>,
) -> Result<PlannedBody, Error> {
    let is = |essence: &str| crate::media::is(ct, essence);
    Ok(match body {
        PlannedBody::Empty => {
            warnings.push(format!(
                "{op}: content_type {ct:?} ignored: the request has no body"
            ));
            PlannedBody::Empty
        }
        PlannedBody::Json(body) if crate::media::is_json(ct) => {
            if ct.trim() == "application/json" {
                PlannedBody::Json(body)
            } else {
                PlannedBody::Raw {
                    bytes: body.bytes().clone(),
                    content_type: ct.to_string(),
                }
            }
        }
        PlannedBody::Json(body) => match body.to_value() {
            Some(Value::String(s)) => PlannedBody::Raw {
                bytes: s.into_bytes().into(),
                content_type: ct.to_string(),
            },
            _ => {
                return Err(Error::argument(
                    op,
                    "content_type",
                    format!("a JSON body cannot be sent as {ct:?}; give the body as a string"),
                ))
            }
        },
        PlannedBody::Raw { bytes, .. } => PlannedBody::Raw {
            bytes,
            content_type: ct.to_string(),
        },
        PlannedBody::RawFile { file, .. } => PlannedBody::RawFile {
            file,
            content_type: ct.to_string(),
        },
        PlannedBody::Form(pairs) if is("multipart/form-data") => PlannedBody::Multipart(
            pairs
                .into_iter()
                .map(|(name, v)| crate::plan::FormPart {
                    name,
                    value: crate::plan::PartValue::Text(v),
                })
                .collect(),
        ),
        form @ PlannedBody::Form(_) if is("application/x-www-form-urlencoded") => form,
        form @ PlannedBody::Multipart(_) if is("multipart/form-data") => form,
        PlannedBody::Multipart(parts) if is("application/x-www-form-urlencoded") => {
            super::form::urlencoded(op, parts)?
        }
        PlannedBody::Form(_) | PlannedBody::Multipart(_) => {
            return Err(Error::argument(
                op,
                "content_type",
                format!("a form is sent as multipart/form-data or application/x-www-form-urlencoded, not {ct:?}"),
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::operation;
    use serde_json::json;

    fn shape(id: &str) -> &'static Body {
        operation(id).unwrap().body().unwrap()
    }

    fn lent(fields: Vec<(&'static str, Value)>) -> Vec<(&'static str, Cow<'static, Value>)> {
        fields
            .into_iter()
            .map(|(k, v)| (k, Cow::Owned(v)))
            .collect()
    }

    /// [`assemble`] of owned fields, its value owned.
    fn assembled(
        op: &str,
        shape: &Body,
        whole: Option<&Value>,
        fields: Vec<(&'static str, Value)>,
        lenient: bool,
    ) -> Result<Option<Value>, Error> {
        let b = assemble(op, shape, whole, lent(fields), lenient)?;
        Ok(b.map(Cow::into_owned))
    }

    #[test]
    fn flat_fields_alone_are_written_as_their_object_would_be() {
        for (id, fields) in [
            ("GetIncidents", vec![("ids", json!(["a", "b\"c"]))]),
            (
                "AggregateCases",
                vec![("field", json!("status")), ("type", json!("terms"))],
            ),
            (
                "PerformIncidentAction",
                vec![
                    ("ids", json!(["a"])),
                    ("action_parameters", json!([{"name": "x", "value": 1.5}])),
                ],
            ),
        ] {
            let value = assembled(id, shape(id), None, fields.clone(), false)
                .unwrap()
                .unwrap();
            let body = written(id, shape(id), None, lent(fields), false)
                .unwrap()
                .unwrap();
            assert_eq!(body.as_bytes(), serde_json::to_vec(&value).unwrap(), "{id}");
        }
        let e = written(
            "G",
            shape("GetIncidents"),
            None,
            lent(vec![("ids", json!(["a"])), ("ids", json!(["b"]))]),
            false,
        )
        .unwrap_err();
        assert!(e.to_string().contains("given both"), "{e}");
        assert_eq!(
            written("G", shape("GetIncidents"), None, vec![], false).unwrap(),
            None
        );
        // A `body` given alone, or with fields, is written from its value.
        let whole = json!({"action_parameters": []});
        let s = shape("PerformIncidentAction");
        let alone = written("P", s, Some(&whole), vec![], false)
            .unwrap()
            .unwrap();
        assert_eq!(alone.as_bytes(), br#"{"action_parameters":[]}"#);
        let merged = written(
            "P",
            s,
            Some(&whole),
            lent(vec![("ids", json!(["a"]))]),
            false,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            merged.as_bytes(),
            br#"{"action_parameters":[],"ids":["a"]}"#
        );
    }

    #[test]
    fn flat_fields_fill_the_body() {
        let b = assembled(
            "GetIncidents",
            shape("GetIncidents"),
            None,
            vec![("ids", json!(["a"]))],
            false,
        )
        .unwrap();
        assert_eq!(b, Some(json!({"ids": ["a"]})));
        let whole = json!({"action_parameters": []});
        let b = assembled(
            "P",
            shape("PerformIncidentAction"),
            Some(&whole),
            vec![("ids", json!(["a"]))],
            false,
        )
        .unwrap();
        assert_eq!(b, Some(json!({"action_parameters": [], "ids": ["a"]})));
        let whole = json!({"ids": ["b"]});
        let e = assembled(
            "P",
            shape("GetIncidents"),
            Some(&whole),
            vec![("ids", json!(["a"]))],
            false,
        )
        .unwrap_err();
        assert!(e.to_string().contains("given both"), "{e}");
        assert_eq!(
            assembled("P", shape("GetIncidents"), None, vec![], false).unwrap(),
            None
        );
    }

    #[test]
    fn array_roots_wrap_flat_fields() {
        let s = shape("AggregateCases");
        let b = assembled("A", s, None, vec![("field", json!("status"))], false).unwrap();
        assert_eq!(b, Some(json!([{"field": "status"}])));
        let whole = json!([{"type": "terms"}]);
        let b = assembled(
            "A",
            s,
            Some(&whole),
            vec![("field", json!("status"))],
            false,
        )
        .unwrap();
        assert_eq!(b, Some(json!([{"type": "terms", "field": "status"}])));
        let whole = json!([{}, {}]);
        assert!(assembled("A", s, Some(&whole), vec![("field", json!("x"))], false).is_err());
        assert!(assembled("A", s, Some(&json!({"field": "x"})), vec![], false).is_err());
        assert!(assembled("A", s, Some(&json!({"field": "x"})), vec![], true).is_ok());
    }

    #[test]
    fn content_types() {
        let mut w = Vec::new();
        let b = apply_content_type(
            "O",
            PlannedBody::Json(json!("a: 1").into()),
            "application/yaml",
            &mut w,
        )
        .unwrap();
        assert_eq!(
            b,
            PlannedBody::Raw {
                bytes: bytes::Bytes::from_static(b"a: 1"),
                content_type: "application/yaml".into()
            }
        );
        assert!(apply_content_type(
            "O",
            PlannedBody::Json(json!({}).into()),
            "text/plain",
            &mut w
        )
        .is_err());
        let b = apply_content_type(
            "O",
            PlannedBody::Json(json!({}).into()),
            "application/json",
            &mut w,
        )
        .unwrap();
        assert_eq!(b, PlannedBody::Json(json!({}).into()));
        apply_content_type("O", PlannedBody::Empty, "text/plain", &mut w).unwrap();
        assert_eq!(w.len(), 1);
        assert_eq!(
            raw_bytes(&json!({"content_base64": "aGk="}))
                .unwrap()
                .unwrap(),
            &b"hi"[..]
        );
        assert!(raw_bytes(&json!({"x": 1})).is_none());
    }
}
