//! The synchronous facade, against the fake Falcon API.

mod support;

use falcon_harness::testing::FakeFalcon;
use falcon_harness::{blocking, Harness};
use mockito::Server;
use serde_json::json;
use support::mock::*;

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
    let r = h.request(query_incidents()).download(&mut out).unwrap();
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
    let mut pages = h
        .request("QueryIncidents")
        .args(json!({"limit": 2}))
        .pages();
    let read: Vec<_> = pages.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(read.len(), 2);
    assert_eq!(pages.incomplete(), None, "read to the end");
    assert_eq!(read[1].resources().unwrap(), &vec![json!("c")]);
    let mut out = Vec::new();
    h.request("CaseDownloadAttachment")
        .args(json!({"id": "att-9"}))
        .download(&mut out)
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

/// Every method of the blocking facade, each doing what its async twin
/// does (the two have the same methods).
#[test]
fn every_blocking_method_works() {
    let mut server = Server::new();
    let token = server
        .mock("POST", "/oauth2/token")
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body(token_body("tok-d", 1799))
        .expect(2)
        .create();
    let revoke = server
        .mock("POST", "/oauth2/revoke")
        .match_body(mockito::Matcher::UrlEncoded("token".into(), "tok-d".into()))
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body("{}")
        .expect(1)
        .create();
    let upload = server
        .mock("POST", "/message-center/entities/case-attachment/v1")
        .match_body(mockito::Matcher::Regex("hello-bytes".into()))
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(resources_body(&["att-1"]))
        .expect(1)
        .create();
    let manual = server
        .mock("GET", "/custom/route/v1")
        .match_query(mockito::Matcher::UrlEncoded("q".into(), "1".into()))
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(resources_body(&["m"]))
        .expect(1)
        .create();
    let h = blocking::Harness::builder()
        .client_credentials("id", "secret")
        .base_url(server.url())
        .lenient(true)
        .page_cap(7)
        .build_blocking()
        .unwrap();
    assert!(h.plan_options().lenient);
    assert_eq!(h.page_cap(), 7);
    assert_eq!(h.base_url().as_str(), format!("{}/", server.url()));
    assert_eq!(h.region(), None);
    assert_eq!(h.token_requests(), 0);
    h.authenticate().unwrap();
    assert_eq!(h.token_requests(), 1);
    // plan(): pure; lenient per request overrides the harness's setting.
    let req = h
        .request("QueryIncidents")
        .args(serde_json::json!({"limt": 1}));
    assert!(req.plan().unwrap().warnings[0].contains("limt"));
    assert!(req.lenient(false).plan().unwrap_err().is_argument());
    // file() + send()
    let r = h
        .request("CaseAddAttachment")
        .args(serde_json::json!({"case_id": "c1", "user_uuid": "u1"}))
        .file("file", b"hello-bytes".to_vec())
        .send()
        .unwrap();
    assert_eq!(r.resources().unwrap()[0], "att-1");
    // An override route.
    let r = h
        .request(falcon_harness::Target::override_route(
            "GET,/custom/route/v1",
        ))
        .args(serde_json::json!({"parameters": {"q": 1}}))
        .send()
        .unwrap();
    assert_eq!(r.resources().unwrap()[0], "m");
    // revoke(), then the next call gets a new token.
    h.revoke().unwrap();
    h.authenticate().unwrap();
    assert_eq!(h.token_requests(), 2);
    token.assert();
    revoke.assert();
    upload.assert();
    manual.assert();
}

#[test]
fn command_with_any_name_follows_an_override_route() {
    let mut server = Server::new();
    let _token = server
        .mock("POST", "/oauth2/token")
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body(token_body("tok-o", 1799))
        .create();
    let custom = server
        .mock("GET", "/custom/route/v1")
        .match_query(mockito::Matcher::UrlEncoded("limit".into(), "1".into()))
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(resources_body(&["x"]))
        .expect(1)
        .create();
    let h = builder(&server).build_blocking().unwrap();
    let args = serde_json::json!({"override": "GET,/custom/route/v1", "parameters": {"limit": 1}});
    let r = h.command("not_an_operation", args).unwrap();
    assert_eq!(r.resources().unwrap()[0], "x");
    custom.assert();
    // Without an override route, an unknown name is still refused.
    let e = h
        .command("not_an_operation", serde_json::json!({"limit": 1}))
        .unwrap_err();
    assert!(e.to_string().contains("unknown operation"), "{e}");
}
