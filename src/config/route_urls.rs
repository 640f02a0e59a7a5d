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

/// The blank query a kept URL carries, so that a copy of it has room for
/// a query of up to this length (most are shorter).
const QUERY_ROOM: &str = match std::str::from_utf8(&[b'x'; 128]) {
    Ok(room) => room,
    Err(_) => "",
};

/// Route path -> its URL on one set of base URLs (see
/// [`Endpoints`](super::Endpoints), which owns one and makes a new one
/// when the base URLs change).
#[derive(Default)]
pub(crate) struct RouteUrls {
    api: RwLock<Table>,
    container: RwLock<Table>,
}

/// Path -> URL. A fast hash: paths are short, and with at most
/// [`MAX_PATHS`] entries, paths made to collide cost little.
type Table = HashMap<String, Url, foldhash::fast::RandomState>;

impl RouteUrls {
    fn table(&self, host: Host) -> &RwLock<Table> {
        match host {
            Host::Api => &self.api,
            Host::ContainerRegistry => &self.container,
        }
    }

    /// The URL of `path` on `host`, without a query but with room for
    /// one of up to [`QUERY_ROOM`]'s length, when the path was kept.
    pub(crate) fn get(&self, host: Host, path: &str) -> Option<Url> {
        let mut url = self.table(host).read().ok()?.get(path)?.clone();
        // The blank query goes; its room stays (the text is cut, not
        // made again), so a query set next does not grow it.
        url.set_query(None);
        Some(url)
    }

    /// Keeps the URL of `path` on `host` (its query aside), while there
    /// is room.
    pub(crate) fn keep(&self, host: Host, path: &str, url: &Url) {
        if let Ok(mut t) = self.table(host).write() {
            if t.len() < MAX_PATHS {
                let mut kept = url.clone();
                kept.set_query(Some(QUERY_ROOM));
                t.insert(path.to_string(), kept);
            }
        }
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
        let len = |t: &RwLock<Table>| t.read().map(|t| t.len()).unwrap_or(0);
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
    fn kept_per_host_and_bounded() {
        let urls = RouteUrls::default();
        let on_base = |path: &str| {
            let mut u = Url::parse("http://127.0.0.1:1/").unwrap();
            u.set_path(path);
            u
        };
        assert_eq!(urls.get(Host::Api, "/a/v1"), None);
        urls.keep(Host::Api, "/a/v1", &on_base("/a/v1"));
        let mut u = urls.get(Host::Api, "/a/v1").unwrap();
        assert_eq!(u.as_str(), "http://127.0.0.1:1/a/v1");
        assert_eq!(u, Url::parse("http://127.0.0.1:1/a/v1").unwrap());
        u.set_query(Some("limit=1"));
        assert_eq!(u, Url::parse("http://127.0.0.1:1/a/v1?limit=1").unwrap());
        assert_eq!(
            urls.get(Host::ContainerRegistry, "/a/v1"),
            None,
            "each host has its own table"
        );
        for i in 0..MAX_PATHS + 10 {
            let p = format!("/p/{i}");
            urls.keep(Host::Api, &p, &on_base(&p));
        }
        assert_eq!(urls.api.read().unwrap().len(), MAX_PATHS);
        assert_eq!(urls.get(Host::Api, &format!("/p/{}", MAX_PATHS + 5)), None);
        assert_eq!(urls.clone().api.read().unwrap().len(), 0);
    }
}
