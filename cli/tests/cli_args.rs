//! Issue 13 on the built binary: ARGS as key=value / key:=json pairs,
//! `--override` and batch `override` lines, exact numbers, nested flat
//! keys in the dry run. No network, no credentials.

mod support;
use serde_json::json;
use support::run;

const BASE: &str = "http://127.0.0.1:1";

fn dry(words: &[&str]) -> serde_json::Value {
    let mut argv = vec!["--dry-run", "--base-url", BASE];
    argv.extend_from_slice(words);
    let r = run(&argv, b"", &[]);
    assert_eq!(r.code, 0, "{words:?}: {}", r.stderr);
    r.json()
}

#[test]
fn key_value_pairs_are_converted_by_type() {
    let p = dry(&["QueryIncidents", "limit=5", "filter=status:20"]);
    assert_eq!(
        p["url"],
        format!("{BASE}/incidents/queries/incidents/v1?limit=5&filter=status%3A20")
    );
    let p = dry(&["GetIncidents", "ids:=[\"inc:1\",\"inc:2\"]"]);
    assert_eq!(p["body"], json!({"ids": ["inc:1", "inc:2"]}));
    let p = dry(&["GetIncidents", "ids=inc:1", "ids=inc:2"]);
    assert_eq!(p["body"], json!({"ids": ["inc:1", "inc:2"]}));
}

#[test]
fn bad_pairs_are_usage_errors_that_name_the_argument() {
    let r = run(&["--dry-run", "QueryIncidents", "limit=five"], b"", &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("QueryIncidents: argument \"limit\": expected an integer"),
        "{}",
        r.stderr
    );
    let r = run(&["--dry-run", "QueryIncidents", "limt=5"], b"", &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("did you mean \"limit\""), "{}", r.stderr);
    let r = run(
        &["--dry-run", "QueryIncidents", "limit=5", "oops"],
        b"",
        &[],
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("expected key=value or key:=json"),
        "{}",
        r.stderr
    );
}

#[test]
fn big_integers_reach_the_wire_unchanged() {
    let p = dry(&["QueryIncidents", "limit=18446744073709551616"]);
    assert!(
        p["url"]
            .as_str()
            .unwrap()
            .ends_with("?limit=18446744073709551616"),
        "{p}"
    );
    let p = dry(&["QueryIncidents", r#"{"limit": 18446744073709551616}"#]);
    assert!(
        p["url"]
            .as_str()
            .unwrap()
            .ends_with("?limit=18446744073709551616"),
        "{p}"
    );
}

#[test]
fn nested_flat_keys_show_in_the_dry_run() {
    let p = dry(&[
        "PerformIncidentAction",
        "ids=inc:1",
        "name=update_status",
        "value=20",
    ]);
    assert_eq!(
        p["body"],
        json!({"ids": ["inc:1"], "action_parameters": [{"name": "update_status", "value": "20"}]})
    );
}

#[test]
fn override_needs_no_operation() {
    let p = dry(&[
        "--override",
        "GET,/custom/route/v1",
        "parameters:={\"limit\": 1}",
    ]);
    assert_eq!(p["operation"], "override");
    assert_eq!(p["url"], format!("{BASE}/custom/route/v1?limit=1"));
    // A name given anyway is ignored, as falconpy ignores it.
    let p = dry(&[
        "--override",
        "POST,/x/v1",
        "anything",
        r#"{"body": {"a": 1}}"#,
    ]);
    assert_eq!(
        (p["method"].clone(), p["body"].clone()),
        (json!("POST"), json!({"a": 1}))
    );
    let r = run(&["--dry-run", "--override", "FETCH,/x"], b"", &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("expected \"METHOD,/route\""),
        "{}",
        r.stderr
    );
}

#[test]
fn batch_lines_may_override() {
    let input = concat!(
        "{\"id\": 1, \"override\": \"GET,/custom/v1\", \"args\": {\"parameters\": {\"a\": \"b\"}}}\n",
        "{\"id\": 2, \"override\": 5}\n",
    );
    let r = run(
        &["--dry-run", "--batch", "--base-url", BASE],
        input.as_bytes(),
        &[],
    );
    let lines = r.json_lines();
    assert_eq!(lines[0]["plan"]["url"], format!("{BASE}/custom/v1?a=b"));
    assert_eq!(lines[1]["error"]["kind"], "parse");
    assert_eq!(r.code, 2);
}

/// As falconpy's `command(any_name, override=...)`: a name that is no
/// operation follows an override route among the arguments, on the
/// command line and in a batch; without one it is still refused.
#[test]
fn any_name_with_an_override_route_calls_it() {
    let p = dry(&[
        "anything",
        r#"{"override": "GET,/custom/v1", "parameters": {"a": 1}}"#,
    ]);
    assert_eq!(p["url"], format!("{BASE}/custom/v1?a=1"));
    let p = dry(&["anything", "override=DELETE,/custom/v1"]);
    assert_eq!(p["method"], "DELETE");
    let r = run(&["--dry-run", "anything", "limit=1"], b"", &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("unknown operation \"anything\""),
        "{}",
        r.stderr
    );
    let input = concat!(
        "{\"op\": \"anything\", \"args\": {\"override\": \"GET,/custom/v1\"}}\n",
        "{\"op\": \"anything\", \"args\": {\"limit\": 1}}\n",
    );
    let r = run(
        &["--dry-run", "--batch", "--base-url", BASE],
        input.as_bytes(),
        &[],
    );
    let lines = r.json_lines();
    assert_eq!(lines[0]["plan"]["url"], format!("{BASE}/custom/v1"));
    assert_eq!(lines[1]["error"]["kind"], "unknown_operation");
}
