//! Property tests: arbitrary JSON never panics the planner, and the
//! query string and path segments round-trip through a standard URL
//! parser.

mod support;

use falcon_harness::{catalog, router, Error, PlanOptions};
use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use serde_json::json;
use support::arb::{arb_json, http_token, op_and_args};

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

        // A multi-valued list: each element is one repeated key. A blank
        // element is refused in strict mode and sent as given in lenient
        // mode.
        let op = catalog::operation("getPreventionPolicies").unwrap();
        let blank = ids.iter().any(String::is_empty);
        for lenient in [false, true] {
            let planned = router::plan(op, &json!({"ids": ids}), &PlanOptions { lenient });
            let plan = match planned {
                Err(Error::Argument(e)) if blank && !lenient => {
                    prop_assert!(e.expected.contains("is empty"), "{e}");
                    continue;
                }
                other => other.unwrap(),
            };
            prop_assert_eq!(plan.warnings.len(), usize::from(blank));
            let url = url::Url::parse(&format!("https://api.example{}", plan.path_and_query())).unwrap();
            let got: Vec<String> = url.query_pairs().map(|(_, v)| v.into_owned()).collect();
            prop_assert_eq!(&got, &ids);
        }
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
