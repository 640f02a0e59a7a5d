//! Every seed operation end to end through `Harness::command` and the
//! fake Falcon API (`falcon_harness::testing`): the planner puts the
//! arguments where the table says, the transport sends them with the
//! token, the fake decodes them back into the arguments (so each case
//! states what reached the server, in argument form), and the reply
//! comes back decoded. Query, JSON body, multipart upload (streamed from
//! disk) and binary download (streamed to a file).

use falcon_harness::testing::FakeFalcon;
use falcon_harness::{catalog, ResponseBody};
use serde_json::{json, Value};
use std::io::Write;

/// Operation, arguments given, and the arguments the server received.
type Case = (&'static str, Value, Value);

/// Calls each case once against `fake` and checks what the server saw.
async fn run_cases(fake: &FakeFalcon, cases: Vec<Case>) {
    let h = fake.harness();
    for (op, args, received) in cases {
        fake.on(op)
            .times(1)
            .header("X-RateLimit-Remaining", "5990")
            .reply(200, json!({"meta": {"query_time": 0.01}, "resources": [format!("{op}-id")], "errors": []}));
        let r = h
            .command(op, args)
            .await
            .unwrap_or_else(|e| panic!("{op}: {e}"));
        assert_eq!(r.status(), 200, "{op}");
        assert_eq!(r.operation(), op);
        assert_eq!(r.resources().unwrap(), &vec![json!(format!("{op}-id"))]);
        assert_eq!(r.rate_limit_remaining(), Some(5990));
        let deprecated = catalog::operation(op).unwrap().deprecated();
        assert_eq!(
            r.warnings().iter().any(|w| w.contains("deprecated")),
            deprecated,
            "{op}: {:?}",
            r.warnings()
        );
        assert_eq!(fake.calls(op), [received], "{op}");
    }
    fake.verify();
    assert_eq!(fake.token_requests(), 1);
}

#[tokio::test]
async fn query_operations() {
    let fake = FakeFalcon::start();
    let same = |v: Value| (v.clone(), v);
    let cases: Vec<Case> = vec![
        (
            "QueryIncidents",
            same(json!({"filter": "status:20+name:'a b'", "limit": 5, "sort": "start.desc"})),
        ),
        (
            "QueryBehaviors",
            same(json!({"filter": "tactic:'Execution'", "offset": 10})),
        ),
        (
            "CrowdScore",
            same(json!({"limit": 1, "sort": "timestamp.desc"})),
        ),
        (
            "QueryCasesIdsByFilter",
            same(json!({"filter": "case.status:'open'", "limit": 100})),
        ),
        (
            "QueryActivityByCaseID",
            same(json!({"case_id": "case-1", "sort": "activity.created_time.desc"})),
        ),
    ]
    .into_iter()
    .map(|(op, (args, received))| (op, args, received))
    .collect();
    run_cases(&fake, cases).await;
}

#[tokio::test]
async fn body_operations() {
    let fake = FakeFalcon::start();
    let case = json!({"title": "t", "body": "b", "type": "fc:incident", "detections": [], "incidents": [{"id": "inc:1"}], "user_uuid": "u-1"});
    let case_v2 = json!({"title": "t", "body": "b", "type": "fc:incident", "detections": [], "incidents": [], "malware_submission_id": "", "recon_rule_type": ""});
    let cases: Vec<Case> = vec![
        (
            "GetIncidents",
            json!({"ids": "inc:1,inc:2"}),
            json!({"ids": ["inc:1", "inc:2"]}),
        ),
        (
            "GetBehaviors",
            json!({"ids": ["ind:1"]}),
            json!({"ids": ["ind:1"]}),
        ),
        (
            "PerformIncidentAction",
            json!({"ids": ["inc:1"], "action_parameters": [{"name": "update_status", "value": "20"}], "update_detects": true}),
            json!({"update_detects": true, "ids": ["inc:1"], "action_parameters": [{"name": "update_status", "value": "20"}]}),
        ),
        (
            "GetCaseActivityByIds",
            json!({"ids": ["act-1", "act-2"]}),
            json!({"ids": ["act-1", "act-2"]}),
        ),
        (
            "GetCaseEntitiesByIDs",
            json!({"ids": "case-1"}),
            json!({"ids": ["case-1"]}),
        ),
        (
            "CaseAddActivity",
            json!({"case_id": "case-1", "type": "comment", "body": "looked at it", "user_uuid": "u-1"}),
            json!({"case_id": "case-1", "type": "comment", "body": "looked at it", "user_uuid": "u-1"}),
        ),
        (
            "AggregateCases",
            json!({"body": [{"field": "case.status", "name": "by_status", "type": "terms", "size": 10}]}),
            json!({"field": "case.status", "name": "by_status", "type": "terms", "size": 10}),
        ),
        ("CreateCase", case.clone(), case),
        ("CreateCaseV2", json!({"body": case_v2.clone()}), case_v2),
        (
            "UpdateCase",
            json!({"id": "case-1", "body": "more detail", "detections": [], "incidents": []}),
            json!({"id": "case-1", "body": "more detail", "detections": [], "incidents": []}),
        ),
    ];
    run_cases(&fake, cases).await;
}

#[tokio::test]
async fn multipart_upload_streamed_from_disk() {
    let fake = FakeFalcon::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::File::create(&path)
        .unwrap()
        .write_all(b"case evidence, 1 of 1\n")
        .unwrap();
    fake.on("CaseAddAttachment")
        .args(json!({"case_id": "case-1", "user_uuid": "u-1"}))
        .reply(
            200,
            json!({"meta": {}, "resources": [{"id": "att-1"}], "errors": []}),
        );
    let h = fake.harness();
    let args =
        json!({"case_id": "case-1", "user_uuid": "u-1", "file": format!("@{}", path.display())});
    let r = h.command("CaseAddAttachment", args).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.resources().unwrap()[0]["id"], "att-1");
    // "Y2FzZSBldmlkZW5jZSwgMSBvZiAxCg==" is the file's text in base64; it
    // went as application/octet-stream (no `content_type`).
    assert_eq!(
        fake.calls("CaseAddAttachment"),
        [json!({
            "case_id": "case-1",
            "user_uuid": "u-1",
            "file": {"content_base64": "Y2FzZSBldmlkZW5jZSwgMSBvZiAxCg==", "filename": "notes.txt"},
        })]
    );
    fake.verify();
}

#[tokio::test]
async fn binary_download_streamed_to_a_file() {
    let fake = FakeFalcon::start();
    let payload: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    fake.on("CaseDownloadAttachment")
        .args(json!({"id": "att-1"}))
        .times(1)
        .header("content-type", "application/pdf")
        .reply_bytes(200, payload.clone());
    let h = fake.harness();
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
    fake.verify();
}

#[tokio::test]
async fn names_aliases_and_looked_up_operations() {
    let fake = FakeFalcon::start();
    fake.on("QueryIncidents")
        .args(json!({"limit": 1}))
        .times(2)
        .reply(200, json!({"resources": ["x"]}));
    let h = fake.harness();
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
    fake.verify();
    assert_eq!(fake.token_requests(), 1);
}

#[tokio::test]
async fn bad_input_is_refused_before_anything_is_sent() {
    let fake = FakeFalcon::start();
    let h = fake.harness();
    let e = h.command("QueryIncident", json!({})).await.unwrap_err();
    assert!(e.is_unknown_operation(), "{e}");
    assert!(e.to_string().contains("QueryIncidents"));
    let e = h
        .command("QueryIncidents", json!({"limt": 5}))
        .await
        .unwrap_err();
    assert!(e.is_argument(), "{e}");
    assert!(e.to_string().contains("limit"));
    assert!(fake.requests().is_empty());
    assert_eq!(fake.token_requests(), 0);
}
