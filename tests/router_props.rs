//! Property tests: arbitrary JSON never panics the planner, and the
//! query string and path segments round-trip through a standard URL
//! parser.

use falcon_harness::{catalog, router, Error, PlanOptions};
use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn arb_json() -> impl Strategy<Value = Value> {
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

fn key() -> impl Strategy<Value = String> {
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
fn arb_args(op_index: usize) -> impl Strategy<Value = Value> {
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

fn op_and_args() -> impl Strategy<Value = (usize, Value)> {
    (0..catalog::len()).prop_flat_map(|i| (Just(i), arb_args(i)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics((i, args) in op_and_args(), lenient in any::<bool>()) {
        let op = catalog::operations().nth(i).unwrap();
        match router::plan(op, &args, &PlanOptions { lenient }) {
            Ok(plan) => {
                // Whatever is planned is a well-formed request.
                prop_assert!(plan.path.starts_with('/'));
                let url = url::Url::parse(&format!("https://api.example{}", plan.path_and_query()));
                prop_assert!(url.is_ok(), "{:?}", plan.path_and_query());
                for (name, value) in &plan.headers {
                    prop_assert!(http_token(name), "{name:?}");
                    prop_assert!(value.bytes().all(|b| b == b'\t' || (b' '..=b'~').contains(&b)));
                }
                let _ = plan.to_json("https://api.example/");
            }
            Err(e) => prop_assert!(matches!(e, Error::Argument(_)), "{e:?}"),
        }
    }

    #[test]
    fn override_specs_never_panic(spec in ".{0,24}", args in arb_json()) {
        if let Ok(plan) = router::plan_override(&spec, &args, &PlanOptions::default()) {
            let url = url::Url::parse(&format!("https://api.example{}", plan.path_and_query()));
            prop_assert!(url.is_ok());
            // A manual route never climbs out of the path it names.
            let url = url.unwrap();
            prop_assert!(!url.path_segments().unwrap().any(|s| s == ".."));
            prop_assert_eq!(url.host_str(), Some("api.example"));
        }
    }

    #[test]
    fn query_values_round_trip(filter in any::<String>(), ids in prop::collection::vec(any::<String>(), 1..4)) {
        let op = catalog::operation("QueryIncidents").unwrap();
        let plan = router::plan(op, &json!({"filter": filter}), &PlanOptions::default()).unwrap();
        let url = url::Url::parse(&format!("https://api.example{}", plan.path_and_query())).unwrap();
        let pairs: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
        prop_assert_eq!(pairs, vec![("filter".to_string(), filter)]);

        // A multi-valued list: each element is one repeated key.
        let op = catalog::operation("getPreventionPolicies").unwrap();
        let plan = router::plan(op, &json!({"ids": ids}), &PlanOptions::default()).unwrap();
        let url = url::Url::parse(&format!("https://api.example{}", plan.path_and_query())).unwrap();
        let got: Vec<String> = url.query_pairs().map(|(_, v)| v.into_owned()).collect();
        prop_assert_eq!(got, ids);
    }

    #[test]
    fn path_segments_round_trip(name in any::<String>()) {
        prop_assume!(!matches!(name.as_str(), "" | "." | ".."));
        let op = catalog::operation("PutObject").unwrap();
        let args = json!({"collection_name": name, "object_key": "k", "body": "x"});
        let plan = router::plan(op, &args, &PlanOptions::default()).unwrap();
        let url = url::Url::parse(&format!("https://api.example{}", plan.path)).unwrap();
        let segments: Vec<&str> = url.path_segments().unwrap().collect();
        prop_assert_eq!(segments.len(), 6);
        prop_assert_eq!(percent_decode_str(segments[3]).decode_utf8().unwrap(), name.as_str());
    }
}

fn http_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}
