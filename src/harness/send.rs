//! Sending: the attempt loop (token, request, retries, one
//! re-authentication on 401) and taking the reply, buffered or streamed
//! into a writer.

use super::Harness;
use crate::attempt::{drain, Attempted, Buffered, Driver, Limits};
use crate::auth::{self, Credentials};
use crate::error::{Error, Result};
use crate::plan::RequestPlan;
use crate::response::Response;
use crate::transport;
use futures_util::future::Either;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tracing::instrument::{Instrument, Instrumented};

impl Harness {
    /// Sends a planned request and returns the reply, with its body
    /// classified by content type. Error statuses are replies; transport,
    /// time-out, authentication and decoding failures are errors.
    ///
    /// A JSON reply that is not well-formed is an [`Error::Decode`] naming
    /// the operation; a well-formed one is decoded into a `Value` when its
    /// body is first asked for (see [`crate::response`]). To get a reply's
    /// raw bytes whatever its content type, use
    /// [`RequestBuilder::download`](crate::RequestBuilder::download) with
    /// a `Vec<u8>`.
    ///
    /// The low-level way in, for plans made beforehand (with
    /// [`router::plan`](crate::router::plan)); it is
    /// `self.request(plan).send()`.
    pub async fn execute(&self, plan: RequestPlan) -> Result<Response> {
        self.execute_paced(plan, self.pacing()).await
    }

    /// Sends the requests of a split (from [`split_plan`](Self::split_plan)
    /// or [`RequestBuilder::plans`](crate::RequestBuilder::plans)), at most
    /// 8 at a time under the same pacing, and merges their replies (see
    /// [`crate::split::merge`]); one plan is simply
    /// [`execute`](Self::execute)d. A failed request fails the whole.
    pub async fn execute_plans(&self, plans: Vec<RequestPlan>) -> Result<Response> {
        self.execute_all(plans, self.pacing()).await
    }

    pub(super) async fn execute_all(
        &self,
        mut plans: Vec<RequestPlan>,
        paced: bool,
    ) -> Result<Response> {
        use futures_util::stream::{self, StreamExt, TryStreamExt};
        if plans.len() == 1 {
            return self.execute_paced(plans.remove(0), paced).await;
        }
        let replies: Vec<Response> = stream::iter(plans)
            .map(|p| self.execute_paced(p, paced))
            .buffered(8)
            .try_collect()
            .await?;
        crate::split::merge(replies)
    }

    /// [`execute`](Self::execute), waiting for the pacer when `paced`.
    /// Not an `async fn`: the future keeps the plan once, where an
    /// `async fn` would keep its argument and a moved copy.
    pub(super) fn execute_paced(
        &self,
        mut plan: RequestPlan,
        paced: bool,
    ) -> impl Future<Output = Result<Response>> + '_ {
        let span = span(&plan);
        let sent = async move {
            let reauthenticated = AtomicBool::new(false);
            let driver = self.driver(&plan, paced);
            let started = driver.limits.started;
            let (reply, attempts) = driver
                .buffered(|retries, limits| self.attempt(&plan, limits, &reauthenticated, retries))
                .await?;
            let Buffered {
                status,
                headers,
                body,
            } = reply;
            log_reply(status, started, attempts);
            let warnings = std::mem::take(&mut plan.warnings);
            Ok(Response::from_parts(plan.operation, status, headers, body)?
                .with_meta(warnings, attempts))
        };
        in_span(span, sent)
    }

    /// Sends a plan and streams a success reply's body into `writer`; see
    /// [`RequestBuilder::download`](crate::RequestBuilder::download).
    pub(super) async fn download_to<W>(
        &self,
        plan: RequestPlan,
        paced: bool,
        writer: &mut W,
    ) -> Result<Response>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let span = span(&plan);
        let sent = async {
            let reauthenticated = AtomicBool::new(false);
            let driver = self.driver(&plan, paced);
            let started = driver.limits.started;
            let limits = driver.limits;
            let what = plan.operation;
            let (mut reply, attempts) = driver
                .streaming(|retries, limits| self.attempt(&plan, limits, &reauthenticated, retries))
                .await?;
            let status = reply.status().as_u16();
            let headers = reply.headers().clone();
            if !(200..300).contains(&status) {
                // An error reply is read into memory: the size limit holds.
                let body = limits.read(what, reply, attempts).await?;
                log_reply(status, started, attempts);
                return Ok(Response::from_parts(what, status, headers, body)?
                    .with_meta(plan.warnings.clone(), attempts));
            }
            let io = |e| Error::Io {
                context: format!("{what}: writing the download"),
                source: e,
            };
            // Streamed to the writer: no size limit, but the time limit.
            let copy = async {
                let mut written = 0u64;
                while let Some(chunk) = reply
                    .chunk()
                    .await
                    .map_err(|e| limits.failure(what, e, attempts))?
                {
                    writer.write_all(&chunk).await.map_err(io)?;
                    written += chunk.len() as u64;
                }
                writer.flush().await.map_err(io)?;
                Ok::<u64, Error>(written)
            };
            let written = limits.within(what, attempts, copy).await??;
            tracing::info!(
                status,
                bytes = written,
                elapsed_ms = started.elapsed().as_millis() as u64,
                attempts,
                "downloaded"
            );
            Ok(Response::streamed(plan.operation, status, headers, written)
                .with_meta(plan.warnings.clone(), attempts))
        };
        in_span(span, sent).await
    }

    /// The attempt loop for a plan, starting now: paced by this CID's
    /// pacer when `paced`, retries on 429 / 5xx / broken connections as
    /// the policy allows, within the limits.
    fn driver<'a>(&'a self, plan: &'a RequestPlan, paced: bool) -> Driver<'a> {
        Driver {
            policy: &self.inner.settings.retry,
            idempotent: plan.method.is_idempotent(),
            what: plan.operation,
            limits: Limits::starting_now(&self.inner.settings),
            pacer: &self.tenant.pacer,
            paced,
        }
    }

    /// One attempt with this harness's token, and one re-authentication
    /// on 401 (`reauthenticated` remembers it across the attempts). The
    /// request carries the attempt's time-out; waiting for a token and
    /// opening files, which the HTTP client's timer does not cover, have a
    /// timer of their own.
    async fn attempt(
        &self,
        plan: &RequestPlan,
        mut limits: Limits,
        reauthenticated: &AtomicBool,
        retries: u32,
    ) -> Result<Attempted> {
        let policy = &self.inner.settings.retry;
        let what = plan.operation;
        let token = match self.tenant.tokens.fresh_at(limits.attempt_started) {
            Some(token) => token,
            None => {
                // Running out here is running out while getting a token.
                let waited = limits.within(auth::TOKEN_REQUEST, 1, self.token(&limits));
                let token = Box::pin(waited).await??;
                // The attempt's time-out counts from after the wait.
                limits = limits.attempt_at(Instant::now());
                token
            }
        };
        let endpoints = self.endpoints();
        let (client, bearer) = (&self.inner.client, Some(token.header()?));
        // Built in a block: the request's storage is not kept in this
        // future while the reply is awaited.
        let sending = {
            let mut request = if plan.body.opens_files() {
                let build = transport::build_request(client, &endpoints, plan, bearer);
                let request = Box::pin(limits.within(what, retries + 1, build)).await??;
                // The attempt's time-out counts from after opening them.
                limits = limits.attempt_at(Instant::now());
                request
            } else {
                transport::build_request_now(client, &endpoints, plan, bearer)?
            };
            drop(endpoints);
            // The client's own time-out is the attempt limit (see
            // `transport::build_client`): a request carries one of its
            // own only when what is left of the request's limit is
            // shorter (setting one allocates the request's extensions).
            let timeout = limits.for_attempt();
            if timeout != limits.attempt_timeout {
                *request.timeout_mut() = Some(timeout);
            }
            tracing::debug!(
                method = %request.method(),
                url = %crate::config::redact_url(request.url().as_str()),
                retry = retries,
                "sending"
            );
            self.inner.client.execute(request)
        };
        let reply = match sending.await {
            Ok(reply) => reply,
            Err(e) => return Ok(Attempted::Failed(e)),
        };
        if reply.status().as_u16() != 401 {
            token.mark_proven();
        } else if matches!(self.inner.creds, Credentials::Client { .. }) {
            // One re-authentication per command; more only for a token
            // the API accepted before (it expired or was revoked
            // meanwhile), and then as retries.
            let before = reauthenticated.load(Ordering::Relaxed);
            let again = before && token.proven() && retries < policy.retries();
            if !before || again {
                tracing::info!("401: renewing the token and retrying");
                self.tenant.tokens.invalidate(&token);
                reauthenticated.store(true, Ordering::Relaxed);
                Box::pin(drain(reply)).await;
                return Ok(Attempted::Again { counted: before });
            }
        }
        Ok(Attempted::Reply(reply))
    }
}

fn span(plan: &RequestPlan) -> tracing::Span {
    tracing::info_span!(
        "falcon_command",
        operation = plan.operation,
        method = plan.method.as_str(),
        route = %plan.path,
    )
}

/// Runs `fut` inside `span`, or bare when nothing listens for the span
/// (no entering and leaving it at every poll). Not an `async fn`, so `fut`
/// is stored once in the caller's state.
fn in_span<F: Future>(span: tracing::Span, fut: F) -> Either<F, Instrumented<F>> {
    if span.is_disabled() {
        Either::Left(fut)
    } else {
        Either::Right(fut.instrument(span))
    }
}

fn log_reply(status: u16, started: Instant, attempts: u32) {
    tracing::info!(
        status,
        elapsed_ms = started.elapsed().as_millis() as u64,
        attempts,
        "reply"
    );
}
