//! Configuration of a harness: the endpoints of the cloud (region; the
//! `Cloud` type itself is in `cloud.rs`), and the settings the builder
//! collects, including reading them from the environment.

use crate::catalog;
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
use std::collections::HashMap;
use std::fmt;
use std::time::Duration;
use url::Url;

/// Environment variable: the API client ID.
pub const ENV_CLIENT_ID: &str = "FALCON_CLIENT_ID";
/// Environment variable: the API client secret.
pub const ENV_CLIENT_SECRET: &str = "FALCON_CLIENT_SECRET";
/// Environment variable: the member CID of an MSSP child.
pub const ENV_MEMBER_CID: &str = "FALCON_MEMBER_CID";
/// Environment variable: the cloud (`us-1`, `US2`, `auto`, a URL ...).
pub const ENV_CLOUD: &str = "FALCON_CLOUD";
/// Environment variable: a base URL that overrides the cloud's API host.
pub const ENV_BASE_URL: &str = "FALCON_BASE_URL";

pub use crate::cloud::Cloud;
use crate::cloud::{auto_container_host, region_hosts};

/// The base URLs requests currently go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoints {
    /// Base URL of the API host (no trailing slash in the path).
    pub api: Url,
    /// Base URL of the container-registry upload host.
    pub container: Url,
    /// The region, when known.
    pub region: Option<&'static str>,
}

impl Endpoints {
    fn https(api: &str, container: &str, region: Option<&'static str>) -> Result<Endpoints> {
        Ok(Endpoints {
            api: parse_base(&format!("https://{api}"))?,
            container: parse_base(&format!("https://{container}"))?,
            region,
        })
    }

    fn same(url: Url, region: Option<&'static str>) -> Endpoints {
        Endpoints {
            api: url.clone(),
            container: url,
            region,
        }
    }

    /// Whether a URL has the origin of one of these base URLs.
    pub fn owns(&self, url: &Url) -> bool {
        same_origin(&self.api, url) || same_origin(&self.container, url)
    }
}

pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

fn parse_base(s: &str) -> Result<Url> {
    // Messages show the URL without any `user:password@`.
    let shown = redact_url(s);
    let url =
        Url::parse(s).map_err(|e| Error::Config(format!("invalid base URL {shown:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::Config(format!(
            "invalid base URL {shown:?}: expected http(s)://host"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!(
            "invalid base URL {shown:?}: no query or fragment allowed"
        )));
    }
    Ok(url)
}

/// Whether a URL's host is a loopback address or `localhost`.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost")
        }
        None => false,
    }
}

/// Everything the builder collects. Secrets live in `auth::Credentials`.
#[derive(Clone)]
pub(crate) struct Settings {
    pub cloud: Cloud,
    pub base_url: Option<String>,
    pub region_base_urls: HashMap<String, String>,
    pub autodiscover: bool,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub proxy: Option<String>,
    pub verify_tls: bool,
    pub user_agent_suffix: Option<String>,
    pub renew_window: Duration,
    pub retry: RetryPolicy,
    pub lenient: bool,
    pub allow_insecure_http: bool,
    pub page_cap: usize,
}

/// A URL for display: any `user:password@` part is replaced.
pub fn redact_url(s: &str) -> String {
    match Url::parse(s) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("***");
            let _ = u.set_password(None);
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "<unparsable URL>".to_string(),
    }
}

#[cfg(test)]
mod redaction_tests {
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
        let e = parse_base("https://user:hunter2@falcon.example/?q=1").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        let e = "https://user:hunter2@[bad".parse::<Cloud>().unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }
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
            .field("proxy", &self.proxy.as_deref().map(redact_url))
            .field("verify_tls", &self.verify_tls)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("renew_window", &self.renew_window)
            .field("retry", &self.retry)
            .field("lenient", &self.lenient)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("page_cap", &self.page_cap)
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
            timeout: Duration::from_secs(120),
            proxy: None,
            verify_tls: true,
            user_agent_suffix: None,
            renew_window: Duration::from_secs(120),
            retry: RetryPolicy::default(),
            lenient: false,
            allow_insecure_http: false,
            page_cap: 1_000,
        }
    }
}

impl Settings {
    /// The endpoints to start with.
    pub fn initial_endpoints(&self) -> Result<Endpoints> {
        let eps = if let Some(base) = &self.base_url {
            Endpoints::same(parse_base(base)?, self.cloud.region())
        } else {
            match &self.cloud {
                Cloud::Custom(u) => Endpoints::same(parse_base(u.as_str())?, None),
                Cloud::Auto => {
                    let auto = catalog::auto_host();
                    Endpoints::https(auto, auto_container_host().unwrap_or(auto), None)?
                }
                region => {
                    let name = region.region();
                    let (api, cr) = name.and_then(region_hosts).ok_or_else(|| {
                        Error::Config(format!("no hosts known for cloud {region:?}"))
                    })?;
                    Endpoints::https(api, cr, name)?
                }
            }
        };
        self.check_scheme(&eps.api)?;
        self.check_scheme(&eps.container)?;
        for u in self.region_base_urls.values() {
            self.check_scheme(&parse_base(u)?)?;
        }
        Ok(eps)
    }

    /// Refuses plain HTTP to a host that is not loopback, unless allowed.
    pub fn check_scheme(&self, url: &Url) -> Result<()> {
        if url.scheme() == "http" && !self.allow_insecure_http && !is_loopback(url) {
            return Err(Error::Config(format!(
                "plain http:// to {} is refused; use https or allow_insecure_http(true)",
                url.host_str().unwrap_or("?")
            )));
        }
        Ok(())
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
            return parse_base(u).ok().map(|u| Endpoints::same(u, Some(name)));
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

/// The settings `from_env` reads, looked up through `get`.
pub(crate) struct EnvConfig {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub member_cid: Option<String>,
    pub cloud: Option<Cloud>,
    pub base_url: Option<String>,
}

impl EnvConfig {
    pub fn read(get: impl Fn(&str) -> Option<String>) -> Result<EnvConfig> {
        let get = |k: &str| {
            get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let cloud = match get(ENV_CLOUD) {
            Some(c) => Some(c.parse::<Cloud>().map_err(|e| match e {
                Error::Config(m) => Error::Config(format!("{ENV_CLOUD}: {m}")),
                other => other,
            })?),
            None => None,
        };
        Ok(EnvConfig {
            client_id: get(ENV_CLIENT_ID),
            client_secret: get(ENV_CLIENT_SECRET),
            member_cid: get(ENV_MEMBER_CID),
            cloud,
            base_url: get(ENV_BASE_URL),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn env_is_read_and_validated() {
        let env = |k: &str| {
            match k {
                ENV_CLIENT_ID => Some("id"),
                ENV_CLIENT_SECRET => Some("secret"),
                ENV_MEMBER_CID => Some("  "),
                ENV_CLOUD => Some("USGOV2"),
                _ => None,
            }
            .map(String::from)
        };
        let e = EnvConfig::read(env).unwrap();
        assert_eq!(e.client_id.as_deref(), Some("id"));
        assert_eq!(e.client_secret.as_deref(), Some("secret"));
        assert_eq!(e.member_cid, None, "blank means unset");
        assert_eq!(e.cloud, Some(Cloud::UsGov2));
        assert_eq!(e.base_url, None);
        let bad = EnvConfig::read(|k| (k == ENV_CLOUD).then(|| "nowhere".to_string()));
        assert!(bad.is_err_and(|e| e.to_string().contains(ENV_CLOUD)));
    }
}
