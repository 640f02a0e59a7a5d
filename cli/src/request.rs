//! What one call names: an operation, or a manual `override` route
//! (`"METHOD,/route"`, falconpy's `override`), and planning it.

use falcon_harness::operation::Operation;
use falcon_harness::{router, Error, PlanOptions, RequestPlan};
use serde_json::Value;

/// The target of one call: [`falcon_harness::Target`] narrowed to the two
/// forms a call has once the CLI has resolved its name (at argument
/// parsing, so that the arguments are read with the operation's types and
/// a bad name is reported before anything else). The library's type also
/// holds an unresolved name and a finished plan, which a call never is
/// here; [`From`] gives the library's form for sending.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// An operation of the table.
    Op(&'static Operation),
    /// A manual request: `"METHOD,/route"`.
    Override(String),
}

impl Target {
    /// The operation, when the target is one.
    pub fn op(&self) -> Option<&'static Operation> {
        match self {
            Target::Op(op) => Some(op),
            Target::Override(_) => None,
        }
    }

    /// The operation ID, or `override`.
    pub fn name(&self) -> &'static str {
        match self {
            Target::Op(op) => op.id(),
            Target::Override(_) => "override",
        }
    }

    /// Plans the call (nothing is sent).
    ///
    /// ```
    /// use falcon_harness_cli::request::Target;
    /// use serde_json::json;
    ///
    /// let t = Target::Override("GET,/x/v1".into());
    /// let plan = t.plan(&json!({"parameters": {"a": 1}}), &Default::default()).unwrap();
    /// assert_eq!(plan.path_and_query(), "/x/v1?a=1");
    /// ```
    pub fn plan(&self, args: &Value, opts: &PlanOptions) -> Result<RequestPlan, Error> {
        match self {
            Target::Op(op) => router::plan(op, args, opts),
            Target::Override(route) => router::plan_override(route, args, opts),
        }
    }
}

impl From<Target> for falcon_harness::Target {
    fn from(t: Target) -> falcon_harness::Target {
        match t {
            Target::Op(op) => falcon_harness::Target::from(op),
            Target::Override(route) => falcon_harness::Target::override_route(route),
        }
    }
}
