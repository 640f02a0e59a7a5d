//! What a reply body is, by its content type: JSON (checked for
//! well-formedness on arrival, decoded on first use), text or bytes.

use super::tree;
use super::wellformed::{self, Verdict};
use super::ResponseBody;
use crate::error::{Error, Result};
use crate::media;
use bytes::Bytes;
use reqwest::header::{HeaderMap, CONTENT_TYPE};
use serde_json::Value;
use std::borrow::Cow;

/// What [`classify`] found a body to be.
pub(super) enum Classified {
    /// Well-formed JSON, decoded later by [`decode_checked_json`]; where
    /// its top-level `resources` value starts, when the scan noted it
    /// (see [`wellformed`] for when it may be read alone).
    Json { resources: Option<usize> },
    /// Any other body, as it is.
    Other(ResponseBody),
}

/// Classifies a body by its content type.
pub(super) fn classify(operation: &str, headers: &HeaderMap, raw: &Bytes) -> Result<Classified> {
    if raw.is_empty() {
        return Ok(Classified::Other(ResponseBody::Empty));
    }
    let ct = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if media::is_json(ct) {
        // Well-formedness only: skipping values builds nothing. The fast
        // scanner settles well-formed texts, UTF-8 included; anything
        // else goes to `serde_json`, which decides and words the error (a
        // body that is not UTF-8 as a whole gets the message `from_slice`
        // gives).
        let checked = match wellformed::check(raw) {
            Verdict::WellFormed { resources } => Ok(resources),
            Verdict::Unsure => match std::str::from_utf8(raw) {
                Ok(text) => serde_json::from_str::<serde::de::IgnoredAny>(text).map(|_| None),
                Err(_) => serde_json::from_slice::<Value>(raw).map(|_| None),
            },
        };
        return checked
            .map(|resources| Classified::Json { resources })
            .map_err(|e| Error::Decode {
                operation: operation.to_string(),
                message: format!(
                    "malformed JSON ({e}) in a {}-byte body starting {:?}",
                    raw.len(),
                    preview(raw, 80)
                ),
            });
    }
    if media::is_text(ct) {
        return Ok(Classified::Other(ResponseBody::Text(
            text_of(raw).into_owned(),
        )));
    }
    Ok(Classified::Other(ResponseBody::Bytes(raw.clone())))
}

/// Decodes a JSON body that [`classify`] found well-formed (so UTF-8).
/// The few well-formed texts a `Value` cannot hold (see the module docs)
/// stay text.
pub(super) fn decode_checked_json(operation: &str, raw: &Bytes) -> ResponseBody {
    let text = text_of(raw);
    if let Some(value) = tree::whole(&text) {
        return ResponseBody::Json(value);
    }
    match serde_json::from_str(&text) {
        Ok(value) => ResponseBody::Json(value),
        Err(e) => {
            tracing::warn!(
                operation,
                error = %e,
                "well-formed JSON reply that a JSON value cannot hold; kept as text"
            );
            ResponseBody::Text(text.into_owned())
        }
    }
}

/// The text of `raw`, invalid UTF-8 replaced by U+FFFD. Valid UTF-8 (a
/// checked JSON body, most text) is seen by `from_utf8` at word speed;
/// the lossy reader, which goes character by character (7 instructions
/// a byte against under 1 for ASCII text), reads only what is not.
fn text_of(raw: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(raw) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(raw),
    }
}

pub(super) fn preview(raw: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(&raw[..raw.len().min(max * 4)]);
    let mut out: String = text.chars().take(max).collect();
    if out.len() < text.len() || raw.len() > max * 4 {
        out.push('…');
    }
    out
}
