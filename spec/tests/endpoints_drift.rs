//! Re-imports `../shared/falcon-api` with the project's importer and fails
//! if the committed `endpoints/` differs from what it produces.

use falcon_harness_spec::{self as spec, import};
use std::path::Path;

#[test]
fn endpoints_match_a_fresh_import() {
    // This package lives in `spec/`; the repository root is one up.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let root = root.as_path();
    let Some(shared) = spec::shared_api_dir("the drift test") else {
        return;
    };
    let read = |n: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(shared.join(n)).unwrap()).unwrap()
    };
    let imported = import::import(
        &read("swagger.json"),
        Some(&read("aliases.json")),
        Some(&read("clouds.json")),
    )
    .unwrap();
    let rendered = import::render(&imported).unwrap();
    let dir = root.join("endpoints");
    let on_disk: Vec<String> = spec::json_files(&dir)
        .unwrap()
        .iter()
        .map(|p| p.file_name().unwrap().to_str().unwrap().to_string())
        .collect();
    let expected: Vec<String> = rendered.keys().cloned().collect();
    assert_eq!(
        on_disk, expected,
        "endpoints/ file list drifted; run `cargo run --bin falcon-import`"
    );
    for (name, text) in &rendered {
        let current = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(
            current == *text,
            "endpoints/{name} drifted; run `cargo run --bin falcon-import`"
        );
    }
    // The importer is deterministic.
    let again = import::render(
        &import::import(
            &read("swagger.json"),
            Some(&read("aliases.json")),
            Some(&read("clouds.json")),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(again, rendered);
    // And the committed table passes validation.
    spec::load_dir(&dir).unwrap();
}
