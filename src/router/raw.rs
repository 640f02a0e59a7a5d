//! Raw bodies: an operation whose body is bytes (`binary` in the table,
//! such as ArchiveUploadV1, which accepts no JSON media type) takes its
//! body as a string (its UTF-8 bytes), `"@path"` or `{"path": ...}` (a
//! file streamed when sent), `{"content_base64": ...}` or a list of byte
//! values (0 to 255); from Rust, a file attached as `body`. It is sent
//! with the reference's media type, else the operation's raw media type,
//! unless `content_type` says otherwise.

use super::{body, convert, files};
use crate::error::Error;
use crate::operation::Operation;
use crate::plan::{FileRef, FileSource, PlannedBody};
use serde_json::Value;

const SHAPES: &str = "expected the raw body: a string, \"@path\", {\"path\": ...}, \
                      {\"content_base64\": ...} or a list of byte values (0 to 255)";

/// Whether the operation's body is sent raw whatever it is given: it
/// accepts no JSON media type.
pub(crate) fn only_raw(op: &'static Operation) -> bool {
    !op.consumes().iter().any(|c| crate::media::is_json(c))
}

fn bytes_ref(bytes: bytes::Bytes) -> FileRef {
    FileRef {
        source: FileSource::Bytes(bytes),
        filename: None,
        content_type: None,
    }
}

/// The raw body `v` gives, for an operation that takes nothing else.
pub(crate) fn body_ref(op: &str, v: &Value) -> Result<FileRef, Error> {
    let bad = || {
        Error::argument(
            op,
            "body",
            format!("{SHAPES}, got {}", convert::describe(v)),
        )
    };
    match v {
        Value::String(s) if !s.starts_with('@') => {
            Ok(bytes_ref(bytes::Bytes::copy_from_slice(s.as_bytes())))
        }
        Value::Array(items) => {
            let bytes: Option<Vec<u8>> = items
                .iter()
                .map(|i| i.as_u64().and_then(|n| u8::try_from(n).ok()))
                .collect();
            bytes.map(|b| bytes_ref(b.into())).ok_or_else(bad)
        }
        Value::Object(m) if m.len() == 1 && m.contains_key("content_base64") => {
            match body::raw_bytes(v) {
                Some(Ok(b)) => Ok(bytes_ref(b)),
                Some(Err(why)) => Err(Error::argument(op, "body", why)),
                None => Err(bad()),
            }
        }
        Value::String(_) | Value::Object(_) => files::file_ref(op, "body", v),
        _ => Err(bad()),
    }
}

/// The planned body of a raw reference: bytes in memory, or a file
/// streamed when sent; `default_type` unless the reference names one.
pub(crate) fn planned(file: FileRef, default_type: &str) -> PlannedBody {
    let content_type = file
        .content_type
        .clone()
        .unwrap_or_else(|| default_type.to_string());
    match file.source {
        FileSource::Bytes(bytes) => PlannedBody::Raw {
            bytes,
            content_type,
        },
        FileSource::Path(_) => PlannedBody::RawFile { file, content_type },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bytes_of(v: Value) -> Vec<u8> {
        match body_ref("Op", &v).unwrap().source {
            FileSource::Bytes(b) => b.to_vec(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_raw_form() {
        assert_eq!(bytes_of(json!("PK\u{3}")), b"PK\x03");
        assert_eq!(bytes_of(json!([80, 75, 3, 255])), b"PK\x03\xff");
        assert_eq!(bytes_of(json!({"content_base64": "UEsD"})), b"PK\x03");
        // A file is checked while planning (it must exist), not read.
        let file = tempfile::NamedTempFile::new().unwrap();
        let path = file.path().to_str().unwrap();
        let f = body_ref("Op", &json!(format!("@{path}"))).unwrap();
        assert_eq!(f.source, FileSource::Path(path.into()));
        let f = body_ref(
            "Op",
            &json!({"path": path, "content_type": "application/x-7z-compressed"}),
        )
        .unwrap();
        assert_eq!(
            f.content_type.as_deref(),
            Some("application/x-7z-compressed")
        );
        for bad in [
            json!([256]),
            json!([-1]),
            json!(5),
            json!({"a": 1}),
            json!(true),
        ] {
            let e = body_ref("Op", &bad).unwrap_err().to_string();
            assert!(
                e.starts_with("Op: argument \"body\": expected"),
                "{bad}: {e}"
            );
        }
    }
}
