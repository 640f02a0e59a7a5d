//! The fake Falcon API (`falcon_harness::testing`) through a real
//! harness: expectations, partial matching, replies, pages, faults,
//! recorded calls and verification.

use falcon_harness::testing::FakeFalcon;
use falcon_harness::{catalog, router, PlanOptions, RetryPolicy};
use futures_util::StreamExt;
use serde_json::json;
use std::time::Duration;

fn quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_retries(2)
        .backoff(Duration::from_millis(1), Duration::from_millis(2))
}

#[tokio::test]
async fn expectations_match_partially_and_record_calls() {
    let fake = FakeFalcon::start();
    fake.on("QueryIncidents")
        .args(json!({"limit": 5}))
        .times(1)
        .header("X-Cs-Region", "us-2")
        .reply(200, json!({"resources": ["inc:1"]}));
    let h = fake.harness();
    let r = h
        .command("QueryIncidents", json!({"limit": 5, "filter": "status:20"}))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.header("x-cs-region"), Some("us-2"));
    assert_eq!(r.json().unwrap()["resources"], json!(["inc:1"]));
    // Used up: the same request is now unmatched.
    let r = h
        .command("QueryIncidents", json!({"limit": 5}))
        .await
        .unwrap();
    assert_eq!(r.status(), 599);
    assert_eq!(
        fake.calls("query_incidents"),
        [
            json!({"limit": 5, "filter": "status:20"}),
            json!({"limit": 5})
        ]
    );
    let failures = fake.failures();
    assert_eq!(failures.len(), 1);
    assert!(
        failures[0].contains("QueryIncidents {\"limit\":5}"),
        "{}",
        failures[0]
    );
    assert!(
        failures[0].contains("already matched 1 times"),
        "{}",
        failures[0]
    );
    assert_eq!(fake.token_requests(), 1);
}

#[tokio::test]
async fn unmatched_requests_name_the_closest_expectation() {
    let fake = FakeFalcon::start();
    fake.on("PerformIncidentAction")
        .args(json!({"ids": ["inc:1"]}))
        .reply(200, json!({}));
    let h = fake.harness();
    let r = h
        .command(
            "PerformIncidentAction",
            json!({"ids": "inc:2", "action_parameters": [{"name": "update_status", "value": "40"}]}),
        )
        .await
        .unwrap();
    assert_eq!(r.status(), 599);
    let text = r.json().unwrap()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains("unmatched request: PerformIncidentAction"),
        "{text}"
    );
    assert!(
        text.contains("ids: expected [\"inc:1\"], got [\"inc:2\"]"),
        "{text}"
    );
    let r = h
        .command("GetIncidents", json!({"ids": ["x"]}))
        .await
        .unwrap();
    assert_eq!(r.status(), 599);
    let problems = fake.problems();
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(
        problems[1].contains("no expectation for GetIncidents"),
        "{}",
        problems[1]
    );
    assert!(
        problems[2].starts_with("unmet expectation: PerformIncidentAction"),
        "{}",
        problems[2]
    );
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fake.verify()));
    let message = *panic.unwrap_err().downcast::<String>().unwrap();
    assert!(message.contains("3 problem(s)"), "{message}");
}

#[test]
fn set_up_errors_suggest_names() {
    let fake = FakeFalcon::start();
    let e = fake.on("QueryIncident").check().unwrap_err().to_string();
    assert!(e.contains("QueryIncidents"), "{e}");
    let e = fake
        .on("QueryIncidents")
        .args(json!({"limt": 5}))
        .check()
        .unwrap_err()
        .to_string();
    assert!(e.contains("did you mean \"limit\""), "{e}");
    let e = fake
        .on("QueryIncidents")
        .args(json!({"limit": "five"}))
        .check()
        .unwrap_err()
        .to_string();
    assert!(e.contains("expected an integer"), "{e}");
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        fake.on("QueryIncidents")
            .args(json!({"limt": 5}))
            .reply(200, json!({}))
    }));
    assert!(panic.is_err());
    fake.verify();
}

#[tokio::test]
async fn pages_fill_in_pagination() {
    let fake = FakeFalcon::start();
    fake.on("QueryIncidents")
        .args(json!({"filter": "status:20"}))
        .pages(vec![json!(["a", "b"]), json!(["c", "d"]), json!(["e"])]);
    let h = fake.harness();
    let pages: Vec<_> = h
        .request("QueryIncidents")
        .args(json!({"filter": "status:20"}))
        .pages()
        .collect()
        .await;
    let ids: Vec<serde_json::Value> = pages
        .into_iter()
        .flat_map(|p| {
            p.unwrap().json().unwrap()["resources"]
                .as_array()
                .unwrap()
                .clone()
        })
        .collect();
    assert_eq!(
        ids,
        [json!("a"), json!("b"), json!("c"), json!("d"), json!("e")]
    );
    let offsets: Vec<_> = fake
        .calls("QueryIncidents")
        .iter()
        .map(|a| a.get("offset").cloned())
        .collect();
    assert_eq!(offsets, [None, Some(json!(2)), Some(json!(4))]);
    fake.verify();

    // `after` tokens on operations that take them.
    let op = "cloud_security_assets_combined_compliance_by_account";
    fake.on(op).pages(vec![json!(["x"]), json!(["y"])]);
    let pages: Vec<_> = h.request(op).args(json!({})).pages().collect().await;
    assert_eq!(pages.len(), 2);
    assert_eq!(fake.calls(op)[1], json!({"after": "fake-after-1"}));
    fake.verify();
}

#[tokio::test]
async fn faults_drive_the_retry_paths() {
    let fake = FakeFalcon::start();
    fake.on("QueryIncidents").times(1).reply_429(Duration::ZERO);
    fake.on("QueryIncidents").times(1).reply_status(503);
    fake.on("QueryIncidents").times(1).drop_connection();
    fake.on("QueryIncidents")
        .times(1)
        .reply(200, json!({"resources": []}));
    let h = fake
        .harness_builder()
        .retry(quick_retries().max_retries(3))
        .build()
        .unwrap();
    let r = h.command("QueryIncidents", json!({})).await.unwrap();
    assert_eq!(r.status(), 200);
    let statuses: Vec<u16> = fake.requests().iter().map(|c| c.status).collect();
    assert_eq!(statuses, [429, 503, 0, 200]);
    fake.verify();

    // A delay longer than the harness's time-out is a time-out.
    fake.on("GetIncidents")
        .delay(Duration::from_millis(1500))
        .reply(200, json!({}));
    let h = fake
        .harness_builder()
        .timeout(Duration::from_millis(200))
        .retry(RetryPolicy::default().max_retries(0))
        .build()
        .unwrap();
    let e = h
        .command("GetIncidents", json!({"ids": ["a"]}))
        .await
        .unwrap_err();
    assert!(e.to_string().to_lowercase().contains("time"), "{e}");
}

#[tokio::test]
async fn downloads_get_bytes() {
    let fake = FakeFalcon::start();
    fake.on("GetSampleV3")
        .args(json!({"ids": "sha"}))
        .reply_bytes(200, &b"\x00\x01binary"[..]);
    let h = fake.harness();
    let mut out = Vec::new();
    let r = h
        .request("GetSampleV3")
        .args(json!({"ids": "sha"}))
        .download(&mut out)
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(out, b"\x00\x01binary");
    fake.verify();
}

#[test]
fn blocking_harness() {
    let fake = FakeFalcon::start();
    fake.on("GetIncidents")
        .reply(200, json!({"resources": [{"incident_id": "a"}]}));
    let h = fake.harness_blocking();
    let r = h.command("GetIncidents", json!({"ids": "a,b"})).unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(fake.calls("GetIncidents"), [json!({"ids": ["a", "b"]})]);
    fake.verify();
}

/// Every operation, planned and sent through the real transport, is
/// decoded by the fake into the operation and canonical arguments.
#[tokio::test]
async fn every_operation_decodes_over_http() {
    let fake = FakeFalcon::start();
    let h = fake.harness();
    let mut sent = 0;
    let mut wrong = Vec::new();
    // The token endpoints are the fake's own.
    for op in catalog::operations().filter(|op| !op.route().starts_with("/oauth2/")) {
        let mut args = serde_json::Map::new();
        for p in op.params() {
            use falcon_harness::{Location, ParamType};
            if p.is_authorization() || !(p.required() || p.location() == Location::Path) {
                continue;
            }
            let v = match (p.location(), p.ty()) {
                (Location::Body, _) => continue,
                (_, ParamType::File) => json!({"content_base64": "aGk=", "filename": "f.txt"}),
                (_, ParamType::Integer | ParamType::Number) => json!(7),
                (_, ParamType::Boolean) => json!(true),
                (_, ParamType::Array) => match p.items() {
                    Some(ParamType::Integer) => json!([1, 2]),
                    _ => json!(["a b", "c"]),
                },
                _ => match p.enum_values().first() {
                    Some(e) => json!(e),
                    None => json!("v/1 é"),
                },
            };
            args.insert(p.name().to_string(), v);
        }
        if op.body().is_some() {
            args.insert("body".into(), json!({"zz": [1, "x"]}));
        }
        let args = serde_json::Value::Object(args);
        let Ok(plan) = router::plan(op, &args, &PlanOptions::default()) else {
            continue;
        };
        let expected = falcon_harness::testing::decode_plan(&plan).unwrap().1;
        let r = h.execute(plan).await.unwrap();
        assert_eq!(r.status(), 599, "{}", op.id());
        sent += 1;
        let got = fake.calls(op.id()).pop();
        if got.as_ref() != Some(&expected) {
            wrong.push(format!("{}: got {got:?}, expected {expected}", op.id()));
        }
    }
    assert!(sent > catalog::len() * 9 / 10, "only {sent} sent");
    assert!(
        wrong.is_empty(),
        "{} of {sent}:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
