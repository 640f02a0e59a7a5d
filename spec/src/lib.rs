//! The endpoint table's file format, its validation and the Swagger
//! importer.
//!
//! `falcon-harness`'s `build.rs` uses this crate as a build-dependency
//! (it reads `endpoints/`, validates it and emits static lookup maps); the
//! `falcon-import` binary regenerates `endpoints/` from a Swagger file. It
//! depends on serde and serde_json only. The library also uses its
//! vocabulary, snake_case and media-type rules at run time.

pub mod format;
pub mod import;
pub mod media;
pub mod region;
pub mod validate;
pub mod vocab;

use format::{AliasFile, CloudFile, CollectionFile};
use std::path::{Path, PathBuf};
use validate::SpecError;

/// File in `endpoints/` holding aliases and retired IDs.
pub const ALIASES_FILE: &str = "_aliases.json";
/// File in `endpoints/` holding the region hosts.
pub const CLOUDS_FILE: &str = "_clouds.json";

/// A whole endpoint table as read from disk.
#[derive(Debug, Clone)]
pub struct Table {
    /// `(file path, contents)` of each collection file, sorted by path.
    pub collections: Vec<(String, CollectionFile)>,
    /// The aliases.
    pub aliases: AliasFile,
    /// The region hosts.
    pub clouds: CloudFile,
}

/// The API facts folder, `../shared/falcon-api` beside the repository,
/// for the tests that compare against it. When it is absent: panics if
/// the `CI` environment variable is set (a CI run must not pass without
/// it), else prints a visible notice that `what` is skipped and returns
/// `None`.
///
/// ```no_run
/// let Some(dir) = falcon_harness_spec::shared_api_dir("the drift test") else {
///     return;
/// };
/// assert!(dir.join("swagger.json").exists());
/// ```
pub fn shared_api_dir(what: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/falcon-api");
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    present_or_notice(dir, what, ci)
}

/// The rule of [`shared_api_dir`] for a given folder and `CI` setting.
fn present_or_notice(dir: PathBuf, what: &str, ci: bool) -> Option<PathBuf> {
    if dir.join("swagger.json").exists() {
        return Some(dir);
    }
    assert!(
        !ci,
        "{} is absent and CI is set: {what} cannot run",
        dir.display()
    );
    eprintln!("notice: {} is absent; {what} skipped", dir.display());
    None
}

/// Lists the `*.json` files of a folder, sorted, or says why not.
pub fn json_files(dir: &Path) -> Result<Vec<std::path::PathBuf>, SpecError> {
    let shown = dir.display().to_string();
    let rd = std::fs::read_dir(dir).map_err(|e| SpecError {
        file: shown.clone(),
        operation: None,
        message: format!("cannot read folder: {e}"),
    })?;
    let mut files = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| SpecError {
            file: shown.clone(),
            operation: None,
            message: format!("cannot list folder: {e}"),
        })?;
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) == Some("json") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn read(path: &Path) -> Result<String, SpecError> {
    std::fs::read_to_string(path).map_err(|e| SpecError {
        file: path.display().to_string(),
        operation: None,
        message: format!("cannot read: {e}"),
    })
}

/// Reads and validates every file of an `endpoints/` folder.
pub fn load_dir(dir: &Path) -> Result<Table, SpecError> {
    let mut collections = Vec::new();
    let mut aliases = None;
    let mut clouds = None;
    for path in json_files(dir)? {
        let shown = path.display().to_string();
        let text = read(&path)?;
        match path.file_name().and_then(|n| n.to_str()) {
            Some(ALIASES_FILE) => aliases = Some(validate::parse_aliases(&shown, &text)?),
            Some(CLOUDS_FILE) => clouds = Some(validate::parse_clouds(&shown, &text)?),
            _ => {
                let cf = validate::parse_collection(&shown, &text)?;
                let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                if stem != cf.collection {
                    return Err(SpecError {
                        file: shown,
                        operation: None,
                        message: format!(
                            "file holds collection {:?}; name it {}.json",
                            cf.collection, cf.collection
                        ),
                    });
                }
                collections.push((shown, cf));
            }
        }
    }
    let missing = |name: &str| SpecError {
        file: dir.join(name).display().to_string(),
        operation: None,
        message: "missing".to_string(),
    };
    let aliases = aliases.ok_or_else(|| missing(ALIASES_FILE))?;
    let clouds = clouds.ok_or_else(|| missing(CLOUDS_FILE))?;
    let aliases_name = dir.join(ALIASES_FILE).display().to_string();
    let clouds_name = dir.join(CLOUDS_FILE).display().to_string();
    validate::validate(&collections, &aliases_name, &aliases, &clouds_name, &clouds)?;
    Ok(Table {
        collections,
        aliases,
        clouds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_absent_shared_folder_is_skipped_with_a_notice_outside_ci() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(present_or_notice(dir.path().join("nope"), "t", false), None);
        std::fs::write(dir.path().join("swagger.json"), "{}").unwrap();
        let found = present_or_notice(dir.path().to_path_buf(), "t", true);
        assert_eq!(found.as_deref(), Some(dir.path()));
    }

    #[test]
    #[should_panic(expected = "CI is set")]
    fn an_absent_shared_folder_fails_under_ci() {
        let dir = tempfile::tempdir().unwrap();
        present_or_notice(dir.path().join("nope"), "t", true);
    }
}
