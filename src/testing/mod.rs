//! A fake Falcon API for your own tests, keyed by operation ID (feature
//! `testing`).
//!
//! [`FakeFalcon::start`] runs a small HTTP server on 127.0.0.1 (on its
//! own thread, so it serves async and blocking tests alike). It answers
//! `/oauth2/token`, decodes every other request back into the operation
//! ID and arguments that planned it ([`decode`], the router's inverse),
//! and answers from the expectations you set, in the same JSON you pass
//! to `command`:
//!
//! ```
//! use falcon_harness::testing::FakeFalcon;
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let fake = FakeFalcon::start();
//! fake.on("QueryIncidents")
//!     .args(json!({"limit": 5}))
//!     .times(1)
//!     .reply(200, json!({"resources": ["inc:1"]}));
//!
//! let harness = fake.harness();
//! let reply = harness
//!     .command("QueryIncidents", json!({"limit": 5, "sort": "start.desc"}))
//!     .await
//!     .unwrap();
//! assert_eq!(reply.status(), 200);
//! assert_eq!(fake.calls("QueryIncidents"), [json!({"limit": 5, "sort": "start.desc"})]);
//! fake.verify();
//! # }
//! ```
//!
//! - Matching is partial: only the keys an expectation gives must match
//!   (objects key by key, recursively). Expectations are tried in the
//!   order they were set; one with [`On::times`] stops matching once used
//!   up. Unknown operation IDs and argument names, and bad values, are
//!   errors when the expectation is set, with did-you-mean, exactly as
//!   for `command`.
//! - A request that no expectation matches is answered with status 599
//!   and a message naming the operation, the arguments received and the
//!   closest expectation. It fails the test: [`FakeFalcon::verify`]
//!   panics with it (as it does for expectations that were not met),
//!   and so does dropping the fake when neither `verify` nor
//!   [`failures`](FakeFalcon::failures) nor
//!   [`problems`](FakeFalcon::problems) has reported it (unless
//!   [`FakeBuilder::no_drop_check`]).
//! - Replies: [`On::reply`] (JSON), [`On::reply_bytes`] (downloads),
//!   [`On::header`] (rate-limit headers, `X-Cs-Region` ...),
//!   [`On::pages`] (pagination: `meta.pagination` filled in by `offset`,
//!   or by `after` token on operations that take one), and faults for
//!   retry paths: [`On::reply_429`], [`On::reply_status`], [`On::delay`],
//!   [`On::drop_connection`].
//! - [`FakeFalcon::calls`] returns what the code under test passed, in
//!   argument form (see [`decode`] for the canonical form).

mod call;
mod decode;
mod expect;
mod multipart;
mod on;
mod routes;
mod server;

pub use call::Call;
pub use decode::{decode, decode_plan, DecodeError};
pub use on::On;
pub use routes::{route, PathValues};

use crate::catalog;
use crate::Harness;
use expect::Times;
use serde_json::Value;
use server::{Observer, State};
use std::net::SocketAddr;
use std::sync::Arc;

/// The client ID the fake's harnesses use.
pub const CLIENT_ID: &str = "fake-client-id";
/// The client secret the fake's harnesses use.
pub const CLIENT_SECRET: &str = "fake-client-secret";

/// Options of a [`FakeFalcon`] before it starts.
#[derive(Default)]
pub struct FakeBuilder {
    port: u16,
    observer: Option<Observer>,
    no_drop_check: bool,
}

impl std::fmt::Debug for FakeBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeBuilder")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl FakeBuilder {
    /// Listen on this port of 127.0.0.1 (default 0: any free port).
    pub fn port(mut self, port: u16) -> FakeBuilder {
        self.port = port;
        self
    }

    /// Call `f` with every request, after it is answered (the CLI's
    /// request log).
    pub fn on_request(mut self, f: impl Fn(&Call) + Send + Sync + 'static) -> FakeBuilder {
        self.observer = Some(Arc::new(f));
        self
    }

    /// Do not panic on drop for unmatched requests nobody checked (for a
    /// fake that reports them elsewhere, like the CLI's request log).
    pub fn no_drop_check(mut self) -> FakeBuilder {
        self.no_drop_check = true;
        self
    }

    /// Binds the port and starts serving on a thread of its own.
    pub fn start(self) -> std::io::Result<FakeFalcon> {
        let listener = std::net::TcpListener::bind(("127.0.0.1", self.port))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let state = Arc::new(State::new(self.observer));
        let (tx, rx) = tokio::sync::oneshot::channel();
        let shared = state.clone();
        let thread = std::thread::Builder::new()
            .name("falcon-harness-fake".into())
            .spawn(move || {
                runtime.block_on(async move {
                    match tokio::net::TcpListener::from_std(listener) {
                        Ok(l) => server::serve(l, shared, rx).await,
                        Err(e) => tracing::error!("fake falcon: {e}"),
                    }
                })
            })?;
        Ok(FakeFalcon {
            state,
            addr,
            shutdown: Some(tx),
            thread: Some(thread),
            drop_check: !self.no_drop_check,
        })
    }
}

/// A fake Falcon API on 127.0.0.1; see the [module docs](self). It stops
/// when dropped.
pub struct FakeFalcon {
    state: Arc<State>,
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    drop_check: bool,
}

impl std::fmt::Debug for FakeFalcon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeFalcon")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Drop for FakeFalcon {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if self.drop_check && !std::thread::panicking() {
            let unchecked = self.state.lock().unreported();
            if !unchecked.is_empty() {
                panic!(
                    "FakeFalcon dropped with {} unmatched request(s) that no verify(), \
                     failures() or problems() reported:\n  {}",
                    unchecked.len(),
                    unchecked.join("\n  ")
                );
            }
        }
    }
}

impl FakeFalcon {
    /// Starts a fake on a free port. Panics when no port can be bound
    /// (it is a test helper; see [`FakeFalcon::builder`] for a `Result`).
    pub fn start() -> FakeFalcon {
        FakeFalcon::builder()
            .start()
            .unwrap_or_else(|e| panic!("FakeFalcon: cannot listen on 127.0.0.1: {e}"))
    }

    /// Options: port, request observer.
    pub fn builder() -> FakeBuilder {
        FakeBuilder::default()
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A builder already pointed at the fake with its test credentials:
    /// add your own settings (retry policy, time-outs) and build.
    pub fn harness_builder(&self) -> crate::HarnessBuilder {
        Harness::builder()
            .base_url(self.url())
            .client_credentials(CLIENT_ID, CLIENT_SECRET)
    }

    /// An async harness pointed at the fake.
    pub fn harness(&self) -> Harness {
        self.harness_builder()
            .build()
            .unwrap_or_else(|e| panic!("FakeFalcon: {e}"))
    }

    /// A blocking harness pointed at the fake.
    ///
    /// ```
    /// use falcon_harness::testing::FakeFalcon;
    /// use serde_json::json;
    ///
    /// let fake = FakeFalcon::start();
    /// fake.on("GetIncidents").reply(200, json!({"resources": [{"incident_id": "inc:1"}]}));
    /// let harness = fake.harness_blocking();
    /// let r = harness.command("GetIncidents", json!({"ids": "inc:1"})).unwrap();
    /// assert_eq!(r.resources().unwrap()[0]["incident_id"], "inc:1");
    /// // In argument form: `ids` is a list, however it was passed.
    /// assert_eq!(fake.calls("GetIncidents"), [json!({"ids": ["inc:1"]})]);
    /// fake.verify();
    /// ```
    #[cfg(feature = "blocking")]
    pub fn harness_blocking(&self) -> crate::blocking::Harness {
        self.harness_builder()
            .build_blocking()
            .unwrap_or_else(|e| panic!("FakeFalcon: {e}"))
    }

    /// Starts an expectation for the operation `name` (an ID, alias or
    /// snake_case name, as for `command`). Finish it with one of the
    /// `reply` methods.
    pub fn on(&self, name: &str) -> On<'_> {
        On::new(self, catalog::resolve(name).map(|r| r.operation))
    }

    /// The arguments of every request for the operation `name` so far,
    /// matched or not, in order (of the latest 100,000 requests).
    pub fn calls(&self, name: &str) -> Vec<Value> {
        let id = catalog::resolve(name).map(|r| r.operation.id()).ok();
        self.state
            .lock()
            .calls
            .iter()
            .filter(|c| c.operation.is_some() && c.operation == id)
            .map(|c| c.args.clone())
            .collect()
    }

    /// Every request so far, token requests excepted (the latest
    /// 100,000).
    pub fn requests(&self) -> Vec<Call> {
        self.state.lock().calls.iter().cloned().collect()
    }

    /// How many tokens the fake handed out.
    pub fn token_requests(&self) -> u64 {
        self.state.tokens()
    }

    /// The failures so far: unmatched or undecodable requests, and
    /// requests without a token.
    pub fn failures(&self) -> Vec<String> {
        let mut inner = self.state.lock();
        inner.reported();
        inner.failures.iter().cloned().collect()
    }

    /// The problems [`verify`](Self::verify) would panic with: failures,
    /// then expectations that were not met.
    pub fn problems(&self) -> Vec<String> {
        let mut inner = self.state.lock();
        inner.reported();
        let mut out: Vec<String> = inner.failures.iter().cloned().collect();
        for e in inner.expectations.iter().filter(|e| !e.met()) {
            let wanted = match e.times {
                Times::Exactly(n) => format!("{n} times"),
                _ => "at least once".to_string(),
            };
            out.push(format!(
                "unmet expectation: {} expected {wanted}, matched {} times",
                e.describe(),
                e.hits
            ));
        }
        out
    }

    /// Panics when a request was not matched, or an expectation was not
    /// met, listing each (it is a test assertion).
    pub fn verify(&self) {
        let problems = self.problems();
        if !problems.is_empty() {
            panic!(
                "FakeFalcon::verify: {} problem(s):\n  {}",
                problems.len(),
                problems.join("\n  ")
            );
        }
    }
}
