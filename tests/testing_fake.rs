//! The fake Falcon API (`falcon_harness::testing`) through a real
//! harness: expectations, partial matching, replies, pages, faults,
//! recorded calls and verification.

use falcon_harness::testing::FakeFalcon;
use falcon_harness::{ErrorKind, ResponseBody, RetryPolicy};
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
    assert_eq!(
        problems[2],
        "unmet expectation: PerformIncidentAction {\"ids\":[\"inc:1\"]} expected at least once, matched 0 times"
    );
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fake.verify()));
    let message = *panic.unwrap_err().downcast::<String>().unwrap();
    assert!(message.contains("3 problem(s)"), "{message}");
}

#[test]
fn set_up_errors_suggest_names() {
    let fake = FakeFalcon::start();
    let h = fake.harness_blocking();
    // The same error, word for word, as `command` gives for the same
    // name and arguments (nothing sent).
    let cases = [
        ("QueryIncident", json!({})),
        ("QueryIncidents", json!({"limt": 5})),
        ("QueryIncidents", json!({"limit": "five"})),
    ];
    for (name, args) in cases {
        let set_up = fake.on(name).args(args.clone()).check().unwrap_err();
        let command = h.request(name).args(args).plan().unwrap_err();
        assert_eq!(set_up.kind(), command.kind());
        assert_eq!(set_up.to_string(), command.to_string());
    }
    let e = fake.on("QueryIncident").check().unwrap_err().to_string();
    assert!(e.contains("did you mean QueryIncidents"), "{e}");
    let e = fake
        .on("QueryIncidents")
        .args(json!({"limt": 5}))
        .check()
        .unwrap_err()
        .to_string();
    assert!(e.contains("did you mean \"limit\""), "{e}");
    // The reply methods panic with it.
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        fake.on("QueryIncidents")
            .args(json!({"limt": 5}))
            .reply(200, json!({}))
    }));
    let message = *panic.unwrap_err().downcast::<String>().unwrap();
    assert!(message.contains("did you mean \"limit\""), "{message}");
    assert_eq!(fake.token_requests(), 0);
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
    let pages: Vec<_> = pages.into_iter().map(|p| p.unwrap()).collect();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[1].resources().unwrap(), &vec![json!("y")]);
    assert_eq!(
        pages[0].json().unwrap()["meta"]["pagination"],
        json!({"total": 2, "limit": 1, "after": "fake-after-1"})
    );
    assert_eq!(pages[1].json().unwrap()["meta"]["pagination"]["after"], "");
    assert_eq!(
        fake.calls(op),
        [json!({}), json!({"after": "fake-after-1"})]
    );
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
    let every_byte: Vec<u8> = (0..=255u8).rev().chain(0..=255).collect();
    fake.on("GetSampleV3")
        .args(json!({"ids": "sha"}))
        .times(2)
        .reply_bytes(200, every_byte.clone());
    let h = fake.harness();
    let mut out = Vec::new();
    let r = h
        .request("GetSampleV3")
        .args(json!({"ids": "sha"}))
        .download(&mut out)
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.header("content-type"), Some("application/octet-stream"));
    assert_eq!(out, every_byte);
    // Not streamed: the reply keeps the bytes as they came.
    let r = h
        .command("GetSampleV3", json!({"ids": "sha"}))
        .await
        .unwrap();
    assert_eq!(r.body(), &ResponseBody::Bytes(every_byte.clone().into()));
    // A content type of the test's choosing.
    fake.on("CaseDownloadAttachment")
        .header("Content-Type", "application/pdf")
        .reply_bytes(200, &b"%PDF-1.7"[..]);
    let r = h
        .command("CaseDownloadAttachment", json!({"id": "a"}))
        .await
        .unwrap();
    assert_eq!(r.header("content-type"), Some("application/pdf"));
    assert_eq!(r.bytes().as_ref(), b"%PDF-1.7");
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

/// Each fault as the code under test sees it when it does not retry.
#[tokio::test]
async fn faults_answer_as_falcon_does() {
    let fake = FakeFalcon::start();
    fake.on("QueryIncidents")
        .times(1)
        .reply_429(Duration::from_secs(30));
    fake.on("QueryIncidents").times(1).reply_status(503);
    fake.on("QueryIncidents").times(1).drop_connection();
    let h = fake
        .harness_builder()
        .retry(RetryPolicy::default().max_retries(0))
        .build()
        .unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let r = h.command("QueryIncidents", json!({})).await.unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.rate_limit_remaining(), Some(0));
    let at = r.rate_limit_retry_after().unwrap();
    assert!((now + 29..=now + 90).contains(&at), "{at} vs now {now}");
    let r = h.command("QueryIncidents", json!({})).await.unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.error_messages(), ["injected by FakeFalcon"]);
    let e = h.command("QueryIncidents", json!({})).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
    fake.verify();
}

/// An unmatched request on an operation without expectations suggests
/// the nearest operation that has one.
#[tokio::test]
async fn unmatched_operations_suggest_the_expected_one() {
    let fake = FakeFalcon::start();
    fake.on("QueryDevicesByFilterScroll").reply(200, json!({}));
    let r = fake
        .harness()
        .command("QueryDevicesByFilter", json!({"limit": 1}))
        .await
        .unwrap();
    assert_eq!(r.status(), 599);
    assert_eq!(
        r.error_messages(),
        ["unmatched request: QueryDevicesByFilter {\"limit\":1} (GET /devices/queries/devices/v1?limit=1); \
          no expectation for QueryDevicesByFilter; did you mean QueryDevicesByFilterScroll?"]
    );
    assert_eq!(fake.failures(), r.error_messages());
}

/// An unmatched request fails the test even without `verify()`: the
/// fake panics when dropped, naming the request, unless the test read
/// the failures or opted out.
#[test]
fn unmatched_requests_fail_the_test_on_drop() {
    let send = |fake: &FakeFalcon| {
        let r = fake
            .harness_blocking()
            .command("GetIncidents", json!({"ids": ["x"]}))
            .unwrap();
        assert_eq!(r.status(), 599);
    };
    let fake = FakeFalcon::start();
    send(&fake);
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || drop(fake)));
    let message = *panic.unwrap_err().downcast::<String>().unwrap();
    assert!(
        message.starts_with("FakeFalcon dropped with 1 unmatched request(s)"),
        "{message}"
    );
    assert!(
        message.contains("GetIncidents {\"ids\":[\"x\"]}"),
        "{message}"
    );

    // Read by the test: no panic.
    let fake = FakeFalcon::start();
    send(&fake);
    assert_eq!(fake.failures().len(), 1);
    drop(fake);
    // Opted out.
    let fake = FakeFalcon::builder().no_drop_check().start().unwrap();
    send(&fake);
    drop(fake);
}
