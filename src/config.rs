//! Configuration of a harness: the cloud (region) and its hosts
//! ([`Cloud`], here), the base-URL policy (`base_url`), the settings the
//! builder collects (`settings`) and the environment (`env`).

mod base_url;
mod env;
mod settings;

pub use base_url::redact_url;
pub(crate) use base_url::Endpoints;
pub(crate) use env::EnvConfig;
pub use env::{ENV_BASE_URL, ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_CLOUD, ENV_MEMBER_CID};
pub(crate) use settings::Settings;

use crate::catalog;
use crate::error::{Error, Result};
use std::fmt;
use std::str::FromStr;
use url::Url;

/// The Falcon cloud (region) a harness talks to.
///
/// Parses the names `us-1`, `us-2`, `us-3`, `eu-1`, `us-gov-1`,
/// `us-gov-2` and `auto`, case-insensitively and with or without the
/// dashes, so the Python SDK's spellings (`US1`, `usgov1`, `EU1` ...) work
/// too; anything containing `://` is a custom base URL.
///
/// ```
/// use falcon_harness::Cloud;
/// assert_eq!("US2".parse::<Cloud>().unwrap(), Cloud::Us2);
/// assert_eq!("usgov1".parse::<Cloud>().unwrap(), Cloud::UsGov1);
/// assert_eq!("eu-1".parse::<Cloud>().unwrap().api_host(), Some("api.eu-1.crowdstrike.com"));
/// assert!("mars-1".parse::<Cloud>().is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub enum Cloud {
    /// Start at the default API host and follow the region the token
    /// reply names (`X-Cs-Region`). The default.
    #[default]
    Auto,
    /// US-1 (`api.crowdstrike.com`).
    Us1,
    /// US-2.
    Us2,
    /// US-3.
    Us3,
    /// EU-1.
    Eu1,
    /// US-GOV-1 (never autodiscovered).
    UsGov1,
    /// US-GOV-2 (never autodiscovered).
    UsGov2,
    /// A custom base URL (a private endpoint or a test server).
    Custom(Url),
}

impl Cloud {
    /// The region name as `clouds.json` spells it (`us-gov-1`), or `None`
    /// for `auto` and custom URLs.
    pub fn region(&self) -> Option<&'static str> {
        Some(match self {
            Cloud::Us1 => "us-1",
            Cloud::Us2 => "us-2",
            Cloud::Us3 => "us-3",
            Cloud::Eu1 => "eu-1",
            Cloud::UsGov1 => "us-gov-1",
            Cloud::UsGov2 => "us-gov-2",
            Cloud::Auto | Cloud::Custom(_) => return None,
        })
    }

    /// The cloud of a region name as `clouds.json` spells it.
    pub fn from_region(name: &str) -> Option<Cloud> {
        Some(match name {
            "us-1" => Cloud::Us1,
            "us-2" => Cloud::Us2,
            "us-3" => Cloud::Us3,
            "eu-1" => Cloud::Eu1,
            "us-gov-1" => Cloud::UsGov1,
            "us-gov-2" => Cloud::UsGov2,
            _ => return None,
        })
    }

    /// Whether it is a US government cloud (these are never switched by
    /// autodiscovery).
    pub fn is_gov(&self) -> bool {
        matches!(self, Cloud::UsGov1 | Cloud::UsGov2)
    }

    /// The API host (`auto`: the host used before the region is known);
    /// `None` for a custom URL.
    pub fn api_host(&self) -> Option<&'static str> {
        match self {
            Cloud::Auto => Some(catalog::auto_host()),
            Cloud::Custom(_) => None,
            other => region_hosts(other.region()?).map(|(api, _)| api),
        }
    }

    /// The container-registry upload host; `None` for `auto` and custom URLs.
    pub fn container_host(&self) -> Option<&'static str> {
        region_hosts(self.region()?).map(|(_, cr)| cr)
    }
}

impl fmt::Debug for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // A custom URL may carry `user:password@`.
            Cloud::Custom(u) => f
                .debug_tuple("Custom")
                .field(&redact_url(u.as_str()))
                .finish(),
            Cloud::Auto => f.write_str("Auto"),
            Cloud::Us1 => f.write_str("Us1"),
            Cloud::Us2 => f.write_str("Us2"),
            Cloud::Us3 => f.write_str("Us3"),
            Cloud::Eu1 => f.write_str("Eu1"),
            Cloud::UsGov1 => f.write_str("UsGov1"),
            Cloud::UsGov2 => f.write_str("UsGov2"),
        }
    }
}

impl FromStr for Cloud {
    type Err = Error;

    fn from_str(s: &str) -> Result<Cloud> {
        let s = s.trim();
        if s.contains("://") {
            let url = Url::parse(s).map_err(|e| {
                Error::Config(format!("cloud: invalid base URL {:?}: {e}", redact_url(s)))
            })?;
            return Ok(Cloud::Custom(url));
        }
        let key: String = s
            .chars()
            .filter(|c| *c != '-' && *c != '_')
            .collect::<String>()
            .to_ascii_lowercase();
        Ok(match key.as_str() {
            "auto" => Cloud::Auto,
            "us1" => Cloud::Us1,
            "us2" => Cloud::Us2,
            "us3" => Cloud::Us3,
            "eu1" => Cloud::Eu1,
            "usgov1" => Cloud::UsGov1,
            "usgov2" => Cloud::UsGov2,
            _ => {
                return Err(Error::Config(format!(
                    "unknown cloud {s:?}; expected us-1, us-2, us-3, eu-1, us-gov-1, us-gov-2, auto or a base URL"
                )))
            }
        })
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cloud::Auto => f.write_str("auto"),
            Cloud::Custom(u) => f.write_str(u.as_str()),
            other => f.write_str(other.region().unwrap_or("?")),
        }
    }
}

pub(crate) fn region_hosts(name: &str) -> Option<(&'static str, &'static str)> {
    catalog::regions()
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, api, cr)| (*api, *cr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_spellings() {
        for (s, c) in [
            ("us-1", Cloud::Us1),
            ("US1", Cloud::Us1),
            ("us2", Cloud::Us2),
            ("US-3", Cloud::Us3),
            ("eu1", Cloud::Eu1),
            ("EU-1", Cloud::Eu1),
            ("usgov1", Cloud::UsGov1),
            ("USGOV1", Cloud::UsGov1),
            ("us-gov-1", Cloud::UsGov1),
            ("us_gov_2", Cloud::UsGov2),
            ("USGOV2", Cloud::UsGov2),
            ("auto", Cloud::Auto),
            ("AUTO", Cloud::Auto),
        ] {
            assert_eq!(s.parse::<Cloud>().unwrap(), c, "{s}");
        }
        assert!(matches!(
            "https://falcon.example.com".parse::<Cloud>().unwrap(),
            Cloud::Custom(_)
        ));
        let err = "moon".parse::<Cloud>().unwrap_err();
        assert!(err.is_config() && err.to_string().contains("moon"));
    }

    #[test]
    fn hosts_come_from_the_catalog() {
        assert_eq!(Cloud::Us1.api_host(), Some("api.crowdstrike.com"));
        assert_eq!(
            Cloud::UsGov1.api_host(),
            Some("api.laggar.gcw.crowdstrike.com")
        );
        assert_eq!(
            Cloud::Us2.container_host(),
            Some("container-upload.us-2.crowdstrike.com")
        );
        assert_eq!(Cloud::Auto.api_host(), Some(catalog::auto_host()));
        for c in ["us-1", "us-2", "us-3", "eu-1", "us-gov-1", "us-gov-2"] {
            let cloud = Cloud::from_region(c).unwrap();
            assert_eq!(cloud.region(), Some(c));
            assert_eq!(cloud.to_string(), c);
        }
    }
}
