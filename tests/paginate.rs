//! Pagination across pages following `meta.pagination`.

mod support;

use falcon_harness::{catalog, Harness, Method, Pages, PlannedBody};
use futures_util::StreamExt;
use mockito::{Matcher, Server};
use serde_json::{json, Value};
use std::sync::Arc;
use support::mock::*;

fn page(resources: &[&str], pagination: Value) -> String {
    json!({"meta": {"pagination": pagination}, "resources": resources, "errors": []}).to_string()
}

/// Plans QueryIncidents by hand: every argument becomes a query pair.
fn planner() -> falcon_harness::paginate::Planner {
    Arc::new(|args: &Value| {
        let query: Vec<(std::borrow::Cow<'static, str>, String)> = args
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                let v = v
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string());
                (k.clone().into(), v)
            })
            .collect();
        let mut p = plan(
            "QueryIncidents",
            Method::Get,
            "/incidents/queries/incidents/v1",
            &[],
            PlannedBody::Empty,
        );
        p.query = query;
        Ok(p)
    })
}

fn bearer(server: &mockito::ServerGuard) -> Harness {
    Harness::builder()
        .bearer_token("tok")
        .base_url(server.url())
        .retry(fast_retry())
        .build()
        .unwrap()
}

async fn offset_pages(server: &mut mockito::ServerGuard) -> Vec<mockito::Mock> {
    let mut mocks = Vec::new();
    for (offset, ids) in [(0, ["a", "b"].as_slice()), (2, &["c", "d"]), (4, &["e"])] {
        let mut query = vec![Matcher::UrlEncoded("limit".into(), "2".into())];
        if offset > 0 {
            query.push(Matcher::UrlEncoded("offset".into(), offset.to_string()));
        }
        let m = server
            .mock("GET", "/incidents/queries/incidents/v1")
            .match_query(Matcher::AllOf(query))
            .with_status(200)
            .with_header("content-type", "application/json")
            .with_body(page(ids, json!({"offset": offset, "limit": 2, "total": 5})))
            .expect(1)
            .create_async()
            .await;
        mocks.push(m);
    }
    mocks
}

#[tokio::test]
async fn offset_pagination_across_three_pages() {
    let mut server = Server::new_async().await;
    let mocks = offset_pages(&mut server).await;
    let op = catalog::operation("QueryIncidents").unwrap();
    let h = bearer(&server);
    let pages: Vec<_> = Pages::with_planner(&h, op, json!({"limit": 2}), 10, planner())
        .collect()
        .await;
    let ids: Vec<Value> = pages
        .into_iter()
        .flat_map(|p| p.unwrap().resources().unwrap().clone())
        .collect();
    assert_eq!(
        ids,
        vec![json!("a"), json!("b"), json!("c"), json!("d"), json!("e")]
    );
    for m in mocks {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn after_token_pagination_and_the_page_cap() {
    let mut server = Server::new_async().await;
    let mut mocks = Vec::new();
    // The first and second pages are fetched twice (once more under the cap).
    for (after, next, id, hits) in [
        (None, "t2", "a", 2),
        (Some("t2"), "t3", "b", 2),
        (Some("t3"), "", "c", 1),
    ] {
        let query = match after {
            None => Matcher::Missing,
            Some(t) => Matcher::UrlEncoded("after".into(), t.into()),
        };
        let m = server
            .mock("GET", "/incidents/queries/incidents/v1")
            .match_query(query)
            .with_status(200)
            .with_header("content-type", "application/json")
            .with_body(page(&[id], json!({"after": next, "limit": 1, "total": 3})))
            .expect(hits)
            .create_async()
            .await;
        mocks.push(m);
    }
    // An operation that takes `after` tokens (the hand planner sends them).
    let op = catalog::operation("getCombinedAssessmentsQuery").unwrap();
    let h = bearer(&server);
    let all: Vec<_> = Pages::with_planner(&h, op, json!({}), 10, planner())
        .collect()
        .await;
    assert_eq!(all.len(), 3);
    let last = all.last().unwrap().as_ref().unwrap();
    assert_eq!(last.resources().unwrap(), &vec![json!("c")]);
    // The cap stops after two pages.
    let capped: Vec<_> = Pages::with_planner(&h, op, json!({}), 2, planner())
        .collect()
        .await;
    assert_eq!(capped.len(), 2);
    for m in mocks {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn an_error_page_ends_the_stream() {
    let mut server = Server::new_async().await;
    server
        .mock("GET", "/incidents/queries/incidents/v1")
        .match_query(Matcher::Any)
        .with_status(500)
        .with_header("content-type", "application/json")
        .with_body(page(&["x"], json!({"offset": 0, "limit": 1, "total": 9})))
        .create_async()
        .await;
    let op = catalog::operation("QueryIncidents").unwrap();
    let h = bearer(&server);
    let all: Vec<_> = Pages::with_planner(&h, op, json!({}), 10, planner())
        .collect()
        .await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].as_ref().unwrap().status(), 500);
}

#[tokio::test]
async fn harness_paginate_plans_each_page() {
    let mut server = Server::new_async().await;
    let mocks = offset_pages(&mut server).await;
    let h = bearer(&server);
    let pages: Vec<_> = h
        .request("QueryIncidents")
        .args(json!({"limit": 2}))
        .pages()
        .collect()
        .await;
    assert_eq!(pages.len(), 3);
    let ids: Vec<Value> = pages
        .into_iter()
        .flat_map(|p| p.unwrap().resources().unwrap().clone())
        .collect();
    assert_eq!(ids.len(), 5);
    for m in mocks {
        m.assert_async().await;
    }
    // A bad name or argument is the one item.
    let bad: Vec<_> = h.request("QueryIncident").pages().collect().await;
    assert!(matches!(&bad[..], [Err(e)] if e.is_unknown_operation()));
    let bad: Vec<_> = h
        .request("QueryIncidents")
        .args(json!({"limt": 1}))
        .pages()
        .collect()
        .await;
    assert!(matches!(&bad[..], [Err(e)] if e.is_argument()));
}
