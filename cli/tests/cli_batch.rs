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
