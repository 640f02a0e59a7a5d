//! A JSON request body as the text that is sent, written once when the
//! request is planned.

use bytes::Bytes;
use serde_json::Value;
use std::fmt;

/// A JSON request body: its compact text, written once when the request
/// is planned, and sent as it is by every attempt. Two bodies are equal
/// when their texts are the same JSON value (members in any order), as
/// two `Value`s are.
///
/// ```
/// use falcon_harness::{catalog, router, JsonBody, PlanOptions, PlannedBody};
/// use serde_json::json;
/// let op = catalog::operation("GetIncidents").unwrap();
/// let plan = router::plan(op, &json!({"ids": ["inc:1"]}), &PlanOptions::default()).unwrap();
/// let PlannedBody::Json(body) = &plan.body else { panic!("a JSON body") };
/// assert_eq!(body.as_bytes(), br#"{"ids":["inc:1"]}"#);
/// assert_eq!(body.to_value(), Some(json!({"ids": ["inc:1"]})));
/// assert_eq!(plan.body, PlannedBody::Json(JsonBody::new(&json!({"ids": ["inc:1"]}))));
/// ```
#[derive(Clone)]
pub struct JsonBody(Bytes);

impl JsonBody {
    /// The body of `value`, written as `serde_json::to_vec` writes it.
    pub fn new(value: &Value) -> JsonBody {
        JsonBody(crate::json_bytes::to_vec(value).into())
    }

    /// A body from text written by [`crate::json_bytes`].
    pub(crate) fn written(text: Vec<u8>) -> JsonBody {
        JsonBody(text.into())
    }

    /// The text, as sent.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The text as shared bytes (a clone shares them).
    pub fn bytes(&self) -> &Bytes {
        &self.0
    }

    /// The body as a JSON value. `None` only for a body nested deeper
    /// than the JSON parser reads (128 levels).
    pub fn to_value(&self) -> Option<Value> {
        serde_json::from_slice(&self.0).ok()
    }
}

impl From<Value> for JsonBody {
    fn from(value: Value) -> JsonBody {
        JsonBody::new(&value)
    }
}

impl From<&Value> for JsonBody {
    fn from(value: &Value) -> JsonBody {
        JsonBody::new(value)
    }
}

impl PartialEq for JsonBody {
    fn eq(&self, other: &JsonBody) -> bool {
        self.0 == other.0
            || matches!((self.to_value(), other.to_value()), (Some(a), Some(b)) if a == b)
    }
}

impl fmt::Debug for JsonBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("JsonBody")
            .field(&String::from_utf8_lossy(&self.0))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::JsonBody;
    use crate::operation::{Host, Method};
    use crate::plan::{PlannedBody, RequestPlan};
    use serde_json::json;

    #[test]
    fn json_bodies_are_equal_as_json_values() {
        let a = JsonBody::new(&json!({"a": 1, "b": [true]}));
        assert_eq!(a.as_bytes(), br#"{"a":1,"b":[true]}"#);
        assert_eq!(a, JsonBody::new(&json!({"b": [true], "a": 1})));
        assert_ne!(a, JsonBody::new(&json!({"a": 1})));
        assert_eq!(format!("{a:?}"), r#"JsonBody("{\"a\":1,\"b\":[true]}")"#);
    }

    #[test]
    fn a_body_too_deep_to_read_back_shows_its_size_in_the_dry_run() {
        let mut deep = json!(1);
        for _ in 0..200 {
            deep = json!([deep]);
        }
        let body = JsonBody::new(&deep);
        assert_eq!(body.to_value(), None);
        let plan = RequestPlan {
            operation: "override",
            method: Method::Post,
            host: Host::Api,
            path: "/a".into(),
            query: vec![],
            headers: vec![],
            body: PlannedBody::Json(body.clone()),
            warnings: vec![],
        };
        let view = plan.to_json("http://127.0.0.1:1");
        assert_eq!(view["body"], json!({"json_bytes": body.as_bytes().len()}));
        // Equal to itself by its bytes.
        assert_eq!(plan.body, PlannedBody::Json(body));
    }
}
