//! `--dry-run` of the built binary: the plan of every seed operation,
//! checked exactly; where the base URL comes from; ARGS from stdin and
//! @file; `--batch --dry-run`. No network, no credentials.

mod support;
use serde_json::{json, Value};
use support::run;

const BASE: &str = "http://127.0.0.1:1";

fn dry(op: &str, args: Value) -> Value {
    let text = args.to_string();
    let r = run(&["--dry-run", "--base-url", BASE, op, &text], b"", &[]);
    assert_eq!(r.code, 0, "{op}: {}", r.stderr);
    r.json()
}

/// The plan of a request without a body.
fn get(op: &str, path: &str, query: &[(&str, &str)], url_query: &str) -> Value {
    let url = if url_query.is_empty() {
        format!("{BASE}{path}")
    } else {
        format!("{BASE}{path}?{url_query}")
    };
    json!({
        "operation": op, "method": "GET", "url": url, "path": path,
        "query": query.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
        "headers": {}, "content_type": null, "body": null, "form": null, "warnings": []
    })
}

/// The plan of a request with a JSON body and no query.
fn with_body(op: &str, method: &str, path: &str, body: Value) -> Value {
    json!({
        "operation": op, "method": method, "url": format!("{BASE}{path}"), "path": path,
        "query": [], "headers": {}, "content_type": "application/json",
        "body": body, "form": null, "warnings": []
    })
}

#[test]
fn incidents_seed_operations() {
    assert_eq!(
        dry(
            "CrowdScore",
            json!({"limit": 2, "sort": "score.desc", "filter": "timestamp:>\"2024-01-01\""})
        ),
        get(
            "CrowdScore",
            "/incidents/combined/crowdscores/v1",
            &[
                ("limit", "2"),
                ("sort", "score.desc"),
                ("filter", "timestamp:>\"2024-01-01\"")
            ],
            "limit=2&sort=score.desc&filter=timestamp%3A%3E%222024-01-01%22"
        )
    );
    assert_eq!(
        dry("GetBehaviors", json!({"ids": ["ind:1:2", "ind:3:4"]})),
        with_body(
            "GetBehaviors",
            "POST",
            "/incidents/entities/behaviors/GET/v1",
            json!({"ids": ["ind:1:2", "ind:3:4"]})
        )
    );
    let mut expected = with_body(
        "PerformIncidentAction",
        "POST",
        "/incidents/entities/incident-actions/v1",
        json!({"ids": ["inc:1", "inc:2"],
               "action_parameters": [{"name": "update_status", "value": "20"}]}),
    );
    expected["url"] = json!(format!(
        "{BASE}/incidents/entities/incident-actions/v1?update_detects=true"
    ));
    expected["query"] = json!([["update_detects", "true"]]);
    assert_eq!(
        dry(
            "PerformIncidentAction",
            json!({"ids": "inc:1,inc:2",
                   "action_parameters": [{"name": "update_status", "value": "20"}],
                   "update_detects": true})
        ),
        expected
    );
    assert_eq!(
        dry("GetIncidents", json!({"ids": ["inc:a"]})),
        with_body(
            "GetIncidents",
            "POST",
            "/incidents/entities/incidents/GET/v1",
            json!({"ids": ["inc:a"]})
        )
    );
    assert_eq!(
        dry("QueryBehaviors", json!({"offset": 10, "limit": 100})),
        get(
            "QueryBehaviors",
            "/incidents/queries/behaviors/v1",
            &[("offset", "10"), ("limit", "100")],
            "offset=10&limit=100"
        )
    );
    assert_eq!(
        dry("QueryIncidents", json!({"filter": "status:20", "limit": 5})),
        get(
            "QueryIncidents",
            "/incidents/queries/incidents/v1",
            &[("filter", "status:20"), ("limit", "5")],
            "filter=status%3A20&limit=5"
        )
    );
}

#[test]
fn message_center_seed_operations() {
    assert_eq!(
        dry(
            "AggregateCases",
            json!({"body": [{"field": "status", "name": "by_status", "type": "terms"}]})
        ),
        with_body(
            "AggregateCases",
            "POST",
            "/message-center/aggregates/cases/GET/v1",
            json!([{"field": "status", "name": "by_status", "type": "terms"}])
        )
    );
    assert_eq!(
        dry("GetCaseActivityByIds", json!({"ids": ["act1"]})),
        with_body(
            "GetCaseActivityByIds",
            "POST",
            "/message-center/entities/case-activities/GET/v1",
            json!({"ids": ["act1"]})
        )
    );
    assert_eq!(
        dry(
            "CaseAddActivity",
            json!({"case_id": "c1", "type": "comment", "body": "hello", "user_uuid": "u1"})
        ),
        with_body(
            "CaseAddActivity",
            "POST",
            "/message-center/entities/case-activity/v1",
            json!({"case_id": "c1", "type": "comment", "body": "hello", "user_uuid": "u1"})
        )
    );
    assert_eq!(
        dry("CaseDownloadAttachment", json!({"id": "att 1/2"})),
        get(
            "CaseDownloadAttachment",
            "/message-center/entities/case-attachment/v1",
            &[("id", "att 1/2")],
            "id=att%201%2F2"
        )
    );
    // The file must exist: it is checked while planning.
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "n").unwrap();
    let notes = notes.display().to_string();
    assert_eq!(
        dry(
            "CaseAddAttachment",
            json!({"case_id": "c1", "user_uuid": "u1", "file": format!("@{notes}")})
        ),
        json!({
            "operation": "CaseAddAttachment", "method": "POST",
            "url": format!("{BASE}/message-center/entities/case-attachment/v1"),
            "path": "/message-center/entities/case-attachment/v1",
            "query": [], "headers": {}, "content_type": "multipart/form-data", "body": null,
            "form": [
                {"name": "case_id", "value": "c1"},
                {"name": "user_uuid", "value": "u1"},
                {"name": "file", "file": {"path": notes, "bytes": null,
                                          "filename": "notes.txt", "content_type": null}}
            ],
            "warnings": []
        })
    );
    assert_eq!(
        dry(
            "CreateCase",
            json!({"title": "t", "type": "fc:incident", "body": "b", "user_uuid": "u1",
                   "detections": [], "incidents": [{"id": "inc:1"}]})
        ),
        with_body(
            "CreateCase",
            "POST",
            "/message-center/entities/case/v1",
            json!({"title": "t", "type": "fc:incident", "body": "b", "user_uuid": "u1",
                   "detections": [], "incidents": [{"id": "inc:1"}]})
        )
    );
    // `content` is the alias of the `body` text field
    assert_eq!(
        dry(
            "CreateCaseV2",
            json!({"title": "t", "type": "fc:incident", "content": "b",
                   "malware_submission_id": "m", "recon_rule_type": "r",
                   "detections": [], "incidents": []})
        ),
        with_body(
            "CreateCaseV2",
            "POST",
            "/message-center/entities/case/v2",
            json!({"title": "t", "type": "fc:incident", "body": "b",
                   "malware_submission_id": "m", "recon_rule_type": "r",
                   "detections": [], "incidents": []})
        )
    );
    assert_eq!(
        dry(
            "UpdateCase",
            json!({"id": "c1", "body": "more", "detections": [], "incidents": []})
        ),
        with_body(
            "UpdateCase",
            "PATCH",
            "/message-center/entities/case/v1",
            json!({"id": "c1", "body": "more", "detections": [], "incidents": []})
        )
    );
    assert_eq!(
        dry("GetCaseEntitiesByIDs", json!({"ids": "c1,c2"})),
        with_body(
            "GetCaseEntitiesByIDs",
            "POST",
            "/message-center/entities/cases/GET/v1",
            json!({"ids": ["c1", "c2"]})
        )
    );
    assert_eq!(
        dry(
            "QueryActivityByCaseID",
            json!({"case_id": "c1", "sort": "activity.created_time.desc", "limit": 3})
        ),
        get(
            "QueryActivityByCaseID",
            "/message-center/queries/case-activities/v1",
            &[
                ("case_id", "c1"),
                ("sort", "activity.created_time.desc"),
                ("limit", "3")
            ],
            "case_id=c1&sort=activity.created_time.desc&limit=3"
        )
    );
    assert_eq!(
        dry(
            "QueryCasesIdsByFilter",
            json!({"filter": "case.status:\"open\"", "limit": 10})
        ),
        get(
            "QueryCasesIdsByFilter",
            "/message-center/queries/cases/v1",
            &[("filter", "case.status:\"open\""), ("limit", "10")],
            "filter=case.status%3A%22open%22&limit=10"
        )
    );
}

#[test]
fn base_url_from_cloud_flag_and_environment() {
    let url = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec!["--dry-run", "query_incidents", "{}"];
        all.extend_from_slice(args);
        let r = run(&all, b"", env);
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.json()["url"].as_str().unwrap().to_string()
    };
    let path = "/incidents/queries/incidents/v1";
    assert_eq!(
        url(&["--cloud", "eu-1"], &[]),
        format!("https://api.eu-1.crowdstrike.com{path}")
    );
    assert_eq!(
        url(&[], &[("FALCON_CLOUD", "us-gov-1")]),
        format!("https://api.laggar.gcw.crowdstrike.com{path}")
    );
    assert_eq!(
        url(
            &["--cloud", "us-2"],
            &[("FALCON_BASE_URL", "http://127.0.0.1:7")]
        ),
        format!("http://127.0.0.1:7{path}")
    );
    let r = run(
        &["--dry-run", "QueryIncidents", "--cloud", "mars-1"],
        b"",
        &[],
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("unknown cloud"), "{}", r.stderr);
}

#[test]
fn args_from_stdin_and_file() {
    let r = run(
        &["--dry-run", "--base-url", BASE, "GetIncidents", "-"],
        br#"{"ids": ["inc:1", "inc:2"]}"#,
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["body"], json!({"ids": ["inc:1", "inc:2"]}));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("args.json");
    std::fs::write(&file, r#"{"filter": "status:20", "limit": 5}"#).unwrap();
    let at = format!("@{}", file.display());
    let r = run(
        &["--dry-run", "--base-url", BASE, "QueryIncidents", &at],
        b"",
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.json()["query"],
        json!([["filter", "status:20"], ["limit", "5"]])
    );
}

#[test]
fn bad_arguments_exit_2_and_print_nothing() {
    for (op, args, needle) in [
        ("QueryIncidents", r#"{"limt": 5}"#, "did you mean \"limit\""),
        ("QueryIncidents", r#"{"limit": "five"}"#, "limit"),
        ("QueryIncidents", "[1, 2]", "expected a JSON object"),
        ("QueryIncidents", "{oops", "not valid JSON"),
        ("QueryIncident", "{}", "did you mean QueryIncidents"),
        ("QueryIncidents", "@/nonexistent/args.json", "cannot read"),
    ] {
        let r = run(&["--dry-run", op, args], b"", &[]);
        assert_eq!(r.code, 2, "{op} {args}: {}", r.stderr);
        assert!(r.stdout.is_empty());
        assert!(r.stderr.contains(needle), "{op} {args}: {}", r.stderr);
    }
    // lenient: the unknown key is dropped with a warning
    let r = run(
        &["--dry-run", "--lenient", "QueryIncidents", r#"{"limt": 5}"#],
        b"",
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json()["query"], json!([]));
    assert_eq!(r.json()["warnings"].as_array().unwrap().len(), 1);
}

#[test]
fn batch_dry_run_plans_1000_lines_in_order_with_one_bad_line() {
    let mut input = String::new();
    for i in 0..1000 {
        if i == 500 {
            input.push_str(
                "{\"id\": 500, \"op\": \"QueryIncidents\", \"args\": {\"limit\": \"many\"}}\n",
            );
        } else {
            input.push_str(&format!(
                "{{\"id\": {i}, \"op\": \"QueryIncidents\", \"args\": {{\"offset\": {i}}}}}\n"
            ));
        }
    }
    let r = run(
        &["--batch", "--dry-run", "--base-url", BASE],
        input.as_bytes(),
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let lines = r.json_lines();
    assert_eq!(lines.len(), 1000);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["id"], json!(i));
        assert_eq!(line["line"], json!(i + 1));
        if i == 500 {
            assert_eq!(line["error"]["kind"], "argument", "{line}");
            assert!(line.get("plan").is_none());
        } else {
            assert_eq!(
                line["plan"]["url"],
                json!(format!("{BASE}/incidents/queries/incidents/v1?offset={i}"))
            );
        }
    }
}

#[test]
fn a_long_id_list_shows_every_request_of_its_split() {
    // GetDeviceDetailsV2 accepts at most 100 ids.
    let ids: Vec<String> = (0..250).map(|i| format!("{i:032x}")).collect();
    let j = dry("GetDeviceDetailsV2", json!({"ids": ids}));
    assert_eq!(j["split"], 3);
    let requests = j["requests"].as_array().unwrap();
    let mut all = Vec::new();
    for r in requests {
        assert_eq!(r["operation"], "GetDeviceDetailsV2");
        let ids: Vec<Value> = r["query"]
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| pair[1].clone())
            .collect();
        assert!(ids.len() <= 100);
        all.extend(ids);
    }
    assert_eq!(all, ids.iter().map(|s| json!(s)).collect::<Vec<_>>());
    // Off: an argument error, nothing planned.
    let text = json!({"ids": ids}).to_string();
    let r = run(
        &[
            "--dry-run",
            "--no-split",
            "--base-url",
            BASE,
            "GetDeviceDetailsV2",
            &text,
        ],
        b"",
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("at most 100"), "{}", r.stderr);
}
