//! Issue 13 in the importer: body fields recorded two levels below the
//! top (objects and lists of objects), and a body that accepts no JSON
//! media type recorded as raw bytes.

use falcon_harness_spec::format::{FieldSpec, NESTED_LEVELS};
use falcon_harness_spec::import::import;
use falcon_harness_spec::vocab::{BodyRoot, ParamType};
use serde_json::{json, Value};

fn doc(consumes: &[&str], schema: Value) -> Value {
    json!({
        "swagger": "2.0",
        "paths": {"/x/v1": {"post": {
            "operationId": "PostX",
            "consumes": consumes,
            "parameters": [{"name": "body", "in": "body", "required": true, "schema": schema}]
        }}},
        "definitions": {
            "Action": {"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string"},
                "value": {"type": "string"},
                "deep": {"type": "object", "properties": {
                    "deeper": {"type": "object", "properties": {"x": {"type": "string"}}}
                }}
            }},
            "Req": {"type": "object", "properties": {
                "ids": {"type": "array", "items": {"type": "string"}},
                "action_parameters": {"type": "array", "items": {"$ref": "#/definitions/Action"}},
                "settings": {"$ref": "#/definitions/Action"}
            }}
        }
    })
}

fn field<'a>(fields: &'a [FieldSpec], name: &str) -> &'a FieldSpec {
    fields.iter().find(|f| f.name == name).unwrap()
}

#[test]
fn nested_fields_are_recorded_two_levels_down() {
    let d = doc(&["application/json"], json!({"$ref": "#/definitions/Req"}));
    let imported = import(&d, None, None).unwrap();
    let op = &imported.collections[0].operations[0];
    let body = op.body.as_ref().unwrap();
    assert_eq!(body.root, BodyRoot::Object);
    assert!(field(&body.fields, "ids").fields.is_empty());
    let list = field(&body.fields, "action_parameters");
    assert_eq!(
        (list.ty, list.items),
        (ParamType::Array, Some(ParamType::Object))
    );
    let name = field(&list.fields, "name");
    assert_eq!((name.ty, name.required), (ParamType::String, true));
    let object = field(&body.fields, "settings");
    assert_eq!(object.ty, ParamType::Object);
    // Two levels below the top, and no further.
    assert_eq!(NESTED_LEVELS, 2);
    let deep = field(&object.fields, "deep");
    let deeper = field(&deep.fields, "deeper");
    assert!(deeper.fields.is_empty(), "{deeper:?}");
}

#[test]
fn a_body_that_accepts_no_json_is_raw() {
    let bytes = json!({"type": "array", "items": {"type": "integer", "format": "int64"}});
    let d = doc(
        &["application/octet-stream", "application/zip"],
        bytes.clone(),
    );
    let op = &import(&d, None, None).unwrap().collections[0].operations[0];
    let body = op.body.as_ref().unwrap();
    assert_eq!((body.root, body.items), (BodyRoot::Binary, None));
    assert_eq!(op.params[0].ty, ParamType::String);
    // With a JSON media type among them, the schema stands.
    let d = doc(&["application/json", "application/octet-stream"], bytes);
    let op = &import(&d, None, None).unwrap().collections[0].operations[0];
    assert_eq!(op.body.as_ref().unwrap().root, BodyRoot::Array);
}
