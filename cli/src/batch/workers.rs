//! The sending side of `--batch`: `concurrency` long-lived tasks over one
//! harness take the lines' requests from a queue and answer each through
//! a channel of its own. A line costs a message, not a task, and replies
//! are decoded (and their output fields built) on every worker thread.
//! After an authentication failure of a CID its remaining lines are not
//! sent.

use super::{Members, Reply, Request};
use crate::exit::Exit;
use crate::output;
use falcon_harness::Harness;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

type Job = (Request, oneshot::Sender<Reply>);

/// The workers; dropping this ends them once the queue is empty.
#[derive(Debug)]
pub struct Workers {
    queue: mpsc::Sender<Job>,
}

impl Workers {
    /// Starts `concurrency` workers on the current runtime.
    pub fn start(harness: Harness, concurrency: usize, body_only: bool) -> Workers {
        let (queue, rx) = mpsc::channel::<Job>(concurrency.max(1));
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        let auth_failed = Arc::new(AuthFailures::default());
        for _ in 0..concurrency.max(1) {
            let worker = Worker {
                harness: harness.clone(),
                auth_failed: auth_failed.clone(),
                body_only,
            };
            tokio::spawn(worker.run(rx.clone()));
        }
        Workers { queue }
    }

    /// Sends one line's request and waits for its reply.
    pub async fn send(&self, req: Request) -> Reply {
        let (reply_to, reply) = oneshot::channel();
        if self.queue.send((req, reply_to)).await.is_err() {
            return Reply::error("internal", "the batch workers stopped", Exit::Failure);
        }
        reply
            .await
            .unwrap_or_else(|_| Reply::error("internal", "a batch worker stopped", Exit::Failure))
    }
}

struct Worker {
    harness: Harness,
    auth_failed: Arc<AuthFailures>,
    body_only: bool,
}

impl Worker {
    async fn run(self, queue: Arc<tokio::sync::Mutex<mpsc::Receiver<Job>>>) {
        loop {
            let job = queue.lock().await.recv().await;
            let Some((req, reply_to)) = job else { return };
            let _ = reply_to.send(self.answer(req).await);
        }
    }

    /// One line: a bad argument or member CID, or a list too long with
    /// splitting off, is an error before anything is sent.
    async fn answer(&self, req: Request) -> Reply {
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
