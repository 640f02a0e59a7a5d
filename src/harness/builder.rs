//! The harness builder: credentials and settings, checked when built.

use super::{Harness, Inner};
use crate::auth::Credentials;
use crate::config::{Cloud, EnvConfig, Settings};
use crate::error::{Error, Result};
use crate::operation::Host;
use crate::retry::RetryPolicy;
use crate::secret::Secret;
use crate::tenant::Tenants;
use crate::transport;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use url::Url;

/// Builds a [`Harness`]. Every setting has a default except the
/// credentials.
///
/// | setting | default |
/// |---|---|
/// | cloud | `auto` (region from the token reply) |
/// | time limit of a request (retries and waits included) | 300 s |
/// | time limit of one attempt / of connecting | 120 s / 10 s |
/// | largest reply body held in memory | 256 MiB (after decoding) |
/// | token renew window | 120 s before expiry |
/// | retry | [`RetryPolicy::default`] |
/// | arguments | strict |
/// | TLS verification | on |
/// | page cap of `pages()` | 1,000 pages |
/// | rate-limit pacing ([`crate::pacing`]) | on |
/// | splitting long id lists ([`crate::split`]) | on |
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

    /// Time limit of a whole request (default 300 s): getting a token,
    /// every attempt, the waits between them and reading the reply (for
    /// [`download`](crate::RequestBuilder::download), streaming it into
    /// the writer). When it runs out the request ends with
    /// [`Error::Timeout`], which says how many attempts were made; a retry
    /// whose wait would end past it is not made (the last reply or error
    /// is kept). Each page of [`pages`](crate::RequestBuilder::pages) is
    /// a request.
    ///
    /// ```
    /// use std::time::Duration;
    /// let b = falcon_harness::Harness::builder()
    ///     .timeout(Duration::from_secs(30))
    ///     .attempt_timeout(Duration::from_secs(10));
    /// # let _ = b;
    /// ```
    pub fn timeout(mut self, t: Duration) -> HarnessBuilder {
        self.settings.timeout = t;
        self
    }

    /// Time limit of one attempt, from sending to the last byte of the
    /// reply (default 120 s). An attempt that runs out of it is retried
    /// like a broken connection (idempotent methods only), within
    /// [`timeout`](Self::timeout).
    pub fn attempt_timeout(mut self, t: Duration) -> HarnessBuilder {
        self.settings.attempt_timeout = t;
        self
    }

    /// The most bytes of one reply body held in memory, counted after
    /// decoding (default 256 MiB, [`DEFAULT_MAX_REPLY_BYTES`]): API
    /// replies, error replies of downloads and token replies. Past it the
    /// request ends with [`Error::TooLarge`] and reading stops, so memory
    /// stays near the limit even for a compressed reply that expands
    /// without end. Downloads streamed into a writer are not limited.
    ///
    /// ```
    /// // Replies of up to 16 MiB; a larger one is Error::TooLarge.
    /// let b = falcon_harness::Harness::builder().max_reply_bytes(16 << 20);
    /// # let _ = b;
    /// ```
    ///
    /// [`DEFAULT_MAX_REPLY_BYTES`]: crate::body_limit::DEFAULT_MAX_REPLY_BYTES
    pub fn max_reply_bytes(mut self, limit: u64) -> HarnessBuilder {
        self.settings.max_reply_bytes = limit;
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

    /// Rate-limit pacing (default on): requests, token requests included,
    /// wait for the CID's budget instead of being refused with 429; see
    /// [`crate::pacing`]. Per request:
    /// [`RequestBuilder::pacing`](crate::RequestBuilder::pacing).
    pub fn pacing(mut self, on: bool) -> HarnessBuilder {
        self.settings.pacing = on;
        self
    }

    /// Splitting long id lists (default on): a command whose query list
    /// is longer than the operation accepts is sent as several requests
    /// with one merged reply; with it off such a command is an argument
    /// error. See [`crate::split`]. Per request:
    /// [`RequestBuilder::split_long_lists`](crate::RequestBuilder::split_long_lists).
    pub fn split_long_lists(mut self, on: bool) -> HarnessBuilder {
        self.settings.split = on;
        self
    }

    /// The most pages [`RequestBuilder::pages`](crate::RequestBuilder::pages)
    /// fetches (default 1,000).
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
        let (initial, member_cid) = match &creds {
            Credentials::Bearer(t) => (Some(t.clone()), None),
            Credentials::Client { .. } => (None, self.member_cid),
        };
        let tenants = Tenants::new(
            member_cid,
            initial,
            settings.renew_window,
            settings.retry.rate_limit_cap(),
        );
        Ok(Harness {
            tenant: tenants.parent(),
            inner: Arc::new(Inner {
                tenants,
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

/// The text of a configuration error, without the `configuration:` prefix.
fn config_message(e: Error) -> String {
    match e {
        Error::Config(m) => m,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

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
