//! Where a dry run says a request would go: `--base-url` /
//! `FALCON_BASE_URL`, else the `--cloud` / `FALCON_CLOUD` region's host
//! (`auto` or unset: the default API host).

use super::exit::Failure;
use falcon_harness::config::redact_url;
use falcon_harness::operation::Host;
use falcon_harness::Harness;

/// The base URL (scheme and host, no trailing `/`, any `user:password@`
/// hidden) a request to `host` would be sent to. The library decides it
/// ([`falcon_harness::HarnessBuilder::base_url_for`]), by the same rules
/// as a real call, so a dry run never accepts a URL that a call refuses.
fn given(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

pub fn base_url(
    base_url: Option<&str>,
    cloud: Option<&str>,
    host: Host,
) -> Result<String, Failure> {
    let mut b = Harness::builder();
    if let Some(c) = given(cloud) {
        b = b.cloud_named(c);
    }
    if let Some(u) = given(base_url) {
        b = b.base_url(u);
    }
    let url = b.base_url_for(host)?;
    Ok(redact_url(url.as_str()).trim_end_matches('/').to_string())
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
        assert!(base_url(Some("http://127.0.0.1:1?q=1"), None, Host::Api).is_err());
        let shown = base_url(Some("http://u:hunter2@127.0.0.1:1"), None, Host::Api).unwrap();
        assert!(!shown.contains("hunter2"), "{shown}");
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
