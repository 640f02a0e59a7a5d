use super::{check, Verdict};
use crate::test_values::{arb_value, JSON_TEXTS};
use proptest::prelude::*;
use serde::Deserialize;
use serde_json::{json, Value};

/// The reference: what `serde_json` says when it skips a value.
fn reference(text: &str) -> bool {
    serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

/// The scanner never accepts what the reference refuses; on the texts it
/// is meant to settle it agrees both ways.
fn agrees(text: &str) -> Result<(), String> {
    let fast = check(text.as_bytes());
    let slow = reference(text);
    if fast.is_well_formed() && !slow {
        return Err(format!("accepted what serde_json refuses: {text:?}"));
    }
    if slow && fast == Verdict::Unsure && !too_deep(text) {
        return Err(format!("unsure of a well-formed text: {text:?}"));
    }
    Ok(())
}

/// [`agrees`] for any bytes: on bytes that are not UTF-8 the scanner is
/// never sure (the reference, parsing a value from them, refuses them).
fn agrees_on_bytes(bytes: &[u8]) -> Result<(), String> {
    match std::str::from_utf8(bytes) {
        Ok(text) => agrees(text),
        Err(_) if check(bytes).is_well_formed() => {
            Err(format!("accepted bytes that are not UTF-8: {bytes:?}"))
        }
        Err(_) => Ok(()),
    }
}

fn too_deep(text: &str) -> bool {
    let mut depth = 0usize;
    let mut most = 0;
    for c in text.bytes() {
        match c {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        most = most.max(depth);
    }
    most > super::MAX_DEPTH
}

#[test]
fn settles_these_texts_like_serde_json() {
    for text in JSON_TEXTS {
        agrees(text).unwrap();
    }
    assert!(check(br#"{"a":[1,"x"]}"#).is_well_formed());
    assert_eq!(check(b"[1,]"), Verdict::Unsure);
}

#[test]
fn bytes_past_ascii_are_settled_as_utf8() {
    // Valid UTF-8 in strings and keys, in a whole word and in the last
    // eight bytes, at the edges of the code point range.
    let good: [&[u8]; 8] = [
        b"\"\xc3\xa9\"",
        b"[\"\xf0\x9f\x98\x80\"]",
        b"[\"abcdefgh\xc3\xa9ijklmnop\"]",
        "{\"cl\u{e9}\":\"\u{65e5}\u{672c}\u{8a9e}\u{306e}\u{30c6}\u{30ad}\u{30b9}\u{30c8}\"}"
            .as_bytes(),
        b"\"\xe2\x82\xac\"",
        b"\"\xef\xbf\xbf\xc2\x80\"",
        b"\"\xf4\x8f\xbf\xbf\"",
        b"[\"abcdefgh\xc3\xa9\", \"\xc3\xa9ijklmnopq\"]",
    ];
    for bytes in good {
        assert!(check(bytes).is_well_formed(), "{bytes:?}");
        agrees_on_bytes(bytes).unwrap();
    }
    // Not UTF-8: lone and stray bytes, cut sequences, overlong forms,
    // surrogates, past U+10FFFF; in a word, in the tail, in a key. And
    // bytes past ASCII outside a string, which JSON refuses anyway.
    let bad: [&[u8]; 16] = [
        b"\"\xff\"",
        b"\"\x80\"",
        b"\"\xc3\"",
        b"\"\xc3(\"",
        b"\"\xc0\xaf\"",
        b"\"\xe0\x80\xaf\"",
        b"\"\xed\xa0\x80\"",
        b"\"\xf4\x90\x80\x80\"",
        b"\"\xf5\x80\x80\x80\"",
        b"\"\xf0\x9f\x98\"",
        b"[\"abcdefgh\xffijklmnop\"]",
        b"[\"abcdefghijklmno\xc3\", 1]",
        b"{\"k\xe9y\":1}",
        b"[\xc3\xa9]",
        b"\xef\xbb\xbf[]",
        b"[\"\xc3\xa9\" \xc3\xa9]",
    ];
    for bytes in bad {
        assert_eq!(check(bytes), Verdict::Unsure, "{bytes:?}");
        agrees_on_bytes(bytes).unwrap();
    }
}

#[test]
fn deep_nesting_is_left_to_serde_json() {
    let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
    assert_eq!(check(deep.as_bytes()), Verdict::Unsure);
    assert!(reference(&deep));
    let ok = format!("{}{}", "[".repeat(256), "]".repeat(256));
    assert!(check(ok.as_bytes()).is_well_formed());
    let objects = format!("{}1{}", r#"{"a":"#.repeat(200), "}".repeat(200));
    assert!(check(objects.as_bytes()).is_well_formed());
}

/// Arbitrary JSON values, printed compactly or with blanks.
fn arb_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        "[ -~\u{0}-\u{1f}é😀\\\\\"]{0,24}".prop_map(serde_json::Value::from),
    ];
    let value = leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            prop::collection::btree_map("[a-z\"\\\\]{0,6}", inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    });
    (value, any::<bool>()).prop_map(|(v, pretty)| {
        if pretty {
            serde_json::to_string_pretty(&v).unwrap_or_default()
        } else {
            v.to_string()
        }
    })
}

/// A text with one byte-level edit: a deletion, an insertion of a JSON
/// punctuation or control byte, or a replacement; kept when still UTF-8.
fn arb_mutated() -> impl Strategy<Value = String> {
    let bytes = prop::sample::select(b"{}[],:\"\\-+.eE0123456789tfnu \t\n\x00\x1fa".to_vec());
    (arb_text(), any::<prop::sample::Index>(), 0u8..3, bytes).prop_map(|(t, at, how, byte)| {
        let mut b = t.into_bytes();
        if b.is_empty() {
            return String::new();
        }
        let i = at.index(b.len());
        match how {
            0 => {
                b.remove(i);
            }
            1 => b.insert(i, byte),
            _ => b[i] = byte,
        }
        String::from_utf8(b).unwrap_or_default()
    })
}

/// A generated text with bytes past ASCII written into it or one byte
/// taken out: lone bytes that are never UTF-8, pieces of sequences and
/// whole characters, so that the result is sometimes UTF-8 and sometimes
/// not, mostly inside strings (the texts are mostly strings).
fn arb_past_ascii() -> impl Strategy<Value = Vec<u8>> {
    let pieces: Vec<&'static [u8]> = vec![
        b"\x80",
        b"\xbf",
        b"\xc0",
        b"\xc3",
        b"\xe2\x82",
        b"\xed\xa0",
        b"\xf0\x9f",
        b"\xf4\x90",
        b"\xf5",
        b"\xff",
        b"\xc3\xa9",
        b"\xe2\x82\xac",
        b"\xf0\x9f\x98\x80",
    ];
    let edit = (
        any::<prop::sample::Index>(),
        prop::sample::select(pieces),
        any::<bool>(),
    );
    (arb_text(), prop::collection::vec(edit, 1..4)).prop_map(|(text, edits)| {
        let mut b = text.into_bytes();
        for (at, piece, remove) in edits {
            let i = at.index(b.len() + 1);
            if remove && i < b.len() {
                b.remove(i);
            } else {
                b.splice(i..i, piece.iter().copied());
            }
        }
        b
    })
}

proptest! {
    // A failing case is kept beside this file, not in a folder at the
    // top of the repository.
    #![proptest_config(crate::proptest_config::kept_beside(2048))]

    #[test]
    fn generated_texts_are_settled_like_serde_json(text in arb_text()) {
        prop_assert!(check(text.as_bytes()).is_well_formed(), "{:?}", text);
    }

    #[test]
    fn mutated_texts_are_never_accepted_wrongly(text in arb_mutated()) {
        agrees(&text).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn bytes_past_ascii_are_never_accepted_wrongly(bytes in arb_past_ascii()) {
        agrees_on_bytes(&bytes).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn arbitrary_ascii_is_never_accepted_wrongly(text in "[ -~\t\n\r]{0,40}") {
        agrees(&text).map_err(TestCaseError::fail)?;
    }
}

/// Where the `resources` value of `text` starts, when it may be read alone.
fn resources_at(text: &str) -> Option<usize> {
    match check(text.as_bytes()) {
        Verdict::WellFormed { resources: at } => at,
        Verdict::Unsure => None,
    }
}

/// The one value at the start of `text`.
fn first_value(text: &str) -> Value {
    Value::deserialize(&mut serde_json::Deserializer::from_str(text)).unwrap()
}

/// What decoding the whole text and taking `resources` gives, when the
/// scan says its value may be read alone.
fn member_agrees(text: &str) -> Result<(), TestCaseError> {
    if let Some(at) = resources_at(text) {
        let whole: Value = serde_json::from_str(text).unwrap();
        prop_assert_eq!(
            Some(&first_value(&text[at..])),
            whole.get("resources"),
            "{}",
            text
        );
    }
    Ok(())
}

#[test]
fn the_resources_value_is_found_or_declined() {
    let text = r#" { "meta" : {"a": [1, {"b": "x,}]"}]}, "resources" :[ "a", {"c": []} ] , "errors": [] } "#;
    let at = resources_at(text).unwrap();
    assert!(text[at..].starts_with(r#"[ "a", {"c": []} ] ,"#));
    assert_eq!(first_value(&text[at..]), json!(["a", {"c": []}]));
    for first in [
        r#"{"resources":7,"meta":{}}"#,
        r#"{ "resources":7}"#,
        r#"{"meta":{},"resources":7}"#,
    ] {
        assert_eq!(
            first_value(&first[resources_at(first).unwrap()..]),
            json!(7),
            "{first}"
        );
    }
    for declined in [
        r#"{"resources": [1], "resources": [2]}"#,
        r#"{"resources": [1] , "resources": [2]}"#,
        r#"{"resourc\u0065s": [1]}"#,
        r#"{"resources": ["\ud800"]}"#,
        r#"{"meta": "a\"b", "resources": [1]}"#,
        r#"{"resources_": [1]}"#,
        r#"{"resource": [1]}"#,
        r#"{"meta": {"resources": [1]}}"#,
        r#"{"meta": {}}"#,
        r#"{}"#,
        r#"[{"resources": [1]}]"#,
        r#""resources""#,
        r#"{"resources": [1]"#,
    ] {
        assert_eq!(resources_at(declined), None, "{declined}");
    }
    let deep = |n: usize| format!(r#"{{"resources": {}1{}}}"#, "[".repeat(n), "]".repeat(n));
    assert_eq!(resources_at(&deep(101)), None);
    assert!(resources_at(&deep(100)).is_some());
    let deep_elsewhere = format!(
        r#"{{"meta": {}1{}, "resources": 1}}"#,
        "[".repeat(101),
        "]".repeat(101)
    );
    assert_eq!(resources_at(&deep_elsewhere), None);
}

proptest! {
    #![proptest_config(crate::proptest_config::kept_beside(512))]

    #[test]
    fn the_resources_value_alone_is_the_member_of_the_whole(
        meta in arb_value(),
        members in arb_value(),
        more in arb_value(),
        order in 0usize..3,
        pretty in any::<bool>(),
    ) {
        let members = [("meta", meta), ("resources", members), ("errors", more)];
        let mut map = serde_json::Map::new();
        for k in 0..3 {
            let (name, v) = &members[(order + k) % 3];
            map.insert(name.to_string(), v.clone());
        }
        let whole = Value::Object(map);
        let text = if pretty {
            serde_json::to_string_pretty(&whole).unwrap()
        } else {
            serde_json::to_string(&whole).unwrap()
        };
        member_agrees(&text)?;
        // Texts of values without escapes are always answered.
        if !text.contains('\\') {
            prop_assert!(resources_at(&text).is_some(), "{}", text);
        }
    }

    #[test]
    fn any_value_at_the_top_is_read_alike(v in arb_value()) {
        member_agrees(&serde_json::to_string(&v).unwrap())?;
        member_agrees(&serde_json::to_string(&json!({"resources": v})).unwrap())?;
    }
}
