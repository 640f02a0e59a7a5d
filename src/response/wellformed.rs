//! A fast check that a reply body is one well-formed JSON text, valid
//! UTF-8, for the check every JSON reply gets on arrival.
//!
//! `serde_json` is the reference: this scanner only answers "well-formed"
//! for texts `serde_json` accepts (the grammar of RFC 8259 as `serde_json`
//! reads it when it skips a value: any `\u` escape of four hex digits,
//! numbers of any size, any depth). On anything else, including nesting
//! deeper than it tracks, it answers "not sure" and the caller asks
//! `serde_json`, which then gives the error message. So a bug here can
//! only cost time, never accept what the reference refuses, and the
//! tests compare the two on generated and mutated texts.
//!
//! It is a loop over bytes with an explicit stack of open brackets (no
//! recursion, no allocation) that takes the common cases first: no
//! blanks, a key right after `{` or `,`, its colon right after it. The
//! inside of a string is skipped eight bytes at a time
//! ([`swar::string_stops`]) up to a byte that needs a look.
//!
//! It also settles UTF-8, so the caller needs no check of its own: outside
//! strings it moves only over ASCII bytes, and inside one each run of
//! bytes past ASCII must be valid UTF-8 on its own. An ASCII byte is never
//! part of a longer UTF-8 sequence, so a text found well-formed is valid
//! UTF-8 as a whole; a text of ASCII strings needs no UTF-8 work at all.
//!
//! On its way it notes where the value of the top-level `resources` member
//! starts, so reading `resources` decodes that value alone instead of the
//! whole body (`meta`, `errors` and every other member). It says so only
//! where that gives exactly what decoding the whole body and taking the
//! member gives:
//! - the top level is an object, and `resources` is in it exactly once
//!   (a repeated key is read one way by a map and refused by a struct);
//! - nothing nests deeper than [`MEMBER_DEPTH`] below the top-level
//!   object (an empty `[]` or `{}` does not count), far inside the JSON
//!   parser's own limit (deeper text is kept as text when decoded whole);
//! - no string in the text has an escape (the scan meets every one on
//!   its slow path, so noting it costs a text without escapes nothing):
//!   no key is written with escapes (a key is what it looks like) and no
//!   `\u` escape makes a string a JSON value cannot hold (a lone
//!   surrogate), wherever it is.

use crate::swar;

/// What the scanner found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// One well-formed JSON text, valid UTF-8, blanks around it allowed,
    /// and where the value of its top-level `resources` member starts
    /// when that value may be read alone (see the module docs).
    WellFormed { resources: Option<usize> },
    /// Not shown well-formed here: ask the reference.
    Unsure,
}

#[cfg(test)]
impl Verdict {
    /// Whether the text was found well-formed.
    pub(super) fn is_well_formed(self) -> bool {
        matches!(self, Verdict::WellFormed { .. })
    }
}

/// How deep below the top-level object a text may nest for its
/// `resources` value to be decoded alone.
const MEMBER_DEPTH: usize = 100;

/// How deep the scanner follows nesting.
const MAX_DEPTH: usize = 256;

/// The closing bytes of the open brackets, innermost last:
/// `closes[..depth]`.
struct Stack<'a> {
    closes: &'a mut [u8; MAX_DEPTH],
    depth: usize,
    /// The deepest `depth` reached.
    deepest: usize,
}

impl Stack<'_> {
    /// Opens a bracket that `close` closes; `None` past [`MAX_DEPTH`].
    #[inline(always)]
    fn push(&mut self, close: u8) -> Option<()> {
        *self.closes.get_mut(self.depth)? = close;
        self.depth += 1;
        self.deepest = self.deepest.max(self.depth);
        Some(())
    }

    /// Closes the innermost open bracket; `None` when none is open.
    #[inline(always)]
    fn pop(&mut self) -> Option<()> {
        self.depth = self.depth.checked_sub(1)?;
        Some(())
    }

    /// The byte that closes the innermost open bracket, [`TOP`] when none
    /// is open.
    #[inline(always)]
    fn close(&self) -> u8 {
        match self.depth.checked_sub(1) {
            Some(d) => self.closes[d % MAX_DEPTH],
            None => TOP,
        }
    }
}

/// What [`Stack::close`] gives at the top level, where no bracket is
/// open. Only a NUL byte matches it, and [`Stack::pop`] then refuses it.
const TOP: u8 = 0;

/// Checks `text`, any bytes: one found well-formed is valid UTF-8 too.
pub(super) fn check(text: &[u8]) -> Verdict {
    match scan(text) {
        Some(resources) => Verdict::WellFormed { resources },
        None => Verdict::Unsure,
    }
}

/// Where the top-level `resources` value starts, as the scan meets the
/// top-level keys.
#[derive(Default)]
struct Resources {
    at: Option<usize>,
    repeated: bool,
    /// Whether a string of the text (anywhere) has an escape.
    escaped: bool,
}

impl Resources {
    /// Notes a top-level key whose inside starts `key` (after its opening
    /// quote), its value starting after the blanks at the start of
    /// `value`; `text_len` is the whole text's length. A key that starts
    /// `resources"` is exactly `resources`: that quote, after letters,
    /// is the key's closing one.
    #[inline(always)]
    fn key(&mut self, text_len: usize, key: &[u8], value: &[u8]) {
        if key.starts_with(b"resources\"") {
            self.repeated |= self.at.is_some();
            self.at = Some(text_len - skip_blanks(value).len());
        }
    }
}

/// The scan: `Some` for a well-formed text, with where its `resources`
/// value starts when it may be read alone (as far as the scan tells).
fn scan(text: &[u8]) -> Option<Option<usize>> {
    let mut s = skip_blanks(text);
    let mut closes = [0; MAX_DEPTH];
    let mut stack = Stack {
        closes: &mut closes,
        depth: 0,
        deepest: 0,
    };
    let mut resources = Resources::default();
    loop {
        // A value starts here. Blanks are an arm of their own: with none,
        // as in most replies, they cost no test.
        match *s {
            [b'"', ref rest @ ..] => s = string(rest, &mut resources.escaped)?,
            [open @ (b'{' | b'['), ref rest @ ..] => {
                s = skip_blanks(rest);
                // `}` and `]` are two past their openers.
                match *s {
                    [c, ref rest @ ..] if c == open + 2 => s = rest,
                    _ => {
                        stack.push(open + 2)?;
                        if open == b'{' {
                            let inside = s.strip_prefix(b"\"")?;
                            s = key_rest(inside, &mut resources.escaped)?;
                            if stack.depth == 1 {
                                resources.key(text.len(), inside, s);
                            }
                        }
                        continue;
                    }
                }
            }
            [b'-' | b'0'..=b'9', ..] => s = number(s)?,
            [b't', b'r', b'u', b'e', ref rest @ ..]
            | [b'f', b'a', b'l', b's', b'e', ref rest @ ..]
            | [b'n', b'u', b'l', b'l', ref rest @ ..] => s = rest,
            [b' ' | b'\t' | b'\n' | b'\r', ref rest @ ..] => {
                s = skip_blanks(rest);
                continue;
            }
            _ => return None,
        }
        // After a value: close brackets until a comma asks for the next.
        loop {
            let close = stack.close();
            match *s {
                // In an object, most often a key right after the comma.
                [b',', b'"', ref rest @ ..] if close == b'}' => {
                    s = key_rest(rest, &mut resources.escaped)?;
                    if stack.depth == 1 {
                        resources.key(text.len(), rest, s);
                    }
                    break;
                }
                [b',', ref rest @ ..] if close == b']' => {
                    s = rest;
                    break;
                }
                [c, ref rest @ ..] if c == close => {
                    s = rest;
                    stack.pop()?;
                }
                [b' ' | b'\t' | b'\n' | b'\r', ref rest @ ..] => s = skip_blanks(rest),
                [b',', ref rest @ ..] if close == b'}' => {
                    let inside = skip_blanks(rest).strip_prefix(b"\"")?;
                    s = key_rest(inside, &mut resources.escaped)?;
                    if stack.depth == 1 {
                        resources.key(text.len(), inside, s);
                    }
                    break;
                }
                [] if close == TOP => {
                    let alone = !resources.repeated
                        && !resources.escaped
                        && stack.deepest <= MEMBER_DEPTH + 1;
                    return Some(resources.at.filter(|_| alone));
                }
                [] => return None,
                _ => return None,
            }
        }
    }
}

/// The rest of a key after its opening quote, and the colon after it;
/// what follows. `escaped` is set when the key has an escape.
#[inline(always)]
fn key_rest<'s>(s: &'s [u8], escaped: &mut bool) -> Option<&'s [u8]> {
    match *closing_quote(s, escaped)? {
        // The common case first: no blank before the colon.
        [_, b':', ref rest @ ..] => Some(rest),
        [_, ref rest @ ..] => colon(rest),
        [] => None,
    }
}

/// The colon after a key, blanks before it; what follows.
#[inline(always)]
fn colon(s: &[u8]) -> Option<&[u8]> {
    match *s {
        [b':', ref rest @ ..] => Some(rest),
        _ => skip_blanks(s).strip_prefix(b":"),
    }
}

/// What follows the blanks at the start of `s`.
#[inline(always)]
pub(super) fn skip_blanks(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t' | b'\n' | b'\r', rest @ ..] = s {
        s = rest;
    }
    s
}

/// The inside of a string (after its opening quote); what follows its
/// closing quote. `escaped` is set when the string has an escape.
#[inline(always)]
fn string<'s>(s: &'s [u8], escaped: &mut bool) -> Option<&'s [u8]> {
    closing_quote(s, escaped)?.get(1..)
}

/// The inside of a string (after its opening quote); the text from its
/// closing quote on. `escaped` is set when the string has an escape.
#[inline(always)]
fn closing_quote<'s>(mut s: &'s [u8], escaped: &mut bool) -> Option<&'s [u8]> {
    loop {
        s = plain(s);
        match s {
            [b'"', ..] => return Some(s),
            [b'\\', ..] => *escaped = true,
            _ => {}
        }
        s = past_stop(s)?;
    }
}

/// What follows the bytes at the start of `s` that stopped a plain run
/// inside a string and are not its closing quote: an escape, a run past
/// ASCII or, where fewer than eight bytes remain, a plain byte. `None`
/// for a control character, a bad escape or the end of the text.
#[inline(never)]
fn past_stop(s: &[u8]) -> Option<&[u8]> {
    match *s {
        [b'\\', b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't', ref rest @ ..] => {
            Some(rest)
        }
        [b'\\', b'u', a, b, c, d, ref rest @ ..] => [a, b, c, d]
            .iter()
            .all(u8::is_ascii_hexdigit)
            .then_some(rest),
        [0x80..=0xff, ..] => non_ascii(s),
        [0x20..=0x21 | 0x23..=0x5b | 0x5d..=0x7f, ref rest @ ..] => Some(rest),
        _ => None,
    }
}

/// What follows the plain run at the start of `s` (no quote, backslash,
/// control character or byte past ASCII), found in whole words: when
/// fewer than eight bytes remain, they are left to the caller.
#[inline(always)]
pub(super) fn plain(mut s: &[u8]) -> &[u8] {
    while let Some((w, rest)) = s.split_first_chunk::<8>() {
        let found = swar::string_stops(u64::from_le_bytes(*w));
        if found != 0 {
            return &s[(found.trailing_zeros() / 8) as usize..];
        }
        s = rest;
    }
    s
}

/// What follows the run of bytes past ASCII at the start of `s`, if it
/// is valid UTF-8 on its own. An ASCII byte is never part of a longer
/// UTF-8 sequence, so a text whose runs are each valid is valid as a
/// whole.
#[cold]
fn non_ascii(s: &[u8]) -> Option<&[u8]> {
    let (run, rest) = s.split_at(non_ascii_len(s));
    std::str::from_utf8(run).ok()?;
    Some(rest)
}

/// How many bytes past ASCII `s` starts with: whole words at a time,
/// then byte by byte.
pub(super) fn non_ascii_len(s: &[u8]) -> usize {
    let words = swar::skip(s, 0, |x| swar::below(x, 0x80));
    let tail = &s[words..];
    words + tail.iter().position(u8::is_ascii).unwrap_or(tail.len())
}

/// A number at the start of `s`; what follows it.
#[inline(always)]
pub(super) fn number(s: &[u8]) -> Option<&[u8]> {
    let mut s = match *s.strip_prefix(b"-").unwrap_or(s) {
        [b'0', ref rest @ ..] => rest,
        [b'1'..=b'9', ref rest @ ..] => digits(rest),
        _ => return None,
    };
    if let [b'.', ref rest @ ..] = *s {
        s = some_digits(rest)?;
    }
    if let [b'e' | b'E', ref rest @ ..] = *s {
        s = some_digits(
            rest.strip_prefix(b"+")
                .or(rest.strip_prefix(b"-"))
                .unwrap_or(rest),
        )?;
    }
    // A leading zero is not followed by digits ("01" is refused).
    match s {
        [b'0'..=b'9', ..] => None,
        _ => Some(s),
    }
}

/// What follows the digits at the start of `s`.
#[inline]
fn digits(mut s: &[u8]) -> &[u8] {
    while let [b'0'..=b'9', rest @ ..] = s {
        s = rest;
    }
    s
}

/// What follows the digits at the start of `s`, when there is at least one.
#[inline]
fn some_digits(s: &[u8]) -> Option<&[u8]> {
    let rest = digits(s);
    (rest.len() < s.len()).then_some(rest)
}

#[cfg(test)]
mod tests;
