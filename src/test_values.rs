//! Arbitrary JSON values for the library's proptests, in one place.

use proptest::prelude::*;
use serde_json::Value;

/// Characters chosen to hit every path: controls serde_json escapes and
/// those it leaves raw, other non-ASCII text, quotes and backslashes.
pub(crate) const STRING: &str = "[ -~\u{0}-\u{1f}\u{7f}-\u{a0}é∑😀\u{200e}\u{200f}\u{2028}-\u{202e}\u{2066}-\u{2069}\\\\\"]{0,40}";

/// Arbitrary JSON values: every kind, nested up to five levels.
pub(crate) fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        STRING.prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(STRING, inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// JSON texts that take every path of a reader of JSON: well-formed ones
/// (nesting, blanks, escapes, numbers, a repeated key, text past ASCII)
/// and near misses of them; serde_json is the judge of which is which.
pub(crate) const JSON_TEXTS: &[&str] = &[
    // Well-formed.
    "{}",
    "[]",
    " [ ] ",
    "\t{\n}\r\n",
    "0",
    "-0",
    "1.5e-7",
    "-12E+3",
    "1e400",
    "true",
    "false",
    "null",
    r#""""#,
    r#""a\"b\\c\/d\b\f\n\r\t""#,
    r#""\u00e9\uD800\udc00""#,
    r#"{"a":1,"b":[1,2,{"c":null}],"d":{"e":"f"}}"#,
    "[[[[[]]]]]",
    r#"["é", "😀"]"#,
    r#"{"k" : "v" , "k" : 2}"#,
    "\u{7f}",
    r#""0123456789abcdef0123456789abcdef""#,
    r#""0123456789abcdef\"0123456789abcdef""#,
    // Refused.
    "",
    " ",
    "{",
    "}",
    "[",
    "]",
    "[1,]",
    "[,1]",
    "{,}",
    r#"{"a":1,}"#,
    r#"{"a"}"#,
    r#"{"a":}"#,
    r#"{a:1}"#,
    "{1:2}",
    "01",
    "-",
    "-a",
    "1.",
    ".5",
    "1e",
    "1e+",
    "+1",
    "1.e5",
    "tru",
    "truex",
    "nul",
    "[true false]",
    r#""abc"#,
    r#""\x""#,
    r#""\u12""#,
    r#""\u12g4""#,
    "\"a\u{1}b\"",
    "\"tab\there\"",
    "1 2",
    "[] []",
    "\u{feff}[]",
    "NaN",
    "[1]x",
    r#"{"a":1"b":2}"#,
    "[\"0123456789abcdef0123456789\u{0}\"]",
    // The common cases taken first, and their near misses: a key
    // right after `{` or `,`, its colon right after it, no blanks.
    r#"{"a":1,"b":"c","d":[1,"e"],"f":{"g":null}}"#,
    r#"{ "a" : 1 , "b"  :"c" ,"d":[ 1 ,"e" ] }"#,
    "{\n  \"a\": 1,\n  \"b\": [\n    2\n  ]\n}\n",
    r#"["a","b",["c","d"],{"e":"f"}]"#,
    r#"{"a":1,"b"}"#,
    r#"{"a":1,"b":}"#,
    r#"{"a":1,"b"2}"#,
    r#"{"a":1,,"b":2}"#,
    r#"{"a":1,}"#,
    r#"{"a":1, }"#,
    r#"["a","b":1]"#,
    r#"{"a":1]"#,
    r#"[1}"#,
    r#"{"a":[1}}"#,
    "1\u{0}",
    "[1\u{0}]",
    r#"{"a":1"#,
    "[\"a\"\u{0}]",
    // Strings in the last eight bytes, taken a byte at a time.
    r#"["ab\"c"]"#,
    r#"["a\u00e9"]"#,
    r#"["\\"]"#,
    r#"["ab\x"]"#,
    r#"["ab\u12"]"#,
    "[\"a\tb\"]",
    r#""abcdefghijklmnop\"qrstu\\v\u0041w""#,
];
