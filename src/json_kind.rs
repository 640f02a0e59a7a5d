//! The kind of a JSON value, as messages name it ("a string", "a list",
//! ...), shared by the router's argument errors and the CLI's input
//! errors.

use serde_json::Value;

/// The kind of `v` with its article: `null`, `a boolean`, `a number`,
/// `a string`, `a list` or `an object`.
///
/// ```
/// use falcon_harness::json_kind;
/// assert_eq!(json_kind::name(&serde_json::json!([1])), "a list");
/// assert_eq!(json_kind::name(&serde_json::json!({})), "an object");
/// ```
pub fn name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
