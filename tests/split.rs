//! Long id lists against a mock API: one command sent as several requests
//! with one merged reply, or (splitting off) an argument error with
//! nothing sent; the same through the blocking harness, and per child CID.

mod support;
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::{json, Value};
use support::mock::*;

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("host-{i:03}")).collect()
}

/// `GET /devices/entities/devices/v2` answering each request with its ids
/// as resources.
fn details_mock(server: &mut ServerGuard, hits: usize) -> Mock {
    server
        .mock("GET", "/devices/entities/devices/v2")
        .match_query(Matcher::Any)
        .with_header("content-type", "application/json")
        .with_body_from_request(|req| {
            let query = req.path_and_query().split_once('?').map_or("", |(_, q)| q);
            let ids: Vec<String> = url::form_urlencoded::parse(query.as_bytes())
                .filter(|(k, _)| k == "ids")
                .map(|(_, v)| v.into_owned())
                .collect();
            let resources: Vec<Value> = ids.iter().map(|i| json!({"device_id": i})).collect();
            json!({"meta": {"trace_id": "t"}, "resources": resources, "errors": []})
                .to_string()
                .into()
        })
        .expect(hits)
        .create()
}

/// The request that carries `host-100` gets a 404 with an error (made
/// before [`details_mock`]: mockito tries the oldest mock first).
fn status_mock(server: &mut ServerGuard) -> Mock {
    server
        .mock("GET", "/devices/entities/devices/v2")
        .match_query(Matcher::Regex("(^|&)ids=host-100(&|$)".into()))
        .with_status(404)
        .with_header("content-type", "application/json")
        .with_body(
            json!({"meta": {}, "resources": [], "errors": [{"code": 404, "message": "host-100 not found"}]})
                .to_string(),
        )
        .expect(1)
        .create()
}

#[tokio::test]
async fn a_long_list_is_several_requests_and_one_merged_reply() {
    let mut server = Server::new_async().await;
    let _token = token_mock(&mut server, "tok", 1799, 1).await;
    let failing = status_mock(&mut server);
    let details = details_mock(&mut server, 2);
    let h = builder(&server).build().unwrap();
    let all = ids(250);
    let request = h.request("GetDeviceDetailsV2").args(json!({"ids": all}));
    let plans = request.plans().unwrap();
    assert_eq!(plans.len(), 3, "at most 100 ids each");
    let reply = request.send().await.unwrap();
    // The worst status; resources and errors in input order.
    assert_eq!(reply.status(), 404);
    let body = reply.json().unwrap();
    let got: Vec<&str> = body["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["device_id"].as_str().unwrap())
        .collect();
    let want: Vec<String> = all[..100].iter().chain(&all[200..]).cloned().collect();
    assert_eq!(got, want);
    assert_eq!(
        body["errors"],
        json!([{"code": 404, "message": "host-100 not found"}])
    );
    assert_eq!(body["meta"]["requests"], 3);
    assert_eq!(body["meta"]["trace_id"], "t");
    assert_eq!(reply.attempts(), 3);
    failing.assert_async().await;
    details.assert_async().await;
}

#[tokio::test]
async fn splitting_off_sends_nothing() {
    let mut server = Server::new_async().await;
    let token = token_mock(&mut server, "tok", 1799, 0).await;
    let details = details_mock(&mut server, 0);
    let args = json!({"ids": ids(101)});
    // Per request.
    let h = builder(&server).build().unwrap();
    let e = h
        .request("GetDeviceDetailsV2")
        .args(args.clone())
        .split_long_lists(false)
        .send()
        .await
        .unwrap_err();
    assert!(e.is_argument(), "{e}");
    assert!(
        e.to_string().contains("GetDeviceDetailsV2") && e.to_string().contains("at most 100"),
        "{e}"
    );
    // For the harness; a request may turn it back on (nothing is sent
    // here: the plans only).
    let off = builder(&server).split_long_lists(false).build().unwrap();
    let e = off
        .command("GetDeviceDetailsV2", args.clone())
        .await
        .unwrap_err();
    assert!(e.is_argument(), "{e}");
    let on = off
        .request("GetDeviceDetailsV2")
        .args(args)
        .split_long_lists(true);
    assert_eq!(on.plans().unwrap().len(), 2);
    token.assert_async().await;
    details.assert_async().await;
}

#[tokio::test]
async fn a_bad_member_cid_is_an_argument_error_before_anything_is_sent() {
    let mut server = Server::new_async().await;
    let token = token_mock(&mut server, "tok", 1799, 0).await;
    let details = details_mock(&mut server, 0);
    let h = builder(&server).build().unwrap();
    for bad in ["", "a b", "../x"] {
        let request = h
            .request("GetDeviceDetailsV2")
            .args(json!({"ids": ["host-001"]}))
            .member_cid(bad);
        let e = request.plans().unwrap_err();
        assert!(
            e.is_argument() && e.to_string().contains("member_cid"),
            "{e}"
        );
        let e = request.send().await.unwrap_err();
        assert!(
            e.is_argument() && e.to_string().contains("member_cid"),
            "{e}"
        );
    }
    token.assert_async().await;
    details.assert_async().await;
}

/// The blocking mirror of the builder's bulk options and the harness's
/// child-CID view.
#[test]
fn blocking_members_splits_and_pacing() {
    let mut server = Server::new();
    let token = server
        .mock("POST", "/oauth2/token")
        .match_body(Matcher::UrlEncoded("member_cid".into(), "child1".into()))
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body(token_body("tok-child1", 1799))
        .expect(1)
        .create();
    let details = server
        .mock("GET", "/devices/entities/devices/v2")
        .match_query(Matcher::Any)
        .match_header("authorization", "Bearer tok-child1")
        .with_header("content-type", "application/json")
        .with_body(json!({"meta": {}, "resources": ["x"], "errors": []}).to_string())
        .expect(4)
        .create();
    let h = builder(&server).build_blocking().unwrap();
    let args = json!({"ids": ids(150)});
    // member_cid, pacing and plans on the request.
    let request = h
        .request("GetDeviceDetailsV2")
        .args(args.clone())
        .member_cid("child1")
        .pacing(false);
    assert_eq!(request.plans().unwrap().len(), 2);
    let reply = request.send().unwrap();
    assert_eq!(reply.json().unwrap()["meta"]["requests"], 2);
    // The child CID's view: split_plan, execute_plans.
    // CIDs compare case-insensitively: the same CID as the request's.
    let child = h.for_member("CHILD1").unwrap();
    assert_eq!(child.member_cid(), Some("child1"));
    let plan = child
        .request("GetDeviceDetailsV2")
        .args(args)
        .plan()
        .unwrap();
    let plans = child.split_plan(plan).unwrap();
    let reply = child.execute_plans(plans).unwrap();
    assert_eq!(reply.json().unwrap()["resources"], json!(["x", "x"]));
    assert!(h
        .request("GetDeviceDetailsV2")
        .args(json!({"ids": ids(101)}))
        .split_long_lists(false)
        .plans()
        .unwrap_err()
        .is_argument());
    assert_eq!(h.cids(), 2);
    assert_eq!(h.token_requests(), 1);
    assert_eq!(h.pacing_stats().refused(), 0);
    token.assert();
    details.assert();
}
