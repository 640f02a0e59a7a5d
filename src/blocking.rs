//! A synchronous facade (feature `blocking`, on by default): a
//! [`Harness`] that owns a small tokio runtime and drives the async
//! [`crate::Harness`] on it.
//!
//! Do not call it from inside an async runtime; such calls fail with
//! [`Error::Config`] instead of blocking the runtime.

use crate::error::{Error, Result};
use crate::harness::Target;
use crate::pacing::PaceStats;
use crate::paginate::Pages as AsyncPages;
use crate::plan::{FileRef, PlanOptions, RequestPlan};
use crate::response::Response;
use futures_util::StreamExt;
use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use url::Url;

/// The synchronous harness. `Clone + Send + Sync`; clones share the
/// runtime, the connection pool and the token.
///
/// ```no_run
/// # fn run() -> falcon_harness::Result<()> {
/// use serde_json::json;
/// let harness = falcon_harness::blocking::Harness::from_env()?;
/// let reply = harness.command("QueryIncidents", json!({"limit": 10}))?;
/// println!("{}", reply.to_uber());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Harness {
    inner: crate::Harness,
    runtime: Arc<OwnedRuntime>,
}

/// The runtime a blocking harness owns. Dropped inside an async context
/// (where tokio refuses a blocking shutdown), it shuts down in the
/// background instead of panicking.
#[derive(Debug)]
struct OwnedRuntime(Option<tokio::runtime::Runtime>);

impl OwnedRuntime {
    fn block_on<F: Future>(&self, fut: F) -> F::Output {
        match &self.0 {
            Some(rt) => rt.block_on(fut),
            None => unreachable!("the runtime is only taken when dropped"),
        }
    }
}

impl Drop for OwnedRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                rt.shutdown_background();
            }
        }
    }
}

impl Harness {
    /// Wraps an async harness, starting a runtime with one worker thread
    /// (it keeps pooled connections alive between calls).
    pub fn new(inner: crate::Harness) -> Result<Harness> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("falcon-harness")
            .enable_all()
            .build()
            .map_err(|e| Error::Io {
                context: "starting the blocking harness's runtime".into(),
                source: e,
            })?;
        Ok(Harness {
            inner,
            runtime: Arc::new(OwnedRuntime(Some(runtime))),
        })
    }

    /// A blocking harness configured from the environment.
    pub fn from_env() -> Result<Harness> {
        Harness::new(crate::Harness::from_env()?)
    }

    /// The async harness it drives.
    pub fn as_async(&self) -> &crate::Harness {
        &self.inner
    }

    fn block_on<T>(&self, fut: impl Future<Output = Result<T>>) -> Result<T> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::Config(
                "the blocking harness was called inside an async runtime; use the async Harness"
                    .into(),
            ));
        }
        self.runtime.block_on(fut)
    }

    /// See [`crate::Harness::builder`]; finish it with
    /// [`build_blocking`](crate::HarnessBuilder::build_blocking).
    pub fn builder() -> crate::HarnessBuilder {
        crate::Harness::builder()
    }

    /// See [`crate::Harness::plan_options`].
    pub fn plan_options(&self) -> PlanOptions {
        self.inner.plan_options()
    }

    /// See [`crate::Harness::page_cap`].
    pub fn page_cap(&self) -> usize {
        self.inner.page_cap()
    }

    /// See [`crate::Harness::base_url`].
    pub fn base_url(&self) -> Url {
        self.inner.base_url()
    }

    /// See [`crate::Harness::region`].
    pub fn region(&self) -> Option<&'static str> {
        self.inner.region()
    }

    /// See [`crate::Harness::token_requests`].
    pub fn token_requests(&self) -> u64 {
        self.inner.token_requests()
    }

    /// See [`crate::Harness::for_member`]: a view acting for a child
    /// CID, sharing this harness's runtime.
    pub fn for_member(&self, cid: &str) -> Result<Harness> {
        Ok(Harness {
            inner: self.inner.for_member(cid)?,
            runtime: self.runtime.clone(),
        })
    }

    /// See [`crate::Harness::member_cid`].
    pub fn member_cid(&self) -> Option<&str> {
        self.inner.member_cid()
    }

    /// See [`crate::Harness::pacing_stats`].
    pub fn pacing_stats(&self) -> Arc<PaceStats> {
        self.inner.pacing_stats()
    }

    /// See [`crate::Harness::cids`].
    pub fn cids(&self) -> usize {
        self.inner.cids()
    }

    /// See [`crate::Harness::split_plan`].
    pub fn split_plan(&self, plan: RequestPlan) -> Result<Vec<RequestPlan>> {
        self.inner.split_plan(plan)
    }

    /// See [`crate::Harness::execute_plans`].
    pub fn execute_plans(&self, plans: Vec<RequestPlan>) -> Result<Response> {
        self.block_on(self.inner.execute_plans(plans))
    }

    /// See [`crate::Harness::command`].
    pub fn command<'a>(&self, name: &str, args: impl Into<crate::Args<'a>>) -> Result<Response> {
        self.block_on(self.inner.command(name, args))
    }

    /// See [`crate::Harness::request`]: the same builder, taken
    /// synchronously.
    ///
    /// ```no_run
    /// # fn run() -> falcon_harness::Result<()> {
    /// use serde_json::json;
    /// let harness = falcon_harness::blocking::Harness::from_env()?;
    /// for page in harness.request("QueryIncidents").args(json!({"limit": 500})).pages() {
    ///     println!("{:?}", page?.error_for_status()?.resources());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn request(&self, target: impl Into<Target>) -> RequestBuilder<'_> {
        RequestBuilder {
            harness: self,
            inner: self.inner.request(target),
        }
    }

    /// See [`crate::Harness::execute`].
    pub fn execute(&self, plan: RequestPlan) -> Result<Response> {
        self.block_on(self.inner.execute(plan))
    }

    /// See [`crate::Harness::authenticate`].
    pub fn authenticate(&self) -> Result<()> {
        self.block_on(self.inner.authenticate())
    }

    /// See [`crate::Harness::revoke`].
    pub fn revoke(&self) -> Result<()> {
        self.block_on(self.inner.revoke())
    }
}

/// The synchronous [`crate::RequestBuilder`], made by
/// [`Harness::request`].
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder<'h> {
    harness: &'h Harness,
    inner: crate::RequestBuilder<'h>,
}

impl<'h> RequestBuilder<'h> {
    /// See [`crate::RequestBuilder::args`].
    pub fn args(self, args: impl Into<crate::Args<'h>>) -> RequestBuilder<'h> {
        RequestBuilder {
            inner: self.inner.args(args),
            ..self
        }
    }

    /// See [`crate::RequestBuilder::file`].
    pub fn file(self, name: impl Into<String>, file: impl Into<FileRef>) -> RequestBuilder<'h> {
        RequestBuilder {
            inner: self.inner.file(name, file),
            ..self
        }
    }

    /// See [`crate::RequestBuilder::lenient`].
    pub fn lenient(self, on: bool) -> RequestBuilder<'h> {
        RequestBuilder {
            inner: self.inner.lenient(on),
            ..self
        }
    }

    /// See [`crate::RequestBuilder::member_cid`].
    pub fn member_cid(self, cid: impl Into<String>) -> RequestBuilder<'h> {
        RequestBuilder {
            inner: self.inner.member_cid(cid),
            ..self
        }
    }

    /// See [`crate::RequestBuilder::split_long_lists`].
    pub fn split_long_lists(self, on: bool) -> RequestBuilder<'h> {
        RequestBuilder {
            inner: self.inner.split_long_lists(on),
            ..self
        }
    }

    /// See [`crate::RequestBuilder::pacing`].
    pub fn pacing(self, on: bool) -> RequestBuilder<'h> {
        RequestBuilder {
            inner: self.inner.pacing(on),
            ..self
        }
    }

    /// See [`crate::RequestBuilder::plan`].
    pub fn plan(&self) -> Result<RequestPlan> {
        self.inner.plan()
    }

    /// See [`crate::RequestBuilder::plans`].
    pub fn plans(&self) -> Result<Vec<RequestPlan>> {
        self.inner.plans()
    }

    /// See [`crate::RequestBuilder::send`].
    pub fn send(self) -> Result<Response> {
        self.harness.block_on(self.inner.send())
    }

    /// See [`crate::RequestBuilder::download`]; writes to a synchronous
    /// writer.
    pub fn download<W: Write + ?Sized>(self, writer: &mut W) -> Result<Response> {
        let mut w = SyncWriter(writer);
        self.harness.block_on(self.inner.download(&mut w))
    }

    /// See [`crate::RequestBuilder::pages`]; an iterator of pages.
    pub fn pages(self) -> Pages {
        Pages {
            pages: self.inner.pages(),
            harness: self.harness.clone(),
        }
    }
}

/// The pages of [`RequestBuilder::pages`], as an iterator.
pub struct Pages {
    pages: AsyncPages,
    harness: Harness,
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("blocking::Pages")
    }
}

impl Pages {
    /// See [`crate::Pages::incomplete`].
    pub fn incomplete(&self) -> Option<crate::Incomplete> {
        self.pages.incomplete()
    }
}

impl Iterator for Pages {
    type Item = Result<Response>;
    fn next(&mut self) -> Option<Result<Response>> {
        let pages = &mut self.pages;
        match self
            .harness
            .block_on(async { Ok::<_, Error>(pages.next().await) })
        {
            Ok(item) => item,
            Err(e) => {
                self.pages = AsyncPages::empty();
                Some(Err(e))
            }
        }
    }
}

/// A synchronous writer used as an async one: each write completes at
/// once (the blocking harness runs the download on the caller's thread).
struct SyncWriter<'a, W: ?Sized>(&'a mut W);

impl<W: Write + ?Sized> tokio::io::AsyncWrite for SyncWriter<'_, W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Poll::Ready(self.0.write(buf))
    }
    fn poll_flush(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(self.0.flush())
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.poll_flush(cx)
    }
}
