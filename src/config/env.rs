//! The `FALCON_*` environment variables `from_env` reads.

use super::Cloud;
use crate::error::{Error, Result};

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
