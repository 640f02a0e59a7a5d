//! The URLs of the routes already sent to, per base URL: a route's path
//! is set on the parsed base once and the result cloned after that, so
//! a command to a fixed route (no path parameters) does not parse its
//! path again.

use crate::operation::Host;
use std::collections::HashMap;
use std::fmt;
use std::sync::RwLock;
use url::Url;

/// How many paths are kept per host. Paths with a parameter in them are
/// new every time, so the table stops growing at this size; paths not
/// in it are parsed on every use, as without it.
const MAX_PATHS: usize = 256;

/// Route path -> its URL on one set of base URLs (see
/// [`Endpoints`](super::Endpoints), which owns one and makes a new one
/// when the base URLs change).
#[derive(Default)]
pub(crate) struct RouteUrls {
    api: RwLock<HashMap<String, Url>>,
    container: RwLock<HashMap<String, Url>>,
}

impl RouteUrls {
    /// The URL of `path` on `host`, made by `make` the first time.
    pub(crate) fn get_or_make(&self, host: Host, path: &str, make: impl FnOnce() -> Url) -> Url {
        let table = match host {
            Host::Api => &self.api,
            Host::ContainerRegistry => &self.container,
        };
        if let Some(url) = table.read().ok().and_then(|t| t.get(path).cloned()) {
            return url;
        }
        let url = make();
        if let Ok(mut t) = table.write() {
            if t.len() < MAX_PATHS {
                t.insert(path.to_string(), url.clone());
            }
        }
        url
    }
}

/// A copy starts empty (it refills on use).
impl Clone for RouteUrls {
    fn clone(&self) -> RouteUrls {
        RouteUrls::default()
    }
}

/// A cache: no part of what its owner is.
impl PartialEq for RouteUrls {
    fn eq(&self, _: &RouteUrls) -> bool {
        true
    }
}

impl Eq for RouteUrls {}

impl fmt::Debug for RouteUrls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = |t: &RwLock<HashMap<String, Url>>| t.read().map(|t| t.len()).unwrap_or(0);
        f.debug_struct("RouteUrls")
            .field("api", &len(&self.api))
            .field("container", &len(&self.container))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_once_per_path_and_bounded() {
        let urls = RouteUrls::default();
        let base = Url::parse("http://127.0.0.1:1/").unwrap();
        let made = std::cell::Cell::new(0);
        let on_base = |path: &str| {
            made.set(made.get() + 1);
            let mut u = base.clone();
            u.set_path(path);
            u
        };
        for _ in 0..3 {
            let u = urls.get_or_make(Host::Api, "/a/v1", || on_base("/a/v1"));
            assert_eq!(u.as_str(), "http://127.0.0.1:1/a/v1");
        }
        assert_eq!(made.get(), 1);
        urls.get_or_make(Host::ContainerRegistry, "/a/v1", || on_base("/a/v1"));
        assert_eq!(made.get(), 2, "each host has its own table");
        for i in 0..MAX_PATHS + 10 {
            let p = format!("/p/{i}");
            assert!(urls.get_or_make(Host::Api, &p, || on_base(&p)).path() == p);
        }
        assert_eq!(urls.api.read().unwrap().len(), MAX_PATHS);
        assert_eq!(urls.clone().api.read().unwrap().len(), 0);
    }
}
