//! Issue 13: the arguments falconpy and PSFalcon users give, checked on
//! the router (nested flat keys, path-argument names, numbers, lenient
//! text, empty elements, raw bodies, override).

use falcon_harness::{
    catalog, router, ArgumentError, Error, PlanOptions, PlannedBody, RequestPlan,
};
use serde_json::{json, Value};

fn opts(lenient: bool) -> PlanOptions {
    PlanOptions { lenient }
}

fn plan_with(id: &str, args: Value, lenient: bool) -> RequestPlan {
    let op = catalog::operation(id).unwrap();
    router::plan(op, &args, &opts(lenient)).unwrap_or_else(|e| panic!("{id} {args}: {e}"))
}

fn plan(id: &str, args: Value) -> RequestPlan {
    plan_with(id, args, false)
}

fn err_with(id: &str, args: Value, lenient: bool) -> ArgumentError {
    let op = catalog::operation(id).unwrap();
    match router::plan(op, &args, &opts(lenient)) {
        Err(Error::Argument(e)) => e,
        other => panic!("{id} {args}: expected an argument error, got {other:?}"),
    }
}

fn err(id: &str, args: Value) -> ArgumentError {
    err_with(id, args, false)
}

fn json_body(p: &RequestPlan) -> Value {
    match &p.body {
        PlannedBody::Json(v) => v.to_value().expect("a body the parser reads back"),
        other => panic!("expected a JSON body, got {other:?}"),
    }
}

// ------------------------------------------------------- nested flat keys

#[test]
fn nested_keys_go_into_a_list_of_one_object() {
    let p = plan(
        "PerformIncidentAction",
        json!({"ids": "inc:1", "name": "update_status", "value": "20"}),
    );
    assert_eq!(
        json_body(&p),
        json!({"ids": ["inc:1"], "action_parameters": [{"name": "update_status", "value": "20"}]})
    );
}

#[test]
fn nested_keys_merge_with_a_parent_the_user_gave() {
    let p = plan(
        "PerformIncidentAction",
        json!({"ids": ["inc:1"], "action_parameters": [{"name": "update_status"}], "value": "20"}),
    );
    assert_eq!(
        json_body(&p)["action_parameters"],
        json!([{"name": "update_status", "value": "20"}])
    );
    let p = plan(
        "PerformIncidentAction",
        json!({"body": {"ids": ["inc:1"], "action_parameters": [{"name": "n"}]}, "value": "v"}),
    );
    assert_eq!(
        json_body(&p)["action_parameters"],
        json!([{"name": "n", "value": "v"}])
    );
    let e = err(
        "PerformIncidentAction",
        json!({"ids": ["inc:1"], "action_parameters": [{"value": "1"}], "value": "20"}),
    );
    assert!(e.expected.contains("given twice"), "{e}");
    let e = err(
        "PerformIncidentAction",
        json!({"ids": ["inc:1"], "action_parameters": [{}, {}], "value": "20"}),
    );
    assert!(e.expected.contains("not as a list of one object"), "{e}");
}

#[test]
fn nested_keys_go_into_an_object_and_by_dotted_path() {
    let p = plan(
        "UpdateRegistryEntities",
        json!({"id": "r1", "type": "github", "details": {"token": "t"}}),
    );
    assert_eq!(
        json_body(&p),
        json!({"credential": {"type": "github", "details": {"token": "t"}}})
    );
    let p = plan(
        "PerformIncidentAction",
        json!({"ids": "inc:1", "action_parameters.value": "20"}),
    );
    assert_eq!(json_body(&p)["action_parameters"], json!([{"value": "20"}]));
}

#[test]
fn ambiguous_nested_keys_list_the_paths() {
    let e = err(
        "updateDefaultDeviceControlPolicies",
        json!({"custom_message": "m"}),
    );
    assert_eq!(e.argument, "custom_message");
    assert!(
        e.expected.contains(
            "custom_notifications.blocked_notification.custom_message, \
             custom_notifications.restricted_notification.custom_message"
        ),
        "{e}"
    );
    // The same refusal in lenient mode: nothing is guessed.
    err_with(
        "updateDefaultDeviceControlPolicies",
        json!({"custom_message": "m"}),
        true,
    );
    let p = plan(
        "updateDefaultDeviceControlPolicies",
        json!({"custom_notifications.blocked_notification.custom_message": "m"}),
    );
    assert_eq!(
        json_body(&p),
        json!({"custom_notifications": {"blocked_notification": {"custom_message": "m"}}})
    );
}

#[test]
fn top_level_fields_win_over_nested_ones() {
    // UpdateCase has a top-level `id` and `detections[].id`.
    let p = plan("UpdateCase", json!({"id": "case:1", "detections.url": "u"}));
    assert_eq!(
        json_body(&p),
        json!({"id": "case:1", "detections": [{"url": "u"}]})
    );
    let e = err("UpdateCase", json!({"url": "u"}));
    assert!(
        e.expected.contains("(detections.url, incidents.url)"),
        "{e}"
    );
}

#[test]
fn nested_values_are_type_checked() {
    let e = err(
        "PerformIncidentAction",
        json!({"ids": "inc:1", "value": 20}),
    );
    assert_eq!(e.argument, "value");
    assert!(e.expected.starts_with("expected a string"), "{e}");
}

// ------------------------------------------------- falconpy path names

#[test]
fn falconpy_path_argument_names_fill_the_placeholder() {
    let p = plan("RetrieveRelayInstances", json!({"id": 7, "body": {}}));
    assert_eq!(
        p.path,
        "/aspm-api-gateway/api/v1/executor_nodes/7/instances/csv"
    );
    let p = plan(
        "GetSearchStatusV1",
        json!({"repository": "r", "search_id": "s"}),
    );
    assert_eq!(p.path, "/humio/api/v1/repositories/r/queryjobs/s");
}

/// Every path parameter alias the table carries (the Python SDK's
/// `uber_path_arguments`, imported from clouds.json) fills its
/// placeholder, whatever else the operation takes.
#[test]
fn every_path_argument_alias_fills_its_placeholder() {
    let mut n = 0;
    for op in catalog::operations() {
        let path: Vec<_> = op
            .params()
            .iter()
            .filter(|p| p.location() == falcon_harness::Location::Path)
            .collect();
        for p in path.iter().filter(|p| !p.aliases().is_empty()) {
            for alias in p.aliases() {
                let mut args = serde_json::Map::new();
                for q in &path {
                    let key = if q.name() == p.name() {
                        *alias
                    } else {
                        q.name()
                    };
                    args.insert(key.into(), json!(format!("v-{}", q.name())));
                }
                let plan = router::plan(op, &Value::Object(args), &opts(true))
                    .unwrap_or_else(|e| panic!("{} {alias}: {e}", op.id()));
                let want = format!("v-{}", p.name());
                assert!(
                    plan.path.split('/').any(|seg| seg == want),
                    "{} {alias}: {}",
                    op.id(),
                    plan.path
                );
                n += 1;
            }
        }
    }
    assert!(n >= 1, "no path aliases in the table");
    println!("{n} path argument aliases fill their placeholder");
}

// ------------------------------------------------------------ exact numbers

#[test]
fn numbers_keep_their_exact_text_in_query_and_body() {
    let big: Value = serde_json::from_str("18446744073709551616").unwrap();
    let p = plan("QueryIncidents", json!({"limit": big}));
    assert_eq!(
        p.path_and_query(),
        "/incidents/queries/incidents/v1?limit=18446744073709551616"
    );
    let args: Value =
        serde_json::from_str(r#"{"field": "status", "name": "n", "size": 18446744073709551616}"#)
            .unwrap();
    let p = plan("AggregateCases", args);
    let text = serde_json::to_string(&json_body(&p)).unwrap();
    assert!(text.contains("\"size\":18446744073709551616"), "{text}");
    let args: Value = serde_json::from_str(
        r#"{"body": [{"field": "status", "name": "n", "size": 1, "ranges": [{"from": 0.10000000000000000001}]}]}"#,
    )
    .unwrap();
    let p = plan("AggregateCases", args);
    let text = serde_json::to_string(&json_body(&p)).unwrap();
    assert!(text.contains("0.10000000000000000001"), "{text}");
    // Never rounded: a fraction too small for a float is still no integer.
    let tiny: Value = serde_json::from_str("1.0000000000000000001").unwrap();
    let e = err("QueryIncidents", json!({"limit": tiny}));
    assert_eq!(
        e.expected,
        "expected an integer, got a number (1.0000000000000000001)"
    );
}

// ------------------------------------------------------- lenient keeps text

#[test]
fn lenient_mode_sends_the_users_text_with_a_warning() {
    let args = json!({"ids": "inc:1", "update_detects": "True"});
    let p = plan_with("PerformIncidentAction", args.clone(), true);
    assert!(
        p.path_and_query().ends_with("?update_detects=True"),
        "{}",
        p.path_and_query()
    );
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    assert!(
        p.warnings[0].starts_with(
            "PerformIncidentAction: argument \"update_detects\": sent as given, not checked"
        ),
        "{:?}",
        p.warnings
    );
    // Strict mode normalises the boolean.
    let p = plan("PerformIncidentAction", args);
    assert!(p.path_and_query().ends_with("?update_detects=true"));
    assert!(p.warnings.is_empty());
    // Not an integer: sent as given in lenient mode, with a warning.
    let p = plan_with("QueryIncidents", json!({"limit": "abc"}), true);
    assert!(p.path_and_query().ends_with("?limit=abc"));
    assert!(
        p.warnings[0].contains("expected an integer, got a string (\"abc\")"),
        "{:?}",
        p.warnings
    );
    let e = err("QueryIncidents", json!({"limit": "abc"}));
    assert_eq!(e.expected, "expected an integer, got a string (\"abc\")");
}

// ---------------------------------------------------------- empty elements

#[test]
fn empty_elements_are_an_error_or_sent_as_written() {
    for ids in [json!(""), json!("a,"), json!(["a", ""])] {
        let e = err("GetDeviceDetailsV1", json!({"ids": ids}));
        assert!(e.expected.contains("is empty; remove it"), "{ids}: {e}");
    }
    // Lenient: as falconpy sends them.
    let p = plan_with("GetDeviceDetailsV1", json!({"ids": ""}), true);
    assert!(
        p.path_and_query().ends_with("?ids="),
        "{}",
        p.path_and_query()
    );
    let p = plan_with("GetDeviceDetailsV1", json!({"ids": "a,,b,"}), true);
    assert!(
        p.path_and_query().ends_with("?ids=a&ids=&ids=b&ids="),
        "{}",
        p.path_and_query()
    );
    assert_eq!(p.warnings.len(), 1);
}

// ------------------------------------------------------- object fields

#[test]
fn object_fields_are_type_checked() {
    let e = err("createScheduledExclusions", json!({"repeated": "x"}));
    assert_eq!(e.to_string(), "createScheduledExclusions: argument \"repeated\": expected an object, got a string (\"x\")");
    let p = plan_with("createScheduledExclusions", json!({"repeated": "x"}), true);
    assert_eq!(json_body(&p)["repeated"], "x");
    assert_eq!(p.warnings.len(), 1);
    let p = plan(
        "createScheduledExclusions",
        json!({"repeated": {"frequency": "daily"}}),
    );
    assert_eq!(json_body(&p)["repeated"], json!({"frequency": "daily"}));
}

// -------------------------------------------------------- raw-body operations

fn raw(p: &RequestPlan) -> (&[u8], &str) {
    match &p.body {
        PlannedBody::Raw {
            bytes,
            content_type,
        } => (bytes, content_type),
        other => panic!("expected raw bytes, got {other:?}"),
    }
}

#[test]
fn raw_body_operations_take_every_raw_form() {
    let id = "ArchiveUploadV1";
    let p = plan(id, json!({"name": "a.zip", "body": "PK\u{3}"}));
    assert_eq!(raw(&p), (&b"PK\x03"[..], "application/octet-stream"));
    let p = plan(id, json!({"name": "a.zip", "body": [80, 75, 3]}));
    assert_eq!(raw(&p).0, b"PK\x03");
    let p = plan(
        id,
        json!({"name": "a.zip", "body": {"content_base64": "UEsD"}}),
    );
    assert_eq!(raw(&p).0, b"PK\x03");
    // content_type chooses among the accepted types.
    let args = json!({"name": "a.zip", "body": "PK", "content_type": "application/zip"});
    assert_eq!(raw(&plan(id, args)).1, "application/zip");
    let file = tempfile::NamedTempFile::new().unwrap();
    let path = file.path().to_path_buf();
    let p = plan(
        id,
        json!({"name": "a.7z", "body": format!("@{}", path.display())}),
    );
    match &p.body {
        PlannedBody::RawFile { file, content_type } => {
            assert_eq!(file.source, falcon_harness::FileSource::Path(path.clone()));
            assert_eq!(content_type, "application/octet-stream");
        }
        other => panic!("expected a raw file, got {other:?}"),
    }
    let e = err(id, json!({"name": "a.zip", "body": {"x": 1}}));
    assert_eq!(e.argument, "body");
    assert!(e.expected.starts_with("expected a file reference"), "{e}");
    // A file that is not there is an argument error while planning.
    let e = err(id, json!({"name": "a.zip", "body": "@/nonexistent/a.zip"}));
    assert!(
        e.expected.starts_with("cannot upload /nonexistent/a.zip"),
        "{e}"
    );
    let e = err(id, json!({"name": "a.zip", "body": [300]}));
    assert!(e.expected.starts_with("expected the raw body"), "{e}");
    let e = err(id, json!({"name": "a.zip"}));
    assert!(e.expected.contains("missing required"), "{e}");
}

#[test]
fn raw_bodies_attach_from_rust() {
    let h = falcon_harness::Harness::builder()
        .bearer_token("t")
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    let p = h
        .request("ArchiveUploadV1")
        .args(json!({"name": "a.zip"}))
        .file("body", b"PK\x03\x04".to_vec())
        .plan()
        .unwrap();
    assert_eq!(raw(&p).0, b"PK\x03\x04");
    let e = h
        .request("ArchiveUploadV1")
        .args(json!({"name": "a.zip", "body": "x"}))
        .file("body", b"y".to_vec())
        .plan()
        .unwrap_err();
    assert!(e.to_string().contains("give it once"), "{e}");
}

// ------------------------------------------------------------- bad input

#[test]
fn typos_of_nested_and_override_keys_get_did_you_mean() {
    let e = err(
        "PerformIncidentAction",
        json!({"ids": "inc:1", "action_parameters.valeu": "20"}),
    );
    assert!(
        e.expected
            .contains("did you mean \"action_parameters.value\"?"),
        "{e}"
    );
    let e = err(
        "PerformIncidentAction",
        json!({"ids": "inc:1", "vaule": "20"}),
    );
    assert!(e.expected.contains("did you mean \"value\"?"), "{e}");
    let e = router::plan_override(
        "GET,/custom/v1",
        &json!({"parameter": {"a": 1}}),
        &PlanOptions::default(),
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("did you mean \"parameters\"?"),
        "{e}"
    );
    // A nested value of the wrong type names the operation, the key and the type.
    let e = err("entities_slas_post_v1", json!({"duration_seconds": "soon"}));
    assert_eq!(
        e.to_string(),
        "entities_slas_post_v1: argument \"duration_seconds\": expected an integer, got a string (\"soon\")"
    );
}
