//! Redirects from a hostile server (issue 11 item 1): the token request
//! follows none, so the client secret never leaves the configured origin;
//! a command follows a redirect only within its own origin; a redirect to
//! another origin is an error naming it, and nothing reaches that origin.

mod support;

use falcon_harness::redirect::{RedirectRefused, RefusedBecause, MAX_REDIRECTS};
use falcon_harness::{Error, Harness};
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::json;
use std::error::Error as _;
use support::mock::*;

const STATUSES: [u16; 5] = [301, 302, 303, 307, 308];

/// Any GET or POST (what a redirect could turn into) to `server`,
/// expected never.
async fn nothing_reaches(server: &mut ServerGuard) -> Vec<Mock> {
    let mut mocks = Vec::new();
    for method in ["GET", "POST"] {
        mocks.push(
            server
                .mock(method, Matcher::Any)
                .expect(0)
                .create_async()
                .await,
        );
    }
    mocks
}

/// The `RedirectRefused` in an error's source chain.
fn refused(e: &Error) -> &RedirectRefused {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(c) = cause {
        if let Some(r) = c.downcast_ref::<RedirectRefused>() {
            return r;
        }
        cause = c.source();
    }
    panic!("no RedirectRefused in {e:?}")
}

fn host_port(server: &ServerGuard) -> String {
    server.host_with_port()
}

#[tokio::test]
async fn the_token_request_follows_no_redirect() {
    let mut elsewhere = Server::new_async().await;
    let stolen = nothing_reaches(&mut elsewhere).await;
    for status in STATUSES {
        for target in [
            format!("{}/oauth2/token", elsewhere.url()),
            // Not even within the origin.
            "/oauth2/token-moved".to_string(),
        ] {
            let mut origin = Server::new_async().await;
            let moved = origin
                .mock("POST", "/oauth2/token")
                .with_status(status as usize)
                .with_header("location", &target)
                .expect(1)
                .create_async()
                .await;
            let mut followed = Vec::new();
            for method in ["GET", "POST"] {
                followed.push(
                    origin
                        .mock(method, "/oauth2/token-moved")
                        .expect(0)
                        .create_async()
                        .await,
                );
            }
            let h = builder(&origin).build().unwrap();
            let e = h.execute(query_incidents()).await.unwrap_err();
            assert!(e.is_auth(), "{status}: {e}");
            assert_eq!(e.status(), Some(status));
            let text = e.to_string();
            assert!(text.contains("follows no redirect"), "{text}");
            if target.starts_with("http") {
                assert!(text.contains(&host_port(&elsewhere)), "{text}");
            }
            assert!(!text.contains(CLIENT_SECRET));
            moved.assert_async().await;
            for m in followed {
                m.assert_async().await;
            }
        }
    }
    for m in stolen {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn a_command_is_not_redirected_to_another_origin() {
    let mut elsewhere = Server::new_async().await;
    let stolen = nothing_reaches(&mut elsewhere).await;
    for status in STATUSES {
        let mut origin = Server::new_async().await;
        let token = token_mock(&mut origin, "tok", 1799, 1).await;
        let moved = origin
            .mock("POST", "/incidents/entities/incidents/GET/v1")
            .match_header("authorization", "Bearer tok")
            .match_body(Matcher::Json(json!({"ids": ["inc:1"]})))
            .with_status(status as usize)
            .with_header(
                "location",
                &format!("{}/incidents/entities/incidents/GET/v1", elsewhere.url()),
            )
            .expect(1)
            .create_async()
            .await;
        let h = builder(&origin).build().unwrap();
        let e = h
            .command("GetIncidents", json!({"ids": ["inc:1"]}))
            .await
            .unwrap_err();
        assert!(e.is_transport(), "{status}: {e}");
        let r = refused(&e);
        assert_eq!(r.status, status);
        assert_eq!(r.reason, RefusedBecause::OtherOrigin);
        assert_eq!(r.target, elsewhere.url());
        // The error line names the operation and where it was sent.
        let text = e.to_string();
        assert!(text.starts_with("GetIncidents: "), "{text}");
        assert!(text.contains(&host_port(&elsewhere)), "{text}");
        token.assert_async().await;
        moved.assert_async().await;
    }
    for m in stolen {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn a_command_follows_a_redirect_within_its_origin() {
    for status in STATUSES {
        let mut origin = Server::new_async().await;
        token_mock(&mut origin, "tok", 1799, 1).await;
        let moved = origin
            .mock("POST", "/incidents/entities/incidents/GET/v1")
            .with_status(status as usize)
            .with_header("location", "/moved/v1")
            .expect(1)
            .create_async()
            .await;
        // 307 and 308 repeat the method and body; 301, 302 and 303 turn a
        // POST into a GET without a body (as browsers and HTTP clients do).
        let keeps = matches!(status, 307 | 308);
        let landed = origin
            .mock(if keeps { "POST" } else { "GET" }, "/moved/v1")
            .match_header("authorization", "Bearer tok")
            .match_body(if keeps {
                Matcher::Json(json!({"ids": ["inc:1"]}))
            } else {
                Matcher::Exact(String::new())
            })
            .with_status(200)
            .with_header("content-type", "application/json")
            .with_body(resources_body(&["inc:1"]))
            .expect(1)
            .create_async()
            .await;
        let h = builder(&origin).build().unwrap();
        let r = h
            .command("GetIncidents", json!({"ids": ["inc:1"]}))
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{status}");
        moved.assert_async().await;
        landed.assert_async().await;
    }
}

#[tokio::test]
async fn a_redirect_loop_within_the_origin_ends() {
    let mut origin = Server::new_async().await;
    let looped = origin
        .mock("GET", "/incidents/queries/incidents/v1")
        .with_status(302)
        .with_header("location", "/incidents/queries/incidents/v1")
        .expect(MAX_REDIRECTS + 1)
        .create_async()
        .await;
    let h = Harness::builder()
        .bearer_token("tok")
        .base_url(origin.url())
        .build()
        .unwrap();
    let e = h.execute(query_incidents()).await.unwrap_err();
    assert_eq!(refused(&e).reason, RefusedBecause::TooMany, "{e}");
    looped.assert_async().await;
}

#[tokio::test]
async fn a_redirect_to_another_scheme_is_another_origin() {
    let mut origin = Server::new_async().await;
    let moved = origin
        .mock("GET", "/incidents/queries/incidents/v1")
        .with_status(301)
        .with_header(
            "location",
            &format!(
                "https://{}/incidents/queries/incidents/v1",
                origin.host_with_port()
            ),
        )
        .expect(1)
        .create_async()
        .await;
    let h = Harness::builder()
        .bearer_token("tok")
        .base_url(origin.url())
        .build()
        .unwrap();
    let e = h.execute(query_incidents()).await.unwrap_err();
    let r = refused(&e);
    assert_eq!(r.reason, RefusedBecause::OtherOrigin);
    assert!(r.target.starts_with("https://"), "{}", r.target);
    moved.assert_async().await;
}
