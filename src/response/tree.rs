//! Builds the [`Value`] of a JSON text that the arrival check found
//! well-formed, for [`Response::json`](super::Response::json) and
//! [`Response::resources`](super::Response::resources).
//!
//! `serde_json` is the reference: this builder gives exactly the value
//! `serde_json` decodes (keys in their order, a repeated key's last value
//! at its first place, a number's exact text), or `None` and the caller
//! asks `serde_json`, which then decides and words any error. It is
//! cheaper because it knows more than a general parser: the text is
//! UTF-8 already checked, so a string is read in one pass that looks at
//! eight bytes at a time and copies a string without escapes as it is,
//! and it builds each object at its final size. A generic parser grows
//! an object's map as it goes, moving its entries and rebuilding its
//! index at each step. For the 1 MB reply of
//! `cargo bench --bench response`, checking, decoding and dropping it
//! took 85.4M instructions with `serde_json` decoding, 75.5M with this
//! builder; for 1 MB of strings full of escapes (`\n`, `\"`, `\\`),
//! 100.4M and 91.6M; for 1 MB of Japanese text, 76.0M and 72.2M
//! (callgrind). Copying kept shapes (below) took the first to 71.8M
//! (75.8M just before, measured the same day), and reading the checked
//! text as UTF-8 at word speed instead of with the lossy reader to
//! 64.3M.
//!
//! The keys of the objects being read wait on one stack, their values and
//! the items of the arrays on another; when a bracket closes, its own
//! run is taken off the top into an array or map of exactly that size.
//! An object whose keys are those of one read before, in the same order,
//! copies the map of that shape instead of hashing its keys again
//! ([`shapes`]); a key waits on the stack as where it is in the text,
//! made a `String` only by the map. A thread keeps the
//! stacks (and the buffer for escaped text) from one text to the next,
//! empty and with at most [`KEEP`] bytes of room each, so a reply takes
//! no room of its own to be read: for the GetIncidents reply of
//! `examples/load`, `resources()` then costs 0.6k fewer instructions.
//!
//! It leaves to `serde_json`, giving `None`:
//! - nesting deeper than [`DEPTH`] (`serde_json` refuses 128 levels);
//! - a string with an escape that does not stand for text (a lone UTF-16
//!   surrogate such as `"\ud800"`, which `serde_json` refuses);
//! - a key starting `$serde_json::private::`, which `serde_json` reads as
//!   a marker of its own (an exact number in an object's disguise);
//! - any text not well-formed (never the case for a checked body).
//!
//! A number that is a plain integer below 20 digits is read here;
//! `serde_json` reads any other (a sign, a fraction, an exponent, more
//! digits), one number at a time, for the same value in every feature set.

use super::shapes::{self, Shapes};
use super::wellformed::{non_ascii_len, number, plain, skip_blanks};
use serde_json::{Map, Number, Value};

/// How deep the builder follows nesting.
const DEPTH: usize = 100;

/// The value of `text`, a whole JSON text with blanks around it allowed.
pub(super) fn whole(text: &str) -> Option<Value> {
    let (value, rest) = read(text)?;
    skip_blanks(rest).is_empty().then_some(value)
}

/// The value at the start of `text`; what follows it is not read.
pub(super) fn first(text: &str) -> Option<Value> {
    Some(read(text)?.0)
}

/// The value at the start of `text` (blanks before it allowed), and what
/// follows it.
fn read(text: &str) -> Option<(Value, &[u8])> {
    let mut builder = Builder {
        text,
        stacks: STACKS.take(),
    };
    let read = builder.value(skip_blanks(text.as_bytes()), DEPTH);
    STACKS.set(builder.stacks.emptied());
    read
}

/// The builder's stacks, its buffer for escaped text, and the shapes of
/// the objects read so far.
#[derive(Default)]
struct Stacks {
    /// The keys of the objects being read, innermost last.
    keys: Vec<Key>,
    /// The values of the objects and the items of the arrays being
    /// read, innermost last.
    items: Vec<Value>,
    /// The text of the string being read, when it has escapes (reused
    /// from string to string; each string is copied out at its size).
    unescaped: String,
    shapes: Shapes,
}

/// A key of an object being read: where its text is in the text being
/// read (a key without escapes, made a `String` only when its object
/// does not copy a kept shape's), or its text.
enum Key {
    In(std::ops::Range<usize>),
    Unescaped(String),
}

impl Key {
    /// The bytes of the key's text; `text` is the text it was read from.
    fn bytes<'k>(&'k self, text: &'k str) -> Option<&'k [u8]> {
        match self {
            Key::In(at) => text.as_bytes().get(at.clone()),
            Key::Unescaped(unescaped) => Some(unescaped.as_bytes()),
        }
    }
}

/// A string just read: where it is in the text (no escapes), or in the
/// buffer for escaped text.
enum Read {
    In(std::ops::Range<usize>),
    Unescaped,
}

/// How many bytes of room a thread keeps for the next text, in each of
/// the stacks and the buffer; a text that needed more gives the rest
/// back.
const KEEP: usize = 16 * 1024;

impl Stacks {
    /// What a builder that is done leaves for the next text: the stacks
    /// emptied (a text it gave up on leaves values on them), with no more
    /// room than [`KEEP`].
    fn emptied(mut self) -> Stacks {
        self.keys.clear();
        self.items.clear();
        self.unescaped.clear();
        self.keys.shrink_to(KEEP / std::mem::size_of::<Key>());
        self.items.shrink_to(KEEP / std::mem::size_of::<Value>());
        self.unescaped.shrink_to(KEEP);
        self
    }
}

std::thread_local! {
    /// The stacks of the last text read on this thread: a reply's
    /// objects and arrays then take no room of their own to be read
    /// (room for an object's members is over a kilobyte, which the
    /// allocator serves on its slow path). A text read while another is
    /// (never the case) finds them taken and starts with empty ones.
    static STACKS: std::cell::Cell<Stacks> = std::cell::Cell::new(Stacks::default());
}

/// How many more members the stack makes room for when an object opens.
const ROOM: usize = 16;

/// A key `serde_json` reads as a marker of its own.
const PRIVATE_KEY: &str = "$serde_json::private::";

struct Builder<'t> {
    text: &'t str,
    stacks: Stacks,
}

impl<'t> Builder<'t> {
    /// The text from where `from` starts to where `to` starts, both
    /// suffixes of `text` (as every slice the builder reads is), next to
    /// ASCII bytes (a quote, a bracket, a digit).
    fn between(&self, from: &[u8], to: &[u8]) -> Option<&'t str> {
        let len = self.text.len();
        self.text.get(len - from.len()..len - to.len())
    }

    /// The value at the start of `s` (blanks before it allowed), and what
    /// follows it; `depth` more levels of nesting may open. Blanks are an
    /// arm of their own: with none, as in most replies, they cost no
    /// test.
    fn value(&mut self, s: &'t [u8], depth: usize) -> Option<(Value, &'t [u8])> {
        match *s {
            [b'"', ..] => {
                let (text, rest) = self.string(s)?;
                Some((Value::String(text), rest))
            }
            [b'{', ref rest @ ..] => self.object(rest, depth.checked_sub(1)?),
            [b'[', ref rest @ ..] => self.array(rest, depth.checked_sub(1)?),
            [b't', b'r', b'u', b'e', ref rest @ ..] => Some((Value::Bool(true), rest)),
            [b'f', b'a', b'l', b's', b'e', ref rest @ ..] => Some((Value::Bool(false), rest)),
            [b'n', b'u', b'l', b'l', ref rest @ ..] => Some((Value::Null, rest)),
            // Once: what follows the blanks starts with something else.
            [b' ' | b'\t' | b'\n' | b'\r', ..] => self.value(skip_blanks(s), depth),
            _ => self.number(s),
        }
    }

    /// The string at the start of `quoted` (its opening quote); what
    /// follows its closing quote.
    fn string(&mut self, quoted: &'t [u8]) -> Option<(String, &'t [u8])> {
        let (read, rest) = self.read_string(quoted)?;
        let text = match read {
            Read::In(at) => self.text.get(at)?.to_owned(),
            Read::Unescaped => self.stacks.unescaped.as_str().to_owned(),
        };
        Some((text, rest))
    }

    /// The key at the start of `quoted` (its opening quote); what follows
    /// its closing quote.
    #[inline(always)]
    fn key(&mut self, quoted: &'t [u8]) -> Option<(Key, &'t [u8])> {
        let (read, rest) = self.read_string(quoted)?;
        let key = match read {
            Read::In(at) => Key::In(at),
            Read::Unescaped => Key::Unescaped(self.stacks.unescaped.as_str().to_owned()),
        };
        Some((key, rest))
    }

    /// Reads the string at the start of `quoted` (its opening quote);
    /// what follows its closing quote. One pass: plain runs are found
    /// eight bytes at a time, escapes read as they come; the text is a
    /// `str`, so a byte past ASCII is part of a valid character.
    #[inline(always)]
    fn read_string(&mut self, quoted: &'t [u8]) -> Option<(Read, &'t [u8])> {
        let s = quoted.strip_prefix(b"\"")?;
        // Whether the text up to `from` is in the buffer for escaped
        // text: once the string has an escape.
        let mut escaped = false;
        let (mut from, mut rest) = (s, s);
        loop {
            rest = plain(rest);
            match *rest {
                [b'"', ref after @ ..] => {
                    if !escaped {
                        let len = self.text.len();
                        return Some((Read::In(len - from.len()..len - rest.len()), after));
                    }
                    let run = self.between(from, rest)?;
                    self.stacks.unescaped.push_str(run);
                    return Some((Read::Unescaped, after));
                }
                [b'\\', ref escape_rest @ ..] => {
                    let run = self.between(from, rest)?;
                    if !escaped {
                        self.stacks.unescaped.clear();
                        escaped = true;
                    }
                    self.stacks.unescaped.push_str(run);
                    let (c, len) = escape(escape_rest)?;
                    self.stacks.unescaped.push(c);
                    rest = escape_rest.get(len..)?;
                    from = rest;
                }
                // Characters past ASCII (the text is a `str`, so they
                // are valid): their whole run at once.
                [0x80..=0xff, ..] => rest = rest.get(non_ascii_len(rest)..)?,
                // One of the last few bytes of the text, which the
                // eight-byte look leaves.
                [0x20..=0x7f, ref more @ ..] => rest = more,
                // A control character, or the end of the text.
                _ => return None,
            }
        }
    }

    /// A number at the start of `s`; what follows it.
    fn number(&self, s: &'t [u8]) -> Option<(Value, &'t [u8])> {
        let rest = number(s)?;
        let token = &s[..s.len() - rest.len()];
        let value = if token.len() < 20 && token.iter().all(u8::is_ascii_digit) {
            let n = token.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
            Value::Number(Number::from(n))
        } else {
            serde_json::from_str(self.between(s, rest)?).ok()?
        };
        Some((value, rest))
    }

    /// An object whose inside starts `s` (after its `{`); what follows
    /// its `}`.
    fn object(&mut self, s: &'t [u8], depth: usize) -> Option<(Value, &'t [u8])> {
        let mut s = skip_blanks(s);
        if let [b'}', ref rest @ ..] = *s {
            return Some((Value::Object(serde_json::Map::new()), rest));
        }
        // Room for most objects at once, not four steps of growth.
        self.stacks.keys.reserve(ROOM);
        self.stacks.items.reserve(ROOM);
        let start = (self.stacks.keys.len(), self.stacks.items.len());
        loop {
            // The common cases first: no blanks between the tokens.
            let (key, rest) = match *s {
                [b'"', ..] => self.key(s)?,
                _ => self.key(skip_blanks(s))?,
            };
            if key.bytes(self.text)?.starts_with(PRIVATE_KEY.as_bytes()) {
                return None;
            }
            let rest = match *rest {
                [b':', ref rest @ ..] => rest,
                _ => skip_blanks(rest).strip_prefix(b":")?,
            };
            let (value, mut rest) = self.value(rest, depth)?;
            self.stacks.keys.push(key);
            self.stacks.items.push(value);
            s = loop {
                match *rest {
                    [b',', ref next @ ..] => break next,
                    [b'}', ref rest @ ..] => return Some((Value::Object(self.map(start)?), rest)),
                    [b' ' | b'\t' | b'\n' | b'\r', ..] => rest = skip_blanks(rest),
                    _ => return None,
                }
            };
        }
    }

    /// The map of the keys and values on the stacks from `start`, taken
    /// off them: a copy of a kept shape (see [`shapes`]) with the values,
    /// or built as `serde_json` builds one (a repeated key's last value
    /// at its first place).
    fn map(&mut self, (keys, values): (usize, usize)) -> Option<Map<String, Value>> {
        let text = self.text;
        let of = self.stacks.keys.get(keys..)?;
        let shape = self
            .stacks
            .shapes
            .map_for(of.len(), |i| of.get(i)?.bytes(text));
        let values = self.stacks.items.drain(values..);
        if let Some(shape) = shape {
            let map = shapes::fill(shape, values);
            self.stacks.keys.truncate(keys);
            return Some(map);
        }
        let mut map = Map::with_capacity(values.len());
        for (key, value) in self.stacks.keys.drain(keys..).zip(values) {
            let key = match key {
                Key::In(at) => self.text.get(at)?.to_owned(),
                Key::Unescaped(text) => text,
            };
            map.insert(key, value);
        }
        Some(map)
    }

    /// An array whose inside starts `s` (after its `[`); what follows its
    /// `]`.
    fn array(&mut self, s: &'t [u8], depth: usize) -> Option<(Value, &'t [u8])> {
        let start = self.stacks.items.len();
        let mut s = skip_blanks(s);
        if let [b']', ref rest @ ..] = *s {
            return Some((Value::Array(Vec::new()), rest));
        }
        loop {
            let (value, mut rest) = self.value(s, depth)?;
            self.stacks.items.push(value);
            s = loop {
                match *rest {
                    [b',', ref next @ ..] => break next,
                    [b']', ref rest @ ..] => {
                        let items = take_from(&mut self.stacks.items, start);
                        return Some((Value::Array(items), rest));
                    }
                    [b' ' | b'\t' | b'\n' | b'\r', ..] => rest = skip_blanks(rest),
                    _ => return None,
                }
            };
        }
    }
}

/// The items of `stack` from `start` on, taken off it into a vector of
/// exactly their number, moved in one copy (the stack keeps its room).
fn take_from(stack: &mut Vec<Value>, start: usize) -> Vec<Value> {
    if start > 0 {
        return stack.split_off(start);
    }
    // `split_off(0)` would hand over the stack's own room.
    let mut items = Vec::with_capacity(stack.len());
    items.append(stack);
    items
}

/// The character the escape after a backslash stands for, and how many
/// bytes it takes after the backslash: a UTF-16 surrogate pair is two
/// `\u` escapes, a lone surrogate or any other escape is `None`.
fn escape(s: &[u8]) -> Option<(char, usize)> {
    let c = match *s.first()? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            let unit = hex4(s.get(1..5)?)?;
            return match unit {
                0xD800..=0xDBFF => {
                    let low = match *s.get(5..11)? {
                        [b'\\', b'u', ref hex @ ..] => hex4(hex)?,
                        _ => return None,
                    };
                    if !(0xDC00..=0xDFFF).contains(&low) {
                        return None;
                    }
                    let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                    Some((char::from_u32(c)?, 11))
                }
                _ => Some((char::from_u32(unit)?, 5)),
            };
        }
        _ => return None,
    };
    Some((c, 1))
}

/// Four hex digits as a number.
fn hex4(digits: &[u8]) -> Option<u32> {
    digits
        .iter()
        .try_fold(0, |n, &d| Some(n * 16 + char::from(d).to_digit(16)?))
}

#[cfg(test)]
mod tests;
