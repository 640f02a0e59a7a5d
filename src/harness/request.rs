//! The request builder: what to call ([`Target`]), with which arguments
//! and files, and how to take the reply (sent and buffered, streamed into
//! a writer, followed page by page, or only planned).

use super::{Args, Harness, Target};
use crate::catalog;
use crate::error::{Error, Result};
use crate::operation::Operation;
use crate::paginate::{Pages, Planner};
use crate::plan::{FileRef, PlanOptions, RequestPlan};
use crate::response::Response;
use crate::router;
use crate::split::Parts;
use serde_json::Value;
use std::borrow::Cow;
use std::future::Future;
use std::sync::Arc;
use tokio::io::AsyncWrite;

/// One request being put together: made by [`Harness::request`], given
/// arguments and files, then taken with [`send`](Self::send),
/// [`download`](Self::download), [`pages`](Self::pages) or
/// [`plan`](Self::plan). Nothing is sent before one of those.
///
/// ```no_run
/// # async fn run() -> falcon_harness::Result<()> {
/// use serde_json::json;
/// let harness = falcon_harness::Harness::from_env()?;
/// let reply = harness
///     .request("CaseAddAttachment")
///     .args(json!({"case_id": "c1", "user_uuid": "u1"}))
///     .file("file", b"hello".to_vec())
///     .send()
///     .await?
///     .error_for_status()?;
/// # let _ = reply; Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder<'h> {
    harness: &'h Harness,
    target: Target,
    args: Args<'h>,
    files: Vec<(String, FileRef)>,
    lenient: Option<bool>,
    member_cid: Option<String>,
    split: Option<bool>,
    pacing: Option<bool>,
}

impl<'h> RequestBuilder<'h> {
    pub(super) fn new(harness: &'h Harness, target: Target) -> RequestBuilder<'h> {
        RequestBuilder {
            harness,
            target,
            args: Args::default(),
            files: Vec::new(),
            lenient: None,
            member_cid: None,
            split: None,
            pacing: None,
        }
    }

    /// The JSON arguments: an object (see [`router`] for where each key
    /// goes), or `null` for none (the default). Owned or lent (see
    /// [`Args`]): planning only reads them.
    pub fn args(mut self, args: impl Into<Args<'h>>) -> RequestBuilder<'h> {
        self.args = args.into();
        self
    }

    /// Attaches a file to the form field `name`: a [`FileRef`], bytes
    /// (`Vec<u8>`, [`bytes::Bytes`]) or a path (`PathBuf`, streamed when
    /// sent). May be called once per file.
    pub fn file(mut self, name: impl Into<String>, file: impl Into<FileRef>) -> RequestBuilder<'h> {
        self.files.push((name.into(), file.into()));
        self
    }

    /// Lenient (unknown keys dropped with a warning) or strict arguments
    /// for this request; the default is the harness's setting.
    pub fn lenient(mut self, on: bool) -> RequestBuilder<'h> {
        self.lenient = Some(on);
        self
    }

    /// Sends the request for the child CID `cid` (Flight Control), with
    /// that CID's token and pacer: the same as
    /// [`Harness::for_member`]`(cid)?.request(..)`. A CID that is not
    /// letters, digits and `-` is an argument error when the request is
    /// taken, and nothing is sent.
    ///
    /// ```no_run
    /// # async fn run() -> falcon_harness::Result<()> {
    /// use serde_json::json;
    /// let harness = falcon_harness::Harness::from_env()?;
    /// for cid in ["0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210"] {
    ///     let reply = harness
    ///         .request("QueryIncidents")
    ///         .args(json!({"limit": 10}))
    ///         .member_cid(cid)
    ///         .send()
    ///         .await?;
    ///     println!("{cid}: {:?}", reply.resources());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn member_cid(mut self, cid: impl Into<String>) -> RequestBuilder<'h> {
        self.member_cid = Some(cid.into());
        self
    }

    /// Splitting a long id list into several requests (see
    /// [`crate::split`]) for this request; the default is the harness's
    /// setting ([`HarnessBuilder::split_long_lists`](crate::HarnessBuilder::split_long_lists)).
    /// With it off, a list longer than the operation accepts is an
    /// argument error and nothing is sent.
    pub fn split_long_lists(mut self, on: bool) -> RequestBuilder<'h> {
        self.split = Some(on);
        self
    }

    /// Waiting for the rate-limit pacer (see [`crate::pacing`]) for this
    /// request; the default is the harness's setting
    /// ([`HarnessBuilder::pacing`](crate::HarnessBuilder::pacing)). Pages
    /// follow the harness's setting.
    pub fn pacing(mut self, on: bool) -> RequestBuilder<'h> {
        self.pacing = Some(on);
        self
    }

    fn splits(&self) -> bool {
        self.split.unwrap_or_else(|| self.harness.splits())
    }

    fn paced(&self) -> bool {
        self.pacing.unwrap_or_else(|| self.harness.pacing())
    }

    fn options(&self) -> PlanOptions {
        let mut opts = self.harness.plan_options();
        if let Some(on) = self.lenient {
            opts.lenient = on;
        }
        opts
    }

    /// The request as it would be sent, without sending it (no I/O: a
    /// file path is recorded, not opened). A bad name or argument is an
    /// error here.
    pub fn plan(&self) -> Result<RequestPlan> {
        self.planned().map(|(plan, _)| plan)
    }

    /// The plan, and its table operation when the target named one.
    fn planned(&self) -> Result<(RequestPlan, Option<&'static Operation>)> {
        let opts = self.options();
        match &self.target {
            Target::Name(name) => {
                let resolved = match router::resolve_call(name, &self.args)? {
                    router::Call::Operation(r) => r,
                    router::Call::Override(spec) => {
                        return Ok((self.plan_override(spec, &opts)?, None))
                    }
                };
                let op = resolved.operation;
                let mut plan =
                    router::plan_with_attachments(op, &self.args, &opts, self.files.clone())?;
                if let Some(note) = resolved.deprecation_note() {
                    plan.warnings.push(note);
                }
                Ok((plan, Some(op)))
            }
            Target::Operation(op) => {
                let plan =
                    router::plan_with_attachments(op, &self.args, &opts, self.files.clone())?;
                Ok((plan, Some(*op)))
            }
            Target::Override(spec) => Ok((self.plan_override(spec, &opts)?, None)),
            Target::Plan(plan) => {
                if !self.args.is_null() || !self.files.is_empty() {
                    return Err(Error::argument(
                        plan.operation,
                        "<args>",
                        "a planned request takes no more arguments or files",
                    ));
                }
                Ok(((**plan).clone(), None))
            }
        }
    }

    /// Every request the request is sent as: one, or several when an id
    /// list is longer than the operation accepts and splitting is on (see
    /// [`crate::split`]). A dry run shows each. With splitting off, an
    /// over-long list is an argument error here.
    ///
    /// ```
    /// use falcon_harness::Harness;
    /// use serde_json::json;
    /// let harness = Harness::builder().bearer_token("t").base_url("http://127.0.0.1:1").build()?;
    /// let ids: Vec<String> = (0..250).map(|i| format!("{i:032x}")).collect();
    /// let request = harness.request("GetDeviceDetailsV2").args(json!({"ids": ids}));
    /// assert_eq!(request.plans()?.len(), 3); // at most 100 ids each
    /// assert!(request.split_long_lists(false).plans().unwrap_err().is_argument());
    /// # Ok::<(), falcon_harness::Error>(())
    /// ```
    pub fn plans(&self) -> Result<Vec<RequestPlan>> {
        let plan = self.plan()?;
        if let Some(cid) = &self.member_cid {
            crate::tenant::check_member_cid(plan.operation, cid)?;
        }
        crate::split::split(plan, self.splits())
    }

    /// A manual route's plan; files attach only through the arguments.
    fn plan_override(&self, spec: &str, opts: &PlanOptions) -> Result<RequestPlan> {
        if !self.files.is_empty() {
            return Err(Error::argument(
                "override",
                "files",
                "files attach to table operations; for an override route give them \
                 in the arguments' \"files\"",
            ));
        }
        router::plan_override(spec, &self.args, opts)
    }

    fn into_plan(mut self) -> Result<(RequestPlan, Option<&'static Operation>)> {
        if let Target::Plan(plan) = self.target {
            if self.args.is_null() && self.files.is_empty() {
                return Ok((*plan, None));
            }
            self.target = Target::Plan(plan);
        }
        self.planned()
    }

    /// Plans and sends the request and returns the reply (see
    /// [`Harness::execute`]): error statuses are replies; a bad name or
    /// argument, transport, time-out, authentication and decoding
    /// failures are errors. A long id list is sent as several requests
    /// with one merged reply (see [`plans`](Self::plans)). The request
    /// is planned when `send` is called (no I/O) and sent when the future
    /// is awaited; a planning error is the future's output.
    pub fn send(self) -> impl Future<Output = Result<Response>> + 'h {
        use futures_util::future::{ready, Either};
        // Planned here (no I/O): the future keeps the plans, not the
        // builder and its arguments.
        let t = match self.take() {
            Ok(t) => t,
            Err(e) => return Either::Left(ready(Err(e))),
        };
        // The common case (a table operation without a query list, on
        // this harness) is the sending future itself, not one that holds
        // it and would be moved about with it; its plan is looked at in
        // place, not moved through the split.
        if let (Cow::Borrowed(harness), Some(op)) = (&t.harness, t.op) {
            if crate::split::has_no_list(op, &t.plan) {
                return Either::Right(Either::Left(harness.execute_paced(t.plan, t.paced)));
            }
        }
        let parts = match t.op {
            Some(op) => crate::split::parts_of(op, t.plan, t.split),
            None => crate::split::parts(t.plan, t.split),
        };
        let paced = t.paced;
        match (parts, t.harness) {
            (Err(e), _) => Either::Left(ready(Err(e))),
            (Ok(Parts::One(plan)), Cow::Borrowed(harness)) => {
                Either::Right(Either::Left(harness.execute_paced(plan, paced)))
            }
            (Ok(parts), harness) => {
                let plans = parts.into_vec();
                let sent: SendFuture<'h> =
                    Box::pin(async move { harness.execute_all(plans, paced).await });
                Either::Right(Either::Right(sent))
            }
        }
    }

    /// The plan, the harness to send it with (the member CID's view, or
    /// the harness), and whether to split and to pace.
    fn take(mut self) -> Result<Taken<'h>> {
        let (split, paced) = (self.splits(), self.paced());
        let (harness, cid) = (self.harness, self.member_cid.take());
        let (plan, op) = self.into_plan()?;
        let harness = match cid {
            None => Cow::Borrowed(harness),
            Some(cid) => Cow::Owned(
                harness
                    .for_member(&cid)
                    .map_err(|e| member_error(plan.operation, e))?,
            ),
        };
        Ok(Taken {
            harness,
            plan,
            op,
            split,
            paced,
        })
    }

    /// Plans and sends the request and, when the reply is a success,
    /// streams its body into `writer` without holding it in memory (for
    /// file downloads such as `CaseDownloadAttachment`); the response's
    /// body is then [`ResponseBody::Streamed`](crate::ResponseBody::Streamed)
    /// with the byte count. An error status's body is read as usual and
    /// nothing is written.
    ///
    /// ```no_run
    /// # async fn run() -> falcon_harness::Result<()> {
    /// use serde_json::json;
    /// let harness = falcon_harness::Harness::from_env()?;
    /// let mut file = tokio::fs::File::create("attachment.pdf").await.unwrap();
    /// let reply = harness
    ///     .request("CaseDownloadAttachment")
    ///     .args(json!({"id": "att-1"}))
    ///     .download(&mut file)
    ///     .await?
    ///     .error_for_status()?;
    /// # let _ = reply; Ok(()) }
    /// ```
    pub async fn download<W>(self, writer: &mut W) -> Result<Response>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let t = self.take()?;
        // A download is one request: a list too long for it is an error.
        let plan = crate::split::split(t.plan, false)?.remove(0);
        t.harness.download_to(plan, t.paced, writer).await
    }

    /// The pages of the operation: a [`Stream`](futures_util::Stream) of
    /// replies that follows `meta.pagination` (numeric offsets, offset
    /// tokens and `after` tokens), up to the harness's page cap. A bad
    /// name or argument is the stream's one item; so is a target that is
    /// not a table operation.
    ///
    /// ```no_run
    /// # async fn run() -> falcon_harness::Result<()> {
    /// use futures_util::StreamExt;
    /// use serde_json::json;
    /// let harness = falcon_harness::Harness::from_env()?;
    /// let mut pages = harness.request("QueryIncidents").args(json!({"limit": 500})).pages();
    /// while let Some(page) = pages.next().await {
    ///     let page = page?.error_for_status()?;
    ///     println!("{} ids", page.resources().map_or(0, |r| r.len()));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages(self) -> Pages {
        let op = match &self.target {
            Target::Name(name) => match catalog::resolve(name) {
                Ok(r) => r.operation,
                Err(e) => return Pages::failed(e.into()),
            },
            Target::Operation(op) => *op,
            Target::Override(_) | Target::Plan(_) => {
                return Pages::failed(Error::Config(
                    "pages follow a table operation's pagination; give an operation, \
                     not an override route or a plan"
                        .into(),
                ))
            }
        };
        let opts = self.options();
        let files = self.files;
        let planner: Planner =
            Arc::new(move |a: &Value| router::plan_with_attachments(op, a, &opts, files.clone()));
        let harness = match &self.member_cid {
            None => Cow::Borrowed(self.harness),
            Some(cid) => match self.harness.for_member(cid) {
                Ok(h) => Cow::Owned(h),
                Err(e) => return Pages::failed(member_error(op.id(), e)),
            },
        };
        let cap = harness.page_cap();
        Pages::with_planner(&harness, op, self.args.into_owned(), cap, planner)
    }
}

/// The future of a request sent for a member CID (it owns that CID's
/// view of the harness) or as several requests.
type SendFuture<'h> = std::pin::Pin<Box<dyn Future<Output = Result<Response>> + Send + 'h>>;

/// A request taken apart for sending.
struct Taken<'h> {
    harness: Cow<'h, Harness>,
    plan: RequestPlan,
    /// The plan's table operation, when the target named one.
    op: Option<&'static Operation>,
    split: bool,
    paced: bool,
}

/// A refused member CID as an argument error of `operation`.
fn member_error(operation: &str, e: Error) -> Error {
    match e {
        Error::Config(why) => Error::argument(operation, "member_cid", why),
        other => other,
    }
}

#[cfg(test)]
mod tests;
