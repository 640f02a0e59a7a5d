//! The JSON arguments of a request, owned or borrowed.

use serde_json::Value;
use std::borrow::Cow;

/// A request's JSON arguments: an owned [`Value`] or a borrowed one.
/// Planning only reads them, so arguments sent many times (the same
/// query for every child CID, a loop of identical calls) can be lent
/// instead of cloned for each request.
///
/// ```
/// use falcon_harness::Harness;
/// use serde_json::json;
/// let harness = Harness::builder().bearer_token("t").base_url("http://127.0.0.1:1").build()?;
/// let query = json!({"filter": "status:20", "limit": 5});
/// for cid in ["0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"] {
///     // Lent: no copy of `query` per request.
///     let plan = harness.request("QueryIncidents").args(&query).member_cid(cid).plan()?;
///     assert_eq!(plan.query.len(), 2);
/// }
/// // Owned, as built in place.
/// harness.request("QueryIncidents").args(json!({"limit": 1})).plan()?;
/// # Ok::<(), falcon_harness::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Args<'a>(Cow<'a, Value>);

impl Args<'_> {
    /// The arguments as a value.
    pub fn value(&self) -> &Value {
        &self.0
    }

    /// The arguments, owned (cloned when borrowed).
    pub fn into_owned(self) -> Value {
        self.0.into_owned()
    }
}

impl Default for Args<'_> {
    /// No arguments (`null`).
    fn default() -> Self {
        Args(Cow::Owned(Value::Null))
    }
}

impl From<Value> for Args<'_> {
    fn from(v: Value) -> Self {
        Args(Cow::Owned(v))
    }
}

impl<'a> From<&'a Value> for Args<'a> {
    fn from(v: &'a Value) -> Self {
        Args(Cow::Borrowed(v))
    }
}

impl std::ops::Deref for Args<'_> {
    type Target = Value;

    fn deref(&self) -> &Value {
        &self.0
    }
}
