//! Incidents: the six seed operations.

use super::*;

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
    let want = PlannedBody::Json(json!({"ids": ["ind:1", "ind:2"]}).into());
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
    assert_eq!(
        err("GetBehaviors", json!({"ids": [1, 2]})).expected,
        "expected a list of strings (or a comma-separated string); element 1 is a number (1)"
    );
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
            json!({"ids": ["inc:1"], "action_parameters": [{"name": "update_status", "value": "20"}]}).into()
        )
    );
    let p = plan(
        "PerformIncidentAction",
        json!({"body": {"action_parameters": []}, "ids": ["inc:1"]}),
    );
    assert_eq!(
        p.body,
        PlannedBody::Json(json!({"action_parameters": [], "ids": ["inc:1"]}).into())
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
    let p = plan("GetIncidents", json!({"ids": "inc:1, inc:2 "}));
    assert_eq!(
        p.body,
        PlannedBody::Json(json!({"ids": ["inc:1", "inc:2"]}).into())
    );
    // Empty elements: refused in strict mode, sent as given in lenient.
    let e = err("GetIncidents", json!({"ids": "inc:1, inc:2 ,,"}));
    assert_eq!(
        e.expected,
        "element 3 of \"inc:1, inc:2 ,,\" is empty; remove it (an empty element is sent only in lenient mode)"
    );
    let p = plan_l("GetIncidents", json!({"ids": "inc:1, inc:2 ,,"}));
    assert_eq!(
        p.body,
        PlannedBody::Json(json!({"ids": ["inc:1", "inc:2", "", ""]}).into())
    );
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    // A number is not what a list of ids takes; the message says what is.
    let e = err("GetIncidents", json!({"ids": 5}));
    assert_eq!(
        e.to_string(),
        "GetIncidents: argument \"ids\": expected a list of strings (or a comma-separated string), got a number (5)"
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
