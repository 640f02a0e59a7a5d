//! File references for form uploads: `"@path"`,
//! `{"path": ..., "filename"?, "content_type"?}` or
//! `{"content_base64": ..., "filename": ..., "content_type"?}`.
//!
//! A path is recorded, not read (the transport streams it from disk when
//! it sends the request), but it is checked here: a file that is missing,
//! unreadable or not a regular file is an argument error while planning,
//! so a dry run reports it and a real call sends nothing.

use super::headers;
use crate::error::Error;
use crate::plan::{FileRef, FileSource};
use base64::Engine as _;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

const SHAPES: &str = "expected a file reference: \"@path\", {\"path\": ...} or \
                      {\"content_base64\": ..., \"filename\": ...}";

/// Parses a file reference given for the form field `name`.
pub(crate) fn file_ref(op: &str, name: &str, v: &Value) -> Result<FileRef, Error> {
    let bad = |why: &str| Error::argument(op, name, format!("{SHAPES}; {why}"));
    match v {
        Value::String(s) => match s.strip_prefix('@') {
            Some(path) if !path.is_empty() => from_path(op, name, PathBuf::from(path), None, None),
            Some(_) => Err(bad("the path after \"@\" is empty")),
            None => Err(bad("a string must start with \"@\"")),
        },
        Value::Object(m) => from_object(op, name, m).map_err(|why| match why {
            Why::Shape(w) => bad(&w),
            Why::Other(e) => e,
        }),
        other => Err(bad(&format!("got {}", super::convert::describe(other)))),
    }
}

enum Why {
    Shape(String),
    Other(Error),
}

fn text<'a>(m: &'a Map<String, Value>, key: &str) -> Result<Option<&'a str>, Why> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Why::Shape(format!("\"{key}\" must be a string"))),
    }
}

fn from_object(op: &str, name: &str, m: &Map<String, Value>) -> Result<FileRef, Why> {
    if let Some(k) = m.keys().find(|k| {
        !matches!(
            k.as_str(),
            "path" | "content_base64" | "filename" | "content_type"
        )
    }) {
        return Err(Why::Shape(format!("unknown key {k:?}")));
    }
    let filename = text(m, "filename")?.map(str::to_string);
    let content_type = text(m, "content_type")?;
    if let Some(ct) = content_type {
        headers::check_value(op, name, ct).map_err(Why::Other)?;
    }
    let content_type = content_type.map(str::to_string);
    match (text(m, "path")?, text(m, "content_base64")?) {
        (Some(_), Some(_)) => Err(Why::Shape(
            "give \"path\" or \"content_base64\", not both".to_string(),
        )),
        (Some(""), None) => Err(Why::Shape("\"path\" is empty".to_string())),
        (Some(p), None) => {
            from_path(op, name, PathBuf::from(p), filename, content_type).map_err(Why::Other)
        }
        (None, Some(b64)) => {
            let Some(filename) = filename else {
                return Err(Why::Shape(
                    "\"content_base64\" needs a \"filename\"".to_string(),
                ));
            };
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|e| Why::Shape(format!("\"content_base64\" is not base64: {e}")))?;
            Ok(FileRef {
                source: FileSource::Bytes(bytes.into()),
                filename: Some(filename),
                content_type,
            })
        }
        (None, None) => Err(Why::Shape("no \"path\" or \"content_base64\"".to_string())),
    }
}

fn from_path(
    op: &str,
    name: &str,
    path: PathBuf,
    filename: Option<String>,
    content_type: Option<String>,
) -> Result<FileRef, Error> {
    check_readable(&path).map_err(|why| {
        Error::argument(op, name, format!("cannot upload {}: {why}", path.display()))
    })?;
    let filename = filename.or_else(|| {
        Path::new(&path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
    });
    Ok(FileRef {
        source: FileSource::Path(path),
        filename,
        content_type,
    })
}

/// A file to upload must be a regular file that can be opened for
/// reading (a FIFO or device is refused: its length is not known, and
/// opening a FIFO could wait for ever).
fn check_readable(path: &Path) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.is_dir() {
        return Err("it is a directory".into());
    }
    if !meta.is_file() {
        return Err("it is not a regular file".into());
    }
    std::fs::File::open(path)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// The `files` argument: `{"field": ref | [ref, ...]}` or a list of
/// `[field, ref]` pairs or `{"name": field, ...ref}` objects.
pub(crate) fn files_arg(op: &str, v: &Value) -> Result<Vec<(String, FileRef)>, Error> {
    let mut out = Vec::new();
    match v {
        Value::Object(m) => {
            for (field, r) in m {
                match r {
                    Value::Array(list) => {
                        for r in list {
                            out.push((field.clone(), file_ref(op, field, r)?));
                        }
                    }
                    r => out.push((field.clone(), file_ref(op, field, r)?)),
                }
            }
        }
        Value::Array(list) => {
            for item in list {
                match item {
                    Value::Array(pair) if pair.len() == 2 && pair[0].is_string() => {
                        let field = pair[0].as_str().unwrap_or_default();
                        out.push((field.to_string(), file_ref(op, field, &pair[1])?));
                    }
                    Value::Object(m) if m.get("name").is_some_and(Value::is_string) => {
                        let field = m["name"].as_str().unwrap_or_default().to_string();
                        let mut rest = m.clone();
                        rest.remove("name");
                        let r = file_ref(op, &field, &Value::Object(rest))?;
                        out.push((field, r));
                    }
                    other => {
                        return Err(Error::argument(
                            op,
                            "files",
                            format!(
                            "expected [field, file reference] or {{\"name\": field, ...}}, got {}",
                            super::convert::describe(other)
                        ),
                        ))
                    }
                }
            }
        }
        other => {
            return Err(Error::argument(
                op,
                "files",
                format!(
                    "expected an object of field -> file reference, or a list, got {}",
                    super::convert::describe(other)
                ),
            ))
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A file that exists wherever the tests run.
    fn real() -> String {
        concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml").to_string()
    }

    #[test]
    fn at_path_is_recorded_not_read() {
        let r = file_ref("Op", "file", &json!(format!("@{}", real()))).unwrap();
        assert_eq!(r.source, FileSource::Path(real().into()));
        assert_eq!(r.filename.as_deref(), Some("Cargo.toml"));
        assert_eq!(r.content_type, None);
    }

    #[test]
    fn missing_unreadable_and_special_files_are_argument_errors() {
        let dir = env!("CARGO_MANIFEST_DIR");
        for (path, why) in [
            ("/definitely/not/here/a.txt", "No such file"),
            (dir, "is a directory"),
            ("/dev/null", "not a regular file"),
        ] {
            let e = file_ref("Op", "file", &json!(format!("@{path}"))).unwrap_err();
            assert!(e.is_argument(), "{e}");
            let text = e.to_string();
            assert!(text.contains(&format!("cannot upload {path}: ")), "{text}");
            assert!(text.contains(why), "{text}");
            let e = file_ref("Op", "file", &json!({"path": path})).unwrap_err();
            assert!(e.to_string().contains(why), "{e}");
        }
    }

    #[test]
    fn object_shapes() {
        let r = file_ref(
            "Op",
            "file",
            &json!({"path": real(), "filename": "z.bin", "content_type": "text/plain"}),
        )
        .unwrap();
        assert_eq!(r.filename.as_deref(), Some("z.bin"));
        assert_eq!(r.content_type.as_deref(), Some("text/plain"));
        let r = file_ref(
            "Op",
            "file",
            &json!({"content_base64": "aGk=", "filename": "h"}),
        )
        .unwrap();
        assert_eq!(
            r.source,
            FileSource::Bytes(bytes::Bytes::from_static(b"hi"))
        );
    }

    #[test]
    fn bad_shapes_are_errors() {
        for v in [
            json!("plain"),
            json!("@"),
            json!(5),
            json!({"content_base64": "aGk="}),
            json!({"content_base64": "!!", "filename": "a"}),
            json!({"path": real(), "content_base64": "aGk=", "filename": "a"}),
            json!({"path": real(), "size": 3}),
            json!({"path": ""}),
            json!({"path": real(), "content_type": "text/plain\r\nX: y"}),
        ] {
            let e = file_ref("Op", "file", &v).unwrap_err().to_string();
            assert!(e.starts_with("Op: argument \"file\""), "{e}");
        }
    }

    #[test]
    fn files_argument_shapes() {
        let at = format!("@{}", real());
        let got = files_arg("Op", &json!({"file": at, "more": [at, at]})).unwrap();
        let names: Vec<_> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["file", "more", "more"]);
        let got = files_arg("Op", &json!([["file", at], {"name": "x", "path": real()}])).unwrap();
        assert_eq!(got[1].1.source, FileSource::Path(real().into()));
        assert!(files_arg("Op", &json!(at)).is_err());
        assert!(files_arg("Op", &json!([1])).is_err());
    }
}
