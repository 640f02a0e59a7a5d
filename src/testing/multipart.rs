//! A small `multipart/form-data` reader (and the writer the pure
//! decoding of a plan uses), enough for the forms the harness sends.

use super::decode::DecodeError;
use crate::plan::{FileSource, FormPart, PartValue};

/// One part of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    pub name: String,
    pub filename: Option<String>,
    pub content_type: Option<String>,
    pub data: Vec<u8>,
}

const BOUNDARY: &str = "falcon-harness-fake-boundary-7c0e";

/// Writes parts as a form: the `Content-Type` (with its boundary) and the
/// bytes. Files on disk are written empty (nothing is read).
pub(crate) fn encode(parts: &[FormPart]) -> (String, Vec<u8>) {
    let mut out = Vec::new();
    for part in parts {
        out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let name = quote(&part.name);
        match &part.value {
            PartValue::Text(t) => {
                out.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                );
                out.extend_from_slice(t.as_bytes());
            }
            PartValue::File(f) => {
                let filename = f.filename.as_deref().unwrap_or("file");
                let ct = f
                    .content_type
                    .as_deref()
                    .unwrap_or("application/octet-stream");
                out.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{}\"\r\n\
                         Content-Type: {ct}\r\n\r\n",
                        quote(filename)
                    )
                    .as_bytes(),
                );
                if let FileSource::Bytes(b) = &f.source {
                    out.extend_from_slice(b);
                }
            }
        }
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), out)
}

/// `"` and line breaks percent-encoded, as browsers (and reqwest) write
/// them in a `Content-Disposition`.
fn quote(s: &str) -> String {
    s.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn unquote(s: &str) -> String {
    s.replace("%22", "\"")
        .replace("%0D", "\r")
        .replace("%0A", "\n")
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// A parameter of a header value: `name="value"` or `name=value`.
fn header_param(value: &str, key: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim().eq_ignore_ascii_case(key).then(|| {
            let v = v.trim();
            unquote(
                v.strip_prefix('"')
                    .and_then(|v| v.strip_suffix('"'))
                    .unwrap_or(v),
            )
        })
    })
}

/// Reads the parts of a form whose `Content-Type` is `content_type`.
pub(crate) fn parse(content_type: &str, body: &[u8]) -> Result<Vec<Part>, DecodeError> {
    let bad = |what: &str| DecodeError(format!("multipart body: {what}"));
    let boundary = header_param(content_type, "boundary").ok_or_else(|| bad("no boundary"))?;
    let delim = format!("--{boundary}");
    let delim = delim.as_bytes();
    let mut at = find(body, delim, 0).ok_or_else(|| bad("no opening boundary"))? + delim.len();
    let mut parts = Vec::new();
    loop {
        if body[at..].starts_with(b"--") {
            return Ok(parts);
        }
        let start = find(body, b"\r\n", at).ok_or_else(|| bad("truncated"))? + 2;
        let head_end = find(body, b"\r\n\r\n", start).ok_or_else(|| bad("part without headers"))?;
        let head =
            std::str::from_utf8(&body[start..head_end]).map_err(|_| bad("headers not UTF-8"))?;
        let data_start = head_end + 4;
        let mut end_pat = b"\r\n".to_vec();
        end_pat.extend_from_slice(delim);
        let data_end =
            find(body, &end_pat, data_start).ok_or_else(|| bad("no closing boundary"))?;
        let mut name = None;
        let mut filename = None;
        let mut part_type = None;
        for line in head.split("\r\n") {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                name = header_param(v, "name");
                filename = header_param(v, "filename");
            } else if k.trim().eq_ignore_ascii_case("content-type") {
                part_type = Some(v.trim().to_string());
            }
        }
        parts.push(Part {
            name: name.ok_or_else(|| bad("part without a name"))?,
            filename,
            content_type: part_type,
            data: body[data_start..data_end].to_vec(),
        });
        at = data_end + end_pat.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::FileRef;

    #[test]
    fn written_forms_read_back() {
        let parts = vec![
            FormPart {
                name: "a\"b".into(),
                value: PartValue::Text("x\r\ny".into()),
            },
            FormPart {
                name: "file".into(),
                value: PartValue::File(FileRef {
                    source: FileSource::Bytes(bytes::Bytes::from_static(b"\0\xff--")),
                    filename: Some("f.bin".into()),
                    content_type: None,
                }),
            },
        ];
        let (ct, body) = encode(&parts);
        let got = parse(&ct, &body).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].name, "a\"b");
        assert_eq!(got[0].data, b"x\r\ny");
        assert_eq!(got[1].filename.as_deref(), Some("f.bin"));
        assert_eq!(got[1].data, b"\0\xff--");
        assert!(parse("multipart/form-data", &body).is_err());
        assert!(parse(&ct, b"garbage").is_err());
    }
}
