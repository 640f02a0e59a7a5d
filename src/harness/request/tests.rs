use super::*;
use futures_util::StreamExt;
use serde_json::json;
use std::path::PathBuf;

fn harness() -> Harness {
    Harness::builder()
        .bearer_token("t")
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap()
}

#[test]
fn every_target_plans_like_the_router() {
    let h = harness();
    let op = catalog::operation("QueryIncidents").unwrap();
    let args = json!({"filter": "status:20", "limit": 5});
    let want = router::plan(op, &args, &PlanOptions::default()).unwrap();
    // By name, a deprecated operation's plan carries the note.
    for name in ["QueryIncidents", "query_incidents"] {
        let mut by_name = h.request(name).args(args.clone()).plan().unwrap();
        assert_eq!(
            by_name.warnings,
            ["QueryIncidents is marked deprecated by the API"]
        );
        by_name.warnings.clear();
        assert_eq!(by_name, want);
    }
    // Owned or lent arguments plan alike.
    assert_eq!(h.request(op).args(args.clone()).plan().unwrap(), want);
    assert_eq!(h.request(op).args(&args).plan().unwrap(), want);
    assert_eq!(h.request(want.clone()).plan().unwrap(), want);
    let manual = h
        .request(Target::override_route(
            "GET,/incidents/queries/incidents/v1",
        ))
        .args(json!({"parameters": {"limit": 1}}))
        .plan()
        .unwrap();
    assert_eq!(manual.operation, "override");
    assert_eq!(
        manual.path_and_query(),
        "/incidents/queries/incidents/v1?limit=1"
    );
}

#[test]
fn misuse_is_a_typed_error() {
    let h = harness();
    let e = h.request("QueryIncident").plan().unwrap_err();
    assert!(e.is_unknown_operation(), "{e}");
    let plan = h.request("QueryIncidents").plan().unwrap();
    let e = h
        .request(plan)
        .args(json!({"limit": 1}))
        .plan()
        .unwrap_err();
    assert!(e.is_argument(), "{e}");
    let e = h
        .request(Target::override_route("POST,/x"))
        .file("file", b"x".to_vec())
        .plan()
        .unwrap_err();
    assert!(e.is_argument() && e.to_string().contains("files"), "{e}");
}

#[test]
fn lenient_per_request() {
    let h = harness();
    let strict = h.request("QueryIncidents").args(json!({"limt": 1}));
    assert!(strict.plan().unwrap_err().is_argument());
    let plan = strict.lenient(true).plan().unwrap();
    assert!(plan.warnings.iter().any(|w| w.contains("limt")), "{plan:?}");
}

#[test]
fn files_attach_to_forms() {
    let h = harness();
    let plan = h
        .request("CaseAddAttachment")
        .args(json!({"case_id": "c1", "user_uuid": "u1"}))
        .file("file", bytes::Bytes::from_static(b"hello"))
        .plan()
        .unwrap();
    let crate::PlannedBody::Multipart(parts) = &plan.body else {
        panic!("not multipart: {:?}", plan.body)
    };
    assert_eq!(parts.len(), 3);
    let f = FileRef::from(PathBuf::from("/tmp/report.pdf"));
    assert_eq!(f.filename.as_deref(), Some("report.pdf"));
}

#[tokio::test]
async fn pages_need_a_table_operation() {
    let h = harness();
    let items: Vec<_> = h
        .request(Target::override_route("GET,/x"))
        .pages()
        .collect()
        .await;
    assert_eq!(items.len(), 1);
    assert!(items[0].as_ref().unwrap_err().is_config());
    let items: Vec<_> = h.request("QueryIncident").pages().collect().await;
    assert!(items[0].as_ref().unwrap_err().is_unknown_operation());
}
