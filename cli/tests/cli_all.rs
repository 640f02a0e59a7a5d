//! `--all` of the built binary against a mockito server: `--jsonl`
//! prints one resource per line across pages, `--max-pages` caps the
//! pages (exit 4, with the flag named), and a failure after the first
//! page keeps what was printed (a closed array) with exit 4.

mod support;
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::json;
use support::falcon::{call, json_reply, token};

const ROUTE: &str = "/devices/queries/devices/v1";

/// Pages of two IDs at offsets 0, 2 and 4 (the last has one), five in all.
fn pages(server: &mut ServerGuard) -> Vec<Mock> {
    [
        ("limit=2", vec!["a", "b"], 0),
        ("limit=2&offset=2", vec!["c", "d"], 2),
        ("limit=2&offset=4", vec!["e"], 4),
    ]
    .into_iter()
    .map(|(q, ids, offset)| {
        json_reply(
            server
                .mock("GET", ROUTE)
                .match_query(Matcher::Exact(q.into())),
            200,
            json!({"meta": {"pagination": {"offset": offset, "limit": 2, "total": 5}},
                   "resources": ids, "errors": []}),
        )
        .create()
    })
    .collect()
}

#[test]
fn jsonl_prints_one_resource_per_line_across_pages() {
    let mut server = Server::new();
    token(&mut server).create();
    let mocks = pages(&mut server);
    let r = call(
        &server,
        &[
            "QueryDevicesByFilter",
            r#"{"limit": 2}"#,
            "--all",
            "--jsonl",
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout_str(), "\"a\"\n\"b\"\n\"c\"\n\"d\"\n\"e\"\n");
    for m in &mocks {
        m.assert();
    }
    // the same resources as one array without --jsonl
    let r = call(
        &server,
        &["QueryDevicesByFilter", r#"{"limit": 2}"#, "--all"],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json(), json!(["a", "b", "c", "d", "e"]));
}

#[test]
fn max_pages_caps_the_pages_and_says_how_to_raise_it() {
    let mut server = Server::new();
    token(&mut server).create();
    let _mocks = pages(&mut server);
    let r = call(
        &server,
        &[
            "QueryDevicesByFilter",
            r#"{"limit": 2}"#,
            "--all",
            "--max-pages",
            "2",
        ],
        b"",
    );
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_eq!(r.json(), json!(["a", "b", "c", "d"]));
    assert!(r.stderr.contains("page cap of 2 pages"), "{}", r.stderr);
    assert!(r.stderr.contains("--max-pages"), "{}", r.stderr);
    // --max-pages needs --all
    let r = call(&server, &["QueryDevicesByFilter", "--max-pages", "2"], b"");
    assert_eq!(r.code, 2, "{}", r.stderr);
}

#[test]
fn a_failure_after_the_first_page_keeps_what_was_printed() {
    let mut server = Server::new();
    token(&mut server).create();
    json_reply(
        server
            .mock("GET", ROUTE)
            .match_query(Matcher::Exact("limit=2".into())),
        200,
        json!({"meta": {"pagination": {"offset": 0, "limit": 2, "total": 5}},
               "resources": ["a", "b"], "errors": []}),
    )
    .create();
    json_reply(
        server
            .mock("GET", ROUTE)
            .match_query(Matcher::Exact("limit=2&offset=2".into())),
        403,
        json!({"errors": [{"code": 403, "message": "access denied"}], "resources": []}),
    )
    .create();
    let r = call(
        &server,
        &["QueryDevicesByFilter", r#"{"limit": 2}"#, "--all"],
        b"",
    );
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_eq!(r.json(), json!(["a", "b"]));
    assert!(r.stderr.contains("page 2 answered 403"), "{}", r.stderr);
    let r = call(
        &server,
        &[
            "QueryDevicesByFilter",
            r#"{"limit": 2}"#,
            "--all",
            "--jsonl",
        ],
        b"",
    );
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_eq!(r.stdout_str(), "\"a\"\n\"b\"\n");
}
