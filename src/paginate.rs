//! Pagination: a [`Stream`] of pages that follows `meta.pagination`
//! (numeric `offset` with `limit`/`total`, `offset` tokens, and `after`
//! tokens), up to a page cap.

use crate::error::Result;
use crate::harness::Harness;
use crate::operation::Operation;
use crate::plan::RequestPlan;
use crate::response::Response;
use futures_util::stream::{self, Stream};
use serde_json::{Map, Value};
use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

/// Offset paging ends where `offset + limit` reaches this; operations
/// with an `after` token page past it.
pub const OFFSET_WINDOW: u64 = 10_500;

/// Turns the arguments of one page into a request plan.
pub type Planner = Arc<dyn Fn(&Value) -> Result<RequestPlan> + Send + Sync>;

/// A stream of pages: each item is one reply, or the error that ended the
/// stream. It ends after the last page, after a reply that is not a
/// success (which is yielded), after an error, or at the page cap.
pub struct Pages {
    inner: Pin<Box<dyn Stream<Item = Result<Response>> + Send>>,
    incomplete: Arc<Mutex<Option<Incomplete>>>,
}

/// Why a stream of pages ended while the API still had more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incomplete {
    /// The page cap was reached.
    PageCap {
        /// The cap.
        pages: usize,
    },
    /// Offset paging reached the API's window (`offset + limit` =
    /// [`OFFSET_WINDOW`]); an operation with `after` tokens, or a
    /// narrower filter, reaches the rest.
    OffsetWindow {
        /// The offset the next page would have started at.
        offset: u64,
        /// The total the API reported, if it did.
        total: Option<u64>,
    },
    /// The server answered with the `after` token or offset it was sent
    /// (or an earlier offset): following it would repeat pages.
    Repeated {
        /// `"after"` or `"offset"`.
        parameter: &'static str,
    },
}

impl fmt::Display for Incomplete {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Incomplete::PageCap { pages } => write!(f, "stopped at the page cap of {pages} pages"),
            Incomplete::OffsetWindow { offset, total } => {
                write!(
                    f,
                    "offset paging stops at {OFFSET_WINDOW} (next offset {offset}"
                )?;
                if let Some(t) = total {
                    write!(f, " of {t}")?;
                }
                write!(
                    f,
                    "); use an operation with `after` tokens or narrow the filter"
                )
            }
            Incomplete::Repeated { parameter } => write!(
                f,
                "the server answered with the `{parameter}` it was sent, so the next page would \
                 repeat one already read; stopped there"
            ),
        }
    }
}

impl fmt::Debug for Pages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pages")
    }
}

impl Stream for Pages {
    type Item = Result<Response>;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

struct State {
    harness: Harness,
    op: &'static Operation,
    planner: Planner,
    args: Option<Value>,
    pages: usize,
    cap: usize,
    incomplete: Arc<Mutex<Option<Incomplete>>>,
}

impl State {
    fn stopped(&self, why: Incomplete) {
        if let Ok(mut g) = self.incomplete.lock() {
            *g = Some(why);
        }
    }
}

/// What follows a page.
enum Next {
    /// The arguments of the next page.
    Page(Value),
    /// That was the last page.
    Done,
    /// More pages exist that paging cannot reach.
    Stop(Incomplete),
}

impl Pages {
    /// Pages of `op` where each page's arguments are planned by `planner`
    /// (for hand-made plans; [`RequestBuilder::pages`](crate::RequestBuilder::pages) uses the operation
    /// table's planner).
    pub fn with_planner(
        harness: &Harness,
        op: &'static Operation,
        args: Value,
        cap: usize,
        planner: Planner,
    ) -> Pages {
        if !is_paged(op) {
            return Pages::failed(not_paged(op));
        }
        let incomplete = Arc::new(Mutex::new(None));
        let state = State {
            harness: harness.clone(),
            op,
            planner,
            args: Some(args),
            pages: 0,
            cap,
            incomplete: incomplete.clone(),
        };
        let s = stream::unfold(state, |mut st| async move {
            let args = st.args.take()?;
            if st.pages >= st.cap {
                tracing::warn!(operation = st.op.id(), cap = st.cap, "page cap reached");
                st.stopped(Incomplete::PageCap { pages: st.cap });
                return None;
            }
            st.pages += 1;
            let reply = match (st.planner)(&args) {
                Ok(plan) => st.harness.execute(plan).await,
                Err(e) => Err(e),
            };
            if let Ok(r) = &reply {
                if r.is_success() {
                    match r.json().map(|body| next_step(st.op, &args, body)) {
                        Some(Next::Page(next)) => st.args = Some(next),
                        Some(Next::Stop(why)) => st.stopped(why),
                        Some(Next::Done) | None => {}
                    }
                }
            }
            Some((reply, st))
        });
        Pages {
            inner: Box::pin(s),
            incomplete,
        }
    }

    /// After the stream has ended: why it stopped while the API had more
    /// pages (the page cap, or the offset window), or `None` when it read
    /// them all (or ended on an error, which it yielded).
    pub fn incomplete(&self) -> Option<Incomplete> {
        self.incomplete.lock().ok().and_then(|g| *g)
    }

    /// A stream with no items.
    #[cfg(feature = "blocking")]
    pub(crate) fn empty() -> Pages {
        Pages {
            inner: Box::pin(stream::empty()),
            incomplete: Arc::default(),
        }
    }

    /// A stream that yields `err` and ends.
    pub(crate) fn failed(err: crate::Error) -> Pages {
        Pages {
            inner: Box::pin(stream::once(async move { Err(err) })),
            incomplete: Arc::default(),
        }
    }
}

/// Whether `op` pages: it takes an `offset` or `after` argument (a
/// parameter or a body field). Known from the operation table, before
/// anything is sent.
///
/// ```
/// use falcon_harness::{catalog::operation, paginate::is_paged};
/// assert!(is_paged(operation("QueryIncidents").unwrap()));
/// assert!(!is_paged(operation("GetIncidents").unwrap()));
/// ```
pub fn is_paged(op: &Operation) -> bool {
    takes(op, "offset") || takes(op, "after")
}

/// Whether `op` takes the argument `name` (a parameter or a body field).
fn takes(op: &Operation, name: &str) -> bool {
    op.param(name).is_some() || op.body().and_then(|b| b.field(name)).is_some()
}

/// The error for paging an operation that does not page.
pub fn not_paged(op: &Operation) -> crate::Error {
    crate::Error::argument(
        op.id(),
        "<args>",
        "this operation does not page (it takes no `offset` or `after`); call it once",
    )
}

fn as_u64(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The arguments of the page after the one `body` answered to `args`, or
/// `None` when it was the last: follows `meta.pagination` (`after` tokens,
/// offsets and offset tokens), stops at `total`, at an empty page and at the
/// API's offset + limit ceiling of 10,500.
pub fn next_args(op: &Operation, args: &Value, body: &Value) -> Option<Value> {
    match next_step(op, args, body) {
        Next::Page(v) => Some(v),
        Next::Done | Next::Stop(_) => None,
    }
}

fn next_step(op: &Operation, args: &Value, body: &Value) -> Next {
    match next_inner(op, args, body) {
        Ok(Some(v)) => Next::Page(v),
        Ok(None) => Next::Done,
        Err(why) => Next::Stop(why),
    }
}

/// `Ok(Some(next))`, `Ok(None)` after the last page, or `Err` when more
/// pages lie beyond the offset window or the server repeats itself.
fn next_inner(op: &Operation, args: &Value, body: &Value) -> Result<Option<Value>, Incomplete> {
    let Some(pagination) = body.get("meta").and_then(|m| m.get("pagination")) else {
        return Ok(None);
    };
    let returned = body
        .get("resources")
        .and_then(Value::as_array)
        .map(Vec::len);
    if returned == Some(0) {
        return Ok(None);
    }
    let mut next: Map<String, Value> = args.as_object().cloned().unwrap_or_default();
    // `after` tokens, for an operation that takes them.
    if let Some(after) = pagination.get("after").filter(|_| takes(op, "after")) {
        let Some(token) = after.as_str().filter(|s| !s.is_empty()) else {
            return Ok(None);
        };
        if args.get("after").and_then(Value::as_str) == Some(token) {
            return Err(Incomplete::Repeated { parameter: "after" });
        }
        next.insert("after".into(), Value::String(token.into()));
        return Ok(Some(Value::Object(next)));
    }
    let Some(offset) = pagination.get("offset") else {
        return Ok(None);
    };
    let integer_offset = op
        .param("offset")
        .map_or(true, |p| p.ty() != crate::ParamType::String);
    match offset {
        // Offset tokens (scrolling queries).
        Value::String(token) if !integer_offset || token.parse::<u64>().is_err() => {
            if token.is_empty() {
                return Ok(None);
            }
            if args.get("offset").and_then(Value::as_str) == Some(token) {
                return Err(Incomplete::Repeated {
                    parameter: "offset",
                });
            }
            next.insert("offset".into(), Value::String(token.clone()));
            Ok(Some(Value::Object(next)))
        }
        _ => {
            let sent = args.get("offset").and_then(as_u64).unwrap_or(0);
            // A server that answers an earlier offset than asked for is
            // going round in circles.
            if as_u64(offset).is_some_and(|o| o < sent) {
                return Err(Incomplete::Repeated {
                    parameter: "offset",
                });
            }
            let limit = pagination
                .get("limit")
                .and_then(as_u64)
                .or_else(|| args.get("limit").and_then(as_u64));
            let Some(step) = returned.map(|n| n as u64).or(limit).filter(|s| *s > 0) else {
                return Ok(None);
            };
            let at = sent.saturating_add(step);
            let total = pagination.get("total").and_then(as_u64);
            if total.is_some_and(|t| at >= t) {
                return Ok(None);
            }
            if at >= OFFSET_WINDOW {
                tracing::warn!(
                    operation = op.id(),
                    offset = at,
                    "offset paging ends at {OFFSET_WINDOW}; use an operation with `after` tokens"
                );
                return Err(Incomplete::OffsetWindow { offset: at, total });
            }
            next.insert("offset".into(), Value::from(at));
            // The limit that will be sent (the caller's, else the
            // server's) must not reach past the window.
            let asked = args.get("limit").and_then(as_u64).or(limit);
            if asked.is_some_and(|l| at.saturating_add(l) > OFFSET_WINDOW) {
                next.insert("limit".into(), Value::from(OFFSET_WINDOW - at));
            }
            Ok(Some(Value::Object(next)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(id: &str) -> &'static Operation {
        crate::catalog::operation(id).unwrap()
    }

    #[test]
    fn offsets_advance_until_total() {
        let q = op("QueryIncidents");
        let body = json!({"meta": {"pagination": {"offset": 0, "limit": 2, "total": 5}}, "resources": ["a", "b"]});
        let n = next_args(q, &json!({"limit": 2, "filter": "x"}), &body).unwrap();
        assert_eq!(n, json!({"limit": 2, "filter": "x", "offset": 2}));
        let body = json!({"meta": {"pagination": {"offset": 4, "limit": 2, "total": 5}}, "resources": ["e"]});
        assert_eq!(next_args(q, &json!({"offset": 4, "limit": 2}), &body), None);
        let body =
            json!({"meta": {"pagination": {"offset": 2, "limit": 2, "total": 5}}, "resources": []});
        assert_eq!(next_args(q, &json!({"offset": 2}), &body), None);
        assert_eq!(next_args(q, &json!({}), &json!({"resources": ["a"]})), None);
    }

    #[test]
    fn offsets_stop_at_the_window() {
        let q = op("QueryIncidents");
        let body = json!({"meta": {"pagination": {"offset": 10000, "limit": 400, "total": 50000}}, "resources": vec![0; 400]});
        let n = next_args(q, &json!({"offset": 10000, "limit": 400}), &body).unwrap();
        assert_eq!(n, json!({"offset": 10400, "limit": 100}));
        let body = json!({"meta": {"pagination": {"offset": 10400, "limit": 100, "total": 50000}}, "resources": vec![0; 100]});
        assert_eq!(next_args(q, &n, &body), None);
    }

    #[test]
    fn tokens() {
        let q = op("getCombinedAssessmentsQuery");
        let body = json!({"meta": {"pagination": {"after": "tok2", "limit": 2, "total": 9}}, "resources": [1]});
        assert_eq!(
            next_args(q, &json!({"limit": 2}), &body),
            Some(json!({"limit": 2, "after": "tok2"}))
        );
        assert_eq!(
            next_inner(q, &json!({"after": "tok2"}), &body),
            Err(Incomplete::Repeated { parameter: "after" })
        );
        let body = json!({"meta": {"pagination": {"after": "", "total": 9}}, "resources": [1]});
        assert_eq!(next_args(q, &json!({}), &body), None);
        // An `after` token where the operation takes none is not followed.
        let q = op("QueryIncidents");
        assert_eq!(next_args(q, &json!({"limit": 2}), &body), None);
        let q = op("QueryDevicesByFilterScroll");
        let body =
            json!({"meta": {"pagination": {"offset": "scroll-2", "total": 9}}, "resources": [1]});
        assert_eq!(
            next_args(q, &json!({}), &body),
            Some(json!({"offset": "scroll-2"}))
        );
        assert_eq!(
            next_inner(q, &json!({"offset": "scroll-2"}), &body),
            Err(Incomplete::Repeated {
                parameter: "offset"
            })
        );
    }

    #[test]
    fn the_callers_limit_never_reaches_past_the_window() {
        // The server's limit is small, the caller's huge: the limit sent
        // next is cut to the window.
        let q = op("QueryIncidents");
        let body = json!({"meta": {"pagination": {"offset": 0, "limit": 100, "total": 90000}}, "resources": {}});
        let next = next_args(q, &json!({"limit": u64::MAX / 2}), &body).unwrap();
        assert_eq!(next["offset"], 100);
        assert_eq!(next["limit"], OFFSET_WINDOW - 100);
    }

    #[test]
    fn a_server_going_back_is_a_repeat() {
        let q = op("QueryIncidents");
        let body = json!({"meta": {"pagination": {"offset": 0, "limit": 2, "total": 9}}, "resources": [1, 2]});
        assert_eq!(
            next_inner(q, &json!({"offset": 2, "limit": 2}), &body),
            Err(Incomplete::Repeated {
                parameter: "offset"
            })
        );
    }

    #[test]
    fn paging_is_known_from_the_table() {
        assert!(is_paged(op("QueryIncidents")));
        assert!(!is_paged(op("GetIncidents")));
        assert!(not_paged(op("GetIncidents")).is_argument());
    }
}
