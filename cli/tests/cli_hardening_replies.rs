//! Hostile replies and arguments against the built binary (issue 11
//! items 4, 9, 10, 11): server text, the dry run's URL policy, `--all`
//! against a server that fails or repeats itself, and headers that frame
//! the message. Each test names the item it covers.

mod support;
use mockito::{Matcher, Mock, Server, ServerGuard};
use serde_json::json;
use support::falcon::{call, call_at, token, SECRET};
use support::run;

/// Item 10: server text with escape sequences, or echoing the submitted
/// form, reaches the terminal escaped and without the secret.
#[test]
fn server_text_is_escaped_and_the_secret_hidden() {
    let mut server = Server::new();
    let evil = format!("denied\u{1b}[2K\rclient_secret={SECRET}\u{9b}31m");
    server
        .mock("POST", "/oauth2/token")
        .with_status(401)
        .with_header("content-type", "application/json")
        .with_body(json!({"errors": [{"code": 401, "message": evil}]}).to_string())
        .create();
    let r = call(&server, &["QueryIncidents"], b"");
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        !r.stderr.contains('\u{1b}') && !r.stderr.contains('\u{9b}'),
        "{:?}",
        r.stderr
    );
    assert!(!r.stderr.contains('\r'), "{:?}", r.stderr);
    assert!(
        r.stderr
            .contains(r"denied\u{1b}[2K\rclient_secret=<redacted>\u{9b}31m"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains(SECRET), "{}", r.stderr);

    // A reply body on stdout: valid JSON with no raw control character.
    let mut server = Server::new();
    token(&mut server);
    server
        .mock("GET", "/incidents/queries/incidents/v1")
        .with_status(403)
        .with_header("content-type", "application/json")
        .with_body(
            json!({"errors": [{"message": "x\u{1b}]0;title\u{7}\u{9b}2J\u{202e}"}]}).to_string(),
        )
        .create();
    let r = call(&server, &["QueryIncidents"], b"");
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        !r.stdout_str().chars().any(|c| c.is_control() && c != '\n'),
        "{}",
        r.stdout_str()
    );
    assert!(!r.stdout_str().contains('\u{202e}'));
    assert_eq!(
        r.json()["body"]["errors"][0]["message"],
        "x\u{1b}]0;title\u{7}\u{9b}2J\u{202e}"
    );
}

/// Item 9: the dry run takes the real run's URL policy and redaction: no
/// password shown, a base URL a call refuses is refused (exit 2) with
/// the same message.
#[test]
fn dry_run_uses_the_real_url_policy() {
    let r = run(
        &[
            "--dry-run",
            "--base-url",
            "http://u:hunter2@127.0.0.1:1",
            "QueryIncidents",
        ],
        b"",
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout_str().contains("hunter2") && !r.stderr.contains("hunter2"));
    assert_eq!(
        r.json()["url"],
        "http://***@127.0.0.1:1/incidents/queries/incidents/v1"
    );
    let r = run(
        &[
            "--dry-run",
            "--batch",
            "--base-url",
            "http://u:hunter2@127.0.0.1:1",
        ],
        b"{\"op\": \"QueryIncidents\"}\n",
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout_str().contains("hunter2"));
    for url in ["http://127.0.0.1:1?q=1", "http://u:hunter2@127.0.0.1:1#f"] {
        let dry = run(
            &["--dry-run", "--base-url", url, "QueryIncidents"],
            b"",
            &[],
        );
        assert_eq!(dry.code, 2, "{url}: {}", dry.stderr);
        assert!(dry.stdout.is_empty());
        assert!(
            dry.stderr.contains("a base URL has no query"),
            "{}",
            dry.stderr
        );
        assert!(!dry.stderr.contains("hunter2"), "{}", dry.stderr);
        let real = call_at(url, &["QueryIncidents"], b"");
        assert_eq!(real.code, 2, "{url}: {}", real.stderr);
        assert_eq!(real.stderr, dry.stderr);
    }
}

const INCIDENTS: &str = "/incidents/queries/incidents/v1";
const ASSESS: &str = "/configuration-assessment/combined/assessments/v1";

fn page(
    server: &mut ServerGuard,
    path: &str,
    query: &str,
    status: usize,
    body: serde_json::Value,
) -> Mock {
    server
        .mock("GET", path)
        .match_query(Matcher::Exact(query.into()))
        .with_status(status)
        .with_header("content-type", "application/json")
        .with_body(body.to_string())
        .expect(1)
        .create()
}

/// Item 11: a failing page keeps the pages before it (exit 4); a
/// repeated `after` token ends paging with a warning (exit 4) and no
/// page twice; an operation that does not page is refused before
/// anything is sent (exit 2).
#[test]
fn all_keeps_pages_and_stops_on_repeats() {
    let mut server = Server::new();
    token(&mut server);
    let pages = [
        page(
            &mut server,
            INCIDENTS,
            "limit=2",
            200,
            json!({"meta": {"pagination": {"offset": 0, "limit": 2, "total": 9}}, "resources": ["a", "b"]}),
        ),
        page(
            &mut server,
            INCIDENTS,
            "limit=2&offset=2",
            200,
            json!({"meta": {"pagination": {"offset": 2, "limit": 2, "total": 9}}, "resources": ["c", "d"]}),
        ),
        page(
            &mut server,
            INCIDENTS,
            "limit=2&offset=4",
            403,
            json!({"errors": [{"code": 403, "message": "no more for you"}]}),
        ),
    ];
    let r = call(
        &server,
        &["QueryIncidents", r#"{"limit": 2}"#, "--all"],
        b"",
    );
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_eq!(r.json(), json!(["a", "b", "c", "d"]));
    assert!(
        r.stderr.contains(
            "--all is incomplete: stopped after 2 pages (4 resources printed): page 3 answered 403"
        ),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("no more for you"), "{}", r.stderr);
    for p in &pages {
        p.assert();
    }

    let mut server = Server::new();
    token(&mut server);
    let pages = [
        page(
            &mut server,
            ASSESS,
            "limit=2&filter=x",
            200,
            json!({"meta": {"pagination": {"after": "t1", "limit": 2, "total": 9}}, "resources": ["a", "b"]}),
        ),
        page(
            &mut server,
            ASSESS,
            "limit=2&filter=x&after=t1",
            200,
            json!({"meta": {"pagination": {"after": "t1", "limit": 2, "total": 9}}, "resources": ["c", "d"]}),
        ),
    ];
    let r = call(
        &server,
        &[
            "getCombinedAssessmentsQuery",
            r#"{"limit": 2, "filter": "x"}"#,
            "--all",
        ],
        b"",
    );
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert_eq!(r.json(), json!(["a", "b", "c", "d"]));
    assert!(r.stderr.contains("the `after` it was sent"), "{}", r.stderr);
    for p in &pages {
        p.assert();
    }

    let mut server = Server::new();
    let tok = token(&mut server).expect(0);
    let r = call(
        &server,
        &["GetIncidents", r#"{"ids": ["x"]}"#, "--all"],
        b"",
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("does not page"), "{}", r.stderr);
    tok.assert();
}

/// Item 4: message-framing headers are refused as arguments (exit 2,
/// nothing sent) and dropped with a warning in lenient mode, so the body
/// goes out whole and a GET does not hang.
#[test]
fn framing_headers_are_refused_or_dropped() {
    let body = json!({"ids": ["inc:1", "inc:2"]});
    for h in [
        "Content-Length",
        "transfer-encoding",
        "Host",
        "Connection",
        "Proxy-Authorization",
    ] {
        let args = json!({"body": body, "headers": {h: "5"}}).to_string();
        let mut server = Server::new();
        let tok = token(&mut server).expect(0);
        let r = call(&server, &["GetIncidents", &args], b"");
        assert_eq!(r.code, 2, "{h}: {}", r.stderr);
        assert!(r.stderr.contains("frames the message"), "{}", r.stderr);
        tok.assert();
    }
    let mut server = Server::new();
    token(&mut server);
    let whole = server
        .mock("POST", "/incidents/entities/incidents/GET/v1")
        .match_body(Matcher::Json(body.clone()))
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(r#"{"resources": []}"#)
        .expect(1)
        .create();
    let get = server
        .mock("GET", "/incidents/queries/incidents/v1")
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(r#"{"resources": []}"#)
        .expect(1)
        .create();
    let args = json!({"body": body, "headers": {"Content-Length": "5"}}).to_string();
    let r = call(&server, &["--lenient", "GetIncidents", &args], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("dropped the header \"Content-Length\""),
        "{}",
        r.stderr
    );
    let r = call(
        &server,
        &[
            "--lenient",
            "--timeout",
            "20",
            "QueryIncidents",
            r#"{"headers": {"Content-Length": "2"}}"#,
        ],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    whole.assert();
    get.assert();
}
