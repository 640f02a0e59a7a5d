//! The harness: a cheap-to-clone handle that authenticates, sends planned
//! requests with retries, and returns [`Response`]s.

mod args;
mod builder;
mod request;
mod send;
mod target;

pub use args::Args;
pub use builder::HarnessBuilder;
pub use request::RequestBuilder;
pub use target::Target;

use crate::attempt::Limits;
use crate::auth::{self, Credentials, TokenEndpoint};
use crate::config::{Endpoints, Settings};
use crate::error::{Error, Result};
use crate::pacing::PaceStats;
use crate::plan::{PlanOptions, RequestPlan};
use crate::response::Response;
use crate::tenant::{Tenant, Tenants};
use std::fmt;
use std::sync::{Arc, RwLock};
use url::Url;

/// A client of the Falcon API that calls operations by ID.
///
/// `Harness` is `Clone + Send + Sync`; clones share one connection pool,
/// one token and rate-limit pacer per CID, and one region, so clone it
/// freely into tasks. [`for_member`](Self::for_member) is a view of the
/// same harness acting for a child CID.
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
    /// The CID this view acts for.
    tenant: Arc<Tenant>,
}

struct Inner {
    settings: Settings,
    creds: Credentials,
    client: reqwest::Client,
    tenants: Tenants,
    endpoints: RwLock<Arc<Endpoints>>,
}

impl fmt::Debug for Harness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Harness")
            .field("endpoints", &self.endpoints())
            .field("credentials", &self.inner.creds)
            .field("tenant", &self.tenant)
            .field("tenants", &self.inner.tenants)
            .field("settings", &self.inner.settings)
            .finish()
    }
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

    /// The most pages [`RequestBuilder::pages`] fetches.
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

    /// Token requests this harness has made so far, for every CID (for
    /// monitoring).
    pub fn token_requests(&self) -> u64 {
        self.inner.tenants.token_requests()
    }

    /// A view of this harness acting for the child CID `cid` (Flight
    /// Control): it shares the connection pool, the region and the
    /// settings, and keeps one token and one pacer per child CID, made on
    /// first use (so a thousand views of one CID cost one token request).
    /// Needs client credentials; a CID that is not letters, digits and
    /// `-` is an [`Error::Config`]. CIDs compare case-insensitively (the
    /// first spelling used is the one sent). The same per request:
    /// [`RequestBuilder::member_cid`].
    ///
    /// ```no_run
    /// # async fn run() -> falcon_harness::Result<()> {
    /// let parent = falcon_harness::Harness::from_env()?;
    /// let child = parent.for_member("0123456789abcdef0123456789abcdef")?;
    /// let reply = child.command("QueryIncidents", serde_json::json!({})).await?;
    /// # let _ = reply; Ok(()) }
    /// ```
    pub fn for_member(&self, cid: &str) -> Result<Harness> {
        if matches!(self.inner.creds, Credentials::Bearer(_)) {
            return Err(Error::Config(
                "acting for a member CID needs client credentials, not a bearer token".into(),
            ));
        }
        Ok(Harness {
            inner: self.inner.clone(),
            tenant: self.inner.tenants.member(cid)?,
        })
    }

    /// The child CID this harness acts for, if any.
    pub fn member_cid(&self) -> Option<&str> {
        self.tenant.member_cid.as_deref()
    }

    /// Pacing counters of every CID of this harness (waiting now, 429s
    /// avoided and received).
    pub fn pacing_stats(&self) -> Arc<PaceStats> {
        self.inner.tenants.stats().clone()
    }

    /// CIDs this harness has acted for (the parent and each child used).
    pub fn cids(&self) -> usize {
        self.inner.tenants.count()
    }

    /// Whether requests wait for the rate-limit pacer by default.
    pub(crate) fn pacing(&self) -> bool {
        self.inner.settings.pacing
    }

    /// The requests that carry `plan` under this harness's setting for
    /// long lists (see [`crate::split`]): one, or several for a list longer
    /// than the operation accepts. See also [`RequestBuilder::plans`].
    pub fn split_plan(&self, plan: RequestPlan) -> Result<Vec<RequestPlan>> {
        crate::split::split(plan, self.inner.settings.split)
    }

    /// Whether long lists are split by default.
    pub(crate) fn splits(&self) -> bool {
        self.inner.settings.split
    }

    /// Gets a token now, unless a fresh one is cached: checks the
    /// credentials and discovers the region.
    pub async fn authenticate(&self) -> Result<()> {
        let limits = Limits::starting_now(&self.inner.settings);
        self.token(&limits).await.map(|_| ())
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
        let Some(token) = self.tenant.tokens.take() else {
            return Ok(());
        };
        let base = self.endpoints().api.clone();
        let limits = Limits::starting_now(&self.inner.settings);
        auth::revoke_token(
            &self.inner.client,
            &base,
            &self.inner.creds,
            &token,
            &limits,
        )
        .await
    }

    /// The token, fetched within `limits` (those of the request that
    /// needs it) when none is cached. The fetch is boxed: it is rare, and
    /// inline it would make every command's future (moved at each await)
    /// as large as a token request.
    async fn token(&self, limits: &Limits) -> Result<Arc<auth::Token>> {
        self.tenant
            .tokens
            .get(|| {
                Box::pin(async {
                    let base = self.endpoints().api.clone();
                    let at = TokenEndpoint {
                        client: &self.inner.client,
                        base: &base,
                        policy: &self.inner.settings.retry,
                        limits,
                        pacer: self.inner.tenants.token_pacer(),
                        paced: self.inner.settings.pacing,
                    };
                    let member_cid = self.tenant.member_cid.as_deref();
                    let grant = auth::request_token(at, &self.inner.creds, member_cid).await?;
                    if let Some(region) = grant.region.as_deref() {
                        self.discover(region);
                    }
                    Ok(grant.token)
                })
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
    /// planned by [`router::plan`](crate::router::plan): a bad name or argument is an error and
    /// nothing is sent. See [`execute`](Self::execute) for the reply.
    /// The arguments may be lent (`&value`, see [`Args`]) when the same
    /// ones are sent many times.
    /// When the name is no operation and the arguments carry
    /// `"override": "METHOD,/route"`, that route is called (as falconpy's
    /// `command(override=...)`; see [`router::plan_override`](crate::router::plan_override)).
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
    pub async fn command<'a>(&self, name: &str, args: impl Into<Args<'a>>) -> Result<Response> {
        let args: Args<'a> = args.into();
        self.request(name).args(args).send().await
    }

    /// A request to build: `target` is an operation name (`&str`), an
    /// [`&Operation`](crate::Operation), a
    /// [`Target::override_route`] or a [`RequestPlan`](crate::RequestPlan). Give it
    /// [`args`](RequestBuilder::args) and [`file`](RequestBuilder::file)s,
    /// then [`send`](RequestBuilder::send) it,
    /// [`download`](RequestBuilder::download) its reply into a writer,
    /// follow its [`pages`](RequestBuilder::pages), or only
    /// [`plan`](RequestBuilder::plan) it.
    ///
    /// ```no_run
    /// # async fn run() -> falcon_harness::Result<()> {
    /// use falcon_harness::{catalog, Target};
    /// use serde_json::json;
    /// let harness = falcon_harness::Harness::from_env()?;
    /// // An operation looked up once, called in a loop.
    /// let op = catalog::operation("GetIncidents").unwrap();
    /// for id in ["inc:1", "inc:2"] {
    ///     harness.request(op).args(json!({"ids": [id]})).send().await?;
    /// }
    /// // A route the table does not describe.
    /// let reply = harness
    ///     .request(Target::override_route("GET,/incidents/queries/incidents/v1"))
    ///     .args(json!({"parameters": {"limit": 1}}))
    ///     .send()
    ///     .await?;
    /// # let _ = reply; Ok(()) }
    /// ```
    pub fn request(&self, target: impl Into<Target>) -> RequestBuilder<'_> {
        RequestBuilder::new(self, target.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn harness_is_shareable() {
        fn check<T: Clone + Send + Sync + 'static>() {}
        check::<Harness>();
    }
}
