//! Setting an expectation: [`On`], returned by
//! [`FakeFalcon::on`](super::FakeFalcon::on).

use super::expect::{self, Expectation, Reply, Times};
use super::FakeFalcon;
use crate::error::Error;
use crate::operation::Operation;
use bytes::Bytes;
use serde_json::{Map, Value};
use std::time::Duration;

/// An expectation being set; see [`FakeFalcon::on`].
#[must_use = "an expectation is set by one of its reply methods"]
pub struct On<'f> {
    fake: &'f FakeFalcon,
    op: Result<&'static Operation, Error>,
    args: Value,
    times: Times,
    headers: Vec<(String, String)>,
    delay: Option<Duration>,
}

impl std::fmt::Debug for On<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("On")
            .field("args", &self.args)
            .finish_non_exhaustive()
    }
}

impl<'f> On<'f> {
    pub(super) fn new(
        fake: &'f FakeFalcon,
        op: Result<&'static Operation, crate::error::UnknownOperation>,
    ) -> On<'f> {
        On {
            fake,
            op: op.map_err(Error::from),
            args: Value::Object(Map::new()),
            times: Times::AtLeastOnce,
            headers: Vec::new(),
            delay: None,
        }
    }

    /// The arguments a request must carry (only these keys are compared).
    pub fn args(mut self, args: Value) -> Self {
        self.args = args;
        self
    }

    /// Match exactly `n` requests, then stop matching.
    pub fn times(mut self, n: usize) -> Self {
        self.times = Times::Exactly(n);
        self
    }

    /// Match any number of requests, none included.
    pub fn any_times(mut self) -> Self {
        self.times = Times::Any;
        self
    }

    /// A reply header (`X-Cs-Region`, `X-RateLimit-Remaining` ...).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_string()));
        self
    }

    /// Wait this long before answering (for time-out paths).
    pub fn delay(mut self, d: Duration) -> Self {
        self.delay = Some(d);
        self
    }

    /// Checks the operation and arguments now: `Err` with did-you-mean
    /// for an unknown operation or argument, as `command` reports it.
    /// The reply methods panic with the same error.
    pub fn check(self) -> Result<Self, Error> {
        let On {
            fake,
            op,
            args,
            times,
            headers,
            delay,
        } = self;
        let op = op?;
        expect::canonical(op, &args)?;
        Ok(On {
            fake,
            op: Ok(op),
            args,
            times,
            headers,
            delay,
        })
    }

    fn set(self, reply: Reply) {
        let made = self.op.and_then(|op| {
            let want = expect::canonical(op, &self.args)?;
            Ok(Expectation {
                op,
                given: self.args,
                want,
                times: self.times,
                hits: 0,
                headers: self.headers,
                delay: self.delay,
                reply,
            })
        });
        match made {
            Ok(e) => self.fake.state.lock().expectations.push(e),
            Err(e) => panic!("FakeFalcon::on: {e}"),
        }
    }

    /// Answer with `status` and a JSON body.
    pub fn reply(self, status: u16, body: Value) {
        self.set(Reply::Body {
            status,
            content_type: "application/json",
            body: Bytes::from(body.to_string()),
        })
    }

    /// Answer with `status` and raw bytes (a download).
    pub fn reply_bytes(self, status: u16, body: impl Into<Bytes>) {
        self.set(Reply::Body {
            status,
            content_type: "application/octet-stream",
            body: body.into(),
        })
    }

    /// Answer `status` with a Falcon-shaped error body.
    pub fn reply_status(self, status: u16) {
        let body = expect::error_body(status, "injected by FakeFalcon");
        self.set(Reply::Body {
            status,
            content_type: "application/json",
            body,
        })
    }

    /// Answer 429 with `X-RateLimit-RetryAfter` this far ahead (epoch
    /// seconds, as Falcon sends it).
    pub fn reply_429(self, retry_after: Duration) {
        self.set(Reply::RateLimited(retry_after))
    }

    /// Close the connection without answering.
    pub fn drop_connection(self) {
        self.set(Reply::Drop)
    }

    /// Answer a paginated query page by page. Each page is a reply body,
    /// or a list that becomes its `resources`; `meta.pagination` is
    /// filled in (`offset`/`limit`/`total`, or `after` tokens on
    /// operations that take `after`). Unless [`times`](Self::times) says
    /// otherwise, it expects every page to be fetched.
    pub fn pages(mut self, pages: Vec<Value>) {
        if self.times == Times::AtLeastOnce {
            self.times = Times::Exactly(pages.len());
        }
        self.set(Reply::Pages(pages))
    }
}
