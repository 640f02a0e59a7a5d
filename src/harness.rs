//! The harness: a cheap-to-clone handle that authenticates, sends planned
//! requests with retries, and returns [`Response`]s.

use crate::auth::{self, Credentials, Secret, TokenCache};
use crate::catalog;
use crate::config::{Cloud, Endpoints, EnvConfig, Settings};
use crate::error::{Error, Result};
use crate::operation::{Host, Operation};
use crate::paginate::{Pages, Planner};
use crate::plan::FileRef;
use crate::plan::{PlanOptions, RequestPlan};
use crate::response::Response;
use crate::retry::{RetryPolicy, RetryReason};
use crate::router;
use crate::transport;
use bytes::Bytes;
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tracing::Instrument;
use url::Url;

/// A client of the Falcon API that calls operations by ID.
///
/// `Harness` is `Clone + Send + Sync`; clones share one connection pool,
/// one token and one region, so clone it freely into tasks.
///
/// ```no_run
/// # async fn run() -> falcon_harness::Result<()> {
/// use falcon_harness::{Cloud, Harness};
/// let harness = Harness::builder()
///     .client_credentials("my-client-id", "my-client-secret")
///     .cloud(Cloud::Us2)
///     .build()?;
/// # let _ = harness; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Harness {
    inner: Arc<Inner>,
}

struct Inner {
    settings: Settings,
    creds: Credentials,
    client: reqwest::Client,
    tokens: TokenCache,
    endpoints: RwLock<Arc<Endpoints>>,
}

impl fmt::Debug for Harness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Harness")
            .field("endpoints", &self.endpoints())
            .field("credentials", &self.inner.creds)
            .field("tokens", &self.inner.tokens)
            .field("settings", &self.inner.settings)
            .finish()
    }
}

/// Builds a [`Harness`]. Every setting has a default except the
/// credentials.
///
/// | setting | default |
/// |---|---|
/// | cloud | `auto` (region from the token reply) |
/// | connect / total timeout | 10 s / 120 s per attempt |
/// | token renew window | 120 s before expiry |
/// | retry | [`RetryPolicy::default`] |
/// | arguments | strict |
/// | TLS verification | on |
/// | page cap of `paginate` | 1,000 pages |
#[derive(Debug, Clone, Default)]
pub struct HarnessBuilder {
    settings: Settings,
    client_id: Option<String>,
    client_secret: Option<Secret>,
    member_cid: Option<String>,
    bearer: Option<Secret>,
    deferred_error: Option<String>,
}

impl HarnessBuilder {
    /// A builder with the defaults.
    pub fn new() -> HarnessBuilder {
        HarnessBuilder::default()
    }

    /// A builder with the settings of the environment: `FALCON_CLIENT_ID`,
    /// `FALCON_CLIENT_SECRET`, `FALCON_MEMBER_CID`, `FALCON_CLOUD` and
    /// `FALCON_BASE_URL`. Unset or empty variables leave the defaults; a
    /// bad `FALCON_CLOUD` makes [`build`](Self::build) fail.
    pub fn from_env() -> HarnessBuilder {
        HarnessBuilder::from_env_with(|k| std::env::var(k).ok())
    }

    pub(crate) fn from_env_with(get: impl Fn(&str) -> Option<String>) -> HarnessBuilder {
        let mut b = HarnessBuilder::new();
        match EnvConfig::read(get) {
            Ok(env) => {
                b.client_id = env.client_id;
                b.client_secret = env.client_secret.map(Secret::new);
                b.member_cid = env.member_cid;
                if let Some(c) = env.cloud {
                    b.settings.cloud = c;
                }
                b.settings.base_url = env.base_url;
            }
            Err(e) => b.deferred_error = Some(config_message(e)),
        }
        b
    }

    /// OAuth2 client credentials (an API client of the Falcon console).
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> HarnessBuilder {
        self.client_id = Some(client_id.into());
        self.client_secret = Some(Secret::new(client_secret));
        self
    }

    /// Act for an MSSP child CID (sent as `member_cid` with the token
    /// request).
    pub fn member_cid(mut self, cid: impl Into<String>) -> HarnessBuilder {
        self.member_cid = Some(cid.into());
        self
    }

    /// Use an existing bearer token instead of client credentials. It is
    /// not renewed: when it expires, commands get 401 replies.
    pub fn bearer_token(mut self, token: impl Into<String>) -> HarnessBuilder {
        self.bearer = Some(Secret::new(token));
        self
    }

    /// The cloud (region). See [`Cloud`] for the accepted spellings.
    pub fn cloud(mut self, cloud: Cloud) -> HarnessBuilder {
        self.settings.cloud = cloud;
        self
    }

    /// The cloud by name: `us-1`, `US2`, `usgov1`, `eu-1`, `auto`, a base
    /// URL ... (see [`Cloud`]). An unknown name makes
    /// [`build`](Self::build) fail with [`Error::Config`].
    pub fn cloud_named(mut self, name: &str) -> HarnessBuilder {
        match name.parse::<Cloud>() {
            Ok(c) => self.settings.cloud = c,
            Err(e) => self.deferred_error = Some(config_message(e)),
        }
        self
    }

    /// A base URL to use instead of the cloud's API host (private
    /// endpoints, proxies, test servers). Container-registry operations go
    /// there too. Autodiscovery keeps it unless the discovered region is
    /// mapped by [`region_base_url`](Self::region_base_url).
    pub fn base_url(mut self, url: impl Into<String>) -> HarnessBuilder {
        self.settings.base_url = Some(url.into());
        self
    }

    /// Where to go when autodiscovery names `region` (`"us-2"` ...),
    /// instead of the region's public hosts: for private endpoints and
    /// tests.
    pub fn region_base_url(
        mut self,
        region: impl Into<String>,
        url: impl Into<String>,
    ) -> HarnessBuilder {
        self.settings
            .region_base_urls
            .insert(region.into(), url.into());
        self
    }

    /// Whether the region named by the token reply (`X-Cs-Region`)
    /// switches the base URL (default on; never for US-GOV clouds).
    pub fn autodiscover(mut self, on: bool) -> HarnessBuilder {
        self.settings.autodiscover = on;
        self
    }

    /// Time limit for opening a connection (default 10 s).
    pub fn connect_timeout(mut self, t: Duration) -> HarnessBuilder {
        self.settings.connect_timeout = t;
        self
    }

    /// Time limit for one attempt of a request, from sending to the last
    /// byte of the reply (default 120 s).
    pub fn timeout(mut self, t: Duration) -> HarnessBuilder {
        self.settings.timeout = t;
        self
    }

    /// Send every request through this proxy (`http://`, `https://` or
    /// `socks5://`, as `reqwest` supports). Without it the usual
    /// `HTTPS_PROXY` variables apply.
    pub fn proxy(mut self, url: impl Into<String>) -> HarnessBuilder {
        self.settings.proxy = Some(url.into());
        self
    }

    /// Turn TLS certificate verification off (default on). A warning is
    /// logged when the harness is built with it off.
    pub fn verify_tls(mut self, on: bool) -> HarnessBuilder {
        self.settings.verify_tls = on;
        self
    }

    /// Text appended to the `User-Agent` header.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> HarnessBuilder {
        self.settings.user_agent_suffix = Some(suffix.into());
        self
    }

    /// Renew the token when it has less than this left (default 120 s).
    pub fn renew_window(mut self, window: Duration) -> HarnessBuilder {
        self.settings.renew_window = window;
        self
    }

    /// The retry policy.
    pub fn retry(mut self, policy: RetryPolicy) -> HarnessBuilder {
        self.settings.retry = policy;
        self
    }

    /// Lenient arguments (the Python SDK's behaviour: unknown keys are
    /// dropped with a warning) instead of strict ones (default).
    pub fn lenient(mut self, on: bool) -> HarnessBuilder {
        self.settings.lenient = on;
        self
    }

    /// Allow plain `http://` to hosts other than loopback (default: only
    /// `127.0.0.0/8`, `::1` and `localhost`).
    pub fn allow_insecure_http(mut self, on: bool) -> HarnessBuilder {
        self.settings.allow_insecure_http = on;
        self
    }

    /// The most pages [`Harness::paginate`] fetches (default 1,000).
    pub fn page_cap(mut self, pages: usize) -> HarnessBuilder {
        self.settings.page_cap = pages;
        self
    }

    /// The base URL that requests to `host` would start at, by exactly the
    /// rules [`build`](Self::build) applies (cloud or base URL, `http(s)`
    /// only, no query or fragment, plain HTTP only to loopback unless
    /// allowed). Needs no credentials: a dry run uses it. Show it with
    /// [`redact_url`](crate::config::redact_url), which hides any
    /// `user:password@`.
    ///
    /// ```
    /// use falcon_harness::{Harness, Host};
    /// let b = Harness::builder().cloud_named("eu-1");
    /// assert_eq!(b.base_url_for(Host::Api).unwrap().as_str(), "https://api.eu-1.crowdstrike.com/");
    /// assert!(Harness::builder().base_url("http://10.0.0.1").base_url_for(Host::Api).is_err());
    /// ```
    pub fn base_url_for(&self, host: Host) -> Result<Url> {
        if let Some(e) = &self.deferred_error {
            return Err(Error::Config(e.clone()));
        }
        let eps = self.settings.initial_endpoints()?;
        Ok(match host {
            Host::Api => eps.api,
            Host::ContainerRegistry => eps.container,
        })
    }

    /// Builds the harness. Fails with [`Error::Config`] for missing
    /// credentials, a bad URL, refused plain HTTP or a bad proxy.
    pub fn build(self) -> Result<Harness> {
        if let Some(e) = self.deferred_error {
            return Err(Error::Config(e));
        }
        let creds = match (self.client_id, self.client_secret, self.bearer) {
            (_, _, Some(token)) => Credentials::Bearer(token),
            (Some(client_id), Some(client_secret), None) => Credentials::Client {
                client_id,
                client_secret,
                member_cid: self.member_cid,
            },
            (Some(_), None, None) => {
                return Err(Error::Config("a client ID needs a client secret".into()))
            }
            _ => {
                return Err(Error::Config(
                    "no credentials: give a client ID and secret, or a bearer token".into(),
                ))
            }
        };
        let settings = self.settings;
        let endpoints = settings.initial_endpoints()?;
        let client = transport::build_client(&settings)?;
        let initial = match &creds {
            Credentials::Bearer(t) => Some(t.clone()),
            Credentials::Client { .. } => None,
        };
        Ok(Harness {
            inner: Arc::new(Inner {
                tokens: TokenCache::new(settings.renew_window, initial),
                settings,
                creds,
                client,
                endpoints: RwLock::new(Arc::new(endpoints)),
            }),
        })
    }

    /// Builds the synchronous facade.
    #[cfg(feature = "blocking")]
    pub fn build_blocking(self) -> Result<crate::blocking::Harness> {
        crate::blocking::Harness::new(self.build()?)
    }
}

/// What an attempt loop hands back.
enum Sent {
    Buffered {
        status: u16,
        headers: HeaderMap,
        body: Bytes,
    },
    Streaming(reqwest::Response),
}

impl Harness {
    /// A builder.
    pub fn builder() -> HarnessBuilder {
        HarnessBuilder::new()
    }

    /// A harness configured from the environment; see
    /// [`HarnessBuilder::from_env`].
    pub fn from_env() -> Result<Harness> {
        HarnessBuilder::from_env().build()
    }

    /// The planner options this harness uses (strict or lenient).
    pub fn plan_options(&self) -> PlanOptions {
        PlanOptions {
            lenient: self.inner.settings.lenient,
        }
    }

    /// The most pages [`paginate`](Self::paginate) fetches.
    pub fn page_cap(&self) -> usize {
        self.inner.settings.page_cap
    }

    fn endpoints(&self) -> Arc<Endpoints> {
        self.inner
            .endpoints
            .read()
            .map(|e| e.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// The base URL of the API host requests go to now (it changes once
    /// when autodiscovery finds the region).
    pub fn base_url(&self) -> Url {
        self.endpoints().api.clone()
    }

    /// The region, when known (configured or discovered).
    pub fn region(&self) -> Option<&'static str> {
        self.endpoints().region
    }

    /// Token requests this harness has made so far (for monitoring).
    pub fn token_requests(&self) -> u64 {
        self.inner.tokens.fetches()
    }

    /// Gets a token now, unless a fresh one is cached: checks the
    /// credentials and discovers the region.
    pub async fn authenticate(&self) -> Result<()> {
        self.token().await.map(|_| ())
    }

    /// Revokes the cached token (`POST /oauth2/revoke`) and forgets it;
    /// the next command gets a new one. Nothing is sent when no token is
    /// cached.
    pub async fn revoke(&self) -> Result<()> {
        // Check before taking the token: a bearer-token harness keeps it.
        if !matches!(self.inner.creds, Credentials::Client { .. }) {
            return Err(Error::Config(
                "revoke needs client credentials (a given bearer token is kept)".into(),
            ));
        }
        let Some(token) = self.inner.tokens.take() else {
            return Ok(());
        };
        let base = self.endpoints().api.clone();
        auth::revoke_token(&self.inner.client, &base, &self.inner.creds, &token).await
    }

    async fn token(&self) -> Result<Arc<auth::Token>> {
        self.inner
            .tokens
            .get(|| async {
                let base = self.endpoints().api.clone();
                let grant = auth::request_token(
                    &self.inner.client,
                    &base,
                    &self.inner.creds,
                    &self.inner.settings.retry,
                )
                .await?;
                if let Some(region) = grant.region.as_deref() {
                    self.discover(region);
                }
                Ok(grant.token)
            })
            .await
    }

    fn discover(&self, region: &str) {
        let Ok(mut eps) = self.inner.endpoints.write() else {
            return;
        };
        match self.inner.settings.discovered(&eps, region) {
            Some(next) => {
                tracing::info!(
                    region,
                    base_url = %crate::config::redact_url(next.api.as_str()),
                    "region discovered; switching"
                );
                *eps = Arc::new(next);
            }
            None => tracing::debug!(region, "region named by the token reply; staying"),
        }
    }

    /// Calls an operation by its ID, an alias or its snake_case name, with
    /// JSON arguments (an object, or `null` for none). The arguments are
    /// planned by [`router::plan`]: a bad name or argument is an error and
    /// nothing is sent. See [`execute`](Self::execute) for the reply.
    /// When the arguments carry `"override": "METHOD,/route"`, the route is
    /// called whatever the name (see [`router::plan_override`]).
    ///
    /// ```no_run
    /// # async fn run() -> falcon_harness::Result<()> {
    /// use serde_json::json;
    /// let harness = falcon_harness::Harness::from_env()?;
    /// let reply = harness
    ///     .command("QueryIncidents", json!({"filter": "status:20", "limit": 10}))
    ///     .await?
    ///     .error_for_status()?;
    /// println!("{:?}", reply.resources());
    /// # Ok(()) }
    /// ```
    pub async fn command(&self, name: &str, args: Value) -> Result<Response> {
        let plan = self.plan_named(name, &args, Vec::new())?;
        self.execute(plan).await
    }

    /// Calls an operation looked up beforehand (with
    /// [`catalog::operation`] or [`catalog::resolve`]), skipping the name
    /// lookup in hot loops.
    pub async fn command_op(&self, op: &'static Operation, args: Value) -> Result<Response> {
        let plan = router::plan(op, &args, &self.plan_options())?;
        self.execute(plan).await
    }

    /// Like [`command`](Self::command), with files attached to form fields
    /// from Rust (bytes in memory, or paths streamed from disk).
    pub async fn command_with_files(
        &self,
        name: &str,
        args: Value,
        files: Vec<(String, FileRef)>,
    ) -> Result<Response> {
        let plan = self.plan_named(name, &args, files)?;
        self.execute(plan).await
    }

    /// A manual request for a route the table does not describe: `spec` is
    /// `"METHOD,/route"`; see [`router::plan_override`].
    pub async fn command_override(&self, spec: &str, args: Value) -> Result<Response> {
        let plan = router::plan_override(spec, &args, &self.plan_options())?;
        self.execute(plan).await
    }

    /// Calls an operation whose success reply is a file (such as
    /// `CaseDownloadAttachment` or a sensor installer download) and streams
    /// the reply into `writer`; see [`download_plan`](Self::download_plan).
    ///
    /// ```no_run
    /// # async fn run() -> falcon_harness::Result<()> {
    /// use serde_json::json;
    /// let harness = falcon_harness::Harness::from_env()?;
    /// let mut file = tokio::fs::File::create("attachment.pdf").await.unwrap();
    /// let reply = harness
    ///     .download("CaseDownloadAttachment", json!({"id": "att-1"}), &mut file)
    ///     .await?
    ///     .error_for_status()?;
    /// # let _ = reply; Ok(()) }
    /// ```
    pub async fn download<W>(&self, name: &str, args: Value, writer: &mut W) -> Result<Response>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let plan = self.plan_named(name, &args, Vec::new())?;
        self.download_plan(plan, writer).await
    }

    /// Pages of an operation: a [`Stream`](futures_util::Stream) of
    /// replies that follows `meta.pagination` (numeric offsets, offset
    /// tokens and `after` tokens), up to the page cap. A bad name or
    /// argument is the stream's one item.
    ///
    /// ```no_run
    /// # async fn run() -> falcon_harness::Result<()> {
    /// use futures_util::StreamExt;
    /// use serde_json::json;
    /// let harness = falcon_harness::Harness::from_env()?;
    /// let mut pages = harness.paginate("QueryIncidents", json!({"limit": 500}));
    /// while let Some(page) = pages.next().await {
    ///     let page = page?.error_for_status()?;
    ///     println!("{} ids", page.resources().map_or(0, |r| r.len()));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn paginate(&self, name: &str, args: Value) -> Pages {
        match catalog::resolve(name) {
            Ok(r) => self.paginate_op(r.operation, args),
            Err(e) => Pages::failed(e.into()),
        }
    }

    /// [`paginate`](Self::paginate) for an operation looked up beforehand.
    pub fn paginate_op(&self, op: &'static Operation, args: Value) -> Pages {
        let opts = self.plan_options();
        let planner: Planner = Arc::new(move |a: &Value| router::plan(op, a, &opts));
        Pages::with_planner(self, op, args, self.page_cap(), planner)
    }

    fn plan_named(
        &self,
        name: &str,
        args: &Value,
        files: Vec<(String, FileRef)>,
    ) -> Result<RequestPlan> {
        let resolved = match catalog::resolve(name) {
            Ok(r) => r,
            // As in falconpy, a name that is no operation is ignored when
            // the arguments carry an `override` route.
            Err(e) => {
                return match router::override_route(args) {
                    Some(spec) => {
                        router::plan_override_attached(spec, args, &self.plan_options(), files)
                    }
                    None => Err(e.into()),
                }
            }
        };
        let mut plan =
            router::plan_with_attachments(resolved.operation, args, &self.plan_options(), files)?;
        if let Some(note) = resolved.deprecation_note() {
            plan.warnings.push(note);
        }
        Ok(plan)
    }

    /// Sends a planned request and returns the reply, with its body
    /// classified by content type. Error statuses are replies; transport,
    /// time-out, authentication and decoding failures are errors.
    ///
    /// A JSON reply that is not well-formed is an [`Error::Decode`] naming
    /// the operation; a well-formed one is decoded into a `Value` when its
    /// body is first asked for (see [`crate::response`]). To get a reply's
    /// raw bytes whatever its content type, use
    /// [`download_plan`](Self::download_plan) with a `Vec<u8>`.
    pub async fn execute(&self, mut plan: RequestPlan) -> Result<Response> {
        let span = span(&plan);
        async {
            let started = Instant::now();
            let (sent, attempts) = self.send(&plan, true).await?;
            let Sent::Buffered {
                status,
                headers,
                body,
            } = sent
            else {
                unreachable!("buffered send returns a buffered reply")
            };
            log_reply(status, started, attempts);
            let warnings = std::mem::take(&mut plan.warnings);
            Ok(Response::from_parts(plan.operation, status, headers, body)?
                .with_meta(warnings, attempts))
        }
        .instrument(span)
        .await
    }

    /// Sends a planned request and, when the reply is a success, streams
    /// its body into `writer` without holding it in memory; the response's
    /// body is then [`ResponseBody::Streamed`](crate::ResponseBody::Streamed)
    /// with the byte count. An error status's body is read as usual and
    /// nothing is written.
    pub async fn download_plan<W>(&self, plan: RequestPlan, writer: &mut W) -> Result<Response>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let span = span(&plan);
        async {
            let started = Instant::now();
            let (sent, attempts) = self.send(&plan, false).await?;
            let Sent::Streaming(mut reply) = sent else {
                unreachable!("streaming send returns a streaming reply")
            };
            let status = reply.status().as_u16();
            let headers = reply.headers().clone();
            if !(200..300).contains(&status) {
                let body = reply.bytes().await.map_err(|e| self.map_err(&plan, e))?;
                log_reply(status, started, attempts);
                return Ok(Response::from_parts(plan.operation, status, headers, body)?
                    .with_meta(plan.warnings.clone(), attempts));
            }
            let io = |e| Error::Io {
                context: format!("{}: writing the download", plan.operation),
                source: e,
            };
            let mut written = 0u64;
            while let Some(chunk) = reply.chunk().await.map_err(|e| self.map_err(&plan, e))? {
                writer.write_all(&chunk).await.map_err(io)?;
                written += chunk.len() as u64;
            }
            writer.flush().await.map_err(io)?;
            tracing::info!(
                status,
                bytes = written,
                elapsed_ms = started.elapsed().as_millis() as u64,
                attempts,
                "downloaded"
            );
            Ok(Response::streamed(plan.operation, status, headers, written)
                .with_meta(plan.warnings.clone(), attempts))
        }
        .instrument(span)
        .await
    }

    fn map_err(&self, plan: &RequestPlan, e: reqwest::Error) -> Error {
        if e.is_timeout() {
            let after = if e.is_connect() {
                self.inner.settings.connect_timeout
            } else {
                self.inner.settings.timeout
            };
            return Error::Timeout {
                operation: plan.operation.to_string(),
                after,
            };
        }
        Error::Transport {
            operation: plan.operation.to_string(),
            source: e.without_url(),
        }
    }

    /// The attempt loop: token, request, retries on 429 / 5xx / broken
    /// connections as the policy allows, and one re-authentication on 401.
    async fn send(&self, plan: &RequestPlan, buffer: bool) -> Result<(Sent, u32)> {
        let policy = &self.inner.settings.retry;
        let mut attempts = 0u32;
        let mut retries = 0u32;
        let mut reauthenticated = false;
        loop {
            attempts += 1;
            let token = self.token().await?;
            let endpoints = self.endpoints();
            let request = transport::build_request(
                &self.inner.client,
                &endpoints,
                plan,
                Some(token.header()?),
            )
            .await?;
            tracing::debug!(attempt = attempts, "sending");
            let outcome = self.inner.client.execute(request).await;
            let retry = match outcome {
                Ok(reply) => {
                    let status = reply.status().as_u16();
                    if status != 401 {
                        token.mark_proven();
                    } else if matches!(self.inner.creds, Credentials::Client { .. }) {
                        // One re-authentication per command; more only for
                        // a token the API accepted before (it expired or was
                        // revoked meanwhile), and then as retries.
                        let again = reauthenticated && token.proven() && retries < policy.retries();
                        if !reauthenticated || again {
                            tracing::info!("401: renewing the token and retrying");
                            self.inner.tokens.invalidate(&token);
                            if reauthenticated {
                                retries += 1;
                            }
                            reauthenticated = true;
                            drain(reply).await;
                            continue;
                        }
                    }
                    match policy.retry_status(plan.method, status) {
                        Some(reason) if retries < policy.retries() => {
                            let wait = if reason == RetryReason::RateLimited {
                                policy.rate_limit_delay(reply.headers(), retries)
                            } else {
                                policy.backoff_delay(retries)
                            };
                            drain(reply).await;
                            Some((reason, wait, Some(status)))
                        }
                        _ if !buffer => return Ok((Sent::Streaming(reply), attempts)),
                        _ => {
                            let headers = reply.headers().clone();
                            match reply.bytes().await {
                                Ok(body) => {
                                    return Ok((
                                        Sent::Buffered {
                                            status,
                                            headers,
                                            body,
                                        },
                                        attempts,
                                    ))
                                }
                                Err(e) => match policy.retry_error(plan.method, &e) {
                                    Some(reason) if retries < policy.retries() => {
                                        Some((reason, policy.backoff_delay(retries), None))
                                    }
                                    _ => return Err(self.map_err(plan, e)),
                                },
                            }
                        }
                    }
                }
                Err(e) => match policy.retry_error(plan.method, &e) {
                    Some(reason) if retries < policy.retries() => {
                        Some((reason, policy.backoff_delay(retries), None))
                    }
                    _ => return Err(self.map_err(plan, e)),
                },
            };
            if let Some((reason, wait, status)) = retry {
                tracing::warn!(
                    reason = reason.as_str(),
                    status = status.unwrap_or(0),
                    wait_ms = wait.as_millis() as u64,
                    retry = retries + 1,
                    "retrying"
                );
                tokio::time::sleep(wait).await;
                retries += 1;
            }
        }
    }
}

/// Reads a small discarded reply to the end, so its connection can be
/// reused; a large or slow one is dropped (closing the connection).
async fn drain(mut reply: reqwest::Response) {
    const MAX: u64 = 64 * 1024;
    if reply.content_length().is_some_and(|n| n > MAX) {
        return;
    }
    let mut read = 0u64;
    while let Ok(Ok(Some(chunk))) =
        tokio::time::timeout(Duration::from_secs(1), reply.chunk()).await
    {
        read += chunk.len() as u64;
        if read > MAX {
            return;
        }
    }
}

/// The text of a configuration error, without the `configuration:` prefix.
fn config_message(e: Error) -> String {
    match e {
        Error::Config(m) => m,
        other => other.to_string(),
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

fn log_reply(status: u16, started: Instant, attempts: u32) {
    tracing::info!(
        status,
        elapsed_ms = started.elapsed().as_millis() as u64,
        attempts,
        "reply"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn harness_is_shareable() {
        fn check<T: Clone + Send + Sync + 'static>() {}
        check::<Harness>();
    }

    #[test]
    fn builder_needs_credentials() {
        let e = Harness::builder().build().unwrap_err();
        assert!(e.is_config());
        let e = HarnessBuilder {
            client_id: Some("id".into()),
            ..HarnessBuilder::default()
        }
        .build()
        .unwrap_err();
        assert!(e.to_string().contains("secret"));
        assert!(Harness::builder().bearer_token("t").build().is_ok());
    }

    #[test]
    fn from_env_reads_everything() {
        let b = HarnessBuilder::from_env_with(|k| {
            match k {
                "FALCON_CLIENT_ID" => Some("id"),
                "FALCON_CLIENT_SECRET" => Some("s3cr3t-value"),
                "FALCON_MEMBER_CID" => Some("child"),
                "FALCON_CLOUD" => Some("US2"),
                "FALCON_BASE_URL" => Some("http://127.0.0.1:1"),
                _ => None,
            }
            .map(String::from)
        });
        assert_eq!(b.member_cid.as_deref(), Some("child"));
        let h = b.build().unwrap();
        assert_eq!(h.base_url().as_str(), "http://127.0.0.1:1/");
        assert_eq!(h.region(), Some("us-2"));
        assert!(!format!("{h:?}").contains("s3cr3t-value"));
        let e = HarnessBuilder::from_env_with(|k| (k == "FALCON_CLOUD").then(|| "pluto".into()))
            .build()
            .unwrap_err();
        assert!(e.is_config() && e.to_string().contains("pluto"));
    }

    #[test]
    fn clouds_by_name() {
        let h = Harness::builder()
            .bearer_token("t")
            .cloud_named("USGOV1")
            .build()
            .unwrap();
        assert_eq!(h.region(), Some("us-gov-1"));
        assert_eq!(
            h.base_url().as_str(),
            "https://api.laggar.gcw.crowdstrike.com/"
        );
        let h = Harness::builder().bearer_token("t").build().unwrap();
        assert_eq!(h.region(), None);
        assert_eq!(h.base_url().host_str(), Some(catalog::auto_host()));
        let e = Harness::builder()
            .bearer_token("t")
            .cloud_named("us-9")
            .build()
            .unwrap_err();
        assert!(e.is_config() && e.to_string().contains("us-9"));
    }

    #[test]
    fn plain_http_is_refused_for_remote_hosts() {
        let b = Harness::builder()
            .client_credentials("id", "secret")
            .base_url("http://falcon.example.com");
        assert!(b.clone().build().unwrap_err().is_config());
        assert!(b.allow_insecure_http(true).build().is_ok());
    }
}
