//! OAuth2 against a mock Falcon: caching, renewal, single flight,
//! re-authentication on 401, revocation, member CID and autodiscovery.

mod support;

use falcon_harness::{Cloud, Harness};
use mockito::{Matcher, Server};
use std::time::Duration;
use support::mock::*;

#[tokio::test]
async fn token_fetched_once_and_reused() {
    let mut server = Server::new_async().await;
    let token = token_mock(&mut server, "tok-1", 1799, 1).await;
    let cmd = incidents_mock(&mut server, "tok-1", 200, 3).await;
    let h = builder(&server).build().unwrap();
    for _ in 0..3 {
        let r = h.execute(query_incidents()).await.unwrap();
        assert_eq!(r.status(), 200);
    }
    token.assert_async().await;
    cmd.assert_async().await;
    assert_eq!(h.token_requests(), 1);
}

#[tokio::test]
async fn token_renewed_inside_the_renew_window() {
    let mut server = Server::new_async().await;
    // A 2 s token with a 1 s renew window: fresh at first, due for renewal
    // (though not yet expired) a little over a second later.
    let first = token_mock(&mut server, "tok-1", 2, 1).await;
    let second = token_mock(&mut server, "tok-2", 1799, 1).await;
    let c1 = incidents_mock(&mut server, "tok-1", 200, 2).await;
    let c2 = incidents_mock(&mut server, "tok-2", 200, 1).await;
    let h = builder(&server)
        .renew_window(Duration::from_secs(1))
        .build()
        .unwrap();
    h.execute(query_incidents()).await.unwrap();
    h.execute(query_incidents()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1200)).await;
    h.execute(query_incidents()).await.unwrap();
    first.assert_async().await;
    second.assert_async().await;
    c1.assert_async().await;
    c2.assert_async().await;
    assert_eq!(h.token_requests(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_lived_token_is_shared_not_refetched_by_each_caller() {
    let mut server = Server::new_async().await;
    // expires_in (100 s) is shorter than the default renew window (120 s):
    // the window shrinks to half the token's life, so 20 concurrent
    // commands share one token request.
    let token = token_mock(&mut server, "tok-1", 100, 1).await;
    let cmd = incidents_mock(&mut server, "tok-1", 200, 20).await;
    let h = builder(&server).build().unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let h = h.clone();
            tokio::spawn(async move { h.execute(query_incidents()).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().status(), 200);
    }
    token.assert_async().await;
    cmd.assert_async().await;
    assert_eq!(h.token_requests(), 1);
}

#[tokio::test]
async fn an_absurd_token_lifetime_does_not_panic() {
    let mut server = Server::new_async().await;
    let _t = server
        .mock("POST", "/oauth2/token")
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body(r#"{"access_token":"tok-1","expires_in":18446744073709551615}"#)
        .create_async()
        .await;
    let cmd = incidents_mock(&mut server, "tok-1", 200, 2).await;
    let h = builder(&server)
        .renew_window(Duration::MAX)
        .build()
        .unwrap();
    h.execute(query_incidents()).await.unwrap();
    h.execute(query_incidents()).await.unwrap();
    cmd.assert_async().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_commands_make_one_token_request() {
    let mut server = Server::new_async().await;
    let token = token_mock(&mut server, "tok-1", 1799, 1).await;
    let cmd = incidents_mock(&mut server, "tok-1", 200, 50).await;
    let h = builder(&server).build().unwrap();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let h = h.clone();
            tokio::spawn(async move { h.execute(query_incidents()).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().status(), 200);
    }
    token.assert_async().await;
    cmd.assert_async().await;
    assert_eq!(h.token_requests(), 1);
}

#[tokio::test]
async fn unauthorized_reauthenticates_and_retries_once() {
    let mut server = Server::new_async().await;
    let t1 = token_mock(&mut server, "tok-old", 1799, 1).await;
    let t2 = token_mock(&mut server, "tok-new", 1799, 1).await;
    let refused = incidents_mock(&mut server, "tok-old", 401, 1).await;
    let ok = incidents_mock(&mut server, "tok-new", 200, 1).await;
    let h = builder(&server).build().unwrap();
    let r = h.execute(query_incidents()).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.attempts(), 2);
    t1.assert_async().await;
    t2.assert_async().await;
    refused.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn a_second_401_is_returned_not_retried_again() {
    let mut server = Server::new_async().await;
    let t1 = token_mock(&mut server, "tok-a", 1799, 1).await;
    let t2 = token_mock(&mut server, "tok-b", 1799, 1).await;
    let c1 = incidents_mock(&mut server, "tok-a", 401, 1).await;
    let c2 = incidents_mock(&mut server, "tok-b", 401, 1).await;
    let h = builder(&server).build().unwrap();
    let r = h.execute(query_incidents()).await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.attempts(), 2);
    for m in [t1, t2, c1, c2] {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn bearer_token_is_used_without_a_token_request() {
    let mut server = Server::new_async().await;
    let token = server
        .mock("POST", "/oauth2/token")
        .expect(0)
        .create_async()
        .await;
    let refused = incidents_mock(&mut server, "given-token", 401, 1).await;
    let h = Harness::builder()
        .bearer_token("given-token")
        .base_url(server.url())
        .build()
        .unwrap();
    // It cannot be renewed: the 401 is the answer.
    let r = h.execute(query_incidents()).await.unwrap();
    assert_eq!(r.status(), 401);
    token.assert_async().await;
    refused.assert_async().await;
}

#[tokio::test]
async fn refused_credentials_are_an_auth_error() {
    let mut server = Server::new_async().await;
    let token = server
        .mock("POST", "/oauth2/token")
        .with_status(403)
        .with_header("content-type", "application/json")
        .with_body(r#"{"errors":[{"code":403,"message":"access denied, invalid client"}]}"#)
        .expect(1)
        .create_async()
        .await;
    let cmd = server
        .mock("GET", Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let h = builder(&server).build().unwrap();
    let e = h.execute(query_incidents()).await.unwrap_err();
    assert!(e.is_auth(), "{e}");
    assert_eq!(e.status(), Some(403));
    assert!(e.to_string().contains("invalid client"));
    token.assert_async().await;
    cmd.assert_async().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_commands_share_one_refused_token_request() {
    let mut server = Server::new_async().await;
    let token = server
        .mock("POST", "/oauth2/token")
        .with_status(401)
        .with_header("content-type", "application/json")
        .with_body(r#"{"errors":[{"code":401,"message":"access denied, invalid bearer token"}]}"#)
        .expect(1)
        .create_async()
        .await;
    let h = builder(&server).build().unwrap();
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let h = h.clone();
            tokio::spawn(async move { h.execute(query_incidents()).await })
        })
        .collect();
    for t in tasks {
        let e = t.await.unwrap().unwrap_err();
        assert!(e.is_auth() && e.status() == Some(401), "{e}");
    }
    token.assert_async().await;
    // Within a second, the refusal is the answer for late callers too ...
    assert!(h.authenticate().await.unwrap_err().is_auth());
    assert_eq!(h.token_requests(), 1);
    // ... a later call tries again.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert!(h.authenticate().await.unwrap_err().is_auth());
    assert_eq!(h.token_requests(), 2);
}

#[tokio::test]
async fn revoke_on_a_bearer_harness_keeps_the_token() {
    let mut server = Server::new_async().await;
    let cmd = incidents_mock(&mut server, "given", 200, 1).await;
    let h = Harness::builder()
        .bearer_token("given")
        .base_url(server.url())
        .build()
        .unwrap();
    let e = h.revoke().await.unwrap_err();
    assert!(e.is_config(), "{e}");
    assert_eq!(h.execute(query_incidents()).await.unwrap().status(), 200);
    cmd.assert_async().await;
}

#[tokio::test]
async fn member_cid_is_sent_with_the_token_request() {
    let mut server = Server::new_async().await;
    let token = server
        .mock("POST", "/oauth2/token")
        .match_body(Matcher::AllOf(vec![
            Matcher::UrlEncoded("client_id".into(), CLIENT_ID.into()),
            Matcher::UrlEncoded("client_secret".into(), CLIENT_SECRET.into()),
            Matcher::UrlEncoded("member_cid".into(), "child-cid-123".into()),
        ]))
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body(token_body("tok-child", 1799))
        .expect(1)
        .create_async()
        .await;
    let cmd = incidents_mock(&mut server, "tok-child", 200, 1).await;
    let h = builder(&server)
        .member_cid("child-cid-123")
        .build()
        .unwrap();
    h.authenticate().await.unwrap();
    h.execute(query_incidents()).await.unwrap();
    token.assert_async().await;
    cmd.assert_async().await;
}

#[tokio::test]
async fn revoke_sends_the_token_and_forgets_it() {
    let mut server = Server::new_async().await;
    let t1 = token_mock(&mut server, "tok-1", 1799, 1).await;
    let t2 = token_mock(&mut server, "tok-2", 1799, 1).await;
    let basic = "Basic dGVzdC1jbGllbnQtaWQ6U3VwM3ItUzNjcmV0LVZhbHVlLTAxMjM0NTY3ODk=";
    let revoke = server
        .mock("POST", "/oauth2/revoke")
        .match_header("authorization", basic)
        .match_body(Matcher::UrlEncoded("token".into(), "tok-1".into()))
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(r#"{"meta":{},"resources":[],"errors":[]}"#)
        .expect(1)
        .create_async()
        .await;
    let c1 = incidents_mock(&mut server, "tok-1", 200, 1).await;
    let c2 = incidents_mock(&mut server, "tok-2", 200, 1).await;
    let h = builder(&server).build().unwrap();
    h.execute(query_incidents()).await.unwrap();
    h.revoke().await.unwrap();
    // Nothing cached any more: a second revoke sends nothing.
    h.revoke().await.unwrap();
    h.execute(query_incidents()).await.unwrap();
    for m in [t1, t2, revoke, c1, c2] {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn autodiscovery_switches_to_the_region_of_the_token() {
    let mut first = Server::new_async().await;
    let mut us2 = Server::new_async().await;
    let token = first
        .mock("POST", "/oauth2/token")
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_header("x-cs-region", "us-2")
        .with_body(token_body("tok-1", 1799))
        .expect(1)
        .create_async()
        .await;
    let stay = first
        .mock("GET", "/incidents/queries/incidents/v1")
        .expect(0)
        .create_async()
        .await;
    let there = incidents_mock(&mut us2, "tok-1", 200, 1).await;
    let h = builder(&first)
        .region_base_url("us-2", us2.url())
        .build()
        .unwrap();
    assert_eq!(h.region(), None);
    let r = h.execute(query_incidents()).await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(h.region(), Some("us-2"));
    assert_eq!(h.base_url().as_str(), format!("{}/", us2.url()));
    token.assert_async().await;
    stay.assert_async().await;
    there.assert_async().await;
}

#[tokio::test]
async fn gov_clouds_are_not_autodiscovered() {
    let mut gov = Server::new_async().await;
    let other = Server::new_async().await;
    let token = gov
        .mock("POST", "/oauth2/token")
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_header("x-cs-region", "us-2")
        .with_body(token_body("tok-gov", 1799))
        .expect(1)
        .create_async()
        .await;
    let here = incidents_mock(&mut gov, "tok-gov", 200, 1).await;
    let h = builder(&gov)
        .cloud(Cloud::UsGov1)
        .region_base_url("us-2", other.url())
        .build()
        .unwrap();
    h.execute(query_incidents()).await.unwrap();
    assert_eq!(h.region(), Some("us-gov-1"));
    token.assert_async().await;
    here.assert_async().await;
}
