//! Per-CID state of a harness: the token and the pacer of the parent CID
//! and of every child CID (Flight Control) the harness acts for, and the
//! pacer of token requests (limited per client address, not per CID).

use crate::auth::TokenCache;
use crate::error::{Error, Result};
use crate::pacing::{PaceStats, Pacer};
use crate::secret::Secret;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The most child CIDs one harness keeps state for.
pub(crate) const MAX_MEMBERS: usize = 100_000;

/// One CID: its token (renewed single-flight) and its pacer.
pub(crate) struct Tenant {
    /// The child CID sent with the token request (`None`: the API
    /// client's own CID).
    pub member_cid: Option<String>,
    pub tokens: TokenCache,
    pub pacer: Pacer,
}

impl fmt::Debug for Tenant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tenant")
            .field("member_cid", &self.member_cid)
            .field("tokens", &self.tokens)
            .finish()
    }
}

/// Checks a child CID given for `operation` (letters, digits and `-`, at
/// most 64) without acting for it: the check
/// [`RequestBuilder::member_cid`](crate::RequestBuilder::member_cid)
/// makes before anything is sent, for dry runs.
///
/// ```
/// use falcon_harness::check_member_cid;
/// assert_eq!(check_member_cid("QueryIncidents", " 0123abcd ").unwrap(), "0123abcd");
/// assert!(check_member_cid("QueryIncidents", "a b").unwrap_err().is_argument());
/// ```
pub fn check_member_cid<'a>(operation: &str, cid: &'a str) -> Result<&'a str> {
    check_cid(cid).map_err(|e| {
        let why = match e {
            Error::Config(m) => m,
            other => other.to_string(),
        };
        Error::argument(operation, "member_cid", why)
    })
}

/// `cid` trimmed, when it looks like a CID (letters, digits and `-`, at
/// most 64); otherwise an [`Error::Config`] saying so.
pub(crate) fn check_cid(cid: &str) -> Result<&str> {
    let cid = cid.trim();
    if cid.is_empty()
        || cid.len() > 64
        || !cid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        let shown: String = cid.chars().take(64).collect();
        return Err(Error::Config(format!(
            "member CID {shown:?} is not a CID (letters, digits and '-', at most 64)"
        )));
    }
    Ok(cid)
}

/// Every CID of a harness.
pub(crate) struct Tenants {
    parent: Arc<Tenant>,
    members: Mutex<HashMap<String, Arc<Tenant>>>,
    /// Token requests of every CID.
    token_pacer: Pacer,
    renew_window: Duration,
    max_block: Duration,
    stats: Arc<PaceStats>,
}

impl fmt::Debug for Tenants {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tenants")
            .field("parent", &self.parent)
            .field("members", &self.count())
            .finish()
    }
}

impl Tenants {
    /// The parent (the builder's member CID, if any) with `initial` as its
    /// token (a given bearer token); pacers as [`Pacer::with_stats`].
    pub fn new(
        member_cid: Option<String>,
        initial: Option<Secret>,
        renew_window: Duration,
        max_block: Duration,
    ) -> Tenants {
        let stats = Arc::new(PaceStats::default());
        Tenants {
            parent: Arc::new(Tenant {
                member_cid,
                tokens: TokenCache::new(renew_window, initial),
                pacer: Pacer::with_stats(stats.clone(), max_block),
            }),
            members: Mutex::new(HashMap::new()),
            token_pacer: Pacer::with_stats(stats.clone(), max_block),
            renew_window,
            max_block,
            stats,
        }
    }

    /// The pacer of token requests.
    pub fn token_pacer(&self) -> &Pacer {
        &self.token_pacer
    }

    /// The parent's state.
    pub fn parent(&self) -> Arc<Tenant> {
        self.parent.clone()
    }

    /// The state of child CID `cid`, created on first use. CIDs are
    /// compared case-insensitively (the API does).
    pub fn member(&self, cid: &str) -> Result<Arc<Tenant>> {
        let cid = check_cid(cid)?;
        let key = cid.to_ascii_lowercase();
        if self
            .parent
            .member_cid
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case(&key))
        {
            return Ok(self.parent.clone());
        }
        let mut members = self
            .members
            .lock()
            .map_err(|_| Error::Config("member CID table poisoned".into()))?;
        if let Some(t) = members.get(&key) {
            return Ok(t.clone());
        }
        if members.len() >= MAX_MEMBERS {
            return Err(Error::Config(format!(
                "more than {MAX_MEMBERS} member CIDs in one harness"
            )));
        }
        let t = Arc::new(Tenant {
            member_cid: Some(cid.to_string()),
            tokens: TokenCache::new(self.renew_window, None),
            pacer: Pacer::with_stats(self.stats.clone(), self.max_block),
        });
        members.insert(key, t.clone());
        Ok(t)
    }

    /// CIDs with state: the parent and every child used so far.
    pub fn count(&self) -> usize {
        1 + self.members.lock().map(|m| m.len()).unwrap_or(0)
    }

    /// Token requests made for every CID.
    pub fn token_requests(&self) -> u64 {
        let members: u64 = self
            .members
            .lock()
            .map(|m| m.values().map(|t| t.tokens.fetches()).sum())
            .unwrap_or(0);
        self.parent.tokens.fetches() + members
    }

    /// The pacing counters of every CID.
    pub fn stats(&self) -> &Arc<PaceStats> {
        &self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_state_per_cid() {
        let minute = Duration::from_secs(60);
        let t = Tenants::new(Some("ABC".into()), None, minute, minute);
        let a = t.member("0123abcd").unwrap();
        let b = t.member("0123ABCD").unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(Arc::ptr_eq(&t.member("abc").unwrap(), &t.parent()));
        assert_eq!(t.count(), 2);
        for bad in ["", "a b", "x/../y", &"a".repeat(65)] {
            assert!(t.member(bad).unwrap_err().is_config(), "{bad}");
        }
    }
}
