//! What the binary says on stderr: a deprecated operation's note once
//! per run and `--quiet`; `-v`'s one line per request, without colour
//! codes when stderr is not a terminal; a parameter given as a flag; a
//! refused base URL; and `--help`'s exit codes and defaults.

mod support;
use clap::CommandFactory;
use mockito::{Matcher, Server};
use serde_json::json;
use support::falcon::{call, json_reply, token};
use support::run;

const NOTE: &str = "note: QueryIncidents is marked deprecated by the API";

#[test]
fn a_deprecated_operation_gets_one_note_per_run_unless_quiet() {
    let batch = b"{\"op\": \"QueryIncidents\"}\n{\"op\": \"query_incidents\"}\n{\"op\": \"QueryDevicesByFilter\"}\n";
    let r = run(&["--batch", "--dry-run"], batch, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stderr.matches(NOTE).count(), 1, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);

    let r = run(&["--dry-run", "QueryIncidents"], b"", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains(NOTE), "{}", r.stderr);

    let r = run(&["--batch", "--dry-run", "--quiet"], batch, &[]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let r = run(&["-q", "--dry-run", "QueryIncidents"], b"", &[]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));

    let r = run(&["--dry-run", "QueryDevicesByFilter"], b"", &[]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
}

#[test]
fn quiet_silences_warnings_but_not_errors() {
    let mut server = Server::new();
    token(&mut server).create();
    json_reply(
        server
            .mock("GET", "/devices/queries/devices/v1")
            .match_query(Matcher::Any),
        200,
        json!({"resources": []}),
    )
    .create();
    let args = r#"{"limit": 1, "nope": 2}"#;
    let r = call(&server, &["--lenient", "QueryDevicesByFilter", args], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("warning:") && r.stderr.contains("nope"),
        "{}",
        r.stderr
    );
    let r = call(
        &server,
        &["--lenient", "-q", "QueryDevicesByFilter", args],
        b"",
    );
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let r = run(&["-q", "--lenient", "QueryDevicesByFilter", args], b"", &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no credentials"), "{}", r.stderr);
}

#[test]
fn verbose_shows_one_line_per_request_without_colour_codes() {
    let mut server = Server::new();
    token(&mut server).create();
    json_reply(
        server.mock("GET", "/devices/queries/devices/v1"),
        200,
        json!({"resources": []}),
    )
    .create();
    let r = call(&server, &["QueryDevicesByFilter", "-v"], b"");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains('\x1b'), "{:?}", r.stderr);
    let replies: Vec<&str> = r.stderr.lines().filter(|l| l.contains(" reply ")).collect();
    assert_eq!(replies.len(), 1, "{}", r.stderr);
    let fields = [
        "QueryDevicesByFilter",
        "status=200",
        "attempts=1",
        "elapsed_ms=",
    ];
    for field in fields {
        assert!(replies[0].contains(field), "{field}: {}", replies[0]);
    }
    assert!(!r.stderr.contains("DEBUG"), "{}", r.stderr);
}

#[test]
fn a_parameter_given_as_a_flag_is_answered_with_the_args_to_give() {
    let r = run(&["--dry-run", "QueryIncidents", "--limit", "5"], b"", &[]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("\n  falcon-harness QueryIncidents '{\"limit\":5}'\n"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("'--list'"), "{}", r.stderr);
    assert!(r.stdout.is_empty());

    // Every suggested command line, typed into bash, plans the call.
    let r = run(
        &["QueryDevicesByFilter", "--filter", "platform_name:'Linux'"],
        b"",
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    let suggested: Vec<&str> = r
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("  falcon-harness "))
        .collect();
    assert!(!suggested.is_empty(), "{}", r.stderr);
    for words in suggested {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!("\"$0\" --dry-run -q {words}"))
            .arg(env!("CARGO_BIN_EXE_falcon-harness"))
            .output()
            .expect("bash runs");
        assert!(out.status.success(), "{words}: {out:?}");
        let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            plan["query"],
            json!([["filter", "platform_name:'Linux'"]]),
            "{words}"
        );
    }
}

#[test]
fn base_url_errors_echo_the_input_say_why_and_what_to_write() {
    let mut server = Server::new();
    token(&mut server).create();
    json_reply(
        server.mock("GET", "/devices/queries/devices/v1"),
        200,
        json!({"resources": []}),
    )
    .create();
    let url = server.url();
    let bare = url.strip_prefix("http://").unwrap();
    let with = |base: &str| {
        let mut args = vec!["--base-url", base, "QueryDevicesByFilter"];
        args.extend(["--client-id", "cid", "--client-secret"]);
        args.push(support::falcon::SECRET);
        run(&args, b"", &[])
    };
    // The scheme left out: the message names the URL to write, which works.
    let r = with(bare);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("\"{bare}\": no scheme; did you mean \"{url}\"?")),
        "{}",
        r.stderr
    );
    assert_eq!(with(&url).code, 0);
    // Plain http away from loopback: the rule and the https URL, no Rust.
    let r = with("http://10.0.0.1:8080/x");
    assert_eq!(r.code, 2, "{}", r.stderr);
    for part in [
        "\"http://10.0.0.1:8080/x\"",
        "plain http:// is allowed only to a loopback host",
        "use \"https://10.0.0.1:8080/x\"",
    ] {
        assert!(r.stderr.contains(part), "{part}: {}", r.stderr);
    }
    assert!(!r.stderr.contains("allow_insecure_http"), "{}", r.stderr);
    // The dry run answers the same.
    let r = run(
        &["--dry-run", "--base-url", bare, "QueryDevicesByFilter"],
        b"",
        &[],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("did you mean"), "{}", r.stderr);
}

#[test]
fn help_documents_every_exit_code_and_every_default() {
    let r = run(&["--help"], b"", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let help = r.stdout_str();
    for code in 0..=4 {
        assert!(
            help.contains(&format!("\n  {code}  ")),
            "exit {code}:\n{help}"
        );
    }
    // Every flag that takes a value says what happens without it.
    let cmd = falcon_harness_cli::Args::command();
    for a in cmd.get_arguments() {
        let id = a.get_id().as_str();
        if a.is_positional()
            || !a.get_action().takes_values()
            || ["describe", "completions"].contains(&id)
        {
            continue;
        }
        let text = a.get_help().map(ToString::to_string).unwrap_or_default();
        let told = text.contains("[default:")
            || !a.get_default_values().is_empty()
            || a.get_env().is_some();
        assert!(told, "--{id} does not say its default: {text}");
    }
}
