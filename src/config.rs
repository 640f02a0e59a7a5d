//! Configuration of a harness: the base-URL policy (`base_url`), the
//! settings the builder collects (`settings`) and the environment (`env`).
//! The cloud (region) and its hosts are [`Cloud`], generated from
//! `endpoints/_clouds.json` (`cloud.rs`).

mod base_url;
mod env;
mod route_urls;
mod settings;

pub use crate::cloud::Cloud;
pub use base_url::redact_url;
pub(crate) use base_url::{parse_base, same_origin, Endpoints};
pub(crate) use env::EnvConfig;
pub use env::{ENV_BASE_URL, ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_CLOUD, ENV_MEMBER_CID};
pub(crate) use settings::Settings;
