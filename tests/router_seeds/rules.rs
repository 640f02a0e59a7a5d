//! One operation for each rule the seeds do not exercise.

use super::*;

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
    assert_eq!(p.body, PlannedBody::Json(json!({"x": 1}).into()));
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
        PlannedBody::Json(json!({"override": true, "data": "payload"}).into())
    );
    let p = plan("GetEventsEntities", json!({"ids": "e1,e2"}));
    assert_eq!(
        p.body,
        PlannedBody::Json(json!({"ids": ["e1", "e2"]}).into())
    );
    let p = plan(
        "WorkflowSystemDefinitionsPromote",
        json!({"parameters": {"k": "v"}}),
    );
    assert_eq!(
        p.body,
        PlannedBody::Json(json!({"parameters": {"k": "v"}}).into())
    );
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
    assert_eq!(p.body, PlannedBody::Json(json!({"k": true}).into()));
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
