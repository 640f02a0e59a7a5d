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

/// Whether two URLs have the same origin: scheme, host and port.
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// A base URL as the harness accepts it: parsed, `http(s)://host`, no
/// query or fragment, and plain `http://` only to a loopback host unless
/// `allow_insecure_http`. A refusal echoes the input (any
/// `user:password@` hidden), says why and what to write instead.
pub(crate) fn base_url(s: &str, allow_insecure_http: bool) -> Result<Url> {
    let url = parse_base(s)?;
    if url.scheme() == "http" && !allow_insecure_http && !is_loopback(&url) {
        return Err(refused(
            s,
            format!(
                "plain http:// is allowed only to a loopback host ({LOOPBACK}); use {:?}",
                shown(&format!("https{}", &s.trim()[4..]))
            ),
        ));
    }
    Ok(url)
}

/// The loopback hosts plain `http://` may go to, as messages name them.
const LOOPBACK: &str = "127.0.0.1, [::1], localhost";

fn refused(s: &str, why: String) -> Error {
    Error::Config(format!("invalid base URL {:?}: {why}", shown(s)))
}

/// Parses a base URL: `http(s)://host[:port][/path]`, no query or
/// fragment (the plain-HTTP rule is [`base_url`]'s).
pub(crate) fn parse_base(s: &str) -> Result<Url> {
    let s = s.trim();
    if !has_scheme(s) {
        // `127.0.0.1:8080` or `api.example.com`: the scheme left out.
        let http = Url::parse(&format!("http://{s}")).ok();
        let scheme = match http {
            Some(u) if is_loopback(&u) => "http",
            _ => "https",
        };
        return Err(refused(
            s,
            format!(
                "no scheme; did you mean {:?}? (https://, or http:// only to a loopback host)",
                shown(&format!("{scheme}://{s}"))
            ),
        ));
    }
    let url = Url::parse(s).map_err(|e| refused(s, e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refused(
            s,
            format!(
                "the scheme is {:?}; expected https:// (http:// only to a loopback host)",
                url.scheme()
            ),
        ));
    }
    if !url.host_str().is_some_and(|h| !h.is_empty()) {
        return Err(refused(s, "no host; expected https://host".into()));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(refused(
            s,
            "a base URL has no query (?...) or fragment (#...)".into(),
        ));
    }
    Ok(url)
}

/// Whether `s` starts with `scheme://`.
fn has_scheme(s: &str) -> bool {
    s.split_once("://").is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    })
}

/// The input as typed, for messages: everything between `scheme://` and
/// the last `@` (a `user:password` part) is hidden, whether or not the
/// rest parses.
fn shown(s: &str) -> String {
    let (scheme, rest) = match s.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, s),
    };
    let rest = match rest.rfind('@') {
        Some(at) => format!("***{}", &rest[at..]),
        None => rest.to_string(),
    };
    match scheme {
        Some(scheme) => format!("{scheme}://{rest}"),
        None => rest,
    }
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

/// A URL for display: any `user:password@` part is replaced (also in
/// text that does not parse as a URL).
pub fn redact_url(s: &str) -> String {
    match Url::parse(s) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("***");
            let _ = u.set_password(None);
            u.to_string()
        }
        // `@` outside a user part (`u:pw@x:1` parses with scheme `u`)
        // is hidden the way unparsable text is.
        Ok(u) if !s.contains('@') => u.to_string(),
        _ => shown(s),
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

    fn message(s: &str) -> String {
        base_url(s, false).unwrap_err().to_string()
    }

    #[test]
    fn messages_echo_the_input_say_why_and_what_to_write() {
        let m = message("127.0.0.1:18080");
        assert!(m.contains(r#""127.0.0.1:18080": no scheme"#), "{m}");
        assert!(
            m.contains(r#"did you mean "http://127.0.0.1:18080"?"#),
            "{m}"
        );
        let m = message("localhost:8080");
        assert!(m.contains(r#""http://localhost:8080""#), "{m}");
        let m = message("api.example.com");
        assert!(m.contains(r#""https://api.example.com""#), "{m}");
        let m = message("http://10.0.0.1");
        assert!(m.contains(r#""http://10.0.0.1""#), "{m}");
        assert!(m.contains("only to a loopback host (127.0.0.1"), "{m}");
        assert!(m.contains(r#"use "https://10.0.0.1""#), "{m}");
        assert!(!m.contains("allow_insecure_http"), "{m}");
        let m = message("ftp://x.example");
        assert!(
            m.contains(r#""ftp://x.example": the scheme is "ftp""#),
            "{m}"
        );
        let m = message("https://x.example/?q=1");
        assert!(m.contains("no query"), "{m}");
        let m = message("https://x.example:99999");
        assert!(
            m.contains(r#""https://x.example:99999": invalid port"#),
            "{m}"
        );
    }

    #[test]
    fn unparsable_input_keeps_its_password_hidden() {
        for s in [
            "user:hunter2@127.0.0.1:1",
            "https://user:hunter2@x.example:99999",
            "http://user:hunter2@10.0.0.1",
            "ftp://u:hunter2@x",
        ] {
            let m = message(s);
            assert!(!m.contains("hunter2"), "{m}");
            assert!(m.contains("***@"), "{m}");
        }
        assert_eq!(redact_url("u:hunter2@x:1:2"), "***@x:1:2");
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
