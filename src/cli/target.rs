//! Where a dry run says a request would go: `--base-url` /
//! `FALCON_BASE_URL`, else the `--cloud` / `FALCON_CLOUD` region's host
//! (`auto` or unset: the default API host).

use super::exit::Failure;
use crate::config::Cloud;
use crate::operation::Host;

/// The base URL (scheme and host, no trailing `/`) a request to `host`
/// would be sent to. Cloud names are read as [`Cloud`] reads them.
pub fn base_url(
    base_url: Option<&str>,
    cloud: Option<&str>,
    host: Host,
) -> Result<String, Failure> {
    if let Some(u) = base_url.map(str::trim).filter(|u| !u.is_empty()) {
        return check_url(u);
    }
    let name = cloud
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .unwrap_or("auto");
    let cloud: Cloud = name.parse()?;
    if let Cloud::Custom(url) = &cloud {
        return check_url(url.as_str());
    }
    // `auto` starts at the default API host; its container registry is
    // that of us-1, the region of the default host.
    let found = match host {
        Host::Api => cloud.api_host(),
        Host::ContainerRegistry => cloud.container_host().or(Cloud::Us1.container_host()),
    };
    let host =
        found.ok_or_else(|| Failure::usage(format!("cloud {name}: no host for {host:?}")))?;
    Ok(format!("https://{host}"))
}

fn check_url(u: &str) -> Result<String, Failure> {
    let parsed =
        url::Url::parse(u).map_err(|e| Failure::usage(format!("invalid base URL {u:?}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Failure::usage(format!(
            "invalid base URL {u:?}: expected http(s)://host[:port]"
        )));
    }
    // The same rule as a real call: plain HTTP only to loopback.
    if parsed.scheme() == "http" && !crate::config::is_loopback(&parsed) {
        return Err(Failure::usage(format!(
            "plain http:// to {} is refused; use https (plain http is for loopback only)",
            parsed.host_str().unwrap_or("?")
        )));
    }
    Ok(u.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_beats_cloud() {
        assert_eq!(
            base_url(Some("http://127.0.0.1:8080/"), Some("eu-1"), Host::Api).unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(base_url(Some("ftp://x"), None, Host::Api).is_err());
        assert!(base_url(Some("http://falcon.example.com"), None, Host::Api).is_err());
        assert!(base_url(Some("https://falcon.example.com"), None, Host::Api).is_ok());
        assert!(base_url(Some("not a url"), None, Host::Api).is_err());
    }

    #[test]
    fn clouds() {
        assert_eq!(
            base_url(None, None, Host::Api).unwrap(),
            "https://api.crowdstrike.com"
        );
        assert_eq!(
            base_url(None, Some("EU1"), Host::Api).unwrap(),
            "https://api.eu-1.crowdstrike.com"
        );
        assert_eq!(
            base_url(None, Some("us-gov-1"), Host::Api).unwrap(),
            "https://api.laggar.gcw.crowdstrike.com"
        );
        assert_eq!(
            base_url(None, Some("us-2"), Host::ContainerRegistry).unwrap(),
            "https://container-upload.us-2.crowdstrike.com"
        );
        assert_eq!(
            base_url(None, Some("auto"), Host::ContainerRegistry).unwrap(),
            "https://container-upload.us-1.crowdstrike.com"
        );
        let e = base_url(None, Some("mars-1"), Host::Api).unwrap_err();
        assert_eq!(e.exit, super::super::exit::Exit::Usage);
        assert!(e.message.contains("us-gov-2"), "{}", e.message);
    }
}
