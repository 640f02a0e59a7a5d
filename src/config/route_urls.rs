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

/// The fragment a kept URL's roomy copy carries, so that a copy of it
/// has room for a query of up to this length (most are shorter).
const QUERY_ROOM: &str = match std::str::from_utf8(&[b'x'; 128]) {
    Ok(room) => room,
    Err(_) => "",
};

/// A route's URL, and the same with room for a query: a copy of a URL
/// has no room to spare, and a query written into it would grow (move)
/// its text.
struct Kept {
    bare: Url,
    /// `bare` with a [`QUERY_ROOM`] fragment.
    roomy: Url,
}

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
type Table = HashMap<String, Kept, foldhash::fast::RandomState>;

impl RouteUrls {
    fn table(&self, host: Host) -> &RwLock<Table> {
        match host {
            Host::Api => &self.api,
            Host::ContainerRegistry => &self.container,
        }
    }

    /// The URL of `path` on `host`, when it was kept; with `room`, with
    /// room for a query of up to [`QUERY_ROOM`]'s length.
    pub(crate) fn get(&self, host: Host, path: &str, room: bool) -> Option<Url> {
        let table = self.table(host).read().ok()?;
        let kept = table.get(path)?;
        if !room {
            return Some(kept.bare.clone());
        }
        let mut url = kept.roomy.clone();
        // The text is cut, not made again: its room stays.
        url.set_fragment(None);
        Some(url)
    }

    /// Keeps the URL of `path` on `host`, while there is room. Only a URL
    /// checked to be on the harness's host: a kept URL is sent unchecked
    /// (see `transport::url_for`).
    pub(crate) fn keep(&self, host: Host, path: &str, url: &Url) {
        if let Ok(mut t) = self.table(host).write() {
            if t.len() < MAX_PATHS {
                let mut roomy = url.clone();
                roomy.set_fragment(Some(QUERY_ROOM));
                let bare = url.clone();
                t.insert(path.to_string(), Kept { bare, roomy });
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
        assert_eq!(urls.get(Host::Api, "/a/v1", false), None);
        urls.keep(Host::Api, "/a/v1", &on_base("/a/v1"));
        for room in [false, true] {
            let mut u = urls.get(Host::Api, "/a/v1", room).unwrap();
            assert_eq!(u, Url::parse("http://127.0.0.1:1/a/v1").unwrap());
            u.set_query(Some("limit=1"));
            assert_eq!(u, Url::parse("http://127.0.0.1:1/a/v1?limit=1").unwrap());
        }
        assert_eq!(
            urls.get(Host::ContainerRegistry, "/a/v1", false),
            None,
            "each host has its own table"
        );
        for i in 0..MAX_PATHS + 10 {
            let p = format!("/p/{i}");
            urls.keep(Host::Api, &p, &on_base(&p));
        }
        assert_eq!(urls.api.read().unwrap().len(), MAX_PATHS);
        assert_eq!(
            urls.get(Host::Api, &format!("/p/{}", MAX_PATHS + 5), true),
            None
        );
        assert_eq!(urls.clone().api.read().unwrap().len(), 0);
    }
}
