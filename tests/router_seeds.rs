//! The router on the seed operations (and one operation for each rule
//! the seeds do not exercise), with several argument shapes each.

use falcon_harness::router::{plan_override, plan_with_attachments};
use falcon_harness::{
    catalog, router, ArgumentError, Error, FileRef, FileSource, FormPart, Method, PartValue,
    PlanOptions, PlannedBody, RequestPlan,
};
use serde_json::{json, Value};

const AWKWARD: &str = "a b&c=d+e/f#g%h?i;j'k\"l é🦅";

fn strict() -> PlanOptions {
    PlanOptions::default()
}

fn lenient() -> PlanOptions {
    PlanOptions { lenient: true }
}

fn plan(id: &str, args: Value) -> RequestPlan {
    let op = catalog::operation(id).unwrap();
    router::plan(op, &args, &strict()).unwrap_or_else(|e| panic!("{id} {args}: {e}"))
}

fn plan_l(id: &str, args: Value) -> RequestPlan {
    let op = catalog::operation(id).unwrap();
    router::plan(op, &args, &lenient()).unwrap_or_else(|e| panic!("{id} {args}: {e}"))
}

fn err_with(id: &str, args: Value, opts: PlanOptions) -> ArgumentError {
    let op = catalog::operation(id).unwrap();
    match router::plan(op, &args, &opts) {
        Err(Error::Argument(e)) => e,
        other => panic!("{id} {args}: expected an argument error, got {other:?}"),
    }
}

fn err(id: &str, args: Value) -> ArgumentError {
    err_with(id, args, strict())
}

fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn decoded_query(p: &RequestPlan) -> Vec<(String, String)> {
    let url = url::Url::parse(&format!("https://api.example{}", p.path_and_query())).unwrap();
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

// ---------------------------------------------------------------- incidents

#[test]
fn crowd_score() {
    let p = plan(
        "CrowdScore",
        json!({"filter": AWKWARD, "limit": 10, "offset": "20", "sort": "score.desc"}),
    );
    assert_eq!(p.method, Method::Get);
    assert_eq!(p.path, "/incidents/combined/crowdscores/v1");
    assert_eq!(
        p.query,
        q(&[
            ("filter", AWKWARD),
            ("limit", "10"),
            ("offset", "20"),
            ("sort", "score.desc")
        ])
    );
    assert_eq!(p.body, PlannedBody::Empty);
    assert_eq!(decoded_query(&p), p.query);
    assert!(p.query_string().starts_with(
        "filter=a%20b%26c%3Dd%2Be%2Ff%23g%25h%3Fi%3Bj%27k%22l%20%C3%A9%F0%9F%A6%85&limit=10"
    ));
    // null is omitted; no arguments at all is fine.
    assert_eq!(plan("CrowdScore", json!({"filter": null})).query, q(&[]));
    assert_eq!(
        plan("CrowdScore", Value::Null).path_and_query(),
        "/incidents/combined/crowdscores/v1"
    );
    let e = err("CrowdScore", json!({"sort": "score"}));
    assert_eq!(e.argument, "sort");
    assert!(e.expected.contains("\"score.asc\""), "{e}");
    let e = err("CrowdScore", json!({"limit": "ten"}));
    assert!(e.expected.contains("expected an integer"), "{e}");
    assert_eq!(
        plan_l("CrowdScore", json!({"limit": "ten"})).query,
        q(&[("limit", "ten")])
    );
    assert!(
        err_with("CrowdScore", json!({"limit": {"n": 1}}), lenient())
            .expected
            .contains("got an object")
    );
}

#[test]
fn get_behaviors() {
    let want = PlannedBody::Json(json!({"ids": ["ind:1", "ind:2"]}));
    assert_eq!(
        plan("GetBehaviors", json!({"ids": ["ind:1", "ind:2"]})).body,
        want
    );
    assert_eq!(
        plan("GetBehaviors", json!({"ids": "ind:1, ind:2"})).body,
        want
    );
    assert_eq!(
        plan("GetBehaviors", json!({"body": {"ids": ["ind:1", "ind:2"]}})).body,
        want
    );
    let p = plan("GetBehaviors", json!({"ids": "ind:1"}));
    assert_eq!(p.method, Method::Post);
    assert_eq!(p.path, "/incidents/entities/behaviors/GET/v1");
    assert_eq!(p.query, q(&[]));
    let e = err(
        "GetBehaviors",
        json!({"body": {"ids": ["a"]}, "ids": ["b"]}),
    );
    assert!(e.expected.contains("given both"), "{e}");
    let e = err("GetBehaviors", json!({}));
    assert_eq!(e.argument, "body");
    assert!(e.expected.contains("missing required"), "{e}");
    assert_eq!(plan_l("GetBehaviors", json!({})).body, PlannedBody::Empty);
    assert!(err("GetBehaviors", json!({"ids": [1, 2]}))
        .expected
        .contains("expected a string"));
}

#[test]
fn perform_incident_action() {
    let p = plan(
        "PerformIncidentAction",
        json!({
            "update_detects": true,
            "overwrite_detects": "FALSE",
            "ids": "inc:1",
            "action_parameters": [{"name": "update_status", "value": "20"}],
        }),
    );
    assert_eq!(
        p.query,
        q(&[("update_detects", "true"), ("overwrite_detects", "false")])
    );
    assert_eq!(
        p.body,
        PlannedBody::Json(
            json!({"ids": ["inc:1"], "action_parameters": [{"name": "update_status", "value": "20"}]})
        )
    );
    let p = plan(
        "PerformIncidentAction",
        json!({"body": {"action_parameters": []}, "ids": ["inc:1"]}),
    );
    assert_eq!(
        p.body,
        PlannedBody::Json(json!({"action_parameters": [], "ids": ["inc:1"]}))
    );
    assert!(err(
        "PerformIncidentAction",
        json!({"ids": "x", "update_detects": "yes"})
    )
    .expected
    .contains("boolean"));
    assert!(err(
        "PerformIncidentAction",
        json!({"ids": "x", "update_detects": 1})
    )
    .expected
    .contains("boolean"));
}

#[test]
fn get_incidents() {
    let p = plan("GetIncidents", json!({"ids": "inc:1, inc:2 ,,"}));
    assert_eq!(
        p.body,
        PlannedBody::Json(json!({"ids": ["inc:1", "inc:2"]}))
    );
    let p = plan("GetIncidents", json!({"ids": ["inc:1"]}));
    assert_eq!(
        p.to_json("https://api.example/")["body"],
        json!({"ids": ["inc:1"]})
    );
    assert_eq!(
        p.to_json("https://api.example/")["content_type"],
        "application/json"
    );
    let e = err("GetIncidents", json!({"idss": ["inc:1"]}));
    assert_eq!(
        e.to_string(),
        "GetIncidents: argument \"idss\": unknown argument; did you mean \"ids\"? valid: body, ids"
    );
    let p = plan_l("GetIncidents", json!({"idss": ["inc:1"], "ids": "inc:2"}));
    assert_eq!(p.warnings.len(), 1);
    assert!(p.warnings[0].contains("idss") && p.warnings[0].contains("\"ids\""));
}

#[test]
fn query_behaviors() {
    let p = plan(
        "QueryBehaviors",
        json!({"parameters": {"filter": "a:'1'", "limit": 5}, "offset": 10}),
    );
    assert_eq!(
        p.query,
        q(&[("filter", "a:'1'"), ("limit", "5"), ("offset", "10")])
    );
    let e = err(
        "QueryBehaviors",
        json!({"parameters": {"limit": 5}, "limit": 6}),
    );
    assert!(e.expected.contains("more than once"), "{e}");
    let e = err("QueryBehaviors", json!({"parameters": {"limt": 5}}));
    assert!(e.expected.contains("did you mean \"limit\""), "{e}");
    let p = plan_l(
        "QueryBehaviors",
        json!({"parameters": {"undocumented": [1, true]}}),
    );
    assert_eq!(
        p.query,
        q(&[("undocumented", "1"), ("undocumented", "true")])
    );
    assert_eq!(p.warnings.len(), 1);
    assert!(err("QueryBehaviors", json!({"parameters": "limit=5"}))
        .expected
        .contains("expected an object"));
}

#[test]
fn query_incidents() {
    let p = plan(
        "QueryIncidents",
        json!({"filter": "status:20+state:'open'", "limit": 5, "sort": "start.desc"}),
    );
    assert_eq!(
        p.path_and_query(),
        "/incidents/queries/incidents/v1?filter=status%3A20%2Bstate%3A%27open%27&limit=5&sort=start.desc"
    );
    assert_eq!(p.body, PlannedBody::Empty);
    assert_eq!(p.headers, vec![]);
    let e = err("QueryIncidents", json!({"limt": 5}));
    assert_eq!(
        e.to_string(),
        "QueryIncidents: argument \"limt\": unknown argument; did you mean \"limit\"? \
         valid: filter, limit, offset, sort"
    );
    let e = err("QueryIncidents", json!({"body": {"limit": 5}}));
    assert!(e.expected.contains("no JSON body"), "{e}");
    let p = plan_l("QueryIncidents", json!({"body": {"limit": 5}, "limit": 1}));
    assert_eq!(p.body, PlannedBody::Empty);
    assert_eq!(p.query, q(&[("limit", "1")]));
    assert_eq!(p.warnings.len(), 1);
    assert!(err("QueryIncidents", json!({"ids": "x"}))
        .expected
        .contains("unknown"));
    assert!(err("QueryIncidents", json!({"limit": [1, 2]}))
        .expected
        .contains("got a list"));
    assert_eq!(
        plan_l("QueryIncidents", json!({"limit": [1, 2]})).query,
        q(&[("limit", "1"), ("limit", "2")])
    );
    assert!(err("QueryIncidents", json!({"filter": {"a": 1}}))
        .expected
        .contains("object"));
    assert!(err("QueryIncidents", json!({"limit": 1.5}))
        .expected
        .contains("integer"));
    assert_eq!(
        plan("QueryIncidents", json!({"limit": 2.0})).query,
        q(&[("limit", "2")])
    );
}

// ---------------------------------------------------------- message center

#[test]
fn aggregate_cases() {
    let p = plan(
        "AggregateCases",
        json!({"field": "case.status", "name": "by_status", "type": "terms", "size": 10}),
    );
    assert_eq!(
        p.body,
        PlannedBody::Json(
            json!([{"field": "case.status", "name": "by_status", "type": "terms", "size": 10}])
        )
    );
    let body = json!([{"field": "a", "type": "terms"}, {"field": "b", "type": "terms"}]);
    assert_eq!(
        plan("AggregateCases", json!({"body": body.clone()})).body,
        PlannedBody::Json(body.clone())
    );
    let p = plan(
        "AggregateCases",
        json!({"body": [{"type": "terms"}], "field": "x"}),
    );
    assert_eq!(
        p.body,
        PlannedBody::Json(json!([{"type": "terms", "field": "x"}]))
    );
    assert!(err("AggregateCases", json!({"body": body, "field": "x"}))
        .expected
        .contains("not one object"));
    assert!(err("AggregateCases", json!({"body": {"field": "x"}}))
        .expected
        .contains("JSON list"));
    assert!(err("AggregateCases", json!({"size": "ten"}))
        .expected
        .contains("integer"));
    // Required body fields are not enforced.
    assert!(matches!(
        plan("AggregateCases", json!({"field": "x"})).body,
        PlannedBody::Json(_)
    ));
}

#[test]
fn get_case_activity_by_ids() {
    let p = plan("GetCaseActivityByIds", json!({"ids": ["a", "b"]}));
    assert_eq!(p.path, "/message-center/entities/case-activities/GET/v1");
    assert_eq!(p.body, PlannedBody::Json(json!({"ids": ["a", "b"]})));
    assert_eq!(
        plan("GetCaseActivityByIds", json!({"ids": "a"})).body,
        PlannedBody::Json(json!({"ids": ["a"]}))
    );
}

#[test]
fn case_add_activity() {
    let want =
        json!({"case_id": "c1", "type": "comment", "user_uuid": "u1", "body": "hello & bye"});
    let p = plan(
        "CaseAddActivity",
        json!({"case_id": "c1", "type": "comment", "user_uuid": "u1", "body": "hello & bye"}),
    );
    assert_eq!(p.body, PlannedBody::Json(want.clone()));
    let p = plan(
        "CaseAddActivity",
        json!({"case_id": "c1", "type": "comment", "user_uuid": "u1", "content": "hello & bye"}),
    );
    assert_eq!(p.body, PlannedBody::Json(want));
}

#[test]
fn case_download_attachment() {
    let p = plan("CaseDownloadAttachment", json!({"id": AWKWARD}));
    assert_eq!(decoded_query(&p), q(&[("id", AWKWARD)]));
    let e = err("CaseDownloadAttachment", json!({}));
    assert_eq!(
        (e.argument.as_str(), e.expected.as_str()),
        ("id", "missing required argument")
    );
    assert_eq!(plan_l("CaseDownloadAttachment", json!({})).query, q(&[]));
}

#[test]
fn case_add_attachment() {
    // Upload files must exist: they are checked while planning.
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.pdf");
    std::fs::write(&report, "%PDF").unwrap();
    let report = report.display().to_string();
    let at = format!("@{report}");
    let p = plan(
        "CaseAddAttachment",
        json!({"case_id": "c1", "user_uuid": "u1", "file": at}),
    );
    let PlannedBody::Multipart(parts) = &p.body else {
        panic!("{:?}", p.body)
    };
    assert_eq!(parts.len(), 3);
    assert_eq!(
        parts[0],
        FormPart {
            name: "case_id".into(),
            value: PartValue::Text("c1".into())
        }
    );
    let PartValue::File(f) = &parts[2].value else {
        panic!()
    };
    assert_eq!(f.source, FileSource::Path(report.clone().into()));
    assert_eq!(f.filename.as_deref(), Some("report.pdf"));
    assert_eq!(p.query, q(&[]));
    let j = p.to_json("https://api.example");
    assert_eq!(j["content_type"], "multipart/form-data");
    assert_eq!(
        j["form"][2],
        json!({"name": "file", "file": {"path": report, "bytes": null, "filename": "report.pdf", "content_type": null}})
    );
    let p = plan(
        "CaseAddAttachment",
        json!({"case_id": "c1", "user_uuid": "u1",
               "file": {"content_base64": "aGVsbG8=", "filename": "h.txt", "content_type": "text/plain"}}),
    );
    let PlannedBody::Multipart(parts) = &p.body else {
        panic!()
    };
    assert!(
        matches!(&parts[2].value, PartValue::File(f) if f.source == FileSource::Bytes(bytes::Bytes::from_static(b"hello")))
    );
    assert_eq!(p.to_json("x")["form"][2]["file"]["bytes"], 5);
    // `files`, in both shapes.
    let p = plan(
        "CaseAddAttachment",
        json!({"case_id": "c1", "user_uuid": "u1", "files": [["file", {"path": report}]]}),
    );
    assert!(matches!(&p.body, PlannedBody::Multipart(parts) if parts.len() == 3));
    let p = plan(
        "CaseAddAttachment",
        json!({"data": {"case_id": "c1", "user_uuid": "u1"}, "files": {"file": at}}),
    );
    assert!(matches!(&p.body, PlannedBody::Multipart(parts) if parts.len() == 3));
    // Errors.
    let e = err(
        "CaseAddAttachment",
        json!({"case_id": "c1", "user_uuid": "u1"}),
    );
    assert_eq!(e.argument, "file");
    assert!(e.expected.contains("missing required file"), "{e}");
    let e = err(
        "CaseAddAttachment",
        json!({"case_id": "c1", "user_uuid": "u1", "file": "report.pdf"}),
    );
    assert!(e.expected.contains("must start with \"@\""), "{e}");
    let e = err(
        "CaseAddAttachment",
        json!({"case_id": "c1", "user_uuid": "u1", "files": {"fil": at}}),
    );
    assert!(e.expected.contains("did you mean \"file\""), "{e}");
    let e = err(
        "CaseAddAttachment",
        json!({"case_id": "c1", "data": {"case_id": "c2"}}),
    );
    assert!(e.expected.contains("more than once"), "{e}");
    let e = err("CaseAddAttachment", json!({"data": {"caseid": "c2"}}));
    assert!(e.expected.contains("did you mean \"case_id\""), "{e}");
    // The Rust API attaches bytes.
    let op = catalog::operation("CaseAddAttachment").unwrap();
    let file = FileRef {
        source: FileSource::Bytes(bytes::Bytes::from_static(b"x")),
        filename: Some("x.bin".into()),
        content_type: None,
    };
    let p = plan_with_attachments(
        op,
        &json!({"case_id": "c", "user_uuid": "u"}),
        &strict(),
        vec![("file".into(), file.clone())],
    )
    .unwrap();
    assert!(
        matches!(&p.body, PlannedBody::Multipart(parts) if parts[2].value == PartValue::File(file.clone()))
    );
    let e = plan_with_attachments(
        op,
        &json!({"case_id": "c", "user_uuid": "u", "file": at}),
        &strict(),
        vec![("file".into(), file)],
    )
    .unwrap_err();
    assert!(e.to_string().contains("more than once"), "{e}");
}

#[test]
fn create_case() {
    let p = plan(
        "CreateCase",
        json!({"title": "T", "type": "fdr", "body": "text with \"quotes\"", "detections": [{"id": "d"}]}),
    );
    assert_eq!(
        p.body,
        PlannedBody::Json(
            json!({"title": "T", "type": "fdr", "body": "text with \"quotes\"", "detections": [{"id": "d"}]})
        )
    );
    let p = plan("CreateCase", json!({"title": "T", "content": "text"}));
    assert_eq!(
        p.body,
        PlannedBody::Json(json!({"title": "T", "body": "text"}))
    );
    // An object `body` is still the whole body; flat fields fill it.
    let p = plan(
        "CreateCase",
        json!({"body": {"title": "T", "body": "text"}, "type": "x"}),
    );
    assert_eq!(
        p.body,
        PlannedBody::Json(json!({"title": "T", "body": "text", "type": "x"}))
    );
    assert!(err("CreateCase", json!({"body": "a", "content": "b"}))
        .expected
        .contains("once"));
    assert!(err("CreateCase", json!({"title": 5}))
        .expected
        .contains("string"));
}

#[test]
fn create_case_v2() {
    let p = plan(
        "CreateCaseV2",
        json!({"title": "T", "body": "text", "malware_submission_id": "m", "incidents": []}),
    );
    assert_eq!(p.path, "/message-center/entities/case/v2");
    assert_eq!(
        p.body,
        PlannedBody::Json(
            json!({"title": "T", "body": "text", "malware_submission_id": "m", "incidents": []})
        )
    );
    let p = plan("CreateCaseV2", json!({"content": "text", "user_uuid": "u"}));
    assert_eq!(
        p.body,
        PlannedBody::Json(json!({"body": "text", "user_uuid": "u"}))
    );
}

#[test]
fn update_case() {
    let p = plan("UpdateCase", json!({"id": "case:1", "body": "more"}));
    assert_eq!(p.method, Method::Patch);
    assert_eq!(
        p.body,
        PlannedBody::Json(json!({"id": "case:1", "body": "more"}))
    );
    let p = plan(
        "UpdateCase",
        json!({"body": {"id": "case:1"}, "content": "more"}),
    );
    assert_eq!(
        p.body,
        PlannedBody::Json(json!({"id": "case:1", "body": "more"}))
    );
}

#[test]
fn get_case_entities_by_ids() {
    let p = plan("GetCaseEntitiesByIDs", json!({"ids": "c1,c2"}));
    assert_eq!(p.body, PlannedBody::Json(json!({"ids": ["c1", "c2"]})));
    assert_eq!(p.path, "/message-center/entities/cases/GET/v1");
}

#[test]
fn query_activity_by_case_id() {
    let p = plan(
        "QueryActivityByCaseID",
        json!({"case_id": "c/1 2", "sort": "activity.created_time.desc", "limit": 3}),
    );
    assert_eq!(
        p.query_string(),
        "case_id=c%2F1%202&sort=activity.created_time.desc&limit=3"
    );
    let e = err("QueryActivityByCaseID", json!({"limit": 3}));
    assert_eq!(e.argument, "case_id");
    assert!(err(
        "QueryActivityByCaseID",
        json!({"case_id": "c", "sort": "bad"})
    )
    .expected
    .contains("one of"));
}

#[test]
fn query_cases_ids_by_filter() {
    let p = plan(
        "QueryCasesIdsByFilter",
        json!({"filter": "case.status:'open'", "sort": "case.id.asc", "offset": 0, "limit": 100}),
    );
    assert_eq!(decoded_query(&p), p.query);
    assert_eq!(p.query.len(), 4);
    assert!(plan("QueryCasesIdsByFilter", json!({})).query.is_empty());
}

// ----------------------------------------------------------- other rules

#[test]
fn multi_and_csv_collections() {
    let p = plan("getPreventionPolicies", json!({"ids": ["a", "b,c"]}));
    assert_eq!(p.query, q(&[("ids", "a"), ("ids", "b,c")]));
    let p = plan("getPreventionPolicies", json!({"ids": "a, b"}));
    assert_eq!(p.query, q(&[("ids", "a"), ("ids", "b")]));
    assert_eq!(p.query_string(), "ids=a&ids=b");
    let p = plan("GetMalQueryDownloadV1", json!({"ids": ["a", "b"]}));
    assert_eq!(p.query, q(&[("ids", "a,b")]));
    let p = plan("getPreventionPolicies", json!({"ids": [true, 7, 1.5]}));
    assert_eq!(p.query, q(&[("ids", "true"), ("ids", "7"), ("ids", "1.5")]));
    assert!(err("getPreventionPolicies", json!({"ids": [["a"]]}))
        .expected
        .contains("list"));
    assert!(err("getPreventionPolicies", json!({"ids": []}))
        .expected
        .contains("missing"));
}

#[test]
fn header_parameters() {
    let p = plan("get_global_configs", json!({"X-CS-USERUUID": "u-1"}));
    assert_eq!(
        p.headers,
        vec![("X-CS-USERUUID".to_string(), "u-1".to_string())]
    );
    assert!(p.query.is_empty());
    for bad in ["u\r\nX-Evil: 1", "u\nv", "u\0", "ü"] {
        let e = err("get_global_configs", json!({"X-CS-USERUUID": bad}));
        assert!(e.expected.contains("header value"), "{e}");
    }
    let p = plan(
        "get_global_configs",
        json!({"headers": {"X-Trace": "t", "X-Num": 5}}),
    );
    assert_eq!(
        p.headers,
        vec![("X-Trace".into(), "t".into()), ("X-Num".into(), "5".into())]
    );
    let e = err(
        "get_global_configs",
        json!({"X-CS-USERUUID": "a", "headers": {"x-cs-useruuid": "b"}}),
    );
    assert!(e.expected.contains("more than once"), "{e}");
    assert!(
        err("get_global_configs", json!({"headers": {"Bad Name": "x"}}))
            .expected
            .contains("header name")
    );
    assert!(err("get_global_configs", json!({"headers": {"X": "a\rb"}}))
        .expected
        .contains("carriage"));
}

#[test]
fn path_parameters() {
    let p = plan(
        "PutObject",
        json!({"collection_name": "a/b", "object_key": "k ey#1?", "body": {"x": 1}}),
    );
    assert_eq!(
        p.path,
        "/customobjects/v1/collections/a%2Fb/objects/k%20ey%231%3F"
    );
    assert_eq!(p.body, PlannedBody::Json(json!({"x": 1})));
    let url = url::Url::parse(&format!("https://h{}", p.path)).unwrap();
    let segments: Vec<_> = url.path_segments().unwrap().collect();
    assert_eq!(segments.len(), 6);
    assert_eq!(segments[3], "a%2Fb");
    for bad in ["..", ".", ""] {
        let e = err(
            "PutObject",
            json!({"collection_name": bad, "object_key": "k", "body": "x"}),
        );
        assert_eq!(e.argument, "collection_name");
    }
    let e = err_with(
        "PutObject",
        json!({"object_key": "k", "body": "x"}),
        lenient(),
    );
    assert_eq!(
        (e.argument.as_str(), e.expected.as_str()),
        ("collection_name", "missing path parameter")
    );
    // Integer path parameters, by name and by the Python SDK's alias.
    assert_eq!(
        plan("DeleteExecutorNode", json!({"ID": 42})).path,
        "/aspm-api-gateway/api/v1/executor_nodes/42"
    );
    assert_eq!(
        plan("DeleteExecutorNode", json!({"id": "42"})).path,
        "/aspm-api-gateway/api/v1/executor_nodes/42"
    );
    assert!(err("DeleteExecutorNode", json!({"id": "x/.."}))
        .expected
        .contains("integer"));
    assert!(err("DeleteExecutorNode", json!({"ID": 1, "id": 2}))
        .expected
        .contains("more than once"));
    let p = plan(
        "entities_vertices_get",
        json!({"vertex_type": "devices", "ids": ["a"]}),
    );
    assert_eq!(p.path, "/threatgraph/entities/devices/v1");
    assert!(err(
        "entities_vertices_get",
        json!({"vertex-type": "nope", "ids": "a"})
    )
    .expected
    .contains("one of"));
}

#[test]
fn raw_bodies() {
    let p = plan(
        "PutObject",
        json!({"collection_name": "c", "object_key": "k", "body": "raw text"}),
    );
    assert_eq!(
        p.body,
        PlannedBody::Raw {
            bytes: bytes::Bytes::from_static(b"raw text"),
            content_type: "application/octet-stream".into()
        }
    );
    assert_eq!(p.to_json("h")["body"], json!({"raw_bytes": 8}));
    let p = plan(
        "PutObject",
        json!({"collection_name": "c", "object_key": "k", "body": {"content_base64": "AAE="}, "content_type": "image/png"}),
    );
    assert_eq!(
        p.body,
        PlannedBody::Raw {
            bytes: bytes::Bytes::from_static(&[0, 1]),
            content_type: "image/png".into()
        }
    );
    let p = plan(
        "PutObject",
        json!({"collection_name": "c", "object_key": "k", "data": "d"}),
    );
    assert!(matches!(p.body, PlannedBody::Raw { .. }));
}

#[test]
fn form_parameters() {
    let p = plan(
        "IngestDataV1",
        json!({"tag": ["a", "b"], "test_data": true, "data_content": AWKWARD}),
    );
    assert_eq!(
        p.body,
        PlannedBody::Multipart(vec![
            FormPart {
                name: "tag".into(),
                value: PartValue::Text("a,b".into())
            },
            FormPart {
                name: "test_data".into(),
                value: PartValue::Text("true".into())
            },
            FormPart {
                name: "data_content".into(),
                value: PartValue::Text(AWKWARD.into())
            },
        ])
    );
    assert!(p.query.is_empty());
    let p = plan(
        "oauth2RevokeToken",
        json!({"token": "t&k=v", "client_id": "c"}),
    );
    assert_eq!(
        p.body,
        PlannedBody::Form(q(&[("token", "t&k=v"), ("client_id", "c")]))
    );
    assert_eq!(
        p.to_json("h")["form"],
        // The dry-run view hides the token; the plan above sends it.
        json!([{"name": "token", "value": "<redacted>"}, {"name": "client_id", "value": "c"}])
    );
    assert_eq!(
        p.to_json("h")["content_type"],
        "application/x-www-form-urlencoded"
    );
    let e = err_with(
        "oauth2RevokeToken",
        json!({"token": "t", "files": {"file": concat!("@", env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")}}),
        lenient(),
    );
    assert!(e.expected.contains("multipart"), "{e}");
    let p = plan("oauth2RevokeToken", json!({"data": "token=t"}));
    assert_eq!(
        p.body,
        PlannedBody::Raw {
            bytes: bytes::Bytes::from_static(b"token=t"),
            content_type: "application/x-www-form-urlencoded".into()
        }
    );
    let p = plan(
        "entities_templates_import_post_v1",
        json!({"file": concat!("@", env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"), "dry_run": false}),
    );
    assert!(
        matches!(&p.body, PlannedBody::Multipart(parts) if parts[1].value == PartValue::Text("false".into()))
    );
}

#[test]
fn reserved_names_that_are_body_fields() {
    let p = plan(
        "RunIntegrationTask",
        json!({"id": 7, "category": "c", "override": true, "data": "payload"}),
    );
    assert_eq!(p.path, "/aspm-api-gateway/api/v1/integration_tasks/7/run");
    assert_eq!(p.query, q(&[("category", "c")]));
    assert_eq!(
        p.body,
        PlannedBody::Json(json!({"override": true, "data": "payload"}))
    );
    let p = plan("GetEventsEntities", json!({"ids": "e1,e2"}));
    assert_eq!(p.body, PlannedBody::Json(json!({"ids": ["e1", "e2"]})));
    let p = plan(
        "WorkflowSystemDefinitionsPromote",
        json!({"parameters": {"k": "v"}}),
    );
    assert_eq!(p.body, PlannedBody::Json(json!({"parameters": {"k": "v"}})));
}

#[test]
fn override_requests() {
    let op = catalog::operation("QueryIncidents").unwrap();
    let p = router::plan(
        op,
        &json!({"override": "POST,/custom/route v1?x=1", "parameters": {"a": [1, 2]}, "body": {"k": true},
                "headers": {"X-A": "b"}}),
        &strict(),
    )
    .unwrap();
    assert_eq!(p.operation, "override");
    assert_eq!(p.method, Method::Post);
    assert_eq!(p.path_and_query(), "/custom/route%20v1?x=1&a=1&a=2");
    assert_eq!(p.body, PlannedBody::Json(json!({"k": true})));
    assert_eq!(p.headers, vec![("X-A".into(), "b".into())]);
    let p = plan_override("GET,/x", &json!({"data": {"a": "b"}}), &strict()).unwrap();
    assert_eq!(p.body, PlannedBody::Form(q(&[("a", "b")])));
    let p = plan_override("GET,/x", &Value::Null, &strict()).unwrap();
    assert_eq!(p.body, PlannedBody::Empty);
    let e = plan_override("GET,/x", &json!({"limit": 1}), &strict()).unwrap_err();
    assert!(e.to_string().contains("parameters"), "{e}");
    let p = plan_override("GET,/x", &json!({"limit": 1}), &lenient()).unwrap();
    assert_eq!(p.warnings.len(), 1);
    assert!(plan_override("GET,/../x", &Value::Null, &strict()).is_err());
    assert!(err("QueryIncidents", json!({"override": 5}))
        .expected
        .contains("METHOD,/route"));
}

#[test]
fn args_must_be_an_object() {
    for bad in [json!([1]), json!("limit=5"), json!(5)] {
        let e = err("QueryIncidents", bad);
        assert_eq!(e.argument, "<args>");
    }
}

#[test]
fn content_type_choices() {
    let p = plan(
        "PutObject",
        json!({"collection_name": "c", "object_key": "k", "body": {"a": 1}, "headers": {"Content-Type": "application/vnd.x+json"}}),
    );
    assert_eq!(
        p.body,
        PlannedBody::Raw {
            bytes: bytes::Bytes::from_static(b"{\"a\":1}"),
            content_type: "application/vnd.x+json".into()
        }
    );
    assert!(p.headers.is_empty());
    let e = err(
        "PutObject",
        json!({"collection_name": "c", "object_key": "k", "body": {"a": 1}, "content_type": "text/csv"}),
    );
    assert!(e.expected.contains("give the body as a string"), "{e}");
    let p = plan(
        "QueryIncidents",
        json!({"content_type": "application/json"}),
    );
    assert_eq!(p.body, PlannedBody::Empty);
    assert_eq!(p.warnings.len(), 1);
}

#[test]
fn dry_run_json_shape() {
    let p = plan("QueryIncidents", json!({"filter": "status:20", "limit": 5}));
    assert_eq!(
        p.to_json("https://api.crowdstrike.com/"),
        json!({
            "operation": "QueryIncidents",
            "method": "GET",
            "url": "https://api.crowdstrike.com/incidents/queries/incidents/v1?filter=status%3A20&limit=5",
            "path": "/incidents/queries/incidents/v1",
            "query": [["filter", "status:20"], ["limit", "5"]],
            "headers": {},
            "content_type": null,
            "body": null,
            "form": null,
            "warnings": [],
        })
    );
    let p = plan("GetIncidents", json!({"ids": ["a"]}));
    assert_eq!(
        p.to_json("https://h")["url"],
        "https://h/incidents/entities/incidents/GET/v1"
    );
}

#[test]
fn authorization_header_parameters_are_sent_by_the_harness() {
    // 15 operations declare a required `Authorization` header; the harness
    // sends it, so it is neither required nor accepted as an argument.
    let op = catalog::operation("get_combined_schedules").unwrap();
    assert!(op
        .params()
        .iter()
        .any(|p| p.is_authorization() && p.required()));
    let plan = router::plan(op, &json!({}), &PlanOptions::default()).unwrap();
    assert!(plan.headers.is_empty());
    for args in [
        json!({"Authorization": "Bearer x"}),
        json!({"authorization": "Bearer x"}),
        json!({"headers": {"AUTHORIZATION": "Bearer x"}}),
    ] {
        let e = router::plan(op, &args, &PlanOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("sends the Authorization header itself"), "{e}");
        let e = router::plan(op, &args, &PlanOptions { lenient: true })
            .unwrap_err()
            .to_string();
        assert!(e.contains("sends the Authorization header itself"), "{e}");
    }
    let e = router::plan(op, &json!({"limt": 1}), &PlanOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        !e.contains("Authorization"),
        "not listed as a valid name: {e}"
    );
    let declared = catalog::operations()
        .filter(|o| o.params().iter().any(|p| p.is_authorization()))
        .count();
    let required = catalog::operations()
        .filter(|o| {
            o.params()
                .iter()
                .any(|p| p.is_authorization() && p.required())
        })
        .count();
    assert_eq!((declared, required), (20, 15));
}

#[test]
fn declared_headers_given_in_the_headers_object_count_as_given() {
    let op = catalog::operation("queries_local_application_group_get").unwrap();
    let p = op
        .params()
        .iter()
        .find(|p| p.location() == falcon_harness::Location::Header && p.required())
        .unwrap();
    let name = p.name().to_ascii_lowercase();
    let plan = router::plan(
        op,
        &json!({"headers": {name.clone(): "u-1"}}),
        &PlanOptions::default(),
    )
    .unwrap();
    assert_eq!(plan.headers, vec![(name.clone(), "u-1".to_string())]);
    // Given both ways is one header given twice.
    let e = router::plan(
        op,
        &json!({p.name(): "u-1", "headers": {name: "u-2"}}),
        &PlanOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("more than once"), "{e}");
}

#[test]
fn dry_run_view_redacts_secret_fields() {
    let op = catalog::operation("oauth2AccessToken").unwrap();
    let plan = router::plan(
        op,
        &json!({"client_id": "id-1", "client_secret": "s3cr3t-value"}),
        &PlanOptions::default(),
    )
    .unwrap();
    let text = plan.to_json("https://api.crowdstrike.com").to_string();
    assert!(!text.contains("s3cr3t-value"), "{text}");
    assert!(
        text.contains("<redacted>") && text.contains("id-1"),
        "{text}"
    );
    // The plan itself still carries the value to send.
    assert!(format!("{:?}", plan.body).contains("s3cr3t-value"));
}
