//! Compaction of JSON text: the whitespace between tokens dropped,
//! control characters in strings escaped, everything else copied as it
//! is, in whole spans.
//!
//! The scan looks at eight bytes at a time ([`crate::swar`]). Outside
//! strings it stops only at whitespace, a backslash or a byte that may
//! start a control character (`0x7f` and up), and counts the quotes it
//! passes to know whether it stopped inside a string: a compact ASCII
//! text without spaces goes by without a stop. Inside a string that
//! needs a look, it stops at a quote, a backslash or `0x7f` and up.
//! Bytes are copied to the output only when something is dropped or
//! replaced, so a compact ASCII body is one copy.

use super::is_control;
use crate::swar;

/// Appends `json` (well-formed JSON text) to `out` without the whitespace
/// between its tokens: one line, whatever the layout of the text. Inside
/// strings, the control characters serde_json would leave raw (DEL, C1
/// controls, the marks that reorder or end lines: see [`is_control`])
/// become `\uXXXX` escapes; everything else, escapes and numbers
/// included, is kept as written, so the text is the same JSON value.
///
/// A text that is not well-formed JSON is compacted all the same (the
/// result is then not JSON either); this never panics.
///
/// ```
/// let mut out = Vec::new();
/// let text = "{\n  \"a\": [1, 2.50],\n  \"m\": \"x\u{202e}y \\u00e9\"\n}\n";
/// falcon_harness::escape::compact_json(text.as_bytes(), &mut out);
/// assert_eq!(out, br#"{"a":[1,2.50],"m":"x\u202ey \u00e9"}"#);
/// ```
pub fn compact_json(json: &[u8], out: &mut Vec<u8>) {
    out.reserve(json.len());
    let mut span = Span { start: 0, out };
    let mut i = 0;
    let mut in_string = false;
    loop {
        if in_string {
            i = string(json, i, &mut span);
        }
        (i, in_string) = words(json, i);
        if in_string {
            continue;
        }
        let Some(&b) = json.get(i) else { break };
        match b {
            b'"' => {
                in_string = true;
                i += 1;
            }
            b' ' | b'\t' | b'\n' | b'\r' => {
                let blank = i;
                i = blanks_end(json, i);
                span.drop(json, blank, i);
            }
            _ => i += 1,
        }
    }
    span.out
        .extend_from_slice(json.get(span.start..).unwrap_or_default());
}

/// From `i`, outside strings: passes over whole words that have no byte
/// that needs a look (whitespace, a backslash, `0x7f` and up), counting
/// only their quotes, which open and close strings. The index of the
/// first byte that needs a look (or where fewer than eight bytes remain),
/// and whether it is inside a string (an odd count of quotes before it).
#[inline]
fn words(json: &[u8], mut i: usize) -> (usize, bool) {
    // The quote flags of the bytes passed, xor-ed: the parity of their
    // count is the parity of the count of all.
    let mut quotes = 0;
    while let Some(w) = json.get(i..i + 8) {
        let x = swar::word(w);
        let look = swar::below(x, b'!') | swar::at_least(x, 0x7f) | swar::equal(x, b'\\');
        let q = swar::equal_exact(x, b'"');
        if look != 0 {
            let k = look.trailing_zeros() / 8;
            quotes ^= q & ((1 << (8 * k)) - 1);
            return (i + k as usize, swar::odd(quotes));
        }
        quotes ^= q;
        i += 8;
    }
    (i, swar::odd(quotes))
}

/// The end of the whitespace at `i`.
fn blanks_end(json: &[u8], mut i: usize) -> usize {
    // Indentation is mostly spaces: eight at a time.
    while json.get(i..i + 8) == Some(b"        ") {
        i += 8;
    }
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = json.get(i) {
        i += 1;
    }
    i
}

/// The part of the input not yet copied starts at `start`.
struct Span<'a> {
    start: usize,
    out: &'a mut Vec<u8>,
}

impl Span<'_> {
    /// Copies the input up to `from` and leaves out `from..to`.
    fn drop(&mut self, json: &[u8], from: usize, to: usize) {
        self.out
            .extend_from_slice(json.get(self.start..from).unwrap_or_default());
        self.start = to;
    }
}

/// The rest of a string from `i`, anywhere inside it (after its opening
/// quote); the index after its closing quote (or the end of the text).
fn string(json: &[u8], mut i: usize, span: &mut Span) -> usize {
    loop {
        i = swar::skip(json, i, |x| {
            swar::equal(x, b'"') | swar::equal(x, b'\\') | swar::at_least(x, 0x7f)
        });
        let Some(&b) = json.get(i) else { return i };
        match b {
            b'"' => return i + 1,
            // An escape: the next byte is part of it.
            b'\\' => i = (i + 2).min(json.len()),
            0..=0x7e => i += 1,
            lead => {
                // A whole character: the text is UTF-8.
                let end = (i + utf8_len(lead)).min(json.len());
                let c = std::str::from_utf8(&json[i..end])
                    .ok()
                    .and_then(|s| s.chars().next());
                if let Some(c) = c.filter(|&c| is_control(c)) {
                    span.drop(json, i, end);
                    // Every control character is in the basic plane.
                    let _ =
                        std::io::Write::write_fmt(span.out, format_args!("\\u{:04x}", c as u32));
                }
                i = end;
            }
        }
    }
}

/// The length of the UTF-8 sequence that starts with byte `b` (1 for a
/// byte that starts none).
fn utf8_len(b: u8) -> usize {
    match b {
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => 1,
    }
}

#[cfg(test)]
mod tests;
