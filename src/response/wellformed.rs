//! A fast check that a UTF-8 text is one well-formed JSON text, for the
//! check every JSON reply gets on arrival.
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
//! recursion, no allocation), and skips the inside of a string eight bytes
//! at a time.

use crate::swar;

/// What the scanner found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// One well-formed JSON text, blanks around it allowed.
    WellFormed,
    /// Not shown well-formed here: ask the reference.
    Unsure,
}

/// How deep the scanner follows nesting (a bit per level).
const MAX_DEPTH: usize = 256;

/// Open brackets, innermost last: a set bit is an object.
struct Stack {
    bits: [u64; MAX_DEPTH / 64],
    depth: usize,
}

impl Stack {
    fn push(&mut self, object: bool) -> bool {
        if self.depth == MAX_DEPTH {
            return false;
        }
        let (word, bit) = (self.depth / 64, self.depth % 64);
        if object {
            self.bits[word] |= 1 << bit;
        } else {
            self.bits[word] &= !(1 << bit);
        }
        self.depth += 1;
        true
    }

    /// The innermost open bracket: `Some(true)` for an object.
    fn top(&self) -> Option<bool> {
        let d = self.depth.checked_sub(1)?;
        Some(self.bits[d / 64] >> (d % 64) & 1 == 1)
    }
}

/// Checks `text` (valid UTF-8: the caller checked it as a whole).
pub(super) fn check(text: &[u8]) -> Verdict {
    match scan(text) {
        Some(()) => Verdict::WellFormed,
        None => Verdict::Unsure,
    }
}

fn scan(b: &[u8]) -> Option<()> {
    let mut stack = Stack {
        bits: [0; MAX_DEPTH / 64],
        depth: 0,
    };
    let mut i = 0;
    'value: loop {
        // A value starts here (after blanks).
        i = skip_blanks(b, i);
        match *b.get(i)? {
            open @ (b'{' | b'[') => {
                let object = open == b'{';
                i = skip_blanks(b, i + 1);
                if *b.get(i)? == if object { b'}' } else { b']' } {
                    i += 1;
                } else {
                    if !stack.push(object) {
                        return None;
                    }
                    if object {
                        i = key(b, i)?;
                    }
                    continue 'value;
                }
            }
            b'"' => i = string(b, i + 1)?,
            b't' => i = literal(b, i, b"true")?,
            b'f' => i = literal(b, i, b"false")?,
            b'n' => i = literal(b, i, b"null")?,
            b'-' | b'0'..=b'9' => i = number(b, i)?,
            _ => return None,
        }
        // After a value: close brackets until a comma asks for the next.
        loop {
            i = skip_blanks(b, i);
            let Some(object) = stack.top() else {
                return (i == b.len()).then_some(());
            };
            match (*b.get(i)?, object) {
                (b',', true) => {
                    i = key(b, skip_blanks(b, i + 1))?;
                    continue 'value;
                }
                (b',', false) => {
                    i += 1;
                    continue 'value;
                }
                (b'}', true) | (b']', false) => {
                    stack.depth -= 1;
                    i += 1;
                }
                _ => return None,
            }
        }
    }
}

fn skip_blanks(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

/// An object key at `i` and the colon after it; the index after the colon.
fn key(b: &[u8], i: usize) -> Option<usize> {
    if *b.get(i)? != b'"' {
        return None;
    }
    let i = skip_blanks(b, string(b, i + 1)?);
    (*b.get(i)? == b':').then_some(i + 1)
}

fn literal(b: &[u8], i: usize, word: &[u8]) -> Option<usize> {
    let end = i + word.len();
    (b.get(i..end)? == word).then_some(end)
}

/// The inside of a string from `i` (after its opening quote); the index
/// after its closing quote.
fn string(b: &[u8], mut i: usize) -> Option<usize> {
    loop {
        // Eight bytes at a time while none is a quote, a backslash or a
        // control character.
        i = swar::skip(b, i, |x| {
            swar::below(x, 0x20) | swar::equal(x, b'"') | swar::equal(x, b'\\')
        });
        match *b.get(i)? {
            b'"' => return Some(i + 1),
            b'\\' => {
                i = match *b.get(i + 1)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => i + 2,
                    b'u' => {
                        let hex = b.get(i + 2..i + 6)?;
                        if !hex.iter().all(u8::is_ascii_hexdigit) {
                            return None;
                        }
                        i + 6
                    }
                    _ => return None,
                }
            }
            c if c < 0x20 => return None,
            _ => i += 1,
        }
    }
}

/// A number at `i`; the index after it.
fn number(b: &[u8], mut i: usize) -> Option<usize> {
    let digits = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    if b[i] == b'-' {
        i += 1;
    }
    match *b.get(i)? {
        b'0' => i += 1,
        b'1'..=b'9' => i = digits(i + 1),
        _ => return None,
    }
    if b.get(i) == Some(&b'.') {
        let end = digits(i + 1);
        if end == i + 1 {
            return None;
        }
        i = end;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = b.get(i) {
            i += 1;
        }
        let end = digits(i);
        if end == i {
            return None;
        }
        i = end;
    }
    // A leading zero is not followed by digits ("01" is refused).
    if b.get(i).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Some(i)
}

#[cfg(test)]
mod tests;
