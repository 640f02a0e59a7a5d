//! What a request is planned for: an operation of the table, or a manual
//! route given as `override` (`"METHOD,/route"`), which the planner
//! treats as an operation with no declared parameters.

use super::encode;
use crate::error::Error;
use crate::operation::{Method, Operation};
use serde_json::Value;
use std::borrow::Cow;

/// The target of one plan.
pub(crate) enum Target {
    /// An operation of the table.
    Op(&'static Operation),
    /// A manual route.
    Route(Route),
}

impl Target {
    /// The name errors and warnings carry: the operation ID, or the
    /// method and path of a manual route (`GET /custom/route`).
    pub(crate) fn name(&self) -> &str {
        match self {
            Target::Op(op) => op.id(),
            Target::Route(r) => &r.name,
        }
    }

    /// The operation, for a table operation.
    pub(crate) fn op(&self) -> Option<&'static Operation> {
        match self {
            Target::Op(op) => Some(op),
            Target::Route(_) => None,
        }
    }
}

/// A parsed `override`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Route {
    /// The `override` text as given.
    pub(crate) spec: String,
    pub(crate) method: Method,
    /// The normalised path.
    pub(crate) path: String,
    /// The pairs of a `?query` in the route.
    pub(crate) query: Vec<(Cow<'static, str>, String)>,
    /// `METHOD /path`, for messages.
    pub(crate) name: String,
}

/// The operation name of errors about the `override` text itself (there
/// is no route yet to name).
const OVERRIDE: &str = "override";

impl Route {
    /// Parses `"METHOD,/route"` into the method, the normalised path and
    /// the query pairs of a `?query` in the route.
    pub(crate) fn parse(spec: &str) -> Result<Route, Error> {
        let bad = |why: &str| {
            Error::argument(
                OVERRIDE,
                OVERRIDE,
                format!(
                    "expected \"METHOD,/route\" (e.g. \"GET,/incidents/queries/incidents/v1\"); {why}"
                ),
            )
        };
        let Some((method, route)) = spec.split_once(',') else {
            return Err(bad("no comma"));
        };
        let method = Method::parse(method.trim()).ok_or_else(|| {
            let names = Method::ALL.iter().map(|m| m.as_str());
            let guess = crate::suggest::closest(method.trim(), names.clone())
                .first()
                .map(|m| format!("did you mean {m}? "))
                .unwrap_or_default();
            let all: Vec<&str> = names.collect();
            bad(&format!(
                "unknown method {:?}; {guess}({})",
                method.trim(),
                all.join(", ")
            ))
        })?;
        let route = route.trim();
        if !route.starts_with('/') || route.starts_with("//") {
            return Err(bad("the route must start with a single \"/\""));
        }
        if route.contains('#') {
            return Err(bad("the route must not contain \"#\""));
        }
        let (path, query) = route.split_once('?').unwrap_or((route, ""));
        let path = encode::override_path(OVERRIDE, path)?;
        let query = url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (Cow::Owned(k.into_owned()), v.into_owned()))
            .collect();
        Ok(Route {
            spec: spec.to_string(),
            name: format!("{} {path}", method.as_str()),
            method,
            path,
            query,
        })
    }
}

/// Whether `v` is an `override` route (a string that starts with a
/// method and a comma).
pub(crate) fn looks_like_route(v: &Value) -> bool {
    v.as_str()
        .and_then(|s| s.split_once(','))
        .is_some_and(|(m, _)| Method::parse(m.trim()).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn routes_parse() {
        let r = Route::parse("get, /a/b c?limit=1&x=%20y").unwrap();
        assert_eq!(r.method, Method::Get);
        assert_eq!(r.path, "/a/b%20c");
        assert_eq!(r.name, "GET /a/b%20c");
        assert_eq!(
            r.query,
            vec![("limit".into(), "1".into()), ("x".into(), " y".into())]
        );
        let e = Route::parse("GTE,/a").unwrap_err().to_string();
        assert!(
            e.contains("unknown method \"GTE\"; did you mean GET?"),
            "{e}"
        );
        for bad in [
            "GET/a",
            "FETCH,/a",
            "GET,a",
            "GET,//evil.example/a",
            "GET,/a#f",
            "GET,/a/../b",
        ] {
            assert!(Route::parse(bad).is_err(), "{bad}");
        }
        assert!(looks_like_route(&json!("POST,/x")));
        assert!(!looks_like_route(&json!(true)));
        assert!(!looks_like_route(&json!("yes")));
    }
}
