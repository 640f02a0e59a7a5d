//! `--shard K/N`: which lines of a batch one of N processes answers.
//!
//! Lines with a `member_cid` go by a stable hash of the CID (FNV-1a of its
//! lower-case bytes, the same on every machine and run), so each CID's
//! lines stay in one process with one token; lines without one go by line
//! number. Any engine that starts N copies with an index runs it: a
//! Kubernetes Indexed Job, a Slurm array, GNU parallel.

use std::fmt;
use std::str::FromStr;

/// Shard `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1..=count
    pub index: u32,
    /// How many shards.
    pub count: u32,
}

impl FromStr for Shard {
    type Err = String;

    /// `K/N` with 1 <= K <= N.
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("expected K/N with 1 <= K <= N (such as 2/4), got {s:?}");
        let (k, n) = s.trim().split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// FNV-1a (64-bit) of the ASCII-lower-cased bytes.
pub fn fnv1a_lower(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(b.to_ascii_lowercase());
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl Shard {
    /// Whether this shard answers the line numbered `line` (1-based) with
    /// this `member_cid`.
    pub fn keeps(&self, line: usize, member_cid: Option<&str>) -> bool {
        let n = u64::from(self.count);
        let slot = match member_cid {
            Some(cid) => fnv1a_lower(cid.trim().as_bytes()) % n,
            None => (line.saturating_sub(1) as u64) % n,
        };
        slot == u64::from(self.index - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_k_of_n() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        assert_eq!(" 1 / 1 ".parse(), Ok(Shard { index: 1, count: 1 }));
        for bad in ["0/4", "5/4", "2", "a/b", "2/0", "-1/4", "", "1/4/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!(Shard { index: 3, count: 8 }.to_string(), "3/8");
    }

    #[test]
    fn fnv1a_reference_values() {
        // The published FNV-1a 64 test vectors.
        assert_eq!(fnv1a_lower(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a_lower(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a_lower(b"foobar"), 0x85944171f73967e8);
        assert_eq!(fnv1a_lower(b"FOOBAR"), fnv1a_lower(b"foobar"));
    }

    #[test]
    fn every_line_in_exactly_one_shard_and_cids_stay_together() {
        let shards: Vec<Shard> = (1..=4).map(|index| Shard { index, count: 4 }).collect();
        for line in 1..=1000 {
            let cid = format!("cid{:03}", line % 37);
            for member in [None, Some(cid.as_str())] {
                let owners: Vec<u32> = shards
                    .iter()
                    .filter(|s| s.keeps(line, member))
                    .map(|s| s.index)
                    .collect();
                assert_eq!(owners.len(), 1, "line {line} {member:?}");
            }
            let a = shards.iter().position(|s| s.keeps(line, Some(&cid)));
            let b = shards.iter().position(|s| s.keeps(line + 37, Some(&cid)));
            assert_eq!(a, b, "one CID, one shard");
        }
        // Without CIDs the lines are dealt round-robin.
        let first = Shard { index: 1, count: 4 };
        assert!(first.keeps(1, None) && first.keeps(5, None) && !first.keeps(2, None));
    }
}
