//! Each build-time validation, fed broken endpoint files through the
//! validation code `build.rs` shares, names the file and the operation.

use falcon_harness_spec::{self as spec, validate::SpecError};
use serde_json::{json, Value};
use std::path::Path;

fn good_op() -> Value {
    json!({
        "id": "GetThing",
        "collections": ["things"],
        "method": "GET",
        "route": "/things/entities/things/{id}/v1",
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "params": [
            {"name": "id", "in": "path", "type": "string", "required": true},
            {"name": "limit", "in": "query", "type": "integer"}
        ]
    })
}

fn write_table(dir: &Path, files: &[(&str, Value)]) {
    std::fs::write(
        dir.join("_aliases.json"),
        r#"{"same_route":{},"legacy":{},"retired":[]}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("_clouds.json"),
        r#"{"regions":{"us-1":{"api":"api.example","container_registry":"cr.example"}},"auto":"api.example"}"#,
    )
    .unwrap();
    for (name, v) in files {
        std::fs::write(dir.join(name), serde_json::to_string_pretty(v).unwrap()).unwrap();
    }
}

fn load_with(op: Value) -> Result<spec::Table, SpecError> {
    let dir = tempfile::tempdir().unwrap();
    write_table(
        dir.path(),
        &[(
            "things.json",
            json!({"collection": "things", "operations": [op]}),
        )],
    );
    spec::load_dir(dir.path())
}

fn assert_names(e: &SpecError, file: &str, op: &str, words: &str) {
    let msg = e.to_string();
    assert!(msg.contains(file), "{msg:?} names the file {file}");
    assert!(
        msg.contains(&format!("operation {op}")),
        "{msg:?} names the operation {op}"
    );
    assert!(msg.contains(words), "{msg:?} says {words:?}");
}

#[test]
fn a_good_table_loads() {
    let t = load_with(good_op()).unwrap();
    assert_eq!(t.collections.len(), 1);
}

#[test]
fn malformed_json_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    write_table(dir.path(), &[]);
    std::fs::write(
        dir.path().join("things.json"),
        "{\"collection\": \"things\", \"operations\": [",
    )
    .unwrap();
    let e = spec::load_dir(dir.path()).unwrap_err();
    assert!(e.to_string().contains("things.json"), "{e}");
    assert!(e.to_string().contains("malformed JSON"), "{e}");
}

#[test]
fn duplicate_ids_name_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut other = good_op();
    other["collections"] = json!(["others"]);
    write_table(
        dir.path(),
        &[
            (
                "things.json",
                json!({"collection": "things", "operations": [good_op()]}),
            ),
            (
                "others.json",
                json!({"collection": "others", "operations": [other]}),
            ),
        ],
    );
    let e = spec::load_dir(dir.path()).unwrap_err();
    assert_names(&e, "things.json", "GetThing", "duplicate operation ID");
    assert!(e.to_string().contains("others.json"), "{e}");
}

#[test]
fn placeholder_without_path_parameter() {
    let mut op = good_op();
    op["route"] = json!("/things/{id}/{other}/v1");
    let e = load_with(op).unwrap_err();
    assert_names(
        &e,
        "things.json",
        "GetThing",
        "placeholder {other} has no path parameter",
    );
}

#[test]
fn path_parameter_without_placeholder() {
    let mut op = good_op();
    op["route"] = json!("/things/v1");
    let e = load_with(op).unwrap_err();
    assert_names(&e, "things.json", "GetThing", "has no {id} placeholder");
}

#[test]
fn unknown_location() {
    let mut op = good_op();
    op["params"][1]["in"] = json!("cookie");
    let e = load_with(op).unwrap_err();
    assert_names(&e, "things.json", "GetThing", "unknown location \"cookie\"");
}

#[test]
fn unknown_type() {
    let mut op = good_op();
    op["params"][1]["type"] = json!("datetime");
    let e = load_with(op).unwrap_err();
    assert_names(&e, "things.json", "GetThing", "unknown type \"datetime\"");
}

#[test]
fn unknown_method() {
    let mut op = good_op();
    op["method"] = json!("FETCH");
    let e = load_with(op).unwrap_err();
    assert_names(&e, "things.json", "GetThing", "unknown method \"FETCH\"");
}

#[test]
fn body_parameter_needs_a_shape_and_vice_versa() {
    let mut op = good_op();
    op["params"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "body", "in": "body", "type": "object", "required": true}));
    let e = load_with(op.clone()).unwrap_err();
    assert_names(&e, "things.json", "GetThing", "no body shape");
    op["body"] = json!({"root": "tree"});
    let e = load_with(op.clone()).unwrap_err();
    assert_names(&e, "things.json", "GetThing", "unknown body root");
    op["body"] =
        json!({"root": "object", "fields": [{"name": "ids", "type": "array", "items": "string"}]});
    load_with(op).unwrap();
}

#[test]
fn array_without_items_and_bad_collection_format() {
    let mut op = good_op();
    op["params"][1] = json!({"name": "ids", "in": "query", "type": "array"});
    let e = load_with(op.clone()).unwrap_err();
    assert_names(&e, "things.json", "GetThing", "array without an items type");
    op["params"][1] = json!({"name": "ids", "in": "query", "type": "array", "items": "string", "collection_format": "semicolon"});
    let e = load_with(op).unwrap_err();
    assert_names(&e, "things.json", "GetThing", "unknown collection format");
}

#[test]
fn nested_fields_only_below_objects_and_within_two_levels() {
    let with_fields = |fields: Value| {
        let mut op = good_op();
        op["method"] = json!("POST");
        op["params"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "body", "in": "body", "type": "object"}));
        op["body"] = json!({"root": "object", "fields": fields});
        load_with(op)
    };
    let leaf = json!({"name": "x", "type": "string"});
    let ok = json!([{"name": "a", "type": "array", "items": "object",
        "fields": [{"name": "b", "type": "object", "fields": [leaf]}]}]);
    assert!(with_fields(ok).is_ok());
    let on_scalar = json!([{"name": "a", "type": "string", "fields": [leaf]}]);
    let e = with_fields(on_scalar).unwrap_err();
    assert_names(
        &e,
        "things.json",
        "GetThing",
        "body field \"a\": only an object",
    );
    let too_deep = json!([{"name": "a", "type": "object", "fields": [{"name": "b", "type": "object",
        "fields": [{"name": "c", "type": "object", "fields": [leaf]}]}]}]);
    let e = with_fields(too_deep).unwrap_err();
    assert_names(&e, "things.json", "GetThing", "body field \"a.b.c\"");
}

#[test]
fn unknown_field_in_an_entry_is_malformed() {
    let mut op = good_op();
    op["verb"] = json!("GET");
    let e = load_with(op).unwrap_err();
    assert!(e.to_string().contains("things.json"), "{e}");
    assert!(e.to_string().contains("unknown field `verb`"), "{e}");
}

/// Loads a good table whose file `name` holds `text` instead.
fn load_replacing(name: &str, text: &str) -> Result<spec::Table, SpecError> {
    let dir = tempfile::tempdir().unwrap();
    write_table(
        dir.path(),
        &[(
            "things.json",
            json!({"collection": "things", "operations": [good_op()]}),
        )],
    );
    std::fs::write(dir.path().join(name), text).unwrap();
    spec::load_dir(dir.path())
}

#[test]
fn alias_to_unknown_operation() {
    let e = load_replacing(
        "_aliases.json",
        r#"{"same_route":{"get-thing":"GetThingz"},"legacy":{},"retired":[]}"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("_aliases.json"), "{e}");
    assert!(e.to_string().contains("operation get-thing"), "{e}");
    assert!(e.to_string().contains("GetThingz"), "{e}");
}

#[test]
fn file_named_after_another_collection() {
    let dir = tempfile::tempdir().unwrap();
    write_table(
        dir.path(),
        &[(
            "stuff.json",
            json!({"collection": "things", "operations": [good_op()]}),
        )],
    );
    let e = spec::load_dir(dir.path()).unwrap_err();
    assert!(e.to_string().contains("stuff.json"), "{e}");
    assert!(e.to_string().contains("name it things.json"), "{e}");
}

#[test]
fn importer_rejects_non_swagger_and_names_the_operation() {
    use falcon_harness_spec::import::import;
    assert!(import(&json!({"openapi": "3.0.0"}), None, None).is_err());
    let doc = json!({"swagger": "2.0", "paths": {"/x/{id}": {"get": {"operationId": "GetX", "parameters": [{"in": "path", "type": "string"}]}}}});
    let e = import(&doc, None, None).unwrap_err();
    assert!(e.to_string().contains("operation GetX"), "{e}");
}

#[test]
fn importer_takes_an_official_style_document() {
    use falcon_harness_spec::import::{import, render};
    // Capitalised tags, path-level parameters, #/parameters refs, allOf
    // bodies and no per-operation media types, as vendor files have them.
    let doc = json!({
        "swagger": "2.0",
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "parameters": {"Limit": {"name": "limit", "in": "query", "type": "integer", "maximum": 500}},
        "paths": {
            "/things/entities/things/{id}/v1": {
                "parameters": [{"name": "id", "in": "path", "type": "string", "required": true}],
                "get": {"operationId": "GetThing", "tags": ["Things API"], "parameters": [{"$ref": "#/parameters/Limit"}]},
                "patch": {"operationId": "UpdateThing", "tags": ["Things API"], "parameters": [
                    {"name": "body", "in": "body", "required": true, "schema": {"$ref": "#/definitions/Update"}}
                ]}
            }
        },
        "definitions": {
            "Base": {"type": "object", "properties": {"name": {"type": "string"}}},
            "Update": {"allOf": [{"$ref": "#/definitions/Base"}, {"properties": {"tags": {"type": "array", "items": {"type": "string"}}}, "required": ["tags"]}]}
        }
    });
    let imported = import(&doc, None, None).unwrap();
    assert_eq!(imported.collections.len(), 1);
    let c = &imported.collections[0];
    assert_eq!(c.collection, "things_api");
    let get = &c.operations[0];
    assert_eq!(get.id, "GetThing");
    assert_eq!(
        get.params
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>(),
        ["id", "limit"]
    );
    assert_eq!(get.params[1].maximum, Some(500.0));
    let upd = &c.operations[1];
    let body = upd.body.as_ref().unwrap();
    assert_eq!(body.root, falcon_harness_spec::vocab::BodyRoot::Object);
    assert_eq!(
        body.fields
            .iter()
            .map(|f| (f.name.as_str(), f.required))
            .collect::<Vec<_>>(),
        [("name", false), ("tags", true)]
    );
    // The output validates and is stable.
    let files = render(&imported).unwrap();
    assert_eq!(files, render(&import(&doc, None, None).unwrap()).unwrap());
    assert!(files.contains_key("things_api.json"));
}

#[test]
fn region_names_are_checked() {
    for (regions, words) in [
        (
            r#"{"US_1":{"api":"a","container_registry":"c"}}"#,
            "region name \"US_1\"",
        ),
        (
            r#"{"auto":{"api":"a","container_registry":"c"}}"#,
            "reserved",
        ),
        (
            r#"{"us-1":{"api":"a","container_registry":"c"},"us1":{"api":"a","container_registry":"c"}}"#,
            "spelled twice",
        ),
    ] {
        let e = load_replacing(
            "_clouds.json",
            &format!(r#"{{"regions":{regions},"auto":"a"}}"#),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("_clouds.json") && e.contains(words), "{e}");
    }
}
