//! `--batch` of the built binary against a mockito server: 1,000 lines
//! with one bad line, in input order, over one token; error statuses and
//! authentication failures as lines.

mod support;
use mockito::{Matcher, Server, ServerGuard};
use serde_json::json;
use support::{run, Run};

const SECRET: &str = "batch-secret-0042";

fn batch(server: &ServerGuard, extra: &[&str], stdin: &[u8]) -> Run {
    let url = server.url();
    let mut args = vec!["--batch"];
    args.extend_from_slice(extra);
    run(
        &args,
        stdin,
        &[
            ("FALCON_CLIENT_ID", "cid"),
            ("FALCON_CLIENT_SECRET", SECRET),
            ("FALCON_BASE_URL", url.as_str()),
        ],
    )
}

#[test]
fn thousand_lines_one_bad_in_order_over_one_token() {
    let mut server = Server::new();
    let token = server
        .mock("POST", "/oauth2/token")
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body(r#"{"access_token": "tok-batch", "expires_in": 1799}"#)
        .expect(1)
        .create();
    // The reply echoes the query, so each output line shows which request
    // it answers.
    let api = server
        .mock("GET", "/incidents/queries/incidents/v1")
        .match_query(Matcher::Any)
        .match_header("authorization", "Bearer tok-batch")
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body_from_request(|req| {
            json!({"resources": [req.path_and_query()]})
                .to_string()
                .into_bytes()
        })
        .expect(999)
        .create();
    let mut input = String::new();
    for i in 0..1000 {
        if i == 617 {
            input.push_str("{\"id\": \"line-617\", \"op\": \"QueryIncidents\", \"args\": {\"offset\": \"x\"}\n");
        } else {
            input.push_str(&format!(
                "{{\"id\": \"line-{i}\", \"op\": \"QueryIncidents\", \"args\": {{\"offset\": {i}, \"limit\": 1}}}}\n"
            ));
        }
    }
    let r = batch(&server, &["--concurrency", "16"], input.as_bytes());
    // one bad line: the batch's exit is that line's (2); the rest are 0
    assert_eq!(r.code, 2, "{}", r.stderr);
    let lines = r.json_lines();
    assert_eq!(lines.len(), 1000);
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["line"], json!(i + 1));
        if i == 617 {
            // not JSON (the closing brace is missing): no id to carry, the
            // line number tells which line it was
            assert_eq!(line["id"], json!(null));
            assert_eq!(line["error"]["kind"], "parse", "{line}");
            assert!(line.get("status_code").is_none());
        } else {
            assert_eq!(line["id"], json!(format!("line-{i}")), "{line}");
            assert_eq!(line["status_code"], 200, "{line}");
            assert_eq!(
                line["body"]["resources"][0],
                json!(format!(
                    "/incidents/queries/incidents/v1?offset={i}&limit=1"
                ))
            );
        }
    }
    token.assert();
    api.assert();
}

#[test]
fn statuses_and_bad_arguments_are_lines_and_body_only_works() {
    let mut server = Server::new();
    server
        .mock("POST", "/oauth2/token")
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body(r#"{"access_token": "tok", "expires_in": 1799}"#)
        .create();
    server
        .mock("POST", "/message-center/entities/cases/GET/v1")
        .match_body(Matcher::Json(json!({"ids": ["c1"]})))
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body(r#"{"resources": [{"id": "c1"}]}"#)
        .create();
    server
        .mock("POST", "/message-center/entities/cases/GET/v1")
        .match_body(Matcher::Json(json!({"ids": ["nope"]})))
        .with_status(404)
        .with_header("content-type", "application/json")
        .with_body(r#"{"errors": [{"code": 404, "message": "not found"}]}"#)
        .create();
    let input = concat!(
        "{\"id\": 1, \"op\": \"GetCaseEntitiesByIDs\", \"args\": {\"ids\": [\"c1\"]}}\n",
        "{\"id\": 2, \"op\": \"GetCaseEntitiesByIDs\", \"args\": {\"ids\": [\"nope\"]}}\n",
        "{\"id\": 3, \"op\": \"GetCaseEntitiesByID\", \"args\": {}}\n",
        "{\"id\": 4, \"op\": \"GetCaseEntitiesByIDs\", \"args\": {\"idz\": [\"c1\"]}}\n",
    );
    let r = batch(&server, &["--body"], input.as_bytes());
    assert_eq!(r.code, 2, "{}", r.stderr);
    let lines = r.json_lines();
    assert_eq!(
        lines[0],
        json!({"id": 1, "line": 1, "body": {"resources": [{"id": "c1"}]}})
    );
    assert_eq!(
        lines[1],
        json!({"id": 2, "line": 2, "body": {"errors": [{"code": 404, "message": "not found"}]}})
    );
    assert_eq!(lines[2]["error"]["kind"], "unknown_operation");
    assert!(lines[2]["error"]["message"]
        .as_str()
        .unwrap()
        .contains("GetCaseEntitiesByIDs"));
    assert_eq!(lines[3]["error"]["kind"], "argument");
    assert_eq!(lines.len(), 4);
}

#[test]
fn auth_failure_fails_every_line_with_exit_3() {
    let mut server = Server::new();
    server
        .mock("POST", "/oauth2/token")
        .with_status(403)
        .with_header("content-type", "application/json")
        .with_body(r#"{"errors": [{"code": 403, "message": "access denied"}]}"#)
        .create();
    let api = server.mock("GET", Matcher::Any).expect(0).create();
    let input = "{\"op\": \"QueryIncidents\"}\n".repeat(20);
    let r = batch(&server, &["--concurrency", "1"], input.as_bytes());
    assert_eq!(r.code, 3, "{}", r.stderr);
    let lines = r.json_lines();
    assert_eq!(lines.len(), 20);
    assert!(
        lines.iter().all(|l| l["error"]["kind"] == "auth"),
        "{lines:?}"
    );
    assert!(!r.stdout_str().contains(SECRET));
    api.assert();
}

/// Token endpoint handing out `tok-<member_cid>` (`tok-parent` without one).
fn member_token_mock(server: &mut ServerGuard) -> mockito::Mock {
    server
        .mock("POST", "/oauth2/token")
        .with_status(201)
        .with_header("content-type", "application/json")
        .with_body_from_request(|req| {
            let body = req.body().cloned().unwrap_or_default();
            let cid = url::form_urlencoded::parse(&body)
                .find(|(k, _)| k == "member_cid")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_else(|| "parent".into());
            json!({"access_token": format!("tok-{cid}"), "expires_in": 1799})
                .to_string()
                .into_bytes()
        })
        .create()
}

/// `GET /incidents/queries/incidents/v1` answering with the bearer token
/// it was sent.
fn echo_token_mock(server: &mut ServerGuard) -> mockito::Mock {
    server
        .mock("GET", "/incidents/queries/incidents/v1")
        .match_query(Matcher::Any)
        .with_status(200)
        .with_header("content-type", "application/json")
        .with_body_from_request(|req| {
            let auth = req.header("authorization")[0]
                .to_str()
                .unwrap_or("")
                .to_string();
            json!({"resources": [auth]}).to_string().into_bytes()
        })
        .create()
}

#[test]
fn four_shards_answer_every_line_once_and_keep_each_cid_together() {
    let mut server = Server::new();
    let _token = member_token_mock(&mut server);
    let _api = echo_token_mock(&mut server);
    const LINES: usize = 240;
    let mut input = String::new();
    for i in 1..=LINES {
        if i % 3 == 0 {
            input.push_str(&format!(
                "{{\"id\": {i}, \"op\": \"QueryIncidents\", \"args\": {{\"offset\": {i}}}}}\n"
            ));
        } else {
            input.push_str(&format!(
                "{{\"id\": {i}, \"op\": \"QueryIncidents\", \"member_cid\": \"child{:02}\"}}\n",
                i % 11
            ));
        }
    }
    let runs: Vec<Run> = std::thread::scope(|s| {
        let handles: Vec<_> = (1..=4)
            .map(|k| {
                let (server, input) = (&server, &input);
                s.spawn(move || {
                    let shard = format!("{k}/4");
                    batch(
                        server,
                        &["--shard", &shard, "--concurrency", "8"],
                        input.as_bytes(),
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut seen = vec![0usize; LINES + 1];
    let mut shard_of_cid: std::collections::HashMap<String, usize> = Default::default();
    for (k, r) in runs.iter().enumerate() {
        assert_eq!(r.code, 0, "{}", r.stderr);
        let lines = r.json_lines();
        eprintln!("shard {}/4: {} lines", k + 1, lines.len());
        let mut last = 0;
        for line in lines {
            let n = line["line"].as_u64().unwrap() as usize;
            assert!(n > last, "input order within a shard");
            last = n;
            seen[n] += 1;
            assert_eq!(line["id"], json!(n));
            assert_eq!(line["status_code"], 200, "{line}");
            let token = line["body"]["resources"][0].as_str().unwrap().to_string();
            match line.get("member_cid").and_then(|c| c.as_str()) {
                Some(cid) => {
                    assert_eq!(token, format!("Bearer tok-{cid}"));
                    let owner = *shard_of_cid.entry(cid.to_string()).or_insert(k);
                    assert_eq!(owner, k, "CID {cid} in two shards");
                }
                None => assert_eq!(token, "Bearer tok-parent"),
            }
        }
    }
    assert!(seen[1..].iter().all(|&n| n == 1), "every line exactly once");
    assert_eq!(shard_of_cid.len(), 11);
}

#[test]
fn member_cid_must_be_a_string() {
    let mut server = Server::new();
    let _token = member_token_mock(&mut server);
    let api = echo_token_mock(&mut server).expect(1);
    let input = concat!(
        "{\"id\": 1, \"op\": \"QueryIncidents\", \"member_cid\": \"abc\"}\n",
        "{\"id\": 2, \"op\": \"QueryIncidents\", \"member_cid\": 7}\n",
    );
    let r = batch(&server, &[], input.as_bytes());
    assert_eq!(r.code, 2, "{}", r.stderr);
    let lines = r.json_lines();
    assert_eq!(lines[0]["member_cid"], "abc");
    assert_eq!(lines[0]["body"]["resources"][0], "Bearer tok-abc");
    assert_eq!(lines[1]["error"]["kind"], "parse");
    let message = lines[1]["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("line 2") && message.contains("member_cid"),
        "{message}"
    );
    api.assert();
}

#[test]
fn a_bad_shard_is_a_usage_error_and_nothing_is_sent() {
    let mut server = Server::new();
    let token = server.mock("POST", "/oauth2/token").expect(0).create();
    let api = server
        .mock("GET", Matcher::Regex(".*".into()))
        .expect(0)
        .create();
    let input = b"{\"id\": 1, \"op\": \"QueryIncidents\"}\n";
    for bad in ["0/4", "5/4", "2", "1/0", "a/b", "2/4/8"] {
        let r = batch(&server, &["--shard", bad], input);
        assert_eq!(r.code, 2, "{bad}: {}", r.stderr);
        assert!(r.stderr.contains("--shard"), "{}", r.stderr);
        assert!(r.stdout.is_empty(), "{bad}");
    }
    let url = server.url();
    let r = run(
        &["QueryIncidents", "--shard", "1/2", "--base-url", &url],
        b"",
        &[
            ("FALCON_CLIENT_ID", "id"),
            ("FALCON_CLIENT_SECRET", "secret"),
        ],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("--shard"), "{}", r.stderr);
    token.assert();
    api.assert();
}

#[test]
fn a_member_cid_that_is_not_a_cid_is_an_argument_error_and_not_sent() {
    let mut server = Server::new();
    let token = member_token_mock(&mut server).expect(0);
    let api = echo_token_mock(&mut server).expect(0);
    let r = batch(
        &server,
        &[],
        b"{\"id\": 1, \"op\": \"QueryIncidents\", \"member_cid\": \"a b\"}\n",
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let line = &r.json_lines()[0];
    assert_eq!(line["member_cid"], "a b");
    assert_eq!(line["error"]["kind"], "argument");
    let message = line["error"]["message"].as_str().unwrap();
    assert!(message.contains("member_cid"), "{message}");
    token.assert();
    api.assert();
}

#[test]
fn waiting_for_the_rate_limit_shows_in_the_log_and_no_pacing_turns_it_off() {
    let mut server = Server::new();
    let _token = member_token_mock(&mut server);
    // Every reply says the budget (120 a minute) is spent: the pacer
    // waits half a second per request.
    let _api = server
        .mock("GET", "/incidents/queries/incidents/v1")
        .match_query(Matcher::Any)
        .with_header("content-type", "application/json")
        .with_header("x-ratelimit-limit", "120")
        .with_header("x-ratelimit-remaining", "0")
        .with_body(r#"{"meta":{},"resources":[],"errors":[]}"#)
        .create();
    let input = b"{\"op\": \"QueryIncidents\"}\n{\"op\": \"QueryIncidents\"}\n";
    let r = batch(&server, &["-v", "--quiet"], input);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("waiting for rate limit"), "{}", r.stderr);
    let r = batch(&server, &["-v", "--quiet", "--no-pacing"], input);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("waiting for rate limit"), "{}", r.stderr);
    assert_eq!(r.json_lines().len(), 2);
}
