//! Builds the [`Value`] of a JSON text that the arrival check found
//! well-formed, for [`Response::json`](super::Response::json) and
//! [`Response::resources`](super::Response::resources).
//!
//! `serde_json` is the reference: this builder gives exactly the value
//! `serde_json` decodes (keys in their order, a repeated key's last value
//! at its first place, a number's exact text), or `None` and the caller
//! asks `serde_json`, which then decides and words any error. It is
//! cheaper because it knows more than a general parser: the text is
//! UTF-8 already checked, so a string without escapes is copied as it
//! is, and it builds each object at its final size. A generic parser
//! grows an object's map as it goes, moving its entries and rebuilding
//! its index at each step. For the 1 MB reply of
//! `cargo bench --bench response`, checking, decoding and dropping it
//! took 85.4M instructions with `serde_json` decoding, 78.2M with this
//! builder (callgrind).
//!
//! The members of the objects being read wait on one stack, the items of
//! the arrays on another; when a bracket closes, its own run is taken off
//! the top into an array or map of exactly that size.
//!
//! It leaves to `serde_json`, giving `None`:
//! - nesting deeper than [`DEPTH`] (`serde_json` refuses 128 levels);
//! - a string with an escape that does not stand for text (a lone UTF-16
//!   surrogate such as `"\ud800"`); escapes are read by `serde_json`,
//!   one string at a time;
//! - a key starting `$serde_json::private::`, which `serde_json` reads as
//!   a marker of its own (an exact number in an object's disguise);
//! - any text not well-formed (never the case for a checked body).
//!
//! A number that is a plain integer below 20 digits is read here;
//! `serde_json` reads any other (a sign, a fraction, an exponent, more
//! digits), one number at a time, for the same value in every feature set.

use super::wellformed::{number, past_stop, plain, skip_blanks};
use serde_json::{Number, Value};

/// How deep the builder follows nesting.
const DEPTH: usize = 100;

/// The value of `text`, a whole JSON text with blanks around it allowed.
pub(super) fn whole(text: &str) -> Option<Value> {
    let mut builder = Builder::new(text);
    let (value, rest) = builder.value(skip_blanks(text.as_bytes()), DEPTH)?;
    skip_blanks(rest).is_empty().then_some(value)
}

/// The value at the start of `text`; what follows it is not read.
pub(super) fn first(text: &str) -> Option<Value> {
    let mut builder = Builder::new(text);
    Some(builder.value(skip_blanks(text.as_bytes()), DEPTH)?.0)
}

/// How many more members the stack makes room for when an object opens.
const ROOM: usize = 16;

/// A key `serde_json` reads as a marker of its own.
const PRIVATE_KEY: &str = "$serde_json::private::";

struct Builder<'t> {
    text: &'t str,
    /// The members of the objects being read, innermost last.
    members: Vec<(String, Value)>,
    /// The items of the arrays being read, innermost last.
    items: Vec<Value>,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str) -> Self {
        Builder {
            text,
            members: Vec::new(),
            items: Vec::new(),
        }
    }

    /// The text from where `from` starts to where `to` starts, both
    /// suffixes of `text` (as every slice the builder reads is), next to
    /// ASCII bytes (a quote, a bracket, a digit).
    fn between(&self, from: &[u8], to: &[u8]) -> Option<&'t str> {
        let len = self.text.len();
        self.text.get(len - from.len()..len - to.len())
    }

    /// The value at the start of `s` (no blanks before it), and what
    /// follows it; `depth` more levels of nesting may open.
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
            _ => self.number(s),
        }
    }

    /// The string at the start of `quoted` (its opening quote); what
    /// follows its closing quote.
    fn string(&self, quoted: &'t [u8]) -> Option<(String, &'t [u8])> {
        let s = quoted.strip_prefix(b"\"")?;
        let mut rest = s;
        let mut escaped = false;
        loop {
            rest = plain(rest);
            match *rest {
                [b'"', ref after @ ..] => {
                    let text = if escaped {
                        // With its quotes, for serde_json to read.
                        serde_json::from_str(self.between(quoted, after)?).ok()?
                    } else {
                        self.between(s, rest)?.to_owned()
                    };
                    return Some((text, after));
                }
                [b'\\', ..] => escaped = true,
                _ => {}
            }
            rest = past_stop(rest)?;
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
        self.members.reserve(ROOM);
        let start = self.members.len();
        loop {
            let (key, rest) = self.string(s)?;
            if key.starts_with(PRIVATE_KEY) {
                return None;
            }
            let rest = skip_blanks(skip_blanks(rest).strip_prefix(b":")?);
            let (value, rest) = self.value(rest, depth)?;
            self.members.push((key, value));
            s = skip_blanks(rest);
            match *s {
                [b',', ref rest @ ..] => s = skip_blanks(rest),
                [b'}', ref rest @ ..] => {
                    let map = self.members.drain(start..).collect();
                    return Some((Value::Object(map), rest));
                }
                _ => return None,
            }
        }
    }

    /// An array whose inside starts `s` (after its `[`); what follows its
    /// `]`.
    fn array(&mut self, s: &'t [u8], depth: usize) -> Option<(Value, &'t [u8])> {
        let start = self.items.len();
        let mut s = skip_blanks(s);
        if let [b']', ref rest @ ..] = *s {
            return Some((Value::Array(Vec::new()), rest));
        }
        loop {
            let (value, rest) = self.value(s, depth)?;
            self.items.push(value);
            s = skip_blanks(rest);
            match *s {
                [b',', ref rest @ ..] => s = skip_blanks(rest),
                [b']', ref rest @ ..] => {
                    let items = self.items.drain(start..).collect();
                    return Some((Value::Array(items), rest));
                }
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests;
