//! The bash completion script, run in bash: it is sourced, registered
//! for `falcon-harness` (`complete -p`), and its function is called with
//! COMP_WORDS/COMP_CWORD set as bash would, then COMPREPLY is checked.

mod support;
use std::path::Path;
use std::process::Command;
use support::run;

fn script(dir: &Path) -> std::path::PathBuf {
    let r = run(&["--completions", "bash"], b"", &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let path = dir.join("falcon-harness.bash");
    std::fs::write(&path, &r.stdout).unwrap();
    path
}

/// Runs `body` in bash (in `dir`) after sourcing the script; returns
/// stdout's lines.
fn bash(dir: &Path, script: &Path, body: &str) -> Vec<String> {
    let program = format!(
        "source {:?} || exit 9\n\
         t() {{ COMP_WORDS=(\"$@\"); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); COMPREPLY=();\n\
           _falcon_harness_complete falcon-harness \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\";\n\
           printf '%s\\n' \"${{COMPREPLY[@]}}\"; }}\n{body}\n",
        script
    );
    let out = Command::new("bash")
        .arg("--norc")
        .arg("-c")
        .arg(program)
        .current_dir(dir)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "bash failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_operations_collections_regions_and_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("args.json"), "{}").unwrap();
    std::fs::create_dir(dir.path().join("arch")).unwrap();
    std::fs::write(dir.path().join("other.txt"), "").unwrap();
    let s = script(dir.path());
    let d = dir.path();

    let registered = bash(d, &s, "complete -p falcon-harness");
    assert_eq!(registered.len(), 1, "{registered:?}");
    assert!(
        registered[0].contains("-F _falcon_harness_complete")
            && registered[0].ends_with(" falcon-harness"),
        "{registered:?}"
    );

    let ops = bash(d, &s, "t falcon-harness QueryIncid");
    assert!(ops.contains(&"QueryIncidents".to_string()), "{ops:?}");
    assert!(ops.iter().all(|o| o.starts_with("QueryIncid")), "{ops:?}");

    let ops = bash(d, &s, "t falcon-harness --dry-run CrowdSc");
    assert_eq!(ops, ["CrowdScore"]);

    assert_eq!(
        bash(d, &s, "t falcon-harness --describe CrowdSc"),
        ["CrowdScore"]
    );
    assert_eq!(
        bash(d, &s, "t falcon-harness --list message_c"),
        ["message_center"]
    );
    assert_eq!(
        bash(d, &s, "t falcon-harness --cloud us-gov"),
        ["us-gov-1", "us-gov-2"]
    );
    let all_regions = bash(d, &s, "t falcon-harness --cloud ''");
    assert!(all_regions.contains(&"auto".to_string()), "{all_regions:?}");
    assert!(all_regions.contains(&"eu-1".to_string()), "{all_regions:?}");

    let mut files = bash(d, &s, "t falcon-harness GetIncidents @ar");
    files.sort();
    assert_eq!(files, ["@arch/", "@args.json"]);
    assert_eq!(
        bash(d, &s, "t falcon-harness --dry-run GetIncidents @o"),
        ["@other.txt"]
    );

    // once OP is given, a plain word completes no operation ID
    assert!(bash(d, &s, "t falcon-harness GetIncidents Quer").is_empty());
    // flags still complete
    let flags = bash(d, &s, "t falcon-harness GetIncidents --dry");
    assert_eq!(flags, ["--dry-run"]);
    // a flag's value is not taken for OP
    let ops = bash(d, &s, "t falcon-harness --cloud us-1 CrowdSc");
    assert_eq!(ops, ["CrowdScore"]);
}
