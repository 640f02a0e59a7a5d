//! The rate-limit headers of a Falcon reply, named once: the pacer, the
//! retry policy and [`Response`](crate::Response) read them from here.
//! Prebuilt names make a lookup a hash of the name, not a parse of it.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

/// `X-RateLimit-Limit`: requests allowed per minute for the CID.
pub const LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
/// `X-RateLimit-Remaining`: requests left of that budget.
pub const REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
/// `X-RateLimit-RetryAfter`: when (epoch seconds) a refused request may
/// be tried again.
pub const RETRY_AFTER: HeaderName = HeaderName::from_static("x-ratelimit-retryafter");

/// A header's value as a whole number (surrounding blanks allowed);
/// `None` when missing or not a number.
///
/// ```
/// use falcon_harness::rate_limit;
/// let mut h = reqwest::header::HeaderMap::new();
/// h.insert(rate_limit::REMAINING, " 12 ".parse().unwrap());
/// assert_eq!(rate_limit::number(&h, &rate_limit::REMAINING), Some(12));
/// assert_eq!(rate_limit::number(&h, &rate_limit::LIMIT), None);
/// ```
pub fn number(headers: &HeaderMap, name: &HeaderName) -> Option<u64> {
    whole_number(headers.get(name)?)
}

/// [`LIMIT`] and [`REMAINING`] as [`number`] reads them, found in one
/// walk over the headers instead of two lookups by name (the pacer reads
/// them from every reply).
///
/// ```
/// use falcon_harness::rate_limit;
/// let mut h = reqwest::header::HeaderMap::new();
/// h.insert(rate_limit::LIMIT, "6000".parse().unwrap());
/// h.append(rate_limit::REMAINING, "12".parse().unwrap());
/// h.append(rate_limit::REMAINING, "11".parse().unwrap());
/// assert_eq!(rate_limit::limit_and_remaining(&h), (Some(6000), Some(12)));
/// ```
pub fn limit_and_remaining(headers: &HeaderMap) -> (Option<u64>, Option<u64>) {
    let (mut limit, mut remaining) = (None, None);
    // A name's first value comes first, as `get` gives it.
    for (name, value) in headers {
        if *name == LIMIT && limit.is_none() {
            limit = Some(value);
        } else if *name == REMAINING && remaining.is_none() {
            remaining = Some(value);
        }
    }
    (
        limit.and_then(whole_number),
        remaining.and_then(whole_number),
    )
}

/// A value as a whole number: what `to_str()?.trim().parse::<u64>()`
/// reads, in one pass: blanks (the only white space a header value's
/// text can hold) around an optional `+` and at least one digit, no
/// overflow.
fn whole_number(value: &HeaderValue) -> Option<u64> {
    let v = value.as_bytes();
    // What servers send: digits alone, too few to overflow (read in the
    // same pass that checks them).
    if (1..=19).contains(&v.len()) {
        let digits = v.iter().try_fold(0u64, |n, &b| {
            let d = b.wrapping_sub(b'0');
            (d < 10).then(|| n * 10 + u64::from(d))
        });
        if digits.is_some() {
            return digits;
        }
    }
    let blank = |b: &u8| matches!(b, b' ' | b'\t');
    let start = v.iter().position(|b| !blank(b))?;
    let end = v.iter().rposition(|b| !blank(b))? + 1;
    let v = &v[start..end];
    let digits = v.strip_prefix(b"+").unwrap_or(v);
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &b| {
        let d = b.checked_sub(b'0').filter(|d| *d < 10)?;
        n.checked_mul(10)?.checked_add(u64::from(d))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn long_numbers_read_exactly_or_not_at_all() {
        let read = |t: &str| whole_number(&HeaderValue::from_str(t).unwrap());
        assert_eq!(read("9999999999999999999"), Some(9_999_999_999_999_999_999));
        assert_eq!(read("18446744073709551615"), Some(u64::MAX));
        assert_eq!(read("18446744073709551616"), None);
        assert_eq!(read("00000000000000000000042"), Some(42));
        assert_eq!(read("6000"), Some(6000));
        assert_eq!(read(""), None);
    }

    proptest! {
        #![proptest_config(crate::proptest_config::kept_beside(1024))]

        /// The one pass reads what the text reading reads.
        #[test]
        fn reads_a_value_as_its_text_parsed(v in prop::collection::vec(prop_oneof![
            Just(b' '), Just(b'\t'), Just(b'+'), Just(b'-'), b'0'..=b'9', b'0'..=b'9', any::<u8>()
        ], 0..24)) {
            let Ok(value) = reqwest::header::HeaderValue::from_bytes(&v) else {
                return Ok(());
            };
            let mut h = HeaderMap::new();
            h.insert(LIMIT, value);
            let text = h[&LIMIT].to_str().ok().and_then(|t| t.trim().parse::<u64>().ok());
            prop_assert_eq!(number(&h, &LIMIT), text);
            prop_assert_eq!(limit_and_remaining(&h), (text, None));
        }
    }

    proptest! {
        #![proptest_config(crate::proptest_config::kept_beside(256))]

        /// One walk finds what two lookups by name find, whatever the
        /// order, repeats and other headers.
        #[test]
        fn one_walk_reads_as_two_lookups(headers in prop::collection::vec(
            (0usize..4, prop_oneof![Just(" 7 ".to_string()), "[0-9]{1,3}", "[ -~]{0,4}"]), 0..10
        )) {
            let names = [LIMIT, REMAINING, RETRY_AFTER, HeaderName::from_static("content-type")];
            let mut h = HeaderMap::new();
            for (n, v) in &headers {
                h.append(names[*n].clone(), HeaderValue::from_str(v).unwrap());
            }
            prop_assert_eq!(limit_and_remaining(&h), (number(&h, &LIMIT), number(&h, &REMAINING)));
        }
    }

    #[test]
    fn edges() {
        let read = |v: &[u8]| {
            let mut h = HeaderMap::new();
            h.insert(LIMIT, reqwest::header::HeaderValue::from_bytes(v).unwrap());
            number(&h, &LIMIT)
        };
        assert_eq!(read(b" \t+6000\t "), Some(6000));
        assert_eq!(read(b"18446744073709551615"), Some(u64::MAX));
        for bad in [
            &b"18446744073709551616"[..],
            b"",
            b" ",
            b"+",
            b"-1",
            b"1 2",
            b"1\xff",
            b"0x10",
        ] {
            assert_eq!(read(bad), None, "{bad:?}");
        }
    }
}
