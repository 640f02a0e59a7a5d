//! Where a dry run says a request would go: `--base-url` /
//! `FALCON_BASE_URL`, else the `--cloud` / `FALCON_CLOUD` region's host
//! (`auto` or unset: the default API host).

use super::exit::Failure;
use crate::catalog;
use crate::operation::Host;

/// The base URL (scheme and host, no trailing `/`) a request to `host`
/// would be sent to.
pub fn base_url(
    base_url: Option<&str>,
    cloud: Option<&str>,
    host: Host,
) -> Result<String, Failure> {
    if let Some(u) = base_url.map(str::trim).filter(|u| !u.is_empty()) {
        return check_url(u);
    }
    let cloud = cloud
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .unwrap_or("auto");
    if cloud.contains("://") {
        return check_url(cloud);
    }
    let key: String = cloud
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .collect::<String>()
        .to_ascii_lowercase();
    // `auto` starts at the default API host; its container registry is
    // that of us-1, the region of the default host.
    let region = if key == "auto" {
        if host == Host::Api {
            return Ok(format!("https://{}", catalog::auto_host()));
        }
        "us-1"
    } else {
        catalog::regions()
            .iter()
            .map(|(name, _, _)| *name)
            .find(|name| name.replace('-', "") == key)
            .ok_or_else(|| {
                let names: Vec<&str> = catalog::regions().iter().map(|r| r.0).collect();
                Failure::usage(format!(
                    "unknown cloud {cloud:?}; expected {}, auto or a base URL",
                    names.join(", ")
                ))
            })?
    };
    let (_, api, container) = catalog::regions()
        .iter()
        .find(|(name, _, _)| *name == region)
        .ok_or_else(|| Failure::usage(format!("region {region} is not in the table")))?;
    Ok(format!(
        "https://{}",
        match host {
            Host::Api => api,
            Host::ContainerRegistry => container,
        }
    ))
}

fn check_url(u: &str) -> Result<String, Failure> {
    let parsed =
        url::Url::parse(u).map_err(|e| Failure::usage(format!("invalid base URL {u:?}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Failure::usage(format!(
            "invalid base URL {u:?}: expected http(s)://host[:port]"
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
