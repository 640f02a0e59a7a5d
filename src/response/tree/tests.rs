use super::{first, whole, Key, Stacks, DEPTH, KEEP, STACKS};
use crate::test_values::{arb_value, JSON_TEXTS};
use proptest::prelude::*;
use serde_json::Value;

/// The reference: the value `serde_json` decodes, if any.
fn reference(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

/// What the builder gives is the reference's value; `built` says whether
/// it gave one.
fn agrees(text: &str) -> Result<bool, String> {
    let built = whole(text);
    if built.is_some() && built != reference(text) {
        return Err(format!(
            "built {built:?}, serde_json decodes {:?}, from {text:?}",
            reference(text)
        ));
    }
    Ok(built.is_some())
}

#[test]
fn builds_what_serde_json_decodes() {
    // The texts of the arrival check's tests, well-formed and not: none
    // is one the builder leaves to serde_json as a whole, so it builds
    // exactly what serde_json decodes, or nothing where serde_json
    // decodes nothing.
    for text in JSON_TEXTS {
        assert_eq!(whole(text), reference(text), "{text:?}");
    }
    // Numbers read here and numbers left to serde_json, repeated and
    // escaped keys.
    let cases = [
        "20",
        "-5",
        "1.0",
        "1.50",
        "-1E-7",
        "9999999999999999999",
        "18446744073709551615",
        "18446744073709551616",
        "123456789012345678901234567890",
        r#"{"a":1,"b":2,"a":3}"#,
        r#"{"a\u0062":1,"ab":2}"#,
        r#"[{"x":[]},{"y":{}},[[],[{}]]]"#,
    ];
    for text in cases {
        assert_eq!(agrees(text), Ok(true), "{text}");
    }
    // Escapes: every kind, pairs of surrogates, and lone ones (which
    // serde_json refuses, and the builder leaves to it).
    let escaped = [
        r#"["\\ \/ \b \f \n \r \t \"", "C:\\Windows\\"]"#,
        r#""\u0000\u001f\u007f\u0080\u07FF\u0800\uffff""#,
        r#""\uDBFF\uDFFF \ud83d\ude00 \uD800\uDC00""#,
        r#"{"\n": "\t", "k\u00e9": 1}"#,
    ];
    for text in escaped {
        assert_eq!(agrees(text), Ok(true), "{text}");
    }
    for lone in [
        r#""\ud800""#,
        r#""\udc00""#,
        r#""\ud800\u0041""#,
        r#""\udc00\ud800""#,
        r#""x\ud800y""#,
        r#""\ud800\n""#,
    ] {
        assert_eq!(whole(lone), None, "{lone}");
        assert_eq!(reference(lone), None, "{lone}");
    }
}

#[test]
fn leaves_to_serde_json_what_it_reads_its_own_way() {
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let cases = [
        // serde_json's marker of an exact number, and of raw JSON.
        r#"{"$serde_json::private::Number":"12"}"#.to_string(),
        r#"{"a":{"$serde_json::private::RawValue":"[]"}}"#.to_string(),
        // A lone surrogate: no string can hold it.
        r#"["\ud800"]"#.to_string(),
        r#"{"\udc00":1}"#.to_string(),
        // Deeper than the builder follows, and than serde_json does.
        deep(DEPTH + 1),
        deep(200),
        // Not a whole text.
        "[1] 2".to_string(),
        "[1".to_string(),
        "".to_string(),
    ];
    for text in cases {
        assert_eq!(agrees(&text), Ok(false), "{text}");
    }
    assert_eq!(agrees(&deep(DEPTH)), Ok(true));
}

/// The stacks a thread keeps for its next text: empty, and no larger
/// than [`KEEP`].
fn kept_stacks_are_empty_and_bounded() {
    let Stacks {
        keys,
        items,
        unescaped,
        shapes: _,
    } = STACKS.take();
    assert!(keys.is_empty() && items.is_empty() && unescaped.is_empty());
    assert!(keys.capacity() * std::mem::size_of::<Key>() <= KEEP);
    assert!(items.capacity() * std::mem::size_of::<Value>() <= KEEP);
    assert!(unescaped.capacity() <= KEEP);
}

#[test]
fn a_thread_keeps_empty_bounded_stacks_between_texts() {
    // Given up on deep inside (a lone surrogate), with members and items
    // on the stacks, and built after: the next text reads as it should.
    let given_up = r#"{"a": 1, "b": [2, {"c": "x", "d": "\ud800"}], "e": 3}"#;
    assert_eq!(whole(given_up), None);
    kept_stacks_are_empty_and_bounded();
    assert_eq!(whole(given_up), None);
    assert_eq!(
        whole(r#"[3, {"d": "\n"}]"#),
        Some(serde_json::json!([3, {"d": "\n"}]))
    );
    kept_stacks_are_empty_and_bounded();
    // Far more members, items and escaped text than the room kept.
    let mut big = serde_json::Map::new();
    for i in 0..2000 {
        big.insert(
            format!("k{i}"),
            Value::from(vec![Value::from("\n".repeat(20)); 3]),
        );
    }
    big.insert("long".into(), Value::from("\n".repeat(2 * KEEP)));
    big.insert("list".into(), Value::from((0..KEEP).collect::<Vec<_>>()));
    let text = Value::Object(big).to_string();
    assert_eq!(whole(&text), reference(&text));
    kept_stacks_are_empty_and_bounded();
}

#[test]
fn objects_of_a_kept_shape_are_what_serde_json_decodes() {
    // The same keys in the same order (plain or escaped), in another
    // order, one more or one fewer, a repeated key, nested objects of
    // the shape: each object is what serde_json decodes, read once and
    // again (the second time every shape is kept).
    let text = r#"[
        {"id": "a", "n": 1, "tags": ["x"]},
        {"id": "b", "n": 2, "tags": []},
        {"i\u0064": "c", "n": 3, "tags": [{"id": "d", "n": 4, "tags": null}]},
        {"n": 5, "id": "e", "tags": []},
        {"id": "f", "n": 6},
        {"id": "g", "n": 7, "tags": [], "more": true},
        {"id": "h", "n": 8, "id": "i"},
        {"id": "j", "n": 9, "tags": {"id": 1, "n": 2, "tags": 3}}
    ]"#;
    for _ in 0..3 {
        assert_eq!(agrees(text), Ok(true));
        let Some(Value::Array(objects)) = whole(text) else {
            panic!("not built");
        };
        let keys: Vec<Vec<&str>> = objects
            .iter()
            .map(|o| o.as_object().unwrap().keys().map(String::as_str).collect())
            .collect();
        assert_eq!(keys[2], ["id", "n", "tags"]);
        assert_eq!(keys[3], ["n", "id", "tags"]);
        assert_eq!(keys[6], ["id", "n"]);
        assert_eq!(objects[6]["id"], "i", "a repeated key's last value");
        assert_eq!(objects[7]["tags"]["n"], 2, "looked up by its hash");
    }
}

#[test]
fn first_reads_one_value_and_not_what_follows() {
    assert_eq!(
        first(r#"["a",{"b":2}],"errors":[]}"#),
        Some(serde_json::json!(["a", {"b": 2}]))
    );
    assert_eq!(first(" 7 , oops"), Some(serde_json::json!(7)));
    assert_eq!(first("[1,"), None);
}

proptest! {
    #![proptest_config(crate::proptest_config::kept_beside(1024))]

    /// Any value, written compactly or pretty, is built as serde_json
    /// decodes it: the builder never gives up on one (no generated key
    /// is a marker, and the values nest five levels at most).
    #[test]
    fn builds_every_generated_value(value in arb_value(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&value).unwrap()
        } else {
            serde_json::to_string(&value).unwrap()
        };
        prop_assert_eq!(agrees(&text), Ok(true));
        prop_assert_eq!(whole(&text), Some(value));
    }

    /// A string of `\u` escapes of any UTF-16 code units (surrogates,
    /// paired or not, included), in either case of hex digits, between
    /// plain text: the builder gives what serde_json decodes, or nothing
    /// where serde_json refuses it.
    #[test]
    fn reads_unicode_escapes_as_serde_json_does(
        units in prop::collection::vec((any::<u16>(), any::<bool>(), "[a-z ]{0,3}"), 0..8)
    ) {
        let mut text = String::from("\"");
        for (unit, upper, plain) in &units {
            if *upper {
                text.push_str(&format!("\\u{unit:04X}{plain}"));
            } else {
                text.push_str(&format!("\\u{unit:04x}{plain}"));
            }
        }
        text.push('"');
        prop_assert_eq!(whole(&text), reference(&text), "{}", text);
    }

    /// Cut or changed texts: whatever the builder gives is what serde_json
    /// decodes.
    #[test]
    fn never_builds_a_different_value(value in arb_value(), cut in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let text = serde_json::to_string(&value).unwrap();
        let mut bytes = text.into_bytes();
        let at = cut.index(bytes.len() + 1);
        bytes.insert(at.min(bytes.len()), byte);
        if let Ok(text) = String::from_utf8(bytes.clone()) {
            prop_assert!(agrees(&text).is_ok(), "{:?}", agrees(&text));
        }
        bytes.truncate(at);
        if let Ok(text) = String::from_utf8(bytes) {
            prop_assert!(agrees(&text).is_ok(), "{:?}", agrees(&text));
        }
    }
}
