//! `--list`, `--describe`, `--completions` and usage errors of the built
//! binary (no network).

mod support;
use serde_json::json;
use support::run;

#[test]
fn describe_json_lists_parameters_with_location_type_required_enum() {
    let r = run(&["--describe", "QueryIncidents", "--json"], b"", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let d = r.json();
    assert_eq!(d["operation"], "QueryIncidents");
    assert_eq!(d["method"], "GET");
    let params = d["parameters"].as_array().unwrap();
    let names: Vec<&str> = params.iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["sort", "filter", "offset", "limit"]);
    let sort = &params[0];
    assert_eq!(sort["in"], "query");
    assert_eq!(sort["type"], "string");
    assert_eq!(sort["required"], false);
    assert!(sort["enum"]
        .as_array()
        .unwrap()
        .contains(&json!("status.desc")));
}

#[test]
fn describe_resolves_snake_case_and_shows_body_fields() {
    let r = run(&["--describe", "case_add_activity"], b"", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = r.stdout_str();
    assert!(text.starts_with("CaseAddActivity  POST "), "{text}");
    assert!(text.contains("Body: a JSON object"), "{text}");
    assert!(text.lines().any(|l| l.starts_with("FIELD")), "{text}");
}

#[test]
fn list_collection_as_table_and_json() {
    let r = run(&["--list", "incidents"], b"", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r
        .stdout_str()
        .lines()
        .any(|l| l.starts_with("QueryIncidents") && l.contains("/incidents/queries/incidents/v1")));
    let r = run(&["--list", "incidents", "--json"], b"", &[]);
    let ops: Vec<String> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["operation"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ops,
        [
            "CrowdScore",
            "GetBehaviors",
            "GetIncidents",
            "PerformIncidentAction",
            "QueryBehaviors",
            "QueryIncidents"
        ]
    );
    let r = run(&["--list", "--json"], b"", &[]);
    assert_eq!(r.json().as_array().unwrap().len(), 1654);
}

#[test]
fn usage_errors_exit_2_with_a_message_on_stderr() {
    let r = run(&["--describe", "QueryIncident"], b"", &[]);
    assert_eq!(r.code, 2);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.contains("did you mean QueryIncidents"),
        "{}",
        r.stderr
    );
    let r = run(&["--list", "incident"], b"", &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("did you mean incidents"), "{}", r.stderr);
    let r = run(&[], b"", &[]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("nothing to do"), "{}", r.stderr);
    let r = run(&["--batch", "QueryIncidents"], b"", &[]);
    assert_eq!(r.code, 2);
    let r = run(&["--no-such-flag"], b"", &[]);
    assert_eq!(r.code, 2);
}

#[test]
fn bash_completion_really_completes_operation_ids() {
    let script = run(&["--completions", "bash"], b"", &[]);
    assert_eq!(script.code, 0);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("falcon-harness.bash");
    std::fs::write(&path, &script.stdout).unwrap();
    // Complete `falcon-harness --dry-run QueryInc<TAB>` and
    // `falcon-harness --describe GetBeh<TAB>` in a real bash.
    let probe = format!(
        r#"source '{}'
COMP_WORDS=(falcon-harness --dry-run QueryInc); COMP_CWORD=2; COMP_LINE="${{COMP_WORDS[*]}}"; COMP_POINT=${{#COMP_LINE}}
_falcon__harness falcon-harness QueryInc --dry-run; echo "${{COMPREPLY[*]}}"
COMP_WORDS=(falcon-harness --describe GetBeh); COMP_CWORD=2; COMP_LINE="${{COMP_WORDS[*]}}"; COMP_POINT=${{#COMP_LINE}}
_falcon__harness falcon-harness GetBeh --describe; echo "${{COMPREPLY[*]}}"
"#,
        path.display()
    );
    let out = std::process::Command::new("bash")
        .arg("--norc")
        .arg("-c")
        .arg(probe)
        .output()
        .expect("bash runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            "QueryIncidentIdsByFilter QueryIncidents",
            "GetBehaviorDetections GetBehaviors"
        ],
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn describe_says_which_body_checks_a_dry_run_makes() {
    let r = run(&["--describe", "PostDeviceDetailsV2"], b"", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let text = r.stdout_str();
    assert!(text.contains("Fields given by name are checked (name and type)"));
    assert!(text.contains("the server checks it, a dry run does not"));
    let ids = text.lines().find(|l| l.starts_with("ids ")).unwrap();
    assert!(ids.ends_with("yes"), "{ids}");
    // ... and a dry run behaves as it says
    let dry = |args: &str| run(&["--dry-run", "PostDeviceDetailsV2", args], b"", &[]).code;
    assert_eq!(dry(r#"{"body": {}}"#), 0, "API REQUIRED is not enforced");
    assert_eq!(
        dry(r#"{"body": {"idz": 5}}"#),
        0,
        "a whole body is sent as given"
    );
    assert_eq!(dry(r#"{"ids": 5}"#), 2, "a field by name: its type");
    assert_eq!(dry(r#"{"idz": ["a"]}"#), 2, "a field by name: its name");
}
