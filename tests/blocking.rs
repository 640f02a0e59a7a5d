//! The synchronous facade, against the fake Falcon API.

mod common;

use common::*;
use falcon_harness::testing::FakeFalcon;
use falcon_harness::{blocking, Harness};
use serde_json::json;

#[test]
fn blocking_harness_executes_and_downloads() {
    let fake = FakeFalcon::start();
    fake.on("QueryIncidents")
        .times(3)
        .reply(200, json!({"resources": ["inc-1"]}));
    let h = fake.harness_blocking();
    let r = h.execute(query_incidents()).unwrap();
    assert_eq!(r.resources().unwrap()[0], "inc-1");
    // Clones share the token, from other threads too.
    let h2 = h.clone();
    std::thread::spawn(move || h2.execute(query_incidents()).unwrap())
        .join()
        .unwrap();
    assert_eq!(fake.token_requests(), 1);

    let mut out = Vec::new();
    let r = h.download_plan(query_incidents(), &mut out).unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        out,
        json!({"resources": ["inc-1"]}).to_string().into_bytes()
    );
    fake.verify();
}

#[tokio::test]
async fn blocking_harness_refuses_to_run_inside_a_runtime() {
    let h = Harness::builder()
        .bearer_token("t")
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap();
    let b = tokio::task::spawn_blocking(move || blocking::Harness::new(h).unwrap())
        .await
        .unwrap();
    let e = b.execute(query_incidents()).unwrap_err();
    assert!(e.is_config(), "{e}");
    // Dropping it here, inside a runtime, shuts its own runtime down in
    // the background instead of panicking.
    drop(b);
}

#[test]
fn blocking_command_download_and_pages() {
    let fake = FakeFalcon::start();
    fake.on("QueryIncidents")
        .args(json!({"limit": 2}))
        .times(1)
        .reply(200, json!({"resources": ["a", "b"]}));
    fake.on("QueryIncidents")
        .args(json!({"limit": 2}))
        .pages(vec![json!(["a", "b"]), json!(["c"])]);
    fake.on("CaseDownloadAttachment")
        .args(json!({"id": "att-9"}))
        .times(1)
        .header("content-type", "application/zip")
        .reply_bytes(200, &b"PK-bytes"[..]);
    let h = fake.harness_blocking();
    let r = h.command("QueryIncidents", json!({"limit": 2})).unwrap();
    assert_eq!(r.resources().unwrap().len(), 2);
    let pages: Vec<_> = h
        .paginate("QueryIncidents", json!({"limit": 2}))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[1].resources().unwrap(), &vec![json!("c")]);
    let mut out = Vec::new();
    h.download("CaseDownloadAttachment", json!({"id": "att-9"}), &mut out)
        .unwrap();
    assert_eq!(out, b"PK-bytes");
    assert_eq!(
        fake.calls("QueryIncidents"),
        [
            json!({"limit": 2}),
            json!({"limit": 2}),
            json!({"limit": 2, "offset": 2})
        ]
    );
    fake.verify();
}
