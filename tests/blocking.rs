//! The synchronous facade.

mod common;

use common::*;
use falcon_harness::{blocking, Harness};
use mockito::Server;

#[test]
fn blocking_harness_executes_and_downloads() {
    let mut server = Server::new();
    let token = server
        .mock("POST", "/oauth2/token")
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body(token_body("tok-b", 1799))
        .expect(1)
        .create();
    let cmd = server
        .mock("GET", "/incidents/queries/incidents/v1")
        .match_header("authorization", "Bearer tok-b")
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(resources_body(&["inc-1"]))
        .expect(2)
        .create();
    let h = builder(&server).build_blocking().unwrap();
    let r = h.execute(query_incidents()).unwrap();
    assert_eq!(r.resources().unwrap()[0], "inc-1");
    // Clones share the token, from other threads too.
    let h2 = h.clone();
    std::thread::spawn(move || h2.execute(query_incidents()).unwrap())
        .join()
        .unwrap();
    token.assert();
    cmd.assert();

    let mut out = Vec::new();
    let r = h.download_plan(query_incidents(), &mut out).unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(out, resources_body(&["inc-1"]).into_bytes());
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
    // Dropping a runtime inside another is not allowed either.
    tokio::task::spawn_blocking(move || drop(b)).await.unwrap();
}
