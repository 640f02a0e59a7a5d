//! Eight bytes at a time: skipping over the bytes of a text that need no
//! attention, looking at a whole `u64` word per step instead of at each
//! byte (SIMD within a register). The JSON scanners use it: the
//! well-formedness check inside strings and the compaction of replies.
//!
//! Each test below sets the high bit of the bytes of a word that are in
//! a class. Borrows and carries may run from a byte in the class into
//! the bytes above it, so only the lowest flagged byte is exact; that is
//! the only one [`skip`] uses.

/// `0x01` in every byte.
const ONES: u64 = u64::MAX / 255;
/// The high bit of every byte.
const HIGH: u64 = ONES << 7;

/// Flags the bytes of `x` equal to `c`.
#[inline]
pub(crate) const fn equal(x: u64, c: u8) -> u64 {
    let y = x ^ (ONES * c as u64);
    y.wrapping_sub(ONES) & !y & HIGH
}

/// Flags the bytes of `x` below `n` (`n` at most `0x80`).
#[inline]
pub(crate) const fn below(x: u64, n: u8) -> u64 {
    x.wrapping_sub(ONES * n as u64) & !x & HIGH
}

/// Flags the bytes of `x` at or above `n` (`n` at most `0x80`).
#[inline]
pub(crate) const fn at_least(x: u64, n: u8) -> u64 {
    (x | x.wrapping_add(ONES * (0x80 - n as u64))) & HIGH
}

/// Flags the bytes a JSON string cannot hold as they are: `"`, `\`
/// and the control characters below `0x20` (only the lowest flagged byte
/// is exact, see [`skip`]).
#[inline]
pub(crate) const fn json_escaped(x: u64) -> u64 {
    below(x, 0x20) | equal(x, b'"') | equal(x, b'\\')
}

/// Flags exactly the bytes of `x` equal to `c` (no carries between
/// bytes: each byte's low seven bits and high bit are looked at apart).
#[inline]
pub(crate) const fn equal_exact(x: u64, c: u8) -> u64 {
    let y = x ^ (ONES * c as u64);
    !(((y & !HIGH) + !HIGH) | y) & HIGH
}

/// Flags the bytes of `x` that end a run of a JSON string's plain
/// inside: a control character, `"`, `\` or a byte past ASCII. Only the
/// lowest flagged byte is exact, as for the tests above. It costs less
/// than their union: `x ^ 0x02` moves `"` to `0x20`, next to the control
/// characters, so one test finds both, and its high bits are those of
/// `x`, which flag every byte past ASCII, so no test needs to rule those
/// out.
#[inline]
pub(crate) const fn string_stops(x: u64) -> u64 {
    let y = x ^ (ONES * 0x02);
    (y.wrapping_sub(ONES * 0x21) | y | (x ^ (ONES * b'\\' as u64)).wrapping_sub(ONES)) & HIGH
}

/// Whether an odd number of bytes is flagged in `flags` (high bits only).
#[inline]
pub(crate) const fn odd(flags: u64) -> bool {
    // The sum of the flags lands in the top byte.
    ((flags >> 7).wrapping_mul(ONES) >> 56) & 1 == 1
}

/// The index of the first byte at or after `i` that `flags` flags,
/// looking at whole words of `b` only: when fewer than eight bytes remain
/// unflagged, the index where they start (the caller looks at those one
/// by one). Never beyond `b.len()`.
#[inline]
pub(crate) fn skip(b: &[u8], mut i: usize, flags: impl Fn(u64) -> u64) -> usize {
    while let Some(chunk) = b.get(i..i + 8) {
        let found = flags(word(chunk));
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i
}

/// Whether every byte of `b` is printable ASCII other than `"` and `\`:
/// a text that is a JSON string's content as it is, nothing to escape.
/// Short texts (header values, keys) are looked at in one or two words.
#[inline]
pub(crate) fn plain_json_text(b: &[u8]) -> bool {
    let flags = |x: u64| below(x, 0x20) | at_least(x, 0x7f) | equal(x, b'"') | equal(x, b'\\');
    let n = b.len();
    if n >= 8 {
        // Whole words, then the last eight bytes (overlapping) for the
        // rest: with no byte of the class in a word, none is flagged.
        let i = skip(b, 0, flags);
        i == n || (n - i < 8 && flags(word(&b[n - 8..])) == 0)
    } else if n >= 4 {
        // The first four bytes and the last four (overlapping).
        let half =
            |at: usize| u64::from(u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]));
        flags(half(0) | half(n - 4) << 32) == 0
    } else {
        b.iter()
            .all(|&c| (0x20..0x7f).contains(&c) && c != b'"' && c != b'\\')
    }
}

/// The first eight bytes of `b` as a word (zero when there are fewer).
#[inline]
pub(crate) fn word(b: &[u8]) -> u64 {
    b.get(..8)
        .and_then(|w| <[u8; 8]>::try_from(w).ok())
        .map_or(0, u64::from_le_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The lowest flagged byte of the word made of `bytes`.
    fn lowest(bytes: [u8; 8], flags: impl Fn(u64) -> u64) -> Option<usize> {
        let found = flags(u64::from_le_bytes(bytes));
        (found != 0).then(|| (found.trailing_zeros() / 8) as usize)
    }

    proptest! {
        #![proptest_config(crate::proptest_config::kept_beside(1024))]

        #[test]
        fn the_lowest_flagged_byte_is_exact(bytes in any::<[u8; 8]>(), c in any::<u8>(), n in 0u8..=0x80) {
            prop_assert_eq!(lowest(bytes, |x| equal(x, c)), bytes.iter().position(|&b| b == c));
            prop_assert_eq!(lowest(bytes, |x| below(x, n)), bytes.iter().position(|&b| b < n));
            prop_assert_eq!(lowest(bytes, |x| at_least(x, n)), bytes.iter().position(|&b| b >= n));
        }

        #[test]
        fn string_stops_flag_the_first_byte_that_ends_a_plain_run(bytes in prop::array::uniform8(prop_oneof![0x20u8..0x7f, 0x20u8..0x7f, 0x20u8..0x7f, any::<u8>()])) {
            let stop = |b: u8| b < 0x20 || b == b'"' || b == b'\\' || b >= 0x80;
            prop_assert_eq!(lowest(bytes, string_stops), bytes.iter().position(|&b| stop(b)));
        }

        #[test]
        fn exact_flags_and_their_parity(bytes in any::<[u8; 8]>(), c in prop_oneof![any::<u8>(), Just(b'"')]) {
            let flags = equal_exact(u64::from_le_bytes(bytes), c);
            for (k, &b) in bytes.iter().enumerate() {
                prop_assert_eq!(flags >> (8 * k + 7) & 1 == 1, b == c);
            }
            prop_assert_eq!(flags & !HIGH, 0);
            prop_assert_eq!(odd(flags), bytes.iter().filter(|&&b| b == c).count() % 2 == 1);
        }

        #[test]
        fn skip_stops_at_the_first_flagged_byte_of_a_whole_word(b in prop::collection::vec(any::<u8>(), 0..40), start in 0usize..40) {
            let start = start.min(b.len());
            let i = skip(&b, start, |x| equal(x, b'"') | below(x, 0x20));
            let first = b[start..].iter().position(|&c| c == b'"' || c < 0x20).map(|p| start + p);
            prop_assert!(i >= start && i <= b.len());
            match first {
                Some(f) if f < i => prop_assert!(false, "skipped {} to {}", f, i),
                Some(f) if f > i => prop_assert!(b.len() - i < 8, "stopped at {} before {}", i, f),
                None => prop_assert!(b.len() - i < 8),
                _ => {}
            }
        }

        #[test]
        fn plain_text_is_exactly_printable_ascii_without_quote_or_backslash(b in prop::collection::vec(prop_oneof![any::<u8>(), 0x20u8..0x7f, 0x20u8..0x7f, 0x20u8..0x7f], 0..30)) {
            let plain = b.iter().all(|&c| (0x20..0x7f).contains(&c) && c != b'"' && c != b'\\');
            prop_assert_eq!(plain_json_text(&b), plain);
        }
    }
}
