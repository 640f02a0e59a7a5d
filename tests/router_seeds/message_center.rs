//! Message Center: the eleven seed operations.

use super::*;

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
                .into()
        )
    );
    let body = json!([{"field": "a", "type": "terms"}, {"field": "b", "type": "terms"}]);
    assert_eq!(
        plan("AggregateCases", json!({"body": body.clone()})).body,
        PlannedBody::Json(body.clone().into())
    );
    let p = plan(
        "AggregateCases",
        json!({"body": [{"type": "terms"}], "field": "x"}),
    );
    assert_eq!(
        p.body,
        PlannedBody::Json(json!([{"type": "terms", "field": "x"}]).into())
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
    assert_eq!(p.body, PlannedBody::Json(json!({"ids": ["a", "b"]}).into()));
    assert_eq!(
        plan("GetCaseActivityByIds", json!({"ids": "a"})).body,
        PlannedBody::Json(json!({"ids": ["a"]}).into())
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
    assert_eq!(p.body, PlannedBody::Json(want.clone().into()));
    let p = plan(
        "CaseAddActivity",
        json!({"case_id": "c1", "type": "comment", "user_uuid": "u1", "content": "hello & bye"}),
    );
    assert_eq!(p.body, PlannedBody::Json(want.into()));
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
            json!({"title": "T", "type": "fdr", "body": "text with \"quotes\"", "detections": [{"id": "d"}]}).into()
        )
    );
    let p = plan("CreateCase", json!({"title": "T", "content": "text"}));
    assert_eq!(
        p.body,
        PlannedBody::Json(json!({"title": "T", "body": "text"}).into())
    );
    // An object `body` is still the whole body; flat fields fill it.
    let p = plan(
        "CreateCase",
        json!({"body": {"title": "T", "body": "text"}, "type": "x"}),
    );
    assert_eq!(
        p.body,
        PlannedBody::Json(json!({"title": "T", "body": "text", "type": "x"}).into())
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
                .into()
        )
    );
    let p = plan("CreateCaseV2", json!({"content": "text", "user_uuid": "u"}));
    assert_eq!(
        p.body,
        PlannedBody::Json(json!({"body": "text", "user_uuid": "u"}).into())
    );
}

#[test]
fn update_case() {
    let p = plan("UpdateCase", json!({"id": "case:1", "body": "more"}));
    assert_eq!(p.method, Method::Patch);
    assert_eq!(
        p.body,
        PlannedBody::Json(json!({"id": "case:1", "body": "more"}).into())
    );
    let p = plan(
        "UpdateCase",
        json!({"body": {"id": "case:1"}, "content": "more"}),
    );
    assert_eq!(
        p.body,
        PlannedBody::Json(json!({"id": "case:1", "body": "more"}).into())
    );
}

#[test]
fn get_case_entities_by_ids() {
    let p = plan("GetCaseEntitiesByIDs", json!({"ids": "c1,c2"}));
    assert_eq!(
        p.body,
        PlannedBody::Json(json!({"ids": ["c1", "c2"]}).into())
    );
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
