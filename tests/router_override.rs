//! Manual requests (`override`) go through the same planner as table
//! operations: each check of the operation path applies to a manual
//! route too, and errors name the route (`GET /custom/route`).

use falcon_harness::router::{plan_override, plan_with_attachments};
use falcon_harness::{
    catalog, router, ArgumentError, Error, FileRef, FileSource, PlanOptions, PlannedBody,
};
use serde_json::{json, Value};

const ROUTE: &str = "POST,/custom/route";

/// A file that exists (upload files are checked while planning).
const REAL_FILE: &str = concat!("@", env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");

fn strict() -> PlanOptions {
    PlanOptions::default()
}

fn lenient() -> PlanOptions {
    PlanOptions { lenient: true }
}

fn err_with(args: Value, opts: PlanOptions) -> ArgumentError {
    match plan_override(ROUTE, &args, &opts) {
        Err(Error::Argument(e)) => e,
        other => panic!("{args}: expected an argument error, got {other:?}"),
    }
}

fn err(args: Value) -> ArgumentError {
    err_with(args, strict())
}

#[test]
fn errors_name_the_route() {
    let e = err(json!({"limit": 1}));
    assert_eq!(e.operation, "POST /custom/route");
    assert_eq!(e.argument, "limit");
    let e = plan_override("GET,/a b", &json!([1]), &strict()).unwrap_err();
    assert!(
        e.to_string().starts_with("GET /a%20b: argument \"<args>\""),
        "{e}"
    );
    // Through `plan`, the `override` key names the route too.
    let op = catalog::operation("QueryIncidents").unwrap();
    let e = router::plan(op, &json!({"override": "GET,/x", "limt": 1}), &strict()).unwrap_err();
    assert!(
        e.to_string().starts_with("GET /x: argument \"limt\""),
        "{e}"
    );
    // The lenient warning names it as well.
    let p = plan_override(ROUTE, &json!({"limit": 1}), &lenient()).unwrap();
    assert_eq!(
        p.warnings,
        ["POST /custom/route: dropped unknown argument \"limit\""]
    );
    // A route that does not parse has no name yet.
    let e = plan_override("FETCH,/x", &Value::Null, &strict()).unwrap_err();
    assert!(
        e.to_string().starts_with("override: argument \"override\""),
        "{e}"
    );
}

#[test]
fn authorization_is_refused_in_headers_and_as_a_key() {
    for opts in [strict(), lenient()] {
        let e = err_with(json!({"headers": {"authorization": "Bearer stolen"}}), opts);
        assert_eq!(e.argument, "headers");
        assert!(e.expected.contains("Authorization header itself"), "{e}");
        let e = err_with(json!({"Authorization": "Bearer stolen"}), opts);
        assert_eq!(e.argument, "Authorization");
        assert!(e.expected.contains("Authorization header itself"), "{e}");
    }
}

#[test]
fn the_content_type_is_given_once() {
    let e = err(json!({"body": "a: 1", "content_type": "application/yaml",
                       "headers": {"Content-Type": "text/plain"}}));
    assert!(e.expected.contains("given twice"), "{e}");
    // The same type twice is one type.
    let p = plan_override(
        ROUTE,
        &json!({"body": "a: 1", "content_type": "application/yaml",
                "headers": {"content-type": "Application/YAML"}}),
        &strict(),
    )
    .unwrap();
    assert!(p
        .content_type()
        .is_some_and(|ct| ct.eq_ignore_ascii_case("application/yaml")));
}

#[test]
fn header_names_values_and_repeats_are_checked() {
    for (headers, what) in [
        (json!({"X-A": "a\r\nInjected: 1"}), "carriage return"),
        (json!({"X A": "b"}), "not a valid header name"),
        (json!({"X-A": [1]}), "expected a string, got a list"),
        (json!({"X-A": "a", "x-a": "b"}), "more than once"),
    ] {
        let e = err(json!({ "headers": headers }));
        assert!(e.expected.contains(what), "{headers}: {e}");
    }
    let e = err(json!({"headers": ["X-A"]}));
    assert!(e.expected.contains("header names and values"), "{e}");
    let e = err(json!({"content_type": "text/plain\nX: y", "body": "b"}));
    assert!(e.expected.contains("line feed"), "{e}");
}

#[test]
fn empty_names_are_refused() {
    let e = err(json!({"parameters": {"": "x"}}));
    assert!(e.expected.contains("needs a name"), "{e}");
    let e = err(json!({"data": {"": "x"}}));
    assert!(e.expected.contains("needs a name"), "{e}");
    let e = err(json!({"files": {"": REAL_FILE}}));
    assert!(e.expected.contains("needs a form field name"), "{e}");
    // The same rule for an operation's lenient pass-through.
    let op = catalog::operation("QueryIncidents").unwrap();
    let e = router::plan(op, &json!({"parameters": {"": "x"}}), &lenient()).unwrap_err();
    assert!(e.to_string().contains("needs a name"), "{e}");
}

#[test]
fn one_body_kind_at_a_time() {
    let e = err(json!({"data": "raw", "body": {"a": 1}}));
    assert_eq!(e.argument, "data");
    let e = err(json!({"data": "raw", "files": {"f": REAL_FILE}}));
    assert_eq!(e.argument, "data");
    let e = err(json!({"body": {"a": 1}, "data": {"f": "x"}}));
    assert_eq!(e.argument, "body");
    assert!(e.expected.contains("cannot be combined"), "{e}");
}

#[test]
fn files_and_forms_use_the_operation_code() {
    let e = err(json!({"files": {"f": "plain"}}));
    assert!(e.expected.contains("must start with \"@\""), "{e}");
    let e = err(json!({"files": {"f": {"path": "/a", "content_type": "a\r\nb"}}}));
    assert!(e.expected.contains("carriage return"), "{e}");
    // A form with a file is multipart; a urlencoded content type then fails.
    let p = plan_override(
        ROUTE,
        &json!({"files": {"f": REAL_FILE}, "data": {"k": 1}}),
        &strict(),
    )
    .unwrap();
    assert!(matches!(&p.body, PlannedBody::Multipart(parts) if parts.len() == 2));
    let e = err(
        json!({"files": {"f": REAL_FILE}, "content_type": "application/x-www-form-urlencoded"}),
    );
    assert!(e.expected.contains("multipart/form-data"), "{e}");
    // A JSON body cannot be sent as a non-JSON type.
    let e = err(json!({"body": {"a": 1}, "content_type": "text/plain"}));
    assert_eq!(e.argument, "content_type");
    // Attachments from Rust reach a manual route given as `override`.
    let op = catalog::operation("QueryIncidents").unwrap();
    let file = FileRef {
        source: FileSource::Bytes(bytes::Bytes::from_static(b"hi")),
        filename: Some("h.txt".into()),
        content_type: None,
    };
    let p = plan_with_attachments(
        op,
        &json!({"override": ROUTE}),
        &strict(),
        vec![("upload".into(), file)],
    )
    .unwrap();
    assert!(matches!(&p.body, PlannedBody::Multipart(parts) if parts[0].name == "upload"));
}

#[test]
fn the_route_is_given_once() {
    let e = err(json!({"override": "GET,/other"}));
    assert_eq!(e.argument, "override");
    assert!(e.expected.contains("another route"), "{e}");
    let p = plan_override(ROUTE, &json!({"override": ROUTE}), &strict()).unwrap();
    assert_eq!(p.path, "/custom/route");
}
