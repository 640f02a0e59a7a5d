//! Aliases: `x-operation-aliases` name the same route, `aliases.json`
//! adds legacy IDs and the retired list. An ID that is an operation of its
//! own stays one.

use super::{ierr, ImportError};
use crate::format::AliasFile;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The raw alias maps, before resolution to operations.
pub(super) struct Aliases {
    same_route: BTreeMap<String, String>,
    legacy: BTreeMap<String, String>,
    retired: BTreeSet<String>,
}

impl Aliases {
    /// Reads the swagger's `x-operation-aliases` and `aliases.json`.
    pub fn read(swagger: &Value, aliases: Option<&Value>) -> Result<Aliases, ImportError> {
        let same_route = swagger
            .get("x-operation-aliases")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        let mut legacy = BTreeMap::new();
        let mut retired = BTreeSet::new();
        for (k, v) in aliases.and_then(Value::as_object).into_iter().flatten() {
            match (k.as_str(), v) {
                ("retired", Value::Array(list)) => {
                    retired.extend(list.iter().filter_map(Value::as_str).map(str::to_string))
                }
                (_, Value::String(t)) => {
                    legacy.insert(k.clone(), t.clone());
                }
                _ => {
                    return ierr(format!(
                        "aliases: entry {k:?} is neither a string nor the retired list"
                    ))
                }
            }
        }
        Ok(Aliases {
            same_route,
            legacy,
            retired,
        })
    }

    /// The operation an alias (or an operation ID) finally names.
    pub fn resolve(&self, ops: &BTreeSet<String>, start: &str) -> Result<String, ImportError> {
        let mut cur = start.to_string();
        for _ in 0..16 {
            if ops.contains(&cur) {
                return Ok(cur);
            }
            match self.same_route.get(&cur).or_else(|| self.legacy.get(&cur)) {
                Some(next) => cur = next.clone(),
                None => return ierr(format!("alias {start:?} names unknown operation {cur:?}")),
            }
        }
        ierr(format!("alias {start:?}: chain too long"))
    }

    /// `_aliases.json`: every alias resolved to its operation.
    pub fn file(&self, ops: &BTreeSet<String>) -> Result<AliasFile, ImportError> {
        let mut out = AliasFile::default();
        for k in self.same_route.keys() {
            if !ops.contains(k) {
                out.same_route.insert(k.clone(), self.resolve(ops, k)?);
            }
        }
        for k in self.legacy.keys() {
            if !ops.contains(k) && !self.same_route.contains_key(k) {
                out.legacy.insert(k.clone(), self.resolve(ops, k)?);
            }
        }
        out.retired = self
            .retired
            .iter()
            .filter(|r| !out.same_route.contains_key(*r) && !out.legacy.contains_key(*r))
            .cloned()
            .collect();
        Ok(out)
    }
}
