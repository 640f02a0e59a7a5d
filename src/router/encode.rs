//! Percent-encoding of query keys and values and of path segments, and
//! filling the route's `{placeholders}`.
//!
//! Everything but the unreserved characters of RFC 3986
//! (`A-Z a-z 0-9 - . _ ~`) is encoded, as UTF-8 bytes: a space is `%20`
//! (never `+`), `/` is `%2F`, so a value is always exactly one query
//! value or one path segment.

use crate::error::Error;

/// Whether a byte stands for itself: the unreserved characters.
const UNRESERVED: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~');
        b += 1;
    }
    t
};

/// Appends the percent-encoded form of `s` to `out` (upper-case hex
/// digits, as `%3A`): ASCII only.
fn encode_into(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.reserve(3 * s.len());
    for &b in s.as_bytes() {
        if UNRESERVED[usize::from(b)] {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        }
    }
}

/// ASCII bytes as text.
fn ascii_text(bytes: Vec<u8>) -> String {
    // Only ASCII is ever appended, so this is never lossy.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Appends the percent-encoded form of `s` to `out`.
pub(crate) fn push_encoded(out: &mut String, s: &str) {
    let mut bytes = std::mem::take(out).into_bytes();
    encode_into(&mut bytes, s);
    *out = ascii_text(bytes);
}

/// Whether the `application/x-www-form-urlencoded` serializer (the `url`
/// crate's `query_pairs_mut`) writes `s` exactly as [`query_string`]
/// does. It leaves `*` as it is and writes a space as `+`, where this
/// encoding writes `%2A` and `%20`, and it encodes `~`, which this one
/// leaves; every other byte the two write alike (upper-case `%XX`).
pub(crate) fn form_encodes_alike(s: &str) -> bool {
    !s.bytes().any(|b| matches!(b, b' ' | b'*' | b'~'))
}

/// `k=v&k=v` with every key and value percent-encoded.
pub(crate) fn query_string<K: AsRef<str>>(pairs: &[(K, String)]) -> String {
    let len: usize = pairs
        .iter()
        .map(|(k, v)| 3 * (k.as_ref().len() + v.len()) + 2)
        .sum();
    let mut out = Vec::with_capacity(len);
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        encode_into(&mut out, k.as_ref());
        out.push(b'=');
        encode_into(&mut out, v);
    }
    ascii_text(out)
}

/// Checks that a path parameter's value can be one segment: not empty,
/// and not `.` or `..` (which URL parsers resolve, in any encoding, as
/// "this directory" or "the parent").
pub(crate) fn check_segment(op: &str, name: &str, value: &str) -> Result<(), Error> {
    let problem = match value {
        "" => "must not be empty",
        "." | ".." => "must not be \".\" or \"..\" (a path segment cannot climb the route)",
        _ => return Ok(()),
    };
    Err(Error::argument(op, name, problem))
}

/// Fills the `{placeholders}` of `route` with the percent-encoded texts
/// that `value_of` returns for each placeholder name.
pub(crate) fn fill_route<'a>(
    route: &str,
    mut value_of: impl FnMut(&str) -> Result<&'a str, Error>,
) -> Result<String, Error> {
    let mut out = String::with_capacity(route.len() + 32);
    let mut rest = route;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        let name = &rest[open + 1..open + close];
        push_encoded(&mut out, value_of(name)?);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Whether `b` may stand for itself in a path given by an `override`
/// (already a path, so `/` separates segments and `%XX` is kept).
fn path_byte_ok(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&b)
}

/// Normalises the path of an `override` route: characters that cannot
/// appear in a path are percent-encoded, valid `%XX` escapes are kept,
/// and a `.` or `..` segment (in any encoding) is an error.
pub(crate) fn override_path(op: &str, path: &str) -> Result<String, Error> {
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let escape = b == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit();
        if escape {
            out.push_str(&path[i..i + 3]);
            i += 3;
            continue;
        }
        if path_byte_ok(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
        i += 1;
    }
    for seg in out.split('/') {
        let lower = seg.to_ascii_lowercase().replace("%2e", ".");
        if lower == "." || lower == ".." {
            return Err(Error::argument(
                op,
                "override",
                "the route must not contain \".\" or \"..\" segments",
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(s: &str) -> String {
        let mut out = String::new();
        push_encoded(&mut out, s);
        out
    }

    #[test]
    fn awkward_characters_are_encoded() {
        assert_eq!(
            enc("a b&c=d+e/f#g%h?i"),
            "a%20b%26c%3Dd%2Be%2Ff%23g%25h%3Fi"
        );
        assert_eq!(enc("unreserved-._~AZaz09"), "unreserved-._~AZaz09");
        assert_eq!(enc("é"), "%C3%A9");
        assert_eq!(enc("🦅"), "%F0%9F%A6%85");
        assert_eq!(enc("'*!()"), "%27%2A%21%28%29");
    }

    proptest::proptest! {
        #![proptest_config(crate::proptest_config::kept_beside(256))]

        /// The form serializer writes a text as this encoding does
        /// exactly when `form_encodes_alike` says so.
        #[test]
        fn form_serializer_agrees_where_it_is_said_to(s in "[ *~a-zA-Z0-9%&=+#?/\u{e9}'._-]{0,12}") {
            let form: String = url::form_urlencoded::byte_serialize(s.as_bytes()).collect();
            proptest::prop_assert_eq!(form == enc(&s), form_encodes_alike(&s));
        }

        /// The same text as the percent-encoding crate with the
        /// unreserved characters as the only ones left alone.
        #[test]
        fn encodes_like_the_percent_encoding_crate(s in ".{0,24}") {
            const COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
                .remove(b'-')
                .remove(b'.')
                .remove(b'_')
                .remove(b'~');
            let expected = percent_encoding::utf8_percent_encode(&s, COMPONENT).to_string();
            proptest::prop_assert_eq!(enc(&s), expected);
        }
    }

    #[test]
    fn query_strings_join_pairs() {
        let pairs = vec![
            ("filter".to_string(), "status:20+name:'x y'".to_string()),
            ("ids".to_string(), "a".to_string()),
        ];
        assert_eq!(
            query_string(&pairs),
            "filter=status%3A20%2Bname%3A%27x%20y%27&ids=a"
        );
        assert_eq!(query_string::<&str>(&[]), "");
    }

    #[test]
    fn routes_are_filled_with_single_segments() {
        let path = fill_route("/a/{x}/b/{y}", |n| Ok(if n == "x" { "p/q" } else { ".." })).unwrap();
        assert_eq!(path, "/a/p%2Fq/b/..");
        assert!(check_segment("Op", "y", "..").is_err());
        assert!(check_segment("Op", "y", ".").is_err());
        assert!(check_segment("Op", "y", "").is_err());
        assert!(check_segment("Op", "y", "...").is_ok());
        assert_eq!(fill_route("/plain", |_| Ok("x")).unwrap(), "/plain");
    }

    #[test]
    fn override_paths_are_normalised() {
        assert_eq!(
            override_path("o", "/a b/%2Fc/é").unwrap(),
            "/a%20b/%2Fc/%C3%A9"
        );
        assert_eq!(override_path("o", "/x%zz").unwrap(), "/x%25zz");
        assert_eq!(override_path("o", "/x%4").unwrap(), "/x%254");
        assert!(override_path("o", "/a/../b").is_err());
        assert!(override_path("o", "/a/%2E%2e/b").is_err());
        assert!(override_path("o", "/a/./b").is_err());
    }
}
