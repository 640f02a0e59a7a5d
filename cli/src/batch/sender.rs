//! The sending side of `--batch`: the worker that has a line (see
//! [`pool`](super::pool)) sends its request over the one harness and
//! decodes the reply (building its output fields) on whatever thread it
//! runs. After an authentication failure of a CID its remaining lines
//! are not sent.

use super::{Members, Reply, Request};
use crate::exit::Exit;
use crate::output;
use falcon_harness::Harness;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// What every line's request is sent with; shared by the workers.
#[derive(Debug)]
pub struct Sender {
    harness: Harness,
    auth_failed: AuthFailures,
    body_only: bool,
}

impl Sender {
    /// Sends over `harness`; `body_only` prints only the reply's body.
    pub fn new(harness: Harness, body_only: bool) -> Arc<Sender> {
        Arc::new(Sender {
            harness,
            auth_failed: AuthFailures::default(),
            body_only,
        })
    }

    /// One line: a bad argument or member CID, or a list too long with
    /// splitting off, is an error before anything is sent.
    pub async fn answer(self: Arc<Self>, req: Request) -> Reply {
        let Request {
            target,
            args,
            member_cid,
            ..
        } = req;
        if self.auth_failed.failed(member_cid.as_deref()) {
            return Reply::error(
                "auth",
                "not sent: authentication failed on an earlier line",
                Exit::Failure,
            );
        }
        let mut request = self.harness.request(target).args(args);
        if let Some(cid) = &member_cid {
            request = request.member_cid(cid.as_str());
        }
        match request.send().await {
            Ok(resp) => {
                let exit = Exit::for_status(resp.status());
                let mut fields = Members::with_capacity(resp.bytes().len() + 512);
                if !resp.warnings().is_empty() {
                    fields.field("warnings", resp.warnings());
                }
                output::reply_members(resp, self.body_only, &mut fields);
                Reply::with_members(fields, exit)
            }
            Err(e) => {
                if e.is_auth() {
                    self.auth_failed.record(member_cid.as_deref());
                }
                Reply::from_error(&e)
            }
        }
    }
}

/// The CIDs whose authentication failed in a batch (`None`: the parent).
#[derive(Debug, Default)]
struct AuthFailures {
    /// Whether any failed (asked for every line: no lock until one has).
    any: AtomicBool,
    cids: Mutex<HashSet<Option<String>>>,
}

impl AuthFailures {
    fn key(cid: Option<&str>) -> Option<String> {
        cid.map(|c| c.trim().to_ascii_lowercase())
    }

    fn failed(&self, cid: Option<&str>) -> bool {
        self.any.load(Ordering::Relaxed)
            && self
                .cids
                .lock()
                .map(|s| s.contains(&Self::key(cid)))
                .unwrap_or(false)
    }

    fn record(&self, cid: Option<&str>) {
        if let Ok(mut s) = self.cids.lock() {
            s.insert(Self::key(cid));
            self.any.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_failures_are_per_cid() {
        let a = AuthFailures::default();
        assert!(!a.failed(None));
        a.record(Some(" Child1 "));
        assert!(a.failed(Some("child1")));
        assert!(!a.failed(None));
        assert!(!a.failed(Some("child2")));
        a.record(None);
        assert!(a.failed(None));
    }
}
