//! Strategies shared by the property tests and the time-bounded fuzz run:
//! arbitrary JSON, and argument objects whose keys are mostly names the
//! operation knows.

use falcon_harness::catalog;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

pub fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        "@[a-z/]{0,8}".prop_map(Value::String),
        "(GET|post|PATCH|x),/[a-z./%?=&]{0,10}".prop_map(Value::String),
        "[a-z0-9]{1,4}(,[a-z0-9 ]{0,4}){0,3}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

pub fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "body",
            "parameters",
            "headers",
            "data",
            "files",
            "content_type",
            "ids",
            "override",
            "content",
            "file",
            "path",
            "filename",
            "content_base64",
            "Content-Type",
            "limit",
            "filter",
            "id",
            "ID",
        ])
        .prop_map(str::to_string),
        ".{0,8}",
    ]
}

/// Argument objects whose keys are mostly names the operation knows.
pub fn arb_args(op_index: usize) -> impl Strategy<Value = Value> {
    let op = catalog::operations().nth(op_index).unwrap();
    let mut names: Vec<String> = op.params().iter().map(|p| p.name().to_string()).collect();
    names.extend(
        op.params()
            .iter()
            .flat_map(|p| p.aliases().iter().map(|a| a.to_string())),
    );
    if let Some(b) = op.body() {
        names.extend(b.fields().iter().map(|f| f.name().to_string()));
    }
    names.push("body".into());
    let named = if names.is_empty() {
        vec!["x".to_string()]
    } else {
        names
    };
    let k = prop_oneof![3 => prop::sample::select(named), 1 => key()];
    prop_oneof![
        8 => prop::collection::vec((k, arb_json()), 0..6)
            .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        1 => arb_json(),
    ]
}

pub fn op_and_args() -> impl Strategy<Value = (usize, Value)> {
    (0..catalog::len()).prop_flat_map(|i| (Just(i), arb_args(i)))
}

pub fn http_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}
