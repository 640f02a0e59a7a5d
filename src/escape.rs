//! Making untrusted text (a server's error messages, bodies, names read
//! from input) safe to show on a terminal or in a log line: control
//! characters are written as escapes, so they cannot move the cursor,
//! rewrite a line, change colours or fake a new log line.
//!
//! ```
//! use falcon_harness::escape::controls;
//! assert_eq!(controls("ok\x1b[2Kfake\r\nline"), r"ok\u{1b}[2Kfake\r\nline");
//! assert_eq!(controls("plain text, é 🦅"), "plain text, é 🦅");
//! ```

use std::borrow::Cow;
use std::fmt::Write;

mod compact;
pub use compact::compact_json;

/// Whether `c` is written as an escape: C0 controls (line breaks and tabs
/// included), DEL, C1 controls, and the Unicode marks that reorder or end
/// lines (bidirectional overrides and isolates, line and paragraph
/// separators).
pub fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// `s` with every control character (see the module docs) written as an
/// escape: `\n`, `\r`, `\t`, the others as `\u{..}`. Text without
/// control characters is returned as it is, without a copy.
pub fn controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_control(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Writes `value` as JSON (pretty or compact) with every control
/// character inside strings as a `\uXXXX` escape: serde_json escapes
/// only C0 controls, so DEL, C1 controls and bidirectional marks from a
/// server would otherwise reach the terminal raw. The output is the same
/// JSON value.
///
/// ```
/// let v = serde_json::json!({"m": "a\u{9b}2Jb"});
/// let mut out = Vec::new();
/// falcon_harness::escape::write_json(&mut out, &v, false).unwrap();
/// assert_eq!(out, br#"{"m":"a\u009b2Jb"}"#);
/// ```
pub fn write_json<W: std::io::Write>(
    w: W,
    value: &serde_json::Value,
    pretty: bool,
) -> serde_json::Result<()> {
    write(w, value, pretty)
}

/// [`write_json`] for any serializable value (a view that builds no JSON
/// tree, a string ...).
///
/// ```
/// let mut out = Vec::new();
/// falcon_harness::escape::write(&mut out, "a\u{202e}b", false).unwrap();
/// assert_eq!(out, br#""a\u202eb""#);
/// ```
pub fn write<W, T>(w: W, value: &T, pretty: bool) -> serde_json::Result<()>
where
    W: std::io::Write,
    T: serde::Serialize + ?Sized,
{
    if pretty {
        let mut ser = serde_json::Serializer::with_formatter(
            w,
            Safe(serde_json::ser::PrettyFormatter::new()),
        );
        value.serialize(&mut ser)
    } else {
        let mut ser =
            serde_json::Serializer::with_formatter(w, Safe(serde_json::ser::CompactFormatter));
        value.serialize(&mut ser)
    }
}

/// Appends `s` as a compact JSON string: the text of
/// [`write`](fn@write)`(out, s, false)`. A string of printable ASCII without `"` or
/// `\` (most keys and header values) is copied between quotes, without
/// the serializer.
///
/// ```
/// let mut out = Vec::new();
/// falcon_harness::escape::write_str(&mut out, "plain");
/// falcon_harness::escape::write_str(&mut out, "a\"\u{85}");
/// assert_eq!(out, br#""plain""a\"\u0085""#);
/// ```
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    if crate::swar::plain_json_text(s.as_bytes()) {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        // Writing a string to a vector cannot fail.
        let _ = write(&mut *out, s, false);
    }
}

/// Appends what [`write_str`] writes between the quotes for `text` read
/// as UTF-8, lossily (a sequence that is not UTF-8 becomes U+FFFD, as in
/// [`String::from_utf8_lossy`]).
pub(crate) fn write_lossy_content(out: &mut Vec<u8>, text: &[u8]) {
    if crate::swar::plain_json_text(text) {
        out.extend_from_slice(text);
        return;
    }
    let mut quoted = Vec::with_capacity(text.len() + 8);
    write_str(&mut quoted, &String::from_utf8_lossy(text));
    let inside = quoted.get(1..quoted.len().saturating_sub(1));
    out.extend_from_slice(inside.unwrap_or_default());
}

/// A JSON formatter that escapes the control characters serde_json
/// leaves raw, delegating layout to the inner formatter.
struct Safe<F>(F);

macro_rules! delegate {
    ($($name:ident $(($arg:ident: $ty:ty))?),* $(,)?) => {$(
        fn $name<W: ?Sized + std::io::Write>(&mut self, w: &mut W $(, $arg: $ty)?) -> std::io::Result<()> {
            self.0.$name(w $(, $arg)?)
        }
    )*};
}

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for Safe<F> {
    delegate!(
        begin_array,
        end_array,
        begin_array_value(first: bool),
        end_array_value,
        begin_object,
        end_object,
        begin_object_key(first: bool),
        end_object_key,
        begin_object_value,
        end_object_value,
    );

    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        // serde_json escapes C0 itself: the rest are DEL and beyond,
        // looked for eight bytes at a time.
        let bytes = fragment.as_bytes();
        let from = crate::swar::skip(bytes, 0, |x| crate::swar::at_least(x, 0x7f));
        let Some(first) = bytes[from..].iter().position(|&b| b >= 0x7f) else {
            return w.write_all(bytes);
        };
        let first = from + first;
        let mut start = 0;
        for (i, c) in fragment[first..].char_indices() {
            let i = first + i;
            if is_control(c) {
                w.write_all(&fragment.as_bytes()[start..i])?;
                // Every control character is in the basic plane.
                write!(w, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_kind_of_control() {
        assert_eq!(controls("a\0b\x07c\x7fd"), r"a\u{0}b\u{7}c\u{7f}d");
        assert_eq!(controls("\u{9b}31m"), r"\u{9b}31m");
        assert_eq!(controls("x\u{202e}yz"), r"x\u{202e}yz");
        assert_eq!(controls("tab\there"), r"tab\there");
        assert!(matches!(controls("nothing to do"), Cow::Borrowed(_)));
    }

    #[test]
    fn strings_are_written_as_the_serializer_writes_them() {
        for s in [
            "",
            "plain text: 1/2 (a|b) ~",
            "q\"b\\",
            "t\tn\n",
            "\u{7f}",
            "é",
            "x\u{2066}",
        ] {
            let mut fast = b"x".to_vec();
            write_str(&mut fast, s);
            let mut slow = b"x".to_vec();
            write(&mut slow, s, false).unwrap();
            assert_eq!(fast, slow, "{s:?}");
        }
    }

    #[test]
    fn json_keeps_the_value_and_the_layout() {
        let v =
            serde_json::json!({"a": ["x\u{7f}\u{202e}y", 1, {"b\u{85}": null}], "c": "\u{1b}[1m"});
        for pretty in [false, true] {
            let mut out = Vec::new();
            write_json(&mut out, &v, pretty).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(
                !text.chars().any(|c| is_control(c) && c != '\n' && c != ' '),
                "{text}"
            );
            assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), v);
            let plain = if pretty {
                serde_json::to_string_pretty(&v)
            } else {
                serde_json::to_string(&v)
            }
            .unwrap();
            assert_eq!(text.lines().count(), plain.lines().count());
        }
    }
}
