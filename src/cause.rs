//! Transport failures in plain words. The HTTP client's error is a chain
//! of sources (client, connector, TLS, socket) whose top says only "error
//! sending request"; [`Cause`] walks the chain and says what went wrong
//! and where: connection refused, name not resolved, TLS handshake failed
//! and why, reset by the peer, a refused redirect, an upload file that
//! changed size. Only the host and port are kept, never the URL (its
//! query could carry anything).
//!
//! ```no_run
//! # async fn run() {
//! use serde_json::json;
//! let h = falcon_harness::Harness::builder()
//!     .bearer_token("token")
//!     .base_url("http://127.0.0.1:9")
//!     .build()
//!     .unwrap();
//! if let Err(e) = h.command("QueryIncidents", json!({})).await {
//!     // QueryIncidents: transport error: connection to 127.0.0.1:9 refused
//!     // (is anything listening there?)
//!     eprintln!("{e}");
//! }
//! # }
//! ```

use crate::redirect::RedirectRefused;
use crate::upload::SizeChanged;
use std::error::Error as StdError;
use std::fmt;
use std::io;

/// A transport failure explained: its [`Display`](fmt::Display) is the
/// account in words; its [`source`](StdError::source) is the HTTP
/// client's error (without the URL), for whoever needs the details.
#[derive(Debug)]
pub struct Cause {
    words: String,
    inner: Box<dyn StdError + Send + Sync>,
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.words)
    }
}

impl StdError for Cause {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.inner)
    }
}

impl Cause {
    /// Explains a failure of the HTTP client.
    pub(crate) fn of(e: reqwest::Error) -> Cause {
        let url = e.url();
        let host = url
            .and_then(|u| u.host_str())
            .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_string());
        let at =
            url.and_then(|u| Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?)));
        let seen = Seen {
            connect: e.is_connect(),
            body: e.is_body() || e.is_decode(),
            host: host.as_deref(),
            at: at.as_deref(),
        };
        let words = words(&e, &seen);
        Cause {
            words,
            inner: Box::new(e.without_url()),
        }
    }
}

/// What the client's error says about itself, besides its chain.
struct Seen<'a> {
    /// It happened while connecting.
    connect: bool,
    /// It happened while reading the reply body.
    body: bool,
    /// The host name.
    host: Option<&'a str>,
    /// `host:port`.
    at: Option<&'a str>,
}

/// The errors of a chain, outermost first.
fn chain<'a>(
    e: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(e), |e: &&'a (dyn StdError + 'static)| (*e).source())
}

fn words(top: &(dyn StdError + 'static), seen: &Seen<'_>) -> String {
    let at = seen.at.unwrap_or("the server");
    let innermost = chain(top)
        .last()
        .map(ToString::to_string)
        .unwrap_or_default();
    for c in chain(top) {
        if let Some(r) = c.downcast_ref::<RedirectRefused>() {
            return r.to_string();
        }
        if let Some(s) = c.downcast_ref::<SizeChanged>() {
            return format!("upload stopped: {s}");
        }
    }
    for c in chain(top) {
        let Some(io) = c.downcast_ref::<io::Error>() else {
            continue;
        };
        return match io.kind() {
            io::ErrorKind::ConnectionRefused => {
                format!("connection to {at} refused (is anything listening there?)")
            }
            io::ErrorKind::ConnectionReset => format!("connection reset by the peer ({at})"),
            io::ErrorKind::ConnectionAborted => format!("connection to {at} aborted"),
            io::ErrorKind::BrokenPipe => {
                format!("{at} closed the connection while the request was being sent")
            }
            io::ErrorKind::TimedOut => format!("{at} did not answer in time"),
            io::ErrorKind::AddrNotAvailable => format!("{at} cannot be reached: {io}"),
            _ => continue,
        };
    }
    let text: String = chain(top)
        .map(|c| c.to_string().to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(" | ");
    let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
    if has(&[
        "dns error",
        "failed to lookup address",
        "name or service not known",
        "no address associated",
        "nodename nor servname",
    ]) {
        return format!(
            "the name {} could not be resolved ({innermost})",
            seen.host.unwrap_or("of the server")
        );
    }
    if seen.connect
        && has(&[
            "tls",
            "certificate",
            "handshake",
            "corrupt message",
            "invalidcontenttype",
            "peer sent",
            "peer is incompatible",
        ])
    {
        return format!("TLS handshake with {at} failed: {innermost}");
    }
    if seen.connect {
        return format!("cannot connect to {at}: {innermost}");
    }
    if has(&[
        "connection closed before message completed",
        "incomplete message",
        "unexpected eof",
        "end of file before message length reached",
    ]) {
        return format!("{at} closed the connection before the reply was complete");
    }
    if seen.body {
        return format!("reading the reply from {at} failed: {innermost}");
    }
    format!("request to {at} failed: {innermost}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A link of an error chain with a message.
    #[derive(Debug)]
    struct Link(&'static str, Option<Box<dyn StdError + Send + Sync>>);

    impl fmt::Display for Link {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl StdError for Link {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            self.1.as_deref().map(|e| e as &(dyn StdError + 'static))
        }
    }

    fn seen(connect: bool) -> Seen<'static> {
        Seen {
            connect,
            body: false,
            host: Some("falcon.invalid"),
            at: Some("falcon.invalid:443"),
        }
    }

    // The shapes of the client's chains for failures a test cannot cause
    // without a network (name resolution) are spelled out here; the
    // others are caused against local servers in tests/transport_causes.rs.
    #[test]
    fn name_resolution() {
        let gai =
            io::Error::other("failed to lookup address information: Name or service not known");
        let e = Link(
            "client error (Connect)",
            Some(Box::new(Link("dns error", Some(Box::new(gai))))),
        );
        let w = words(&e, &seen(true));
        assert_eq!(
            w,
            "the name falcon.invalid could not be resolved \
             (failed to lookup address information: Name or service not known)"
        );
    }

    #[test]
    fn tls_and_the_rest() {
        let e = Link(
            "client error (Connect)",
            Some(Box::new(Link(
                "invalid peer certificate: UnknownIssuer",
                None,
            ))),
        );
        assert_eq!(
            words(&e, &seen(true)),
            "TLS handshake with falcon.invalid:443 failed: invalid peer certificate: UnknownIssuer"
        );
        let refused = io::Error::from(io::ErrorKind::ConnectionRefused);
        let e = Link("client error (Connect)", Some(Box::new(refused)));
        assert_eq!(
            words(&e, &seen(true)),
            "connection to falcon.invalid:443 refused (is anything listening there?)"
        );
        let e = Link("odd", None);
        assert_eq!(
            words(&e, &seen(false)),
            "request to falcon.invalid:443 failed: odd"
        );
    }
}
