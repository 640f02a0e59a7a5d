//! The base-URL policy, once for the real run and the dry run: `http(s)`
//! with a host, no query or fragment, plain HTTP only to loopback unless
//! allowed, and `user:password@` never shown.

use super::route_urls::RouteUrls;
use crate::error::{Error, Result};
use url::Url;

/// The base URLs requests currently go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoints {
    /// Base URL of the API host (no trailing slash in the path).
    pub api: Url,
    /// Base URL of the container-registry upload host.
    pub container: Url,
    /// The region, when known.
    pub region: Option<&'static str>,
    /// The URLs of the routes sent to so far on these base URLs.
    pub routes: RouteUrls,
}

impl Endpoints {
    pub(crate) fn https(
        api: &str,
        container: &str,
        region: Option<&'static str>,
    ) -> Result<Endpoints> {
        Ok(Endpoints {
            api: parse_base(&format!("https://{api}"))?,
            container: parse_base(&format!("https://{container}"))?,
            region,
            routes: RouteUrls::default(),
        })
    }

    pub(crate) fn same(url: Url, region: Option<&'static str>) -> Endpoints {
        Endpoints {
            api: url.clone(),
            container: url,
            region,
            routes: RouteUrls::default(),
        }
    }

    /// Whether a URL has the origin of one of these base URLs.
    pub fn owns(&self, url: &Url) -> bool {
        same_origin(&self.api, url) || same_origin(&self.container, url)
    }
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// A base URL as the harness accepts it: parsed, `http(s)://host`, no
/// query or fragment, and plain `http://` only to a loopback host unless
/// `allow_insecure_http`. Messages show the URL redacted.
pub(crate) fn base_url(s: &str, allow_insecure_http: bool) -> Result<Url> {
    let url = parse_base(s)?;
    if url.scheme() == "http" && !allow_insecure_http && !is_loopback(&url) {
        return Err(Error::Config(format!(
            "plain http:// to {} is refused; use https or allow_insecure_http(true)",
            url.host_str().unwrap_or("?")
        )));
    }
    Ok(url)
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
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost") || d.to_ascii_lowercase().ends_with(".localhost")
        }
        None => false,
    }
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
mod tests {
    use super::*;

    #[test]
    fn urls_with_credentials_never_show_them() {
        let e = parse_base("https://user:hunter2@falcon.example/?q=1").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        let e = base_url("http://user:hunter2@falcon.example/", false).unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert_eq!(
            redact_url("https://user:hunter2@falcon.example/"),
            "https://***@falcon.example/"
        );
    }

    #[test]
    fn plain_http_only_for_loopback() {
        for ok in [
            "http://127.0.0.1:9",
            "http://localhost:9",
            "http://[::1]:9",
            "https://x.example",
        ] {
            assert!(base_url(ok, false).is_ok(), "{ok}");
        }
        assert!(base_url("http://falcon.example.com", false)
            .unwrap_err()
            .is_config());
        assert!(base_url("http://falcon.example.com", true).is_ok());
        for bad in [
            "ftp://x",
            "https://x.example/?q=1",
            "https://x.example/#f",
            "nope",
        ] {
            assert!(base_url(bad, true).unwrap_err().is_config(), "{bad}");
        }
    }
}
