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
