use super::{compact_json, utf8_len};
use crate::escape::is_control;
use crate::test_values::arb_value;
use proptest::prelude::*;
use serde_json::{json, Value};

/// The reference: the compaction as it was first written, a byte at a
/// time (the fast scan must give the same bytes for any input).
fn reference(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let n = json.len();
    let mut i = 0;
    while i < n {
        let start = i;
        while i < n && !matches!(json[i], b' ' | b'\t' | b'\n' | b'\r' | b'"') {
            i += 1;
        }
        out.extend_from_slice(&json[start..i]);
        if i == n {
            break;
        }
        i += 1;
        if json[i - 1] != b'"' {
            continue;
        }
        out.push(b'"');
        while i < n {
            let start = i;
            while i < n && json[i] < 0x7f && !matches!(json[i], b'"' | b'\\') {
                i += 1;
            }
            out.extend_from_slice(&json[start..i]);
            if i == n {
                break;
            }
            match json[i] {
                b'"' => {
                    out.push(b'"');
                    i += 1;
                    break;
                }
                b'\\' => {
                    let end = (i + 2).min(n);
                    out.extend_from_slice(&json[i..end]);
                    i = end;
                }
                lead => {
                    let end = (i + utf8_len(lead)).min(n);
                    match std::str::from_utf8(&json[i..end])
                        .ok()
                        .and_then(|s| s.chars().next())
                    {
                        Some(c) if is_control(c) => {
                            out.extend_from_slice(format!("\\u{:04x}", c as u32).as_bytes())
                        }
                        _ => out.extend_from_slice(&json[i..end]),
                    }
                    i = end;
                }
            }
        }
    }
    out
}

fn compact(json: &[u8]) -> Vec<u8> {
    let mut out = b"kept:".to_vec();
    compact_json(json, &mut out);
    assert_eq!(out[..5], *b"kept:", "what was in the output stays");
    out.split_off(5)
}

#[test]
fn compaction_equals_compact_serialization() {
    let values = [
        json!({"a": [1, 2.5, -3e-7, null, true], "b\"c": {"d\\": " x\ty ", "e": []}}),
        json!(["\\\"", "é 🦅 ∑", "\u{1}", {"": {}}, [[], [{}]]]),
        json!("just a string"),
        json!(12345),
        json!({"long": "0123456789abcdef0123456789abcdef", "deep": {"deeper": {"deepest": [1]}}}),
    ];
    for v in values {
        for text in [serde_json::to_string_pretty(&v).unwrap(), v.to_string()] {
            let out = compact(text.as_bytes());
            assert_eq!(String::from_utf8(out).unwrap(), v.to_string());
        }
    }
}

#[test]
fn controls_in_strings_are_escaped() {
    let text = "{\"m\": \"a\u{7f}b\u{9b}2J\u{202e}c é 🦅\", \"k\u{200f}\": 1}";
    let out = compact(text.as_bytes());
    assert_eq!(
        String::from_utf8(out.clone()).unwrap(),
        r#"{"m":"a\u007fb\u009b2J\u202ec é 🦅","k\u200f":1}"#
    );
    let parsed: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(parsed, serde_json::from_str::<Value>(text).unwrap());
    let long = "\"0123456789\u{85}abcdef\u{2028}0123456789\u{2069}\"";
    assert_eq!(
        compact(long.as_bytes()),
        br#""0123456789\u0085abcdef\u20280123456789\u2069""#
    );
}

#[test]
fn compaction_keeps_strings_whole() {
    let text = b"{\n  \"a b\": [1, 2],\r\n\t\"q\\\" x\": \" \\\\ \"\n}\n";
    let out = compact(text);
    assert_eq!(out, br#"{"a b":[1,2],"q\" x":" \\ "}"#);
    let parsed: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(parsed, serde_json::from_slice::<Value>(text).unwrap());
    let escapes = br#"["\\\\\\\\\\\\\\\"  ", "\u00e9\ud83e\udd85\/"]"#;
    assert_eq!(
        compact(escapes),
        br#"["\\\\\\\\\\\\\\\"  ","\u00e9\ud83e\udd85\/"]"#
    );
}

#[test]
fn text_that_is_not_json_is_compacted_without_panic() {
    for text in [
        &b"\"abc\\"[..],
        b"[\"\xe2\x80",
        b"\"\xff\xfe\" x \"\xc2\"",
        b"  \t ",
        b"",
    ] {
        assert_eq!(compact(text), reference(text), "{text:?}");
    }
}

/// `text` with a run of whitespace from `blanks` (in turn) after every
/// byte outside strings.
fn spread(text: &str, blanks: &[String]) -> String {
    let mut out = String::new();
    let (mut in_string, mut escaped) = (false, false);
    for (k, c) in text.chars().enumerate() {
        out.push(c);
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else {
            in_string = c == '"';
            if !in_string && !blanks.is_empty() {
                out.push_str(&blanks[k % blanks.len()]);
            }
        }
    }
    out
}

/// A JSON text of an arbitrary value: compact, pretty, or with arbitrary
/// whitespace between its tokens.
fn arb_text() -> impl Strategy<Value = (Value, String)> {
    let blanks = prop::collection::vec("[ \t\r\n]{0,12}", 0..5);
    (arb_value(), 0..3u8, blanks).prop_map(|(v, layout, blanks)| {
        let text = match layout {
            0 => v.to_string(),
            1 => serde_json::to_string_pretty(&v).unwrap_or_default(),
            _ => spread(&v.to_string(), &blanks),
        };
        (v, text)
    })
}

proptest! {
    #![proptest_config(crate::proptest_config::kept_beside(1024))]

    #[test]
    fn compaction_equals_the_reference_and_keeps_the_value((value, text) in arb_text()) {
        let out = compact(text.as_bytes());
        prop_assert_eq!(&out, &reference(text.as_bytes()), "{:?}", text);
        // The text was written by serde_json: compacting it gives what
        // the escaping serializer writes for its value.
        let mut safe = Vec::new();
        crate::escape::write_json(&mut safe, &value, false).expect("a value serializes");
        prop_assert_eq!(&out, &safe, "{:?}", text);
        let out = String::from_utf8(out).expect("UTF-8 in, UTF-8 out");
        prop_assert!(!out.chars().any(is_control), "{:?}", out);
    }

    #[test]
    fn any_bytes_are_compacted_like_the_reference(
        bytes in prop::collection::vec(prop_oneof![
            any::<u8>(),
            prop::sample::select(b" \t\r\n\"\\\xc2\x85\xe2\x80\xae".to_vec()),
        ], 0..64)
    ) {
        prop_assert_eq!(compact(&bytes), reference(&bytes));
    }
}
