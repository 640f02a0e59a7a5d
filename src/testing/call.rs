//! One request as the fake saw it: what the test's assertions and the
//! CLI's request log read.

use serde_json::{Map, Value};

/// One request the fake received.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// HTTP method.
    pub method: String,
    /// Path and query as sent.
    pub target: String,
    /// The operation, when the request decoded.
    pub operation: Option<&'static str>,
    /// The decoded arguments (`null` when it did not decode).
    pub args: Value,
    /// The status answered (0 for a dropped connection).
    pub status: u16,
    /// Why it counts as a failure of the test, if it does.
    pub failure: Option<String>,
}

impl Call {
    pub(crate) fn failed(
        method: &str,
        target: &str,
        op: Option<&'static str>,
        args: Value,
        status: u16,
        why: String,
    ) -> Call {
        Call {
            method: method.to_string(),
            target: target.to_string(),
            operation: op,
            args,
            status,
            failure: Some(why),
        }
    }

    /// The call as one JSON object: `op`, `args`, `status`, `method`,
    /// `target`, and `error` for a failure.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert(
            "op".into(),
            self.operation
                .map_or(Value::Null, |o| Value::String(o.into())),
        );
        m.insert("args".into(), self.args.clone());
        m.insert("status".into(), Value::from(self.status));
        m.insert("method".into(), Value::String(self.method.clone()));
        m.insert("target".into(), Value::String(self.target.clone()));
        if let Some(f) = &self.failure {
            m.insert("error".into(), Value::String(f.clone()));
        }
        Value::Object(m)
    }
}
