//! Every seed operation end to end through `Harness::command`: the
//! planner puts the arguments where the table says, the transport sends
//! them with the token, and the reply comes back decoded. Query, JSON
//! body, multipart upload (streamed from disk) and binary download
//! (streamed to a file).

mod support;

use falcon_harness::{catalog, Harness, ResponseBody};
use mockito::{Matcher, Server, ServerGuard};
use serde_json::{json, Value};
use std::io::Write;
use support::mock::*;

const TOKEN: &str = "seed-token";

/// Query pairs the server must see.
type Pairs = Vec<(&'static str, &'static str)>;
/// Operation, path, arguments and the expected query.
type QueryCase = (&'static str, &'static str, Value, Pairs);
/// Operation, method, path, arguments, expected query and JSON body.
type BodyCase = (
    &'static str,
    &'static str,
    &'static str,
    Value,
    Pairs,
    Value,
);

async fn setup() -> (ServerGuard, Harness, mockito::Mock) {
    let mut server = Server::new_async().await;
    let token = token_mock(&mut server, TOKEN, 1799, 1).await;
    let h = builder(&server).build().unwrap();
    (server, h, token)
}

/// A mock for `method path` that needs the token, the query pairs and
/// (when given) the exact JSON body, answering `resources`.
async fn expect_call(
    server: &mut ServerGuard,
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    body: Option<Value>,
    resources: Value,
) -> mockito::Mock {
    let query = if query.is_empty() {
        Matcher::Missing
    } else {
        Matcher::AllOf(
            query
                .iter()
                .map(|(k, v)| Matcher::UrlEncoded(k.to_string(), v.to_string()))
                .collect(),
        )
    };
    let mut m = server
        .mock(method, path)
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .match_query(query);
    m = match body {
        Some(b) => m
            .match_header("content-type", "application/json")
            .match_body(Matcher::Json(b)),
        None => m.match_body(Matcher::Exact(String::new())),
    };
    m.with_status(200)
        .with_header("content-type", "application/json")
        .with_header("x-ratelimit-remaining", "5990")
        .with_body(
            json!({"meta": {"query_time": 0.01}, "resources": resources, "errors": []}).to_string(),
        )
        .expect(1)
        .create_async()
        .await
}

#[tokio::test]
async fn query_operations() {
    let (mut server, h, token) = setup().await;
    let cases: Vec<QueryCase> = vec![
        (
            "QueryIncidents",
            "/incidents/queries/incidents/v1",
            json!({"filter": "status:20+name:'a b'", "limit": 5, "sort": "start.desc"}),
            vec![
                ("filter", "status:20+name:'a b'"),
                ("limit", "5"),
                ("sort", "start.desc"),
            ],
        ),
        (
            "QueryBehaviors",
            "/incidents/queries/behaviors/v1",
            json!({"filter": "tactic:'Execution'", "offset": 10}),
            vec![("filter", "tactic:'Execution'"), ("offset", "10")],
        ),
        (
            "CrowdScore",
            "/incidents/combined/crowdscores/v1",
            json!({"limit": 1, "sort": "timestamp.desc"}),
            vec![("limit", "1"), ("sort", "timestamp.desc")],
        ),
        (
            "QueryCasesIdsByFilter",
            "/message-center/queries/cases/v1",
            json!({"filter": "case.status:'open'", "limit": 100}),
            vec![("filter", "case.status:'open'"), ("limit", "100")],
        ),
        (
            "QueryActivityByCaseID",
            "/message-center/queries/case-activities/v1",
            json!({"case_id": "case-1", "sort": "activity.created_time.desc"}),
            vec![
                ("case_id", "case-1"),
                ("sort", "activity.created_time.desc"),
            ],
        ),
    ];
    for (op, path, args, query) in cases {
        let m = expect_call(
            &mut server,
            "GET",
            path,
            &query,
            None,
            json!([format!("{op}-id")]),
        )
        .await;
        let r = h.command(op, args).await.unwrap();
        assert_eq!(r.status(), 200, "{op}");
        assert_eq!(r.operation(), op);
        assert_eq!(r.resources().unwrap(), &vec![json!(format!("{op}-id"))]);
        assert_eq!(r.rate_limit_remaining(), Some(5990));
        m.assert_async().await;
    }
    token.assert_async().await;
}

#[tokio::test]
async fn body_operations() {
    let (mut server, h, token) = setup().await;
    let cases: Vec<BodyCase> = vec![
        (
            "GetIncidents",
            "POST",
            "/incidents/entities/incidents/GET/v1",
            json!({"ids": "inc:1,inc:2"}),
            vec![],
            json!({"ids": ["inc:1", "inc:2"]}),
        ),
        (
            "GetBehaviors",
            "POST",
            "/incidents/entities/behaviors/GET/v1",
            json!({"ids": ["ind:1"]}),
            vec![],
            json!({"ids": ["ind:1"]}),
        ),
        (
            "PerformIncidentAction",
            "POST",
            "/incidents/entities/incident-actions/v1",
            json!({
                "ids": ["inc:1"],
                "action_parameters": [{"name": "update_status", "value": "20"}],
                "update_detects": true
            }),
            vec![("update_detects", "true")],
            json!({"ids": ["inc:1"], "action_parameters": [{"name": "update_status", "value": "20"}]}),
        ),
        (
            "GetCaseActivityByIds",
            "POST",
            "/message-center/entities/case-activities/GET/v1",
            json!({"ids": ["act-1", "act-2"]}),
            vec![],
            json!({"ids": ["act-1", "act-2"]}),
        ),
        (
            "GetCaseEntitiesByIDs",
            "POST",
            "/message-center/entities/cases/GET/v1",
            json!({"ids": "case-1"}),
            vec![],
            json!({"ids": ["case-1"]}),
        ),
        (
            "CaseAddActivity",
            "POST",
            "/message-center/entities/case-activity/v1",
            json!({"case_id": "case-1", "type": "comment", "body": "looked at it", "user_uuid": "u-1"}),
            vec![],
            json!({"case_id": "case-1", "type": "comment", "body": "looked at it", "user_uuid": "u-1"}),
        ),
        (
            "AggregateCases",
            "POST",
            "/message-center/aggregates/cases/GET/v1",
            json!({"body": [{"field": "case.status", "name": "by_status", "type": "terms", "size": 10}]}),
            vec![],
            json!([{"field": "case.status", "name": "by_status", "type": "terms", "size": 10}]),
        ),
        (
            "CreateCase",
            "POST",
            "/message-center/entities/case/v1",
            json!({"title": "t", "body": "b", "type": "fc:incident", "detections": [], "incidents": [{"id": "inc:1"}], "user_uuid": "u-1"}),
            vec![],
            json!({"title": "t", "body": "b", "type": "fc:incident", "detections": [], "incidents": [{"id": "inc:1"}], "user_uuid": "u-1"}),
        ),
        (
            "CreateCaseV2",
            "POST",
            "/message-center/entities/case/v2",
            json!({"body": {"title": "t", "body": "b", "type": "fc:incident", "detections": [], "incidents": [], "malware_submission_id": "", "recon_rule_type": ""}}),
            vec![],
            json!({"title": "t", "body": "b", "type": "fc:incident", "detections": [], "incidents": [], "malware_submission_id": "", "recon_rule_type": ""}),
        ),
        (
            "UpdateCase",
            "PATCH",
            "/message-center/entities/case/v1",
            json!({"id": "case-1", "body": "more detail", "detections": [], "incidents": []}),
            vec![],
            json!({"id": "case-1", "body": "more detail", "detections": [], "incidents": []}),
        ),
    ];
    for (op, method, path, args, query, body) in cases {
        let m = expect_call(&mut server, method, path, &query, Some(body), json!(["ok"])).await;
        let r = h
            .command(op, args)
            .await
            .unwrap_or_else(|e| panic!("{op}: {e}"));
        assert_eq!(r.status(), 200, "{op}");
        assert_eq!(r.operation(), op);
        let deprecated = catalog::operation(op).unwrap().deprecated();
        assert_eq!(
            r.warnings().iter().any(|w| w.contains("deprecated")),
            deprecated,
            "{op}: {:?}",
            r.warnings()
        );
        m.assert_async().await;
    }
    token.assert_async().await;
}

#[tokio::test]
async fn multipart_upload_streamed_from_disk() {
    let (mut server, h, token) = setup().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::File::create(&path)
        .unwrap()
        .write_all(b"case evidence, 1 of 1\n")
        .unwrap();
    let m = server
        .mock("POST", "/message-center/entities/case-attachment/v1")
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .match_header(
            "content-type",
            Matcher::Regex("^multipart/form-data; boundary=".into()),
        )
        .match_body(Matcher::AllOf(vec![
            Matcher::Regex(r#"name="case_id"\r\n\r\ncase-1\r\n"#.into()),
            Matcher::Regex(r#"name="user_uuid"\r\n\r\nu-1\r\n"#.into()),
            Matcher::Regex(r#"name="file"; filename="notes.txt""#.into()),
            Matcher::Regex("case evidence, 1 of 1\n".into()),
        ]))
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(r#"{"meta":{},"resources":[{"id":"att-1"}],"errors":[]}"#)
        .expect(1)
        .create_async()
        .await;
    let args =
        json!({"case_id": "case-1", "user_uuid": "u-1", "file": format!("@{}", path.display())});
    let r = h.command("CaseAddAttachment", args).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.resources().unwrap()[0]["id"], "att-1");
    m.assert_async().await;
    token.assert_async().await;
}

#[tokio::test]
async fn binary_download_streamed_to_a_file() {
    let (mut server, h, token) = setup().await;
    let payload: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    let m = server
        .mock("GET", "/message-center/entities/case-attachment/v1")
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .match_query(Matcher::UrlEncoded("id".into(), "att-1".into()))
        .with_status(200)
        .with_header("content-type", "application/pdf")
        .with_body(&payload)
        .expect(1)
        .create_async()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("att-1.pdf");
    let mut file = tokio::fs::File::create(&path).await.unwrap();
    let r = h
        .request("CaseDownloadAttachment")
        .args(json!({"id": "att-1"}))
        .download(&mut file)
        .await
        .unwrap();
    drop(file);
    assert_eq!(r.body(), &ResponseBody::Streamed(payload.len() as u64));
    assert_eq!(std::fs::read(&path).unwrap(), payload);
    m.assert_async().await;
    token.assert_async().await;
}

#[tokio::test]
async fn names_aliases_and_looked_up_operations() {
    let (mut server, h, token) = setup().await;
    let m = server
        .mock("GET", "/incidents/queries/incidents/v1")
        .match_header("authorization", format!("Bearer {TOKEN}").as_str())
        .match_query(Matcher::UrlEncoded("limit".into(), "1".into()))
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(resources_body(&["x"]))
        .expect(2)
        .create_async()
        .await;
    let r = h
        .command("query_incidents", json!({"limit": 1}))
        .await
        .unwrap();
    assert_eq!(r.operation(), "QueryIncidents");
    let op = catalog::operation("QueryIncidents").unwrap();
    h.request(op)
        .args(json!({"limit": 1}))
        .send()
        .await
        .unwrap();
    m.assert_async().await;
    token.assert_async().await;
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let mut server = Server::new_async().await;
    let nothing = server
        .mock("GET", Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let nothing_post = server
        .mock("POST", Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let h = builder(&server).build().unwrap();
    let e = h.command("QueryIncident", json!({})).await.unwrap_err();
    assert!(e.is_unknown_operation(), "{e}");
    assert!(e.to_string().contains("QueryIncidents"));
    let e = h
        .command("QueryIncidents", json!({"limt": 5}))
        .await
        .unwrap_err();
    assert!(e.is_argument(), "{e}");
    assert!(e.to_string().contains("limit"));
    nothing.assert_async().await;
    nothing_post.assert_async().await;
}
