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

    /// Answer with `status` and raw bytes (a download), as
    /// `application/octet-stream` unless [`header`](Self::header) sets
    /// `Content-Type`.
    ///
    /// ```
    /// use falcon_harness::testing::FakeFalcon;
    /// use serde_json::json;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = FakeFalcon::start();
    /// fake.on("GetSampleV3")
    ///     .args(json!({"ids": "sha256-of-sample"}))
    ///     .reply_bytes(200, vec![0x4d, 0x5a, 0x00, 0xff]);
    ///
    /// let mut file = Vec::new();
    /// fake.harness()
    ///     .request("GetSampleV3")
    ///     .args(json!({"ids": "sha256-of-sample"}))
    ///     .download(&mut file)
    ///     .await
    ///     .unwrap();
    /// assert_eq!(file, [0x4d, 0x5a, 0x00, 0xff]);
    /// fake.verify();
    /// # }
    /// ```
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
    ///
    /// Faults drive the retry paths of the code under test; expectations
    /// are tried in order, and one with [`times`](Self::times) stops
    /// matching once used up:
    ///
    /// ```
    /// use falcon_harness::{testing::FakeFalcon, RetryPolicy};
    /// use serde_json::json;
    /// use std::time::Duration;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = FakeFalcon::start();
    /// fake.on("QueryIncidents").times(1).reply_429(Duration::ZERO);
    /// fake.on("QueryIncidents").times(1).reply_status(503);
    /// fake.on("QueryIncidents").times(1).drop_connection();
    /// fake.on("QueryIncidents").reply(200, json!({"resources": ["inc:1"]}));
    ///
    /// let harness = fake
    ///     .harness_builder()
    ///     .retry(RetryPolicy::default().max_retries(3).backoff(Duration::ZERO, Duration::ZERO))
    ///     .build()
    ///     .unwrap();
    /// let r = harness.command("QueryIncidents", json!({})).await.unwrap();
    /// assert_eq!(r.attempts(), 4);
    /// let statuses: Vec<u16> = fake.requests().iter().map(|c| c.status).collect();
    /// assert_eq!(statuses, [429, 503, 0, 200]); // 0: the dropped connection
    /// fake.verify();
    /// # }
    /// ```
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
    ///
    /// ```
    /// use falcon_harness::testing::FakeFalcon;
    /// use futures_util::TryStreamExt;
    /// use serde_json::json;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let fake = FakeFalcon::start();
    /// fake.on("QueryIncidents")
    ///     .args(json!({"filter": "status:20"}))
    ///     .pages(vec![json!(["inc:1", "inc:2"]), json!(["inc:3"])]);
    ///
    /// let pages: Vec<_> = fake
    ///     .harness()
    ///     .request("QueryIncidents")
    ///     .args(json!({"filter": "status:20"}))
    ///     .pages()
    ///     .try_collect()
    ///     .await
    ///     .unwrap();
    /// assert_eq!(pages[1].resources().unwrap(), &[json!("inc:3")]);
    /// assert_eq!(fake.calls("QueryIncidents")[1], json!({"filter": "status:20", "offset": 2}));
    /// fake.verify();
    /// # }
    /// ```
    pub fn pages(mut self, pages: Vec<Value>) {
        if self.times == Times::AtLeastOnce {
            self.times = Times::Exactly(pages.len());
        }
        self.set(Reply::Pages(pages))
    }
}
