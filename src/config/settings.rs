//! Everything the builder collects, and where requests start and move
//! to (autodiscovery).

use super::base_url::{base_url, redact_url, Endpoints};
use super::Cloud;
use crate::catalog;
use crate::cloud::{auto_container_host, region_hosts};
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
use std::collections::HashMap;
use std::fmt;
use std::time::Duration;
use url::Url;

/// Everything the builder collects. Secrets live in `auth::Credentials`.
#[derive(Clone)]
pub(crate) struct Settings {
    pub cloud: Cloud,
    pub base_url: Option<String>,
    pub region_base_urls: HashMap<String, String>,
    pub autodiscover: bool,
    pub connect_timeout: Duration,
    /// The whole request: token, attempts, waits, reading the reply.
    pub timeout: Duration,
    /// One attempt, from sending to the last byte of the reply.
    pub attempt_timeout: Duration,
    /// The most bytes of one reply body held in memory.
    pub max_reply_bytes: u64,
    pub proxy: Option<String>,
    pub verify_tls: bool,
    pub user_agent_suffix: Option<String>,
    pub renew_window: Duration,
    pub retry: RetryPolicy,
    pub lenient: bool,
    pub allow_insecure_http: bool,
    pub page_cap: usize,
    pub pacing: bool,
    pub split: bool,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("cloud", &self.cloud)
            .field("base_url", &self.base_url.as_deref().map(redact_url))
            .field(
                "region_base_urls",
                &self
                    .region_base_urls
                    .iter()
                    .map(|(k, v)| (k.as_str(), redact_url(v)))
                    .collect::<std::collections::BTreeMap<_, _>>(),
            )
            .field("autodiscover", &self.autodiscover)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("attempt_timeout", &self.attempt_timeout)
            .field("max_reply_bytes", &self.max_reply_bytes)
            .field("proxy", &self.proxy.as_deref().map(redact_url))
            .field("verify_tls", &self.verify_tls)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("renew_window", &self.renew_window)
            .field("retry", &self.retry)
            .field("lenient", &self.lenient)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("page_cap", &self.page_cap)
            .field("pacing", &self.pacing)
            .field("split", &self.split)
            .finish()
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            cloud: Cloud::Auto,
            base_url: None,
            region_base_urls: HashMap::new(),
            autodiscover: true,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(300),
            attempt_timeout: Duration::from_secs(120),
            max_reply_bytes: crate::body_limit::DEFAULT_MAX_REPLY_BYTES,
            proxy: None,
            verify_tls: true,
            user_agent_suffix: None,
            renew_window: Duration::from_secs(120),
            retry: RetryPolicy::default(),
            lenient: false,
            allow_insecure_http: false,
            page_cap: 1_000,
            pacing: true,
            split: true,
        }
    }
}

impl Settings {
    /// A base URL by the one policy ([`base_url`]), with this
    /// harness's `allow_insecure_http`.
    fn base(&self, s: &str) -> Result<Url> {
        base_url(s, self.allow_insecure_http)
    }

    /// The endpoints to start with. Every configured URL (the base URL,
    /// a custom cloud, the region URLs) passes the base-URL policy.
    pub fn initial_endpoints(&self) -> Result<Endpoints> {
        for u in self.region_base_urls.values() {
            self.base(u)?;
        }
        if let Some(base) = &self.base_url {
            return Ok(Endpoints::same(self.base(base)?, self.cloud.region()));
        }
        Ok(match &self.cloud {
            Cloud::Custom(u) => Endpoints::same(self.base(u.as_str())?, None),
            Cloud::Auto => {
                let auto = catalog::auto_host();
                Endpoints::https(auto, auto_container_host().unwrap_or(auto), None)?
            }
            region => {
                let name = region.region();
                let (api, cr) = name
                    .and_then(region_hosts)
                    .ok_or_else(|| Error::Config(format!("no hosts known for cloud {region:?}")))?;
                Endpoints::https(api, cr, name)?
            }
        })
    }

    /// Whether the region named by a token reply may switch the endpoints.
    fn may_autodiscover(&self) -> bool {
        self.autodiscover && !self.cloud.is_gov()
    }

    /// The endpoints for a region named by a token reply's `X-Cs-Region`,
    /// or `None` to stay where we are.
    pub fn discovered(&self, current: &Endpoints, region: &str) -> Option<Endpoints> {
        if !self.may_autodiscover() || current.region == Some(region) {
            return None;
        }
        let name = catalog::regions()
            .iter()
            .map(|(n, _, _)| *n)
            .find(|n| *n == region)?;
        if Cloud::from_region(name).is_some_and(|c| c.is_gov()) {
            return None;
        }
        if let Some(u) = self.region_base_urls.get(name) {
            return self.base(u).ok().map(|u| Endpoints::same(u, Some(name)));
        }
        // A custom base URL (private endpoint, proxy) is kept unless the
        // region is mapped above.
        if self.base_url.is_some() || matches!(self.cloud, Cloud::Custom(_)) {
            return None;
        }
        let (api, cr) = region_hosts(name)?;
        Endpoints::https(api, cr, Some(name)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_with_credentials_never_show_them() {
        let with = "https://user:hunter2@falcon.example/";
        let cloud: Cloud = with.parse().unwrap();
        assert!(!format!("{cloud:?}").contains("hunter2"));
        let mut s = Settings {
            cloud,
            ..Settings::default()
        };
        s.region_base_urls.insert("us-2".into(), with.into());
        assert!(!format!("{s:?}").contains("hunter2"), "{s:?}");
        s.base_url = Some("https://user:hunter2@falcon.example/?q=1".into());
        let e = s.initial_endpoints().unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        let e = "https://user:hunter2@[bad".parse::<Cloud>().unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    #[test]
    fn plain_http_only_for_loopback() {
        let mut s = Settings {
            base_url: Some("http://127.0.0.1:9".into()),
            ..Settings::default()
        };
        assert!(s.initial_endpoints().is_ok());
        s.base_url = Some("http://localhost:9".into());
        assert!(s.initial_endpoints().is_ok());
        s.base_url = Some("http://[::1]:9".into());
        assert!(s.initial_endpoints().is_ok());
        s.base_url = Some("http://falcon.example.com".into());
        assert!(s.initial_endpoints().unwrap_err().is_config());
        s.allow_insecure_http = true;
        assert!(s.initial_endpoints().is_ok());
        s.base_url = Some("ftp://x".into());
        assert!(s.initial_endpoints().is_err());
    }

    #[test]
    fn autodiscovery_rules() {
        let s = Settings::default();
        let eps = s.initial_endpoints().unwrap();
        assert_eq!(eps.api.host_str(), Some(catalog::auto_host()));
        let next = s.discovered(&eps, "eu-1").unwrap();
        assert_eq!(next.api.host_str(), Some("api.eu-1.crowdstrike.com"));
        assert_eq!(
            next.container.host_str(),
            Some("container-upload.eu-1.crowdstrike.com")
        );
        assert!(s.discovered(&next, "eu-1").is_none(), "already there");
        assert!(s.discovered(&eps, "atlantis").is_none());
        assert!(s.discovered(&eps, "us-gov-1").is_none());

        let gov = Settings {
            cloud: Cloud::UsGov1,
            ..Settings::default()
        };
        let eps = gov.initial_endpoints().unwrap();
        assert!(gov.discovered(&eps, "us-2").is_none());

        let off = Settings {
            autodiscover: false,
            ..Settings::default()
        };
        assert!(off
            .discovered(&off.initial_endpoints().unwrap(), "us-2")
            .is_none());

        let custom = Settings {
            base_url: Some("http://127.0.0.1:1".into()),
            region_base_urls: [("us-2".to_string(), "http://127.0.0.1:2".to_string())].into(),
            ..Settings::default()
        };
        let eps = custom.initial_endpoints().unwrap();
        assert!(custom.discovered(&eps, "eu-1").is_none(), "custom kept");
        let next = custom.discovered(&eps, "us-2").unwrap();
        assert_eq!(next.api.port(), Some(2));
    }

    #[test]
    fn proxy_credentials_are_not_shown() {
        let s = Settings {
            proxy: Some("http://user:pa55word@proxy.example:3128".into()),
            ..Settings::default()
        };
        let shown = format!("{s:?}");
        assert!(
            !shown.contains("pa55word") && !shown.contains("user:"),
            "{shown}"
        );
        assert!(shown.contains("proxy.example:3128"), "{shown}");
    }
}
