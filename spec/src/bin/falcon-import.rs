//! Regenerates `endpoints/` from a Swagger 2.0 document.
//!
//! ```text
//! falcon-import [--swagger FILE] [--aliases FILE] [--clouds FILE] [--out DIR] [--check]
//! ```
//! Defaults read `../shared/falcon-api/` and write `endpoints/`. With
//! `--check`, nothing is written and the exit code is 1 when `endpoints/`
//! differs from what the import produces.

use falcon_harness_spec::import;
use std::path::PathBuf;
use std::process::ExitCode;

fn read_json(path: &PathBuf) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: malformed JSON: {e}", path.display()))
}

fn run() -> Result<bool, String> {
    let mut swagger = PathBuf::from("../shared/falcon-api/swagger.json");
    let mut aliases: Option<PathBuf> = None;
    let mut clouds: Option<PathBuf> = None;
    let mut out = PathBuf::from("endpoints");
    let mut check = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |flag: &str| args.next().ok_or_else(|| format!("{flag} needs a value"));
        match a.as_str() {
            "--swagger" => swagger = value("--swagger")?.into(),
            "--aliases" => aliases = Some(value("--aliases")?.into()),
            "--clouds" => clouds = Some(value("--clouds")?.into()),
            "--out" => out = value("--out")?.into(),
            "--check" => check = true,
            "-h" | "--help" => {
                println!("usage: falcon-import [--swagger FILE] [--aliases FILE] [--clouds FILE] [--out DIR] [--check]");
                return Ok(true);
            }
            other => return Err(format!("unknown argument {other:?}; see --help")),
        }
    }
    // Beside the default swagger, pick up its aliases and clouds files.
    let sibling = |name: &str| {
        swagger
            .parent()
            .map(|p| p.join(name))
            .filter(|p| p.exists())
    };
    let aliases = aliases.or_else(|| sibling("aliases.json"));
    let clouds = clouds.or_else(|| sibling("clouds.json"));
    let doc = read_json(&swagger)?;
    let aliases = aliases.as_ref().map(read_json).transpose()?;
    let mut clouds_doc = clouds.as_ref().map(read_json).transpose()?;
    if clouds_doc.is_none() {
        // Keep the committed region table when refreshing from a swagger
        // file alone.
        let existing = out.join(falcon_harness_spec::CLOUDS_FILE);
        if existing.exists() {
            let v = read_json(&existing)?;
            clouds_doc =
                Some(serde_json::json!({"regions": v["regions"], "auto": {"api": v["auto"]}}));
        }
    }
    let imported =
        import::import(&doc, aliases.as_ref(), clouds_doc.as_ref()).map_err(|e| e.to_string())?;
    let rendered = import::render(&imported).map_err(|e| e.to_string())?;
    let existing: Vec<PathBuf> = if out.exists() {
        falcon_harness_spec::json_files(&out).map_err(|e| e.to_string())?
    } else {
        Vec::new()
    };
    let mut same = true;
    for path in &existing {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if !rendered.contains_key(name) {
            same = false;
            if check {
                eprintln!("stale: {}", path.display());
            } else {
                std::fs::remove_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    if !check {
        std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    for (name, text) in &rendered {
        let path = out.join(name);
        let current = std::fs::read_to_string(&path).ok();
        if current.as_deref() != Some(text.as_str()) {
            same = false;
            if check {
                eprintln!("differs: {}", path.display());
            } else {
                std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    let ops: usize = imported
        .collections
        .iter()
        .map(|c| c.operations.len())
        .sum();
    eprintln!(
        "{} operations in {} collections; {} same-route and {} legacy aliases, {} retired",
        ops,
        imported.collections.len(),
        imported.aliases.same_route.len(),
        imported.aliases.legacy.len(),
        imported.aliases.retired.len()
    );
    Ok(!check || same)
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("falcon-import: {e}");
            ExitCode::from(2)
        }
    }
}
