//! The Falcon cloud (region) a harness talks to. The regions, their names
//! and hosts come from `endpoints/_clouds.json` through `build.rs`; nothing
//! here lists them.

use crate::catalog;
use crate::config::redact_url;
use crate::error::{Error, Result};
use falcon_harness_spec::region;
use std::fmt;
use std::str::FromStr;
use url::Url;

/// Declares [`Cloud`] with one variant per region; the call is generated
/// by `build.rs` (`$OUT_DIR/clouds.rs`).
macro_rules! define_cloud {
    ($( #[doc = $doc:literal] $variant:ident = $name:literal, gov: $gov:literal; )*) => {
        /// The Falcon cloud (region) a harness talks to.
        ///
        /// One variant per region of `endpoints/_clouds.json` (named after
        /// the region: `us-gov-1` is `UsGov1`), plus [`Cloud::Auto`] and
        /// [`Cloud::Custom`]. Parses the region names and `auto`,
        /// case-insensitively and with or without the dashes, so the Python
        /// SDK's spellings (`US1`, `usgov1`, `EU1` ...) work too; anything
        /// containing `://` is a custom base URL. [`Cloud::names`] lists
        /// what parses.
        ///
        /// ```
        /// use falcon_harness::Cloud;
        /// assert_eq!("US2".parse::<Cloud>().unwrap(), Cloud::Us2);
        /// assert_eq!("usgov1".parse::<Cloud>().unwrap(), Cloud::UsGov1);
        /// assert_eq!("eu-1".parse::<Cloud>().unwrap().api_host(), Some("api.eu-1.crowdstrike.com"));
        /// assert!("mars-1".parse::<Cloud>().is_err());
        /// assert!(Cloud::names().any(|n| n == "us-gov-2"));
        /// ```
        #[derive(Clone, PartialEq, Eq, Default)]
        #[non_exhaustive]
        pub enum Cloud {
            /// Start at the default API host and follow the region the token
            /// reply names (`X-Cs-Region`). The default.
            #[default]
            Auto,
            $( #[doc = $doc] $variant, )*
            /// A custom base URL (a private endpoint or a test server).
            Custom(Url),
        }

        impl Cloud {
            /// Every region's cloud, sorted by region name.
            pub fn regions() -> &'static [Cloud] {
                static REGIONS: &[Cloud] = &[$(Cloud::$variant),*];
                REGIONS
            }

            /// The region name as `_clouds.json` spells it (`us-gov-1`), or
            /// `None` for `auto` and custom URLs.
            pub fn region(&self) -> Option<&'static str> {
                match self {
                    $( Cloud::$variant => Some($name), )*
                    Cloud::Auto | Cloud::Custom(_) => None,
                }
            }

            /// Whether it is a US government cloud (these are never switched
            /// by autodiscovery).
            pub fn is_gov(&self) -> bool {
                match self {
                    $( Cloud::$variant => $gov, )*
                    Cloud::Auto | Cloud::Custom(_) => false,
                }
            }

            fn variant_name(&self) -> &'static str {
                match self {
                    $( Cloud::$variant => stringify!($variant), )*
                    Cloud::Auto => "Auto",
                    Cloud::Custom(_) => "Custom",
                }
            }
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/clouds.rs"));

impl Cloud {
    /// The cloud of a region name as `_clouds.json` spells it.
    pub fn from_region(name: &str) -> Option<Cloud> {
        Cloud::regions()
            .iter()
            .find(|c| c.region() == Some(name))
            .cloned()
    }

    /// The names [`FromStr`] accepts, as shown to users: `auto`, then
    /// every region name (besides these, any spelling with other case or
    /// without dashes, and base URLs).
    pub fn names() -> impl Iterator<Item = &'static str> {
        std::iter::once(region::AUTO).chain(Cloud::regions().iter().filter_map(Cloud::region))
    }

    /// The API host (`auto`: the host used before the region is known);
    /// `None` for a custom URL.
    pub fn api_host(&self) -> Option<&'static str> {
        match self {
            Cloud::Auto => Some(catalog::auto_host()),
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
            other => f.write_str(other.variant_name()),
        }
    }
}

impl FromStr for Cloud {
    type Err = Error;

    fn from_str(s: &str) -> Result<Cloud> {
        let s = s.trim();
        // No region name has `.`, `:` or `/`: this is meant as a URL.
        if s.contains(['.', ':', '/']) {
            let url = crate::config::parse_base(s)?;
            return Ok(Cloud::Custom(url));
        }
        let key = region::key(s);
        if key == region::AUTO {
            return Ok(Cloud::Auto);
        }
        Cloud::regions()
            .iter()
            .find(|c| c.region().is_some_and(|n| region::key(n) == key))
            .cloned()
            .ok_or_else(|| {
                let names: Vec<&str> = Cloud::names().collect();
                Error::Config(format!(
                    "unknown cloud {s:?}; expected {} or a base URL",
                    names.join(", ")
                ))
            })
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cloud::Custom(u) => f.write_str(u.as_str()),
            other => f.write_str(other.region().unwrap_or(region::AUTO)),
        }
    }
}

/// (API host, container-registry host) of a region.
pub(crate) fn region_hosts(name: &str) -> Option<(&'static str, &'static str)> {
    catalog::regions()
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, api, cr)| (*api, *cr))
}

/// The container-registry host used with `auto` before the region is
/// known: the one of the region whose API host is the `auto` host.
pub(crate) fn auto_container_host() -> Option<&'static str> {
    catalog::regions()
        .iter()
        .find(|(_, api, _)| *api == catalog::auto_host())
        .map(|(_, _, cr)| *cr)
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
        let custom = "https://falcon.example.com".parse::<Cloud>().unwrap();
        assert_eq!(custom.region(), None);
        assert_eq!(custom.to_string(), "https://falcon.example.com/");
        // A URL without its scheme is answered as a URL.
        let err = "127.0.0.1:8080".parse::<Cloud>().unwrap_err();
        assert!(
            err.to_string().contains("\"http://127.0.0.1:8080\""),
            "{err}"
        );
        let err = "moon".parse::<Cloud>().unwrap_err();
        assert!(err.is_config() && err.to_string().contains("moon"));
        let names: Vec<&str> = Cloud::names().collect();
        assert!(err.to_string().contains(&names.join(", ")), "{err}");
    }

    #[test]
    fn every_region_of_the_table_is_a_cloud() {
        let names: Vec<&str> = Cloud::names().collect();
        let mut expected = vec!["auto"];
        expected.extend(catalog::regions().iter().map(|(n, _, _)| *n));
        assert_eq!(names, expected);
        for (name, api, cr) in catalog::regions() {
            let cloud = Cloud::from_region(name).unwrap();
            assert_eq!(cloud.region(), Some(*name));
            assert_eq!(cloud.to_string(), *name);
            assert_eq!(name.parse::<Cloud>().unwrap(), cloud);
            assert_eq!(cloud.api_host(), Some(*api));
            assert_eq!(cloud.container_host(), Some(*cr));
            assert_eq!(cloud.is_gov(), name.contains("gov"), "{name}");
        }
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
        assert_eq!(
            auto_container_host(),
            Some("container-upload.us-1.crowdstrike.com")
        );
        assert!(Cloud::UsGov2.is_gov() && !Cloud::Eu1.is_gov() && !Cloud::Auto.is_gov());
        assert_eq!(format!("{:?}", Cloud::UsGov2), "UsGov2");
    }
}
